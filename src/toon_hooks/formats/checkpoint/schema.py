"""Shape checks for checkpoint and task-list data decoded from TOON (possibly edited by hand).

`problem(value)` returns None for data the renderers can write, else one message naming the first
offending path, e.g. `tasks[2].done: expected true, false or null`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .doc import KIND_KEYS, KINDS, kind_of
from .tasks import HEADING_KEYS

Check = Callable[[Any, str], "str | None"]

CHECKPOINT_KEYS = frozenset(
    {"meta", "checkpoint", "sections", "summary", "metrics", "git", "submodules", "tasks", "next_steps", "qa",
     "tables", "notes", "footer"}
)
TASKLIST_KEYS = frozenset({"meta", "tasklist", "tasks", "tables", "notes", "sections"})
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
    return _fields(value, "", {kind: _header, "meta": _mapping}, TASKLIST)


# ---------------------------------------------------------------------------------------------------------------
# Building blocks: each check takes (value, path) and returns a message or None.


def _expect(test: Callable[[Any], bool], what: str) -> Check:
    """Return a check that `test(value)` holds, reporting `expected <what>` otherwise."""
    return lambda value, path: None if test(value) else f"{path}: expected {what}"


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


_scalar = _expect(_is_scalar, "a string, number, boolean or null")
_string = _expect(lambda v: isinstance(v, str), "a string")
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
    """Return a check for a `tables` entry, with the `where` columns that place it."""

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


def _tasks(required: Mapping[str, Check], optional: Mapping[str, Check]) -> Check:
    """Return a check for task rows with the given columns (plus the optional "depth" and "done"), whose
    depths start at 0 in each run of one "section" and grow by at most one level at a time."""
    rows_check = _rows({**required, "text": _scalar}, {**optional, "depth": _count, "done": _flag})

    def tasks_check(value: Any, path: str) -> str | None:
        message = rows_check(value, path)
        if message:
            return message
        previous: tuple[Any, int] | None = None
        for index, row in enumerate(value):
            depth = row.get("depth", 0)
            limit = previous[1] + 1 if previous and previous[0] == row.get("section", "") else 0
            if depth > limit:
                return f"{path}[{index}].depth: {depth} is deeper than the item before allows ({limit})"
            previous = (row.get("section", ""), depth)
        return None

    return tasks_check


# ---------------------------------------------------------------------------------------------------------------
# The two schemas and their cross-references

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
    "tasks": _tasks({"section": _string}, {}),
    "next_steps": _tasks({}, {"section": _string}),
    "qa": _tasks({}, {"section": _string}),
    "tables": _list_of(_table({"section": _string})),
    "notes": _rows({"section": _string, "md": _string}),
    "footer": _scalars,
}

_REGION: dict[str, Check] = {
    "tasks": _tasks({}, {}),
    "tables": _list_of(_table({})),
    "notes": _list_of(_string),
}
"""The content of a task-list region: before the first heading, or under one."""


def _section(value: Any, path: str) -> str | None:
    """Check a task-list `sections` entry: the heading text under "phase" (H2) or "sprint" (H3), its region."""
    keys = [key for key in HEADING_KEYS.values() if isinstance(value, Mapping) and key in value]
    if len(keys) != 1:
        return f'{path}: expected an object with either "phase" or "sprint"'
    return _fields(value, path, {keys[0]: _scalar}, _REGION)


TASKLIST: dict[str, Check] = {**_REGION, "sections": _list_of(_section)}


def _checkpoint_refs(data: Mapping[str, Any]) -> str | None:
    """Check that an explicit "sections" list names every section the data refers to."""
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
