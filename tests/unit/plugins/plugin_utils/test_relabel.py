r"""Tests for the relabel engine and the replica-dedup rules.

Expected behaviour comes from Prometheus's configuration docs and from the cases in
prometheus/prometheus model/relabel/relabel_test.go, restated here. Regex and Expand edge
cases were also checked against Go's regexp package.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import pytest

from ansible_collections.alertmesh.ha.plugins.plugin_utils.relabel import (
    ACTIONS,
    SAMPLE_ALERT_LABELS,
    RelabelConfigError,
    RelabelError,
    alert_dedup_report,
    relabel,
    render_rule,
    replica_relabel_configs,
)

ARTICLE_RULE = {"source_labels": ["dc"], "regex": r"(.+)\d+", "target_label": "dc"}
MULTI_DIGIT_RULE = {"source_labels": ["dc"], "regex": r"(.+?)\d+", "target_label": "dc"}


def expected_hashmod(value: str, modulus: int) -> str:
    """Prometheus's hashmod, computed independently: md5, last 8 bytes, big-endian uint64."""
    (last_eight_bytes,) = struct.unpack(">Q", hashlib.md5(value.encode("utf-8")).digest()[8:])
    return str(last_eight_bytes % modulus)


def keeps(regex: str, value: str, prometheus_version: int = 2) -> bool:
    """Whether a keep rule with ``regex`` keeps a label set whose label ``v`` is ``value``."""
    rule = {"source_labels": ["v"], "regex": regex, "action": "keep"}
    return relabel({"v": value}, [rule], prometheus_version) is not None


def expand(regex: str, value: str, replacement: str) -> str | None:
    """The value a replace rule writes to ``out``, None when it writes nothing."""
    rule = {"source_labels": ["v"], "regex": regex, "target_label": "out"}
    relabelled = relabel({"v": value}, [{**rule, "replacement": replacement}])
    assert relabelled is not None
    return relabelled.get("out")


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


def test_empty_replacement_deletes_the_target_label() -> None:
    rule = {"source_labels": ["a"], "regex": "(f).*", "target_label": "$1", "replacement": "$2"}
    assert relabel({"a": "foo", "f": "baz"}, [rule]) == {"a": "foo"}


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


# RE2 syntax and meaning


@pytest.mark.parametrize(
    ("regex", "value", "matches"),
    [
        (r"\d+", "123", True),
        (r"\d+", "\u0663", False),  # an Arabic-Indic digit: RE2's \d is ASCII
        (r"\w+", "\u00e9", False),
        (r"\s", "\x0b", False),  # RE2's \s has no vertical tab ...
        (r"[[:space:]]", "\x0b", True),  # ... POSIX space has
        (r".*\bx", "\u00e9x", True),  # ASCII word boundary between e-acute and x
        (r"\B", "", True),
        (r"a\z", "a", True),
        (r"\Q.*\E", ".*", True),
        (r"\Q.*\E", "ab", False),
        (r"(?i)abc", "ABC", True),
        (r"a(?i)b|c", "C", True),  # (?i) reaches to the end of the group, across |
        (r"(a(?i)b)c", "aBc", True),
        (r"(a(?i)b)c", "aBC", False),
        (r"(?i)[^a]", "A", False),
        (r"(?i)[[:^lower:]]", "A", False),
        (r"(?i)k", "\u212a", True),  # the Kelvin sign folds to k
        (r"[a-c]+", "abcba", True),
        (r"[a-c]", "d", False),
        (r"[\x00-\x1f]", "\x05", True),
        (r"(?i)[a-c]", "B", True),
        (r"[[:alpha:]]+", "abcXYZ", True),
        (r"[[:^digit:]]+", "ab", True),
        (r"[[:^digit:]]", "1", False),
        (r"[\d-z]", "-", True),
        (r"[\d-z]", "y", False),
        (r"[]a]+", "]a", True),
        (r"[^\n]", "\n", False),
        (r"[^a]", "\n", True),
        (r".", "\n", False),
        (r".", "\r", True),
        (r"a{,2}", "a{,2}", True),  # not a repetition in RE2
        (r"a{,2}", "aa", False),
        (r"a{01}", "a{01}", True),
        (r"a{1,b}", "a{1,b}", True),
        (r"a{1x", "a{1x", True),
        (r"a{1,2x", "a{1,2x", True),
        (r"(x{0}){1000}y", "y", True),
        (r"x{2,3}", "xxx", True),
        (r"x{2,3}", "xxxx", False),
        (r"x{2,}?", "xxxx", True),
        (r"\x41\x{263a}\101\0", "A\u263aA\x00", True),
        (r"^*a", "a", True),
        (r"(?P<1x>a)(?<name>b)", "ab", True),
        (r"(?)a", "a", True),
        (r"\_\-", "_-", True),
    ],
)
def test_re2_syntax_and_meaning(regex: str, value: str, matches: bool) -> None:
    assert keeps(regex, value) is matches


@pytest.mark.parametrize(
    ("regex", "replacement", "value", "expected"),
    [
        (r"(.+)\d+", "$1", "europe12", "europe1"),
        (r"(.+?)\d+", "$1", "europe12", "europe"),
        (r"(?U)(a+)(a*)", "$1", "aaa", "a"),
        (r"(?U)(a+?)(a*)", "$1", "aaa", "aaa"),
        (r"(a|ab)(c|bcd)(d*)", "$1-$2-$3", "abcd", "a-bcd-"),
    ],
)
def test_greedy_and_lazy_captures(regex: str, replacement: str, value: str, expected: str) -> None:
    assert expand(regex, value, replacement) == expected


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        ("a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
        ("a(?!b)", "invalid or unsupported Perl syntax: `(?!`"),
        ("(?<=a)b", "invalid named capture"),
        ("(?<!a)b", "invalid named capture"),
        (r"(a)\1", r"invalid escape sequence: `\1`"),
        ("(?P<n>a)(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
        ("a*+", "invalid nested repetition operator: `*+`"),
        ("a++", "invalid nested repetition operator: `++`"),
        ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("(?>a)", "invalid or unsupported Perl syntax: `(?>`"),
        ("(?#note)", "invalid or unsupported Perl syntax: `(?#`"),
        ("(?(1)a|b)", "invalid or unsupported Perl syntax: `(?(`"),
        ("(?x)a", "invalid or unsupported Perl syntax: `(?x`"),
        ("(?i-)a", "invalid or unsupported Perl syntax: `(?i-)`"),
        ("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`"),
        (r"a\Z", r"invalid escape sequence: `\Z`"),
        (r"\C", r"invalid escape sequence: `\C`"),
        (r"\q", r"invalid escape sequence: `\q`"),
        (r"\8", r"invalid escape sequence: `\8`"),
        (r"[\b]", r"invalid escape sequence: `\b`"),
        (r"\x{110000}", r"invalid escape sequence: `\x{110000`"),
        (r"\xZZ", r"invalid escape sequence: `\xZZ`"),
        (r"\x{12", r"invalid escape sequence: `\x{12)`"),
        (r"\x{}", r"invalid escape sequence: `\x{}`"),
        ("x{1000000000}", "invalid repeat count: `{1000000000}`"),
        ("x{1,1000000000}", "invalid repeat count: `{1,1000000000}`"),
        # \Q makes the rest literal, including the ")$" Prometheus appends.
        (r"\Q.*", r"missing closing ): `^(?:\Q.*)$`"),
        ("\\", r"missing closing ): `^(?:\)$`"),
        ("x{1001}", "invalid repeat count: `{1001}`"),
        ("x{3,2}", "invalid repeat count: `{3,2}`"),
        ("(x{100}){11}", "invalid repeat count: `{11}`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("[[:vowel:]]", "invalid character class range: `[:vowel:]`"),
        ("[a", "missing closing ]: `[a)$`"),
        ("(a", "missing closing ): `^(?:(a)$`"),
        ("a))", "unexpected ): `^(?:a)))$`"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("a|*", "missing argument to repetition operator: `*`"),
        (r"\pL", r"\p (a Unicode class) is valid RE2, but this engine cannot evaluate"),
        (r"[\p{Greek}]", r"\p (a Unicode class) is valid RE2"),
    ],
)
def test_regexes_that_re2_rejects(regex: str, message: str) -> None:
    rule = {"source_labels": ["a"], "regex": regex, "action": "keep"}
    with pytest.raises(RelabelConfigError) as raised:
        relabel({"a": "x"}, [rule])
    assert str(raised.value).startswith(f"configs[0] {render_rule(rule)}: invalid regex: ")
    assert message in str(raised.value)


def test_nested_counted_repeats_up_to_1000_copies_are_allowed() -> None:
    assert keeps("((a{2}){2}){250}", "a" * 1000)
    with pytest.raises(RelabelConfigError, match="invalid repeat count"):
        keeps("((a{2}){2}){251}", "a")


# Replacement templates: Go's Regexp.Expand


@pytest.mark.parametrize(
    ("regex", "value", "replacement", "expected"),
    [
        ("(a)(b)", "ab", "$1-$2", "a-b"),
        ("(a)(b)", "ab", "${1}x", "ax"),
        ("(a)(b)", "ab", "<$1x>", "<>"),  # $1x names the group "1x"
        ("(a)(b)", "ab", "<$$1>", "<$1>"),
        ("(a)(b)", "ab", "<$>", "<$>"),
        ("(a)(b)", "ab", "<$-1>", "<$-1>"),
        ("(a)(b)", "ab", "<${1>", "<${1>"),
        ("(a)(b)", "ab", "<${}>", "<${}>"),
        ("(a)(b)", "ab", "<$0>", "<ab>"),
        ("(a)(b)", "ab", "<$10>", "<>"),  # group 10, not group 1 and a 0
        ("(a)(b)", "ab", "<$01>", "<>"),  # a leading zero makes it a name
        ("(?P<01>a)(b)", "ab", "<$01>", "<a>"),
        ("(?P<1x>a)(b)", "ab", "<$1x>", "<a>"),
        ("(?P<x>a)(?P<y>b)", "ab", "<$y$x>", "<ba>"),
        ("(?P<x>a)(?P<y>b)", "ab", "<${x}_$y>", "<a_b>"),
        ("(a)(?<second>b)", "ab", "<$second>", "<b>"),
        ("(a)|(b)", "b", "<$1|$2>", "<|b>"),  # a group that did not match is empty
        ("(?P<x>a)?(?P<x>b)", "b", "<$x>", "<b>"),  # the first group by that name that matched
        ("(a)", "a", "<$\u00e9>", "<>"),  # names may hold any letter
        ("(a)", "a", "<$_>", "<>"),
        ("(a)", "a", "$", "$"),
        ("(a)", "a", "ch${1}-ch${1}", "cha-cha"),
    ],
)
def test_replacement_expands_like_go(
    regex: str, value: str, replacement: str, expected: str
) -> None:
    assert expand(regex, value, replacement) == expected


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


def test_labelmap_collisions_follow_prometheus_iteration_order() -> None:
    collide = {"regex": "._(x)", "action": "labelmap"}
    assert relabel({"a_x": "1", "b_x": "2"}, [collide])["x"] == "2"
    # A label set by an earlier rule is visited after the input labels, whatever its name.
    set_a_x = {"target_label": "a_x", "replacement": "1"}
    assert relabel({"b_x": "2"}, [set_a_x, collide])["x"] == "1"
    # That holds for an input label that a rule sets again ...
    set_a_x_again = {"target_label": "a_x", "replacement": "3"}
    assert relabel({"a_x": "1", "b_x": "2"}, [set_a_x_again, collide])["x"] == "3"
    # ... while a label set twice by rules keeps the place of its first setting.
    set_b_x = {"target_label": "b_x", "replacement": "2"}
    assert relabel({}, [set_a_x, set_b_x, set_a_x_again, collide])["x"] == "2"


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


# replica_relabel_configs


def test_the_article_example() -> None:
    replicas = {"prom1": {"dc": "europe1"}, "prom2": {"dc": "europe2"}}
    rules = replica_relabel_configs(replicas)
    assert rules == [ARTICLE_RULE]
    assert [relabel(labels, rules) for labels in replicas.values()] == [{"dc": "europe"}] * 2


def test_multi_digit_suffixes_use_the_lazy_regex() -> None:
    replicas = {"p1": {"dc": "europe9"}, "p2": {"dc": "europe10"}, "p3": {"dc": "europe12"}}
    rules = replica_relabel_configs(replicas)
    assert rules == [MULTI_DIGIT_RULE]
    assert [relabel(labels, rules) for labels in replicas.values()] == [{"dc": "europe"}] * 3
    # The article's greedy regex would leave europe1 and europe1 and europe9.
    greedy = [relabel(labels, [ARTICLE_RULE])["dc"] for labels in replicas.values()]
    assert greedy == ["europe", "europe1", "europe1"]


@pytest.mark.parametrize(
    ("values", "regex", "prefix"),
    [
        (["europe1", "europe2"], r"(.+)\d+", "europe"),
        (["eu1rope1", "eu1rope2"], r"(.+)\d+", "eu1rope"),
        (["node01", "node02"], r"(.+?)\d+", "node"),
        (["node1", "node02", "node003"], r"(.+?)\d+", "node"),
        (["a1", "a2", "a3", "a4"], r"(.+)\d+", "a"),
        (["rack-7x-0", "rack-7x-99"], r"(.+?)\d+", "rack-7x-"),
    ],
)
def test_trailing_number_rules_map_every_replica_to_the_prefix(
    values: list[str], regex: str, prefix: str
) -> None:
    replicas = {f"prom{index}": {"dc": value} for index, value in enumerate(values)}
    rules = replica_relabel_configs(replicas)
    assert rules == [{"source_labels": ["dc"], "regex": regex, "target_label": "dc"}]
    assert {relabel(labels, rules)["dc"] for labels in replicas.values()} == {prefix}


@pytest.mark.parametrize(
    "values",
    [
        ["europe", "asia"],  # no trailing number
        ["europe1", "asia2"],  # different prefixes
        ["europe", "europe2"],  # one value has no number
        ["1", "2"],  # no prefix
    ],
)
def test_other_differences_drop_the_label(values: list[str]) -> None:
    replicas = {f"prom{index}": {"dc": value} for index, value in enumerate(values)}
    assert replica_relabel_configs(replicas) == [{"action": "labeldrop", "regex": "dc"}]


def test_rules_are_sorted_minimal_and_cover_partial_labels() -> None:
    replicas = {
        "prom2": {"cluster": "eu", "dc": "europe2", "replica": "b"},
        "prom1": {"cluster": "eu", "dc": "europe1", "replica": "a", "zone": "z1", "empty": ""},
    }
    assert replica_relabel_configs(replicas) == [
        ARTICLE_RULE,
        {"action": "labeldrop", "regex": "replica"},
        {"action": "labeldrop", "regex": "zone"},
    ]


@pytest.mark.parametrize(
    "replicas",
    [
        {},
        {"prom1": {"dc": "europe1", "replica": "a"}},
        {"prom1": {"cluster": "eu", "replica": 1}, "prom2": {"cluster": "eu", "replica": "1"}},
    ],
)
def test_no_rules_when_nothing_differs(replicas: dict[str, Any]) -> None:
    assert replica_relabel_configs(replicas) == []


def test_a_newline_in_the_prefix_falls_back_to_labeldrop_in_prometheus_2() -> None:
    replicas = {"prom1": {"dc": "eu\nrope1"}, "prom2": {"dc": "eu\nrope2"}}
    assert replica_relabel_configs(replicas, prometheus_version=2) == [
        {"action": "labeldrop", "regex": "dc"}
    ]
    assert replica_relabel_configs(replicas, prometheus_version=3) == [ARTICLE_RULE]


def test_prometheus_3_label_names_are_escaped_for_labeldrop() -> None:
    replicas = {"prom1": {"data.center": "a"}, "prom2": {"data.center": "b", "rack(1)": "x"}}
    rules = replica_relabel_configs(replicas, prometheus_version=3)
    assert rules == [
        {"action": "labeldrop", "regex": r"data\.center"},
        {"action": "labeldrop", "regex": r"rack\(1\)"},
    ]
    assert relabel({"data_center": "a", "data.center": "a"}, rules, 3) == {"data_center": "a"}


def test_prometheus_3_trailing_number_rule_for_a_utf8_label_name() -> None:
    replicas = {"prom1": {"data.center": "dc1"}, "prom2": {"data.center": "dc2"}}
    rule = {"source_labels": ["data.center"], "regex": r"(.+)\d+", "target_label": "data.center"}
    assert replica_relabel_configs(replicas, prometheus_version=3) == [rule]


@pytest.mark.parametrize(
    ("replicas", "message"),
    [
        ([{"dc": "europe1"}], "the input must be a mapping of Prometheus replica names"),
        (
            {"prom1": {"dc": "e1"}, "prom2": ["dc"]},
            "the external labels of replica 'prom2' must be",
        ),
        ({"prom1": {"data-center": "e1"}}, "replica 'prom1' has the label name 'data-center'"),
        ({"prom1": {"dc": {"x": 1}}}, "replica 'prom1' has label 'dc'"),
        ({1: {"dc": "e1"}}, "replica name 1 is not a string"),
    ],
)
def test_bad_replica_input(replicas: Any, message: str) -> None:
    with pytest.raises(RelabelError) as raised:
        replica_relabel_configs(replicas)
    assert message in str(raised.value)


def test_label_names_are_checked_for_the_prometheus_version() -> None:
    with pytest.raises(RelabelError, match=r"which Prometheus 2 does not accept \(it must match"):
        replica_relabel_configs({"prom1": {"data.center": "a"}})
    assert replica_relabel_configs({"prom1": {"data.center": "a"}}, prometheus_version=3) == []


# alert_dedup_report


ARTICLE_REPLICAS = {"prom1": {"dc": "europe1"}, "prom2": {"dc": "europe2"}}


def test_the_article_rule_deduplicates() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [ARTICLE_RULE])
    alert = {"alertname": "AlertmeshWatchdog", "dc": "europe", "severity": "none"}
    assert report == {
        "deduplicates": True,
        "labels": {"prom1": alert, "prom2": alert},
        "differing": {},
        "dropped": [],
        "distinct_external_labels": True,
        "suggested_rules": [],
        "message": "",
    }


def test_without_rules_the_report_explains_and_proposes_the_fix() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [])
    assert report["deduplicates"] is False
    assert report["differing"] == {"dc": {"prom1": "europe1", "prom2": "europe2"}}
    assert report["suggested_rules"] == [ARTICLE_RULE]
    assert report["message"] == "\n".join(
        [
            "Alertmanager cannot deduplicate the alerts of these Prometheus replicas: the sample"
            " alert {alertname: AlertmeshWatchdog, severity: none} does not leave them identical.",
            "After external labels and alert_relabel_configs, these labels differ:",
            "  dc: prom1=europe1, prom2=europe2",
            "Append these rules to alert_relabel_configs to make them identical:",
            r"  - {source_labels: [dc], regex: '(.+)\d+', target_label: dc}",
        ]
    )


def test_partial_labels_are_reported_as_absent() -> None:
    replicas = {"prom1": {"replica": "a"}, "prom2": {}}
    report = alert_dedup_report(replicas, [])
    assert report["differing"] == {"replica": {"prom1": "a", "prom2": None}}
    assert "  replica: prom1=a, prom2=(absent)" in report["message"].splitlines()
    assert "  - {action: labeldrop, regex: replica}" in report["message"].splitlines()


@pytest.mark.parametrize(
    "replicas",
    [
        ARTICLE_REPLICAS,
        {"a": {"dc": "europe9", "replica": "a"}, "b": {"dc": "europe10", "replica": "b"}},
        {"a": {"dc": "europe", "zone": "z1"}, "b": {"dc": "asia"}, "c": {"dc": "asia", "x": "1"}},
    ],
)
def test_appending_the_suggested_rules_makes_the_alerts_deduplicate(
    replicas: dict[str, Any],
) -> None:
    configs = [{"source_labels": ["severity"], "target_label": "copied_severity"}]
    report = alert_dedup_report(replicas, configs)
    assert report["deduplicates"] is False
    assert alert_dedup_report(replicas, configs + report["suggested_rules"])["deduplicates"]


def test_suggestions_are_computed_after_the_existing_rules() -> None:
    replicas = {
        "prom1": {"dc": "europe1", "replica": "a"},
        "prom2": {"dc": "europe2", "replica": "b"},
    }
    report = alert_dedup_report(replicas, [{"action": "labeldrop", "regex": "replica"}])
    assert report["suggested_rules"] == [ARTICLE_RULE]


def test_external_labels_never_override_the_alerts_own_labels() -> None:
    report = alert_dedup_report(
        ARTICLE_REPLICAS, [], alert_labels={"alertname": "DiskFull", "dc": "asia"}
    )
    assert report["deduplicates"] is True
    assert report["labels"]["prom1"] == {"alertname": "DiskFull", "dc": "asia"}


def test_an_empty_alert_label_is_filled_by_the_external_label() -> None:
    report = alert_dedup_report(ARTICLE_REPLICAS, [], alert_labels={"alertname": "X", "dc": ""})
    assert report["labels"]["prom2"] == {"alertname": "X", "dc": "europe2"}


def test_the_default_sample_alert() -> None:
    report = alert_dedup_report({"prom1": {}}, [])
    assert report["labels"]["prom1"] == dict(SAMPLE_ALERT_LABELS)
    assert report["deduplicates"] is True


def test_dropped_alerts_are_reported() -> None:
    drop_on_b = {"source_labels": ["replica"], "regex": "b", "action": "drop"}
    replicas = {"prom1": {"replica": "a"}, "prom2": {"replica": "b"}}
    report = alert_dedup_report(replicas, [drop_on_b, {"action": "labeldrop", "regex": "replica"}])
    assert report["deduplicates"] is False
    assert report["dropped"] == ["prom2"]
    assert report["labels"]["prom2"] is None
    assert report["differing"] == {}
    assert report["suggested_rules"] == []
    assert "alert_relabel_configs drop it on prom2, so Alertmanager never" in report["message"]


def test_an_alert_dropped_everywhere_does_not_deduplicate() -> None:
    drop_all = {"source_labels": ["alertname"], "regex": ".+", "action": "drop"}
    report = alert_dedup_report(ARTICLE_REPLICAS, [drop_all])
    assert report["deduplicates"] is False
    assert report["dropped"] == ["prom1", "prom2"]
    assert "drop it on prom1, prom2" in report["message"]


def test_identical_external_labels_are_not_distinct() -> None:
    replicas = {"prom1": {"dc": "eu", "env": "prod"}, "prom2": {"env": "prod", "dc": "eu"}}
    report = alert_dedup_report(replicas, [])
    assert report["deduplicates"] is True
    assert report["distinct_external_labels"] is False
    assert alert_dedup_report(ARTICLE_REPLICAS, [])["distinct_external_labels"] is True


def test_suggestions_for_label_names_only_labelmap_can_write() -> None:
    replicas = {"prom1": {"x_1a": "e1"}, "prom2": {"x_1a": "e2"}}
    labelmap = [{"regex": "x_(.*)", "action": "labelmap"}]
    report = alert_dedup_report(replicas, labelmap)
    # "1a" is no valid Prometheus 2 target_label, so that label is dropped instead.
    assert report["suggested_rules"] == [
        {"action": "labeldrop", "regex": "1a"},
        {"source_labels": ["x_1a"], "regex": r"(.+)\d+", "target_label": "x_1a"},
    ]
    assert alert_dedup_report(replicas, labelmap + report["suggested_rules"])["deduplicates"]


def test_report_rejects_bad_rules_naming_them() -> None:
    with pytest.raises(RelabelConfigError) as raised:
        alert_dedup_report(ARTICLE_REPLICAS, [{"action": "shuffle"}])
    assert str(raised.value) == 'configs[0] {action: shuffle}: unknown relabel action "shuffle"'
