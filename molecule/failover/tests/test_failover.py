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
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from fleet import (
    ALERTMANAGER_CONFIG,
    ALERTMANAGER_PORT,
    ALERTMANAGER_SERVICE,
    ALERTMANAGER_UNIT,
    DELIVERY_TIMEOUT,
    GROUP_INTERVAL,
    GROUP_WAIT,
    PROMETHEUS_CONFIG,
    REPLICATION_TIMEOUT,
    RESOLVE_TIMEOUT,
    SAMPLER_TIMEOUT,
    SEND_ERROR_RESOLVE_TIMEOUT,
    SEND_ERROR_TIMEOUT,
    SILENCE_HEAL_TIMEOUT,
    SILENCES_SNAPSHOT,
    SPLIT_TIMEOUT,
    WATCHDOG,
    WATCHDOG_HOOK,
    WATCHDOG_TIMEOUT,
    firing,
    parse_time,
    resolved,
)
from receiver import alert_names, duplicate_notifications, summarize
from rig import main_pid, run_playbook, wait_for
from sampler import AnsweringSampler

COMMAND_TIMEOUT = 30.0
# The self-monitoring alerts (roles/prometheus/templates/alertmesh-self-monitoring.rules.yml.j2)
# that tell the operator of each fault.
ALERTMANAGER_DOWN = "AlertmeshAlertmanagerDown"
PROMETHEUS_DOWN = "AlertmeshPrometheusDown"
MEMBERS_INCONSISTENT = "AlertmeshAlertmanagerMembersInconsistent"
ERROR_SENDING = "AlertmeshPrometheusErrorSendingAlerts"
ALERTMANAGER_RELOAD_FAILED = "AlertmeshAlertmanagerReloadFailed"
PROMETHEUS_BAD_CONFIG = "AlertmeshPrometheusBadConfig"
PARTITION_TABLE = "alertmesh_partition"
PARTITION_HOOK = "{ type filter hook input priority 0; policy accept; }"


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
def dropping(cuts: list[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[None]:
    """For each (host, other) in ``cuts``, host silently drops what other sends; undone on exit.

    A broken network drops silently. A blackhole route or an outgoing drop would not do:
    the sender gets an error at once, which memberlist takes for a local fault, so the
    peers never fail.
    """
    hosts = list({host["rig_container"]: host for host, _ in cuts}.values())
    try:
        for host, other in cuts:
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
        for host in hosts:
            nft(host["rig_container"], "delete", "table", "inet", PARTITION_TABLE)
        for host in hosts:
            tables = nft(host["rig_container"], "list", "tables").stdout
            assert PARTITION_TABLE not in tables, (host["rig_container"], tables)


def partitioned(first: dict[str, Any], second: dict[str, Any]) -> contextlib.AbstractContextManager:
    """Cut the path between two hosts, both ways, and only that; heal it on exit."""
    return dropping([(first, second), (second, first)])


@contextlib.contextmanager
def broken_config(host, path: str, service: str) -> Iterator[None]:
    """Break ``path`` as a hand edit past the role's validation would, and reload ``service``.

    The service keeps running its last good configuration. On exit the file is restored
    byte for byte and the service reloaded.
    """
    backup = f"{path}.alertmesh-failover"
    host.run_expect([0], f"cp -p {path} {backup} && echo 'route: [' >> {path}")
    try:
        host.run_expect([0], f"systemctl reload {service}")
        yield
    finally:
        host.run_expect([0], f"mv {backup} {path} && systemctl reload {service}")


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


def seconds_to_resolution(
    receiver,
    alertname: str,
    instance: str,
    healed_at: float | None = None,
    timeout: float = RESOLVE_TIMEOUT,
) -> float:
    """Wait until ``alertname`` on ``instance`` is notified resolved; seconds since healing."""
    healed_at = time.time() if healed_at is None else healed_at
    records = receiver.wait_for(
        lambda records: resolved(records, alertname, instance), timeout=timeout, since=healed_at
    )
    return round(resolved(records, alertname, instance)[0]["received_at"] - healed_at, 1)


def test_1_one_alertmanager_down_a_new_alert_arrives_through_the_other(
    rig_hosts, hostvars, mesh, instance, receiver, results
):
    mesh.wait_healthy()
    with stopped(rig_hosts, {"am-1": "alertmanager"}) as stopped_at:
        records = receiver.wait_for(
            lambda records: firing(records, ALERTMANAGER_DOWN, instance["am-1"]),
            timeout=DELIVERY_TIMEOUT,
            since=stopped_at,
        )
        first = firing(records, ALERTMANAGER_DOWN, instance["am-1"])[0]
        assert first["remote_addr"] == hostvars["am-2"]["rig_ipv4"], summarize([first])
        on_am2 = [
            alert["labels"]["instance"]
            for alert in mesh.alerts("am-2", ALERTMANAGER_DOWN)
            if alert["status"]["state"] == "active"
        ]
        assert instance["am-1"] in on_am2, on_am2
        outage = time.time() - stopped_at
    resolved_after = seconds_to_resolution(receiver, ALERTMANAGER_DOWN, instance["am-1"])
    mesh.wait_healthy()
    results(
        "1_am-1_down",
        {
            "alert": ALERTMANAGER_DOWN,
            "delivery_seconds": round(first["received_at"] - stopped_at, 1),
            "notified_by": "am-2",
            "outage_seconds": round(outage, 1),
            "resolved_after_healing_seconds": resolved_after,
        },
    )


def test_2_an_alertmanager_and_a_prometheus_down_the_watchdog_and_notifications_go_on(
    rig_hosts, hostvars, mesh, instance, receiver, results
):
    mesh.wait_healthy()
    with stopped(rig_hosts, {"am-1": "alertmanager", "prom-1": "prometheus"}) as stopped_at:
        records = receiver.wait_for(
            lambda records: firing(records, PROMETHEUS_DOWN, instance["prom-1"]),
            timeout=DELIVERY_TIMEOUT,
            since=stopped_at,
        )
        first = firing(records, PROMETHEUS_DOWN, instance["prom-1"])[0]
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
    resolved_after = seconds_to_resolution(receiver, PROMETHEUS_DOWN, instance["prom-1"])
    mesh.wait_healthy()
    results(
        "2_am-1_and_prom-1_down",
        {
            "alert": PROMETHEUS_DOWN,
            "delivery_seconds": round(first["received_at"] - stopped_at, 1),
            "resolved_after_healing_seconds": resolved_after,
            "notified_by": "am-2",
            "watchdog_on_am-2_after_seconds": round(watchdog_at - stopped_at, 1),
            "outage_seconds": round(outage, 1),
        },
    )


def test_3_partitioned_alertmanagers_fail_open_and_merge_silences_after_healing(
    hostvars, mesh, instance, receiver, results, test_silences
):
    mesh.wait_healthy()
    # A members alert left from the last fault would hide the partition's.
    mesh.wait_resolved_and_flushed(MEMBERS_INCONSISTENT)
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
        # Each side reports the missing member, each a new group, and notifies.
        reported = receiver.wait_for(
            lambda records: all(
                firing(records, MEMBERS_INCONSISTENT, instance[name]) for name in mesh.alertmanagers
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
    reported_after = {
        name: round(
            firing(reported, MEMBERS_INCONSISTENT, instance[name])[0]["received_at"] - cut_at, 1
        )
        for name in mesh.alertmanagers
    }
    resolved_after = {
        name: seconds_to_resolution(receiver, MEMBERS_INCONSISTENT, instance[name], healed_at)
        for name in mesh.alertmanagers
    }

    assert wait_for(
        lambda: silence_id in (mesh.silence_ids("am-1") or set()), SILENCE_HEAL_TIMEOUT
    ), f"silence {silence_id} from am-2 not on am-1 {SILENCE_HEAL_TIMEOUT:g}s after healing"
    silence_healed_at = time.time()
    mesh.wait_healthy()
    results(
        "3_am-1_am-2_partition",
        {
            "alert": MEMBERS_INCONSISTENT,
            "delivery_seconds": reported_after,
            "resolved_after_healing_seconds": resolved_after,
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


def test_6_configs_broken_by_hand_and_reloaded_are_reported_and_resolve(
    rig_hosts, mesh, instance, receiver, results, pytestconfig
):
    mesh.wait_healthy()
    broken_on = {ALERTMANAGER_RELOAD_FAILED: "am-2", PROMETHEUS_BAD_CONFIG: "prom-2"}
    broken_at = time.time()
    with (
        broken_config(rig_hosts["am-2"], ALERTMANAGER_CONFIG, "alertmanager"),
        broken_config(rig_hosts["prom-2"], PROMETHEUS_CONFIG, "prometheus"),
    ):
        records = receiver.wait_for(
            lambda records: all(
                firing(records, alert, instance[name]) for alert, name in broken_on.items()
            ),
            timeout=DELIVERY_TIMEOUT,
            since=broken_at,
        )
        # Both go on with their last good configuration.
        assert not mesh.problems(), mesh.problems()
        # The proof of a deployment refuses a setup whose self-monitoring alerts fire.
        proof = run_playbook(
            pytestconfig, "../../playbooks/verify.yml", {"alertmesh_verify_timeout": 15}
        )
        healed_at = time.time()
    proof_output = proof.stdout + proof.stderr
    assert proof.returncode != 0, proof_output[-4000:]
    for alert, name in broken_on.items():
        assert f"reports {alert} " in proof_output, (alert, proof_output[-4000:])
        assert instance[name] in proof_output, (name, proof_output[-4000:])
    reported_after = {
        alert: round(firing(records, alert, instance[name])[0]["received_at"] - broken_at, 1)
        for alert, name in broken_on.items()
    }
    resolved_after = {
        alert: seconds_to_resolution(receiver, alert, instance[name], healed_at)
        for alert, name in broken_on.items()
    }
    mesh.wait_healthy()
    results(
        "6_configs_broken_on_am-2_and_prom-2",
        {
            "delivery_seconds": reported_after,
            "resolved_after_healing_seconds": resolved_after,
        },
    )


def test_7_a_replica_cut_from_one_alertmanager_is_reported_and_resolves(
    hostvars, mesh, instance, receiver, results
):
    mesh.wait_healthy()
    # Earlier faults stopped Alertmanagers, which the replicas failed to send to: those
    # alerts would stand in for this fault's.
    mesh.wait_resolved_and_flushed(ERROR_SENDING)
    to_am2 = {
        "alertmanager": f"http://{hostvars['am-2']['rig_ipv4']}:{ALERTMANAGER_PORT}/api/v2/alerts"
    }
    cut_at = time.time()
    with dropping([(hostvars["am-2"], hostvars["prom-1"])]):
        records = receiver.wait_for(
            lambda records: firing(records, ERROR_SENDING, instance["prom-1"], **to_am2),
            timeout=SEND_ERROR_TIMEOUT,
            since=cut_at,
        )
        first = firing(records, ERROR_SENDING, instance["prom-1"], **to_am2)[0]
        healed_at = time.time()
    unaffected = firing(receiver.notifications(cut_at), ERROR_SENDING, instance["prom-2"], **to_am2)
    assert not unaffected, (
        "prom-2 reported errors sending to am-2, but only prom-1 was cut off:\n"
        + (summarize(unaffected))
    )
    records = receiver.wait_for(
        lambda records: resolved(records, ERROR_SENDING, instance["prom-1"], **to_am2),
        timeout=SEND_ERROR_RESOLVE_TIMEOUT,
        since=healed_at,
    )
    resolved_at = resolved(records, ERROR_SENDING, instance["prom-1"], **to_am2)[0]["received_at"]
    mesh.wait_healthy()
    results(
        "7_prom-1_cut_from_am-2",
        {
            "alert": ERROR_SENDING,
            "delivery_seconds": round(first["received_at"] - cut_at, 1),
            "notified_by": first["remote_addr"],
            "resolved_after_healing_seconds": round(resolved_at - healed_at, 1),
        },
    )


def test_8_the_watchdog_goes_to_the_heartbeat_receiver_alone(receiver):
    records = receiver.notifications()
    heartbeats = [record for record in records if record["path"] == WATCHDOG_HOOK]
    assert heartbeats, "no AlertmeshWatchdog reached the heartbeat hook"
    assert {name for record in heartbeats for name in alert_names([record])} == {WATCHDOG}
    elsewhere = [
        record
        for record in records
        if record["path"] != WATCHDOG_HOOK and WATCHDOG in alert_names([record])
    ]
    assert not elsewhere, "the watchdog reached a normal receiver:\n" + summarize(elsewhere)
