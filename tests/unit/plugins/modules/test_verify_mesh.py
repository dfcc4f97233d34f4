"""Tests of alertmesh.ha.verify_mesh against fake Alertmanager meshes on 127.0.0.1."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from fake_apis import FakeAlertmanager, FakeApis, FakeMesh, closed_port_url

from ansible_collections.alertmesh.ha.plugins.modules import verify_mesh

RunModule = Callable[..., dict[str, Any]]
FAST = {"timeout": 2, "poll_interval": 0.01}


def run(
    run_module: RunModule, urls: list[str], check_mode: bool = False, **args: Any
) -> dict[str, Any]:
    return run_module(
        verify_mesh.main, dict(FAST, alertmanager_urls=urls, **args), check_mode=check_mode
    )


def probe_ids(member: FakeAlertmanager) -> list[str]:
    """Ids of the probe silences POSTed to ``member``, from the ids it answered."""
    return [
        silence["id"]
        for silence in _all_silences(member)
        if silence["matchers"][0]["name"] == "alertmesh_probe"
        and silence["comment"].endswith("expired when the check ends")
        and member.url in silence["comment"]
    ]


def _all_silences(member: FakeAlertmanager) -> list[dict[str, Any]]:
    return [member.silence(silence_id) for silence_id in list(member.silences)]


def active_probes(mesh: FakeMesh) -> list[dict[str, Any]]:
    return [
        silence
        for member in mesh.members
        for silence in member.live_silences()
        if silence["matchers"][0]["name"] == "alertmesh_probe"
    ]


class TestHealthyMesh:
    def test_probes_replicate_and_are_expired(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=3, replicate_after=2)

        result = run(run_module, mesh.urls)

        assert "failed" not in result, result.get("msg")
        assert result["changed"] is False
        assert result["probes"] == 3
        assert set(result["latency_matrix"]) == set(mesh.urls)
        for origin, members in result["latency_matrix"].items():
            assert set(members) == set(mesh.urls) - {origin}
            assert all(latency > 0 for latency in members.values())
        samples = [s for members in result["latency_matrix"].values() for s in members.values()]
        assert result["latency_max"] == max(samples)
        assert 0 < result["latency_p50"] <= result["latency_max"]
        assert active_probes(mesh) == []
        assert result["versions"] == dict.fromkeys(mesh.urls, "0.25.0")
        assert result["cluster_status"] == dict.fromkeys(mesh.urls, "ready")
        assert all(len(peers) == 3 for peers in result["peers"].values())

    def test_latency_is_measured_until_the_first_successful_get(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2, replicate_after=3)
        first, second = mesh.members

        result = run(run_module, mesh.urls, poll_interval=0.05)

        (probe_from_first,) = probe_ids(first)
        gets = second.requests_to("GET", f"/api/v2/silence/{probe_from_first}")
        # Three polls missed the probe, the fourth found it; then the expiry was confirmed.
        assert len(gets) >= 5
        assert result["latency_matrix"][first.url][second.url] >= 3 * 0.05

    def test_every_member_is_origin_of_probe_rounds_probes(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)

        result = run(run_module, mesh.urls, probe_rounds=3)

        assert result["probes"] == 6
        assert result["latency_samples"] == 6
        samples = [s for members in result["latency_matrix"].values() for s in members.values()]
        assert result["latency_max"] == max(samples)
        assert result["latency_p50"] <= result["latency_p95"] <= result["latency_max"]
        for member in mesh.members:
            assert len(probe_ids(member)) == 3
            assert len(member.requests_to("POST", "/api/v2/silences")) == 3
        assert active_probes(mesh) == []

    def test_probe_silence_has_the_documented_shape(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)

        run(run_module, mesh.urls)

        (probe_id,) = probe_ids(mesh.members[0])
        probe = mesh.members[0].silence(probe_id)
        (matcher,) = probe["matchers"]
        assert matcher["isEqual"] is True
        assert matcher["isRegex"] is False
        assert re.fullmatch(r"[0-9a-f-]{36}", matcher["value"])
        assert probe["createdBy"] == "alertmesh.ha"
        assert probe["status"]["state"] == "expired"

    def test_summary_is_a_readable_table(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        mesh = fake_apis.mesh(size=2)
        first, second = mesh.urls

        result = run(run_module, mesh.urls)

        summary = result["summary"]
        assert summary[0].split() == ["member", "version", "cluster", "peers"]
        assert summary[1].split() == [first, "0.25.0", "ready", "2"]
        assert summary[4].split() == ["origin", first, second]
        assert summary[5].split()[:2] == [first, "-"]
        number = r"\d+\.\d{3}"
        assert re.fullmatch(
            rf"2 probes, 2 samples: p50 {number} s, p95 {number} s, max {number} s", summary[-1]
        )
        widths = {len(line) for line in summary[:3]}
        assert len(widths) <= 2, "the columns of the member table line up"
        json.dumps(result)

    def test_single_member_needs_no_replication(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        member = fake_apis.alertmanager()

        result = run(run_module, [member.url])

        assert result["probes"] == 1
        assert result["latency_matrix"] == {}
        assert result["latency_p50"] is None
        assert result["latency_p95"] is None
        assert result["latency_max"] is None
        assert result["latency_samples"] == 0
        assert member.live_silences() == []
        assert not any("latency" in line for line in result["summary"])


class TestWithoutProbes:
    def test_check_mode_only_checks_membership(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)

        result = run(run_module, mesh.urls, check_mode=True)

        assert "failed" not in result
        assert result["changed"] is False
        assert result["probes"] == 0
        assert result["latency_matrix"] == {}
        for member in mesh.members:
            assert member.requests_to("GET", "/api/v2/status")
            assert member.requests_to("POST", "/") == []

    def test_silence_probe_false_only_checks_membership(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)

        result = run(run_module, mesh.urls, silence_probe=False)

        assert result["probes"] == 0
        assert all(member.silences == {} for member in mesh.members)


class TestMembership:
    def test_waits_while_the_mesh_settles(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        mesh = fake_apis.mesh(size=2)
        mesh.members[1].settling_polls = 3

        result = run(run_module, mesh.urls, silence_probe=False)

        assert "failed" not in result
        assert len(mesh.members[1].requests_to("GET", "/api/v2/status")) == 4

    def test_too_few_peers_fails_with_who_sees_whom(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        first, second = mesh.members

        result = run(run_module, mesh.urls, expected_members=3, timeout=0.2)

        assert result["failed"] is True
        message = result["msg"]
        assert "did not form within 0.2 s" in message
        assert "with 3 peers" in message
        assert f"{first.url} reports cluster status 'ready' with 2 peers" in message
        assert f"{second.url} [ready] sees {first.cluster_address} ({first.name})" in message
        assert result["peers"][first.url] == [
            {"name": first.name, "address": first.cluster_address},
            {"name": second.name, "address": second.cluster_address},
        ]
        assert all(member.requests_to("POST", "/") == [] for member in mesh.members)

    def test_settling_status_fails_after_timeout(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        mesh.members[0].settling_polls = 10_000

        result = run(run_module, mesh.urls, timeout=0.2)

        assert f"{mesh.urls[0]} reports cluster status 'settling' with 2 peers" in result["msg"]
        assert result["cluster_status"][mesh.urls[0]] == "settling"

    def test_clustering_off_is_explained(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        member = fake_apis.alertmanager()
        member.inject(
            "GET",
            "/api/v2/status",
            200,
            json.dumps({"cluster": {"status": "disabled"}, "versionInfo": {"version": "0.25.0"}}),
            "application/json",
        )

        result = run(run_module, [member.url], timeout=0.1)

        assert "reports cluster status 'disabled': it runs without clustering" in result["msg"]
        assert result["peers"] == {member.url: []}

    def test_split_mesh_fails(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        first, second = fake_apis.alertmanager(), fake_apis.alertmanager()
        other = {"name": "01OTHERMESH", "address": "127.0.0.9:9094"}
        first.peers_override = [{"name": first.name, "address": first.cluster_address}, other]
        second.peers_override = [{"name": second.name, "address": second.cluster_address}, other]

        result = run(run_module, [first.url, second.url], timeout=0.2)

        assert result["failed"] is True
        assert "do not all list the same peers" in result["msg"]

    def test_member_missing_from_a_peer_list_is_named(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        first, second = fake_apis.alertmanager(), fake_apis.alertmanager()
        stranger = {"name": "01STRANGER", "address": "127.0.0.9:9094"}
        first.peers_override = [{"name": first.name, "address": first.cluster_address}, stranger]
        second.peers_override = [
            {"name": first.name, "address": first.cluster_address},
            {"name": second.name, "address": second.cluster_address},
        ]

        result = run(run_module, [first.url, second.url], timeout=0.2)

        unlisted = f"{first.url} does not list {second.url} ({second.name}) among its peers."
        assert unlisted in result["msg"]
        assert f"{second.url} does not list" not in result["msg"]

    def test_unreachable_member_fails(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        member = fake_apis.alertmanager()
        down = closed_port_url()

        result = run(run_module, [member.url, down], expected_members=1, timeout=0.1)

        assert result["failed"] is True
        assert f"GET {down}/api/v2/status failed:" in result["msg"]
        assert result["cluster_status"][down] == "no answer"
        assert result["peers"][down] == []

    def test_error_status_is_reported(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        member = fake_apis.alertmanager()
        member.inject("GET", "/api/v2/status", 503, "starting up")

        result = run(run_module, [member.url], timeout=0.1)

        assert result["cluster_status"][member.url] == "no answer (HTTP 503)"
        assert "answered HTTP 503" in result["msg"]
        assert "starting up" in result["msg"]
        assert result["summary"][1].split()[:3] == [member.url, "unknown", "no"]

    def test_a_member_trickling_its_answer_fails_at_the_http_timeout(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 62\r\n\r\n"
        trickling = fake_apis.scripted_server([head, b"{", *[b" "] * 60, b"}"], 0.05, 10)

        result = run(
            run_module, [trickling.url], timeout=0.5, http_timeout=0.3, silence_probe=False
        )

        assert result["failed"] is True
        assert (
            f"GET {trickling.url}/api/v2/status failed: timed out: no complete answer within"
            " 0.3 s (http_timeout)"
        ) in result["msg"]
        assert result["cluster_status"] == {trickling.url: "no answer"}
        assert trickling.complete == 0

    @pytest.mark.parametrize(
        "answer", ['"ready"', '{"cluster": {"peers": "all"}}', "[" * 100_000 + "]" * 100_000]
    )
    def test_a_status_of_the_wrong_shape_fails_naming_the_url(
        self, fake_apis: FakeApis, run_module: RunModule, answer: str
    ) -> None:
        member = fake_apis.alertmanager()
        member.inject("GET", "/api/v2/status", 200, answer, "application/json")

        result = run(run_module, [member.url], timeout=0.1)

        assert result["failed"] is True
        assert f"GET {member.url}/api/v2/status answered HTTP 200 (" in result["msg"]
        assert result["cluster_status"] == {member.url: "unexpected answer (HTTP 200)"}


class TestReplicationFailures:
    def test_member_that_never_receives_the_probe_is_named(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=3)
        origin, receiving, deaf = mesh.members
        deaf.replicate_after = None

        result = run(run_module, mesh.urls, timeout=0.3)

        assert result["failed"] is True
        (probe_id,) = probe_ids(origin)
        matcher_value = origin.silence(probe_id)["matchers"][0]["value"]
        message = result["msg"]
        assert message.startswith(
            f"{deaf.url} did not receive probe silence {probe_id}"
            f" (alertmesh_probe={matcher_value}) from {origin.url} within 0.3 s"
        )
        assert receiving.url not in message.split(" from ")[0]
        assert result["probes"] == 1
        assert active_probes(mesh) == []
        assert origin.silence(probe_id)["status"]["state"] == "expired"
        assert result["latency_matrix"] == {origin.url: {receiving.url: pytest.approx(0, abs=1)}}

    def test_probes_created_before_a_failure_are_expired(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=3)
        first, second, third = mesh.members
        third.inject("POST", "/api/v2/silences", 500, '"storage full"')

        result = run(run_module, mesh.urls)

        assert result["failed"] is True
        assert result["msg"].startswith(
            f"Could not create a probe silence on {third.url}: expected an id back, got:"
            f" POST {third.url}/api/v2/silences answered HTTP 500"
        )
        assert result["probes"] == 2
        assert len(probe_ids(first)) == len(probe_ids(second)) == 1
        assert active_probes(mesh) == []

    def test_error_while_polling_a_member_fails(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        mesh.members[1].inject("GET", "/api/v2/silence/*", 502, "bad gateway")

        result = run(run_module, mesh.urls)

        assert result["failed"] is True
        assert result["msg"].startswith("While waiting for probe silence")
        assert "answered HTTP 502" in result["msg"]
        assert "Clean-up of the probes failed: Could not confirm" in result["msg"]

    def test_probe_that_stays_active_fails_the_clean_up(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        stuck = {
            "id": "x",
            "status": {"state": "active"},
            "matchers": [],
            "startsAt": "2024-05-01T22:00:00.000Z",
            "endsAt": "2999-05-01T22:00:00.000Z",
        }
        mesh.members[1].inject("GET", "/api/v2/silence/*", 200, json.dumps(stuck))

        result = run(run_module, mesh.urls, timeout=0.2)

        assert result["failed"] is True
        assert result["msg"].startswith("Clean-up of the probes failed:")
        assert f"{mesh.urls[1]} still shows probe silence" in result["msg"]
        assert "as active 0.2 s after it was expired" in result["msg"]

    def test_a_silence_id_of_the_wrong_type_fails_and_expires_the_probes(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        first, second = mesh.members
        second.inject("POST", "/api/v2/silences", 200, '{"silenceID": 5}', "application/json")

        result = run(run_module, mesh.urls)

        assert result["failed"] is True
        assert result["msg"] == (
            f"Could not create a probe silence on {second.url}: expected an id back, got:"
            f" POST {second.url}/api/v2/silences answered HTTP 200 (expected an object with a"
            ' string silenceID): {"silenceID": 5}'
        )
        assert len(probe_ids(first)) == 1
        assert active_probes(mesh) == []

    @pytest.mark.parametrize(
        "answer",
        ["[" * 100_000 + "]" * 100_000, '"a string"', '{"id": "x", "endsAt": 5}'],
        ids=["nested-too-deeply", "string", "no-timestamps"],
    )
    def test_a_silence_of_the_wrong_shape_fails_naming_the_url_and_expires_the_probes(
        self, fake_apis: FakeApis, run_module: RunModule, answer: str
    ) -> None:
        mesh = fake_apis.mesh(size=2)
        first, second = mesh.members
        second.inject("GET", "/api/v2/silence/*", 200, answer, "application/json")

        result = run(run_module, mesh.urls)

        assert result["failed"] is True
        assert result["msg"].startswith("While waiting for probe silence")
        assert f"GET {second.url}/api/v2/silence/" in result["msg"]
        assert "answered HTTP 200 (" in result["msg"]
        assert len(probe_ids(first)) == 1
        assert active_probes(mesh) == []

    def test_probes_are_expired_even_when_the_module_crashes(
        self, fake_apis: FakeApis, run_module: RunModule, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        mesh = fake_apis.mesh(size=3)
        waits = []

        def crash_on_the_second_probe(verifier: Any, probe: Any) -> None:
            waits.append(probe)
            if len(waits) == 2:
                raise RuntimeError("a bug")

        monkeypatch.setattr(
            verify_mesh.MeshVerifier, "wait_for_replication", crash_on_the_second_probe
        )

        with pytest.raises(RuntimeError, match="a bug"):
            run(run_module, mesh.urls)

        assert len(waits) == 2
        assert active_probes(mesh) == []

    def test_failed_delete_is_reported(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        mesh = fake_apis.mesh(size=2)
        mesh.members[0].inject("DELETE", "/api/v2/silence/*", 503, "unavailable")

        result = run(run_module, mesh.urls)

        (undeletable,) = probe_ids(mesh.members[0])
        assert result["failed"] is True
        assert f"Could not expire probe silence {undeletable}" in result["msg"]
        assert "DELETE" in result["msg"]
        assert "answered HTTP 503" in result["msg"]
        assert [probe["id"] for probe in active_probes(mesh)] == [undeletable, undeletable]


class TestOptions:
    def test_basic_auth_is_used(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        mesh = fake_apis.mesh(size=2, credentials=("ansible", "s3cret"))

        result = run(run_module, mesh.urls, url_username="ansible", url_password="s3cret")

        assert "failed" not in result, result.get("msg")
        assert result["probes"] == 2

    def test_credentials_in_the_urls_are_used_and_never_shown(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2, credentials=("ops", "Secret-pw"))
        urls = [url.replace("http://", "http://ops:Secret-pw@") for url in mesh.urls]

        result = run(run_module, urls, expected_members=3, timeout=0.1)

        assert result["failed"] is True
        assert result["cluster_status"] == dict.fromkeys(mesh.urls, "ready")
        assert set(result["peers"]) == set(result["versions"]) == set(mesh.urls)
        assert f"{mesh.urls[0]} reports cluster status 'ready' with 2 peers" in result["msg"]
        assert "ops:" not in result["msg"] + "".join(result["summary"])
        assert "Secret-pw" not in json.dumps(result)

    def test_probe_comments_name_the_origin_without_credentials(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2, credentials=("ops", "Secret-pw"))
        urls = [url.replace("http://", "http://ops:Secret-pw@") for url in mesh.urls]

        result = run(run_module, urls)

        assert "failed" not in result, result.get("msg")
        assert set(result["latency_matrix"]) == set(mesh.urls)
        comments = [silence["comment"] for silence in _all_silences(mesh.members[0])]
        assert len(comments) == 2
        assert all("Secret-pw" not in comment for comment in comments)
        assert len(probe_ids(mesh.members[0])) == 1

    def test_missing_credentials_fail_with_401(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        mesh = fake_apis.mesh(size=2, credentials=("ansible", "s3cret"))

        result = run(run_module, mesh.urls, timeout=0.1)

        assert "answered HTTP 401" in result["msg"]

    def test_trailing_slashes_are_ignored(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        mesh = fake_apis.mesh(size=2)

        result = run(run_module, [f"{url}/" for url in mesh.urls], silence_probe=False)

        assert set(result["peers"]) == set(mesh.urls)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"alertmanager_urls": []}, "must list at least one URL"),
            ({"alertmanager_urls": ["http://a:9093", "http://a:9093/"]}, "more than once"),
            ({"alertmanager_urls": ["10.0.0.5:9093"]}, "alertmanager_urls: '10.0.0.5:9093' is"),
            ({"expected_members": 0}, "expected_members=0: must be greater than 0"),
            ({"probe_rounds": 0}, "probe_rounds=0: must be greater than 0"),
            ({"timeout": 0}, "timeout=0.0: must be greater than 0"),
            ({"poll_interval": -1}, "poll_interval=-1.0: must be greater than 0"),
        ],
    )
    def test_invalid_arguments(
        self, run_module: RunModule, args: dict[str, Any], message: str
    ) -> None:
        module_args = {**FAST, "alertmanager_urls": ["http://127.0.0.1:9"], **args}

        result = run_module(verify_mesh.main, module_args)

        assert result["failed"] is True
        assert message in result["msg"]
