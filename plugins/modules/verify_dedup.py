#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ansible-test requires the imports below DOCUMENTATION, EXAMPLES and RETURN.
# ruff: noqa: E402
"""Prove that Prometheus replicas send one deduplicated alert to every Alertmanager."""

from __future__ import annotations

DOCUMENTATION = r"""
module: verify_dedup
short_description: Prove that Prometheus replicas' alerts reach every Alertmanager as one
version_added: 0.1.0
author: alertmesh.ha maintainers (@alertmesh)
description:
  - Checks the alerting path of a highly available setup through the HTTP APIs, read-only.
  - B(Discovery.) Every Prometheus in O(prometheus_urls) must list every Alertmanager of
    O(alertmanager_urls) among its active Alertmanagers (C(GET /api/v1/alertmanagers)),
    and none of them among its dropped ones.
  - B(Deduplication.) Every Alertmanager must hold exactly one alert named O(alertname)
    (C(GET /api/v2/alerts), counting active, silenced, inhibited and unprocessed alerts),
    with the same label set on every Alertmanager. When the replicas' alerts differ in a
    label, for example because C(alert_relabel_configs) does not drop the replica label,
    an Alertmanager holds one alert per replica and the failure names the label that
    differs.
  - Prometheus sends an alert only after its rule fired at an evaluation and, when a send
    went missing, again after its resend delay (one minute). So the module polls both
    checks until O(timeout) before it fails.
  - The alert O(alertname) must fire all the time on every replica, like the C(Watchdog)
    alert of kube-prometheus, which is an alerting rule with the expression C(vector(1\)).
extends_documentation_fragment:
  - alertmesh.ha.api
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  prometheus_urls:
    description:
      - Base URL of the API of every Prometheus replica, for example
        V(http://10.0.0.8:9090).
    type: list
    elements: str
    required: true
  alertmanager_urls:
    description:
      - Base URL of the API of every Alertmanager, for example V(http://10.0.0.5:9093).
      - Prometheus reports each Alertmanager as a URL like
        C(http://10.0.0.5:9093/api/v2/alerts). The two are compared on scheme, host and
        port only. No name is resolved, so write each host the way the Prometheus
        alerting configuration does (the same IP address or the same name).
    type: list
    elements: str
    required: true
  alertname:
    description:
      - Name of the always-firing alert to look for on every Alertmanager.
    type: str
    default: AlertmeshWatchdog
  timeout:
    description:
      - Seconds to wait for both checks to pass before failing.
      - Allow for the rule evaluation interval, the rule's C(for) duration and
        Prometheus' one-minute resend delay.
    type: float
    default: 120
  poll_interval:
    description:
      - Seconds between two rounds of polling.
    type: float
    default: 2
notes:
  - Read-only; the module always reports C(changed=false).
seealso:
  - module: alertmesh.ha.verify_mesh
  - name: Prometheus alert relabeling
    description: C(alert_relabel_configs), which must make the replicas' alerts identical.
    link: https://prometheus.io/docs/prometheus/latest/configuration/configuration/#alert_relabel_configs
"""

EXAMPLES = r"""
- name: Prove that both Prometheus replicas feed one deduplicated alert to every Alertmanager
  alertmesh.ha.verify_dedup:
    prometheus_urls:
      - http://10.0.0.8:9090
      - http://10.0.0.9:9090
    alertmanager_urls:
      - http://10.0.0.5:9093
      - http://10.0.0.6:9093
  run_once: true
  register: dedup

- name: Show the alert each Alertmanager holds
  ansible.builtin.debug:
    msg: "{{ dedup.summary }}"
  run_once: true

- name: Check with a site-specific watchdog alert, allowing for a slow first evaluation
  alertmesh.ha.verify_dedup:
    prometheus_urls: "{{ groups['prometheus'] | map('regex_replace', '$', ':9090')
      | map('regex_replace', '^', 'http://') }}"
    alertmanager_urls: >-
      {{ groups['alertmanagers'] | alertmesh.ha.alertmanager_targets(hostvars)
         | map('regex_replace', '^', 'http://') }}
    alertname: Watchdog
    timeout: 300
  run_once: true
"""

RETURN = r"""
labels:
  description:
    - The label set of the alert, the same on every Alertmanager.
    - On failure, the label set of the first Alertmanager that holds exactly one alert;
      empty when none does.
  returned: always
  type: dict
  sample:
    alertname: AlertmeshWatchdog
    severity: none
    cluster: europe
counts:
  description:
    - How many alerts named O(alertname) every Alertmanager holds, by Alertmanager URL.
    - Also returned on failure; C(-1) when the Alertmanager did not answer.
  returned: always
  type: dict
  sample:
    http://10.0.0.5:9093: 1
    http://10.0.0.6:9093: 1
alertmanagers:
  description:
    - The Alertmanager URLs every Prometheus reported as C(active) and C(dropped), by
      Prometheus URL.
    - Also returned on failure.
  returned: always
  type: dict
  sample:
    http://10.0.0.8:9090:
      active:
        - http://10.0.0.5:9093/api/v2/alerts
        - http://10.0.0.6:9093/api/v2/alerts
      dropped: []
summary:
  description: Lines of a small table for play output.
  returned: always
  type: list
  elements: str
  sample:
    - "prometheus            active  dropped  missing"
    - "http://10.0.0.8:9090  2       0        -"
    - "alertmanager          AlertmeshWatchdog alerts"
    - "http://10.0.0.5:9093  1"
    - "labels: alertname=AlertmeshWatchdog, cluster=europe, severity=none"
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alertmesh.ha.plugins.module_utils._api import (
    API_ARGUMENT_SPEC,
    AlertmanagerClient,
    ApiError,
    PrometheusClient,
    client_options,
    endpoint_key,
    label_filter,
    url_passwords,
)
from ansible_collections.alertmesh.ha.plugins.module_utils._verify import (
    base_urls,
    format_labels,
    poll_until,
    require_positive,
    text_table,
)


def differing_labels(label_sets: list[dict[str, str]]) -> list[str]:
    """Names of the labels whose value is not the same in every label set."""
    names = sorted({name for labels in label_sets for name in labels})
    return [name for name in names if len({labels.get(name) for labels in label_sets}) > 1]


class DedupVerifier:
    """Polls every Prometheus and Alertmanager and says what is not as expected."""

    def __init__(
        self,
        prometheus: dict[str, PrometheusClient],
        alertmanagers: dict[str, AlertmanagerClient],
        alertname: str,
    ) -> None:
        self.prometheus = prometheus
        self.alertmanagers_by_url = alertmanagers
        self.alertname = alertname
        self.discovered: dict[str, dict[str, list[str]]] = {}
        self.missing: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.label_sets: dict[str, list[dict[str, str]]] = {}

    def problems(self) -> list[str]:
        """One round of polling; the problems found, empty when everything holds."""
        return self.discovery_problems() + self.dedup_problems()

    def discovery_problems(self) -> list[str]:
        problems = []
        wanted = {endpoint_key(url): url for url in self.alertmanagers_by_url}
        for prometheus_url, client in self.prometheus.items():
            try:
                answer = client.alertmanagers()
            except ApiError as err:
                self.discovered[prometheus_url] = {"active": [], "dropped": []}
                self.missing[prometheus_url] = sorted(wanted.values())
                problems.append(f"{err}.")
                continue
            active = [entry.get("url", "") for entry in answer["activeAlertmanagers"]]
            dropped = [entry.get("url", "") for entry in answer["droppedAlertmanagers"]]
            self.discovered[prometheus_url] = {"active": active, "dropped": dropped}
            active_keys = {_endpoint_or_none(url) for url in active}
            dropped_urls = sorted(
                wanted[key] for key in (_endpoint_or_none(url) for url in dropped) if key in wanted
            )
            missing = sorted(url for key, url in wanted.items() if key not in active_keys)
            self.missing[prometheus_url] = missing
            if missing:
                problems.append(
                    f"Prometheus {prometheus_url} does not list {', '.join(missing)} among its"
                    f" active Alertmanagers; it lists {', '.join(active) or 'none'}."
                )
            if dropped_urls:
                problems.append(
                    f"Prometheus {prometheus_url} lists {', '.join(dropped_urls)} among its"
                    " dropped Alertmanagers (relabeling dropped them)."
                )
        return problems

    def dedup_problems(self) -> list[str]:
        problems = []
        filters = [label_filter("alertname", self.alertname)]
        for url, client in self.alertmanagers_by_url.items():
            try:
                alerts = client.list_alerts(filters)
            except ApiError as err:
                self.counts[url] = -1
                self.label_sets[url] = []
                problems.append(f"{err}.")
                continue
            self.counts[url] = len(alerts)
            self.label_sets[url] = [alert.get("labels") or {} for alert in alerts]
            if len(alerts) != 1:
                problems.append(self._count_problem(url))
        single = {url: sets[0] for url, sets in self.label_sets.items() if len(sets) == 1}
        if len(single) > 1 and len({format_labels(labels) for labels in single.values()}) > 1:
            differing = differing_labels(list(single.values()))
            seen = "; ".join(f"{url} has {format_labels(labels)}" for url, labels in single.items())
            problems.append(
                f"The {self.alertname} alert has different labels on different"
                f" Alertmanagers (differing: {', '.join(differing)}): {seen}."
            )
        return problems

    def _count_problem(self, url: str) -> str:
        count = self.counts[url]
        if count == 0:
            return f"Alertmanager {url} holds no {self.alertname} alert yet; expected exactly one."
        label_sets = self.label_sets[url]
        differing = differing_labels(label_sets)
        hint = (
            f" They differ in {', '.join(differing)}: a label the alert relabeling should"
            " drop or rewrite so that the replicas send identical alerts."
            if differing
            else ""
        )
        return (
            f"Alertmanager {url} holds {count} {self.alertname} alerts; expected exactly one."
            f" Label sets seen: {'; '.join(format_labels(labels) for labels in label_sets)}."
            f"{hint}"
        )

    def common_labels(self) -> dict[str, str]:
        for label_sets in self.label_sets.values():
            if len(label_sets) == 1:
                return label_sets[0]
        return {}

    def summary(self) -> list[str]:
        rows = [["prometheus", "active", "dropped", "missing"]]
        rows.extend(
            [
                url,
                str(len(self.discovered.get(url, {}).get("active", []))),
                str(len(self.discovered.get(url, {}).get("dropped", []))),
                ", ".join(self.missing.get(url, [])) or "-",
            ]
            for url in self.prometheus
        )
        lines = text_table(rows)
        alert_rows = [["alertmanager", f"{self.alertname} alerts"]]
        alert_rows.extend(
            [url, "no answer" if self.counts.get(url, -1) < 0 else str(self.counts[url])]
            for url in self.alertmanagers_by_url
        )
        lines.extend(text_table(alert_rows))
        labels = self.common_labels()
        if labels:
            lines.append(
                "labels: " + ", ".join(f"{name}={labels[name]}" for name in sorted(labels))
            )
        return lines

    def results(self) -> dict[str, Any]:
        return {
            "labels": self.common_labels(),
            "counts": self.counts,
            "alertmanagers": self.discovered,
            "summary": self.summary(),
        }


def _endpoint_or_none(url: str) -> tuple[str, str, int] | None:
    try:
        return endpoint_key(url)
    except ValueError:
        return None


def main() -> None:
    argument_spec: dict[str, Any] = {
        "prometheus_urls": {"type": "list", "elements": "str", "required": True},
        "alertmanager_urls": {"type": "list", "elements": "str", "required": True},
        "alertname": {"type": "str", "default": "AlertmeshWatchdog"},
        "timeout": {"type": "float", "default": 120.0},
        "poll_interval": {"type": "float", "default": 2.0},
    }
    argument_spec.update(API_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    module.no_log_values.update(
        url_passwords(params["prometheus_urls"] + params["alertmanager_urls"])
    )

    try:
        prometheus_urls = base_urls(params["prometheus_urls"], "prometheus_urls")
        alertmanager_urls = base_urls(params["alertmanager_urls"], "alertmanager_urls")
        require_positive(params, "timeout", "poll_interval")
    except ValueError as err:
        module.fail_json(msg=str(err))

    options = client_options(params)
    prometheus = [PrometheusClient(url, **options) for url in prometheus_urls]
    alertmanagers = [AlertmanagerClient(url, **options) for url in alertmanager_urls]
    verifier = DedupVerifier(
        {client.base_url: client for client in prometheus},
        {client.base_url: client for client in alertmanagers},
        params["alertname"],
    )
    problems = poll_until(verifier.problems, params["timeout"], params["poll_interval"])
    if problems:
        module.fail_json(
            msg=f"Alerts are not deduplicated after {params['timeout']:g} s: " + " ".join(problems),
            **verifier.results(),
        )
    module.exit_json(changed=False, **verifier.results())


if __name__ == "__main__":
    main()
