"""Checkpoint documents: read their blocks into the checkpoint data shape and write that shape back.

The rules are listed in the `checkpoint` module docstring; this module implements them.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..markdown.layout import code_text, fence_lines
from .blocks import (
    ITEM_DEFAULTS,
    Block,
    add_metadata,
    drop_separator,
    item_row,
    read_blocks,
    split_at,
    split_rest,
    take_header,
    trim_columns,
)
from .render import (
    SEPARATOR,
    header_parts,
    join_parts,
    kept_parts,
    metadata_paragraph,
    render_front_matter,
    render_items,
    task_list,
)
from .text import escape, meta_lines, typed, untyped

KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("summary", "Executive Summary", re.compile(r"\bsummary\b", re.I)),
    ("git", "Git Status", re.compile(r"\bgit\b", re.I)),
    ("submodules", "Submodule Status", re.compile(r"\bsubmodules?\b", re.I)),
    ("tasks", "Completed Tasks by Project", re.compile(r"\btasks?\b", re.I)),
    ("next_steps", "Next Steps", re.compile(r"\bnext steps?\b", re.I)),
    ("qa", "Quality Assurance", re.compile(r"\b(?:quality|qa)\b", re.I)),
)
"""Section kinds in canonical order: (kind, canonical H2 title, title pattern)."""
MATCH_ORDER = ("next_steps", "qa", "submodules", "git", "summary", "tasks")
"""The order titles are tried against the patterns ("Git Submodules" is submodules, "Next tasks" next steps)."""
KIND_KEYS = {"summary": ("summary", "metrics")}
"""Data keys a kind fills, when not just its own name."""

METRICS_LABEL = "**Key Metrics:**"
GIT_TITLES = {"branch": "Current Branch", "commits": "Recent Commits", "changes": "Working Directory Status"}
_COMMIT = re.compile(r"(?P<sha>[0-9a-f]{4,40}) (?P<message>.*)")
_CHANGE = re.compile(r"(?P<status>[ MTADRCU?!]{2}) (?P<path>.*\S.*)")
_SUBMODULES = re.compile(r"Updated Submodules \((?P<count>[0-9]+)\)")
_BOLD_PATH = re.compile(r"\*\*(?P<path>[^*\n]+)\*\*")
_COMMIT_ITEM = re.compile(r"Commit: `(?P<commit>[^`\n]+)`")
Reader = Callable[[list[Block], Mapping[str, Any]], tuple[dict[str, Any], list[Block]]]
"""A section reader: (the section's blocks, the data read so far) -> (data it adds, blocks it left)."""

_PATTERNS = {kind: pattern for kind, _, pattern in KINDS}
KEY_ORDER = (
    "meta", "checkpoint", "sections", "summary", "metrics", "git", "submodules", "tasks", "next_steps", "qa",
    "tables", "notes", "footer",
)
"""Top-level keys of checkpoint data, in the order they are written."""


def kind_of(title: str) -> str | None:
    """Return the section kind an H2 title names, or None for a section kept as tables and notes."""
    return next((kind for kind in MATCH_ORDER if _PATTERNS[kind].search(title)), None)


# ---------------------------------------------------------------------------------------------------------------
# Reading


def read_checkpoint(blocks: list[Block], data: dict[str, Any]) -> dict[str, Any]:
    """Return checkpoint data read from a document's blocks; `data` holds "meta" when there is front matter."""
    footer, blocks = _take_footer(blocks)
    head, sections = _sections(blocks)
    titles = [heading.text for heading, _ in sections]
    regions = [head, *(body for _, body in sections)]
    head, *bodies = [*map(drop_separator, regions[:-1]), regions[-1]]  # the writer's rule before every H2
    data["checkpoint"], head = take_header(head)
    kinds: dict[str, int] = {}  # kind -> its first section
    for index, title in enumerate(titles):
        kind = kind_of(title)
        if kind:
            kinds.setdefault(kind, index)
    for kind in sorted(kinds, key=lambda kind: kind != "git"):  # submodules may refer to git commits
        values, bodies[kinds[kind]] = READERS[kind](bodies[kinds[kind]], data)
        data.update(values)
    data.update(_kept(["", *titles], [head, *bodies]))
    if footer:
        data["footer"] = footer
    if titles != default_titles(data):
        data["sections"] = titles
    return {key: data[key] for key in KEY_ORDER if key in data}


def _sections(blocks: list[Block]) -> tuple[list[Block], list[tuple[Block, list[Block]]]]:
    """Split blocks at H2s into the head and the sections; an H2 without a title or repeating an earlier one
    stays a block of the region before it, as its entries could not be told from the head's or the first's."""
    head, groups = split_at(blocks, 2)
    sections: list[tuple[Block, list[Block]]] = []
    for heading, body in groups:
        if heading.text and all(heading.text != seen.text for seen, _ in sections):
            sections.append((heading, body))
        else:
            (sections[-1][1] if sections else head).extend([heading, *body])
    return head, sections


def _kept(titles: list[str], bodies: list[list[Block]]) -> dict[str, list[dict[str, Any]]]:
    """Return the "tables" and "notes" no reader took, each entry with its section title ("" before any)."""
    kept: dict[str, list[dict[str, Any]]] = {"tables": [], "notes": []}
    for title, body in zip(titles, bodies, strict=True):
        tables, notes = split_rest(body)
        kept["tables"] += [{"section": title, **table} for table in tables]
        kept["notes"] += [{"section": title, "md": note} for note in notes]
    return {key: entries for key, entries in kept.items() if entries}


def _take_footer(blocks: list[Block]) -> tuple[dict[str, Any], list[Block]]:
    """Split off the closing metadata paragraphs that follow a thematic break at the very end; without them,
    drop the rule that ends the document (the writer's guard against a footer the data does not have)."""
    start = len(blocks)
    while start and blocks[start - 1].kind == "paragraph" and meta_lines(blocks[start - 1].text):
        start -= 1
    footer: dict[str, Any] = {}
    if 0 < start < len(blocks) and blocks[start - 1].kind == "hr":
        if all(add_metadata(footer, block) for block in blocks[start:]):
            return footer, blocks[: start - 1]
    return {}, drop_separator(blocks)


def _read_summary(body: list[Block], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Block]]:
    """Read leading paragraphs as "summary" and a `**Key Metrics:**` list after them as "metrics"."""
    values: dict[str, Any] = {}
    index = 0
    while index < len(body) and body[index].kind == "paragraph" and _metrics(body, index) is None:
        index += 1
    if index:
        values["summary"] = "\n\n".join(block.text for block in body[:index])
    metrics = _metrics(body, index)
    if metrics is not None:
        values["metrics"] = metrics
        index += 2
    return values, body[index:]


def _metrics(body: list[Block], index: int) -> dict[str, Any] | None:
    """Return the metrics at `index` (label paragraph + `- Key: value` list), or None."""
    if index + 1 >= len(body) or body[index].text != METRICS_LABEL or body[index].kind != "paragraph":
        return None
    items = body[index + 1].items if body[index + 1].kind == "list" else ()
    pairs = [item.text.split(": ", 1) for item in items if not item.depth and item.done is None]
    if not items or len(pairs) < len(items) or any(len(pair) < 2 for pair in pairs):
        return None
    metrics = {key: typed(value) for key, value in pairs}
    return metrics if len(metrics) == len(pairs) else None


def _read_git(body: list[Block], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Block]]:
    """Read the fences opening `### Current Branch`, `### Recent Commits` and `### Working Directory Status`."""
    head, groups = split_at(body, 3)
    fields = {title: field for field, title in GIT_TITLES.items()}
    git: dict[str, Any] = {}
    rest = list(head)
    for heading, content in groups:
        field = fields.get(heading.text, "")
        value = _git_value(field, content[0]) if field and field not in git and content else None
        if value is None:
            rest += [heading, *content]
        else:
            git[field] = value
            rest += content[1:]
    return ({"git": git} if git else {}), rest


def _git_value(field: str, fence: Block) -> Any:
    """Return a git field from the plain fence that opens its sub-section, or None if it does not fit."""
    if fence.kind != "fence" or fence.code[-1:] not in ("", "\n"):
        return None
    lines = fence.code[:-1].split("\n") if fence.code else []
    if field == "branch":
        return lines[0] if len(lines) == 1 else None
    pattern = _COMMIT if field == "commits" else _CHANGE
    matches = [pattern.fullmatch(line) for line in lines]
    if not all(matches):
        return None
    if field == "commits":
        return [{"sha": m["sha"], "message": m["message"]} for m in matches if m]
    return [{"status": m["status"].replace(" ", "."), "path": m["path"]} for m in matches if m]


def _read_submodules(body: list[Block], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Block]]:
    """Read `### Updated Submodules (N)` and its `**path**` + `- Commit:` / `- Latest:` groups; a Latest
    that reads `<sha> <message>` of a commit in `data`'s git commits is stored as that sha."""
    index, count = 0, None
    counted = _SUBMODULES.fullmatch(body[0].text) if body and body[0].kind == "heading" else None
    if counted and body[0].level == 3:
        index, count = 1, int(counted["count"])
    commits = _commit_lines(data)
    rows = []
    while index + 1 < len(body) and (row := _submodule(body[index], body[index + 1], commits)):
        rows.append(row)
        index += 2
    if not rows or count not in (None, len(rows)):
        return {}, body
    return {"submodules": rows}, body[index:]


def _submodule(name: Block, details: Block, commits: Mapping[str, str]) -> dict[str, str] | None:
    """Return {path, commit, latest} from a `**path**` paragraph and its two-item list, or None (also when
    Latest is a bare listed sha, which the writer would expand)."""
    path = _BOLD_PATH.fullmatch(name.text) if name.kind == "paragraph" else None
    items = details.items if details.kind == "list" else ()
    if not path or len(items) != 2 or any(item.depth or item.done is not None for item in items):
        return None
    commit = _COMMIT_ITEM.fullmatch(items[0].text)
    latest = items[1].text.removeprefix("Latest: ")
    if not commit or latest == items[1].text or latest in commits:
        return None
    sha = latest.split(" ", 1)[0]
    return {"path": path["path"], "commit": commit["commit"], "latest": sha if commits.get(sha) == latest else latest}


def _commit_lines(data: Mapping[str, Any]) -> dict[str, str]:
    """Return sha -> its `<sha> <message>` fence line, for the first commit of each sha in the git data."""
    lines: dict[str, str] = {}
    for row in data.get("git", {}).get("commits", ()):
        lines.setdefault(row["sha"], _GIT_LINES["commits"]([row])[0])
    return lines


def _task_reader(kind: str) -> Reader:
    """Return the reader of a task section: lists become rows, `###` headings their `section`."""
    defaults = ITEM_DEFAULTS if kind == "tasks" else {**ITEM_DEFAULTS, "section": ""}

    def read(body: list[Block], data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Block]]:
        head, groups = split_at(body, 3)
        rows: list[dict[str, Any]] = []
        rest: list[Block] = []
        for heading, blocks in [(None, head), *groups]:
            if heading and not any(block.kind == "list" for block in blocks):
                rest += [heading, *blocks]
                continue
            section = heading.text if heading else ""
            for block in blocks:
                if block.kind != "list":
                    rest.append(block)
                rows += [{"section": section, **item_row(item)} for item in block.items]
        return ({kind: trim_columns(rows, defaults)} if rows else {}), rest

    return read


READERS: dict[str, Reader] = {
    "summary": _read_summary,
    "git": _read_git,
    "submodules": _read_submodules,
    "tasks": _task_reader("tasks"),
    "next_steps": _task_reader("next_steps"),
    "qa": _task_reader("qa"),
}


def default_titles(data: Mapping[str, Any]) -> list[str]:
    """Return the H2 titles written when "sections" is absent: kinds in canonical order, other sections
    (from tables, then notes) before Quality Assurance."""
    present = [(kind, title) for kind, title, _ in KINDS if any(k in data for k in KIND_KEYS.get(kind, (kind,)))]
    titles = [title for kind, title in present if kind != "qa"]
    for entry in [*data.get("tables", ()), *data.get("notes", ())]:
        section = entry.get("section", "")
        if section and section not in titles:
            titles.append(section)
    return titles + [title for kind, title in present if kind == "qa"]


# ---------------------------------------------------------------------------------------------------------------
# Writing


def render_checkpoint(data: Mapping[str, Any]) -> str:
    """Return the checkpoint document of valid checkpoint data."""
    parts = [render_front_matter(data["meta"])] if "meta" in data else []
    body = header_parts(data["checkpoint"])
    body += kept_parts(data, "")
    kinds_written: set[str] = set()
    titles_written = {""}  # section "" is the head, written above
    for title in data.get("sections") or default_titles(data):
        if body:
            body.append("---")
        body.append(f"## {title}".rstrip())
        kind = kind_of(title)
        if kind is not None and kind not in kinds_written:
            body += WRITERS[kind](data)
            kinds_written.add(kind)
        if title not in titles_written:
            body += kept_parts(data, title)
        titles_written.add(title)
    if "footer" in data:
        body += ["---", metadata_paragraph(data["footer"])]
    elif _ends_like_footer(parts + body):
        body.append("---")
    if not parts and _opens_front_matter(body):
        body.insert(0, SEPARATOR)
    return join_parts(parts + body)


def _ends_like_footer(parts: list[str]) -> bool:
    """Tell whether a document would end with a rule, or with a rule and metadata paragraphs (a footer)."""
    blocks = read_blocks(join_parts(parts))[1]
    footer, rest = _take_footer(blocks)
    return bool(footer) or len(rest) < len(blocks)


def _opens_front_matter(parts: list[str]) -> bool:
    """Tell whether a document without metadata would open with front matter (a note that is a `---` rule)."""
    return read_blocks(join_parts(parts))[0] is not None


def _write_summary(data: Mapping[str, Any]) -> list[str]:
    """Return the summary paragraphs and the key-metrics list."""
    parts = [escape(text, "para") for text in data["summary"].split("\n\n")] if "summary" in data else []
    if "metrics" in data:
        items = [(0, None, f"{key}: {untyped(value)}") for key, value in data["metrics"].items()]
        parts.append(f"{METRICS_LABEL}\n{render_items(items)}")
    return parts


def _write_git(data: Mapping[str, Any]) -> list[str]:
    """Return one `###` sub-section with a fence per git field, in the data's order."""
    parts = []
    for field, value in data.get("git", {}).items():
        fence = fence_lines("", code_text(_GIT_LINES[field](value)))
        parts.append("\n".join([f"### {GIT_TITLES[field]}", *fence]))
    return parts


_GIT_LINES: dict[str, Callable[[Any], list[str]]] = {
    "branch": lambda value: [untyped(value)],
    "commits": lambda rows: [f"{row['sha']} {untyped(row['message'])}" for row in rows],
    "changes": lambda rows: [f"{row['status'].replace('.', ' ')} {untyped(row['path'])}" for row in rows],
}
"""Git field -> the fence lines of its value."""


def _write_submodules(data: Mapping[str, Any]) -> list[str]:
    """Return the counted `###` heading and one `**path**` group per submodule."""
    rows = data.get("submodules", [])
    commits = _commit_lines(data)
    groups = [
        f"**{row['path']}**\n" + render_items([
            (0, None, f"Commit: `{row['commit']}`"),
            (0, None, "Latest: " + commits.get(untyped(row["latest"]), untyped(row["latest"]))),
        ])
        for row in rows
    ]
    return [f"### Updated Submodules ({len(rows)})", *groups] if rows else []


def _task_writer(kind: str) -> Callable[[Mapping[str, Any]], list[str]]:
    """Return the writer of a task section: one list per run of rows sharing a `section`."""

    def write(data: Mapping[str, Any]) -> list[str]:
        runs: list[tuple[str, list[Mapping[str, Any]]]] = []
        for row in data.get(kind, ()):
            section = row.get("section", "")
            if not runs or runs[-1][0] != section:
                runs.append((section, []))
            runs[-1][1].append(row)
        return [(f"### {section}\n" if section else "") + task_list(rows) for section, rows in runs]

    return write


WRITERS: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
    "summary": _write_summary,
    "git": _write_git,
    "submodules": _write_submodules,
    "tasks": _task_writer("tasks"),
    "next_steps": _task_writer("next_steps"),
    "qa": _task_writer("qa"),
}
