"""The webhook sink, run as a process on loopback and driven over HTTP."""

from __future__ import annotations

import json
import time

import requests

HOOK_PATH = "/hook/oncall"


def post(sink: str, payload: object, path: str = HOOK_PATH) -> requests.Response:
    return requests.post(f"{sink}{path}", json=payload, timeout=5)


def records(sink: str, **params: str) -> list[dict]:
    response = requests.get(f"{sink}/notifications", params=params, timeout=5)
    assert response.status_code == 200
    return response.json()


def test_healthz_answers(sink):
    assert requests.get(f"{sink}/healthz", timeout=5).status_code == 200


def test_records_each_notification_with_path_sender_and_time(sink, alertmanager_payload):
    payload = alertmanager_payload()
    before = time.time()
    assert post(sink, payload).status_code == 200
    assert post(sink, payload, "/hook/team/b").status_code == 200

    first, second = records(sink)
    assert first["body"] == payload
    assert (first["path"], second["path"]) == (HOOK_PATH, "/hook/team/b")
    assert first["remote_addr"] == "127.0.0.1"
    assert before <= first["received_at"] <= second["received_at"] <= time.time()


def test_writes_one_json_line_per_notification(sink, alertmanager_payload, tmp_path):
    post(sink, alertmanager_payload(status="firing"))
    post(sink, alertmanager_payload(status="resolved"))
    lines = (tmp_path / "state" / "notifications.jsonl").read_text().splitlines()
    assert [json.loads(line)["body"]["status"] for line in lines] == ["firing", "resolved"]


def test_since_returns_only_later_notifications(sink, alertmanager_payload):
    post(sink, alertmanager_payload(alertnames=("Early",)))
    cutoff = records(sink)[0]["received_at"]
    post(sink, alertmanager_payload(alertnames=("Late",)))

    later = records(sink, since=repr(cutoff))
    assert [r["body"]["alerts"][0]["labels"]["alertname"] for r in later] == ["Late"]
    assert len(records(sink, since="0")) == 2


def test_since_must_be_a_number(sink):
    response = requests.get(f"{sink}/notifications", params={"since": "yesterday"}, timeout=5)
    assert response.status_code == 400


def test_delete_forgets_every_notification(sink, alertmanager_payload):
    post(sink, alertmanager_payload())
    response = requests.delete(f"{sink}/notifications", timeout=5)
    assert (response.status_code, response.content) == (204, b"")
    assert records(sink) == []
    post(sink, alertmanager_payload())
    assert len(records(sink)) == 1


def test_rejects_a_body_that_is_not_a_json_object(sink):
    not_json = requests.post(
        f"{sink}{HOOK_PATH}",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert not_json.status_code == 400
    assert post(sink, ["a", "list"]).status_code == 400
    assert records(sink) == []


def test_unknown_paths_are_not_found_and_not_recorded(sink, alertmanager_payload):
    assert post(sink, alertmanager_payload(), "/alerts").status_code == 404
    assert requests.get(f"{sink}/hook/oncall", timeout=5).status_code == 404
    assert records(sink) == []
