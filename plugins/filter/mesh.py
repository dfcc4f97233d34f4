"""Filters that turn Alertmanager and Prometheus groups into mesh endpoints.

Docs live in the sidecars alertmanager_peers.yml, alertmanager_targets.yml,
alertmanager_cluster_ready.yml and prometheus_targets.yml; the logic lives in
plugins/plugin_utils/mesh.py.
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
    cluster_ready,
    prometheus_targets,
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


def _cluster_ready_filter(cluster_status: Mapping[str, Any], expected_peers: int) -> bool:
    try:
        return cluster_ready(cluster_status, expected_peers)
    except MeshError as err:
        raise AnsibleFilterError(f"alertmanager_cluster_ready: {err}") from err


class FilterModule:
    """Mesh endpoint filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "alertmanager_peers": _as_filter("alertmanager_peers", alertmanager_peers),
            "alertmanager_targets": _as_filter("alertmanager_targets", alertmanager_targets),
            "alertmanager_cluster_ready": _cluster_ready_filter,
            "prometheus_targets": _as_filter("prometheus_targets", prometheus_targets),
        }
