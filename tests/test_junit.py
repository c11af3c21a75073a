"""--junit writes one JUnit test case per account, in the shape CI servers read natively."""

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from followaudit.outputs.junit import AccountResult, write_junit

WHEN = datetime(2026, 3, 31, 12, 0, 5, tzinfo=UTC)

RESULTS = [
    AccountResult(
        name="@honest on x",
        passed=True,
        summary="Authentic followers: about 9,100 (8,900-9,300) of 10,000",
        duration=1.5,
        properties={"authentic_share": 0.91, "followers": 10_000},
    ),
    AccountResult(
        name='@guru<&>"on" x',
        passed=False,
        summary="Authentic followers: about 3,000 (2,800-3,200) of 10,000",
        failures=(
            "70% questionable is above --fail-above 30%",
            "links to its own sites in 90% of its posts & <never> replies",
        ),
        duration=2.25,
    ),
    AccountResult(
        name="@gone on bluesky",
        passed=False,
        error="@gone was not found on Bluesky\x07",
        duration=0.25,
    ),
]


def parse(results=RESULTS) -> ET.Element:
    buffer = io.BytesIO()
    write_junit(results, buffer, timestamp=WHEN)
    return ET.fromstring(buffer.getvalue())


def test_suite_counts_and_shape():
    root = parse()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for element in (root, suite):
        assert element.get("tests") == "3"
        assert element.get("failures") == "1"
        assert element.get("errors") == "1"
        assert element.get("time") == "4.000"
    assert suite.get("timestamp") == "2026-03-31T12:00:05"
    assert [c.get("name") for c in suite.findall("testcase")] == [
        "@honest on x",
        '@guru<&>"on" x',
        "@gone on bluesky",
    ]
    assert all(c.get("classname") == "followaudit" for c in suite.iter("testcase"))


def test_passing_account_has_no_failure_and_carries_its_numbers():
    case = parse().find("testsuite/testcase[1]")
    assert case.find("failure") is None and case.find("error") is None
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {"authentic_share": "0.91", "followers": "10000"}
    assert case.findtext("system-out") == RESULTS[0].summary
    assert case.get("time") == "1.500"


def test_failure_holds_every_reason_escaped():
    case = parse().find("testsuite/testcase[2]")
    failure = case.find("failure")
    assert failure.get("type") == "GateFailed"
    assert failure.get("message") == (
        "70% questionable is above --fail-above 30%; "
        "links to its own sites in 90% of its posts & <never> replies"
    )
    assert failure.text == (
        "- 70% questionable is above --fail-above 30%\n"
        "- links to its own sites in 90% of its posts & <never> replies"
    )


def test_raw_xml_escapes_markup_in_handles_and_reasons():
    buffer = io.BytesIO()
    write_junit(RESULTS, buffer, timestamp=WHEN)
    raw = buffer.getvalue().decode("utf-8")
    assert "<never>" not in raw and "&lt;never&gt;" in raw
    assert 'name="@guru&lt;&amp;&gt;&quot;on&quot; x"' in raw
    assert raw.startswith("<?xml version='1.0' encoding='utf-8'?>")


def test_unfetchable_account_is_an_error_with_control_characters_replaced():
    error = parse().find("testsuite/testcase[3]/error")
    assert error.get("type") == "FetchError"
    assert error.get("message") == "@gone was not found on Bluesky\ufffd"


def test_writes_to_a_path_and_a_text_stream(tmp_path):
    path = tmp_path / "junit.xml"
    write_junit(RESULTS, path, timestamp=WHEN)
    assert ET.parse(path).getroot().get("tests") == "3"
    text = io.StringIO()
    write_junit(RESULTS[:1], text, timestamp=WHEN)
    assert ET.fromstring(text.getvalue()).get("failures") == "0"


def test_no_accounts_gives_an_empty_suite():
    root = parse([])
    assert root.get("tests") == "0"
    assert root.find("testsuite").findall("testcase") == []
