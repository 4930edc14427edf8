"""HTML → Markdown/TOON/JSON: pages toon-hooks renders read back exactly; real-world HTML reads sensibly."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import json_values

from toon_hooks import decode
from toon_hooks.errors import ConversionError
from toon_hooks.formats.html import HtmlToMarkdown, HtmlToToon, MarkdownToHtml
from toon_hooks.formats.html_read import html_to_markdown
from toon_hooks.formats.json_fmt import HtmlToJson
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.markdown.write import data_to_markdown
from toon_hooks.formats.registry import get
from toon_hooks.options import Options

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([*(ROOT / "tests" / "data" / "markdown").rglob("*.md"), *(ROOT / "examples").glob("*.md")])
_BLOCK_TAG = re.compile(r" ?(</?(?:p|h\d|ul|ol|li|blockquote|table|thead|tbody|tr|th|td|div|hr)\b[^>]*>) ?")


def shown(html: str) -> str:
    """HTML as a browser shows it: white space collapsed outside `<pre>`, none around blocks or breaks, and
    no break at the edge of a paragraph or at the end of a code block."""
    parts = re.split(r"(<pre>.*?</pre>)", html, flags=re.S)
    text = "".join(part if index % 2 else _BLOCK_TAG.sub(r"\1", re.sub(r"\s+", " ", part))
                   for index, part in enumerate(parts))
    text = re.sub(r"\s*<br />\s*", "<br />", text.replace("\n</code></pre>", "</code></pre>"))
    text = re.sub(r' style="text-align:\w+"', "", text)  # tables are read without their alignment
    return re.sub(r"<p>(?:<br />)+|(?:<br />)+</p>", lambda m: m.group().replace("<br />", ""), text).strip()


def body(page: str) -> str:
    return page[page.index("<body>") + len("<body>"):page.index("</body>")]


def page_of(markdown: str) -> str:
    return MarkdownToHtml().convert(markdown.encode(), Options(), "doc.md")


def reads_back(markdown: str) -> None:
    """The page of `markdown` reads back as Markdown whose page shows the same."""
    page = page_of(markdown)
    assert shown(body(page_of(html_to_markdown(page)))) == shown(body(page))


def md(html: str) -> str:
    return get("html", "md").convert(html.encode(), Options(), "page.html")


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_pages_of_the_corpus_read_back_and_through_toon(path: Path) -> None:
    markdown = path.read_text()
    reads_back(markdown)
    page = page_of(markdown).encode()
    toon = get("html", "toon").convert(page, Options(), "page.html")
    again = get("toon", "md").convert(toon.encode(), Options(), "page.toon")  # HTML → TOON → Markdown
    assert parser().render(again) == parser().render(get("html", "md").convert(page, Options(), "page.html"))


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(max_leaves=20))
def test_pages_of_any_data_read_back(value: Any) -> None:
    reads_back(data_to_markdown(value))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.sampled_from("ab *_`<>&#~[]()!\\|-+=.1\n :\"'"), max_size=40))
def test_markdown_syntax_in_text_stays_text(markdown: str) -> None:
    # An empty task item needs a trailing space, which toon-hooks never writes (nor does its Markdown writer).
    assume(not re.search(r"\[[ xX]\][ \t]*$", markdown, re.M))
    # A line holding only a backslash is a hard break with nothing before it in its line; at the start of a
    # heading or paragraph it is invisible on the page, and the reader drops such leading breaks by design.
    assume(not re.search(r"^[ ]*\\$", markdown, re.M))
    reads_back(markdown)


@pytest.mark.parametrize(("text", "escaped"), [
    ("# not a heading", "\\# not a heading"),
    ("1. not a list", "1\\. not a list"),
    ("- not an item", "\\- not an item"),
    ("> not a quote", "\\> not a quote"),
    ("a *b* `c` [d](e) &lt;f> ~g~ &amp;amp; \\h", "a \\*b\\* \\`c\\` \\[d\\](e) \\<f> \\~g\\~ \\&amp; \\\\h"),
    ("snake_case stays, _this_ does not", "snake_case stays, \\_this\\_ does not"),
])
def test_text_is_escaped_only_where_markdown_would_read_syntax(text: str, escaped: str) -> None:
    assert md(f"<p>{text}</p>") == escaped + "\n"


def test_omitted_end_tags_and_non_content_are_handled_as_browsers_do() -> None:
    page = """<html><head><title>Shop</title><meta charset=utf-8><style>p { color: red }</style>
    <body><p>First<p>Second <script>document.write("<p>x</p>")</script>
    <ul><li>one<li>two</ul><select><option>hidden</select><noscript><p>no</noscript>
    <dl><dt>term<dd>definition</dl><p>end"""
    assert md(page) == "First\n\nSecond\n\n- one\n- two\n\nterm\n\ndefinition\n\nend\n"


def test_inline_markup_white_space_and_breaks() -> None:
    page = ('<p>  A <b> bold </b>and<i></i> <em>em</em>,\n  <code>a `tick`</code>, <s>gone</s>'
            '<br>next line &copy; <a href="https://x.org/a b" title="T &quot;q&quot;">a <a>link</a></a>'
            ' <img src="i.png" alt="an *image*"></p>')
    assert md(page) == ('A **bold** and *em*, `` a `tick` ``, ~~gone~~\\\nnext line © '
                        '[a link](<https://x.org/a b> "T \\"q\\"") ![an \\*image\\*](i.png)\n')


def test_nested_emphasis_alternates_its_delimiters() -> None:
    assert md("<p><em>a <em>b</em></em> <strong><em>c</em></strong></p>") == "*a _b_* **_c_**\n"


def test_lists_tasks_order_and_adjacent_lists() -> None:
    page = """<ul><li><input type="checkbox" checked disabled> done<li><input type=checkbox> todo
      <ul><li>nested</ul></ul><ul><li>second list</ul>
      <ol start="7"><li><p>loose</p><p>item</p></li><li><p>next</p></li></ol><ol><li>other</ol>"""
    assert md(page) == ("- [x] done\n- [ ] todo\n  - nested\n\n* second list\n\n"
                        "7. loose\n\n   item\n\n8. next\n\n1) other\n")


def test_tables_take_their_first_row_as_header() -> None:
    page = """<table><caption>Sizes</caption><tr><td>name<td align="right">tokens
      <tr><td>a | b<td>12<br>13<tr><td>only one cell</table>"""
    assert md(page) == "Sizes\n\n| name | tokens |\n| --- | --- |\n| a \\| b | 12 13 |\n| only one cell |  |\n"


def test_code_blocks_quotes_alerts_rules_and_headings() -> None:
    page = """<h2>Intro ##</h2><pre><code class="language-python">```
x = 1
</code></pre><blockquote><p>quoted</p><ul><li>item</ul></blockquote>
<div class="markdown-alert markdown-alert-warning"><p class="markdown-alert-title">Warning</p><p>careful</p></div>
<hr><h6></h6>"""
    assert md(page) == ("## Intro \\##\n\n````python\n```\nx = 1\n````\n\n> quoted\n>\n> - item\n\n"
                        "> [!WARNING]\n> careful\n\n***\n\n######\n")


def test_toon_code_blocks_are_data_and_must_decode() -> None:
    page = '<h1>Data</h1>\n<pre><code class="language-toon">rows[2]{a,b}:\n  1,2\n  3,4\n</code></pre>'
    assert md(page) == "# Data\n\n```toon\nrows[2]{a,b}:\n  1,2\n  3,4\n```\n"  # the general mapping's data
    bad = '<p>x</p>\n\n<pre><code class="language-toon">a: 1\nitems[3]: a,b\n</code></pre>'
    with pytest.raises(ConversionError) as info:
        md(bad)
    assert (info.value.line, info.value.column) == (4, 7)
    assert info.value.msg == "invalid TOON in a toon code block: expected 3 values for \"items\", found 2"


def test_invalid_utf8_is_located() -> None:
    with pytest.raises(ConversionError) as info:
        get("html", "toon").convert(b"<p>fine</p>\n<p>\xff</p>", Options(), "p.html")
    assert (info.value.line, info.value.column) == (2, 4)


def test_json_holds_the_data_of_the_toon() -> None:
    page = "<h1>Plan</h1>" + "<table><tr><th>id<th>task" + "".join(
        f"<tr><td>{n}<td>step {n}" for n in range(12)) + "</table>"
    toon = get("html", "toon").convert(page.encode(), Options(), "p.html")
    data = json.loads(get("html", "json").convert(page.encode(), Options(), "p.html"))
    assert data == decode(toon) == {"Plan": [{"id": n, "task": f"step {n}"} for n in range(12)]}


def test_an_empty_page_is_an_empty_document() -> None:
    assert md("<!DOCTYPE html><html><head><title>x</title></head><body> <ul></ul> </body></html>") == ""
    assert md('<p>a</p><ul> </ul><a href="#"><svg><path/></svg></a><table></table><p>b</p>') == "a\n\nb\n"


def test_registry_finds_the_converters() -> None:
    assert isinstance(get("html", "md"), HtmlToMarkdown)
    assert isinstance(get("html", "toon"), HtmlToToon)
    assert isinstance(get("html", "json"), HtmlToJson)
