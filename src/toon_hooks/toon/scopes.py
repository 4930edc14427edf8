"""Decoder scopes: the open constructs on the decoder's stack (object, list, table, keyed object, done root),
and the decode state they share (`DecodeState`): they never see the decoder itself, only the two readers of
field and list-item lines that it hands them."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ToonDecodeError
from .headers import Header
from .lines import Lines
from .tables import Batches, split_rows
from .tokens import Parser, TokenError, cell_values, find_unquoted, parse_key, split_cells

NEVER = -2
"""`opened_at` of a scope that no line opened as a block (the root, a list-item object)."""

FieldReader = Callable[[dict[str, Any], str, int, int, int, int], int]
"""Reads a field line into an object: (object, line, start, colon, depth, position) -> next position."""
ItemReader = Callable[["ListScope", str, int], int]
"""Reads a list-item line into a list scope: (scope, line, position) -> next position."""
Waiting = Batches["CountedScope"]
"""The waiting short tables of a document (see `tables`)."""


class DecodeState:
    """What the scopes of one document share: its lines, the mode, the stack of open scopes, the token parser,
    the waiting tables, and the decoder's readers of field and list-item lines (which scopes hand lines to)."""

    __slots__ = ("lines", "contents", "strict", "step", "stack", "parse", "batches", "read_field", "read_item")

    def __init__(
        self, lines: Lines, strict: bool, step: int, parse: Parser, read_field: FieldReader, read_item: ItemReader
    ) -> None:
        self.lines = lines
        self.contents = lines.contents
        self.strict = strict
        self.step = step
        """How much deeper (in spaces, like all depths) a block's lines are than the line that opens it."""
        self.stack: list[Scope] = []
        self.parse = parse
        self.batches: Waiting = Batches()
        """The short tables whose cells wait to be converted together (see `tables`)."""
        self.read_field = read_field
        self.read_item = read_item

    def settle(self, position: int) -> Scope | None:
        """Close the scopes the line at `position` ends; return the scope owning it, or None to skip it."""
        stack = self.stack
        depth = self.lines.depth(position)
        top = stack[-1]
        while depth < top.depth:
            stack.pop().close(self)
            top = stack[-1]
        if position in self.lines.blanks and self.strict:
            self.check_blank(position)
        if depth == top.depth:
            return top
        if top.opened_at == position - 1:
            if self.strict:
                raise TokenError(
                    f"indentation jumps more than one level: expected depth {top.depth // self.step}, "
                    f"found {depth // self.step}",
                    0,
                )
            top.depth = depth
            return top
        if self.strict:
            raise TokenError(
                f"unexpected indentation: the previous line opens no block (expected depth {top.depth // self.step} "
                f"or less, found {depth // self.step})",
                0,
            )
        return None

    def route(self, position: int) -> int:
        """Read the line at `position` the general way (`settle`, then its scope's `take`); return the position
        of the next line to read."""
        top = self.settle(position)
        return position + 1 if top is None else top.take(self, position)

    def end_block(self, position: int) -> int:
        """Close the top scope early and route the line at `position` again (§9.3: rows end); return the
        position of the next line to read."""
        self.stack.pop().close(self)
        return self.route(position)

    def check_blank(self, position: int) -> None:
        """Raise if the blank line before `position` lies inside an array span (§12)."""
        if any(scope.spans() for scope in self.stack):
            number = self.lines.blanks[position]
            raise ToonDecodeError(
                "blank line inside an array: remove it (blank lines may only precede or follow an array)",
                number,
                1,
                self.lines.raw[number - 1],
            )

    def finish(self) -> None:
        """Close every open scope and convert the waiting tables."""
        while self.stack:
            self.stack.pop().close(self)
        try:
            self.batches.flush(self.parse)
        except TokenError:
            self.locate()
            raise

    def locate(self) -> None:
        """Read the waiting tables again, in document order and at once: raise the first bad cell's error."""
        for scope, first, end in self.batches.waiting():
            scope.target.clear()  # (keyed rows hold placeholders)
            scope.read(self, first, end)


class Scope:
    """An open construct: the depth of its content lines, the line that opened it, and the value it fills."""

    __slots__ = ("depth", "opened_at", "target", "header")
    fields: dict[str, Any] | None = None
    """The dict being filled when this is an object's scope, else None (what the decoder's loop asks)."""

    def __init__(self, depth: int, opened_at: int, target: Any, header: Header | None = None) -> None:
        self.depth = depth
        self.opened_at = opened_at
        self.target = target
        self.header = header

    def take(self, state: DecodeState, position: int) -> int:
        """Consume the content line at `position`; return the position of the next line to read."""
        raise NotImplementedError

    def close(self, state: DecodeState) -> None:
        """Check the construct once no more lines belong to it."""

    def spans(self) -> bool:
        """Return True while a blank line would fall inside this scope's array span (§12)."""
        return False


class ObjectScope(Scope):
    """Fields of an object (§8); `target` is the dict, also `fields`."""

    __slots__ = ("fields",)

    def __init__(self, depth: int, opened_at: int, target: dict[str, Any] | None) -> None:
        self.depth = depth
        self.opened_at = opened_at
        self.target = self.fields = target
        self.header = None

    def take(self, state: DecodeState, position: int) -> int:
        text = state.contents[position]
        return state.read_field(self.target, text, 0, find_unquoted(text, ":"), self.depth, position)


class DoneScope(Scope):
    """Sits under a complete root value: any further line is trailing content (§5)."""

    __slots__ = ()

    def take(self, state: DecodeState, position: int) -> int:
        if state.strict:
            raise TokenError("unexpected content after the complete root value", 0)
        return position + 1


class CountedScope(Scope):
    """A header's block (list items, tabular rows or keyed entries), checked against the declared N."""

    __slots__ = ("length_at",)
    noun = "item"

    def __init__(self, depth: int, opened_at: int, target: Any, header: Header, length_at: int) -> None:
        # Assigned here rather than through super(): one scope opens per header line, a hot path.
        self.depth = depth
        self.opened_at = opened_at
        self.target = target
        self.header = header
        self.length_at = length_at
        """Offset of the declared length in the header line, where count errors point."""

    def spans(self) -> bool:
        return len(self.target) > 0

    def take(self, state: DecodeState, position: int) -> int:
        """Read the run of rows (or entries) that starts at `position` in one go (tables are where documents
        are long)."""
        header = self.header
        assert header is not None
        expected = header.length - len(self.target) if state.strict else 0
        return self.read(state, position, state.lines.run_end(position, expected))

    def open(self, state: DecodeState, position: int) -> int:
        """Push this scope, of the rows or entries that the header line at `position` opens; return the position
        of the next line to read.

        A complete block (its lines, as many as declared in strict mode, end at a shallower line or at the end)
        is read right away and the scope closed again: tables in lists, say, are short and many.
        """
        header = self.header
        assert header is not None
        state.stack.append(self)
        first, depth, depths = position + 1, self.depth, state.lines.depths
        count = len(depths)
        if first == count or depths[first] != depth:
            return first
        end = first + header.length if state.strict else state.lines.run_end(first, 0)
        complete = end == count or (end < count and 0 <= depths[end] < depth)
        if complete and depths[first:end].count(depth) == end - first:
            after = self.read(state, first, end, state.batches)
            if state.stack[-1] is self:  # (else a key-value line ended the rows, and closed this scope, early)
                state.stack.pop()
            return after
        return first

    def read(self, state: DecodeState, first: int, end: int, batches: Waiting | None = None) -> int:
        """Read the run of lines from position `first` to `end`; return the position of the next line to read.

        With `batches`, the run is a complete block whose scope closes right after: if short, its cells may
        wait in a batch (see `tables`).
        """
        raise NotImplementedError

    def close(self, state: DecodeState) -> None:
        header = self.header
        assert header is not None
        if state.strict and len(self.target) != header.length:
            raise state.lines.error(
                self.opened_at,
                f"expected {plural(header.length, self.noun)} for {label(header)}, found {len(self.target)}",
                self.length_at,
            )

    def check_fields(self, state: DecodeState) -> None:
        """Raise, once there are rows, if duplicate field names give every row duplicate keys (§9.3, §14.3)."""
        header = self.header
        assert header is not None and header.fields is not None
        if header.fields.duplicate is not None and state.strict:
            raise state.lines.error(
                self.opened_at, f'duplicate field "{header.fields.duplicate}" in one field group', self.length_at
            )

    def width_error(self, found: int, offset: int) -> TokenError:
        """Return the error for a row of `found` cells where the header declares another leaf count (§14.1)."""
        header = self.header
        assert header is not None and header.fields is not None
        expected = plural(header.fields.width, "value")
        return TokenError(f"expected {expected} (one per field of {label(header)}), found {found}", offset)


class ListScope(CountedScope):
    """Expanded list items `- …` (§9.2, §9.4, §10); `target` is the list."""

    __slots__ = ("item",)

    def __init__(self, depth: int, opened_at: int, target: Any, header: Header, length_at: int) -> None:
        self.depth = depth  # (not through super(): lists of small lists open one scope per item)
        self.opened_at = opened_at
        self.target = target
        self.header = header
        self.length_at = length_at
        self.item = ObjectScope(NEVER, NEVER, None)
        """The scope of the list-item object being read, reused from item to item (one allocation per list)."""

    def item_scope(self, obj: dict[str, Any], depth: int) -> ObjectScope:
        """Return the scope for the fields (at `depth`) of the list-item object `obj` (§10), to push on the stack."""
        item = self.item
        item.depth = depth  # (non-strict mode may have moved the list since)
        item.target = item.fields = obj
        return item

    def take(self, state: DecodeState, position: int) -> int:
        return state.read_item(self, state.contents[position], position)


class TableScope(CountedScope):
    """Tabular rows (§9.3); `target` is the list."""

    __slots__ = ()
    noun = "row"

    def read(self, state: DecodeState, first: int, end: int, batches: Waiting | None = None) -> int:
        header = self.header
        assert header is not None
        rows = state.contents[first:end]
        text = (header.delimiter + "\n").join(rows)
        stop = _key_value_row(rows, header.delimiter) if ":" in text else None
        if stop is None:
            self.extend(state, first, rows, text, batches)
            return end
        rows = rows[:stop]
        self.extend(state, first, rows, (header.delimiter + "\n").join(rows))
        try:  # an unquoted colon before the first delimiter: a key-value line (§9.3)
            return state.end_block(first + stop)
        except TokenError as exc:
            raise state.lines.error(first + stop, exc.msg, exc.offset) from None

    def extend(
        self, state: DecodeState, first: int, rows: list[str], text: str, batches: Waiting | None = None
    ) -> None:
        """Append the objects of `rows`, the lines from position `first` on, joined in `text` by the delimiter
        and a newline; the cells are split and converted in bulk (or wait in `batches`, see `read`)."""
        header = self.header
        assert header is not None and header.fields is not None
        if not rows:
            return
        fields, delimiter = header.fields, header.delimiter
        cells = split_rows(rows, text, fields.width, delimiter)
        if cells is None:
            for position, row in enumerate(rows, first):  # again row by row, to locate the first bad width
                found = len(split_cells(row, delimiter))
                if found != fields.width:
                    raise state.lines.error(position, self.width_error(found, 0).msg)
        assert cells is not None
        if fields.duplicate is not None:
            self.check_fields(state)
        if " " in text and (text[-1] == " " or delimiter + " " in text or " " + delimiter in text):
            cells = [cell.strip(" ") for cell in cells]  # padded cells (§12); each newline follows a delimiter
        if batches is not None and batches.wants(fields, len(rows)):
            batches.add(self, first, first + len(rows), cells, None)
            return
        try:
            self.target.extend(fields.build_rows(cells, state.parse))
        except TokenError:
            for position, row in enumerate(rows, first):  # again row by row, to locate the bad token
                try:
                    cell_values(split_cells(row, delimiter), row, delimiter, 0, state.parse)
                except TokenError as exc:
                    raise state.lines.error(position, exc.msg, exc.offset) from None
            raise


def _key_value_row(rows: list[str], delimiter: str) -> int | None:
    """Return the index of the first row that is a key-value line, i.e. has an unquoted colon before its first
    unquoted delimiter (§9.3), or None."""
    for index, row in enumerate(rows):
        if ":" in row:
            cell = split_cells(row, delimiter)[0]
            if ":" in cell and find_unquoted(cell, ":") >= 0:
                return index
    return None


class KeyedScope(CountedScope):
    """Entry rows `key: cells` of a keyed tabular object (§9.5); `target` is the dict."""

    __slots__ = ()
    noun = "entry"

    def read(self, state: DecodeState, first: int, end: int, batches: Waiting | None = None) -> int:
        header = self.header
        assert header is not None and header.fields is not None
        fields, delimiter, parse, target = header.fields, header.delimiter, state.parse, self.target
        strict, width = state.strict, header.fields.width
        if fields.duplicate is not None:
            self.check_fields(state)
        wait = batches is not None and batches.wants(fields, end - first)
        keys: list[str] = []
        waiting: list[str] = []
        for position, text in enumerate(state.contents[first:end], first):
            try:
                key, colon, rest = text.partition(":")
                if '"' in key or not colon:
                    key, rest = _entry_key(text)
                else:
                    key = key.rstrip(" ")
                cells = rest.strip(" ")
                if '"' in cells:
                    pieces = split_cells(cells, delimiter)
                else:
                    pieces = cells.split(delimiter) if cells else []  # (no quote: the plain split is exact)
                if len(pieces) != width:
                    raise self.width_error(len(pieces), len(text) - len(rest))
                if strict and key in target:
                    raise TokenError(f'duplicate key "{key}"', 0)
                if wait:
                    target[key] = None  # its place (and a duplicate's in strict mode); the object comes later
                    keys.append(key)
                    waiting += pieces if " " not in cells else [piece.strip(" ") for piece in pieces]
                    continue
                values = cell_values(pieces, cells, delimiter, len(text) - len(rest.lstrip(" ")), parse)
                target[key] = fields.build(values)
            except TokenError as exc:
                if wait:  # the cells of the rows before may hold an earlier error: read again, at once
                    for waiting_key in keys:
                        target.pop(waiting_key, None)
                    self.read(state, first, end)
                raise state.lines.error(position, exc.msg, exc.offset) from None
        if wait:
            batches.add(self, first, end, waiting, keys)  # type: ignore[union-attr]
        return end


def _entry_key(text: str) -> tuple[str, str]:
    """Return the key of an entry row that has a quote before its first colon, or none, and the text after
    the key's colon (§9.5)."""
    colon = find_unquoted(text, ":")
    if colon < 0:
        raise TokenError('expected an entry row "key: values" (no unquoted colon found)', 0)
    return parse_key(text, 0, colon), text[colon + 1 :]


def label(header: Header) -> str:
    """Name an array in messages."""
    return "the array" if header.key is None else f'"{header.key}"'


def plural(count: int, noun: str) -> str:
    """Return e.g. '1 row' or '3 rows'."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {'entries' if noun == 'entry' else noun + 's'}"
