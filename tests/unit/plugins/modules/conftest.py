"""Fixtures for the module tests: fake APIs on 127.0.0.1 and a way to run a module.

A module is run in-process with its arguments; ``exit_json`` and ``fail_json`` are
patched to raise, so a test gets the result the module would have printed: with the
``invocation`` and with the module's no_log values masked, as AnsibleModule prints it.

ansible-core 2.19 added ``ansible.module_utils.testing.patch_module_args`` to hand a
module its arguments; before it, AnsibleModule read them from ``basic._ANSIBLE_ARGS``
(the JSON the controller would have sent) whenever that was set.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common.parameters import remove_values
from fake_apis import FakeApis

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core 2.17 and 2.18

    @contextlib.contextmanager
    def patch_module_args(args: dict[str, Any]) -> Iterator[None]:
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield


class ModuleExit(Exception):  # noqa: N818
    """``exit_json`` or ``fail_json`` was called; ``result`` holds what it was given."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result)
        self.result = result


def _printed(module: basic.AnsibleModule, result: dict[str, Any]) -> dict[str, Any]:
    result.setdefault("invocation", {"module_args": module.params})
    return remove_values(result, module.no_log_values)


def _exit_json(module: basic.AnsibleModule, **result: Any) -> None:
    result.setdefault("changed", False)
    raise ModuleExit(_printed(module, result))


def _fail_json(module: basic.AnsibleModule, msg: str, **result: Any) -> None:
    raise ModuleExit(_printed(module, dict(result, failed=True, msg=msg)))


RunModule = Callable[..., dict[str, Any]]


@pytest.fixture
def fake_apis() -> Iterator[FakeApis]:
    """Fake Alertmanagers and Prometheus servers, stopped when the test ends."""
    with FakeApis() as apis:
        yield apis


@pytest.fixture
def run_module(monkeypatch: pytest.MonkeyPatch) -> RunModule:
    """Run ``main`` of a module with ``args``; return its result (``failed`` on failure).

    ``check_mode`` and ``diff`` set the matching task keywords.
    """
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)

    def run(
        main: Callable[[], None],
        args: dict[str, Any],
        check_mode: bool = False,
        diff: bool = False,
    ) -> dict[str, Any]:
        module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        with patch_module_args(module_args), pytest.raises(ModuleExit) as exit_info:
            main()
        return exit_info.value.result

    return run
