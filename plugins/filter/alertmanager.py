"""Filters that check an Alertmanager configuration and add the heartbeat route to it.

Docs live in the sidecars alertmanager_config_problems.yml, alertmanager_with_heartbeat.yml
and alertmanager_heartbeat_problems.yml; the logic lives in
plugins/plugin_utils/alertmanager_config.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.alertmanager_config import (
    DEFAULT_HEARTBEAT_ALERTNAME,
    DEFAULT_HEARTBEAT_REPEAT_INTERVAL,
    AlertmanagerConfigError,
    alertmanager_config_problems,
    alertmanager_with_heartbeat,
    heartbeat_problems,
)


def _config_problems_filter(
    config: Mapping[str, Any], template_texts: Sequence[str] | None = None
) -> list[str]:
    try:
        return alertmanager_config_problems(config, template_texts)
    except AlertmanagerConfigError as err:
        raise AnsibleFilterError(f"alertmanager_config_problems: {err}") from err


def _with_heartbeat_filter(
    config: Mapping[str, Any],
    url: str | None,
    repeat_interval: str = DEFAULT_HEARTBEAT_REPEAT_INTERVAL,
    alertname: str = DEFAULT_HEARTBEAT_ALERTNAME,
) -> Mapping[str, Any]:
    try:
        return alertmanager_with_heartbeat(config, url, repeat_interval, alertname)
    except AlertmanagerConfigError as err:
        raise AnsibleFilterError(f"alertmanager_with_heartbeat: {err}") from err


def _heartbeat_problems_filter(
    config: Mapping[str, Any],
    url: str | None,
    repeat_interval: str = DEFAULT_HEARTBEAT_REPEAT_INTERVAL,
    alertname: str = DEFAULT_HEARTBEAT_ALERTNAME,
) -> list[str]:
    try:
        return heartbeat_problems(config, url, repeat_interval, alertname)
    except AlertmanagerConfigError as err:
        raise AnsibleFilterError(f"alertmanager_heartbeat_problems: {err}") from err


class FilterModule:
    """Alertmanager configuration filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "alertmanager_config_problems": _config_problems_filter,
            "alertmanager_heartbeat_problems": _heartbeat_problems_filter,
            "alertmanager_with_heartbeat": _with_heartbeat_filter,
        }
