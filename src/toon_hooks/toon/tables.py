"""Decoder tables: the cells of tabular rows split in bulk (§9.3), and short tables batched by field list.

A list of short tables (one per order, say) would spend most of its time on per-table overhead and on
parsing cells one by one (ids, prices and codes seldom repeat, so the token memo misses). So the rows of a
complete short table are split and checked where they stand, but when its field list comes again their
cells wait in a batch per field list: once the whole document has been read, each batch is converted column
by column (see `parse_column`) and its objects go to the lists (or keyed objects) that already sit in their
parents. Should the document be invalid, the waiting tables are read again one by one first, so that the
error reported is still the first one in the document.
"""
from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any, Generic, Protocol, TypeVar

from .headers import Fields, Header, ObjectMaker
from .tokens import Parser, split_cells


class Rows(Protocol):
    """What a batch needs of the scope of a waiting table (a `scopes.CountedScope`): its header and its value."""

    @property
    def header(self) -> Header | None: ...

    @property
    def target(self) -> Any: ...


R = TypeVar("R", bound=Rows)
"""The scope type of the waiting tables (generic, so that this module need not import the scopes)."""

SHORT = 8
"""Tables with fewer rows than this wait in a batch; longer ones are converted column by column at once."""


def split_rows(rows: list[str], text: str, width: int, delimiter: str) -> list[str] | None:
    """Return the cell tokens of `rows` in row order, or None if some row has another number of cells than `width`.

    `text` holds the rows joined by the delimiter and a newline, so one split yields every cell, each row's first
    cell marked by its leading newline: all rows have `width` cells exactly when the marked cells are those at the
    multiples of `width`, which then lose their marks.
    """
    if '"' in text:  # quoted cells may hold the delimiter: split row by row
        split = [split_cells(row, delimiter) for row in rows]
        if any(len(cells) != width for cells in split):
            return None
        return list(chain.from_iterable(split))
    cells = text.split(delimiter)
    if len(cells) != width * len(rows):
        return None
    first = "".join(cells[::width]).split("\n")
    if len(first) != len(rows):
        return None
    cells[::width] = first
    return cells


class Batch(Generic[R]):
    """The waiting short tables of one field list: their cells in document order, and where the objects go."""

    __slots__ = ("fields", "cells", "tables")

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.cells: list[str] = []
        self.tables: list[tuple[R, int, int, list[str] | None]] = []
        """(scope, position of its first row, position after its last, keys of keyed rows or None)."""


class Batches(Generic[R]):
    """The batches of one document, by field list (its object maker: one per flat field list)."""

    __slots__ = ("by_fields", "seen")

    def __init__(self) -> None:
        self.by_fields: dict[ObjectMaker, Batch[R]] = {}
        self.seen: set[ObjectMaker] = set()
        """The field lists of the short tables read at once so far."""

    def wants(self, fields: Fields, rows: int) -> bool:
        """Return whether a complete table of `rows` rows of `fields` should wait: a short one whose flat field
        list comes again (a field list met once would only pay for its batch)."""
        if rows >= SHORT or fields.objects is None:
            return False
        if fields.objects in self.by_fields:
            return True
        if fields.objects in self.seen:
            self.by_fields[fields.objects] = Batch(fields)
            return True
        self.seen.add(fields.objects)
        return False

    def add(self, scope: R, first: int, end: int, cells: list[str], keys: list[str] | None) -> None:
        """Let the rows from position `first` to `end` of a complete table (or keyed object) that `wants` to
        wait do so: their trimmed `cells`, and for keyed rows their `keys`, in the target with placeholders."""
        batch = self.by_fields[scope.header.fields.objects]  # type: ignore[union-attr,index]
        batch.cells += cells
        batch.tables.append((scope, first, end, keys))

    def flush(self, parse: Parser) -> None:
        """Convert every batch and hand out its objects; a bad cell raises its TokenError, unlocated (the caller
        then reads the `waiting` tables again to locate it)."""
        for batch in self.by_fields.values():
            objects = batch.fields.build_rows(batch.cells, parse)
            at = 0
            for scope, first, end, keys in batch.tables:
                part = objects[at : at + end - first]
                at += end - first
                if keys is None:
                    scope.target.extend(part)
                else:
                    scope.target.update(zip(keys, part))

    def waiting(self) -> Iterator[tuple[R, int, int]]:
        """Yield every waiting table in document order: its scope and the positions of its first row and after
        its last one."""
        tables = sorted(chain.from_iterable(batch.tables for batch in self.by_fields.values()), key=_first_row)
        for scope, first, end, _ in tables:
            yield scope, first, end


def _first_row(table: tuple[Any, int, int, Any]) -> int:
    """Sort key of a waiting table: the position of its first row."""
    return table[1]
