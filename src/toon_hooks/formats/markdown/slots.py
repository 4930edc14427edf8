"""Decide whether a string can stand as raw Markdown in a slot: write it there alone, read it back, compare.

Both directions ask the same question: the writer quotes exactly the strings that fail it, and the reader
decodes a quoted code span only when its string fails it, so every value has exactly one spelling. The
reader is passed in (`read`), as it asks this module while it reads: neither module imports the other.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ...errors import ConversionError
from .layout import checkbox, heading_lines, item_lines, quote_lines, table_lines
from .scalar import (
    ALERT,
    BULLET,
    CELL,
    CONTAINER,
    DEEP_HEADING,
    HEADER,
    HEADING,
    ORDERED,
    ORDERED_TASK,
    QUOTE,
    SECTION,
    TASK,
    is_clean,
    is_plain,
    same,
)

_SENTINEL = ["```", "```", ""]
"""An empty code block placed before the text so the text is read as a later block, not the first one."""

Probe = Callable[[list[str], str], "tuple[list[str], Any]"]
Reader = Callable[[str], Any]
"""Markdown → data: the general mapping's `markdown_to_data`."""


def raw_text(text: str, slot: str) -> str:
    """Return how `text` is written raw in `slot` (table cells escape their pipes)."""
    return text.replace("|", "\\|") if slot in (CELL, HEADER) else text


_PROBES: dict[str, Probe] = {
    SECTION: lambda lines, text: ([*_SENTINEL, *lines], [{"code": ""}, text]),
    CONTAINER: lambda lines, text: (quote_lines([*_SENTINEL, *lines]), {"quote": [{"code": ""}, text]}),
    QUOTE: lambda lines, text: (quote_lines(lines), {"quote": text}),
    ALERT: lambda lines, text: (quote_lines(["[!NOTE]", *lines]), {"alert": "NOTE", "text": text}),
    BULLET: lambda lines, text: (item_lines("-", lines), [text]),
    ORDERED: lambda lines, text: (item_lines("1.", lines), {"ordered": [text]}),
    TASK: lambda lines, text: (item_lines("-", checkbox(True, lines)), [{"done": True, "text": text}]),
    ORDERED_TASK: lambda lines, text: (item_lines("1.", checkbox(True, lines)),
                                       {"ordered": [{"done": True, "text": text}]}),
    CELL: lambda lines, text: (table_lines(["h"], [["\n".join(lines)]]), [{"h": text}]),
    HEADER: lambda lines, text: (table_lines(["\n".join(lines)], [["x"]]), [{text: "x"}]),
    # Levels 1 and 2 have different setext underlines: a raw key must read back under both.
    HEADING: lambda lines, text: (
        [*heading_lines(1, "\n".join(lines)), "", *heading_lines(2, "\n".join(lines))], {text: {text: {}}}
    ),
    DEEP_HEADING: lambda lines, text: (heading_lines(3, "\n".join(lines)), {text: {}}),
}


def is_raw(text: str, slot: str, read: Reader) -> bool:
    """Tell whether `text`, written raw in `slot`, reads back as the same string."""
    return is_plain(text) or probe(text, slot, read)


@functools.lru_cache(maxsize=8192)
def probe(text: str, slot: str, read: Reader) -> bool:
    """Write `text` raw in `slot` of a small document, read the document, and compare (no fast path)."""
    lines = raw_text(text, slot).split("\n")
    if not is_clean(lines):
        return False
    document, expected = _PROBES[slot](lines, text)
    try:
        return same(read("\n".join(document)), expected)
    except ConversionError:  # the text holds a toon fence that does not decode: it cannot be raw
        return False
