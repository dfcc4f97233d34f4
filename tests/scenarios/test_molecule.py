"""Run every molecule scenario as one test each, so `make test` ends on pytest's summary.

Each scenario runs `molecule test` (create, converge, idempotence, verify) with its output
streamed live. When it fails, the journal of the stack's services on each of its hosts is
printed before the hosts are destroyed, so the failure shows why a service misbehaved.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The demo scenario keeps its hosts up for people to look at; it is not a test.
NOT_TESTS = {"demo"}
SCENARIOS = sorted(
    path.parent.name
    for path in (REPO_ROOT / "molecule").glob("*/molecule.yml")
    if path.parent.name not in NOT_TESTS
)
SERVICES = ["alertmanager", "prometheus", "webhook-sink"]
JOURNAL_LINES = 60


def print_service_journals(scenario: str) -> None:
    containers = subprocess.run(
        [
            "podman",
            "ps",
            "--filter",
            f"label=alertmesh.scenario={scenario}",
            "--format",
            "{{.Names}}",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    units = [argument for service in SERVICES for argument in ("--unit", service)]
    for container in containers:
        print(f"\n===== journal of {', '.join(SERVICES)} on {container} =====", flush=True)
        subprocess.run(
            [
                "podman",
                "exec",
                container,
                "journalctl",
                "--no-pager",
                "--lines",
                str(JOURNAL_LINES),
                *units,
            ],
            check=False,
        )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str) -> None:
    completed = subprocess.run(
        ["molecule", "test", "--scenario-name", scenario, "--destroy", "never"],
        cwd=REPO_ROOT,
        check=False,
    )
    try:
        if completed.returncode != 0:
            print_service_journals(scenario)
    finally:
        subprocess.run(
            ["molecule", "destroy", "--scenario-name", scenario], cwd=REPO_ROOT, check=False
        )
    assert completed.returncode == 0, f"molecule test -s {scenario} failed: its output is above"
