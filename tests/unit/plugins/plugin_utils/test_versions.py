from __future__ import annotations

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.versions import (
    VersionError,
    reported_version,
)


@pytest.mark.parametrize(
    ("result", "version"),
    [
        (
            {"stdout": "prometheus, version 3.5.3 (branch: HEAD, revision: 1f5d1f8)", "stderr": ""},
            "3.5.3",
        ),
        (
            {"stdout": "", "stderr": "alertmanager, version 0.25.0+ds (branch: debian/sid)"},
            "0.25.0",
        ),
        ({"stdout": "promtool, version 2.42.0+ds\n  build user: team", "stderr": ""}, "2.42.0"),
        (
            {
                "stdout": "",
                "stderr": "/usr/local/bin/prometheus: No such file or directory",
                "rc": 2,
            },
            "",
        ),
        ({"skipped": True, "changed": False}, ""),
        ({"stdout": "go version go1.24.1", "stderr": ""}, ""),
    ],
)
def test_the_reported_version(result, version) -> None:
    assert reported_version(result) == version


def test_stdout_wins_over_stderr() -> None:
    assert reported_version({"stdout": "x, version 1.2.3", "stderr": "y, version 4.5.6"}) == "1.2.3"


def test_a_non_mapping_is_an_error_naming_what_it_got() -> None:
    with pytest.raises(VersionError, match="got str"):
        reported_version("prometheus, version 3.5.3")
