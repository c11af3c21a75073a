"""An account with no followers is said to have none, not an unknown count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followaudit.analysis.behaviour import analyse
from followaudit.formats.posts import Post

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def test_zero_followers_is_not_an_unknown_count():
    posts = [
        Post(
            created_at=NOW - timedelta(days=i),
            is_reply=False,
            is_repost=False,
            links=(),
            text_without_links_is_empty=False,
            likes=3,
            replies=0,
            reposts=0,
        )
        for i in range(10)
    ]
    found = {f.code: f for f in analyse(posts, followers=0, profile_url=None, now=NOW).findings}
    finding = found["low-engagement"]
    assert finding.sentence == "has no followers: engagement not judged"
    assert finding.metric is None and not finding.flagged
