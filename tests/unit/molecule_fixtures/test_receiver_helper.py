"""The testinfra helper: its client against a live sink, and duplicate detection."""

from __future__ import annotations

import pytest
import requests
from receiver import Receiver, alert_names, duplicate_notifications

GROUP_INTERVAL = 30.0
GROUP_KEY = '{}:{alertname="InstanceDown"}'


def test_client_lists_filters_and_clears(sink, alertmanager_payload):
    receiver = Receiver(f"{sink}/")
    requests.post(f"{sink}/hook/a", json=alertmanager_payload(("A",)), timeout=5)
    cutoff = receiver.notifications()[0]["received_at"]
    requests.post(f"{sink}/hook/a", json=alertmanager_payload(("B",)), timeout=5)

    assert alert_names(receiver.notifications()) == ["A", "B"]
    assert alert_names(receiver.notifications(since=cutoff)) == ["B"]
    receiver.clear()
    assert receiver.notifications() == []


def test_wait_for_returns_once_the_predicate_holds(sink, alertmanager_payload):
    requests.post(f"{sink}/hook/a", json=alertmanager_payload(("A",)), timeout=5)
    found = Receiver(sink).wait_for(lambda records: len(records) == 1, timeout=5, interval=0.1)
    assert alert_names(found) == ["A"]


def test_wait_for_times_out_with_what_was_received(sink, alertmanager_payload):
    requests.post(f"{sink}/hook/a", json=alertmanager_payload(("Seen",)), timeout=5)
    with pytest.raises(AssertionError, match=r"after 0\.3s; 1 received:\n.*/hook/a firing.*Seen"):
        Receiver(sink).wait_for(lambda records: len(records) > 1, timeout=0.3, interval=0.1)


def notification(payload, received_at, path="/hook/oncall"):
    return {"received_at": received_at, "path": path, "remote_addr": "10.0.0.2", "body": payload}


def test_same_group_within_the_interval_is_a_duplicate(alertmanager_payload):
    first = notification(alertmanager_payload(), 100.0)
    second = notification(alertmanager_payload(), 100.4)
    third = notification(alertmanager_payload(), 200.0)
    assert duplicate_notifications([third, second, first], GROUP_INTERVAL) == [(first, second)]


def test_every_close_pair_is_reported_in_time_order(alertmanager_payload):
    copies = [notification(alertmanager_payload(), at) for at in (100.0, 101.0, 102.0)]
    assert duplicate_notifications(copies, GROUP_INTERVAL) == [
        (copies[0], copies[1]),
        (copies[1], copies[2]),
    ]


def test_the_alerts_identify_by_labels_without_fingerprints(alertmanager_payload):
    payloads = [alertmanager_payload(), alertmanager_payload()]
    for payload in payloads:
        del payload["alerts"][0]["fingerprint"]
    first, second = (notification(p, at) for p, at in zip(payloads, (100.0, 105.0), strict=True))
    assert duplicate_notifications([first, second], GROUP_INTERVAL) == [(first, second)]


@pytest.mark.parametrize(
    ("later_payload", "later_at", "later_path"),
    [
        pytest.param({}, 100.0 + GROUP_INTERVAL, "/hook/oncall", id="one-group-interval-later"),
        pytest.param({"group_key": '{}:{alertname="Other"}'}, 101.0, "/hook/oncall", id="group"),
        pytest.param({"status": "resolved"}, 101.0, "/hook/oncall", id="firing-then-resolved"),
        pytest.param({"alertnames": ("InstanceDown", "X")}, 101.0, "/hook/oncall", id="alerts"),
        pytest.param({}, 101.0, "/hook/second-webhook", id="another-webhook-of-the-receiver"),
    ],
)
def test_distinct_notifications_are_not_duplicates(
    alertmanager_payload, later_payload, later_at, later_path
):
    first = notification(alertmanager_payload(group_key=GROUP_KEY), 100.0)
    later = notification(
        alertmanager_payload(**{"group_key": GROUP_KEY, **later_payload}), later_at, later_path
    )
    assert duplicate_notifications([first, later], GROUP_INTERVAL) == []


def test_an_alert_that_resolved_within_a_firing_group_is_new(alertmanager_payload):
    both_firing = alertmanager_payload(("A", "B"))
    one_resolved = alertmanager_payload(("A", "B"))
    one_resolved["alerts"][1]["status"] = "resolved"
    records = [notification(both_firing, 100.0), notification(one_resolved, 101.0)]
    assert duplicate_notifications(records, GROUP_INTERVAL) == []
