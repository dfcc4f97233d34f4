from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.metrics import FilterModule

metric_value = FilterModule().filters()["metric_value"]
PAGE = "# TYPE up gauge\nup 1\nprometheus_config_last_reload_successful 0\n"


def test_filter_module_maps_the_metric_filter() -> None:
    assert sorted(FilterModule().filters()) == ["metric_value"]


def test_filter_returns_the_value() -> None:
    assert metric_value(PAGE, "prometheus_config_last_reload_successful") == 0.0


def test_the_default_stands_in_for_an_absent_sample_only() -> None:
    assert metric_value(PAGE, "absent_metric", 0.0) == 0.0
    assert metric_value(PAGE, "up", 5.0) == 1.0


def test_an_absent_sample_without_a_default_names_the_metric() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^metric_value: the page has no sample of ab"):
        metric_value(PAGE, "absent_metric")


def test_bad_input_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^metric_value: 'up\{\}' is not a metric name"):
        metric_value(PAGE, "up{}")
