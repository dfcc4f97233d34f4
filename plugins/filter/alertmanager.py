"""Filter that checks an Alertmanager configuration for what amtool misses.

Docs live in the sidecar alertmanager_config_problems.yml; the logic lives in
plugins/plugin_utils/alertmanager_config.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.alertmanager_config import (
    AlertmanagerConfigError,
    alertmanager_config_problems,
)


def _config_problems_filter(
    config: Mapping[str, Any], template_texts: Sequence[str] | None = None
) -> list[str]:
    try:
        return alertmanager_config_problems(config, template_texts)
    except AlertmanagerConfigError as err:
        raise AnsibleFilterError(f"alertmanager_config_problems: {err}") from err


class FilterModule:
    """Alertmanager configuration filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"alertmanager_config_problems": _config_problems_filter}
