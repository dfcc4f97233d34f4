"""Command lines for systemd units, written so that systemd runs exactly the intended argv.

A unit's ``ExecStart=`` is not a shell line, but it is not taken literally either. systemd
reads it in three passes (systemd.service(5) "Command lines", systemd.unit(5) "Specifiers"):

1. The unit file parser joins a line ending in a backslash with the next line.
2. ``ExecStart=`` is split into words at whitespace. A word in double quotes keeps its
   spaces, and C escapes inside it are decoded (``\\\\`` is a backslash, ``\\"`` a quote);
   each word's ``%`` specifiers are then resolved (``%%`` is a percent sign, ``%2`` an error
   that stops the unit from loading).
3. When the service starts, ``$NAME`` and ``${NAME}`` are replaced from the environment
   (``$$`` is a dollar sign).

``systemd_exec_line`` writes each argument in double quotes with ``\\``, ``"``, ``%`` and
``$`` escaped for those passes, one argument per line. Control characters cannot be written
safely (a newline would end the line and start a new directive), so they are refused;
``systemd_argument_problems`` finds them in the role variables that become arguments, for
the roles' preflight. Pure Python over plain data; ``plugins/filter/systemd.py`` exposes
both as filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ARGUMENT_SEPARATOR",
    "SystemdUnitError",
    "control_characters",
    "quote_argument",
    "systemd_argument_problems",
    "systemd_exec_line",
]

# Backslash-newline continues a unit file line; the indent only separates words.
ARGUMENT_SEPARATOR = " \\\n    "
# systemd.unit(5) reads a line up to a newline, a carriage return or a NUL.
_LINE_ENDS = frozenset("\n\r\0")
_CONTROL_NAMES = {
    "\0": "a NUL",
    "\t": "a tab",
    "\n": "a newline",
    "\r": "a carriage return",
    "\x1b": "an escape",
    "\x7f": "a delete",
}
# systemd refuses an executable path holding a quote or a backslash (string_is_safe), and
# expands ``$`` in argv[0] at start but never in the path it executes.
_EXECUTABLE_REFUSED = {
    '"': "systemd refuses quotes in the executable path",
    "'": "systemd refuses quotes in the executable path",
    "\\": "systemd refuses a backslash in the executable path",
    "$": "systemd would expand it in argv[0] but not in the path it executes",
}


class SystemdUnitError(ValueError):
    """Raised for a command line that a unit file cannot carry as given."""


def control_characters(text: str) -> list[str]:
    """The distinct control characters (below U+0020, and U+007F) in ``text``, in order."""
    found: list[str] = []
    for character in text:
        if (character < " " or character == "\x7f") and character not in found:
            found.append(character)
    return found


def _describe(characters: Sequence[str]) -> str:
    """``a newline (control character U+000A)``, joined with ``and`` for several."""
    descriptions = [
        f"{_CONTROL_NAMES[character]} (control character U+{ord(character):04X})"
        if character in _CONTROL_NAMES
        else f"control character U+{ord(character):04X}"
        for character in characters
    ]
    if len(descriptions) == 1:
        return descriptions[0]
    return ", ".join(descriptions[:-1]) + " and " + descriptions[-1]


def _consequence(characters: Sequence[str]) -> str:
    if _LINE_ENDS.intersection(characters):
        return "which would end the unit's ExecStart= line"
    return "which has no place in a command-line argument"


def quote_argument(argument: str) -> str:
    """``argument`` as one double-quoted word of a unit's command line."""
    escaped = (
        argument.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    )
    return f'"{escaped}"'


def _argument_name(index: int, argument: str) -> str:
    """``argv[3]``, with the flag's name when it is a ``--flag=value``: never the value."""
    flag, equals, _value = argument.partition("=")
    if argument.startswith("-") and equals and not control_characters(flag):
        return f"argv[{index}] ({flag}=...)"
    return f"argv[{index}]"


def _checked_argument(index: int, argument: Any) -> str:
    if isinstance(argument, bool) or not isinstance(argument, (str, int, float)):
        raise SystemdUnitError(
            f"argv[{index}] is {type(argument).__name__} {argument!r}: each argument must be "
            "a string (or a number, written as it reads)"
        )
    text = str(argument)
    characters = control_characters(text)
    if characters:
        raise SystemdUnitError(
            f"{_argument_name(index, text)} holds {_describe(characters)}, "
            f"{_consequence(characters)}: remove it"
        )
    return text


def _checked_executable(executable: str) -> str:
    if not executable:
        raise SystemdUnitError("argv[0] is empty: it must be the absolute path of the binary")
    if not executable.startswith("/"):
        raise SystemdUnitError(
            f"argv[0] {executable!r} is not an absolute path: systemd would look it up in its "
            "own PATH, so give the absolute path of the binary"
        )
    if executable.endswith("/"):
        raise SystemdUnitError(
            f"argv[0] {executable!r} ends with '/', which names a directory, not a binary"
        )
    for character, reason in _EXECUTABLE_REFUSED.items():
        if character in executable:
            raise SystemdUnitError(
                f"argv[0] {executable!r} holds {character!r}, and {reason}: install the binary "
                "under a path without it"
            )
    return executable


def systemd_exec_line(argv: Sequence[Any]) -> str:
    """The value of ``ExecStart=`` that makes systemd run exactly ``argv``.

    ``argv[0]`` is the absolute path of the binary. Each argument is double-quoted and
    escaped, and they are laid out one per line, joined by a backslash continuation.
    """
    if isinstance(argv, (str, bytes)) or not isinstance(argv, Sequence):
        raise SystemdUnitError(
            f"expects the command line as a list of arguments, got {type(argv).__name__}"
        )
    if not argv:
        raise SystemdUnitError("the command line is empty: argv[0] must be the binary's path")
    arguments = [_checked_argument(index, argument) for index, argument in enumerate(argv)]
    arguments[0] = _checked_executable(arguments[0])
    return ARGUMENT_SEPARATOR.join(quote_argument(argument) for argument in arguments)


def _problems_in(name: str, value: Any) -> list[str]:
    if isinstance(value, str):
        characters = control_characters(value)
        if not characters:
            return []
        return [f"{name} holds {_describe(characters)}, {_consequence(characters)}: remove it."]
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [
            problem
            for index, entry in enumerate(value)
            for problem in _problems_in(f"{name}[{index}]", entry)
        ]
    return []


def systemd_argument_problems(values: Mapping[str, Any]) -> list[str]:
    """One message per variable (or list entry) whose text cannot be a unit argument.

    ``values`` maps role variable names to what the unit's command line is built from: a
    string, or a list of strings such as extra flags. Numbers and booleans are written with
    ``str()`` and cannot hold a control character.
    """
    if not isinstance(values, Mapping):
        raise SystemdUnitError(
            f"expects a mapping of variable names to their values, got {type(values).__name__}"
        )
    return [problem for name, value in values.items() for problem in _problems_in(name, value)]
