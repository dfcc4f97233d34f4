#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# ansible-test requires the imports below DOCUMENTATION, EXAMPLES and RETURN.
# ruff: noqa: E402
"""Prove that the self-monitoring alerts of the HA alerting pipeline are quiet."""

from __future__ import annotations

DOCUMENTATION = r"""
module: verify_self_monitoring
short_description: Prove that no self-monitoring alert of the alerting pipeline fires
version_added: 0.1.0
author: alertmesh.ha maintainers (@alertmesh)
description:
  - Checks, read-only through the HTTP API of every Prometheus replica, that the rule group
    with which the alerting pipeline watches itself is loaded and that none of its alerts
    fires.
  - B(Loaded.) Every Prometheus in O(prometheus_urls) must list the rule group
    O(rule_group), with at least one alerting rule, in C(GET /api/v1/rules?type=alert). A
    Prometheus without it cannot raise these alerts, so this check would mean nothing
    there; the module fails and names that Prometheus. The C(alertmesh.ha.prometheus) role
    installs the group when C(prometheus_self_monitoring_rules) is V(true).
  - B(Quiet.) No alert of the group may be in state C(firing) on any Prometheus. Alerts in
    state C(pending) have not met their C(for) duration and may still resolve; they do not
    fail the module, but RV(pending) and RV(summary) list them.
  - The module polls both checks until O(timeout) before it fails. A condition can
    outlive its cause by one scrape and one rule evaluation, for example C(up == 0) from
    the last scrape of a service that was restarted just before the check, and a
    Prometheus that was just reloaded may load its rules a moment later.
  - The failure names every firing alert with its labels, since when it is active
    (C(activeAt)), the Prometheus that reports it and the alert's C(summary) annotation,
    which says what is wrong.
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
      - Every replica evaluates the rule group on its own, so every replica is checked.
    type: list
    elements: str
    required: true
  rule_group:
    description:
      - Name of the rule group whose alerts must be quiet, as in the C(name) of the group
        in the rule file.
    type: str
    default: alertmesh-self-monitoring
  timeout:
    description:
      - Seconds to wait for both checks to pass before failing.
      - Allow for a scrape interval and a rule evaluation interval after the last restart
        or reload.
    type: float
    default: 60
  poll_interval:
    description:
      - Seconds between two rounds of polling.
    type: float
    default: 2
notes:
  - Read-only; the module always reports C(changed=false).
  - Run it on a freshly deployed or changed setup, after the services are up, for example
    at the end of a play that applied the C(alertmesh.ha.alertmanager) and
    C(alertmesh.ha.prometheus) roles.
seealso:
  - module: alertmesh.ha.verify_dedup
  - module: alertmesh.ha.verify_mesh
  - name: Prometheus rules API
    description: C(GET /api/v1/rules), which lists the rule groups and their active alerts.
    link: https://prometheus.io/docs/prometheus/latest/querying/api/#rules
"""

EXAMPLES = r"""
- name: Prove that the alerting pipeline raises no self-monitoring alert
  alertmesh.ha.verify_self_monitoring:
    prometheus_urls:
      - http://10.0.0.8:9090
      - http://10.0.0.9:9090
  run_once: true
  register: self_monitoring

- name: Show the alerts that are pending
  ansible.builtin.debug:
    msg: "{{ self_monitoring.summary }}"
  run_once: true
  when: self_monitoring.pending | length > 0

- name: Check a rule group of the site's own, over HTTPS, allowing for slow evaluations
  alertmesh.ha.verify_self_monitoring:
    prometheus_urls: "{{ groups['prometheus'] | map('regex_replace', '$', ':9090')
      | map('regex_replace', '^', 'https://') }}"
    rule_group: site-pipeline-health
    timeout: 180
    ca_path: /etc/ssl/certs/alertmesh-ca.pem
    url_username: ansible
    url_password: "{{ vault_prometheus_password }}"
  run_once: true
"""

RETURN = r"""
firing:
  description:
    - The alerts of O(rule_group) in state C(firing) at the last round of polling, on any
      Prometheus; empty on success.
    - Also returned on failure.
  returned: always
  type: list
  elements: dict
  contains:
    prometheus:
      description: Base URL of the Prometheus that reports the alert, without credentials.
      type: str
    alertname:
      description: Name of the alert.
      type: str
    labels:
      description: The full label set of the alert, C(alertname) included.
      type: dict
    active_at:
      description:
        - Since when the alert is active (first pending), as Prometheus reports it
          (C(activeAt)); empty when Prometheus gives no time.
      type: str
    summary:
      description: The C(summary) annotation of the alert; empty when it has none.
      type: str
  sample:
    - prometheus: http://10.0.0.8:9090
      alertname: AlertmeshAlertmanagerDown
      labels:
        alertname: AlertmeshAlertmanagerDown
        instance: 10.0.0.6:9093
        job: alertmanager
        severity: warning
      active_at: "2025-01-01T12:00:00.123456789Z"
      summary: Alertmanager 10.0.0.6:9093 does not answer.
pending:
  description:
    - The alerts of O(rule_group) in state C(pending) at the last round of polling, on any
      Prometheus, with the same keys as RV(firing).
    - They do not fail the module.
  returned: always
  type: list
  elements: dict
  sample:
    - prometheus: http://10.0.0.9:9090
      alertname: AlertmeshPrometheusErrorSendingAlerts
      labels:
        alertname: AlertmeshPrometheusErrorSendingAlerts
        alertmanager: http://10.0.0.6:9093/api/v2/alerts
        instance: 10.0.0.9:9090
        severity: warning
      active_at: "2025-01-01T12:00:30Z"
      summary: Prometheus 10.0.0.9:9090 cannot send alerts to http://10.0.0.6:9093/api/v2/alerts.
groups_loaded:
  description:
    - Whether every Prometheus has O(rule_group) loaded with at least one alerting rule,
      by Prometheus URL (without credentials).
    - V(false) also when the Prometheus did not answer.
  returned: always
  type: dict
  sample:
    http://10.0.0.8:9090: true
    http://10.0.0.9:9090: true
summary:
  description:
    - Lines of a small table for play output, followed by one line for every firing and
      every pending alert.
  returned: always
  type: list
  elements: str
  sample:
    - "prometheus            rule group  firing  pending"
    - "http://10.0.0.8:9090  loaded      0       0"
    - "http://10.0.0.9:9090  loaded      0       1"
    - "http://10.0.0.9:9090: AlertmeshPrometheusErrorSendingAlerts
      {alertmanager=\"http://10.0.0.6:9093/api/v2/alerts\", instance=\"10.0.0.9:9090\",
      severity=\"warning\"} pending since 2025-01-01T12:00:30Z"
"""

from typing import Any

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.alertmesh.ha.plugins.module_utils._api import (
    API_ARGUMENT_SPEC,
    ApiError,
    PrometheusClient,
    client_options,
    url_passwords,
)
from ansible_collections.alertmesh.ha.plugins.module_utils._verify import (
    base_urls,
    format_labels,
    poll_until,
    require_positive,
    text_table,
)

ROLE_SWITCH = "prometheus_self_monitoring_rules"
"""The variable of the prometheus role that installs the self-monitoring rule group."""


def describe_alert(alert: dict[str, Any], state: str) -> str:
    """The alert's name, its other labels, its state and since when, for messages."""
    other_labels = {name: value for name, value in alert["labels"].items() if name != "alertname"}
    since = f" since {alert['active_at']}" if alert["active_at"] else ""
    return f"{alert['alertname']} {format_labels(other_labels)} {state}{since}"


class SelfMonitoringVerifier:
    """Polls every Prometheus and says what is not as expected."""

    def __init__(self, prometheus: dict[str, PrometheusClient], rule_group: str) -> None:
        self.prometheus = prometheus
        self.rule_group = rule_group
        self.groups_loaded: dict[str, bool] = {}
        self.answered: dict[str, bool] = {}
        self.alerts: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def problems(self) -> list[str]:
        """One round of polling; the problems found, empty when everything holds."""
        problems = []
        for url, client in self.prometheus.items():
            self.alerts[url] = {"firing": [], "pending": []}
            try:
                groups = client.rules("alert")
            except ApiError as err:
                self.answered[url] = False
                self.groups_loaded[url] = False
                problems.append(f"{err}.")
                continue
            self.answered[url] = True
            ours = [group for group in groups if group["name"] == self.rule_group]
            rules = [rule for group in ours for rule in group.get("rules") or []]
            self.groups_loaded[url] = bool(rules)
            if not rules:
                problems.append(self._not_loaded_problem(url, groups, ours))
                continue
            for rule in rules:
                for alert in rule.get("alerts") or []:
                    state = alert["state"]
                    if state in self.alerts[url]:
                        self.alerts[url][state].append(_alert_record(url, rule, alert))
            problems.extend(
                f"Prometheus {url} reports {describe_alert(alert, 'firing')}."
                + (f" Summary: {alert['summary']}" if alert["summary"] else "")
                for alert in self.alerts[url]["firing"]
            )
        return problems

    def _not_loaded_problem(
        self, url: str, groups: list[dict[str, Any]], ours: list[dict[str, Any]]
    ) -> str:
        if ours:
            seen = f"it has a group '{self.rule_group}', but without alerting rules"
        else:
            names = sorted({group["name"] for group in groups})
            seen = f"its alerting rule groups are {', '.join(names)}" if names else "it has none"
        return (
            f"Prometheus {url} does not have the rule group '{self.rule_group}' loaded"
            f" (GET /api/v1/rules?type=alert: {seen}), so it cannot raise the alerts this"
            f" check looks for and the check would mean nothing. Apply the prometheus role"
            f" with {ROLE_SWITCH}: true (or give the rule_group this Prometheus loads)."
        )

    def listed(self, state: str) -> list[dict[str, Any]]:
        """The alerts in ``state`` on every Prometheus, in the order of ``prometheus_urls``."""
        return [
            alert for url in self.prometheus for alert in self.alerts.get(url, {}).get(state, [])
        ]

    def summary(self) -> list[str]:
        rows = [["prometheus", "rule group", "firing", "pending"]]
        for url in self.prometheus:
            if not self.answered.get(url):
                rows.append([url, "no answer", "-", "-"])
                continue
            rows.append(
                [
                    url,
                    "loaded" if self.groups_loaded[url] else "missing",
                    str(len(self.alerts[url]["firing"])),
                    str(len(self.alerts[url]["pending"])),
                ]
            )
        lines = text_table(rows)
        for state in ("firing", "pending"):
            lines.extend(
                f"{alert['prometheus']}: {describe_alert(alert, state)}"
                for alert in self.listed(state)
            )
        return lines

    def results(self) -> dict[str, Any]:
        return {
            "firing": self.listed("firing"),
            "pending": self.listed("pending"),
            "groups_loaded": self.groups_loaded,
            "summary": self.summary(),
        }


def _alert_record(url: str, rule: dict[str, Any], alert: dict[str, Any]) -> dict[str, Any]:
    labels = alert.get("labels") or {}
    return {
        "prometheus": url,
        "alertname": labels.get("alertname") or rule.get("name") or "",
        "labels": labels,
        "active_at": alert.get("activeAt") or "",
        "summary": (alert.get("annotations") or {}).get("summary", ""),
    }


def main() -> None:
    argument_spec: dict[str, Any] = {
        "prometheus_urls": {"type": "list", "elements": "str", "required": True},
        "rule_group": {"type": "str", "default": "alertmesh-self-monitoring"},
        "timeout": {"type": "float", "default": 60.0},
        "poll_interval": {"type": "float", "default": 2.0},
    }
    argument_spec.update(API_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    module.no_log_values.update(url_passwords(params["prometheus_urls"]))

    try:
        prometheus_urls = base_urls(params["prometheus_urls"], "prometheus_urls")
        require_positive(params, "timeout", "poll_interval")
        if not params["rule_group"]:
            raise ValueError("rule_group must name a rule group")
    except ValueError as err:
        module.fail_json(msg=str(err))

    options = client_options(params)
    prometheus = [PrometheusClient(url, **options) for url in prometheus_urls]
    verifier = SelfMonitoringVerifier(
        {client.base_url: client for client in prometheus}, params["rule_group"]
    )
    problems = poll_until(verifier.problems, params["timeout"], params["poll_interval"])
    if problems:
        module.fail_json(
            msg=f"The self-monitoring rule group '{params['rule_group']}' did not prove quiet"
            f" on every Prometheus within {params['timeout']:g} s: " + " ".join(problems),
            **verifier.results(),
        )
    module.exit_json(changed=False, **verifier.results())


if __name__ == "__main__":
    main()
