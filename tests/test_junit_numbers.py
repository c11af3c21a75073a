"""Gate failures in JUnit are written for people: "12,000", "36.2%", never "1.2e+04"."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from clirun import run
from fakes.x_server import TOKEN, XServer

from followaudit.errors import ExitCode


def test_gate_failures_quote_counts_and_shares_as_people_write_them(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    junit = tmp_path / "junit.xml"
    with XServer(n=200, bot_block=range(120)) as server:
        code, _, err = run(
            capsys,
            "scan",
            "@subject",
            "--api-url",
            server.url,
            "--no-cache",
            "--no-posts",
            "--fail-above",
            "2.5",
            "--min-authentic",
            "123456",
            "--junit",
            junit,
        )
    assert code == ExitCode.GATE_FAILED, err
    failure = ET.parse(junit).getroot().find(".//failure")
    text = failure.text or ""
    assert not re.search(r"\de[+-]\d", text), text
    corrected = r"\(corrected for the model's measured error rates\) "
    assert re.search(
        r"--fail-above: lower bound of the 95% interval of the share questionable "
        + corrected
        + r"is \d{1,3}\.\d%, limit 2\.5%",
        text,
    ), text
    assert re.search(
        r"--min-authentic: upper bound of the 95% interval of authentic followers "
        + corrected
        + r"is [\d,]+, limit 123,456",
        text,
    ), text
    root = ET.parse(junit).getroot()
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["share_method"] == "corrected"
