"""The one pinned markdown-it-py configuration every Markdown reader and renderer uses.

GitHub-flavoured: tables, strikethrough, native task items (`list_item_open.meta["checked"]`), GitHub
alerts, YAML front matter. linkify stays off: the gfm presets need linkify-it-py for it, and autolinking
would change what a bare URL in a value parses to. Every round-trip guarantee depends on this setup.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@functools.lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """Return the shared parser (raw HTML on: readers keep it, the page writer shows it as source)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("gfm-like2", {"linkify": False, "html": True}).disable("linkify")
    return md.use(front_matter_plugin)


@functools.lru_cache(maxsize=2)
def parsed(text: str) -> tuple[tuple[Token, ...], dict[str, Any]]:
    """Return the token stream of `text` and the env the parser filled (link references), parsed once.

    Choosing a Markdown reading runs several readers over the same document; they share this parse (it is
    most of their cost). The tokens are shared, so only readers use it: markdown-it's renderer sets
    attributes on tokens as it goes, so rendering parses anew.
    """
    env: dict[str, Any] = {}
    return tuple(parser().parse(text, env)), env
