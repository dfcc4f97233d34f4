"""Fixtures of the failover scenario's tests, shared by every test file of one run."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from fleet import ALERTMANAGER_PORT, PROMETHEUS_PORT, RECEIVER_PORT, Mesh
from receiver import Receiver


@pytest.fixture(scope="session")
def alertmanagers(group_members) -> list[str]:
    return group_members["alertmanagers"]


@pytest.fixture(scope="session")
def replicas(group_members) -> list[str]:
    return group_members["prometheus"]


@pytest.fixture(scope="session")
def am_api(alertmanagers, hostvars) -> dict[str, str]:
    return {
        name: f"http://{hostvars[name]['rig_ipv4']}:{ALERTMANAGER_PORT}/api/v2"
        for name in alertmanagers
    }


@pytest.fixture(scope="session")
def prometheus_url(replicas, hostvars) -> dict[str, str]:
    return {name: f"http://{hostvars[name]['rig_ipv4']}:{PROMETHEUS_PORT}" for name in replicas}


@pytest.fixture(scope="session")
def instance(hostvars, alertmanagers, replicas) -> dict[str, str]:
    """The ``instance`` label that Prometheus scrapes each host under."""
    ports = {name: ALERTMANAGER_PORT for name in alertmanagers}
    ports.update({name: PROMETHEUS_PORT for name in replicas})
    return {name: f"{hostvars[name]['rig_ipv4']}:{port}" for name, port in ports.items()}


@pytest.fixture(scope="session")
def receiver(hostvars) -> Receiver:
    return Receiver(f"http://{hostvars['receiver']['rig_ipv4']}:{RECEIVER_PORT}")


@pytest.fixture(scope="session")
def results() -> Callable[[str, dict[str, Any]], None]:
    """Records one step's findings: printed, and kept in failover-results.json."""
    path = os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "failover-results.json")
    findings_by_step: dict[str, dict[str, Any]] = {}

    def record(step: str, findings: dict[str, Any]) -> None:
        findings_by_step[step] = findings
        print(step, json.dumps(findings, sort_keys=True))
        with open(path, "w", encoding="utf-8") as results_file:
            json.dump(findings_by_step, results_file, indent=2, sort_keys=True)

    return record


@pytest.fixture(scope="session")
def test_silences() -> list[str]:
    """IDs of the silences the steps create; later steps check that none is lost."""
    return []


@pytest.fixture(scope="session")
def mesh(am_api, alertmanagers, prometheus_url, replicas, hostvars):
    return Mesh(am_api, alertmanagers, prometheus_url, replicas, hostvars)
