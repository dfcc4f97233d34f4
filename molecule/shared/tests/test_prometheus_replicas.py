"""The article's replicas as the roles leave them, checked through the live hosts and APIs.

Shared by the mesh (archive) and package scenarios, whose replicas are prom-1
(dc europe1) and prom-2 (dc europe2).

The two playbook runs at the end (a refused inventory, then a reload) must stay last.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import yaml
from rig import main_pid, run_playbook, wait_for

PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
# Prometheus evaluates rules every 15 s and sends new alerts right after, but only once
# the Alertmanagers are discovered; allow a few evaluation rounds.
ALERT_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def replicas(group_members) -> list[str]:
    return group_members["prometheus"]


@pytest.fixture(scope="module")
def alertmanagers(group_members) -> list[str]:
    return group_members["alertmanagers"]


@pytest.fixture(scope="module")
def prometheus_api(replicas, hostvars) -> dict[str, str]:
    return {
        name: f"http://{hostvars[name]['rig_ipv4']}:{PROMETHEUS_PORT}/api/v1" for name in replicas
    }


@pytest.fixture(scope="module")
def alertmanager_api(alertmanagers, hostvars) -> dict[str, str]:
    return {
        name: f"http://{hostvars[name]['rig_ipv4']}:{ALERTMANAGER_PORT}/api/v2"
        for name in alertmanagers
    }


def loaded_config(api_url: str) -> dict[str, Any]:
    answer = requests.get(f"{api_url}/status/config", timeout=5).json()
    return yaml.safe_load(answer["data"]["yaml"])


def test_service_runs_enabled_as_the_prometheus_user(rig_hosts, replicas):
    for name in replicas:
        host = rig_hosts[name]
        service = host.service("prometheus")
        assert service.is_running, name
        assert service.is_enabled, name
        assert (
            host.check_output(f"ps -o user= -p {main_pid(host, 'prometheus')}") == "prometheus"
        ), name
        assert host.socket(f"tcp://{PROMETHEUS_PORT}").is_listening, name


def test_config_rules_and_storage_belong_to_the_service(rig_hosts, replicas):
    for name in replicas:
        host = rig_hosts[name]
        for path in (
            "/etc/prometheus/prometheus.yml",
            "/etc/prometheus/rules/alertmesh.rules.yml",
            "/etc/prometheus/rules/alertmesh-self-monitoring.rules.yml",
        ):
            config = host.file(path)
            assert (config.user, config.group, config.mode) == ("root", "prometheus", 0o640), path
        storage = host.file("/var/lib/prometheus")
        assert (storage.user, storage.mode) == ("prometheus", 0o750), name
        assert host.run("promtool --version").rc == 0, name


def test_each_replica_runs_its_own_external_labels_and_the_computed_rule(
    prometheus_api, replicas, hostvars
):
    for name in replicas:
        config = loaded_config(prometheus_api[name])
        assert config["global"]["external_labels"] == hostvars[name]["prometheus_external_labels"]
        assert config["alerting"]["alert_relabel_configs"] == [
            {
                "source_labels": ["dc"],
                "separator": ";",
                "regex": r"(.+)\d+",
                "target_label": "dc",
                "replacement": "$1",
                "action": "replace",
            }
        ], name


def test_each_replica_watches_the_mesh_at_the_size_of_the_inventory(
    prometheus_api, replicas, alertmanagers
):
    for name in replicas:
        answer = requests.get(f"{prometheus_api[name]}/rules", params={"type": "alert"}, timeout=5)
        groups = {group["name"]: group for group in answer.json()["data"]["groups"]}
        assert "alertmesh-self-monitoring" in groups, (name, sorted(groups))
        queries = {
            rule["name"]: rule["query"] for rule in groups["alertmesh-self-monitoring"]["rules"]
        }
        members = queries["AlertmeshAlertmanagerMembersInconsistent"]
        assert members.endswith(f"!= {len(alertmanagers)}"), (name, members)
        firing = [
            rule["name"]
            for rule in groups["alertmesh-self-monitoring"]["rules"]
            if rule["state"] == "firing"
        ]
        assert not firing, (name, firing)


def test_every_replica_sends_to_every_alertmanager(prometheus_api, alertmanager_api, replicas):
    expected = sorted(f"{url}/alerts" for url in alertmanager_api.values())

    def active(name: str) -> list[str]:
        data = requests.get(f"{prometheus_api[name]}/alertmanagers", timeout=5).json()["data"]
        assert data["droppedAlertmanagers"] == [], name
        return sorted(entry["url"] for entry in data["activeAlertmanagers"])

    for name in replicas:
        assert wait_for(lambda name=name: active(name) == expected, 60), (name, active(name))


def test_each_alertmanager_holds_one_watchdog_with_the_shared_dc(alertmanager_api):
    def watchdogs(api_url: str) -> list[dict[str, Any]]:
        alerts = requests.get(
            f"{api_url}/alerts", params={"filter": 'alertname="AlertmeshWatchdog"'}, timeout=5
        ).json()
        return [alert["labels"] for alert in alerts]

    for name, api_url in alertmanager_api.items():
        assert wait_for(lambda api_url=api_url: watchdogs(api_url), ALERT_TIMEOUT), name
        assert watchdogs(api_url) == [
            {"alertname": "AlertmeshWatchdog", "severity": "none", "dc": "europe"}
        ], name


def host_state(rig_hosts, names: list[str]) -> dict[str, tuple[str, str]]:
    """Each replica's config checksum and the time its service last started."""
    return {
        name: (
            rig_hosts[name].file("/etc/prometheus/prometheus.yml").sha256sum,
            rig_hosts[name].check_output(
                "systemctl show --property=ExecMainStartTimestampMonotonic --value prometheus"
            ),
        )
        for name in names
    }


def test_labels_that_do_not_deduplicate_are_refused_before_any_host_is_touched(
    rig_hosts, replicas, pytestconfig
):
    before = host_state(rig_hosts, replicas)
    playbook = run_playbook(
        pytestconfig,
        "converge.yml",
        {"prometheus_alert_relabel_configs": [], "prometheus_scrape_interval": "7s"},
    )
    output = playbook.stdout + playbook.stderr
    assert playbook.returncode != 0, output[-3000:]
    assert "Alertmanager cannot deduplicate the alerts" in output, output[-3000:]
    assert "dc: prom-1=europe1, prom-2=europe2" in output
    assert r"{source_labels: [dc], regex: '(.+)\d+', target_label: dc}" in output
    assert host_state(rig_hosts, replicas) == before


def test_a_config_change_reloads_without_a_restart(
    rig_hosts, prometheus_api, replicas, pytestconfig
):
    pids = {name: main_pid(rig_hosts[name], "prometheus") for name in replicas}
    playbook = run_playbook(pytestconfig, "converge.yml", {"prometheus_scrape_interval": "7s"})
    assert playbook.returncode == 0, playbook.stdout[-3000:]
    for name in replicas:
        assert loaded_config(prometheus_api[name])["global"]["scrape_interval"] == "7s", name
        assert main_pid(rig_hosts[name], "prometheus") == pids[name], name
