"""Day-2 runs as operators make them, on the converged article hosts (issue 14).

Each run goes through the scenario's converge.yml (site.yml) or verify.yml with the flags an
operator would use, and asserts what it changed, restarted and left alone.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from rig import main_pid, run_playbook, wait_for

MEMBERS = ("am-1", "am-2")
REPLICAS = ("prom-1", "prom-2")
RECAP_LINE = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", re.MULTILINE)


def changed_per_host(output: str) -> dict[str, int]:
    return {host: int(changed) for host, changed in RECAP_LINE.findall(output)}


def run(pytestconfig, *extra_args: str, extra_vars=None, playbook: str = "converge.yml"):
    completed = run_playbook(pytestconfig, playbook, extra_vars, list(extra_args))
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    return output


def start_pids(rig_hosts) -> dict[str, int]:
    units = {name: "alertmanager" for name in MEMBERS} | {name: "prometheus" for name in REPLICAS}
    return {name: main_pid(rig_hosts[name], unit) for name, unit in units.items()}


def running_arguments(host, unit: str) -> list[str]:
    pid = main_pid(host, unit)
    return host.check_output(f"tr '\\0' '\\n' < /proc/{pid}/cmdline").splitlines()


def test_a_flag_value_with_a_space_and_a_percent_sign_is_one_argument(rig_hosts):
    for name in MEMBERS:
        argv = running_arguments(rig_hosts[name], "alertmanager")
        assert "--cluster.label=article mesh 100%" in argv, (name, argv)


@pytest.mark.parametrize("tags", ["configure", "install", "service", "verify"])
def test_each_phase_tag_runs_alone_and_changes_nothing_on_converged_hosts(pytestconfig, tags):
    output = run(pytestconfig, "--tags", tags)
    assert set(changed_per_host(output).values()) == {0}, output[-3000:]


def test_tags_configure_applies_a_new_rule_file_and_removes_it_again(
    pytestconfig, rig_hosts, hostvars, tmp_path
):
    rules = tmp_path / "team.rules.yaml"
    rules.write_text(
        "groups:\n  - name: team\n    rules:\n      - record: team:up\n        expr: up\n"
    )
    landed = rig_hosts["prom-1"].file("/etc/prometheus/rules/team.rules.yml")
    api = f"http://{hostvars['prom-1']['rig_ipv4']}:9090/api/v1/rules"

    def loaded_groups() -> set[str]:
        return {group["name"] for group in requests.get(api, timeout=10).json()["data"]["groups"]}

    extra = {"prometheus_rule_files": [str(rules)]}
    run(pytestconfig, "--limit", "prom-1", "--tags", "configure", extra_vars=extra)
    assert landed.exists
    assert wait_for(lambda: "team" in loaded_groups(), 20), loaded_groups()
    run(pytestconfig, "--limit", "prom-1", "--tags", "configure")
    assert not landed.exists
    assert wait_for(lambda: "team" not in loaded_groups(), 20), loaded_groups()


def test_check_diff_on_converged_hosts_reports_no_change(pytestconfig):
    output = run(pytestconfig, "--check", "--diff")
    assert set(changed_per_host(output).values()) == {0}, output[-3000:]


def test_limit_one_member_with_a_changed_flag_restarts_only_that_member(
    pytestconfig, rig_hosts, hostvars
):
    before = start_pids(rig_hosts)
    changed = {"alertmanager_data_retention": "121h"}
    try:
        output = run(pytestconfig, "--limit", "am-1", extra_vars=changed)
        assert changed_per_host(output).keys() == {"am-1"}, output[-3000:]
        unit = rig_hosts["am-1"].file("/etc/systemd/system/alertmanager.service").content_string
        assert "--data.retention=121h" in unit
        after = start_pids(rig_hosts)
        assert after["am-1"] != before["am-1"]
        assert {name: after[name] for name in after if name != "am-1"} == {
            name: before[name] for name in before if name != "am-1"
        }
        status_url = f"http://{hostvars['am-1']['rig_ipv4']}:9093/api/v2/status"
        cluster = requests.get(status_url, timeout=10).json()["cluster"]
        assert cluster["status"] == "ready", cluster
        assert len(cluster["peers"]) == len(MEMBERS), cluster
    finally:
        run(pytestconfig, "--limit", "am-1")
    unit = rig_hosts["am-1"].file("/etc/systemd/system/alertmanager.service").content_string
    assert "--data.retention=120h" in unit


def test_the_next_run_restarts_what_an_interrupted_run_wrote_but_did_not_restart(
    pytestconfig, rig_hosts, hostvars
):
    before = start_pids(rig_hosts)
    changed = {"alertmanager_data_retention": "122h"}
    unit_path = "/etc/systemd/system/alertmanager.service"
    try:
        # As a run stopped between writing the units and restarting leaves the hosts: every
        # unit holds the new flag, as the role writes it, and no process was restarted.
        for name in MEMBERS:
            rig_hosts[name].run_expect(
                [0], f"sed -i 's/--data.retention=120h/--data.retention=122h/' {unit_path}"
            )
            assert "--data.retention=122h" in rig_hosts[name].file(unit_path).content_string
            assert "--data.retention=122h" not in running_arguments(rig_hosts[name], "alertmanager")
        assert start_pids(rig_hosts) == before

        output = run(pytestconfig, extra_vars=changed)

        after = start_pids(rig_hosts)
        for name in MEMBERS:
            assert after[name] != before[name], (name, output[-3000:])
            assert "--data.retention=122h" in running_arguments(rig_hosts[name], "alertmanager")
            status_url = f"http://{hostvars[name]['rig_ipv4']}:9093/api/v2/status"
            cluster = requests.get(status_url, timeout=10).json()["cluster"]
            assert cluster["status"] == "ready", (name, cluster)
            assert len(cluster["peers"]) == len(MEMBERS), (name, cluster)
        assert {name: after[name] for name in REPLICAS} == {name: before[name] for name in REPLICAS}
    finally:
        run(pytestconfig, "--limit", ",".join(MEMBERS))
    for name in MEMBERS:
        assert "--data.retention=120h" in running_arguments(rig_hosts[name], "alertmanager")


# Each service: its configuration file, a line of it, the same line as a run before the
# current one wrote it, and how to read the running configuration from its API.
CONFIGURATIONS = {
    "alertmanager": (
        "/etc/alertmanager/alertmanager.yml",
        "group_interval: 30s",
        "group_interval: 31s",
    ),
    "prometheus": (
        "/etc/prometheus/prometheus.yml",
        "evaluation_interval: 15s",
        "evaluation_interval: 16s",
    ),
}


def running_configuration(hostvars, name: str) -> str:
    address = hostvars[name]["rig_ipv4"]
    if name in MEMBERS:
        status = requests.get(f"http://{address}:9093/api/v2/status", timeout=10).json()
        return status["config"]["original"]
    config = requests.get(f"http://{address}:9090/api/v1/status/config", timeout=10).json()
    return config["data"]["yaml"]


def test_the_next_run_reloads_what_an_interrupted_run_wrote_but_did_not_reload(
    pytestconfig, rig_hosts, hostvars
):
    units = {name: "alertmanager" for name in MEMBERS} | {name: "prometheus" for name in REPLICAS}
    # As a run stopped between writing the configuration and reloading leaves the hosts:
    # each process runs an older configuration (loaded by hand here), and the file on disk
    # is the declared one, written after that load.
    for name, unit in units.items():
        path, declared, older = CONFIGURATIONS[unit]
        host = rig_hosts[name]
        assert declared in host.file(path).content_string, (name, path)
        host.run_expect([0], f"cp -p {path} /root/declared.yml")
        host.run_expect([0], f"sed -i 's/{declared}/{older}/' {path} && systemctl reload {unit}")
        assert wait_for(
            lambda name=name, older=older: older in running_configuration(hostvars, name), 20
        ), name
    # The reload time has a one-second resolution: write the declared file clearly later.
    time.sleep(2.5)
    for name, unit in units.items():
        path, declared, older = CONFIGURATIONS[unit]
        rig_hosts[name].run_expect([0], f"cat /root/declared.yml > {path} && rm /root/declared.yml")
    before = start_pids(rig_hosts)

    output = run(pytestconfig)

    assert start_pids(rig_hosts) == before, output[-3000:]
    changed = changed_per_host(output)
    assert {name: changed[name] for name in units} == dict.fromkeys(units, 1), output[-3000:]
    for name, unit in units.items():
        path, declared, older = CONFIGURATIONS[unit]
        running = running_configuration(hostvars, name)
        assert declared in running, (name, running)
        assert older not in running, (name, running)


def test_limit_one_replica_describes_the_hosts_outside_the_play(pytestconfig, rig_hosts, hostvars):
    before = start_pids(rig_hosts)
    output = run(pytestconfig, "--limit", "prom-2")
    assert changed_per_host(output) == {"prom-2": 0}, output[-3000:]
    assert start_pids(rig_hosts) == before
    config = rig_hosts["prom-2"].file("/etc/prometheus/prometheus.yml").content_string
    for name in (*MEMBERS, *REPLICAS):
        port = 9093 if name in MEMBERS else 9090
        assert f"{hostvars[name]['rig_ipv4']}:{port}" in config, (name, config)


def test_verify_host_comes_from_the_inventory(pytestconfig, tmp_path):
    inventory = tmp_path / "verify-host.yml"
    inventory.write_text(json.dumps({"all": {"vars": {"alertmesh_verify_host": "prom-2"}}}))
    output = run(pytestconfig, "--inventory", str(inventory), playbook="../../playbooks/verify.yml")
    # A delegated task shows as "ok: [am-1 -> prom-2(<ansible_host>)]".
    delegated = re.findall(r"^ok: \[\S+ -> ([^\](]+)", output, re.MULTILINE)
    assert delegated, output[-3000:]
    assert set(delegated) == {"prom-2"}, output[-3000:]


def test_the_mesh_is_complete_after_the_day2_runs(hostvars):
    for name in MEMBERS:
        url = f"http://{hostvars[name]['rig_ipv4']}:9093/api/v2/status"
        status = wait_for(lambda url=url: requests.get(url, timeout=10).json()["cluster"], 30)
        assert status["status"] == "ready", (name, status)
        assert len(status["peers"]) == len(MEMBERS), (name, status)
