"""Endpoints of the Alertmanager mesh, computed from inventory host variables.

Pure Python over plain mappings, so it can be unit-tested without an Ansible runtime.
The filters in ``plugins/filter/mesh.py`` are thin wrappers around these functions.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLUSTER_ENDPOINT",
    "PROMETHEUS_WEB_ENDPOINT",
    "WEB_ENDPOINT",
    "EndpointVars",
    "MeshError",
    "alertmanager_peers",
    "alertmanager_targets",
    "cluster_ready",
    "format_endpoint",
    "is_ip_address",
    "member_endpoints",
    "prometheus_targets",
]

MAX_PORT = 65535


class MeshError(ValueError):
    """Raised when the members or their host variables cannot describe a mesh."""


@dataclass(frozen=True)
class EndpointVars:
    """Which host variables describe one kind of Alertmanager endpoint."""

    address_var: str
    port_var: str
    default_port: int


CLUSTER_ENDPOINT = EndpointVars(
    address_var="alertmanager_cluster_advertise_address",
    port_var="alertmanager_cluster_port",
    default_port=9094,
)
WEB_ENDPOINT = EndpointVars(
    address_var="alertmanager_web_address",
    port_var="alertmanager_web_port",
    default_port=9093,
)
PROMETHEUS_WEB_ENDPOINT = EndpointVars(
    address_var="prometheus_web_address",
    port_var="prometheus_web_port",
    default_port=9090,
)


def format_endpoint(address: str, port: int) -> str:
    """Return ``address:port``, with an IPv6 literal in brackets (``[fd00::1]:9094``).

    ``address`` may be an IPv4 address, a host name or an IPv6 literal, bracketed or not.
    """
    if not isinstance(address, str) or not address.strip():
        raise MeshError(f"address {address!r} is empty or not a string")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= MAX_PORT:
        raise MeshError(f"port {port!r} is not an integer from 1 to {MAX_PORT}")
    is_bracketed = address.startswith("[") and address.endswith("]")
    literal = address[1:-1] if is_bracketed else address
    if is_bracketed or ":" in literal:
        try:
            ipaddress.IPv6Address(literal)
        except ValueError as err:
            # Most often "host:port" written where only an address belongs.
            raise MeshError(
                f"address {address!r} has a ':' or brackets but is not an IPv6 literal;"
                " give the port separately"
            ) from err
        return f"[{literal}]:{port}"
    return f"{address}:{port}"


def member_endpoints(
    members: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    endpoint_vars: EndpointVars,
    exclude: str | Sequence[str] | None = None,
) -> list[str]:
    """Return the sorted, unique ``address:port`` endpoints of ``members`` minus ``exclude``.

    ``hostvars`` may be Ansible's ``HostVars``, which templates on access: it is read only
    through ``in`` and ``[]``.
    """
    _check_members(members)
    if not isinstance(hostvars, Mapping):
        raise MeshError(
            f"hostvars must be a mapping of host names to variables, got {type(hostvars).__name__}"
        )
    excluded = _excluded_hosts(exclude)
    endpoints: set[str] = set()
    for host in members:
        if host in excluded:
            continue
        if host not in hostvars:
            raise MeshError(
                f"host {host!r} from the input host list {list(members)!r} is not in hostvars"
            )
        endpoints.add(_host_endpoint(host, hostvars[host], endpoint_vars))
    return sorted(endpoints)


def alertmanager_peers(
    members: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    exclude: str | Sequence[str] | None = None,
) -> list[str]:
    """Return the gossip (cluster) endpoints of ``members``, for ``--cluster.peer``."""
    return member_endpoints(members, hostvars, CLUSTER_ENDPOINT, exclude)


def alertmanager_targets(
    members: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    exclude: str | Sequence[str] | None = None,
) -> list[str]:
    """Return the web (API) endpoints of ``members``, for Prometheus alerting targets."""
    return member_endpoints(members, hostvars, WEB_ENDPOINT, exclude)


def prometheus_targets(
    members: Sequence[str],
    hostvars: Mapping[str, Mapping[str, Any]],
    exclude: str | Sequence[str] | None = None,
) -> list[str]:
    """Return the web endpoints of Prometheus ``members``, for scrapes and verification."""
    return member_endpoints(members, hostvars, PROMETHEUS_WEB_ENDPOINT, exclude)


def _check_members(members: Sequence[str]) -> None:
    if isinstance(members, str) or not isinstance(members, Sequence):
        raise MeshError(
            "the input must be a list of inventory host names such as groups['alertmanagers'],"
            f" got {type(members).__name__} {members!r}"
        )
    for host in members:
        if not isinstance(host, str):
            raise MeshError(
                f"the input host list {list(members)!r} holds {host!r},"
                " which is not an inventory host name"
            )


def _excluded_hosts(exclude: str | Sequence[str] | None) -> frozenset[str]:
    if exclude is None:
        return frozenset()
    if isinstance(exclude, str):
        return frozenset([exclude])
    if isinstance(exclude, Sequence) and all(isinstance(host, str) for host in exclude):
        return frozenset(exclude)
    raise MeshError(f"exclude must be a host name or a list of host names, got {exclude!r}")


def _host_endpoint(host: str, host_vars: Mapping[str, Any], endpoint_vars: EndpointVars) -> str:
    if not isinstance(host_vars, Mapping):
        raise MeshError(f"hostvars[{host!r}] is not a mapping of variables")
    address_source, address = _lookup_address(host, host_vars, endpoint_vars)
    port = _parse_port(host, host_vars, endpoint_vars)
    try:
        return format_endpoint(address, port)
    except MeshError as err:
        raise MeshError(f"host {host!r}: {address_source}: {err}") from err


def _lookup_address(
    host: str, host_vars: Mapping[str, Any], endpoint_vars: EndpointVars
) -> tuple[str, Any]:
    """Return which source supplied the address, and the address."""
    for var in (endpoint_vars.address_var, "ansible_host"):
        if var in host_vars:
            return var, host_vars[var]
    return "inventory host name", host


def _parse_port(host: str, host_vars: Mapping[str, Any], endpoint_vars: EndpointVars) -> int:
    if endpoint_vars.port_var not in host_vars:
        return endpoint_vars.default_port
    value = host_vars[endpoint_vars.port_var]
    # Digit strings are accepted because INI inventories and extra vars yield strings.
    is_integer = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )
    if not is_integer or not 1 <= int(value) <= MAX_PORT:
        raise MeshError(
            f"host {host!r}: {endpoint_vars.port_var} {value!r} is not an integer"
            f" from 1 to {MAX_PORT}"
        )
    return int(value)


def is_ip_address(value: Any) -> bool:
    """Whether ``value`` is an IPv4 or IPv6 address (IPv6 optionally in brackets)."""
    if not isinstance(value, str):
        return False
    literal = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        return False
    return True


def cluster_ready(cluster_status: Mapping[str, Any], expected_peers: int) -> bool:
    """Whether an Alertmanager's ``/api/v2/status`` ``cluster`` block shows a full mesh.

    With ``expected_peers`` 0 clustering is off, and Alertmanager reports ``disabled``.
    Otherwise the member must be ``ready`` and list ``expected_peers`` peers, itself
    included.
    """
    if not isinstance(cluster_status, Mapping):
        raise MeshError(f"the cluster status must be a mapping, got {cluster_status!r}")
    expected = int(expected_peers)
    if expected == 0:
        return cluster_status.get("status") == "disabled"
    peers = cluster_status.get("peers") or []
    return cluster_status.get("status") == "ready" and len(peers) == expected
