"""The compiled encoder (`_cencoder`) against the pure-Python reference: byte-identical text, or NotImplemented.

The compiled encoder takes the JSON model with exact types only and answers NotImplemented for anything else,
which `toon_hooks.toon.encode` then hands to the pure encoder; these tests check both halves of that contract.
"""
from __future__ import annotations

import collections
import decimal
import gc
import math
import struct
import tracemalloc
from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import FLOAT_EDGES, TRICKY_KEYS, TRICKY_STRINGS, json_values, keys, primitives, strings

from toon_hooks import toon
from toon_hooks.toon import accelerator
from toon_hooks.toon.encoder import MAX_DEPTH
from toon_hooks.toon.encoder import encode as pure_encode

c_encode = accelerator.c_encode
pytestmark = pytest.mark.skipif(
    c_encode is None, reason="compiled encoder not built (no C compiler at install, or TOON_HOOKS_PURE is set)"
)

DELIMITERS = st.sampled_from([",", "\t", "|"])
INDENTS = st.integers(1, 4)
NASTY = "\"\\,|\t:#-[]{} \n\r\x00\x01\x1f\x7fe+.0123456789aZ_éü你🚀\ufeff\u2028"


def nasty_strings() -> st.SearchStrategy[str]:
    """Strings biased to every quoting rule: the shared tricky ones plus random text of special characters."""
    return st.one_of(strings(), st.text(st.sampled_from(NASTY), max_size=10), st.sampled_from(["-", "#", "", " "]))


def nasty_keys() -> st.SearchStrategy[str]:
    return st.one_of(keys(), st.text(st.sampled_from(NASTY), max_size=6))


def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        primitives(),
        nasty_strings(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**200), 2**200),
    )


def values() -> st.SearchStrategy[Any]:
    """JSON-model values: the shared tabular-biased ones, and free-form nests of nasty scalars and keys."""
    free = st.recursive(
        scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(nasty_keys(), children, max_size=5)
        ),
        max_leaves=25,
    )
    return st.one_of(json_values(), free)


def assert_same(value: Any, delimiter: str = ",", indent: int = 2) -> None:
    """The compiled text equals the pure text (the compiled encoder must not decline a JSON-model value)."""
    expected = pure_encode(value, delimiter=delimiter, indent_size=indent)
    got = c_encode(value, delimiter, indent)
    assert got is not NotImplemented, "declined a JSON-model value"
    assert got == expected


@settings(max_examples=examples(500), deadline=None)  # the ASan fuzz in .ci/run compares thousands more values
@given(values(), DELIMITERS, INDENTS)
def test_same_text_as_the_pure_encoder(value: Any, delimiter: str, indent: int) -> None:
    assert_same(value, delimiter, indent)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": scalars(), "b": scalars()}), min_size=1, max_size=12), DELIMITERS)
def test_tables_short_and_long(rows: list[dict[str, Any]], delimiter: str) -> None:
    assert_same({"t": rows}, delimiter)
    assert_same(rows, delimiter)
    assert_same({f"k{i}": row for i, row in enumerate(rows)}, delimiter)


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(nasty_strings(), st.text()), nasty_keys(), DELIMITERS)
def test_strings_and_keys(text: str, key: str, delimiter: str) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text + key):
        return  # lone surrogates: see test_declined_values_fall_back
    for value in (text, [text], {key: text}, {key: [text, text]}, [{key: text}, {key: text}], [[text]]):
        assert_same(value, delimiter)


@pytest.mark.parametrize("text", TRICKY_STRINGS + TRICKY_KEYS + ("\ufeff", "\ufeffx", "x\ufeff", "é", "a" * 5000))
@pytest.mark.parametrize("delimiter", [",", "\t", "|"])
def test_tricky_strings(text: str, delimiter: str) -> None:
    for value in (text, {text: text}, [text, "x"], {"k": [{text: text, "b": 1}, {text: 2, "b": text}]}):
        assert_same(value, delimiter)


@settings(max_examples=examples(1000), deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats(number: float) -> None:
    assert_same([number, -number])


@pytest.mark.parametrize(
    "number",
    [
        *FLOAT_EDGES, 1e-4, 9.99999e-5, 1e-6, 1.5e-6, 1.23e-7, 1e20, 9.999999999999999e20, 2.0**63, 2.0**64, 1.8e19,
        9.2e18, 9.3e18, 123456789012345678.0, 0.1 + 0.2, 1e16 - 2, math.pi * 1e15, math.nan, math.inf, -math.inf,
        5e-324, -5e-324, 2.2250738585072014e-308,
    ],
)
def test_float_edges(number: float) -> None:
    assert_same({"x": number, "y": [number, -number]})


@pytest.mark.parametrize(
    "number", [0, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**64, 10**100, -(10**200), 10**4299, True, False]
)
def test_ints(number: int) -> None:
    assert_same({"n": number, "l": [number]})


def test_ints_past_the_digit_limit() -> None:
    """An int CPython will not print (4,300+ digits by default) is declined, and the pure encoder prints it."""
    value = {"n": [10**5000 + 7, 1]}
    expected = pure_encode(value)
    assert c_encode(value, ",", 2) in (NotImplemented, expected)  # (printed when the process lifted the limit)
    assert toon.encode(value) == expected


def test_root_forms() -> None:
    for value in ({}, [], "", "x", "\ufeffbom", 0, 1.5, None, True, [[]], [{}], {"a": {}}, {"a": []}, [1, [2]]):
        for delimiter in (",", "\t", "|"):
            assert_same(value, delimiter)


def test_forms_by_place() -> None:
    cases = [
        [[], [[]], {}, {"a": []}, [{}], {"x": [[], {}]}],
        {"k": {"a": {"x": 1}, "b": {"x": 2}}, "l": [{"t": [{"a": 1}, {"a": 2}], "z": 1}]},
        [{"t": {"a": {"x": 1}, "b": {"x": 2}}, "z": [1, 2]}, {"t": 1}],
        {"a": {"p": {"q": 1, "r": {"s": 2}}, "o": {"r": {"s": 3}, "q": 4}}},
        {"a": [{"p": {"q": 1}}, {"p": {"q": 2}}], "b": [{"p": {}}, {"p": {}}], "c": [{"p": 1}, {"p": {"q": 1}}]},
        [{"a": [1]}, {"a": [2]}],
        {"a": {"x": {"y": [1]}, "z": {"y": [2]}}},
        {"a": {"x": 1, "y": {"z": 1}}},
        [{"a": 1, "b": 2}, {"b": 3, "a": 4}] * 5,
        {"percent%s": [{"a": 1}, {"a": 2}]},
    ]
    for value in cases:
        for delimiter in (",", "\t", "|"):
            for indent in (1, 2, 4):
                assert_same(value, delimiter, indent)


def test_deep_but_allowed() -> None:
    value: Any = 1
    for index in range(150):
        value = {"k": value} if index % 2 else [value, 2]
    assert_same(value)


class _Str(str):
    pass


class _Int(int):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


def _cycle() -> list[Any]:
    loop: list[Any] = [1]
    loop.append(loop)
    return loop


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"k": value}
    return value


DECLINED = [
    (1, 2),
    {"a": (1, 2)},
    [_Str("x")],
    {"a": _Int(3)},
    _Dict(a=1),
    {1: "a", "b": 2},
    {"a": decimal.Decimal("1.50")},
    collections.OrderedDict(a=1),
    {"a": {1, 2}},
    [{"a": 1}, {"a": object()}],
    {"a": "lone \ud800 surrogate"},
    {"lone \udfff": 1},
    "\ufeff\ud800",
    _deep(250),  # beyond the compiled encoder's depth limit, within the pure one's
    _deep(MAX_DEPTH + 5),
    _cycle(),
]


@pytest.mark.parametrize("value", DECLINED, ids=lambda v: type(v).__name__)
def test_declined_values_fall_back(value: Any) -> None:
    assert c_encode(value, ",", 2) is NotImplemented
    try:
        expected: Any = pure_encode(value)
    except (TypeError, ValueError) as exc:
        expected = exc
    try:
        got: Any = toon.encode(value)
    except (TypeError, ValueError) as exc:
        got = exc
    if isinstance(expected, Exception):
        assert type(got) is type(expected) and str(got) == str(expected)
    else:
        assert got == expected


@pytest.mark.parametrize("name, delimiter", [("comma", ","), ("tab", "\t"), ("pipe", "|")])
def test_delimiter_names(name: str, delimiter: str) -> None:
    value = {"a": [1, "x,y|z\tw"], "t": [{"p": 1, "q": "r"}, {"p": 2, "q": "s"}]}
    assert c_encode(value, name, 2) == pure_encode(value, delimiter=delimiter) == pure_encode(value, delimiter=name)


@pytest.mark.parametrize(
    "delimiter, indent",
    [(";", 2), ("Comma", 2), ("", 2), (",,", 2), ("co\x00ma", 2), (",", 0), (",", -1), (",", True), (",", 2.0),
     (1, 2), (",", 2**70), (",", 10_000)],
)
def test_declined_options_fall_back(delimiter: Any, indent: Any) -> None:
    assert c_encode({"a": 1}, delimiter, indent) is NotImplemented
    try:
        expected: Any = pure_encode({"a": 1}, delimiter=delimiter, indent_size=indent)
    except Exception as exc:  # noqa: BLE001 - whatever the pure encoder raises, the public one must raise too
        expected = type(exc)
    try:
        got: Any = toon.encode({"a": 1}, delimiter=delimiter, indent_size=indent)
    except Exception as exc:  # noqa: BLE001 - compared with the pure encoder's exception type below
        got = type(exc)
    assert got == expected


def test_wrong_argument_count() -> None:
    with pytest.raises(TypeError):
        c_encode({"a": 1})  # type: ignore[misc]


def test_no_leak() -> None:
    """Repeated encodes, declines included, leave no memory behind."""
    samples = [
        {"t": [{"a": 1, "b": {"c": "x,y"}}] * 20, "k": {"p": {"q": 1.5}, "r": {"q": 2**70}}, "s": "é" * 10},
        [{"a": 1}, {"a": (1,)}],
        {"a": "\ud800"},
        _cycle(),
    ]

    def run() -> None:
        for _ in range(300):
            for sample in samples:
                c_encode(sample, "|", 3)

    run()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    run()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 64 * 1024


def test_memory_errors_propagate() -> None:
    """Every allocation failing in turn gives the right text or MemoryError: never a crash or a wrong answer."""
    testcapi = pytest.importorskip("_testcapi")
    if not hasattr(testcapi, "set_nomemory"):
        pytest.skip("_testcapi.set_nomemory is not available")
    value = {
        "t": [{"a": i, "b": {"c": "x,y", "d": 1.5}} for i in range(20)],
        "k": {"p": {"q": 1.5}, "r": {"q": 2**70}},
        "s": "é" * 10,
        "l": [[1, 2], {"x": [3]}, 'q"', 1e300, 2**100, 1e19],
    }
    expected = pure_encode(value)
    for start in range(60):
        testcapi.set_nomemory(start, 0)
        try:
            got = c_encode(value, ",", 2)
        except MemoryError:
            continue
        finally:
            testcapi.remove_mem_hooks()
        assert got == expected


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(
    st.builds(round, st.floats(-1e7, 1e7), st.integers(0, 17)),
    st.builds(lambda m, e: float(f"{m}e{e}"), st.integers(1, 10**17), st.integers(-30, 10)),
    st.floats(width=32),
), min_size=1, max_size=50))
def test_short_decimal_floats(numbers: list[float]) -> None:
    """Floats with few digits take the compiled fast path: it must agree with repr-based formatting."""
    assert_same(numbers)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=200))
def test_floats_from_bit_patterns(patterns: list[int]) -> None:
    """Any binary64 (subnormals, huge, NaN payloads): the compiled shortest digits are repr's."""
    assert_same([struct.unpack("<d", struct.pack("<Q", bits))[0] for bits in patterns])
