"""How a Markdown document becomes TOON: the lines reading, the lossless rule, and the cheapest-reading choice."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import toon_hooks
from toon_hooks.formats import checkpoint, registry
from toon_hooks.formats.cost import estimate_tokens
from toon_hooks.formats.json_fmt import toon_document
from toon_hooks.formats.markdown.lines import is_lines_data, read_lines, write_lines
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.readings import markdown_of
from toon_hooks.options import Options

DATA = Path(__file__).parent / "data"
DOCUMENTS = sorted((DATA / "markdown").glob("**/*.md")) + sorted((DATA / "checkpoint").glob("*.md"))


def md_to_toon(markdown: str, options: Options = Options(), path: str = "doc.md") -> str:
    return registry.get("md", "toon").convert(markdown.encode(), options, path)


def toon_to_md(toon: str, options: Options = Options()) -> str:
    return registry.get("toon", "md").convert(toon.encode(), options, "doc.toon")


def html(markdown: str) -> str:
    return str(parser().render(markdown))


# Lines of the kinds real documents are made of, several of which change meaning next to each other
# (a `---` under a paragraph is a heading underline, a table needs its delimiter row, fences must close).
LINE = st.sampled_from([
    "", "", "# Title", "## Section: one", "### Sub", "text with: a colon", "plain words", "**Label:** value",
    "**Agent:** database-architect", "- item", "- [ ] open task", "- [x] done task", "  - [ ] nested task",
    "  - nested item", "1. first", "2) second", ">90% test coverage", "> quoted", "---", "***", "| a | b |",
    "|---|:-:|", "| 1 | x, y |", "```", "```bash", "    indented code", "<!-- comment -->", "<div>", "</div>",
    "[ref]: https://example.org", "see [ref]", "a\\*b", "tab\there", 'say "hi"', "back\\slash", "émoji 🚀",
    "- `code: x`", "trailing space ", "setext", "===", "#no-space", "- - -", "~~~", "+ plus item",
])


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(LINE, max_size=30))
def test_any_document_round_trips_to_the_same_html(lines: list[str]) -> None:
    """The promise users get: whatever reading is picked, md → toon → md renders the same page."""
    markdown = "\n".join(lines) + "\n"
    assert html(toon_to_md(md_to_toon(markdown))) == html(markdown)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_lines_reading_is_byte_exact(text: str) -> None:
    value = read_lines(text)
    assert is_lines_data(value)
    back = write_lines(toon_hooks.decode(toon_document(value, Options())))
    expected = text.replace("\r\n", "\n")
    assert back == (expected if expected.endswith("\n") or not expected else expected + "\n")


def test_lines_reading_keeps_front_matter_as_data_unless_it_may_hold_a_comment() -> None:
    plain = '---\ntitle: "Plan"\ndate: 2026-09-18\ntags: [a]\n---\n\n# Plan\n'
    value = read_lines(plain)
    assert value == {"front_matter": {"title": "Plan", "date": "2026-09-18", "tags": ["a"]},
                     "markdown": ["", "# Plan"]}
    assert read_lines(write_lines(value)) == value  # same data, PyYAML's style
    commented = "---\n# owner: ops\ntitle: Plan\n---\n# Plan\n"
    assert read_lines(commented) == {"markdown": commented.rstrip("\n").split("\n")}
    assert write_lines(read_lines(commented)) == commented


def test_front_matter_that_is_not_yaml_stays_in_the_lines() -> None:
    """`---` at the top and a later `---` enclose front matter for the parser (and GitHub), YAML or not."""
    for text in ("---\ntitle: [unclosed\n---\n# x\n", "---\n**Label:** value\n---\n"):
        assert toon_hooks.decode(md_to_toon(text)) == {"markdown": text.rstrip("\n").split("\n")}


def test_a_thematic_break_line_is_not_taken_for_front_matter() -> None:
    text = "---\n\n# Not front matter\n"
    assert read_lines(text) == {"markdown": ["---", "", "# Not front matter"]}


def _readings(markdown: str, path: str, options: Options) -> list[str]:
    """Every lossless reading's TOON, the lines reading first."""
    found = [toon_document(read_lines(markdown), options)]
    readers = [markdown_to_data] + ([checkpoint.markdown_to_data] if checkpoint.detect(markdown, path, options) else [])
    for reader in readers:
        toon = toon_document(reader(markdown), options)
        if html(markdown_of(toon_hooks.decode(toon))) == html(markdown):
            found.append(toon)
    return found


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_the_cheapest_lossless_reading_wins(path: Path) -> None:
    markdown = path.read_text(encoding="utf-8")
    found = _readings(markdown, path.name, Options())
    toon = md_to_toon(markdown, path=path.name)
    assert toon in found
    assert estimate_tokens(toon) == min(estimate_tokens(t) for t in found)
    assert html(toon_to_md(toon)) == html(markdown)


def test_markdown_written_from_data_reads_back_as_that_data() -> None:
    """A table-and-fields document (what `toon → md` writes) is cheaper as data than as lines."""
    markdown = "# agents\n\n| id | name |\n| --- | --- |\n| 1 | planner |\n| 2 | coder |\n\n# owner\n\nops\n"
    toon = md_to_toon(markdown)
    assert toon_hooks.decode(toon) == {"agents": [{"id": 1, "name": "planner"}, {"id": 2, "name": "coder"}],
                                       "owner": "ops"}


def test_a_lossy_structured_reading_is_never_used() -> None:
    """The general mapping numbers a heading level relative to the document's first one (a documented
    non-goal), so a document that starts below level 1 cannot take it; the lines reading is used."""
    markdown = "### Goals\n\n- fast\n- >90% test coverage\n"
    value = toon_hooks.decode(toon_document(markdown_to_data(markdown), Options()))
    assert html(markdown_of(value)) != html(markdown)  # the general mapping alone would lose the level
    toon = md_to_toon(markdown)
    assert toon_hooks.decode(toon) == read_lines(markdown)
    assert html(toon_to_md(toon)) == html(markdown)


def test_checkpoint_globs_force_the_checkpoint_model_where_it_is_lossless() -> None:
    markdown = (DATA / "checkpoint" / "checkpoint-minimal.md").read_text(encoding="utf-8")
    value = toon_hooks.decode(md_to_toon(markdown, Options(checkpoint_globs=("*.md",))))
    assert checkpoint.is_checkpoint_data(value)
    assert html(markdown_of(value)) == html(markdown)


def test_lines_data_written_by_hand_renders_as_its_lines() -> None:
    assert toon_to_md('markdown[3]: "# Title","",Some *text*.\n') == "# Title\n\nSome *text*.\n"
