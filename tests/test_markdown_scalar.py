"""Scalars in Markdown slots: canonical numbers, typing, quoting, unique keys and the raw-text fast path."""
from __future__ import annotations

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import numbers

import toon_hooks
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.scalar import (
    ALERT,
    BULLET,
    CELL,
    CONTAINER,
    DEEP_HEADING,
    HEADER,
    HEADING,
    ORDERED,
    ORDERED_TASK,
    QUOTE,
    SECTION,
    TASK,
    is_clean,
    is_plain,
    number_text,
    parse_scalar,
    quote_string,
    same,
    shown_key,
    unique_key,
    unquote_string,
)
from toon_hooks.formats.markdown.slots import probe

ALL_SLOTS = (SECTION, CONTAINER, QUOTE, ALERT, BULLET, ORDERED, TASK, ORDERED_TASK, CELL, HEADER, HEADING, DEEP_HEADING)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),  # §2: -0 normalises to 0
        (1.0, "1"),  # §2: a zero fraction is written as an integer
        (-2.5, "-2.5"),
        (1e6, "1000000"),  # §2: no exponent inside [1e-6, 1e21)
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),  # below the range: exponent with an explicit sign
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (2**70, "1180591620717411303424"),  # ints stay exact
    ],
)
def test_number_text_is_the_canonical_toon_form(number: float, text: str) -> None:
    assert number_text(number) == text


@settings(max_examples=examples(200), deadline=None)
@given(numbers())
def test_numbers_are_written_as_the_toon_codec_writes_them(number: float) -> None:
    assert number_text(number) == toon_hooks.encode(number)


@settings(max_examples=examples(200), deadline=None)
@given(numbers())
def test_canonical_number_text_types_back_to_the_number(number: float) -> None:
    value = parse_scalar(number_text(number))
    assert not isinstance(value, (str, bool)) and value == number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-3.5", -3.5),
        ("1e-7", 1e-7),
        ("true", True),
        ("false", False),
        ("null", None),
        # Non-canonical spellings keep their text, so typing never rewrites what a person wrote.
        ("05", "05"),
        ("1.0", "1.0"),
        ("1.50", "1.50"),
        ("1E3", "1E3"),
        ("-0", "-0"),
        ("+1", "+1"),
        (".5", ".5"),
        ("True", "True"),
        ("NaN", "NaN"),
        ("1" * 5000, "1" * 5000),  # beyond Python's int conversion limit: stays text instead of failing
    ],
)
def test_parse_scalar_types_only_canonical_toon_tokens(text: str, value: object) -> None:
    assert same(parse_scalar(text), value)


@settings(max_examples=examples(300), deadline=None)
@given(st.text())
def test_quote_is_one_code_span_that_unquotes_to_the_text(text: str) -> None:
    quoted = quote_string(text)
    assert quoted.startswith("`") and quoted.endswith("`") and quoted.count("`") == 2
    assert "|" not in quoted and "\n" not in quoted and "\r" not in quoted
    assert unquote_string(quoted[1:-1]) == text


@pytest.mark.parametrize("code", ["abc", "42", '"unterminated', '["a"]', '"\\q"'])
def test_unquote_rejects_code_that_is_not_a_json_string(code: str) -> None:
    assert unquote_string(code) is None


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.sampled_from(["A", "B", "A #2", "A #3", "A #2 #2", "B #1", "A #02", ""]), max_size=8))
def test_shown_key_inverts_unique_key(names: list[str]) -> None:
    """The reader makes sibling keys unique; writing the shown text of each key makes the reader rebuild it."""
    keys: list[str] = []
    for name in names:
        keys.append(unique_key(name, keys))
    rebuilt: list[str] = []
    for key in keys:
        rebuilt.append(unique_key(shown_key(key, rebuilt), rebuilt))
    assert rebuilt == keys


def test_unique_key_numbers_duplicates_from_two() -> None:
    assert unique_key("Notes", []) == "Notes"
    assert unique_key("Notes", ["Notes"]) == "Notes #2"
    assert unique_key("Notes", ["Notes", "Notes #2"]) == "Notes #3"


def test_is_clean_rejects_what_hooks_or_the_parser_would_change() -> None:
    assert is_clean(["a", "", "\tindented", "nbsp at end\u00a0"])  # the hook strips ASCII whitespace only
    for bad in ("trailing ", "tab\t", "cr\r", "nul\0", "form feed\x0c"):
        assert not is_clean([bad])


plain_texts = st.text(
    st.characters(categories=("L", "Nd"), include_characters=" .,;:!?'\"()/%+=@-_*&~$^{}<>"), min_size=1
).filter(is_plain)


@settings(max_examples=examples(60), deadline=None)
@given(plain_texts)
def test_plain_fast_path_is_sound_in_every_slot(text: str) -> None:
    """What the fast path accepts without parsing, the full write-read probe accepts too."""
    assert all(probe(text, slot, markdown_to_data) for slot in ALL_SLOTS)


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("42", SECTION),  # would be typed as a number
        ("true", CELL),
        ("", SECTION),  # an empty section reads as {}
        ("# title", SECTION),  # would start a section
        ("- item", BULLET),
        ("[x] done", BULLET),  # would become a task item
        ("[!NOTE]", QUOTE),  # would become an alert
        ("two\nlines", CELL),
        ("trailing ", CONTAINER),
        ("ends with #", HEADING),  # a closing heading sequence is not part of the text
        ("two\nlines", DEEP_HEADING),  # levels 3-6 have no setext form
        ("[a]: /url", SECTION),  # a link reference definition, not a paragraph
        ("    code", SECTION),
    ],
)
def test_probe_rejects_text_that_reads_back_differently(text: str, slot: str) -> None:
    assert not probe(text, slot, markdown_to_data)


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("**bold** and `code`", SECTION),
        ("a | b", CELL),  # written as a \\| b
        ("first\nsecond", SECTION),  # a soft line break
        ("one\n\ntwo", SECTION),  # two paragraphs are one prose string
        ("true", HEADING),  # keys are never typed
        ("two\nlines", HEADING),  # a setext heading at levels 1 and 2
        ("", BULLET),  # an empty list item
        ("# heading inside", QUOTE),  # headings inside containers are prose
    ],
)
def test_probe_accepts_markdown_that_reads_back_as_written(text: str, slot: str) -> None:
    assert probe(text, slot, markdown_to_data)


def test_same_tells_booleans_from_numbers_and_checks_key_order() -> None:
    assert same({"a": 1, "b": [1.0]}, {"a": 1, "b": [1]})
    assert not same([True], [1])
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert not same([0], [False])
