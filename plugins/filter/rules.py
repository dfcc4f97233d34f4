"""Filter that finds the user's rule names that the role's own rules use too.

Docs live in the sidecar rule_name_clashes.yml; the logic lives in
plugins/plugin_utils/rules.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ansible.errors import AnsibleFilterError

from ansible_collections.alertmesh.ha.plugins.plugin_utils.rules import (
    RuleFileError,
    rule_name_clashes,
)


def _rule_name_clashes_filter(own: Mapping[str, Any], user: Mapping[str, Any]) -> list[str]:
    try:
        return rule_name_clashes(own, user)
    except RuleFileError as err:
        raise AnsibleFilterError(f"rule_name_clashes: {err}") from err


class FilterModule:
    """Prometheus rule file filters."""

    def filters(self) -> dict[str, Callable[..., Any]]:
        return {"rule_name_clashes": _rule_name_clashes_filter}
