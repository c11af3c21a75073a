"""What reading a follower file gives back, and the formats it can be in."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from followaudit.accounts import Skipped
from followaudit.formats._checks import Duplicates

FORMATS: dict[str, str] = {
    "x-v2": 'X API v2 user objects: JSON, JSONL, or API pages {"data": [...]} (twarc2 output)',
    "x-v1": "X API v1.1 user objects: JSON/JSONL, or flattened to CSV (like cresci-2015 users.csv)",
    "bluesky": "Bluesky profileViewDetailed objects: app.bsky.actor.getProfiles pages, JSON, JSONL",
    "mastodon": "Mastodon Account entities: a JSON array from the followers endpoint, or JSONL",
    "csv": "followaudit's own CSV columns: posts, followers, following, created_at, ...",
}


@dataclass
class ReadResult:
    """The accounts read from one file, what was skipped and why, and any warnings."""

    table: pd.DataFrame
    skipped: list[Skipped]
    format: str
    path: str
    warnings: list[str] = field(default_factory=list)
    # Rows that repeated an account already read (dropped: each account is scored once).
    duplicates: Duplicates = field(default_factory=Duplicates)
