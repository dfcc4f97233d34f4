"""The alert relabel rules that let HA Prometheus replicas' alerts deduplicate.

Replicas attach their own external labels to every alert, so Alertmanager sees one alert per
replica unless ``alert_relabel_configs`` make the copies identical.
``replica_relabel_configs`` computes the rules that do, and ``alert_dedup_report`` sends a
sample alert through each replica's external labels and rules and reports whether the
copies come out identical, and if not which labels differ and which rules fix them. Pure
Python over plain data; ``plugins/filter/relabel.py`` exposes both as filters, and
``relabel.py`` supplies the relabelling they simulate.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from ansible_collections.alertmesh.ha.plugins.plugin_utils.re2 import quote_meta
from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    DEFAULT_PROMETHEUS_VERSION,
    Behaviour,
    Dialect,
    RelabelError,
    Rule,
    apply_rules,
    is_valid_label_name,
    label_set,
    parse_rule,
    parse_rules,
    prometheus_dialect,
    render_rule,
    render_yaml,
)

__all__ = ["SAMPLE_ALERT_LABELS", "alert_dedup_report", "replica_relabel_configs"]

SAMPLE_ALERT_LABELS: Mapping[str, str] = MappingProxyType(
    {"alertname": "AlertmeshWatchdog", "severity": "none"}
)


def _replica_label_sets(replicas_labels: Any, dialect: Dialect) -> dict[str, dict[str, str]]:
    if not isinstance(replicas_labels, Mapping):
        raise RelabelError(
            "the input must be a mapping of Prometheus replica names to their external labels,"
            f" got {type(replicas_labels).__name__} {replicas_labels!r}"
        )
    for replica in replicas_labels:
        if not isinstance(replica, str):
            raise RelabelError(f"replica name {replica!r} is not a string")
    return {
        replica: label_set(
            replicas_labels[replica], f"the external labels of replica {replica!r}", dialect
        )
        for replica in sorted(replicas_labels)
    }


def _trailing_number_rule(
    name: str, values: Sequence[str], dialect: Dialect
) -> dict[str, Any] | None:
    """The rule that strips the trailing numbers from ``values``, when that makes them equal."""
    if not is_valid_label_name(name, dialect):
        return None
    prefixes = {value.rstrip(string.digits) for value in values}
    prefix = prefixes.pop()
    if prefixes or prefix == "" or prefix in values:
        return None
    # The greedy (.+)\d+ leaves only the last digit to \d+: europe12 becomes europe1. It is
    # right when every suffix is one digit, as in the well-known europe1/europe2 rule; for
    # longer suffixes the lazy (.+?)\d+ stops at the last non-digit. The prefix never ends
    # in a digit, since every trailing digit was stripped.
    single_digits = all(len(value) - len(prefix) == 1 for value in values)
    rule = {
        "source_labels": [name],
        "regex": r"(.+)\d+" if single_digits else r"(.+?)\d+",
        "target_label": name,
    }
    # Prove it on the real values: in Prometheus 2, '.' does not match a newline.
    relabelled = {
        (apply_rules({name: value}, [parse_rule(rule, dialect)]) or {}).get(name)
        for value in values
    }
    return rule if relabelled == {prefix} else None


def _dedup_rules(
    label_sets: Mapping[str, Mapping[str, str]], dialect: Dialect
) -> list[dict[str, Any]]:
    if len(label_sets) < 2:
        return []
    rules = []
    for name in sorted(set().union(*label_sets.values())):
        values = [labels[name] for labels in label_sets.values() if name in labels]
        if len(values) < len(label_sets):
            rules.append({"action": "labeldrop", "regex": quote_meta(name)})
        elif len(set(values)) > 1:
            rules.append(
                _trailing_number_rule(name, values, dialect)
                or {"action": "labeldrop", "regex": quote_meta(name)}
            )
    return rules


def replica_relabel_configs(
    replicas_labels: Mapping[str, Mapping[str, Any]],
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> list[dict[str, Any]]:
    """Return the alert relabel rules that make every replica's external labels identical.

    One rule per label that differs, sorted by label name: a label on every replica whose
    values differ only by a trailing number gets a rule that strips the number, any other
    differing or partial label gets a labeldrop rule. Identical labels, a single replica
    or no replica give no rules.
    """
    dialect = prometheus_dialect(prometheus_version)
    return _dedup_rules(_replica_label_sets(replicas_labels, dialect), dialect)


def _with_external_labels(
    alert_labels: Mapping[str, str], external_labels: Mapping[str, str], behaviour: Behaviour
) -> tuple[dict[str, str], dict[str, str]]:
    """Attach external labels the way Prometheus's notifier does: never over an alert's own,
    sorted in among them or after them (in name order) as ``behaviour`` says. Returns the
    labels and the labels appended after them, for ``apply_rules``."""
    missing = {
        name: value
        for name, value in sorted(external_labels.items())
        if alert_labels.get(name, "") == ""
    }
    if behaviour.external_labels_sorted_in:
        return {**alert_labels, **missing}, {}
    return dict(alert_labels), missing


def _differing_labels(
    label_sets: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str | None]]:
    differing = {}
    for name in sorted(set().union(*label_sets.values())):
        values = {replica: labels.get(name) for replica, labels in label_sets.items()}
        if len(set(values.values())) > 1:
            differing[name] = values
    return differing


def _dedup_message(
    alert_labels: Mapping[str, str],
    differing: Mapping[str, Mapping[str, str | None]],
    dropped: Sequence[str],
    suggested_rules: Sequence[Mapping[str, Any]],
) -> str:
    lines = [
        "Alertmanager cannot deduplicate the alerts of these Prometheus replicas:"
        f" the sample alert {render_yaml(alert_labels)} does not leave them identical."
    ]
    if dropped:
        lines.append(
            f"alert_relabel_configs drop it on {', '.join(dropped)},"
            " so Alertmanager never receives it from there."
        )
    if differing:
        lines.append("After external labels and alert_relabel_configs, these labels differ:")
        lines.extend(
            f"  {name}: "
            + ", ".join(
                f"{replica}={'(absent)' if value is None else render_yaml(value)}"
                for replica, value in values.items()
            )
            for name, values in differing.items()
        )
    if suggested_rules:
        lines.append("Append these rules to alert_relabel_configs to make them identical:")
        lines.extend(f"  - {render_rule(rule)}" for rule in suggested_rules)
    return "\n".join(lines)


def alert_dedup_report(
    replicas_labels: Mapping[str, Mapping[str, Any]],
    configs: Sequence[Mapping[str, Any]] | None,
    alert_labels: Mapping[str, Any] | None = None,
    prometheus_version: int | str = DEFAULT_PROMETHEUS_VERSION,
) -> dict[str, Any]:
    """Simulate one alert on every replica and report whether Alertmanager deduplicates it.

    Each replica attaches its external labels to the sample alert (never over a label the
    alert has) and applies ``configs``. ``suggested_rules`` are computed from the relabelled
    alerts, so they are meant to be appended to ``configs``.
    """
    dialect = prometheus_dialect(prometheus_version)
    external_labels = _replica_label_sets(replicas_labels, dialect)
    rules = parse_rules(configs, dialect)
    alert = label_set(SAMPLE_ALERT_LABELS if alert_labels is None else alert_labels, "alert_labels")
    # One outcome per behaviour the release may have; each replica runs the same release.
    outcomes = [
        (
            behaviour,
            {
                replica: _relabelled(alert, labels, rules, behaviour)
                for replica, labels in external_labels.items()
            },
        )
        for behaviour in dialect.behaviours
    ]
    verdicts = [_verdict(results) for _behaviour, results in outcomes]
    failing = [index for index, verdict in enumerate(verdicts) if not verdict["deduplicates"]]
    # The report shows a failing outcome when there is one, else the first.
    shown = failing[0] if failing else 0
    results, verdict = outcomes[shown][1], verdicts[shown]
    deduplicates = not failing
    undecided = (
        _undecided_reason(dialect, outcomes, verdicts)
        if failing and len(failing) < len(verdicts)
        else ""
    )
    suggested_rules = [] if deduplicates else _dedup_rules(verdict["delivered"], dialect)
    message = ""
    if not deduplicates:
        message = _dedup_message(alert, verdict["differing"], verdict["dropped"], suggested_rules)
        if undecided:
            message = undecided + "\n" + message
    return {
        "deduplicates": deduplicates,
        "labels": results,
        "differing": verdict["differing"],
        "dropped": verdict["dropped"],
        "distinct_external_labels": len(
            {frozenset(labels.items()) for labels in external_labels.values()}
        )
        == len(external_labels),
        "suggested_rules": suggested_rules,
        "undecided": undecided,
        "message": message,
    }


def _relabelled(
    alert: Mapping[str, str],
    external_labels: Mapping[str, str],
    rules: Sequence[Rule],
    behaviour: Behaviour,
) -> dict[str, str] | None:
    labels, appended = _with_external_labels(alert, external_labels, behaviour)
    return apply_rules(labels, rules, behaviour, appended)


def _verdict(results: Mapping[str, dict[str, str] | None]) -> dict[str, Any]:
    delivered = {replica: labels for replica, labels in results.items() if labels is not None}
    dropped = [replica for replica, labels in results.items() if labels is None]
    differing = _differing_labels(delivered)
    return {
        "deduplicates": not dropped and not differing,
        "delivered": delivered,
        "dropped": dropped,
        "differing": differing,
    }


def _undecided_reason(
    dialect: Dialect,
    outcomes: Sequence[tuple[Behaviour, Mapping[str, Any]]],
    verdicts: Sequence[Mapping[str, Any]],
) -> str:
    version = ".".join(map(str, dialect.release)) if dialect.release else str(dialect.major)
    return (
        f"Cannot prove it for Prometheus {version}: these rules deduplicate where "
        + " or ".join(
            behaviour.describe()
            for (behaviour, _results), verdict in zip(outcomes, verdicts, strict=True)
            if verdict["deduplicates"]
        )
        + ", but not where "
        + " or ".join(
            behaviour.describe()
            for (behaviour, _results), verdict in zip(outcomes, verdicts, strict=True)
            if not verdict["deduplicates"]
        )
        + ", and releases differ in that. Give the full release the replicas run"
        " (prometheus_version such as '2.53.3'), or rules whose result does not depend on it."
    )
