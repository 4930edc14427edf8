"""Task-list documents: read their blocks into the task-list data shape and write that shape back.

The rules are listed in the `checkpoint` module docstring; this module implements them.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .checkpoint_blocks import Block, drop_trailing_rules, keep_rest, take_header
from .checkpoint_render import header_parts, join_blocks, kept_parts, render_front_matter, render_items
from .checkpoint_text import join_note, split_note, untyped

KEY_ORDER = ("meta", "tasklist", "phases", "sprints", "tasks", "tables", "notes")
"""Top-level keys of task-list data, in the order they are written."""

Region = tuple[int, int]
"""(phase, sprint): 1-based row numbers in `phases` / `sprints`, 0 for "none"."""


def read_tasklist(blocks: list[Block], data: dict[str, Any]) -> dict[str, Any]:
    """Return task-list data read from a document's blocks; `data` holds "meta" when there is front matter."""
    phases: list[dict[str, Any]] = []
    sprints: list[dict[str, Any]] = []
    regions: dict[Region, list[Block]] = {(0, 0): []}
    here: Region = (0, 0)
    for block in blocks:
        if block.kind == "heading" and block.level in (2, 3):
            title, note = split_note(block.text)
            if block.level == 2:
                phases.append({"title": title, "note": note})
                here = (len(phases), 0)
            else:
                sprints.append({"phase": here[0], "title": title, "note": note})
                here = (here[0], len(sprints))
            regions[here] = []
        else:
            regions[here].append(block)
    data["tasklist"], regions[(0, 0)] = take_header(regions[(0, 0)])
    kept: dict[str, Any] = {"phases": phases, "sprints": sprints, "tasks": []}
    for (phase, sprint), body in regions.items():
        rest = []
        for block in drop_trailing_rules(body):
            if block.kind != "list":
                rest.append(block)
            for item in block.items:
                title, note = split_note(item.text)
                row = {"phase": phase, "sprint": sprint, "depth": item.depth, "done": item.done}
                kept["tasks"].append({**row, "title": title, "note": note})
        keep_rest(rest, {"phase": phase, "sprint": sprint}, kept)
    data.update({key: value for key, value in kept.items() if value})
    return {key: data[key] for key in KEY_ORDER if key in data}


def render_tasklist(data: Mapping[str, Any]) -> str:
    """Return the task-list document of valid task-list data."""
    parts = [render_front_matter(data["meta"])] if "meta" in data else []
    body = header_parts(data["tasklist"])
    body += _region(data, (0, 0))
    sprints = list(enumerate(data.get("sprints", ()), 1))
    for number, sprint in sprints:
        if sprint["phase"] == 0:
            body += [_heading(3, sprint), *_region(data, (0, number))]
    for phase_number, phase in enumerate(data.get("phases", ()), 1):
        if phase_number == 1 and body:
            body.append("---")
        body += [_heading(2, phase), *_region(data, (phase_number, 0))]
        for number, sprint in sprints:
            if sprint["phase"] == phase_number:
                body += [_heading(3, sprint), *_region(data, (phase_number, number))]
    return join_blocks(parts + body)


def _heading(level: int, row: Mapping[str, Any]) -> str:
    """Return the heading of a phase or sprint row."""
    return ("#" * level + " " + join_note(untyped(row["title"]), row.get("note"))).rstrip()


def _region(data: Mapping[str, Any], region: Region) -> list[str]:
    """Return the task list, tables and notes of one (phase, sprint) region."""
    where = {"phase": region[0], "sprint": region[1]}
    items = [
        (row["depth"], row["done"], join_note(untyped(row["title"]), row["note"]))
        for row in data.get("tasks", ())
        if (row["phase"], row["sprint"]) == region
    ]
    return ([render_items(items)] if items else []) + kept_parts(data, where)
