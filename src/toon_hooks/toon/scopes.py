"""Decoder scopes: the open constructs on the decoder's stack (object, list, table, keyed object, done root)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .headers import Header
from .tables import Batches, split_rows
from .tokens import TokenError, cell_values, find_unquoted, parse_key, split_cells

if TYPE_CHECKING:
    from .decoder import Decoder

NEVER = -2
"""`opened_at` of a scope that no line opened as a block (the root, a list-item object)."""


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

    def take(self, dec: Decoder, position: int) -> int:
        """Consume the content line at `position`; return the position of the next line to read."""
        raise NotImplementedError

    def close(self, dec: Decoder) -> None:
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

    def take(self, dec: Decoder, position: int) -> int:
        text = dec.contents[position]
        return dec.field(self.target, text, 0, find_unquoted(text, ":"), self.depth, position)


class DoneScope(Scope):
    """Sits under a complete root value: any further line is trailing content (§5)."""

    __slots__ = ()

    def take(self, dec: Decoder, position: int) -> int:
        if dec.strict:
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

    def take(self, dec: Decoder, position: int) -> int:
        """Read the run of rows (or entries) that starts at `position` in one go (tables are where documents
        are long)."""
        header = self.header
        assert header is not None
        expected = header.length - len(self.target) if dec.strict else 0
        return self.read(dec, position, dec.lines.run_end(position, expected))

    def open(self, dec: Decoder, position: int) -> int:
        """Push this scope, of the rows or entries that the header line at `position` opens; return the position
        of the next line to read.

        A complete block (its lines, as many as declared in strict mode, end at a shallower line or at the end)
        is read right away and the scope closed again: tables in lists, say, are short and many.
        """
        header = self.header
        assert header is not None
        dec.stack.append(self)
        first, depth, depths = position + 1, self.depth, dec.lines.depths
        count = len(depths)
        if first == count or depths[first] != depth:
            return first
        end = first + header.length if dec.strict else dec.lines.run_end(first, 0)
        complete = end == count or (end < count and 0 <= depths[end] < depth)
        if complete and depths[first:end].count(depth) == end - first:
            after = self.read(dec, first, end, dec.batches)
            if dec.stack[-1] is self:  # (else a key-value line ended the rows, and closed this scope, early)
                dec.stack.pop()
            return after
        return first

    def read(self, dec: Decoder, first: int, end: int, batches: Batches | None = None) -> int:
        """Read the run of lines from position `first` to `end`; return the position of the next line to read.

        With `batches`, the run is a complete block whose scope closes right after: if short, its cells may
        wait in a batch (see `tables`).
        """
        raise NotImplementedError

    def close(self, dec: Decoder) -> None:
        header = self.header
        assert header is not None
        if dec.strict and len(self.target) != header.length:
            raise dec.lines.error(
                self.opened_at,
                f"expected {plural(header.length, self.noun)} for {label(header)}, found {len(self.target)}",
                self.length_at,
            )

    def check_fields(self, dec: Decoder) -> None:
        """Raise, once there are rows, if duplicate field names give every row duplicate keys (§9.3, §14.3)."""
        header = self.header
        assert header is not None and header.fields is not None
        if header.fields.duplicate is not None and dec.strict:
            raise dec.lines.error(
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
        super().__init__(depth, opened_at, target, header, length_at)
        self.item = ObjectScope(NEVER, NEVER, None)
        """The scope of the list-item object being read, reused from item to item (one allocation per list)."""

    def item_scope(self, obj: dict[str, Any], depth: int) -> ObjectScope:
        """Return the scope for the fields (at `depth`) of the list-item object `obj` (§10), to push on the stack."""
        item = self.item
        item.depth = depth  # (non-strict mode may have moved the list since)
        item.target = item.fields = obj
        return item

    def take(self, dec: Decoder, position: int) -> int:
        return dec.item(self, dec.contents[position], position)


class TableScope(CountedScope):
    """Tabular rows (§9.3); `target` is the list."""

    __slots__ = ()
    noun = "row"

    def read(self, dec: Decoder, first: int, end: int, batches: Batches | None = None) -> int:
        header = self.header
        assert header is not None
        rows = dec.contents[first:end]
        text = (header.delimiter + "\n").join(rows)
        stop = _key_value_row(rows, header.delimiter) if ":" in text else None
        if stop is None:
            self.extend(dec, first, rows, text, batches)
            return end
        rows = rows[:stop]
        self.extend(dec, first, rows, (header.delimiter + "\n").join(rows))
        try:
            return dec.end_block(first + stop)  # an unquoted colon before the first delimiter: a key-value line (§9.3)
        except TokenError as exc:
            raise dec.lines.error(first + stop, exc.msg, exc.offset) from None

    def extend(self, dec: Decoder, first: int, rows: list[str], text: str, batches: Batches | None = None) -> None:
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
                    raise dec.lines.error(position, self.width_error(found, 0).msg)
        assert cells is not None
        if fields.duplicate is not None:
            self.check_fields(dec)
        if " " in text and (text[-1] == " " or delimiter + " " in text or " " + delimiter in text):
            cells = [cell.strip(" ") for cell in cells]  # padded cells (§12); each newline follows a delimiter
        if batches is not None and batches.wants(fields, len(rows)):
            batches.add(self, first, first + len(rows), cells, None)
            return
        try:
            self.target.extend(fields.build_rows(cells, dec.parse))
        except TokenError:
            for position, row in enumerate(rows, first):  # again row by row, to locate the bad token
                try:
                    cell_values(split_cells(row, delimiter), row, delimiter, 0, dec.parse)
                except TokenError as exc:
                    raise dec.lines.error(position, exc.msg, exc.offset) from None
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

    def read(self, dec: Decoder, first: int, end: int, batches: Batches | None = None) -> int:
        header = self.header
        assert header is not None and header.fields is not None
        fields, delimiter, parse, target, strict = header.fields, header.delimiter, dec.parse, self.target, dec.strict
        if fields.duplicate is not None:
            self.check_fields(dec)
        wait = batches is not None and batches.wants(fields, end - first)
        keys: list[str] = []
        waiting: list[str] = []
        for position, text in enumerate(dec.contents[first:end], first):
            try:
                key, colon, rest = text.partition(":")
                if '"' in key or not colon:
                    key, rest = _entry_key(text)
                else:
                    key = key.rstrip(" ")
                cells = rest.strip(" ")
                pieces = split_cells(cells, delimiter) if cells else []
                if len(pieces) != fields.width:
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
                    self.read(dec, first, end)
                raise dec.lines.error(position, exc.msg, exc.offset) from None
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
