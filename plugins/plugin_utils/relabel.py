r"""Prometheus relabelling, and the alert relabel rules that let HA replicas' alerts deduplicate.

``relabel`` applies ``relabel_configs``/``alert_relabel_configs`` rules to a label set as
Prometheus's ``model/relabel`` does. ``replica_relabel_configs`` and ``alert_dedup_report``
use it to find the ``alert_relabel_configs`` rules that make the alerts of all Prometheus
replicas identical, so that Alertmanager deduplicates them. Pure Python over plain data; the
filters in ``plugins/filter/relabel.py`` are thin wrappers around these functions.

How closely this follows Prometheus:

- ``prometheus_version`` picks the major release to model. Prometheus 2 anchors a regex as
  ``^(?:REGEX)$`` and takes label names matching ``[a-zA-Z_][a-zA-Z0-9_]*``. Prometheus 3
  anchors as ``^(?s:REGEX)$``, so ``.`` also matches a newline, and takes any non-empty
  UTF-8 label name (its default name validation scheme). The default is 2, the release
  that Debian 12 and 13 ship.
- Regexes are RE2, as in Go's ``regexp``. They are parsed here by Go's rules and translated
  to Python's ``re``. What RE2 rejects is an error carrying Go's message: lookaround,
  backreferences, possessive and atomic groups, ``\Z``, ``\C``, stacked repetition
  operators, counts over 1000, flags other than ``imsU``. RE2 spellings that ``re`` lacks or
  reads differently are translated: ``\z``, ``\Q...\E``, ``(?U)``, ``(?<name>...)`` (Go 1.22
  and later; Debian 12's Prometheus, built with Go 1.19, rejects it), group names that start
  with a digit or repeat, POSIX classes such as ``[[:alpha:]]``, flags set in the middle of
  a group, ``$`` (end of text only), ``{,n}`` (a literal, not a repetition), and ASCII-only
  ``\d``, ``\s``, ``\w`` and ``\b``. Unicode classes (``\pL``, ``\p{Greek}``) are valid RE2
  but rejected here, because ``re`` cannot evaluate them. Prometheus compiles the anchored
  text itself, so ``a)|(b`` is valid there and matches unanchored; the same text is
  translated here. Checked against Go 1.19's regexp on some 20,000 generated regexes, the
  one known difference is a group repeated by a loop whose body can match the empty string:
  for ``(a*)*`` on ``aa``, RE2 captures ``aa`` and Python a final empty iteration. Case
  folding is Python's, which agrees with Go's outside a few exotic characters. Python
  backtracks, so a pathological regex can be slow where RE2 is linear, and Go's limits on
  compiled size and nesting depth are not modelled.
- Replacement templates are expanded like Go's ``Regexp.Expand``: ``$1``, ``${1}``,
  ``$name``, ``${name}`` and ``$$``; the longest name wins (``$1x`` is the group named
  ``1x``), a missing group expands to nothing, and a ``$`` that starts no name is literal.
- A label with an empty value is the same as a missing label. Values that YAML read as
  numbers or booleans become text (``1`` becomes ``"1"``, ``true`` becomes ``"true"``) and
  ``None`` becomes the empty value. Quote values whose spelling matters, such as
  ``"1.10"`` or ``"yes"``: Prometheus reads them as they are written.
- A rule key set to ``None`` takes Go's zero value, as Prometheus's YAML loader does:
  ``regex: null`` is the empty regex, ``separator: null`` the empty separator, and
  ``action: null`` is rejected. Unknown keys are rejected, as Prometheus's strict loader
  does.
- ``labelmap`` writes whatever name its replacement expands to, as Prometheus does. When
  it maps two labels onto one name, the last one visited wins: input labels in name
  order, then labels added by earlier rules in the order they were added (current
  Prometheus; older 2.x releases visited every label in name order).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

__all__ = [
    "ACTIONS",
    "DEFAULT_PROMETHEUS_VERSION",
    "SAMPLE_ALERT_LABELS",
    "RelabelConfigError",
    "RelabelError",
    "alert_dedup_report",
    "relabel",
    "render_rule",
    "replica_relabel_configs",
]

DEFAULT_PROMETHEUS_VERSION = 2
SAMPLE_ALERT_LABELS: Mapping[str, str] = MappingProxyType(
    {"alertname": "AlertmeshWatchdog", "severity": "none"}
)
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
class _Dialect:
    """What differs between the Prometheus major releases modelled here."""

    major: int

    @property
    def utf8_label_names(self) -> bool:
        return self.major >= 3

    @property
    def dot_matches_newline(self) -> bool:
        return self.major >= 3


def _dialect(prometheus_version: Any) -> _Dialect:
    if isinstance(prometheus_version, int) and not isinstance(prometheus_version, bool):
        prometheus_version = str(prometheus_version)
    version = (
        re.fullmatch(r"v?([0-9]+)(?:\..*)?", prometheus_version.strip(), re.DOTALL)
        if isinstance(prometheus_version, str)
        else None
    )
    if version is None or int(version.group(1)) not in (2, 3):
        raise RelabelError(
            f"prometheus_version {prometheus_version!r} is not a Prometheus 2 or 3 version"
            " such as 2, '2.53.3' or '3.1.0'"
        )
    return _Dialect(int(version.group(1)))


# Label names and values


def _is_valid_label_name(name: str, dialect: _Dialect) -> bool:
    if dialect.utf8_label_names:
        return name != "" and _is_utf8(name)
    return _LEGACY_LABEL_NAME.fullmatch(name) is not None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_valid_templated_name(template: str, dialect: _Dialect) -> bool:
    """Whether a replace target_label or labelmap replacement with $ references is allowed."""
    if dialect.utf8_label_names:
        return _is_valid_label_name(template, dialect)
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


def _label_set(labels: Any, what: str, dialect: _Dialect | None = None) -> dict[str, str]:
    """Validate ``labels`` and return it with text values and without empty ones."""
    if not isinstance(labels, Mapping):
        raise RelabelError(
            f"{what} must be a mapping of label names to values,"
            f" got {type(labels).__name__} {labels!r}"
        )
    label_set: dict[str, str] = {}
    for name, value in labels.items():
        if not isinstance(name, str) or name == "":
            raise RelabelError(
                f"{what} has the label name {name!r}, which is not a non-empty string"
            )
        if dialect is not None and not _is_valid_label_name(name, dialect):
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
            label_set[str(name)] = text
    return label_set


class _LabelBuilder:
    """A label set under relabelling, visited in the order of Prometheus's labels.Builder.

    The input labels come first in name order; a label that a rule sets moves behind them,
    in the order labels were first set. ``labelmap`` depends on that order.
    """

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(sorted(labels.items()))
        self._set_by_rules: set[str] = set()

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


# RE2 regexes, translated to Python's re

_FOLD_CASE = 1
_MULTI_LINE = 2
_DOT_NEWLINE = 4
_NON_GREEDY = 8
_FLAG_BITS = {"i": _FOLD_CASE, "m": _MULTI_LINE, "s": _DOT_NEWLINE, "U": _NON_GREEDY}
_MAX_REPEAT = 1000
_MAX_RUNE = 0x10FFFF

_Ranges = tuple[tuple[int, int], ...]

_PERL_CLASSES: dict[str, _Ranges] = {
    "d": ((0x30, 0x39),),
    "s": ((0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)),
    "w": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
}
_POSIX_CLASSES: dict[str, _Ranges] = {
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "ascii": ((0x00, 0x7F),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "digit": ((0x30, 0x39),),
    "graph": ((0x21, 0x7E),),
    "lower": ((0x61, 0x7A),),
    "print": ((0x20, 0x7E),),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "upper": ((0x41, 0x5A),),
    "word": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
}
_SIMPLE_ESCAPES = {"a": 0x07, "f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
_OCTAL_DIGITS = "01234567"
# The long s and the Kelvin sign, which RE2's (?i) folds to s and k.
_NON_ASCII_FOLDS = {"s": (0x17F,), "k": (0x212A,)}
_HEX_DIGITS = "0123456789abcdefABCDEF"


@dataclass(frozen=True)
class _CountedRepeat:
    """An ``x{min,max}`` and the counted repeats inside it, for RE2's limit of 1000 copies."""

    minimum: int
    maximum: int
    inner: tuple[_CountedRepeat, ...]


@dataclass
class _Piece:
    """One translated atom: what a repetition operator applies to."""

    python: str
    repeats: tuple[_CountedRepeat, ...] = ()


@dataclass
class _Group:
    opener: str
    flags_before: int
    alternatives: list[list[_Piece]]


@dataclass(frozen=True)
class _RelabelRegex:
    """A translated relabel regex that searches, expands and replaces like Go's regexp."""

    pattern: re.Pattern[str]
    group_names: Mapping[str, tuple[int, ...]]

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)

    def replace_all(self, text: str, template: str) -> str:
        """Go's Regexp.ReplaceAllString."""
        replaced: list[str] = []
        last_match_end = 0
        search_position = 0
        while search_position <= len(text):
            found = self.pattern.search(text, search_position)
            if found is None:
                break
            start, end = found.span()
            replaced.append(text[last_match_end:start])
            # Go does not replace an empty match right after the previous match.
            if end > last_match_end or start == 0:
                replaced.append(self.expand(template, found))
            last_match_end = end
            search_position = max(search_position + 1, end)
        replaced.append(text[last_match_end:])
        return "".join(replaced)

    def expand(self, template: str, found: re.Match[str]) -> str:
        expanded: list[str] = []
        rest = template
        while True:
            before, dollar, rest = rest.partition("$")
            expanded.append(before)
            if not dollar:
                return "".join(expanded)
            if rest.startswith("$"):
                expanded.append("$")
                rest = rest[1:]
                continue
            reference = _template_reference(rest)
            if reference is None:
                expanded.append("$")
                continue
            name, rest = reference
            expanded.append(self._group_text(name, found))

    def _group_text(self, name: str, found: re.Match[str]) -> str:
        number = _group_number(name)
        if number >= 0:
            return (found.group(number) or "") if number <= self.pattern.groups else ""
        for index in self.group_names.get(name, ()):
            if found.group(index) is not None:
                return found.group(index)
        return ""


def _template_reference(text: str) -> tuple[str, str] | None:
    """Split the ``name`` or ``{name}`` that follows a ``$`` from the rest of the template."""
    braced = text.startswith("{")
    body = text[1:] if braced else text
    end = 0
    while end < len(body) and (body[end] == "_" or body[end].isalpha() or body[end].isdecimal()):
        end += 1
    if end == 0:
        return None
    name = body[:end]
    if braced:
        if not body.startswith("}", end):
            return None
        end += 1
    return name, body[end:]


def _group_number(name: str) -> int:
    """The group number ``name`` spells as Go reads it, or -1 when it is a group name."""
    number = 0
    for char in name:
        if char not in _DIGITS or number >= 100_000_000:
            return -1
        number = number * 10 + int(char)
    if name[0] == "0" and len(name) > 1:
        return -1
    return number


def _is_hex_digit(char: str) -> bool:
    return len(char) == 1 and char in _HEX_DIGITS


def _is_octal_digit(text: str, position: int) -> bool:
    return position < len(text) and text[position] in _OCTAL_DIGITS


def _regex_error(code: str, expression: str) -> RelabelConfigError:
    return RelabelConfigError(f"error parsing regexp: {code}: `{expression}`")


def _python_char(code: int) -> str:
    char = chr(code)
    if char in _ASCII_WORD_CHARS:
        return char
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _python_ranges(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(
        _python_char(low) if low == high else f"{_python_char(low)}-{_python_char(high)}"
        for low, high in ranges
    )


def _fold_closed(ranges: _Ranges) -> list[tuple[int, int]]:
    """``ranges`` (ASCII) plus every character that folds to one in it, as Go's (?i) does."""
    codes = {code for low, high in ranges for code in range(low, high + 1)}
    for code in list(codes):
        char = chr(code)
        if char.isalpha():
            codes.add(ord(char.swapcase()))
            codes.update(_NON_ASCII_FOLDS.get(char.lower(), ()))
    return [(code, code) for code in sorted(codes)]


def _complement(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    complement: list[tuple[int, int]] = []
    next_low = 0
    for low, high in sorted(ranges):
        if next_low < low:
            complement.append((next_low, low - 1))
        next_low = max(next_low, high + 1)
    if next_low <= _MAX_RUNE:
        complement.append((next_low, _MAX_RUNE))
    return complement


def _repeats_fit(repeats: Iterable[_CountedRepeat], copies: int) -> bool:
    """Go's repeatIsValid: nested counted repeats may make at most ``copies`` copies."""
    for repeat in repeats:
        count = repeat.maximum
        if count == 0:
            continue
        if count < 0:
            count = repeat.minimum
        if count > copies:
            return False
        if not _repeats_fit(repeat.inner, copies // count if count > 0 else copies):
            return False
    return True


def _parse_count(text: str, position: int) -> tuple[int | None, int]:
    """Go's parseInt: a decimal without leading zeros, -1 when too large, None when absent."""
    end = position
    while end < len(text) and text[end] in _DIGITS:
        end += 1
    digits = text[position:end]
    if not digits or (len(digits) > 1 and digits[0] == "0"):
        return None, position
    number = 0
    for digit in digits:
        if number >= 100_000_000:
            return -1, end
        number = number * 10 + int(digit)
    return number, end


def _parse_repeat(text: str, position: int) -> tuple[int, int, int] | None:
    """Parse ``{n}``, ``{n,}`` or ``{n,m}`` at ``position``: (min, max or -1, end), or None."""
    minimum, end = _parse_count(text, position + 1)
    if minimum is None:
        return None
    maximum = minimum
    if text.startswith(",", end):
        end += 1
        if text.startswith("}", end):
            maximum = -1
        else:
            parsed_maximum, end = _parse_count(text, end)
            if parsed_maximum is None:
                return None
            maximum = parsed_maximum
            if maximum < 0:
                minimum = -1
    if not text.startswith("}", end):
        return None
    return minimum, maximum, end + 1


class _RE2Translator:
    """Parse an RE2 regex by the rules of Go's regexp/syntax and write it for Python's re.

    Every RE2 capture group becomes an unnamed Python group with the same number; names
    are kept aside, because RE2 allows names that Python does not. Flags are applied per
    atom, so that ``(?i)`` in the middle of a group reaches exactly as far as in RE2.

    ``source`` is always the anchored text Prometheus compiles, which ends in ``)$``: an
    escape or a character range never runs off its end.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.flags = 0
        self.groups = [_Group("(?:", self.flags, [[]])]
        self.group_count = 0
        self.group_names: dict[str, list[int]] = {}
        self.last_repeat_start = -1
        self.repeat_start = -1

    def translate(self) -> _RelabelRegex:
        source = self.source
        while self.position < len(source):
            self.repeat_start = -1
            char = source[self.position]
            if char == "(":
                self._open_group()
            elif char == "|":
                self.groups[-1].alternatives.append([])
                self.position += 1
            elif char == ")":
                self._close_group()
            elif char == "^":
                self._emit(r"(?m:^)" if self.flags & _MULTI_LINE else r"\A")
            elif char == "$":
                self._emit(r"(?m:$)" if self.flags & _MULTI_LINE else r"\Z")
            elif char == ".":
                self._emit(r"(?s:.)" if self.flags & _DOT_NEWLINE else ".")
            elif char == "[":
                self._class()
            elif char in "*+?":
                self._repeat(self.position + 1, char)
            elif char == "{":
                self._counted_repeat_or_brace()
            elif char == "\\":
                self._backslash()
            else:
                self._literal(ord(char))
                self.position += 1
            self.last_repeat_start = self.repeat_start
        if len(self.groups) != 1:
            raise _regex_error("missing closing )", source)
        body = "|".join(
            "".join(piece.python for piece in alt) for alt in self.groups[0].alternatives
        )
        return _RelabelRegex(
            re.compile(body),
            MappingProxyType({name: tuple(indexes) for name, indexes in self.group_names.items()}),
        )

    def _emit(self, python: str, *, advance: int = 1) -> None:
        self.groups[-1].alternatives[-1].append(_Piece(python))
        self.position += advance

    def _literal(self, code: int) -> None:
        python = _python_char(code)
        self.groups[-1].alternatives[-1].append(
            _Piece(f"(?i:{python})" if self.flags & _FOLD_CASE else python)
        )

    def _class_piece(self, python_class: str) -> None:
        self.groups[-1].alternatives[-1].append(
            _Piece(f"(?i:{python_class})" if self.flags & _FOLD_CASE else python_class)
        )

    def _open_group(self) -> None:
        rest = self.source[self.position :]
        if not rest.startswith("(?"):
            self.group_count += 1
            self.groups.append(_Group("(", self.flags, [[]]))
            self.position += 1
            return
        if (len(rest) > 4 and rest[2:4] == "P<") or (len(rest) > 3 and rest[2] == "<"):
            self._open_named_group(rest, 4 if rest[2] == "P" else 3)
            return
        flags = self.flags
        negated = False
        saw_flag = False
        end = 2
        while end < len(rest):
            char = rest[end]
            end += 1
            if char in _FLAG_BITS:
                bit = _FLAG_BITS[char]
                flags = flags & ~bit if negated else flags | bit
                saw_flag = True
            elif char == "-" and not negated:
                negated = True
                saw_flag = False
            elif char in ":)" and (saw_flag or not negated):
                if char == ":":
                    self.groups.append(_Group("(?:", self.flags, [[]]))
                self.flags = flags
                self.position += end
                return
            else:
                break
        raise _regex_error("invalid or unsupported Perl syntax", rest[:end])

    def _open_named_group(self, rest: str, name_start: int) -> None:
        end = rest.find(">")
        if end < 0:
            raise _regex_error("invalid named capture", rest)
        name = rest[name_start:end]
        if not name or any(char not in _ASCII_WORD_CHARS for char in name):
            raise _regex_error("invalid named capture", rest[: end + 1])
        self.group_count += 1
        self.group_names.setdefault(name, []).append(self.group_count)
        self.groups.append(_Group("(", self.flags, [[]]))
        self.position += end + 1

    def _close_group(self) -> None:
        if len(self.groups) == 1:
            raise _regex_error("unexpected )", self.source)
        group = self.groups.pop()
        self.flags = group.flags_before
        alternatives = "|".join(
            "".join(piece.python for piece in alternative) for alternative in group.alternatives
        )
        repeats = tuple(
            repeat
            for alternative in group.alternatives
            for piece in alternative
            for repeat in piece.repeats
        )
        self.groups[-1].alternatives[-1].append(_Piece(f"{group.opener}{alternatives})", repeats))
        self.position += 1

    def _counted_repeat_or_brace(self) -> None:
        parsed = _parse_repeat(self.source, self.position)
        if parsed is None:
            self._literal(ord("{"))
            self.position += 1
            return
        minimum, maximum, end = parsed
        if (
            minimum < 0
            or minimum > _MAX_REPEAT
            or maximum > _MAX_REPEAT
            or (maximum >= 0 and minimum > maximum)
        ):
            raise _regex_error("invalid repeat count", self.source[self.position : end])
        quantifier = (
            f"{{{minimum}}}"
            if minimum == maximum
            else f"{{{minimum},}}"
            if maximum < 0
            else f"{{{minimum},{maximum}}}"
        )
        self._repeat(end, quantifier, (minimum, maximum))

    def _repeat(self, end: int, quantifier: str, counts: tuple[int, int] | None = None) -> None:
        start = self.position
        lazy = self.source.startswith("?", end)
        end += lazy
        if self.last_repeat_start >= 0:
            raise _regex_error(
                "invalid nested repetition operator", self.source[self.last_repeat_start : end]
            )
        pieces = self.groups[-1].alternatives[-1]
        if not pieces:
            raise _regex_error("missing argument to repetition operator", self.source[start:end])
        repeated = pieces[-1]
        repeats = repeated.repeats
        if counts is not None:
            minimum, maximum = counts
            repeats = (_CountedRepeat(minimum, maximum, repeated.repeats),)
            if (minimum >= 2 or maximum >= 2) and not _repeats_fit(repeats, _MAX_REPEAT):
                raise _regex_error("invalid repeat count", self.source[start:end])
        non_greedy = lazy != bool(self.flags & _NON_GREEDY)
        pieces[-1] = _Piece(
            f"(?:{repeated.python}){quantifier}{'?' if non_greedy else ''}", repeats
        )
        self.repeat_start = start
        self.position = end

    def _backslash(self) -> None:
        escaped = self.source[self.position + 1 : self.position + 2]
        if escaped in ("A", "z"):
            self._emit(r"\A" if escaped == "A" else r"\Z", advance=2)
        elif escaped == "b":
            self._emit(r"(?a:\b)", advance=2)
        elif escaped == "B":
            # Python 3.11's \B never matches an empty text; RE2's does.
            self._emit(r"(?:(?a:\B)|\A\Z)", advance=2)
        elif escaped == "C":
            raise _regex_error("invalid escape sequence", r"\C")
        elif escaped == "Q":
            literal_end = self.source.find(r"\E", self.position + 2)
            if literal_end < 0:
                literal_end = len(self.source)
            for char in self.source[self.position + 2 : literal_end]:
                self._literal(ord(char))
            self.position = literal_end + 2
        elif escaped in ("p", "P"):
            raise self._unicode_class_error()
        elif escaped.lower() in _PERL_CLASSES:
            ranges = _python_ranges(_PERL_CLASSES[escaped.lower()])
            self._class_piece(f"[^{ranges}]" if escaped.isupper() else f"[{ranges}]")
            self.position += 2
        else:
            code, self.position = self._escape(self.position)
            self._literal(code)

    def _unicode_class_error(self) -> RelabelConfigError:
        return RelabelConfigError(
            f"{self.source[self.position : self.position + 2]} (a Unicode class) is valid RE2,"
            " but this engine cannot evaluate Unicode classes"
        )

    def _escape(self, position: int) -> tuple[int, int]:
        """Go's parseEscape: the character a backslash escape at ``position`` stands for."""
        source = self.source
        char = source[position + 1]
        end = position + 2
        if char.isascii() and not char.isalnum():
            return ord(char), end
        # \1 to \7 alone would be backreferences, which RE2 rejects; \0 and \12 are octal.
        if char in _OCTAL_DIGITS and (char == "0" or _is_octal_digit(source, end)):
            code = int(char)
            while end < position + 4 and _is_octal_digit(source, end):
                code = code * 8 + int(source[end])
                end += 1
            return code, end
        if char == "x":
            return self._hex_escape(position)
        if char in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[char], end
        raise _regex_error("invalid escape sequence", source[position:end])

    def _hex_escape(self, position: int) -> tuple[int, int]:
        """``\\xhh`` or ``\\x{h...}``; errors quote what Go read before giving up."""
        source = self.source
        end = position + 2
        if source.startswith("{", end):
            digits_end = end + 1
            while digits_end < len(source) and _is_hex_digit(source[digits_end]):
                digits_end += 1
                if int(source[end + 1 : digits_end], 16) > _MAX_RUNE:
                    raise _regex_error("invalid escape sequence", source[position:digits_end])
            if digits_end > end + 1 and source.startswith("}", digits_end):
                return int(source[end + 1 : digits_end], 16), digits_end + 1
            raise _regex_error("invalid escape sequence", source[position : digits_end + 1])
        digits = source[end : end + 2]
        if len(digits) == 2 and all(_is_hex_digit(char) for char in digits):
            return int(digits, 16), end + 2
        raise _regex_error("invalid escape sequence", source[position : end + 2])

    def _class(self) -> None:
        """Go's parseClass: ``[...]``, with ranges, escapes, Perl and POSIX classes."""
        source = self.source
        start = self.position
        position = start + 1
        negated = source.startswith("^", position)
        position += negated
        items: list[str] = []
        first = True
        while first or not source.startswith("]", position):
            first = False
            if position >= len(source):
                raise _regex_error("missing closing ]", source[start:])
            if source.startswith("[:", position) and len(source) - position > 2:
                posix_end = source.find(":]", position + 2)
                if posix_end >= 0:
                    items.append(self._posix_class(source[position : posix_end + 2]))
                    position = posix_end + 2
                    continue
            escaped = source[position + 1 : position + 2] if source[position] == "\\" else ""
            if escaped in ("p", "P"):
                self.position = position
                raise self._unicode_class_error()
            if escaped.lower() in _PERL_CLASSES:
                items.append(self._class_group(_PERL_CLASSES[escaped.lower()], escaped.isupper()))
                position += 2
                continue
            range_start = position
            low, position = self._class_char(position)
            high = low
            if source.startswith("-", position) and source[position + 1 : position + 2] not in (
                "",
                "]",
            ):
                high, range_end = self._class_char(position + 1)
                if high < low:
                    raise _regex_error(
                        "invalid character class range", source[range_start:range_end]
                    )
                position = range_end
            items.append(_python_ranges([(low, high)]))
        self._class_piece(f"[{'^' if negated else ''}{''.join(items)}]")
        self.position = position + 1

    def _class_char(self, position: int) -> tuple[int, int]:
        if self.source[position] == "\\":
            return self._escape(position)
        return ord(self.source[position]), position + 1

    def _posix_class(self, spelling: str) -> str:
        name = spelling[2:-2]
        negated = name.startswith("^")
        ranges = _POSIX_CLASSES.get(name[negated:])
        if ranges is None:
            raise _regex_error("invalid character class range", spelling)
        return self._class_group(ranges, negated)

    def _class_group(self, ranges: _Ranges, negated: bool) -> str:
        if not negated:
            return _python_ranges(ranges)
        # Go folds case before negating; Python folds each character when it matches, so
        # the complement must already leave out every case variant.
        return _python_ranges(
            _complement(_fold_closed(ranges) if self.flags & _FOLD_CASE else ranges)
        )


@lru_cache(maxsize=512)
def _compile_regex(source: str, dot_matches_newline: bool) -> _RelabelRegex:
    # Prometheus anchors by compiling this very string, so a regex such as "a)|(b" is valid
    # there and matches unanchored; translating the same string keeps that.
    anchored = ("^(?s:" if dot_matches_newline else "^(?:") + source + ")$"
    return _RE2Translator(anchored).translate()


# Relabel rules


@dataclass(frozen=True)
class _Rule:
    """A relabel rule with Prometheus's defaults filled in and its regex compiled."""

    action: str
    source_labels: tuple[str, ...]
    separator: str
    regex: _RelabelRegex
    modulus: int
    target_label: str
    replacement: str
    dialect: _Dialect


def _rule_text(rule: Mapping[str, Any], key: str, default: str) -> str:
    if key not in rule:
        return default
    text = _scalar_text(rule[key])
    if text is None:
        raise RelabelConfigError(f"{key} must be a string, got {type(rule[key]).__name__}")
    return text


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _parse_rule(rule: Any, dialect: _Dialect) -> _Rule:
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
    try:
        regex = _compile_regex(
            _rule_text(rule, "regex", DEFAULT_REGEX), dialect.dot_matches_newline
        )
    except RelabelConfigError as err:
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
    parsed = _Rule(
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


def _source_labels(source_labels: Any, dialect: _Dialect) -> tuple[str, ...]:
    if source_labels is None:
        return ()
    if isinstance(source_labels, str) or not isinstance(source_labels, Sequence):
        raise RelabelConfigError(
            f"source_labels must be a list of label names, got {type(source_labels).__name__}"
        )
    names = []
    for item in source_labels:
        name = _scalar_text(item)
        if name is None or not _is_valid_label_name(name, dialect):
            raise RelabelConfigError(
                f"source_labels holds {item!r}, which is not a valid label name"
            )
        names.append(name)
    return tuple(names)


def _config_problem(rule: _Rule, *, regex_set: bool, source_labels_set: bool) -> str:
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
            and not _is_valid_label_name(target_label, dialect),
            invalid_target,
        ),
        (
            action == "replace"
            and target_is_templated
            and not _is_valid_templated_name(target_label, dialect),
            invalid_target,
        ),
        (
            action in _CASE_AND_EQUAL_ACTIONS and not _is_valid_label_name(target_label, dialect),
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
            action == "hashmod" and not _is_valid_label_name(target_label, dialect),
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


def _parse_rules(configs: Any, dialect: _Dialect) -> list[_Rule]:
    if configs is None:
        return []
    if isinstance(configs, str | Mapping) or not isinstance(configs, Sequence):
        raise RelabelError(
            f"configs must be a list of relabel rules, got {type(configs).__name__} {configs!r}"
        )
    rules = []
    for index, rule in enumerate(configs):
        try:
            rules.append(_parse_rule(rule, dialect))
        except RelabelConfigError as err:
            raise RelabelConfigError(f"configs[{index}] {render_rule(rule)}: {err}") from err
    return rules


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


def _apply(rule: _Rule, builder: _LabelBuilder) -> bool:
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
                if _is_valid_label_name(target_label, rule.dialect):
                    builder.set(target_label, rule.regex.expand(rule.replacement, found))
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


def _process(labels: Mapping[str, str], rules: Iterable[_Rule]) -> dict[str, str] | None:
    builder = _LabelBuilder(labels)
    for rule in rules:
        if not _apply(rule, builder):
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
    dialect = _dialect(prometheus_version)
    rules = _parse_rules(configs, dialect)
    return _process(_label_set(labels, "the input label set"), rules)


# Rendering rules as YAML

_PLAIN_YAML_SCALAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def _yaml(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_yaml(key)}: {_yaml(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
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
    return _yaml(rule)


# Rules for HA replicas

_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def _quote_meta(text: str) -> str:
    """Escape RE2's special characters, as Go's regexp.QuoteMeta does."""
    return "".join(f"\\{char}" if char in _RE2_SPECIAL else char for char in text)


def _replica_label_sets(replicas_labels: Any, dialect: _Dialect) -> dict[str, dict[str, str]]:
    if not isinstance(replicas_labels, Mapping):
        raise RelabelError(
            "the input must be a mapping of Prometheus replica names to their external labels,"
            f" got {type(replicas_labels).__name__} {replicas_labels!r}"
        )
    for replica in replicas_labels:
        if not isinstance(replica, str):
            raise RelabelError(f"replica name {replica!r} is not a string")
    return {
        replica: _label_set(
            replicas_labels[replica], f"the external labels of replica {replica!r}", dialect
        )
        for replica in sorted(replicas_labels)
    }


def _trailing_number_rule(
    name: str, values: Sequence[str], dialect: _Dialect
) -> dict[str, Any] | None:
    """The rule that strips the trailing numbers from ``values``, when that makes them equal."""
    if not _is_valid_label_name(name, dialect):
        return None
    prefixes = {value.rstrip(_DIGITS) for value in values}
    prefix = prefixes.pop()
    if prefixes or prefix == "" or prefix in values:
        return None
    # The greedy (.+)\d+ leaves only the last digit to \d+: europe12 becomes europe1. It is
    # right when every suffix is one digit, as in the well-known europe1/europe2 rule; for
    # longer suffixes the lazy (.+?)\d+ stops at the last non-digit. The prefix never ends
    # in a digit, since every trailing digit was stripped.
    single_digits = all(len(value) - len(prefix) == 1 for value in values)
    rule = {
        "source_labels": [name],
        "regex": r"(.+)\d+" if single_digits else r"(.+?)\d+",
        "target_label": name,
    }
    # Prove it on the real values: in Prometheus 2, '.' does not match a newline.
    relabelled = {
        (_process({name: value}, [_parse_rule(rule, dialect)]) or {}).get(name) for value in values
    }
    return rule if relabelled == {prefix} else None


def _dedup_rules(
    label_sets: Mapping[str, Mapping[str, str]], dialect: _Dialect
) -> list[dict[str, Any]]:
    if len(label_sets) < 2:
        return []
    rules = []
    for name in sorted(set().union(*label_sets.values())):
        values = [label_set[name] for label_set in label_sets.values() if name in label_set]
        if len(values) < len(label_sets):
            rules.append({"action": "labeldrop", "regex": _quote_meta(name)})
        elif len(set(values)) > 1:
            rules.append(
                _trailing_number_rule(name, values, dialect)
                or {"action": "labeldrop", "regex": _quote_meta(name)}
            )
    return rules


def replica_relabel_configs(
    replicas_labels: Mapping[str, Mapping[str, Any]],
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> list[dict[str, Any]]:
    """Return the alert relabel rules that make every replica's external labels identical.

    One rule per label that differs, sorted by label name: a label on every replica whose
    values differ only by a trailing number gets a rule that strips the number, any other
    differing or partial label gets a labeldrop rule. Identical labels, a single replica
    or no replica give no rules.
    """
    dialect = _dialect(prometheus_version)
    return _dedup_rules(_replica_label_sets(replicas_labels, dialect), dialect)


def _with_external_labels(
    alert_labels: Mapping[str, str], external_labels: Mapping[str, str]
) -> dict[str, str]:
    """Attach external labels the way Prometheus's notifier does: never over an alert's own."""
    labels = dict(alert_labels)
    for name, value in external_labels.items():
        if labels.get(name, "") == "":
            labels[name] = value
    return labels


def _differing_labels(
    label_sets: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str | None]]:
    differing = {}
    for name in sorted(set().union(*label_sets.values())):
        values = {replica: label_set.get(name) for replica, label_set in label_sets.items()}
        if len(set(values.values())) > 1:
            differing[name] = values
    return differing


def _dedup_message(
    alert_labels: Mapping[str, str],
    differing: Mapping[str, Mapping[str, str | None]],
    dropped: Sequence[str],
    suggested_rules: Sequence[Mapping[str, Any]],
) -> str:
    lines = [
        "Alertmanager cannot deduplicate the alerts of these Prometheus replicas:"
        f" the sample alert {_yaml(alert_labels)} does not leave them identical."
    ]
    if dropped:
        lines.append(
            f"alert_relabel_configs drop it on {', '.join(dropped)},"
            " so Alertmanager never receives it from there."
        )
    if differing:
        lines.append("After external labels and alert_relabel_configs, these labels differ:")
        lines.extend(
            f"  {name}: "
            + ", ".join(
                f"{replica}={'(absent)' if value is None else _yaml(value)}"
                for replica, value in values.items()
            )
            for name, values in differing.items()
        )
    if suggested_rules:
        lines.append("Append these rules to alert_relabel_configs to make them identical:")
        lines.extend(f"  - {render_rule(rule)}" for rule in suggested_rules)
    return "\n".join(lines)


def alert_dedup_report(
    replicas_labels: Mapping[str, Mapping[str, Any]],
    configs: Sequence[Mapping[str, Any]] | None,
    alert_labels: Mapping[str, Any] | None = None,
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> dict[str, Any]:
    """Simulate one alert on every replica and report whether Alertmanager deduplicates it.

    Each replica attaches its external labels to the sample alert (never over a label the
    alert has) and applies ``configs``. ``suggested_rules`` are computed from the relabelled
    alerts, so they are meant to be appended to ``configs``.
    """
    dialect = _dialect(prometheus_version)
    external_labels = _replica_label_sets(replicas_labels, dialect)
    rules = _parse_rules(configs, dialect)
    alert = _label_set(
        SAMPLE_ALERT_LABELS if alert_labels is None else alert_labels, "alert_labels"
    )
    results = {
        replica: _process(_with_external_labels(alert, labels), rules)
        for replica, labels in external_labels.items()
    }
    delivered = {replica: labels for replica, labels in results.items() if labels is not None}
    dropped = [replica for replica, labels in results.items() if labels is None]
    differing = _differing_labels(delivered)
    deduplicates = not dropped and not differing
    suggested_rules = [] if deduplicates else _dedup_rules(delivered, dialect)
    return {
        "deduplicates": deduplicates,
        "labels": results,
        "differing": differing,
        "dropped": dropped,
        "distinct_external_labels": len(
            {frozenset(labels.items()) for labels in external_labels.values()}
        )
        == len(external_labels),
        "suggested_rules": suggested_rules,
        "message": ""
        if deduplicates
        else _dedup_message(alert, differing, dropped, suggested_rules),
    }
