"""Run every molecule scenario as one test each, so `make test` ends on pytest's summary.

Each scenario runs `molecule test` (create, converge, idempotence, verify, destroy) with
its output streamed live; a failure names the scenario.
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


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str) -> None:
    completed = subprocess.run(["molecule", "test", "--scenario-name", scenario], cwd=REPO_ROOT)
    assert completed.returncode == 0, f"molecule test -s {scenario} failed: its output is above"
