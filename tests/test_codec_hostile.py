"""The codec on hostile input: escape-heavy strings, huge inline arrays and quoted cells, read in C-speed passes.

The decoder's quoted-string and cell-splitting fast paths are checked against plain character-by-character
readings of §7.1 and §11.2 written here; sizes stay small enough for a quick run (no timed assertions: see
benchmarks/codec.py for throughput).
"""
from __future__ import annotations

import re

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from toon_hooks import ToonDecodeError, decode
from toon_hooks.toon.tokens import TokenError, parse_value, split_cells

pytestmark = pytest.mark.usefixtures("codec_path")

_SIMPLE = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
_ALPHABET = st.sampled_from(list('"\\uDd800aFnt/bfx, |\t'))
"""Characters of quoted runs, escapes (good, bad, JSON-only, surrogate), delimiters and spaces."""


def reference_end(text: str, quote: int) -> int:
    """The offset past the closing quote of the quoted run opening at `text[quote]`, or -1: `\\` takes the next
    character, whatever it is."""
    at = quote + 1
    while at < len(text):
        if text[at] == "\\":
            at += 2
        elif text[at] == '"':
            return at + 1
        else:
            at += 1
    return -1


def reference_quoted(token: str) -> str | tuple[str, int]:
    """The value of a token that starts with a quote, or (message, offset) of its first error: the run's end
    first, then its escapes left to right (the decoder's order)."""
    end = reference_end(token, 0)
    if end < 0:
        return "unterminated string: missing closing quote", 0
    if end != len(token):
        return "unexpected characters after the closing quote", end
    out, at = [], 1
    while at < end - 1:
        char = token[at]
        if char != "\\":
            out.append(char)
            at += 1
            continue
        escape = token[at + 1 : at + 2]
        if escape in _SIMPLE:
            out.append(_SIMPLE[escape])
            at += 2
        elif escape == "u" and re.fullmatch("[0-9A-Fa-f]{4}", token[at + 2 : at + 6]):
            code = int(token[at + 2 : at + 6], 16)
            if 0xD800 <= code <= 0xDFFF:
                return f"surrogate escape \\{token[at + 1 : at + 6]} is not allowed; write the character itself", at
            out.append(chr(code))
            at += 6
        elif escape == "u":
            return "\\u must be followed by four hex digits", at
        else:
            return f'invalid escape "\\{escape}"; expected one of \\\\ \\" \\n \\r \\t \\uXXXX', at
    return "".join(out)


def reference_split(text: str, delimiter: str) -> list[str]:
    """§11.2: split on delimiters outside quoted runs; an unterminated quote takes the rest of the line."""
    pieces, start, at = [], 0, 0
    while at < len(text):
        if text[at] == '"':
            at = reference_end(text, at)
            if at < 0:
                break
        elif text[at] == delimiter:
            pieces.append(text[start:at])
            start = at = at + 1
        else:
            at += 1
    pieces.append(text[start:])
    return pieces


def parsed(token: str) -> str | tuple[str, int]:
    try:
        return parse_value(token)  # type: ignore[no-any-return]
    except TokenError as exc:
        return exc.msg, exc.offset


@settings(max_examples=examples(800), deadline=None, derandomize=True)
@given(st.text(_ALPHABET, max_size=14))
def test_quoted_tokens_read_as_section_7_1_says(body: str) -> None:
    token = '"' + body
    assert parsed(token) == reference_quoted(token)


@settings(max_examples=examples(500), deadline=None, derandomize=True)
@given(st.text(_ALPHABET, max_size=16), st.sampled_from([",", "|", "\t"]))
def test_cells_split_as_section_11_2_says(text: str, delimiter: str) -> None:
    assert split_cells(text, delimiter) == reference_split(text, delimiter)


@settings(max_examples=examples(500), deadline=None, derandomize=True)
@given(st.lists(st.text(_ALPHABET, max_size=6).map(lambda cell: f'"{cell}"'), min_size=1, max_size=5), st.booleans())
def test_inline_arrays_of_quoted_cells_read_cell_by_cell(cells: list[str], spaced: bool) -> None:
    """Whatever path the decoder takes (one JSON scan of all cells, or cell by cell), values or first error
    are those of the cells read one by one."""
    text = (", " if spaced else ",").join(cells)
    expected = [parsed(piece.strip(" ")) for piece in reference_split(text, ",")]
    document = f"a[{len(expected)}]: {text}"
    errors = [value for value in expected if isinstance(value, tuple)]
    try:
        assert decode(document) == {"a": expected} and not errors
    except ToonDecodeError as exc:
        assert errors and exc.msg == errors[0][0]


@pytest.mark.parametrize(
    ("unit", "value"),
    [('\\"', '"'), ("\\\\", "\\"), ("\\n", "\n"), ("\\u00e9", "é"), ("a\\tb", "a\tb")],
)
def test_long_escape_heavy_strings(unit: str, value: str) -> None:
    count = 200_000
    assert decode(f'a: "{unit * count}"') == {"a": value * count}
    assert decode(f'[1]:\n  - "{unit * count}"') == [value * count]  # the list item's colon search skips it too


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("\\x", 'invalid escape "\\x"'),
        ("\\/", 'invalid escape "\\/"'),  # JSON has it, TOON does not
        ("\\ud800", "surrogate escape \\ud800 is not allowed"),
        ("\\u12", "\\u must be followed by four hex digits"),
    ],
)
def test_a_bad_escape_after_many_good_ones_is_located(bad: str, message: str) -> None:
    with pytest.raises(ToonDecodeError) as info:
        decode(f'a: "{chr(92) * 2 * 50_000}{bad}"')
    assert (info.value.line, info.value.column) == (1, 5 + 100_000)
    assert info.value.msg.startswith(message)


def test_unterminated_escape_heavy_string() -> None:
    with pytest.raises(ToonDecodeError, match="unterminated string"):
        decode('a: "' + '\\"' * 100_000)


@pytest.mark.parametrize("delimiter", [",", "|", "\t"])
def test_huge_inline_arrays_of_quoted_cells(delimiter: str) -> None:
    cells = ['"a,|\t\\"b"', '"\\\\"', "x", '"\\"\\""'] * 25_000
    values = ['a,|\t"b', "\\", "x", '""'] * 25_000
    mark = "" if delimiter == "," else delimiter
    assert decode(f"v[{len(cells)}{mark}]: " + delimiter.join(cells)) == {"v": values}
    start = f"v[{len(cells) + 1}{mark}]: " + delimiter.join(cells) + delimiter
    with pytest.raises(ToonDecodeError) as info:
        decode(start + '"\\q"')
    assert info.value.column == len(start) + 2


def test_non_strict_inline_array_longer_than_declared() -> None:
    assert decode("a[999999999]: " + ",".join(["1"] * 100_000), strict=False) == {"a": [1] * 100_000}
