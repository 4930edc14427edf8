"""TOON 4.0 decoder: an explicit stack of open scopes turns scanned lines into JSON-model values.

Nesting never uses the Python stack, so depth is bounded by memory only. Strict mode (the default) raises
every §14 error; non-strict mode applies the documented leniencies (see `decode`).
"""
from __future__ import annotations

from typing import Any

from ..errors import ToonDecodeError
from .headers import Header, HeaderError, HeaderMemo, header_start
from .lines import Document, Lines, scan, to_text
from .scopes import NEVER, DecodeState, DoneScope, KeyedScope, ListScope, ObjectScope, TableScope, label, plural
from .tokens import (
    NUMBER_START,
    SPECIAL_START,
    TokenError,
    ValueMemo,
    cell_values,
    find_unquoted,
    parse_key,
    parse_number,
    parse_numbers,
    quoted_cells,
    split_cells,
)

_ODD_ITEM = ("", " ")
"""How the text after `- ` starts when a list item needs `item`'s general reading (empty, extra spaces)."""
_PARSED_START = SPECIAL_START | {"["}
"""First characters of the values that `read_lines` does not store as they are: parsed tokens and `[]`."""
_MEMO_NUMBER = 4
"""Longest number token that `read_lines` memoizes."""
_MEMO_ARRAY = 64
"""Longest line `- [N]: values` whose values `read_lines` memoizes (as a tuple: each item gets a new list)."""
_BATCH_NUMBERS = 32
"""Inline arrays of at least this many values are tried as numbers only, parsed in one go: shorter ones repeat
their values more often than not (rows of a matrix, say), which the token memo then parses once."""


def decode(text: Document, *, strict: bool = True, indent_size: int = 2) -> Any:
    """Return the JSON-model value of a TOON document; raise ToonDecodeError with its location if invalid.

    Integers decode to exact `int` (up to CPython's integer-string digit limit), other numbers to `float`;
    a number beyond float range is an error. Non-strict mode: ill-formed UTF-8 becomes U+FFFD, a tab in
    indentation counts as `indent_size` spaces and depth is floored, declared counts are advisory, blank
    lines in arrays are ignored, duplicate keys resolve last-write-wins, a block that starts too deep takes
    that depth, over-indented lines and content after a complete root array are skipped, and malformed
    headers are read as `key: value` lines with a literal key.
    """
    if isinstance(indent_size, bool) or not isinstance(indent_size, int):
        raise TypeError(f"indent_size must be an int, not {type(indent_size).__name__}")
    if indent_size < 1:
        raise ValueError(f"indent_size must be at least 1, got {indent_size}")
    return Decoder(scan(to_text(text, strict), indent_size, strict), strict, indent_size).run()


class Decoder:
    """The scope machine for one document: reads the root, the lines that scopes hand back (fields, list items)
    and, in `read_lines`, the most common lines itself."""

    def __init__(self, lines: Lines, strict: bool, indent_size: int, fast: bool = True) -> None:
        self.lines = lines
        self.step = indent_size
        """How much deeper (in spaces, like all depths) a block's lines are than the line that opens it."""
        self.contents = lines.contents
        self.strict = strict
        self.fast = fast
        """False: no line is read by `read_lines`, every one goes the general way (`DecodeState.route`). The
        results and errors must be the same: tests/test_decoder_paths.py checks that they are."""
        self.values = ValueMemo()
        self.headers = HeaderMemo()
        self.parse = self.values.__getitem__
        self.state = DecodeState(lines, strict, indent_size, self.parse, self.field, self.item)
        self.stack = self.state.stack

    def run(self) -> Any:
        """Decode the whole document."""
        if not self.lines.numbers:
            return {}
        try:
            try:
                result, position = self.root()
            except TokenError as exc:
                raise self.lines.error(0, exc.msg, exc.offset) from None
            if self.fast:
                self.read_lines(position)
            else:
                self.route_lines(position)
            self.state.finish()
        except ToonDecodeError as error:
            raise self.first_error(error) from None
        return result

    def route_lines(self, position: int) -> None:
        """Read the lines from `position` on, each the general way."""
        route, count = self.state.route, len(self.contents)
        try:
            while position < count:
                position = route(position)
        except TokenError as exc:
            raise self.lines.error(position, exc.msg, exc.offset) from None

    def read_lines(self, position: int) -> None:
        """Read the lines from `position` on, the most common ones right here.

        The loop reads a plain `key: value` (no quote or bracket before the colon) in an object; in a list the
        items `- value`, `- key: value` (opening a list-item object, §10) and `- [N]: …` of a header seen before
        (a list item costs about as much as a field now, no longer up to three times as much: mixed decode -25 %
        instructions); and (through `bracket_field`) the field headers seen before. It closes the scopes of a
        dedent itself. Every other line goes to `item` (in a list) or its scope's `take`, which read those the
        same way, only slower. Values are memoized for the document (flags, enum-like strings, small numbers
        repeat), long numbers not; so are short inline arrays that are list items (rows of a matrix, pairs): on
        the benchmark's mixed list 5 % fewer instructions, on a list of unique ones 6 % more.
        """
        lines, state = self.lines, self.state
        depths, contents, stack, strict = lines.depths, lines.contents, self.stack, self.strict
        values, step, count = self.values, self.step, len(depths)
        parse, headers = self.parse, self.headers
        arrays: dict[str, tuple[Any, ...]] = {}
        spare: list[ObjectScope] = []  # scopes of ended `key:` blocks, recycled (configs open objects often)
        try:
            top = stack[-1]
            depth, fields = top.depth, top.fields
            while position < count:
                text = contents[position]
                level = depths[position]
                if level != depth:  # (or blank lines come first: see Lines.depths)
                    if 0 <= level < depth:
                        while stack[-1].depth > level:  # the usual dedent: the blocks deeper than the line end
                            closed = stack.pop()
                            if type(closed) is not ObjectScope:
                                closed.close(state)  # (objects need no closing checks)
                            elif closed.opened_at >= 0:
                                spare.append(closed)  # the scope of a `key:` block: the next one reuses it
                    top = stack[-1]
                    if top.depth != level:  # a blank line before, a jump, or a line that non-strict mode moves
                        skip = state.settle(position) is None
                        top = stack[-1]
                        if skip:
                            depth, fields = top.depth, top.fields
                            position += 1  # a line that non-strict mode skips
                            continue
                    depth, fields = top.depth, top.fields
                head, colon, rest = text.partition(":")
                if fields is not None and colon and '"' not in head:  # the colon is the first unquoted one
                    key, start = head, 0
                elif (
                    fields is None and type(top) is ListScope and head[:2] == "- " and head[2:3] not in _ODD_ITEM
                    and (not colon or '"' not in head)
                ):
                    if not colon:  # `- value`: a primitive item
                        token = head[2:].rstrip(" ")
                        if token[0] not in _PARSED_START:
                            top.target.append(token)  # a plain string: nothing to parse
                        else:
                            try:
                                top.target.append(parse(token) if token != "[]" else [])
                            except TokenError as exc:
                                raise _shifted(exc, 2) from None
                        position += 1
                        continue
                    if head[2] == "[":  # `- [N]: …`, an inline array or a list, if its header was seen before
                        header = headers.get(head[2:])
                        if header is None or header.fields is not None:
                            position = self.item(top, text, position)
                        else:
                            inline = rest.strip(" ")
                            if inline:
                                known = arrays.get(text)  # (the line decides its header, start and values)
                                if known is None:
                                    array = self.inline_values(header, inline, text, 2)
                                    if len(text) <= _MEMO_ARRAY:
                                        arrays[text] = tuple(array)
                                    top.target.append(array)
                                else:
                                    top.target.append(list(known))
                                position += 1
                                continue
                            value, position = self.open_header(header, text, 2, depth + step, position)
                            top.target.append(value)
                        top = stack[-1]
                        depth, fields = top.depth, top.fields
                        continue
                    key, start = head[2:], 2  # `- key: …` opens a list-item object, its first field read below
                    fields = {}
                    top.target.append(fields)
                    top = top.item  # (see ListScope.item_scope)
                    top.depth = depth = depth + step
                    top.target = top.fields = fields
                    stack.append(top)
                else:
                    position = self.item(top, text, position) if type(top) is ListScope else top.take(state, position)
                    top = stack[-1]
                    depth, fields = top.depth, top.fields
                    continue
                if "[" in head:  # a header, perhaps
                    header = headers.get(head)  # (seen before: see HeaderMemo)
                    inline = rest.strip(" ")
                    if header is not None and header.fields is None and header.key is not None and inline and not start:
                        value = self.inline_values(header, inline, text, 0)  # (errors before a duplicate key's)
                        if strict and header.key in fields:
                            raise TokenError(f'duplicate key "{header.key}"', 0)
                        fields[header.key] = value  # an inline array, the usual header field: read right here
                        position += 1
                        continue
                    position = self.bracket_field(fields, text, head, header, rest, start, depth, position)
                    if stack[-1] is not top:  # the header opened a block
                        top = stack[-1]
                        depth, fields = top.depth, top.fields
                    continue
                key = key.rstrip(" ")
                if strict and key in fields:
                    raise TokenError(f'duplicate key "{key}"', start)
                token = rest.strip(" ")
                if not token:
                    child: dict[str, Any] = {}
                    fields[key] = child
                    fields = child
                    depth += step
                    if spare:
                        top = spare.pop()
                        top.depth, top.opened_at, top.target, top.fields = depth, position, child, child
                    else:
                        top = ObjectScope(depth, position, child)
                    stack.append(top)
                elif token[0] not in _PARSED_START:
                    fields[key] = token  # a plain string: nothing to parse
                elif len(token) > _MEMO_NUMBER and token[0] in NUMBER_START:
                    try:  # not memoized: long numbers (ids, timestamps, measurements) seldom repeat
                        fields[key] = parse_number(token)
                    except TokenError as exc:
                        raise _shifted(exc, text.index(token, len(head) + 1)) from None
                elif token == "[]":
                    fields[key] = []
                else:
                    try:
                        fields[key] = values[token]  # (a miss parses the token: see ValueMemo)
                    except TokenError as exc:
                        raise _shifted(exc, text.index(token, len(head) + 1)) from None
                position += 1
        except TokenError as exc:
            raise lines.error(position, exc.msg, exc.offset) from None

    def first_error(self, error: ToonDecodeError) -> ToonDecodeError:
        """Return `error`, or the error of a bad cell in a waiting table (see `tables`), which comes before it."""
        try:
            self.state.locate()
        except ToonDecodeError as earlier:
            return earlier
        return error

    def bracket_field(
        self, obj: dict[str, Any], text: str, head: str, header: Header | None, rest: str, start: int, depth: int,
        position: int,
    ) -> int:
        """Read the field at `text[start:]` (its line at `depth`) whose key part, `head` up to the first colon
        with `rest` after it, holds a `[` but no quote; `header` is the memo's header for `head`, if any. Return
        the position of the next line to read.

        Mostly it is a header seen before in this document (see HeaderMemo) that opens a block (an inline array
        `read_lines` reads itself), read right here; else `field` reads it.
        """
        header = header or self.headers.get(text)
        if header is None or header.key is None or start:
            return self.field(obj, text, start, len(head), depth, position)
        key = header.key
        if header.fields is None:
            if rest.strip(" "):  # inline values (`rest` follows the header's colon)
                return self.field(obj, text, start, len(head), depth, position)
        elif not header.keyed and rest.strip(" \t"):  # values after a field list: let `field` report (or read) them
            return self.field(obj, text, start, len(head), depth, position)
        self.check_new(obj, key, 0)  # (before the rows of a block, which may be read right away)
        obj[key], position = self.open_header(header, text, 0, depth + self.step, position)
        return position

    def root(self) -> tuple[Any, int]:
        """Discover the root form (§5); return the root value and the position to continue from."""
        if self.lines.depth(0):
            raise TokenError("the first line of a document must not be indented", 0)
        text = self.contents[0]
        if text.rstrip(" ") == "[]":
            self.stack.append(DoneScope(0, NEVER, None))
            return [], 1
        colon = find_unquoted(text, ":")
        if colon >= 0 and text[0] == "[":
            header = self.header(text, 0, colon)
            if isinstance(header, Header):
                self.stack.append(DoneScope(0, NEVER, None))
                return self.open_header(header, text, 0, self.step, 0)
        elif colon < 0 and len(self.contents) == 1:
            self.stack.append(DoneScope(0, NEVER, None))
            return self.values[text.rstrip(" ")], 1
        result: dict[str, Any] = {}
        self.stack.append(ObjectScope(0, NEVER, result))
        return result, 0

    def header(self, text: str, start: int, colon: int) -> Header | str | None:
        """Return the header at `text[start:]`, or None if the line is no header.

        A malformed header is an error in strict mode; non-strict mode returns its literal key instead, for
        the line to be read as `key: value` (§6).
        """
        try:
            return self.headers.find(text, start, colon)
        except HeaderError:
            if self.strict:
                raise
            return text[start:colon].strip(" ")

    def field(self, obj: dict[str, Any], text: str, start: int, colon: int, depth: int, position: int) -> int:
        """Read the field at `text[start:]` (its line at `depth`, first unquoted colon at `colon` or -1) into
        `obj`, opening its block if any; return the position of the next line to read."""
        if colon < 0:
            raise TokenError(_missing_colon(text, start), start)
        found = self.header(text, start, colon) if text.find("[", start, colon) >= 0 else None
        if isinstance(found, Header) and found.key is not None:
            key = found.key
        else:
            if isinstance(found, Header):
                if self.strict:
                    raise TokenError("a header without a key is only valid at the root or as a list item", start)
                found = text[start:colon].strip(" ")
            key = parse_key(text, start, colon) if found is None else found
        if not isinstance(found, Header):
            value, position = self.value(text, colon, depth, position), position + 1
        elif found.fields is None:  # inline values (whose errors come first) or a list
            value, position = self.open_header(found, text, start, depth + self.step, position)
        else:  # rows, which may be read right away: the key is checked first
            self.check_new(obj, key, start)
            obj[key], position = self.open_header(found, text, start, depth + self.step, position)
            return position
        self.check_new(obj, key, start)
        obj[key] = value  # non-strict: the last duplicate wins (§14.3)
        return position

    def check_new(self, obj: dict[str, Any], key: str, offset: int) -> None:
        """Raise, in strict mode, if `obj` already has `key` (§14.3); `offset` locates the key in its line."""
        if self.strict and key in obj:
            raise TokenError(f'duplicate key "{key}"', offset)

    def value(self, text: str, colon: int, depth: int, position: int) -> Any:
        """Return the value after a key's colon: a primitive, `[]`, or a new object whose block opens."""
        token = text[colon + 1 :].strip(" ")
        if not token:
            obj: dict[str, Any] = {}
            self.stack.append(ObjectScope(depth + self.step, position, obj))
            return obj
        if token == "[]":
            return []
        try:
            return self.values[token]
        except TokenError as exc:
            raise _shifted(exc, text.index(token, colon)) from None

    def item(self, scope: ListScope, text: str, position: int) -> int:
        """Read the list item `- …` at `position` (§9.4, §10); return the position of the next line to read."""
        if text[0] != "-" or text[1:2] not in ("", " "):
            raise TokenError('expected a list item "- …"', 0)
        start = 2 if text[2:3] not in ("", " ") else len(text) - len(text[1:].lstrip(" "))  # (2: the usual)
        items = scope.target
        if start == len(text):
            items.append({})
            return position + 1
        colon = text.find(":", start)
        if colon >= 0 and text.find('"', start, colon) >= 0:
            colon = find_unquoted(text, ":", start)
        if colon < 0:
            token = text[start:].rstrip(" ")
            try:
                items.append([] if token == "[]" else self.values[token])
            except TokenError as exc:
                raise _shifted(exc, start) from None
            return position + 1
        if text[start] == "[":
            known = self.headers.get(text[start:colon])  # (a header seen before: see HeaderMemo)
            header = known if known is not None and known.fields is None else self.header(text, start, colon)
            if isinstance(header, Header):
                if header.fields is None:
                    value, position = self.open_header(header, text, start, scope.depth + self.step, position)
                    items.append(value)
                    return position
                if self.strict:
                    raise TokenError("a header with a field list cannot be a list item; give it a key", start)
        obj: dict[str, Any] = {}
        items.append(obj)
        self.stack.append(scope.item_scope(obj, scope.depth + self.step))
        return self.field(obj, text, start, colon, scope.depth + self.step, position)

    def open_header(self, header: Header, text: str, start: int, depth: int, position: int) -> tuple[Any, int]:
        """Return the value of the header at `text[start:]` (its inline values, or a container whose block of
        content at `depth` opens) and the position of the next line to read."""
        if header.fields is None:  # a primitive array inline, or a list
            inline = text[start + header.end :].strip(" ")
            if inline:
                return self.inline_values(header, inline, text, start), position + 1
            items: list[Any] = []
            after = position + 1
            if header.length or (after < len(self.contents) and self.lines.depth(after) >= depth):
                self.stack.append(ListScope(depth, position, items, header, start + header.length_at))
            # else an empty list (`[0]:`, as `- [0]:` items are written) that no line follows inside: its scope
            # would close at the next line, which it cannot own, with nothing to check: spared
            return items, after
        kind = KeyedScope if header.keyed else TableScope
        scope = kind(depth, position, {} if header.keyed else [], header, start + header.length_at)
        return scope.target, scope.open(self.state, position)

    def inline_values(self, header: Header, inline: str, text: str, start: int) -> list[Any]:
        """Return the values of a primitive array written inline (§9.1): `inline`, the text after the colon of
        the header at `text[start:]`, trimmed."""
        delimiter = header.delimiter
        if '"' in inline:
            quoted = quoted_cells(inline, delimiter)  # all cells quoted: read in one go
            pieces = quoted if quoted is not None else split_cells(inline, delimiter)
        else:
            quoted, pieces = None, inline.split(delimiter)
        if len(pieces) != header.length and self.strict:
            raise TokenError(
                f"expected {plural(header.length, 'value')} for {label(header)}, found {len(pieces)}",
                start + header.length_at,
            )
        if quoted is not None:
            return quoted
        if " " not in inline:
            if len(pieces) >= _BATCH_NUMBERS and pieces[0][:1] in NUMBER_START and pieces[-1][:1] in NUMBER_START:
                numbers = parse_numbers(pieces)  # numbers only, most likely: parsed in one go
                if numbers is not None:
                    return numbers
            try:
                return list(map(self.parse, pieces))  # the usual: no cell to trim, no bad token to locate
            except TokenError:
                pass
        return cell_values(pieces, inline, delimiter, text.find(inline, start + header.end), self.parse)

def _shifted(exc: TokenError, offset: int) -> TokenError:
    """Return `exc` moved by `offset`: from a token's own coordinates to the line's."""
    return TokenError(exc.msg, offset + exc.offset)


def _missing_colon(text: str, start: int) -> str:
    """Describe a line that has no unquoted colon where a field was expected."""
    if header_start(text, start, len(text)) is not None:
        return "expected ':' after the array header"
    return 'expected "key: value" (no unquoted colon found); a bare value is only valid as a whole document'
