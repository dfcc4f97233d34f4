"""Filters for the systemd units of the stack: sandboxing directives and command lines.

Docs live in the sidecars systemd_hardening.yml, systemd_exec_line.yml and
systemd_argument_problems.yml; the logic lives in plugins/plugin_utils/systemd_hardening.py
and plugins/plugin_utils/systemd_unit.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_hardening import (
    SystemdHardeningError,
    hardening_directives,
)
from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_unit import (
    SystemdUnitError,
    systemd_argument_problems,
    systemd_exec_line,
)


def _systemd_hardening_filter(version: int | str, writable_paths: Sequence[str] = ()) -> list[str]:
    try:
        return hardening_directives(version, writable_paths)
    except SystemdHardeningError as err:
        raise AnsibleFilterError(f"systemd_hardening: {err}") from err


def _systemd_exec_line_filter(argv: Sequence[Any]) -> str:
    try:
        return systemd_exec_line(argv)
    except SystemdUnitError as err:
        raise AnsibleFilterError(f"systemd_exec_line: {err}") from err


def _systemd_argument_problems_filter(values: Mapping[str, Any]) -> list[str]:
    try:
        return systemd_argument_problems(values)
    except SystemdUnitError as err:
        raise AnsibleFilterError(f"systemd_argument_problems: {err}") from err


class FilterModule:
    """systemd unit filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "systemd_argument_problems": _systemd_argument_problems_filter,
            "systemd_exec_line": _systemd_exec_line_filter,
            "systemd_hardening": _systemd_hardening_filter,
        }
