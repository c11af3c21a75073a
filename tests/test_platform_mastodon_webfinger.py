"""A Mastodon address on a delegated domain is found on its home server through WebFinger."""

from __future__ import annotations

import pytest
from fakes import HostMapTransport, no_wait_http
from fakes.mastodon_server import SUBJECT_ID, DelegatingDomain, MastodonServer

from followaudit.errors import NotFoundError
from followaudit.handles import Handle
from followaudit.live.scan import run_scan

ADDRESS = Handle("mastodon", "subject", "example.com")
HOME = "social.example.com"
LOOKUP = "/api/v1/accounts/lookup"
WEBFINGER = "/.well-known/webfinger"
FOLLOWERS = f"/api/v1/accounts/{SUBJECT_ID}/followers"


@pytest.mark.parametrize("site_api", ["not-found", "html"])
def test_the_home_server_named_by_webfinger_is_asked(site_api: str) -> None:
    with (
        MastodonServer(n=200, local_domain="example.com") as home,
        DelegatingDomain("example.com", f"https://{HOME}", api=site_api) as site,
    ):
        http = no_wait_http(transport=HostMapTransport({"example.com": site.url, HOME: home.url}))
        result = run_scan(ADDRESS, http=http)

        assert site.log[0].startswith(f"{LOOKUP}?acct=subject")  # the common case first
        assert dict(site.requests) == {LOOKUP: 1, WEBFINGER: 1}
        assert site.log[1] == f"{WEBFINGER}?resource=acct%3Asubject%40example.com"
        assert dict(home.requests) == {LOOKUP: 1, FOLLOWERS: 3}  # 1 + ceil(200 / 80)
        assert home.log[0] == f"{LOOKUP}?acct=subject%40example.com"
    assert result.listed == 200 and len(result.table) == 200
    assert result.subject.handle == "subject@example.com"  # the address, as the user knows it


def test_an_account_on_its_own_domain_costs_no_webfinger_request() -> None:
    with MastodonServer(n=100) as home:
        http = no_wait_http(transport=HostMapTransport({HOME: home.url}))
        run_scan(Handle("mastodon", "subject", HOME), http=http)
        assert dict(home.requests) == {LOOKUP: 1, FOLLOWERS: 2}


def test_an_unknown_address_is_still_not_found() -> None:
    with (
        MastodonServer(n=10, local_domain="example.com") as home,
        DelegatingDomain("example.com", f"https://{HOME}") as site,
    ):
        http = no_wait_http(transport=HostMapTransport({"example.com": site.url, HOME: home.url}))
        with pytest.raises(NotFoundError, match=r"@nobody@example\.com was not found"):
            run_scan(Handle("mastodon", "nobody", "example.com"), http=http)
        assert dict(site.requests) == {LOOKUP: 1, WEBFINGER: 1}
        assert home.total == 0


def test_an_explicit_api_url_is_never_second_guessed() -> None:
    with DelegatingDomain("example.com", f"https://{HOME}") as site:
        http = no_wait_http(transport=HostMapTransport({"example.com": site.url}))
        with pytest.raises(NotFoundError):
            run_scan(ADDRESS, http=http, api_url=site.url)
        assert dict(site.requests) == {LOOKUP: 1}
