"""HTML pages from TOON and Markdown (rendered by the pinned markdown-it parser, raw HTML off), and HTML read
back as Markdown and TOON (`html_read`)."""
from __future__ import annotations

import functools
import html
import types
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ..options import Options
from ..toon import decode
from .markdown.converters import VERSION as MARKDOWN_VERSION
from .markdown.parser import parser
from .registry import Converter, decode_text, get, register

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

STYLE = """\
body{font-family:system-ui,sans-serif;line-height:1.5;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
tbody tr:nth-child(even){background:#fafafa}
pre{background:#f6f8fa;padding:.75rem;overflow:auto}
li.task-list-item{list-style:none}
.markdown-alert{border-left:.25rem solid #888;padding:0 1rem}
"""
"""The page's inline stylesheet: readable tables and code, task items without bullets."""

PAGE = """\
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
{body}</body>
</html>
"""


def _task_item_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Render `<li>`; a GFM task item (`meta["checked"]`) also gets a read-only checkbox, ticked when done."""
    opening: str = renderer.renderToken(tokens, idx, options, env)
    checked = (tokens[idx].meta or {}).get("checked")
    if checked is None:
        return opening
    box = '<input type="checkbox" disabled checked>' if checked else '<input type="checkbox" disabled>'
    return f"{opening}{box} "


@functools.lru_cache(maxsize=1)
def _renderer() -> RendererHTML:
    """Return an HTML renderer of our own (the shared parser stays untouched) with the task-item rule."""
    from markdown_it.renderer import RendererHTML

    renderer = RendererHTML()
    renderer.rules["list_item_open"] = types.MethodType(_task_item_open, renderer)
    return renderer


def _inline_text(token: Token) -> str:
    """Return the plain text of an inline token (markup dropped, breaks as spaces)."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _front_matter_title(tokens: Sequence[Token]) -> str:
    """Return the `title` string of the YAML front matter, or "" when there is none."""
    if not tokens or tokens[0].type != "front_matter":
        return ""
    import yaml

    try:
        meta = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError:  # the page still renders; the title falls back to the first heading
        return ""
    title = meta.get("title") if isinstance(meta, dict) else None
    return title.strip() if isinstance(title, str) else ""


def _heading_title(tokens: Sequence[Token]) -> str:
    """Return the text of the first non-empty heading, or ""."""
    for token, following in zip(tokens, tokens[1:]):
        if token.type == "heading_open":
            text = _inline_text(following)
            if text:
                return text
    return ""


def render_page(markdown: str, path: str, title: str = "") -> str:
    """Return a standalone HTML page for `markdown`; raw HTML in it is escaped, never live.

    The title is `title`, else the front matter's title, else the first heading, else the path's stem.
    """
    md = parser(html=False)
    env: dict[str, Any] = {}
    tokens = md.parse(markdown, env)
    body = _renderer().render(tokens, md.options, env)
    title = title or _front_matter_title(tokens) or _heading_title(tokens) or PurePath(path).stem
    return PAGE.format(title=html.escape(title), style=STYLE, body=body)


def _data_title(value: Any) -> str:
    """Return the data's own `title` string (a top-level key of an object), or ""."""
    title = value.get("title") if isinstance(value, dict) else None
    return title.strip() if isinstance(title, str) else ""


@register
class ToonToHtml(Converter):
    """A TOON document as a page: its Markdown rendering (toon → md) turned into HTML."""

    name = "toon-to-html"
    source = "toon"
    target = "html"
    version = f"1+md.{MARKDOWN_VERSION}"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        markdown = get("toon", "md").convert(data, options, path)
        value = decode(decode_text(data, path), strict=True, indent_size=options.indent)
        return render_page(markdown, path, _data_title(value))


@register
class MarkdownToHtml(Converter):
    """A Markdown document as a page, rendered exactly as the Markdown twin of a TOON file is."""

    name = "md-to-html"
    source = "md"
    target = "html"
    version = "1"

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
