from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.alertmanager_config import (
    AlertmanagerConfigError,
    alertmanager_config_problems,
    alertmanager_with_heartbeat,
    heartbeat_problems,
    is_builtin_template,
)

SLACK_TEXT = '{{ template "team.slack.text" . }}'
TEAM_TEMPLATES = '{{ define "team.slack.text" }}{{ .CommonLabels.alertname }}{{ end }}'


def config(route: dict[str, Any] | None = None, receivers: list[Any] | None = None) -> dict:
    return {
        "route": route if route is not None else {"receiver": "oncall"},
        "receivers": receivers if receivers is not None else [{"name": "oncall"}],
    }


def test_a_consistent_config_has_no_problems() -> None:
    nested = config(
        {"receiver": "oncall", "routes": [{"receiver": "pager", "routes": [{"matchers": []}]}]},
        [{"name": "oncall"}, {"name": "pager"}],
    )
    assert alertmanager_config_problems(nested) == []


def test_an_undefined_root_receiver_is_named_with_the_fix() -> None:
    [problem] = alertmanager_config_problems(config({"receiver": "nosuch"}))
    assert problem == (
        "alertmanager_config.route.receiver is 'nosuch', which alertmanager_config.receivers"
        " does not define: add a receiver of that name, or route to one of ['oncall']."
    )


def test_an_undefined_receiver_in_a_nested_route_is_found_by_its_path() -> None:
    tree = {
        "receiver": "oncall",
        "routes": [{"receiver": "oncall"}, {"routes": [{"receiver": "x"}]}],
    }
    [problem] = alertmanager_config_problems(config(tree))
    assert problem.startswith("alertmanager_config.route.routes[1].routes[0].receiver is 'x'")


@pytest.mark.parametrize("route", [{}, {"group_by": ["alertname"]}, None])
def test_a_root_route_without_receiver_is_a_problem(route: Any) -> None:
    problems = alertmanager_config_problems({"route": route, "receivers": [{"name": "a"}]})
    assert problems == [
        "alertmanager_config.route.receiver is missing: the root route must name the receiver"
        " that gets every alert no child route takes."
    ]


def test_a_receiver_defined_twice_is_a_problem() -> None:
    problems = alertmanager_config_problems(config(receivers=[{"name": "oncall"}] * 2))
    assert problems == [
        "alertmanager_config.receivers defines 'oncall' more than once: give each receiver"
        " its own name."
    ]


def test_an_unknown_template_is_named_with_its_receiver() -> None:
    receivers = [{"name": "oncall", "slack_configs": [{"text": SLACK_TEXT}]}]
    [problem] = alertmanager_config_problems(config(receivers=receivers))
    assert problem.startswith(
        "receiver 'oncall' in alertmanager_config uses the template 'team.slack.text', which no"
        " file in alertmanager_template_files defines"
    )
    assert '{{ define "team.slack.text" }}' in problem


def test_a_template_defined_in_a_template_file_is_fine() -> None:
    receivers = [
        {
            "name": "oncall",
            "slack_configs": [
                {"text": SLACK_TEXT, "title": "{{- template `team.slack.text` . -}}"}
            ],
        }
    ]
    assert alertmanager_config_problems(config(receivers=receivers), [TEAM_TEMPLATES]) == []


def test_a_template_defined_with_trim_markers_and_raw_quotes_counts() -> None:
    receivers = [{"name": "oncall", "email_configs": [{"html": '{{ template "mail" . }}'}]}]
    assert (
        alertmanager_config_problems(
            config(receivers=receivers), ["{{- define `mail` -}}x{{ end }}"]
        )
        == []
    )


@pytest.mark.parametrize(
    "name",
    [
        "__subject",
        "__text_alert_list",
        "slack.default.title",
        "email.default.html",
        "msteams.default.text",
    ],
)
def test_builtin_templates_count_as_defined(name: str) -> None:
    assert is_builtin_template(name)
    receivers = [{"name": "oncall", "slack_configs": [{"text": f'{{{{ template "{name}" . }}}}'}]}]
    assert alertmanager_config_problems(config(receivers=receivers)) == []


@pytest.mark.parametrize("name", ["slack.title", "team.default", "default.slack.title", "_x"])
def test_other_names_are_not_builtin(name: str) -> None:
    assert not is_builtin_template(name)


def test_non_mapping_receivers_and_routes_are_skipped_not_crashed_on() -> None:
    odd = {"route": {"receiver": "a", "routes": ["junk"]}, "receivers": [{"name": "a"}, "junk"]}
    assert alertmanager_config_problems(odd) == []


def test_a_receiver_without_name_is_named_by_its_index_with_its_keys() -> None:
    typo = config(
        {"receiver": "oncall", "routes": [{"receiver": "team-b"}]},
        [{"name": "oncall"}, {"nmae": "team-b", "webhook_configs": []}],
    )

    assert alertmanager_config_problems(typo) == [
        "alertmanager_config.receivers[1] has no name (its keys: nmae, webhook_configs):"
        " give every receiver a name, which routes refer to.",
        "alertmanager_config.route.routes[0].receiver is 'team-b', which"
        " alertmanager_config.receivers does not define: add a receiver of that name,"
        " or route to one of ['oncall'].",
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (["team-b"], "a list"),
        ({"team": "b"}, "a mapping"),
        (5, "a number"),
        (True, "a boolean"),
        (datetime.date(2024, 5, 1), "a date"),
    ],
)
def test_a_receiver_name_that_is_not_a_string_is_a_problem(name: Any, kind: str) -> None:
    odd = config(receivers=[{"name": "oncall"}, {"name": name}, {"name": name}])

    assert alertmanager_config_problems(odd) == [
        f"alertmanager_config.receivers[{index}].name is {kind}, not a string: give every"
        " receiver a name, which routes refer to."
        for index in (1, 2)
    ]


@pytest.mark.parametrize(
    ("receiver", "kind"),
    [(["oncall"], "a list"), ({"name": "oncall"}, "a mapping"), (5, "a number")],
)
def test_a_route_receiver_that_is_not_a_string_is_a_problem(receiver: Any, kind: str) -> None:
    odd = config({"receiver": "oncall", "routes": [{"receiver": receiver}]})

    assert alertmanager_config_problems(odd) == [
        f"alertmanager_config.route.routes[0].receiver is {kind}, not the name of a receiver:"
        " route to one of ['oncall']."
    ]


@pytest.mark.parametrize(
    ("odd", "problem"),
    [
        (
            {"route": {"receiver": "a"}, "receivers": 5},
            "alertmanager_config.receivers is a number, not a list of receivers.",
        ),
        (
            {"route": {"receiver": "a"}, "receivers": {"name": "a"}},
            "alertmanager_config.receivers is a mapping, not a list of receivers.",
        ),
        (
            {"route": {"receiver": "a", "routes": 5}, "receivers": [{"name": "a"}]},
            "alertmanager_config.route.routes is a number, not a list of routes.",
        ),
        (
            {
                "route": {"receiver": "a", "routes": [{"routes": {"receiver": "a"}}]},
                "receivers": [{"name": "a"}],
            },
            "alertmanager_config.route.routes[0].routes is a mapping, not a list of routes.",
        ),
    ],
)
def test_receivers_or_routes_that_are_not_lists_are_a_problem(
    odd: dict[str, Any], problem: str
) -> None:
    assert problem in alertmanager_config_problems(odd)


def test_a_template_problem_of_a_receiver_without_name_names_its_index() -> None:
    receivers = [{"name": "oncall"}, {"slack_configs": [{"text": SLACK_TEXT}]}]

    problems = alertmanager_config_problems(config(receivers=receivers))

    assert problems[1].startswith(
        "alertmanager_config.receivers[1] uses the template 'team.slack.text'"
    )


def test_a_config_that_is_not_a_mapping_is_not_echoed() -> None:
    text = "global:\n  smtp_auth_password: hunter2\nroute:\n  receiver: oncall\n"

    with pytest.raises(AlertmanagerConfigError) as raised:
        alertmanager_config_problems(text)

    assert "hunter2" not in str(raised.value)
    assert str(raised.value) == (
        "alertmanager_config must be a mapping with route and receivers, got a string"
        " (YAML text? give the parsed mapping, for example with from_yaml)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((["route"],), "alertmanager_config must be a mapping"),
        (({"route": {"receiver": "a"}}, [1]), "template texts must be strings"),
    ],
)
def test_bad_input_raises(arguments: tuple, message: str) -> None:
    with pytest.raises(AlertmanagerConfigError, match=message):
        alertmanager_config_problems(*arguments)


HEARTBEAT_URL = "https://hc-ping.com/0f8fad5b-d9cb-469f-a165-70867728950e"
HEARTBEAT_ROUTE = {
    "receiver": "alertmesh-heartbeat",
    "matchers": ['alertname="AlertmeshWatchdog"'],
    "group_by": ["alertname"],
    "group_wait": "0s",
    "group_interval": "10s",
    "repeat_interval": "1m",
    "continue": False,
}
HEARTBEAT_RECEIVER = {
    "name": "alertmesh-heartbeat",
    "webhook_configs": [{"url": HEARTBEAT_URL, "send_resolved": False}],
}


def team_config() -> dict[str, Any]:
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": "oncall",
            "group_by": ["alertname"],
            "routes": [{"receiver": "team-b", "matchers": ['team="b"']}],
        },
        "receivers": [{"name": "oncall"}, {"name": "team-b"}],
        "inhibit_rules": [],
    }


@pytest.mark.parametrize("url", ["", None])
def test_without_a_heartbeat_url_the_config_is_returned_unchanged(url: str | None) -> None:
    original = team_config()

    assert alertmanager_with_heartbeat(original, url) is original
    assert original == team_config()


def test_the_heartbeat_route_goes_first_and_its_receiver_last() -> None:
    effective = alertmanager_with_heartbeat(team_config(), HEARTBEAT_URL)

    assert effective["route"]["routes"] == [
        HEARTBEAT_ROUTE,
        {"receiver": "team-b", "matchers": ['team="b"']},
    ]
    assert effective["receivers"] == [{"name": "oncall"}, {"name": "team-b"}, HEARTBEAT_RECEIVER]


def test_everything_else_of_the_config_is_kept_in_its_order() -> None:
    effective = alertmanager_with_heartbeat(team_config(), HEARTBEAT_URL)

    assert list(effective) == ["global", "route", "receivers", "inhibit_rules"]
    assert list(effective["route"]) == ["receiver", "group_by", "routes"]
    assert effective["global"] == {"resolve_timeout": "5m"}
    assert effective["route"]["receiver"] == "oncall"


def test_the_input_is_not_changed() -> None:
    original = team_config()
    before = copy.deepcopy(original)

    alertmanager_with_heartbeat(original, HEARTBEAT_URL, "5m", "Watchdog")

    assert original == before


def test_a_root_route_without_routes_gets_only_the_heartbeat_route() -> None:
    effective = alertmanager_with_heartbeat(config(), HEARTBEAT_URL)

    assert effective["route"] == {"receiver": "oncall", "routes": [HEARTBEAT_ROUTE]}


def test_the_interval_and_alertname_go_into_the_route() -> None:
    effective = alertmanager_with_heartbeat(config(), HEARTBEAT_URL, "30s", "Watchdog")

    [route] = effective["route"]["routes"]
    assert route["matchers"] == ['alertname="Watchdog"']
    assert (route["group_interval"], route["repeat_interval"]) == ("10s", "30s")


def test_an_alertname_with_quotes_is_escaped_in_the_matcher() -> None:
    effective = alertmanager_with_heartbeat(config(), HEARTBEAT_URL, "1m", 'Dead "man" \\ x')

    assert effective["route"]["routes"][0]["matchers"] == ['alertname="Dead \\"man\\" \\\\ x"']


def test_the_config_with_a_heartbeat_has_no_problems() -> None:
    effective = alertmanager_with_heartbeat(team_config(), HEARTBEAT_URL)

    assert heartbeat_problems(team_config(), HEARTBEAT_URL) == []
    assert alertmanager_config_problems(effective) == []


def test_problems_after_the_heartbeat_route_keep_the_index_of_alertmanager_config() -> None:
    user = config({"receiver": "oncall", "routes": [{"receiver": "oncall"}, {"receiver": "x"}]})

    [without] = alertmanager_config_problems(user)
    [with_heartbeat] = alertmanager_config_problems(
        alertmanager_with_heartbeat(user, HEARTBEAT_URL)
    )

    assert without.startswith("alertmanager_config.route.routes[1].receiver is 'x'")
    assert with_heartbeat == without


def test_a_route_of_the_users_own_to_a_heartbeat_receiver_is_checked_as_theirs() -> None:
    user = config(
        {"receiver": "oncall", "routes": [{"receiver": "alertmesh-heartbeat"}, {"receiver": "x"}]}
    )

    problems = alertmanager_config_problems(user)

    assert [problem.split(" is ")[0] for problem in problems] == [
        "alertmanager_config.route.routes[0].receiver",
        "alertmanager_config.route.routes[1].receiver",
    ]


def test_without_a_heartbeat_url_no_heartbeat_setting_is_checked() -> None:
    clash = config(receivers=[{"name": "oncall"}, {"name": "alertmesh-heartbeat"}])

    assert heartbeat_problems(clash, "", "banana", "") == []


def test_a_receiver_of_the_heartbeats_name_is_a_problem() -> None:
    clash = config(receivers=[{"name": "oncall"}, {"name": "alertmesh-heartbeat"}])

    assert heartbeat_problems(clash, HEARTBEAT_URL) == [
        "alertmanager_config.receivers already defines 'alertmesh-heartbeat', the receiver the"
        " role adds for alertmanager_heartbeat_url: rename yours, or leave"
        " alertmanager_heartbeat_url empty."
    ]
    with pytest.raises(AlertmanagerConfigError, match="already defines 'alertmesh-heartbeat'"):
        alertmanager_with_heartbeat(clash, HEARTBEAT_URL)


def test_a_route_of_the_config_to_the_heartbeat_receiver_is_a_problem() -> None:
    user = config(
        {"receiver": "oncall", "routes": [{"routes": [{"receiver": "alertmesh-heartbeat"}]}]}
    )

    assert heartbeat_problems(user, HEARTBEAT_URL) == [
        "alertmanager_config.route.routes[0].routes[0].receiver is 'alertmesh-heartbeat', the"
        " receiver the role adds for alertmanager_heartbeat_url, which gets the heartbeat only:"
        " route to a receiver of your own."
    ]


@pytest.mark.parametrize(
    ("odd", "start"),
    [
        (
            {"route": "oncall", "receivers": []},
            "alertmanager_config.route is a string, not a route",
        ),
        (
            {"route": {"receiver": "a", "routes": {"receiver": "a"}}, "receivers": []},
            "alertmanager_config.route.routes is a mapping, not a list of routes",
        ),
        (
            {"route": {"receiver": "a"}, "receivers": {"name": "a"}},
            "alertmanager_config.receivers is a mapping, not a list of receivers",
        ),
    ],
)
def test_a_config_the_heartbeat_cannot_go_into_is_a_problem(odd: dict, start: str) -> None:
    [problem] = heartbeat_problems(odd, HEARTBEAT_URL)

    assert problem.startswith(start)
    assert "alertmanager_heartbeat_url" in problem
    with pytest.raises(AlertmanagerConfigError, match=r"^alertmanager_config\."):
        alertmanager_with_heartbeat(odd, HEARTBEAT_URL)


def test_a_config_without_route_and_receivers_gets_both() -> None:
    effective = alertmanager_with_heartbeat({}, HEARTBEAT_URL)

    assert effective == {"route": {"routes": [HEARTBEAT_ROUTE]}, "receivers": [HEARTBEAT_RECEIVER]}


@pytest.mark.parametrize(
    ("url", "fault"),
    [
        ("hc-ping.com/0f8fad5b-secret", "does not start with http:// or https://"),
        ("ftp://hc-ping.com/0f8fad5b-secret", "does not start with http:// or https://"),
        ("https:///0f8fad5b-secret", "names no host"),
        ("https://hc-ping.com/0f8fad5b-secret now", "holds white space or a control character"),
        ("https://hc-ping.com:port/0f8fad5b-secret", "is not a valid URL"),
        ("https://[hc-ping.com/0f8fad5b-secret", "is not a valid URL"),
        (42, "is a number, not a URL"),
        (["https://hc-ping.com/0f8fad5b-secret"], "is a list, not a URL"),
    ],
)
def test_a_url_that_is_not_http_is_a_problem_that_does_not_show_it(url: Any, fault: str) -> None:
    [problem] = heartbeat_problems(config(), url)

    assert problem == (
        f"alertmanager_heartbeat_url {fault}: give the webhook URL of the heartbeat receiver"
        " (http:// or https://), for example https://hc-ping.com/<uuid>, or leave it empty to"
        " send no heartbeat."
    )
    assert "0f8fad5b" not in problem


@pytest.mark.parametrize(
    "url", ["http://receiver:9099/hook", "HTTPS://hc-ping.com/x", "https://[::1]:8443/ping"]
)
def test_http_and_https_urls_are_fine(url: str) -> None:
    assert heartbeat_problems(config(), url) == []


@pytest.mark.parametrize("interval", ["1m", "30s", "1h30m", "1y2w3d4h5m6s7ms", "500ms", "90s"])
def test_durations_are_fine(interval: str) -> None:
    assert heartbeat_problems(config(), HEARTBEAT_URL, interval) == []


@pytest.mark.parametrize(
    ("interval", "problem"),
    [
        ("5 minutes", "is '5 minutes', not a duration: use a duration like 1m"),
        ("1m30h", "is '1m30h', not a duration"),
        ("1.5m", "is '1.5m', not a duration"),
        ("-1m", "is '-1m', not a duration"),
        ("", "is empty: use a duration like 1m"),
        (60, "is a number, not a duration"),
        ("0s", "is '0s', which is zero, and Alertmanager refuses a zero repeat_interval"),
        ("0", "is '0', which is zero"),
        ("0h0m", "is '0h0m', which is zero"),
    ],
)
def test_a_repeat_interval_that_is_no_positive_duration_is_a_problem(
    interval: Any, problem: str
) -> None:
    [found] = heartbeat_problems(config(), HEARTBEAT_URL, interval)

    assert found.startswith(f"alertmanager_heartbeat_repeat_interval {problem}")


@pytest.mark.parametrize(("alertname", "seen"), [("", "''"), (None, "a NoneType"), (5, "a number")])
def test_an_empty_alertname_is_a_problem(alertname: Any, seen: str) -> None:
    [problem] = heartbeat_problems(config(), HEARTBEAT_URL, "1m", alertname)

    assert problem.startswith(f"alertmanager_heartbeat_alertname is {seen}, not an alert name")


def test_every_heartbeat_problem_is_reported_at_once() -> None:
    clash = config(receivers=[{"name": "oncall"}, {"name": "alertmesh-heartbeat"}])

    problems = heartbeat_problems(clash, "hc-ping.com/x", "0s", "")

    assert [problem.split(" ")[0] for problem in problems] == [
        "alertmanager_config.receivers",
        "alertmanager_heartbeat_url",
        "alertmanager_heartbeat_repeat_interval",
        "alertmanager_heartbeat_alertname",
    ]


@pytest.mark.parametrize("function", [alertmanager_with_heartbeat, heartbeat_problems])
@pytest.mark.parametrize("url", [HEARTBEAT_URL, ""])
def test_a_non_mapping_config_is_named_and_not_echoed(function: Any, url: str) -> None:
    text = "global:\n  smtp_auth_password: hunter2\nroute:\n  receiver: oncall\n"

    with pytest.raises(AlertmanagerConfigError) as raised:
        function(text, url)

    assert "hunter2" not in str(raised.value)
    assert str(raised.value) == (
        "alertmanager_config must be a mapping with route and receivers, got a string"
        " (YAML text? give the parsed mapping, for example with from_yaml)"
    )
