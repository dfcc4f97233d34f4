from __future__ import annotations

import datetime
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.alertmanager_config import (
    AlertmanagerConfigError,
    alertmanager_config_problems,
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
