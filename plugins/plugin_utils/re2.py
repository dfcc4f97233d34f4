r"""Go's regexp (RE2 syntax) for Python: parsed by Go's rules, matched in linear time as Go does.

``compile_re2`` parses a regex by the rules of Go's ``regexp/syntax``, simplifies it and
compiles it to a small program as Go's ``Regexp.Simplify`` and ``syntax.Compile`` do. The
``RE2Regex`` it returns searches, expands replacement templates and replaces all matches
as Go's ``Regexp`` does. Pure Python, with no knowledge of Prometheus: ``relabel.py``
anchors the regexes of relabel rules the way Prometheus does.

How closely this follows Go:

- What RE2 rejects is an ``RE2Error`` carrying Go's message: lookaround, backreferences,
  possessive and atomic groups, ``\Z``, ``\C``, stacked repetition operators, counts over
  1000, flags other than ``imsU``.
- Accepted as in RE2: ``\z``, ``\Q...\E``, ``(?U)``, ``(?<name>...)`` (Go 1.22 and later;
  Go 1.19 rejects it), group names that start with a digit or repeat, POSIX classes such
  as ``[[:alpha:]]``, flags set in the middle of a group, ``$`` (end of text only),
  ``{,n}`` (a literal, not a repetition), and ASCII-only ``\d``, ``\s``, ``\w`` and ``\b``.
- A search runs like Go's: its bit-state backtracker, which tries each instruction at
  each text position at most once, or for a large program and text its NFA simulation.
  Both take time proportional to the program's length times the text's length, never
  exponential time, and both find Go's leftmost-first match with Go's groups, including
  for a loop whose body can match the empty text (``(a*)*`` on ``aa`` captures ``aa``).
- One character at a time is tested with Python's ``re``, so case folding under ``(?i)``
  is Python's, which agrees with Go's outside a few exotic characters. Unicode classes
  (``\pL``, ``\p{Greek}``) are valid RE2 but rejected here, because ``re`` cannot evaluate
  them. Go's limits on compiled size are not modelled, and nesting deeper than this
  engine's recursion allows (a few hundred levels; Go takes 1000) is an ``RE2Error``.
- Replacement templates are expanded like Go's ``Regexp.Expand``: ``$1``, ``${1}``,
  ``$name``, ``${name}`` and ``$$``; the longest name wins (``$1x`` is the group named
  ``1x``), a missing group expands to nothing, and a ``$`` that starts no name is literal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

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
_OPERATOR_COUNTS = {"*": (0, -1), "+": (1, -1), "?": (0, 1)}
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


# The parsed regex, as a tree


@dataclass(frozen=True)
class _Char:
    """One character for which ``accepts`` is true."""

    accepts: Callable[[str], object]


@dataclass(frozen=True)
class _Assert:
    """An empty-width assertion such as ``^`` or ``\\b``: one of the ``_BEGIN_TEXT``... kinds."""

    kind: int


@dataclass(frozen=True)
class _Capture:
    index: int
    body: _Node


@dataclass(frozen=True)
class _Concat:
    items: tuple[_Node, ...]


@dataclass(frozen=True)
class _Alternate:
    options: tuple[_Node, ...]


@dataclass(frozen=True)
class _Repeat:
    """``x*``, ``x+``, ``x?`` or ``x{min,max}`` as parsed; ``maximum`` is -1 for no limit."""

    body: _Node
    minimum: int
    maximum: int
    greedy: bool


@dataclass(frozen=True)
class _Loop:
    """``x*``, ``x+`` or ``x?`` (``kind``), what Go's Simplify turns every repeat into."""

    kind: str
    body: _Node
    greedy: bool


_Node = _Char | _Assert | _Capture | _Concat | _Alternate | _Repeat | _Loop
_EMPTY = _Concat(())

_BEGIN_TEXT, _END_TEXT, _BEGIN_LINE, _END_LINE, _WORD_BOUNDARY, _NOT_WORD_BOUNDARY = range(6)


def _concat(items: Iterable[_Node]) -> _Node:
    items = tuple(items)
    return items[0] if len(items) == 1 else _Concat(items)


def _alternate(options: Iterable[_Node]) -> _Node:
    options = tuple(options)
    return options[0] if len(options) == 1 else _Alternate(options)


@dataclass
class _Piece:
    """One parsed atom: what a repetition operator applies to."""

    node: _Node
    repeats: tuple[_CountedRepeat, ...] = ()


@dataclass
class _Group:
    capture_index: int | None
    flags_before: int
    alternatives: list[list[_Piece]]


# Go's Regexp.Simplify: every repeat becomes x*, x+, x? and copies of x


def _simplify(node: _Node) -> _Node:
    if isinstance(node, _Concat):
        return _Concat(tuple(map(_simplify, node.items)))
    if isinstance(node, _Alternate):
        return _Alternate(tuple(map(_simplify, node.options)))
    if isinstance(node, _Capture):
        return _Capture(node.index, _simplify(node.body))
    if isinstance(node, _Repeat):
        return _simplify_repeat(node)
    return node


def _simplify_repeat(repeat: _Repeat) -> _Node:
    minimum, maximum, greedy = repeat.minimum, repeat.maximum, repeat.greedy
    if minimum == 0 and maximum == 0:
        return _EMPTY
    body = _simplify(repeat.body)
    if maximum < 0:
        if minimum <= 1:
            return _loop("*" if minimum == 0 else "+", body, greedy)
        return _Concat((body,) * (minimum - 1) + (_loop("+", body, greedy),))
    if minimum == 1 and maximum == 1:
        return body
    # x{2,5} is xx(x(x(x)?)?)?, as in Go.
    prefix = (body,) * minimum
    if maximum == minimum:
        return _Concat(prefix)
    suffix = _loop("?", body, greedy)
    for _optional in range(minimum + 1, maximum):
        suffix = _loop("?", _Concat((body, suffix)), greedy)
    return _Concat((*prefix, suffix)) if prefix else suffix


def _loop(kind: str, body: _Node, greedy: bool) -> _Node:
    """Go's simplify1: the empty text repeated is itself, and (?:x*)* is x*."""
    if body == _EMPTY:
        return body
    if isinstance(body, _Loop) and body.kind == kind and body.greedy == greedy:
        return body
    return _Loop(kind, body, greedy)


def _nullable(node: _Node) -> bool:
    """Whether ``node`` can match the empty text."""
    if isinstance(node, _Char):
        return False
    if isinstance(node, _Capture):
        return _nullable(node.body)
    if isinstance(node, _Concat):
        return all(map(_nullable, node.items))
    if isinstance(node, _Alternate):
        return any(map(_nullable, node.options))
    if isinstance(node, _Loop) and node.kind == "+":
        return _nullable(node.body)
    return True


# Go's syntax.Compile: the tree as a program of instructions

_OP_CHAR, _OP_SPLIT, _OP_JUMP, _OP_SAVE, _OP_ASSERT, _OP_MATCH = range(6)
# Like Go's regexp, a search backtracks while its visited set (one byte per instruction and
# text position here) stays small, and simulates the automaton otherwise.
_MAX_VISITED = 1 << 22


class _Compiler:
    """Lay out a simplified tree as instructions ``[op, next, argument]``.

    A split continues at ``next`` and, when that fails, at ``argument``: the order in which
    Go's regexp prefers the branches of ``|`` and of greedy and lazy repeats.
    """

    def __init__(self) -> None:
        self.program: list[list[Any]] = []

    def emit(self, op: int, argument: Any = None) -> int:
        self.program.append([op, len(self.program) + 1, argument])
        return len(self.program) - 1

    def compile(self, node: _Node) -> None:
        if isinstance(node, _Char):
            self.emit(_OP_CHAR, node.accepts)
        elif isinstance(node, _Assert):
            self.emit(_OP_ASSERT, node.kind)
        elif isinstance(node, _Capture):
            self.emit(_OP_SAVE, 2 * node.index)
            self.compile(node.body)
            self.emit(_OP_SAVE, 2 * node.index + 1)
        elif isinstance(node, _Concat):
            for item in node.items:
                self.compile(item)
        elif isinstance(node, _Alternate):
            self._alternate(node.options)
        elif isinstance(node, _Loop):
            self._loop(node)
        else:  # pragma: no cover - _Repeat is gone after _simplify
            raise TypeError(node)

    def _alternate(self, options: Sequence[_Node]) -> None:
        jumps = []
        for option in options[:-1]:
            split = self.emit(_OP_SPLIT)
            self.compile(option)
            jumps.append(self.emit(_OP_JUMP))
            self.program[split][2] = len(self.program)
        self.compile(options[-1])
        for jump in jumps:
            self.program[jump][1] = len(self.program)

    def _loop(self, loop: _Loop) -> None:
        if loop.kind == "+":
            body = len(self.program)
            self.compile(loop.body)
            split = self.emit(_OP_SPLIT)
            self._branch(split, body, split + 1, loop.greedy)
        elif loop.kind == "*" and not _nullable(loop.body):
            split = self.emit(_OP_SPLIT)
            self.compile(loop.body)
            self.program[self.emit(_OP_JUMP)][1] = split
            self._branch(split, split + 1, len(self.program), loop.greedy)
        else:
            # x?, and x* where x can match the empty text, which Go compiles as (x+)? so
            # that an empty iteration never wins over the last real one (Go issue 46123).
            split = self.emit(_OP_SPLIT)
            self.compile(loop.body if loop.kind == "?" else _Loop("+", loop.body, loop.greedy))
            self._branch(split, split + 1, len(self.program), loop.greedy)

    def _branch(self, split: int, repeat: int, leave: int, greedy: bool) -> None:
        self.program[split][1:] = [repeat, leave] if greedy else [leave, repeat]


def _is_word_char(text: str, position: int) -> bool:
    return 0 <= position < len(text) and text[position] in _ASCII_WORD_CHARS


def _assertion_holds(kind: int, text: str, position: int) -> bool:
    if kind == _BEGIN_TEXT:
        return position == 0
    if kind == _END_TEXT:
        return position == len(text)
    if kind == _BEGIN_LINE:
        return position == 0 or text[position - 1] == "\n"
    if kind == _END_LINE:
        return position == len(text) or text[position] == "\n"
    boundary = _is_word_char(text, position - 1) != _is_word_char(text, position)
    return boundary == (kind == _WORD_BOUNDARY)


def _backtrack(
    program: Sequence[Sequence[Any]],
    text: str,
    begin: int,
    visited: bytearray,
    slot_count: int,
) -> list[int] | None:
    """Go's bit-state backtracker: the first match from ``begin`` in order of preference.

    Each (instruction, position) is run at most once: a second arrival there has lower
    preference and, as nothing depends on the groups captured on the way, the same
    outcome. That bounds a search by the program's length times the text's length.
    """
    width = len(text) + 1
    slots = [-1] * slot_count
    # A job is (instruction, position); (-1 - slot, position) puts a slot back.
    jobs = [(0, begin)]
    while jobs:
        pc, position = jobs.pop()
        if pc < 0:
            slots[-1 - pc] = position
            continue
        while not visited[pc * width + position]:
            visited[pc * width + position] = 1
            op, following, argument = program[pc]
            if op == _OP_CHAR:
                if position == width - 1 or not argument(text[position]):
                    break
                position += 1
            elif op == _OP_SPLIT:
                jobs.append((argument, position))
            elif op == _OP_SAVE:
                jobs.append((-1 - argument, slots[argument]))
                slots[argument] = position
            elif op == _OP_ASSERT:
                if not _assertion_holds(argument, text, position):
                    break
            elif op == _OP_MATCH:
                return slots
            pc = following
    return None


def _search_backtracking(
    program: Sequence[Sequence[Any]], text: str, start: int, slot_count: int
) -> list[int] | None:
    # One visited set for every start: an (instruction, position) that failed from an
    # earlier start fails again, which keeps the whole search linear (Go does the same).
    visited = bytearray(len(program) * (len(text) + 1))
    for begin in range(start, len(text) + 1):
        slots = _backtrack(program, text, begin, visited, slot_count)
        if slots is not None:
            return slots
    return None


def _search_automaton(
    program: Sequence[Sequence[Any]], text: str, start: int, slot_count: int
) -> list[int] | None:
    """Go's NFA simulation (a Pike VM): all threads advance together, one character a step.

    Threads are kept in order of preference. A thread that matches cuts off those behind
    it, and the threads ahead of it may still find a preferred match. Time is bounded by
    the program's length times the text's length, memory by the program's length.
    """
    matched = None
    threads: list[tuple[int, list[int]]] = []
    seen: set[int] = set()
    for position in range(start, len(text) + 1):
        if matched is None:
            _follow(program, text, position, 0, [-1] * slot_count, threads, seen)
        next_threads: list[tuple[int, list[int]]] = []
        next_seen: set[int] = set()
        for pc, slots in threads:
            op, following, argument = program[pc]
            if op == _OP_MATCH:
                matched = slots
                break
            if position < len(text) and argument(text[position]):
                _follow(program, text, position + 1, following, slots, next_threads, next_seen)
        if matched is not None and not next_threads:
            break
        threads, seen = next_threads, next_seen
    return matched


def _follow(
    program: Sequence[Sequence[Any]],
    text: str,
    position: int,
    pc: int,
    slots: list[int],
    threads: list[tuple[int, list[int]]],
    seen: set[int],
) -> None:
    """Add the threads that ``pc`` reaches at ``position`` without reading a character.

    Depth first and preferred branch first, as Go's ``machine.add``; an instruction already
    reached at this position is not followed again.
    """
    pending = [(pc, slots)]
    while pending:
        pc, slots = pending.pop()
        if pc in seen:
            continue
        seen.add(pc)
        op, following, argument = program[pc]
        if op == _OP_SPLIT:
            pending.append((argument, slots))
            pending.append((following, slots))
        elif op == _OP_JUMP:
            pending.append((following, slots))
        elif op == _OP_SAVE:
            saved = list(slots)
            saved[argument] = position
            pending.append((following, saved))
        elif op == _OP_ASSERT:
            if _assertion_holds(argument, text, position):
                pending.append((following, slots))
        else:
            threads.append((pc, slots))


@dataclass(frozen=True)
class RE2Match:
    """A match: the text and where each group starts and ends (-1 for a group that did not)."""

    text: str
    slots: tuple[int, ...]

    def span(self, group: int = 0) -> tuple[int, int]:
        return self.slots[2 * group], self.slots[2 * group + 1]

    def group(self, group: int = 0) -> str | None:
        start, end = self.span(group)
        return None if start < 0 or end < 0 else self.text[start:end]


@dataclass(frozen=True)
class RE2Regex:
    """A compiled regex that searches, expands and replaces like Go's regexp."""

    program: tuple[tuple[Any, ...], ...]
    group_count: int
    group_names: Mapping[str, tuple[int, ...]]

    def search(self, text: str, start: int = 0) -> RE2Match | None:
        """The leftmost-first match that starts at ``start`` or later, as Go finds it.

        ``^`` and ``\\b`` still see the text before ``start``, as in Go.
        """
        slot_count = 2 * (self.group_count + 1)
        if len(self.program) * (len(text) + 1) <= _MAX_VISITED:
            slots = _search_backtracking(self.program, text, start, slot_count)
        else:
            slots = _search_automaton(self.program, text, start, slot_count)
        return None if slots is None else RE2Match(text, tuple(slots))

    def replace_all(self, text: str, template: str) -> str:
        """Go's Regexp.ReplaceAllString."""
        replaced: list[str] = []
        last_match_end = 0
        search_position = 0
        while search_position <= len(text):
            found = self.search(text, search_position)
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

    def expand(self, template: str, found: RE2Match) -> str:
        """Go's Regexp.ExpandString: ``template`` with ``$1``, ``${name}``... filled in."""
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

    def _group_text(self, name: str, found: RE2Match) -> str:
        number = _group_number(name)
        if number >= 0:
            return (found.group(number) or "") if number <= self.group_count else ""
        for index in self.group_names.get(name, ()):
            text = found.group(index)
            if text is not None:
                return text
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


class _RE2Parser:
    """Parse an RE2 regex by the rules of Go's regexp/syntax into a tree.

    Flags are applied per atom, so that ``(?i)`` in the middle of a group reaches exactly
    as far as in RE2. A character atom is tested with Python's ``re``, one character at a
    time, so that Python's case folding applies; everything else is Go's.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0
        self.flags = 0
        self.groups = [_Group(None, self.flags, [[]])]
        self.group_count = 0
        self.group_names: dict[str, list[int]] = {}
        self.last_repeat_start = -1
        self.repeat_start = -1

    def parse(self) -> RE2Regex:
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
                self._emit(_Assert(_BEGIN_LINE if self.flags & _MULTI_LINE else _BEGIN_TEXT))
            elif char == "$":
                self._emit(_Assert(_END_LINE if self.flags & _MULTI_LINE else _END_TEXT))
            elif char == ".":
                self._emit(_Char(_any_char if self.flags & _DOT_NEWLINE else _not_newline))
            elif char == "[":
                self._class()
            elif char in "*+?":
                minimum, maximum = _OPERATOR_COUNTS[char]
                self._repeat(self.position + 1, minimum, maximum)
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
        compiler = _Compiler()
        compiler.compile(_Capture(0, _simplify(_group_node(self.groups[0]))))
        compiler.emit(_OP_MATCH)
        return RE2Regex(
            tuple(tuple(instruction) for instruction in compiler.program),
            self.group_count,
            MappingProxyType({name: tuple(indexes) for name, indexes in self.group_names.items()}),
        )

    def _emit(self, node: _Node, *, advance: int = 1) -> None:
        self.groups[-1].alternatives[-1].append(_Piece(node))
        self.position += advance

    def _literal(self, code: int) -> None:
        if self.flags & _FOLD_CASE:
            self._class_piece(_python_char(code))
        else:
            self.groups[-1].alternatives[-1].append(_Piece(_Char(chr(code).__eq__)))

    def _class_piece(self, python_class: str) -> None:
        python = f"(?i:{python_class})" if self.flags & _FOLD_CASE else python_class
        self.groups[-1].alternatives[-1].append(_Piece(_Char(re.compile(python).fullmatch)))

    def _open_group(self) -> None:
        rest = self.source[self.position :]
        if not rest.startswith("(?"):
            self.group_count += 1
            self.groups.append(_Group(self.group_count, self.flags, [[]]))
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
                    self.groups.append(_Group(None, self.flags, [[]]))
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
        self.groups.append(_Group(self.group_count, self.flags, [[]]))
        self.position += end + 1

    def _close_group(self) -> None:
        if len(self.groups) == 1:
            raise _regex_error("unexpected )", self.source)
        group = self.groups.pop()
        self.flags = group.flags_before
        repeats = tuple(
            repeat
            for alternative in group.alternatives
            for piece in alternative
            for repeat in piece.repeats
        )
        self.groups[-1].alternatives[-1].append(_Piece(_group_node(group), repeats))
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
        self._repeat(end, minimum, maximum, counted=True)

    def _repeat(self, end: int, minimum: int, maximum: int, *, counted: bool = False) -> None:
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
        if counted:
            repeats = (_CountedRepeat(minimum, maximum, repeated.repeats),)
            if (minimum >= 2 or maximum >= 2) and not _repeats_fit(repeats, _MAX_REPEAT):
                raise _regex_error("invalid repeat count", self.source[start:end])
        greedy = lazy == bool(self.flags & _NON_GREEDY)
        pieces[-1] = _Piece(_Repeat(repeated.node, minimum, maximum, greedy), repeats)
        self.repeat_start = start
        self.position = end

    def _backslash(self) -> None:
        escaped = self.source[self.position + 1 : self.position + 2]
        if escaped in ("A", "z"):
            self._emit(_Assert(_BEGIN_TEXT if escaped == "A" else _END_TEXT), advance=2)
        elif escaped in ("b", "B"):
            self._emit(_Assert(_WORD_BOUNDARY if escaped == "b" else _NOT_WORD_BOUNDARY), advance=2)
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


def _group_node(group: _Group) -> _Node:
    node = _alternate(
        _concat(piece.node for piece in alternative) for alternative in group.alternatives
    )
    return node if group.capture_index is None else _Capture(group.capture_index, node)


def _any_char(char: str) -> bool:
    return True


def _not_newline(char: str) -> bool:
    return char != "\n"


def compile_re2(expression: str) -> RE2Regex:
    """Compile ``expression`` as Go's ``regexp.Compile`` does; raise RE2Error when Go would."""
    try:
        return _RE2Parser(expression).parse()
    except RecursionError as err:
        raise RE2Error(
            "the regex nests groups and repetitions too deeply for this engine"
            " (Go's regexp takes up to 1000 levels)"
        ) from err


def quote_meta(text: str) -> str:
    """Escape RE2's special characters, as Go's ``regexp.QuoteMeta`` does."""
    return "".join(f"\\{char}" if char in _RE2_SPECIAL else char for char in text)
