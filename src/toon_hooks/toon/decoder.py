"""TOON 4.0 decoder: an explicit stack of open scopes turns scanned lines into JSON-model values.

Nesting never uses the Python stack, so depth is bounded by memory only. Strict mode (the default) raises
every §14 error; non-strict mode applies the documented leniencies (see `decode`).
"""
from __future__ import annotations

from typing import Any

from ..errors import ToonDecodeError
from .headers import Header, HeaderError, header_start, parse_header
from .lines import Lines, scan, to_text
from .scopes import NEVER, DoneScope, KeyedScope, ListScope, ObjectScope, Scope, TableScope, label, plural
from .tokens import SPECIAL_START, TokenError, ValueMemo, cell_values, find_unquoted, parse_key, split_cells

_NOT_PLAIN = ("", " ", "[")
"""How the text after `- ` starts when a list item is no plain `key: value` (empty key, extra space, header)."""


def decode(text: str | bytes, *, strict: bool = True, indent_size: int = 2) -> Any:
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
    return Decoder(scan(to_text(text, strict), indent_size, strict), strict).run()


class Decoder:
    """The scope machine for one document."""

    def __init__(self, lines: Lines, strict: bool) -> None:
        self.lines = lines
        self.contents = lines.contents
        self.strict = strict
        self.stack: list[Scope] = []
        self.values = ValueMemo()
        self.parse = self.values.__getitem__

    def run(self) -> Any:
        """Decode the whole document."""
        lines = self.lines
        if not lines.numbers:
            return {}
        depths, contents, blanks, stack, strict = lines.depths, lines.contents, lines.blanks, self.stack, self.strict
        values, count = self.values, len(depths)
        position = 0
        try:
            result, position = self.root()
            top = stack[-1]
            fields = top.target if type(top) is ObjectScope else None
            while position < count:
                if depths[position] != top.depth or position in blanks:
                    if fields is not None and len(stack) > 1 and stack[-2].depth == depths[position] and (
                        position not in blanks
                    ):
                        stack.pop()  # the usual dedent: an object ends (objects need no closing checks)
                        skip = False
                    else:
                        skip = self.settle(position) is None
                    top = stack[-1]
                    fields = top.target if type(top) is ObjectScope else None
                    if skip:
                        position += 1
                        continue
                # The two most common lines are read right here: a plain `key: value` (no quote or bracket
                # before the colon) in an object, and `- key: value` opening a list-item object (§10).
                # `take` reads them the same way, only slower.
                text = contents[position]
                start = 0
                if fields is None and type(top) is ListScope:
                    head, colon, rest = text.partition(":")
                    if colon and head[:2] == "- " and head[2:3] not in _NOT_PLAIN and '"' not in head:
                        fields = {}  # `- key: …` opens a list-item object; its first field is read below
                        top.target.append(fields)
                        top = ObjectScope(top.depth + 1, NEVER, fields)
                        stack.append(top)
                        start = 2
                elif fields is not None:
                    head, colon, rest = text.partition(":")
                if fields is not None and colon and '"' not in head:  # this colon is the first unquoted one
                    if "[" not in head:
                        key = head[start:].rstrip(" ") if start else head.rstrip(" ")
                        if strict and key in fields:
                            raise TokenError(f'duplicate key "{key}"', start)
                        token = rest.strip(" ")
                        if not token:
                            child: dict[str, Any] = {}
                            fields[key] = child
                            fields = child
                            top = ObjectScope(top.depth + 1, position, child)
                            stack.append(top)
                        elif token == "[]":
                            fields[key] = []
                        elif token[0] not in SPECIAL_START:
                            fields[key] = token  # a plain string: nothing to parse, nothing to memoize
                        else:
                            try:
                                fields[key] = values[token]
                            except TokenError as exc:
                                raise _shifted(exc, text.index(token, len(head) + 1)) from None
                        position += 1
                        continue
                    self.field(fields, text, start, len(head), top.depth, position)  # a header, perhaps
                    position += 1
                else:
                    position = top.take(self, position)
                if stack[-1] is not top:
                    top = stack[-1]
                    fields = top.target if type(top) is ObjectScope else None
            while stack:
                stack.pop().close(self)
        except TokenError as exc:
            raise lines.error(position, exc.msg, exc.offset) from None
        return result

    def root(self) -> tuple[Any, int]:
        """Discover the root form (§5); return the root value and the position to continue from."""
        if self.lines.depths[0]:
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
                return self.open_header(header, text, 0, 1, 0), 1
        elif colon < 0 and len(self.contents) == 1:
            self.stack.append(DoneScope(0, NEVER, None))
            return self.values[text.rstrip(" ")], 1
        result: dict[str, Any] = {}
        self.stack.append(ObjectScope(0, NEVER, result))
        return result, 0

    def settle(self, position: int) -> Scope | None:
        """Close the scopes the line at `position` ends; return the scope owning it, or None to skip it."""
        stack = self.stack
        depth = self.lines.depths[position]
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
                    f"indentation jumps more than one level: expected depth {top.depth}, found {depth}", 0
                )
            top.depth = depth
            return top
        if self.strict:
            raise TokenError(
                f"unexpected indentation: the previous line opens no block (expected depth {top.depth} "
                f"or less, found {depth})",
                0,
            )
        return None

    def end_block(self, position: int) -> None:
        """Close the top scope early and route the line at `position` again (§9.3: rows end)."""
        self.stack.pop().close(self)
        top = self.settle(position)
        if top is not None:
            top.take(self, position)

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

    def header(self, text: str, start: int, colon: int) -> Header | str | None:
        """Return the header at `text[start:]`, or None if the line is no header.

        A malformed header is an error in strict mode; non-strict mode returns its literal key instead, for
        the line to be read as `key: value` (§6).
        """
        try:
            return parse_header(text, start, colon)
        except HeaderError:
            if self.strict:
                raise
            return text[start:colon].strip(" ")

    def field(self, obj: dict[str, Any], text: str, start: int, colon: int, depth: int, position: int) -> None:
        """Read the field at `text[start:]` (its line at `depth`, first unquoted colon at `colon` or -1) into
        `obj`, opening its block if any."""
        if colon < 0:
            raise TokenError(_missing_colon(text, start), start)
        found = self.header(text, start, colon) if text.find("[", start, colon) >= 0 else None
        if isinstance(found, Header) and found.key is not None:
            key, value = found.key, self.open_header(found, text, start, depth + 1, position)
        else:
            if isinstance(found, Header):
                if self.strict:
                    raise TokenError("a header without a key is only valid at the root or as a list item", start)
                found = text[start:colon].strip(" ")
            key = parse_key(text, start, colon) if found is None else found
            value = self.value(text, colon, depth, position)
        if self.strict and key in obj:
            raise TokenError(f'duplicate key "{key}"', start)
        obj[key] = value  # non-strict: the last duplicate wins (§14.3)

    def value(self, text: str, colon: int, depth: int, position: int) -> Any:
        """Return the value after a key's colon: a primitive, `[]`, or a new object whose block opens."""
        token = text[colon + 1 :].strip(" ")
        if not token:
            obj: dict[str, Any] = {}
            self.stack.append(ObjectScope(depth + 1, position, obj))
            return obj
        if token == "[]":
            return []
        try:
            return self.values[token]
        except TokenError as exc:
            raise _shifted(exc, text.index(token, colon)) from None

    def item(self, scope: ListScope, text: str, position: int) -> None:
        """Read the list item `- …` at `position` (§9.4, §10)."""
        if text[0] != "-" or text[1:2] not in ("", " "):
            raise TokenError('expected a list item "- …"', 0)
        start = len(text) - len(text[1:].lstrip(" "))
        items = scope.target
        if start == len(text):
            items.append({})
            return
        colon = find_unquoted(text, ":", start)
        if colon < 0:
            token = text[start:].rstrip(" ")
            try:
                items.append([] if token == "[]" else self.values[token])
            except TokenError as exc:
                raise _shifted(exc, start) from None
            return
        if text[start] == "[":
            header = self.header(text, start, colon)
            if isinstance(header, Header):
                if header.fields is None:
                    items.append(self.open_header(header, text, start, scope.depth + 1, position))
                    return
                if self.strict:
                    raise TokenError("a header with a field list cannot be a list item; give it a key", start)
        obj: dict[str, Any] = {}
        items.append(obj)
        self.stack.append(ObjectScope(scope.depth + 1, NEVER, obj))
        self.field(obj, text, start, colon, scope.depth + 1, position)

    def open_header(self, header: Header, text: str, start: int, depth: int, position: int) -> Any:
        """Return the value of the header at `text[start:]`: its inline values, or a container whose block
        (content at `depth`) opens."""
        _, length, keyed, delimiter, fields, length_at, end = header
        length_at += start
        if keyed:
            obj: dict[str, Any] = {}
            self.stack.append(KeyedScope(depth, position, obj, header, length_at))
            return obj
        items: list[Any] = []
        if fields is not None:
            self.stack.append(TableScope(depth, position, items, header, length_at))
            return items
        rest = text[start + end :]
        inline = rest.strip(" ")
        if not inline:
            self.stack.append(ListScope(depth, position, items, header, length_at))
            return items
        pieces = split_cells(inline, delimiter)
        if self.strict and len(pieces) != length:
            raise TokenError(f"expected {plural(length, 'value')} for {label(header)}, found {len(pieces)}", length_at)
        return cell_values(pieces, inline, delimiter, len(text) - len(rest.lstrip(" ")), self.parse)


def _shifted(exc: TokenError, offset: int) -> TokenError:
    """Return `exc` moved by `offset`: from a token's own coordinates to the line's."""
    return TokenError(exc.msg, offset + exc.offset)


def _missing_colon(text: str, start: int) -> str:
    """Describe a line that has no unquoted colon where a field was expected."""
    if header_start(text, start, len(text)) is not None:
        return "expected ':' after the array header"
    return 'expected "key: value" (no unquoted colon found); a bare value is only valid as a whole document'
