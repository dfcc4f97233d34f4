"""Filters that apply and check Prometheus relabelling, and make HA replicas' alerts deduplicate.

Docs live in the sidecars relabel.yml, relabel_config_problems.yml,
replica_relabel_configs.yml, alert_dedup_report.yml and replica_external_labels.yml; the
logic lives in plugins/plugin_utils/relabel.py, replica_dedup.py and replicas.py.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    RelabelError,
    relabel,
    relabel_config_problems,
)
from ansible_collections.alertmesh.ha.plugins.plugin_utils.replica_dedup import (
    alert_dedup_report,
    replica_relabel_configs,
)
from ansible_collections.alertmesh.ha.plugins.plugin_utils.replicas import replica_external_labels


def _as_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a plugin_utils function so that its errors surface as AnsibleFilterError."""

    @wraps(function)
    def relabel_filter(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except RelabelError as err:
            raise AnsibleFilterError(f"{name}: {err}") from err

    return relabel_filter


class FilterModule:
    """Prometheus relabelling filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "relabel": _as_filter("relabel", relabel),
            "relabel_config_problems": _as_filter(
                "relabel_config_problems", relabel_config_problems
            ),
            "replica_relabel_configs": _as_filter(
                "replica_relabel_configs", replica_relabel_configs
            ),
            "alert_dedup_report": _as_filter("alert_dedup_report", alert_dedup_report),
            "replica_external_labels": _as_filter(
                "replica_external_labels", replica_external_labels
            ),
        }
