"""Filter that lists the systemd sandboxing directives for the stack's units.

Docs live in the sidecar systemd_hardening.yml; the logic lives in
plugins/plugin_utils/systemd_hardening.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_hardening import (
    SystemdHardeningError,
    hardening_directives,
)


def _systemd_hardening_filter(version: int | str, writable_paths: Sequence[str] = ()) -> list[str]:
    try:
        return hardening_directives(version, writable_paths)
    except SystemdHardeningError as err:
        raise AnsibleFilterError(f"systemd_hardening: {err}") from err


class FilterModule:
    """systemd unit filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"systemd_hardening": _systemd_hardening_filter}
