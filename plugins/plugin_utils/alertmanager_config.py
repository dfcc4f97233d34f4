"""Mistakes in an Alertmanager configuration that amtool misses or finds only on a host.

``alertmanager_config_problems`` reads the configuration as the ``alertmesh.ha.alertmanager``
role's ``alertmanager_config`` holds it (a mapping) and lists, in words that name the
variable to fix, the receivers that routes name but nobody defines, and the notification
templates that receivers use but no template file defines. amtool never executes templates,
so a missing one only shows when the first notification fails. Pure Python over plain data;
``plugins/filter/alertmanager.py`` exposes it as a filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = ["AlertmanagerConfigError", "alertmanager_config_problems", "is_builtin_template"]

_TEMPLATE_CALL = re.compile(r"\{\{-?\s*template\s+(?:\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`)")
_TEMPLATE_DEFINITION = re.compile(r"\{\{-?\s*define\s+(?:\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`)")
# Alertmanager's built-in templates (default.tmpl, email.tmpl): "__subject", "__text_alert_list",
# "slack.default.title", "email.default.html", ... in every release from 0.25 on.
_BUILTIN_TEMPLATE = re.compile(r"__[A-Za-z0-9_]+|[a-z0-9]+\.default\.[A-Za-z0-9_]+")


class AlertmanagerConfigError(ValueError):
    """Raised when the input is not an Alertmanager configuration at all."""


def is_builtin_template(name: str) -> bool:
    """Whether Alertmanager itself defines the template ``name``."""
    return _BUILTIN_TEMPLATE.fullmatch(name) is not None


def _template_names(pattern: re.Pattern[str], text: str) -> Iterator[str]:
    for quoted, raw in pattern.findall(text):
        yield raw or quoted.replace('\\"', '"')


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from _strings(item)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _routes(route: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield path, route
    children = route.get("routes")
    for index, child in enumerate(children if _is_list(children) else []):
        if isinstance(child, Mapping):
            yield from _routes(child, f"{path}.routes[{index}]")


def _kind(value: Any) -> str:
    """What ``value`` is, in the words of YAML, without showing it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    return f"a {type(value).__name__}"


def _receivers(config: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    receivers = config.get("receivers")
    for index, receiver in enumerate(receivers if _is_list(receivers) else []):
        if isinstance(receiver, Mapping):
            yield index, receiver


def _name_problem(index: int, receiver: Mapping[str, Any]) -> str | None:
    """Why the receiver at ``index`` has no usable name; None when it has one."""
    name = receiver.get("name")
    if isinstance(name, str) and name:
        return None
    fix = "give every receiver a name, which routes refer to."
    if name is None or name == "":
        keys = ", ".join(sorted(str(key) for key in receiver if key != "name")) or "none"
        return f"alertmanager_config.receivers[{index}] has no name (its keys: {keys}): {fix}"
    return f"alertmanager_config.receivers[{index}].name is {_kind(name)}, not a string: {fix}"


def _receiver_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    receivers = config.get("receivers")
    if receivers is not None and not _is_list(receivers):
        problems.append(
            f"alertmanager_config.receivers is {_kind(receivers)}, not a list of receivers."
        )
    names = []
    for index, receiver in _receivers(config):
        problem = _name_problem(index, receiver)
        if problem:
            problems.append(problem)
        else:
            names.append(receiver["name"])
    problems.extend(
        f"alertmanager_config.receivers defines {name!r} more than once: give each receiver"
        " its own name."
        for name in sorted({name for name in names if names.count(name) > 1})
    )
    route = config.get("route")
    if not isinstance(route, Mapping) or not route.get("receiver"):
        problems.append(
            "alertmanager_config.route.receiver is missing: the root route must name the"
            " receiver that gets every alert no child route takes."
        )
        return problems
    defined = set(names)
    for path, child in _routes(route, "route"):
        children = child.get("routes")
        if children is not None and not _is_list(children):
            problems.append(
                f"alertmanager_config.{path}.routes is {_kind(children)}, not a list of routes."
            )
        receiver = child.get("receiver")
        if receiver is None or receiver == "":
            continue
        if not isinstance(receiver, str):
            problems.append(
                f"alertmanager_config.{path}.receiver is {_kind(receiver)}, not the name of a"
                f" receiver: route to one of {sorted(defined)}."
            )
        elif receiver not in defined:
            problems.append(
                f"alertmanager_config.{path}.receiver is {receiver!r}, which"
                " alertmanager_config.receivers does not define: add a receiver of that name,"
                f" or route to one of {sorted(defined)}."
            )
    return problems


def _template_problems(config: Mapping[str, Any], template_texts: Iterable[str]) -> list[str]:
    defined = {
        name for text in template_texts for name in _template_names(_TEMPLATE_DEFINITION, text)
    }
    problems = []
    for index, receiver in _receivers(config):
        receiver_name = receiver.get("name")
        who = (
            f"receiver {receiver_name!r} in alertmanager_config"
            if isinstance(receiver_name, str) and receiver_name
            else f"alertmanager_config.receivers[{index}]"
        )
        used = {
            name for text in _strings(receiver) for name in _template_names(_TEMPLATE_CALL, text)
        }
        for name in sorted(used - defined):
            if is_builtin_template(name):
                continue
            problems.append(
                f"{who} uses the template"
                f" {name!r}, which no file in alertmanager_template_files defines: add a file"
                f' with {{{{ define "{name}" }}}} to alertmanager_template_files, or fix the name.'
            )
    return problems


def alertmanager_config_problems(
    config: Mapping[str, Any], template_texts: Sequence[str] | None = None
) -> list[str]:
    """Return one message per problem in ``config``; empty when there is none.

    ``template_texts`` are the contents of the notification template files the
    configuration loads.
    """
    if not isinstance(config, Mapping):
        # Never the value itself: it may hold receiver passwords and tokens.
        hint = " (YAML text? give the parsed mapping, for example with from_yaml)"
        raise AlertmanagerConfigError(
            "alertmanager_config must be a mapping with route and receivers, got"
            f" {_kind(config)}{hint if isinstance(config, str) else ''}"
        )
    texts = list(template_texts or [])
    if not all(isinstance(text, str) for text in texts):
        raise AlertmanagerConfigError("the template texts must be strings")
    return _receiver_problems(config) + _template_problems(config, texts)
