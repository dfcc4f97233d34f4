from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.mesh import FilterModule
from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import MeshError


@pytest.fixture
def filters() -> dict:
    return FilterModule().filters()


def test_filter_module_maps_exactly_the_mesh_filters(filters: dict) -> None:
    assert sorted(filters) == ["alertmanager_cluster_ready", "service_endpoints", "service_url"]


def test_cluster_ready_filter_reports_bad_input_as_filter_error(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError, match="alertmanager_cluster_ready"):
        filters["alertmanager_cluster_ready"]("ready", 3)


def test_service_endpoints_filter(filters: dict) -> None:
    endpoints = filters["service_endpoints"]({"web_address": "10.0.0.1", "web_port": "9093"})
    assert endpoints["url"] == "http://10.0.0.1:9093"


def test_service_endpoints_filter_raises_filter_error_naming_itself(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError, match=r"^service_endpoints: web_port 0 ") as info:
        filters["service_endpoints"]({"web_address": "10.0.0.1", "web_port": 0})
    assert isinstance(info.value.__cause__, MeshError)


def test_service_url_filter_raises_filter_error_naming_itself(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError, match=r"^service_url: "):
        filters["service_url"]("https://10.0.0.5:9093")
