"""Shape checks for checkpoint and task-list data decoded from TOON (possibly edited by hand).

`problem(value)` returns None for data the renderers can write, else one message naming the first
offending path, e.g. `tasks[2].done: expected true, false or null`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .checkpoint_doc import KIND_KEYS, KINDS, kind_of

Check = Callable[[Any, str], "str | None"]

CHECKPOINT_KEYS = frozenset(
    {"meta", "checkpoint", "sections", "summary", "metrics", "git", "submodules", "tasks", "next_steps", "qa",
     "tables", "notes", "footer"}
)
TASKLIST_KEYS = frozenset({"meta", "tasklist", "phases", "sprints", "tasks", "tables", "notes"})
ALIGNMENTS = frozenset({"", "left", "center", "right"})


def kind_of_data(value: Any) -> str | None:
    """Return "checkpoint" or "tasklist" when `value` is shaped like that data at the top level, else None.

    Top level means: an object whose keys are all known, holding the discriminating object with a "title"
    key. Deeper problems are left to `problem`, so an edited document reports its mistake instead of
    silently turning into generic Markdown.
    """
    if not isinstance(value, Mapping):
        return None
    for kind, keys in (("checkpoint", CHECKPOINT_KEYS), ("tasklist", TASKLIST_KEYS)):
        head = value.get(kind)
        if isinstance(head, Mapping) and "title" in head and set(value) <= keys:
            return kind
    return None


def problem(value: Any) -> str | None:
    """Return what is wrong with checkpoint or task-list data, or None when it can be rendered."""
    kind = kind_of_data(value)
    if kind is None:
        return 'expected checkpoint or task-list data (a "checkpoint" or "tasklist" object with a "title")'
    if kind == "checkpoint":
        return _fields(value, "", {kind: _header}, CHECKPOINT) or _checkpoint_refs(value)
    # Without front matter a task list would read back as a checkpoint (rules 2 and 4 of `checkpoint`).
    return _fields(value, "", {kind: _header, "meta": _mapping}, TASKLIST) or _task_refs(value)


# ---------------------------------------------------------------------------------------------------------------
# Building blocks: each check takes (value, path) and returns a message or None.


def _expect(test: Callable[[Any], bool], what: str) -> Check:
    """Return a check that `test(value)` holds, reporting `expected <what>` otherwise."""
    return lambda value, path: None if test(value) else f"{path}: expected {what}"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


_scalar = _expect(_is_scalar, "a string, number, boolean or null")
_string = _expect(lambda v: isinstance(v, str), "a string")
_note = _expect(lambda v: v is None or isinstance(v, str), "a string or null")
_flag = _expect(lambda v: v is None or isinstance(v, bool), "true, false or null")
_count = _expect(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a whole number >= 0")
_mapping = _expect(lambda v: isinstance(v, Mapping), "an object")
_scalars = _expect(lambda v: isinstance(v, Mapping) and all(map(_is_scalar, v.values())), "an object of scalars")


def _anything(value: Any, path: str) -> str | None:
    return None


def _fields(value: Any, path: str, required: Mapping[str, Check], optional: Mapping[str, Check]) -> str | None:
    """Check an object with `required` and `optional` keys and nothing else."""
    if not isinstance(value, Mapping):
        return f"{path or 'data'}: expected an object"
    where = f"{path}." if path else ""
    for key in value:
        if key not in required and key not in optional:
            return f"{path or 'data'}: unknown key {key!r}"
    for key, check in {**required, **optional}.items():
        if key in value:
            message = check(value[key], where + key)
        elif key in required:
            message = f"{path or 'data'}: missing key {key!r}"
        else:
            continue
        if message:
            return message
    return None


def _list_of(check: Check) -> Check:
    """Return a check for a list whose items all pass `check`."""

    def list_check(value: Any, path: str) -> str | None:
        if not isinstance(value, list):
            return f"{path}: expected a list"
        return next((m for i, item in enumerate(value) if (m := check(item, f"{path}[{i}]"))), None)

    return list_check


def _rows(required: Mapping[str, Check], optional: Mapping[str, Check] | None = None) -> Check:
    """Return a check for a list of objects with the given columns."""
    return _list_of(lambda row, path: _fields(row, path, required, optional or {}))


def _header(value: Any, path: str) -> str | None:
    """Check the title-and-metadata object."""
    if not isinstance(value, Mapping) or "title" not in value:
        return f"{path}: expected an object with a title"
    return _scalars(value, path)


def _table(where: Mapping[str, Check]) -> Check:
    """Return a check for a `tables` entry at a position given by the `where` columns."""

    def table_check(value: Any, path: str) -> str | None:
        message = _fields(value, path, {**where, "rows": _table_rows}, {"align": _alignment})
        if message is None and "align" in value and len(value["align"]) != len(value["rows"][0]):
            message = f"{path}.align: expected one entry per column"
        return message

    return table_check


def _table_rows(value: Any, path: str) -> str | None:
    """Check table rows: a non-empty list of objects with the same keys, holding scalars."""
    if not isinstance(value, list) or not value or not isinstance(value[0], Mapping) or not value[0]:
        return f"{path}: expected a non-empty list of objects"
    columns = set(value[0])
    for index, row in enumerate(value):
        if not isinstance(row, Mapping) or set(row) != columns or not all(map(_is_scalar, row.values())):
            return f"{path}[{index}]: expected the columns {sorted(columns)} holding scalars"
    return None


_alignment = _list_of(_expect(lambda v: v in ALIGNMENTS, 'one of "", "left", "center", "right"'))


def _depths(rows: list[Mapping[str, Any]], region: Callable[[Mapping[str, Any]], Any], path: str) -> str | None:
    """Check that list depths start at 0 in each region and grow by at most one level at a time."""
    previous: tuple[Any, int] | None = None
    for index, row in enumerate(rows):
        depth = row.get("depth", 0)
        limit = previous[1] + 1 if previous and previous[0] == region(row) else 0
        if depth > limit:
            return f"{path}[{index}].depth: {depth} is deeper than the item before allows ({limit})"
        previous = (region(row), depth)
    return None


# ---------------------------------------------------------------------------------------------------------------
# The two schemas and their cross-references

_DONE_TEXT = {"done": _flag, "text": _scalar}
CHECKPOINT: dict[str, Check] = {
    "meta": _anything,
    "sections": _list_of(_string),
    "summary": _string,
    "metrics": _scalars,
    "git": lambda value, path: _fields(
        value, path, {}, {
            "branch": _scalar,
            "commits": _rows({"sha": _string, "message": _scalar}),
            "changes": _rows({"status": _string, "path": _scalar}),
        }
    ),
    "submodules": _rows({"path": _scalar, "commit": _scalar, "latest": _scalar}),
    "tasks": _rows({"section": _string, **_DONE_TEXT}, {"depth": _count}),
    "next_steps": _rows(_DONE_TEXT, {"section": _string, "depth": _count}),
    "qa": _rows(_DONE_TEXT, {"section": _string, "depth": _count}),
    "tables": _list_of(_table({"section": _string})),
    "notes": _rows({"section": _string, "md": _string}),
    "footer": _scalars,
}

_WHERE = {"phase": _count, "sprint": _count}
TASKLIST: dict[str, Check] = {
    "phases": _rows({"title": _scalar, "note": _note}),
    "sprints": _rows({"phase": _count, "title": _scalar, "note": _note}),
    "tasks": _rows({**_WHERE, "depth": _count, "done": _flag, "title": _scalar, "note": _note}),
    "tables": _list_of(_table(_WHERE)),
    "notes": _rows({**_WHERE, "md": _string}),
}


def _checkpoint_refs(data: Mapping[str, Any]) -> str | None:
    """Check list depths, and that an explicit "sections" list names every section the data refers to."""
    for kind in ("tasks", "next_steps", "qa"):
        message = _depths(data.get(kind, []), lambda row: row.get("section", ""), kind)
        if message:
            return message
    if "sections" not in data:
        return None
    titles = data["sections"]
    for key in ("tables", "notes"):
        for index, entry in enumerate(data.get(key, [])):
            if entry["section"] and entry["section"] not in titles:
                return f"{key}[{index}].section: {entry['section']!r} is not in sections"
    kinds = {kind_of(title) for title in titles}
    for kind, title, _ in KINDS:
        if kind not in kinds and any(key in data for key in KIND_KEYS.get(kind, (kind,))):
            return f"sections: no section for the {kind} data (e.g. {title!r})"
    return None


def _task_refs(data: Mapping[str, Any]) -> str | None:
    """Check that phase and sprint numbers point at existing rows, in document order."""
    phases, sprints = len(data.get("phases", [])), data.get("sprints", [])
    last = 0
    for index, sprint in enumerate(sprints):
        if not last <= sprint["phase"] <= phases:
            return f"sprints[{index}].phase: expected {last}..{phases} (sprints follow their phases in order)"
        last = sprint["phase"]
    for key in ("tasks", "tables", "notes"):
        for index, entry in enumerate(data.get(key, [])):
            phase, sprint = entry["phase"], entry["sprint"]
            if phase > phases:
                return f"{key}[{index}].phase: there is no phase {phase}"
            if sprint and (sprint > len(sprints) or sprints[sprint - 1]["phase"] != phase):
                return f"{key}[{index}].sprint: there is no sprint {sprint} in phase {phase}"
    return _depths(data.get("tasks", []), lambda row: (row["phase"], row["sprint"]), "tasks")
