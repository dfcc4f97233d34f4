"""Filters that build and check the --web.config.file of Prometheus and Alertmanager.

Docs live in the sidecars web_config.yml and web_config_problems.yml; the logic lives in
plugins/plugin_utils/web_config.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.web_config import (
    WebConfigError,
    build_web_config,
    web_config_problems,
)


def _web_config_filter(
    settings: Mapping[str, Any],
    existing: Mapping[str, Any] | None = None,
    variable: str = "web",
) -> dict[str, Any]:
    try:
        return build_web_config(settings, existing, variable)
    except WebConfigError as err:
        raise AnsibleFilterError(f"web_config: {err}") from err


def _web_config_problems_filter(web_config: Any, variable: str = "web") -> list[str]:
    try:
        return web_config_problems(web_config, variable)
    except WebConfigError as err:
        raise AnsibleFilterError(f"web_config_problems: {err}") from err


class FilterModule:
    """Web configuration (--web.config.file) filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {
            "web_config": _web_config_filter,
            "web_config_problems": _web_config_problems_filter,
        }
