"""Filter that reads one sample of a /metrics page.

Docs live in the sidecar metric_value.yml; the logic lives in
plugins/plugin_utils/metrics.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.metrics import (
    MetricError,
    metric_value,
)


def _metric_value_filter(text: str, name: str, default: float | None = None) -> float:
    try:
        value = metric_value(text, name)
    except MetricError as err:
        raise AnsibleFilterError(f"metric_value: {err}") from err
    if value is not None:
        return value
    if default is not None:
        return default
    raise AnsibleFilterError(
        f"metric_value: the page has no sample of {name}; is this the /metrics page of the"
        " service that exports it? Pass a default for a sample that may be absent."
    )


class FilterModule:
    """Metric filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"metric_value": _metric_value_filter}
