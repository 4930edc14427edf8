"""Decoder scopes: the open constructs on the decoder's stack (object, list, table, keyed object, done root)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .headers import Header
from .tokens import TokenError, cell_values, find_unquoted, padded, parse_key, split_cells

if TYPE_CHECKING:
    from .decoder import Decoder

NEVER = -2
"""`opened_at` of a scope that no line opened as a block (the root, a list-item object)."""


class Scope:
    """An open construct: the depth of its content lines, the line that opened it, and the value it fills."""

    __slots__ = ("depth", "opened_at", "target", "header")

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
    """Fields of an object (§8); `target` is the dict."""

    __slots__ = ()

    def take(self, dec: Decoder, position: int) -> int:
        text = dec.contents[position]
        dec.field(self.target, text, 0, find_unquoted(text, ":"), self.depth, position)
        return position + 1


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

    __slots__ = ()

    def take(self, dec: Decoder, position: int) -> int:
        dec.item(self, dec.contents[position], position)
        return position + 1


class TableScope(CountedScope):
    """Tabular rows (§9.3); `target` is the list."""

    __slots__ = ()
    noun = "row"

    def take(self, dec: Decoder, position: int) -> int:
        """Read the run of rows that starts at `position` in one go (tables are where documents are long)."""
        header = self.header
        assert header is not None and header.fields is not None
        depths, contents, blanks, depth = dec.lines.depths, dec.contents, dec.lines.blanks, self.depth
        count, width, delimiter = len(contents), header.fields.width, header.delimiter
        rows: list[list[str]] = []
        spaced = False
        end = position
        try:
            while True:
                text = contents[end]
                pieces = split_cells(text, delimiter)
                if ":" in pieces[0] and find_unquoted(pieces[0], ":") >= 0:
                    self.extend(dec, position, rows, spaced)
                    dec.end_block(end)  # an unquoted colon before the first delimiter: a key-value line (§9.3)
                    return end + 1
                if len(pieces) != width:
                    raise self.width_error(len(pieces), 0)
                rows.append(pieces)
                spaced = spaced or " " in text
                end += 1
                if end == count or depths[end] != depth or end in blanks:
                    self.extend(dec, position, rows, spaced)
                    return end
        except TokenError as exc:
            raise dec.lines.error(end, exc.msg, exc.offset) from None

    def extend(self, dec: Decoder, first: int, rows: list[list[str]], spaced: bool) -> None:
        """Append the objects of `rows`, the cell tokens of the lines from position `first` on (`spaced`: some
        line holds a space)."""
        header = self.header
        assert header is not None and header.fields is not None
        if not rows:
            return
        self.check_fields(dec)
        if spaced and padded("\n".join(dec.contents[first : first + len(rows)]), header.delimiter):
            rows = [[piece.strip(" ") for piece in pieces] for pieces in rows]
        try:
            self.target.extend(header.fields.build_rows(rows, dec.parse))
        except TokenError:
            for position in range(first, first + len(rows)):  # again line by line, to locate the bad token
                text = dec.contents[position]
                try:
                    cell_values(split_cells(text, header.delimiter), text, header.delimiter, 0, dec.parse)
                except TokenError as exc:
                    raise dec.lines.error(position, exc.msg, exc.offset) from None
            raise


class KeyedScope(CountedScope):
    """Entry rows `key: cells` of a keyed tabular object (§9.5); `target` is the dict."""

    __slots__ = ()
    noun = "entry"

    def take(self, dec: Decoder, position: int) -> int:
        """Read the run of entry rows that starts at `position` in one go."""
        header = self.header
        assert header is not None and header.fields is not None
        depths, contents, blanks, depth = dec.lines.depths, dec.contents, dec.lines.blanks, self.depth
        count = len(contents)
        fields, delimiter, parse, target, strict = header.fields, header.delimiter, dec.parse, self.target, dec.strict
        self.check_fields(dec)
        end = position
        try:
            while True:
                text = contents[end]
                colon = find_unquoted(text, ":")
                if colon < 0:
                    raise TokenError('expected an entry row "key: values" (no unquoted colon found)', 0)
                key = parse_key(text, 0, colon)
                rest = text[colon + 1 :]
                pieces = split_cells(rest, delimiter) if rest.strip(" ") else []
                if len(pieces) != fields.width:
                    raise self.width_error(len(pieces), colon + 1)
                if strict and key in target:
                    raise TokenError(f'duplicate key "{key}"', 0)
                target[key] = fields.build(cell_values(pieces, rest, delimiter, colon + 1, parse))
                end += 1
                if end == count or depths[end] != depth or end in blanks:
                    return end
        except TokenError as exc:
            raise dec.lines.error(end, exc.msg, exc.offset) from None


def label(header: Header) -> str:
    """Name an array in messages."""
    return "the array" if header.key is None else f'"{header.key}"'


def plural(count: int, noun: str) -> str:
    """Return e.g. '1 row' or '3 rows'."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {'entries' if noun == 'entry' else noun + 's'}"
