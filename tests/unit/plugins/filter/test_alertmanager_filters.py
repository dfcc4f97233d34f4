from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.alertmanager import FilterModule


def test_filter_module_maps_the_config_problems_filter() -> None:
    assert sorted(FilterModule().filters()) == ["alertmanager_config_problems"]


def test_filter_returns_the_problems() -> None:
    problems = FilterModule().filters()["alertmanager_config_problems"](
        {"route": {"receiver": "x"}, "receivers": []}
    )
    assert len(problems) == 1
    assert "'x'" in problems[0]


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^alertmanager_config_problems: "):
        FilterModule().filters()["alertmanager_config_problems"]("not a config")
