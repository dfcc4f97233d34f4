"""One sample of a metric in the Prometheus text exposition format (``/metrics``)."""

from __future__ import annotations

import re

# A metric name as the exposition format allows it.
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")


class MetricError(ValueError):
    """The input is not exposition text, or the name is not a metric name."""


def metric_value(text: str, name: str) -> float | None:
    """The value of the unlabelled sample ``name`` in ``text``, or None when it is absent.

    Values are Go floats: ``1.733e+09``, ``NaN``, ``+Inf``. Comments (``# HELP``,
    ``# TYPE``) and labelled samples of the same name are not that sample.
    """
    if not isinstance(text, str):
        raise MetricError(f"expects the text of a /metrics page, got {type(text).__name__}")
    if not isinstance(name, str) or not _METRIC_NAME.match(name):
        raise MetricError(f"{name!r} is not a metric name")
    for line in text.splitlines():
        fields = line.split()
        if len(fields) in (2, 3) and fields[0] == name:
            try:
                return float(fields[1])
            except ValueError as err:
                raise MetricError(f"{name} has the value {fields[1]!r}, not a number") from err
    return None
