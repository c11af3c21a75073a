"""Replay answers recorded from the live APIs (tests/fixtures/recorded/) through a fake server.

Three kinds of recording are read, each into ``Recorded`` answers (status,
headers, body bytes) served exactly as recorded:

- VCR cassettes (``*.yaml``: tweepy, Mastodon.py): ``load_cassette(path)``
  returns every interaction; ``!!binary`` gzip bodies are decompressed.
- R ``.rds`` decodings (``*.decoded.json``: atrrr): ``load_decoded(path)``;
  the body was stored parsed, so it is serialised again (compact JSON).
- Transcriptions and body-only files (``issue-thread-errors/*.json``,
  MarshalX, WebFinger): ``load_transcribed(path)``. A file holding
  ``{"status_code", "headers"?, "body"}`` gives its own; a bare body gets
  ``status`` (default: the digits the file name starts with, else 200) and
  ``headers`` from the caller (the folder README's table, say).

Headers that describe the transfer rather than the answer (content-encoding,
transfer-encoding, content-length, connection, keep-alive) are dropped: the
body is served decompressed and its length recomputed. Everything else
(``x-rate-limit-*``, ``ratelimit-*``, ``Link``, ``content-type``, even
``set-cookie``, repeated headers included) goes out as recorded.

``ReplayServer`` (a ``fakes.FakeServer``: same counters, ``log``, ``Faults``
and ``Hostile`` hooks) answers each path with the answers queued for it, in
order, the last one repeating; a path with nothing queued answers 404
text/plain and is listed in ``unmatched``, so a test can assert that the
code under test asked only for what was recorded::

    x = load_cassette(RECORDED / "x/tweepy/test_client_get_user.yaml")
    with ReplayServer() as server:
        server.add(x[0])                    # served at its recorded path
        server.add(err, path="/2/users/783214/tweets")   # or at another one
        ... followaudit scan @Twitter --api-url server.url ...
        assert server.unmatched == []
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import FakeServer, Faults, Reply

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded"
# The folders of the recordings the replay tests use, and the token they scan with.
TWEEPY = RECORDED / "x" / "tweepy"
X_ERRORS = RECORDED / "x" / "issue-thread-errors"
ATRRR = RECORDED / "bluesky" / "atrrr"
MARSHALX = RECORDED / "bluesky" / "MarshalX-atproto"
BSKY_ERRORS = RECORDED / "bluesky" / "issue-thread-errors"
MASTODON_PY = RECORDED / "mastodon" / "Mastodon.py"
TOKEN = "replay-bearer-token-0123456789"

# Headers about the transfer, not the answer: recomputed by the server that replays.
HOP_BY_HOP = frozenset(
    {
        "content-encoding",
        "transfer-encoding",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "upgrade",
        "trailer",
        "te",
    }
)


@dataclass(frozen=True)
class Recorded:
    """One recorded answer and the request it answered."""

    method: str
    url: str  # as recorded (absolute for cassettes and decodings, "" for bare bodies)
    status: int
    headers: tuple[tuple[str, str], ...]  # lower-case names, in order, repeats kept
    body: bytes
    source: str  # "file #index", for messages

    @property
    def path(self) -> str:
        """Return the path of the recorded request ("" when none was recorded)."""
        return urlsplit(self.url).path if self.url else ""

    @property
    def query(self) -> str:
        return urlsplit(self.url).query if self.url else ""

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)

    def as_reply(self) -> Reply:
        """Return this answer as a synthetic fake's ``Reply`` (to mix recordings into XServer...).

        Repeated headers keep their first value, and the fake still adds its own
        rate-limit headers where the recording has none: use ``ReplayServer``
        when those matter.
        """
        headers = {k: v for k, v in reversed(self.headers) if k != "content-type"}
        content_type = self.header("content-type") or "application/json"
        return Reply(self.status, self.body, headers, content_type=content_type)

    def with_headers(self, extra: Mapping[str, str]) -> Recorded:
        """Return a copy with ``extra`` headers set (replacing same-named ones)."""
        names = {k.lower() for k in extra}
        kept = tuple((k, v) for k, v in self.headers if k not in names)
        return replace(self, headers=kept + tuple((k.lower(), v) for k, v in extra.items()))


# -- loaders ------------------------------------------------------------------


def _decompress(body: bytes, encoding: str | None) -> bytes:
    """Return ``body`` decoded from its content-encoding (recordings keep the wire bytes)."""
    if not encoding:
        return body
    encoding = encoding.strip().lower()
    if encoding == "gzip" and body[:2] == b"\x1f\x8b":
        return gzip.decompress(body)
    if encoding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body  # already decoded by the recorder (or an encoding we do not know)


def _header_pairs(headers: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Return (lower-case name, value) pairs; list values (VCR) become repeated headers."""
    pairs: list[tuple[str, str]] = []
    for name, value in (headers or {}).items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((str(name).lower(), str(v)) for v in values)
    return pairs


def _served_headers(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in pairs if k not in HOP_BY_HOP)


def load_cassette(path: str | Path) -> list[Recorded]:
    """Return every interaction of a VCR cassette (vcrpy's YAML, version 1)."""
    path = Path(path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    answers = []
    for index, interaction in enumerate(document["interactions"]):
        request, response = interaction["request"], interaction["response"]
        pairs = _header_pairs(response.get("headers"))
        raw = response.get("body") or {}
        body = raw.get("string", b"") if isinstance(raw, dict) else raw
        if isinstance(body, str):
            body = body.encode("utf-8")
        encoding = next((v for k, v in pairs if k == "content-encoding"), None)
        answers.append(
            Recorded(
                method=str(request.get("method") or "GET").upper(),
                url=str(request.get("uri") or ""),
                status=int(response["status"]["code"]),
                headers=_served_headers(pairs),
                body=_decompress(body or b"", encoding),
                source=f"{path.name} #{index}",
            )
        )
    return answers


def _json_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_decoded(path: str | Path) -> Recorded:
    """Return the answer of an R-recording decoding: {method, url, status_code, headers, body}."""
    path = Path(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    return Recorded(
        method=str(document.get("method") or "GET").upper(),
        url=str(document.get("url") or ""),
        status=int(document["status_code"]),
        headers=_served_headers(_header_pairs(document.get("headers"))),
        body=_json_bytes(document.get("body")),
        source=path.name,
    )


_LEADING_STATUS = re.compile(r"^([1-5][0-9]{2})_")


def load_transcribed(
    path: str | Path,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> Recorded:
    """Return a transcribed or body-only answer.

    ``{"status_code", "headers"?, "body", ...}`` gives its own status and
    headers; any other JSON is the body itself, answered with ``status``
    (default: the status the file name starts with, as in
    ``402_credits_depleted.json``, else 200). ``headers`` are added to
    (and override) the recorded ones; a content-type is set if none is.
    """
    path = Path(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(document, dict) and "status_code" in document and "body" in document:
        found_status = int(document["status_code"])
        pairs = _header_pairs(document.get("headers"))
        body = _json_bytes(document["body"])
    else:
        match = _LEADING_STATUS.match(path.name)
        found_status = int(match.group(1)) if match else 200
        pairs = []
        body = path.read_bytes()  # the file's own bytes: exactly what was pasted
    answer = Recorded(
        method="GET",
        url="",
        status=status if status is not None else found_status,
        headers=_served_headers(pairs),
        body=body,
        source=path.name,
    )
    if headers:
        answer = answer.with_headers(headers)
    if answer.header("content-type") is None:
        answer = answer.with_headers({"content-type": content_type})
    return answer


def load(path: str | Path, **kwargs: Any) -> list[Recorded]:
    """Return the answers of any recorded file, by its kind (see the module docstring)."""
    path = Path(path)
    if path.suffix in (".yaml", ".yml"):
        return load_cassette(path)
    if path.name.endswith(".decoded.json"):
        return [load_decoded(path)]
    return [load_transcribed(path, **kwargs)]


def recorded_files(root: Path = RECORDED) -> Iterator[Path]:
    """Yield every recording under ``root`` (not READMEs, licences or source notes)."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".json", ".jsonl"):
            yield path


# -- the server ---------------------------------------------------------------


class _Pairs(dict):  # type: ignore[type-arg]
    """Headers for the fake's handler: ``items()`` yields repeated names too (set-cookie)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self._pairs = list(pairs)
        for k, v in self._pairs:
            self.setdefault(k, v)

    def items(self):  # type: ignore[override]
        return list(self._pairs)


@dataclass
class _Queue:
    answers: list[Recorded] = field(default_factory=list)
    served: int = 0

    def next(self) -> Recorded:
        answer = self.answers[min(self.served, len(self.answers) - 1)]
        self.served += 1
        return answer


class ReplayServer(FakeServer):
    """A fake server whose every answer is a recording, queued by path."""

    def __init__(self, *, faults: Faults | None = None) -> None:
        super().__init__(faults=faults)
        self._queues: dict[str, _Queue] = {}
        self._queue_lock = threading.Lock()
        self.unmatched: list[str] = []  # request targets nothing was queued for
        self.served: list[tuple[str, str]] = []  # (target, recording's source), in order

    def add(self, *answers: Recorded, path: str | None = None) -> ReplayServer:
        """Queue ``answers`` for ``path`` (default: each answer's recorded path)."""
        with self._queue_lock:
            for answer in answers:
                where = path or answer.path
                if not where:
                    raise ValueError(f"{answer.source} has no recorded path: pass path=")
                self._queues.setdefault(where, _Queue()).answers.append(answer)
        return self

    def add_all(self, answers: Iterable[Recorded], *, method: str = "GET") -> ReplayServer:
        """Queue every ``method`` answer of a cassette at its recorded path."""
        for answer in answers:
            if answer.method == method:
                self.add(answer)
        return self

    def handle(self, target: str, headers: Mapping[str, str]) -> tuple[int, bytes, dict[str, str]]:
        # The base class adds no rate-limit headers here (rate_limit_headers is {}),
        # but its Content-Type default would double the recorded one: serve directly.
        parts = urlsplit(target)
        with self._lock:
            self.requests[parts.path] += 1
            self.log.append(target)
            self.auth_headers.append(headers.get("authorization"))
            number = len(self.log)
        with self._queue_lock:
            queue = self._queues.get(parts.path)
            answer = queue.next() if queue is not None else None
        if answer is None:
            with self._lock:
                self.unmatched.append(target)
            body = f"no recording queued for {parts.path}".encode()
            return 404, body, {"Content-Type": "text/plain; charset=utf-8"}
        with self._lock:
            self.served.append((target, answer.source))
        body = answer.body
        if number in self.faults.truncate_at and answer.status == 200:
            body = body[: len(body) // 2]
        return answer.status, body, _Pairs(answer.headers)

    def route(self, path: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> Reply:
        raise AssertionError("ReplayServer serves recordings, not routes")  # pragma: no cover
