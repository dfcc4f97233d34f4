"""Read back what the webhook sink (molecule/shared/receiver/webhook_sink.py) recorded.

Testinfra tests in this directory import it as ``from receiver import Receiver``. A
record is ``{"received_at", "path", "remote_addr", "body"}``; ``body`` is Alertmanager's
webhook payload (``groupKey``, ``status``, ``receiver``, ``alerts``, ...).
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import requests

Record = dict[str, Any]


class Receiver:
    """Client of one webhook sink, e.g. ``Receiver("http://10.89.0.5:9099")``."""

    def __init__(self, base_url: str, request_timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.request_timeout = request_timeout

    def notifications(self, since: float | None = None) -> list[Record]:
        """Every record, oldest first; with ``since``, only those received after it."""
        params = {} if since is None else {"since": repr(since)}
        response = requests.get(
            f"{self.base_url}/notifications", params=params, timeout=self.request_timeout
        )
        response.raise_for_status()
        return response.json()

    def clear(self) -> None:
        response = requests.delete(f"{self.base_url}/notifications", timeout=self.request_timeout)
        response.raise_for_status()

    def wait_for(
        self,
        predicate: Callable[[list[Record]], bool],
        timeout: float = 60.0,
        interval: float = 1.0,
        since: float | None = None,
    ) -> list[Record]:
        """Poll until ``predicate(records)`` holds and return those records.

        Raises AssertionError listing what was received when ``timeout`` seconds pass.
        """
        deadline = time.monotonic() + timeout
        while True:
            records = self.notifications(since)
            if predicate(records):
                return records
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"{self.base_url}: no matching notifications after {timeout:g}s; "
                    f"{len(records)} received:\n{summarize(records)}"
                )
            time.sleep(interval)


def alert_names(records: Iterable[Record]) -> list[str]:
    """The distinct ``alertname`` labels of every alert in ``records``, sorted."""
    return sorted(
        {
            alert.get("labels", {}).get("alertname", "")
            for record in records
            for alert in record["body"].get("alerts", [])
        }
    )


def summarize(records: Iterable[Record]) -> str:
    """One line per record: when, where, status, group and alert names."""
    lines = [
        f"  {record['received_at']:.3f} {record['path']} {record['body'].get('status')} "
        f"{record['body'].get('groupKey')} alerts={alert_names([record])}"
        for record in records
    ]
    return "\n".join(lines) or "  (none)"


def _alert_identity(alert: dict[str, Any]) -> tuple[Any, str]:
    labels = alert.get("labels", {})
    return alert.get("fingerprint") or tuple(sorted(labels.items())), alert.get("status", "")


def _dedup_key(record: Record) -> tuple[Any, ...]:
    body = record["body"]
    alerts = frozenset(_alert_identity(alert) for alert in body.get("alerts", []))
    return record["path"], body.get("groupKey"), body.get("status"), alerts


def duplicate_notifications(
    records: Iterable[Record], group_interval_seconds: float
) -> list[tuple[Record, Record]]:
    """Pairs of notifications that a deduplicating Alertmanager mesh should not send.

    Two notifications are duplicates when they went to the same hook path for the same
    alert group (``groupKey``) with the same ``status`` and the same alerts (fingerprint,
    else labels, and each alert's status), less than ``group_interval_seconds`` apart:
    the notification log gossiped between Alertmanagers exists to stop exactly that.
    Returns (earlier, later) pairs of consecutive notifications, oldest first.
    """
    by_key: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for record in records:
        by_key[_dedup_key(record)].append(record)
    duplicates = []
    for same_notifications in by_key.values():
        same_notifications.sort(key=lambda record: record["received_at"])
        for earlier, later in itertools.pairwise(same_notifications):
            if later["received_at"] - earlier["received_at"] < group_interval_seconds:
                duplicates.append((earlier, later))
    return sorted(duplicates, key=lambda pair: pair[0]["received_at"])
