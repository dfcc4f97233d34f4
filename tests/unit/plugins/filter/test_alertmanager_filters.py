from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.alertmanager import FilterModule


def test_filter_module_maps_the_config_problems_filter() -> None:
    assert sorted(FilterModule().filters()) == ["alertmanager_config_problems"]


def test_filter_returns_the_problems() -> None:
    problems = FilterModule().filters()["alertmanager_config_problems"](
        {"route": {"receiver": "x"}, "receivers": []}
    )
    assert len(problems) == 1
    assert "'x'" in problems[0]


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^alertmanager_config_problems: "):
        FilterModule().filters()["alertmanager_config_problems"]("not a config")


def test_filter_error_does_not_echo_the_config() -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        FilterModule().filters()["alertmanager_config_problems"]("smtp_auth_password: hunter2")

    assert "hunter2" not in str(raised.value)


def test_filter_reports_a_receiver_without_name_instead_of_crashing() -> None:
    problems = FilterModule().filters()["alertmanager_config_problems"](
        {"route": {"receiver": "team-b"}, "receivers": [{"nmae": "team-b"}]}
    )

    assert problems[0].startswith("alertmanager_config.receivers[0] has no name (its keys: nmae)")
