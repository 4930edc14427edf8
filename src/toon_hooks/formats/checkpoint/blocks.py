"""Top-level Markdown blocks for the checkpoint and task-list converters, read from markdown-it tokens.

`read_blocks` turns a document into its front matter and a flat list of `Block`s, one per top-level
token group, each carrying its exact source lines (`md`) so that anything the domain readers do not
understand can be kept verbatim. Lines no token covers (link reference definitions) become `other`
blocks too, so no text is lost. The inverse helpers live in `render`.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..markdown.nesting import check_nesting
from ..markdown.parser import parsed, parser
from .render import SEPARATOR
from .text import clean, meta_lines, typed, writable

if TYPE_CHECKING:
    from markdown_it.token import Token


@dataclasses.dataclass(frozen=True)
class Item:
    """One list item of a list whose items are each a single paragraph (possibly with a nested list)."""

    depth: int
    """Nesting level, 0 for top-level items."""
    done: bool | None
    """Checkbox state; None for a plain bullet."""
    text: str
    """Inline Markdown source of the item's paragraph."""


@dataclasses.dataclass(frozen=True)
class Table:
    """A GFM table: header cells, per-column alignment ("", "left", "center", "right") and body rows."""

    header: tuple[str, ...]
    align: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class Block:
    """One top-level block; `kind` is heading, paragraph, list, table, fence, hr or other."""

    kind: str
    md: str
    """The block's source lines, trailing blank lines removed."""
    level: int = 0
    """Heading level."""
    text: str = ""
    """Inline source of a heading or paragraph."""
    items: tuple[Item, ...] = ()
    """Items of a `list` (a bullet list every item of which is one paragraph plus an optional sub-list)."""
    table: Table | None = None
    code: str = ""
    """Content of a `fence` (only fences without an info string)."""
    has_tasks: bool = False
    """True when the block contains a task item at any depth."""


@dataclasses.dataclass(frozen=True)
class FrontMatter:
    """YAML front matter: its raw text (it always starts on line 2 of the document)."""

    raw: str


def normalize_newlines(text: str) -> str:
    """Return `text` with CRLF/CR line ends and NUL characters normalised as markdown-it does, ending with a
    line end (an unclosed fence at the end holds its last line's end only when the document has one)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    return text if text.endswith("\n") else text + "\n"


def read_blocks(text: str) -> tuple[FrontMatter | None, list[Block]]:
    """Split a Markdown document into its front matter and its top-level blocks, in source order; containers
    nested deeper than the parser reads are a located ConversionError (their text would be lost)."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    tokens = list(parsed(text)[0])
    check_nesting(parser(), tokens, text)
    front: FrontMatter | None = None
    found: list[tuple[int, Block]] = []
    covered: set[int] = set()
    i = 0
    while i < len(tokens):
        end = _closing(tokens, i)
        start_line, end_line = tokens[i].map or (0, 0)
        covered.update(range(start_line, end_line))
        if tokens[i].type == "front_matter":
            front = FrontMatter(tokens[i].content)
        elif tokens[i].type != "html_block" or tokens[i].content.strip() != SEPARATOR:
            md = "\n".join(lines[start_line:end_line]).rstrip()
            found.append((start_line, _block(tokens[i : end + 1], md)))
        i = end + 1
    found.extend(_uncovered(lines, covered))
    return front, [block for _, block in sorted(found, key=lambda pair: pair[0])]


def _closing(tokens: list[Token], start: int) -> int:
    """Return the index of the token closing the top-level group that opens at `start`."""
    if tokens[start].nesting != 1:
        return start
    level = tokens[start].level
    for index in range(start + 1, len(tokens)):
        if tokens[index].level == level and tokens[index].nesting == -1:
            return index
    return len(tokens) - 1


def _uncovered(lines: list[str], covered: set[int]) -> list[tuple[int, Block]]:
    """Return runs of non-blank lines no token covers (link reference definitions) as `other` blocks."""
    runs: list[tuple[int, Block]] = []
    run: list[int] = []
    for number in [*range(len(lines)), len(lines)]:
        if number < len(lines) and number not in covered and lines[number].strip():
            run.append(number)
        elif run:
            runs.append((run[0], Block("other", "\n".join(lines[run[0] : run[-1] + 1]).rstrip())))
            run = []
    return runs


def _block(group: list[Token], md: str) -> Block:
    """Classify one top-level token group."""
    first = group[0]
    has_tasks = any(tok.type == "list_item_open" and tok.meta.get("checked") is not None for tok in group)
    if first.type == "heading_open" and "\n" not in group[1].content:
        return Block("heading", md, level=int(first.tag[1]), text=group[1].content)
    if first.type == "paragraph_open":
        text = clean(group[1].content, "para")
        return Block("paragraph", md, text=text) if writable(text, "para") else Block("other", md)
    if first.type == "hr":
        return Block("hr", md)
    if first.type == "fence" and not first.info:
        return Block("fence", md, code=first.content)
    if first.type == "table_open":
        return Block("table", md, table=_table(group))
    if first.type == "bullet_list_open":
        items = _items(group, 0)
        if items is not None:
            return Block("list", md, items=tuple(items), has_tasks=has_tasks)
    return Block("other", md, has_tasks=has_tasks)


def _items(group: list[Token], depth: int) -> list[Item] | None:
    """Return the items of a bullet-list token group, or None when an item holds more than one paragraph."""
    items: list[Item] = []
    index = 1
    while index < len(group) - 1:
        end = _closing(group, index)
        children = group[index + 1 : end]
        if len(children) < 3 or children[0].type != "paragraph_open":
            return None
        done = group[index].meta.get("checked")
        context = "bullet" if done is None else "task"
        text = clean(children[1].content, context)
        if not writable(text, context):
            return None
        items.append(Item(depth, done, text))
        nested = children[3:]
        if nested:
            if nested[0].type != "bullet_list_open" or _closing(nested, 0) != len(nested) - 1:
                return None
            sub = _items(nested, depth + 1)
            if sub is None:
                return None
            items.extend(sub)
        index = end + 1
    return items


def _table(group: list[Token]) -> Table:
    """Return a table token group as header, alignment and rows of inline sources."""
    header: list[str] = []
    align: list[str] = []
    rows: list[list[str]] = []
    for index, tok in enumerate(group):
        if tok.type == "th_open":
            header.append(group[index + 1].content)
            style = str(tok.attrs.get("style", ""))
            align.append(style.removeprefix("text-align:"))
        elif tok.type == "tr_open" and index and group[index - 1].type != "thead_open":
            rows.append([])
        elif tok.type == "td_open":
            rows[-1].append(group[index + 1].content)
    return Table(tuple(header), tuple(align), tuple(tuple(row) for row in rows))


def load_front_matter(front: FrontMatter) -> Any:
    """Parse YAML front matter with the one policy every Markdown reader shares (`markdown.front`)."""
    from ..markdown.front import load_front_matter as load

    return load(front.raw)


def split_at(blocks: list[Block], *levels: int) -> tuple[list[Block], list[tuple[Block, list[Block]]]]:
    """Split blocks at headings of the given levels: (blocks before the first, [(heading, its blocks)])."""
    head: list[Block] = []
    groups: list[tuple[Block, list[Block]]] = []
    for block in blocks:
        if block.kind == "heading" and block.level in levels:
            groups.append((block, []))
        elif groups:
            groups[-1][1].append(block)
        else:
            head.append(block)
    return head, groups


def drop_separator(blocks: list[Block]) -> list[Block]:
    """Return a region's blocks without the one thematic break that ends it, the separator the renderers write
    before an H2; any other rule is content (a note), so reading a written document gives back its data."""
    return blocks[:-1] if blocks and blocks[-1].kind == "hr" else blocks


def table_rows(block: Block) -> dict[str, Any] | None:
    """Return a table block as {"rows": [{header: typed cell}], "align"?: [...]}, or None if it has no body
    row or repeats a header cell (it then stays verbatim)."""
    table = block.table
    if table is None or not table.rows or len(set(table.header)) < len(table.header):
        return None
    rows = [{name: typed(cell) for name, cell in zip(table.header, row, strict=True)} for row in table.rows]
    value: dict[str, Any] = {"rows": rows}
    if any(table.align):
        value["align"] = list(table.align)
    return value


def split_rest(blocks: list[Block]) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the blocks no domain rule took as (tables per `table_rows`, the verbatim source of all others)."""
    tables: list[dict[str, Any]] = []
    notes: list[str] = []
    for block in blocks:
        rows = table_rows(block) if block.kind == "table" else None
        if rows is not None:
            tables.append(rows)
        else:
            notes.append(block.md)
    return tables, notes


ITEM_DEFAULTS: dict[str, Any] = {"depth": 0, "done": None}
"""Task-row columns left out of a table in which every row holds this value (nothing nested, no checkbox)."""


def item_row(item: Item) -> dict[str, Any]:
    """Return a list item as a task row {depth, done, text} (before `trim_columns`)."""
    return {"depth": item.depth, "done": item.done, "text": item.text}


def trim_columns(rows: list[dict[str, Any]], defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """Return `rows` without the columns of `defaults` in which every row holds that default."""
    drop = {key for key, default in defaults.items() if all(row[key] == default for row in rows)}
    return [{key: value for key, value in row.items() if key not in drop} for row in rows]


def take_header(blocks: list[Block]) -> tuple[dict[str, Any], list[Block]]:
    """Return ({"title": first H1 or None, **`**Key:** value` metadata}, other blocks) of a document's head."""
    header: dict[str, Any] = {"title": None}
    titled = False
    rest = []
    for block in blocks:
        if block.kind == "heading" and block.level == 1 and not titled:
            header["title"], titled = block.text, True
        elif not add_metadata(header, block):
            rest.append(block)
    return header, rest


def add_metadata(target: dict[str, Any], block: Block) -> bool:
    """Add a `**Key:** value` paragraph to `target` unless it is not one or repeats a key; report success."""
    pairs = meta_lines(block.text) if block.kind == "paragraph" else None
    keys = [key for key, _ in pairs or ()]
    if not pairs or len(set(keys)) < len(keys) or any(key in target for key in keys):
        return False
    target.update(pairs)
    return True
