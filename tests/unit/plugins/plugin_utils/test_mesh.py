from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import (
    MeshError,
    format_endpoint,
    service_endpoints,
    service_url,
)

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


# service_endpoints

WEB = {"web_address": "10.0.0.5", "web_port": 9093}


def test_plain_service_endpoints() -> None:
    assert service_endpoints(WEB) == {
        "target": "10.0.0.5:9093",
        "scheme": "http",
        "url": "http://10.0.0.5:9093",
        "cluster": "",
        "cluster_address": "",
        "ca": "",
        "ca_file": "",
        "client_auth": False,
        "api_auth": {},
    }


def test_a_mesh_member_with_tls_gets_https_and_its_gossip_endpoint() -> None:
    settings = {
        **WEB,
        "web_address": "am-1.example",
        "tls": True,
        "ca_file": "/etc/pki/ca.pem",
        "client_auth": "true",
        "api_auth": {"username": "ops", "password": "s3cret"},
        "cluster_address": "fd00::5",
        "cluster_port": "9094",
    }
    endpoints = service_endpoints(settings)
    assert endpoints["url"] == "https://am-1.example:9093"
    assert endpoints["cluster"] == "[fd00::5]:9094"
    assert endpoints["cluster_address"] == "fd00::5"
    assert endpoints["ca_file"] == "/etc/pki/ca.pem"
    assert endpoints["client_auth"] is True
    assert endpoints["api_auth"] == {"username": "ops", "password": "s3cret"}


def test_an_ipv6_web_address_is_bracketed_in_the_url() -> None:
    assert service_endpoints({**WEB, "web_address": "fd00::7"})["url"] == "http://[fd00::7]:9093"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("10.0.0.5:9093", "the settings must be a mapping, got str"),
        ({"web_port": 9093}, "the settings have no web_address"),
        ({"web_address": "a"}, "the settings have no web_port"),
        ({**WEB, "web_port": 0}, "web_port 0 is not an integer from 1 to 65535"),
        ({**WEB, "web_port": "http"}, "web_port 'http' is not an integer"),
        ({**WEB, "cluster_address": "10.0.0.5", "cluster_port": 70000}, "cluster_port 70000"),
        ({**WEB, "web_address": "am-1:9093"}, "is not an IPv6 literal; give the port separately"),
        ({**WEB, "tls": "maybe"}, "tls 'maybe' is not a boolean"),
        ({**WEB, "api_auth": "ops:s3cret"}, "api_auth must be a mapping"),
    ],
)
def test_unusable_settings_are_refused_with_the_setting_named(settings: Any, message: str) -> None:
    with pytest.raises(MeshError, match=message):
        service_endpoints(settings)


# service_url

ENDPOINTS = service_endpoints(
    {**WEB, "tls": True, "api_auth": {"username": "ops", "password": "p@ss:w/rd"}}
)


def test_service_url_carries_percent_encoded_credentials() -> None:
    assert service_url(ENDPOINTS) == "https://ops:p%40ss%3Aw%2Frd@10.0.0.5:9093"


def test_service_url_without_credentials() -> None:
    assert service_url(ENDPOINTS, with_credentials=False) == "https://10.0.0.5:9093"
    assert service_url(service_endpoints(WEB)) == "http://10.0.0.5:9093"


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        ("https://10.0.0.5:9093", "the endpoints of one service"),
        ({"scheme": "https"}, "the endpoints of one service"),
        ({**ENDPOINTS, "api_auth": {"username": "ops"}}, "api_auth must be a mapping"),
    ],
)
def test_service_url_refuses_what_is_not_one_service(endpoints: Any, message: str) -> None:
    with pytest.raises(MeshError, match=message):
        service_url(endpoints)
