"""How converge deployed: from the installed collection, over SSH as deploy with sudo.

The playbook's own verification (verify_mesh, verify_dedup) proved the mesh and the
deduplication during converge; test_tls.py checks what the hosts serve.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# The scenario renames the groups in the inventory (alertmesh_*_group).
GROUPS = ("alerting", "monitoring")


def test_the_site_playbook_reached_the_hosts_over_ssh_as_deploy_with_sudo(rig_hosts, group_members):
    for group in GROUPS:
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
