"""Tests of alertmesh.ha.alertmanager_silence against a fake Alertmanager on 127.0.0.1."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from fake_apis import FakeAlertmanager, FakeApis, closed_port_url, parse_time, timestamp

from ansible_collections.alertmesh.ha.plugins.modules import alertmanager_silence
from ansible_collections.alertmesh.ha.plugins.modules.alertmanager_silence import (
    SilenceError,
    parse_duration,
)

RunModule = Callable[..., dict[str, Any]]
MATCHERS = [
    {"name": "instance", "value": "db-1:9100"},
    {"name": "alertname", "value": "Postgres.*|NodeDown", "is_regex": True},
]
API_MATCHERS = [
    {"name": "alertname", "value": "Postgres.*|NodeDown", "isRegex": True, "isEqual": True},
    {"name": "instance", "value": "db-1:9100", "isRegex": False, "isEqual": True},
]
COMMENT = "Kernel upgrade of db-1"


def in_(**delta: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(**delta)


@pytest.fixture
def member(fake_apis: FakeApis) -> FakeAlertmanager:
    return fake_apis.alertmanager()


@pytest.fixture
def silence(member: FakeAlertmanager, run_module: RunModule) -> Callable[..., dict[str, Any]]:
    """Run the module against ``member`` with the test matchers and comment."""

    def run(check_mode: bool = False, diff: bool = False, **args: Any) -> dict[str, Any]:
        module_args = {"url": member.url, "matchers": MATCHERS, "comment": COMMENT, **args}
        return run_module(alertmanager_silence.main, module_args, check_mode, diff)

    return run


def existing(member: FakeAlertmanager, **fields: Any) -> str:
    """Store a silence with the test identity (changed by ``fields``) on ``member``."""
    stored = {
        "matchers": API_MATCHERS,
        "startsAt": timestamp(in_()),
        "endsAt": timestamp(in_(hours=2)),
        "createdBy": "alertmesh.ha",
        "comment": COMMENT,
        **fields,
    }
    return member.add_silence(stored)


def seconds_between(first: str, second: datetime.datetime) -> float:
    return abs((parse_time(first) - second).total_seconds())


class TestCreate:
    def test_creates_then_reuses(self, member: FakeAlertmanager, silence: Callable) -> None:
        first = silence(duration="2h")
        second = silence(duration="2h")

        assert first["changed"] is True
        assert second["changed"] is False
        assert first["silence_id"] == second["silence_id"]
        (stored,) = member.live_silences()
        assert stored["id"] == first["silence_id"]
        assert first["silence"] == stored
        assert stored["status"]["state"] == "active"
        assert stored["createdBy"] == "alertmesh.ha"
        assert sorted(stored["matchers"], key=lambda m: m["name"]) == API_MATCHERS
        assert seconds_between(stored["endsAt"], in_(hours=2)) < 5

    def test_matcher_order_does_not_matter(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        silence(duration="1h")

        again = silence(duration="1h", matchers=list(reversed(MATCHERS)))

        assert again["changed"] is False
        assert len(member.live_silences()) == 1

    def test_check_mode_creates_nothing(self, member: FakeAlertmanager, silence: Callable) -> None:
        result = silence(check_mode=True, duration="2h")

        assert result["changed"] is True
        assert result["silence_id"] is None
        assert "id" not in result["silence"]
        assert result["silence"]["matchers"] == API_MATCHERS
        assert member.requests_to("POST", "/") == []
        assert member.silences == {}

    def test_diff_shows_the_new_silence(self, silence: Callable) -> None:
        ends_at = timestamp(in_(hours=3))

        result = silence(diff=True, ends_at=ends_at, created_by="alice")

        assert result["diff"]["before"] == {}
        after = result["diff"]["after"]
        assert after["matchers"] == API_MATCHERS
        assert after["endsAt"] == ends_at
        assert after["createdBy"] == "alice"
        assert after["comment"] == COMMENT
        assert seconds_between(after["startsAt"], in_()) < 5

    def test_negative_matcher(self, member: FakeAlertmanager, silence: Callable) -> None:
        matchers = [{"name": "env", "value": "prod", "is_equal": False}]

        silence(duration="1h", matchers=matchers)

        (stored,) = member.live_silences()
        assert stored["matchers"] == [
            {"isEqual": False, "isRegex": False, "name": "env", "value": "prod"}
        ]

    def test_future_start_makes_a_pending_silence(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        starts_at = in_(days=1).replace(microsecond=0)

        first = silence(starts_at=starts_at.isoformat(), duration="6h")
        second = silence(starts_at=starts_at.isoformat(), duration="6h")

        assert first["silence"]["status"]["state"] == "pending"
        assert parse_time(first["silence"]["startsAt"]) == starts_at
        assert parse_time(first["silence"]["endsAt"]) == starts_at + datetime.timedelta(hours=6)
        assert second["changed"] is False

    def test_other_comment_or_creator_is_another_silence(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        silence(duration="1h")

        other_comment = silence(duration="1h", comment="Another reason")
        other_creator = silence(duration="1h", created_by="bob")

        assert other_comment["changed"] is True
        assert other_creator["changed"] is True
        assert len(member.live_silences()) == 3

    def test_expired_silence_is_not_reused(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        old_id = existing(member)
        silence(state="absent")

        result = silence(duration="1h")

        assert result["changed"] is True
        assert result["silence_id"] != old_id

    def test_silence_without_is_equal_from_old_alertmanagers_matches(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        ends_at = timestamp(in_(hours=1))
        stored_id = existing(member, endsAt=ends_at)
        listed = member.silence(stored_id)
        for matcher in listed["matchers"]:
            del matcher["isEqual"]
        member.inject("GET", "/api/v2/silences", 200, json.dumps([listed]), "application/json")

        result = silence(ends_at=ends_at)

        assert result["changed"] is False
        assert result["silence_id"] == stored_id


class TestUpdate:
    def test_explicit_end_is_moved_in_place(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        stored_id = existing(member, endsAt=timestamp(in_(hours=1)))
        new_end = timestamp(in_(hours=4))

        result = silence(diff=True, ends_at=new_end)

        assert result["changed"] is True
        assert result["silence_id"] == stored_id
        assert member.silence(stored_id)["endsAt"] == new_end
        assert result["diff"]["before"]["endsAt"] != result["diff"]["after"]["endsAt"]
        assert result["diff"]["after"]["endsAt"] == new_end
        assert len(member.live_silences()) == 1

    def test_explicit_end_within_a_second_is_unchanged(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        end = in_(hours=1)
        existing(member, endsAt=timestamp(end))

        result = silence(ends_at=timestamp(end + datetime.timedelta(milliseconds=900)))

        assert result["changed"] is False
        assert member.requests_to("POST", "/") == []

    def test_check_mode_update_changes_nothing(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        old_end = timestamp(in_(hours=1))
        stored_id = existing(member, endsAt=old_end)
        new_end = timestamp(in_(hours=4))

        result = silence(check_mode=True, ends_at=new_end)

        assert result["changed"] is True
        assert result["silence_id"] == stored_id
        assert result["silence"]["endsAt"] == new_end
        assert member.silence(stored_id)["endsAt"] == old_end

    @pytest.mark.parametrize(
        ("remaining", "duration", "changed"),
        [
            ({"hours": 2}, "2h", False),
            ({"hours": 2, "seconds": -30}, "2h", False),
            ({"hours": 2, "seconds": 30}, "2h", False),
            ({"hours": 2, "minutes": -11}, "2h", False),
            ({"hours": 2, "minutes": -13}, "2h", True),
            ({"minutes": 30}, "2h", True),
            ({"hours": 5}, "2h", True),
            ({"seconds": 80}, "90s", False),
            ({"seconds": 20}, "90s", True),
        ],
        ids=[
            "same",
            "30s-earlier",
            "30s-later",
            "11m-earlier-within-a-tenth",
            "13m-earlier",
            "much-earlier",
            "much-later",
            "short-within-60s",
            "short-beyond-60s",
        ],
    )
    def test_duration_margin(
        self,
        member: FakeAlertmanager,
        silence: Callable,
        remaining: dict[str, float],
        duration: str,
        changed: bool,
    ) -> None:
        stored_id = existing(member, endsAt=timestamp(in_(**remaining)))

        result = silence(duration=duration)

        assert result["changed"] is changed
        assert result["silence_id"] == stored_id
        if changed:
            wanted = in_(seconds=parse_duration(duration).total_seconds())
            assert seconds_between(member.silence(stored_id)["endsAt"], wanted) < 5

    def test_pending_start_is_moved(self, member: FakeAlertmanager, silence: Callable) -> None:
        stored_id = existing(
            member, startsAt=timestamp(in_(hours=1)), endsAt=timestamp(in_(hours=5))
        )
        new_start = in_(hours=2).replace(microsecond=0)

        result = silence(starts_at=new_start.isoformat(), duration="1h")

        assert result["changed"] is True
        assert result["silence_id"] == stored_id
        stored = member.silence(stored_id)
        assert parse_time(stored["startsAt"]) == new_start
        assert parse_time(stored["endsAt"]) == new_start + datetime.timedelta(hours=1)

    def test_past_start_of_an_active_silence_is_ignored(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        end = in_(hours=1)
        existing(member, endsAt=timestamp(end))

        result = silence(starts_at=timestamp(in_(hours=-1)), ends_at=timestamp(end))

        assert result["changed"] is False

    def test_future_start_replaces_an_active_silence(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        old_id = existing(member)
        starts_at = timestamp(in_(hours=1))

        result = silence(starts_at=starts_at, duration="1h")

        assert result["changed"] is True
        assert result["silence_id"] != old_id
        assert member.silence(old_id)["status"]["state"] == "expired"
        assert result["silence"]["status"]["state"] == "pending"
        assert [live["id"] for live in member.live_silences()] == [result["silence_id"]]


class TestAbsent:
    def test_expires_every_matching_silence(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        doomed = {existing(member), existing(member, startsAt=timestamp(in_(hours=1)))}
        kept = {
            existing(member, comment="Another reason"),
            existing(member, createdBy="bob"),
            existing(member, matchers=API_MATCHERS[:1]),
        }

        result = silence(diff=True, state="absent")
        again = silence(state="absent")

        assert result["changed"] is True
        assert set(result["expired_silence_ids"]) == doomed
        assert result["silence_id"] is None
        assert result["silence"] is None
        assert len(result["diff"]["before"]["silences"]) == 2
        assert result["diff"]["after"] == {"silences": []}
        assert {live["id"] for live in member.live_silences()} == kept
        assert again["changed"] is False
        assert again["expired_silence_ids"] == []

    def test_without_comment_any_comment_matches(
        self, member: FakeAlertmanager, run_module: RunModule
    ) -> None:
        existing(member)
        existing(member, comment="Another reason")
        kept = existing(member, createdBy="bob")

        result = run_module(
            alertmanager_silence.main, {"url": member.url, "matchers": MATCHERS, "state": "absent"}
        )

        assert len(result["expired_silence_ids"]) == 2
        assert [live["id"] for live in member.live_silences()] == [kept]

    def test_check_mode_expires_nothing(self, member: FakeAlertmanager, silence: Callable) -> None:
        stored_id = existing(member)

        result = silence(check_mode=True, state="absent")

        assert result["changed"] is True
        assert result["expired_silence_ids"] == [stored_id]
        assert member.requests_to("DELETE", "/") == []
        assert member.silence(stored_id)["status"]["state"] == "active"

    def test_silence_gone_between_list_and_delete_is_tolerated(
        self, member: FakeAlertmanager, silence: Callable
    ) -> None:
        stored_id = existing(member)
        member.inject("DELETE", "/api/v2/silence/*", 500, '"silence not found"')
        member.inject("GET", f"/api/v2/silence/{stored_id}", 404, "")

        result = silence(state="absent")

        assert result["changed"] is True
        assert result["expired_silence_ids"] == [stored_id]

    def test_failed_delete(self, member: FakeAlertmanager, silence: Callable) -> None:
        stored_id = existing(member)
        member.inject("DELETE", "/api/v2/silence/*", 503, "unavailable")

        result = silence(state="absent")

        assert result["failed"] is True
        assert result["msg"].startswith(
            f"Could not expire silence {stored_id} on {member.url}: DELETE"
        )
        assert "answered HTTP 503" in result["msg"]


class TestFailures:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"duration": "2h", "ends_at": "2030-01-01T00:00:00Z"}, "mutually exclusive"),
            ({}, "state is present but any of the following are missing: ends_at, duration"),
            ({"duration": "2h", "comment": None}, "state=present needs a comment"),
            ({"duration": "2h", "comment": ""}, "state=present needs a comment"),
            ({"duration": None}, "state=present needs ends_at or duration"),
            ({"duration": "2h", "matchers": []}, "at least one matcher"),
            ({"duration": "2h", "matchers": [{"name": "job"}]}, "value"),
            ({"duration": "2 hours"}, "'2 hours' is not a duration such as 2h"),
            ({"duration": "0s"}, "must be longer than 0 seconds"),
            ({"duration": "90"}, "is not a duration"),
            ({"ends_at": "2030-01-01T00:00:00"}, "ends_at: '2030-01-01T00:00:00' is not an RFC"),
            ({"starts_at": "soon", "duration": "1h"}, "starts_at: 'soon' is not an RFC 3339"),
            ({"ends_at": "2020-01-01T00:00:00Z"}, "2020-01-01T00:00:00.000Z, which is not in"),
            (
                {"starts_at": "2100-01-02T00:00:00Z", "ends_at": "2100-01-01T00:00:00Z"},
                "before it starts at 2100-01-02T00:00:00.000Z",
            ),
        ],
    )
    def test_invalid_arguments(
        self, member: FakeAlertmanager, silence: Callable, args: dict[str, Any], message: str
    ) -> None:
        result = silence(**args)

        assert result["failed"] is True
        assert message in result["msg"]
        assert member.requests_to("POST", "/") == []

    def test_unreachable_alertmanager(self, run_module: RunModule) -> None:
        url = closed_port_url()

        result = run_module(
            alertmanager_silence.main,
            {"url": url, "matchers": MATCHERS, "comment": COMMENT, "duration": "1h"},
        )

        assert result["msg"].startswith(
            f"Could not list the silences of {url}: GET {url}/api/v2/silences failed:"
        )

    def test_rejected_silence(self, member: FakeAlertmanager, silence: Callable) -> None:
        member.inject("POST", "/api/v2/silences", 400, '"bad matcher"')

        result = silence(duration="1h")

        assert result["msg"] == (
            f"Could not create the silence on {member.url}: POST {member.url}/api/v2/silences"
            ' answered HTTP 400 (Bad Request): "bad matcher"'
        )

    def test_rejected_update(self, member: FakeAlertmanager, silence: Callable) -> None:
        existing(member, endsAt=timestamp(in_(hours=1)))
        member.inject("POST", "/api/v2/silences", 500, '"storage full"')

        result = silence(ends_at=timestamp(in_(hours=2)))

        assert result["msg"].startswith(f"Could not update the silence on {member.url}: POST")

    @pytest.mark.parametrize(
        "listed",
        [
            [{"id": "x", "matchers": [], "startsAt": "2024-05-01T22:00:00Z"}],
            [{"id": 5}],
            ["junk"],
            {"silences": []},
        ],
        ids=["no-endsAt", "id-not-a-string", "not-a-silence", "not-a-list"],
    )
    def test_silences_of_an_unexpected_shape_fail_naming_the_url(
        self, member: FakeAlertmanager, silence: Callable, listed: Any
    ) -> None:
        member.inject("GET", "/api/v2/silences", 200, json.dumps(listed), "application/json")

        result = silence(duration="2h")

        assert result["failed"] is True
        assert result["msg"].startswith(
            f"Could not list the silences of {member.url}: GET {member.url}/api/v2/silences"
            " answered HTTP 200 (expected a list of which every item is a silence"
        )

    def test_credentials_in_the_url_are_used_and_never_shown(
        self, fake_apis: FakeApis, run_module: RunModule
    ) -> None:
        member = fake_apis.alertmanager(credentials=("ops", "Secret-pw"))
        member.inject("POST", "/api/v2/silences", 503, "unavailable")
        url = member.url.replace("http://", "http://ops:Secret-pw@")
        args = {"url": url, "matchers": MATCHERS, "comment": COMMENT, "duration": "1h"}

        result = run_module(alertmanager_silence.main, args)

        assert result["failed"] is True
        assert result["msg"].startswith(
            f"Could not create the silence on {member.url}: POST {member.url}/api/v2/silences"
            " answered HTTP 503"
        )
        assert "Secret-pw" not in json.dumps(result)

    def test_basic_auth(self, fake_apis: FakeApis, run_module: RunModule) -> None:
        member = fake_apis.alertmanager(credentials=("ansible", "s3cret"))
        args = {"url": member.url, "matchers": MATCHERS, "comment": COMMENT, "duration": "1h"}

        denied = run_module(alertmanager_silence.main, args)
        allowed = run_module(
            alertmanager_silence.main, {**args, "url_username": "ansible", "url_password": "s3cret"}
        )

        assert "answered HTTP 401" in denied["msg"]
        assert allowed["changed"] is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", datetime.timedelta(hours=2)),
        ("30m", datetime.timedelta(minutes=30)),
        ("1h30m", datetime.timedelta(hours=1, minutes=30)),
        ("90s", datetime.timedelta(seconds=90)),
        ("1w2d3h4m5s", datetime.timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        (" 1d12h ", datetime.timedelta(days=1, hours=12)),
    ],
)
def test_parse_duration(text: str, expected: datetime.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "h", "30m1h", "1.5h", "-1h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(SilenceError, match="is not a duration"):
        parse_duration(text)
