"""Fixtures for the molecule test fixtures: the webhook sink and its client helper.

``molecule/shared`` is not a package, so its two directories go on ``sys.path``: the
tests import ``webhook_sink`` and ``receiver`` as the testinfra tests do.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

SHARED_DIR = Path(__file__).resolve().parents[3] / "molecule" / "shared"
SINK_SCRIPT = SHARED_DIR / "receiver" / "webhook_sink.py"
STARTUP_TIMEOUT = 10.0

sys.path[:0] = [str(SHARED_DIR / "receiver"), str(SHARED_DIR / "tests")]


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[str]:
    """A webhook sink on a free loopback port; yields its base URL."""
    sink_log = tmp_path / "sink.log"
    with sink_log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                str(SINK_SCRIPT),
                "--listen",
                "127.0.0.1:0",
                "--record",
                str(tmp_path / "state" / "notifications.jsonl"),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{_wait_for_port(process, sink_log)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_for_port(process: subprocess.Popen, sink_log: Path) -> int:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        for line in sink_log.read_text().splitlines():
            if line.startswith("webhook-sink listening on 127.0.0.1:"):
                port = int(line.rpartition(":")[2])
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok:
                    return port
        time.sleep(0.05)
    pytest.fail(f"webhook sink not up within {STARTUP_TIMEOUT:g}s:\n{sink_log.read_text()}")


@pytest.fixture
def alertmanager_payload() -> Callable[..., dict[str, Any]]:
    """Builds an Alertmanager webhook payload (version 4) for one alert group."""

    def build(
        alertnames: tuple[str, ...] = ("InstanceDown",),
        status: str = "firing",
        group_key: str = '{}:{alertname="InstanceDown"}',
    ) -> dict[str, Any]:
        alerts = [
            {
                "status": status,
                "labels": {"alertname": name, "instance": "node-1:9100", "dc": "europe"},
                "annotations": {"summary": f"{name} on node-1"},
                "startsAt": "2025-01-01T12:00:00Z",
                "endsAt": "2025-01-01T12:05:00Z"
                if status == "resolved"
                else "0001-01-01T00:00:00Z",
                "generatorURL": "http://prom-1:9090/graph?g0.expr=up+%3D%3D+0",
                "fingerprint": hashlib.sha256(name.encode()).hexdigest()[:16],
            }
            for name in alertnames
        ]
        return {
            "version": "4",
            "groupKey": group_key,
            "truncatedAlerts": 0,
            "status": status,
            "receiver": "oncall",
            "groupLabels": {"alertname": alertnames[0]},
            "commonLabels": {"dc": "europe", "instance": "node-1:9100"},
            "commonAnnotations": {},
            "externalURL": "http://am-1:9093",
            "alerts": alerts,
        }

    return build
