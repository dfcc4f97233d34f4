#!/usr/bin/env python3
"""`make bench`: how fast the mesh is deployed, verified and fails over, by size.

Drives the test rig's own playbooks (molecule/shared/create.yml, prepare.yml,
receiver.yml, destroy.yml) without molecule, because each size needs its own set of
hosts. Every figure is the median of --runs runs, with min and max. Prints the tables
and writes them into BENCHMARKS.md. Nothing here asserts on time.

B1 cold deploy, B2 second run, B3 verify.yml, B4 silence replication, B5 failover and
B7 task profile come from the 2+2 runs; B6 deploys 2+2, 3+2 and 5+3.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".cache" / "bench"
SCENARIO = "bench"
RELEASE = "debian14"
SIZES = [(2, 2), (3, 2), (5, 3)]
PLAYBOOK_TIMEOUT = 900
SCENARIO_TIMES = ROOT / ".cache" / "scenarios" / "times.json"


def role_default(role: str, variable: str) -> str:
    """The version a user gets without setting it: the role's own default."""
    # BaseLoader keeps every scalar text, so that a version such as 3.10 stays "3.10".
    text = (ROOT / "roles" / role / "defaults" / "main.yml").read_text()
    return yaml.load(text, Loader=yaml.BaseLoader)[variable]


ALERTMANAGER_VERSION = role_default("alertmanager", "alertmanager_version")
PROMETHEUS_VERSION = role_default("prometheus", "prometheus_version")

# Short timings, so that failover figures are seconds, not minutes (see BOUNDS below).
GROUP_WAIT = 5
GROUP_INTERVAL = 10
REPEAT_INTERVAL = 20
SCRAPE_INTERVAL = 5
EVALUATION_INTERVAL = 5
TARGET_DOWN_ALERT = "AlertmeshBenchTargetDown"
WATCHDOG_ALERT = "AlertmeshWatchdog"

BOUNDS = f"""\
- **B1, B6** grow with the number of tasks (B7) times the cost of one task on a host, and
  with two waits that no task can shorten. A freshly started Alertmanager reports `ready`
  only once its gossip has settled: it counts its peers every ten gossip intervals (2 s)
  and proceeds after three unchanged counts, about 10 s after it starts. And the proof
  waits for the first watchdog, which fires `for: 10s` after the replicas start (below).
- **B2** is the same task list with nothing to change. A task that runs a module on a
  host costs 0.2 to 0.5 s on this controller (the profile's "Read", "Create" and "Write"
  tasks), one that only evaluates on the controller (an assert, a set_fact, a skipped
  task) about 0.05 s; copying an unchanged binary costs the checksums of the cached and
  the installed file on both sides. The roles read a host's service state in one module
  call (`alertmesh.ha.service_state`), what earlier runs left in one `find`, and the
  controller's cache with one call of the unpack script, instead of a task per fact.
- **B3** is the start of `ansible-playbook` (about 1 s with this inventory), the facts
  of the Alertmanagers (for their cluster addresses), and three module runs on the
  controller: the mesh and silence round trip of B4, one read of every Prometheus and
  Alertmanager for the watchdog, and one of every Prometheus's rules.
- **The first watchdog of a freshly started Prometheus** (part of B1): Prometheus evaluates
  its rules at once, but its notifier learns the static Alertmanagers only at the
  discovery manager's first update tick, about 5 s after start. A send before that goes
  to no Alertmanager and is lost (2.x counts it in `prometheus_notifications_dropped_total`,
  3.5 not at all), yet the alert's last-sent time is set, so the next send waits
  `--rules.alert.resend-delay` (1 min): that was the 63-66 s wait of the proof. A reload on
  2.x also forgets the Alertmanagers until the next tick. The watchdog now fires only
  after `for: 10s` (twice the tick), when every Alertmanager is known, and the roles never
  reload a Prometheus they have just started; the resend delay users run with stays at 1 min.
- **B4** is the gossip: memberlist broadcasts a new silence at once and retransmits it
  every gossip interval (`--cluster.gossip-interval`, 200 ms by default); a member that
  missed it catches up at the next push-pull (`--cluster.pushpull-interval`, 1 min). The
  figure is only as fine as the module's polling (20 ms here).
- **B5, Alertmanager down**: Prometheus notices the stopped Alertmanager at its next scrape
  (`scrape_interval` {SCRAPE_INTERVAL} s here), the `up == 0` rule fires at the next
  evaluation (`evaluation_interval` {EVALUATION_INTERVAL} s), Prometheus sends the new alert
  at once to every Alertmanager, and the survivor notifies after `group_wait`
  ({GROUP_WAIT} s). A member that was a peer of the stopped one also waits its
  position in the mesh times `--cluster.peer-timeout` (15 s) before it notifies, unless it
  sees the others' notification log first.
- **B5, Prometheus down**: nothing changes for Alertmanager, because the other replica
  keeps sending the same deduplicated watchdog; the next notification is due
  `repeat_interval` ({REPEAT_INTERVAL} s) after the last, checked every `group_interval`
  ({GROUP_INTERVAL} s). Prometheus re-sends a firing alert every `--rules.alert.resend-delay`
  (1 min) and Alertmanager keeps it while it is not older than `resolve_timeout`, so one
  replica is enough. A gap is an interval longer than `repeat_interval` +
  `group_interval` + 5 s.
"""


@dataclass
class Figure:
    key: str
    what: str
    unit: str
    samples: list[float] = field(default_factory=list)

    def row(self) -> str:
        if not self.samples:
            return f"| {self.key} | {self.what} | n/a | n/a | n/a | {self.unit} | 0 |"
        values = [statistics.median(self.samples), min(self.samples), max(self.samples)]
        cells = " | ".join(format_number(value) for value in values)
        return f"| {self.key} | {self.what} | {cells} | {self.unit} | {len(self.samples)} |"


def format_number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


class Rig:
    """One set of bench hosts: containers alertmesh-bench-*, inventory under WORK."""

    def __init__(self, alertmanagers: int, prometheus: int) -> None:
        self.alertmanagers = [f"am-{n}" for n in range(1, alertmanagers + 1)]
        self.prometheus = [f"prom-{n}" for n in range(1, prometheus + 1)]
        self.inventory = WORK / "inventory"
        self.environment = {
            **os.environ,
            "MOLECULE_SCENARIO_NAME": SCENARIO,
            "ANSIBLE_COLLECTIONS_PATH": str(ROOT / ".cache" / "collections"),
            "ANSIBLE_CONNECTION_PLUGINS": str(ROOT / "tools" / "rig" / "connection_plugins"),
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default",
            "ANSIBLE_CALLBACKS_ENABLED": "ansible.posix.profile_tasks",
            "PROFILE_TASKS_TASK_OUTPUT_LIMIT": "10",
        }

    @property
    def platforms(self) -> list[dict[str, Any]]:
        hosts = [(name, "alertmanagers") for name in self.alertmanagers]
        hosts += [(name, "prometheus") for name in self.prometheus]
        hosts.append(("receiver", "receivers"))
        return [{"name": name, "groups": [group], "release": RELEASE} for name, group in hosts]

    def rig_vars(self, platforms: list[dict[str, Any]]) -> list[str]:
        rig = {
            "molecule_yml": {"platforms": platforms},
            "molecule_instance_config": str(WORK / "instance_config.yml"),
            "molecule_ephemeral_directory": str(WORK),
        }
        return ["--extra-vars", json.dumps(rig)]

    def playbook(self, playbook: Path, *arguments: str) -> tuple[float, str]:
        """Run a playbook against the bench inventory; return wall seconds and output."""
        command = [
            "ansible-playbook",
            "--inventory",
            str(self.inventory),
            *arguments,
            str(playbook),
        ]
        started = time.monotonic()
        process = subprocess.run(
            command,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
            check=False,
        )
        elapsed = time.monotonic() - started
        output = process.stdout + process.stderr
        if process.returncode != 0:
            raise RuntimeError(f"{playbook.name} failed ({process.returncode}):\n{output[-4000:]}")
        return elapsed, output

    def create(self) -> None:
        self.destroy()
        self.inventory.mkdir(parents=True, exist_ok=True)
        (self.inventory / "hosts.yml").write_text(yaml.safe_dump(self.inventory_content()))
        shared = ROOT / "molecule" / "shared"
        self.playbook(shared / "create.yml", *self.rig_vars(self.platforms))
        self.playbook(shared / "prepare.yml")
        self.playbook(shared / "receiver.yml")

    def destroy(self) -> None:
        """Remove the hosts of every size, so that no earlier run's container is left."""
        if (WORK / "instance_config.yml").exists() or self.inventory.exists():
            self.inventory.mkdir(parents=True, exist_ok=True)
            largest = Rig(*max(SIZES)).platforms
            self.playbook(ROOT / "molecule" / "shared" / "destroy.yml", *self.rig_vars(largest))

    def inventory_content(self) -> dict[str, Any]:
        mirror = os.environ.get("ALERTMESH_MIRROR_DIR", "/var/cache/alertmesh/mirror")
        release = "file://" + mirror + "/{0}/v{{{{ {0}_version }}}}/"
        groups = {"alertmanagers": self.alertmanagers, "prometheus": self.prometheus}
        return {
            "all": {
                "vars": {
                    "ansible_connection": "rig_nsenter",
                    "ansible_python_interpreter": "/usr/bin/python3",
                    "rig_mirror_dir": mirror,
                    "alertmanager_archive_url": release.format("alertmanager")
                    + "alertmanager-{{ alertmanager_version }}.linux-amd64.tar.gz",
                    "alertmanager_checksums_url": release.format("alertmanager") + "sha256sums.txt",
                    "prometheus_archive_url": release.format("prometheus")
                    + "prometheus-{{ prometheus_version }}.linux-amd64.tar.gz",
                    "prometheus_checksums_url": release.format("prometheus") + "sha256sums.txt",
                    "alertmanager_web_address": "{{ rig_ipv4 }}",
                    "prometheus_web_address": "{{ rig_ipv4 }}",
                },
                "hosts": {
                    "localhost": {
                        "ansible_connection": "local",
                        "ansible_python_interpreter": sys.executable,
                    }
                },
                "children": {
                    "alertmanagers": {
                        "hosts": {name: None for name in groups["alertmanagers"]},
                        "vars": {
                            "alertmanager_version": ALERTMANAGER_VERSION,
                            "alertmanager_config": {
                                "route": {
                                    "receiver": "sink",
                                    "group_by": ["alertname", "instance"],
                                    "group_wait": f"{GROUP_WAIT}s",
                                    "group_interval": f"{GROUP_INTERVAL}s",
                                    "repeat_interval": f"{REPEAT_INTERVAL}s",
                                },
                                "receivers": [
                                    {
                                        "name": "sink",
                                        "webhook_configs": [
                                            {"url": "http://receiver:9099/hook/bench"}
                                        ],
                                    }
                                ],
                            },
                        },
                    },
                    "prometheus": {
                        "hosts": {
                            name: {"prometheus_external_labels": {"dc": f"europe{number}"}}
                            for number, name in enumerate(groups["prometheus"], start=1)
                        },
                        "vars": {
                            "prometheus_version": PROMETHEUS_VERSION,
                            "prometheus_scrape_interval": f"{SCRAPE_INTERVAL}s",
                            "prometheus_evaluation_interval": f"{EVALUATION_INTERVAL}s",
                            "prometheus_alerting_rules": [
                                {
                                    "name": "bench",
                                    "rules": [
                                        {
                                            "alert": TARGET_DOWN_ALERT,
                                            "expr": 'up{job="alertmanager"} == 0',
                                        }
                                    ],
                                }
                            ],
                        },
                    },
                    "receivers": {"hosts": {"receiver": {}}},
                },
            }
        }

    def address(self, host: str) -> str:
        rig = yaml.safe_load((self.inventory / "rig.yml").read_text())
        return rig["all"]["hosts"][host]["rig_ipv4"]

    def systemctl(self, host: str, action: str, unit: str) -> None:
        container = f"alertmesh-{SCENARIO}-{host}"
        subprocess.run(["podman", "exec", container, "systemctl", action, unit], check=True)


def play_recap(output: str) -> dict[str, dict[str, int]]:
    recap = {}
    for match in re.finditer(r"(?m)^(\S+)\s+: ((?:\w+=\d+\s*)+)$", output):
        counts = dict(item.split("=") for item in match.group(2).split())
        recap[match.group(1)] = {key: int(value) for key, value in counts.items()}
    return recap


def slowest_tasks(output: str) -> list[tuple[str, float]]:
    recap = output.split("TASKS RECAP", 1)[-1]
    return [
        (name.strip(), float(seconds))
        for name, seconds in re.findall(r"(?m)^(\S.*?) -+ (\d+\.\d+)s$", recap)
    ][:10]


def wait_until(
    condition: Callable[[], Any], timeout: float, interval: float = 0.25, what: str = ""
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"no {what} within {timeout} s")


class Receiver:
    def __init__(self, address: str) -> None:
        self.url = f"http://{address}:9099/notifications"

    def clear(self) -> None:
        requests.delete(self.url, timeout=5).raise_for_status()

    def notifications(self, alertname: str, since: float) -> list[dict[str, Any]]:
        response = requests.get(self.url, params={"since": since}, timeout=5)
        response.raise_for_status()
        return [
            record
            for record in response.json()
            if record["body"].get("status") == "firing"
            and record["body"].get("commonLabels", {}).get("alertname") == alertname
        ]


def alertmanager_ready(address: str, members: int) -> bool:
    try:
        status = requests.get(f"http://{address}:9093/api/v2/status", timeout=2).json()
    except (requests.RequestException, ValueError):
        return False
    cluster = status.get("cluster", {})
    return cluster.get("status") == "ready" and len(cluster.get("peers") or []) == members


def measure_alertmanager_down(rig: Rig, receiver: Receiver) -> tuple[float, str]:
    """Stop am-1; seconds until the receiver gets the new 'am-1 is down' alert, and from whom."""
    stopped_at = time.time()
    rig.systemctl("am-1", "stop", "alertmanager.service")
    try:
        records = wait_until(
            lambda: receiver.notifications(TARGET_DOWN_ALERT, stopped_at),
            timeout=180,
            what=f"{TARGET_DOWN_ALERT} notification",
        )
        return records[0]["received_at"] - stopped_at, records[0]["body"].get("externalURL", "")
    finally:
        rig.systemctl("am-1", "start", "alertmanager.service")
        members = len(rig.alertmanagers)
        wait_until(
            lambda: alertmanager_ready(rig.address("am-1"), members),
            timeout=120,
            what="am-1 back in the mesh",
        )


def measure_prometheus_down(rig: Rig, receiver: Receiver) -> tuple[float, int, float]:
    """Stop prom-1 for four repeat intervals.

    Returns the seconds to the first watchdog notification after the stop, the number of
    gaps and the longest interval between notifications.
    """
    window = 4 * REPEAT_INTERVAL + GROUP_INTERVAL
    gap = REPEAT_INTERVAL + GROUP_INTERVAL + 5
    stopped_at = time.time()
    rig.systemctl("prom-1", "stop", "prometheus.service")
    try:
        time.sleep(window)
        arrivals = [r["received_at"] for r in receiver.notifications(WATCHDOG_ALERT, stopped_at)]
    finally:
        rig.systemctl("prom-1", "start", "prometheus.service")
    if not arrivals:
        return float("inf"), 1, float(window)
    intervals = [
        b - a
        for a, b in zip([stopped_at, *arrivals], [*arrivals, stopped_at + window], strict=True)
    ]
    return arrivals[0] - stopped_at, sum(interval > gap for interval in intervals), max(intervals)


def run_article(rig: Rig, run: int, figures: dict[str, Figure], profile: dict[str, Any]) -> None:
    site = ROOT / "playbooks" / "site.yml"
    rig.create()
    seconds, output = rig.playbook(site)
    figures["B1"].samples.append(seconds)
    figures["B6 2+2"].samples.append(seconds)
    if run == 1:
        profile["recap"] = play_recap(output)
        profile["slowest"] = slowest_tasks(output)
    seconds, output = rig.playbook(site)
    figures["B2"].samples.append(seconds)
    figures["B2 changed"].samples.append(sum(h["changed"] for h in play_recap(output).values()))
    seconds, _ = rig.playbook(ROOT / "playbooks" / "verify.yml")
    figures["B3"].samples.append(seconds)

    result = WORK / f"probe-{run}.json"
    rounds = -(-50 // len(rig.alertmanagers))
    rig.playbook(
        ROOT / "tools" / "bench" / "probe.yml",
        "--extra-vars",
        json.dumps({"bench_probe_rounds": rounds, "bench_result": str(result)}),
    )
    mesh = json.loads(result.read_text())
    figures["B4 samples"].samples.append(mesh["latency_samples"])
    for key in ("p50", "p95", "max"):
        figures[f"B4 {key}"].samples.append(mesh[f"latency_{key}"] * 1000)

    receiver = Receiver(rig.address("receiver"))
    receiver.clear()
    seconds, sender = measure_alertmanager_down(rig, receiver)
    figures["B5 am"].samples.append(seconds)
    profile.setdefault("senders", []).append(sender)
    first, gaps, longest = measure_prometheus_down(rig, receiver)
    figures["B5 prom"].samples.append(first)
    figures["B5 gaps"].samples.append(gaps)
    figures["B5 longest"].samples.append(longest)


def run_scale(rig: Rig, key: str, figures: dict[str, Figure]) -> None:
    rig.create()
    seconds, _ = rig.playbook(ROOT / "playbooks" / "site.yml")
    figures[key].samples.append(seconds)


def versions() -> dict[str, str]:
    ansible = subprocess.run(
        ["ansible", "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "controller": f"{platform.node()}, {os.cpu_count()} CPUs, Linux {platform.release()}",
        "ansible": ansible.strip(),
        "stack": f"Alertmanager {ALERTMANAGER_VERSION}, Prometheus {PROMETHEUS_VERSION} "
        f"(release archives from the local mirror, the roles' defaults) on Debian 14 test hosts",
    }


def render(
    figures: dict[str, Figure], profile: dict[str, Any], facts: dict[str, str], runs: int
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tools/bench/bench.py); do not edit by hand.",
        "",
        f"- Date: {facts['date']}",
        f"- Controller: {facts['controller']}; {facts['ansible']}",
        f"- Stack: {facts['stack']}",
        "- Hosts: systemd containers of the test rig, reached with the rig's nsenter "
        "connection (pipelining on), plus one webhook receiver",
        f"- Runs: {runs} of each figure, after one warm-up deploy; median, min and max",
        "",
        "| | figure | median | min | max | unit | runs |",
        "|---|---|---|---|---|---|---|",
        *(figure.row() for figure in figures.values()),
        "",
    ]
    base = figures["B6 2+2"].samples
    if base:
        lines += ["B6 ratio of the median deploy to the 2+2 median:", ""]
        for key in ("B6 2+2", "B6 3+2", "B6 5+3"):
            samples = figures[key].samples
            ratio = statistics.median(samples) / statistics.median(base) if samples else 0
            lines.append(f"- {key[3:]}: {ratio:.2f}x")
        lines.append("")
    senders = sorted(set(profile.get("senders", [])))
    if senders:
        lines += [f"B5 notifications came from: {', '.join(senders)}.", ""]
    if profile.get("recap"):
        lines += [
            "B7 tasks per host in the first cold 2+2 deploy (ok + skipped; changed):",
            "",
            "| host | tasks | changed |",
            "|---|---|---|",
        ]
        for host, counts in sorted(profile["recap"].items()):
            tasks = counts.get("ok", 0) + counts.get("skipped", 0)
            lines.append(f"| {host} | {tasks} | {counts.get('changed', 0)} |")
        lines += ["", "B7 the 10 slowest tasks of that deploy (ansible.posix.profile_tasks):", ""]
        lines += ["| task | seconds |", "|---|---|"]
        lines += [f"| {name} | {seconds:.2f} |" for name, seconds in profile["slowest"]]
        lines.append("")
    lines += scenario_times()
    lines += [
        "## Reproduce",
        "",
        "On a machine that `make setup` prepared (rootful podman, the images and the mirror),",
        "with nothing else running:",
        "",
        "    make bench            # or: .venv/bin/python tools/bench/bench.py --runs 5",
        "",
        "Each run creates fresh hosts named `alertmesh-bench-*` on the podman network",
        "`alertmesh-bench`, deploys with `playbooks/site.yml`, measures, and removes them.",
        "",
        "## What bounds each figure",
        "",
        BOUNDS,
    ]
    return "\n".join(lines)


def scenario_times() -> list[str]:
    """The molecule scenarios' wall times as the last `make test` on this machine recorded them."""
    lines = ["## Molecule scenarios of `make test`", ""]
    if not SCENARIO_TIMES.exists():
        return [*lines, f"No `make test` has recorded its scenarios here ({SCENARIO_TIMES}).", ""]
    times = json.loads(SCENARIO_TIMES.read_text())
    lines += [
        "Wall time of each scenario (create, converge, idempotence, verify, destroy) in the last",
        "`make test` on this machine, which runs them "
        f"{max(t['concurrent_scenarios'] for t in times.values())} at a time:",
        "",
        "| scenario | seconds | outcome | finished |",
        "|---|---|---|---|",
    ]
    for name, record in sorted(times.items(), key=lambda item: -item[1]["seconds"]):
        cells = [name, record["seconds"], record["outcome"], record["finished"]]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return [*lines, ""]


def build_figures() -> dict[str, Figure]:
    return {
        figure.key: figure
        for figure in [
            Figure("B1", "cold deploy, 2 Alertmanagers + 2 Prometheus (site.yml)", "s"),
            Figure("B2", "second run of site.yml", "s"),
            Figure("B2 changed", "changed tasks in the second run (must be 0)", "tasks"),
            Figure("B3", "verify.yml", "s"),
            Figure("B4 p50", "silence replication latency, median", "ms"),
            Figure("B4 p95", "silence replication latency, 95th percentile", "ms"),
            Figure("B4 max", "silence replication latency, slowest", "ms"),
            Figure("B4 samples", "replication latencies measured per run", "probes"),
            Figure("B5 am", "am-1 stopped until the receiver has the new alert", "s"),
            Figure("B5 prom", "prom-1 stopped until the next watchdog notification", "s"),
            Figure("B5 gaps", "watchdog gaps while prom-1 is down", "gaps"),
            Figure("B5 longest", "longest watchdog interval while prom-1 is down", "s"),
            Figure("B6 2+2", "deploy, 2 Alertmanagers + 2 Prometheus", "s"),
            Figure("B6 3+2", "deploy, 3 Alertmanagers + 2 Prometheus", "s"),
            Figure("B6 5+3", "deploy, 5 Alertmanagers + 3 Prometheus", "s"),
        ]
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    arguments = parser.parse_args(argv)
    if arguments.runs < 3:
        parser.error("--runs must be at least 3: every figure is a median of 3 or more runs")
    WORK.mkdir(parents=True, exist_ok=True)
    figures = build_figures()
    profile: dict[str, Any] = {}
    facts = versions()
    rig = Rig(*SIZES[0])
    try:
        print("warm-up deploy (not counted)", flush=True)
        run_scale(rig, "warm-up", {"warm-up": Figure("warm-up", "", "s")})
        for run in range(1, arguments.runs + 1):
            print(f"2+2 run {run}: B1-B5", flush=True)
            run_article(rig, run, figures, profile)
        for alertmanagers, prometheus in SIZES[1:]:
            rig = Rig(alertmanagers, prometheus)
            for run in range(1, arguments.runs + 1):
                print(f"{alertmanagers}+{prometheus} run {run}: B6", flush=True)
                run_scale(rig, f"B6 {alertmanagers}+{prometheus}", figures)
    finally:
        rig.destroy()
    report = render(figures, profile, facts, arguments.runs)
    arguments.output.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
