"""Tests of alertmesh.ha.verify_self_monitoring against fake Prometheus APIs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fake_apis import Answer, FakeApis, FakePrometheus, closed_port_url

from ansible_collections.alertmesh.ha.plugins.modules import verify_self_monitoring

RunModule = Callable[..., dict[str, Any]]
FAST = {"timeout": 0.3, "poll_interval": 0.01}
GROUP = "alertmesh-self-monitoring"
ACTIVE_AT = "2025-01-01T12:00:00.123456789Z"
DOWN_LABELS = {
    "alertname": "AlertmeshAlertmanagerDown",
    "instance": "10.0.0.6:9093",
    "job": "alertmanager",
    "severity": "warning",
}
DOWN_SUMMARY = "Alertmanager 10.0.0.6:9093 does not answer."
SENDING_LABELS = {
    "alertname": "AlertmeshPrometheusErrorSendingAlerts",
    "alertmanager": "http://10.0.0.6:9093/api/v2/alerts",
    "instance": "10.0.0.9:9090",
    "job": "prometheus",
    "severity": "warning",
}


def alerting_rule(name: str, alerts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An alerting rule the way ``GET /api/v1/rules`` of Prometheus 2.42 lists it."""
    return {
        "state": alerts[0]["state"] if alerts else "inactive",
        "name": name,
        "query": 'up{job="alertmanager"} == 0',
        "duration": 60,
        "labels": {"severity": "warning"},
        "annotations": {"summary": "Alertmanager {{ $labels.instance }} does not answer."},
        "alerts": alerts or [],
        "health": "ok",
        "evaluationTime": 0.000123,
        "lastEvaluation": "2025-01-01T12:05:00.000000001Z",
        "type": "alerting",
    }


def active_alert(
    labels: dict[str, str], state: str = "firing", summary: str | None = DOWN_SUMMARY
) -> dict[str, Any]:
    annotations = {"description": "Look at the journal."}
    if summary is not None:
        annotations["summary"] = summary
    return {
        "labels": labels,
        "annotations": annotations,
        "state": state,
        "activeAt": ACTIVE_AT,
        "value": "0e+00",
    }


def rule_group(name: str = GROUP, rules: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "file": f"/etc/prometheus/rules/{name}.rules.yml",
        "rules": [
            alerting_rule("AlertmeshAlertmanagerDown"),
            alerting_rule("AlertmeshPrometheusErrorSendingAlerts"),
        ]
        if rules is None
        else rules,
        "interval": 15,
        "limit": 0,
        "evaluationTime": 0.0005,
        "lastEvaluation": "2025-01-01T12:05:00.000000001Z",
    }


def recording_group(name: str = "alertmesh-recording") -> dict[str, Any]:
    return rule_group(
        name,
        [{"name": "job:up:sum", "query": "sum by (job) (up)", "health": "ok", "type": "recording"}],
    )


def with_alerts(*alerts: dict[str, Any]) -> list[dict[str, Any]]:
    """The rule groups of a Prometheus whose self-monitoring rule has ``alerts``."""
    name = alerts[0]["labels"]["alertname"]
    return [
        recording_group(),
        rule_group(rules=[alerting_rule(name, list(alerts))]),
    ]


class ChangingPrometheus(FakePrometheus):
    """A Prometheus whose rule groups become ``later_groups`` after ``polls`` rule requests,
    as when an alert resolves at the next evaluation or a reload loads the rules."""

    def __init__(self, later_groups: list[dict[str, Any]], polls: int) -> None:
        super().__init__()
        self.later_groups = later_groups
        self.polls = polls

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        if path == "/api/v1/rules":
            if self.polls == 0:
                self.rule_groups = self.later_groups
            else:
                self.polls -= 1
        return super().route(method, path, query, body)


@pytest.fixture
def replicas(fake_apis: FakeApis) -> list[FakePrometheus]:
    """Two Prometheus replicas that loaded the self-monitoring group, with nothing active."""
    prometheus = [fake_apis.prometheus(), fake_apis.prometheus()]
    for replica in prometheus:
        replica.rule_groups = [recording_group(), rule_group()]
    return prometheus


def urls(prometheus: list[FakePrometheus]) -> list[str]:
    return [replica.url for replica in prometheus]


def run(
    run_module: RunModule,
    prometheus: list[FakePrometheus],
    check_mode: bool = False,
    **args: Any,
) -> Any:
    module_args = {**FAST, "prometheus_urls": urls(prometheus), **args}
    return run_module(verify_self_monitoring.main, module_args, check_mode=check_mode)


class TestQuiet:
    def test_loaded_and_quiet_passes(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        result = run(run_module, replicas)

        assert "failed" not in result, result.get("msg")
        assert result["changed"] is False
        assert result["firing"] == []
        assert result["pending"] == []
        assert result["groups_loaded"] == {url: True for url in urls(replicas)}

    def test_summary_lines(self, replicas: list[FakePrometheus], run_module: RunModule) -> None:
        result = run(run_module, replicas)

        assert [line.split() for line in result["summary"]] == [
            ["prometheus", "rule", "group", "firing", "pending"],
            [replicas[0].url, "loaded", "0", "0"],
            [replicas[1].url, "loaded", "0", "0"],
        ]

    def test_check_mode_behaves_the_same(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        replicas[1].rule_groups = with_alerts(active_alert(DOWN_LABELS))

        quiet = run(run_module, replicas[:1], check_mode=True)
        firing = run(run_module, replicas, check_mode=True)

        assert "failed" not in quiet, quiet.get("msg")
        assert quiet["groups_loaded"] == {replicas[0].url: True}
        assert firing["failed"] is True
        assert "AlertmeshAlertmanagerDown" in firing["msg"]

    def test_asks_for_the_alerting_rules_only(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        run(run_module, replicas)

        for replica in replicas:
            assert replica.requests_to("GET", "/api/v1/") == ["/api/v1/rules?type=alert"]

    def test_alerts_of_other_groups_are_not_looked_at(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        elsewhere = rule_group(
            "site", [alerting_rule("HostDown", [active_alert({"alertname": "HostDown"})])]
        )
        replicas[0].rule_groups.append(elsewhere)

        result = run(run_module, replicas)

        assert "failed" not in result, result.get("msg")
        assert result["firing"] == []

    def test_other_rule_group(self, replicas: list[FakePrometheus], run_module: RunModule) -> None:
        for replica in replicas:
            replica.rule_groups = [rule_group("site-pipeline-health")]

        result = run(run_module, replicas, rule_group="site-pipeline-health")

        assert "failed" not in result, result.get("msg")

    def test_basic_auth(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        prometheus = fake_apis.prometheus(credentials=("ansible", "s3cret"))
        prometheus.rule_groups = [rule_group()]

        denied = run(run_module, [prometheus])
        allowed = run(run_module, [prometheus], url_username="ansible", url_password="s3cret")

        assert "answered HTTP 401" in denied["msg"]
        assert "failed" not in allowed, allowed.get("msg")


class TestActiveAlerts:
    def test_firing_alert_fails_and_is_named(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        replicas[1].rule_groups = with_alerts(active_alert(DOWN_LABELS))

        result = run(run_module, replicas)

        assert result["failed"] is True
        assert result["msg"] == (
            f"The self-monitoring rule group '{GROUP}' did not prove quiet on every Prometheus"
            f" within 0.3 s: Prometheus {replicas[1].url} reports AlertmeshAlertmanagerDown"
            ' {instance="10.0.0.6:9093", job="alertmanager", severity="warning"} firing since'
            f" {ACTIVE_AT}. Summary: {DOWN_SUMMARY}"
        )
        assert result["firing"] == [
            {
                "prometheus": replicas[1].url,
                "alertname": "AlertmeshAlertmanagerDown",
                "labels": DOWN_LABELS,
                "active_at": ACTIVE_AT,
                "summary": DOWN_SUMMARY,
            }
        ]
        assert result["pending"] == []
        assert result["groups_loaded"] == {url: True for url in urls(replicas)}
        assert result["summary"][2].split() == [replicas[1].url, "loaded", "1", "0"]
        assert result["summary"][3].startswith(
            f"{replicas[1].url}: AlertmeshAlertmanagerDown {{instance="
        )
        assert result["summary"][3].endswith(f"firing since {ACTIVE_AT}")

    def test_every_firing_alert_on_every_replica_is_named(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        second_down = {**DOWN_LABELS, "instance": "10.0.0.7:9093"}
        for replica in replicas:
            replica.rule_groups = with_alerts(
                active_alert(DOWN_LABELS), active_alert(second_down, summary=None)
            )

        result = run(run_module, replicas)

        assert len(result["firing"]) == 4
        for replica in replicas:
            assert result["msg"].count(f"Prometheus {replica.url} reports") == 2
        assert result["msg"].count('instance="10.0.0.7:9093"') == 2
        assert result["msg"].count("Summary:") == 2
        assert result["firing"][1]["summary"] == ""

    def test_pending_alert_passes_and_is_reported(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        summary = (
            "Prometheus 10.0.0.9:9090 cannot send alerts to http://10.0.0.6:9093/api/v2/alerts."
        )
        replicas[0].rule_groups = with_alerts(active_alert(SENDING_LABELS, "pending", summary))

        result = run(run_module, replicas)

        assert "failed" not in result, result.get("msg")
        assert result["firing"] == []
        assert result["pending"] == [
            {
                "prometheus": replicas[0].url,
                "alertname": "AlertmeshPrometheusErrorSendingAlerts",
                "labels": SENDING_LABELS,
                "active_at": ACTIVE_AT,
                "summary": summary,
            }
        ]
        assert result["summary"][1].split() == [replicas[0].url, "loaded", "0", "1"]
        assert result["summary"][3] == (
            f"{replicas[0].url}: AlertmeshPrometheusErrorSendingAlerts"
            ' {alertmanager="http://10.0.0.6:9093/api/v2/alerts", instance="10.0.0.9:9090",'
            f' job="prometheus", severity="warning"}} pending since {ACTIVE_AT}'
        )

    def test_firing_alert_that_resolves_while_polling_passes(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        recovering = ChangingPrometheus([recording_group(), rule_group()], polls=3)
        recovering.rule_groups = with_alerts(active_alert(DOWN_LABELS))
        fake_apis.serve(recovering)

        result = run(run_module, [recovering], timeout=5)

        assert "failed" not in result, result.get("msg")
        assert result["firing"] == []
        assert len(recovering.requests_to("GET", "/api/v1/rules")) == 4

    def test_alert_without_labels_or_time(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        bare = {"state": "firing"}
        replicas[0].rule_groups = [rule_group(rules=[alerting_rule("Bare", [bare])])]

        result = run(run_module, replicas)

        assert f"Prometheus {replicas[0].url} reports Bare {{}} firing." in result["msg"]
        assert result["firing"] == [
            {
                "prometheus": replicas[0].url,
                "alertname": "Bare",
                "labels": {},
                "active_at": "",
                "summary": "",
            }
        ]


class TestRuleGroupNotLoaded:
    def test_missing_group_fails_naming_the_prometheus_and_the_fix(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        replicas[1].rule_groups = [recording_group(), rule_group("site")]

        result = run(run_module, replicas)

        assert result["failed"] is True
        assert (
            f"Prometheus {replicas[1].url} does not have the rule group '{GROUP}' loaded"
            " (GET /api/v1/rules?type=alert: its alerting rule groups are"
            " alertmesh-recording, site)"
        ) in result["msg"]
        assert "prometheus_self_monitoring_rules: true" in result["msg"]
        assert replicas[0].url not in result["msg"]
        assert result["groups_loaded"] == {replicas[0].url: True, replicas[1].url: False}
        assert result["summary"][2].split() == [replicas[1].url, "missing", "0", "0"]

    def test_no_rules_at_all_fails(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        for replica in replicas:
            replica.rule_groups = []

        result = run(run_module, replicas)

        assert result["failed"] is True
        for replica in replicas:
            assert (
                f"Prometheus {replica.url} does not have the rule group '{GROUP}' loaded"
                " (GET /api/v1/rules?type=alert: it has none)"
            ) in result["msg"]
        assert result["groups_loaded"] == {url: False for url in urls(replicas)}

    def test_group_without_alerting_rules_counts_as_missing(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        replicas[0].rule_groups = [recording_group(GROUP)]

        result = run(run_module, replicas)

        assert f"it has a group '{GROUP}', but without alerting rules" in result["msg"]
        assert result["groups_loaded"][replicas[0].url] is False

    def test_group_loaded_while_polling_passes(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        reloading = ChangingPrometheus([rule_group()], polls=2)
        fake_apis.serve(reloading)

        result = run(run_module, [reloading], timeout=5)

        assert "failed" not in result, result.get("msg")
        assert result["groups_loaded"] == {reloading.url: True}


class TestUnexpectedAnswers:
    def test_unreachable_prometheus(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        down = closed_port_url()

        result = run(run_module, replicas, prometheus_urls=[replicas[0].url, down])

        assert result["failed"] is True
        assert f"GET {down}/api/v1/rules?type=alert failed:" in result["msg"]
        assert replicas[0].url not in result["msg"]
        assert result["groups_loaded"] == {replicas[0].url: True, down: False}
        assert result["summary"][2].split() == [down, "no", "answer", "-", "-"]

    @pytest.mark.parametrize(
        "groups",
        [
            [{"name": 5, "rules": []}],
            [{"name": GROUP, "rules": [{"name": "A", "alerts": [{"labels": {"a": 1}}]}]}],
            [{"name": GROUP, "rules": [{"name": "A", "alerts": [{"state": ["firing"]}]}]}],
            [{"name": GROUP, "rules": [{"alerts": [{"state": "firing", "labels": []}]}]}],
            [{"name": GROUP, "rules": [{"alerts": [{"state": "firing", "activeAt": 1}]}]}],
            [{"name": GROUP, "rules": "AlertmeshAlertmanagerDown"}],
        ],
    )
    def test_answer_of_the_wrong_shape_fails_naming_the_url(
        self, replicas: list[FakePrometheus], run_module: RunModule, groups: Any
    ) -> None:
        envelope = json.dumps({"status": "success", "data": {"groups": groups}})
        replicas[0].inject("GET", "/api/v1/rules", 200, envelope, "application/json")

        result = run(run_module, replicas)

        assert result["failed"] is True
        assert (
            f"GET {replicas[0].url}/api/v1/rules?type=alert answered HTTP 200 (expected"
        ) in result["msg"]
        assert result["groups_loaded"][replicas[0].url] is False


class TestCredentials:
    def test_credentials_in_the_urls_are_used_and_never_shown(
        self, replicas: list[FakePrometheus], run_module: RunModule
    ) -> None:
        for replica in replicas:
            replica.credentials = ("ops", "Secret-pw")
        replicas[0].rule_groups = with_alerts(active_alert(DOWN_LABELS))
        replicas[1].rule_groups = with_alerts(
            active_alert(SENDING_LABELS, "pending", "Sending fails.")
        )
        with_credentials = [
            url.replace("http://", "http://ops:Secret-pw@") for url in urls(replicas)
        ]

        result = run(run_module, replicas, prometheus_urls=with_credentials)

        assert result["failed"] is True
        assert f"Prometheus {replicas[0].url} reports AlertmeshAlertmanagerDown" in result["msg"]
        assert set(result["groups_loaded"]) == set(urls(replicas))
        assert result["firing"][0]["prometheus"] == replicas[0].url
        assert result["pending"][0]["prometheus"] == replicas[1].url
        assert "ops:" not in json.dumps({key: result[key] for key in result if key != "invocation"})
        assert "Secret-pw" not in json.dumps(result)

    def test_password_of_an_unreachable_url_is_not_shown(self, run_module: RunModule) -> None:
        down = closed_port_url()

        result = run_module(
            verify_self_monitoring.main,
            {**FAST, "prometheus_urls": [down.replace("http://", "http://ops:p%40ss@")]},
        )

        assert f"GET {down}/api/v1/rules?type=alert failed:" in result["msg"]
        assert "p%40ss" not in json.dumps(result)
        assert "p@ss" not in json.dumps(result)


class TestArguments:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"prometheus_urls": []}, "prometheus_urls must list at least one URL"),
            ({"prometheus_urls": ["10.0.0.8:9090"]}, "prometheus_urls: '10.0.0.8:9090' is not"),
            (
                {"prometheus_urls": ["http://127.0.0.1:9", "http://127.0.0.1:9/"]},
                "prometheus_urls lists http://127.0.0.1:9 more than once",
            ),
            ({"rule_group": ""}, "rule_group must name a rule group"),
            ({"timeout": 0}, "timeout=0.0: must be greater than 0"),
            ({"poll_interval": -1}, "poll_interval=-1.0: must be greater than 0"),
        ],
    )
    def test_invalid(self, run_module: RunModule, args: dict[str, Any], message: str) -> None:
        module_args = {**FAST, "prometheus_urls": ["http://127.0.0.1:9"], **args}

        result = run_module(verify_self_monitoring.main, module_args)

        assert result["failed"] is True
        assert message in result["msg"]
