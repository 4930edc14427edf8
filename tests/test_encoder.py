"""Unit tests of the TOON encoder: each construct of spec §2 and §7–§12, host types (§3), options and errors.

Expected documents are written from the spec text, not copied from any implementation's output.
"""
from __future__ import annotations

import collections
import datetime
import enum
import types
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest
import toon_format

from toon_hooks import decode, encode
from toon_hooks.toon.encoder import MAX_DEPTH
from toon_hooks.toon.quoting import encode_key, encode_string, format_float

pytestmark = pytest.mark.usefixtures("codec_path")


def lines(*rows: str) -> str:
    return "\n".join(rows)


# -- §2 numbers, booleans, null --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (-7, "-7"),
        (10**30, "1000000000000000000000000000000"),  # ints are exact at any size, never an exponent
        (-(2**70), "-1180591620717411303424"),
        (1.0, "1"),  # a zero fraction is dropped
        (-0.0, "0"),  # -0 is normalised
        (1.5, "1.5"),
        (0.1 + 0.2, "0.30000000000000004"),  # shortest digits that round-trip
        (1e-6, "0.000001"),  # the lower edge of the no-exponent range
        (1.5e-5, "0.000015"),
        (1e-7, "1e-7"),  # below it: lowercase e and an explicit sign, no padded exponent digits
        (-2.5e-10, "-2.5e-10"),
        (5e-324, "5e-324"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (123456789012345678e3, str(int(123456789012345678e3))),  # integral: every digit of the double's value
        (1e21, "1e+21"),  # the upper edge: exponent form from here on
        (1.5e300, "1.5e+300"),
        (float("nan"), "null"),
        (float("inf"), "null"),
        (float("-inf"), "null"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
    ],
)
def test_numbers_and_literals(value: Any, expected: str) -> None:
    assert encode(value) == expected
    assert encode({"v": value}) == f"v: {expected}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.50", "1.5"),
        ("1E+2", "100"),
        ("-0.000", "0"),
        ("0.0000001", "1e-7"),
        ("1.2345678901234567890123", "1.2345678901234567890123"),  # exact, beyond a double's precision
        ("99999999999999999999.5", "99999999999999999999.5"),
        ("1E+30", "1e+30"),
        ("-123456789012345678901234", "-1.23456789012345678901234e+23"),
        ("NaN", "null"),
        ("sNaN", "null"),
        ("-Infinity", "null"),
    ],
)
def test_decimals_encode_their_exact_value(value: str, expected: str) -> None:
    assert encode([Decimal(value)]) == f"[1]: {expected}"


def test_format_float_never_emits_exponent_inside_canonical_range() -> None:
    for exponent in range(-6, 21):
        text = format_float(1.25 * 10.0**exponent)
        assert "e" not in text and float(text) == 1.25 * 10.0**exponent


# -- §7.1/§7.2 strings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello world", "hello world"),
        ("café 👋", "café 👋"),
        ("", '""'),
        (" lead", '" lead"'),
        ("trail ", '"trail "'),
        ("a\u00a0", "a\u00a0"),  # only U+0020 and HTAB count as surrounding whitespace
        ("true", '"true"'),
        ("null", '"null"'),
        ("True", "True"),  # literals are case-sensitive
        ("42", '"42"'),
        ("-3.14", '"-3.14"'),
        ("05", '"05"'),
        ("+1", '"+1"'),
        ("1e-6", '"1e-6"'),
        ("1E+3", '"1E+3"'),
        (".5", ".5"),  # not numeric-like under the §7.2 pattern
        ("1.", "1."),
        ("0x1F", "0x1F"),
        ("\u0663", "\u0663"),  # ASCII digits only
        ("-", '"-"'),
        ("- item", '"- item"'),
        ("a-b", "a-b"),
        ("#", '"#"'),
        ("#tag", '"#tag"'),
        ("a#b", "a#b"),
        ("a:b", '"a:b"'),
        ("[3]", '"[3]"'),
        ("{x}", '"{x}"'),
        ("a]b", '"a]b"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("C:\\dir", '"C:\\\\dir"'),
        ("line\nbreak", '"line\\nbreak"'),
        ("cr\r", '"cr\\r"'),
        ("tab\tin", '"tab\\tin"'),
        ("\x00\x1f", '"\\u0000\\u001f"'),  # other C0 controls: lowercase \uXXXX
        ("\x7f", "\x7f"),  # DEL is not a C0 control
    ],
)
def test_string_quoting(text: str, expected: str) -> None:
    assert encode_string(text, ",") == expected
    assert encode(text) == expected
    assert encode({"k": text}) == f"k: {expected}"


@pytest.mark.parametrize(
    ("delimiter", "quoted", "bare"),
    [(",", "a,b", "a|b"), ("\t", "a\tb", "a,b"), ("|", "a|b", "a,b")],
)
def test_only_the_relevant_delimiter_forces_quotes(delimiter: str, quoted: str, bare: str) -> None:
    assert encode_string(bare, delimiter) == bare
    assert encode_string(quoted, delimiter).startswith('"')


def test_delimiter_scoping_in_documents() -> None:
    mark = "|"
    assert encode({"note": "a,b", "tags": ["a,b", "c|d"]}, delimiter="pipe") == lines(
        "note: a,b", f'tags[2{mark}]: a,b{mark}"c|d"'
    )
    assert encode({"note": "a,b"}) == 'note: "a,b"'
    assert encode({"rows": [{"x": "a,b"}, {"x": "c\td"}]}, delimiter="tab") == lines(
        "rows[2\t]{x}:", "  a,b", '  "c\\td"'
    )


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(ValueError, match="lone surrogate U\\+D83D"):
        encode({"k": "bad\ud83d"})
    with pytest.raises(ValueError, match="lone surrogate"):
        encode({"bad\udc00": 1})


# -- §7.3 keys -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("id", "id"),
        ("a.b", "a.b"),
        ("_x9", "_x9"),
        ("__proto__", "__proto__"),
        ("9a", '"9a"'),
        ("a-b", '"a-b"'),
        ("full name", '"full name"'),
        ("", '""'),
        ("é", '"é"'),
        ("tab\tkey", '"tab\\tkey"'),
        ('q"t', '"q\\"t"'),
    ],
)
def test_key_quoting(key: str, expected: str) -> None:
    assert encode_key(key) == expected
    assert encode({key: 1}) == f"{expected}: 1"
    assert encode({key: [1, 2]}) == f"{expected}[2]: 1,2"


# -- §8 objects, §5 root forms ---------------------------------------------------------------------------------


def test_objects_keep_key_order_and_nest() -> None:
    value = {"z": 1, "a": {"b": {"c": "deep"}, "e": {}}, "m": None}
    assert encode(value) == lines("z: 1", "a:", "  b:", "    c: deep", "  e:", "m: null")


def test_root_forms() -> None:
    assert encode({}) == ""
    assert encode([]) == "[]"
    assert encode("x") == "x"
    assert encode(["x", 1, True]) == "[3]: x,1,true"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\ufeffx", '"\ufeffx"'),  # a document starting with U+FEFF would lose it to the decoder's BOM strip
        ("\ufeff", '"\ufeff"'),
        ({"a": "\ufeffx"}, "a: \ufeffx"),  # elsewhere nothing strips it: §7.2 needs no quotes
        (["\ufeffx", "y"], "[2]: \ufeffx,y"),
        ({"\ufeffk": 1}, '"\ufeffk": 1'),  # a key is quoted anyway (§7.3)
    ],
)
def test_a_leading_byte_order_mark_is_quoted_only_where_a_decoder_strips_it(value: Any, expected: str) -> None:
    assert encode(value) == expected == toon_format.encode(value)
    assert decode(expected) == decode(expected.encode()) == value


@pytest.mark.parametrize("indent_size", [1, 4])
def test_indent_size(indent_size: int) -> None:
    pad = " " * indent_size
    value = {"a": {"b": [{"c": 1, "d": [1]}]}}
    assert encode(value, indent_size=indent_size) == lines(
        "a:", f"{pad}b[1]:", f"{pad * 2}- c: 1", f"{pad * 3}d[1]: 1"
    )


# -- §9 arrays -------------------------------------------------------------------------------------------------


def test_primitive_and_empty_arrays() -> None:
    assert encode({"tags": ["a", "", "b c"], "none": []}) == lines('tags[3]: a,"",b c', "none: []")
    assert encode({"t": ["x", "y"]}, delimiter="tab") == "t[2\t]: x\ty"


def test_arrays_of_arrays() -> None:
    value = {"pairs": [[1, 2], [], ["a,b"]]}
    assert encode(value) == lines("pairs[3]:", "  - [2]: 1,2", "  - [0]:", '  - [1]: "a,b"')
    assert encode(value, delimiter="|") == lines("pairs[3|]:", "  - [2|]: 1|2", "  - [0|]:", "  - [1|]: a,b")


def test_tabular_array_uses_first_objects_key_order() -> None:
    value = {"items": [{"sku": "A1", "qty": 2, "note": None}, {"note": "x:y", "qty": 1, "sku": "B2"}]}
    assert encode(value) == lines("items[2]{sku,qty,note}:", "  A1,2,null", '  B2,1,"x:y"')


def test_tabular_nested_field_groups() -> None:
    value = [
        {"id": 1, "who": {"name": "Ada", "geo": {"lat": 1.5, "lon": 2}}, "ok": True},
        {"ok": False, "who": {"geo": {"lon": 4, "lat": 3}, "name": "Bob"}, "id": 2},
    ]
    assert encode(value) == lines("[2]{id,who{name,geo{lat,lon}},ok}:", "  1,Ada,1.5,2,true", "  2,Bob,3,4,false")
    assert encode(value, delimiter="|").splitlines()[0] == "[2|]{id|who{name|geo{lat|lon}}|ok}:"


def test_large_tables_format_column_by_column_identically() -> None:
    rows = [{"n": i, "s": ["plain", "needs,quote", "", "true", "tab\t"][i % 5], "f": i / 4} for i in range(40)]
    text = encode({"rows": rows})
    expected_cells = {0: "plain", 1: '"needs,quote"', 2: '""', 3: '"true"', 4: '"tab\\t"'}
    assert text.splitlines()[1:6] == [f"  {i},{expected_cells[i]},{format_float(i / 4)}" for i in range(5)]
    assert len(text.splitlines()) == 41


@pytest.mark.parametrize(
    "rows",
    [
        [{"id": 1}, {"id": 2, "x": 3}],  # different key sets
        [{"id": 1}, {}],  # an empty object
        [{"id": 1, "m": {"a": 1}}, {"id": 2, "m": None}],  # a column mixing objects and a primitive
        [{"id": 1, "m": {"a": 1}}, {"id": 2, "m": {"b": 1}}],  # nested objects with different keys
        [{"id": 1, "m": {}}],  # a nested empty object
        [{"id": 1, "t": [1]}],  # an array value
    ],
)
def test_non_uniform_objects_use_list_items(rows: list[dict[str, Any]]) -> None:
    assert encode({"r": rows}).splitlines()[0] == f"r[{len(rows)}]:"


def test_list_items() -> None:
    value = {"items": [1, {"a": 1, "b": {"c": 2}}, "x", {}, [{"id": 1}, {"id": 2}], {"t": [1, 2], "u": 3}]}
    assert encode(value) == lines(
        "items[6]:",
        "  - 1",
        "  - a: 1",
        "    b:",
        "      c: 2",
        "  - x",
        "  -",
        "  - [2]:",  # no tabular form for an anonymous inner array (§9.4)
        "    - id: 1",
        "    - id: 2",
        "  - t[2]: 1,2",
        "    u: 3",
    )


def test_list_item_with_tabular_first_field() -> None:
    value = {"items": [{"users": [{"id": 1, "n": "A"}, {"id": 2, "n": "B"}], "status": "ok"}]}
    assert encode(value) == lines("items[1]:", "  - users[2]{id,n}:", "      1,A", "      2,B", "    status: ok")


def test_list_item_with_nested_first_field() -> None:
    value = [{"cfg": {"a": 1}, "m": [[1]], "z": 0}, {"m": [[1], [2, 3]]}]
    assert encode(value) == lines(
        "[2]:",
        "  - cfg:",
        "      a: 1",
        "    m[1]:",
        "      - [1]: 1",
        "    z: 0",
        "  - m[2]:",
        "      - [1]: 1",
        "      - [2]: 2,3",
    )


# -- §9.5 keyed tabular objects --------------------------------------------------------------------------------


def test_keyed_tabular_objects() -> None:
    servers = {"alpha": {"host": "a.io", "port": 80}, "my box": {"port": 81, "host": "b,io"}}
    assert encode({"servers": servers}) == lines(
        "servers[2:]{host,port}:", "  alpha: a.io,80", '  "my box": "b,io",81'
    )
    assert encode(servers, delimiter="|") == lines("[2:|]{host|port}:", "  alpha: a.io|80", '  "my box": b,io|81')


def test_keyed_form_with_nested_groups_and_as_first_list_item_field() -> None:
    value = {"items": [{"m": {"a": {"p": {"x": 1}}, "b": {"p": {"x": 2}}}, "s": 1}, {"s": 2}]}
    assert encode(value) == lines(
        "items[2]:", "  - m[2:]{p{x}}:", "      a: 1", "      b: 2", "    s: 1", "  - s: 2"
    )


@pytest.mark.parametrize(
    "obj",
    [
        {"only": {"a": 1}},  # a single entry
        {"a": {"x": 1}, "b": {"y": 1}},  # different key sets
        {"a": {"x": 1}, "b": 2},  # a primitive value
        {"a": {"x": [1]}, "b": {"x": [2]}},  # an array column
        {"a": {}, "b": {}},  # empty objects
    ],
)
def test_objects_failing_keyed_detection_stay_nested(obj: dict[str, Any]) -> None:
    assert encode({"m": obj}).splitlines()[0] == "m:"


def test_anonymous_array_elements_never_use_keyed_form() -> None:
    assert encode([{"a": {"x": 1}, "b": {"x": 2}}, 5]) == lines(
        "[2]:", "  - a:", "      x: 1", "    b:", "      x: 2", "  - 5"
    )


# -- options ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "symbol"), [("comma", ","), ("tab", "\t"), ("pipe", "|")])
def test_delimiter_names(name: str, symbol: str) -> None:
    value = {"t": ["a", "b"], "r": [{"x": 1, "y": 2}]}
    assert encode(value, delimiter=name) == encode(value, delimiter=symbol)


@pytest.mark.parametrize("delimiter", [";", "", " ", None, "\\t", ["|"]])
def test_bad_delimiter(delimiter: Any) -> None:
    with pytest.raises(ValueError, match="delimiter must be"):
        encode([1], delimiter=delimiter)


def test_bad_indent_size() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        encode([1], indent_size=0)
    with pytest.raises(TypeError, match="must be an int"):
        encode([1], indent_size="2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be an int"):
        encode([1], indent_size=True)


# -- §3 host types ---------------------------------------------------------------------------------------------


class Colour(enum.IntEnum):
    RED = 1


class Mode(str, enum.Enum):  # noqa: UP042 - the str mixin itself is what is encoded here
    FAST = "fast"


class Frozen(Mapping[str, Any]):
    """A read-only Mapping that is not a dict."""

    def __init__(self, **items: Any) -> None:
        self._items = items

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def test_host_containers_encode_like_their_json_counterparts() -> None:
    plain = {"a": [1, 2], "t": [{"x": 1}, {"x": 2}], "n": {"k": "v", "w": "z"}}
    host = Frozen(
        a=(1, 2),
        t=(collections.OrderedDict(x=1), types.MappingProxyType({"x": 2})),
        n=collections.defaultdict(int, k="v", w="z"),
    )
    assert encode(host) == encode(plain)


def test_sets_are_sorted_when_possible() -> None:
    assert encode({"s": {3, 1, 2}, "f": frozenset({"b", "a"})}) == lines("s[3]: 1,2,3", "f[2]: a,b")
    assert sorted(encode({1, "a"}).partition(": ")[2].split(",")) == ["1", "a"]  # unorderable: iteration order


def test_scalar_host_types() -> None:
    value = [
        Colour.RED,
        Mode.FAST,
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        datetime.time(7, 8),
    ]
    assert encode(value) == '[5]: 1,fast,2024-02-29,"2024-01-02T03:04:05+00:00","07:08:00"'


def test_keys_are_coerced_like_the_json_module() -> None:
    assert encode({1: "a", 2.5: "b", False: "c", None: "d"}) == lines('"1": a', '"2.5": b', "false: c", "null: d")
    assert encode([{1: "a"}, {1: "b"}]) == lines('[2]{"1"}:', "  a", "  b")
    assert encode({"m": {1: {"x": 1}, 2: {"x": 2}}}) == lines('m[2:]{x}:', '  "1": 1', '  "2": 2')
    assert encode([{0: {False: 1}}]) == lines('[1]{"0"{false}}:', "  1")


def test_keys_that_collide_after_coercion() -> None:
    with pytest.raises(ValueError, match="Duplicate key '1' in the object at \\$.m after coercing"):
        encode({"m": {1: "a", "1": "b"}})


def test_unsupported_key_type() -> None:
    with pytest.raises(TypeError, match=r"Key \(1, 2\) of the object at \$\.a\[0\] is not TOON serializable"):
        encode({"a": [{(1, 2): "x"}]})


class Foo:
    pass


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (Foo(), "$"),
        ({"users": [{"born": 1}, {"born": 2}, {"born": 3}, {"born": Foo()}]}, "$.users[3].born"),
        ({"a b": {"c": [1, Foo()]}}, "$['a b'].c[1]"),
        ({"k": {"x": {"v": 1}, "y": {"v": Foo()}}}, "$.k.y.v"),
        ([[Foo()]], "$[0][0]"),
    ],
)
def test_unserializable_value_names_its_path(value: Any, path: str) -> None:
    with pytest.raises(TypeError) as info:
        encode(value)
    assert str(info.value) == f"Object of type Foo at {path} is not TOON serializable"


def test_default_hook_is_applied_and_its_result_normalised() -> None:
    seen: list[Any] = []

    def default(obj: Any) -> Any:
        seen.append(obj)
        return {"tags": {"b", "a"}, "when": datetime.date(2020, 1, 1)}

    foo = Foo()
    assert encode({"x": foo}, default=default) == lines("x:", "  tags[2]: a,b", "  when: 2020-01-01")
    assert seen == [foo]
    assert encode([Foo(), Foo()], default=lambda obj: {"id": 7}) == lines("[2]{id}:", "  7", "  7")


def test_default_errors() -> None:
    def refuse(obj: Any) -> Any:
        raise TypeError("nope")

    with pytest.raises(TypeError, match="^nope$"):
        encode({"x": Foo()}, default=refuse)
    with pytest.raises(ValueError, match="returned its Foo argument unchanged at \\$.x"):
        encode({"x": Foo()}, default=lambda obj: obj)


# -- depth policy ----------------------------------------------------------------------------------------------


def nest(depth: int, wrap: Any) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = wrap(value)
    return value


@pytest.mark.parametrize(
    "wrap",
    [lambda v: {"a": v}, lambda v: [v], lambda v: [{"a": v, "b": 1}], lambda v: {"x": 1, "a": v}],
    ids=["objects", "arrays", "list-items", "fields"],
)
def test_ten_thousand_levels_raise_value_error(wrap: Any) -> None:
    with pytest.raises(ValueError, match=f"nested deeper than {MAX_DEPTH} levels"):
        encode(nest(10_000, wrap))


def test_deep_nested_field_groups_raise_value_error() -> None:
    with pytest.raises(ValueError, match="nested deeper"):
        encode([nest(10_000, lambda v: {"a": v})])


def test_nesting_up_to_the_limit_works() -> None:
    text = encode(nest(MAX_DEPTH - 1, lambda v: {"a": v}))
    assert text.splitlines()[-1] == " " * 2 * (MAX_DEPTH - 2) + "a: 0"
    assert encode([nest(MAX_DEPTH - 1, lambda v: {"a": v})]).startswith("[1]{" + "a{" * (MAX_DEPTH - 2) + "a")


def test_reference_cycles_raise_value_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="reference cycle"):
        encode(loop)


def test_ints_beyond_cpythons_digit_limit_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    def refuse(limit: int) -> None:
        raise AssertionError("the encoder must not change the interpreter's int digit limit")

    monkeypatch.setattr(sys, "set_int_max_str_digits", refuse)
    big = -(10**5000) - 7
    text = encode({"n": big, "rows": [{"a": big}, {"a": 1}], "list": [big, "x"], 10**4400: 1})
    digits = "-1" + "0" * 4999 + "7"
    assert text.splitlines()[:3] == [f"n: {digits}", "rows[2]{a}:", f"  {digits}"]
    assert text.splitlines()[4] == f"list[2]: {digits},x"
    assert text.splitlines()[5] == f'"1{"0" * 4400}": 1'
    assert encode(big) == digits
