"""Decoder headers (§6): key, bracket segment, nested field groups and colon; compiled field lists (§9.3)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import repeat, starmap
from typing import Any, NamedTuple, Union

from .tokens import Parser, TokenError, parse_column, quote_end, unescape

_UNQUOTED_KEY_PATTERN = r"[A-Za-z_][A-Za-z0-9_.]*"
_BRACKET_PATTERN = r"\[(?P<length>0|[1-9][0-9]*)(?P<keyed>:?)(?P<delimiter>[\t|]?)\]"
_UNQUOTED_KEY = re.compile(_UNQUOTED_KEY_PATTERN)
_BRACKET = re.compile(_BRACKET_PATTERN)
_PLAIN_HEADER = re.compile(f"(?P<key>{_UNQUOTED_KEY_PATTERN})?{_BRACKET_PATTERN}")
"""The usual header start in one match: an unquoted or no key, then a well-formed bracket segment."""
_FIELD_TEXT = re.compile(r'[^{}":,|\t]*')
_DELIMITERS = ",|\t"
_NOT_FLAT = {delimiter: frozenset('{":' + _DELIMITERS) - {delimiter} for delimiter in _DELIMITERS}
"""Per delimiter: what a fields segment of plain unquoted names (the usual case) cannot contain."""
_DELIMITER_NAMES = {",": "comma", "|": "pipe", "\t": "tab"}

_LEAF, _OPEN, _CLOSE = 0, 1, 2
_COLUMN_MIN = 8
"""Shorter columns are parsed token by token: whole-column checks would cost more than they save."""
FieldTree = list[tuple[str, Union["FieldTree", None]]]
"""A fields segment: (name, nested group or None) entries in header order."""


class HeaderError(TokenError):
    """A line that starts like a header but breaks the §6 grammar (strict error, non-strict fall-through)."""


class Fields(NamedTuple):
    """The compiled field list of a tabular or keyed header: how a row's cells become an object (§9.3)."""

    width: int
    """Number of leaf fields, i.e. cells per row."""
    names: tuple[str, ...] | None
    """The leaf names when no field carries a nested group (the fast path), else None."""
    ops: tuple[tuple[int, str], ...]
    """Pre-order build steps (leaf, open group, close group) for nested field groups."""
    duplicate: str | None
    """A name that occurs twice in one brace group: duplicate keys in every decoded row (§14.3)."""
    objects: ObjectMaker | None
    """Makes the row objects of a flat field list (`names` not None)."""

    def build_rows(self, cells: list[str], parse: Parser) -> list[dict[str, Any]]:
        """Return the objects of a table given as its trimmed cell tokens in row order; long tables are
        converted column by column (see `parse_column`), short ones token by token.

        A malformed token raises TokenError; the caller then reads the rows one by one to locate it. A long
        table's `cells` are emptied once its columns are made: the objects come next, and the first passes of the
        cyclic GC that their allocation sets off would otherwise walk that list too (of 2,000,000 tokens in a
        250,000-row table: its decode 1.10 -> 1.03 s).
        """
        width = self.width
        count = len(cells) // width
        if count < _COLUMN_MIN:
            rows = zip(*[iter(map(parse, cells))] * width)  # consecutive groups of `width` values
        else:
            rows = zip(*[parse_column(cells[index::width], parse) for index in range(width)])
            cells.clear()
        if self.objects is not None:
            return self.objects(rows, count)
        return [self.build(row) for row in rows]

    def build(self, cells: Sequence[Any]) -> dict[str, Any]:
        """Return the object for one row; a repeated name keeps its last value (LWW)."""
        if self.names is not None:
            return dict(zip(self.names, cells))
        root: dict[str, Any] = {}
        current = root
        parents: list[dict[str, Any]] = []
        cell = iter(cells)
        for op, name in self.ops:
            if op == _LEAF:
                current[name] = next(cell)
            elif op == _OPEN:
                child: dict[str, Any] = {}
                current[name] = child
                parents.append(current)
                current = child
            else:
                current = parents.pop()
        return root


class ObjectMaker:
    """Makes the objects of table rows for one flat field list (§9.3).

    `dict(zip(names, row))` is the general way. Once the field list has made enough rows to repay it, a
    function compiled for it makes each object from a dict display with the names as constant keys, about
    three times as fast: `lambda _0, _1: {"id": _0, "name": _1}` (the technique `dataclasses` uses for
    `__init__`). The names enter its source only as `repr()` literals, which evaluate back to the same strings.
    """

    __slots__ = ("names", "made", "display")

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.made = 0
        """Rows made so far without `display`."""
        self.display: Callable[..., dict[str, Any]] | None = None

    def __call__(self, rows: Iterable[Sequence[Any]], count: int) -> list[dict[str, Any]]:
        """Return the objects of `count` rows of values, one value per name."""
        display = self.display
        if display is None:
            self.made += count
            if self.made < _COMPILE_AFTER or len(self.names) > _COMPILE_WIDTH:
                return list(map(dict, map(zip, repeat(self.names), rows)))
            params = ", ".join(f"_{index}" for index in range(len(self.names)))
            items = ", ".join(f"{name!r}: _{index}" for index, name in enumerate(self.names))
            display = self.display = eval(f"lambda {params}: {{{items}}}", {})  # noqa: S307 (see the docstring)
        return list(starmap(display, rows))


_COMPILE_AFTER = 256
"""Rows an ObjectMaker makes the general way before compiling its display (a compile costs about 100 rows)."""
_COMPILE_WIDTH = 64
"""Widest field list that gets a compiled display."""


class Header(NamedTuple):
    """A parsed array or keyed header (§6); offsets count from where the header starts."""

    key: str | None
    """The key, or None for a keyless header."""
    length: int
    keyed: bool
    """True for `[N:]`: an object in keyed tabular form (§9.5)."""
    delimiter: str
    fields: Fields | None
    length_at: int
    """Offset of the length digits, where count errors point."""
    end: int
    """Offset just past the header's colon, where inline values start."""


def header_start(text: str, start: int, colon: int) -> tuple[str | None, int] | None:
    """Return (key, offset of `[`) when `text[start:]` opens with `key[` or `[` before `colon`, else None.

    Only a key of the §6 grammar (quoted, or the unquoted-key pattern) can start a header; any other text
    before `[` makes the line a key-value line (§5.2, e.g. `foo [2]: bar`).
    """
    if text[start] == "[":
        return None, start
    if text[start] == '"':
        end = quote_end(text, start)
        if end < 0 or end >= colon or text[end] != "[":
            return None
        return unescape(text, start + 1, end - 1), end
    match = _UNQUOTED_KEY.match(text, start)
    if match is None or match.end() >= colon or text[match.end()] != "[":
        return None
    return match.group(), match.end()


def parse_header(text: str, start: int, colon: int) -> Header | None:
    """Return the header at `text[start:]` (first unquoted colon at `colon`), or None if the line is no header.

    A line that starts like a header but breaks the §6 grammar raises HeaderError. The header's offsets
    count from `start`; the inline values after its colon are left to the caller.
    """
    # A colon right after `]` or `}` ends the header, so lines that differ only in their inline values share
    # a cache entry; any other first colon (inside a keyed `[N:]`, or a malformed line) needs the whole rest.
    end = colon + 1 if text[colon - 1] in "]}" else len(text)
    try:
        header = (_cached_header if end - start <= _CACHED_LENGTH else _parse_header)(text[start:end], colon - start)
    except TokenError as exc:
        raise type(exc)(exc.msg, start + exc.offset) from None
    if header is not None and header.fields is not None:
        check_no_values(header, text, start)
    return header


def check_no_values(header: Header, text: str, start: int) -> None:
    """Raise unless only whitespace follows the colon of the fields-bearing header at `text[start:]` (§6)."""
    rest = text[start + header.end :]
    if rest.strip(" \t"):  # whitespace is a space or a tab (§7.2)
        at = start + header.end + len(rest) - len(rest.lstrip(" \t"))
        raise HeaderError("a header with a field list takes no values after its colon", at)


class HeaderMemo(dict[str, Header]):
    """The headers of one document by their text, parsed once: lines repeat headers (one per list item, say).

    A header is remembered by its text up to its colon when that is the line's first colon (the usual case),
    else (a keyed header, `key[N:]{…}:`) by the whole line, which holds nothing else.
    """

    __slots__ = ()

    def find(self, text: str, start: int, colon: int) -> Header | None:
        """Return the header at `text[start:]` (first unquoted colon at `colon`), or None if the line is no
        header; raise HeaderError if it breaks the §6 grammar (see `parse_header`)."""
        head = text[start:colon]
        header = self.get(head)
        if header is not None:  # only the text after it may differ
            if header.fields is not None:
                check_no_values(header, text, start)
            return header
        line = text[start:]
        header = self.get(line)
        if header is None:
            header = parse_header(text, start, colon)
            if header is not None:
                self[head if header.end == colon - start + 1 else line] = header
        return header


def _parse_header(text: str, colon: int) -> Header | None:
    """Parse the header that `text` starts with, its first unquoted colon at `colon` (uncached)."""
    match = _PLAIN_HEADER.match(text)
    if match is None:
        found = header_start(text, 0, colon)
        if found is None:
            return None
        match = _BRACKET.match(text, found[1])
        if match is None:
            raise HeaderError(_bracket_problem(text, found[1]), found[1])
        key = found[0]
    else:
        key = match.group("key")
    length, keyed, delimiter = match.group("length", "keyed", "delimiter")
    delimiter = delimiter or ","
    at = match.end()
    fields = None
    if text.startswith("{", at):
        fields, at = _parse_fields(text, at, delimiter)
    if not text.startswith(":", at):
        raise HeaderError(f"expected ':' after the header, found {text[at:at + 1]!r}", at)
    if keyed and fields is None:
        raise HeaderError("a keyed header [N:] needs a field list, e.g. [2:]{a,b}:", match.start("length") - 1)
    if len(length) > 18:  # far beyond any real array, and int() refuses huge digit strings
        raise HeaderError(f"array length of {len(length)} digits is too large", match.start("length"))
    return Header(key, int(length), bool(keyed), delimiter, fields, match.start("length"), at + 1)


_CACHED_LENGTH = 160
_cached_header = lru_cache(maxsize=512)(_parse_header)
"""Documents repeat headers (one per list item, say); short ones are parsed once."""


def _bracket_problem(text: str, bracket: int) -> str:
    """Describe why the bracket segment at `bracket` is malformed."""
    close = text.find("]", bracket)
    if close < 0:
        return "unterminated bracket segment: expected ']'"
    inner = text[bracket + 1 : close]
    if not inner:
        return "missing array length in '[]'"
    return (
        f"invalid bracket segment [{inner}]: expected a length without leading zeros, "
        "then an optional ':' (keyed) and an optional tab or '|' delimiter"
    )


def _parse_fields(text: str, brace: int, delimiter: str) -> tuple[Fields, int]:
    """Parse the fields segment opening at `text[brace]`; return it compiled and the offset after its `}`."""
    close = text.find("}", brace)
    inner = text[brace + 1 : close]
    if close >= 0 and _NOT_FLAT[delimiter].isdisjoint(inner):
        names = tuple(name.strip(" ") for name in inner.split(delimiter))
        if all(names):
            fields = Fields(
                len(names), names, tuple((_LEAF, name) for name in names), _first_duplicate(names), ObjectMaker(names)
            )
            return fields, close + 1
    root: FieldTree = []
    group = root
    parents: list[FieldTree] = []
    at = brace + 1
    while True:
        name, at = _field_name(text, at, not group)
        group.append((name, None))
        if text.startswith("{", at):
            child: FieldTree = []
            group[-1] = (name, child)
            parents.append(group)
            group = child
            at += 1
            continue
        while True:  # after an entry: a delimiter, or `}` closing one or more groups
            char = text[at : at + 1]
            if char == delimiter:
                at += 1
                break
            if char == "}":
                at += 1
                if not parents:
                    return _compile(root), at
                group = parents.pop()
                continue
            raise HeaderError(_field_list_problem(char, delimiter), at)


def _first_duplicate(names: tuple[str, ...]) -> str | None:
    """Return the first name that occurs twice, or None."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _field_name(text: str, at: int, first: bool) -> tuple[str, int]:
    """Read one (quoted or unquoted) field name at `at`, spaces around it allowed; return it and the next offset."""
    while text.startswith(" ", at):
        at += 1
    if text.startswith('"', at):
        end = quote_end(text, at)
        if end < 0:
            raise HeaderError("unterminated quoted field name", at)
        name = unescape(text, at + 1, end - 1)
    else:
        end = _FIELD_TEXT.match(text, at).end()  # type: ignore[union-attr]  # `*` always matches
        name = text[at:end].strip(" ")
        if not name:
            problem = "empty field list '{}'" if first and text.startswith("}", end) else "empty field name"
            raise HeaderError(f"{problem}: a fields segment needs at least one name at every level", at)
    while text.startswith(" ", end):
        end += 1
    return name, end


def _field_list_problem(char: str, delimiter: str) -> str:
    """Describe an unexpected character after a field entry."""
    if not char or char == ":":
        return "unmatched '{' in the fields segment: expected '}'"
    if char in _DELIMITERS:
        return (
            f"fields are separated by {_DELIMITER_NAMES[char]}s but the bracket segment declares the "
            f"{_DELIMITER_NAMES[delimiter]} delimiter"
        )
    return f"unexpected {char!r} in the fields segment"


def _compile(tree: FieldTree) -> Fields:
    """Flatten a field tree into build steps, counting leaves and finding duplicate names (iteratively)."""
    ops: list[tuple[int, str]] = []
    duplicate = None
    nested = False
    pending: list[Any] = [iter(tree)]
    seen: list[set[str]] = [set()]
    while pending:
        entry = next(pending[-1], None)
        if entry is None:
            pending.pop()
            seen.pop()
            if pending:
                ops.append((_CLOSE, ""))
            continue
        name, children = entry
        if name in seen[-1] and duplicate is None:
            duplicate = name
        seen[-1].add(name)
        if children is None:
            ops.append((_LEAF, name))
        else:
            nested = True
            ops.append((_OPEN, name))
            pending.append(iter(children))
            seen.append(set())
    names = None if nested else tuple(name for _, name in ops)
    width = sum(1 for op, _ in ops if op == _LEAF)
    return Fields(width, names, tuple(ops), duplicate, None if names is None else ObjectMaker(names))
