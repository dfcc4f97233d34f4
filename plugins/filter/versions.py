"""Filter that reads the version a binary reports for ``--version``.

Docs live in the sidecar reported_version.yml; the logic lives in
plugins/plugin_utils/versions.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.versions import (
    VersionError,
    reported_version,
)


def _reported_version_filter(result: Mapping[str, Any]) -> str:
    try:
        return reported_version(result)
    except VersionError as err:
        raise AnsibleFilterError(f"reported_version: {err}") from err


class FilterModule:
    """Version filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"reported_version": _reported_version_filter}
