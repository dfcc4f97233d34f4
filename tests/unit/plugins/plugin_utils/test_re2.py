r"""Tests for Go's regexp in Python: RE2 syntax, what Go rejects, and Regexp.Expand.

Most regexes are compiled anchored as Prometheus 2 anchors a relabel regex, ``^(?:REGEX)$``,
so that a case reads as "does the value match". The expected values are Go's regexp
behaviour as its regexp/syntax documentation describes it; these tests do not run Go.
"""

from __future__ import annotations

import pytest
from bounded_run import run_in_subprocess

from ansible_collections.alertmesh.ha.plugins.plugin_utils import re2
from ansible_collections.alertmesh.ha.plugins.plugin_utils.re2 import (
    RE2Error,
    RE2Regex,
    compile_re2,
    quote_meta,
)


def anchored(regex: str) -> RE2Regex:
    """``regex`` compiled as Prometheus 2 compiles a relabel regex."""
    return compile_re2(f"^(?:{regex})$")


def matches(regex: str, value: str) -> bool:
    """Whether ``value`` matches ``regex`` as a whole."""
    return anchored(regex).search(value) is not None


def expand(regex: str, value: str, replacement: str) -> str:
    """``replacement`` expanded with the groups of ``regex`` matching ``value`` as a whole."""
    compiled = anchored(regex)
    found = compiled.search(value)
    assert found is not None
    return compiled.expand(replacement, found)


# RE2 syntax and meaning


@pytest.mark.parametrize(
    ("regex", "value", "matches_value"),
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
def test_re2_syntax_and_meaning(regex: str, value: str, matches_value: bool) -> None:
    assert matches(regex, value) is matches_value


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
    with pytest.raises(RE2Error) as raised:
        anchored(regex)
    assert message in str(raised.value)


def test_nested_counted_repeats_up_to_1000_copies_are_allowed() -> None:
    assert matches("((a{2}){2}){250}", "a" * 1000)
    with pytest.raises(RE2Error, match="invalid repeat count"):
        matches("((a{2}){2}){251}", "a")


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


# Unanchored regexes, QuoteMeta and ReplaceAllString


def test_a_trailing_backslash_is_rejected_like_go() -> None:
    with pytest.raises(RE2Error) as raised:
        compile_re2("a\\")
    assert str(raised.value) == "error parsing regexp: trailing backslash at end of expression: ``"


@pytest.mark.parametrize("text", ["data.center", r"a\b", "rack(1)", "[x]{2}|y*+?^$", "plain"])
def test_quote_meta_makes_a_regex_that_matches_exactly_the_text(text: str) -> None:
    quoted = quote_meta(text)
    assert matches(quoted, text)
    assert not matches(quoted, text + "x")


def test_quote_meta_escapes_like_go() -> None:
    assert quote_meta(r"a.b+c*d?e(f)g|h[i]j{k}l^m$n\o") == (
        r"a\.b\+c\*d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\\o"
    )


@pytest.mark.parametrize(
    ("regex", "text", "template", "replaced"),
    [
        ("a", "banana", "<$0>", "b<a>n<a>n<a>"),
        ("a*", "baaac", "-", "-b-c-"),  # no empty match right after a match, as in Go
        ("x", "abc", "-", "abc"),
        ("(n)(a)", "banana", "$2$1", "baanan"),
    ],
)
def test_replace_all_like_go(regex: str, text: str, template: str, replaced: str) -> None:
    assert compile_re2(regex).replace_all(text, template) == replaced


# Go's matching: preference order, loops over the empty text, and both of its engines


@pytest.mark.parametrize(
    ("regex", "value", "replacement", "expected"),
    [
        # An iteration that matches the empty text never replaces the last real one
        # (Go issue 46123); Python's re captures a final empty iteration instead.
        ("(a*)*", "aa", "<$1>", "<aa>"),
        ("(a*)+", "aa", "<$1>", "<aa>"),
        ("(a|b|)*", "ab", "<$1>", "<b>"),
        ("(a*){2,}", "aa", "<$1>", "<>"),  # the second copy is required, and empty
        ("((?:a?b??)*)", "ab", "<$1>", "<ab>"),
        ("(?:(a)|b)*", "ab", "<$1>", "<a>"),  # a group keeps its last match
    ],
)
def test_loops_over_the_empty_text_capture_like_go(
    regex: str, value: str, replacement: str, expected: str
) -> None:
    assert expand(regex, value, replacement) == expected


@pytest.mark.parametrize(
    ("regex", "value", "replacement", "expected"),
    [
        ("(a){1}", "a", "<$1>", "<a>"),
        ("(a){1,4}", "aaaa", "<$1>", "<a>"),  # a(a(a(a)?)?)?: the last copy that matched
        ("(a){0,2}b", "b", "<$1>", "<>"),
        ("(?:)*a", "a", "<$0>", "<a>"),
        ("(?:a*)*", "aaa", "<$0>", "<aaa>"),
        ("((?:a*)+)*b", "aab", "<$1>", "<aa>"),
    ],
)
def test_repeats_are_simplified_like_go(
    regex: str, value: str, replacement: str, expected: str
) -> None:
    assert expand(regex, value, replacement) == expected


ENGINE_CASES = [
    ("(a*)*", "aa", 0, (0, 2)),
    ("(a|ab)(c|bcd)(d*)", "abcd", 0, (0, 4)),
    ("(?U)(a+)(a*)", "aaa", 0, (0, 1)),
    ("x*", "xxaxx", 2, (2, 2)),
    (r"\bx", "ax x", 0, (3, 4)),
    (r"\B", "", 0, (0, 0)),
    ("(?m)^b$", "a\nb\nc", 0, (2, 3)),
    ("(?m)$", "a\n", 1, (1, 1)),
    ("(a)|(b)", "cb", 0, (1, 2)),
    ("a{2,3}?", "aaaa", 0, (0, 2)),
    ("(?:(a)|b)*c", "abac", 0, (0, 4)),
    ("([a-z]+)+-replica", "a" * 40, 0, None),
    (r"^(?:(.+?)\d+)$", "europe12", 0, (0, 8)),
    ("(?i)k", "\u212a", 0, (0, 1)),
    ("(?s).+", "a\nb", 0, (0, 3)),
    (r"\z", "ab", 1, (2, 2)),
    ("b|", "abc", 1, (1, 2)),
]


@pytest.mark.parametrize(("regex", "text", "start", "span"), ENGINE_CASES)
def test_the_automaton_finds_what_the_backtracker_finds(
    regex: str,
    text: str,
    start: int,
    span: tuple[int, int] | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = compile_re2(regex)
    backtracked = compiled.search(text, start)
    monkeypatch.setattr(re2, "_MAX_VISITED", 0)
    simulated = compiled.search(text, start)
    assert simulated == backtracked
    assert (None if simulated is None else simulated.span()) == span


def test_a_search_too_large_to_backtrack_simulates_the_automaton(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = compile_re2("^(?:([a-z]+)+-replica)$")
    monkeypatch.setattr(re2, "_MAX_VISITED", 100 * len(compiled.program))
    monkeypatch.setattr(re2, "_search_backtracking", None)  # fails if it is called
    text = "a" * 100
    assert compiled.search(text) is None
    assert compiled.search(text + "-replica").span(1) == (0, len(text))


def test_nesting_too_deep_for_this_engine_is_an_error_not_a_crash() -> None:
    with pytest.raises(RE2Error, match="nests groups and repetitions too deeply"):
        compile_re2("(" * 5000 + "a" + ")" * 5000)


# Linear time, as in RE2


@pytest.mark.parametrize(
    ("regex", "value"),
    [
        ("([a-z]+)+-replica", "a" * 60),
        ("(a|a)*b", "a" * 60),
        ("(a*)*b", "a" * 60),
        ("(x+x+)+y", "x" * 60),
        ("(.*a){30}", "a" * 29 + "b" * 30),
        ("(?:a?){60}a{60}", "a" * 60),
    ],
)
def test_regexes_that_make_a_backtracking_engine_explode_run_in_linear_time(
    regex: str, value: str
) -> None:
    code = (
        "from ansible_collections.alertmesh.ha.plugins.plugin_utils.re2 import compile_re2\n"
        f"found = compile_re2({regex!r}).search({value!r})\n"
        "print('none' if found is None else found.span())\n"
    )
    expected = {"(?:a?){60}a{60}": "(0, 60)"}.get(regex, "none")
    assert run_in_subprocess(code).strip() == expected
