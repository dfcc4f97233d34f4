from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import RelabelError
from ansible_collections.alertmesh.ha.plugins.plugin_utils.replicas import (
    replica_external_labels,
)

ARTICLE = {"prom-2": {"dc": "europe2"}, "prom-1": {"dc": "europe1"}}


def test_distinct_declared_labels_are_kept_as_they_are() -> None:
    result = replica_external_labels(ARTICLE)
    assert result == {
        "labels": {"prom-1": {"dc": "europe1"}, "prom-2": {"dc": "europe2"}},
        "problems": [],
    }
    assert list(result["labels"]) == ["prom-1", "prom-2"]


@pytest.mark.parametrize("undeclared", [{}, None])
def test_auto_adds_the_replica_label_when_no_replica_declares_labels(undeclared: Any) -> None:
    result = replica_external_labels({"prom-1": undeclared, "prom-2": {}}, "replica")
    assert result["labels"] == {"prom-1": {"replica": "prom-1"}, "prom-2": {"replica": "prom-2"}}
    assert result["problems"] == []


def test_auto_uses_the_configured_label_name() -> None:
    result = replica_external_labels({"a": {}, "b": {}}, replica_label="__replica__")
    assert result["labels"] == {"a": {"__replica__": "a"}, "b": {"__replica__": "b"}}


def test_auto_leaves_a_single_replica_alone() -> None:
    assert replica_external_labels({"prom-1": {}}) == {"labels": {"prom-1": {}}, "problems": []}


def test_identical_declared_labels_are_a_problem_naming_both_replicas() -> None:
    result = replica_external_labels({"prom-1": {"dc": "europe1"}, "prom-2": {"dc": "europe1"}})
    assert result["labels"] == {"prom-1": {"dc": "europe1"}, "prom-2": {"dc": "europe1"}}
    [problem] = result["problems"]
    assert problem.startswith(
        "prometheus_external_labels of prom-1 and prom-2 are identical ({dc: europe1})"
    )
    assert "distinct value" in problem


def test_partially_declared_labels_are_not_completed() -> None:
    result = replica_external_labels({"p1": {"dc": "x"}, "p2": {}, "p3": {}})
    assert result["labels"] == {"p1": {"dc": "x"}, "p2": {}, "p3": {}}
    assert len(result["problems"]) == 1
    assert "p2 and p3 are identical" in result["problems"][0]


def test_always_adds_the_label_but_keeps_a_declared_value() -> None:
    result = replica_external_labels(
        {"p1": {"dc": "eu"}, "p2": {"dc": "eu", "replica": "b"}}, "replica", "always"
    )
    assert result["labels"] == {
        "p1": {"replica": "p1", "dc": "eu"},
        "p2": {"replica": "b", "dc": "eu"},
    }
    assert result["problems"] == []


def test_always_with_a_single_replica_is_a_problem() -> None:
    result = replica_external_labels({"prom-1": {}}, "replica", "always")
    assert result["labels"] == {"prom-1": {"replica": "prom-1"}}
    [problem] = result["problems"]
    assert problem.startswith("prometheus_add_replica_label is 'always', but prom-1 is the only")
    assert "'auto'" in problem


def test_never_reports_replicas_without_labels() -> None:
    result = replica_external_labels({"p1": {}, "p2": {}}, "replica", "never")
    assert result["labels"] == {"p1": {}, "p2": {}}
    assert "p1 and p2 are identical" in result["problems"][0]


def test_values_become_text() -> None:
    result = replica_external_labels({"p1": {"zone": 1}, "p2": {"zone": None}})
    assert result["labels"] == {"p1": {"zone": "1"}, "p2": {"zone": ""}}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((["prom-1"],), "must be a mapping of Prometheus replica names"),
        (({"p1": ["dc=eu"]},), "prometheus_external_labels of 'p1' must be a mapping"),
        (({"p1": {}}, "replica", "sometimes"), "prometheus_add_replica_label is 'sometimes'"),
        (({"p1": {}}, ""), "prometheus_replica_label '' is not a label name"),
    ],
)
def test_bad_input_raises_naming_the_variable(arguments: tuple, message: str) -> None:
    with pytest.raises(RelabelError, match=message):
        replica_external_labels(*arguments)
