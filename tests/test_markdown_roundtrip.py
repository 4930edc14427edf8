"""The three guarantees of the Markdown mapping: data round trip, document round trip, fixed point."""
from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import json_values

import toon_hooks
from toon_hooks.errors import ConversionError
from toon_hooks.formats.json_fmt import toon_document
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.scalar import is_scalar, scalar_text
from toon_hooks.formats.markdown.write import data_to_markdown
from toon_hooks.options import Options

DATA = Path(__file__).parent / "data" / "markdown"
CORPUS = sorted(DATA.glob("*.md"))
SAMPLES = sorted((DATA / "samples").glob("*.md"))
"""Copies of the user's samples (shared/samples), kept here so the suite needs nothing outside the repo."""
DOCUMENTS = CORPUS + SAMPLES


def toon_of(markdown: str) -> str:
    return toon_document(markdown_to_data(markdown), Options())


def markdown_of(toon: str) -> str:
    return data_to_markdown(toon_hooks.decode(toon))


# --- 1. data round trip -----------------------------------------------------------------------------------

MARKDOWN_STRINGS = (
    "# x", "- a", "* b", "1. c", "2) d", "[x] done", "[ ] todo", "> q", "> [!NOTE]", "[!TIP]", "```", "~~~", "|",
    "a|b", "a \\| b", "---", "***", "===", "-", "<div>", "<!-- c", "<b>x</b>", "[a]: /u", "[a]", "  two  ",
    "a\n\nb", "a\nb", "a\n- b", '`"x"`', '`"42"`', "`x`", "**b**", "\\", "a\\", "\\*", "&amp;", "&#42;",
    "a  \nb", "a\\\nb", "    code", "\tx", "x #", "#", "A #2", "_body", "front_matter", "link_references",
    "42", "1.0", "true", "null", "", " ", "é", "🚀", "[]", "{}", "a\n\n---", "---\n\na", "```toon\nx: 1\n```",
    "```toon\nitems[2]: 1\n```",
)
"""Strings that are, or nearly are, Markdown syntax."""
RESERVED_KEYS = (
    "_body", "front_matter", "link_references", "code", "lang", "tasks", "items", "ordered", "start", "quote",
    "alert", "text", "html", "columns", "table", "depth", "done", "label", "href", "title", "A", "A #2", "A #3",
)
"""Keys the mapping gives a meaning to, and keys its de-duplication produces."""

md_strings = st.one_of(
    st.sampled_from(MARKDOWN_STRINGS),
    st.lists(st.sampled_from(MARKDOWN_STRINGS), min_size=2, max_size=3).map("".join),
    st.text(max_size=6),
)
md_primitives = st.one_of(st.none(), st.booleans(), st.integers(-5, 100),
                          st.floats(allow_nan=False, allow_infinity=False), md_strings)
md_keys = st.one_of(st.sampled_from(RESERVED_KEYS), md_strings)


def tagged(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects shaped like the mapping's tagged blocks, valid or nearly valid."""
    rows = st.lists(
        st.fixed_dictionaries(
            {"depth": st.integers(0, 2), "done": st.sampled_from([True, False, None]), "text": children}),
        min_size=1,
        max_size=4,
    )
    return st.one_of(
        st.fixed_dictionaries({"code": md_strings}),
        st.fixed_dictionaries({"lang": st.sampled_from(["py", "toon", "a b", "", "x`"]), "code": md_strings}),
        st.fixed_dictionaries({"ordered": st.lists(children, min_size=1, max_size=3), "start": st.integers(0, 3)}),
        rows,
        rows.map(lambda rs: [{"done": r["done"], "text": r["text"]} for r in rs]),
        rows.map(lambda rs: [{"depth": r["depth"], "text": r["text"]} for r in rs]),
        st.fixed_dictionaries({"tasks": rows}),
        st.fixed_dictionaries({"items": rows.map(lambda rs: [{"depth": r["depth"], "text": r["text"]} for r in rs])}),
        st.fixed_dictionaries({"quote": children}),
        st.fixed_dictionaries({"alert": st.sampled_from(["NOTE", "TIP", "x"]), "text": children}),
        st.fixed_dictionaries({"html": st.sampled_from(["<div>\nx\n</div>", "<!-- c -->", "<b>", "<!-- open"])}),
        st.fixed_dictionaries({"columns": st.lists(md_keys, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"table": st.lists(st.fixed_dictionaries({"a": md_primitives, "b": md_primitives}),
                                                 min_size=1, max_size=2)}),
        st.fixed_dictionaries({"done": st.booleans(), "text": children}),
        st.fixed_dictionaries(
            {
                "link_references": st.lists(
                    st.fixed_dictionaries(
                        {"label": st.sampled_from(["A", "a", "B B"]), "href": st.sampled_from(["/u", "x y", ""]),
                         "title": st.sampled_from(["", "t", 'a"b'])}
                    ),
                    max_size=2,
                )
            }
        ),
    )


markdown_values = st.recursive(
    md_primitives,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(md_keys, children, max_size=4),
                               tagged(children)),
    max_leaves=12,
)


def typed_equal(a: Any, b: Any) -> bool:
    """`==`, except that booleans never equal numbers (Python's True == 1 would hide a typing slip)."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(typed_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(typed_equal, a, b))
    if isinstance(a, (bool, str)) or isinstance(b, (bool, str)) or a is None or b is None:
        return type(a) is type(b) and a == b
    return bool(a == b)  # numbers compare by value: 1.0 may come back as 1


@settings(max_examples=examples(300), deadline=None)
@given(json_values())
def test_any_json_value_round_trips_through_markdown(value: Any) -> None:
    back = markdown_to_data(data_to_markdown(value))
    assert back == value
    assert typed_equal(value, back)


@settings(max_examples=examples(300), deadline=None)
@given(markdown_values)
def test_markdown_like_values_round_trip_through_markdown(value: Any) -> None:
    back = markdown_to_data(data_to_markdown(value))
    assert back == value
    assert typed_equal(value, back)


@settings(max_examples=examples(100), deadline=None)
@given(st.one_of(json_values(), markdown_values))
def test_any_json_value_round_trips_through_toon_and_markdown_text(value: Any) -> None:
    toon = toon_hooks.encode(value)
    assert toon_hooks.decode(toon_of(markdown_of(toon))) == value


# --- 2. document round trip -------------------------------------------------------------------------------


def normalised_html(markdown: str) -> str:
    """markdown-it HTML without what the data model does not keep, whitespace collapsed.

    Not kept: list looseness (blank lines between items), table column alignment, and absolute heading
    levels (a heading's level becomes its nesting depth, so `##` under nothing is `h1`).
    """
    md = parser()
    env: dict[str, Any] = {}
    tokens = md.parse(markdown, env)
    lists = 0
    open_levels: list[int] = []
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open", "bullet_list_close", "ordered_list_close"):
            lists += token.nesting
        elif token.type in ("paragraph_open", "paragraph_close") and lists:
            token.hidden = True
        elif token.type in ("th_open", "td_open"):
            token.attrs.pop("style", None)
        elif token.type == "heading_open" and token.level == 0:
            while open_levels and open_levels[-1] >= int(token.tag[1]):
                open_levels.pop()
            open_levels.append(int(token.tag[1]))
            token.tag = f"h{len(open_levels)}"
        elif token.type == "heading_close" and token.level == 0:
            token.tag = f"h{len(open_levels)}"
    rendered = re.sub(r"\s+", " ", md.renderer.render(tokens, md.options, env))
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", rendered).strip()


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[^\W_]+", html.unescape(text).casefold()))


def data_text(value: Any) -> str:
    """Every key and value of the data, as text."""
    if isinstance(value, dict):
        return " ".join(f"{key} {data_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return " ".join(map(data_text, value))
    return scalar_text(value) if is_scalar(value) else ""


def test_corpus_is_broad() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_document_renders_to_the_same_html_after_toon(path: Path) -> None:
    markdown = path.read_text(encoding="utf-8")
    assert normalised_html(markdown_of(toon_of(markdown))) == normalised_html(markdown)


def plain_text(markdown: str) -> str:
    """The text a reader sees, plus the front matter; toon fences are left out (TOON syntax is not text:
    their data is what the data round trip checks)."""
    md = parser()
    env: dict[str, Any] = {}
    tokens = md.parse(markdown, env)
    front = " ".join(t.content for t in tokens if t.type == "front_matter")
    shown = [t for t in tokens if not (t.type == "fence" and t.info.split()[:1] == ["toon"])]
    return re.sub(r"<[^>]+>", " ", md.renderer.render(shown, md.options, env)) + " " + front


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_no_word_of_the_document_is_dropped(path: Path) -> None:
    markdown = path.read_text(encoding="utf-8")
    missing = words(plain_text(markdown)) - words(data_text(toon_hooks.decode(toon_of(markdown))))
    assert not missing


# --- 3. fixed point ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_toon_twin_is_a_fixed_point(path: Path) -> None:
    toon = toon_of(path.read_text(encoding="utf-8"))
    assert toon_of(markdown_of(toon)) == toon


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_markdown_twin_is_a_fixed_point(path: Path) -> None:
    markdown = markdown_of(toon_of(path.read_text(encoding="utf-8")))
    assert markdown_of(toon_of(markdown)) == markdown


SNIPPETS = (
    "# A", "## B", "### C", "#", "Text", "more *text*", "", "", "", "- a", "- [x] b", "  - [ ] c", "    - d", "* e",
    "+ f", "1. g", "2) h", "3. [ ] i", "> q", "> [!NOTE]", "> > r", ">", "```", "```py", "~~~", "    code", "\tcode",
    "| a | b |", "|---|:-:|", "| 1 | x \\| y |", "---", "***", "===", "<div>", "</div>", "<!-- c -->", "<!--",
    "[a]: /u", "[B]: <x y> 'z'", "[a][]", "text  ", "text\\", '`"42"`', "42", "true", "a: 1", "  - nested",
    "   indented", "- ---", "- > q", "- ```", "1. - x", "&amp; &copy;", "```toon", "k: v", "[2]: 1,2",
)
"""Lines that, stacked at random, make odd but real Markdown documents."""


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), max_size=14).map("\n".join))
def test_any_markdown_reaches_a_fixed_point_after_one_conversion(markdown: str) -> None:
    try:
        value = markdown_to_data(markdown)
    except ConversionError:  # unclosed front matter YAML or a bad toon fence: reported, never guessed
        return
    twin = data_to_markdown(value)
    assert typed_equal(markdown_to_data(twin), value)
    assert data_to_markdown(markdown_to_data(twin)) == twin


# --- 4. text the mapping keeps (regressions found by running it over real and generated documents) --------


def mapped_again(markdown: str) -> str:
    """The document written back from its data."""
    return data_to_markdown(markdown_to_data(markdown))


@pytest.mark.parametrize(
    "markdown",
    [
        "# Status\n\n**Owner:** ops\n**State:** done\n---\n\ntext\n",  # lines under a paragraph's `---`: one h2
        "Release plan\nfor March\n===\n",
        "> Title\n> on two lines\n> ---\n",  # a multi-line heading inside a container is prose
        "---\nRelease notes\n---\n\ntext\n",  # front matter holding one YAML scalar
        "```\n\n```\n",  # a fence holding one blank line
        "```sh\n\n\n```\n",
    ],
    ids=["setext-h2-under-a-heading", "setext-h1", "setext-in-quote", "scalar-front-matter", "one-blank-line-fence",
         "two-blank-lines-fence"],
)
def test_mapping_keeps_the_text(markdown: str) -> None:
    twin = mapped_again(markdown)
    assert parser().render(twin) == parser().render(markdown)
    assert markdown_to_data(twin) == markdown_to_data(markdown)


def test_indented_html_after_a_list_stays_out_of_the_list() -> None:
    """`  <!-- x -->` after an indented list is its own block; written after `- item` it would join the item."""
    value = markdown_to_data("  - item\n  <!-- note -->\n")
    assert value == [["item"], {"html": "  <!-- note -->"}]
    assert markdown_to_data(data_to_markdown(value)) == value
