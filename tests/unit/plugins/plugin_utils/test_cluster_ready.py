from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.mesh import MeshError, cluster_ready

THREE_PEERS = [{"name": n, "address": f"10.0.0.{n}:9094"} for n in (1, 2, 3)]


def test_a_ready_member_that_sees_every_peer_is_ready():
    assert cluster_ready({"status": "ready", "peers": THREE_PEERS}, 3)


def test_a_member_still_settling_is_not_ready():
    assert not cluster_ready({"status": "settling", "peers": THREE_PEERS}, 3)


def test_a_ready_member_missing_a_peer_is_not_ready():
    assert not cluster_ready({"status": "ready", "peers": THREE_PEERS[:2]}, "3")


def test_no_peers_key_counts_as_no_peers():
    assert not cluster_ready({"status": "ready"}, 1)


def test_with_clustering_off_only_disabled_counts():
    assert cluster_ready({"status": "disabled"}, 0)
    assert not cluster_ready({"status": "ready", "peers": THREE_PEERS[:1]}, 0)


def test_a_status_that_is_not_a_mapping_is_an_error():
    with pytest.raises(MeshError, match="the input must be the cluster block of /api/v2/status"):
        cluster_ready(["ready"], 3)


@pytest.mark.parametrize(
    ("status", "expected", "message"),
    [
        (None, 3, "the input must be the cluster block of /api/v2/status"),
        ("three", 3, "got str 'three'"),
        ({"status": "ready", "peers": []}, "three", "expected_peers must be a whole number"),
        ({"status": "ready", "peers": []}, True, "expected_peers must be a whole number"),
        ({"status": "ready", "peers": []}, -1, "must not be negative"),
        ({"status": "ready", "peers": 5}, 3, "peers must be a list"),
    ],
)
def test_cluster_ready_refuses_what_is_not_a_cluster_status(
    status: Any, expected: Any, message: str
) -> None:
    with pytest.raises(MeshError, match=message):
        cluster_ready(status, expected)
