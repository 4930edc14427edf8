"""Scalars in Markdown text: TOON-style typing, canonical numbers, quoted code spans and unique keys.

A scalar slot (paragraph, list item, table cell, heading, …) holds Markdown source text. Text that is exactly a
TOON primitive token is typed; a string that cannot stand as raw text in its slot is written as a code span
holding its JSON string literal (`` `"42"` ``). Reader and writer share these helpers so they cannot drift.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any

Scalar = str | int | float | bool | None

# Slots: where a scalar's text sits; the reader and writer treat each one identically (see `slots`).
SECTION = "section"
"""A paragraph directly under a heading or at the top of the document."""
CONTAINER = "container"
"""A paragraph inside a block quote or list item, after its first block."""
QUOTE = "quote"
"""The first block of a block quote."""
ALERT = "alert"
"""The first block of a GitHub alert."""
BULLET = "bullet"
"""The first block of a bullet list item."""
ORDERED = "ordered"
"""The first block of an ordered list item."""
TASK = "task"
"""The text of a bullet task item, after `[x] `."""
ORDERED_TASK = "ordered-task"
"""The text of an ordered task item, after `[x] `."""
CELL = "cell"
"""A table body cell."""
HEADER = "header"
"""A table header cell (a key: never typed)."""
HEADING = "heading"
"""A heading at level 1 or 2 (a key: never typed); a key of several lines is written as a setext heading."""
DEEP_HEADING = "deep-heading"
"""A heading at level 3 or deeper: ATX only, so a key of several lines cannot be raw there."""
UNTYPED = frozenset({HEADER, HEADING, DEEP_HEADING})


def heading_slot(level: int) -> str:
    """The slot of a heading key at `level`."""
    return HEADING if level <= 2 else DEEP_HEADING


def later(slot: str) -> str:
    """The slot of a block that is not the first one of its section or container."""
    return SECTION if slot == SECTION else CONTAINER


_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORDS = {"true": True, "false": False, "null": None}
_PLAIN_PUNCTUATION = frozenset(" .,;:!?'\"()/%+=@-_*&~$^{}<>")
_ALWAYS_ESCAPED = {"|": "\\u007c", "`": "\\u0060"}


def is_scalar(value: Any) -> bool:
    """Tell whether `value` is a JSON primitive."""
    return value is None or isinstance(value, (str, int, float, bool))


def number_text(number: int | float) -> str:
    """Return the canonical TOON text of a finite number (plain decimal in [1e-6, 1e21), else exponent)."""
    if isinstance(number, int):
        return str(number)
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    shortest = repr(number)
    if 1e-6 <= abs(number) < 1e21:
        return format(Decimal(shortest), "f")
    mantissa, _, exponent = shortest.partition("e")
    power = int(exponent)
    return f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def scalar_text(value: Scalar) -> str:
    """Return the raw text of a primitive: strings as they are, the rest as TOON tokens."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return number_text(value)


def parse_scalar(text: str) -> Scalar:
    """Type `text` like a TOON token: keywords and canonical numbers become values, anything else stays text.

    Only the canonical spelling is typed ("1.0", "05", "1E3" stay strings), so typing never changes text.
    """
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    if _NUMBER.fullmatch(text):
        try:
            number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:  # more digits than Python converts
            return text
        if math.isfinite(number) and number_text(number) == text:
            return number
    return text


def is_plain(text: str) -> bool:
    """Fast path: a one-line string of letters, digits and inert punctuation that is raw text in every slot."""
    return (
        bool(text)
        and text[0].isalpha()
        and text[-1] != " "
        and text not in _KEYWORDS
        and all(c.isalnum() or c in _PLAIN_PUNCTUATION for c in text)
    )


def quote_string(text: str) -> str:
    """Return `text` as a code span holding its JSON string literal, safe in any slot (no pipe, no backtick)."""
    literal = json.dumps(text, ensure_ascii=False)
    return "`" + "".join(_escape(c) for c in literal) + "`"


def _escape(char: str) -> str:
    if char in _ALWAYS_ESCAPED:
        return _ALWAYS_ESCAPED[char]
    return char if char.isprintable() else json.dumps(char)[1:-1]


def unquote_string(code: str) -> str | None:
    """Return the string a code span's content spells as a JSON string literal, else None."""
    if not code.startswith('"'):
        return None
    try:
        value = json.loads(code)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def unique_key(name: str, used: Collection[str]) -> str:
    """Return `name`, or `name #2`, `name #3`, … when an earlier sibling already took it."""
    if name not in used:
        return name
    number = 2
    while f"{name} #{number}" in used:
        number += 1
    return f"{name} #{number}"


def shown_key(key: str, used: Collection[str]) -> str:
    """Invert `unique_key`: the text to write so that a reader who has seen `used` gets `key` back."""
    base, marker, number = key.rpartition(" #")
    if marker and number.isascii() and number.isdigit() and unique_key(base, used) == key:
        return base
    return key


HOOK_WHITESPACE = " \t\x0b\x0c"
"""What the trailing-whitespace hook strips from a line end (ASCII whitespace; CR and LF end the line)."""


def is_clean(lines: list[str]) -> bool:
    """Tell whether raw lines survive as written: no trailing whitespace, CR or NUL (hooks and parser alter them)."""
    return all(line == line.rstrip(HOOK_WHITESPACE) and "\r" not in line and "\0" not in line for line in lines)


def same(a: Any, b: Any) -> bool:
    """JSON-model equality that also compares key order and tells booleans from numbers."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (bool, str)) or a is None or isinstance(b, (bool, str)) or b is None:
        return type(a) is type(b) and a == b
    return isinstance(b, (int, float)) and a == b
