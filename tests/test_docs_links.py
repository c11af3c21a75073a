"""Every relative link of the README and the docs pages leads to a file, and to a heading in it.

On GitHub a README link such as `docs/commands.md#gates` must open the page at
that heading; `mkdocs build --strict` (in .ci/run) checks the site's links
again the way MkDocs resolves them.
"""

import re
from pathlib import Path

import pytest
import yaml
from docpages import DOCS, ROOT, pages

LINK = re.compile(r"\]\(([^)\s]+)\)")


def without_blocks(text: str) -> str:
    """Return ``text`` without its fenced code blocks (a `#` line there is no heading)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def without_code(text: str) -> str:
    """Return ``text`` without code blocks and inline code, where links are not links."""
    return re.sub(r"`[^`\n]*`", "", without_blocks(text))


def slug(heading: str) -> str:
    """Return a heading's anchor as GitHub (and MkDocs, for these headings) makes it."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return words.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Return the anchors of every heading of a Markdown file."""
    text = without_blocks(path.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def relative_links(path: Path) -> list[str]:
    """Return the links of a Markdown file that are not web addresses."""
    found = LINK.findall(without_code(path.read_text(encoding="utf-8")))
    return [link for link in found if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    links = relative_links(path)
    if path.name == "README.md":
        assert len(links) > 20  # the front page links into the docs
    for link in links:
        target, _, anchor = link.partition("#")
        file = (path.parent / target).resolve() if target else path
        assert file.exists(), f"{path.name}: {link} names no file"
        assert ROOT in file.parents or file == ROOT, link
        if anchor and file.suffix == ".md":
            assert anchor in anchors(file), f"{path.name}: {link} names no heading"


def test_every_docs_page_is_in_the_site_nav_and_stays_in_docs():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["docs_dir"] == "docs"
    listed = [next(iter(entry.values())) for entry in config["nav"]]
    assert sorted(listed) == sorted(p.name for p in DOCS.glob("*.md"))
    for path in DOCS.glob("*.md"):
        for link in relative_links(path):
            assert not link.startswith("../"), f"{path.name}: {link} leaves the site"
