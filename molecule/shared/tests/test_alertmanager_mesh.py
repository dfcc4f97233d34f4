"""The Alertmanager mesh as the role leaves it, checked through the live hosts and APIs.

Shared by the mesh (archive) and package scenarios. The rolling restart test changes a
flag and must stay last in this file.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from rig import main_pid, run_playbook, wait_for
from sampler import AnsweringSampler

WEB_PORT = 9093
CLUSTER_PORT = 9094
REPLICATION_TIMEOUT = 30.0


@pytest.fixture(scope="module")
def members(group_members) -> list[str]:
    return group_members["alertmanagers"]


@pytest.fixture(scope="module")
def api(members, hostvars) -> dict[str, str]:
    return {name: f"http://{hostvars[name]['rig_ipv4']}:{WEB_PORT}/api/v2" for name in members}


def test_service_runs_enabled_as_the_alertmanager_user(rig_hosts, members):
    for name in members:
        host = rig_hosts[name]
        assert host.service("alertmanager").is_running, name
        assert host.service("alertmanager").is_enabled, name
        assert (
            host.check_output(f"ps -o user= -p {main_pid(host, 'alertmanager')}") == "alertmanager"
        ), name
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


def test_a_flag_change_restarts_members_one_at_a_time(rig_hosts, api, members, pytestconfig):
    pids_before = {name: main_pid(rig_hosts[name], "alertmanager") for name in members}
    sampler = AnsweringSampler([f"{api[name]}/status" for name in members], max_seconds=600)
    sampler.start()
    try:
        playbook = run_playbook(
            pytestconfig, "converge.yml", {"alertmanager_data_retention": "121h"}
        )
    finally:
        sampler.finished.set()
        sampler.join()
    assert playbook.returncode == 0, playbook.stdout[-4000:]
    pids_after = {name: main_pid(rig_hosts[name], "alertmanager") for name in members}
    assert all(pids_after[name] != pids_before[name] for name in members), (pids_before, pids_after)
    assert len(sampler.samples) > 20, "the sampler did not run through the restart"
    assert min(sampler.samples) >= len(members) - 1, sampler.samples
