from __future__ import annotations

import math

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.metrics import (
    MetricError,
    metric_value,
)

PAGE = """\
# HELP alertmanager_config_last_reload_success_timestamp_seconds Timestamp of the last load.
# TYPE alertmanager_config_last_reload_success_timestamp_seconds gauge
alertmanager_config_last_reload_success_timestamp_seconds 1.7646039e+09
# HELP alertmanager_config_last_reload_successful Whether the last load succeeded.
alertmanager_config_last_reload_successful 1
alertmanager_notifications_total{integration="webhook"} 7
alertmanager_notifications_total 3
prometheus_notifications_queue_length NaN
prometheus_tsdb_head_max_time 1764603900000 1764603900123
"""


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("alertmanager_config_last_reload_success_timestamp_seconds", 1764603900.0),
        ("alertmanager_config_last_reload_successful", 1.0),
        ("alertmanager_notifications_total", 3.0),
        ("prometheus_tsdb_head_max_time", 1764603900000.0),
    ],
)
def test_the_unlabelled_sample_is_read(name, value) -> None:
    assert metric_value(PAGE, name) == value


def test_a_nan_sample_is_read_as_nan() -> None:
    assert math.isnan(metric_value(PAGE, "prometheus_notifications_queue_length"))


@pytest.mark.parametrize(
    "name",
    [
        "alertmanager_config_last_reload",  # a prefix of a sample's name
        "HELP",  # a word of a comment
        "prometheus_config_last_reload_successful",
    ],
)
def test_an_absent_sample_is_none(name) -> None:
    assert metric_value(PAGE, name) is None


def test_only_labelled_samples_are_not_the_sample() -> None:
    assert metric_value('up{job="a"} 1\n', "up") is None


@pytest.mark.parametrize("name", ["", "1up", "up{job}", None])
def test_a_bad_name_is_refused(name) -> None:
    with pytest.raises(MetricError, match="is not a metric name"):
        metric_value(PAGE, name)


def test_a_page_that_is_not_text_is_refused() -> None:
    with pytest.raises(MetricError, match="got dict"):
        metric_value({"content": PAGE}, "up")


def test_a_value_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(MetricError, match="'one', not a number"):
        metric_value("up one\n", "up")
