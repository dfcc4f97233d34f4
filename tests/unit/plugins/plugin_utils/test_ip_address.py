from __future__ import annotations

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import is_ip_address
from ansible_collections.alertmesh.ha.plugins.test.ip_address import TestModule as IpAddressTests


@pytest.mark.parametrize("address", ["10.0.0.5", "fd00::1", "[fd00::1]", "::"])
def test_addresses_are_ip_addresses(address):
    assert is_ip_address(address)


@pytest.mark.parametrize(
    "value", ["am-1", "am-1.example.org", "", "10.0.0.5:9094", "[am-1]", None, 10]
)
def test_names_and_non_strings_are_not(value):
    assert not is_ip_address(value)


def test_the_jinja_test_is_the_plugin_utils_function():
    assert IpAddressTests().tests()["ip_address"] is is_ip_address
