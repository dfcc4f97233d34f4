from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import (
    CLUSTER_ENDPOINT,
    PROMETHEUS_WEB_ENDPOINT,
    WEB_ENDPOINT,
    MeshError,
    alertmanager_peers,
    alertmanager_targets,
    format_endpoint,
    member_endpoints,
    prometheus_targets,
)


class LookupOnlyMapping(Mapping):
    """Stands in for Ansible's HostVars: answers ``in`` and ``[]`` but refuses to be listed."""

    def __init__(self, entries: dict[str, Any]) -> None:
        self._entries = entries

    def __getitem__(self, key: str) -> Any:
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("hostvars must not be iterated")

    def __len__(self) -> int:
        raise AssertionError("hostvars must not be sized")


# format_endpoint


@pytest.mark.parametrize(
    ("address", "port", "endpoint"),
    [
        ("10.0.0.1", 9094, "10.0.0.1:9094"),
        ("am1.example.com", 9093, "am1.example.com:9093"),
        ("fd00::1", 9094, "[fd00::1]:9094"),
        ("[fd00::1]", 9094, "[fd00::1]:9094"),
        ("::1", 1, "[::1]:1"),
        ("fe80::1%eth0", 65535, "[fe80::1%eth0]:65535"),
    ],
)
def test_format_endpoint(address: str, port: int, endpoint: str) -> None:
    assert format_endpoint(address, port) == endpoint


@pytest.mark.parametrize(
    "address", ["am1:9094", "10.0.0.1:9094", "[10.0.0.1]", "[am1]", "[fd00::1"]
)
def test_format_endpoint_rejects_colon_or_brackets_outside_ipv6(address: str) -> None:
    with pytest.raises(MeshError, match="not an IPv6 literal"):
        format_endpoint(address, 9094)


@pytest.mark.parametrize("address", ["", "   ", None, 10])
def test_format_endpoint_rejects_empty_or_non_string_address(address: Any) -> None:
    with pytest.raises(MeshError, match="empty or not a string"):
        format_endpoint(address, 9094)


@pytest.mark.parametrize("port", [0, 65536, -1, True, "9094", 9094.0, None])
def test_format_endpoint_rejects_bad_port(port: Any) -> None:
    with pytest.raises(MeshError, match="not an integer from 1 to 65535"):
        format_endpoint("10.0.0.1", port)


# alertmanager_peers: addresses


def test_peers_ipv4_hostname_and_ipv6_members() -> None:
    hostvars = {
        "am1": {"alertmanager_cluster_advertise_address": "10.0.0.1"},
        "am2": {"alertmanager_cluster_advertise_address": "am2.example.com"},
        "am3": {"alertmanager_cluster_advertise_address": "fd00::3"},
        "am4": {"alertmanager_cluster_advertise_address": "[fd00::4]"},
    }
    assert alertmanager_peers(["am1", "am2", "am3", "am4"], hostvars) == [
        "10.0.0.1:9094",
        "[fd00::3]:9094",
        "[fd00::4]:9094",
        "am2.example.com:9094",
    ]


def test_peers_address_falls_back_from_advertise_address_to_ansible_host_to_name() -> None:
    hostvars = {
        "am1": {"alertmanager_cluster_advertise_address": "10.0.0.1", "ansible_host": "192.0.2.1"},
        "am2": {"ansible_host": "192.0.2.2"},
        "am3": {},
    }
    assert alertmanager_peers(["am1", "am2", "am3"], hostvars) == [
        "10.0.0.1:9094",
        "192.0.2.2:9094",
        "am3:9094",
    ]


def test_peers_ignore_web_address() -> None:
    hostvars = {"am1": {"alertmanager_web_address": "10.9.9.9", "ansible_host": "10.0.0.1"}}
    assert alertmanager_peers(["am1"], hostvars) == ["10.0.0.1:9094"]


@pytest.mark.parametrize(
    "member_vars",
    [
        {"alertmanager_cluster_advertise_address": ""},
        {"alertmanager_cluster_advertise_address": None, "ansible_host": "10.0.0.1"},
        {"ansible_host": "  "},
    ],
)
def test_peers_reject_empty_address(member_vars: dict[str, Any]) -> None:
    with pytest.raises(MeshError, match=r"host 'am1'.*empty"):
        alertmanager_peers(["am1"], {"am1": member_vars})


def test_peers_error_names_host_and_variable_for_host_port_address() -> None:
    hostvars = {"am1": {"alertmanager_cluster_advertise_address": "am1:9094"}}
    with pytest.raises(
        MeshError, match=r"host 'am1': alertmanager_cluster_advertise_address: .*'am1:9094'"
    ):
        alertmanager_peers(["am1"], hostvars)


def test_peers_error_names_ansible_host_when_it_supplied_the_address() -> None:
    with pytest.raises(MeshError, match=r"host 'am1': ansible_host: "):
        alertmanager_peers(["am1"], {"am1": {"ansible_host": ""}})


# alertmanager_peers: ports


def test_peers_per_host_ports_and_default() -> None:
    hostvars = {
        "am1": {"ansible_host": "10.0.0.1", "alertmanager_cluster_port": 9194},
        "am2": {"ansible_host": "10.0.0.2", "alertmanager_cluster_port": "9294"},
        "am3": {"ansible_host": "10.0.0.3"},
    }
    assert alertmanager_peers(["am1", "am2", "am3"], hostvars) == [
        "10.0.0.1:9194",
        "10.0.0.2:9294",
        "10.0.0.3:9094",
    ]


@pytest.mark.parametrize("port", [1, "1", 65535, "65535"])
def test_peers_accept_port_bounds(port: int | str) -> None:
    hostvars = {"am1": {"ansible_host": "10.0.0.1", "alertmanager_cluster_port": port}}
    assert alertmanager_peers(["am1"], hostvars) == [f"10.0.0.1:{int(port)}"]


@pytest.mark.parametrize(
    "port", [0, 65536, -1, "0", "65536", "-1", "", " 9094", "9094a", "٩٠٩٤", 9094.0, True, None]
)
def test_peers_reject_bad_port_naming_host_and_variable(port: Any) -> None:
    hostvars = {
        "am1": {"ansible_host": "10.0.0.1"},
        "am2": {"ansible_host": "10.0.0.2", "alertmanager_cluster_port": port},
    }
    with pytest.raises(MeshError, match=r"host 'am2': alertmanager_cluster_port .* 1 to 65535"):
        alertmanager_peers(["am1", "am2"], hostvars)


def test_peers_ignore_web_port() -> None:
    hostvars = {"am1": {"ansible_host": "10.0.0.1", "alertmanager_web_port": 1234}}
    assert alertmanager_peers(["am1"], hostvars) == ["10.0.0.1:9094"]


# alertmanager_peers: membership


def test_peers_exclude_single_host() -> None:
    hostvars = {name: {} for name in ("am1", "am2", "am3")}
    assert alertmanager_peers(["am1", "am2", "am3"], hostvars, exclude="am2") == [
        "am1:9094",
        "am3:9094",
    ]


def test_peers_exclude_list_of_hosts() -> None:
    hostvars = {name: {} for name in ("am1", "am2", "am3")}
    assert alertmanager_peers(["am1", "am2", "am3"], hostvars, exclude=["am1", "am3"]) == [
        "am2:9094"
    ]


@pytest.mark.parametrize("exclude", ["prometheus1", ["prometheus1"], [], ()])
def test_peers_exclude_of_non_member_changes_nothing(exclude: str | list[str]) -> None:
    hostvars = {"am1": {}, "am2": {}}
    assert alertmanager_peers(["am1", "am2"], hostvars, exclude=exclude) == [
        "am1:9094",
        "am2:9094",
    ]


def test_peers_excluded_host_need_not_be_in_hostvars() -> None:
    assert alertmanager_peers(["am1", "gone"], {"am1": {}}, exclude="gone") == ["am1:9094"]


def test_peers_single_member_excluding_itself_is_empty() -> None:
    assert alertmanager_peers(["am1"], {"am1": {"ansible_host": "10.0.0.1"}}, exclude="am1") == []


def test_peers_empty_group_is_empty() -> None:
    assert alertmanager_peers([], {}, exclude="am1") == []


def test_peers_remove_duplicates() -> None:
    hostvars = {
        "am1": {"ansible_host": "10.0.0.1"},
        "am1-alias": {"ansible_host": "10.0.0.1", "alertmanager_cluster_port": "9094"},
        "am2": {"alertmanager_cluster_advertise_address": "fd00::2"},
        "am2-alias": {"alertmanager_cluster_advertise_address": "[fd00::2]"},
    }
    members = ["am1", "am1-alias", "am2", "am2-alias", "am1"]
    assert alertmanager_peers(members, hostvars) == ["10.0.0.1:9094", "[fd00::2]:9094"]


def test_peers_are_sorted_whatever_the_input_order() -> None:
    hostvars = {
        "c": {"ansible_host": "10.0.0.3"},
        "a": {"ansible_host": "10.0.0.1"},
        "b": {"ansible_host": "10.0.0.2"},
    }
    expected = ["10.0.0.1:9094", "10.0.0.2:9094", "10.0.0.3:9094"]
    assert alertmanager_peers(["c", "a", "b"], hostvars) == expected
    assert alertmanager_peers(["b", "c", "a"], hostvars) == expected


def test_peers_missing_host_error_names_host_and_input() -> None:
    with pytest.raises(MeshError, match=r"host 'am9' from the input host list \['am1', 'am9'\]"):
        alertmanager_peers(["am1", "am9"], {"am1": {}})


def test_peers_read_hostvars_only_by_lookup() -> None:
    hostvars = LookupOnlyMapping(
        {
            "am1": LookupOnlyMapping({"ansible_host": "10.0.0.1"}),
            "am2": LookupOnlyMapping({"alertmanager_cluster_port": 9194}),
        }
    )
    assert alertmanager_peers(["am1", "am2"], hostvars, exclude="am3") == [
        "10.0.0.1:9094",
        "am2:9194",
    ]


def test_peers_accept_tuple_input() -> None:
    assert alertmanager_peers(("am1",), {"am1": {}}) == ["am1:9094"]


# wrong input types


@pytest.mark.parametrize("members", ["alertmanagers", "am1", None, {"am1": {}}, 3])
def test_input_must_be_a_list_of_host_names(members: Any) -> None:
    with pytest.raises(MeshError, match=r"input must be a list of inventory host names"):
        alertmanager_peers(members, {"am1": {}})


@pytest.mark.parametrize("member", [None, 1, ["am1"]])
def test_input_items_must_be_host_names(member: Any) -> None:
    with pytest.raises(MeshError, match=r"holds .* which is not an inventory host name"):
        alertmanager_peers(["am1", member], {"am1": {}})


@pytest.mark.parametrize("hostvars", [None, [], "hostvars"])
def test_hostvars_must_be_a_mapping(hostvars: Any) -> None:
    with pytest.raises(MeshError, match=r"hostvars must be a mapping"):
        alertmanager_peers(["am1"], hostvars)


def test_member_vars_must_be_a_mapping() -> None:
    with pytest.raises(MeshError, match=r"hostvars\['am1'\] is not a mapping"):
        alertmanager_peers(["am1"], {"am1": "10.0.0.1"})


@pytest.mark.parametrize("exclude", [1, ["am1", 2], {"am1": True}])
def test_exclude_must_be_host_name_or_list(exclude: Any) -> None:
    with pytest.raises(MeshError, match=r"exclude must be a host name or a list of host names"):
        alertmanager_peers(["am1"], {"am1": {}}, exclude=exclude)


# alertmanager_targets


def test_targets_address_falls_back_from_web_address_to_ansible_host_to_name() -> None:
    hostvars = {
        "am1": {
            "alertmanager_web_address": "10.0.0.1",
            "alertmanager_cluster_advertise_address": "10.1.1.1",
            "ansible_host": "192.0.2.1",
        },
        "am2": {"alertmanager_cluster_advertise_address": "10.1.1.2", "ansible_host": "192.0.2.2"},
        "am3": {},
        "am4": {"alertmanager_web_address": "fd00::4"},
    }
    assert alertmanager_targets(["am1", "am2", "am3", "am4"], hostvars) == [
        "10.0.0.1:9093",
        "192.0.2.2:9093",
        "[fd00::4]:9093",
        "am3:9093",
    ]


def test_targets_ports_use_web_variable_and_default() -> None:
    hostvars = {
        "am1": {"alertmanager_web_port": "9193", "alertmanager_cluster_port": 9194},
        "am2": {"alertmanager_cluster_port": 9194},
    }
    assert alertmanager_targets(["am1", "am2"], hostvars) == ["am1:9193", "am2:9093"]


def test_targets_bad_port_error_names_web_variable() -> None:
    with pytest.raises(MeshError, match=r"host 'am1': alertmanager_web_port 'http' "):
        alertmanager_targets(["am1"], {"am1": {"alertmanager_web_port": "http"}})


def test_targets_support_exclude() -> None:
    hostvars = {"am1": {}, "am2": {}, "am3": {}}
    assert alertmanager_targets(["am1", "am2", "am3"], hostvars, exclude=["am2"]) == [
        "am1:9093",
        "am3:9093",
    ]


def test_targets_reject_string_input() -> None:
    with pytest.raises(MeshError, match=r"got str 'alertmanagers'"):
        alertmanager_targets("alertmanagers", {})


def test_prometheus_targets_use_prometheus_web_variables_and_default_port() -> None:
    hostvars = {
        "prom-1": {"prometheus_web_address": "10.0.0.11", "alertmanager_web_port": 9999},
        "prom-2": {"ansible_host": "10.0.0.12", "prometheus_web_port": "9190"},
        "prom-3": {"alertmanager_web_address": "10.0.0.99"},
    }
    assert prometheus_targets(["prom-1", "prom-2", "prom-3"], hostvars) == [
        "10.0.0.11:9090",
        "10.0.0.12:9190",
        "prom-3:9090",
    ]


def test_prometheus_targets_bad_port_error_names_prometheus_variable() -> None:
    with pytest.raises(MeshError, match=r"host 'prom-1': prometheus_web_port 0 is not"):
        prometheus_targets(["prom-1"], {"prom-1": {"prometheus_web_port": 0}})


# the shared code path


@pytest.mark.parametrize(
    ("endpoint_vars", "public"),
    [
        (CLUSTER_ENDPOINT, alertmanager_peers),
        (WEB_ENDPOINT, alertmanager_targets),
        (PROMETHEUS_WEB_ENDPOINT, prometheus_targets),
    ],
)
def test_public_functions_match_member_endpoints(endpoint_vars: Any, public: Any) -> None:
    hostvars = {
        "am1": {
            "ansible_host": "10.0.0.1",
            "alertmanager_cluster_port": 1001,
            "alertmanager_web_port": 2001,
        },
        "am2": {
            "alertmanager_cluster_advertise_address": "fd00::2",
            "alertmanager_web_address": "fd00::22",
        },
    }
    members = ["am1", "am2"]
    assert public(members, hostvars, "am9") == member_endpoints(
        members, hostvars, endpoint_vars, "am9"
    )
