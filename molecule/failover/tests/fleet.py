"""The failover scenario's hosts seen through their HTTP APIs, shared by its test files.

Test files import it as ``from fleet import Mesh, get_json, ...``; conftest.py builds the
fixtures from it.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from rig import wait_for

ALERTMANAGER_PORT = 9093
CLUSTER_PORT = 9094
PROMETHEUS_PORT = 9090
RECEIVER_PORT = 9099
HOOK_PATH = "/hook/failover"
WATCHDOG = "AlertmeshWatchdog"
# The heartbeat route (alertmanager_heartbeat_url) in molecule.yml.
WATCHDOG_HOOK = "/hook/watchdog"
GROUP_WAIT = 5.0
GROUP_INTERVAL = 30.0
# The role's defaults, which the scenario keeps.
SILENCES_SNAPSHOT = "/var/lib/alertmanager/silences"
ALERTMANAGER_SERVICE = "alertmanager.service"
ALERTMANAGER_UNIT = f"/etc/systemd/system/{ALERTMANAGER_SERVICE}"
ALERTMANAGER_CONFIG = "/etc/alertmanager/alertmanager.yml"
PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml"
# A fresh alert needs a scrape and an evaluation (5 s each), its 10 s `for`
# (prometheus_self_monitoring_for), then group_wait.
DELIVERY_TIMEOUT = 120.0
# A resolution needs a scrape and an evaluation, Prometheus' next send, then the group's
# next group_interval tick.
RESOLVE_TIMEOUT = 120.0
# Errors sending happen at sends (each minute while the watchdog fires) and stay in the
# rules' 2 min rate window (prometheus_self_monitoring_window) after healing.
SEND_ERROR_TIMEOUT = 180.0
SEND_ERROR_RESOLVE_TIMEOUT = 240.0
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


def get_json(url: str, **params: str) -> Any:
    """The decoded answer of ``url``, or None when it does not answer with 200."""
    with contextlib.suppress(requests.RequestException, ValueError):
        answer = requests.get(url, params=params, timeout=5)
        if answer.status_code == 200:
            return answer.json()
    return None


def parse_time(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


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

    def wait_resolved_and_flushed(self, alertname: str) -> None:
        """Wait until no Alertmanager holds ``alertname`` active, and the resolution is flushed.

        The resolution reaches the notification log at the group's next group_interval:
        until then the log holds the alert as notified, and a new firing of the same alert
        would send nothing.
        """
        assert wait_for(
            lambda: not any(self.alerts(name, alertname) for name in self.alertmanagers),
            HEAL_TIMEOUT,
            interval=2,
        ), {name: self.alerts(name, alertname) for name in self.alertmanagers}
        time.sleep(GROUP_INTERVAL + GROUP_WAIT)

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


def notified(
    records, alertname: str, instance: str, status: str, **labels: str
) -> list[dict[str, Any]]:
    """The notifications to the scenario's hook with ``alertname`` on ``instance`` in ``status``.

    With ``labels``, the alert must carry them too.
    """
    wanted = {"alertname": alertname, "instance": instance, **labels}
    return [
        record
        for record in records
        if record["path"] == HOOK_PATH
        and any(
            alert["status"] == status
            and all(alert["labels"].get(name) == value for name, value in wanted.items())
            for alert in record["body"]["alerts"]
        )
    ]


def firing(records, alertname: str, instance: str, **labels: str) -> list[dict[str, Any]]:
    return notified(records, alertname, instance, "firing", **labels)


def resolved(records, alertname: str, instance: str, **labels: str) -> list[dict[str, Any]]:
    return notified(records, alertname, instance, "resolved", **labels)
