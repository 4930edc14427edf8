"""Read Markdown into JSON-model data through markdown-it tokens (`write` renders the same model back).

Headings nest into objects; the blocks under a heading become its value: one block gives that block's value,
several give an array (consecutive paragraphs and rules are one prose string). Lists and tables are arrays
(rows with depth/done columns for nested or task lists); code, quotes, alerts, HTML and ordered lists are
objects tagged by their keys. Inline content stays Markdown source. `slots` keeps reader and writer agreed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ...errors import ConversionError, ToonDecodeError
from .front import load_front_matter
from .layout import code_text, heading_lines
from .nesting import check_nesting
from .parser import parsed, parser
from .scalar import (
    ALERT,
    BULLET,
    CELL,
    HEADER,
    HOOK_WHITESPACE,
    ORDERED,
    ORDERED_TASK,
    QUOTE,
    SECTION,
    TASK,
    UNTYPED,
    Scalar,
    heading_slot,
    is_scalar,
    later,
    parse_scalar,
    unique_key,
    unquote_string,
)
from .slots import is_raw

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

BODY = "_body"
"""Key of the blocks that come before the first sub-heading of a section that has sub-headings."""
FRONT_MATTER = "front_matter"
"""Root key of the YAML front matter."""
REFERENCES = "link_references"
"""Root key of the link reference definitions: rows of {label, href, title}."""

Section = tuple["SyntaxTreeNode", list["SyntaxTreeNode"]]


def markdown_to_data(text: str) -> Any:
    """Return the JSON-model value of a Markdown document; bad front matter, bad toon fences and containers
    nested deeper than the parser reads raise a located ConversionError."""
    from markdown_it.tree import SyntaxTreeNode

    shared, env = parsed(text)
    tokens = list(shared)
    check_nesting(parser(), tokens, text)
    nodes = list(SyntaxTreeNode(tokens).children)
    data: dict[str, Any] = {}
    if nodes and nodes[0].type == "front_matter":
        data[FRONT_MATTER] = load_front_matter(nodes.pop(0).content)
    leading, sections = _split(nodes)
    references = [{"label": k, "href": v["href"], "title": v["title"]} for k, v in env.get("references", {}).items()]
    if not data and not sections and not references:
        return _content(leading, SECTION)
    _fill(data, leading, sections, 1)
    if references:
        data[unique_key(REFERENCES, data)] = references
    return data


def _split(nodes: list[SyntaxTreeNode]) -> tuple[list[SyntaxTreeNode], list[Section]]:
    """Split a section's nodes into the blocks before its first sub-heading and its sub-sections."""
    leading: list[SyntaxTreeNode] = []
    sections: list[Section] = []
    for node in nodes:
        if node.type == "heading" and (not sections or _level(node) <= _level(sections[-1][0])):
            sections.append((node, []))
        elif sections:
            sections[-1][1].append(node)
        else:
            leading.append(node)
    return leading, sections


def _level(heading: SyntaxTreeNode) -> int:
    return int(heading.tag[1])


def _fill(data: dict[str, Any], leading: list[SyntaxTreeNode], sections: list[Section], depth: int) -> None:
    """Add the blocks before the first heading and one key per heading, at nesting `depth` (1 at the root)."""
    if leading:
        data[BODY] = _content(leading, SECTION)
    for heading, nodes in sections:
        data[unique_key(_key(heading.children[0], heading_slot(depth)), data)] = _section(nodes, depth)


def _section(nodes: list[SyntaxTreeNode], depth: int) -> Any:
    leading, sections = _split(nodes)
    if not sections:
        return _content(leading, SECTION)
    data: dict[str, Any] = {}
    _fill(data, leading, sections, depth + 1)
    return data


def _content(nodes: list[SyntaxTreeNode], slot: str) -> Any:
    """Return the value of a run of blocks: {} or "" when empty, one block's value, or an array of them."""
    values: list[Any] = []
    run: list[SyntaxTreeNode] = []
    for node in [*nodes, None]:
        if node is not None and node.type in _PROSE:
            run.append(node)
            continue
        if run:
            values.append((None, _prose(run, slot if not values else later(slot))))
            run = []
        if node is not None:
            values.append((node.type, _BLOCKS[node.type](node)))
    if not values:
        return {} if slot == SECTION else ""
    if len(values) == 1:
        return values[0][1]
    return [_wrapped(kind, value) for kind, value in values]


def _wrapped(kind: str | None, value: Any) -> Any:
    """Rows of a table or list among other blocks go under a key, so TOON can still write them as a table."""
    if not (isinstance(value, list) and value and isinstance(value[0], dict)):
        return value
    if kind == "table":
        return {"table": value}
    if kind == "bullet_list":
        return {"tasks" if "done" in value[0] else "items": value}
    return value


def _prose(run: list[SyntaxTreeNode], slot: str) -> Scalar:
    if len(run) == 1 and run[0].type == "paragraph":
        return _scalar(run[0].children[0], slot)
    return "\n\n".join(_PROSE[node.type](node) for node in run)


def _heading_text(node: SyntaxTreeNode) -> str:
    """A heading inside a quote or list item is prose: ATX form, or setext for a heading of several lines."""
    return "\n".join(heading_lines(_level(node), _source(node.children[0])))


_PROSE: dict[str, Callable[[SyntaxTreeNode], str]] = {
    "paragraph": lambda node: _source(node.children[0]),
    "hr": lambda node: "---",
    "heading": _heading_text,
    # The front matter rule also fires inside the first item of a `-` list that opens the document.
    "front_matter": lambda node: f"---\n{node.content}\n---",
}


def _scalar(inline: SyntaxTreeNode, slot: str) -> Scalar:
    """Return the value of one slot's inline content: a quoted string, or its source (typed unless a key)."""
    text = _source(inline)
    children = [c for c in inline.children if c.type != "text" or c.content]
    if len(children) == 1 and children[0].type == "code_inline" and text == f"`{children[0].content}`":
        literal = unquote_string(children[0].content)
        if literal is not None and not is_raw(literal, slot, markdown_to_data):
            return literal
    return text if slot in UNTYPED else parse_scalar(text)


def _key(inline: SyntaxTreeNode, slot: str) -> str:
    """Return the key a heading or header cell spells (keys are never typed)."""
    return str(_scalar(inline, slot))


def _source(inline: SyntaxTreeNode) -> str:
    """Return inline Markdown source; hard breaks written with trailing spaces are rewritten as `\\`."""
    text: str = inline.content
    if " \n" not in text and "\t\n" not in text:
        return text
    lines = text.split("\n")
    rewritten = "\n".join([*(_break(line) for line in lines[:-1]), lines[-1]])
    md = parser()
    return rewritten if md.renderInline(rewritten) == md.renderInline(text) else text


def _break(line: str) -> str:
    stripped = line.rstrip(" \t")
    return stripped + "\\" if line.endswith("  ") else stripped


def _bullet(node: SyntaxTreeNode) -> list[Any]:
    """A flat list of one-paragraph items is an array of them; any other bullet list is one row per item,
    nested lists included: {done, text} for a flat task list, {depth, done, text} for a nested one, and
    {depth, text} when no item is a task."""
    rows = list(_rows(node, 0))
    tasks = any(row["done"] is not None for row in rows)
    nested = any(row["depth"] for row in rows)
    if not tasks and not nested and all(is_scalar(row["text"]) for row in rows):
        return [row["text"] for row in rows]
    columns = ("depth",) * (nested or not tasks) + ("done",) * tasks + ("text",)
    return [{column: row[column] for column in columns} for row in rows]


def _rows(node: SyntaxTreeNode, depth: int) -> Iterator[dict[str, Any]]:
    for item in node.children:
        blocks = item.children
        nested = blocks[-1] if blocks and blocks[-1].type == "bullet_list" else None
        done = item.meta.get("checked")
        own = blocks[:-1] if nested else blocks
        yield {"depth": depth, "done": done, "text": _content(own, BULLET if done is None else TASK)}
        if nested:
            yield from _rows(nested, depth + 1)


def _ordered(node: SyntaxTreeNode) -> dict[str, Any]:
    data: dict[str, Any] = {"ordered": [_ordered_item(item) for item in node.children]}
    start = node.attrs.get("start", 1)
    if start != 1:
        data["start"] = start
    return data


def _ordered_item(item: SyntaxTreeNode) -> Any:
    done = item.meta.get("checked")
    if done is None:
        return _content(item.children, ORDERED)
    return {"done": done, "text": _content(item.children, ORDERED_TASK)}


def _table(node: SyntaxTreeNode) -> Any:
    """Rows keyed by the header cells; a table without body rows keeps its header as `columns`."""
    head, *body = node.children
    keys: list[str] = []
    for cell in head.children[0].children:
        keys.append(unique_key(_key(cell.children[0], HEADER), keys))
    if not body:
        return {"columns": keys}
    return [
        {key: _scalar(cell.children[0], CELL) for key, cell in zip(keys, row.children, strict=True)}
        for row in body[0].children
    ]


def _fence(node: SyntaxTreeNode) -> Any:
    info = node.info.strip()
    code = _code_text(node.content)
    if info.split()[:1] == ["toon"]:
        return _decode_fence(code, node)
    return {"lang": info, "code": code} if info else {"code": code}


def _code_text(content: str) -> str:
    """Code lines (see `code_text`) without trailing whitespace (the trailing-whitespace hook's view)."""
    lines = content.removesuffix("\n").split("\n") if content else []
    return code_text([line.rstrip(HOOK_WHITESPACE) for line in lines])


def _decode_fence(code: str, node: SyntaxTreeNode) -> Any:
    from ...toon import decode

    try:
        return decode(code)
    except ToonDecodeError as exc:
        first = node.map[0] + 1 if node.map else 0
        line = first + exc.line if exc.line else first
        raise ConversionError(f"invalid TOON in toon fence: {exc.msg}", line, exc.column, exc.source_line) from None


def _alert(node: SyntaxTreeNode) -> dict[str, Any]:
    body = [child for child in node.children if child.type != "alert_title"]
    return {"alert": node.meta["kind"], "text": _content(body, ALERT)}


_BLOCKS: dict[str, Callable[[SyntaxTreeNode], Any]] = {
    "bullet_list": _bullet,
    "ordered_list": _ordered,
    "table": _table,
    "fence": _fence,
    "code_block": lambda node: {"code": _code_text(node.content)},
    "blockquote": lambda node: {"quote": _content(node.children, QUOTE)},
    "alert": _alert,
    "html_block": lambda node: {"html": node.content.removesuffix("\n")},
}
