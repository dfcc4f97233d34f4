"""Rolling upgrades through the role, as users run them, after the faults of test_failover.py.

The hosts run Prometheus 2.42.0 and Alertmanager 0.25.0 from the release mirror. Each
upgrade sets ``prometheus_version`` and ``alertmanager_version`` and runs converge.yml
(site.yml), first to 2.53.3 / 0.28.1, then to 3.5.3 / 0.33.1, while samplers watch
every Alertmanager's API: one answers at every moment, and none ever holds the watchdog
twice (the replicas' alerts deduplicate, mixed-version window included). Afterwards no
silence is lost and the watchdog's notifications, repeated each minute on a route of
their own, kept coming. Last, downgrades that would lose data are refused by preflight
before any host changes.
"""

from __future__ import annotations

import itertools
import time

import pytest
from fleet import (
    ALERTMANAGER_SERVICE,
    GROUP_INTERVAL,
    REPLICATION_TIMEOUT,
    SAMPLER_TIMEOUT,
    WATCHDOG,
    WATCHDOG_HOOK,
    WATCHDOG_TIMEOUT,
    get_json,
)
from rig import main_pid, run_playbook, wait_for
from sampler import AlertCountSampler, AnsweringSampler

UPGRADES = [
    {"alertmanager_version": "0.28.1", "prometheus_version": "2.53.3"},
    {"alertmanager_version": "0.33.1", "prometheus_version": "3.5.3"},
]
WATCHDOG_REPEAT_INTERVAL = 60.0
# A repeat falls due at a group_interval tick; a member that restarted waits its mesh
# position times the 15 s peer timeout before it notifies, and delivery takes seconds.
NOTIFICATION_GAP_LIMIT = WATCHDOG_REPEAT_INTERVAL + GROUP_INTERVAL + 45.0
BINARIES = {
    "alertmanager": "/usr/local/bin/alertmanager",
    "prometheus": "/usr/local/bin/prometheus",
}


def running_versions(mesh) -> dict[str, str | None]:
    """The version each member's running process reports through its API (Debian's
    builds say ``0.28.1+ds``), None for a member that does not answer."""
    answers = {
        name: (get_json(f"{mesh.am_api[name]}/status") or {}).get("versionInfo", {})
        for name in mesh.alertmanagers
    } | {
        name: (get_json(f"{mesh.prometheus_url[name]}/api/v1/status/buildinfo") or {}).get(
            "data", {}
        )
        for name in mesh.replicas
    }
    return {
        name: answer.get("version", "").split("+")[0] or None for name, answer in answers.items()
    }


def watchdog_notified_at(receiver, since: float) -> list[float]:
    return [
        record["received_at"]
        for record in receiver.notifications(since)
        if record["path"] == WATCHDOG_HOOK
    ]


@pytest.mark.parametrize(
    "versions", UPGRADES, ids=lambda versions: "-".join(sorted(versions.values()))
)
def test_6_a_rolling_upgrade_loses_no_silence_no_alert_and_no_notification(
    versions, mesh, receiver, pytestconfig, results
):
    mesh.wait_healthy()
    created = [
        mesh.create_silence(name, f"created before the upgrade to {versions}")
        for name in mesh.alertmanagers
    ]
    assert wait_for(lambda: not mesh.missing_silences(created), REPLICATION_TIMEOUT), (
        mesh.missing_silences(created)
    )
    before = set.intersection(*(mesh.silence_ids(name) for name in mesh.alertmanagers))
    answering = AnsweringSampler(
        [f"{mesh.am_api[name]}/status" for name in mesh.alertmanagers], SAMPLER_TIMEOUT
    )
    watchdogs = AlertCountSampler(mesh.am_api, WATCHDOG, SAMPLER_TIMEOUT)
    started_at = time.time()
    answering.start()
    watchdogs.start()
    try:
        playbook = run_playbook(pytestconfig, "converge.yml", versions)
    finally:
        for sampler in (answering, watchdogs):
            sampler.finished.set()
            sampler.join()
    ended_at = time.time()
    assert playbook.returncode == 0, playbook.stdout[-4000:]

    mesh.wait_healthy()
    running = running_versions(mesh)
    wanted = {name: versions["alertmanager_version"] for name in mesh.alertmanagers} | {
        name: versions["prometheus_version"] for name in mesh.replicas
    }
    assert running == wanted

    after = {name: mesh.silence_ids(name) or set() for name in mesh.alertmanagers}
    lost = {name: sorted(before - after[name]) for name in mesh.alertmanagers}
    assert not any(lost.values()), lost

    assert len(answering.samples) > 20, "the sampler did not run through the upgrade"
    assert min(answering.samples) >= 1, answering.samples
    most_held = max(
        (count for sample in watchdogs.samples for count in sample.values() if count is not None),
        default=0,
    )
    assert most_held == 1, f"an Alertmanager held {most_held} watchdog alerts at once"
    # A restarted member holds the watchdog again once Prometheus resends it (each minute).
    held = wait_for(
        lambda: all(len(mesh.alerts(name, WATCHDOG)) == 1 for name in mesh.alertmanagers),
        WATCHDOG_TIMEOUT,
        interval=2,
    )
    assert held, {name: mesh.alerts(name, WATCHDOG) for name in mesh.alertmanagers}

    # The watchdog's notifications from the last one before the upgrade to the first after.
    first_after = wait_for(
        lambda: watchdog_notified_at(receiver, ended_at), NOTIFICATION_GAP_LIMIT, interval=2
    )
    assert first_after, f"no watchdog notification within {NOTIFICATION_GAP_LIMIT:g}s after"
    timeline = watchdog_notified_at(receiver, started_at - NOTIFICATION_GAP_LIMIT)
    timeline = [stamp for stamp in timeline if stamp <= first_after[0]]
    assert timeline[0] <= started_at, "no watchdog notification in the interval before"
    gaps = [later - earlier for earlier, later in itertools.pairwise(timeline)]
    assert max(gaps) <= NOTIFICATION_GAP_LIMIT, gaps

    no_watchdog_anywhere = sum(
        1 for sample in watchdogs.samples if not any(count == 1 for count in sample.values())
    )
    results(
        f"6_upgrade_to_{versions['prometheus_version']}_{versions['alertmanager_version']}",
        {
            "converge_seconds": round(ended_at - started_at, 1),
            "silences_before": len(before),
            "silences_lost": sum(len(ids) for ids in lost.values()),
            "min_answering": min(answering.samples),
            "most_watchdogs_held": most_held,
            "samples_without_watchdog_anywhere": no_watchdog_anywhere,
            "samples": len(watchdogs.samples),
            "longest_notification_gap_seconds": round(max(gaps), 1),
        },
    )


@pytest.mark.parametrize(
    ("downgrade", "message"),
    [
        (
            {"alertmanager_version": "0.28.1", "prometheus_version": "3.5.3"},
            "set alertmanager_allow_downgrade to true",
        ),
        (
            {"alertmanager_version": "0.33.1", "prometheus_version": "2.42.0"},
            "Set prometheus_version to 2.55.0 or newer",
        ),
    ],
    ids=["alertmanager-0.28.1", "prometheus-2.42.0"],
)
def test_7_an_unsafe_downgrade_is_refused_before_any_host_changes(
    downgrade, message, rig_hosts, mesh, pytestconfig
):
    def state() -> dict[str, tuple[str, int]]:
        services = {name: "alertmanager" for name in mesh.alertmanagers}
        services |= {name: "prometheus" for name in mesh.replicas}
        return {
            name: (
                rig_hosts[name].file(BINARIES[service]).sha256sum,
                main_pid(
                    rig_hosts[name],
                    ALERTMANAGER_SERVICE if service == "alertmanager" else "prometheus.service",
                ),
            )
            for name, service in services.items()
        }

    before = state()
    playbook = run_playbook(pytestconfig, "converge.yml", downgrade)
    # ansible-core 2.19 and newer print a failed task's message on stderr.
    output = " ".join((playbook.stdout + playbook.stderr).split())
    assert playbook.returncode != 0, output[-3000:]
    assert message in output, output[-3000:]
    assert state() == before
