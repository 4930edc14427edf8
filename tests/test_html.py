"""TOON/Markdown → HTML pages: escaping of raw HTML, task checkboxes, title, page skeleton."""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from toon_hooks import encode
from toon_hooks.formats.html import MarkdownToHtml, ToonToHtml, render_page
from toon_hooks.formats.registry import get
from toon_hooks.options import Options


class Page(HTMLParser):
    """The parts of a page the tests look at, read by the standard library's HTML parser."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("input", "meta"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts.setdefault(self._open[-1], []).append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def all_text(self) -> str:
        return "".join(text for texts in self.texts.values() for text in texts)

    def text(self, tag: str) -> str:
        return "".join(self.texts.get(tag, []))


def md_page(markdown: str, path: str = "docs/guide.md") -> str:
    return MarkdownToHtml().convert(markdown.encode(), Options(), path)


def toon_page(value: Any, path: str = "data/report.toon") -> str:
    return ToonToHtml().convert(encode(value).encode(), Options(), path)


SCRIPT = "<script>alert(1)</script>"


def test_page_skeleton() -> None:
    text = md_page("# Hello\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert text.startswith("<!DOCTYPE html>\n")
    assert text.endswith("</html>\n")
    page = Page(text)
    assert {"charset": "utf-8"} in page.all("meta")
    assert "table{" in page.text("style")
    assert [tag for tag, _ in page.tags if tag in ("table", "th", "td")] == ["table", "th", "th", "td", "td"]


IMG = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize("payload", [SCRIPT, IMG])
@pytest.mark.parametrize(
    "template",
    ["{}\n", "text {} more\n", "# {}\n", "| {} |\n|---|\n| x |\n", "- [x] {}\n", "> {}\n"],
    ids=["html-block", "inline", "heading", "table", "task", "quote"],
)
def test_raw_html_in_markdown_is_escaped(template: str, payload: str) -> None:
    page = Page(md_page(template.format(payload)))
    assert page.all("script") == [] and page.all("img") == []
    assert payload in page.all_text()


def test_task_items_are_disabled_checkboxes() -> None:
    page = Page(md_page("- [x] ship it\n- [ ] write docs\n  - [X] outline\n- plain item\n"))
    boxes = page.all("input")
    assert [box.get("type") for box in boxes] == ["checkbox"] * 3
    assert all("disabled" in box for box in boxes)
    assert ["checked" in box for box in boxes] == [True, False, True]
    assert len(page.all("li")) == 4


def test_loose_task_list_keeps_checkboxes() -> None:
    page = Page(md_page("- [ ] first\n\n- [x] second\n"))
    assert ["checked" in box for box in page.all("input")] == [False, True]


def test_title_prefers_front_matter_then_first_heading_then_stem() -> None:
    assert Page(md_page("---\ntitle: Release plan\n---\n# Other\n")).text("title") == "Release plan"
    assert Page(md_page("intro\n\n## First *real* `heading`\n\n# Second\n")).text("title") == "First real heading"
    assert Page(md_page("no headings here\n", "notes/todo-list.md")).text("title") == "todo-list"
    assert Page(md_page("---\ntitle: [broken\n---\ntext\n", "a/b.md")).text("title") == "b"


def test_title_is_escaped() -> None:
    text = md_page("# Fish & <chips>\n")
    assert "<title>Fish &amp; &lt;chips&gt;</title>" in text


def test_render_page_uses_the_given_title_first() -> None:
    assert Page(render_page("# Heading\n", "x.md", "Given")).text("title") == "Given"


# --- TOON → HTML: through the toon → md converter ---------------------------------------------------------------


def test_script_in_toon_keys_and_values_is_escaped() -> None:
    value = {SCRIPT: "key", "note": SCRIPT, "rows": [{SCRIPT: SCRIPT, "n": 1}, {SCRIPT: "x", "n": 2}]}
    text = toon_page(value)
    page = Page(text)
    assert page.all("script") == []
    assert "<script>" not in text.lower().split("<body>", 1)[1]
    assert "&lt;script&gt;" in text


def test_toon_task_rows_become_checkboxes() -> None:
    tasks = [{"depth": 0, "done": True, "text": "ship " + SCRIPT}, {"depth": 1, "done": False, "text": "docs"}]
    page = Page(toon_page({"plan": {"tasks": tasks}}))
    boxes = page.all("input")
    assert [(box.get("type"), "disabled" in box, "checked" in box) for box in boxes] == [
        ("checkbox", True, True),
        ("checkbox", True, False),
    ]
    assert page.all("script") == [] and SCRIPT in page.all_text()


def test_toon_title_comes_from_the_data_else_the_stem() -> None:
    assert Page(toon_page({"title": "Q3 <report>", "items": [1, 2]})).text("title") == "Q3 <report>"
    assert Page(toon_page([1, 2, 3], "exports/numbers.toon")).text("title") == "numbers"


def test_toon_page_body_is_the_markdown_twin_rendered() -> None:
    value = {"title": "Plan", "rows": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}
    data = encode(value).encode()
    markdown = get("toon", "md").convert(data, Options(), "plan.toon")
    assert ToonToHtml().convert(data, Options(), "plan.toon") == render_page(markdown, "plan.toon", "Plan")


def test_registry_finds_the_converters() -> None:
    assert isinstance(get("toon", "html"), ToonToHtml)
    assert isinstance(get("md", "html"), MarkdownToHtml)
