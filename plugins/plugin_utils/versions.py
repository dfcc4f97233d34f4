"""The version a Prometheus or Alertmanager binary reports for ``--version``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# "prometheus, version 3.5.3 (branch: ...)"; "alertmanager, version 0.25.0 (branch: ...)".
# Debian's builds say "version 2.42.0+ds", so only the numbers count.
_VERSION = re.compile(r"\bversion (\d+\.\d+\.\d+)")


class VersionError(TypeError):
    """The input is not the result of a command."""


def reported_version(result: Mapping[str, Any]) -> str:
    """The version in the output of a ``--version`` command, or "" when there is none.

    ``result`` is a registered ``ansible.builtin.command`` result: the version may be on
    stdout or stderr (older releases print it there), and a skipped or failed command
    (no binary yet) has none.
    """
    if not isinstance(result, Mapping):
        raise VersionError(
            f"expects a registered command result (a mapping), got {type(result).__name__}"
        )
    for stream in ("stdout", "stderr"):
        found = _VERSION.search(str(result.get(stream) or ""))
        if found:
            return found.group(1)
    return ""
