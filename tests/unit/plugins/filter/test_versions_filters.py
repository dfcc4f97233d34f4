from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.versions import FilterModule


def test_filter_module_maps_the_version_filter() -> None:
    assert sorted(FilterModule().filters()) == ["reported_version"]


def test_filter_returns_the_version() -> None:
    reported = FilterModule().filters()["reported_version"]({"stdout": "a, version 0.33.1"})

    assert reported == "0.33.1"


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^reported_version: "):
        FilterModule().filters()["reported_version"](["not", "a", "result"])
