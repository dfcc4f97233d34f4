from __future__ import annotations

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.rules import (
    RuleFileError,
    rule_name_clashes,
)

OWN = {
    "prometheus_watchdog_rule": (
        "groups:\n  - name: alertmesh\n    rules:\n      - alert: AlertmeshWatchdog\n"
        "        expr: vector(1)\n"
    ),
    "prometheus_self_monitoring_rules": [
        {
            "name": "alertmesh-self-monitoring",
            "rules": [{"alert": "AlertmeshPrometheusDown", "expr": "up == 0"}],
        }
    ],
}


def group(name: str, *alerts: str) -> dict:
    return {"name": name, "rules": [{"alert": alert, "expr": "vector(1)"} for alert in alerts]}


def test_distinct_names_are_no_problem() -> None:
    user = {"prometheus_alerting_rules": [group("mine", "DiskFull")]}

    assert rule_name_clashes(OWN, user) == []


def test_an_alert_name_of_the_role_is_named_with_its_source_and_switch() -> None:
    user = {"prometheus_alerting_rules": [group("mine", "AlertmeshPrometheusDown")]}

    assert rule_name_clashes(OWN, user) == [
        "prometheus_alerting_rules defines the alert 'AlertmeshPrometheusDown', which the"
        " role's own rules define too: rename yours, or set prometheus_self_monitoring_rules:"
        " false to leave the role's out."
    ]


def test_a_group_name_of_the_role_in_a_user_file_is_a_problem() -> None:
    user = {"prometheus_rule_files: site.yml": "groups:\n  - name: alertmesh\n    rules: []\n"}

    problems = rule_name_clashes(OWN, user)

    assert len(problems) == 1
    assert problems[0].startswith("prometheus_rule_files: site.yml defines the group 'alertmesh'")
    assert "prometheus_watchdog_rule: false" in problems[0]


def test_a_name_repeated_in_the_user_rules_is_reported_once() -> None:
    user = {"inline": [group("a", "AlertmeshWatchdog"), group("b", "AlertmeshWatchdog")]}

    assert len(rule_name_clashes(OWN, user)) == 1


def test_a_switched_off_file_reserves_no_names() -> None:
    user = {"inline": [group("alertmesh", "AlertmeshWatchdog")]}

    assert rule_name_clashes({}, user) == []


def test_an_empty_rule_file_has_no_names() -> None:
    assert rule_name_clashes(OWN, {"prometheus_rule_files: empty.yml": ""}) == []


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("groups: [", "is not YAML"),
        ("- a\n- b\n", "must be a mapping with a groups list"),
        ({"name": "not a list"}, "groups must be a list of mappings"),
        (["not a mapping"], "groups must be a list of mappings"),
    ],
)
def test_rules_that_prometheus_would_not_read_raise_naming_the_source(rules, message) -> None:
    with pytest.raises(RuleFileError, match=rf"^prometheus_rule_files: x.yml.*{message}"):
        rule_name_clashes(OWN, {"prometheus_rule_files: x.yml": rules})


def test_rules_without_names_are_skipped() -> None:
    user = {"inline": [{"rules": [{"record": "job:up:sum", "expr": "sum(up)"}, "junk"]}]}

    assert rule_name_clashes(OWN, user) == []
