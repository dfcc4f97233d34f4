"""The article's setup end to end: hosts, both verify modules, and one notification per group.

The receiver records every notification the Alertmanagers send; with the notification log
gossiped between them, each alert group is notified once per group_interval, not once per
Alertmanager.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
import requests
from receiver import Receiver, alert_names, duplicate_notifications, summarize
from rig import run_playbook, wait_for

ALERTMANAGER_PORT = 9093
CLUSTER_PORT = 9094
PROMETHEUS_PORT = 9090
RECEIVER_PORT = 9099
GROUP_INTERVAL = 30.0
# A second Alertmanager that missed the first one's notification log entry notifies after
# its peer timeout (15 s per position in the mesh); watch at least one group_interval.
DUPLICATE_WINDOW = GROUP_INTERVAL + 15.0
FIRST_NOTIFICATION_TIMEOUT = 180.0


@pytest.fixture(scope="module")
def receiver(hostvars) -> Receiver:
    return Receiver(f"http://{hostvars['receiver']['rig_ipv4']}:{RECEIVER_PORT}")


def test_alertmanagers_run_as_their_user_and_listen_on_web_and_gossip_ports(
    rig_hosts, group_members
):
    for name in group_members["alertmanagers"]:
        host = rig_hosts[name]
        assert host.service("alertmanager").is_running, name
        assert host.service("alertmanager").is_enabled, name
        assert host.user("alertmanager").shell == "/usr/sbin/nologin", name
        assert host.file("/etc/alertmanager/alertmanager.yml").group == "alertmanager", name
        for socket in (
            f"tcp://{ALERTMANAGER_PORT}",
            f"tcp://{CLUSTER_PORT}",
            f"udp://{CLUSTER_PORT}",
        ):
            assert host.socket(socket).is_listening, (name, socket)


def test_prometheus_replicas_run_as_their_user_and_listen(rig_hosts, group_members):
    for name in group_members["prometheus"]:
        host = rig_hosts[name]
        assert host.service("prometheus").is_running, name
        assert host.service("prometheus").is_enabled, name
        assert host.user("prometheus").shell == "/usr/sbin/nologin", name
        assert host.file("/etc/prometheus/prometheus.yml").group == "prometheus", name
        assert host.file("/etc/prometheus/rules/alertmesh.rules.yml").exists, name
        assert host.socket(f"tcp://{PROMETHEUS_PORT}").is_listening, name


def test_receiver_listens(rig_hosts):
    assert rig_hosts["receiver"].service("webhook-sink").is_running
    assert rig_hosts["receiver"].socket(f"tcp://0.0.0.0:{RECEIVER_PORT}").is_listening


def test_verify_playbook_passes_and_reports(pytestconfig, tmp_path):
    report = tmp_path / "report.txt"
    playbook = run_playbook(
        pytestconfig, "../../playbooks/verify.yml", {"alertmesh_verify_report": str(report)}
    )
    assert playbook.returncode == 0, (playbook.stdout + playbook.stderr)[-4000:]
    text = report.read_text()
    for expected in ("ready", "am-1", "prom-2", "labels: alertname=AlertmeshWatchdog, dc=europe"):
        assert expected in text, (expected, text)


def run_module(pytestconfig, module: str, arguments: dict) -> dict:
    """Run a module of the collection on the controller; return its result."""
    adhoc = subprocess.run(
        [
            "ansible",
            "localhost",
            "--inventory",
            pytestconfig.getoption("ansible_inventory"),
            "--module-name",
            module,
            "--args",
            json.dumps(arguments),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
        },
    )
    assert adhoc.returncode == 0, (adhoc.stdout + adhoc.stderr)[-3000:]
    return json.loads(adhoc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_a_maintenance_silence_is_idempotent_and_reaches_every_alertmanager(
    pytestconfig, hostvars, group_members
):
    urls = [
        f"http://{hostvars[name]['rig_ipv4']}:{ALERTMANAGER_PORT}"
        for name in group_members["alertmanagers"]
    ]
    silence = {
        "url": urls[0],
        "matchers": [{"name": "instance", "value": "db-1:9100"}],
        "duration": "2h",
        "comment": "molecule maintenance window",
        "created_by": "molecule",
    }
    created = run_module(pytestconfig, "alertmesh.ha.alertmanager_silence", silence)
    assert created["changed"] is True, created
    again = run_module(pytestconfig, "alertmesh.ha.alertmanager_silence", silence)
    assert again["changed"] is False, again
    silence_id = again["silence_id"]

    def state_on(url: str) -> str | None:
        answer = requests.get(f"{url}/api/v2/silence/{silence_id}", timeout=5)
        return answer.json()["status"]["state"] if answer.status_code == 200 else None

    assert wait_for(lambda: all(state_on(url) == "active" for url in urls), 30)
    removed = run_module(
        pytestconfig, "alertmesh.ha.alertmanager_silence", {**silence, "state": "absent"}
    )
    assert removed["changed"] is True, removed
    assert wait_for(lambda: all(state_on(url) == "expired" for url in urls), 30)


def test_watchdog_is_notified_once_per_group_not_once_per_alertmanager(receiver):
    def has_watchdog(records) -> bool:
        return "AlertmeshWatchdog" in alert_names(records)

    records = receiver.wait_for(has_watchdog, timeout=FIRST_NOTIFICATION_TIMEOUT, interval=2)
    first = min(
        record["received_at"] for record in records if "AlertmeshWatchdog" in alert_names([record])
    )
    # Whatever a second Alertmanager would send arrives within this window.
    time.sleep(max(0.0, first + DUPLICATE_WINDOW - time.time()))
    records = receiver.notifications()
    watchdogs = [record for record in records if "AlertmeshWatchdog" in alert_names([record])]
    labels = [alert["labels"] for record in watchdogs for alert in record["body"]["alerts"]]
    assert {label_set.get("dc") for label_set in labels} == {"europe"}, summarize(watchdogs)
    assert duplicate_notifications(records, GROUP_INTERVAL) == [], summarize(records)
