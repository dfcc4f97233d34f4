"""systemd's own unit parser reads what systemd_exec_line writes as the intended argv.

``systemd-analyze verify`` loads a unit file with the same code as PID 1, without a running
systemd, and at debug log level dumps each loaded command as ``Command Line:``, its argv
quoted for a shell (``"..."`` around a word that needs it, ``\\`` before ``\\ " $ `````).
That argv is the one systemd keeps before the service starts, when ``$$`` still has to
become ``$`` (systemd.service(5): "To pass a literal dollar sign, use $$"); that last step
is applied here as documented, everything else is systemd's.

The unescaped lines the roles' templates wrote before are shown to fail the same parser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_unit import (
    systemd_exec_line,
)

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None,
    reason="systemd-analyze (Debian package systemd) is not installed: cannot parse units "
    "with systemd's own parser",
)

_DUMP_SECTION = re.compile(r"-> (Exec[A-Za-z]+):")
_DUMP_WORD = re.compile(r'"((?:[^"\\]|\\.)*)"(?: |$)|([^" ]+)(?: |$)')
_DUMP_ESCAPE = re.compile(r"\\(.)")

ARGUMENTS = [
    ["--web.external-url=https://x/alert%20manager/", "--cluster.label=my mesh"],
    ["--cluster.advertise-address=[fe80::1%eth0]:9094", "--cluster.peer=[fe80::2%eth0]:9094"],
    ["--data.retention=120h", "--storage.path=/var/lib/alertmanager"],
    ["%n", "%i", "%%", "%", "100%", "%%%"],
    ["$HOME", "${HOME}", "$$", "$", "a$b", "price: 5$"],
    ['say "hi"', "back\\slash", "trailing\\", "\\", '\\"', "\\n", "\\x41", "it's"],
    ["", " ", "  padded  ", ";", "\\;", "#hash", ";comment", "-", "@", "+", "!", "|"],
    ["Ünïcødé ✓ 警报", "nbsp\u00a0", "line\u2028separator", "emoji 🚨"],
    [" --web.listen-address=:9093", "--config.file=/etc/alert manager/alertmanager.yml"],
]


def executable(directory: Path, name: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return str(path)


def split_dumped_command_line(text: str) -> list[str]:
    """The argv in a ``Command Line:`` of systemd's dump, words quoted for a shell."""
    argv: list[str] = []
    position = 0
    while position < len(text):
        word = _DUMP_WORD.match(text, position)
        assert word, f"cannot read systemd's dump at {text[position:]!r}"
        quoted, bare = word.groups()
        argv.append(_DUMP_ESCAPE.sub(r"\1", quoted) if quoted is not None else bare)
        position = word.end()
    return argv


def systemd_loads(unit_text: str, tmp_path: Path) -> tuple[str, dict[str, list[list[str]]]]:
    """The load state of the unit and the argv of each command, as systemd parsed them.

    A unit that fails to load is not dumped: its state is then systemd's log.
    """
    unit = tmp_path / "roundtrip.service"
    unit.write_text(unit_text)
    environment = {
        **os.environ,
        "SYSTEMD_LOG_LEVEL": "debug",
        "SYSTEMD_LOG_COLOR": "0",
        "SYSTEMD_LOG_TARGET": "console",
    }
    completed = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    load_state = ""
    commands: dict[str, list[list[str]]] = {}
    section = None
    # Lines end at "\n" only: an argument may hold U+2028, which str.splitlines() splits at.
    for line in completed.stdout.split("\n"):
        line = line.lstrip("\t")
        if line.startswith("Unit Load State: "):
            load_state = line.removeprefix("Unit Load State: ")
        elif header := _DUMP_SECTION.fullmatch(line):
            section = header.group(1)
        elif line.startswith("Command Line: ") and section:
            dumped = line.removeprefix("Command Line: ")
            commands.setdefault(section, []).append(split_dumped_command_line(dumped))
    if not load_state:
        assert "has a bad unit file setting" in completed.stderr, (
            "systemd-analyze verify dumped no unit at debug log level; its output was:\n"
            f"{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
        load_state = completed.stderr
    return load_state, commands


def after_environment_expansion(argv: list[str]) -> list[str]:
    return [argument.replace("$$", "$") for argument in argv]


def oneshot_unit(exec_lines: list[str], directive: str = "ExecStart") -> str:
    commands = "".join(f"{directive}={line}\n" for line in exec_lines)
    return f"[Unit]\nDescription=round trip\n\n[Service]\nType=oneshot\n{commands}"


def test_systemd_parses_every_written_line_to_the_intended_argv(tmp_path: Path) -> None:
    binary = executable(tmp_path / "bin", "alertmanager")
    odd_binary = executable(tmp_path / "alert manager 100% ünï", "alert manager")
    intended = [[binary, *arguments] for arguments in ARGUMENTS] + [[odd_binary, "--x=%$"]]

    load_state, commands = systemd_loads(
        oneshot_unit([systemd_exec_line(argv) for argv in intended]), tmp_path
    )

    assert load_state == "loaded"
    assert [after_environment_expansion(argv) for argv in commands["ExecStart"]] == intended


def test_a_simple_service_keeps_the_issue_example(tmp_path: Path) -> None:
    binary = executable(tmp_path, "alertmanager")
    intended = [
        binary,
        "--web.external-url=https://x/alert%20manager/",
        "--cluster.label=my mesh",
    ]
    unit = (
        "[Service]\nType=simple\n"
        f"ExecStart={systemd_exec_line(intended)}\n"
        "ExecReload=/bin/kill -HUP $MAINPID\n"
    )

    load_state, commands = systemd_loads(unit, tmp_path)

    assert load_state == "loaded"
    assert commands["ExecStart"] == [intended]
    assert commands["ExecReload"] == [["/bin/kill", "-HUP", "$MAINPID"]]


def test_unescaped_percent_stops_the_unit_from_loading(tmp_path: Path) -> None:
    binary = executable(tmp_path, "alertmanager")
    line = f"{binary} --web.external-url=https://x/alert%20manager/"

    log, commands = systemd_loads(oneshot_unit([line]), tmp_path)

    assert "Failed to resolve unit specifiers in --web.external-url=" in log
    assert "roundtrip.service has a bad unit file setting" in log
    assert commands == {}


def test_unescaped_space_splits_one_argument_into_two(tmp_path: Path) -> None:
    binary = executable(tmp_path, "alertmanager")

    _load_state, commands = systemd_loads(
        oneshot_unit([f"{binary} --cluster.label=my mesh"]), tmp_path
    )

    assert commands["ExecStart"] == [[binary, "--cluster.label=my", "mesh"]]


def test_unescaped_newline_injects_a_directive(tmp_path: Path) -> None:
    binary = executable(tmp_path, "alertmanager")
    retention = "120h\nExecStartPre=/bin/touch /tmp/injected"
    template_output = f"{binary} \\\n    --data.retention={retention}"

    _load_state, commands = systemd_loads(oneshot_unit([template_output]), tmp_path)

    assert commands["ExecStartPre"] == [["/bin/touch", "/tmp/injected"]]
    assert commands["ExecStart"] == [[binary, "--data.retention=120h"]]
