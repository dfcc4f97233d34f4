"""The external labels each Prometheus replica runs with, and why a set of them is unusable.

HA replicas need pairwise distinct external labels, so that their series do not clash in
remote storage. ``replica_external_labels`` completes what the inventory declares (it adds
a replica label where nothing distinguishes the replicas) and lists the problems that no
completion can fix, phrased for the ``alertmesh.ha.prometheus`` role's variables. Pure
Python over plain data; ``plugins/filter/relabel.py`` exposes it as a filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    RelabelError,
    render_yaml,
)

__all__ = ["ADD_REPLICA_LABEL_MODES", "replica_external_labels"]

ADD_REPLICA_LABEL_MODES = ("auto", "always", "never")


def _labels_of(replica: str, labels: Any) -> dict[str, str]:
    if labels is None:
        return {}
    if not isinstance(labels, Mapping):
        raise RelabelError(
            f"prometheus_external_labels of {replica!r} must be a mapping of label names to"
            f" values, such as {{dc: europe1}}, got {type(labels).__name__} {labels!r}"
        )
    return {str(name): "" if value is None else str(value) for name, value in labels.items()}


def _identical_pairs(label_sets: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    first_with: dict[frozenset[tuple[str, str]], str] = {}
    pairs = []
    for replica, labels in label_sets.items():
        key = frozenset(labels.items())
        if key in first_with:
            pairs.append((first_with[key], replica))
        else:
            first_with[key] = replica
    return pairs


def replica_external_labels(
    replicas_labels: Mapping[str, Any],
    replica_label: str = "replica",
    add_replica_label: str = "auto",
) -> dict[str, Any]:
    """Return ``{"labels": {replica: external labels}, "problems": [message, ...]}``.

    ``add_replica_label`` decides when ``replica_label: <replica name>`` is added:
    ``auto`` when there are several replicas and none declares any external label,
    ``always`` on every replica (a label a replica declares itself is kept), ``never``
    not at all. Problems: ``always`` with a single replica, and replicas whose final
    labels are identical.
    """
    if not isinstance(replicas_labels, Mapping):
        raise RelabelError(
            "the input must be a mapping of Prometheus replica names to their external labels,"
            f" got {type(replicas_labels).__name__} {replicas_labels!r}"
        )
    if add_replica_label not in ADD_REPLICA_LABEL_MODES:
        raise RelabelError(
            f"prometheus_add_replica_label is {add_replica_label!r}: use one of"
            f" {', '.join(ADD_REPLICA_LABEL_MODES)}"
        )
    if not isinstance(replica_label, str) or not replica_label:
        raise RelabelError(f"prometheus_replica_label {replica_label!r} is not a label name")
    label_sets = {
        str(replica): _labels_of(str(replica), labels)
        for replica, labels in sorted(replicas_labels.items())
    }
    problems = []
    several = len(label_sets) > 1
    if add_replica_label == "always" and not several:
        problems.append(
            f"prometheus_add_replica_label is 'always', but {', '.join(label_sets) or 'no host'}"
            " is the only Prometheus replica: a replica label only tells replicas apart, and"
            " alert relabelling would have to drop it again. Set prometheus_add_replica_label"
            " to 'auto', or add the other replicas to the group."
        )
    adds = add_replica_label == "always" or (
        add_replica_label == "auto" and several and not any(label_sets.values())
    )
    if adds:
        label_sets = {
            replica: {replica_label: replica, **labels} for replica, labels in label_sets.items()
        }
    if several:
        for first, second in _identical_pairs(label_sets):
            problems.append(
                f"prometheus_external_labels of {first} and {second} are identical"
                f" ({render_yaml(label_sets[first])}), so their series clash in remote storage:"
                " give each replica a distinct value in host_vars, for example dc: europe1 and"
                " dc: europe2, or declare none and let the role add"
                f" {replica_label}: <inventory name>."
            )
    return {"labels": label_sets, "problems": problems}
