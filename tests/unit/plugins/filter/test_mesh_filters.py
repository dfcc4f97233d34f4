from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.mesh import FilterModule
from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import MeshError

HOSTVARS = {
    "am1": {"ansible_host": "10.0.0.1"},
    "am2": {"alertmanager_cluster_advertise_address": "fd00::2", "alertmanager_web_port": 9193},
    "am3": {"ansible_host": "10.0.0.3", "alertmanager_cluster_port": "9194"},
}
MEMBERS = ["am1", "am2", "am3"]


@pytest.fixture
def filters() -> dict:
    return FilterModule().filters()


def test_filter_module_maps_exactly_the_mesh_filters(filters: dict) -> None:
    assert sorted(filters) == [
        "alertmanager_cluster_ready",
        "alertmanager_peers",
        "alertmanager_targets",
        "prometheus_targets",
    ]


def test_cluster_ready_filter_reports_bad_input_as_filter_error(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError, match="alertmanager_cluster_ready"):
        filters["alertmanager_cluster_ready"]("ready", 3)


def test_peers_filter(filters: dict) -> None:
    peers = filters["alertmanager_peers"](MEMBERS, HOSTVARS, exclude="am1")
    assert peers == ["10.0.0.3:9194", "[fd00::2]:9094"]


def test_peers_filter_without_exclude(filters: dict) -> None:
    assert filters["alertmanager_peers"](MEMBERS, HOSTVARS) == [
        "10.0.0.1:9094",
        "10.0.0.3:9194",
        "[fd00::2]:9094",
    ]


def test_targets_filter(filters: dict) -> None:
    assert filters["alertmanager_targets"](MEMBERS, HOSTVARS) == [
        "10.0.0.1:9093",
        "10.0.0.3:9093",
        "am2:9193",
    ]


def test_targets_filter_with_exclude_list(filters: dict) -> None:
    targets = filters["alertmanager_targets"](MEMBERS, HOSTVARS, exclude=["am2", "am3"])
    assert targets == ["10.0.0.1:9093"]


@pytest.mark.parametrize(
    "name", ["alertmanager_peers", "alertmanager_targets", "prometheus_targets"]
)
def test_filter_raises_ansible_filter_error_naming_filter(filters: dict, name: str) -> None:
    with pytest.raises(AnsibleFilterError, match=rf"^{name}: host 'am9' .*not in hostvars") as info:
        filters[name](["am1", "am9"], HOSTVARS)
    assert isinstance(info.value.__cause__, MeshError)


@pytest.mark.parametrize(
    "name", ["alertmanager_peers", "alertmanager_targets", "prometheus_targets"]
)
def test_filter_rejects_string_input(filters: dict, name: str) -> None:
    with pytest.raises(AnsibleFilterError, match=r"input must be a list of inventory host names"):
        filters[name]("alertmanagers", HOSTVARS)


def test_prometheus_targets_filter(filters: dict) -> None:
    hostvars = {"prom-1": {"ansible_host": "10.0.0.11"}, "prom-2": {"prometheus_web_port": 9190}}
    assert filters["prometheus_targets"](["prom-1", "prom-2"], hostvars, exclude="prom-1") == [
        "prom-2:9190"
    ]
