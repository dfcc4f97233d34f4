from __future__ import annotations

import bcrypt
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.web_config import FilterModule

FILTERS = FilterModule().filters()


def test_filter_module_maps_the_web_config_filters() -> None:
    assert sorted(FILTERS) == ["web_config", "web_config_problems"]


def test_web_config_filter_builds_the_config() -> None:
    web_config = FILTERS["web_config"](
        {"cert_file": "/c", "key_file": "/k", "users": {"ops": "s3cret"}},
        variable="prometheus",
    )
    assert web_config["tls_server_config"]["cert_file"] == "/c"
    assert bcrypt.checkpw(b"s3cret", web_config["basic_auth_users"]["ops"].encode())


def test_web_config_filter_reuses_an_existing_hash() -> None:
    existing = FILTERS["web_config"]({"users": {"ops": "s3cret"}})["basic_auth_users"]
    again = FILTERS["web_config"]({"users": {"ops": "s3cret"}}, existing=existing)
    assert again == {"basic_auth_users": existing}


def test_web_config_filter_raises_filter_error_naming_itself_and_the_variable() -> None:
    with pytest.raises(AnsibleFilterError) as caught:
        FILTERS["web_config"]({"users": {"ops": ""}}, variable="alertmanager")
    assert str(caught.value) == (
        "web_config: alertmanager_basic_auth_users: user 'ops' has an empty password; give a"
        " password or a bcrypt hash"
    )


def test_web_config_problems_filter_returns_the_problems() -> None:
    problems = FILTERS["web_config_problems"]({"basic_auth_users": {"ops": "x"}}, "alertmanager")
    assert len(problems) == 1
    assert problems[0].startswith("alertmanager_web_config.basic_auth_users['ops']")


def test_web_config_problems_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^web_config_problems: variable must be"):
        FILTERS["web_config_problems"]({}, "")
