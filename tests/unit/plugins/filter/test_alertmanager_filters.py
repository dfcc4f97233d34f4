from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.alertmanager import FilterModule

HEARTBEAT_URL = "https://hc-ping.com/0f8fad5b-d9cb-469f-a165-70867728950e"
TEAM_CONFIG = {
    "route": {"receiver": "oncall", "routes": [{"receiver": "oncall", "matchers": ['team="b"']}]},
    "receivers": [{"name": "oncall"}],
}


def test_filter_module_maps_the_alertmanager_filters() -> None:
    assert sorted(FilterModule().filters()) == [
        "alertmanager_config_problems",
        "alertmanager_heartbeat_problems",
        "alertmanager_with_heartbeat",
    ]


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


def test_with_heartbeat_filter_puts_the_route_first() -> None:
    effective = FilterModule().filters()["alertmanager_with_heartbeat"](
        TEAM_CONFIG, HEARTBEAT_URL, "2m", "Watchdog"
    )

    assert [route["receiver"] for route in effective["route"]["routes"]] == [
        "alertmesh-heartbeat",
        "oncall",
    ]
    assert effective["route"]["routes"][0]["matchers"] == ['alertname="Watchdog"']
    assert effective["route"]["routes"][0]["repeat_interval"] == "2m"
    assert effective["receivers"][-1] == {
        "name": "alertmesh-heartbeat",
        "webhook_configs": [{"url": HEARTBEAT_URL, "send_resolved": False}],
    }
    assert len(TEAM_CONFIG["route"]["routes"]) == 1


def test_with_heartbeat_filter_defaults_to_a_minute_and_the_watchdog() -> None:
    effective = FilterModule().filters()["alertmanager_with_heartbeat"](TEAM_CONFIG, HEARTBEAT_URL)

    heartbeat_route = effective["route"]["routes"][0]
    assert heartbeat_route["matchers"] == ['alertname="AlertmeshWatchdog"']
    assert (heartbeat_route["group_interval"], heartbeat_route["repeat_interval"]) == ("10s", "1m")


def test_with_heartbeat_filter_returns_the_config_when_off() -> None:
    assert FilterModule().filters()["alertmanager_with_heartbeat"](TEAM_CONFIG, "") is TEAM_CONFIG


def test_heartbeat_problems_filter_returns_the_problems() -> None:
    problems = FilterModule().filters()["alertmanager_heartbeat_problems"](
        TEAM_CONFIG, "hc-ping.com/0f8fad5b", "1 minute"
    )

    assert [problem.split(" ")[0] for problem in problems] == [
        "alertmanager_heartbeat_url",
        "alertmanager_heartbeat_repeat_interval",
    ]
    assert not any("0f8fad5b" in problem for problem in problems)


@pytest.mark.parametrize("name", ["alertmanager_with_heartbeat", "alertmanager_heartbeat_problems"])
def test_heartbeat_filters_raise_filter_errors_naming_themselves(name: str) -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        FilterModule().filters()[name]("smtp_auth_password: hunter2", HEARTBEAT_URL)

    assert str(raised.value).startswith(
        f"{name}: alertmanager_config must be a mapping with route and receivers, got a string"
    )
    assert "hunter2" not in str(raised.value)


def test_with_heartbeat_filter_refuses_a_receiver_of_its_name() -> None:
    clash = {**TEAM_CONFIG, "receivers": [{"name": "oncall"}, {"name": "alertmesh-heartbeat"}]}

    with pytest.raises(
        AnsibleFilterError, match=r"^alertmanager_with_heartbeat: alertmanager_config.receivers"
    ):
        FilterModule().filters()["alertmanager_with_heartbeat"](clash, HEARTBEAT_URL)
