from __future__ import annotations

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.systemd_hardening import (
    HARDENING,
    SystemdHardeningError,
    hardening_directives,
    systemd_version,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (252, 252),
        ("257", 257),
        ("systemd 252 (252.36-1~deb12u1)\n+PAM +AUDIT", 252),
        ("systemd 257 (257.9-1~deb13u1)", 257),
    ],
)
def test_systemd_version_reads_numbers_and_systemctl_output(given, expected) -> None:
    assert systemd_version(given) == expected


@pytest.mark.parametrize("given", ["", "not systemd", True, 0, -3])
def test_systemd_version_rejects_what_is_not_a_version(given) -> None:
    with pytest.raises(SystemdHardeningError):
        systemd_version(given)


def test_debian_12_gets_every_directive() -> None:
    directives = hardening_directives(252)
    assert directives == [directive for directive, _since in HARDENING]
    assert "ProtectProc=invisible" in directives


def test_older_systemd_gets_only_what_it_knows() -> None:
    directives = hardening_directives(241)
    assert "LockPersonality=yes" in directives
    assert "SystemCallFilter=@system-service" in directives
    assert "RestrictSUIDSGID=yes" not in directives
    assert "ProtectClock=yes" not in directives


def test_each_directive_appears_from_its_version_on() -> None:
    for directive, since in HARDENING:
        assert directive in hardening_directives(since)
        assert directive not in hardening_directives(since - 1)


def test_writable_paths_come_last() -> None:
    directives = hardening_directives(252, ["/var/lib/prometheus", "/srv/tsdb"])
    assert directives[-1] == "ReadWritePaths=/var/lib/prometheus /srv/tsdb"


@pytest.mark.parametrize("paths", ["/var/lib/x", ["relative/path"], ["/with space"], [3]])
def test_bad_writable_paths_are_refused(paths) -> None:
    with pytest.raises(SystemdHardeningError, match="path"):
        hardening_directives(252, paths)
