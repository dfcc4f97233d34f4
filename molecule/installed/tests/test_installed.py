"""The hosts as the installed collection's site playbook left them.

The playbook's own verification (verify_mesh, verify_dedup) already proved the mesh and
the deduplication during converge; these tests check the hosts' side of it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

SERVICES = {"alertmanagers": ("alertmanager", 9093), "prometheus": ("prometheus", 9090)}


@pytest.mark.parametrize("group", sorted(SERVICES))
def test_each_host_runs_and_serves_its_service(rig_hosts, group_members, hostvars, group):
    service_name, port = SERVICES[group]
    for host_name in group_members[group]:
        host = rig_hosts[host_name]
        assert host.service(service_name).is_running, f"{service_name} is down on {host_name}"
        assert host.service(service_name).is_enabled, f"{service_name} is disabled on {host_name}"
        address = hostvars[host_name]["rig_ipv4"]
        assert host.socket(f"tcp://{address}:{port}").is_listening, (
            f"{service_name} does not listen on {address}:{port} on {host_name}"
        )


def test_each_replica_runs_with_its_own_external_labels(rig_hosts, group_members, hostvars):
    for replica in group_members["prometheus"]:
        config_file = rig_hosts[replica].file("/etc/prometheus/prometheus.yml")
        external_labels = yaml.safe_load(config_file.content_string)["global"]["external_labels"]
        assert external_labels == hostvars[replica]["prometheus_external_labels"], replica


def test_the_site_playbook_reached_the_hosts_over_ssh_as_deploy_with_sudo(rig_hosts, group_members):
    for group in SERVICES:
        for host_name in group_members[group]:
            logins = rig_hosts[host_name].check_output("journalctl --unit ssh.service --no-pager")
            assert "Accepted publickey for deploy" in logins, host_name
            sudo = rig_hosts[host_name].check_output("journalctl _COMM=sudo --no-pager")
            assert "deploy : " in sudo, host_name
            assert "USER=root" in sudo, host_name


RECAP_LINE = re.compile(r"(?m)^\S+\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def test_the_first_run_without_pipelining_and_the_next_with_it_both_passed():
    installed_root = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "installed"
    runs = [
        installed_root / "ssh-without-pipelining.log",
        *sorted(installed_root.glob("site-*.log")),
    ]
    assert len(runs) >= 2, runs
    for run in runs:
        recap = RECAP_LINE.findall(run.read_text())
        assert recap, run
        assert {(unreachable, failed) for _, unreachable, failed in recap} == {("0", "0")}, run
    assert {changed for changed, _, _ in RECAP_LINE.findall(runs[-1].read_text())} == {"0"}


def test_the_site_playbook_ran_on_the_newest_ansible_core():
    installed_root = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "installed"
    version = (installed_root / "controller-version.txt").read_text()
    assert version.startswith("ansible-playbook [core 2.21."), version
