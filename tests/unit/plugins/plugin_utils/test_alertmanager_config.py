from __future__ import annotations

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
