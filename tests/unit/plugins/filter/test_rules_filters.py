from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.rules import FilterModule


def test_filter_module_maps_the_clash_filter() -> None:
    assert sorted(FilterModule().filters()) == ["rule_name_clashes"]


def test_filter_returns_the_clashes() -> None:
    own = {"prometheus_watchdog_rule": [{"name": "alertmesh", "rules": []}]}
    user = {"prometheus_alerting_rules": [{"name": "alertmesh", "rules": []}]}

    problems = FilterModule().filters()["rule_name_clashes"](own, user)

    assert problems[0].startswith("prometheus_alerting_rules defines the group 'alertmesh'")


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^rule_name_clashes: x is not YAML"):
        FilterModule().filters()["rule_name_clashes"]({}, {"x": "groups: ["})
