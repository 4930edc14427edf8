"""TOON/Markdown → HTML pages, read back as a tree: data shown as written, raw HTML never live, nothing remote,
comments hidden, front matter shown, one `<h1>` and heading ids, the page skeleton and its CSP."""
from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from typing import Any

import pytest

from toon_hooks import encode
from toon_hooks.formats.html import CSP, STYLE, MarkdownToHtml, ToonToHtml
from toon_hooks.formats.markdown.lines import read_lines
from toon_hooks.formats.registry import get
from toon_hooks.options import Options

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


class Node:
    """An element of a page: its tag, attributes and children (text and elements)."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[str | Node] = []

    @property
    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    @property
    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    def all(self, tag: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                found.extend([child] * (child.tag == tag) + child.all(tag))
        return found

    def tags(self) -> list[str]:
        return [tag for child in self.children if isinstance(child, Node) for tag in [child.tag, *child.tags()]]


class Page(HTMLParser):
    """A page as a tree of Nodes, read by the standard library's HTML parser (which decodes character references)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.root = Node("#document", {})
        self._open = [self.root]
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self._open[-1].children.append(node)
        if tag not in VOID:
            self._open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID, f"<{tag}/> is not a void element"
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert self._open[-1].tag == tag, f"</{tag}> closes <{self._open[-1].tag}>"
        self._open.pop()

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)

    def all(self, tag: str) -> list[Node]:
        return self.root.all(tag)

    def one(self, tag: str) -> Node:
        (node,) = self.all(tag)
        return node

    @property
    def main(self) -> Node:
        return self.one("main")


def digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def md_page(markdown: str, path: str = "docs/guide.md") -> Page:
    return Page(MarkdownToHtml().convert(markdown.encode(), Options(), path))


def toon_page(value: Any, path: str = "data/report.toon") -> Page:
    return Page(ToonToHtml().convert(encode(value).encode(), Options(), path))


# --- the page --------------------------------------------------------------------------------------------------------


def test_page_skeleton_csp_and_lang() -> None:
    text = MarkdownToHtml().convert(b"# Hello\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", Options(), "x.md")
    assert text.startswith("<!DOCTYPE html>\n") and text.endswith("</html>\n")
    page = Page(text)
    assert page.one("html").attrs["lang"] == "en"
    metas = page.all("meta")
    assert {"charset": "utf-8"} in [meta.attrs for meta in metas]
    (policy,) = [meta.attrs["content"] for meta in metas if meta.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy == CSP
    assert "default-src 'none'" in CSP and "img-src data:" in CSP and "script" not in CSP and "unsafe-inline" not in CSP
    style = page.one("style").text
    assert style == STYLE
    assert f"style-src 'sha256-{digest(style)}'" in CSP
    assert page.main.tags() == ["h1", "div", "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"]
    assert page.one("div").attrs["class"] == "table-wrap"


def test_stylesheet_keeps_pages_inside_a_phone_and_code_whole_in_print() -> None:
    assert "overflow-wrap:anywhere" in STYLE and ".table-wrap{overflow-x:auto" in STYLE
    assert "@media print{pre,.table-wrap{overflow:visible}pre{white-space:pre-wrap" in STYLE


def test_front_matter_lang_becomes_the_page_lang() -> None:
    assert md_page("---\nlang: de-CH\n---\ntext\n").one("html").attrs["lang"] == "de-CH"
    assert md_page('---\nlang: "x\\" onload=1"\n---\ntext\n').one("html").attrs["lang"] == "en"


# --- Markdown: raw HTML, comments, front matter, tasks ---------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize("payload", [SCRIPT, IMG])
@pytest.mark.parametrize(
    "template",
    ["{}\n", "text {} more\n", "# {}\n", "| {} |\n|---|\n| x |\n", "- [x] {}\n", "> {}\n"],
    ids=["html-block", "inline", "heading", "table", "task", "quote"],
)
def test_raw_html_in_markdown_is_shown_as_text(template: str, payload: str) -> None:
    page = md_page(template.format(payload))
    assert page.all("script") == [] and page.all("img") == []
    assert payload in page.main.text


@pytest.mark.parametrize("markdown", [
    "<!-- generated by toon-hooks from .toon 229736567655 135904304188 -->\n# Title\n",
    "# Title\n\ntext <!-- inline --> more\n",
    "# Title\n\n<!-- several\nlines -->\n\n<!-- never closed\n\nstill a comment\n",
])
def test_comments_are_hidden(markdown: str) -> None:
    page = md_page(markdown)
    assert "<!--" not in page.main.text and "-->" not in page.main.text
    assert page.all("pre") == []


def test_raw_html_block_keeps_its_lines_but_not_its_comments() -> None:
    page = md_page("<div>\n<!-- note -->\n<b>x</b>\n</div>\n")
    assert page.one("pre").text == "<div>\n\n<b>x</b>\n</div>"


def test_front_matter_is_shown_as_a_table_of_one_row() -> None:
    page = md_page("---\ntitle: Plan *v2*\ntags: [a, b]\nowner: {name: x}\ncount: 3\n---\n# Plan\n")
    wrapper, h1 = page.main.elements[:2]
    assert wrapper.tags() == ["table", "thead", "tr", *["th"] * 4, "tbody", "tr", *["td"] * 4] and h1.tag == "h1"
    assert [th.text for th in page.all("th")] == ["title", "tags", "owner", "count"]
    assert [td.text for td in page.all("td")] == ["Plan *v2*", '["a", "b"]', '{"name": "x"}', "3"]


def test_front_matter_that_is_not_a_mapping_is_a_paragraph() -> None:
    assert md_page("---\n[1, two]\n---\n# T\n").main.elements[0].text == '[1, "two"]'
    assert md_page("---\n---\n# T\n").main.tags() == ["h1"]


def test_front_matter_that_is_not_yaml_is_shown_as_text() -> None:
    page = md_page("---\ntitle: [broken\n---\ntext\n", "a/b.md")
    assert page.one("pre").text == "title: [broken"
    assert page.one("title").text == "b"


def test_task_items_are_disabled_checkboxes() -> None:
    page = md_page("- [x] ship it\n- [ ] write docs\n  - [X] outline\n- plain item\n")
    boxes = page.all("input")
    assert [box.attrs.get("type") for box in boxes] == ["checkbox"] * 3
    assert all("disabled" in box.attrs for box in boxes)
    assert ["checked" in box.attrs for box in boxes] == [True, False, True]
    assert len(page.all("li")) == 4


def test_loose_task_list_puts_the_checkbox_in_the_paragraph() -> None:
    page = md_page("- [ ] first\n\n- [x] second\n\n  more\n")
    paragraphs = [p for li in page.all("li") for p in li.elements if p.tag == "p"]
    assert [p.tags() for p in paragraphs] == [["input"], ["input"], []]
    assert ["checked" in box.attrs for box in page.all("input")] == [False, True]


def test_table_alignment_is_a_style_the_csp_allows() -> None:
    page = md_page("| a | b | c | d |\n|:-:|--:|:--|---|\n| 1 | 2 | 3 | 4 |\n")
    styles = [td.attrs.get("style") for td in page.all("td")]
    assert styles == ["text-align:center", "text-align:right", "text-align:left", None]
    assert all(f"'sha256-{digest(style)}'" in CSP for style in filter(None, styles))


# --- nothing remote ----------------------------------------------------------------------------------------------


def test_remote_images_become_links_and_links_say_nothing_about_the_page() -> None:
    pixel = "data:image/png;base64,iVBORw0KGgo="
    page = md_page(f"![](https://tracker.example/p.gif) ![logo](img/logo.png) ![dot]({pixel})\n\n"
                   "[docs](https://evil.example/phish) <https://a.example>\n\n"
                   "[![badge](https://ci.example/b.svg)](https://ci.example)\n")
    assert [img.attrs["src"] for img in page.all("img")] == [pixel]
    links = page.all("a")
    assert [(a.attrs["href"], a.text) for a in links] == [
        ("https://tracker.example/p.gif", "https://tracker.example/p.gif"),
        ("img/logo.png", "logo"),
        ("https://evil.example/phish", "docs"),
        ("https://a.example", "https://a.example"),
        ("https://ci.example", "badge"),
    ]
    assert all(a.attrs["rel"] == "noopener noreferrer" for a in links)


# --- headings: one <h1>, ids, title ------------------------------------------------------------------------------


@pytest.mark.parametrize(("markdown", "title", "expected"), [
    ("# Plan\n\n## Plan\n\n## Steps\n", "Plan",
     [("h1", "Plan", "plan"), ("h2", "Plan", "plan-1"), ("h2", "Steps", "steps")]),
    ("intro\n\n## First *real* `heading`\n\n### Next\n", "First real heading",
     [("h1", "First real heading", "first-real-heading"), ("h3", "Next", "next")]),
    ("# registry\n\n## name\n\n# agents\n\n###### deep\n", "guide",
     [("h1", "guide", "guide"), ("h2", "registry", "registry"), ("h3", "name", "name"), ("h2", "agents", "agents"),
      ("h6", "deep", "deep")]),
    ("---\ntitle: Release plan\n---\n## Steps\n", "Release plan", [("h1", "Release plan", "release-plan"),
                                                                     ("h2", "Steps", "steps")]),
    ("no headings here\n", "guide", [("h1", "guide", "guide")]),
    ("# Fish & <chips>?\n", "Fish & <chips>?", [("h1", "Fish & <chips>?", "fish--chips")]),
])
def test_one_h1_and_unique_heading_ids(markdown: str, title: str, expected: list[tuple[str, str, str]]) -> None:
    page = md_page(markdown)
    assert page.one("title").text == title
    found = [(node.tag, node.text, node.attrs.get("id")) for node in walk(page.main)
             if node.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert found == expected


def walk(node: Node) -> list[Node]:
    return [n for child in node.elements for n in [child, *walk(child)]]


def test_title_is_escaped() -> None:
    text = MarkdownToHtml().convert(b"# Fish & <chips>\n", Options(), "x.md")
    assert "<title>Fish &amp; &lt;chips&gt;</title>" in text


# --- TOON data: shown as written ---------------------------------------------------------------------------------

LITERALS = [
    "a*b*c", "__init__.py", "~~x~~", "&copy;", "&lt;script&gt;", "\\*", "line one\nline two", "  two  spaces  ",
    "[docs](https://evil.example/phish)", "![](https://tracker.example/p.gif)", "<!-- c -->", "# not a heading",
    "- not a list", "`code`", "| a | b |", "<b>bold</b>", SCRIPT, "https://example.com/" + "x" * 200, "",
]


@pytest.mark.parametrize("text", LITERALS)
def test_toon_values_and_keys_are_shown_as_written(text: str) -> None:
    value = {
        "note": text,
        "rows": [{"text": text, "n": 1}, {"text": "plain", "n": 2}],
        "list": [text, 2],
        "records": [{"nested": {"inner": text}}],
        text or "empty key": {"deeper": [text, {"x": 1}]},
    }
    page = toon_page(value)
    main = page.main
    assert set(main.tags()) <= {"h1", "h2", "h3", "p", "div", "table", "thead", "tbody", "tr", "th",
                                            "td", "ul", "li", "dl", "dt", "dd"}
    assert [p.text for p in main.all("p")] == [text]
    assert [td.text for td in main.all("td")][:2] == [text, "1"]
    assert main.all("li")[0].text == text
    assert main.all("dd")[0].text == text
    assert [h.text for h in main.all("h2")][-1] == (text or "empty key")


def test_toon_primitives_are_written_as_toon_writes_them() -> None:
    page = toon_page({"values": [1, 1.5, -0.0, 1e-7, True, False, None, "1.0", "true"]})
    assert [li.text for li in page.all("li")] == ["1", "1.5", "0", "1e-7", "true", "false", "null", "1.0", "true"]


def test_nested_records_in_rows_are_definition_lists() -> None:
    rows = [{"id": "a", "limits": {"max": 1, "t": 0.3}}, {"id": "b", "extra": [], "limits": {}}]
    page = toon_page({"agents": rows})
    assert [th.text for th in page.all("th")] == ["id", "limits", "extra"]
    cells = page.all("tr")[1].elements + page.all("tr")[2].elements
    assert [(cell.tags(), cell.text, cell.attrs.get("class")) for cell in cells] == [
        ([], "a", None), (["dl", "dt", "dd", "dt", "dd"], "max1t0.3", None), ([], "", "absent"),
        ([], "b", None), (["span"], "{}", None), (["span"], "[]", None),
    ]


def test_toon_sections_take_headings_down_to_h6_then_lists() -> None:
    value: Any = {"leaf": [1]}
    for level in range(7, 1, -1):
        value = {f"k{level}": value, "n": 1}
    page = toon_page(value)
    found = [(node.tag, node.text) for node in walk(page.main) if node.tag[0] == "h" or node.tag == "dt"]
    assert found == [("h1", "report"), *((f"h{level}", f"k{level}") for level in range(2, 7)), ("dt", "k7"),
                     ("dt", "leaf"), ("dt", "n"), *((f"h{level}", "n") for level in range(6, 1, -1))]


def test_list_rows_are_nested_lists_and_done_a_checkbox() -> None:
    rows = [{"depth": 0, "done": True, "text": "*ship* it"}, {"depth": 1, "done": False, "text": "docs"},
            {"depth": 1, "done": None, "text": "a note"}, {"depth": 0, "done": False, "text": SCRIPT}]
    page = toon_page({"plan": rows})
    outer = page.main.elements[2]
    assert outer.tag == "ul" and [li.tag for li in outer.elements] == ["li", "li"]
    inner = outer.elements[0].elements[1]
    assert inner.tag == "ul" and [li.text for li in inner.elements] == ["docs", "a note"]
    assert [li.text for li in page.all("li")] == ["*ship* itdocsa note", "docs", "a note", SCRIPT]
    boxes = page.all("input")
    assert [("disabled" in box.attrs, "checked" in box.attrs) for box in boxes] == [(True, True), (True, False),
                                                                                   (True, False)]
    assert page.all("em") == [] and page.all("script") == []


def test_script_in_toon_keys_and_values_is_escaped() -> None:
    value = {SCRIPT: "key", "note": SCRIPT, "rows": [{SCRIPT: SCRIPT, "n": 1}, {SCRIPT: "x", "n": 2}]}
    text = ToonToHtml().convert(encode(value).encode(), Options(), "x.toon")
    assert "<script>" not in text.lower().split("<body>", 1)[1]
    assert Page(text).all("script") == []


def test_toon_title_comes_from_the_data_else_the_stem() -> None:
    page = toon_page({"title": "Q3 <report>", "items": [1, 2]})
    assert page.one("title").text == page.one("h1").text == "Q3 <report>"
    assert toon_page([1, 2, 3], "exports/numbers.toon").one("title").text == "numbers"


def test_lines_reading_renders_as_its_markdown_document() -> None:
    markdown = ("---\ntitle: Plan\n---\n<!-- generated by toon-hooks from .toon 229736567655 135904304188 -->\n"
                "# Plan\n\n- [ ] *ship* it\n")
    toon = encode(read_lines(markdown))
    from_toon = ToonToHtml().convert(toon.encode(), Options(), "plan.toon")
    assert from_toon == MarkdownToHtml().convert(markdown.encode(), Options(), "plan.md")
    assert Page(from_toon).one("em").text == "ship"


def test_registry_finds_the_converters() -> None:
    assert isinstance(get("toon", "html"), ToonToHtml)
    assert isinstance(get("md", "html"), MarkdownToHtml)
