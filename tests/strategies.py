"""Hypothesis strategies for JSON-model values that stress a TOON codec, and JSON-model equality (§2)."""
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

TRICKY_STRINGS = (
    "", " ", "  ", " lead", "trail ", "\tx", "true", "false", "null", "True", "NULL", "42", "-3.14", "05", "+1",
    "1e-6", "1E+3", "0.0", "-0", ".5", "1.", "1_000", "0x1F", "Infinity", "NaN", "-", "- item", "-x", "#", "#tag",
    "a#b", "a,b", "a|b", "a\tb", "a:b", "key: value", "[3]", "[]", "{}", "{x}", "a[0]", 'say "hi"', "C:\\path",
    "line\nbreak", "cr\rlf", "nul\x00", "\x1f", "\x7f", "café", "你好", "🚀 launch", "a\u00a0", "\u2028",
    "- [2]: 1,2", "x,y|z\tw",
)
"""Strings that must (or, subtly, need not) be quoted under §7.2 with each delimiter."""

TRICKY_KEYS = (
    "id", "name", "a.b", "_x", "A9", "x-y", "full name", "1", "9a", "", " a ", "a:b", "#c", "-d", "[e]", "{f}",
    'q"t', "back\\slash", "tab\tkey", "new\nline", "ünï", "true", "null", "__proto__", "a,b", "p|q", "é",
)
"""Keys that are bare or must be quoted under §7.3."""

_SPECIAL = ",|\t:#-[]{}\"\\ \n\r\x00\x01\x1fe+.0123456789éü你🚀"

FLOAT_EDGES = (
    0.0, -0.0, 1.0, -1.5, 0.1, 1 / 3, 1e-6, 9.999999999999999e-7, 1e-7, -2.5e-10, 1e-5, 1e15, 1e16, 1.5e20,
    1e21, 1e22, 1.7976931348623157e308, 5e-324, 123456789.125, 2.0**53, 1e100,
)
"""Floats on both sides of the §2 canonical range and at the limits of binary64."""


def strings() -> st.SearchStrategy[str]:
    """Return strings biased towards quoting edge cases."""
    return st.one_of(
        st.sampled_from(TRICKY_STRINGS),
        st.text(st.sampled_from(_SPECIAL), max_size=6),
        st.text(max_size=8),
    )


def keys() -> st.SearchStrategy[str]:
    """Return object keys, some of which need quoting."""
    return st.one_of(st.sampled_from(TRICKY_KEYS), st.text(st.sampled_from(_SPECIAL + "abcXYZ_"), max_size=5))


def numbers() -> st.SearchStrategy[int | float]:
    """Return ints (small and beyond 64 bits) and finite floats (tiny, huge, -0.0)."""
    return st.one_of(
        st.integers(-1000, 1000),
        st.integers(-(2**80), 2**80),
        st.sampled_from(FLOAT_EDGES),
        st.floats(allow_nan=False, allow_infinity=False),
    )


def primitives() -> st.SearchStrategy[Any]:
    """Return JSON primitives."""
    return st.one_of(st.none(), st.booleans(), numbers(), strings())


_Shape = dict[str, Any]
"""A record shape: key → None (a primitive column) or a nested shape (a nested field group)."""


def _shapes(depth: int = 2) -> st.SearchStrategy[_Shape]:
    child = st.none() if depth == 0 else st.one_of(st.none(), st.none(), _shapes(depth - 1))
    return st.dictionaries(keys(), child, min_size=1, max_size=4)


@st.composite
def _record(draw: st.DrawFn, shape: _Shape) -> dict[str, Any]:
    """Fill `shape` with primitives, in a key order that may differ from the shape's (§9.3 allows it)."""
    order = draw(st.permutations(list(shape)))
    return {k: draw(primitives()) if shape[k] is None else draw(_record(shape[k])) for k in order}


@st.composite
def uniform_records(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> list[dict[str, Any]]:
    """Return objects sharing one shape (tabular, with nested field groups), sometimes with one cell broken."""
    shape = draw(_shapes())
    rows = draw(st.lists(_record(shape), min_size=1, max_size=5))
    if draw(st.integers(0, 3)) == 0:
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(list(row)))] = draw(children)
    return rows


@st.composite
def keyed_objects(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> dict[str, Any]:
    """Return objects whose values share one shape (keyed tabular, §9.5), sometimes with one cell broken."""
    rows = draw(uniform_records(children))
    names = draw(st.lists(keys(), min_size=len(rows), max_size=len(rows), unique=True))
    return dict(zip(names, rows, strict=True))


@st.composite
def list_items_opening_with_tables(draw: st.DrawFn, children: st.SearchStrategy[Any]) -> list[Any]:
    """Return a list whose first item is an object opening with a tabular or keyed field (§10), the rest mixed."""
    key = draw(keys())
    table = draw(st.one_of(uniform_records(children), keyed_objects(children)))
    rest = draw(st.dictionaries(keys(), children, max_size=3))
    first = {key: table, **{k: v for k, v in rest.items() if k != key}}
    return [first, *draw(st.lists(children, min_size=1, max_size=2))]


def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """Return JSON-model values: primitives, arrays and objects, biased towards TOON's tabular forms."""

    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(keys(), children, max_size=5),
            uniform_records(children),
            keyed_objects(children),
            list_items_opening_with_tables(children),
            st.lists(st.lists(primitives(), max_size=3), max_size=3),
        )

    return st.recursive(primitives(), extend, max_leaves=max_leaves)


def json_model_equal(expected: Any, actual: Any) -> bool:
    """Return whether two values are equal in the JSON model of §2.

    Numbers compare by value (-0 equals 0, 1.0 equals 1; bools are not numbers). Key order must match, except
    that elements of an array of same-keyed objects and entry values of an object of same-keyed objects may
    follow the first element's (first entry value's) key order, recursively: that is the header order a
    tabular (§9.3) or keyed tabular (§9.5) form gives them.
    """
    return _equal(expected, actual, ())


def _equal(expected: Any, actual: Any, templates: tuple[Any, ...]) -> bool:
    """Compare; `templates` are objects whose key order `actual` may follow instead of `expected`'s own."""
    if _is_number(expected) or _is_number(actual):
        return _is_number(expected) and _is_number(actual) and _number_equal(expected, actual)
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, list):
        first = _uniform_first(expected)
        inner = (first,) if first is not None else ()
        return len(expected) == len(actual) and all(_equal(e, a, inner) for e, a in zip(expected, actual, strict=True))
    if isinstance(expected, dict):
        alike = [t for t in templates if isinstance(t, dict) and t.keys() == expected.keys()]
        if list(actual) != list(expected) and all(list(actual) != list(t) for t in alike):
            return False
        entry_first = _uniform_first(list(expected.values())) if len(expected) >= 2 else None
        keyed = (entry_first,) if entry_first is not None else ()
        return all(_equal(v, actual[k], (*(t[k] for t in alike), *keyed)) for k, v in expected.items())
    return bool(expected == actual)


def _uniform_first(values: list[Any]) -> dict[str, Any] | None:
    """Return the first value when all are objects with one key set (a candidate for a tabular form)."""
    if values and all(isinstance(v, dict) for v in values) and all(v.keys() == values[0].keys() for v in values):
        return values[0]  # type: ignore[no-any-return]
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_equal(expected: int | float, actual: int | float) -> bool:
    if isinstance(expected, float) and isinstance(actual, int):
        return float(actual) == expected  # a float emitted without exponent may decode as an int: same binary64
    return bool(expected == actual)
