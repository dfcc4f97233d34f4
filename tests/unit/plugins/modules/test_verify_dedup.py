"""Tests of alertmesh.ha.verify_dedup against fake Prometheus and Alertmanager APIs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fake_apis import FakeAlertmanager, FakeApis, FakePrometheus, closed_port_url

from ansible_collections.alertmesh.ha.plugins.modules import verify_dedup

RunModule = Callable[..., dict[str, Any]]
FAST = {"timeout": 0.3, "poll_interval": 0.01}
WATCHDOG = {"alertname": "AlertmeshWatchdog", "severity": "none", "cluster": "europe"}


@dataclass
class Setup:
    prometheus: list[FakePrometheus]
    alertmanagers: list[FakeAlertmanager]

    @property
    def args(self) -> dict[str, Any]:
        return {
            "prometheus_urls": [prometheus.url for prometheus in self.prometheus],
            "alertmanager_urls": [member.url for member in self.alertmanagers],
        }


@pytest.fixture
def healthy(fake_apis: FakeApis) -> Setup:
    """Two Prometheus replicas sending to two Alertmanagers that hold one watchdog each."""
    alertmanagers = [fake_apis.alertmanager(), fake_apis.alertmanager()]
    prometheus = [fake_apis.prometheus(), fake_apis.prometheus()]
    for replica in prometheus:
        replica.send_to(*(member.url for member in alertmanagers))
    for member in alertmanagers:
        member.add_alert(WATCHDOG)
        member.add_alert({"alertname": "SomethingElse"})
    return Setup(prometheus, alertmanagers)


def run(run_module: RunModule, setup: Setup, check_mode: bool = False, **args: Any) -> Any:
    return run_module(verify_dedup.main, {**FAST, **setup.args, **args}, check_mode=check_mode)


class TestDeduplicated:
    def test_reports_labels_counts_and_discovery(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        result = run(run_module, healthy)

        assert "failed" not in result, result.get("msg")
        assert result["changed"] is False
        assert result["labels"] == WATCHDOG
        assert result["counts"] == {member.url: 1 for member in healthy.alertmanagers}
        expected_active = [f"{member.url}/api/v2/alerts" for member in healthy.alertmanagers]
        assert result["alertmanagers"] == {
            prometheus.url: {"active": expected_active, "dropped": []}
            for prometheus in healthy.prometheus
        }

    def test_summary_lines(self, healthy: Setup, run_module: RunModule) -> None:
        result = run(run_module, healthy)

        summary = result["summary"]
        assert summary[0].split() == ["prometheus", "active", "dropped", "missing"]
        assert summary[1].split() == [healthy.prometheus[0].url, "2", "0", "-"]
        assert summary[3].split() == ["alertmanager", "AlertmeshWatchdog", "alerts"]
        assert summary[4].split() == [healthy.alertmanagers[0].url, "1"]
        assert summary[-1] == "labels: alertname=AlertmeshWatchdog, cluster=europe, severity=none"

    def test_check_mode_behaves_the_same(self, healthy: Setup, run_module: RunModule) -> None:
        result = run(run_module, healthy, check_mode=True)

        assert result["labels"] == WATCHDOG
        assert result["changed"] is False

    def test_asks_for_every_kind_of_alert_with_a_filter(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        run(run_module, healthy)

        (path,) = healthy.alertmanagers[0].requests_to("GET", "/api/v2/alerts")
        assert "filter=alertname%3D%22AlertmeshWatchdog%22" in path
        for kind in ("active", "silenced", "inhibited", "unprocessed"):
            assert f"{kind}=true" in path

    def test_waits_for_discovery_and_the_first_send(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        healthy.prometheus[1].discovery_after_polls = 3
        healthy.alertmanagers[0].alerts_after_polls = 5

        result = run(run_module, healthy, timeout=5)

        assert "failed" not in result, result.get("msg")
        assert len(healthy.alertmanagers[0].requests_to("GET", "/api/v2/alerts")) == 6
        assert len(healthy.prometheus[1].requests_to("GET", "/api/v1/alertmanagers")) >= 4

    def test_other_alertname(self, healthy: Setup, run_module: RunModule) -> None:
        result = run(run_module, healthy, alertname="SomethingElse")

        assert result["labels"] == {"alertname": "SomethingElse"}

    def test_compares_scheme_host_and_port_only(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        for prometheus in healthy.prometheus:
            prometheus.active_alertmanagers = [
                f"{member.url}/alertmanager/api/v2/alerts" for member in healthy.alertmanagers
            ]
        args = {"alertmanager_urls": [f"{member.url}/" for member in healthy.alertmanagers]}

        result = run(run_module, healthy, **args)

        assert "failed" not in result, result.get("msg")

    def test_basic_auth(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        credentials = ("ansible", "s3cret")
        member = fake_apis.alertmanager(credentials=credentials)
        member.add_alert(WATCHDOG)
        prometheus = fake_apis.prometheus(credentials=credentials)
        prometheus.send_to(member.url)
        setup = Setup([prometheus], [member])

        denied = run(run_module, setup)
        allowed = run(run_module, setup, url_username="ansible", url_password="s3cret")

        assert "answered HTTP 401" in denied["msg"]
        assert "failed" not in allowed, allowed.get("msg")


class TestDiscoveryProblems:
    def test_credentials_in_the_urls_are_used_and_never_shown(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        for server in [*healthy.prometheus, *healthy.alertmanagers]:
            server.credentials = ("ops", "Secret-pw")
        args = {
            option: [url.replace("http://", "http://ops:Secret-pw@") for url in urls]
            for option, urls in healthy.args.items()
        }
        healthy.alertmanagers[1].alerts.clear()

        result = run_module(verify_dedup.main, {**FAST, **args})

        assert result["failed"] is True
        assert result["counts"] == {
            healthy.args["alertmanager_urls"][0]: 1,
            healthy.args["alertmanager_urls"][1]: 0,
        }
        assert set(result["alertmanagers"]) == set(healthy.args["prometheus_urls"])
        assert "ops:" not in result["msg"] + "".join(result["summary"])
        assert "Secret-pw" not in json.dumps(result)

    def test_missing_alertmanager_is_named(self, healthy: Setup, run_module: RunModule) -> None:
        first, second = healthy.alertmanagers
        healthy.prometheus[1].send_to(first.url)

        result = run(run_module, healthy)

        assert result["failed"] is True
        assert result["msg"].startswith("Alerts are not deduplicated after 0.3 s: ")
        assert (
            f"Prometheus {healthy.prometheus[1].url} does not list {second.url} among its"
            f" active Alertmanagers; it lists {first.url}/api/v2/alerts."
        ) in result["msg"]
        assert healthy.prometheus[0].url not in result["msg"]
        assert result["summary"][2].split()[-1] == second.url

    def test_host_names_are_not_resolved(self, healthy: Setup, run_module: RunModule) -> None:
        by_name = [member.url.replace("127.0.0.1", "localhost") for member in healthy.alertmanagers]

        result = run(run_module, healthy, alertmanager_urls=by_name)

        assert result["failed"] is True
        assert f"does not list {', '.join(sorted(by_name))} among its active" in result["msg"]

    def test_dropped_alertmanager_is_named(self, healthy: Setup, run_module: RunModule) -> None:
        first, second = healthy.alertmanagers
        healthy.prometheus[0].send_to(first.url)
        healthy.prometheus[0].dropped_alertmanagers = [f"{second.url}/api/v2/alerts"]

        result = run(run_module, healthy)

        assert (
            f"Prometheus {healthy.prometheus[0].url} lists {second.url} among its dropped"
            " Alertmanagers"
        ) in result["msg"]
        assert result["alertmanagers"][healthy.prometheus[0].url]["dropped"] == [
            f"{second.url}/api/v2/alerts"
        ]

    def test_unparsable_url_from_prometheus_counts_as_missing(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        first, second = healthy.alertmanagers
        healthy.prometheus[0].active_alertmanagers = [f"{first.url}/api/v2/alerts", "::"]

        result = run(run_module, healthy)

        assert f"does not list {second.url} among its active Alertmanagers" in result["msg"]

    def test_unreachable_prometheus(self, healthy: Setup, run_module: RunModule) -> None:
        down = closed_port_url()

        result = run(run_module, healthy, prometheus_urls=[healthy.prometheus[0].url, down])

        assert f"GET {down}/api/v1/alertmanagers failed:" in result["msg"]
        assert result["alertmanagers"][down] == {"active": [], "dropped": []}


class TestDeduplicationProblems:
    def test_replica_label_that_survived_is_named(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        member = healthy.alertmanagers[0]
        member.alerts = []
        member.add_alert({**WATCHDOG, "replica": "a"})
        member.add_alert({**WATCHDOG, "replica": "b"})

        result = run(run_module, healthy)

        message = result["msg"]
        assert f"Alertmanager {member.url} holds 2 AlertmeshWatchdog alerts" in message
        assert 'replica="a", severity="none"}' in message
        assert 'replica="b", severity="none"}' in message
        assert "They differ in replica:" in message
        assert result["counts"][member.url] == 2
        assert result["labels"] == WATCHDOG

    def test_missing_alert(self, healthy: Setup, run_module: RunModule) -> None:
        for member in healthy.alertmanagers:
            member.alerts = []

        result = run(run_module, healthy)

        for member in healthy.alertmanagers:
            assert (
                f"Alertmanager {member.url} holds no AlertmeshWatchdog alert yet" in (result["msg"])
            )
        assert result["labels"] == {}
        assert "labels:" not in result["summary"][-1]

    def test_duplicates_with_identical_labels_have_no_hint(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        healthy.alertmanagers[1].add_alert(WATCHDOG)

        result = run(run_module, healthy)

        assert "holds 2 AlertmeshWatchdog alerts" in result["msg"]
        assert "They differ" not in result["msg"]

    def test_different_labels_on_different_alertmanagers(
        self, healthy: Setup, run_module: RunModule
    ) -> None:
        first, second = healthy.alertmanagers
        second.alerts = []
        second.add_alert({**WATCHDOG, "cluster": "europe2"})

        result = run(run_module, healthy)

        assert (
            f'{first.url} has {{alertname="AlertmeshWatchdog", cluster="europe"' in (result["msg"])
        )
        assert (
            "The AlertmeshWatchdog alert has different labels on different Alertmanagers"
            " (differing: cluster)"
        ) in result["msg"]
        assert (
            f'{second.url} has {{alertname="AlertmeshWatchdog", cluster="europe2"'
            in (result["msg"])
        )

    def test_unreachable_alertmanager(self, healthy: Setup, run_module: RunModule) -> None:
        down = closed_port_url()
        urls = [healthy.alertmanagers[0].url, down]
        for prometheus in healthy.prometheus:
            prometheus.send_to(*urls)

        result = run(run_module, healthy, alertmanager_urls=urls)

        assert f"GET {down}/api/v2/alerts" in result["msg"]
        assert result["counts"][down] == -1
        assert result["summary"][-2].split() == [down, "no", "answer"]


class TestArguments:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"prometheus_urls": []}, "prometheus_urls must list at least one URL"),
            ({"alertmanager_urls": ["10.0.0.5:9093"]}, "alertmanager_urls: '10.0.0.5:9093' is not"),
            ({"timeout": 0}, "timeout=0.0: must be greater than 0"),
            ({"poll_interval": -1}, "poll_interval=-1.0: must be greater than 0"),
        ],
    )
    def test_invalid(self, run_module: RunModule, args: dict[str, Any], message: str) -> None:
        module_args = {
            **FAST,
            "prometheus_urls": ["http://127.0.0.1:9"],
            "alertmanager_urls": ["http://127.0.0.1:9"],
            **args,
        }

        result = run_module(verify_dedup.main, module_args)

        assert result["failed"] is True
        assert message in result["msg"]
