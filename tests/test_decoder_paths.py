"""The decoder's fast loop against its general path: the duplication is checked, not trusted.

`Decoder.read_lines` reads the most common lines itself (plain fields, `- key: value` items, known headers,
dedents); with `fast=False` every line goes through `DecodeState.route` (`settle`, then its scope's `take`).
Both must give the same value (types, key order, -0.0 included: compared by repr) or the same error (message,
line, column), on valid documents and on mutated ones, strict or not.
"""
from __future__ import annotations

import ast
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values
from test_decoder_differential import MUTATIONS, Mutation

from toon_hooks.errors import ToonDecodeError
from toon_hooks.toon import decoder
from toon_hooks.toon.decoder import Decoder
from toon_hooks.toon.encoder import encode
from toon_hooks.toon.lines import scan, to_text

DELIMITERS = (",", "\t", "|")
INDENTS = (1, 2, 4)


def outcome(text: str, strict: bool, indent: int, fast: bool) -> tuple[str, Any]:
    """Return ("value", repr of the value) or ("error", (message, line, column))."""
    try:
        return "value", repr(Decoder(scan(to_text(text, strict), indent, strict), strict, indent, fast).run())
    except ToonDecodeError as error:
        return "error", (error.msg, error.line, error.column)


def assert_same_paths(text: str, indent: int) -> None:
    for strict in (True, False):
        assert outcome(text, strict, indent, fast=True) == outcome(text, strict, indent, fast=False), strict


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    json_values(),
    st.sampled_from(DELIMITERS),
    st.sampled_from(INDENTS),
    st.lists(st.sampled_from(MUTATIONS), max_size=3),
    st.randoms(use_true_random=False),
)
def test_fast_and_general_paths_agree(
    value: Any, delimiter: str, indent: int, mutations: list[Mutation], rng: random.Random
) -> None:
    lines = encode(value, delimiter=delimiter, indent_size=indent).split("\n")
    for mutation in mutations:
        lines = mutation(lines, rng) or lines
    assert_same_paths("\n".join(lines), indent)


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b:\n    c: 1\n  d: 2\ne: 3",  # dedents over several scopes, recycled object scopes
        "a: 1\na: 2",  # duplicate key: an error, non-strict last wins
        "[2]:\n  - t[2]{a,b}:\n      1,x\n      2,y\n  - t[2]{a,b}:\n      3,z\n      4,1e999",  # waiting tables
        "m[2:]{v}:\n  a: 1\n  b: 2\nn: 3",  # keyed rows, then a field
        "rows[3]{a}:\n  1\n  k: v\n  2",  # a key-value line ends the rows early
        "a:\n    b: 1",  # a jump of two levels
        "a: 1\n  b: 2",  # indentation after a line that opens no block
        "x[2]:\n  - a: 1\n    b: 2\n\n  - c",  # a blank line inside an array
        "x[1]:\n  - [2]: 1,2\n  - y",  # inline array item, then too many items
        'x[2]:\n  - "k": 1\n  - k[2]: a,b',  # quoted key, header key in a list-item object
        "- a: 1",  # no root header
        "x[2]:\n  - [0]:\n    - 1\n  - y",  # an empty list that is not: its scope must still be there
        "x[2]:\n  - [0]:\n\n  - [0]:\ny[0]:",  # empty lists that no line follows inside take no scope
        "x[5]:\n  - 1\n  - plain words\n  - []\n  - \"q\"\n  - 1e999",  # primitive items, the last out of range
        "x[4]:\n  - [2]: 1,2\n  - [2]: 1\n  - [1]:\n    - a\n  - [2]: \"a\",b",  # known item headers, a bad count
        "x[3]:\n  - [1]:\n    - [1]: y\n  - [1]: z\n  - [1]{a}:\n      1",  # nested lists, a header with fields
        "x[2]:\n  -  spaced\n  - [2]: 01,-0.0",  # an extra space after `-`, number-like strings and -0.0
        "t[2]: a,b\nt[2]: c\nu[1]: x",  # a known inline header: its bad count comes before the duplicate key
        "t[2]: a,b\nu[2]: c,d\nt[2]: e,f",  # a known inline header with a duplicate key
        "o:\n  t[2]: a,b\n  t[2]:\n    - x",  # a known header without inline values opens a list
    ],
)
def test_paths_agree_on_hand_picked_documents(text: str) -> None:
    assert_same_paths(text, 2)


def test_empty_list_followed_by_an_item_is_still_counted() -> None:
    assert outcome("x[2]:\n  - [0]:\n    - 1\n  - y", True, 2, fast=True) == (
        "error", ('expected 0 items for the array, found 1', 2, 6)
    )
    assert outcome("x[2]:\n  - [0]:\n  - [0]:\ny[0]:", True, 2, fast=True) == ("value", repr({"x": [[], []], "y": []}))


def test_general_mode_reads_no_line_in_the_fast_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Decoder, position: int) -> None:
        raise AssertionError("read_lines ran")

    monkeypatch.setattr(Decoder, "read_lines", refuse)
    text = "a:\n  b[2]{x}:\n    1\n    2\nc[2]:\n  - d: 1\n  - e"
    expected = {"a": {"b": [{"x": 1}, {"x": 2}]}, "c": [{"d": 1}, "e"]}
    assert outcome(text, True, 2, fast=False) == ("value", repr(expected))


def _imports(module: str) -> set[str]:
    tree = ast.parse(Path(decoder.__file__).with_name(f"{module}.py").read_text(encoding="utf-8"))
    return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_scopes_and_tables_do_not_import_the_decoder() -> None:
    """Scopes get a DecodeState, tables a generic scope type: no import cycle, not even under TYPE_CHECKING."""
    assert "decoder" not in _imports("scopes")
    assert not {"decoder", "scopes"} & _imports("tables")
