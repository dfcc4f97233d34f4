"""The systemd sandboxing directives a unit of the stack gets, by systemd version.

Prometheus and Alertmanager need the network, their own data directory and nothing
else, so their units turn on every sandboxing option that the host's systemd knows.
An option newer than the host's systemd would only log "Unknown key name" and protect
nothing, so each one is added from the version that introduced it. Pure Python over
plain data; ``plugins/filter/systemd.py`` exposes it as a filter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HARDENING", "SystemdHardeningError", "hardening_directives", "systemd_version"]

# (directive, first systemd version that knows it), from systemd's NEWS and systemd.exec(5).
HARDENING: tuple[tuple[str, int], ...] = (
    ("NoNewPrivileges=yes", 187),
    ("PrivateTmp=yes", 183),
    ("PrivateDevices=yes", 209),
    ("SystemCallArchitectures=native", 209),
    ("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK", 211),
    ("CapabilityBoundingSet=", 214),
    ("RestrictRealtime=yes", 231),
    ("MemoryDenyWriteExecute=yes", 231),
    ("ProtectSystem=strict", 232),
    ("ProtectHome=yes", 232),
    ("ProtectControlGroups=yes", 232),
    ("ProtectKernelTunables=yes", 232),
    ("ProtectKernelModules=yes", 232),
    ("RemoveIPC=yes", 232),
    ("RestrictNamespaces=yes", 233),
    ("LockPersonality=yes", 235),
    ("SystemCallFilter=@system-service", 239),
    ("SystemCallErrorNumber=EPERM", 239),
    ("RestrictSUIDSGID=yes", 242),
    ("ProtectHostname=yes", 242),
    ("ProtectKernelLogs=yes", 244),
    ("ProtectClock=yes", 245),
    ("ProtectProc=invisible", 247),
    ("ProcSubset=pid", 247),
)

_VERSION = re.compile(r"^\s*(?:systemd\s+)?(\d+)")


class SystemdHardeningError(ValueError):
    """Raised for a systemd version or a path that cannot be used."""


def systemd_version(version: int | str) -> int:
    """The major version from an int, ``"252"``, or ``systemctl --version`` output."""
    if isinstance(version, bool):
        raise SystemdHardeningError(f"systemd version must be a number, got {version!r}")
    if isinstance(version, int):
        number = version
    else:
        match = _VERSION.match(str(version))
        if not match:
            raise SystemdHardeningError(
                f"cannot read a systemd version from {str(version)[:60]!r}: pass the output of "
                "'systemctl --version' or a number such as 252"
            )
        number = int(match.group(1))
    if number < 1:
        raise SystemdHardeningError(f"systemd version must be positive, got {number}")
    return number


def hardening_directives(version: int | str, writable_paths: Sequence[str] = ()) -> list[str]:
    """Sandboxing directives for a unit on systemd ``version``.

    ``writable_paths`` are the directories the service writes (its storage); with
    ``ProtectSystem=strict`` everything else is read-only for it.
    """
    number = systemd_version(version)
    if isinstance(writable_paths, str) or not isinstance(writable_paths, Sequence):
        raise SystemdHardeningError(
            f"writable_paths must be a list of absolute paths, got {writable_paths!r}"
        )
    for path in writable_paths:
        if not isinstance(path, str) or not path.startswith("/") or any(c.isspace() for c in path):
            raise SystemdHardeningError(
                f"writable path {path!r} must be an absolute path without spaces"
            )
    directives = [directive for directive, since in HARDENING if number >= since]
    if writable_paths:
        directives.append("ReadWritePaths=" + " ".join(writable_paths))
    return directives
