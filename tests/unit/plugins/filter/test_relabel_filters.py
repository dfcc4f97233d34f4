from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.relabel import FilterModule
from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    RelabelConfigError,
    RelabelError,
)

ARTICLE_RULE = {"source_labels": ["dc"], "regex": r"(.+)\d+", "target_label": "dc"}
REPLICAS = {"prom1": {"dc": "europe1"}, "prom2": {"dc": "europe2"}}


@pytest.fixture
def filters() -> dict[str, Callable[..., Any]]:
    return FilterModule().filters()


def test_filter_module_maps_exactly_the_relabel_filters(filters: dict) -> None:
    assert sorted(filters) == [
        "alert_dedup_report",
        "relabel",
        "relabel_config_problems",
        "replica_external_labels",
        "replica_relabel_configs",
    ]


def test_filters_keep_the_signatures_of_their_functions(filters: dict) -> None:
    assert list(inspect.signature(filters["alert_dedup_report"]).parameters) == [
        "replicas_labels",
        "configs",
        "alert_labels",
        "prometheus_version",
    ]


def test_relabel_filter(filters: dict) -> None:
    assert filters["relabel"]({"dc": "europe1", "replica": "a"}, [ARTICLE_RULE]) == {
        "dc": "europe",
        "replica": "a",
    }


def test_relabel_filter_returns_none_for_a_dropped_label_set(filters: dict) -> None:
    drop = {"source_labels": ["severity"], "regex": "none", "action": "drop"}
    assert filters["relabel"]({"severity": "none"}, [drop]) is None


def test_relabel_filter_takes_the_prometheus_version(filters: dict) -> None:
    rule = {"source_labels": ["dc"], "target_label": "site.name"}
    assert filters["relabel"]({"dc": "e1"}, [rule], prometheus_version="3.1.0") == {
        "dc": "e1",
        "site.name": "e1",
    }


def test_relabel_config_problems_filter(filters: dict) -> None:
    rules = [ARTICLE_RULE, {"action": "shuffle"}]
    assert filters["relabel_config_problems"]([ARTICLE_RULE], 2) == []
    assert filters["relabel_config_problems"](rules, "3") == [
        'configs[1] {action: shuffle}: unknown relabel action "shuffle"'
    ]
    assert filters["relabel_config_problems"]({"action": "shuffle"}, 2) == [
        "configs must be a list of relabel rules, got dict {'action': 'shuffle'}"
    ]


def test_relabel_config_problems_filter_raises_only_for_a_bad_version(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        filters["relabel_config_problems"]([ARTICLE_RULE], "latest")
    assert str(raised.value) == (
        "relabel_config_problems: prometheus_version 'latest' is not a Prometheus 2 or 3"
        " version such as 2, '2.53.3' or '3.1.0'"
    )


def test_replica_relabel_configs_filter(filters: dict) -> None:
    assert filters["replica_relabel_configs"](REPLICAS) == [ARTICLE_RULE]


def test_alert_dedup_report_filter(filters: dict) -> None:
    assert filters["alert_dedup_report"](REPLICAS, [ARTICLE_RULE])["deduplicates"] is True
    report = filters["alert_dedup_report"](REPLICAS, [], alert_labels={"alertname": "X"})
    assert report["deduplicates"] is False
    assert report["suggested_rules"] == [ARTICLE_RULE]


def test_rule_errors_become_filter_errors_naming_the_rule(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        filters["relabel"]({"a": "x"}, [{"target_label": "b"}, {"action": "shuffle"}])
    assert str(raised.value) == (
        'relabel: configs[1] {action: shuffle}: unknown relabel action "shuffle"'
    )
    assert isinstance(raised.value.__cause__, RelabelConfigError)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("relabel", (["a"], []), "relabel: the input label set must be a mapping"),
        (
            "replica_relabel_configs",
            (["prom1"],),
            "replica_relabel_configs: the input must be a mapping of Prometheus replica names",
        ),
        (
            "replica_relabel_configs",
            ({"prom1": {"dc": "e1"}, "prom2": "dc=e2"},),
            "replica_relabel_configs: the external labels of replica 'prom2' must be a mapping",
        ),
        (
            "alert_dedup_report",
            (REPLICAS, {"action": "labeldrop"}),
            "alert_dedup_report: configs must be a list of relabel rules",
        ),
        (
            "alert_dedup_report",
            (REPLICAS, [{"regex": "a(?=b)", "action": "keep"}]),
            "alert_dedup_report: configs[0] {regex: 'a(?=b)', action: keep}: invalid regex:",
        ),
    ],
)
def test_input_errors_become_filter_errors_naming_the_input(
    filters: dict, name: str, args: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(AnsibleFilterError) as raised:
        filters[name](*args)
    assert str(raised.value).startswith(message)
    assert isinstance(raised.value.__cause__, RelabelError)


def test_replica_external_labels_filter_raises_filter_error_naming_itself(filters: dict) -> None:
    with pytest.raises(AnsibleFilterError, match=r"^replica_external_labels: .*'sometimes'"):
        filters["replica_external_labels"]({"p1": {}}, "replica", "sometimes")
