"""Tests of alertmesh.ha.service_state with a fake systemctl and real processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.modules import service_state

RunModule = Callable[..., dict[str, Any]]


def fake_systemctl(directory: Path, answer: str, without_unix_timestamps: bool = False) -> None:
    """A systemctl that prints ``answer`` for ``show``; an old one refuses --timestamp."""
    (directory / "show.txt").write_text(answer + "\n")
    refuse = (
        'case " $* " in *" --timestamp=unix "*) echo "unrecognized option" >&2; exit 1;; esac\n'
        if without_unix_timestamps
        else ""
    )
    script = directory / "systemctl"
    script.write_text(f"#!/bin/sh\n{refuse}cat {directory / 'show.txt'}\n")
    script.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir()
    monkeypatch.setenv("PATH", f"{directory}:/usr/bin:/bin")
    return directory


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A real process with a known command line, as a unit's main process."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--flag=a b"])
    yield process
    process.kill()
    process.wait()


def show(active: str, pid: int, started: str) -> str:
    return f"ActiveState={active}\nMainPID={pid}\nExecMainStartTimestamp={started}"


def test_a_running_unit_reports_its_process_command_line_and_start(
    run_module: RunModule, bin_dir: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    fake_systemctl(bin_dir, show("active", sleeper.pid, "@1764576000"))

    result = run_module(service_state.main, {"unit": "alertmanager.service"})

    assert result["active"] is True
    assert result["main_pid"] == sleeper.pid
    assert result["command_line"] == [
        sys.executable,
        "-c",
        "import time; time.sleep(60)",
        "--flag=a b",
    ]
    assert result["started_at"] == 1764576000
    assert result["changed"] is False


def test_a_stopped_unit_has_no_process(run_module: RunModule, bin_dir: Path) -> None:
    fake_systemctl(bin_dir, show("inactive", 0, ""))

    result = run_module(service_state.main, {"unit": "alertmanager.service"}, check_mode=True)

    assert (result["active"], result["main_pid"], result["command_line"]) == (False, 0, [])
    assert result["started_at"] is None


def test_an_old_systemd_without_unix_timestamps_reports_no_start(
    run_module: RunModule, bin_dir: Path, sleeper: subprocess.Popen[bytes]
) -> None:
    fake_systemctl(
        bin_dir,
        show("active", sleeper.pid, "Mon 2026-12-07 10:00:00 UTC"),
        without_unix_timestamps=True,
    )

    result = run_module(service_state.main, {"unit": "prometheus.service"})

    assert result["active"] is True
    assert result["main_pid"] == sleeper.pid
    assert result["started_at"] is None


def test_a_process_that_ended_since_systemctl_named_it_has_no_command_line(
    run_module: RunModule, bin_dir: Path
) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    fake_systemctl(bin_dir, show("active", ended.pid, "@1764576000"))

    assert run_module(service_state.main, {"unit": "a.service"})["command_line"] == []


def test_the_version_command_runs_when_its_binary_is_installed(
    run_module: RunModule, bin_dir: Path, tmp_path: Path
) -> None:
    fake_systemctl(bin_dir, show("inactive", 0, ""))
    binary = tmp_path / "alertmanager"
    binary.write_text("#!/bin/sh\necho 'alertmanager, version 0.25.0 (branch: HEAD)' >&2\n")
    binary.chmod(0o755)

    result = run_module(
        service_state.main, {"unit": "a.service", "version_command": [str(binary), "--version"]}
    )

    assert result["version"] == {
        "rc": 0,
        "stdout": "",
        "stderr": "alertmanager, version 0.25.0 (branch: HEAD)",
    }


def test_the_version_command_is_not_run_when_nothing_is_installed(
    run_module: RunModule, bin_dir: Path, tmp_path: Path
) -> None:
    fake_systemctl(bin_dir, show("inactive", 0, ""))

    result = run_module(
        service_state.main,
        {"unit": "a.service", "version_command": [str(tmp_path / "missing"), "--version"]},
    )

    assert result["version"] == {"rc": -1, "stdout": "", "stderr": ""}


def test_a_failing_systemctl_fails_the_module_with_its_message(
    run_module: RunModule, bin_dir: Path
) -> None:
    script = bin_dir / "systemctl"
    script.write_text("#!/bin/sh\necho 'Failed to connect to bus' >&2\nexit 1\n")
    script.chmod(0o755)

    result = run_module(service_state.main, {"unit": "a.service"})

    assert result["failed"] is True
    assert result["msg"] == "systemctl show a.service failed: Failed to connect to bus"
