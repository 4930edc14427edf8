"""Task-list documents: read their blocks into the task-list data shape and write that shape back.

The rules are listed in the `checkpoint` module docstring; this module implements them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .blocks import (
    ITEM_DEFAULTS,
    Block,
    drop_separator,
    item_row,
    split_at,
    split_rest,
    take_header,
    trim_columns,
)
from .render import header_parts, join_parts, render_front_matter, rest_parts, task_list
from .text import untyped

KEY_ORDER = ("meta", "tasklist", "tasks", "tables", "notes", "sections")
"""Top-level keys of task-list data, in the order they are written."""
HEADING_KEYS = {2: "phase", 3: "sprint"}
"""Heading level -> the key holding its text in a `sections` entry."""


def read_tasklist(blocks: list[Block], data: dict[str, Any]) -> dict[str, Any]:
    """Return task-list data read from a document's blocks; `data` holds "meta" when there is front matter."""
    head, groups = split_at(blocks, *HEADING_KEYS)
    regions = [head, *(body for _, body in groups)]
    first_h2 = next((index for index, (heading, _) in enumerate(groups) if heading.level == 2), None)
    if first_h2 is not None:  # the writer puts a rule before the first H2, at the end of the region before it
        regions[first_h2] = drop_separator(regions[first_h2])
    data["tasklist"], head = take_header(regions[0])
    data.update(_read_region(head))
    sections = [{HEADING_KEYS[heading.level]: heading.text, **_read_region(body)}
                for (heading, _), body in zip(groups, regions[1:], strict=True)]
    if sections:
        data["sections"] = sections
    return {key: data[key] for key in KEY_ORDER if key in data}


def _read_region(blocks: list[Block]) -> dict[str, Any]:
    """Return the tasks (items of every simple list), tables and verbatim notes of one region."""
    rows: list[dict[str, Any]] = []
    rest: list[Block] = []
    for block in blocks:
        if block.kind == "list":
            rows += [item_row(item) for item in block.items]
        else:
            rest.append(block)
    tables, notes = split_rest(rest)
    region = {"tasks": trim_columns(rows, ITEM_DEFAULTS), "tables": tables, "notes": notes}
    return {key: value for key, value in region.items() if value}


def render_tasklist(data: Mapping[str, Any]) -> str:
    """Return the task-list document of valid task-list data."""
    parts = [render_front_matter(data["meta"])] if "meta" in data else []
    body = header_parts(data["tasklist"]) + _region(data)
    sections = data.get("sections", ())
    first_h2 = next((index for index, section in enumerate(sections) if "phase" in section), None)
    for index, section in enumerate(sections):
        level, key = next((level, key) for level, key in HEADING_KEYS.items() if key in section)
        if index == first_h2 and body:
            body.append("---")
        body += [f"{'#' * level} {untyped(section[key])}".rstrip(), *_region(section)]
    return join_parts(parts + body)


def _region(region: Mapping[str, Any]) -> list[str]:
    """Return the task list, tables and notes of one region."""
    tasks = [task_list(region["tasks"])] if region.get("tasks") else []
    return tasks + rest_parts(region.get("tables", ()), region.get("notes", ()))
