"""Tests for writing command lines into systemd units.

The expected strings follow systemd.service(5) "Command lines" and systemd.unit(5)
"Specifiers": double quotes keep a word together, C escapes are decoded inside them, ``%%``
is a percent sign and ``$$`` a dollar sign. test_systemd_unit_parsed_by_systemd.py feeds the
same kind of lines to systemd's own parser.
"""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_unit import (
    ARGUMENT_SEPARATOR,
    SystemdUnitError,
    control_characters,
    quote_argument,
    systemd_argument_problems,
    systemd_exec_line,
)

CONTROL_CHARACTERS = [chr(code) for code in range(0x20)] + ["\x7f"]


def exec_line_error(argv: Any) -> str:
    with pytest.raises(SystemdUnitError) as caught:
        systemd_exec_line(argv)
    return str(caught.value)


@pytest.mark.parametrize(
    ("argument", "quoted"),
    [
        ("--storage.path=/var/lib/alertmanager", '"--storage.path=/var/lib/alertmanager"'),
        ("--cluster.label=my mesh", '"--cluster.label=my mesh"'),
        (
            "--web.external-url=https://x/alert%20manager/",
            '"--web.external-url=https://x/alert%%20manager/"',
        ),
        (
            "--cluster.advertise-address=[fe80::1%eth0]:9094",
            '"--cluster.advertise-address=[fe80::1%%eth0]:9094"',
        ),
        ("%n %i %%", '"%%n %%i %%%%"'),
        ("--label=$HOME ${HOME} $$", '"--label=$$HOME $${HOME} $$$$"'),
        ('--page-title=say "hi"', '"--page-title=say \\"hi\\""'),
        ("C:\\temp\\", '"C:\\\\temp\\\\"'),
        ('\\"', '"\\\\\\""'),
        ("\\n is not a newline", '"\\\\n is not a newline"'),
        ("it's", '"it\'s"'),
        ("Ünïcødé ✓ 警报", '"Ünïcødé ✓ 警报"'),
        (";", '";"'),
        ("#not a comment", '"#not a comment"'),
        ("", '""'),
        ("  padded  ", '"  padded  "'),
    ],
)
def test_each_argument_is_one_double_quoted_word(argument: str, quoted: str) -> None:
    assert quote_argument(argument) == quoted


def test_the_issue_example_is_laid_out_one_argument_per_line() -> None:
    line = systemd_exec_line(
        [
            "/usr/local/bin/alertmanager",
            "--web.external-url=https://x/alert%20manager/",
            "--cluster.label=my mesh",
        ]
    )
    assert line == (
        '"/usr/local/bin/alertmanager" \\\n'
        '    "--web.external-url=https://x/alert%%20manager/" \\\n'
        '    "--cluster.label=my mesh"'
    )


def test_a_binary_alone_is_one_line() -> None:
    assert systemd_exec_line(["/usr/bin/prometheus"]) == '"/usr/bin/prometheus"'


def test_every_line_but_the_last_continues() -> None:
    argv = ["/opt/prometheus dir/prometheus", "a", "b\\", "", "d"]
    lines = systemd_exec_line(argv).split("\n")
    assert len(lines) == len(argv)
    assert all(line.endswith('" \\') for line in lines[:-1])
    assert lines[-1].endswith('"')
    assert all(line.startswith('    "') for line in lines[1:])
    assert ARGUMENT_SEPARATOR.join(quote_argument(argument) for argument in argv) == "\n".join(
        lines
    )


def test_numbers_are_written_as_they_read() -> None:
    assert systemd_exec_line(["/bin/x", 9094, 0.5]) == (
        '"/bin/x"' + ARGUMENT_SEPARATOR + '"9094"' + ARGUMENT_SEPARATOR + '"0.5"'
    )


def test_other_unicode_is_not_a_control_character() -> None:
    argument = "nbsp\u00a0nel\u0085ls\u2028"
    assert control_characters(argument) == []
    assert systemd_exec_line(["/bin/x", argument]).endswith(f'"{argument}"')


@pytest.mark.parametrize("character", CONTROL_CHARACTERS)
def test_a_control_character_in_an_argument_is_refused(character: str) -> None:
    message = exec_line_error(["/bin/x", "--ok", f"--data.retention=120h{character}x"])
    assert message.startswith("argv[2] (--data.retention=...) holds ")
    assert f"control character U+{ord(character):04X}" in message


def test_a_newline_is_named_and_explained() -> None:
    message = exec_line_error(["/bin/x", "--data.retention=120h\nExecStartPre=/bin/sh -c id"])
    assert message == (
        "argv[1] (--data.retention=...) holds a newline (control character U+000A), "
        "which would end the unit's ExecStart= line: remove it"
    )


def test_the_message_names_the_flag_but_never_its_value() -> None:
    message = exec_line_error(["/bin/x", "--web.page-title=s3cret\ttoken"])
    assert "s3cret" not in message
    assert "--web.page-title=..." in message
    assert "a tab (control character U+0009)" in message


def test_an_argument_that_is_not_a_flag_is_named_by_index() -> None:
    message = exec_line_error(["/bin/x", "a", "b", "c\rd"])
    assert message.startswith("argv[3] holds a carriage return (control character U+000D)")


def test_a_control_character_in_the_binary_path_is_refused() -> None:
    assert exec_line_error(["/usr/bin/a\x1bb"]).startswith(
        "argv[0] holds an escape (control character U+001B)"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([""], "argv[0] is empty"),
        (["alertmanager", "--x"], "argv[0] 'alertmanager' is not an absolute path"),
        (["./alertmanager"], "not an absolute path"),
        (["/usr/local/bin/"], "names a directory"),
        (['/opt/"am"/alertmanager'], "systemd refuses quotes"),
        (["/opt/it's/alertmanager"], "systemd refuses quotes"),
        (["/opt\\am/alertmanager"], "systemd refuses a backslash"),
        (["/opt/$AM/alertmanager"], "would expand it in argv[0] but not in the path"),
        ([], "the command line is empty"),
        ("/usr/bin/alertmanager --x", "a list of arguments, got str"),
        (None, "a list of arguments, got NoneType"),
        ({"/bin/x": 1}, "a list of arguments, got dict"),
        (["/bin/x", True], "argv[1] is bool True"),
        (["/bin/x", None], "argv[1] is NoneType None"),
        (["/bin/x", ["--nested"]], "argv[1] is list"),
    ],
)
def test_command_lines_that_cannot_be_written_are_refused(argv: Any, expected: str) -> None:
    assert expected in exec_line_error(argv)


def test_a_binary_path_with_spaces_and_percent_is_quoted() -> None:
    assert systemd_exec_line(["/opt/alert manager/100%/alertmanager"]) == (
        '"/opt/alert manager/100%%/alertmanager"'
    )


def test_no_problems_when_values_are_clean() -> None:
    values = {
        "alertmanager_web_external_url": "https://x/alert%20manager/",
        "alertmanager_cluster_label": "my mesh",
        "alertmanager_cluster_port": 9094,
        "alertmanager_cluster_enabled": True,
        "alertmanager_web_route_prefix": None,
        "prometheus_extra_flags": ["--web.enable-lifecycle", "--query.timeout=2m", 5],
        "alertmanager_extra_flags": [],
    }
    assert systemd_argument_problems(values) == []
    assert systemd_argument_problems({}) == []


def test_a_newline_in_a_variable_is_named_with_the_fix() -> None:
    problems = systemd_argument_problems(
        {
            "alertmanager_storage_path": "/var/lib/alertmanager",
            "alertmanager_data_retention": "120h\nExecStartPre=/bin/sh -c id",
        }
    )
    assert problems == [
        "alertmanager_data_retention holds a newline (control character U+000A), which would "
        "end the unit's ExecStart= line: remove it."
    ]


def test_list_entries_are_named_by_index() -> None:
    problems = systemd_argument_problems(
        {"prometheus_extra_flags": ["--web.enable-lifecycle", "--a", "--b=\x01", "--c=\r"]}
    )
    assert problems == [
        "prometheus_extra_flags[2] holds control character U+0001, which has no place in a "
        "command-line argument: remove it.",
        "prometheus_extra_flags[3] holds a carriage return (control character U+000D), which "
        "would end the unit's ExecStart= line: remove it.",
    ]


def test_one_message_per_variable_names_each_character_once() -> None:
    problems = systemd_argument_problems({"alertmanager_cluster_label": "a\tb\tc\nd\x7f"})
    assert problems == [
        "alertmanager_cluster_label holds a tab (control character U+0009), a newline "
        "(control character U+000A) and a delete (control character U+007F), which would end "
        "the unit's ExecStart= line: remove it."
    ]


def test_problems_come_in_the_order_of_the_variables_and_never_show_values() -> None:
    problems = systemd_argument_problems(
        {
            "prometheus_web_external_url": "https://p/\x00s3cret",
            "prometheus_storage_retention": "15d",
            "alertmanager_cluster_label": "s3cret\x1b",
        }
    )
    assert [problem.split(" ", 1)[0] for problem in problems] == [
        "prometheus_web_external_url",
        "alertmanager_cluster_label",
    ]
    assert "a NUL (control character U+0000)" in problems[0]
    assert not any("s3cret" in problem for problem in problems)


@pytest.mark.parametrize("values", [["alertmanager_data_retention"], "120h", None])
def test_problems_need_a_mapping(values: Any) -> None:
    with pytest.raises(SystemdUnitError, match="expects a mapping of variable names"):
        systemd_argument_problems(values)


@pytest.mark.parametrize("character", CONTROL_CHARACTERS)
def test_what_preflight_passes_the_unit_accepts_and_the_reverse(character: str) -> None:
    value = f"--cluster.label=my{character}mesh"
    assert systemd_argument_problems({"alertmanager_cluster_label": value})
    with pytest.raises(SystemdUnitError):
        systemd_exec_line(["/bin/x", value])
    clean = value.replace(character, " ")
    assert systemd_argument_problems({"alertmanager_cluster_label": clean}) == []
    assert systemd_exec_line(["/bin/x", clean])
