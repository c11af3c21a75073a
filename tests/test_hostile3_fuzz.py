"""Issue 17, cause 17: property tests over the file readers and the platform answers.

Each example takes a valid answer (a follower file of one format, or what
the fake servers answer on one endpoint) and replaces ONE value somewhere
in it, chosen by Hypothesis, with a hostile one: a value of another JSON
type, a count of 400 digits, NaN, a negative number, a lone surrogate, a
NUL, a long string, or a deeply nested list. The property is the issue's
rule: the whole path (read or fetch, score, summarise, export) ends in
results or in a FollowauditError whose exit code is not 1 (INTERNAL), never
in another exception.

The answers go through the real ``Http`` (JSON parsing, redaction of echoed
credentials) over ``httpx.MockTransport``, so nothing listens on a port and
each example takes a few milliseconds. The fake servers' ``route`` makes
the valid answers. Examples are derandomized so a run is repeatable; the
whole module runs in about 20 s (``-m fuzz`` selects it, ``-m "not fuzz"``
leaves it out).
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from corpus.generate import bluesky_profile, mastodon_account, x_user, x_v1_user
from fakes.bluesky_server import BlueskyServer
from fakes.clock import FakeClock
from fakes.mastodon_server import MastodonServer
from fakes.x_server import TOKEN, XServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followaudit.analysis.summary import summarize
from followaudit.errors import ExitCode, FollowauditError
from followaudit.formats import read_accounts
from followaudit.handles import Handle
from followaudit.live.audit import audit_scan
from followaudit.live.http import Http
from followaudit.live.scan import ScanOptions, run_scan
from followaudit.model.forest import load_model
from followaudit.model.scoring import score_table
from followaudit.outputs.documents import audit_document, scan_document
from followaudit.outputs.tables import write_csv, write_json, write_json_streamed

pytestmark = pytest.mark.fuzz

MODEL = load_model()
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)

# -- hostile values and where they go ---------------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    10**400,
    -(10**400),
    math.nan,
    math.inf,
    "",
    "x",
    "12",
    "\ud800x",
    "nul\x00",
    "a" * 5000,
    [],
    [1],
    ["x"],
    {},
    {"a": 1},
    _nested(50),
    _nested(900),
]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every value in ``data``, the root first (pre-order)."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data[:40]):
            found.extend(_paths(value, (*prefix, index)))
    return found


@dataclass(frozen=True)
class Mutation:
    """Replace the value at ``path`` in a JSON document by ``value`` (the root: ``()``)."""

    path: tuple[Any, ...]
    value: Any

    def apply(self, data: Any) -> Any:
        if not self.path:
            return self.value
        parent = data
        for key in self.path[:-1]:
            parent = parent[key]
        parent[self.path[-1]] = self.value
        return data


# Seven draws in ten are the listed values; the rest any integer, text or float.
values = st.integers(0, 9).flatmap(
    lambda k: (
        st.sampled_from(HOSTILE)
        if k < 7
        else st.one_of(st.integers(), st.text(max_size=8), st.floats())
    )
)


def mutation_of(data: Any) -> st.SearchStrategy[Mutation]:
    """Return mutations of one value of ``data``, each of its values as likely as another."""
    return st.builds(Mutation, st.sampled_from(_paths(data)), values)


@dataclass(frozen=True)
class SomeMutation:
    """Replace one value of a document not seen yet (an answer): the one ``seed`` picks."""

    seed: int
    value: Any

    def apply(self, data: Any) -> Any:
        path = random.Random(self.seed).choice(_paths(data))
        return Mutation(path, self.value).apply(data)


some_mutations = st.builds(SomeMutation, st.integers(0, 2**32), values)


def _dumps(data: Any) -> bytes:
    try:
        return json.dumps(data, allow_nan=True).encode()
    except (RecursionError, ValueError):  # deeper than json.dumps goes: send a plain nest
        return b"[" * 2000 + b"]" * 2000


def _check(exc: BaseException) -> None:
    """The property: only a FollowauditError that is not INTERNAL may end a run."""
    if isinstance(exc, FollowauditError) and exc.exit_code != ExitCode.INTERNAL:
        return
    raise AssertionError(f"{type(exc).__name__}: {str(exc)[:300]}") from exc


# -- files ------------------------------------------------------------------------------

RECORDS: dict[str, Callable[[int], dict[str, Any]]] = {
    "x-v2": x_user,
    "x-v1": x_v1_user,
    "bluesky": bluesky_profile,
    "mastodon": mastodon_account,
}


def _export_rows(rows: Any, document: dict[str, Any] | None = None) -> None:
    write_csv(rows, io.StringIO())
    write_json_streamed(document or {"accounts": None}, rows, io.StringIO())


@settings(
    max_examples=160,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    report_multiple_bugs=False,
)
@given(kind=st.sampled_from(sorted(RECORDS)), which=st.integers(0, 4), data=st.data())
def test_a_follower_file_with_one_hostile_value(tmp_path: Path, kind, which, data):
    records = [RECORDS[kind](i) for i in range(5)]
    mutation = data.draw(mutation_of(records[which]), label="mutation")
    records[which] = mutation.apply(records[which])
    path = tmp_path / "followers.jsonl"
    path.write_bytes(b"\n".join(_dumps(r) for r in records) + b"\n")
    try:
        read = read_accounts(path, as_of=AS_OF)
        rows = score_table(read.table, MODEL, AS_OF)
        summarize(rows, read.skipped, MODEL.threshold)
        _export_rows(rows)
    except BaseException as exc:  # noqa: BLE001 - the property decides
        _check(exc)


# -- platform answers -------------------------------------------------------------------

ENDPOINTS = {
    "x": ("/by/username/", "/followers", "/tweets"),
    "bluesky": ("getProfile", "getFollowers", "getProfiles", "getAuthorFeed"),
    "mastodon": ("/accounts/lookup", "/followers", "/statuses"),
}
ASKED_TWICE = {"getProfiles"}
HANDLES = {
    "x": Handle("x", "subject"),
    "bluesky": Handle("bluesky", "subject.bsky.social"),
    "mastodon": Handle("mastodon", "subject", "mastodon.example"),
}


def _server(platform: str) -> Any:
    return {
        "x": lambda: XServer(n=30),
        "bluesky": lambda: BlueskyServer(n=30),
        "mastodon": _mastodon,
    }[platform]()


def _mastodon() -> MastodonServer:
    server = MastodonServer(n=30)
    server._base = lambda: "http://127.0.0.1:9"  # type: ignore[method-assign] # never started
    return server


def _transport(
    server: Any, endpoint: str, mutation: SomeMutation, nth: int, seen: dict[str, int]
) -> httpx.MockTransport:
    """Answer as ``server`` would, with ``mutation`` applied to the nth answer of ``endpoint``.

    ``seen`` counts the answers of ``endpoint`` ("n") and whether one was made hostile.
    """
    seen.update(n=0, mutated=0)

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = parse_qs(request.url.query.decode(), keep_blank_values=True)
        headers = {k.lower(): v for k, v in request.headers.items()}
        reply = server.route(path, query, headers)
        body = reply.body
        # "getProfile" is a prefix of "getProfiles": that one must end the path.
        matches = path.endswith(endpoint) if endpoint.endswith("Profile") else endpoint in path
        if matches:
            seen["n"] += 1
            if seen["n"] == nth and not isinstance(body, bytes):
                body = mutation.apply(json.loads(json.dumps(body)))
                seen["mutated"] = 1
        data = body if isinstance(body, bytes) else _dumps(body)
        return httpx.Response(
            reply.status,
            content=data,
            headers={"content-type": reply.content_type, **reply.headers},
        )

    return httpx.MockTransport(handle)


@settings(
    max_examples=220,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    report_multiple_bugs=False,
)
@given(
    platform=st.sampled_from(sorted(ENDPOINTS)),
    endpoint_index=st.integers(0, 3),
    nth=st.integers(1, 2),
    mutation=some_mutations,
)
def test_a_platform_answer_with_one_hostile_value(platform, endpoint_index, nth, mutation):
    endpoints = ENDPOINTS[platform]
    endpoint = endpoints[endpoint_index % len(endpoints)]
    # Of 30 followers only Bluesky's profiles take two requests (25 a batch); every other
    # endpoint is asked once, so its first answer is the one made hostile.
    nth = nth if endpoint in ASKED_TWICE else 1
    seen: dict[str, int] = {}
    server = _server(platform)
    clock = FakeClock()
    http = Http(
        transport=_transport(server, endpoint, mutation, nth, seen),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
        max_retries=1,
    )
    try:
        result = run_scan(
            HANDLES[platform],
            http=http,
            options=ScanOptions(posts=20),
            token=TOKEN,
            api_url="http://127.0.0.1:9",
        )
        audit = audit_scan(result, MODEL, result.fetched_at)
        document = audit_document(audit, [])
        write_json(scan_document([document], []), io.StringIO())
        _export_rows(audit.rows)
    except BaseException as exc:  # noqa: BLE001 - the property decides
        _check(exc)
    finally:
        http.close()
    assert seen["mutated"], f"no answer of {endpoint} was made hostile"
