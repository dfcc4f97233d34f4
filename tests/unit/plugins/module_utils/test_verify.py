"""Tests of the helpers the verify modules share."""

from __future__ import annotations

import re
import time

import pytest

from ansible_collections.alertmesh.ha.plugins.module_utils._verify import (
    base_urls,
    nearest_rank,
    poll_until,
    require_positive,
    text_table,
)


class TestBaseUrls:
    def test_strips_blanks_and_trailing_slashes(self) -> None:
        urls = [" http://10.0.0.5:9093/ ", "https://am.example.com/prefix/"]

        assert base_urls(urls, "alertmanager_urls") == [
            "http://10.0.0.5:9093",
            "https://am.example.com/prefix",
        ]

    @pytest.mark.parametrize(
        ("urls", "message"),
        [
            ([], "alertmanager_urls must list at least one URL"),
            ([""], "alertmanager_urls: '' is not an absolute URL"),
            (["10.0.0.5:9093"], "alertmanager_urls: '10.0.0.5:9093' is not an absolute URL"),
            (["http://a:9093", "http://a:9093/"], "alertmanager_urls lists http://a:9093 more"),
            (
                ["http://ops:x@a:9093", "http://ops:y@a:9093"],
                "alertmanager_urls lists http://a:9093 more",
            ),
            (["http://ops:Secret@a:port"], "alertmanager_urls: 'http://a:port' has an invalid"),
            (["ops:Secret@a:9093"], "alertmanager_urls: 'a:9093' is not an absolute URL"),
        ],
    )
    def test_rejects(self, urls: list[str], message: str) -> None:
        with pytest.raises(ValueError, match="^" + re.escape(message)):
            base_urls(urls, "alertmanager_urls")


def test_require_positive_names_every_option_at_fault() -> None:
    params = {"timeout": 0, "poll_interval": -1.5, "probe_rounds": 2}

    with pytest.raises(ValueError, match=r"^timeout=0, poll_interval=-1.5: must be greater"):
        require_positive(params, "timeout", "poll_interval", "probe_rounds")
    require_positive(params, "probe_rounds")


class TestPollUntil:
    def test_returns_as_soon_as_nothing_is_wrong(self) -> None:
        answers = [["not yet"], ["not yet"], []]

        assert poll_until(lambda: answers.pop(0), timeout=5, poll_interval=0.01) == []
        assert answers == []

    def test_returns_the_last_problems_after_the_timeout(self) -> None:
        calls = []

        def problems_now() -> list[str]:
            calls.append(time.monotonic())
            return [f"problem {len(calls)}"]

        started = time.monotonic()
        problems = poll_until(problems_now, timeout=0.1, poll_interval=0.02)

        assert problems == [f"problem {len(calls)}"]
        assert len(calls) >= 3
        assert 0.1 <= calls[-1] - started < 1

    def test_timeout_counts_from_started(self) -> None:
        calls = []

        def problems_now() -> list[str]:
            calls.append(1)
            return ["never"]

        assert poll_until(problems_now, 1, 0.01, started=time.monotonic() - 2) == ["never"]
        assert calls == [1]


@pytest.mark.parametrize(
    ("percent", "expected"),
    [(50, 3.0), (95, 5.0), (100, 5.0), (0, 1.0), (20, 1.0), (21, 2.0)],
)
def test_nearest_rank(percent: float, expected: float) -> None:
    assert nearest_rank([5.0, 1.0, 4.0, 2.0, 3.0], percent) == expected


def test_text_table_aligns_columns() -> None:
    assert text_table([["member", "peers"], ["http://10.0.0.5:9093", "3"]]) == [
        "member                peers",
        "http://10.0.0.5:9093  3",
    ]
