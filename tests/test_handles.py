"""parse_handle tells X, Bluesky and Mastodon accounts apart and says why it refuses one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followaudit.errors import UsageError
from followaudit.handles import (
    X_RESERVED,
    Handle,
    InvalidHandleError,
    normalize_platform,
    parse_handle,
)

PLC = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"


@pytest.mark.parametrize(
    ("text", "platform", "expected"),
    [
        # X
        ("@jack", None, Handle("x", "jack")),
        ("  @Jack_99 ", None, Handle("x", "Jack_99")),
        ("@a", None, Handle("x", "a")),
        ("@abcdefghijklmno", None, Handle("x", "abcdefghijklmno")),
        ("x.com/jack", None, Handle("x", "jack")),
        ("https://x.com/jack", None, Handle("x", "jack")),
        ("https://www.x.com/jack/", None, Handle("x", "jack")),
        ("http://twitter.com/jack?lang=en", None, Handle("x", "jack")),
        ("https://mobile.twitter.com/jack#top", None, Handle("x", "jack")),
        ("twitter.com/jack/status/20", None, Handle("x", "jack")),
        ("jack", "x", Handle("x", "jack")),
        ("@jack", "twitter", Handle("x", "jack")),
        # Bluesky
        ("alice.bsky.social", None, Handle("bluesky", "alice.bsky.social")),
        ("@Alice.Bsky.Social", None, Handle("bluesky", "alice.bsky.social")),
        ("nytimes.com", None, Handle("bluesky", "nytimes.com")),
        ("jay.xn--p1ai", None, Handle("bluesky", "jay.xn--p1ai")),
        ("a-b.c-d.example.com", "bluesky", Handle("bluesky", "a-b.c-d.example.com")),
        (PLC, None, Handle("bluesky", PLC)),
        ("DID:PLC:ewvi7nxzyoun6zhxrhs64oiz", None, Handle("bluesky", PLC)),
        ("did:web:example.com", None, Handle("bluesky", "did:web:example.com")),
        ("did:web:localhost.test%3A8080", None, Handle("bluesky", "did:web:localhost.test%3A8080")),
        (
            "https://bsky.app/profile/alice.bsky.social",
            None,
            Handle("bluesky", "alice.bsky.social"),
        ),
        ("bsky.app/profile/" + PLC + "/post/3k", None, Handle("bluesky", PLC)),
        ("alice.bsky.social", "bsky", Handle("bluesky", "alice.bsky.social")),
        # Mastodon
        ("@Gargron@mastodon.social", None, Handle("mastodon", "Gargron", "mastodon.social")),
        ("gargron@Mastodon.Social", None, Handle("mastodon", "gargron", "mastodon.social")),
        ("first.last@fosstodon.org", None, Handle("mastodon", "first.last", "fosstodon.org")),
        (
            "https://mastodon.social/@Gargron",
            None,
            Handle("mastodon", "Gargron", "mastodon.social"),
        ),
        ("mastodon.social/@Gargron/", None, Handle("mastodon", "Gargron", "mastodon.social")),
        (
            "https://mastodon.social/@bob@hachyderm.io",
            None,
            Handle("mastodon", "bob", "hachyderm.io"),
        ),
        ("https://fosstodon.org/users/alice", None, Handle("mastodon", "alice", "fosstodon.org")),
        ("http://127.0.0.1:3000/@dev", None, Handle("mastodon", "dev", "127.0.0.1:3000")),
        ("dev@localhost:3000", "mastodon", Handle("mastodon", "dev", "localhost:3000")),
    ],
)
def test_valid_inputs(text: str, platform: str | None, expected: Handle) -> None:
    assert parse_handle(text, platform) == expected


@pytest.mark.parametrize(
    ("text", "platform", "reason"),
    [
        ("@a-b", None, "'@a-b' is not a valid X username: only letters, digits and _ are allowed"),
        (
            "@abcdefghijklmnop",
            None,
            "'@abcdefghijklmnop' is not a valid X username: at most 15 characters, not 16",
        ),
        ("@", None, "'@' is not a valid X username: it is empty"),
        ("", None, "The account to audit is empty: give a handle such as @name"),
        ("al ice", None, "'al ice' is not a handle: it contains spaces"),
        (
            "jack",
            None,
            (
                "'jack' is ambiguous: write @jack for X, name.bsky.social for Bluesky or "
                "name@server for Mastodon, or pass --platform"
            ),
        ),
        ("jack", "bluesky", "'jack' is not a full Bluesky handle: did you mean jack.bsky.social?"),
        (
            "jack",
            "mastodon",
            "'jack' lacks its Mastodon server: write it as jack@server (e.g. jack@mastodon.social)",
        ),
        (
            "alice.bsky.social",
            "x",
            "'alice.bsky.social' is not a valid X username: only letters, digits and _ are allowed",
        ),
        (
            "@bob@mastodon.social",
            "x",
            "'@bob@mastodon.social' is a Mastodon account, not an X one as --platform x says",
        ),
        (
            "x.com/jack",
            "bluesky",
            "'x.com/jack' is an X account, not a Bluesky one as --platform bluesky says",
        ),
        ("jack", "myspace", "Unknown platform 'myspace': use one of x, bluesky, mastodon"),
        ("x.com/home", None, "'x.com/home' is not a profile address: x.com/home is not a user"),
        ("https://x.com/", None, "'https://x.com/' has no username after x.com/"),
        (
            "https://x.com/a-b",
            None,
            "'https://x.com/a-b' is not a valid X username: only letters, digits and _ are allowed",
        ),
        (
            "bsky.app/search",
            None,
            (
                "'bsky.app/search' is not a Bluesky profile address: "
                "expected bsky.app/profile/<handle>"
            ),
        ),
        (
            "alice.local",
            None,
            "'alice.local' is not a valid Bluesky handle: the .local domain is not allowed",
        ),
        (
            "-alice.bsky.social",
            None,
            (
                "'-alice.bsky.social' is not a valid Bluesky handle: it "
                "must be a domain name such as name.bsky.social (letters, "
                "digits and -, labels separated by dots)"
            ),
        ),
        (
            "alice.123",
            None,
            (
                "'alice.123' is not a valid Bluesky handle: it must be a domain "
                "name such as name.bsky.social (letters, digits and -, labels "
                "separated by dots)"
            ),
        ),
        (
            "did:plc:short",
            None,
            (
                "'did:plc:short' is not a valid did:plc: it must be did:plc: "
                "followed by 24 characters from a-z and 2-7"
            ),
        ),
        ("did:plc:ewvi7nxzyoun6zhxrhs64oi1", None, None),
        (
            "did:key:z6Mk",
            None,
            "'did:key:z6Mk' uses the DID method 'key': Bluesky accounts use did:plc or did:web",
        ),
        ("did:web:", None, "'did:web:' is not a valid did:web: it must name a domain"),
        ("bob@", None, "'bob@' is not a valid Mastodon account: write it as @name@server"),
        ("@bob@a@b.org", None, "'@bob@a@b.org' has too many @: a Mastodon account is @name@server"),
        ("b!ob@mastodon.social", None, None),
        (
            "bob@not_a_host",
            None,
            "'bob@not_a_host' is not a valid Mastodon account: 'not_a_host' is not a server name",
        ),
        ("https://example.com/about", None, None),
    ],
)
def test_invalid_inputs_say_why(text: str, platform: str | None, reason: str | None) -> None:
    with pytest.raises(InvalidHandleError) as caught:
        parse_handle(text, platform)
    assert isinstance(caught.value, UsageError)
    if reason is not None:
        assert str(caught.value) == reason


def test_display_is_how_users_write_handles() -> None:
    assert str(parse_handle("x.com/jack")) == "@jack"
    assert parse_handle("alice.bsky.social").display == "alice.bsky.social"
    assert parse_handle("@alice.bsky.social").display == "alice.bsky.social"
    assert parse_handle(PLC).display == PLC
    assert parse_handle("https://mastodon.social/@Gargron").display == "@Gargron@mastodon.social"


def test_normalize_platform() -> None:
    assert [normalize_platform(p) for p in ("X", "twitter", "Bsky", "mastodon")] == [
        "x",
        "x",
        "bluesky",
        "mastodon",
    ]


# Names of x.com pages (x.com/home, x.com/i) cannot be usernames, so URLs with them are refused.
X_NAMES = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True).filter(
    lambda n: n.lower() not in X_RESERVED
)
LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
TLD = st.from_regex(r"[a-z][a-z0-9]{1,5}", fullmatch=True).filter(
    lambda t: (
        t not in {"local", "arpa", "invalid", "localhost", "internal", "example", "alt", "onion"}
    )
)


@given(X_NAMES)
def test_valid_x_usernames_round_trip_in_every_form(name: str) -> None:
    expected = Handle("x", name)
    for text in (f"@{name}", f"x.com/{name}", f"https://twitter.com/{name}/?s=1"):
        assert parse_handle(text) == expected
    assert parse_handle(name, platform="x") == expected
    assert parse_handle(parse_handle(f"@{name}").display) == expected


@given(st.text(alphabet="abc_-.!é1", min_size=16, max_size=20))
def test_long_or_odd_x_usernames_are_refused(name: str) -> None:
    with pytest.raises(InvalidHandleError):
        parse_handle(name, platform="x")


@given(st.lists(LABEL, min_size=1, max_size=4), TLD)
def test_valid_bluesky_handles_round_trip(labels: list[str], tld: str) -> None:
    handle = ".".join([*labels, tld])
    expected = Handle("bluesky", handle)
    assert parse_handle(handle) == expected
    assert parse_handle(f"https://bsky.app/profile/{handle}") == expected
    assert parse_handle(parse_handle(handle).display) == expected


@given(
    st.from_regex(r"[A-Za-z0-9_]{1,20}", fullmatch=True),
    st.lists(LABEL, min_size=1, max_size=3),
    TLD,
)
def test_valid_mastodon_accounts_round_trip(name: str, labels: list[str], tld: str) -> None:
    server = ".".join([*labels, tld])
    expected = Handle("mastodon", name, server)
    for text in (f"@{name}@{server}", f"{name}@{server}", f"https://{server}/@{name}"):
        assert parse_handle(text) == expected
    assert parse_handle(expected.display) == expected
