"""Decoder tokens: primitive values (§4), quoted strings and escapes (§7.1), keys (§7.4), cell splitting (§11.2).

Quoted runs are found with `str.find`, and past an escape with regexes whose repetitions are all possessive
(`*+`, `++`): a plain repeated group keeps backtracking state for every repetition, so a 50 MB line of escapes
would take gigabytes and minutes. Escapes are checked by one such regex and resolved by the json module's C
string scanner, and numbers read by its C number scanner, whose grammars are exactly those of §7.1 (less the
escapes checked first) and §4: escape-heavy text and huge quoted arrays decode in time linear in their size.
"""
from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from typing import Any

Parser = Callable[[str], Any]
"""Turns a trimmed value token into its value: `parse_value`, or a memoizing equivalent."""


class TokenError(Exception):
    """A malformed token; `offset` is 0-based within the string handed to the tokenizer."""

    def __init__(self, msg: str, offset: int) -> None:
        super().__init__(msg, offset)
        self.msg = msg
        self.offset = offset


_NUMBER = r"-?+(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+"
"""The §4 number grammar, forbidden leading zeros ruled out by `0|[1-9]…`; ASCII digits only. Possessive, as
nothing that follows a part can extend it: a column of 250,000 dates, each a number until its `-`, is
searched (`_VALUE_LINE`) in 39 ms instead of 180 ms of backtracking."""
_NUMBER_MATCH = re.compile(_NUMBER).fullmatch
_SPECIAL_LINE = re.compile(r'\n["\-0-9tfn]').search
"""Finds, in a column of tokens each between newlines, one that may not be a plain string (see SPECIAL_START)."""
_VALUE_LINE = re.compile(f'\\n(?:"|true\\n|false\\n|null\\n|{_NUMBER}\\n)').search
"""Finds, in a column of tokens each between newlines, one that is no plain string: quoted, literal, number."""
QUOTED_BODY = r'[^"\\]*+(?:\\.[^"\\]*+)*+'
"""The (rest of the) body of a quoted run, TOON or JSON: characters and backslash escapes up to the closing quote."""
_QUOTED_REST = re.compile(QUOTED_BODY + '"', re.S)
_WELL_FORMED = re.compile(r'(?:[^\\]++|\\[\\"nrt]|\\u(?![dD][89a-fA-F])[0-9A-Fa-f]{4})*+')
"""The longest start of a quoted body whose escapes are all §7.1 escapes (a surrogate `\\uXXXX` is none)."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]").search
"""Finds what may be a surrogate escape (or an escaped backslash before `ud800`…: `unescape` tells them apart)."""
_scan_string: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_CELLS = {
    delimiter: re.compile(
        f'{re.escape(delimiter)}((?:[^"{re.escape(delimiter)}]++|"(?:{QUOTED_BODY}"|.*+))*+)', re.S
    )
    for delimiter in (",", "\t", "|")
}
"""Per delimiter: a delimiter and the cell after it, whose quoted runs may hold delimiters; an unterminated
quote runs to the end of the line, one cell (its parse reports the error)."""
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
SPECIAL_START = frozenset('"-0123456789tfn')
"""First characters of tokens that may not be plain strings: quoted, numbers, true/false/null."""
NUMBER_START = frozenset("-0123456789")
"""First characters of number tokens (and of strings such as dates that start like one)."""
_INFINITY = math.inf
MAX_INT_DIGITS = 4300
"""Longest integer token decoded (exactly); longer ones are an error. Converting a digit string costs
quadratic time, so CPython 3.11 refuses more than this by default; older interpreters do not."""
_isinf = math.isinf
_NUMBER_TYPES = {int, float}


def _not_a_number(constant: str) -> Any:
    """Refuse JSON's NaN and Infinity constants: TOON has no such numbers (§4)."""
    raise ValueError(constant)


_JSON = json.JSONDecoder(parse_constant=_not_a_number)
"""Parses JSON numbers in C; exactly the §4 number grammar, faster than any check written in Python."""
_scan_json = _JSON.scan_once  # type: ignore[attr-defined]  # the C scanner, undeclared in typeshed


def parse_value(token: str) -> Any:
    """Return the JSON value of a value token already trimmed of spaces (§4)."""
    first = token[:1]
    if first not in SPECIAL_START:
        return token
    if first == '"':
        body = token[1:-1]
        if token[-1:] == '"' and len(token) > 1 and '"' not in body and "\\" not in body:
            return body  # the usual quoted string: no escapes
        return parse_quoted(token)
    if first in "tfn":
        return _LITERALS.get(token, token)
    return parse_number(token)


def parse_number(token: str) -> Any:
    """Return the value of a token that starts with a digit or `-`: a number (§4), or else the string itself."""
    try:
        value, end = _scan_json(token, 0)  # JSON's number grammar is §4's; `end` says if it took the whole token
    except (StopIteration, ValueError):  # no number ("-x", "-Infinity"), or more digits than int() takes
        return _number(token)
    if end != len(token):
        return token  # a number followed by more text: a string such as a date or a version
    if end > MAX_INT_DIGITS or (type(value) is float and (not value or _isinf(value))):
        return _number(token)
    return value


def _number(token: str) -> Any:
    """Return the value of a number-like token by the full §4 grammar (the rare cases `parse_number` defers)."""
    if _NUMBER_MATCH(token) is None:
        return token
    if "." not in token and "e" not in token and "E" not in token:
        return _integer(token)
    value = float(token)
    if _isinf(value):
        raise TokenError(f"number {_preview(token)} is out of range for a 64-bit float", 0)
    return value if value else 0.0  # -0.0 and underflow to zero decode as 0 (§4)


def parse_column(tokens: list[str], parse: Parser) -> list[Any]:
    """Return the values of one table column of trimmed tokens; whole-column checks in C spare per-token work."""
    lines = "\n" + "\n".join(tokens) + "\n"
    if _SPECIAL_LINE(lines) is None:
        return tokens  # plain strings only: nothing to parse
    if type(parse(tokens[0])) in _NUMBER_TYPES:  # a column of numbers, most likely (not of flags, dates, …)
        numbers = parse_numbers(tokens)
        if numbers is not None:
            return numbers
    if _VALUE_LINE(lines) is None:
        return tokens  # strings that merely start like numbers or literals (dates, codes, words)
    return list(map(parse, tokens))


def parse_numbers(tokens: list[str]) -> list[Any] | None:
    """Return the values of trimmed number tokens only (a table column, an inline array), parsed by one call of
    the json module (whose number grammar is that of §4); None if any token is something else or needs
    `parse_value`'s checks. On 100,000 numbers, 8x faster than parsing them one by one."""
    array = ",".join(tokens)
    if " " in array or "\t" in array or "\r" in array:  # JSON would skip these; in TOON they make strings
        return None
    if len(array) > MAX_INT_DIGITS and not _int_capped() and max(map(len, tokens)) > MAX_INT_DIGITS:
        return None  # json would convert an integer that must be an error
    array = f"[{array}]"
    try:
        values, end = _scan_json(array, 0)
    except (StopIteration, ValueError):  # not all numbers (a string, "-Infinity", …), or too many digits for int()
        return None
    kinds = set(map(type, values))
    if end != len(array) or len(values) != len(tokens) or not kinds <= _NUMBER_TYPES:
        return None  # a delimiter-less token held a comma, or JSON read true/false/null/a string
    if float in kinds:
        if _INFINITY in values or -_INFINITY in values:
            return None  # out of range: an error, left to parse_value to locate
        if 0 in values:  # -0.0 and underflow to zero decode as 0 (§4), as in `_number`
            return [0.0 if value == 0 and type(value) is float else value for value in values]
    return values  # type: ignore[no-any-return]


def _int_capped() -> bool:
    """Return whether int() itself refuses integer strings of more than MAX_INT_DIGITS digits, as CPython
    does by default since 3.10.7 (unless the limit was raised with sys.set_int_max_str_digits)."""
    limit = getattr(sys, "get_int_max_str_digits", int)()
    return 0 < limit <= MAX_INT_DIGITS


class ValueMemo(dict):  # type: ignore[type-arg]
    """Token -> value for one document: repeated tokens (flags, enum-like strings, small numbers) parse once."""

    __slots__ = ()

    def __missing__(self, token: str) -> Any:
        first = token[:1]
        if first in NUMBER_START:  # (numbers miss most: one call less than through parse_value)
            value = self[token] = parse_number(token)
        else:
            value = self[token] = parse_value(token) if first in SPECIAL_START else token
        return value


def _integer(token: str) -> int:
    """Convert an integer token exactly, up to MAX_INT_DIGITS digits."""
    digits = len(token) - token.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise TokenError(f"integer of {digits} digits exceeds the {MAX_INT_DIGITS}-digit limit", 0)
    try:
        return int(token)
    except ValueError:  # a lower limit set with sys.set_int_max_str_digits
        raise TokenError(f"integer of {digits} digits exceeds this interpreter's integer-string limit", 0) from None


def quote_end(text: str, quote: int) -> int:
    """Return the offset just past the quote closing the quoted run that opens at `text[quote]`, or -1."""
    close = text.find('"', quote + 1)
    if close < 0:
        return -1
    escape = text.find("\\", quote + 1, close)
    if escape < 0:
        return close + 1  # the usual quoted run: no escape
    match = _QUOTED_REST.match(text, escape)
    return -1 if match is None else match.end()


def parse_quoted(token: str) -> str:
    """Return the text of a token that starts with `"`; it must end at its closing quote (§7.1, B.4).

    A token whose escapes are all TOON's is read by the json module's C string scanner in one pass; the rest,
    and every malformed token, go the exact way.
    """
    if _toon_escapes_only(token):
        try:
            value, end = _scan_string(token, 1, False)
        except ValueError:  # unterminated, or a bad escape: located below
            pass
        else:
            if end != len(token):
                raise TokenError("unexpected characters after the closing quote", end)
            return value
    end = quote_end(token, 0)
    if end < 0:
        raise TokenError("unterminated string: missing closing quote", 0)
    if end != len(token):
        raise TokenError("unexpected characters after the closing quote", end)
    return unescape(token, 1, end - 1)


def _toon_escapes_only(text: str) -> bool:
    """Return whether `text` has none of the escapes that JSON has and TOON lacks (`\\/`, `\\b`, `\\f`, surrogate
    `\\uXXXX`), so that the json module's C scanner reads its quoted runs as §7.1 does. An escaped backslash
    before such a letter may make the answer a needless no, never a wrong yes."""
    return (  # (a one-character search is a memchr: far faster than a two-character one on a line of escapes)
        ("/" not in text or "\\/" not in text)
        and ("b" not in text or "\\b" not in text)
        and ("f" not in text or "\\f" not in text)
        and ("u" not in text or "\\u" not in text or _SURROGATE_ESCAPE(text) is None)
    )


def quoted_cells(text: str, delimiter: str) -> list[str] | None:
    """Return the values of the cells of `text` (§11.2) when the delimiter is a comma and every cell is a quoted
    string, read as one JSON array by the json module's C scanner; else None, as when a cell needs
    `parse_quoted`'s checks (a JSON-only escape, a raw control character)."""
    if delimiter != "," or text[:1] != '"' or text[-1:] != '"':
        return None  # (the first or last cell is unquoted: the cheap test that rules out most mixed arrays)
    if "\t" in text or "\r" in text or not _toon_escapes_only(text):
        return None  # (JSON would skip a tab or CR around a value; TOON trims spaces only)
    array = f"[{text}]"
    try:
        values, end = _scan_json(array, 0)
    except (StopIteration, ValueError):  # a cell that is no JSON value, an empty one, a bad escape, …
        return None
    if end != len(array) or set(map(type, values)) != {str}:
        return None
    return values  # type: ignore[no-any-return]


def unescape(text: str, start: int, end: int) -> str:
    """Return `text[start:end]`, the body of a quoted run whose closing quote is `text[end]`, with the §7.1
    escapes resolved; any other escape is a TokenError."""
    body = text[start:end]
    if "\\" not in body:
        return body
    valid = _WELL_FORMED.match(body).end()  # type: ignore[union-attr]  # `*+` always matches
    if valid < len(body):
        raise _escape_error(body[valid + 1 : valid + 6], start + valid)
    return _scan_string(text, start, False)[0]  # (JSON's escapes, but only TOON's are left: checked above)


def _escape_error(escape: str, offset: int) -> TokenError:
    """Return the error for the ill-formed escape `\\` + `escape` (up to five characters of it) at `offset`."""
    if escape[:1] == "u":
        if re.fullmatch("u[0-9A-Fa-f]{4}", escape):
            return TokenError(f"surrogate escape \\{escape} is not allowed; write the character itself", offset)
        return TokenError("\\u must be followed by four hex digits", offset)
    return TokenError(f'invalid escape "\\{escape[:1]}"; expected one of \\\\ \\" \\n \\r \\t \\uXXXX', offset)


def parse_key(text: str, start: int, end: int) -> str:
    """Return the key in `text[start:end]`: a quoted key unescaped, otherwise the literal token trimmed (§7.4)."""
    token = text[start:end].strip(" ")
    if token[:1] != '"':
        return token
    lead = text.find('"', start)
    try:
        return parse_quoted(token)
    except TokenError as exc:
        raise TokenError(exc.msg, lead + exc.offset) from None


def find_unquoted(text: str, char: str, start: int = 0) -> int:
    """Return the index of the first `char` outside quoted runs at or after `start`, or -1."""
    index = text.find(char, start)
    while index >= 0:
        quote = text.find('"', start, index)
        if quote < 0:
            return index
        start = quote_end(text, quote)
        if start < 0:  # an unterminated quote runs to the end of the line
            return -1
        if index < start:
            index = text.find(char, start)
    return -1


def split_cells(text: str, delimiter: str) -> list[str]:
    """Split on unquoted occurrences of the active delimiter, keeping empty pieces (§11.2)."""
    if '"' not in text:
        return text.split(delimiter)
    if "\\" in text:
        return _split_escaped(text, delimiter)
    runs = text.split('"')  # without escapes, every other run lies between quotes
    if delimiter not in "".join(runs[1::2]):
        return text.split(delimiter)  # no quoted run holds a delimiter: the plain split is exact
    if text.count(delimiter) < 2 * len(runs):
        return _split_escaped(text, delimiter)  # mostly quoted cells: one findall beats the loop (1.2 vs 3.3 µs)
    pieces: list[str] = []
    piece: list[str] = []  # the parts of the piece being joined (never `+=`: a long line would take quadratic time)
    last = len(runs) - 1
    for index, run in enumerate(runs):
        if index % 2:  # a quoted run; the last one is unterminated, the rest of the line (its parse reports it)
            piece.append(f'"{run}"' if index < last else '"' + run)
            continue
        cut = run.split(delimiter)
        piece.append(cut[0])
        if len(cut) > 1:
            pieces.append("".join(piece))
            pieces += cut[1:-1]
            piece = [cut[-1]]
    pieces.append("".join(piece))
    return pieces


def _split_escaped(text: str, delimiter: str) -> list[str]:
    """Split on unquoted occurrences of the delimiter in text with backslash escapes (see `split_cells`): one
    C-level `findall` of the cells, each behind a delimiter once one is put before the first."""
    return _CELLS[delimiter].findall(delimiter + text)


def cell_values(
    pieces: list[str], text: str, delimiter: str, base: int = 0, parse: Parser = parse_value
) -> list[Any]:
    """Return the values of the `pieces` split from `text`, each trimmed of spaces."""
    try:
        if " " not in text or not padded(text, delimiter):
            return list(map(parse, pieces))
        return [parse(piece.strip(" ")) for piece in pieces]
    except TokenError:
        _locate_cell_error(pieces, base)
        raise


def padded(text: str, delimiter: str) -> bool:
    """Return whether a cell of `text` (one line, or rows joined by newlines) may start or end with a space,
    to be trimmed (§12)."""
    return " " in text and (
        text[0] == " " or text[-1] == " " or delimiter + " " in text or " " + delimiter in text or " \n" in text
    )


def _locate_cell_error(pieces: list[str], offset: int) -> None:
    """Re-raise the first failing cell's TokenError with its offset within the line."""
    for piece in pieces:
        lead = len(piece) - len(piece.lstrip(" "))
        try:
            parse_value(piece.strip(" "))
        except TokenError as exc:
            raise TokenError(exc.msg, offset + lead + exc.offset) from None
        offset += len(piece) + 1


def _preview(token: str, limit: int = 40) -> str:
    """Return a token shortened for a message."""
    return token if len(token) <= limit else token[: limit - 1] + "…"
