"""The decoder's lexical pass: bytes or text -> significant lines with depth (§4 bytes, §5.1 comments, §12)."""
from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress

from ..errors import ToonDecodeError

_ODD_BELOW = "$"
"""Blank, comment and tab-indented lines (the lines that need more than a split) sort before this after their
spaces: "" < "\t…" < "#…" < "$"; so do only the rare lines that start with "!", '"' or a control character."""
_ODD_STARTS = frozenset(("", "#", "\t"))
_FIRST_CHAR = operator.itemgetter(slice(0, 1))
_OTHER_ASCII_SPACES = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
"""The ASCII characters besides space and newline that `str.lstrip()` strips."""


@dataclass
class Lines:
    """The comment-stripped, non-blank lines of a document, as parallel lists indexed by line position."""

    raw: list[str]
    """Every line of the original text (CR terminators removed), for error messages."""
    numbers: Sequence[int]
    """1-based line number in the original text."""
    contents: list[str]
    """The line after its indentation; never empty, never a comment."""
    depths: list[int]
    """Indentation width in spaces, a multiple of the indent size (non-strict mode floors it, and counts a tab
    as indent-size spaces): the depth of a line, in spaces rather than levels, so that no division is needed.
    A line right after blank lines has `~depth` instead, a negative depth that no block has: the decoder's one
    comparison per line then also catches the blank lines before it. `depth()` reads the true depth."""
    blanks: dict[int, int] = field(default_factory=dict)
    """Position of a line -> number of the first blank line right before it (for array spans, §12)."""

    def run_end(self, position: int, expected: int) -> int:
        """Return the end of the run of lines at the depth of `position` with no blank line before any but the
        first: the extent of a block of rows. The `expected` count that a header declares is checked in one go.
        """
        depths = self.depths
        depth, count = self.depth(position), len(depths)
        end = position + 1
        guess = min(position + expected, count)
        if guess > end and depths[guess - 1] == depth and depths[end:guess].count(depth) == guess - end:
            end = guess
        while end < count and depths[end] == depth:  # (a line after blank lines has another depth)
            end += 1
        return end

    def depth(self, position: int) -> int:
        """Return the depth of the line at `position`."""
        depth = self.depths[position]
        return depth if depth >= 0 else ~depth

    def error(self, position: int, msg: str, offset: int = 0) -> ToonDecodeError:
        """Return a located error for `offset` within the content of the line at `position`."""
        number = self.numbers[position]
        raw = self.raw[number - 1]
        return ToonDecodeError(msg, number, len(raw) - len(self.contents[position]) + offset + 1, raw)


Document = str | bytes | bytearray | memoryview
"""What the decoder reads: text, or UTF-8 bytes in any bytes-like object."""


def to_text(data: Document, strict: bool) -> str:
    """Return the document as text: bytes as UTF-8, without its leading byte-order mark (one only: a second
    U+FEFF is content, the first character of a key or of a root string that the encoder quotes).

    Ill-formed UTF-8 is a located error in strict mode (§4); non-strict mode replaces it with U+FFFD.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        blob = bytes(data)
        try:
            text = blob.decode("utf-8")
        except UnicodeDecodeError as exc:
            if strict:
                raise _utf8_error(blob, exc) from None
            text = blob.decode("utf-8", "replace")
    elif isinstance(data, str):
        text = data
    else:
        raise TypeError(f"TOON text must be str or bytes, not {type(data).__name__}")
    return text[1:] if text.startswith("\ufeff") else text


def _utf8_error(blob: bytes, exc: UnicodeDecodeError) -> ToonDecodeError:
    """Locate the first ill-formed byte by line and (character) column."""
    line_start = blob.rfind(b"\n", 0, exc.start) + 1
    line_end = blob.find(b"\n", exc.start)
    line = blob[line_start : line_end if line_end >= 0 else len(blob)].rstrip(b"\r")
    before = blob[line_start : exc.start].decode("utf-8")
    if line_start == 0:
        before = before.removeprefix("\ufeff")
    return ToonDecodeError(
        f"invalid UTF-8: {exc.reason} (byte 0x{blob[exc.start]:02x})",
        blob.count(b"\n", 0, exc.start) + 1,
        len(before) + 1,
        line.decode("utf-8", "replace"),
    )


def scan(text: str, indent_size: int, strict: bool) -> Lines:
    """Split `text` into significant lines, checking indentation (strict) or flooring it (non-strict).

    Comment lines vanish without a trace (§5.1); blank lines are only remembered for the array-span rule;
    trailing blank lines close nothing and are dropped first. Whole-list operations keep this pass cheap;
    the rare odd lines (blank, comment, tab-indented) are then handled one by one.
    """
    raw = text.split("\n")
    if "\r" in text:  # a CR ending a line belongs to its terminator (§12)
        raw = [line[:-1] if line.endswith("\r") else line for line in raw]
    end = len(raw)
    while end and not raw[end - 1].strip(" "):
        end -= 1
    kept = raw if end == len(raw) else raw[:end]
    contents = _unindent(kept, text)
    lines = Lines(raw, range(1, end + 1), contents, [len(line) - len(content) for line, content in zip(kept, contents)])
    if (
        ("#" in text or "\t" in text or "" in contents)
        and min(contents, default="") < _ODD_BELOW
        and not _ODD_STARTS.isdisjoint(map(_FIRST_CHAR, contents))
    ):
        _drop_odd_lines(lines, indent_size, strict)
    if any(width % indent_size for width in set(lines.depths)):
        if strict:
            _raise_misindented(lines, indent_size)
        lines.depths = [width - width % indent_size for width in lines.depths]
    for position in lines.blanks:
        lines.depths[position] = ~lines.depths[position]
    return lines


def _unindent(lines: list[str], text: str) -> list[str]:
    """Return `lines` without their leading spaces."""
    if text.isascii() and not any(char in text for char in _OTHER_ASCII_SPACES):
        return list(map(str.lstrip, lines))  # only spaces to strip: the argument-free call is the faster one
    return [line.lstrip(" ") for line in lines]


def _drop_odd_lines(lines: Lines, indent_size: int, strict: bool) -> None:
    """Remove blank and comment lines, noting blanks; reject (strict) or measure (non-strict) tab indentation."""
    contents, depths = lines.contents, lines.depths
    keep = [True] * len(contents)
    blanks: dict[int, int] = {}
    blank = 0
    for position, content in enumerate(contents):
        if content[:1] == "#":  # only spaces precede it: a comment line (§5.1)
            keep[position] = False
            continue
        if content[:1] == "\t":
            raw = lines.raw[position]
            if strict:
                number = lines.numbers[position]
                column = raw.index("\t") + 1
                raise ToonDecodeError("tab character in indentation: indent with spaces", number, column, raw)
            content = contents[position] = raw.lstrip(" \t")
            indent = len(raw) - len(content)
            depths[position] = indent + raw.count("\t", 0, indent) * (indent_size - 1)
        if not content:
            blank = blank or lines.numbers[position]
            keep[position] = False
        elif blank:
            blanks[position] = blank
            blank = 0
    positions = {old: new for new, old in enumerate(compress(range(len(keep)), keep))}
    lines.blanks = {positions[old]: number for old, number in blanks.items()}
    lines.numbers = list(compress(lines.numbers, keep))
    lines.contents = list(compress(contents, keep))
    lines.depths = list(compress(depths, keep))


def _raise_misindented(lines: Lines, indent_size: int) -> None:
    """Raise for the first line whose indentation is not a multiple of `indent_size` (strict, §12)."""
    for position, width in enumerate(lines.depths):
        if width % indent_size:
            raise lines.error(position, f"indentation of {width} spaces is not a multiple of {indent_size}")
