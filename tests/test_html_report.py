"""The HTML report is one self-contained file that renders in a real headless browser."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import numpy as np
import pytest

from followaudit.analysis.batches import NO_ORDER, follow_order_document
from followaudit.analysis.behaviour import analyse
from followaudit.analysis.summary import Summary, headline
from followaudit.formats.posts import Post
from followaudit.model.quantify import Interval
from followaudit.outputs.documents import behaviour_document
from followaudit.outputs.html_report import render_html

NOW = datetime(2026, 3, 31, 12, tzinfo=UTC)
HEADLINE = "Authentic followers: about 7,800 (7,500-8,100) of 10,000"


def guru_findings():
    posts = [
        Post(NOW - timedelta(days=i), False, False, ("https://guru.example/c",), True, 1, 0, 0)
        for i in range(30)
    ]
    behaviour = analyse(posts, followers=10_000, profile_url="https://guru.example", now=NOW)
    return behaviour_document(behaviour)["findings"]


def sample_report(**changes):
    flags = np.random.default_rng(1).random(10_000) < 0.1
    flags[3000:4000] = True
    report = {
        "title": "@guru on X",
        "generated_at": "2026-03-31 12:00 UTC",
        "headline": HEADLINE,
        "details": ["2,000 followers scored of 10,000", "model v1"],
        "histogram": [900, 400, 200, 100, 80, 60, 60, 70, 50, 80],
        "threshold": 0.5,
        "follow_order": follow_order_document(flags),
        "findings": guru_findings(),
        "questionable_followers": [
            {
                "handle": "bot<script>alert(1)</script>",
                "probability": 0.99,
                "reasons": ["no profile picture", "follows 4,990 & is followed by 3"],
            },
            {"handle": "@user8812734", "probability": 0.93, "reasons": ["8 digits in the handle"]},
        ],
    }
    report.update(changes)
    return report


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(html):
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector


def test_headline_is_rounded_to_its_precision():
    # The same rounding as the terminal headline (report.round_followers): by the
    # size of each figure, tens from 1,000, hundreds from 10,000.
    def summary(estimate, low, high, population):
        return Summary(
            scored=100,
            skipped=0,
            questionable=10,
            threshold=0.5,
            share_questionable=Interval(0.1, 0.05, 0.15),
            population=population,
            authentic_followers=Interval(estimate, low, high),
        )

    assert headline(summary(7_812.4, 7_498.0, 8_105.2, 10_000)) == (
        "Authentic followers: about 7,810 (7,500-8,110) of 10,000"
    )
    assert headline(summary(812.4, 749.0, 871.0, 1_000)) == (
        "Authentic followers: about 812 (749-871) of 1,000"
    )
    assert headline(summary(12_345.0, 9_996.0, 14_049.0, 20_000)) == (
        "Authentic followers: about 12,300 (10,000-14,000) of 20,000"
    )
    assert headline(summary(81.4, 70.2, 90.0, 100)) == (
        "Authentic followers: about 81 (70-90) of 100"
    )


def test_report_has_every_section():
    page = parse(render_html(sample_report()))
    text = " ".join(page.text)
    assert HEADLINE in text
    assert page.tags.count("svg") == 2
    assert page.tags.count("rect") == 20  # 10 score bars + 10 follow-order bars
    assert "links to its own sites (guru.example) in 100% of its posts (30 of 30)" in text
    assert "Followers 3,001-4,000 (counted from the newest): 100% questionable" in text
    assert "8 digits in the handle" in text


def test_flagged_bucket_and_findings_are_highlighted():
    html = render_html(sample_report())
    assert html.count('class="bar flagged"') == 1
    assert html.count('<span class="badge flagged">flagged</span>') == 3


def test_every_value_is_escaped():
    html = render_html(sample_report(title='<b>"x"</b>'))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "follows 4,990 &amp; is followed by 3" in html
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in html


def test_nothing_is_fetched_from_the_network():
    html = render_html(sample_report())
    page = parse(html)
    linked = [value for name, value in page.attrs if name in ("src", "href", "srcset", "action")]
    assert linked == []
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "url(" not in html
    # The only URL in the file is the SVG namespace, which is an identifier, not a fetch.
    assert {a for a in html.split('"') if a.startswith("http")} == {"http://www.w3.org/2000/svg"}


def test_unknown_follow_order_is_said_instead_of_charted():
    html = render_html(sample_report(follow_order={"known": False, "note": NO_ORDER}))
    page = parse(html)
    assert page.tags.count("svg") == 1
    assert NO_ORDER in " ".join(page.text)


def test_empty_report_still_renders():
    page = parse(render_html({"headline": "No follower could be scored"}))
    assert "No follower could be scored" in " ".join(page.text)
    assert "No follower was rated questionable." in " ".join(page.text)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(tmp_path, *args):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium installed (apt-get install chromium); CI installs it")
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def test_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    report.write_text(render_html(sample_report()), encoding="utf-8")
    dom = run_browser(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert HEADLINE in dom
    assert dom.count("<svg") == 2
    assert dom.count('class="bar flagged"') == 1
    assert "<script>alert" not in dom


def test_screenshot_is_not_blank(tmp_path):
    report = tmp_path / "report.html"
    report.write_text(render_html(sample_report()), encoding="utf-8")
    shot = tmp_path / "report.png"
    run_browser(tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", report.as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes
