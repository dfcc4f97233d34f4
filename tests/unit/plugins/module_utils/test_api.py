"""Tests of the private HTTP client, against fake APIs on 127.0.0.1."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from fake_apis import FakeAlertmanager, FakeApis, Redirect, TlsFiles, closed_port_url

from ansible_collections.alertmesh.ha.plugins.module_utils import _api
from ansible_collections.alertmesh.ha.plugins.module_utils._api import (
    API_ARGUMENT_SPEC,
    UTC,
    AlertmanagerClient,
    ApiClient,
    ApiError,
    PrometheusClient,
    client_options,
    endpoint_key,
    format_timestamp,
    label_filter,
    parse_timestamp,
    redact_url,
    silence_state,
    url_passwords,
    utc_now,
)

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
BASIC_AUTH = {"url_username": "ops", "url_password": "s3cret"}


def probe_silence(value: str = "probe-1", minutes: int = 10) -> dict[str, Any]:
    start = utc_now()
    return {
        "matchers": [
            {"name": "alertmesh_probe", "value": value, "isRegex": False, "isEqual": True}
        ],
        "startsAt": format_timestamp(start),
        "endsAt": format_timestamp(start + datetime.timedelta(minutes=minutes)),
        "createdBy": "alertmesh.ha",
        "comment": "unit test",
    }


@pytest.fixture
def member(fake_apis: FakeApis) -> FakeAlertmanager:
    return fake_apis.alertmanager()


@pytest.fixture
def client(member: FakeAlertmanager) -> AlertmanagerClient:
    return AlertmanagerClient(member.url + "/", http_timeout=5)


class TestAlertmanagerClient:
    def test_status_reports_cluster_and_version(
        self, fake_apis: FakeApis, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        status = client.status()

        assert status["cluster"]["status"] == "ready"
        assert status["cluster"]["peers"] == [
            {"name": member.name, "address": member.cluster_address}
        ]
        assert status["versionInfo"]["version"] == "0.25.0"
        assert member.requests == [("GET", "/api/v2/status")]

    def test_post_then_get_returns_the_stored_silence(self, client: AlertmanagerClient) -> None:
        silence_id = client.post_silence(probe_silence())

        silence = client.get_silence(silence_id)

        assert silence is not None
        assert silence["id"] == silence_id
        assert silence_state(silence) == "active"
        assert silence["matchers"][0]["value"] == "probe-1"

    def test_get_unknown_silence_is_none(self, client: AlertmanagerClient) -> None:
        assert client.get_silence(UNKNOWN_ID) is None

    def test_get_malformed_id_raises_with_the_answer(self, client: AlertmanagerClient) -> None:
        with pytest.raises(ApiError) as raised:
            client.get_silence("not-a-uuid")

        assert raised.value.status == 422
        assert "must be of type uuid" in raised.value.body
        assert f"GET {client.base_url}/api/v2/silence/not-a-uuid answered HTTP 422" in str(
            raised.value
        )

    def test_list_silences_passes_filters(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        kept = client.post_silence(probe_silence("keep"))
        client.post_silence(probe_silence("other"))

        listed = client.list_silences([label_filter("alertmesh_probe", "keep")])

        assert [silence["id"] for silence in listed] == [kept]
        assert len(client.list_silences()) == 2
        assert member.requests_to("GET", "/api/v2/silences?filter=alertmesh_probe")

    def test_delete_expires_the_silence(self, client: AlertmanagerClient) -> None:
        silence_id = client.post_silence(probe_silence())

        assert client.expire_silence(silence_id) is True

        assert silence_state(client.get_silence(silence_id)) == "expired"

    def test_delete_of_unknown_id_is_a_500(self, client: AlertmanagerClient) -> None:
        with pytest.raises(ApiError) as raised:
            client.delete_silence(UNKNOWN_ID)

        assert raised.value.status == 500
        assert "silence not found" in raised.value.body

    def test_expire_tolerates_500_for_an_unknown_silence(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        assert client.expire_silence(UNKNOWN_ID) is False
        assert member.requests[-1] == ("GET", f"/api/v2/silence/{UNKNOWN_ID}")

    def test_expire_tolerates_404_for_an_unknown_silence(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.unknown_delete_status = 404

        assert client.expire_silence(UNKNOWN_ID) is False
        assert member.requests[-1] == ("DELETE", f"/api/v2/silence/{UNKNOWN_ID}")

    def test_expire_tolerates_500_for_an_expired_silence(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        silence_id = client.post_silence(probe_silence())
        client.delete_silence(silence_id)
        member.inject("DELETE", f"/api/v2/silence/{silence_id}", 500, '"silence not found"')

        assert client.expire_silence(silence_id) is False

    def test_expire_raises_500_when_the_silence_is_still_active(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        silence_id = client.post_silence(probe_silence())
        member.inject("DELETE", f"/api/v2/silence/{silence_id}", 500, '"internal error"')

        with pytest.raises(ApiError) as raised:
            client.expire_silence(silence_id)

        assert raised.value.status == 500
        assert silence_state(client.get_silence(silence_id)) == "active"

    def test_expire_raises_other_errors(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.inject("DELETE", f"/api/v2/silence/{UNKNOWN_ID}", 503, "unavailable")

        with pytest.raises(ApiError, match="answered HTTP 503"):
            client.expire_silence(UNKNOWN_ID)

    def test_post_rejected_silence_raises_with_the_reason(self, client: AlertmanagerClient) -> None:
        silence = probe_silence()
        silence["startsAt"], silence["endsAt"] = silence["endsAt"], silence["startsAt"]

        with pytest.raises(ApiError) as raised:
            client.post_silence(silence)

        assert raised.value.status == 400
        assert "start time must be before end time" in str(raised.value)

    @pytest.mark.parametrize("answer", ["{}", '{"silenceID": 5}', '{"silenceID": ""}', '"id"'])
    def test_post_without_a_string_silence_id_in_answer_raises(
        self, client: AlertmanagerClient, member: FakeAlertmanager, answer: str
    ) -> None:
        member.inject("POST", "/api/v2/silences", 200, answer, "application/json")

        with pytest.raises(ApiError) as raised:
            client.post_silence(probe_silence())

        assert str(raised.value) == (
            f"POST {client.base_url}/api/v2/silences answered HTTP 200 (expected an object"
            f" with a string silenceID): {answer}"
        )

    def test_update_in_place_keeps_the_id(self, client: AlertmanagerClient) -> None:
        silence_id = client.post_silence(probe_silence())
        stored = client.get_silence(silence_id)
        longer = dict(stored, endsAt=format_timestamp(utc_now() + datetime.timedelta(hours=1)))

        assert client.post_silence(longer) == silence_id

    def test_list_alerts_counts_every_kind(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.add_alert({"alertname": "AlertmeshWatchdog", "severity": "none"})
        member.add_alert({"alertname": "Other"})

        alerts = client.list_alerts([label_filter("alertname", "AlertmeshWatchdog")])

        assert [alert["labels"]["alertname"] for alert in alerts] == ["AlertmeshWatchdog"]
        (_method, path) = member.requests[-1]
        for kind in ("active", "silenced", "inhibited", "unprocessed"):
            assert f"{kind}=true" in path
        assert len(client.list_alerts()) == 2


SILENCE = {
    "id": UNKNOWN_ID,
    "matchers": [{"name": "a", "value": "b", "isRegex": False, "isEqual": True}],
    "startsAt": "2024-05-01T22:00:00.000Z",
    "endsAt": "2024-05-01T23:00:00.000Z",
    "createdBy": "alertmesh.ha",
    "comment": "c",
    "status": {"state": "expired"},
}


def alertmanager_call(client: AlertmanagerClient, name: str) -> Any:
    calls = {
        "status": client.status,
        "get_silence": lambda: client.get_silence(UNKNOWN_ID),
        "list_silences": client.list_silences,
        "list_alerts": client.list_alerts,
    }
    return calls[name]()


class TestAnswerShapes:
    """An answer of the wrong shape is an ApiError naming the URL, never a Python error."""

    @pytest.mark.parametrize(
        ("call", "path", "answer"),
        [
            ("status", "/api/v2/status", "a string"),
            ("status", "/api/v2/status", None),
            ("status", "/api/v2/status", {"cluster": "ready"}),
            ("status", "/api/v2/status", {"cluster": {"peers": [1]}}),
            ("status", "/api/v2/status", {"cluster": {"name": ["a"]}}),
            ("status", "/api/v2/status", {"versionInfo": []}),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", "a string"),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", dict(SILENCE, id=5)),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", dict(SILENCE, endsAt=None)),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", dict(SILENCE, endsAt="tomorrow")),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", dict(SILENCE, matchers=[["a"]])),
            ("get_silence", f"/api/v2/silence/{UNKNOWN_ID}", dict(SILENCE, status="active")),
            ("list_silences", "/api/v2/silences", {"silences": []}),
            ("list_silences", "/api/v2/silences", [SILENCE, "junk"]),
            ("list_alerts", "/api/v2/alerts", [{"labels": {"alertname": 1}}]),
            ("list_alerts", "/api/v2/alerts", ["junk"]),
        ],
    )
    def test_an_unexpected_shape_raises_naming_the_url(
        self,
        client: AlertmanagerClient,
        member: FakeAlertmanager,
        call: str,
        path: str,
        answer: Any,
    ) -> None:
        member.inject("GET", path, 200, json.dumps(answer), "application/json")

        with pytest.raises(ApiError) as raised:
            alertmanager_call(client, call)

        assert raised.value.status == 200
        assert raised.value.url.startswith(f"{client.base_url}{path}")
        assert "answered HTTP 200 (expected " in str(raised.value)

    def test_a_well_formed_silence_list_passes(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.inject("GET", "/api/v2/silences", 200, json.dumps([SILENCE]), "application/json")

        assert client.list_silences() == [SILENCE]

    def test_json_nested_too_deeply_raises(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.inject("GET", "/api/v2/status", 200, "[" * 100_000 + "]" * 100_000)

        with pytest.raises(ApiError) as raised:
            client.status()

        assert "answered HTTP 200 (the body is JSON nested too deeply to read)" in str(raised.value)

    @pytest.mark.parametrize(
        "data",
        [
            {"activeAlertmanagers": [{"url": 5}]},
            {"activeAlertmanagers": "http://a:9093"},
            {"droppedAlertmanagers": [None]},
            [],
        ],
    )
    def test_an_unexpected_prometheus_shape_raises(self, fake_apis: FakeApis, data: Any) -> None:
        prometheus = fake_apis.prometheus()
        envelope = json.dumps({"status": "success", "data": data})
        prometheus.inject("GET", "/api/v1/alertmanagers", 200, envelope, "application/json")

        with pytest.raises(
            ApiError, match=r"answered HTTP 200 \(expected \{\"status\": \"success\""
        ):
            PrometheusClient(prometheus.url).alertmanagers()


class TestPrometheusClient:
    def test_alertmanagers_unwraps_the_envelope(self, fake_apis: FakeApis) -> None:
        prometheus = fake_apis.prometheus()
        prometheus.send_to("http://10.0.0.5:9093")
        prometheus.dropped_alertmanagers = ["http://10.0.0.6:9093/api/v2/alerts"]

        answer = PrometheusClient(prometheus.url).alertmanagers()

        assert answer == {
            "activeAlertmanagers": [{"url": "http://10.0.0.5:9093/api/v2/alerts"}],
            "droppedAlertmanagers": [{"url": "http://10.0.0.6:9093/api/v2/alerts"}],
        }

    def test_config_rules_and_alerts(self, fake_apis: FakeApis) -> None:
        prometheus = fake_apis.prometheus()
        prometheus.rule_groups = [
            {
                "name": "alertmesh",
                "rules": [
                    {"name": "AlertmeshWatchdog", "type": "alerting"},
                    {"name": "job:up:sum", "type": "recording"},
                ],
            }
        ]
        prometheus.firing = [{"labels": {"alertname": "AlertmeshWatchdog"}, "state": "firing"}]
        client = PrometheusClient(prometheus.url)

        assert client.config() == prometheus.config_yaml
        assert [rule["name"] for rule in client.rules("alerting")[0]["rules"]] == [
            "AlertmeshWatchdog"
        ]
        assert len(client.rules()[0]["rules"]) == 2
        assert client.alerts()[0]["state"] == "firing"

    def test_error_envelope_raises(self, fake_apis: FakeApis) -> None:
        prometheus = fake_apis.prometheus()
        prometheus.inject(
            "GET",
            "/api/v1/alertmanagers",
            200,
            json.dumps({"status": "error", "errorType": "internal", "error": "boom"}),
            "application/json",
        )

        with pytest.raises(ApiError) as raised:
            PrometheusClient(prometheus.url).alertmanagers()

        assert raised.value.status == 200
        assert "boom" in str(raised.value)
        assert 'expected {"status": "success"' in str(raised.value)


class TestTransportErrors:
    def test_refused_connection_names_method_and_url(self) -> None:
        url = closed_port_url()

        with pytest.raises(ApiError) as raised:
            AlertmanagerClient(url).status()

        assert raised.value.status is None
        assert str(raised.value).startswith(f"GET {url}/api/v2/status failed:")
        assert "refused" in str(raised.value).lower()

    def test_silent_server_times_out(self, fake_apis: FakeApis) -> None:
        url = fake_apis.silent_server()

        with pytest.raises(ApiError, match="timed out"):
            AlertmanagerClient(url, http_timeout=0.2).status()

    def test_body_that_is_not_json_raises_with_an_excerpt(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.inject("GET", "/api/v2/status", 200, "<html>" + "x" * 1000 + "</html>")

        with pytest.raises(ApiError) as raised:
            client.status()

        message = str(raised.value)
        assert "answered HTTP 200 (the body is not JSON): <html>xxx" in message
        assert message.endswith("...")
        assert len(message) < 500

    def test_unknown_path_is_a_404(self, client: AlertmanagerClient) -> None:
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/api/v2/nothing")

        assert raised.value.status == 404
        assert "404 page not found" in str(raised.value)

    def test_empty_body_is_none(self, client: AlertmanagerClient, member: FakeAlertmanager) -> None:
        member.inject("GET", "/api/v2/silences", 200, "")

        assert client.list_silences() == []


def http_head(*lines: str) -> bytes:
    """The status line and headers of an answer, ready to send."""
    return "".join(f"{line}\r\n" for line in ("HTTP/1.1 200 OK", *lines, "")).encode()


class TestHostileServers:
    """One request takes at most http_timeout in all, and reads a bounded number of bytes."""

    def test_an_answer_trickling_in_byte_by_byte_is_abandoned_at_the_deadline(
        self, fake_apis: FakeApis
    ) -> None:
        body = [b'"', *[b"x"] * 60, b'"']
        head = http_head("Content-Type: application/json", f"Content-Length: {len(body)}")
        server = fake_apis.scripted_server([head, *body], pause=0.05)

        with pytest.raises(ApiError, match=r"timed out: no complete answer within 0\.5 s"):
            AlertmanagerClient(server.url, http_timeout=0.5).status()

        assert server.complete == 0
        assert server.sent < server.total

    def test_headers_trickling_in_byte_by_byte_are_abandoned_at_the_deadline(
        self, fake_apis: FakeApis
    ) -> None:
        trickle = [b"a"] * 60
        pieces = [b"HTTP/1.1 200 OK\r\nX-Slow: ", *trickle, b"\r\nContent-Length: 2\r\n\r\n{}"]
        server = fake_apis.scripted_server(pieces, pause=0.05)

        with pytest.raises(ApiError, match=r"timed out: no complete answer within 0\.5 s"):
            AlertmanagerClient(server.url, http_timeout=0.5).status()

        assert server.complete == 0

    def test_an_answer_announced_larger_than_the_cap_is_not_read(
        self, fake_apis: FakeApis, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_api, "MAX_ANSWER_BYTES", 1024)
        member = fake_apis.alertmanager()
        member.inject("GET", "/api/v2/status", 200, json.dumps("x" * 4096), "application/json")

        with pytest.raises(ApiError) as raised:
            AlertmanagerClient(member.url).status()

        assert raised.value.status == 200
        assert "announces 4098 bytes, more than the 1 KiB this client reads" in str(raised.value)

    def test_an_answer_without_length_is_read_only_up_to_the_cap(
        self, fake_apis: FakeApis, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_api, "MAX_ANSWER_BYTES", 64 * 1024)
        chunk = b"x" * 65536
        pieces = [http_head("Content-Type: application/json"), b'"', *[chunk] * 512, b'"']
        server = fake_apis.scripted_server(pieces)

        with pytest.raises(ApiError) as raised:
            AlertmanagerClient(server.url, http_timeout=5).status()

        assert "longer than the 64 KiB this client reads" in str(raised.value)
        assert server.complete == 0

    def test_the_cap_is_several_mebibytes(self) -> None:
        assert _api.MAX_ANSWER_BYTES == 16 * 1024 * 1024


class TestBasicAuth:
    def test_credentials_are_sent(self, fake_apis: FakeApis) -> None:
        member = fake_apis.alertmanager(credentials=("ansible", "s3cret"))

        client = AlertmanagerClient(member.url, url_username="ansible", url_password="s3cret")

        assert client.status()["cluster"]["status"] == "ready"

    @pytest.mark.parametrize(
        ("username", "password"),
        [(None, None), ("ansible", "wrong")],
        ids=["no-credentials", "wrong-password"],
    )
    def test_missing_or_wrong_credentials_are_a_401(
        self, fake_apis: FakeApis, username: str | None, password: str | None
    ) -> None:
        member = fake_apis.alertmanager(credentials=("ansible", "s3cret"))
        client = AlertmanagerClient(member.url, url_username=username, url_password=password)

        with pytest.raises(ApiError) as raised:
            client.status()

        assert raised.value.status == 401


class TestRedirects:
    """Neither API redirects: a redirect is an error, and nothing reaches its target."""

    @pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
    def test_a_redirect_to_another_host_is_refused_naming_both_urls(
        self, fake_apis: FakeApis, status: int
    ) -> None:
        elsewhere = fake_apis.alertmanager(host="127.0.0.2")
        url = fake_apis.serve(Redirect(status, elsewhere.url))

        with pytest.raises(ApiError) as raised:
            AlertmanagerClient(url, **BASIC_AUTH).status()

        assert elsewhere.requests == []
        assert raised.value.status == status
        assert raised.value.url == f"{url}/api/v2/status"
        assert f"redirect to {elsewhere.url}/api/v2/status, not followed" in str(raised.value)

    def test_a_post_redirected_with_307_is_not_repeated_elsewhere(
        self, fake_apis: FakeApis
    ) -> None:
        elsewhere = fake_apis.alertmanager(host="127.0.0.2")
        url = fake_apis.serve(Redirect(307, elsewhere.url))

        with pytest.raises(ApiError, match="HTTP 307"):
            AlertmanagerClient(url, **BASIC_AUTH).post_silence(probe_silence())

        assert elsewhere.requests == []
        assert elsewhere.live_silences() == []

    def test_a_redirect_from_https_to_http_is_refused(
        self, fake_apis: FakeApis, tls_files: TlsFiles
    ) -> None:
        elsewhere = fake_apis.alertmanager(host="127.0.0.2")
        url = fake_apis.serve(Redirect(302, elsewhere.url), tls_files.server_context())

        with pytest.raises(ApiError, match=f"redirect to {elsewhere.url}"):
            AlertmanagerClient(url, ca_path=str(tls_files.ca), **BASIC_AUTH).status()

        assert url.startswith("https://")
        assert elsewhere.url.startswith("http://127.0.0.2:")
        assert elsewhere.requests == []


class TestCredentialsInUrls:
    """``http://user:password@host`` works, and the password is never shown."""

    def test_userinfo_becomes_basic_auth_and_leaves_the_url(self, fake_apis: FakeApis) -> None:
        member = fake_apis.alertmanager(credentials=("ops", "Secret pw"))
        url = member.url.replace("http://", "http://ops:Secret%20pw@")

        client = AlertmanagerClient(url)

        assert client.base_url == member.url
        assert client.status()["cluster"]["status"] == "ready"
        with pytest.raises(ApiError) as raised:
            client.request("GET", "/api/v2/nothing")
        assert raised.value.url == f"{member.url}/api/v2/nothing"
        assert "Secret" not in str(raised.value)

    def test_explicit_credentials_win_over_userinfo(self, fake_apis: FakeApis) -> None:
        member = fake_apis.alertmanager(credentials=("ansible", "right"))
        url = member.url.replace("http://", "http://ops:wrong@")

        client = AlertmanagerClient(url, url_username="ansible", url_password="right")

        assert client.status()["cluster"]["status"] == "ready"

    def test_a_redirect_target_is_shown_without_userinfo(self, fake_apis: FakeApis) -> None:
        elsewhere = fake_apis.alertmanager(host="127.0.0.2")
        target = elsewhere.url.replace("http://", "http://ops:Secret@")
        url = fake_apis.serve(Redirect(302, target))

        with pytest.raises(ApiError) as raised:
            AlertmanagerClient(url).status()

        assert f"redirect to {elsewhere.url}/api/v2/status" in str(raised.value)
        assert "Secret" not in str(raised.value)

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("http://ops:Secret@10.0.0.5:9093/prefix", "http://10.0.0.5:9093/prefix"),
            ("https://ops@am.example.com", "https://am.example.com"),
            ("http://a:b@c@10.0.0.5:9093", "http://10.0.0.5:9093"),
            ("ops:Secret@10.0.0.5:9093", "10.0.0.5:9093"),
            ("http://10.0.0.5:9093/path@x?q=a@b", "http://10.0.0.5:9093/path@x?q=a@b"),
            ("http://[::1", "http://[::1"),
        ],
    )
    def test_redact_url(self, url: str, expected: str) -> None:
        assert redact_url(url) == expected

    def test_url_passwords(self) -> None:
        urls = ["http://ops:Sec%2Fret@a:1", "http://ops@b:2", "http://c:3", "http://:x@d"]

        assert url_passwords(urls) == ["Sec%2Fret", "Sec/ret", "x"]

    @pytest.mark.parametrize(
        "url", ["http://ops:Secret@host:port", "ops:Secret@host", "http://ops:Secret@[::1"]
    )
    def test_endpoint_key_errors_do_not_show_the_password(self, url: str) -> None:
        with pytest.raises(
            ValueError, match=r"is not an absolute|invalid port|not a valid"
        ) as raised:
            endpoint_key(url)

        assert "Secret" not in str(raised.value)


class TestTls:
    def test_certificate_signed_by_ca_path_is_accepted(
        self, fake_apis: FakeApis, tls_files: TlsFiles
    ) -> None:
        member = FakeAlertmanager("01TLS", "127.0.0.1:9094")
        url = fake_apis.serve(member, tls_files.server_context())

        status = AlertmanagerClient(url, ca_path=str(tls_files.ca)).status()

        assert url.startswith("https://")
        assert status["cluster"]["name"] == "01TLS"

    def test_unknown_ca_is_refused(self, fake_apis: FakeApis, tls_files: TlsFiles) -> None:
        url = fake_apis.serve(FakeAlertmanager("01TLS", "x:9094"), tls_files.server_context())

        with pytest.raises(ApiError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
            AlertmanagerClient(url).status()

    def test_validate_certs_false_skips_verification(
        self, fake_apis: FakeApis, tls_files: TlsFiles
    ) -> None:
        url = fake_apis.serve(FakeAlertmanager("01TLS", "x:9094"), tls_files.server_context())

        assert AlertmanagerClient(url, validate_certs=False).status()["cluster"]["name"] == "01TLS"

    def test_client_certificate_is_presented(
        self, fake_apis: FakeApis, tls_files: TlsFiles
    ) -> None:
        context = tls_files.server_context(require_client_cert=True)
        url = fake_apis.serve(FakeAlertmanager("01MTLS", "x:9094"), context)
        options = {"ca_path": str(tls_files.ca), "http_timeout": 5.0}

        with pytest.raises(ApiError):
            AlertmanagerClient(url, **options).status()
        status = AlertmanagerClient(
            url,
            client_cert=str(tls_files.client_cert),
            client_key=str(tls_files.client_key),
            **options,
        ).status()

        assert status["cluster"]["name"] == "01MTLS"


class TestHelpers:
    def test_argument_spec_hides_the_password(self) -> None:
        assert API_ARGUMENT_SPEC["url_password"]["no_log"] is True
        assert API_ARGUMENT_SPEC["http_timeout"] == {"type": "float", "default": 10.0}

    def test_client_options_picks_the_api_options(self) -> None:
        params = {name: None for name in API_ARGUMENT_SPEC}
        params.update(url_username="ansible", http_timeout=3.0, alertmanager_urls=["x"])

        options = client_options(params)

        assert set(options) == set(API_ARGUMENT_SPEC)
        assert ApiClient("http://x", **options).http_timeout == 3.0

    def test_url_for_joins_prefix_path_and_query(self) -> None:
        client = ApiClient("http://10.0.0.5:9093/alertmanager/")

        url = client.url_for("/api/v2/alerts", {"filter": ['alertname="A B"'], "active": "true"})

        assert url == (
            "http://10.0.0.5:9093/alertmanager/api/v2/alerts"
            "?filter=alertname%3D%22A+B%22&active=true"
        )

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("AlertmeshWatchdog", 'alertname="AlertmeshWatchdog"'),
            ('say "hi"', 'alertname="say \\"hi\\""'),
            ("back\\slash", 'alertname="back\\\\slash"'),
            ("two\nlines", 'alertname="two\\nlines"'),
        ],
    )
    def test_label_filter_escapes(self, value: str, expected: str) -> None:
        assert label_filter("alertname", value) == expected

    def test_label_filter_is_accepted_by_the_fake(
        self, client: AlertmanagerClient, member: FakeAlertmanager
    ) -> None:
        member.add_alert({"alertname": 'say "hi"'})

        assert len(client.list_alerts([label_filter("alertname", 'say "hi"')])) == 1

    @pytest.mark.parametrize(
        ("operator", "expected"),
        [("=", ["db-1"]), ("!=", ["db-2", "web-1"]), ("=~", ["db-1", "db-2"]), ("!~", ["web-1"])],
    )
    def test_label_filter_operators_are_honoured_by_the_fake(
        self, client: AlertmanagerClient, member: FakeAlertmanager, operator: str, expected: list
    ) -> None:
        for instance in ("db-1", "db-2", "web-1"):
            member.add_alert({"alertname": "Down", "instance": instance})
        value = "db-1" if operator in ("=", "!=") else "db-.*"

        alerts = client.list_alerts([label_filter("instance", value, operator)])

        assert sorted(alert["labels"]["instance"] for alert in alerts) == expected

    @pytest.mark.parametrize(
        ("url", "expected"),
        [
            ("http://10.0.0.5:9093/api/v2/alerts", ("http", "10.0.0.5", 9093)),
            ("HTTP://AM-1.Example.com:9093", ("http", "am-1.example.com", 9093)),
            ("https://am.example.com/prefix", ("https", "am.example.com", 443)),
            ("http://[fd00::5]:9093/api/v2/alerts", ("http", "fd00::5", 9093)),
        ],
    )
    def test_endpoint_key(self, url: str, expected: tuple[str, str, int]) -> None:
        assert endpoint_key(url) == expected

    @pytest.mark.parametrize("url", ["10.0.0.5:9093", "http://10.0.0.5:port", "/api/v2"])
    def test_endpoint_key_rejects(self, url: str) -> None:
        with pytest.raises(ValueError, match=r"absolute URL|invalid port"):
            endpoint_key(url)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-05-01T22:00:00Z", datetime.datetime(2024, 5, 1, 22, 0, tzinfo=UTC)),
            ("2024-05-01T22:00:00+02:00", datetime.datetime(2024, 5, 1, 20, 0, tzinfo=UTC)),
            ("2024-05-01t22:00:00-0130", datetime.datetime(2024, 5, 1, 23, 30, tzinfo=UTC)),
            (
                "2026-11-23T20:33:50.258322739Z",
                datetime.datetime(2026, 11, 23, 20, 33, 50, 258322, tzinfo=UTC),
            ),
            ("2024-05-01 22:00:00.5z", datetime.datetime(2024, 5, 1, 22, 0, 0, 500000, tzinfo=UTC)),
        ],
    )
    def test_parse_timestamp(self, text: str, expected: datetime.datetime) -> None:
        parsed = parse_timestamp(text)

        assert parsed == expected
        assert parsed.utcoffset() == datetime.timedelta(0)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("2024-05-01T22:00:00", "with a time zone"),
            ("tomorrow", "with a time zone"),
            ("2024-02-30T22:00:00Z", "not a valid date"),
        ],
    )
    def test_parse_timestamp_rejects(self, text: str, reason: str) -> None:
        with pytest.raises(ValueError, match=reason):
            parse_timestamp(text)

    def test_format_timestamp_is_utc_with_milliseconds(self) -> None:
        moment = datetime.datetime(
            2024, 5, 1, 22, 0, 0, 123999, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        )

        assert format_timestamp(moment) == "2024-05-01T20:00:00.123Z"
        assert parse_timestamp(format_timestamp(moment)) == moment.replace(microsecond=123000)

    def test_error_without_body_or_reason(self) -> None:
        error = ApiError("DELETE", "http://x/api/v2/silence/1", 500)

        assert str(error) == "DELETE http://x/api/v2/silence/1 answered HTTP 500"
