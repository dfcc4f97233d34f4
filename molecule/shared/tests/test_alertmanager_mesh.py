"""The Alertmanager mesh as the role leaves it, checked through the live hosts and APIs.

Shared by the alertmanager (archive) and alertmanager_package scenarios. The rolling
restart test changes a flag and must stay last in this file.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

WEB_PORT = 9093
CLUSTER_PORT = 9094
REPLICATION_TIMEOUT = 30.0


def wait_for(condition: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        outcome = condition()
        if outcome or time.monotonic() > deadline:
            return outcome
        time.sleep(interval)


@pytest.fixture(scope="module")
def members(group_members) -> list[str]:
    return group_members["alertmanagers"]


@pytest.fixture(scope="module")
def api(members, hostvars) -> dict[str, str]:
    return {name: f"http://{hostvars[name]['rig_ipv4']}:{WEB_PORT}/api/v2" for name in members}


def main_pid(host) -> int:
    return int(host.check_output("systemctl show --property=MainPID --value alertmanager.service"))


def test_service_runs_enabled_as_the_alertmanager_user(rig_hosts, members):
    for name in members:
        host = rig_hosts[name]
        assert host.service("alertmanager").is_running, name
        assert host.service("alertmanager").is_enabled, name
        assert host.check_output(f"ps -o user= -p {main_pid(host)}") == "alertmanager", name
        assert host.user("alertmanager").shell == "/usr/sbin/nologin", name


def test_listens_on_the_web_and_both_gossip_ports(rig_hosts, members):
    for name in members:
        host = rig_hosts[name]
        for socket in (f"tcp://{WEB_PORT}", f"tcp://{CLUSTER_PORT}", f"udp://{CLUSTER_PORT}"):
            assert host.socket(socket).is_listening, (name, socket)


def test_config_and_storage_belong_to_the_service(rig_hosts, members):
    for name in members:
        config = rig_hosts[name].file("/etc/alertmanager/alertmanager.yml")
        assert (config.user, config.group, config.mode) == ("root", "alertmanager", 0o640), name
        storage = rig_hosts[name].file("/var/lib/alertmanager")
        assert (storage.user, storage.mode) == ("alertmanager", 0o750), name


def test_every_member_is_ready_and_sees_every_member(api, members, hostvars):
    expected = sorted(f"{hostvars[name]['rig_ipv4']}:{CLUSTER_PORT}" for name in members)
    for name in members:
        cluster = requests.get(f"{api[name]}/status", timeout=5).json()["cluster"]
        assert cluster["status"] == "ready", name
        assert sorted(peer["address"] for peer in cluster["peers"]) == expected, name


def test_a_silence_added_with_amtool_reaches_every_other_member(rig_hosts, api, members):
    origin, *others = members
    matcher = f"alertmesh_test={uuid.uuid4()}"
    silence_id = rig_hosts[origin].check_output(
        f"amtool silence add {matcher} --duration=10m --author=molecule --comment=replication"
    )
    try:

        def missing() -> list[str]:
            return [
                name
                for name in others
                if requests.get(f"{api[name]}/silence/{silence_id}", timeout=5).status_code != 200
            ]

        assert wait_for(lambda: not missing(), REPLICATION_TIMEOUT), (
            f"silence {silence_id} ({matcher}) from {origin} not on {missing()} "
            f"after {REPLICATION_TIMEOUT}s"
        )
    finally:
        rig_hosts[origin].run(f"amtool silence expire {silence_id}")


class AnsweringSampler(threading.Thread):
    """Counts, several times a second, how many members answer their status API."""

    def __init__(self, urls: list[str], max_seconds: float) -> None:
        super().__init__(daemon=True)
        self.urls = urls
        self.max_seconds = max_seconds
        self.samples: list[int] = []
        self.finished = threading.Event()

    def answering(self) -> int:
        count = 0
        for url in self.urls:
            with contextlib.suppress(requests.RequestException):
                count += requests.get(url, timeout=1).status_code == 200
        return count

    def run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self.finished.is_set() and time.monotonic() < deadline:
            self.samples.append(self.answering())
            time.sleep(0.2)


def test_a_flag_change_restarts_members_one_at_a_time(rig_hosts, api, members, pytestconfig):
    pids_before = {name: main_pid(rig_hosts[name]) for name in members}
    converge = os.path.join(os.environ["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")
    sampler = AnsweringSampler([f"{api[name]}/status" for name in members], max_seconds=600)
    sampler.start()
    try:
        playbook = subprocess.run(
            [
                "ansible-playbook",
                "--inventory",
                pytestconfig.getoption("ansible_inventory"),
                "--extra-vars",
                json.dumps({"alertmanager_data_retention": "121h"}),
                converge,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        sampler.finished.set()
        sampler.join()
    assert playbook.returncode == 0, playbook.stdout[-4000:]
    pids_after = {name: main_pid(rig_hosts[name]) for name in members}
    assert all(pids_after[name] != pids_before[name] for name in members), (pids_before, pids_after)
    assert len(sampler.samples) > 20, "the sampler did not run through the restart"
    assert min(sampler.samples) >= len(members) - 1, sampler.samples
