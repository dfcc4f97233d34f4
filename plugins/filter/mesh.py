"""Filters that turn an Alertmanager group into mesh endpoints.

Docs live in the sidecars alertmanager_peers.yml and alertmanager_targets.yml; the logic
lives in plugins/plugin_utils/mesh.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import (
    MeshError,
    alertmanager_peers,
    alertmanager_targets,
)

EndpointsFunction = Callable[..., list[str]]


def _as_filter(name: str, endpoints_of: EndpointsFunction) -> EndpointsFunction:
    """Wrap a plugin_utils function so that its errors surface as AnsibleFilterError."""

    @wraps(endpoints_of)
    def endpoints_filter(
        members: Sequence[str],
        hostvars: Mapping[str, Mapping[str, Any]],
        exclude: str | Sequence[str] | None = None,
    ) -> list[str]:
        try:
            return endpoints_of(members, hostvars, exclude)
        except MeshError as err:
            raise AnsibleFilterError(f"{name}: {err}") from err

    return endpoints_filter


class FilterModule:
    """Alertmanager mesh filters."""

    def filters(self) -> dict[str, EndpointsFunction]:
        return {
            "alertmanager_peers": _as_filter("alertmanager_peers", alertmanager_peers),
            "alertmanager_targets": _as_filter("alertmanager_targets", alertmanager_targets),
        }
