"""Mistakes in an Alertmanager configuration that amtool misses or finds only on a host.

``alertmanager_config_problems`` reads the configuration as the ``alertmesh.ha.alertmanager``
role's ``alertmanager_config`` holds it (a mapping) and lists, in words that name the
variable to fix, the receivers that routes name but nobody defines, and the notification
templates that receivers use but no template file defines. amtool never executes templates,
so a missing one only shows when the first notification fails.

``alertmanager_with_heartbeat`` adds the dead man's switch to such a configuration: a
receiver that posts the always-firing watchdog alert to an external heartbeat receiver,
and a route to it placed first, and ``heartbeat_problems`` lists what keeps its settings
from working. Pure Python over plain data; ``plugins/filter/alertmanager.py`` exposes
them as filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_HEARTBEAT_ALERTNAME",
    "DEFAULT_HEARTBEAT_REPEAT_INTERVAL",
    "HEARTBEAT_RECEIVER",
    "AlertmanagerConfigError",
    "alertmanager_config_problems",
    "alertmanager_with_heartbeat",
    "heartbeat_problems",
    "is_builtin_template",
]

# The receiver alertmanager_with_heartbeat adds; a configuration with a heartbeat must
# not define it itself.
HEARTBEAT_RECEIVER = "alertmesh-heartbeat"
# How often the heartbeat route checks whether its repeat interval has passed.
HEARTBEAT_GROUP_INTERVAL = "10s"
DEFAULT_HEARTBEAT_REPEAT_INTERVAL = "1m"
DEFAULT_HEARTBEAT_ALERTNAME = "AlertmeshWatchdog"

_TEMPLATE_CALL = re.compile(r"\{\{-?\s*template\s+(?:\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`)")
_TEMPLATE_DEFINITION = re.compile(r"\{\{-?\s*define\s+(?:\"((?:[^\"\\]|\\.)*)\"|`([^`]*)`)")
# Alertmanager's built-in templates (default.tmpl, email.tmpl): "__subject", "__text_alert_list",
# "slack.default.title", "email.default.html", ... in every release from 0.25 on.
_BUILTIN_TEMPLATE = re.compile(r"__[A-Za-z0-9_]+|[a-z0-9]+\.default\.[A-Za-z0-9_]+")
# A duration as Prometheus' model.ParseDuration reads it (Alertmanager's group_interval and
# repeat_interval): each unit at most once, from the largest to the smallest.
_DURATION = re.compile(r"(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?")
# The keys of the route alertmanager_with_heartbeat puts first.
_HEARTBEAT_ROUTE_KEYS = frozenset(
    {
        "receiver",
        "matchers",
        "group_by",
        "group_wait",
        "group_interval",
        "repeat_interval",
        "continue",
    }
)


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


def _is_heartbeat_route(route: Any) -> bool:
    """Whether ``route`` is the one alertmanager_with_heartbeat puts first."""
    return (
        isinstance(route, Mapping)
        and route.get("receiver") == HEARTBEAT_RECEIVER
        and set(route) == _HEARTBEAT_ROUTE_KEYS
    )


def _has_heartbeat_route(root: Mapping[str, Any]) -> bool:
    children = root.get("routes")
    return _is_list(children) and len(children) > 0 and _is_heartbeat_route(children[0])


def _configured_routes(root: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every route with its path in ``alertmanager_config``.

    The heartbeat route that alertmanager_with_heartbeat puts first is the role's, not the
    user's: it is left out, so that the user's routes keep the indices they have in
    ``alertmanager_config``.
    """
    yield "route", root
    children = root.get("routes")
    children = list(children) if _is_list(children) else []
    for index, child in enumerate(children[1:] if _has_heartbeat_route(root) else children):
        if isinstance(child, Mapping):
            yield from _routes(child, f"route.routes[{index}]")


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
    # The role's heartbeat receiver is for the heartbeat route alone.
    suggested = sorted(defined - {HEARTBEAT_RECEIVER} if _has_heartbeat_route(route) else defined)
    for path, child in _configured_routes(route):
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
                f" receiver: route to one of {suggested}."
            )
        elif receiver not in defined:
            problems.append(
                f"alertmanager_config.{path}.receiver is {receiver!r}, which"
                " alertmanager_config.receivers does not define: add a receiver of that name,"
                f" or route to one of {suggested}."
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


def _require_mapping(config: Any) -> None:
    if not isinstance(config, Mapping):
        # Never the value itself: it may hold receiver passwords and tokens.
        hint = " (YAML text? give the parsed mapping, for example with from_yaml)"
        raise AlertmanagerConfigError(
            "alertmanager_config must be a mapping with route and receivers, got"
            f" {_kind(config)}{hint if isinstance(config, str) else ''}"
        )


def alertmanager_config_problems(
    config: Mapping[str, Any], template_texts: Sequence[str] | None = None
) -> list[str]:
    """Return one message per problem in ``config``; empty when there is none.

    ``template_texts`` are the contents of the notification template files the
    configuration loads. A heartbeat route that alertmanager_with_heartbeat put first is
    checked with the rest, and problems in the routes after it are named by their index in
    the configuration without it.
    """
    _require_mapping(config)
    texts = list(template_texts or [])
    if not all(isinstance(text, str) for text in texts):
        raise AlertmanagerConfigError("the template texts must be strings")
    return _receiver_problems(config) + _template_problems(config, texts)


def _heartbeat_enabled(url: Any) -> bool:
    return url is not None and url != ""


def _insertion_problems(config: Mapping[str, Any]) -> list[str]:
    """What keeps the heartbeat receiver and route from being added to ``config``."""
    problems = []
    route = config.get("route")
    if route is not None and not isinstance(route, Mapping):
        problems.append(
            f"alertmanager_config.route is {_kind(route)}, not a route, so the heartbeat route"
            " of alertmanager_heartbeat_url cannot go into its routes: make it a mapping with"
            " a receiver."
        )
    elif isinstance(route, Mapping):
        children = route.get("routes")
        if children is not None and not _is_list(children):
            problems.append(
                f"alertmanager_config.route.routes is {_kind(children)}, not a list of routes,"
                " so the heartbeat route of alertmanager_heartbeat_url cannot go first in it:"
                " make it a list."
            )
    receivers = config.get("receivers")
    if receivers is not None and not _is_list(receivers):
        problems.append(
            f"alertmanager_config.receivers is {_kind(receivers)}, not a list of receivers, so"
            " the heartbeat receiver of alertmanager_heartbeat_url cannot be added to it: make"
            " it a list."
        )
    elif any(receiver.get("name") == HEARTBEAT_RECEIVER for _index, receiver in _receivers(config)):
        problems.append(
            f"alertmanager_config.receivers already defines {HEARTBEAT_RECEIVER!r}, the receiver"
            " the role adds for alertmanager_heartbeat_url: rename yours, or leave"
            " alertmanager_heartbeat_url empty."
        )
    return problems


def _heartbeat_receiver_routes(config: Mapping[str, Any]) -> list[str]:
    """Routes of ``config`` that name the receiver the heartbeat adds."""
    route = config.get("route")
    if not isinstance(route, Mapping):
        return []
    return [
        f"alertmanager_config.{path}.receiver is {HEARTBEAT_RECEIVER!r}, the receiver the role"
        " adds for alertmanager_heartbeat_url, which gets the heartbeat only: route to a"
        " receiver of your own."
        for path, child in _routes(route, "route")
        if child.get("receiver") == HEARTBEAT_RECEIVER
    ]


def _url_fault(url: str) -> str | None:
    """What is wrong with the heartbeat URL, in words that do not show it."""
    if any(character.isspace() or not character.isprintable() for character in url):
        return "holds white space or a control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in {"http", "https"}:
        return "does not start with http:// or https://"
    if not parts.hostname:
        return "names no host"
    return None


def _url_problem(url: Any) -> str | None:
    # Never the URL itself: the ping URL of a heartbeat service is its secret.
    fault = _url_fault(url) if isinstance(url, str) else f"is {_kind(url)}, not a URL"
    if fault is None:
        return None
    return (
        f"alertmanager_heartbeat_url {fault}: give the webhook URL of the heartbeat receiver"
        " (http:// or https://), for example https://hc-ping.com/<uuid>, or leave it empty to"
        " send no heartbeat."
    )


def _repeat_interval_problem(repeat_interval: Any) -> str | None:
    fix = "use a duration like 1m, 30s or 1h30m (units y, w, d, h, m, s, ms, largest first)."
    name = "alertmanager_heartbeat_repeat_interval"
    if not isinstance(repeat_interval, str):
        return f"{name} is {_kind(repeat_interval)}, not a duration: {fix}"
    if repeat_interval == "":
        return f"{name} is empty: {fix}"
    if repeat_interval != "0" and not _DURATION.fullmatch(repeat_interval):
        return f"{name} is {repeat_interval!r}, not a duration: {fix}"
    if not any(digit != "0" for digit in re.findall(r"\d", repeat_interval)):
        return (
            f"{name} is {repeat_interval!r}, which is zero, and Alertmanager refuses a zero"
            " repeat_interval: use a positive duration, for example 1m."
        )
    return None


def _alertname_problem(alertname: Any) -> str | None:
    if isinstance(alertname, str) and alertname and alertname.isprintable():
        return None
    seen = repr(alertname) if isinstance(alertname, str) else _kind(alertname)
    return (
        f"alertmanager_heartbeat_alertname is {seen}, not an alert name: give the name of the"
        f" always-firing alert, {DEFAULT_HEARTBEAT_ALERTNAME} from the alertmesh.ha.prometheus"
        " role by default."
    )


def heartbeat_problems(
    config: Mapping[str, Any],
    url: str | None,
    repeat_interval: str = DEFAULT_HEARTBEAT_REPEAT_INTERVAL,
    alertname: str = DEFAULT_HEARTBEAT_ALERTNAME,
) -> list[str]:
    """Return one message per problem of the heartbeat settings; empty when there is none.

    Empty as well when ``url`` is empty: then no heartbeat is sent and the other settings
    are not used.
    """
    _require_mapping(config)
    if not _heartbeat_enabled(url):
        return []
    problems = _insertion_problems(config) + _heartbeat_receiver_routes(config)
    for problem in (
        _url_problem(url),
        _repeat_interval_problem(repeat_interval),
        _alertname_problem(alertname),
    ):
        if problem:
            problems.append(problem)
    return problems


def _matcher_value(value: str) -> str:
    """``value`` quoted as Alertmanager's matchers read it."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def alertmanager_with_heartbeat(
    config: Mapping[str, Any],
    url: str | None,
    repeat_interval: str = DEFAULT_HEARTBEAT_REPEAT_INTERVAL,
    alertname: str = DEFAULT_HEARTBEAT_ALERTNAME,
) -> Mapping[str, Any]:
    """Return ``config`` with the dead man's switch; ``config`` itself when ``url`` is empty.

    The result has a receiver HEARTBEAT_RECEIVER that posts to ``url`` (a webhook, without
    resolved notifications) and, first among the root route's routes, a route that takes
    the alert ``alertname`` to it alone (``continue: false``), sent again every
    ``repeat_interval``. Alertmanager repeats a notification only at a group_interval tick
    once repeat_interval has passed since the last one was sent, which is a little after
    its tick: with both intervals equal, the heartbeat would go every other tick. So the
    route ticks every HEARTBEAT_GROUP_INTERVAL. ``config`` is not changed. The settings are
    not checked here: heartbeat_problems does that.
    """
    _require_mapping(config)
    if not _heartbeat_enabled(url):
        return config
    problems = _insertion_problems(config)
    if problems:
        raise AlertmanagerConfigError(" ".join(problems))
    heartbeat_route = {
        "receiver": HEARTBEAT_RECEIVER,
        "matchers": [f"alertname={_matcher_value(alertname)}"],
        "group_by": ["alertname"],
        "group_wait": "0s",
        "group_interval": HEARTBEAT_GROUP_INTERVAL,
        "repeat_interval": repeat_interval,
        "continue": False,
    }
    heartbeat_receiver = {
        "name": HEARTBEAT_RECEIVER,
        "webhook_configs": [{"url": url, "send_resolved": False}],
    }
    route = dict(config.get("route") or {})
    route["routes"] = [heartbeat_route, *(route.get("routes") or [])]
    receivers = [*(config.get("receivers") or []), heartbeat_receiver]
    return {**config, "route": route, "receivers": receivers}
