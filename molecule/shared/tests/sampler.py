"""Sample the Alertmanagers, several times a second, while something restarts them.

Testinfra tests import it as ``from sampler import AnsweringSampler, AlertCountSampler``.
"""

from __future__ import annotations

import contextlib
import threading
import time

import requests


class AnsweringSampler(threading.Thread):
    """Counts, several times a second, how many of ``urls`` answer with 200.

    Start it, do the restarts, then set ``finished`` and join it: ``samples`` holds one
    count per round. It stops by itself after ``max_seconds``.
    """

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


class AlertCountSampler(threading.Thread):
    """Counts, several times a second, the alerts named ``alertname`` on each Alertmanager.

    ``api_urls`` maps a name to an Alertmanager's ``.../api/v2``. Each round appends one
    dict to ``samples``: name to the number of active such alerts, None for a member that
    did not answer. It stops when ``finished`` is set, or by itself after ``max_seconds``.
    """

    def __init__(self, api_urls: dict[str, str], alertname: str, max_seconds: float) -> None:
        super().__init__(daemon=True)
        self.api_urls = api_urls
        self.alertname = alertname
        self.max_seconds = max_seconds
        self.samples: list[dict[str, int | None]] = []
        self.finished = threading.Event()

    def count(self, api_url: str) -> int | None:
        with contextlib.suppress(requests.RequestException, ValueError):
            answer = requests.get(
                f"{api_url}/alerts",
                params={"filter": f'alertname="{self.alertname}"', "active": "true"},
                timeout=1,
            )
            if answer.status_code == 200:
                return len(answer.json())
        return None

    def run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while not self.finished.is_set() and time.monotonic() < deadline:
            self.samples.append({name: self.count(url) for name, url in self.api_urls.items()})
            time.sleep(0.2)
