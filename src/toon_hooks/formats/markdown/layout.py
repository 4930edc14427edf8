"""Line layout of Markdown blocks, shared by the writer and the raw-text probes: no decisions, only shape."""
from __future__ import annotations

import re
from collections.abc import Iterable

Block = list[str]
"""The lines of one block, without line ends."""


def heading_lines(level: int, text: str) -> Block:
    """An ATX heading (the bare marker when empty); text of several lines, which ATX cannot hold, as a setext
    heading when the level has one (1 and 2)."""
    if "\n" in text and level <= 2:
        return [*text.split("\n"), "===" if level == 1 else "---"]
    return ["#" * level + (" " + text if text else "")]


def item_lines(marker: str, body: list[str]) -> Block:
    """Lay out a list item: the marker before the first line, continuation lines indented under the text."""
    pad = " " * (len(marker) + 1)
    first = f"{marker} {body[0]}" if body[0] else marker
    return [first, *(pad + line if line else "" for line in body[1:])]


def checkbox(done: bool, body: list[str]) -> list[str]:
    """Put a task box before an item's first line (no trailing space when the text is empty)."""
    return [("[x]" if done else "[ ]") + (" " + body[0] if body[0] else ""), *body[1:]]


def quote_lines(lines: list[str]) -> Block:
    """Prefix lines with `> `; blank lines get a bare `>`."""
    return ["> " + line if line else ">" for line in lines]


def table_lines(header: list[str], rows: list[list[str]]) -> Block:
    """A GFM table of already escaped cell texts (alignment is not kept, so the delimiter row is plain)."""
    return [_row(header), _row(["---"] * len(header)), *map(_row, rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def fence_lines(info: str, text: str) -> Block:
    """A backtick fence longer than any backtick run in `text`, holding the lines of `code_lines(text)`."""
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", text))])
    return [fence + info, *code_lines(text), fence]


def code_lines(text: str) -> Block:
    """The lines of code text: none for "", one blank line per character of an all-newline text (the lines
    joined would leave one blank line indistinguishable from none), else the text split at newlines."""
    if not text.strip("\n"):
        return [""] * len(text)
    return text.split("\n")


def code_text(lines: list[str]) -> str:
    """The inverse of `code_lines`."""
    return "\n" * len(lines) if not any(lines) else "\n".join(lines)


def join_blocks(blocks: Iterable[Block | None]) -> Block:
    """Join blocks with one blank line between them; None and empty blocks are skipped."""
    lines: Block = []
    for block in filter(None, blocks):
        lines.extend([""] * bool(lines) + block)
    return lines
