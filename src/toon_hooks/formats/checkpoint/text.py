"""Inline text rules of the checkpoint converters: block-start escapes, typed scalars, `**Key:** value`.

Text values hold Markdown inline source, so inline formatting survives for the reader. Writing a value
back must not change what it parses to; the one thing that can is a value that would start a block
(`# x`, `1. x`, `> x`, `[x] y` in a plain bullet, …). Such a value is written with a leading backslash,
and reading drops a leading backslash exactly when the rest would start a block — so the two are inverse.
A backslash cannot help a later line (indented under its item it may start a table): such text is not
`writable`, and the reader keeps its block verbatim.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from ..markdown.parser import parser

Scalar = str | int | float | bool | None

_CONTEXTS: dict[str, tuple[str, bool | None]] = {
    "para": ("", None),
    "bullet": ("- ", None),
    "task": ("- [ ] ", False),
}
"""Context name -> (prefix written before the text, checkbox state the prefix produces)."""

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})\.[0-9]{0,14}[1-9]")
_META_LINE = re.compile(r"\*\*(?P<key>[^*\n]+?):\*\*(?:[ \t]+(?P<value>.*))?")


def clean(content: str, context: str) -> str:
    """Return stored text for inline `content` read in `context`: drop a backslash that only stops a block."""
    rest = content[1:]
    if content.startswith("\\") and rest[:1].strip() and needs_escape(rest, context):
        return rest
    return content


def escape(text: str, context: str) -> str:
    """Return `text` as written in `context` ("para", "bullet" or "task"): backslash it if it starts a block."""
    return "\\" + text if needs_escape(text, context) else text


@functools.lru_cache(maxsize=4096)
def needs_escape(text: str, context: str) -> bool:
    """Return True when `text`, written in the context, would not read back as that same text."""
    if text[:1].isalpha() and "\n" not in text:
        return False  # a line starting with a letter never opens a block
    return not _reads_back(text, context)


def writable(text: str, context: str) -> bool:
    """Return True when `text` as `escape` writes it reads back as `text`; a backslash only helps the first
    line, so a later line that would start a block under its item (a table's delimiter row) is not."""
    written = escape(text, context)
    return clean(written, context) == text and (written == text or _reads_back(written, context))


def _reads_back(written: str, context: str) -> bool:
    """Return True when `written`, after the context's prefix (an item's later lines indented under its text,
    as the writer lays them out), reads as one paragraph of that context whose inline source is `written`."""
    prefix, checked = _CONTEXTS[context]
    env: dict[str, Any] = {}
    tokens = parser().parse(prefix + written.replace("\n", "\n  " if prefix else "\n"), env)
    types = [tok.type for tok in tokens]
    paragraph = ["paragraph_open", "inline", "paragraph_close"]
    if context == "para":
        return types == paragraph and tokens[1].content == written and not env.get("references")
    item = ["bullet_list_open", "list_item_open", *paragraph, "list_item_close", "bullet_list_close"]
    return types == item and tokens[1].meta.get("checked") == checked and tokens[3].content == written


def typed(text: str) -> str | int | float:
    """Return `text` as an int or float when it is one written canonically, else unchanged."""
    if _INT.fullmatch(text):
        return int(text) if text != "-0" else text
    if _FLOAT.fullmatch(text) and repr(float(text)) == text:
        return float(text)
    return text


def untyped(value: Scalar) -> str:
    """Return the Markdown text of a scalar value (the inverse of `typed`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def meta_lines(text: str) -> list[tuple[str, str | int | float]] | None:
    """Return the (key, value) pairs of a paragraph made only of `**Key:** value` lines, else None."""
    pairs = []
    for line in text.split("\n"):
        match = _META_LINE.fullmatch(line.rstrip())
        if not match:
            return None
        pairs.append((match["key"], typed(match["value"] or "")))
    return pairs


def meta_line(key: str, value: Scalar) -> str:
    """Return one `**Key:** value` line."""
    text = untyped(value)
    return f"**{key}:** {text}" if text else f"**{key}:**"
