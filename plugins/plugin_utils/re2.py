r"""Go's regexp (RE2 syntax) for Python: parse a regex by Go's rules and evaluate it with ``re``.

``compile_re2`` parses a regex by the rules of Go's ``regexp/syntax`` and translates it to
Python's ``re``. The ``RE2Regex`` it returns searches, expands replacement templates and
replaces all matches as Go's ``Regexp`` does. Pure Python, with no knowledge of Prometheus:
``relabel.py`` anchors the regexes of relabel rules the way Prometheus does.

How closely this follows Go:

- What RE2 rejects is an ``RE2Error`` carrying Go's message: lookaround, backreferences,
  possessive and atomic groups, ``\Z``, ``\C``, stacked repetition operators, counts over
  1000, flags other than ``imsU``.
- RE2 spellings that ``re`` lacks or reads differently are translated: ``\z``,
  ``\Q...\E``, ``(?U)``, ``(?<name>...)`` (Go 1.22 and later; Go 1.19 rejects it), group
  names that start with a digit or repeat, POSIX classes such as ``[[:alpha:]]``, flags set
  in the middle of a group, ``$`` (end of text only), ``{,n}`` (a literal, not a
  repetition), and ASCII-only ``\d``, ``\s``, ``\w`` and ``\b``.
- Unicode classes (``\pL``, ``\p{Greek}``) are valid RE2 but rejected here, because ``re``
  cannot evaluate them.
- One known difference is a group repeated by a loop whose body can match the empty
  string: for ``(a*)*`` on ``aa``, RE2 captures ``aa`` and Python a final empty iteration.
  Case folding is Python's, which agrees with Go's outside a few exotic characters. Python
  backtracks, so a pathological regex can be slow where RE2 is linear, and Go's limits on
  compiled size and nesting depth are not modelled.
- Replacement templates are expanded like Go's ``Regexp.Expand``: ``$1``, ``${1}``,
  ``$name``, ``${name}`` and ``$$``; the longest name wins (``$1x`` is the group named
  ``1x``), a missing group expands to nothing, and a ``$`` that starts no name is literal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["RE2Error", "RE2Regex", "compile_re2", "quote_meta"]

_ASCII_WORD_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_DIGITS = "0123456789"
_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


class RE2Error(ValueError):
    """Raised for a regex that Go's regexp rejects, or that this engine cannot evaluate."""


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
class RE2Regex:
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


def _regex_error(code: str, expression: str) -> RE2Error:
    return RE2Error(f"error parsing regexp: {code}: `{expression}`")


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

    def translate(self) -> RE2Regex:
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
        return RE2Regex(
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

    def _unicode_class_error(self) -> RE2Error:
        return RE2Error(
            f"{self.source[self.position : self.position + 2]} (a Unicode class) is valid RE2,"
            " but this engine cannot evaluate Unicode classes"
        )

    def _escape(self, position: int) -> tuple[int, int]:
        """Go's parseEscape: the character a backslash escape at ``position`` stands for."""
        source = self.source
        if position + 1 == len(source):
            raise _regex_error("trailing backslash at end of expression", "")
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


def compile_re2(expression: str) -> RE2Regex:
    """Compile ``expression`` as Go's ``regexp.Compile`` does; raise RE2Error when Go would."""
    return _RE2Translator(expression).translate()


def quote_meta(text: str) -> str:
    """Escape RE2's special characters, as Go's ``regexp.QuoteMeta`` does."""
    return "".join(f"\\{char}" if char in _RE2_SPECIAL else char for char in text)
