"""Endpoints of the Alertmanager mesh and its clients, computed from plain settings.

Pure Python over plain mappings, so it can be unit-tested without an Ansible runtime.
The filters in ``plugins/filter/mesh.py`` are thin wrappers around these functions.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = [
    "MeshError",
    "cluster_ready",
    "format_endpoint",
    "is_ip_address",
    "service_endpoints",
    "service_url",
]

MAX_PORT = 65535


class MeshError(ValueError):
    """Raised when a member's settings or API answer cannot describe a mesh."""


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


def service_endpoints(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return how clients reach one service, from its settings.

    ``settings`` holds ``web_address`` and ``web_port``; ``tls`` (whether the web port
    serves HTTPS), ``ca`` (PEM contents of the CA that signs its certificate) or
    ``ca_file`` (that CA's path on the service's host), ``client_auth`` (whether a client
    certificate is required) and ``api_auth`` (the credentials clients present); and, for
    an Alertmanager member, ``cluster_address`` and ``cluster_port``.

    The result holds ``target`` (``address:port``), ``scheme``, ``url``, the client
    settings as given, and ``cluster`` (the gossip ``address:port``, empty without a
    cluster address).
    """
    if not isinstance(settings, Mapping):
        raise MeshError(f"the settings must be a mapping, got {type(settings).__name__}")
    for key in ("web_address", "web_port"):
        if key not in settings:
            raise MeshError(f"the settings have no {key}")
    scheme = "https" if _as_bool(settings.get("tls", False), "tls") else "http"
    target = format_endpoint(settings["web_address"], _as_port(settings["web_port"], "web_port"))
    cluster_address = settings.get("cluster_address") or ""
    cluster = (
        format_endpoint(cluster_address, _as_port(settings.get("cluster_port"), "cluster_port"))
        if cluster_address
        else ""
    )
    api_auth = settings.get("api_auth") or {}
    if not isinstance(api_auth, Mapping):
        raise MeshError("api_auth must be a mapping with username and password")
    return {
        "target": target,
        "scheme": scheme,
        "url": f"{scheme}://{target}",
        "cluster": cluster,
        "cluster_address": cluster_address,
        "ca": settings.get("ca") or "",
        "ca_file": settings.get("ca_file") or "",
        "client_auth": _as_bool(settings.get("client_auth", False), "client_auth"),
        "api_auth": dict(api_auth),
    }


def service_url(endpoints: Mapping[str, Any], with_credentials: bool = True) -> str:
    """Return the URL of a service's ``endpoints`` (what :func:`service_endpoints` gives).

    With ``with_credentials`` and credentials in ``api_auth``, they go into the URL as
    ``user:password@``, percent-encoded, for clients that take them from there (the
    collection's modules do, and never show or return them).
    """
    if not isinstance(endpoints, Mapping) or not {"scheme", "target"} <= set(endpoints):
        raise MeshError("the input must be the endpoints of one service, with scheme and target")
    api_auth = endpoints.get("api_auth") or {}
    userinfo = ""
    if with_credentials and api_auth:
        if not isinstance(api_auth, Mapping) or not {"username", "password"} <= set(api_auth):
            raise MeshError("api_auth must be a mapping with username and password")
        userinfo = (
            f"{quote(str(api_auth['username']), safe='')}:"
            f"{quote(str(api_auth['password']), safe='')}@"
        )
    return f"{endpoints['scheme']}://{userinfo}{endpoints['target']}"


def _as_port(value: Any, name: str) -> int:
    # Digit strings are accepted because INI inventories and extra vars yield strings.
    is_integer = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )
    if not is_integer or not 1 <= int(value) <= MAX_PORT:
        raise MeshError(f"{name} {value!r} is not an integer from 1 to {MAX_PORT}")
    return int(value)


def _as_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0", ""):
        return value.lower() in ("true", "yes", "1")
    raise MeshError(f"{name} {value!r} is not a boolean")


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
        raise MeshError(
            "the input must be the cluster block of /api/v2/status (a mapping),"
            f" got {type(cluster_status).__name__} {cluster_status!r}"
        )
    if isinstance(expected_peers, bool):
        raise MeshError(f"expected_peers must be a whole number, got {expected_peers!r}")
    try:
        expected = int(expected_peers)
    except (TypeError, ValueError) as err:
        raise MeshError(f"expected_peers must be a whole number, got {expected_peers!r}") from err
    if expected < 0:
        raise MeshError(f"expected_peers must not be negative, got {expected}")
    if expected == 0:
        return cluster_status.get("status") == "disabled"
    peers = cluster_status.get("peers") or []
    if not isinstance(peers, list):
        raise MeshError(f"the cluster block's peers must be a list, got {peers!r}")
    return cluster_status.get("status") == "ready" and len(peers) == expected
