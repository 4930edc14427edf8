"""Line layout of Markdown blocks, the one every Markdown writer uses: no decisions, only shape.

The general mapping, its raw-text probes, the checkpoint and task-list writer, the PDF writer and the HTML
reader write headings, items, quotes, tables, fences, front matter and whole documents through these functions.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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


def table_lines(header: list[str], rows: list[list[str]], align: Sequence[str] | None = None) -> Block:
    """A GFM table of already escaped cell texts. Without `align` the delimiter row is `---` per column; with
    it ("", "left", "center" or "right" per column) each delimiter cell spans its header cell and padding and
    carries that column's colons."""
    if align is None:
        return [_row(header), _row(["---"] * len(header)), *map(_row, rows)]
    rule = "|".join(_rule(len(cell) + 2, how) for cell, how in zip(header, align, strict=True))
    return [_row(header), f"|{rule}|", *map(_row, rows)]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


_ALIGN_RULE = {"": "{}", "left": ":{}", "right": "{}:", "center": ":{}:"}


def _rule(width: int, align: str) -> str:
    """One delimiter-row cell `width` characters wide, with the colons of its alignment."""
    colons = _ALIGN_RULE[align].count(":")
    return _ALIGN_RULE[align].format("-" * max(1, width - colons))


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


def front_matter_lines(yaml: list[str]) -> Block:
    """A front matter block: YAML lines between `---` markers."""
    return ["---", *yaml, "---"]


def join_blocks(blocks: Iterable[Block | None]) -> Block:
    """Join blocks with one blank line between them; None and empty blocks are skipped."""
    lines: Block = []
    for block in filter(None, blocks):
        lines.extend([""] * bool(lines) + block)
    return lines


def document_text(lines: Block) -> str:
    """A document's text: its lines, each ending with LF ("" for no lines, as the end-of-file hook keeps it)."""
    return "".join(line + "\n" for line in lines)
