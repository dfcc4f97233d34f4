"""Tests for the alert relabel rules that let HA replicas' alerts deduplicate."""

from __future__ import annotations

from typing import Any

import pytest
from bounded_run import run_in_subprocess

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    RelabelConfigError,
    RelabelError,
    relabel,
)
from ansible_collections.alertmesh.ha.plugins.plugin_utils.replica_dedup import (
    SAMPLE_ALERT_LABELS,
    alert_dedup_report,
    replica_relabel_configs,
)

ARTICLE_RULE = {"source_labels": ["dc"], "regex": r"(.+)\d+", "target_label": "dc"}
MULTI_DIGIT_RULE = {"source_labels": ["dc"], "regex": r"(.+?)\d+", "target_label": "dc"}


# replica_relabel_configs


def test_the_article_example() -> None:
    replicas = {"prom1": {"dc": "europe1"}, "prom2": {"dc": "europe2"}}
    rules = replica_relabel_configs(replicas)
    assert rules == [ARTICLE_RULE]
    assert [relabel(labels, rules) for labels in replicas.values()] == [{"dc": "europe"}] * 2


def test_multi_digit_suffixes_use_the_lazy_regex() -> None:
    replicas = {"p1": {"dc": "europe9"}, "p2": {"dc": "europe10"}, "p3": {"dc": "europe12"}}
    rules = replica_relabel_configs(replicas)
    assert rules == [MULTI_DIGIT_RULE]
    assert [relabel(labels, rules) for labels in replicas.values()] == [{"dc": "europe"}] * 3
    # The article's greedy regex would leave europe1 and europe1 and europe9.
    greedy = [relabel(labels, [ARTICLE_RULE])["dc"] for labels in replicas.values()]
    assert greedy == ["europe", "europe1", "europe1"]


@pytest.mark.parametrize(
    ("values", "regex", "prefix"),
    [
        (["europe1", "europe2"], r"(.+)\d+", "europe"),
        (["eu1rope1", "eu1rope2"], r"(.+)\d+", "eu1rope"),
        (["node01", "node02"], r"(.+?)\d+", "node"),
        (["node1", "node02", "node003"], r"(.+?)\d+", "node"),
        (["a1", "a2", "a3", "a4"], r"(.+)\d+", "a"),
        (["rack-7x-0", "rack-7x-99"], r"(.+?)\d+", "rack-7x-"),
    ],
)
def test_trailing_number_rules_map_every_replica_to_the_prefix(
    values: list[str], regex: str, prefix: str
) -> None:
    replicas = {f"prom{index}": {"dc": value} for index, value in enumerate(values)}
    rules = replica_relabel_configs(replicas)
    assert rules == [{"source_labels": ["dc"], "regex": regex, "target_label": "dc"}]
    assert {relabel(labels, rules)["dc"] for labels in replicas.values()} == {prefix}


@pytest.mark.parametrize(
    "values",
    [
        ["europe", "asia"],  # no trailing number
        ["europe1", "asia2"],  # different prefixes
        ["europe", "europe2"],  # one value has no number
        ["1", "2"],  # no prefix
    ],
)
def test_other_differences_drop_the_label(values: list[str]) -> None:
    replicas = {f"prom{index}": {"dc": value} for index, value in enumerate(values)}
    assert replica_relabel_configs(replicas) == [{"action": "labeldrop", "regex": "dc"}]


def test_rules_are_sorted_minimal_and_cover_partial_labels() -> None:
    replicas = {
        "prom2": {"cluster": "eu", "dc": "europe2", "replica": "b"},
        "prom1": {"cluster": "eu", "dc": "europe1", "replica": "a", "zone": "z1", "empty": ""},
    }
    assert replica_relabel_configs(replicas) == [
        ARTICLE_RULE,
        {"action": "labeldrop", "regex": "replica"},
        {"action": "labeldrop", "regex": "zone"},
    ]


@pytest.mark.parametrize(
    "replicas",
    [
        {},
        {"prom1": {"dc": "europe1", "replica": "a"}},
        {"prom1": {"cluster": "eu", "replica": 1}, "prom2": {"cluster": "eu", "replica": "1"}},
    ],
)
def test_no_rules_when_nothing_differs(replicas: dict[str, Any]) -> None:
    assert replica_relabel_configs(replicas) == []


def test_a_newline_in_the_prefix_falls_back_to_labeldrop_in_prometheus_2() -> None:
    replicas = {"prom1": {"dc": "eu\nrope1"}, "prom2": {"dc": "eu\nrope2"}}
    assert replica_relabel_configs(replicas, prometheus_version=2) == [
        {"action": "labeldrop", "regex": "dc"}
    ]
    assert replica_relabel_configs(replicas, prometheus_version=3) == [ARTICLE_RULE]


def test_prometheus_3_label_names_are_escaped_for_labeldrop() -> None:
    replicas = {"prom1": {"data.center": "a"}, "prom2": {"data.center": "b", "rack(1)": "x"}}
    rules = replica_relabel_configs(replicas, prometheus_version=3)
    assert rules == [
        {"action": "labeldrop", "regex": r"data\.center"},
        {"action": "labeldrop", "regex": r"rack\(1\)"},
    ]
    assert relabel({"data_center": "a", "data.center": "a"}, rules, 3) == {"data_center": "a"}


def test_prometheus_3_trailing_number_rule_for_a_utf8_label_name() -> None:
    replicas = {"prom1": {"data.center": "dc1"}, "prom2": {"data.center": "dc2"}}
    rule = {"source_labels": ["data.center"], "regex": r"(.+)\d+", "target_label": "data.center"}
    assert replica_relabel_configs(replicas, prometheus_version=3) == [rule]


@pytest.mark.parametrize(
    ("replicas", "message"),
    [
        ([{"dc": "europe1"}], "the input must be a mapping of Prometheus replica names"),
        (
            {"prom1": {"dc": "e1"}, "prom2": ["dc"]},
            "the external labels of replica 'prom2' must be",
        ),
        ({"prom1": {"data-center": "e1"}}, "replica 'prom1' has the label name 'data-center'"),
        ({"prom1": {"dc": {"x": 1}}}, "replica 'prom1' has label 'dc'"),
        ({1: {"dc": "e1"}}, "replica name 1 is not a string"),
    ],
)
def test_bad_replica_input(replicas: Any, message: str) -> None:
    with pytest.raises(RelabelError) as raised:
        replica_relabel_configs(replicas)
    assert message in str(raised.value)


def test_label_names_are_checked_for_the_prometheus_version() -> None:
    with pytest.raises(RelabelError, match=r"which Prometheus 2 does not accept \(it must match"):
        replica_relabel_configs({"prom1": {"data.center": "a"}})
    assert replica_relabel_configs({"prom1": {"data.center": "a"}}, prometheus_version=3) == []


# alert_dedup_report


ARTICLE_REPLICAS = {"prom1": {"dc": "europe1"}, "prom2": {"dc": "europe2"}}


def test_the_article_rule_deduplicates() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [ARTICLE_RULE])
    alert = {"alertname": "AlertmeshWatchdog", "dc": "europe", "severity": "none"}
    assert report == {
        "deduplicates": True,
        "labels": {"prom1": alert, "prom2": alert},
        "differing": {},
        "dropped": [],
        "distinct_external_labels": True,
        "suggested_rules": [],
        "undecided": "",
        "message": "",
    }


# The outside differential test's false "deduplicates": since 2.53 the notifier adds the
# external labels after the alert's own, and labelmap visits them last, so m_x comes from
# a_x, which differs by replica.
LABELMAP_REPLICAS = {
    "prom1": {"a_x": "ext1", "replica": "1"},
    "prom2": {"a_x": "ext2", "replica": "2"},
}
LABELMAP_ALERT = {"alertname": "A", "z_x": "alert"}
LABELMAP_RULES = [
    {"action": "labelmap", "regex": "[az]_(x)", "replacement": "m_$1"},
    {"action": "labeldrop", "regex": "replica|a_x"},
]


@pytest.mark.parametrize("release", ["2.53.3", "3.5.3", "3"])
def test_external_labels_visited_last_by_labelmap_do_not_deduplicate(release: str) -> None:
    report = alert_dedup_report(LABELMAP_REPLICAS, LABELMAP_RULES, LABELMAP_ALERT, release)

    assert report["deduplicates"] is False
    assert report["undecided"] == ""
    assert report["differing"] == {"m_x": {"prom1": "ext1", "prom2": "ext2"}}


def test_external_labels_sorted_in_by_2_42_deduplicate() -> None:
    report = alert_dedup_report(LABELMAP_REPLICAS, LABELMAP_RULES, LABELMAP_ALERT, "2.42.0")

    assert report["deduplicates"] is True
    assert report["labels"]["prom1"] == {"alertname": "A", "m_x": "alert", "z_x": "alert"}


@pytest.mark.parametrize("release", ["2", "2.45.0"])
def test_a_release_that_may_behave_either_way_cannot_prove_deduplication(release: str) -> None:
    report = alert_dedup_report(LABELMAP_REPLICAS, LABELMAP_RULES, LABELMAP_ALERT, release)

    assert report["deduplicates"] is False
    assert report["undecided"].startswith(f"Cannot prove it for Prometheus {release}:")
    assert "external labels sorted in" in report["undecided"]
    assert report["message"].startswith(report["undecided"])
    assert report["differing"] == {"m_x": {"prom1": "ext1", "prom2": "ext2"}}


def test_without_rules_the_report_explains_and_proposes_the_fix() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [])
    assert report["deduplicates"] is False
    assert report["differing"] == {"dc": {"prom1": "europe1", "prom2": "europe2"}}
    assert report["suggested_rules"] == [ARTICLE_RULE]
    assert report["message"] == "\n".join(
        [
            "Alertmanager cannot deduplicate the alerts of these Prometheus replicas: the sample"
            " alert {alertname: AlertmeshWatchdog, severity: none} does not leave them identical.",
            "After external labels and alert_relabel_configs, these labels differ:",
            "  dc: prom1=europe1, prom2=europe2",
            "Append these rules to alert_relabel_configs to make them identical:",
            r"  - {source_labels: [dc], regex: '(.+)\d+', target_label: dc}",
        ]
    )


def test_partial_labels_are_reported_as_absent() -> None:
    replicas = {"prom1": {"replica": "a"}, "prom2": {}}
    report = alert_dedup_report(replicas, [])
    assert report["differing"] == {"replica": {"prom1": "a", "prom2": None}}
    assert "  replica: prom1=a, prom2=(absent)" in report["message"].splitlines()
    assert "  - {action: labeldrop, regex: replica}" in report["message"].splitlines()


@pytest.mark.parametrize(
    "replicas",
    [
        ARTICLE_REPLICAS,
        {"a": {"dc": "europe9", "replica": "a"}, "b": {"dc": "europe10", "replica": "b"}},
        {"a": {"dc": "europe", "zone": "z1"}, "b": {"dc": "asia"}, "c": {"dc": "asia", "x": "1"}},
    ],
)
def test_appending_the_suggested_rules_makes_the_alerts_deduplicate(
    replicas: dict[str, Any],
) -> None:
    configs = [{"source_labels": ["severity"], "target_label": "copied_severity"}]
    report = alert_dedup_report(replicas, configs)
    assert report["deduplicates"] is False
    assert alert_dedup_report(replicas, configs + report["suggested_rules"])["deduplicates"]


def test_suggestions_are_computed_after_the_existing_rules() -> None:
    replicas = {
        "prom1": {"dc": "europe1", "replica": "a"},
        "prom2": {"dc": "europe2", "replica": "b"},
    }
    report = alert_dedup_report(replicas, [{"action": "labeldrop", "regex": "replica"}])
    assert report["suggested_rules"] == [ARTICLE_RULE]


def test_external_labels_never_override_the_alerts_own_labels() -> None:
    report = alert_dedup_report(
        ARTICLE_REPLICAS, [], alert_labels={"alertname": "DiskFull", "dc": "asia"}
    )
    assert report["deduplicates"] is True
    assert report["labels"]["prom1"] == {"alertname": "DiskFull", "dc": "asia"}


def test_an_empty_alert_label_is_filled_by_the_external_label() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [], alert_labels={"alertname": "X", "dc": ""})
    assert report["labels"]["prom2"] == {"alertname": "X", "dc": "europe2"}


def test_the_default_sample_alert() -> None:
    report = alert_dedup_report({"prom1": {}}, [])
    assert report["labels"]["prom1"] == dict(SAMPLE_ALERT_LABELS)
    assert report["deduplicates"] is True


def test_dropped_alerts_are_reported() -> None:
    drop_on_b = {"source_labels": ["replica"], "regex": "b", "action": "drop"}
    replicas = {"prom1": {"replica": "a"}, "prom2": {"replica": "b"}}
    report = alert_dedup_report(replicas, [drop_on_b, {"action": "labeldrop", "regex": "replica"}])
    assert report["deduplicates"] is False
    assert report["dropped"] == ["prom2"]
    assert report["labels"]["prom2"] is None
    assert report["differing"] == {}
    assert report["suggested_rules"] == []
    assert "alert_relabel_configs drop it on prom2, so Alertmanager never" in report["message"]


def test_an_alert_dropped_everywhere_does_not_deduplicate() -> None:
    drop_all = {"source_labels": ["alertname"], "regex": ".+", "action": "drop"}
    report = alert_dedup_report(ARTICLE_REPLICAS, [drop_all])
    assert report["deduplicates"] is False
    assert report["dropped"] == ["prom1", "prom2"]
    assert "drop it on prom1, prom2" in report["message"]


def test_identical_external_labels_are_not_distinct() -> None:
    replicas = {"prom1": {"dc": "eu", "env": "prod"}, "prom2": {"env": "prod", "dc": "eu"}}
    report = alert_dedup_report(replicas, [])
    assert report["deduplicates"] is True
    assert report["distinct_external_labels"] is False
    assert alert_dedup_report(ARTICLE_REPLICAS, [])["distinct_external_labels"] is True


def test_suggestions_for_label_names_only_labelmap_can_write() -> None:
    replicas = {"prom1": {"x_1a": "e1"}, "prom2": {"x_1a": "e2"}}
    labelmap = [{"regex": "x_(.*)", "action": "labelmap"}]
    report = alert_dedup_report(replicas, labelmap)
    # "1a" is no valid Prometheus 2 target_label, so that label is dropped instead.
    assert report["suggested_rules"] == [
        {"action": "labeldrop", "regex": "1a"},
        {"source_labels": ["x_1a"], "regex": r"(.+)\d+", "target_label": "x_1a"},
    ]
    assert alert_dedup_report(replicas, labelmap + report["suggested_rules"])["deduplicates"]


def test_report_rejects_bad_rules_naming_them() -> None:
    with pytest.raises(RelabelConfigError) as raised:
        alert_dedup_report(ARTICLE_REPLICAS, [{"action": "shuffle"}])
    assert str(raised.value) == 'configs[0] {action: shuffle}: unknown relabel action "shuffle"'


def test_a_rule_prometheus_evaluates_instantly_does_not_hang_the_report() -> None:
    # Issue 16 item 7: with a backtracking regex engine this took 7.5 s for a 25-character
    # value and 90 s for 29 characters, doubling with each character. RE2 is linear.
    code = (
        "from ansible_collections.alertmesh.ha.plugins.plugin_utils.replica_dedup import"
        " alert_dedup_report\n"
        "rule = {'source_labels': ['dc'], 'regex': '([a-z]+)+-replica', 'action': 'drop'}\n"
        "replicas = {'prom1': {'dc': 'europe' + 'x' * 60 + '1'}, 'prom2': {'dc': 'europe2'}}\n"
        "print(alert_dedup_report(replicas, [rule])['suggested_rules'])\n"
    )
    output = run_in_subprocess(code)
    assert output.strip() == "[{'action': 'labeldrop', 'regex': 'dc'}]"
