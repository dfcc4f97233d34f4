from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.systemd import FilterModule


def test_filter_module_maps_the_hardening_filter() -> None:
    assert sorted(FilterModule().filters()) == ["systemd_hardening"]


def test_filter_returns_the_directives() -> None:
    directives = FilterModule().filters()["systemd_hardening"]("systemd 252", ["/var/lib/x"])
    assert directives[0] == "NoNewPrivileges=yes"
    assert directives[-1] == "ReadWritePaths=/var/lib/x"


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^systemd_hardening: "):
        FilterModule().filters()["systemd_hardening"]("nonsense")
