"""The scan core: sampling, list positions, skipped records, progress events, per-scan stats."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fakes import Faults, no_wait_http
from fakes.bluesky_server import BlueskyServer
from fakes.x_server import TOKEN, XServer, x_user

from followaudit.accounts import TableBuilder
from followaudit.errors import UsageError
from followaudit.formats import x_v2
from followaudit.handles import Handle
from followaudit.live.cache import Cache
from followaudit.live.platforms.base import Pages, Platform, Subject, paginate
from followaudit.live.scan import ScanEvent, ScanOptions, run_scan, sample_positions

X_SUBJECT = Handle("x", "subject")
BSKY_SUBJECT = Handle("bluesky", "subject.bsky.social")


class ListPlatform:
    """An in-memory adapter: fixed pages of X User objects, no network."""

    name = "x"
    needs_profiles = False
    profile_batch_size = 100

    def __init__(self, pages: list[list[dict[str, Any]]], followers_count: int | None) -> None:
        self.pages = pages
        self.followers_count = followers_count
        self.pages_read = 0

    def resolve(self, handle: Handle) -> Subject:
        return Subject("x", "1", handle.name, "", self.followers_count, "https://x.com/s", True)

    def follower_pages(self, subject: Subject, limit: int | None = None) -> Pages:
        def fetch(cursor: str | None, received: int) -> tuple[list[dict[str, Any]], str | None]:
            number = int(cursor.removeprefix("cursor")) if cursor else 0
            self.pages_read += 1
            last = number == len(self.pages) - 1
            return self.pages[number], None if last else f"cursor{number + 1}"

        return paginate(fetch, what="followers")

    def follower_id(self, raw: Mapping[str, Any]) -> str:
        return str(raw["id"])

    def fetch_profiles(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        return []

    def add_account(self, builder: TableBuilder, raw: dict[str, Any], line: int) -> None:
        x_v2.add_user(builder, dict(raw), line)

    def recent_posts(self, account_id: str, limit: int) -> list[dict[str, Any]]:
        return []


def test_the_in_memory_adapter_satisfies_the_interface() -> None:
    assert isinstance(ListPlatform([], 0), Platform)


def test_sample_positions_are_a_sorted_seeded_uniform_draw_without_replacement() -> None:
    drawn = sample_positions(10_000, 500, seed=3)

    assert len(drawn) == 500 and len(set(drawn.tolist())) == 500
    assert (np.diff(drawn) > 0).all() and drawn.min() >= 0 and drawn.max() < 10_000
    assert drawn.tolist() == sample_positions(10_000, 500, seed=3).tolist()
    assert drawn.tolist() != sample_positions(10_000, 500, seed=4).tolist()
    # The documented draw, so a published seed reproduces a published sample.
    expected = np.sort(np.random.default_rng(3).choice(10_000, size=500, replace=False))
    assert drawn.tolist() == expected.tolist()
    assert sample_positions(40, 500, seed=3).tolist() == list(range(40))
    assert sample_positions(40, None, seed=3).tolist() == list(range(40))


@pytest.mark.parametrize("options", [{"sample": 0}, {"max_followers": 0}])
def test_non_positive_sizes_are_usage_errors(options: dict[str, int]) -> None:
    platform = ListPlatform([[x_user(0)]], 1)
    with pytest.raises(UsageError):
        run_scan(X_SUBJECT, http=no_wait_http(), platform=platform, options=ScanOptions(**options))  # type: ignore[arg-type]


def test_unscoreable_followers_are_skipped_with_their_reason_and_position() -> None:
    broken = {k: v for k, v in x_user(1).items() if k != "public_metrics"}
    platform = ListPlatform([[x_user(0), broken], [x_user(2)]], 3)

    result = run_scan(X_SUBJECT, http=no_wait_http(), platform=platform)

    assert result.table["line"].tolist() == [1, 3]
    assert [(s.line, s.reason) for s in result.skipped] == [
        (2, "no public_metrics (request user.fields=public_metrics)")
    ]
    assert len(result.table) + len(result.skipped) == 3 and result.listed == 3


def test_max_followers_stops_reading_pages_and_marks_the_list_truncated() -> None:
    pages = [[x_user(i) for i in range(k, k + 10)] for k in range(0, 50, 10)]
    platform = ListPlatform(pages, 50)

    result = run_scan(
        X_SUBJECT, http=no_wait_http(), platform=platform, options=ScanOptions(max_followers=25)
    )

    assert platform.pages_read == 3
    assert result.listed == 25 and result.truncated
    assert result.table["line"].tolist() == list(range(1, 26))


def test_max_followers_at_the_exact_end_is_not_truncated() -> None:
    platform = ListPlatform([[x_user(i) for i in range(10)]], 10)

    result = run_scan(
        X_SUBJECT, http=no_wait_http(), platform=platform, options=ScanOptions(max_followers=10)
    )

    assert result.listed == 10 and not result.truncated


def test_a_sample_keeps_list_positions_as_lines() -> None:
    platform = ListPlatform([[x_user(i) for i in range(100)]], 100)

    result = run_scan(
        X_SUBJECT, http=no_wait_http(), platform=platform, options=ScanOptions(sample=10, seed=5)
    )

    assert result.table["line"].tolist() == (sample_positions(100, 10, 5) + 1).tolist()
    assert result.table["handle"].tolist() == [
        x_user(line - 1)["username"] for line in result.table["line"]
    ]


def test_progress_reports_each_phase_in_order() -> None:
    events: list[ScanEvent] = []
    with BlueskyServer(n=300) as fake:
        run_scan(
            BSKY_SUBJECT,
            http=no_wait_http(),
            api_url=fake.url,
            options=ScanOptions(sample=120, seed=1),
            progress=events.append,
        )

    assert [e.phase for e in events] == (
        ["resolve", "resolve"] + ["list"] * 4 + ["sample"] + ["profiles"] * 2 + ["done"]
    )
    listed = [e.done for e in events if e.phase == "list"]
    assert listed == [0, 100, 200, 300]
    assert [(e.done, e.total) for e in events if e.phase == "profiles"] == [(0, 120), (120, 120)]
    assert events[-1].done == 120


def test_rate_limit_waits_are_reported_as_progress_and_the_hook_is_restored() -> None:
    events: list[ScanEvent] = []
    seen: list[str] = []
    http = no_wait_http(on_wait=lambda seconds, reason: seen.append(reason))
    with XServer(n=1500, faults=Faults(rate_limit_at={2})) as fake:
        run_scan(X_SUBJECT, http=http, token=TOKEN, api_url=fake.url, progress=events.append)

    waits = [e for e in events if e.phase == "wait"]
    assert len(waits) == 1 and "429" in waits[0].message
    assert seen == [waits[0].message]  # the caller's own hook still ran
    assert http.on_wait is not None and http.on_wait.__name__ == "<lambda>"


def test_an_exception_from_progress_stops_the_scan_and_the_rerun_resumes(tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def stop_during_profiles(event: ScanEvent) -> None:
        if event.phase == "profiles" and event.done > 0:
            raise Stop

    cache = Cache(tmp_path / "cache.sqlite3")
    with BlueskyServer(n=600) as fake:
        with pytest.raises(Stop):
            run_scan(
                BSKY_SUBJECT,
                http=no_wait_http(cache=cache),
                api_url=fake.url,
                options=ScanOptions(sample=400, seed=9),
                progress=stop_during_profiles,
            )
        first_run = fake.total
        result = run_scan(
            BSKY_SUBJECT,
            http=no_wait_http(cache=cache),
            api_url=fake.url,
            options=ScanOptions(sample=400, seed=9),
        )

        assert fake.total == 1 + 6 + 16 and fake.duplicates() == []
    assert first_run == 1 + 6 + 10  # stopped after the first chunk of 250 profiles
    assert result.stats.cached == first_run and len(result.table) == 400


def test_stats_count_only_this_scans_requests() -> None:
    http = no_wait_http()
    with XServer(n=1200) as fake:
        first = run_scan(X_SUBJECT, http=http, token=TOKEN, api_url=fake.url)
        second = run_scan(X_SUBJECT, http=http, token=TOKEN, api_url=fake.url)

    assert first.stats.made == 3 and second.stats.made == 3
    assert http.stats.made == 6
