"""Differential tests of the decoder against the official `toon_format` package (an oracle, tests only).

Valid documents (toon_format's own encoding of generated values, every delimiter and indent) must decode to
the same value. Invalid documents (mutations of valid ones) must be rejected in strict mode whenever
toon_format rejects them. Where the two disagree the spec decides; each disagreement class found is listed
below with the spec text that settles it, and only those classes are excused.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import pytest
import toon_format
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values, primitives

from toon_hooks import ToonDecodeError, decode

pytestmark = pytest.mark.usefixtures("codec_path")

DELIMITERS = (",", "\t", "|")
INDENTS = (1, 2, 4)


def typed(value: Any) -> Any:
    """Return `value` in a form whose equality also tells bools and null from numbers and checks key order."""
    if isinstance(value, bool) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, dict):
        return ("object", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("array", [typed(item) for item in value])
    return value


def outcome(decoder: Callable[..., Any], text: str, indent_size: int) -> tuple[str, Any]:
    """Return ("value", typed value) or ("error", None); any exception but a decode error fails the test."""
    try:
        return "value", typed(decoder(text, indent_size=indent_size))
    except (ToonDecodeError, toon_format.ToonDecodeError):
        return "error", None


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(), st.sampled_from(DELIMITERS), st.sampled_from(INDENTS))
def test_valid_documents_decode_like_toon_format(value: Any, delimiter: str, indent: int) -> None:
    text = toon_format.encode(value, delimiter=delimiter, indent_size=indent)
    assert outcome(decode, text, indent) == outcome(toon_format.decode, text, indent)


_NUMBER_LIKE = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["2024-01-05", "1.2.3", "-", "-x", "0", "-0", "007", "1e5", "12:30", "1_000"]),
)
"""Cells that start like numbers: what long tables decode column by column, on the fast paths."""


@st.composite
def long_tables(draw: st.DrawFn) -> dict[str, Any]:
    """Return an object holding a table long enough to be decoded column by column."""
    columns = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True))
    kinds = {name: draw(st.sampled_from([_NUMBER_LIKE, primitives()])) for name in columns}
    rows = draw(st.lists(st.fixed_dictionaries({name: kinds[name] for name in columns}), min_size=8, max_size=40))
    return {"rows": rows}


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_tables(), st.sampled_from(DELIMITERS))
def test_long_tables_decode_like_toon_format(value: Any, delimiter: str) -> None:
    text = toon_format.encode(value, delimiter=delimiter)
    assert outcome(decode, text, 2) == outcome(toon_format.decode, text, 2)


# --- mutations of valid documents -------------------------------------------------------------------------

Mutation = Callable[[list[str], random.Random], "list[str] | None"]
_COUNT = re.compile(r"\[(\d+)")


def _pick(lines: list[str], rng: random.Random, wanted: Callable[[str], Any]) -> int | None:
    """Return the index of a random line for which `wanted` holds, or None."""
    candidates = [index for index, line in enumerate(lines) if wanted(line)]
    return rng.choice(candidates) if candidates else None


def _edit(lines: list[str], index: int | None, line: str) -> list[str] | None:
    return None if index is None else [*lines[:index], line, *lines[index + 1 :]]


def change_count(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, _COUNT.search)
    if index is None:
        return None
    step = rng.choice((-1, 1))
    return _edit(lines, index, _COUNT.sub(lambda m: f"[{max(0, int(m.group(1)) + step)}", lines[index], count=1))


def drop_line(lines: list[str], rng: random.Random) -> list[str] | None:
    index = rng.randrange(len(lines))
    return [*lines[:index], *lines[index + 1 :]] if len(lines) > 1 else None


def duplicate_line(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    return [*lines[: index + 1], *lines[index:]]


def shift_indentation(lines: list[str], rng: random.Random) -> list[str] | None:
    index = rng.randrange(len(lines))
    line = lines[index]
    return _edit(lines, index, line[1:] if line.startswith(" ") and rng.random() < 0.5 else " " + line)


def insert_blank_line(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines) + 1)
    return [*lines[:index], " " * rng.randrange(3), *lines[index:]]


def drop_quote(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, lambda line: '"' in line)
    if index is None:
        return None
    line = lines[index]
    at = rng.choice([m.start() for m in re.finditer('"', line)])
    return _edit(lines, index, line[:at] + line[at + 1 :])


def break_escape(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, lambda line: '"' in line)
    if index is None:
        return None
    line = lines[index]
    at = line.index('"') + 1
    return _edit(lines, index, line[:at] + rng.choice(("\\x", "\\u12", "\\uD800", "\\")) + line[at:])


def tab_indentation(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, lambda line: line.startswith(" "))
    return None if index is None else _edit(lines, index, "\t" + lines[index].lstrip(" "))


def duplicate_field(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, re.compile(r"\{[^{},|\t]+[},|\t]").search)
    if index is None:
        return None
    return _edit(lines, index, re.sub(r"\{([^{},|\t]+)", r"{\1,\1", lines[index], count=1))


def drop_colon(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, lambda line: ":" in line)
    if index is None:
        return None
    line = lines[index]
    return _edit(lines, index, line.replace(":", "", 1))


def break_bracket(lines: list[str], rng: random.Random) -> list[str] | None:
    index = _pick(lines, rng, re.compile(r"\[\d").search)
    if index is None:
        return None
    junk = rng.choice(("0", "-", " ", "+", ""))
    return _edit(lines, index, re.sub(r"\[(\d)", lambda m: f"[{junk}{m.group(1)}", lines[index], count=1))


def add_trailing_line(lines: list[str], rng: random.Random) -> list[str]:
    return [*lines, rng.choice(("junk: 1", "x", "[1]: a", "  y: 2", "- z"))]


def insert_comment(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines) + 1)
    return [*lines[:index], " " * rng.randrange(5) + "# note", *lines[index:]]


def unkey_header(lines: list[str], rng: random.Random) -> list[str] | None:
    """Put text that is no §6 key before a header's bracket (`a-x[`, `a [`, `aé[`)."""
    index = _pick(lines, rng, re.compile(r"[A-Za-z_]\[").search)
    if index is None:
        return None
    junk = rng.choice(("-x", " ", "é"))
    return _edit(lines, index, re.sub(r"([A-Za-z_])\[", lambda m: f"{m.group(1)}{junk}[", lines[index], count=1))


def pad_header(lines: list[str], rng: random.Random) -> list[str] | None:
    """Append whitespace or text after a header's colon."""
    index = _pick(lines, rng, lambda line: line.endswith(":"))
    return None if index is None else _edit(lines, index, lines[index] + rng.choice(("\t", " ", "\t ", " x")))


MUTATIONS: tuple[Mutation, ...] = (
    change_count, drop_line, duplicate_line, shift_indentation, insert_blank_line, drop_quote, break_escape,
    tab_indentation, duplicate_field, drop_colon, break_bracket, add_trailing_line, insert_comment,
    unkey_header, pad_header,
)


# --- the disagreement classes, each settled by the spec ------------------------------------------------------

_UNQUOTED_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_HEADER_PREFIX = re.compile(r'^ *(?:- )?([^\[:"\n][^\[:\n]*)\[\d+:?[\t|]?\]', re.M)
_FIELDS_COLON_TAB = re.compile(r"\}:[ \t]*\t[ \t]*$", re.M)
_EMPTY_TABLE_FIELDS = re.compile(r"\[0:?([\t|]?)\]\{([^{}]*)\}")


def non_key_before_bracket(text: str) -> bool:
    """A line has text before its `[` that is no §6 key (e.g. `a-x[2]:`, `a [2]:`, `aé[2]:`).

    toon_format reads such lines as headers, or rejects whitespace before the bracket. The spec reads them as
    key-value lines: §5.2 (3) makes a line a header only if it "matches the header or keyed-header grammar of
    §6", whose `key` is `unquoted-key / quoted-key` with `unquoted-key = (ALPHA / "_") *(ALPHA / DIGIT / "_" /
    ".")`; §5.2 (4) says such a line "falls through to this class (e.g., `foo [2]: bar`)".
    """
    return any(not _UNQUOTED_KEY.fullmatch(match.group(1)) for match in _HEADER_PREFIX.finditer(text))


def tab_after_fields_colon(text: str) -> bool:
    """A fields-bearing header's colon is followed by whitespace that includes a tab.

    toon_format rejects it; §6 and §14.2 reject only "non-whitespace content after its colon", and §7.2
    names the whitespace characters: "leading or trailing whitespace (U+0020 or U+0009)".
    """
    return bool(_FIELDS_COLON_TAB.search(text))


def duplicate_fields_without_rows(text: str) -> bool:
    """A header with duplicate field names declares zero rows.

    toon_format rejects the header itself; §9.3 says "Duplicate field names within the same brace group
    produce duplicate sibling keys in every decoded element; §14.3 governs" — with no element there is no
    duplicate key, so the decoder rejects duplicates from the first row on.
    """
    for match in _EMPTY_TABLE_FIELDS.finditer(text):
        names = match.group(2).split(match.group(1) or ",")
        if len(set(names)) < len(names):
            return True
    return False


_FIELDS = re.compile(r"\{([^\n]*)\}:[ \t]*$", re.M)


def quote_inside_field_name(text: str) -> bool:
    """A field of a header's fields segment has a `"` after its first character (`{id,x-y",z}`).

    toon_format keeps the quote as part of an unquoted name. §6 lists fields as `key`s, each `unquoted-key /
    quoted-key`: a quote can only open a quoted key at the start of a field, so the segment is malformed and
    the header is rejected ("unexpected '\"' in the fields segment").
    """
    return any(re.search(r'[^{,|\t]"', match.group(1)) for match in _FIELDS.finditer(text))


EXCUSED = (non_key_before_bracket, tab_after_fields_colon, duplicate_fields_without_rows, quote_inside_field_name)


@settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(
    json_values(),
    st.sampled_from(DELIMITERS),
    st.sampled_from(INDENTS[1:]),
    st.sampled_from(MUTATIONS),
    st.randoms(use_true_random=False),
)
def test_invalid_documents_rejected_like_toon_format(
    value: Any, delimiter: str, indent: int, mutation: Mutation, rng: random.Random
) -> None:
    lines = toon_format.encode(value, delimiter=delimiter, indent_size=indent).split("\n")
    mutated = mutation(lines, rng)
    if mutated is None:
        return
    text = "\n".join(mutated)
    ours, theirs = outcome(decode, text, indent), outcome(toon_format.decode, text, indent)
    if ours != theirs and any(excused(text) for excused in EXCUSED):
        return
    assert ours == theirs


@pytest.mark.parametrize(
    ("text", "ours", "theirs"),
    [
        ("foo [2]: bar", {"foo [2]": "bar"}, None),
        ("foo-bar[2]: a,b", {"foo-bar[2]": "a,b"}, {"foo-bar": ["a", "b"]}),
        ("t[1]{a}:\t\n  1", {"t": [{"a": 1}]}, None),
        ("t[0]{a,a}:", {"t": []}, None),
    ],
    ids=["space-before-bracket", "hyphen-key-header", "tab-after-fields-colon", "duplicate-fields-no-rows"],
)
def test_disagreement_classes(text: str, ours: Any, theirs: Any) -> None:
    """Pin each disagreement class: our value (the spec's reading) and toon_format's (None: it rejects)."""
    assert decode(text) == ours
    assert outcome(toon_format.decode, text, 2) == (("error", None) if theirs is None else ("value", typed(theirs)))
    assert any(excused(text) for excused in EXCUSED)
