"""Where the pinned parser stops reading: block containers nested deeper than markdown-it's `maxNesting`.

Once a list item or quote sits at token level `maxNesting - 1` (the tenth nested list, the twentieth nested
quote), markdown-it skips its content and everything after it up to the end of the enclosing containers, often the
rest of the document, without a token or an error; its renderer drops that text too. A reader must never
drop text, so it reports the first line it would lose instead.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...errors import ConversionError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_CONTAINERS = frozenset({"blockquote_open", "list_item_open", "alert_open"})
"""Tokens whose content the block parser reads one level deeper (where it stops at `maxNesting`)."""
_MARKERS_ONLY = re.compile(r"[\s>]*(?:[-+*]|[0-9]{1,9}[.)])?[\s>]*")
"""A line holding nothing but quote and list markers: an empty container, which loses nothing."""


def check_nesting(md: MarkdownIt, tokens: list[Token], text: str) -> None:
    """Raise a ConversionError at the first line of `text` that `md` skipped for nesting too deep."""
    deepest = md.options["maxNesting"] - 1
    lines: list[str] | None = None
    for token in tokens:
        if token.type in _CONTAINERS and token.level >= deepest and token.map:
            lines = lines or re.split(r"\r\n?|\n", text)
            start, end = token.map
            for number in range(start, end):
                line = lines[number]
                if line.strip() and (number > start or not _MARKERS_ONLY.fullmatch(line)):
                    column = len(line) - len(line.lstrip()) + 1
                    message = "nested deeper than the Markdown parser reads (lists or quotes): text would be lost"
                    raise ConversionError(message, number + 1, column, line)
