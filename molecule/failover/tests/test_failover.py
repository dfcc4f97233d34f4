"""What the article's setup survives: one fault at a time, each healed before the next.

The tests run in file order, one per fault. Each starts by checking that the previous
fault is healed (both Alertmanagers ready in one mesh, both Prometheus replicas ready and
scraping every target), heals its own fault in a ``finally:``, and asserts on what the
receiver recorded and on the HTTP APIs. Faults are made with systemctl inside the hosts,
or, for the partition, with nftables rules in the two Alertmanagers' network
namespaces. What each step measured is printed (the verifier runs with ``-s``) and
kept in ``$MOLECULE_EPHEMERAL_DIRECTORY/failover-results.json`` until the scenario ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from receiver import Receiver, duplicate_notifications, summarize
from rig import main_pid, run_playbook, wait_for
from sampler import AnsweringSampler

ALERTMANAGER_PORT = 9093
CLUSTER_PORT = 9094
PROMETHEUS_PORT = 9090
RECEIVER_PORT = 9099
HOOK_PATH = "/hook/failover"
GROUP_WAIT = 5.0
GROUP_INTERVAL = 30.0
# The role's defaults, which the scenario keeps.
SILENCES_SNAPSHOT = "/var/lib/alertmanager/silences"
ALERTMANAGER_SERVICE = "alertmanager.service"
ALERTMANAGER_UNIT = f"/etc/systemd/system/{ALERTMANAGER_SERVICE}"
# A fresh alert needs a scrape and an evaluation (5 s each), then group_wait.
DELIVERY_TIMEOUT = 120.0
# Prometheus resends a firing alert to the Alertmanagers once a minute.
WATCHDOG_TIMEOUT = 150.0
HEAL_TIMEOUT = 180.0
# memberlist declares a silent peer dead within seconds (about 10 s here).
SPLIT_TIMEOUT = 60.0
# A member that lost its peer retries the join every 10 s, and each join exchanges the
# full state; the periodic push-pull (1 min) would catch up anyway.
SILENCE_HEAL_TIMEOUT = 150.0
REPLICATION_TIMEOUT = 30.0
SAMPLER_TIMEOUT = 900.0
COMMAND_TIMEOUT = 30.0
PARTITION_TABLE = "alertmesh_partition"
PARTITION_HOOK = "{ type filter hook input priority 0; policy accept; }"


def get_json(url: str, **params: str) -> Any:
    """The decoded answer of ``url``, or None when it does not answer with 200."""
    with contextlib.suppress(requests.RequestException, ValueError):
        answer = requests.get(url, params=params, timeout=5)
        if answer.status_code == 200:
            return answer.json()
    return None


def parse_time(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


@pytest.fixture(scope="module")
def alertmanagers(group_members) -> list[str]:
    return group_members["alertmanagers"]


@pytest.fixture(scope="module")
def replicas(group_members) -> list[str]:
    return group_members["prometheus"]


@pytest.fixture(scope="module")
def am_api(alertmanagers, hostvars) -> dict[str, str]:
    return {
        name: f"http://{hostvars[name]['rig_ipv4']}:{ALERTMANAGER_PORT}/api/v2"
        for name in alertmanagers
    }


@pytest.fixture(scope="module")
def prometheus_url(replicas, hostvars) -> dict[str, str]:
    return {name: f"http://{hostvars[name]['rig_ipv4']}:{PROMETHEUS_PORT}" for name in replicas}


@pytest.fixture(scope="module")
def instance(hostvars, alertmanagers, replicas) -> dict[str, str]:
    """The ``instance`` label that Prometheus scrapes each host under."""
    ports = {name: ALERTMANAGER_PORT for name in alertmanagers}
    ports.update({name: PROMETHEUS_PORT for name in replicas})
    return {name: f"{hostvars[name]['rig_ipv4']}:{port}" for name, port in ports.items()}


@pytest.fixture(scope="module")
def receiver(hostvars) -> Receiver:
    return Receiver(f"http://{hostvars['receiver']['rig_ipv4']}:{RECEIVER_PORT}")


@pytest.fixture(scope="module")
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


@pytest.fixture(scope="module")
def test_silences() -> list[str]:
    """IDs of the silences the steps create; later steps check that none is lost."""
    return []


@pytest.fixture(scope="module")
def mesh(am_api, alertmanagers, prometheus_url, replicas, hostvars):
    return Mesh(am_api, alertmanagers, prometheus_url, replicas, hostvars)


class Mesh:
    """The scenario's Alertmanagers and Prometheus replicas, seen through their APIs."""

    def __init__(self, am_api, alertmanagers, prometheus_url, replicas, hostvars) -> None:
        self.am_api = am_api
        self.alertmanagers = alertmanagers
        self.prometheus_url = prometheus_url
        self.replicas = replicas
        self.cluster_address = {
            name: f"{hostvars[name]['rig_ipv4']}:{CLUSTER_PORT}" for name in alertmanagers
        }

    def peers(self, name: str) -> list[str] | None:
        """The mesh members ``name`` sees (itself included), None if it does not answer."""
        status = get_json(f"{self.am_api[name]}/status")
        if status is None:
            return None
        return sorted(peer["address"] for peer in status["cluster"]["peers"])

    def problems(self) -> list[str]:
        """What keeps the setup from its healthy state; empty when healthy."""
        problems = []
        everyone = sorted(self.cluster_address.values())
        for name in self.alertmanagers:
            peers = self.peers(name)
            if peers != everyone:
                problems.append(f"{name} sees mesh members {peers}, not {everyone}")
        targets = len(self.alertmanagers) + len(self.replicas)
        for name in self.replicas:
            answer = get_json(f"{self.prometheus_url[name]}/api/v1/query", query="count(up == 1)")
            scraped = answer["data"]["result"] if answer else None
            if not scraped or scraped[0]["value"][1] != str(targets):
                problems.append(f"{name} does not scrape all {targets} targets up: {scraped}")
        return problems

    def wait_healthy(self) -> None:
        assert wait_for(lambda: not self.problems(), HEAL_TIMEOUT, interval=2), self.problems()

    def alerts(self, name: str, alertname: str) -> list[dict[str, Any]]:
        return get_json(f"{self.am_api[name]}/alerts", filter=f'alertname="{alertname}"') or []

    def silence_ids(self, name: str) -> set[str] | None:
        """IDs of the active silences on ``name``, None if it does not answer."""
        silences = get_json(f"{self.am_api[name]}/silences")
        if silences is None:
            return None
        return {silence["id"] for silence in silences if silence["status"]["state"] == "active"}

    def create_silence(self, name: str, comment: str) -> str:
        """A 4 h silence on ``name`` that matches no real alert; returns its ID."""
        now = datetime.now(UTC)
        silence = {
            "matchers": [
                {"name": "alertmesh_failover", "value": str(uuid.uuid4()), "isRegex": False}
            ],
            "startsAt": now.isoformat(),
            "endsAt": (now + timedelta(hours=4)).isoformat(),
            "createdBy": "molecule failover",
            "comment": comment,
        }
        answer = requests.post(f"{self.am_api[name]}/silences", json=silence, timeout=5)
        assert answer.status_code == 200, (name, answer.status_code, answer.text)
        return answer.json()["silenceID"]

    def missing_silences(self, silence_ids: list[str]) -> dict[str, list[str]]:
        """The IDs that some Alertmanager does not hold as active, by Alertmanager."""
        missing = {}
        for name in self.alertmanagers:
            active = self.silence_ids(name) or set()
            absent = sorted(set(silence_ids) - active)
            if absent:
                missing[name] = absent
        return missing

    def scraped_up(self, replica: str, job: str) -> dict[str, str]:
        """Each target of ``job`` that ``replica`` scrapes, and its last ``up`` value."""
        answer = get_json(
            f"{self.prometheus_url[replica]}/api/v1/query", query=f'up{{job="{job}"}}'
        )
        result = answer["data"]["result"] if answer else []
        return {sample["metric"]["instance"]: sample["value"][1] for sample in result}


def firing(records, alertname: str, instance: str) -> list[dict[str, Any]]:
    """The notifications to the scenario's hook with ``alertname`` firing on ``instance``."""
    return [
        record
        for record in records
        if record["path"] == HOOK_PATH
        and any(
            alert["status"] == "firing"
            and alert["labels"].get("alertname") == alertname
            and alert["labels"].get("instance") == instance
            for alert in record["body"]["alerts"]
        )
    ]


def nft(container: str, *arguments: str) -> subprocess.CompletedProcess:
    """Run ``nft ARGUMENTS`` in ``container``'s network namespace, from the podman host."""
    pid = subprocess.run(
        ["podman", "inspect", "--format", "{{.State.Pid}}", container],
        check=True,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    ).stdout.strip()
    return subprocess.run(
        ["nsenter", "--target", pid, "--net", "nft", *arguments],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )


@contextlib.contextmanager
def partitioned(first: dict[str, Any], second: dict[str, Any]) -> Iterator[None]:
    """Cut the path between two hosts, and only that; heal it on exit.

    Each host silently drops every packet that arrives from the other, as a broken
    network would. A blackhole route or an outgoing drop would not do: the sender gets an
    error at once, which memberlist takes for a local fault, so the peers never fail.
    """
    ends = [(first, second), (second, first)]
    try:
        for host, other in ends:
            for command in (
                ["add", "table", "inet", PARTITION_TABLE],
                ["add", "chain", "inet", PARTITION_TABLE, "input", PARTITION_HOOK],
                [
                    "add",
                    "rule",
                    "inet",
                    PARTITION_TABLE,
                    "input",
                    "ip",
                    "saddr",
                    other["rig_ipv4"],
                    "drop",
                ],
            ):
                added = nft(host["rig_container"], *command)
                assert added.returncode == 0, (host["rig_container"], command, added.stderr)
        yield
    finally:
        for host, _ in ends:
            nft(host["rig_container"], "delete", "table", "inet", PARTITION_TABLE)
        for host, _ in ends:
            tables = nft(host["rig_container"], "list", "tables").stdout
            assert PARTITION_TABLE not in tables, (host["rig_container"], tables)


@contextlib.contextmanager
def stopped(rig_hosts, services: dict[str, str]) -> Iterator[float]:
    """Stop ``services`` (host name to unit) and yield when; start them again on exit."""
    try:
        for name, service in services.items():
            rig_hosts[name].run_expect([0], f"systemctl stop {service}")
        yield time.time()
    finally:
        for name, service in services.items():
            rig_hosts[name].run_expect([0], f"systemctl start {service}")


def test_1_one_alertmanager_down_a_new_alert_arrives_through_the_other(
    rig_hosts, hostvars, mesh, instance, receiver, results
):
    mesh.wait_healthy()
    with stopped(rig_hosts, {"am-1": "alertmanager"}) as stopped_at:
        records = receiver.wait_for(
            lambda records: firing(records, "AlertmeshTargetDown", instance["am-1"]),
            timeout=DELIVERY_TIMEOUT,
            since=stopped_at,
        )
        first = firing(records, "AlertmeshTargetDown", instance["am-1"])[0]
        assert first["remote_addr"] == hostvars["am-2"]["rig_ipv4"], summarize([first])
        on_am2 = [
            alert["labels"]["instance"]
            for alert in mesh.alerts("am-2", "AlertmeshTargetDown")
            if alert["status"]["state"] == "active"
        ]
        assert instance["am-1"] in on_am2, on_am2
        outage = time.time() - stopped_at
    mesh.wait_healthy()
    results(
        "1_am-1_down",
        {
            "delivery_seconds": round(first["received_at"] - stopped_at, 1),
            "notified_by": "am-2",
            "outage_seconds": round(outage, 1),
        },
    )


def test_2_an_alertmanager_and_a_prometheus_down_the_watchdog_and_notifications_go_on(
    rig_hosts, hostvars, mesh, instance, receiver, results
):
    mesh.wait_healthy()
    with stopped(rig_hosts, {"am-1": "alertmanager", "prom-1": "prometheus"}) as stopped_at:
        records = receiver.wait_for(
            lambda records: firing(records, "AlertmeshTargetDown", instance["prom-1"]),
            timeout=DELIVERY_TIMEOUT,
            since=stopped_at,
        )
        first = firing(records, "AlertmeshTargetDown", instance["prom-1"])[0]
        assert first["remote_addr"] == hostvars["am-2"]["rig_ipv4"], summarize([first])

        def watchdog_updated_at() -> float | None:
            """When am-2 last received the watchdog, if after prom-1 stopped (so from prom-2)."""
            updates = [
                parse_time(alert["updatedAt"])
                for alert in mesh.alerts("am-2", "AlertmeshWatchdog")
                if alert["status"]["state"] == "active"
            ]
            latest = max(updates, default=0.0)
            return latest if latest > stopped_at else None

        watchdog_at = wait_for(watchdog_updated_at, WATCHDOG_TIMEOUT, interval=2)
        assert watchdog_at, f"am-2 got no AlertmeshWatchdog in {WATCHDOG_TIMEOUT:g}s without prom-1"
        outage = time.time() - stopped_at
    mesh.wait_healthy()
    results(
        "2_am-1_and_prom-1_down",
        {
            "delivery_seconds": round(first["received_at"] - stopped_at, 1),
            "notified_by": "am-2",
            "watchdog_on_am-2_after_seconds": round(watchdog_at - stopped_at, 1),
            "outage_seconds": round(outage, 1),
        },
    )


def test_3_partitioned_alertmanagers_fail_open_and_merge_silences_after_healing(
    hostvars, mesh, instance, receiver, results, test_silences
):
    mesh.wait_healthy()
    # An AlertmeshMeshIncomplete left from the last fault must be resolved, and that flushed
    # to the notification log at the group's next group_interval: until then the log holds
    # it as notified, and the partition's new firing of the same alert would send nothing.
    assert wait_for(
        lambda: (
            not any(mesh.alerts(name, "AlertmeshMeshIncomplete") for name in mesh.alertmanagers)
        ),
        HEAL_TIMEOUT,
        interval=2,
    ), {name: mesh.alerts(name, "AlertmeshMeshIncomplete") for name in mesh.alertmanagers}
    time.sleep(GROUP_INTERVAL + GROUP_WAIT)
    alertmanager_of = {hostvars[name]["rig_ipv4"]: name for name in mesh.alertmanagers}
    cut_at = time.time()
    with partitioned(hostvars["am-1"], hostvars["am-2"]):
        alone = wait_for(
            lambda: all(
                mesh.peers(name) == [mesh.cluster_address[name]] for name in mesh.alertmanagers
            ),
            SPLIT_TIMEOUT,
        )
        assert alone, {name: mesh.peers(name) for name in mesh.alertmanagers}
        split_at = time.time()
        silence_id = mesh.create_silence("am-2", "created on am-2 during the partition")
        test_silences.append(silence_id)
        # Each side raises its own AlertmeshMeshIncomplete, a new group, and notifies.
        receiver.wait_for(
            lambda records: all(
                firing(records, "AlertmeshMeshIncomplete", instance[name])
                for name in mesh.alertmanagers
            ),
            timeout=DELIVERY_TIMEOUT,
            since=cut_at,
        )
        # Let the other side's copies (fail-open duplicates) arrive before healing.
        time.sleep(GROUP_WAIT + 10)
        for replica in mesh.replicas:
            scraped = mesh.scraped_up(replica, "alertmanager")
            assert scraped == {instance[name]: "1" for name in mesh.alertmanagers}, (
                f"{replica} lost an Alertmanager during the partition: {scraped}"
            )
        assert silence_id not in (mesh.silence_ids("am-1") or set()), (
            "the silence reached am-1 through the partition"
        )
        healed_at = time.time()
    during = [
        record for record in receiver.notifications(cut_at) if record["received_at"] < healed_at
    ]
    duplicates = duplicate_notifications(during, GROUP_INTERVAL)
    print("notifications during the partition:\n" + summarize(during))

    assert wait_for(
        lambda: silence_id in (mesh.silence_ids("am-1") or set()), SILENCE_HEAL_TIMEOUT
    ), f"silence {silence_id} from am-2 not on am-1 {SILENCE_HEAL_TIMEOUT:g}s after healing"
    silence_healed_at = time.time()
    mesh.wait_healthy()
    results(
        "3_am-1_am-2_partition",
        {
            "split_detected_seconds": round(split_at - cut_at, 1),
            "partition_seconds": round(healed_at - cut_at, 1),
            "notifications": len(during),
            "notifications_by_alertmanager": dict(
                Counter(alertmanager_of.get(record["remote_addr"], "?") for record in during)
            ),
            "duplicates": len(duplicates),
            "silence_on_am-1_after_heal_seconds": round(silence_healed_at - healed_at, 1),
        },
    )


def test_4_a_rolling_restart_through_the_role_loses_no_silence_and_never_all_members(
    rig_hosts, mesh, pytestconfig, results, test_silences
):
    mesh.wait_healthy()
    for name in mesh.alertmanagers:
        test_silences.append(mesh.create_silence(name, "created before the rolling restart"))
    assert wait_for(lambda: not mesh.missing_silences(test_silences), REPLICATION_TIMEOUT), (
        mesh.missing_silences(test_silences)
    )
    before = {name: mesh.silence_ids(name) for name in mesh.alertmanagers}
    pids_before = {
        name: main_pid(rig_hosts[name], ALERTMANAGER_SERVICE) for name in mesh.alertmanagers
    }
    # A flag change restarts every member; toggling keeps `molecule verify` repeatable.
    unit = rig_hosts["am-1"].file(ALERTMANAGER_UNIT).content_string
    retention = "120h" if "--data.retention=121h" in unit else "121h"
    sampler = AnsweringSampler(
        [f"{mesh.am_api[name]}/status" for name in mesh.alertmanagers], SAMPLER_TIMEOUT
    )
    started_at = time.time()
    sampler.start()
    try:
        playbook = run_playbook(
            pytestconfig, "converge.yml", {"alertmanager_data_retention": retention}
        )
    finally:
        sampler.finished.set()
        sampler.join()
    assert playbook.returncode == 0, playbook.stdout[-4000:]
    pids_after = {
        name: main_pid(rig_hosts[name], ALERTMANAGER_SERVICE) for name in mesh.alertmanagers
    }
    assert all(pids_after[name] != pids_before[name] for name in mesh.alertmanagers), (
        pids_before,
        pids_after,
    )
    after = {name: mesh.silence_ids(name) or set() for name in mesh.alertmanagers}
    lost = {name: sorted(before[name] - after[name]) for name in mesh.alertmanagers}
    assert not any(lost.values()), lost
    assert len(sampler.samples) > 20, "the sampler did not run through the restart"
    assert min(sampler.samples) >= 1, sampler.samples
    results(
        "4_rolling_restart",
        {
            "flag": f"--data.retention={retention}",
            "converge_seconds": round(time.time() - started_at, 1),
            "silences_before": {name: len(before[name]) for name in mesh.alertmanagers},
            "silences_after": {name: len(after[name]) for name in mesh.alertmanagers},
            "silences_lost": sum(len(ids) for ids in lost.values()),
            "samples": len(sampler.samples),
            "min_answering": min(sampler.samples),
        },
    )


def test_5_silences_persist_on_disk_through_a_stop_and_start_of_each_alertmanager(
    rig_hosts, mesh, results, test_silences
):
    mesh.wait_healthy()
    assert not mesh.missing_silences(test_silences), mesh.missing_silences(test_silences)
    expected = set.intersection(*(mesh.silence_ids(name) for name in mesh.alertmanagers))
    sampler = AnsweringSampler(
        [f"{mesh.am_api[name]}/status" for name in mesh.alertmanagers], SAMPLER_TIMEOUT
    )
    downtime = {}
    sampler.start()
    try:
        for name in mesh.alertmanagers:
            with stopped(rig_hosts, {name: "alertmanager"}) as stopped_at:
                assert mesh.peers(name) is None, f"{name} still answers after systemctl stop"
                snapshot = rig_hosts[name].file(SILENCES_SNAPSHOT).content
                not_on_disk = sorted(id_ for id_ in expected if id_.encode() not in snapshot)
                assert not not_on_disk, f"{name}: not in {SILENCES_SNAPSHOT}: {not_on_disk}"
            mesh.wait_healthy()
            downtime[name] = round(time.time() - stopped_at, 1)
    finally:
        sampler.finished.set()
        sampler.join()
    after = {name: mesh.silence_ids(name) or set() for name in mesh.alertmanagers}
    lost = {name: sorted(expected - after[name]) for name in mesh.alertmanagers}
    assert not any(lost.values()), lost
    assert min(sampler.samples) >= 1, sampler.samples
    results(
        "5_stop_start_each_alertmanager",
        {
            "silences_before": len(expected),
            "silences_after": {name: len(after[name]) for name in mesh.alertmanagers},
            "silences_lost": sum(len(ids) for ids in lost.values()),
            "stop_to_healthy_seconds": downtime,
            "min_answering": min(sampler.samples),
        },
    )
