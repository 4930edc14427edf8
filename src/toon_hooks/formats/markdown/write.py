"""Render JSON-model data as GitHub-flavoured Markdown that `read` reads back to the same value.

Objects become headings, arrays of primitives lists, list rows ({depth, done, text}) nested task lists,
uniform arrays of flat objects tables, tagged objects (`code`, `ordered`, `quote`, …) their construct, and
anything else a ```` ```toon ```` fence. Output is LF-only, ends with one newline and has no trailing spaces.
"""
from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from ...errors import ConversionError
from .front import dump_front_matter
from .layout import (
    Block,
    checkbox,
    document_text,
    fence_lines,
    front_matter_lines,
    heading_lines,
    item_lines,
    join_blocks,
    quote_lines,
    table_lines,
)
from .read import BODY, FRONT_MATTER, REFERENCES, markdown_to_data
from .scalar import (
    ALERT,
    BULLET,
    CELL,
    HEADER,
    ORDERED,
    ORDERED_TASK,
    QUOTE,
    SECTION,
    TASK,
    heading_slot,
    is_clean,
    is_scalar,
    later,
    quote_string,
    same,
    scalar_text,
    shown_key,
    unique_key,
)
from .slots import is_raw, raw_text

_TAGS: dict[tuple[str, ...], str] = {
    ("code",): "code",
    ("lang", "code"): "code",
    ("ordered",): "ordered",
    ("ordered", "start"): "ordered",
    ("quote",): "quote",
    ("alert", "text"): "alert",
    ("html",): "html",
    ("columns",): "columns",
}
"""Key sequence of a tagged object → the renderer method that writes it."""
_ROW_COLUMNS = {("done", "text"), ("depth", "done", "text"), ("depth", "text")}
"""The columns of list rows as `read` makes them."""

_MAX_ORDINAL = 999_999_999
"""Largest number an ordered list item may carry (CommonMark allows nine digits)."""
_PLAIN_INFO = re.compile(r"[\w+#.-]*")
"""A fence info string that reads back as written, so the fence needs no check."""
_NEEDS_POINTY = re.compile(r"[\s<>()\\]")
"""Characters that need a link destination written in `<…>`."""


def data_to_markdown(value: Any) -> str:
    """Return the Markdown document for a JSON-model value."""
    return MarkdownRenderer().document(value)


def _family(value: Any) -> str | None:
    """Which list family a block belongs to: adjacent lists of one family need different markers."""
    if isinstance(value, list):
        return "bullet" if value and all(map(is_scalar, value)) else None
    first = next(iter(value), None) if isinstance(value, dict) else None
    return {"tasks": "bullet", "items": "bullet", "ordered": "ordered"}.get(first) if first else None


class MarkdownRenderer:
    """One method per node kind; a tagged node's method returns None when the value does not fit it."""

    def document(self, value: Any) -> str:
        front, blocks = self.root(value)
        body = join_blocks(blocks)
        if front is None and body and body[0] == "---":
            body[0] = "***"  # the same thematic break, but it cannot open front matter
        elif front is None and body and body[0].startswith("-") and "--" in body[0][1:8]:
            # mdit-py-plugins' front matter rule checks the document's first character, then counts dashes
            # from where the current block starts: `- a--` (a first list item) opens front matter too.
            body = self.unlike_front_matter(body, value)
        return document_text(join_blocks([front, body]))

    def unlike_front_matter(self, body: Block, value: Any) -> Block:
        """A document opening with dashes may read as front matter; keep it only if it reads back right."""
        return body if _reads_as("\n".join(body), value) else self.toon_fence(value)

    def root(self, value: Any) -> tuple[Block | None, list[Block]]:
        if isinstance(value, dict) and value:
            block = self.tagged(value, alt=False)
            return (None, [block]) if block is not None else self.root_object(value)
        return None, self.content(value, SECTION)

    def root_object(self, value: dict[str, Any]) -> tuple[Block | None, list[Block]]:
        """The root may open with front matter and end with link reference definitions."""
        entries = list(value.items())
        used: list[str] = []
        front = self.front_matter(entries[0][1]) if entries[0][0] == FRONT_MATTER else None
        if front is not None:
            used.append(FRONT_MATTER)
            entries.pop(0)
        references = None
        if entries and entries[-1][0] == unique_key(REFERENCES, list(value)[:-1]):
            references = self.references(entries[-1][1])
            if references is not None:
                entries.pop()
        blocks = self.headings(entries, 0, used, body=len(value) > 1)
        return front, blocks + ([references] if references is not None else [])

    def front_matter(self, value: Any) -> Block | None:
        lines = front_matter_lines(dump_front_matter(value))
        return lines if is_clean(lines) and _reads_as("\n".join(lines), {FRONT_MATTER: value}) else None

    def references(self, refs: Any) -> Block | None:
        """Link reference definitions, written at the end of the document."""
        if not isinstance(refs, list) or not refs:
            return None
        lines = []
        for ref in refs:
            if not isinstance(ref, dict) or tuple(ref) != ("label", "href", "title"):
                return None
            if not all(isinstance(part, str) for part in ref.values()):
                return None
            title = ref["title"].replace("\\", "\\\\").replace('"', '\\"').replace("&", "\\&")
            href = ref["href"] if ref["href"] and not _NEEDS_POINTY.search(ref["href"]) else f"<{ref['href']}>"
            lines.append(f"[{ref['label']}]: {href}" + (f' "{title}"' if title else ""))
        return lines if is_clean(lines) and _reads_as("\n".join(lines), {REFERENCES: refs}) else None

    def headings(self, entries: list[tuple[str, Any]], depth: int, used: list[str], body: bool) -> list[Block]:
        """One heading per key; a leading `_body` key is written as the blocks before the first heading."""
        blocks: list[Block] = []
        if body and entries and entries[0][0] == BODY and entries[0][1] != {}:
            blocks.extend(self.content(entries.pop(0)[1], SECTION))
            used.append(BODY)
        for key, value in entries:
            shown = shown_key(key, used)
            used.append(key)
            blocks.append(heading_lines(depth + 1, self.slot(shown, heading_slot(depth + 1))))
            blocks.extend(self.section(value, depth + 1))
        return blocks

    def section(self, value: Any, depth: int) -> list[Block]:
        if isinstance(value, dict) and value:
            block = self.tagged(value, alt=False)
            if block is not None:
                return [block]
            if depth >= 6:
                return [self.toon_fence(value)]
            return self.headings(list(value.items()), depth, [], body=len(value) > 1)
        return self.content(value, SECTION)

    def content(self, value: Any, slot: str) -> list[Block]:
        """The blocks of a section, quote or list item body; {} is an empty section."""
        if isinstance(value, list):
            blocks = self.sequence(value, slot)
            return blocks if blocks is not None else [self.array(value)]
        if isinstance(value, dict):
            if not value and slot == SECTION:
                return []
            block = self.tagged(value, alt=False) if value else None
            return [block if block is not None else self.toon_fence(value)]
        return [self.prose(value, slot)]

    def sequence(self, values: list[Any], slot: str) -> list[Block] | None:
        """Several blocks in a row, at least one of them native Markdown; the others go into toon fences.

        Two primitives cannot be adjacent: consecutive paragraphs read back as one prose string.
        """
        if len(values) < 2 or any(is_scalar(a) and is_scalar(b) for a, b in pairwise(values)):
            return None
        blocks: list[Block] = []
        native = False
        previous: tuple[str | None, bool] = (None, False)
        for index, value in enumerate(values):
            family = _family(value)
            alt = family is not None and previous == (family, False)
            block = self.element(value, slot if index == 0 else later(slot), alt)
            if block is not None and previous[0] and _joins_list(blocks[-1], values[index - 1], block, value):
                block = None
            native = native or block is not None
            blocks.append(block if block is not None else self.toon_fence(value))
            previous = (family, alt)
        return blocks if native else None

    def element(self, value: Any, slot: str, alt: bool) -> Block | None:
        """One block of a sequence, or None when the value is not a single block."""
        if is_scalar(value):
            return self.prose(value, slot)
        if isinstance(value, list):
            return self.bullet_list(value, alt) if _family(value) else None
        if not value:
            return None
        (key, rows), *more = value.items()
        if not more and key == "table":  # `read` puts rows under a key when other blocks share the section
            return self.table(rows)
        if not more and key in ("tasks", "items"):
            return self.rows(rows, alt) if _row_kind(rows) == key else None
        return self.tagged(value, alt)

    def array(self, values: list[Any]) -> Block:
        if values and all(map(is_scalar, values)):
            return self.bullet_list(values, alt=False)
        return self.rows(values, alt=False) or self.table(values) or self.toon_fence(values)

    def tagged(self, value: dict[str, Any], alt: bool) -> Block | None:
        method = _TAGS.get(tuple(value))
        block: Block | None = getattr(self, method)(value, alt) if method else None
        return block

    def prose(self, value: Any, slot: str) -> Block:
        return self.slot(value, slot).split("\n")

    def slot(self, value: Any, slot: str) -> str:
        """The text of a primitive in a slot: raw when it reads back unchanged, else a quoted code span."""
        if not isinstance(value, str):
            return scalar_text(value)
        return raw_text(value, slot) if is_raw(value, slot, markdown_to_data) else quote_string(value)

    def bullet_list(self, values: list[Any], alt: bool) -> Block:
        marker = "*" if alt else "-"
        return [line for value in values for line in item_lines(marker, self.slot(value, BULLET).split("\n"))]

    def item_body(self, value: Any, slot: str, done: bool | None) -> Block:
        body = join_blocks(self.content(value, slot))
        return body if done is None else checkbox(done, body)

    def rows(self, rows: Any, alt: bool) -> Block | None:
        """List rows ({[depth,] [done,] text}) as one nested bullet list; `done` makes an item a task."""
        kind = _row_kind(rows)
        if kind is None:
            return None
        marker = "*" if alt else "-"
        lines: Block = []
        for row in rows:
            done = row.get("done")
            body = self.item_body(row["text"], BULLET if done is None else TASK, done)
            indent = " " * (2 * row.get("depth", 0))
            lines.extend(indent + line if line else "" for line in item_lines(marker, body))
        return self.verified(lines, {kind: rows})

    def ordered(self, value: dict[str, Any], alt: bool) -> Block | None:
        items, start = value["ordered"], value.get("start", 1)
        if not isinstance(items, list) or not items or type(start) is not int:
            return None
        if ("start" in value) == (start == 1) or not 0 <= start <= _MAX_ORDINAL - len(items) + 1:
            return None
        lines: Block = []
        for number, item in enumerate(items, start):
            if isinstance(item, dict) and tuple(item) == ("done", "text") and isinstance(item["done"], bool):
                body = self.item_body(item["text"], ORDERED_TASK, item["done"])
            else:
                body = self.item_body(item, ORDERED, None)
            lines.extend(item_lines(f"{number}{')' if alt else '.'}", body))
        return self.verified(lines, value)

    def table(self, rows: list[Any]) -> Block | None:
        """A GFM table for a non-empty array of objects with the same keys and primitive values."""
        if not rows or not isinstance(rows[0], dict) or not rows[0]:
            return None
        keys = list(rows[0])
        for row in rows:
            if not isinstance(row, dict) or len(row) != len(keys) or not all(k in row for k in keys):
                return None
            if not all(map(is_scalar, row.values())):
                return None
        return table_lines(self.header(keys), [[self.slot(row[k], CELL) for k in keys] for row in rows])

    def header(self, keys: list[str]) -> list[str]:
        used: list[str] = []
        cells = []
        for key in keys:
            cells.append(self.slot(shown_key(key, used), HEADER))
            used.append(key)
        return cells

    def columns(self, value: dict[str, Any], alt: bool) -> Block | None:
        """A table without body rows."""
        keys = value["columns"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            return None
        return self.verified(table_lines(self.header(keys), []), value)

    def code(self, value: dict[str, Any], alt: bool) -> Block | None:
        code, lang = value["code"], value.get("lang", "")
        if not isinstance(code, str) or not isinstance(lang, str) or ("lang" in value and not lang):
            return None
        if "`" in lang or lang.split()[:1] == ["toon"]:  # a toon fence would read as data
            return None
        lines = fence_lines(lang, code)
        if not is_clean(lines):
            return None
        return lines if _PLAIN_INFO.fullmatch(lang) else self.verified(lines, value)

    def quote(self, value: dict[str, Any], alt: bool) -> Block | None:
        return self.verified(quote_lines(join_blocks(self.content(value["quote"], QUOTE))), value)

    def alert(self, value: dict[str, Any], alt: bool) -> Block | None:
        kind = value["alert"]
        if not isinstance(kind, str):
            return None
        body = join_blocks(self.content(value["text"], ALERT))
        return self.verified(quote_lines([f"[!{kind}]", *body]), value)

    def html(self, value: dict[str, Any], alt: bool) -> Block | None:
        html = value["html"]
        if not isinstance(html, str) or not html or not is_clean(html.split("\n")):
            return None
        return self.verified(html.split("\n"), value)

    def toon_fence(self, value: Any) -> Block:
        """The escape hatch: the value as TOON in a ```` ```toon ```` fence."""
        from ...toon import encode

        return fence_lines("toon", encode(value).rstrip("\n"))

    def verified(self, lines: Block, value: Any) -> Block | None:
        """Keep a block only if it reads back as `value` when followed by more text."""
        return lines if _reads_as("\n".join([*lines, "", "z"]), [value, "z"]) else None


def _reads_as(markdown: str, value: Any) -> bool:
    """Tell whether `markdown` reads back as exactly `value` (a toon fence that does not decode never does)."""
    try:
        return same(markdown_to_data(markdown), value)
    except ConversionError:
        return False


def _joins_list(list_block: Block, items: Any, block: Block, value: Any) -> bool:
    """Tell whether an indented block (HTML keeps its indentation) would be read as part of the list before it."""
    return block[0][:1].isspace() and not _reads_as("\n".join(join_blocks([list_block, block])), [items, value])


def _row_kind(rows: Any) -> str | None:
    """"tasks" or "items" when `rows` are list rows exactly as `read` makes them, else None.

    Depths start at 0 and grow by at most one; `done` is a boolean or null; the columns are the ones `read`
    picks ({done, text} only for a flat task list), and plain rows are not a flat list of primitives.
    """
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict) or tuple(rows[0]) not in _ROW_COLUMNS:
        return None
    columns = tuple(rows[0])
    previous = -1
    for row in rows:
        if not isinstance(row, dict) or tuple(row) != columns:
            return None
        depth, done = row.get("depth", 0), row.get("done")
        if type(depth) is not int or not 0 <= depth <= previous + 1 or not (done is None or isinstance(done, bool)):
            return None
        previous = depth
    nested = any(row.get("depth") for row in rows)
    if "done" in columns:
        tasks = any(row["done"] is not None for row in rows)
        return "tasks" if tasks and ("depth" in columns) == nested else None
    return "items" if nested or not all(is_scalar(row["text"]) for row in rows) else None
