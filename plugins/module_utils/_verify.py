"""What the verify modules share: URL lists, polling until a condition holds, tables.

This file runs on managed hosts: keep it compatible with every Python version that
ansible-core supports there (3.8 and later).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ansible_collections.alertmesh.ha.plugins.module_utils._api import endpoint_key, redact_url


def base_urls(urls: list[str], option: str) -> list[str]:
    """Clean the base URLs given in ``option``: no trailing slash, absolute, each once.

    A URL keeps its user information, which the client takes its credentials from; URLs
    that differ only in it are the same endpoint. Raises ValueError with a message that
    names ``option`` and the URL at fault, never its password.
    """
    cleaned = [url.strip().rstrip("/") for url in urls or []]
    if not cleaned:
        raise ValueError(f"{option} must list at least one URL")
    for url in cleaned:
        try:
            endpoint_key(url)
        except ValueError as err:
            raise ValueError(f"{option}: {err}") from err
    shown = [redact_url(url) for url in cleaned]
    repeated = sorted({url for url in shown if shown.count(url) > 1})
    if repeated:
        raise ValueError(f"{option} lists {', '.join(repeated)} more than once")
    return cleaned


def format_labels(labels: dict[str, str]) -> str:
    """``{a="1", b="2"}`` in a stable order, for messages."""
    return "{" + ", ".join(f'{name}="{labels[name]}"' for name in sorted(labels)) + "}"


def require_positive(params: dict[str, Any], *names: str) -> None:
    """Raise ValueError unless every option in ``names`` is greater than 0."""
    too_small = [f"{name}={params[name]}" for name in names if params[name] <= 0]
    if too_small:
        raise ValueError(f"{', '.join(too_small)}: must be greater than 0")


def poll_until(
    problems_now: Callable[[], list[str]],
    timeout: float,
    poll_interval: float,
    started: float | None = None,
) -> list[str]:
    """Call ``problems_now`` until it returns no problems or ``timeout`` seconds passed.

    ``started`` is the ``time.monotonic()`` the timeout counts from (default: now). The
    result is the problems of the last call: empty when the condition came to hold.
    """
    deadline = (time.monotonic() if started is None else started) + timeout
    while True:
        problems = problems_now()
        remaining = deadline - time.monotonic()
        if not problems or remaining <= 0:
            return problems
        time.sleep(min(poll_interval, remaining))


def nearest_rank(samples: list[float], percent: float) -> float:
    """The ``percent`` percentile of ``samples`` by the nearest-rank method."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def text_table(rows: list[list[str]]) -> list[str]:
    """Lines of ``rows`` with their columns aligned, the first row being the header."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(widths[column]) for column, cell in enumerate(row)).rstrip()
        for row in rows
    ]
