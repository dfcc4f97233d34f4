r"""Prometheus relabelling: label sets, relabel rules, their checks and how they apply.

``relabel`` applies ``relabel_configs``/``alert_relabel_configs`` rules to a label set as
Prometheus's ``model/relabel`` does, and ``relabel_config_problems`` lists the rules that
Prometheus's configuration check would reject. Pure Python over plain data; the filters in
``plugins/filter/relabel.py`` are thin wrappers around these functions.

How closely this follows Prometheus:

- ``prometheus_version`` picks the release to model; its major decides the syntax.
  Prometheus 2 anchors a regex as ``^(?:REGEX)$`` and takes label names matching
  ``[a-zA-Z_][a-zA-Z0-9_]*``. Prometheus 3 anchors as ``^(?s:REGEX)$``, so ``.`` also
  matches a newline, and takes any non-empty UTF-8 label name (its default name
  validation scheme). The default is 2, the release
  that Debian 12 and 13 ship.
- Regexes are RE2, as in Go's ``regexp``, and evaluated by ``re2.py``, whose docstring says
  how closely it follows Go. Prometheus compiles the anchored text itself, so ``a)|(b`` is
  valid there and matches unanchored; the same text is compiled here.
- A label with an empty value is the same as a missing label. Values that YAML read as
  numbers or booleans become text (``1`` becomes ``"1"``, ``true`` becomes ``"true"``) and
  ``None`` becomes the empty value. Quote values whose spelling matters, such as
  ``"1.10"`` or ``"yes"``: Prometheus reads them as they are written.
- A rule key set to ``None`` takes Go's zero value, as Prometheus's YAML loader does:
  ``regex: null`` is the empty regex, ``separator: null`` the empty separator, and
  ``action: null`` is rejected. Unknown keys are rejected, as Prometheus's strict loader
  does.
- ``labelmap`` writes whatever name its replacement expands to, as Prometheus does. When
  it maps two labels onto one name, the last one visited wins, and the visiting order
  depends on the release (``Behaviour``).
- Where releases differ, ``prometheus_version`` as a full release (``'2.42.0'``) picks
  the behaviour of that release (``Behaviour``): which order ``labelmap`` visits labels
  in, what a templated ``target_label`` that expands to nothing deletes, and where the
  notifier puts external labels. A bare major, or a release between the ones known to
  behave one way or the other, stands for every behaviour it may have: ``relabel`` then
  refuses an input whose result depends on which, rather than guess.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ansible_collections.alertmesh.ha.plugins.plugin_utils.re2 import (
    RE2Error,
    RE2Regex,
    compile_re2,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_PROMETHEUS_VERSION",
    "Behaviour",
    "Dialect",
    "RelabelConfigError",
    "RelabelError",
    "Rule",
    "apply_rules",
    "is_valid_label_name",
    "label_set",
    "parse_rule",
    "parse_rules",
    "prometheus_dialect",
    "relabel",
    "relabel_config_problems",
    "render_rule",
    "render_yaml",
]

DEFAULT_PROMETHEUS_VERSION = 2
ACTIONS = frozenset(
    {
        "replace",
        "keep",
        "drop",
        "hashmod",
        "labelmap",
        "labeldrop",
        "labelkeep",
        "lowercase",
        "uppercase",
        "keepequal",
        "dropequal",
    }
)
RULE_KEYS = (
    "source_labels",
    "separator",
    "regex",
    "modulus",
    "target_label",
    "replacement",
    "action",
)
DEFAULT_SEPARATOR = ";"
DEFAULT_REGEX = "(.*)"
DEFAULT_REPLACEMENT = "$1"
DEFAULT_ACTION = "replace"

_TARGET_LABEL_ACTIONS = frozenset(
    {"replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"}
)
_CASE_AND_EQUAL_ACTIONS = frozenset({"lowercase", "uppercase", "keepequal", "dropequal"})
_MAX_MODULUS = 2**64 - 1
_LEGACY_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_ASCII_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS = "0123456789"


class RelabelError(ValueError):
    """Raised when a label set, a list of relabel rules or another argument cannot be used."""


class RelabelConfigError(RelabelError):
    """Raised when a relabel rule would fail Prometheus's configuration check."""


# Prometheus majors


@dataclass(frozen=True)
class Behaviour:
    """How one Prometheus release relabels, where releases differ.

    ``rules_see_sorted_labels``: up to 2.42 every rule starts from the labels sorted by
    name; from 2.43.1 one label builder is shared by all rules, which visits the input
    labels in name order and then the labels set since, in the order they were set.
    ``empty_target_deletes_template``: before 2.50, a ``replace`` whose templated
    ``target_label`` expands to an invalid name, or whose value is empty, deletes the label
    named by the unexpanded template (so in practice nothing); since, it skips an invalid
    name and deletes the expanded one.
    ``external_labels_sorted_in``: up to 2.42 the notifier sorts the external labels in
    among the alert's own before ``alert_relabel_configs``; by 2.53 it adds them after the
    alert's labels, in name order, as labels set (so ``labelmap`` visits them last).
    """

    rules_see_sorted_labels: bool
    empty_target_deletes_template: bool
    external_labels_sorted_in: bool

    def describe(self) -> str:
        return "; ".join(
            (
                "every rule sees the labels sorted"
                if self.rules_see_sorted_labels
                else "labels set by rules are visited last",
                "an empty templated target_label deletes nothing"
                if self.empty_target_deletes_template
                else "an empty templated target_label deletes the expanded name",
                "external labels sorted in"
                if self.external_labels_sorted_in
                else "external labels last",
            )
        )


# For each trait of Behaviour: the last release known to behave the old way and the first
# known to behave the new way. A release in between may behave either way.
_BEHAVIOUR_CHANGES = {
    "rules_see_sorted_labels": ((2, 42, 999), (2, 43, 1)),
    "empty_target_deletes_template": ((2, 49, 999), (2, 50, 0)),
    "external_labels_sorted_in": ((2, 42, 999), (2, 53, 0)),
}


@dataclass(frozen=True)
class Dialect:
    """What differs between the Prometheus releases modelled here."""

    major: int
    # (major, minor, patch) when the release is known; None when only the major is.
    release: tuple[int, int, int] | None = None

    @property
    def behaviours(self) -> tuple[Behaviour, ...]:
        """Every Behaviour the release may have: one when it is known exactly."""
        options = []
        for _trait, (last_old, first_new) in _BEHAVIOUR_CHANGES.items():
            if self.release is not None:
                old, new = self.release <= last_old, self.release >= first_new
            else:
                old, new = self.major <= last_old[0], self.major >= first_new[0]
            options.append(
                [value for value, possible in ((True, old), (False, new)) if possible]
                or [True, False]
            )
        return tuple(Behaviour(*values) for values in itertools.product(*options))

    @property
    def utf8_label_names(self) -> bool:
        return self.major >= 3

    @property
    def dot_matches_newline(self) -> bool:
        return self.major >= 3


def prometheus_dialect(prometheus_version: Any) -> Dialect:
    """The dialect of a Prometheus version such as 2, '3' or 'v2.53.3'; RelabelError if none.

    A full release ('2.53.3', also '2.53.3+ds' or '2.53.3-rc.0') picks its own behaviour;
    a major alone, or a major and minor, stands for every release it may be.
    """
    if isinstance(prometheus_version, int) and not isinstance(prometheus_version, bool):
        prometheus_version = str(prometheus_version)
    version = (
        re.fullmatch(
            r"v?([0-9]+)(?:\.([0-9]+)(?:\.([0-9]+))?)?(?:[.+-].*)?",
            prometheus_version.strip(),
            re.DOTALL,
        )
        if isinstance(prometheus_version, str)
        else None
    )
    if version is None or int(version.group(1)) not in (2, 3):
        raise RelabelError(
            f"prometheus_version {prometheus_version!r} is not a Prometheus 2 or 3 version"
            " such as 2, '2.53.3' or '3.1.0'"
        )
    major, minor, patch = version.groups()
    release = (int(major), int(minor), int(patch)) if patch is not None else None
    return Dialect(int(major), release)


# Label names and values


def is_valid_label_name(name: str, dialect: Dialect) -> bool:
    """Whether Prometheus of ``dialect`` takes ``name`` as a label name."""
    if dialect.utf8_label_names:
        return name != "" and _is_utf8(name)
    return _LEGACY_LABEL_NAME.fullmatch(name) is not None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_valid_templated_name(template: str, dialect: Dialect) -> bool:
    """Whether a replace target_label or labelmap replacement with $ references is allowed."""
    if dialect.utf8_label_names:
        return is_valid_label_name(template, dialect)
    # The language of Prometheus's ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$, scanned without
    # backtracking: a letter, _ or $reference first, then word characters and $references.
    position = 0
    while position < len(template):
        char = template[position]
        if char == "$":
            position = _reference_end(template, position + 1)
            if position < 0:
                return False
        elif char in _ASCII_WORD_CHARS and (position > 0 or char not in _DIGITS):
            position += 1
        else:
            return False
    return template != ""


def _reference_end(template: str, position: int) -> int:
    """End of the ``{word}`` or ``word`` after a ``$`` at ``position - 1``, or -1."""
    braced = template.startswith("{", position)
    start = position + braced
    end = start
    while end < len(template) and template[end] in _ASCII_WORD_CHARS:
        end += 1
    if end == start:
        return -1
    if braced:
        return end + 1 if template.startswith("}", end) else -1
    return end


def _scalar_text(value: Any) -> str | None:
    """The text Prometheus reads for a YAML scalar, or None when ``value`` is no scalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def label_set(labels: Any, what: str, dialect: Dialect | None = None) -> dict[str, str]:
    """Validate ``labels`` and return it with text values and without empty ones."""
    if not isinstance(labels, Mapping):
        raise RelabelError(
            f"{what} must be a mapping of label names to values,"
            f" got {type(labels).__name__} {labels!r}"
        )
    checked: dict[str, str] = {}
    for name, value in labels.items():
        if not isinstance(name, str) or name == "":
            raise RelabelError(
                f"{what} has the label name {name!r}, which is not a non-empty string"
            )
        if dialect is not None and not is_valid_label_name(name, dialect):
            raise RelabelError(
                f"{what} has the label name {name!r}, which Prometheus {dialect.major}"
                " does not accept"
                + ("" if dialect.utf8_label_names else " (it must match [a-zA-Z_][a-zA-Z0-9_]*)")
            )
        text = _scalar_text(value)
        if text is None:
            raise RelabelError(
                f"{what} has label {name!r} = {value!r}, a {type(value).__name__};"
                " a label value must be a string"
            )
        if text:
            checked[str(name)] = text
    return checked


class _LabelBuilder:
    """A label set under relabelling, visited in the order of Prometheus's labels.Builder.

    The input labels come first in name order; a label that a rule sets moves behind them,
    in the order labels were first set. ``labelmap`` depends on that order.
    """

    def __init__(
        self, labels: Mapping[str, str], appended: Mapping[str, str] | None = None
    ) -> None:
        self._labels = dict(sorted(labels.items()))
        self._set_by_rules: set[str] = set()
        for name, value in (appended or {}).items():
            self.set(name, value)

    def get(self, name: str) -> str:
        return self._labels.get(name, "")

    def set(self, name: str, value: str) -> None:
        if value == "":
            self.delete(name)
            return
        if name not in self._set_by_rules:
            self._labels.pop(name, None)
            self._set_by_rules.add(name)
        self._labels[name] = value

    def delete(self, name: str) -> None:
        self._labels.pop(name, None)
        self._set_by_rules.discard(name)

    def snapshot(self) -> list[tuple[str, str]]:
        return list(self._labels.items())

    def labels(self) -> dict[str, str]:
        return dict(sorted(self._labels.items()))


# Regexes


@lru_cache(maxsize=512)
def _compile_regex(source: str, dot_matches_newline: bool) -> RE2Regex:
    # Prometheus anchors by compiling this very string, so a regex such as "a)|(b" is valid
    # there and matches unanchored; compiling the same string keeps that.
    anchored = ("^(?s:" if dot_matches_newline else "^(?:") + source + ")$"
    return compile_re2(anchored)


# Relabel rules


@dataclass(frozen=True)
class Rule:
    """A relabel rule with Prometheus's defaults filled in and its regex compiled."""

    action: str
    source_labels: tuple[str, ...]
    separator: str
    regex: RE2Regex
    modulus: int
    target_label: str
    replacement: str
    dialect: Dialect


def _rule_text(rule: Mapping[str, Any], key: str, default: str) -> str:
    if key not in rule:
        return default
    text = _scalar_text(rule[key])
    if text is None:
        raise RelabelConfigError(f"{key} must be a string, got {type(rule[key]).__name__}")
    return text


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def parse_rule(rule: Any, dialect: Dialect) -> Rule:
    """Fill in Prometheus's defaults and run the checks of its relabel Config.Validate."""
    if not isinstance(rule, Mapping):
        raise RelabelConfigError(f"a relabel rule must be a mapping, got {type(rule).__name__}")
    unknown = sorted(str(key) for key in rule if key not in RULE_KEYS)
    if unknown:
        raise RelabelConfigError(
            f"unknown key {', '.join(unknown)}; a relabel rule takes {', '.join(RULE_KEYS)}"
        )
    if "action" in rule and rule["action"] is None:
        raise RelabelConfigError("relabel action cannot be empty")
    action_spelling = _rule_text(rule, "action", DEFAULT_ACTION)
    action = action_spelling.lower()
    if action not in ACTIONS:
        raise RelabelConfigError(f"unknown relabel action {_quote(action_spelling)}")
    source_labels = _source_labels(rule.get("source_labels"), dialect)
    regex_text = _rule_text(rule, "regex", DEFAULT_REGEX)
    try:
        regex = _compile_regex(regex_text, dialect.dot_matches_newline)
    except RE2Error as err:
        raise RelabelConfigError(f"invalid regex: {err}") from err
    modulus = rule.get("modulus")
    if modulus is None:
        modulus = 0
    if (
        isinstance(modulus, bool)
        or not isinstance(modulus, int)
        or not 0 <= modulus <= _MAX_MODULUS
    ):
        raise RelabelConfigError(f"modulus {modulus!r} is not an unsigned 64-bit integer")
    parsed = Rule(
        action=action,
        source_labels=source_labels,
        separator=_rule_text(rule, "separator", DEFAULT_SEPARATOR),
        regex=regex,
        modulus=modulus,
        target_label=_rule_text(rule, "target_label", ""),
        replacement=_rule_text(rule, "replacement", DEFAULT_REPLACEMENT),
        dialect=dialect,
    )
    problem = _config_problem(
        parsed,
        regex_set="regex" in rule,
        source_labels_set=rule.get("source_labels") is not None,
    )
    if problem:
        raise RelabelConfigError(problem)
    return parsed


def _source_labels(source_labels: Any, dialect: Dialect) -> tuple[str, ...]:
    if source_labels is None:
        return ()
    if isinstance(source_labels, str) or not isinstance(source_labels, Sequence):
        raise RelabelConfigError(
            f"source_labels must be a list of label names, got {type(source_labels).__name__}"
        )
    names = []
    for item in source_labels:
        name = _scalar_text(item)
        if name is None or not is_valid_label_name(name, dialect):
            raise RelabelConfigError(
                f"source_labels holds {item!r}, which is not a valid label name"
            )
        names.append(name)
    return tuple(names)


def _config_problem(rule: Rule, *, regex_set: bool, source_labels_set: bool) -> str:
    """The first problem Prometheus's Config.Validate reports for ``rule``, or ''."""
    action, target_label, dialect = rule.action, rule.target_label, rule.dialect
    target_is_templated = "$" in target_label
    invalid_target = f"{_quote(target_label)} is invalid 'target_label' for {action} action"
    checks = (
        (
            action == "hashmod" and rule.modulus == 0,
            "relabel configuration for hashmod requires non-zero modulus",
        ),
        (
            action in _TARGET_LABEL_ACTIONS and target_label == "",
            f"relabel configuration for {action} action requires 'target_label' value",
        ),
        (
            action == "replace"
            and not target_is_templated
            and not is_valid_label_name(target_label, dialect),
            invalid_target,
        ),
        (
            action == "replace"
            and target_is_templated
            and not _is_valid_templated_name(target_label, dialect),
            invalid_target,
        ),
        (
            action in _CASE_AND_EQUAL_ACTIONS and not is_valid_label_name(target_label, dialect),
            invalid_target,
        ),
        (
            action in _CASE_AND_EQUAL_ACTIONS and rule.replacement != DEFAULT_REPLACEMENT,
            f"'replacement' can not be set for {action} action",
        ),
        (
            action == "labelmap" and not _is_valid_templated_name(rule.replacement, dialect),
            f"{_quote(rule.replacement)} is invalid 'replacement' for labelmap action",
        ),
        (
            action == "hashmod" and not is_valid_label_name(target_label, dialect),
            invalid_target,
        ),
        (
            action in ("keepequal", "dropequal")
            and (
                regex_set
                or rule.modulus != 0
                or rule.separator != DEFAULT_SEPARATOR
                or rule.replacement != DEFAULT_REPLACEMENT
            ),
            f"{action} action requires only 'source_labels' and `target_label`,"
            " and no other fields",
        ),
        (
            action in ("labeldrop", "labelkeep")
            and (
                source_labels_set
                or target_label != ""
                or rule.modulus != 0
                or rule.separator != DEFAULT_SEPARATOR
                or rule.replacement != DEFAULT_REPLACEMENT
            ),
            f"{action} action requires only 'regex', and no other fields",
        ),
    )
    return next((problem for failed, problem in checks if failed), "")


def _rule_list_problem(configs: Any) -> str:
    """Why ``configs`` is no list of relabel rules, or '' (None counts as no rules)."""
    if configs is None or (
        isinstance(configs, Sequence) and not isinstance(configs, str | Mapping)
    ):
        return ""
    return f"configs must be a list of relabel rules, got {type(configs).__name__} {configs!r}"


def _rule_problem(index: int, rule: Any, err: RelabelConfigError) -> str:
    return f"configs[{index}] {render_rule(rule)}: {err}"


def parse_rules(configs: Any, dialect: Dialect) -> list[Rule]:
    """Parse a list of relabel rules; raise RelabelConfigError naming the first bad one."""
    list_problem = _rule_list_problem(configs)
    if list_problem:
        raise RelabelError(list_problem)
    rules = []
    for index, rule in enumerate(configs or ()):
        try:
            rules.append(parse_rule(rule, dialect))
        except RelabelConfigError as err:
            raise RelabelConfigError(_rule_problem(index, rule, err)) from err
    return rules


def relabel_config_problems(
    configs: Sequence[Mapping[str, Any]] | None,
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> list[str]:
    """List what Prometheus's configuration check would reject in ``configs``.

    One message per rejected rule, in rule order, each starting with ``configs[N]`` and the
    rule; a ``configs`` that is no list is one problem. Empty when Prometheus would accept
    every rule. Only a bad ``prometheus_version`` raises (RelabelError).
    """
    dialect = prometheus_dialect(prometheus_version)
    list_problem = _rule_list_problem(configs)
    if list_problem:
        return [list_problem]
    problems = []
    for index, rule in enumerate(configs or ()):
        try:
            parse_rule(rule, dialect)
        except RelabelConfigError as err:
            problems.append(_rule_problem(index, rule, err))
    return problems


# Applying rules


def _go_lower(text: str) -> str:
    # Go maps rune by rune (no final sigma) and the dotted capital I to a plain i.
    return "".join("i" if char == "\u0130" else char.lower() for char in text)


def _go_upper(text: str) -> str:
    # Go maps each rune to one rune: sharp s and ligatures stay, iota subscripts take the
    # one-rune titlecase form.
    return "".join(_upper_rune(char) for char in text)


def _upper_rune(char: str) -> str:
    for mapped in (char.upper(), char.title()):
        if len(mapped) == 1:
            return mapped
    return char


def _hashmod(value: str, modulus: int) -> str:
    digest = hashlib.md5(value.encode(), usedforsecurity=False).digest()
    # Prometheus reads the last 8 bytes of the digest as a big-endian unsigned integer.
    return str(int.from_bytes(digest[8:], "big") % modulus)


def _apply(rule: Rule, builder: _LabelBuilder, behaviour: Behaviour) -> bool:
    """Apply one rule; return False when it drops the label set."""
    value = rule.separator.join(builder.get(name) for name in rule.source_labels)
    match rule.action:
        case "drop":
            return rule.regex.search(value) is None
        case "keep":
            return rule.regex.search(value) is not None
        case "dropequal":
            return builder.get(rule.target_label) != value
        case "keepequal":
            return builder.get(rule.target_label) == value
        case "replace":
            found = rule.regex.search(value)
            if found is not None:
                target_label = rule.regex.expand(rule.target_label, found)
                replacement = rule.regex.expand(rule.replacement, found)
                valid = is_valid_label_name(target_label, rule.dialect)
                if behaviour.empty_target_deletes_template and (not valid or replacement == ""):
                    builder.delete(rule.target_label)
                elif valid:
                    builder.set(target_label, replacement)
        case "lowercase":
            builder.set(rule.target_label, _go_lower(value))
        case "uppercase":
            builder.set(rule.target_label, _go_upper(value))
        case "hashmod":
            builder.set(rule.target_label, _hashmod(value, rule.modulus))
        case "labelmap":
            for name, label_value in builder.snapshot():
                if rule.regex.search(name) is not None:
                    builder.set(rule.regex.replace_all(name, rule.replacement), label_value)
        case "labeldrop":
            for name, _value in builder.snapshot():
                if rule.regex.search(name) is not None:
                    builder.delete(name)
        case "labelkeep":
            for name, _value in builder.snapshot():
                if rule.regex.search(name) is None:
                    builder.delete(name)
    return True


NEWEST_BEHAVIOUR = Behaviour(
    rules_see_sorted_labels=False,
    empty_target_deletes_template=False,
    external_labels_sorted_in=False,
)


def apply_rules(
    labels: Mapping[str, str],
    rules: Iterable[Rule],
    behaviour: Behaviour = NEWEST_BEHAVIOUR,
    appended: Mapping[str, str] | None = None,
) -> dict[str, str] | None:
    """Apply parsed rules to a checked label set as a release of ``behaviour`` does.

    ``appended`` labels come after ``labels``, as labels set (the notifier's external
    labels since 2.53). Returns the labels sorted by name, or None if dropped.
    """
    builder = _LabelBuilder(labels, appended)
    for rule in rules:
        if behaviour.rules_see_sorted_labels:
            builder = _LabelBuilder(builder.labels())
        if not _apply(rule, builder, behaviour):
            return None
    return builder.labels()


def relabel(
    labels: Mapping[str, Any],
    configs: Sequence[Mapping[str, Any]] | None,
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> dict[str, str] | None:
    """Apply Prometheus relabel rules to ``labels``.

    Returns the resulting labels sorted by name, or None when a rule drops the label set.
    Raises RelabelConfigError naming the rule when a rule would fail Prometheus's
    configuration check, and RelabelError when ``labels`` or ``configs`` is malformed.
    """
    dialect = prometheus_dialect(prometheus_version)
    rules = parse_rules(configs, dialect)
    checked = label_set(labels, "the input label set")
    outcomes = {
        behaviour: apply_rules(checked, rules, behaviour) for behaviour in dialect.behaviours
    }
    if len({json.dumps(result, sort_keys=True) for result in outcomes.values()}) > 1:
        raise RelabelError(
            f"the result depends on which Prometheus {dialect.major} release applies these rules: "
            + "; ".join(
                f"{json.dumps(result, sort_keys=True)} where {behaviour.describe()}"
                for behaviour, result in outcomes.items()
            )
            + ". Give prometheus_version as the full release, such as '2.53.3'"
        )
    return next(iter(outcomes.values()))


# Rendering rules as YAML

_PLAIN_YAML_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def render_yaml(value: Any) -> str:
    """Render plain data as one line of flow-style YAML, quoting only where YAML needs it."""
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(f"{render_yaml(key)}: {render_yaml(item)}" for key, item in value.items())
            + "}"
        )
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(render_yaml(item) for item in value) + "]"
    if value is None or isinstance(value, bool | int | float):
        return _scalar_text(value) or "null"
    text = str(value)
    if _PLAIN_YAML_SCALAR.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    if not text.isprintable():
        return _quote(text)
    return "'" + text.replace("'", "''") + "'"


def render_rule(rule: Any) -> str:
    """Render a relabel rule as one line of YAML: ``{action: labeldrop, regex: replica}``."""
    return render_yaml(rule)
