from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.filter.systemd import FilterModule

FILTERS = FilterModule().filters()


def test_filter_module_maps_the_systemd_filters() -> None:
    assert sorted(FILTERS) == [
        "systemd_argument_problems",
        "systemd_exec_line",
        "systemd_hardening",
    ]


def test_filter_returns_the_directives() -> None:
    directives = FILTERS["systemd_hardening"]("systemd 252", ["/var/lib/x"])
    assert directives[0] == "NoNewPrivileges=yes"
    assert directives[-1] == "ReadWritePaths=/var/lib/x"


def test_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^systemd_hardening: "):
        FILTERS["systemd_hardening"]("nonsense")


def test_exec_line_filter_quotes_the_arguments() -> None:
    line = FILTERS["systemd_exec_line"](["/usr/local/bin/alertmanager", "--cluster.label=my mesh"])
    assert line == '"/usr/local/bin/alertmanager" \\\n    "--cluster.label=my mesh"'


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alertmanager"], r"^systemd_exec_line: argv\[0\] 'alertmanager' is not an absolute"),
        (
            ["/bin/x", "--data.retention=1\n"],
            r"^systemd_exec_line: argv\[1\] \(--data.retention=\.\.\.\) holds a newline",
        ),
        ("/bin/x", r"^systemd_exec_line: expects the command line as a list"),
    ],
)
def test_exec_line_filter_raises_filter_error_naming_itself(argv, message) -> None:
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS["systemd_exec_line"](argv)


def test_argument_problems_filter_lists_the_variables() -> None:
    problems = FILTERS["systemd_argument_problems"](
        {"alertmanager_data_retention": "120h\n", "alertmanager_cluster_label": "my mesh"}
    )
    assert problems == [
        "alertmanager_data_retention holds a newline (control character U+000A), which would "
        "end the unit's ExecStart= line: remove it."
    ]


def test_argument_problems_filter_raises_filter_error_naming_itself() -> None:
    with pytest.raises(AnsibleFilterError, match=r"^systemd_argument_problems: expects a mapping"):
        FILTERS["systemd_argument_problems"](["alertmanager_data_retention"])
