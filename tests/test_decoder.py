"""Unit tests of the TOON decoder: API, bytes, numbers, strings, structure, error locations, non-strict mode,
and hostile input (deep nesting, 50 MB lines, huge declared counts, ill-formed UTF-8, fuzzing).

Expected values are derived from the spec text (section cited); the conformance fixtures cover the rest.
"""
from __future__ import annotations

import io
import math
import sys
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import toon_hooks
from toon_hooks import ToonDecodeError, decode
from toon_hooks.errors import LocatedError
from toon_hooks.toon.tokens import MAX_INT_DIGITS

pytestmark = pytest.mark.usefixtures("codec_path")


def error_of(text: str | bytes, **options: Any) -> ToonDecodeError:
    """Return the ToonDecodeError that decoding `text` raises."""
    with pytest.raises(ToonDecodeError) as info:
        decode(text, **options)
    return info.value


def where(text: str | bytes, **options: Any) -> tuple[int, int, str]:
    """Return (line, column, message) of the error that decoding `text` raises."""
    error = error_of(text, **options)
    return error.line, error.column, error.msg


# --- API ------------------------------------------------------------------------------------------------------


def test_api_aliases_and_streams() -> None:
    text = "a: 1\nb[2]: x,y"
    expected = {"a": 1, "b": ["x", "y"]}
    assert toon_hooks.decode(text) == toon_hooks.loads(text) == expected
    assert toon_hooks.load(io.StringIO(text)) == toon_hooks.load(io.BytesIO(text.encode())) == expected


def test_bytes_like_inputs_decode_as_utf8() -> None:
    data = "name: café 🚀".encode()
    assert decode(data) == decode(bytearray(data)) == decode(memoryview(data)) == {"name": "café 🚀"}


def test_rejects_non_text_and_bad_indent_size() -> None:
    with pytest.raises(TypeError):
        decode(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decode("a: 1", indent_size=True)
    with pytest.raises(ValueError, match="at least 1"):
        decode("a: 1", indent_size=0)


def test_error_is_located_value_error_and_survives_pickling() -> None:
    import pickle

    error = error_of("a: 1\na: 2")
    assert isinstance(error, LocatedError) and isinstance(error, ValueError)
    assert str(error) == '2:1: duplicate key "a"'
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.line, copy.column, copy.msg, copy.source_line) == (2, 1, 'duplicate key "a"', "a: 2")


def test_byte_order_mark_is_ignored() -> None:
    assert decode("\ufeffa: 1") == decode("\ufeffa: 1".encode()) == {"a": 1}


def test_only_one_byte_order_mark_is_stripped() -> None:
    """A second U+FEFF is content: the first character of a key or of a root string."""
    assert decode("\ufeff\ufeffa: 1") == decode("\ufeff\ufeffa: 1".encode()) == {"\ufeffa": 1}
    assert decode("\ufeff\ufeffx".encode(), strict=False) == "\ufeffx"


# --- UTF-8 (§4) -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"a: \xff", 1, 4),  # invalid start byte
        (b"a: 1\nb: \xc3\xa9\xed\xa0\x80", 2, 5),  # UTF-8-encoded surrogate U+D800 after "é"
        (b"x: \xc0\xaf", 1, 4),  # overlong encoding of "/"
        (b"a: 1\r\nb: \xe2\x82", 2, 4),  # truncated sequence at end of input
        (b"\xef\xbb\xbfk: \x80", 1, 4),  # the BOM does not count as a column
    ],
)
def test_ill_formed_utf8_is_located_in_strict_mode(data: bytes, line: int, column: int) -> None:
    error = error_of(data)
    assert (error.line, error.column) == (line, column)
    assert error.msg.startswith("invalid UTF-8")


def test_ill_formed_utf8_becomes_replacement_character_in_non_strict_mode() -> None:
    assert decode(b"a: x\xffy", strict=False) == {"a": "x\ufffdy"}


# --- numbers (§4) ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("0", 0),
        ("-0", 0),
        ("42", 42),
        ("-7", -7),
        (str(2**100), 2**100),  # integers stay exact, beyond 64 bits
        ("1.5000", 1.5),
        ("-1E+03", -1000.0),
        ("0e1", 0.0),
        ("1e-400", 0.0),  # below the float range: rounds to zero
    ],
)
def test_numbers(token: str, expected: int | float) -> None:
    value = decode(f"v: {token}")["v"]
    assert value == expected and type(value) is type(expected)


def test_negative_zero_decodes_without_sign() -> None:
    for token in ("-0", "-0.0", "-0e5", "-1e-400"):
        value = decode(f"v: {token}")["v"]
        assert value == 0 and math.copysign(1, value) == 1, token


@pytest.mark.parametrize(
    "token", ["05", "-05", "00.5", "0001", ".5", "1.", "+1", "1e", "1_000", "0x10", "Infinity", "NaN", "١٢", "1.5e+"]
)
def test_tokens_outside_the_number_grammar_are_strings(token: str) -> None:
    assert decode(f"v: {token}") == {"v": token}


def test_out_of_range_float_is_an_error_at_its_token() -> None:
    assert where("a: 1\nv: -1e400") == (2, 4, "number -1e400 is out of range for a 64-bit float")


def test_integers_up_to_the_digit_limit_are_exact_longer_ones_an_error() -> None:
    assert decode("v: -" + "9" * MAX_INT_DIGITS)["v"] == -(10**MAX_INT_DIGITS - 1)
    digits = "9" * (MAX_INT_DIGITS + 1)
    assert where(f"v[2]: 1,{digits}") == (1, 9, f"integer of {MAX_INT_DIGITS + 1} digits exceeds the 4300-digit limit")
    rows = "\n".join(f"  {digits if i == 9 else i + 1}" for i in range(10))  # a long table decodes by column
    assert where(f"t[10]{{a}}:\n{rows}")[:2] == (11, 3)


def test_literals_are_case_sensitive() -> None:
    assert decode("a[6]: true,false,null,True,NULL,nil") == {"a": [True, False, None, "True", "NULL", "nil"]}


# --- strings and keys (§7) ------------------------------------------------------------------------------------


def test_every_escape_decodes() -> None:
    assert decode(r'v: "\\ \" \n \r \t \u00e9 \u00E9 \u0001"') == {"v": '\\ " \n \r \t é é \x01'}


def test_literal_tab_inside_quotes_is_data() -> None:
    assert decode('v: "a\tb"') == {"v": "a\tb"}


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        (r'v: "a\x"', 6, 'invalid escape "\\x"'),
        (r'v: "a\u12"', 6, "\\u must be followed by four hex digits"),
        (r'v: "\ud83d\ude80"', 5, "surrogate escape \\ud83d"),  # pairs too: supplementary chars are literal
        ('v: "abc', 4, "unterminated string"),
        ('v: "a\\"', 4, "unterminated string"),  # the escaped quote does not close it
        ('v: "a" b', 7, "unexpected characters after the closing quote"),
        ('"k" x: 1', 4, "unexpected characters after the closing quote"),
        ('v[2]: a,"b\\q"', 11, 'invalid escape "\\q"'),
    ],
)
def test_bad_quoted_tokens_point_at_the_problem(text: str, column: int, message: str) -> None:
    line, col, msg = where(text)
    assert (line, col) == (1, column) and msg.startswith(message)


def test_keys_are_literal_tokens() -> None:
    text = 'foo-bar: 1\n2key: 2\nuser.name: 3\n"a:b": 4\n"": 5\n" x ": 6\n"\\u0041": 7'
    assert decode(text) == {"foo-bar": 1, "2key": 2, "user.name": 3, "a:b": 4, "": 5, " x ": 6, "A": 7}


def test_prototype_keys_are_ordinary_keys_everywhere() -> None:
    text = (
        "__proto__:\n  constructor: 1\n"
        '"prototype"[1]: x\n'
        "rows[1]{__proto__,constructor{prototype}}:\n  a,b\n"
        "map[2:]{v}:\n  __proto__: 1\n  constructor: 2"
    )
    result = decode(text)
    assert type(result) is dict
    assert result == {
        "__proto__": {"constructor": 1},
        "prototype": ["x"],
        "rows": [{"__proto__": "a", "constructor": {"prototype": "b"}}],
        "map": {"__proto__": {"v": 1}, "constructor": {"v": 2}},
    }
    assert {}.__class__ is dict and not hasattr({}, "constructor")  # nothing leaked into shared state


# --- structure ------------------------------------------------------------------------------------------------


def test_root_forms() -> None:
    assert decode("") == decode("\n\n  \n") == decode("# only\n  # comments") == {}
    assert decode("[]") == []
    assert decode("hello world") == "hello world"
    assert decode('"a: b"') == "a: b"  # the colon is quoted: a primitive, not a key-value line
    assert decode("- x") == "- x"  # outside an expanded list a hyphen is just text (§5.2)
    assert decode("[2|]: a|b") == ["a", "b"]
    assert decode("[2:]{v}:\n  a: 1\n  b: 2") == {"a": {"v": 1}, "b": {"v": 2}}


def test_crlf_and_trailing_newlines() -> None:
    assert decode("a:\r\n  b: 1\r\n\r\n") == {"a": {"b": 1}}
    assert decode('a: "x\\r"\r\nb: y\rz\r\n') == {"a": "x\r", "b": "y\rz"}


def test_list_item_depth_model() -> None:
    """§10: fields of a list-item object sit at depth +1; blocks of its first field at +2."""
    text = (
        "items[3]:\n"
        "  - a:\n      x: 1\n    b: 2\n"
        "  - t[2]{p,q}:\n      1,2\n      3,4\n    c: 3\n"
        "  - [2]:\n    - k: 1\n    - []"
    )
    assert decode(text) == {
        "items": [
            {"a": {"x": 1}, "b": 2},
            {"t": [{"p": 1, "q": 2}, {"p": 3, "q": 4}], "c": 3},
            [{"k": 1}, []],
        ]
    }


def test_empty_list_item_forms() -> None:
    assert decode("x[4]:\n  -\n  - \n  - []\n  - [0]:") == {"x": [{}, {}, [], []]}


def test_nested_field_groups_and_delimiter_scoping() -> None:
    text = "o[1|]{id|c{n|geo{lat|lon}}|t}:\n  1|Ada, Lovelace|1.5|-2|x,y\nn[1\t]:\n  - v[2]: a|b,c"
    assert decode(text) == {
        "o": [{"id": 1, "c": {"n": "Ada, Lovelace", "geo": {"lat": 1.5, "lon": -2}}, "t": "x,y"}],
        "n": [{"v": ["a|b", "c"]}],  # a nested header without a symbol means comma, whatever its parent
    }


def test_tabular_rows_end_at_a_key_value_line() -> None:
    """§9.3: at row depth, a colon before the first delimiter makes a key-value line."""
    rows = [{"a": "x:y", "b": 1}, {"a": 2, "b": "p:q"}]
    assert decode('r[2]{a,b}:\n  "x:y",1\n  2,"p:q"\nk: v') == {"r": rows, "k": "v"}
    assert where("r[2]{a,b}:\n  1,2\n  k: v")[:2] == (1, 3)  # the rows end early: a count error


def test_long_tables_decode_column_by_column_like_short_ones() -> None:
    rows = [f"  {i},{'x' if i % 2 else '007'},{i / 4},{'true' if i % 3 else 'null'}, {i} " for i in range(20)]
    result = decode("t[20]{a,b,c,d,e}:\n" + "\n".join(rows))["t"]
    assert result[3] == {"a": 3, "b": "x", "c": 0.75, "d": None, "e": 3}
    assert result[6] == {"a": 6, "b": "007", "c": 1.5, "d": None, "e": 6}
    assert [type(row["a"]) for row in result] == [int] * 20


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            ["-0", "-0.0", "-1e-400", "0", "0.0", "1e2", "2.5", "-3", "4", "5"],
            [0, 0.0, 0.0, 0, 0.0, 100.0, 2.5, -3, 4, 5],
        ),
        (["2024-01-05", "1.2.3", "-", "-x", "1.5.", "1e", "0x1", "1_0"], None),  # no number at all: strings
        (["1", "2", "007", "3", "4", "5", "6", "7"], [1, 2, "007", 3, 4, 5, 6, 7]),  # a mix: token by token
    ],
    ids=["numbers", "number-like-strings", "mixed"],
)
def test_long_table_columns_follow_the_number_grammar(cells: list[str], expected: list[Any] | None) -> None:
    """Tables of 8+ rows decode column by column; every cell still follows §4 exactly."""
    text = f"t[{len(cells)}]{{a}}:\n" + "\n".join(f"  {cell}" for cell in cells)
    values = [row["a"] for row in decode(text)["t"]]
    assert values == (cells if expected is None else expected)
    assert [type(value) for value in values] == [type(value) for value in (cells if expected is None else expected)]
    assert all(math.copysign(1, value) == 1 for value in values if isinstance(value, float))


def test_long_table_errors_point_at_their_row() -> None:
    rows = "\n".join(f"  {'1e400' if i == 6 else i},x" for i in range(10))
    assert where(f"t[10]{{a,b}}:\n{rows}") == (8, 3, "number 1e400 is out of range for a 64-bit float")
    cells = ['"bad' if i == 7 else "y" for i in range(10)]
    rows = "\n".join(f"  {i},{cell}" for i, cell in enumerate(cells))
    assert where(f"t[10]{{a,b}}:\n{rows}")[:2] == (9, 5)


def test_keyed_entries_split_at_the_first_unquoted_colon() -> None:
    assert decode('m[3:]{v,w}:\n  "a:b": 1,2\n  k[2]: 3,"4:5"\n  c:  []  , x') == {
        "m": {"a:b": {"v": 1, "w": 2}, "k[2]": {"v": 3, "w": "4:5"}, "c": {"v": "[]", "w": "x"}}
    }


def test_comments_never_count_or_close_scopes() -> None:
    text = "t[2]{a}:\n  1\n# between rows\n      # deeper\n  2\no:\n  p: 1\n# outdented\n  q: 2"
    assert decode(text) == {"t": [{"a": 1}, {"a": 2}], "o": {"p": 1, "q": 2}}


def test_blank_lines_outside_array_spans_are_ignored() -> None:
    assert decode("x[2]:\n\n  - 1\n  - 2\n\ny: 1") == {"x": [1, 2], "y": 1}


# --- strict errors: messages and locations (line and column in the original text) ------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("users[3]{id}:\n  1\n  2", 1, 7, 'expected 3 rows for "users", found 2'),
        ("# c\n\nid: 1\nid: 2", 4, 1, 'duplicate key "id"'),
        ("a:\n   b: 1", 2, 4, "indentation of 3 spaces is not a multiple of 2"),
        ("tags[3]: a,b", 1, 6, 'expected 3 values for "tags", found 2'),
        ("x[1]:\n  - a\n  - b", 1, 3, 'expected 1 item for "x", found 2'),
        ("m[2:]{v}:\n  a: 1", 1, 3, 'expected 2 entries for "m", found 1'),
        ("[1]{a}:\n  1\n  2", 1, 2, "expected 1 row for the array, found 2"),
        ("t[1]{a,b}:\n  1", 2, 3, 'expected 2 values (one per field of "t"), found 1'),
        ("x[2]:\n  - a\n\n  - b", 3, 1, "blank line inside an array"),
        ("a:\n    b: 1", 2, 5, "indentation jumps more than one level"),
        ("a: 1\n  b: 2", 2, 3, "unexpected indentation: the previous line opens no block"),
        ("a:\n\tb: 1", 2, 1, "tab character in indentation"),
        ("a:\n  \tb: 1", 2, 3, "tab character in indentation"),
        ("[1]: a\nb: 1", 2, 1, "unexpected content after the complete root value"),
        ("hello\nworld", 1, 1, 'expected "key: value"'),
        ("a:\n  user", 2, 3, 'expected "key: value"'),
        ("items[2]{id}\n  1", 1, 1, "expected ':' after the array header"),
        ("a:\n  [2]: 1,2", 2, 3, "a header without a key is only valid at the root or as a list item"),
        ("x[1]:\n  - [1]{a}:\n    1", 2, 5, "a header with a field list cannot be a list item"),
        ("x[1]:\n  - [1:]{a}:\n      k: 1", 2, 5, "a header with a field list cannot be a list item"),
        ("t[1]{a}: 1", 1, 10, "a header with a field list takes no values after its colon"),
        ("m[1:]:\n  k: 1", 1, 2, "a keyed header [N:] needs a field list"),
        ("t[1\t]{a,b}:\n  1\t2", 1, 8, "fields are separated by commas but the bracket segment declares the tab"),
        ("t[1]{a,{b}}:\n  1", 1, 8, "empty field name"),
        ("t[1]{a,b{}}:\n  1", 1, 10, "empty field list '{}'"),
        ("t[1]{a,b:\n  1", 1, 9, "unmatched '{'"),
        ("t[1]{a,a}:\n  1,2", 1, 3, 'duplicate field "a" in one field group'),
        ("x[03]: a", 1, 2, "invalid bracket segment [03]"),
        ("x[]: a", 1, 2, "missing array length in '[]'"),
        ("x[2: a", 1, 2, "unterminated bracket segment"),
        ("x[2] : a,b", 1, 5, "expected ':' after the header, found ' '"),
        ("m[2:]{v}:\n  a: 1\n  5", 3, 3, 'expected an entry row "key: values"'),
        ("x[1]:\n  a: 1", 2, 3, 'expected a list item "- …"'),
        ("  a: 1", 1, 3, "the first line of a document must not be indented"),
    ],
)
def test_strict_errors(text: str, line: int, column: int, message: str) -> None:
    error = error_of(text)
    assert (error.line, error.column) == (line, column)
    assert error.msg.startswith(message), error.msg
    assert error.source_line == text.split("\n")[line - 1]


def test_source_line_is_the_original_line_without_its_cr() -> None:
    error = error_of("a: 1\r\n  # c\r\n\r\nb:\r\n   c: 2\r\n")
    assert (error.line, error.column, error.source_line) == (5, 4, "   c: 2")


def test_error_on_a_hyphen_line_points_into_the_line() -> None:
    assert where("x[1]:\n  - k: \"a\\z\"")[:2] == (2, 10)
    assert where('x[1]:\n  -   [2]: 1,"b')[:2] == (2, 14)


# --- non-strict mode ----------------------------------------------------------------------------------------------


def test_non_strict_duplicates_are_last_write_wins_in_first_position() -> None:
    assert list(decode("a: 1\nb: 2\na: 3", strict=False).items()) == [("a", 3), ("b", 2)]


def test_non_strict_counts_are_advisory_and_blank_lines_ignored() -> None:
    text = "x[999999999]:\n  - a\n\n  - b\nt[1]{k}:\n  1\n\n  2\ns[0]: p,q"
    assert decode(text, strict=False) == {"x": ["a", "b"], "t": [{"k": 1}, {"k": 2}], "s": ["p", "q"]}


def test_non_strict_indentation_floors_and_counts_tabs_as_one_level() -> None:
    assert decode("a:\n   b:\n     c: 1\n d: 2", strict=False) == {"a": {"b": {"c": 1}}, "d": 2}
    assert decode("a:\n\tb:\n\t\tc: 1\n  \t d: 2", indent_size=4, strict=False) == {"a": {"b": {"c": 1}, "d": 2}}
    assert decode("a: 1\n\t# a tab makes this no comment", strict=False) == {"a": 1}


def test_non_strict_block_starting_too_deep_takes_that_depth() -> None:
    assert decode("a:\n      b: 1\n      c: 2\nd: 3", strict=False) == {"a": {"b": 1, "c": 2}, "d": 3}


def test_non_strict_skips_over_indented_lines_and_trailing_content() -> None:
    assert decode("a: 1\n    b: 2\nc: 3", strict=False) == {"a": 1, "c": 3}
    assert decode("[2]: x,y\nz: 1\n  w", strict=False) == ["x", "y"]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("x[03]: a", "x[03]"),
        ("x[]: a", "x[]"),
        ("x[1][2]: a", "x[1][2]"),
        ("x[1]y: a", "x[1]y"),
        ("x[1] : a", "x[1]"),
        ("[1]{a}: a", "[1]{a}"),
        ("t[1]{a}: a", "t[1]{a}"),
        ("m[2:]: a", "m[2"),  # the first unquoted colon ends the literal key
    ],
)
def test_non_strict_malformed_headers_fall_through_to_literal_keys(line: str, key: str) -> None:
    assert decode("k: 0\n" + line, strict=False) == {"k": 0, key: line[line.index(":", len(key)) + 1 :].strip(" ")}


def test_non_strict_still_rejects_what_cannot_be_read() -> None:
    for text in ('a: "x', "t[1]{a,b}:\n  1", "a:\n  b", "x[1]:\n  a: 1", 'v: "\\q"'):
        with pytest.raises(ToonDecodeError):
            decode(text, strict=False)


# --- hostile input --------------------------------------------------------------------------------------------------


def _depth(value: Any) -> int:
    """Return how deep single-entry dicts and lists nest, without recursion."""
    depth = 0
    while isinstance(value, (dict, list)) and value:
        value = next(iter(value.values())) if isinstance(value, dict) else value[0]
        depth += 1
    return depth


def test_100000_level_nested_field_groups() -> None:
    levels = 100_000
    text = "x[1]{" + "a{" * levels + "b" + "}" * levels + "}:\n  7"
    result = decode(text)
    assert _depth(result) == levels + 3  # x -> [row] -> a … a -> b
    leaf = result["x"][0]
    for _ in range(levels):
        leaf = leaf["a"]
    assert leaf == {"b": 7}


def _nested_objects(levels: int) -> str:
    return "\n".join(" " * depth + "k:" for depth in range(levels)) + "\n" + " " * levels + "end: 1"


def _nested_lists(levels: int) -> str:
    return "[1]:\n" + "\n".join(" " * depth + "- [1]:" for depth in range(1, levels)) + "\n" + " " * levels + "- 1"


def _nested_list_item_objects(levels: int) -> str:
    """`- k[1]:` chains: each list-item object's first field is a list whose items sit two levels deeper (§10)."""
    lines = ["k[1]:"] + [" " * (2 * step + 1) + "- k[1]:" for step in range(levels)]
    return "\n".join(lines) + "\n" + " " * (2 * levels + 1) + "- 1"


@pytest.mark.parametrize("build", [_nested_objects, _nested_lists, _nested_list_item_objects])
def test_indentation_nested_deeper_than_the_recursion_limit(build: Any) -> None:
    levels = sys.getrecursionlimit() * 3
    assert _depth(decode(build(levels), indent_size=1)) >= levels


_MB50 = 50_000_000


@pytest.mark.parametrize(
    ("build", "outcome"),
    [
        (lambda: "k: " + "x" * _MB50, _MB50),
        (lambda: 'k: "' + "ab\\n" * 2_000_000 + "x" * (_MB50 - 6_000_000) + '"', _MB50),
        (lambda: 'k: "' + "x" * _MB50, "unterminated string"),
        (lambda: "k: " + "7" * _MB50, f"integer of {_MB50} digits"),
        (lambda: "k[2]: " + ('"' + "a" * 998 + '",') * 50_000, 'expected 2 values for "k"'),
        (lambda: "[" * _MB50, _MB50),  # a bare token line: the root primitive
    ],
    ids=["plain", "escaped", "unterminated", "digits", "cells", "brackets"],
)
def test_50_megabyte_single_line(build: Any, outcome: int | str) -> None:
    text = build()  # built here, not at collection, so that only one 50 MB text is alive at a time
    if isinstance(outcome, str):
        assert error_of(text).msg.startswith(outcome)
    else:
        result = decode(text)
        assert len(result if isinstance(result, str) else result["k"]) == outcome


@pytest.mark.parametrize(
    "header",
    ["x[999999999]:\n  - a\n  - b", "x[999999999]{k}:\n  1\n  2", "x[999999999]: 1,2", "x[999999999:]{k}:\n  a: 1"],
)
def test_huge_declared_counts_give_a_count_error_or_the_rows_read(header: str) -> None:
    assert error_of(header).msg.startswith("expected 999999999 ")
    assert len(decode(header, strict=False)["x"]) in (1, 2)


def test_absurd_length_digits_are_a_header_error() -> None:
    assert where("x[" + "9" * 5000 + "]: 1")[2].startswith("array length of 5000 digits is too large")


_TOON_ALPHABET = st.sampled_from([*' \t\n\r-:,|[]{}"\\#0123456789.eE+abxyzé🚀', "  ", "- ", ": ", "[2]", "{a,b}"])
_TOON_TEXT = st.lists(_TOON_ALPHABET, max_size=60).map("".join)


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(st.text(), _TOON_TEXT), st.booleans(), st.sampled_from([1, 2, 4]))
def test_any_text_decodes_or_raises_a_located_error(text: str, strict: bool, indent: int) -> None:
    try:
        decode(text, strict=strict, indent_size=indent)
    except ToonDecodeError as error:
        assert error.line >= 1 and error.column >= 1 and error.msg


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=80), st.booleans())
def test_any_bytes_decode_or_raise_a_located_error(data: bytes, strict: bool) -> None:
    try:
        decode(data, strict=strict)
    except ToonDecodeError as error:
        assert error.line >= 1 and error.column >= 1
