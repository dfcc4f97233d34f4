r"""Tests for Prometheus relabelling: label sets, rules, their checks and how they apply.

Expected behaviour comes from Prometheus's configuration docs and from the cases in
prometheus/prometheus model/relabel/relabel_test.go, restated here. The regex language
itself is tested in test_re2.py, the rules for HA replicas in test_replica_dedup.py.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    ACTIONS,
    RelabelConfigError,
    RelabelError,
    prometheus_dialect,
    relabel,
    relabel_config_problems,
    render_rule,
)

ARTICLE_RULE = {"source_labels": ["dc"], "regex": r"(.+)\d+", "target_label": "dc"}


def expected_hashmod(value: str, modulus: int) -> str:
    """Prometheus's hashmod, computed independently: md5, last 8 bytes, big-endian uint64."""
    (last_eight_bytes,) = struct.unpack(">Q", hashlib.md5(value.encode("utf-8")).digest()[8:])
    return str(last_eight_bytes % modulus)


def keeps(regex: str, value: str, prometheus_version: int = 2) -> bool:
    """Whether a keep rule with ``regex`` keeps a label set whose label ``v`` is ``value``."""
    rule = {"source_labels": ["v"], "regex": regex, "action": "keep"}
    return relabel({"v": value}, [rule], prometheus_version) is not None


# Defaults


def test_default_rule_copies_the_source_value() -> None:
    rule = {"source_labels": ["instance"], "target_label": "host"}
    assert relabel({"instance": "node1:9100"}, [rule]) == {
        "host": "node1:9100",
        "instance": "node1:9100",
    }


def test_source_values_are_joined_with_a_semicolon() -> None:
    rule = {
        "source_labels": ["job", "instance"],
        "regex": "(.*);(.*)",
        "replacement": "$2@$1",
        "target_label": "where",
    }
    assert relabel({"job": "node", "instance": "n1"}, [rule])["where"] == "n1@node"


def test_missing_source_labels_join_as_empty_values() -> None:
    rule = {"source_labels": ["a", "missing", "b"], "target_label": "joined"}
    assert relabel({"a": "x", "b": "y"}, [rule])["joined"] == "x;;y"


def test_custom_separator() -> None:
    rule = {"source_labels": ["a", "b"], "separator": "/", "target_label": "joined"}
    assert relabel({"a": "x", "b": "y"}, [rule])["joined"] == "x/y"


def test_static_label_without_source_labels() -> None:
    assert relabel({"a": "x"}, [{"target_label": "env", "replacement": "prod"}]) == {
        "a": "x",
        "env": "prod",
    }


def test_rules_apply_in_order_and_see_earlier_results() -> None:
    rules = [
        {
            "source_labels": ["a", "b"],
            "regex": "f(.*);(.*)r",
            "target_label": "a",
            "replacement": "b${1}${2}m",
        },
        {
            "source_labels": ["c", "a"],
            "regex": "(b).*b(.*)ba(.*)",
            "target_label": "d",
            "replacement": "$1$2$2$3",
        },
    ]
    assert relabel({"a": "foo", "b": "bar", "c": "baz"}, rules) == {
        "a": "boobam",
        "b": "bar",
        "c": "baz",
        "d": "boooom",
    }


def test_no_match_means_no_replacement() -> None:
    rule = {"source_labels": ["a"], "regex": "f", "target_label": "b", "replacement": "bar"}
    assert relabel({"a": "boo"}, [rule]) == {"a": "boo"}


EMPTY_VALUE_FOR_TEMPLATED_TARGET = {
    "source_labels": ["a"],
    "regex": "(f).*",
    "target_label": "$1",
    "replacement": "$2",
}


@pytest.mark.parametrize("release", ["2.50.0", "2.53.3", "3.5.3", 3])
def test_an_empty_value_deletes_the_expanded_target_label_since_2_50(release: str | int) -> None:
    rule = EMPTY_VALUE_FOR_TEMPLATED_TARGET
    assert relabel({"a": "foo", "f": "baz"}, [rule], release) == {"a": "foo"}


def test_an_empty_value_deleted_the_unexpanded_template_before_2_50() -> None:
    # Prometheus 2.42 deletes the label named "$1", which does not exist: nothing changes.
    rule = EMPTY_VALUE_FOR_TEMPLATED_TARGET
    assert relabel({"a": "foo", "f": "baz"}, [rule], "2.42.0") == {"a": "foo", "f": "baz"}


def test_a_result_that_depends_on_the_2_x_release_is_refused_for_a_bare_major() -> None:
    with pytest.raises(RelabelError, match="depends on which Prometheus 2 release") as error:
        relabel({"a": "foo", "f": "baz"}, [EMPTY_VALUE_FOR_TEMPLATED_TARGET], 2)
    assert "Give prometheus_version as the full release" in str(error.value)


def test_replacement_may_use_the_capture_in_the_middle() -> None:
    rule = {"source_labels": ["a"], "regex": ".*(b).*", "target_label": "d"}
    assert relabel({"a": "abc"}, [rule]) == {"a": "abc", "d": "b"}


def test_no_rules_return_the_labels_sorted() -> None:
    assert list(relabel({"b": "2", "a": "1"}, [])) == ["a", "b"]
    assert relabel({"a": "1"}, None) == {"a": "1"}


@pytest.mark.parametrize("action", ["Replace", "REPLACE", "rePlace"])
def test_action_names_are_case_insensitive(action: str) -> None:
    rule = {"source_labels": ["a"], "target_label": "b", "action": action}
    assert relabel({"a": "x"}, [rule]) == {"a": "x", "b": "x"}


def test_all_eleven_actions_are_known() -> None:
    assert len(ACTIONS) == 11


# keep and drop


@pytest.mark.parametrize(
    ("rule", "kept"),
    [
        ({"source_labels": ["a"], "regex": "f.*", "action": "keep"}, True),
        ({"source_labels": ["a"], "regex": "no-match", "action": "keep"}, False),
        ({"source_labels": ["a"], "regex": ".*o.*", "action": "drop"}, False),
        ({"source_labels": ["a"], "regex": "no-match", "action": "drop"}, True),
        # Anchored: f|o matches "f" or "o", not "foo".
        ({"source_labels": ["a"], "regex": "f|o", "action": "drop"}, True),
        ({"source_labels": ["missing"], "regex": "", "action": "keep"}, True),
    ],
)
def test_keep_and_drop(rule: dict[str, Any], kept: bool) -> None:
    assert (relabel({"a": "foo"}, [rule]) is not None) is kept


def test_a_dropped_label_set_stops_the_rules() -> None:
    rules = [
        {"source_labels": ["a"], "regex": ".*o.*", "action": "drop"},
        {"source_labels": ["a"], "target_label": "d", "replacement": "never"},
    ]
    assert relabel({"a": "foo"}, rules) is None


# Anchoring


@pytest.mark.parametrize(
    ("regex", "value", "matches"),
    [
        ("oo", "foo", False),
        (".*oo", "foo", True),
        ("foo|bar", "foobar", False),
        ("foo|bar", "bar", True),
        # RE2's $ is the end of the text, not "before a final newline" as in Python.
        ("foo$\n", "foo\n", False),
        ("(?m)foo$\n", "foo\n", True),
        ("^foo$", "foo", True),
    ],
)
def test_regexes_are_fully_anchored(regex: str, value: str, matches: bool) -> None:
    assert keeps(regex, value) is matches


def test_prometheus_2_dot_does_not_match_a_newline_and_prometheus_3_dot_does() -> None:
    assert not keeps("line1.*line2", "line1\nline2", prometheus_version=2)
    assert keeps("line1.*line2", "line1\nline2", prometheus_version=3)
    copy = {"source_labels": ["a"], "target_label": "b"}
    assert relabel({"a": "x\ny"}, [copy], 2) == {"a": "x\ny"}
    assert relabel({"a": "x\ny"}, [copy], 3) == {"a": "x\ny", "b": "x\ny"}


def test_regex_flags_can_turn_the_newline_match_off_again() -> None:
    assert not keeps("(?-s:.)", "\n", prometheus_version=3)
    assert keeps("(?s).", "\n", prometheus_version=2)


def test_anchoring_is_done_on_the_text_as_prometheus_does() -> None:
    # Prometheus compiles "^(?:" + regex + ")$", so a) |(b escapes the anchoring group.
    rule = {"source_labels": ["v"], "regex": "a)|(b", "action": "drop"}
    assert relabel({"v": "ax"}, [rule]) is None
    assert relabel({"v": "xb"}, [rule]) is None
    assert relabel({"v": "x"}, [rule]) == {"v": "x"}


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        ("a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
        (r"(a)\1", r"invalid escape sequence: `\1`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("x{1001}", "invalid repeat count: `{1001}`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("(a", "missing closing ): `^(?:(a)$`"),
        ("a))", "unexpected ): `^(?:a)))$`"),
    ],
)
def test_a_regex_that_re2_rejects_fails_its_rule(regex: str, message: str) -> None:
    rule = {"source_labels": ["a"], "regex": regex, "action": "keep"}
    with pytest.raises(RelabelConfigError) as raised:
        relabel({"a": "x"}, [rule])
    assert str(raised.value) == (
        f"configs[0] {render_rule(rule)}: invalid regex: error parsing regexp: {message}"
    )


def test_a_unicode_class_fails_its_rule_saying_it_is_valid_re2() -> None:
    rule = {"source_labels": ["a"], "regex": r"\pL", "action": "keep"}
    with pytest.raises(RelabelConfigError) as raised:
        relabel({"a": "x"}, [rule])
    assert str(raised.value).startswith(
        f"configs[0] {render_rule(rule)}: invalid regex: \\p (a Unicode class) is valid RE2,"
    )


# replace: templated and invalid target labels


def test_templated_target_label() -> None:
    rule = {
        "source_labels": ["a"],
        "regex": "some-([^-]+)-([^,]+)",
        "replacement": "${2}",
        "target_label": "${1}",
    }
    assert relabel({"a": "some-name-value"}, [rule]) == {"a": "some-name-value", "name": "value"}


@pytest.mark.parametrize(
    ("target_label", "replacement"),
    [
        ("${3}", "${1}"),  # expands to ""
        ("${1}", "${3}"),  # a replacement that expands to "" deletes a label that is absent
    ],
)
def test_invalid_or_empty_expansions_change_nothing(target_label: str, replacement: str) -> None:
    rule = {
        "source_labels": ["a"],
        "regex": "some-([^-]+)-([^,]+)",
        "target_label": target_label,
        "replacement": replacement,
    }
    assert relabel({"a": "some-name-0"}, [rule, rule]) == {"a": "some-name-0"}


def test_target_label_expanding_to_an_invalid_name_changes_nothing_in_prometheus_2() -> None:
    rule = {"source_labels": ["a"], "target_label": "$1", "replacement": "x"}
    assert relabel({"a": "1abc"}, [rule], prometheus_version=2) == {"a": "1abc"}
    assert relabel({"a": "1abc"}, [rule], prometheus_version=3) == {"a": "1abc", "1abc": "x"}


def test_real_life_sd_tags() -> None:
    tags = "path:/secret,job:some-job,label:foo=bar"
    rules = [
        {
            "source_labels": ["__meta_sd_tags"],
            "regex": "(?:.+,|^)path:(/[^,]+).*",
            "target_label": "__metrics_path__",
        },
        {
            "source_labels": ["__meta_sd_tags"],
            "regex": "(?:.+,|^)job:([^,]+).*",
            "target_label": "job",
        },
        {
            "source_labels": ["__meta_sd_tags"],
            "regex": "(?:.+,|^)label:([^=]+)=([^,]+).*",
            "replacement": "${2}",
            "target_label": "${1}",
        },
    ]
    assert relabel({"__meta_sd_tags": tags}, rules) == {
        "__meta_sd_tags": tags,
        "__metrics_path__": "/secret",
        "foo": "bar",
        "job": "some-job",
    }


def test_a_dropped_label_can_be_set_again_and_kept() -> None:
    rules = [
        {"regex": "^port_name$", "action": "labeldrop"},
        {
            "source_labels": ["port"],
            "regex": "(.+)",
            "replacement": "metrics",
            "target_label": "port_name",
        },
        {"source_labels": ["port_name"], "regex": "^metrics$", "action": "keep"},
    ]
    assert relabel({"port_name": "foo", "port": "9091"}, rules) == {
        "port": "9091",
        "port_name": "metrics",
    }


# labelmap, labeldrop, labelkeep


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"regex": "(b.*)", "replacement": "bar_${1}", "action": "labelmap"},
            {"a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"},
        ),
        (
            {"regex": "b(.*)", "action": "labelmap"},
            {"a": "foo", "b1": "bar", "b2": "baz", "1": "bar", "2": "baz"},
        ),
        ({"regex": "(b.*)", "action": "labelkeep"}, {"b1": "bar", "b2": "baz"}),
        ({"regex": "(b.*)", "action": "labeldrop"}, {"a": "foo"}),
        ({"regex": "b", "action": "labeldrop"}, {"a": "foo", "b1": "bar", "b2": "baz"}),
        ({"regex": "B.*", "action": "LabelDrop"}, {"a": "foo", "b1": "bar", "b2": "baz"}),
    ],
)
def test_label_name_actions(rule: dict[str, Any], expected: dict[str, str]) -> None:
    assert relabel({"a": "foo", "b1": "bar", "b2": "baz"}, [rule]) == expected


def test_labelmap_copies_meta_labels() -> None:
    labels = {"a": "foo", "__meta_my_bar": "aaa", "__meta_my_baz": "bbb", "__meta_other": "ccc"}
    rule = {"regex": "__meta_(my.*)", "replacement": "${1}", "action": "labelmap"}
    assert relabel(labels, [rule]) == {**labels, "my_bar": "aaa", "my_baz": "bbb"}


def test_labelmap_does_not_check_the_names_it_writes() -> None:
    # "1a" is no valid Prometheus 2 label name; Prometheus's labelmap writes it all the same.
    assert relabel({"x_1a": "v"}, [{"regex": "x_(.*)", "action": "labelmap"}]) == {
        "1a": "v",
        "x_1a": "v",
    }


COLLIDE = {"regex": "._(x)", "action": "labelmap"}
SET_A_X = {"target_label": "a_x", "replacement": "1"}
SET_A_X_AGAIN = {"target_label": "a_x", "replacement": "3"}
SET_B_X = {"target_label": "b_x", "replacement": "2"}


@pytest.mark.parametrize("release", ["2.43.1", "2.53.3", "3.5.3", 3])
def test_labelmap_collisions_follow_the_shared_label_builder_since_2_43(
    release: str | int,
) -> None:
    assert relabel({"a_x": "1", "b_x": "2"}, [COLLIDE], release)["x"] == "2"
    # A label set by an earlier rule is visited after the input labels, whatever its name.
    assert relabel({"b_x": "2"}, [SET_A_X, COLLIDE], release)["x"] == "1"
    # That holds for an input label that a rule sets again ...
    assert relabel({"a_x": "1", "b_x": "2"}, [SET_A_X_AGAIN, COLLIDE], release)["x"] == "3"
    # ... while a label set twice by rules keeps the place of its first setting.
    assert relabel({}, [SET_A_X, SET_B_X, SET_A_X_AGAIN, COLLIDE], release)["x"] == "2"


def test_labelmap_collisions_follow_name_order_in_2_42() -> None:
    # Up to 2.42 every rule starts from the labels sorted by name, so b_x is visited last.
    assert relabel({"b_x": "2"}, [SET_A_X, COLLIDE], "2.42.0")["x"] == "2"
    assert relabel({"a_x": "1", "b_x": "2"}, [SET_A_X_AGAIN, COLLIDE], "2.42.0")["x"] == "2"


def test_the_issue_s_2_42_labelmap_example() -> None:
    # {b_x: B}, then a_x=A set by a rule, then labelmap [ab]_(x): 2.42 visits a_x, b_x.
    rules = [
        {"target_label": "a_x", "replacement": "A"},
        {"action": "labelmap", "regex": "[ab]_(x)", "replacement": "m_$1"},
    ]
    assert relabel({"b_x": "B"}, rules, "2.42.0")["m_x"] == "B"
    assert relabel({"b_x": "B"}, rules, "2.53.3")["m_x"] == "A"
    with pytest.raises(RelabelError, match="depends on which Prometheus 2 release"):
        relabel({"b_x": "B"}, rules, "2.43.0")


@pytest.mark.parametrize(
    ("version", "release"),
    [
        ("2", None),
        (3, None),
        ("2.42.0", (2, 42, 0)),
        ("v2.53.3", (2, 53, 3)),
        ("2.42.0+ds", (2, 42, 0)),
        ("3.5.3-rc.0", (3, 5, 3)),
        ("2.53", None),
    ],
)
def test_a_full_release_is_read_from_the_version(version: str | int, release: tuple | None) -> None:
    assert prometheus_dialect(version).release == release


def test_a_known_release_has_one_behaviour_and_a_bare_2_every_one() -> None:
    assert len(prometheus_dialect("2.42.0").behaviours) == 1
    assert len(prometheus_dialect("2.53.3").behaviours) == 1
    assert len(prometheus_dialect("3").behaviours) == 1
    assert len(prometheus_dialect("2").behaviours) == 8
    # Between the releases known to behave one way or the other, both are possible: 2.45
    # shares one label builder and keeps the template deletion, but where its notifier
    # puts external labels is not known.
    [first, second] = prometheus_dialect("2.45.0").behaviours
    assert not first.rules_see_sorted_labels
    assert first.empty_target_deletes_template
    assert first.external_labels_sorted_in != second.external_labels_sorted_in


def test_labelmap_skips_an_empty_match_right_after_a_match_like_go() -> None:
    # ^(?:a)|(b*)$ matches "a" and then the empty string at its end, which Go leaves alone.
    labelmap = {"regex": "a)|(b*", "replacement": "Z", "action": "labelmap"}
    assert relabel({"a": "v"}, [labelmap]) == {"Z": "v", "a": "v"}


def test_labelmap_replaces_every_match_like_go_replace_all() -> None:
    # "a)|(b" compiles to ^(?:a)|(b)$, which matches "ab" twice.
    assert relabel({"ab": "v"}, [{"regex": "a)|(b", "replacement": "Z", "action": "labelmap"}]) == {
        "ZZ": "v",
        "ab": "v",
    }


# lowercase and uppercase


def test_lowercase_and_uppercase() -> None:
    rules = [
        {"source_labels": ["foo"], "action": "uppercase", "target_label": "foo_uppercase"},
        {"source_labels": ["foo"], "action": "lowercase", "target_label": "foo_lowercase"},
    ]
    assert relabel({"foo": "bAr123Foo"}, rules) == {
        "foo": "bAr123Foo",
        "foo_lowercase": "bar123foo",
        "foo_uppercase": "BAR123FOO",
    }


@pytest.mark.parametrize(
    ("action", "value", "expected"),
    [
        ("uppercase", "stra\u00dfe", "STRA\u00dfE"),  # Go keeps the sharp s
        ("uppercase", "\u1fb3", "\u1fbc"),  # one rune for an iota subscript
        ("lowercase", "\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c3"),  # no final sigma
        ("lowercase", "\u0130", "i"),
    ],
)
def test_case_mapping_is_rune_by_rune_like_go(action: str, value: str, expected: str) -> None:
    rule = {"source_labels": ["v"], "action": action, "target_label": "out"}
    assert relabel({"v": value}, [rule])["out"] == expected


# keepequal and dropequal


@pytest.mark.parametrize(
    ("action", "target_label", "kept"),
    [
        ("keepequal", "port1", True),
        ("keepequal", "port2", False),
        ("dropequal", "port1", False),
        ("dropequal", "port2", True),
        ("keepequal", "missing", False),
    ],
)
def test_keepequal_and_dropequal(action: str, target_label: str, kept: bool) -> None:
    labels = {"tmp_port": "1234", "port1": "1234", "port2": "5678"}
    rule = {"source_labels": ["tmp_port"], "target_label": target_label, "action": action}
    assert relabel(labels, [rule]) == (labels if kept else None)


def test_keepequal_compares_missing_labels_as_empty() -> None:
    rule = {"source_labels": ["missing"], "target_label": "absent", "action": "keepequal"}
    assert relabel({"a": "x"}, [rule]) == {"a": "x"}


# hashmod


def test_hashmod_values_from_prometheus_tests() -> None:
    rule = {"source_labels": ["c"], "target_label": "d", "action": "hashmod", "modulus": 1000}
    assert relabel({"a": "foo", "b": "bar", "c": "baz"}, [rule])["d"] == "976"
    newline = {"source_labels": ["a"], "target_label": "b", "action": "hashmod", "modulus": 1000}
    assert relabel({"a": "foo\nbar"}, [newline])["b"] == "734"


@pytest.mark.parametrize("value", ["", "a", "node1:9100", "\u00fcn\u00efc\u00f6d\u00e9", "x;y"])
@pytest.mark.parametrize("modulus", [1, 2, 7, 1000, 2**64 - 1])
def test_hashmod_is_md5_tail_modulo(value: str, modulus: int) -> None:
    rule = {
        "source_labels": ["v"],
        "target_label": "shard",
        "action": "hashmod",
        "modulus": modulus,
    }
    assert relabel({"v": value}, [rule]).get("shard") == expected_hashmod(value, modulus)


def test_hashmod_hashes_the_joined_source_values() -> None:
    rule = {
        "source_labels": ["a", "b"],
        "separator": "/",
        "target_label": "shard",
        "action": "hashmod",
        "modulus": 8,
    }
    assert relabel({"a": "x", "b": "y"}, [rule])["shard"] == expected_hashmod("x/y", 8)


# Configuration checks


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"action": "shuffle", "target_label": "x"}, 'unknown relabel action "shuffle"'),
        ({"action": ""}, 'unknown relabel action ""'),
        ({"action": None}, "relabel action cannot be empty"),
        ({}, "relabel configuration for replace action requires 'target_label' value"),
        (
            {"source_labels": ["a"], "action": "lowercase"},
            "relabel configuration for lowercase action requires 'target_label' value",
        ),
        ({"action": "uppercase"}, "for uppercase action requires 'target_label' value"),
        ({"action": "keepequal"}, "for keepequal action requires 'target_label' value"),
        ({"action": "dropequal"}, "for dropequal action requires 'target_label' value"),
        (
            {"action": "hashmod", "modulus": 4},
            "for hashmod action requires 'target_label' value",
        ),
        (
            {"action": "hashmod", "target_label": "x"},
            "relabel configuration for hashmod requires non-zero modulus",
        ),
        (
            {"action": "hashmod", "target_label": "x", "modulus": 0},
            "requires non-zero modulus",
        ),
        (
            {"action": "hashmod", "target_label": "x", "modulus": -1},
            "modulus -1 is not an unsigned 64-bit integer",
        ),
        (
            {"action": "hashmod", "target_label": "x", "modulus": 2**64},
            "is not an unsigned 64-bit integer",
        ),
        ({"action": "hashmod", "target_label": "x", "modulus": True}, "modulus True is not"),
        ({"action": "hashmod", "target_label": "x", "modulus": "8"}, "modulus '8' is not"),
        (
            {"action": "hashmod", "target_label": "0x", "modulus": 2},
            "\"0x\" is invalid 'target_label' for hashmod action",
        ),
        ({"target_label": "0abc"}, "\"0abc\" is invalid 'target_label' for replace action"),
        ({"target_label": "foo-bar"}, "\"foo-bar\" is invalid 'target_label' for replace action"),
        ({"target_label": "0${3}"}, "\"0${3}\" is invalid 'target_label'"),
        ({"target_label": "-${3}"}, "\"-${3}\" is invalid 'target_label' for replace action"),
        (
            {"action": "lowercase", "target_label": "${3}"},
            "\"${3}\" is invalid 'target_label' for lowercase action",
        ),
        (
            {"action": "keepequal", "target_label": "a.b"},
            "\"a.b\" is invalid 'target_label' for keepequal action",
        ),
        (
            {"action": "lowercase", "target_label": "x", "replacement": "y"},
            "'replacement' can not be set for lowercase action",
        ),
        (
            {"action": "labelmap", "replacement": "-$1"},
            "\"-$1\" is invalid 'replacement' for labelmap action",
        ),
        (
            {"action": "keepequal", "source_labels": ["a"], "target_label": "b", "regex": "(.*)"},
            "keepequal action requires only 'source_labels' and `target_label`, and no other",
        ),
        (
            {"action": "dropequal", "source_labels": ["a"], "target_label": "b", "separator": ","},
            "dropequal action requires only 'source_labels' and `target_label`",
        ),
        (
            {"action": "dropequal", "source_labels": ["a"], "target_label": "b", "modulus": 1},
            "dropequal action requires only 'source_labels' and `target_label`",
        ),
        (
            {"action": "labeldrop", "regex": "x", "source_labels": ["a"]},
            "labeldrop action requires only 'regex', and no other fields",
        ),
        (
            {"action": "labeldrop", "regex": "x", "source_labels": []},
            "labeldrop action requires only 'regex'",
        ),
        (
            {"action": "labelkeep", "regex": "x", "target_label": "y"},
            "labelkeep action requires only 'regex'",
        ),
        (
            {"action": "labelkeep", "regex": "x", "separator": ","},
            "labelkeep action requires only 'regex'",
        ),
        (
            {"action": "labelkeep", "regex": "x", "replacement": "y"},
            "labelkeep action requires only 'regex'",
        ),
        (
            {"action": "labeldrop", "regex": "x", "modulus": 2},
            "labeldrop action requires only 'regex'",
        ),
        (
            {"source_labels": "a", "target_label": "b"},
            "source_labels must be a list of label names, got str",
        ),
        (
            {"source_labels": ["a-b"], "target_label": "c"},
            "source_labels holds 'a-b', which is not a valid label name",
        ),
        ({"source_labels": [["a"]], "target_label": "c"}, "source_labels holds ['a']"),
        ({"regex": ["a"], "target_label": "b"}, "regex must be a string, got list"),
        ({"target": "dc"}, "unknown key target; a relabel rule takes source_labels, separator"),
        ("labeldrop", "a relabel rule must be a mapping, got str"),
    ],
)
def test_configuration_checks(rule: Any, problem: str) -> None:
    with pytest.raises(RelabelConfigError) as raised:
        relabel({"a": "x"}, [{"target_label": "ok"}, rule])
    assert str(raised.value).startswith(f"configs[1] {render_rule(rule)}: ")
    assert problem in str(raised.value)


def test_configuration_error_names_the_rule() -> None:
    with pytest.raises(RelabelConfigError) as raised:
        relabel({"a": "x"}, [{"action": "hashmod", "source_labels": ["a"], "target_label": "s"}])
    assert str(raised.value) == (
        "configs[0] {action: hashmod, source_labels: [a], target_label: s}:"
        " relabel configuration for hashmod requires non-zero modulus"
    )


@pytest.mark.parametrize(
    ("target_label", "valid"),
    [
        ("-label", False),
        ("label", True),
        ("label${1}", True),
        ("${1}label", True),
        ("${1}", True),
        ("${", False),
        ("$", False),
        ("${}", False),
        ("foo${", False),
        ("$1", True),
        ("asd$2asd", True),
        ("-foo${1}bar-", False),
        ("bar.foo${1}bar", False),
        ("_${1}_", True),
        ("foo${bar}foo", True),
        ("a$b${c}$1_", True),
        ("9$1", False),
    ],
)
def test_templated_target_labels_prometheus_2_accepts(target_label: str, valid: bool) -> None:
    rule = {"source_labels": ["a"], "target_label": target_label}
    if valid:
        relabel({"a": "x"}, [rule])
    else:
        with pytest.raises(RelabelConfigError, match="is invalid 'target_label' for replace"):
            relabel({"a": "x"}, [rule])


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "lowercase", "target_label": "${3}"},
        {"source_labels": ["a"], "regex": "some-([^-]+)", "target_label": "0${3}"},
        {"source_labels": ["a"], "regex": "some-([^-]+)", "target_label": "-${3}"},
        {"regex": "__meta_(.+)", "replacement": "-$1", "action": "labelmap"},
    ],
)
def test_prometheus_3_accepts_utf8_label_names(rule: dict[str, Any]) -> None:
    relabel({"a": "x"}, [rule], prometheus_version=3)


def test_prometheus_3_writes_utf8_target_labels() -> None:
    rule = {"source_labels": ["a"], "regex": "line1.*line2", "target_label": "utf-8.label"}
    rule["replacement"] = "match${1}"
    assert relabel({"a": "line1\nline2"}, [rule], prometheus_version=3) == {
        "a": "line1\nline2",
        "utf-8.label": "match",
    }
    utf8_source = {"source_labels": ["utf-8.label"], "target_label": "copy"}
    assert relabel({"utf-8.label": "v"}, [utf8_source], prometheus_version=3)["copy"] == "v"


def test_prometheus_3_still_rejects_a_name_that_is_no_utf8() -> None:
    with pytest.raises(RelabelConfigError, match="is invalid 'target_label'"):
        relabel({"a": "x"}, [{"target_label": "bad\ud800"}], prometheus_version=3)


def test_null_keys_take_go_zero_values() -> None:
    # regex: null is the empty regex, which only matches an empty value.
    keep_empty = {"source_labels": ["a"], "regex": None, "action": "keep"}
    assert relabel({"b": "x"}, [keep_empty]) == {"b": "x"}
    assert relabel({"a": "x"}, [keep_empty]) is None
    no_separator = {"source_labels": ["a", "b"], "separator": None, "target_label": "c"}
    assert relabel({"a": "x", "b": "y"}, [no_separator])["c"] == "xy"
    empty_replacement = {"source_labels": ["a"], "replacement": None, "target_label": "a"}
    assert relabel({"a": "x"}, [empty_replacement]) == {}
    labeldrop = {"regex": "a", "source_labels": None, "modulus": None, "action": "labeldrop"}
    assert relabel({"a": "x"}, [labeldrop]) == {}


# Label sets and arguments


def test_label_values_become_text_and_empty_values_disappear() -> None:
    labels = {"replica": 1, "primary": True, "ratio": 0.5, "empty": "", "null": None, "dc": "eu"}
    assert relabel(labels, []) == {"dc": "eu", "primary": "true", "ratio": "0.5", "replica": "1"}


def test_rule_values_become_text_like_prometheus_yaml() -> None:
    rule = {"source_labels": ["replica"], "regex": 1, "replacement": 2, "target_label": "x"}
    assert relabel({"replica": 1}, [rule])["x"] == "2"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a"], "the input label set must be a mapping of label names to values, got list"),
        ({"a": ["x"]}, "the input label set has label 'a' = ['x'], a list"),
        ({1: "x"}, "the input label set has the label name 1"),
        ({"": "x"}, "the input label set has the label name ''"),
    ],
)
def test_bad_label_sets(labels: Any, message: str) -> None:
    with pytest.raises(RelabelError) as raised:
        relabel(labels, [])
    assert message in str(raised.value)


@pytest.mark.parametrize("configs", ["labeldrop", {"action": "labeldrop"}, 3])
def test_configs_must_be_a_list(configs: Any) -> None:
    with pytest.raises(RelabelError, match="configs must be a list of relabel rules"):
        relabel({"a": "x"}, configs)


@pytest.mark.parametrize(
    ("prometheus_version", "dot_matches_newline"),
    [
        (2, False),
        ("2", False),
        ("2.53.3", False),
        ("2.42.0+ds-5", False),
        ("v3.1.0", True),
        (3, True),
    ],
)
def test_prometheus_versions(prometheus_version: Any, dot_matches_newline: bool) -> None:
    assert keeps(".", "\n", prometheus_version) is dot_matches_newline


@pytest.mark.parametrize("prometheus_version", ["1.8.2", 4, "latest", True, None, 2.5, ""])
def test_unknown_prometheus_versions(prometheus_version: Any) -> None:
    with pytest.raises(RelabelError, match="is not a Prometheus 2 or 3 version"):
        relabel({"a": "x"}, [], prometheus_version)


# render_rule


@pytest.mark.parametrize(
    ("rule", "rendered"),
    [
        ({"action": "labeldrop", "regex": "replica"}, "{action: labeldrop, regex: replica}"),
        (ARTICLE_RULE, r"{source_labels: [dc], regex: '(.+)\d+', target_label: dc}"),
        ({"replacement": "it's"}, "{replacement: 'it''s'}"),
        ({"regex": "true"}, "{regex: 'true'}"),
        ({"separator": "a\nb"}, '{separator: "a\\nb"}'),
        ({"regex": None, "modulus": 8, "x": False}, "{regex: null, modulus: 8, x: false}"),
        ({"replacement": ""}, "{replacement: ''}"),
        ("labeldrop", "labeldrop"),
    ],
)
def test_render_rule(rule: Any, rendered: str) -> None:
    assert render_rule(rule) == rendered


# relabel_config_problems


def test_rules_prometheus_accepts_have_no_problems() -> None:
    rules = [
        ARTICLE_RULE,
        {"action": "labeldrop", "regex": "replica"},
        {"source_labels": ["instance"], "modulus": 4, "target_label": "shard", "action": "hashmod"},
    ]
    assert relabel_config_problems(rules, 2) == []
    assert relabel_config_problems([], 3) == []
    assert relabel_config_problems(None, 2) == []


def test_every_rejected_rule_is_one_problem_naming_its_index() -> None:
    rules = [
        {"action": "shuffle"},
        ARTICLE_RULE,
        {"source_labels": ["a"], "regex": "a(?=b)", "action": "keep"},
        {"target": "dc"},
        {},
    ]
    assert relabel_config_problems(rules, 2) == [
        'configs[0] {action: shuffle}: unknown relabel action "shuffle"',
        "configs[2] {source_labels: [a], regex: 'a(?=b)', action: keep}: invalid regex:"
        " error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
        "configs[3] {target: dc}: unknown key target; a relabel rule takes source_labels,"
        " separator, regex, modulus, target_label, replacement, action",
        "configs[4] {}: relabel configuration for replace action requires 'target_label' value",
    ]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            {"action": "hashmod", "target_label": "x"},
            "relabel configuration for hashmod requires non-zero modulus",
        ),
        ({"source_labels": "a", "target_label": "b"}, "source_labels must be a list"),
        ("labeldrop", "a relabel rule must be a mapping, got str"),
        ({"regex": ["a"], "target_label": "b"}, "regex must be a string, got list"),
    ],
)
def test_problems_are_the_messages_relabel_raises(rule: Any, problem: str) -> None:
    with pytest.raises(RelabelConfigError) as raised:
        relabel({}, [rule])
    assert relabel_config_problems([rule]) == [str(raised.value)]
    assert problem in str(raised.value)


def test_problems_depend_on_the_prometheus_version() -> None:
    utf8_target = [{"source_labels": ["dc"], "target_label": "site.name"}]
    assert relabel_config_problems(utf8_target, 2) == [
        "configs[0] {source_labels: [dc], target_label: 'site.name'}:"
        " \"site.name\" is invalid 'target_label' for replace action"
    ]
    assert relabel_config_problems(utf8_target, 3) == []
    assert relabel_config_problems(utf8_target, "3") == []


@pytest.mark.parametrize(
    ("configs", "problem"),
    [
        ({"action": "labeldrop"}, "configs must be a list of relabel rules, got dict"),
        ("labeldrop", "configs must be a list of relabel rules, got str 'labeldrop'"),
        (3, "configs must be a list of relabel rules, got int 3"),
    ],
)
def test_input_that_is_no_list_is_one_problem(configs: Any, problem: str) -> None:
    problems = relabel_config_problems(configs, 2)
    assert len(problems) == 1
    assert problems[0].startswith(problem)


@pytest.mark.parametrize("prometheus_version", ["1.8.2", 4, "latest", True, None, ""])
def test_problems_raise_only_for_a_bad_prometheus_version(prometheus_version: Any) -> None:
    with pytest.raises(RelabelError, match="is not a Prometheus 2 or 3 version"):
        relabel_config_problems([{"action": "shuffle"}], prometheus_version)
