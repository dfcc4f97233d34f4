"""Rule files of Prometheus: whether the user's rules reuse the names of the role's own.

Prometheus itself accepts the same group name in two files and the same alert name in
two groups, but an operator then cannot tell the role's alerts from their own, and a
user's ``AlertmeshWatchdog`` would confuse the verify playbook. The role refuses both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml


class RuleFileError(ValueError):
    """A rule file or rule group list that is not what Prometheus reads."""


def _groups(source: str, rules: Any) -> list[Mapping[str, Any]]:
    """The rule groups of ``rules``: the text of a rule file, or its ``groups`` list."""
    if isinstance(rules, str):
        try:
            rules = yaml.safe_load(rules)
        except yaml.YAMLError as err:
            raise RuleFileError(f"{source} is not YAML: {err}") from err
        if rules is None:
            return []
        if not isinstance(rules, Mapping):
            raise RuleFileError(f"{source} must be a mapping with a groups list")
        rules = rules.get("groups") or []
    if not isinstance(rules, list) or not all(isinstance(group, Mapping) for group in rules):
        raise RuleFileError(f"{source}: groups must be a list of mappings (name, rules)")
    return rules


def _names(groups: list[Mapping[str, Any]]) -> Iterator[tuple[str, str]]:
    """Each ("group", name) and ("alert", name) that ``groups`` define."""
    for group in groups:
        if isinstance(group.get("name"), str):
            yield "group", group["name"]
        for rule in group.get("rules") or []:
            if isinstance(rule, Mapping) and isinstance(rule.get("alert"), str):
                yield "alert", rule["alert"]


def rule_name_clashes(own: Mapping[str, Any], user: Mapping[str, Any]) -> list[str]:
    """One message per group or alert name of ``user`` that ``own`` defines too.

    ``own`` maps the variable that switches each of the role's rule files on to that
    file's text; ``user`` maps where each of the user's rules come from (a variable, a
    file) to a rule file's text or a ``groups`` list.
    """
    owner = {}
    for switch, rules in own.items():
        for kind, name in _names(_groups(f"the role's rules ({switch})", rules)):
            owner.setdefault((kind, name), switch)
    problems = []
    for source, rules in user.items():
        for kind, name in dict.fromkeys(_names(_groups(source, rules))):
            switch = owner.get((kind, name))
            if switch:
                problems.append(
                    f"{source} defines the {kind} '{name}', which the role's own rules define"
                    f" too: rename yours, or set {switch}: false to leave the role's out."
                )
    return problems
