"""Run every molecule scenario as one test each, so `make test` ends on pytest's summary.

Each scenario runs `molecule test` (create, converge, idempotence, verify) with its output
kept in .cache/scenarios/<scenario>.log, which is printed whole when the scenario ends.
When it fails, the journal of the stack's services on each of its hosts is added to that
log before the hosts are destroyed, so the failure shows why a service misbehaved.

Two scenarios run at a time (ALERTMESH_CONCURRENT_SCENARIOS): each has hosts and a network
of its own (alertmesh-<scenario>-*), and much of a scenario's time is spent waiting on its
hosts (rolling restarts, alerts firing and resolving), which leaves the controller's cores
to the other one. They start in the order of LONGEST_FIRST, so that both workers end at
about the same time.

Each scenario's wall time and outcome go to .cache/scenarios/times.json (started anew by
each run), which `make bench` copies into BENCHMARKS.md, so that a scenario that grows
shows there.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = REPO_ROOT / ".cache" / "scenarios"
# The demo scenario keeps its hosts up for people to look at; it is not a test.
NOT_TESTS = {"demo"}
# By the wall times of the last runs (failover 1174 s, tls 1278, default 739, mesh 917,
# package 476, rig 42), in the order that ends both workers closest together; a scenario
# not listed comes last.
LONGEST_FIRST = ["failover", "tls", "default", "mesh", "package", "rig"]
SCENARIOS = sorted(
    (
        path.parent.name
        for path in (REPO_ROOT / "molecule").glob("*/molecule.yml")
        if path.parent.name not in NOT_TESTS
    ),
    key=lambda name: (
        LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST),
        name,
    ),
)
CONCURRENT_SCENARIOS = int(os.environ.get("ALERTMESH_CONCURRENT_SCENARIOS", "2"))
SERVICES = ["alertmanager", "prometheus", "webhook-sink"]
JOURNAL_LINES = 60
TIMES = LOG_DIR / "times.json"
TIMES_LOCK = threading.Lock()


@dataclass
class ScenarioRun:
    returncode: int
    seconds: float
    log: Path


def append_service_journals(scenario: str, log) -> None:
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
        log.write(f"\n===== journal of {', '.join(SERVICES)} on {container} =====\n")
        log.flush()
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
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )


def run_scenario(scenario: str) -> ScenarioRun:
    log_path = LOG_DIR / f"{scenario}.log"
    started = time.monotonic()
    print(f"\n[{time.strftime('%H:%M:%S')}] scenario {scenario} started", flush=True)
    with log_path.open("w") as log:
        completed = subprocess.run(
            ["molecule", "test", "--scenario-name", scenario, "--destroy", "never"],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
        try:
            if completed.returncode != 0:
                append_service_journals(scenario, log)
        finally:
            log.flush()
            subprocess.run(
                ["molecule", "destroy", "--scenario-name", scenario],
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
    run = ScenarioRun(completed.returncode, time.monotonic() - started, log_path)
    outcome = "passed" if run.returncode == 0 else "failed"
    record_time(scenario, run, outcome)
    print(
        f"\n[{time.strftime('%H:%M:%S')}] scenario {scenario} {outcome} in {run.seconds:.0f} s",
        flush=True,
    )
    return run


def record_time(scenario: str, run: ScenarioRun, outcome: str) -> None:
    with TIMES_LOCK:
        times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
        times[scenario] = {
            "seconds": round(run.seconds),
            "outcome": outcome,
            "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "concurrent_scenarios": CONCURRENT_SCENARIOS,
        }
        TIMES.write_text(json.dumps(times, indent=2, sort_keys=True) + "\n")


@pytest.fixture(scope="session")
def scenario_runs(request: pytest.FixtureRequest):
    """Starts every selected scenario, a few at a time, in the order of SCENARIOS."""
    selected = [
        item.callspec.params["scenario"]
        for item in request.session.items
        if getattr(item, "callspec", None) and "scenario" in item.callspec.params
    ]
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    TIMES.unlink(missing_ok=True)
    with ThreadPoolExecutor(max_workers=CONCURRENT_SCENARIOS) as pool:
        runs: dict[str, Future[ScenarioRun]] = {
            scenario: pool.submit(run_scenario, scenario) for scenario in selected
        }
        yield runs


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str, scenario_runs) -> None:
    run = scenario_runs[scenario].result()
    print(f"\n===== molecule test -s {scenario} ({run.log}) =====", flush=True)
    print(run.log.read_text(errors="replace"), flush=True)
    outcome = "passed" if run.returncode == 0 else f"failed (exit {run.returncode})"
    print(f"===== scenario {scenario} {outcome} in {run.seconds:.0f} s =====", flush=True)
    assert run.returncode == 0, f"molecule test -s {scenario} failed: its output is above"
