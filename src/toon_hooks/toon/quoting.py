"""TOON lexical rules for the encoder: token text of strings (§7), keys (§7.3) and numbers (§2), table rows."""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

_ESCAPES: dict[int, str] = {code: f"\\u{code:04x}" for code in range(0x20)}
_ESCAPES.update({ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
"""§7.1 encoder column: the five short escapes, lowercase \\uXXXX for the other C0 controls."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_json_quote: Callable[[str], str] = json.encoder.encode_basestring
"""The json module's C string quoter: §7.1's escapes exactly, except \\b and \\f for U+0008 and U+000C."""
_NOT_REPR_TOKEN = {d: re.compile(f"\\.0(?={re.escape(d)}|\\Z)|[en]") for d in (",", "\t", "|")}
"""Per delimiter: in a joined list of reprs of numbers, a mark of a float whose repr is not its §2 token."""
_UNQUOTED_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_LITERAL_LIKE = re.compile(r"(?:true|false|null|[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\Z")
"""Whole strings a decoder would read as a literal or number, or that look numeric (§7.2; ASCII digits only)."""

_RISKY_FIRST = frozenset("-# +0123456789tfn")
"""First characters that may need quoting: list/comment markers, leading space, and starts of _LITERAL_LIKE."""

_UNSAFE: dict[str, re.Pattern[str]] = {
    d: re.compile(f'[{re.escape(d)}:"\\\\\\[\\]{{}}\x00-\x1f\ud800-\udfff]') for d in (",", "\t", "|")
}
"""Per delimiter: any character that forces quoting anywhere in a string (surrogates are refused by quote())."""


def quote(text: str) -> str:
    """Return `text` as a quoted TOON string; lone surrogates have no TOON form, so they raise ValueError."""
    if text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'  # fast path: control characters and surrogates are not printable
    bad = None if text.isascii() else _SURROGATE.search(text)
    if bad:
        raise ValueError(f"string contains a lone surrogate U+{ord(bad.group()):04X}: {text!r}")
    if "\b" in text or "\f" in text:  # (rare) JSON's short escapes, which TOON lacks
        return '"' + text.translate(_ESCAPES) + '"'
    return _json_quote(text)  # 10x faster than str.translate on escape-heavy text


class NumberText(str):
    """Canonical number text made by normalising a host number (e.g. a Decimal); emitted verbatim."""


def token_functions(
    delimiter: str, cache_strings: bool, ints: Callable[[int], str] = str
) -> dict[type, Callable[[Any], str]]:
    """Return the token function of each JSON primitive type (and NumberText) for `delimiter`.

    `cache_strings` memoises string tokens for one encoding run: object field values often repeat (labels,
    states), while table cells are often identifiers, and a cache miss costs about twice the plain check.
    `ints` formats ints: `str` (exact ints only, subclasses are normalised first: faster than int.__repr__),
    which refuses those past the interpreter's digit limit, or `int_token`.
    """
    encode = string_encoder(delimiter)
    return {
        str: functools.lru_cache(maxsize=None)(encode) if cache_strings else encode,
        int: ints,
        float: format_float,
        bool: {True: "true", False: "false"}.__getitem__,
        type(None): {None: "null"}.__getitem__,
        NumberText: str.__str__,
    }


@functools.cache
def string_encoder(delimiter: str) -> Callable[[str], str]:
    """Return the function that encodes one string value for `delimiter`, quoting only when §7.2 requires."""
    unsafe = _UNSAFE[delimiter].search
    literal_like = _LITERAL_LIKE.match

    def encode_string(text: str) -> str:
        if (
            text
            and text[-1] != " "
            and not unsafe(text)
            and (text[0] not in _RISKY_FIRST or not (text[0] in "-# " or literal_like(text)))
        ):
            return text
        return quote(text)

    return encode_string


def encode_string(text: str, delimiter: str = ",") -> str:
    """Return `text` as a TOON value token for `delimiter` (",", "\\t" or "|"), quoted only when needed."""
    return string_encoder(delimiter)(text)


def encode_strings(texts: Sequence[str], delimiter: str) -> list[str]:
    """Encode the strings of a large table column at once.

    The column is joined by U+007F (a character neither TOON nor JSON escapes) for whole-column scans in C: when
    no string needs quoting for its characters, only the first and last character of each still matter;
    otherwise the json module quotes the joined column in one call, to be split again (logs full of quotes and
    commas: 2x faster than encoding each string on its own).
    """
    encode = string_encoder(delimiter)
    unsafe = _UNSAFE[delimiter].search
    joined = "\x7f".join(texts)
    if joined.count("\x7f") != len(texts) - 1:
        return list(map(encode, texts))
    if not unsafe(joined):
        return [text if text and text[-1] != " " and text[0] not in _RISKY_FIRST else encode(text) for text in texts]
    if "\b" in joined or "\f" in joined or (not joined.isascii() and _SURROGATE.search(joined)):
        return list(map(encode, texts))  # (see `quote`)
    bodies = _json_quote(joined)[1:-1].split("\x7f")
    return [
        f'"{body}"' if unsafe(text)
        else text if text and text[-1] != " " and text[0] not in _RISKY_FIRST
        else encode(text)
        for text, body in zip(texts, bodies)
    ]


def encode_key(key: str) -> str:
    """Return an object key or field name per §7.3: bare when it is identifier-like, else quoted."""
    return key if _UNQUOTED_KEY.match(key) else quote(key)


def int_token(number: int) -> str:
    """Return the exact digits of an int of any size.

    CPython refuses to convert ints of more than `sys.get_int_max_str_digits()` digits (a guard against hostile
    *parsing*); a library must not lift that process-wide limit, and `Decimal` converts exactly without it, in
    quasi-linear time (a 50,000-digit int: 0.08 s).
    """
    try:
        return int.__repr__(number)
    except ValueError:
        return str(Decimal(number))


def number_tokens(numbers: list[Any], delimiter: str) -> str | None:
    """Return the delimited §2 tokens of a list of ints and floats, or None if an int is past the interpreter's
    digit limit.

    `repr` is the token of an int, and of the non-integral floats between 1e-4 and 1e16: the floats whose repr
    has no exponent and no trailing `.0` (nor is `nan` or `inf`). One C-level `map(repr)` and a scan of the
    joined text leave only the other floats to `format_float` (the benchmark's 100,000 ints and floats encode
    1.2x faster than through a token function per number).
    """
    try:
        tokens = list(map(repr, numbers))
    except ValueError:
        return None
    text = delimiter.join(tokens)
    index = at = 0
    marks = [match.start() for match in _NOT_REPR_TOKEN[delimiter].finditer(text)]
    for mark in marks:  # (a token may hold two marks: "nan")
        index += text.count(delimiter, at, mark)
        at = mark
        tokens[index] = format_float(numbers[index])
    return delimiter.join(tokens) if marks else text


def format_float(number: float) -> str:
    """Return the §2 token of a float: canonical number text, or null for NaN and ±Infinity (§3)."""
    if 1e-4 <= abs(number) < 1e16 and not number.is_integer():
        return repr(number)  # the common case: repr is already canonical
    if number - number != 0:
        return "null"
    if 1e16 <= abs(number) < 1e21:
        return int.__repr__(int(number))  # integral; its exact digits, not repr's zero-padded shortest ones
    text = repr(number)
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        digits = mantissa.lstrip("-").replace(".", "")
        return _from_digits(number < 0, digits, int(exponent) + 1)
    return "0" if number == 0 else text[:-2]


def format_decimal(number: Decimal) -> str:
    """Return the §2 token of a Decimal: its exact value as a canonical number, or null when not finite (§3)."""
    if not number.is_finite():
        return "null"
    sign, digit_tuple, exponent = number.as_tuple()
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return "0"
    return _from_digits(bool(sign), digits.rstrip("0"), len(digits) + int(exponent))


def _from_digits(negative: bool, digits: str, point: int) -> str:
    """Render ±0.<digits> × 10**point: plain decimal when 1e-6 <= |n| < 1e21, else d.ddde±x (§2)."""
    sign = "-" if negative else ""
    if not -6 <= point - 1 <= 20:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{point - 1:+d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def json_key_text(key: object) -> str | None:
    """Return the str form of an object key as the json module coerces it, or None for an unsupported type."""
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int_token(key)
    if isinstance(key, float):
        if key != key:
            return "NaN"
        return float.__repr__(key) if key - key == 0 else ("Infinity" if key > 0 else "-Infinity")
    return None


def json_path_step(key: object) -> str:
    """Return the JSONPath step of an object key in an error message: `.name` if identifier-like, else `['key']`."""
    text = str(key)
    return f".{text}" if text.isidentifier() else f"[{text!r}]"


def rows_template(prefixes: Sequence[str], width: int, delimiter: str) -> str:
    """Return the %-template of table rows: one line per prefix, each with `width` delimited `%s` slots."""
    row = delimiter.join(["%s"] * width)
    return "\n".join([prefix.replace("%", "%%") + row for prefix in prefixes])
