"""The compiled decoder (`_cdecoder`) against the pure one: same values, type for type, or NotImplemented.

The compiled decoder may decline any document (it answers NotImplemented and the pure decoder reads it), but
it must never return a value the pure decoder would not, and it must decline every document the pure decoder
rejects, so that the public `decode` raises the pure decoder's error. Valid documents from the encoder must
all be read in C (no fallback). Skipped when the compiled codec was not built; CI builds it.
"""
from __future__ import annotations

import gc
import math
import random
import sys
import tracemalloc
from typing import Any

import pytest
from conftest import examples
from fuzz.asan_fuzz import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values, keys, primitives, strings

from toon_hooks.errors import ToonDecodeError
from toon_hooks.toon import accelerator, decoder, encoder

pytestmark = pytest.mark.skipif(
    accelerator.c_decode is None,
    reason="compiled decoder not built (no C compiler at install, or TOON_HOOKS_PURE is set)",
)

DELIMITERS = (",", "\t", "|")
INDENTS = (1, 2, 3, 4)


def c_decode(text: Any, strict: Any = True, indent_size: Any = 2) -> Any:
    assert accelerator.c_decode is not None
    return accelerator.c_decode(text, strict, indent_size)


def check(text: Any, indent: int = 2, *, must_handle: bool = False) -> str:
    """Compare the compiled and pure decoders on `text`; return "value", "error" or "fallback"."""
    try:
        expected = decoder.decode(text, indent_size=indent)
    except ToonDecodeError:
        got = c_decode(text, True, indent)
        assert got is NotImplemented, f"pure raises, compiled returned {got!r} for {text!r}"
        return "error"
    got = c_decode(text, True, indent)
    if got is NotImplemented:
        assert not must_handle, f"valid document fell back: {text!r}"
        return "fallback"
    assert same(expected, got), f"{text!r}: pure {expected!r}, compiled {got!r}"
    return "value"


# ---------------------------------------------------------------------------------------------------------
# Valid documents: the encoder's output, every delimiter and indent, must be read in C to the same value.


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(), st.sampled_from(DELIMITERS), st.sampled_from(INDENTS))
def test_encoded_values_decode_in_c_like_pure(value: Any, delimiter: str, indent: int) -> None:
    text = encoder.encode(value, delimiter=delimiter, indent_size=indent)
    assert check(text, indent, must_handle=True) == "value"


@settings(max_examples=examples(300), deadline=None)
@given(st.dictionaries(keys(), primitives(), max_size=6), st.sampled_from(INDENTS))
def test_flat_objects_with_tricky_keys_and_values(value: dict[str, Any], indent: int) -> None:
    text = encoder.encode(value, indent_size=indent)
    assert check(text, indent, must_handle=True) == "value"


# ---------------------------------------------------------------------------------------------------------
# Garbled documents: whatever the pure decoder does, the compiled one agrees or declines.

_NOISE = list(' \t:,|"\\-#[]{}\n\r0123456789abcxyz.e+') + ["  ", "- ", ": ", "[2]", "{a,b}", '\\"', "\\u00e9", "\r\n"]


def mutate(text: str, rng: random.Random) -> str:
    """Apply one to four random edits: deletions, insertions of structural characters, indentation changes,
    changed counts, duplicated or swapped lines, blank lines."""
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        lines = text.split("\n")
        if kind == 0 and text:  # delete a character
            at = rng.randrange(len(text))
            text = text[:at] + text[at + 1 :]
        elif kind == 1:  # insert noise
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(_NOISE) + text[at:]
        elif kind == 2 and lines:  # re-indent a line
            at = rng.randrange(len(lines))
            lines[at] = " " * rng.randint(0, 6) + lines[at].lstrip(" ")
            text = "\n".join(lines)
        elif kind == 3:  # change a declared count
            text = text.replace(f"[{rng.randint(0, 5)}", f"[{rng.randint(0, 6)}", 1)
        elif kind == 4 and lines:  # duplicate a line
            at = rng.randrange(len(lines))
            lines.insert(at, lines[at])
            text = "\n".join(lines)
        elif kind == 5 and lines:  # blank line (maybe with spaces)
            lines.insert(rng.randrange(len(lines) + 1), " " * rng.randint(0, 3))
            text = "\n".join(lines)
        elif kind == 6 and len(lines) > 1:  # swap two lines
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif kind == 7 and lines:  # tab or comment line
            at = rng.randrange(len(lines))
            lines.insert(at, rng.choice(["\t", "#", "  # note", "\ta: 1"]))
            text = "\n".join(lines)
    return text


# 300 here (52 s for 1500 in CI): .ci/run's AddressSanitizer fuzz compares tens of thousands more garbled documents.
@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(), st.sampled_from(DELIMITERS), st.sampled_from(INDENTS), st.randoms(use_true_random=False))
def test_mutated_documents_agree_or_decline(value: Any, delimiter: str, indent: int, rng: random.Random) -> None:
    text = encoder.encode(value, delimiter=delimiter, indent_size=indent)
    check(mutate(text, rng), indent)


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from([*' \n:,|"\\-#[]{}\tab1.0e-', "true", "null", "[2]:", "{x,y}", "  "]), max_size=40))
def test_random_text_agrees_or_declines(pieces: list[str]) -> None:
    for indent in (1, 2):
        check("".join(pieces), indent)


# ---------------------------------------------------------------------------------------------------------
# Tokens: numbers, literals, quoted strings, each as a root, a field, a cell and a list item.

TOKENS = [
    "0", "-0", "00", "01", "-01", "1.", ".5", "1.5", "-1.5", "1e5", "1E+5", "1e-5", "-0.0", "0.0", "0e0", "1e400",
    "-1e400", "1e-400", "5e-324", "1.7976931348623157e308", "123456789012345678", "1234567890123456789",
    "-9223372036854775808", "99999999999999999999999", "1" * 4300, "1" * 4301, "-" + "1" * 4300, "1.5e", "1e+",
    "2024-01-05", "1.2.3", "-", "--1", "-x", "+1", "0x1F", "1_000", "Infinity", "-Infinity", "NaN", "true",
    "false", "null", "True", "nul", "truex", '""', '"a"', '"a\\"b"', '"\\u00e9\\u4f60"', '"\\ud800"', '"\\uDFFF"',
    '"\\u12"', '"\\x"', '"\\/"', '"\\b"', '"a"b', '"abc', '"a\\', '"tab\there"', "[]", "[x", "a b", "é",
]


@pytest.mark.parametrize("token", TOKENS)
def test_tokens_in_every_position(token: str) -> None:
    for text in (token, f"a: {token}", f"a[1]: {token}", f"a[2]: {token},{token}", f"[1]:\n  - {token}",
                 f"t[1]{{x,y}}:\n  {token},{token}", f"k[1:]{{x}}:\n  e: {token}", f"a:  {token}  "):
        check(text)


def test_big_integers_are_exact() -> None:
    assert c_decode("a: 123456789012345678901234567890") == {"a": 123456789012345678901234567890}
    assert c_decode("a: -9223372036854775809") == {"a": -9223372036854775809}


def test_negative_zero_and_underflow_decode_as_positive_zero() -> None:
    for text in ("a: -0.0", "a: 1e-400", "a: -0e5"):
        value = c_decode(text)["a"]
        assert type(value) is float and value == 0.0 and math.copysign(1.0, value) == 1.0
    assert same(c_decode("a: -0"), {"a": 0})


# ---------------------------------------------------------------------------------------------------------
# Document forms and strict checks, each compared with the pure decoder.

DOCUMENTS = [
    "", "\n\n", "# only a comment", "a: 1", "a: 1\r\nb: 2\r\n", "\ufeffa: 1", "\ufeff\ufeffa: 1", "[]", "[] ",
    "x", "x\ny", '"a:b"', "[0]:", "[2]: 1,2", "[2]:\n  - 1\n  - 2", "[1]{a}:\n  1", "[2:]{a,b}:\n  x: 1,2\n  y: 3,4",
    "a:\n  b:\n    c: 1\n  d: 2", "a:\n    b: 1", "a:\n b: 1", "a: 1\n  b: 2", "  a: 1", "a: 1\n\tb: 2",
    "a: 1\n\nb: 2", "a[2]:\n  - 1\n\n  - 2", "a[2]:\n\n  - 1\n  - 2", "a[1]:\n  - 1\n\nb: 2", "a[2]: 1",
    "a[1]: 1,2", "a[2]{x,y}:\n  1,2\n  3,4", "a[2]{x,y}:\n  1,2", "a[1]{x,y}:\n  1,2\n  3,4", "a[1]{x,y}:\n  1",
    "a[1]{x,y}:\n  1,2,3", "a[1]{x,y}:\n  a: 1", "a[1]{x,x}:\n  1,2", "a[0]{x,x}:", "a[1]{x{y,z},w}:\n  1,2,3",
    "a[1]{x{y,z} ,w}:\n  1,2,3", "a[1]{x{y,x},x}:\n  1,2,3", "a[1]{x{}}:\n  1", "a[1]{}:\n  1", 'a[1]{"q,r",s}:\n  1,2',
    "a[1|]{x|y}:\n  1|2", "a[1\t]{x\ty}:\n  1\t2", "a[1|]{x,y}:\n  1|2", "a[2|]: 1|2", "a[2\t]: 1\t2",
    "a[1]{x}: 5", "a[1]{x}:  \t ", "a[01]: 1", "a[]: 1", "a[-1]: 1", "a[1 ]: 1", "a[1]x: 1", "a[2:]: 1",
    "a[1:]{x}:\n  k: 1\n  k: 2", "a[2:]{x}:\n  k: 1\n  k: 2", "a[1:]{x}:\n  k 1", "a[1:]{x}:\n  k:",
    'a[1:]{x}:\n  "k:1": 2',
    "a[1:|]{x|y}:\n  k: 1|2", "a[1]: ", "a: 1\na: 2", "a: 1\nb:\n  a: 2", 'a: 1\n"a": 2', '"a": 1', '"a\\nb": 1',
    '"a"x: 1', 'a"b": 1', "a b: 1", ": 1", "a:1", "a::1", "a: b: c", "- a: 1", "a", "a\nb: 1", "a: 1\nb",
    "a[2]:\n  - x: 1\n    y: 2\n  - z", "a[1]:\n  - x:\n      y: 1", "a[1]:\n  - x[2]: 1,2\n    y: 3",
    "a[1]:\n  - x[1]{p,q}:\n      1,2\n    y: 3", "a[1]:\n  - x[1]{p,q}:\n    1,2", "a[1]:\n  -", "a[1]:\n  - ",
    "a[1]:\n  -x", "a[1]:\n  - []", "a[1]:\n  - [2]: 1,2", "a[1]:\n  - [1]:\n    - 1", "a[1]:\n  - [1]{x}:\n    1",
    "a[1]:\n  -  b: 1", "a[1]:\n  - : 1", 'a[1]:\n  - "k": 1', 'a[1]:\n  - "k:v"', "a[1]:\n  - k[1:]{x}:\n      e: 1",
    "[1]:\n  - a\nb: 1", "[1]: a\nb: 1", "a: 1\n  # indented comment\nb: 2", "a[2]:\n  - 1\n# c\n  - 2",
    "a[2]:\n  - 1\n\n# c\n  - 2", "a: [] ", "a: []x", "a:[]", "key [2]: x", "1a[2]: x", "a.b[1]: x", '"a b"[1]: x',
    '"a\\u0041"[1]: x', "a[1]{x}:\n  1\n    2", "a:\n  b[1]:\n    - 1\n  c: 2", "a[3]: x,,y", "a[1]: ,", "a[2]: ,",
    'a[2]: "x,y",z', 'a[1]: "x,y"', 'a[1]: x"y,z"', 'a[2]: x"y,z', 'a[1]: "x" ,', "a[2]:  1 , 2 ", "a[2]:1,2",
    "a: x\r", "a: x\r\r", "a: \"x\"\r\n", "a:\n  b: 1\r\n  c: 2", "x\r\n", "[1]{a}:\n  1\n", "[1]{a}:\n  1\n  \n",
    "[2:]{a}:\n  b: 1\n  c: 2", "[1]:\n  - 1\n  - 2", "[2]:\n  - 1", "a[999999999999]: 1", "a[9999999999999999999]: 1",
    "a[999999999999]{x}:\n  1", "a[999999999999]:\n  - 1", "a[0]:\n  - 1", "a[1]{x}:\n\n  1", "a[1]{x}:\n  1\n\n  2",
    "a\x00b: c\x00d", "a: \x0b", "\x0ba: 1", "a:\u2028b", "k: café", "café: ünï", "a:\n\u3000b: 1",
]


@pytest.mark.parametrize("text", DOCUMENTS)
@pytest.mark.parametrize("indent", [1, 2])
def test_documents(text: str, indent: int) -> None:
    check(text, indent)


def test_common_forms_are_read_in_c() -> None:
    for text in ("", "a: 1\r\nb: 2\r\n", "\ufeffa: 1", "[2]: 1,2", "a:\n  b: 1\n\nc: 2", "a: 1\n# c\nb: 2",
                 "a[2:]{x,y}:\n  k: 1,2\n  l: 3,4", "a[1]{x{y,z},w}:\n  1,2,3",
                 "a[1]:\n  - x[1]{p}:\n      1\n    y: 2"):
        assert check(text, must_handle=True) == "value"


def test_declined_inputs() -> None:
    assert c_decode("a: 1", False) is NotImplemented  # non-strict mode
    assert c_decode("a: 1", 1) is NotImplemented  # strict must be True itself
    for indent in (0, -1, True, 2.0, "2", 2**70):
        assert c_decode("a: 1", True, indent) is NotImplemented

    class Text(str):
        pass

    assert c_decode(Text("a: 1")) is NotImplemented
    assert accelerator.c_decode("a: 1", True) is NotImplemented  # type: ignore[misc]  # wrong arity


def test_lone_surrogates_fall_back_to_the_pure_decoder() -> None:
    """A lone surrogate cannot be UTF-8: the compiled decoder declines, and the pure one keeps it as content."""
    for text in ("a: \ud800", "\udfff: 1", "a[2]: x,\ud83d"):
        assert c_decode(text) is NotImplemented
        check(text)
    assert c_decode("a: \U0001f680") == {"a": "\U0001f680"}


# ---------------------------------------------------------------------------------------------------------
# Hostile sizes: deep nesting, long lines, huge declared lengths.


def test_deep_nesting_has_no_recursion_limit() -> None:
    depth = 20_000
    text = "".join(" " * i + "k:\n" for i in range(depth)) + " " * depth + "v: 1"
    value = c_decode(text, True, 1)
    for _ in range(depth):
        value = value["k"]
    assert value == {"v": 1}
    lists = "".join(" " * (2 * i) + "- [1]:\n" for i in range(1, 2000))
    text = "[1]:\n" + lists + " " * 4000 + "- x"
    assert same(decoder.decode(text), c_decode(text))


def test_long_lines_and_huge_declared_lengths() -> None:
    big = "x" * 5_000_000
    assert c_decode(f"a: {big}") == {"a": big}
    assert c_decode('a: "' + '\\"' * 1_000_000 + '"') == {"a": '"' * 1_000_000}
    assert c_decode("a[99999999999999999]: 1") is NotImplemented  # declared, never allocated
    assert c_decode("a[999999999999999999]{x}:\n  1") is NotImplemented
    assert c_decode("a[1000000000000000000]: 1") is NotImplemented  # 19 digits: refused like the pure decoder
    numbers = ",".join(map(str, range(200_000)))
    assert c_decode(f"a[200000]: {numbers}") == {"a": list(range(200_000))}


# ---------------------------------------------------------------------------------------------------------
# References: no leaks, on success and on every way out.


def _leak_documents() -> list[str]:
    rng = random.Random(7)
    docs = [
        encoder.encode({"a": [{"x": i, "y": [i, "s"], "z": {"q": "é\n"}} for i in range(30)], "b": {"c": {"d": 1.5}}}),
        encoder.encode({"t": [{"p": i, "q": {"r": f"s{i}", "u": i / 3}} for i in range(20)]}),
        encoder.encode({"k": {f"e{i}": {"a": i, "b": "x,y"} for i in range(5)}}),
        encoder.encode([[1, 2], {"a": [3]}, "x", [], {}], delimiter="|"),
    ]
    docs += [mutate(docs[i % 4], rng) for i in range(60)]
    docs += ["a[2]: 1,\"x", "a[1]{x,y}:\n  1,\"\\q\"", "a[1:]{x}:\n  k: 1\n  k: 2", "a: 1e400", "a: 1\na: 2"]
    return docs


def test_no_reference_leaks() -> None:
    docs = _leak_documents()
    for text in docs:  # warm the caches (interned names, small ints, free lists)
        c_decode(text)
    gc.collect()
    tracemalloc.start()
    try:
        for _ in range(3):
            for text in docs:
                c_decode(text)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(30):
            for text in docs:
                c_decode(text)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 64 * 1024, f"{after - before} bytes more after 30 rounds"


@pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"), reason="needs a debug build of CPython")
def test_total_refcount_is_stable() -> None:  # pragma: no cover - debug builds only
    docs = _leak_documents()
    for text in docs:
        c_decode(text)
    total = getattr(sys, "gettotalrefcount")  # noqa: B009  # (a debug-build function that typeshed may lack)
    before = total()
    for _ in range(10):
        for text in docs:
            c_decode(text)
    assert total() - before < 100


def test_strings_are_fresh_values() -> None:
    """Cached keys are shared str objects; values stay exact str (never a subclass), and bools stay singletons."""
    value = c_decode("a[2]{k,v}:\n  x,true\n  y,false")
    assert [list(row) for row in value["a"]] == [["k", "v"], ["k", "v"]]
    assert value["a"][0]["v"] is True and value["a"][1]["v"] is False
    assert all(type(key) is str for row in value["a"] for key in row)


@settings(max_examples=examples(200), deadline=None)
@given(strings(), st.sampled_from(DELIMITERS))
def test_strings_round_trip_in_every_position(text: str, delimiter: str) -> None:
    for value in ({"k": text}, {"k": [text, text]}, {"t": [{"a": text, "b": 1}, {"a": 2, "b": text}]}, [text, [text]],
                  {text: {text: 1, "z": 2}}):
        assert check(encoder.encode(value, delimiter=delimiter), must_handle=True) == "value"


@settings(max_examples=examples(500), deadline=None)
@given(st.integers(0, 10**20), st.integers(0, 25), st.integers(-30, 30), st.booleans(), st.booleans())
def test_decimal_numbers_round_like_float(mantissa: int, point: int, exponent: int, negative: bool, exp: bool) -> None:
    """Floats of every digit count and scale: the fast exact path and the fallback agree with float()."""
    digits = str(mantissa)
    if 0 < point < len(digits):
        digits = digits[:-point] + "." + digits[-point:]
    token = ("-" if negative else "") + digits + (f"e{exponent}" if exp else "")
    assert check(f"a: {token}\nb[2]: {token},{token}", must_handle=True) == "value"


def test_garbage_collector_state_is_restored() -> None:
    """The cyclic GC pauses while a document is read, and comes back as it was, on success and on decline."""
    assert gc.isenabled()
    c_decode("a[2]:\n  - x: 1\n  - y")
    c_decode("a[3]:\n  - x: 1\n  - y")
    assert gc.isenabled()
    gc.disable()
    try:
        c_decode("a[2]:\n  - x: 1\n  - y")
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------------------------------------------------
# UTF-8 bytes: read in place once well-formed; ill-formed bytes are the pure decoder's located error.

_BYTES = [b"a", b":", b" ", b"\n", b"- ", b"[2]", b",", b'"', b"\xc3\xa9", b"\xe4\xbd\xa0", b"\xf0\x9f\x9a\x80",
          b"\xef\xbb\xbf", b"\xc3", b"\xa9", b"\xff", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xed\x9f\xbf",
          b"\xf4\x90\x80\x80", b"\xf4\x8f\xbf\xbf", b"\xf0\x8f\xbf\xbf", b"\xf5\x80\x80\x80", b"\x80", b"\r\n",
          b"12345678"]


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_BYTES), max_size=30), st.sampled_from([bytes, bytearray, memoryview]))
def test_bytes_agree_or_decline(pieces: list[bytes], kind: Any) -> None:
    blob = b"".join(pieces)
    check(kind(blob))
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        assert c_decode(kind(blob)) is NotImplemented
        return
    got = c_decode(kind(blob))
    if got is not NotImplemented:
        assert same(got, c_decode(text))


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(), st.sampled_from(DELIMITERS))
def test_encoded_bytes_decode_in_c(value: Any, delimiter: str) -> None:
    blob = encoder.encode(value, delimiter=delimiter).encode("utf-8")
    for data in (blob, b"\xef\xbb\xbf" + blob, bytearray(blob), memoryview(blob)):
        assert check(data, must_handle=True) == "value"


def test_odd_buffers_fall_back() -> None:
    strided = memoryview(b"a: 1\nb: 2")[::2]  # not contiguous: the pure decoder copies it
    assert c_decode(strided) is NotImplemented
    check(strided)
    import array

    assert c_decode(array.array("b", b"a: 1")) is NotImplemented  # not a document type: TypeError in pure


@settings(max_examples=examples(2000), deadline=None)
@given(st.one_of(st.binary(max_size=40), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_utf8_check_is_cpythons(blob: bytes) -> None:
    """Arbitrary bytes in a comment line: read exactly when CPython's strict UTF-8 decoder takes them."""
    doc = b"# " + blob.replace(b"\n", b" ") + b"\na: 1"
    try:
        doc.decode("utf-8")
    except UnicodeDecodeError:
        assert c_decode(doc) is NotImplemented
    else:
        assert c_decode(doc) == {"a": 1}


def test_memory_errors_propagate() -> None:
    """Every allocation failing in turn gives MemoryError, or the right value (or a decline): never a crash,
    never a wrong value."""
    testcapi = pytest.importorskip("_testcapi")
    if not hasattr(testcapi, "set_nomemory"):
        pytest.skip("_testcapi.set_nomemory is not available")
    docs: list[Any] = [
        encoder.encode({"t": [{"a": i, "b": {"c": "x,y", "d": 1.5}} for i in range(12)], "k": {"p": {"q": 1.5},
                        "r": {"q": 2**70}}, "s": "é\n" * 5, "l": [[1, 2], {"x": [3]}, 'q"', 1e300, 2**100]}),
        "a[2]{x,y}:\n  1,\"\\u00e9\\n\"\n  2,3\nb:\n  c[1]:\n    - d: 1\n      e[2|]: 1|" + "9" * 30,
    ]
    docs.append(docs[0].encode("utf-8"))
    for text in docs:
        expected = decoder.decode(text)
        for start in range(160):
            testcapi.set_nomemory(start, 0)
            try:
                got = c_decode(text)
            except MemoryError:
                continue
            finally:
                testcapi.remove_mem_hooks()
            assert got is NotImplemented or same(expected, got)
