"""Sample how many Alertmanagers answer while something restarts them.

Testinfra tests import it as ``from sampler import AnsweringSampler``.
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
