"""Bad inventories against a running mesh: a clear failure, and not one byte changed.

Every case runs playbooks/site.yml (the scenario's converge.yml) with one mistake added,
a few cases at a time. Each must fail with a message naming the variable to fix, before
any host is touched (or, for configs that only amtool or promtool can judge, before the
live file is replaced), and every host must keep the same config files and the same
running services.
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rig import run_playbook

WATCHED_FILES = {
    "alertmanagers": [
        "/etc/alertmanager/alertmanager.yml",
        "/etc/systemd/system/alertmanager.service",
        "/usr/local/bin/alertmanager",
    ],
    "prometheus": [
        "/etc/prometheus/prometheus.yml",
        "/etc/prometheus/rules/alertmesh.rules.yml",
        "/etc/prometheus/rules/alertmesh-self-monitoring.rules.yml",
        "/etc/systemd/system/prometheus.service",
        "/usr/local/bin/prometheus",
    ],
}
# Directories whose listing must not change either (a file landing there would be live).
WATCHED_DIRECTORIES = {
    "alertmanagers": ["/etc/alertmanager/templates"],
    "prometheus": ["/etc/prometheus/rules"],
}
SERVICES = {"alertmanagers": "alertmanager", "prometheus": "prometheus"}
# Playbook runs at a time: each is mostly the controller's Python, and this machine has two
# cores; a third run fills the gaps while the others wait on the hosts.
CONCURRENT_RUNS = 3
ALERTMANAGER_ARCHIVE = "alertmanager-0.25.0.linux-amd64.tar.gz"


@dataclass
class Case:
    id: str
    expected: list[str]
    extra_vars: dict[str, Any] = field(default_factory=dict)
    tags: str = ""
    vars_file: str = ""


def sink_config(receiver: dict[str, Any]) -> dict[str, Any]:
    return {"route": {"receiver": receiver["name"]}, "receivers": [receiver]}


# Placeholders in angle brackets are filled in from the scenario: <am-1>, <am-2> (IPv4
# addresses), <bad-checksums> (a file on the controller).
CASES = [
    Case(
        "missing alertmanagers group",
        ["prometheus_alertmanager_group is 'nosuch'", "Put the Alertmanager hosts in it"],
        {"alertmesh_alertmanager_group": "nosuch"},
        tags="prometheus",
    ),
    Case(
        "empty alertmanagers group",
        [
            "prometheus_alertmanager_group is 'nobody'",
            "no such group exists in the inventory, or it is empty",
        ],
        {"alertmesh_alertmanager_group": "nobody"},
        tags="prometheus",
    ),
    Case(
        "single Prometheus with the replica label forced",
        [
            "prometheus_add_replica_label is 'always', but prom-1 is the only Prometheus replica",
            "'auto'",
        ],
        {"alertmesh_prometheus_group": "solo", "prometheus_add_replica_label": "always"},
        tags="prometheus",
    ),
    Case(
        "two replicas with identical external labels",
        [
            "prometheus_external_labels of prom-1 and prom-2 are identical ({dc: europe1})",
            "distinct value",
        ],
        {"prometheus_external_labels": {"dc": "europe1"}},
        tags="prometheus",
    ),
    Case(
        "external labels whose relabelling does not dedup",
        [
            "Alertmanager cannot deduplicate the alerts",
            "dc: prom-1=europe1, prom-2=europe2",
            r"{source_labels: [dc], regex: '(.+)\d+', target_label: dc}",
        ],
        {"prometheus_alert_relabel_configs": []},
        tags="prometheus",
    ),
    Case(
        "alert relabel rule with an invalid regex",
        [
            "prometheus_extra_alert_relabel_configs has a rule Prometheus would reject",
            "invalid regex",
        ],
        {
            "prometheus_extra_alert_relabel_configs": [
                {"source_labels": ["dc"], "regex": "(", "target_label": "dc"}
            ]
        },
        tags="prometheus",
    ),
    Case(
        "alert relabel rule with an unknown action",
        ["prometheus_extra_alert_relabel_configs has a rule", 'unknown relabel action "explode"'],
        {"prometheus_extra_alert_relabel_configs": [{"action": "explode"}]},
        tags="prometheus",
    ),
    Case(
        "replace rule without target_label",
        ["prometheus_alert_relabel_configs has a rule", "requires 'target_label'"],
        {"prometheus_alert_relabel_configs": [{"source_labels": ["dc"], "regex": "(.+)\\d+"}]},
        tags="prometheus",
    ),
    Case(
        "hostname as the advertise address",
        ["alertmanager_cluster_advertise_address is 'am-1'", "only an IP address"],
        {"alertmanager_cluster_advertise_address": "am-1"},
        tags="alertmanager",
    ),
    Case(
        "duplicate host:port between members",
        [
            "share a cluster address:port",
            "alertmanager_cluster_advertise_address or alertmanager_cluster_port",
        ],
        {"alertmanager_cluster_advertise_address": "<am-1>"},
        tags="alertmanager",
    ),
    Case(
        "port out of range",
        ["alertmanager_web_port is '70000': use a port number from 1 to 65535"],
        {"alertmanager_web_port": 70000},
        tags="alertmanager",
    ),
    Case(
        "peer list that includes the host itself",
        ["alertmanager_cluster_peers of am-1 holds its own endpoint <am-1>:9094"],
        {"alertmanager_cluster_peers": ["<am-1>:9094", "<am-2>:9094"]},
        tags="alertmanager",
    ),
    Case(
        "receiver that references an unknown template",
        [
            "uses the template 'team.slack.text', which no file in"
            " alertmanager_template_files defines"
        ],
        vars_file="unknown_template.yml",
        tags="alertmanager",
    ),
    Case(
        "route to an undefined receiver",
        ["alertmanager_config.route.receiver is 'nosuch'", "add a receiver of that name"],
        {
            "alertmanager_config": {
                "route": {"receiver": "nosuch"},
                "receivers": [{"name": "oncall"}],
            }
        },
        tags="alertmanager",
    ),
    Case(
        "unknown install method",
        ["alertmanager_install_method", "archive, package", "snap"],
        {"alertmanager_install_method": "snap"},
        tags="alertmanager",
    ),
    Case(
        "checksum mismatch in the archive",
        ["could not be downloaded with the sha256", "alertmanager_checksums_url"],
        {"alertmanager_checksums_url": "<bad-checksums>"},
        tags="alertmanager",
    ),
    Case(
        "alertmanager_version with no matching archive",
        ["no release alertmanager-0.99.0.linux-amd64 there", "check alertmanager_version"],
        {"alertmanager_version": "0.99.0"},
        tags="alertmanager",
    ),
    Case(
        "prometheus_version with no matching archive",
        ["no release prometheus-3.99.0.linux-amd64 there", "check prometheus_version"],
        {"prometheus_version": "3.99.0"},
        tags="prometheus",
    ),
    Case(
        "a Prometheus 2 flag that Prometheus 3 removed",
        [
            "prometheus_extra_flags holds --storage.tsdb.retention, which Prometheus 3 removed",
            "set prometheus_storage_retention instead",
        ],
        {"prometheus_version": "3.5.3", "prometheus_extra_flags": ["--storage.tsdb.retention=30d"]},
        tags="prometheus",
    ),
    Case(
        "an external label value with a $ that Prometheus 3 expands",
        ["prometheus_external_labels dc of", "write $$ for a literal $"],
        {
            "prometheus_version": "3.5.3",
            "prometheus_external_labels": {"dc": "eu$1-{{ inventory_hostname }}"},
        },
        tags="prometheus",
    ),
    Case(
        "web port equal to the cluster port",
        ["alertmanager_web_port and alertmanager_cluster_port are both 9094"],
        {"alertmanager_web_port": 9094},
        tags="alertmanager",
    ),
    # Mistakes only amtool and promtool can judge: the play fails at validation, and the
    # live file stays as it was.
    Case(
        "Alertmanager config that amtool rejects",
        ["failed to validate", "alertmanager.yml"],
        {
            "alertmanager_config": sink_config({"name": "sink"})
            | {"route": {"receiver": "sink", "group_wait": "banana"}}
        },
        tags="alertmanager",
    ),
    Case(
        "a notification template that does not parse",
        ["Check the staged alertmanager.yml and templates with amtool", "failed to validate"],
        {
            "alertmanager_config": sink_config({"name": "sink"}),
            "alertmanager_template_files": ["<broken-template>"],
        },
        tags="alertmanager",
    ),
    Case(
        "Prometheus config that promtool rejects",
        ["failed to validate", "prometheus.yml"],
        {"prometheus_scrape_interval": "banana"},
        tags="prometheus",
    ),
    # TLS and basic auth (issue 7): settings that cannot work, refused in the preflight.
    Case(
        "certificate without its key",
        ["alertmanager_tls_cert and alertmanager_tls_key go together"],
        {"alertmanager_tls_cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
        tags="alertmanager",
    ),
    Case(
        "basic-auth users but no credentials for the clients",
        ["alertmanager_basic_auth_users is set", "set alertmanager_api_auth to {username:"],
        {"alertmanager_basic_auth_users": {"ops": "a-plain-password"}},
        tags="alertmanager",
    ),
    Case(
        "truncated bcrypt hash",
        ["prometheus_basic_auth_users: the value of user 'ops' starts like a bcrypt hash"],
        {
            "prometheus_basic_auth_users": {"ops": "$2b$10$tooshort"},
            "prometheus_api_auth": {"username": "ops", "password": "a-plain-password"},
        },
        tags="prometheus",
    ),
    Case(
        "basic-auth users on a plain-HTTP port",
        ["alertmanager_basic_auth_users is set, but the web port serves plain HTTP"],
        {
            "alertmanager_basic_auth_users": {"ops": "a-plain-password"},
            "alertmanager_api_auth": {"username": "ops", "password": "a-plain-password"},
        },
        tags="alertmanager",
    ),
    Case(
        "Prometheus credentials for the Alertmanagers over plain http",
        ["prometheus_alertmanager_basic_auth", "over plain http, in clear text"],
        {"prometheus_alertmanager_basic_auth": {"username": "ops", "password": "a-password"}},
        tags="prometheus",
    ),
    Case(
        "listen address on another port than the web port",
        ["alertmanager_web_listen_address is '0.0.0.0:19093', but alertmanager_web_port is 9093"],
        {"alertmanager_web_listen_address": "0.0.0.0:19093"},
        tags="alertmanager",
    ),
    Case(
        "a newline in a flag value",
        ["alertmanager_data_retention holds a newline", "remove it"],
        {"alertmanager_data_retention": "120h\nExecStartPre=/bin/touch /tmp/injected"},
        tags="alertmanager",
    ),
    Case(
        "a rule file named like the watchdog's own",
        ["prometheus_rule_files land in /etc/prometheus/rules", "rename the file"],
        {"prometheus_rule_files": ["<rule-file-named-alertmesh>"]},
        tags="prometheus",
    ),
    Case(
        "a user's alert named like a self-monitoring alert",
        [
            "prometheus_alerting_rules defines the alert 'AlertmeshPrometheusDown'",
            "set prometheus_self_monitoring_rules: false",
        ],
        {
            "prometheus_alerting_rules": [
                {
                    "name": "mine",
                    "rules": [{"alert": "AlertmeshPrometheusDown", "expr": "up == 0"}],
                }
            ]
        },
        tags="prometheus",
    ),
    Case(
        "a zero self-monitoring window",
        ["prometheus_self_monitoring_window is '0m'", "above zero"],
        {"prometheus_self_monitoring_window": "0m"},
        tags="prometheus",
    ),
    Case(
        "gossip TLS without certificates",
        ["alertmanager_cluster_tls is on, but gossip over mutual TLS needs alertmanager_tls_cert"],
        {"alertmanager_cluster_tls": True},
        tags="alertmanager",
    ),
]

UNKNOWN_TEMPLATE_VARS = """\
alertmanager_config:
  route:
    receiver: team
  receivers:
    - name: team
      slack_configs:
        - api_url: http://127.0.0.1:9/slack
          channel: '#alerts'
          text: !unsafe '{{ template "team.slack.text" . }}'
"""

EXTRA_GROUPS = {"all": {"children": {"solo": {"hosts": {"prom-1": None}}, "nobody": {"hosts": {}}}}}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, hostvars) -> dict[str, str]:
    """Files the cases refer to, and the values of the <placeholders>."""
    directory = tmp_path_factory.mktemp("bad-input")
    (directory / "unknown_template.yml").write_text(UNKNOWN_TEMPLATE_VARS)
    (directory / "extra-groups.yml").write_text(json.dumps(EXTRA_GROUPS))
    (directory / "sha256sums.txt").write_text(f"{'0' * 64}  {ALERTMANAGER_ARCHIVE}\n")
    (directory / "alertmesh.rules.yaml").write_text("groups: []\n")
    (directory / "team.tmpl").write_text('{{ define "team.text" }}{{ .Status \n')
    return {
        "directory": str(directory),
        "<am-1>": hostvars["am-1"]["rig_ipv4"],
        "<am-2>": hostvars["am-2"]["rig_ipv4"],
        "<bad-checksums>": f"file://{directory / 'sha256sums.txt'}",
        "<rule-file-named-alertmesh>": str(directory / "alertmesh.rules.yaml"),
        "<broken-template>": str(directory / "team.tmpl"),
    }


def host_state(rig_hosts, group_members) -> dict[str, str]:
    """Checksums of every watched file and the state and start time of every service.

    One command per host, since each command is a round trip into the container.
    """
    state = {}
    for group, paths in WATCHED_FILES.items():
        for name in group_members[group]:
            state[name] = rig_hosts[name].check_output(
                f"sha256sum {' '.join(paths)} && ls -A {' '.join(WATCHED_DIRECTORIES[group])}"
                " && systemctl show --property=ActiveState,ExecMainStartTimestampMonotonic "
                + SERVICES[group]
            )
    return state


def fill(value: Any, inputs: dict[str, str]) -> Any:
    text = json.dumps(value)
    for placeholder, replacement in inputs.items():
        if placeholder.startswith("<"):
            text = text.replace(placeholder, replacement)
    return json.loads(text)


def run_case(case: Case, inputs, pytestconfig) -> subprocess.CompletedProcess:
    directory = Path(inputs["directory"])
    extra_args = ["--inventory", str(directory / "extra-groups.yml")]
    if case.vars_file:
        extra_args += ["--extra-vars", f"@{directory / case.vars_file}"]
    if case.tags:
        extra_args += ["--tags", case.tags]
    return run_playbook(pytestconfig, "converge.yml", fill(case.extra_vars, inputs), extra_args)


@dataclass
class Batch:
    """Every case's run, and the hosts' state before and after all of them."""

    before: dict[str, str]
    after: dict[str, str]
    runs: dict[str, subprocess.CompletedProcess]


@pytest.fixture(scope="module")
def batch(inputs, rig_hosts, group_members, pytestconfig) -> Batch:
    """Runs the cases a few at a time: each run fails on its own inputs and none may change
    a host, so they do not depend on each other, and the controller's cores stay busy."""
    before = host_state(rig_hosts, group_members)
    with ThreadPoolExecutor(max_workers=CONCURRENT_RUNS) as pool:
        runs = pool.map(lambda case: run_case(case, inputs, pytestconfig), CASES)
        by_case = {case.id: run for case, run in zip(CASES, runs, strict=True)}
    return Batch(before, host_state(rig_hosts, group_members), by_case)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(case: Case, inputs, batch: Batch):
    playbook = batch.runs[case.id]
    output = " ".join((playbook.stdout + playbook.stderr).split())
    assert playbook.returncode != 0, output[-3000:]
    for expected in fill(case.expected, inputs):
        assert " ".join(expected.split()) in output, (expected, output[-3000:])
    # The state is read around the whole batch: if it changed, run this case alone
    # (pytest -k) to see whether it is the one that touched the hosts.
    assert batch.after == batch.before
