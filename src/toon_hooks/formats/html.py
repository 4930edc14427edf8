"""HTML pages from TOON and Markdown, and HTML read back as Markdown and TOON (`html_read`).

A page stands alone and loads nothing: its Content-Security-Policy allows its own stylesheet and table cells'
alignments (by hash) and `data:` images only, images from anywhere else become links, and links carry
`rel="noopener noreferrer"`.
Markdown is rendered by the pinned markdown-it parser: raw HTML is shown as text, never live; comments are
hidden; YAML front matter is shown as a table. TOON data is shown as written (`html_data`), never read as
Markdown, except a lines reading, which is a Markdown document kept line by line. Every page has `lang`, one
`<h1>` and an id on every heading, and fits a phone's width: wide tables and code scroll inside their box.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ..options import Options
from ..toon import decode
from .markdown.converters import VERSION as MARKDOWN_VERSION
from .registry import Converter, decode_text, get, register

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

STYLE = """\
*,::before,::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;padding:1rem;overflow-wrap:anywhere}
main{max-width:60rem;margin:0 auto}
main.data{max-width:none}
h1,h2,h3,h4,h5,h6{line-height:1.25;margin:1.5rem 0 .75rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
:not(pre)>code{background:#eff1f3;padding:.1em .3em;border-radius:.25em}
pre{background:#f6f8fa;padding:.75rem;overflow-x:auto;overflow-wrap:normal}
pre code{font-size:inherit}
.table-wrap{overflow-x:auto;margin:1rem 0}
td .table-wrap{margin:0}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f3f3f3}
tbody tr:nth-child(even){background:#fafafa}
.data *{white-space:pre-wrap}
.absent{background:#eee}
dl{display:grid;grid-template-columns:auto 1fr;gap:.15rem .75rem;margin:1rem 0}
td dl,dd dl,li dl{margin:0}
dt{font-weight:600}
dd{margin:0}
.empty{color:#666;font-style:italic}
img{max-width:100%;height:auto}
blockquote{margin:1rem 0;padding:0 1rem;border-left:.25rem solid #ccc;color:#444}
.markdown-alert{border-left:.25rem solid #888;padding:0 1rem}
.markdown-alert-title{font-weight:600}
li.task-list-item{list-style:none}
li.task-list-item input{margin:0 .4em 0 -1.3em;vertical-align:middle}
@media print{pre,.table-wrap{overflow:visible}pre{white-space:pre-wrap;overflow-wrap:anywhere}}
"""
"""The page's only stylesheet: text breaks anywhere rather than widen the page, tables and code scroll in
their own box on screen and wrap in print, data keeps its newlines and spaces."""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


ALIGNMENTS = ("text-align:left", "text-align:center", "text-align:right")
"""The only inline styles markdown-it writes (on aligned table cells)."""
CSP = (f"default-src 'none'; style-src {_hash(STYLE)} 'unsafe-hashes' {' '.join(map(_hash, ALIGNMENTS))}; "
       "img-src data:; base-uri 'none'; form-action 'none'")
"""Nothing remote, no script, no style but STYLE and the table cells' alignments (by their hashes), images only
from `data:` URLs."""

PAGE = """\
<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main class="{kind}">
{body}</main>
</body>
</html>
"""

_LANG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
"""A BCP 47 language tag, loosely: what a front matter `lang` must look like to become the page's."""
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
"""An HTML comment; one left open runs to the end, as in a browser."""


def _escape(text: str) -> str:
    """Escape text as markdown-it does (`&`, `<`, `>`, `"`), so that what this module writes around the
    rendered Markdown reads back through `html_read` as Markdown that renders to the same markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _page(title: str, body: str, kind: str, lang: str = "en") -> str:
    return PAGE.format(lang=lang, csp=CSP, title=_escape(title), style=STYLE, kind=kind, body=body)


class Slugs:
    """Heading ids as GitHub makes them (lower case, punctuation dropped, spaces as hyphens), unique in a page;
    a run of white space counts as the one space a browser shows."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def __call__(self, text: str) -> str:
        shown = re.sub(r"\s+", " ", text.strip().lower())
        base = re.sub(r"[^\w\- ]", "", shown).replace(" ", "-") or "section"
        slug, number = base, 0
        while slug in self._used:
            number += 1
            slug = f"{base}-{number}"
        self._used.add(slug)
        return slug


def _h1(title: str, slug: Slugs) -> str:
    return f'<h1 id="{_escape(slug(title))}">{_escape(title)}</h1>\n'


# --- Markdown ----------------------------------------------------------------------------------------------------


def _link_open(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Render `<a>`: the page that a link opens learns nothing of this one and gets no handle on it."""
    tokens[idx].attrSet("rel", "noopener noreferrer")
    return renderer.renderToken(tokens, idx, options, env)


def _image(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Render an image from a `data:` URL; any other becomes a link to it (its alt text, else its URL), or
    only that text inside a link, so that opening the page fetches nothing."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    if src.startswith("data:"):
        return str(renderer.image(tokens, idx, options, env))
    text = _escape(renderer.renderInlineAsText(token.children or [], options, env) or src)
    depth = sum(1 if t.type == "link_open" else -1 for t in tokens[:idx] if t.type in ("link_open", "link_close"))
    return text if depth else f'<a href="{_escape(src)}" rel="noopener noreferrer">{text}</a>'


def _table_open(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Render `<table>` in a wrapper that scrolls sideways by itself when the table is wider than the screen."""
    return '<div class="table-wrap">' + renderer.renderToken(tokens, idx, options, env)


def _table_close(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return renderer.renderToken(tokens, idx, options, env) + "</div>\n"


def _html_block(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Render raw HTML as its source in a code block, comments left out (a block of comments is nothing)."""
    text = _COMMENT.sub("", tokens[idx].content).strip("\n")
    return f"<pre><code>{_escape(text)}</code></pre>\n" if text.strip() else ""


def _html_inline(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """Render a raw HTML tag as text; a comment is nothing."""
    return _escape(_COMMENT.sub("", tokens[idx].content))


@functools.lru_cache(maxsize=1)
def _renderer() -> RendererHTML:
    """Return an HTML renderer of our own (the shared parser stays untouched) with the page's rules."""
    import types

    from markdown_it.renderer import RendererHTML

    renderer = RendererHTML()
    del renderer.rules["list_item_open"]  # its checkbox stands outside a loose item's paragraph: _task_boxes
    rules = {"link_open": _link_open, "image": _image, "table_open": _table_open, "table_close": _table_close,
             "html_block": _html_block, "html_inline": _html_inline}
    for name, rule in rules.items():
        renderer.rules[name] = types.MethodType(rule, renderer)
    return renderer


def _inline_text(token: Token) -> str:
    """Return the text that an inline token shows (markup dropped, raw HTML kept as the text it is shown as,
    breaks as spaces)."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type == "html_inline":
            parts.append(_COMMENT.sub("", child.content))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _front_matter(tokens: list[Token]) -> tuple[str, Any]:
    """Take the front matter token off `tokens`; return how the page shows it and its data.

    A mapping is shown as GitHub shows it, a table of one row under its keys, written as markdown-it writes a
    table, so that the page reads back (`html_read`) as Markdown that renders the same: a value that is not a
    primitive is its JSON text. Other front matter is that text as a paragraph; front matter that is not YAML
    is its lines as a code block.
    """
    if not tokens or tokens[0].type != "front_matter":
        return "", None
    from ..errors import ConversionError
    from .markdown.front import load_front_matter

    text = tokens.pop(0).content
    try:
        value = load_front_matter(text)
    except ConversionError:
        return f"<pre><code>{_escape(text)}</code></pre>\n", None
    if not isinstance(value, dict):
        return ("" if value is None else f"<p>{_escape(_shown(value))}</p>\n"), value
    head = "".join(f"<th>{_escape(key)}</th>" for key in value)
    row = "".join(f"<td>{_escape(_shown(item))}</td>" for item in value.values())
    table = f"<table><thead><tr>{head}</tr></thead><tbody><tr>{row}</tr></tbody></table>"
    return (f'<div class="table-wrap">{table}</div>\n' if value else ""), value


def _shown(value: Any) -> str:
    """A front matter value as text: a primitive as TOON writes it, anything else as JSON."""
    import json

    from .markdown.scalar import is_scalar, scalar_text

    return scalar_text(value) if is_scalar(value) else json.dumps(value, ensure_ascii=False)


def _headings(tokens: list[Token], meta: Any, path: str, slug: Slugs) -> tuple[str, str]:
    """Give the page one `<h1>` and every heading an id; return the page's title and an `<h1>` to put first.

    The title is the front matter's, else the text of the document's only `<h1>`, else of its first heading
    when it has no `<h1>`, else the path's stem. A document without a `<h1>` has its first heading raised to
    one (the front matter's title comes first instead when there is one); one with several gets the title as
    its `<h1>` and all its headings a level lower.
    """
    opens = [index for index, token in enumerate(tokens) if token.type == "heading_open"]
    ones = [index for index in opens if tokens[index].tag == "h1"]
    given = meta.get("title") if isinstance(meta, dict) else None
    given = given.strip() if isinstance(given, str) else ""
    first = ""
    if len(ones) == 1:
        title = given or _inline_text(tokens[ones[0] + 1]) or PurePath(path).stem
    elif not ones and opens and not given:
        title = _inline_text(tokens[opens[0] + 1]) or PurePath(path).stem
        tokens[opens[0]].tag = tokens[opens[0] + 2].tag = "h1"
    else:
        title = given or PurePath(path).stem
        first = _h1(title, slug)
        if ones:
            for index in opens:
                tokens[index].tag = tokens[index + 2].tag = f"h{min(int(tokens[index].tag[1]) + 1, 6)}"
    for index in opens:
        tokens[index].attrSet("id", slug(_inline_text(tokens[index + 1])))
    return title, first


def _task_boxes(tokens: list[Token]) -> None:
    """Put each task item's checkbox in its first paragraph, so that a loose item's stays on its text's line."""
    from markdown_it.token import Token

    for index, token in enumerate(tokens):
        checked = token.meta.get("checked") if token.type == "list_item_open" and token.meta else None
        text = tokens[index + 2].children if checked is not None else None  # the item's paragraph_open, inline
        if text is not None:
            attrs: dict[str, str | int | float] = {"type": "checkbox", "disabled": ""}
            if checked:
                attrs["checked"] = ""
            text.insert(0, Token("task_box", "input", 0, attrs=attrs))


def render_page(markdown: str, path: str) -> str:
    """Return a standalone HTML page for the Markdown document `markdown` (see the module doc)."""
    from .markdown.parser import parser

    md = parser()
    env: dict[str, Any] = {}
    tokens = md.parse(markdown, env)
    front, meta = _front_matter(tokens)
    slug = Slugs()
    title, first = _headings(tokens, meta, path, slug)
    _task_boxes(tokens)
    lang = meta.get("lang") if isinstance(meta, dict) else None
    lang = lang if isinstance(lang, str) and _LANG.fullmatch(lang) else "en"
    return _page(title, first + front + _renderer().render(tokens, md.options, env), "markdown", lang)


# --- TOON data ---------------------------------------------------------------------------------------------------


def data_page(value: Any, path: str) -> str:
    """Return a standalone HTML page showing decoded TOON `value` as written: its `title` string or the path's
    stem as the `<h1>`, then the data (`html_data`)."""
    from .html_data import data_html

    title = value.get("title") if isinstance(value, dict) else None
    title = title.strip() if isinstance(title, str) and title.strip() else PurePath(path).stem
    slug = Slugs()
    return _page(title, _h1(title, slug) + data_html(value, 2, slug), "data")


@register
class ToonToHtml(Converter):
    """A TOON document as a page: its data shown as written; a lines reading rendered as the Markdown it is."""

    name = "toon-to-html"
    source = "toon"
    target = "html"
    version = f"2+md.{MARKDOWN_VERSION}"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from .markdown.lines import is_lines_data, write_lines

        value = decode(decode_text(data, path), strict=True, indent_size=options.indent)
        return render_page(write_lines(value), path) if is_lines_data(value) else data_page(value, path)


@register
class MarkdownToHtml(Converter):
    """A Markdown document as a page, rendered by the pinned parser (see the module doc)."""

    name = "md-to-html"
    source = "md"
    target = "html"
    version = "2"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        return render_page(decode_text(data, path), path)


@register
class HtmlToMarkdown(Converter):
    """An HTML page or fragment as Markdown (`html_read`): what `html → toon` reads."""

    name = "html-to-md"
    source = "html"
    target = "md"
    version = "1"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from .html_read import html_to_markdown

        return html_to_markdown(decode_text(data, path))


@register
class HtmlToToon(Converter):
    """HTML → Markdown → TOON: the page's Markdown read as `md → toon` reads any document, so HTML → TOON →
    Markdown gives that Markdown back."""

    name = "html-to-toon"
    source = "html"
    target = "toon"
    version = f"1+md.{MARKDOWN_VERSION}"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from .markdown.readings import toon_of

        return toon_of(get("html", "md").convert(data, options, path), path, options)
