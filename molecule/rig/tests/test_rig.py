"""The rig gives every scenario real systemd hosts that can see each other."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

PROBE_PORT = 18080
PROBE_UNIT = "rig-tcp-probe"


def test_every_host_runs_systemd(rig_hosts):
    states = {
        name: host.run("systemctl is-system-running").stdout.strip()
        for name, host in rig_hosts.items()
    }
    assert states == dict.fromkeys(rig_hosts, "running")


def test_groups_are_the_ones_the_roles_use(group_members):
    assert group_members["alertmanagers"] == ["am-1", "am-2"]
    assert group_members["prometheus"] == ["prom-1", "prom-2"]


def test_each_host_has_the_distinct_ipv4_the_inventory_reports(rig_hosts, hostvars):
    reported = {name: hostvars[name]["rig_ipv4"] for name in rig_hosts}
    assert len(set(reported.values())) == len(reported), reported
    for name, host in rig_hosts.items():
        configured = host.check_output("ip -4 -o addr show scope global")
        assert f" {reported[name]}/" in configured, (name, configured)


def test_each_host_resolves_every_other_by_name(rig_hosts, hostvars):
    for name, other in itertools.permutations(rig_hosts, 2):
        resolved = rig_hosts[name].check_output(f"getent ahostsv4 {other}").split()[0]
        assert resolved == hostvars[other]["rig_ipv4"], (name, other)


@pytest.fixture
def tcp_listeners(rig_hosts) -> Iterator[None]:
    for host in rig_hosts.values():
        host.check_output(
            f"systemd-run --unit={PROBE_UNIT} --collect --property=RuntimeMaxSec=120 "
            f"python3 -m http.server --bind 0.0.0.0 {PROBE_PORT}"
        )
    for host in rig_hosts.values():
        host.check_output(
            "timeout 20 sh -c 'until ss -Htln sport = :%s | grep -q .; do sleep 0.2; done'",
            str(PROBE_PORT),
        )
    yield
    for host in rig_hosts.values():
        host.run(f"systemctl stop {PROBE_UNIT}")


@pytest.mark.usefixtures("tcp_listeners")
def test_each_host_reaches_every_other_over_tcp(rig_hosts):
    connect = "python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], %d), 5)' %s"
    failures = []
    for name, other in itertools.permutations(rig_hosts, 2):
        result = rig_hosts[name].run(connect % (PROBE_PORT, other))
        if result.rc != 0:
            failures.append(f"{name} -> {other}: {result.stderr.strip()}")
    assert failures == []
