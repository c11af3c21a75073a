"""Synthetic X API v2 user objects: plausible people and plausible bought followers.

``generate(n, seed)`` yields JSON Lines (bytes, newline-terminated) shaped
like the ``User`` schema of the X API v2 OpenAPI spec, with every field
followaudit reads: ``public_metrics`` (``post_count``, or ``tweet_count`` as
older responses have it), ``created_at``, ``description``, ``location``,
``url`` with its ``entities``, ``profile_image_url``, ``name``, ``username``.
The same seed always gives the same bytes.

Nothing here is a real identity: handles all start with ``demo_``, names are
two random words, links point at the reserved ``example.*`` domains, and
places are invented. Counts are drawn from simple distributions chosen to
look like people (older accounts, some followers, many posts) or like bought
followers (recent batches, following hundreds, few posts, often no bio or
picture); they are not copied from any data set.

Used by ``benchmarks/bench_score.py`` and ``examples/make_example.py``.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

WORDS = (
    "amber",
    "birch",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "juniper",
    "kestrel",
    "lagoon",
    "meadow",
    "nimbus",
    "orchid",
    "pebble",
    "quartz",
    "raven",
    "saffron",
    "tundra",
    "umber",
    "willow",
    "yarrow",
    "zephyr",
    "heron",
    "maple",
    "otter",
    "sparrow",
    "thistle",
    "clover",
    "basil",
    "comet",
    "dune",
    "fern",
    "glacier",
)
BIO_PARTS = (
    "Coffee first, questions later.",
    "Amateur astronomer.",
    "I bake bread on weekends.",
    "Writing about small towns and big maps.",
    "Teacher, runner, bad guitarist.",
    "Opinions are my cat's.",
    "Learning Rust one compile error at a time.",
    "Birdwatching and long walks.",
    "Board games enthusiast.",
    "Nurse. Night shifts.",
    "Photography, mostly of clouds.",
    "Gardening in a tiny balcony.",
    "Reading too many books at once.",
    "Cycling commuter.",
    "Podcast addict.",
)
BOUGHT_BIO_PARTS = ("Follow back!", "Love life", "Music", "Dreamer", "Just me")
PLACES = (
    "Northvale",
    "Port Example",
    "Lower Fenwick",
    "Saltmarsh Bay",
    "Eastbrook",
    "Cinder Hollow",
    "New Arden",
    "Westmere",
    "Kelp Harbor",
    "Mistral Valley",
)
DEFAULT_AVATAR = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
EPOCH = datetime(2008, 1, 1, tzinfo=UTC)
# The newest synthetic account is created before this, so files stay valid
# when scored at any later date.
LATEST = datetime(2025, 6, 1, tzinfo=UTC)
BOUGHT_BATCHES = (
    datetime(2019, 3, 1, tzinfo=UTC),
    datetime(2022, 9, 15, tzinfo=UTC),
    datetime(2024, 11, 1, tzinfo=UTC),
)


def _token(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(TOKEN_CHARS, k=length))


def _lognormal(rng: random.Random, median: float, sigma: float) -> int:
    return int(rng.lognormvariate(math.log(median), sigma))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _person(rng: random.Random) -> dict[str, Any]:
    first, second = rng.sample(WORDS, 2)
    handle = f"demo_{first}{second}"
    if rng.random() < 0.4:
        handle += str(rng.randrange(10, 100))
    span = (LATEST - EPOCH).total_seconds()
    created = EPOCH + timedelta(seconds=rng.random() * span)
    followers = _lognormal(rng, 180, 1.4)
    return {
        "handle": handle,
        "name": f"{first.title()} {second.title()}",
        "created": created,
        "followers": followers,
        "following": _lognormal(rng, 260, 1.0),
        "posts": _lognormal(rng, 1800, 1.6),
        "likes": _lognormal(rng, 2500, 1.7),
        "listed": int(followers * rng.uniform(0.0, 0.03)),
        "bio": " ".join(rng.sample(BIO_PARTS, rng.randint(1, 3))) if rng.random() < 0.88 else "",
        "location": rng.choice(PLACES) if rng.random() < 0.6 else "",
        "url": rng.random() < 0.3,
        "default_avatar": rng.random() < 0.03,
        "protected": rng.random() < 0.05,
    }


def _bought(rng: random.Random) -> dict[str, Any]:
    word = rng.choice(WORDS)
    batch = rng.choice(BOUGHT_BATCHES)
    created = batch + timedelta(seconds=rng.random() * 45 * 86_400)
    return {
        "handle": f"demo_{word}{rng.randrange(10**5, 10**9)}",
        "name": word.title() if rng.random() < 0.7 else f"{word.title()} {rng.randrange(100)}",
        "created": min(created, LATEST),
        "followers": rng.randrange(0, 25),
        "following": rng.randrange(250, 2600),
        "posts": 0 if rng.random() < 0.45 else rng.randrange(1, 30),
        "likes": 0 if rng.random() < 0.6 else rng.randrange(1, 15),
        "listed": 0,
        "bio": rng.choice(BOUGHT_BIO_PARTS) if rng.random() < 0.15 else "",
        "location": rng.choice(PLACES) if rng.random() < 0.08 else "",
        "url": rng.random() < 0.02,
        "default_avatar": rng.random() < 0.55,
        "protected": False,
    }


def _user_object(rng: random.Random, traits: dict[str, Any]) -> dict[str, Any]:
    handle = traits["handle"]
    created: datetime = traits["created"]
    user: dict[str, Any] = {
        "id": str(rng.randrange(10**17, 10**19)),
        "name": traits["name"],
        "username": handle,
        "created_at": _iso(created),
        "description": traits["bio"],
        "protected": traits["protected"],
        "verified": False,
        "verified_type": "none",
    }
    if traits["location"]:
        user["location"] = traits["location"]
    if traits["url"]:
        short = f"https://t.co/{_token(rng, 10)}"
        user["url"] = short
        user["entities"] = {
            "url": {
                "urls": [
                    {
                        "start": 0,
                        "end": len(short),
                        "url": short,
                        "expanded_url": f"https://example.org/~{handle}",
                        "display_url": f"example.org/~{handle}",
                    }
                ]
            }
        }
    else:
        user["url"] = ""
    if traits["default_avatar"]:
        user["profile_image_url"] = DEFAULT_AVATAR
    else:
        user["profile_image_url"] = (
            f"https://pbs.twimg.com/profile_images/{rng.randrange(10**17, 10**19)}/"
            f"{_token(rng, 8)}_normal.jpg"
        )
    posts = traits["posts"]
    # Older responses (and archives made with them) name the post count tweet_count.
    post_key = "tweet_count" if rng.random() < 0.25 else "post_count"
    user["public_metrics"] = {
        "followers_count": traits["followers"],
        "following_count": traits["following"],
        post_key: posts,
        "listed_count": traits["listed"],
        "like_count": traits["likes"],
        "media_count": int(posts * rng.uniform(0.0, 0.2)),
    }
    if posts:
        user["most_recent_post_id"] = str(rng.randrange(10**18, 2 * 10**18))
    return user


def generate_labelled(
    n: int, seed: int, bought_share: float = 0.3
) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Yield ``n`` (is_bought, X API v2 user object) pairs; about ``bought_share`` are bought."""
    rng = random.Random(seed)
    for _ in range(n):
        bought = rng.random() < bought_share
        traits = _bought(rng) if bought else _person(rng)
        yield bought, _user_object(rng, traits)


def generate_users(n: int, seed: int, bought_share: float = 0.3) -> Iterator[dict[str, Any]]:
    """Yield ``n`` synthetic X API v2 user objects; about ``bought_share`` are bought followers."""
    for _, user in generate_labelled(n, seed, bought_share):
        yield user


def generate(n: int, seed: int) -> Iterator[bytes]:
    """Yield ``n`` lines (bytes ending in a newline) of synthetic X API v2 user JSON."""
    dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    for user in generate_users(n, seed):
        yield dumps(user).encode("utf-8") + b"\n"


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Write synthetic X API v2 users as JSONL.")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sys.stdout.buffer.writelines(generate(args.n, args.seed))
