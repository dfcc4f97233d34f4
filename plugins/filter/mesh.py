"""Filters for the Alertmanager mesh and the endpoints its clients reach.

Docs live in the sidecars service_endpoints.yml, service_url.yml and
alertmanager_cluster_ready.yml; the
logic lives in plugins/plugin_utils/mesh.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import (
    MeshError,
    cluster_ready,
    service_endpoints,
    service_url,
)


def _service_endpoints_filter(settings: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return service_endpoints(settings)
    except MeshError as err:
        raise AnsibleFilterError(f"service_endpoints: {err}") from err


def _service_url_filter(endpoints: Mapping[str, Any], with_credentials: bool = True) -> str:
    try:
        return service_url(endpoints, with_credentials)
    except MeshError as err:
        raise AnsibleFilterError(f"service_url: {err}") from err


def _cluster_ready_filter(cluster_status: Mapping[str, Any], expected_peers: int) -> bool:
    try:
        return cluster_ready(cluster_status, expected_peers)
    except MeshError as err:
        raise AnsibleFilterError(f"alertmanager_cluster_ready: {err}") from err


class FilterModule:
    """Mesh filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "alertmanager_cluster_ready": _cluster_ready_filter,
            "service_endpoints": _service_endpoints_filter,
            "service_url": _service_url_filter,
        }
