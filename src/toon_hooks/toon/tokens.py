"""Decoder tokens: primitive values (§4), quoted strings and escapes (§7.1), keys (§7.4), cell splitting (§11.2).

Quoted runs are found with `str.find` loops, never with a regex that repeats a group: the regex engine keeps
state for every repetition, so a 50 MB line full of escapes or quoted cells would take gigabytes.
"""
from __future__ import annotations

import math
import operator
import re
from typing import Any, Callable, Sequence

Parser = Callable[[str], Any]
"""Turns a trimmed value token into its value: `parse_value`, or a memoizing equivalent."""


class TokenError(Exception):
    """A malformed token; `offset` is 0-based within the string handed to the tokenizer."""

    def __init__(self, msg: str, offset: int) -> None:
        super().__init__(msg, offset)
        self.msg = msg
        self.offset = offset


_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
"""The §4 number grammar, forbidden leading zeros ruled out by `0|[1-9]…`; ASCII digits only."""
_NUMBER_MATCH = re.compile(_NUMBER).fullmatch
_NUMBER_LINES = re.compile(f"^{_NUMBER}$", re.M)
"""The number grammar applied to every line of a newline-joined column at once."""
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.?)", re.S)
_SIMPLE_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t"}
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}
SPECIAL_START = frozenset('"-0123456789tfn')
"""First characters of tokens that may not be plain strings: quoted, numbers, true/false/null."""
_NUMBER_START = frozenset("-0123456789")
_INFINITY = math.inf
MAX_INT_DIGITS = 4300
"""Longest integer token decoded (exactly); longer ones are an error. Converting a digit string costs
quadratic time, so CPython 3.11 refuses more than this by default; older interpreters do not."""
_FIRST_CHAR = operator.itemgetter(slice(0, 1))
_isinf = math.isinf


def parse_value(token: str) -> Any:
    """Return the JSON value of a value token already trimmed of spaces (§4)."""
    first = token[:1]
    if first not in SPECIAL_START:
        return token
    if first == '"':
        return parse_quoted(token)
    if first in "tfn":
        return _LITERALS.get(token, token)
    if token.isdigit() and token.isascii() and (first != "0" or len(token) == 1):
        return _integer(token)
    if _NUMBER_MATCH(token) is None:
        return token
    if "." not in token and "e" not in token and "E" not in token:
        return _integer(token)
    value = float(token)
    if _isinf(value):
        raise TokenError(f"number {_preview(token)} is out of range for a 64-bit float", 0)
    return value if value else 0.0  # -0.0 and underflow to zero decode as 0 (§4)


def parse_column(tokens: Sequence[str], parse: Parser) -> list[Any]:
    """Return the values of one table column (trimmed tokens); whole-column checks spare per-token work."""
    kinds = set(map(_FIRST_CHAR, tokens))
    if kinds.isdisjoint(SPECIAL_START):  # plain strings only: nothing to parse
        return list(tokens)
    if kinds <= _NUMBER_START:
        values = _number_column(tokens)
        if values is not None:
            return values
    if len(set(tokens)) * 2 > len(tokens):  # mostly distinct: memoizing would only cost
        return list(map(parse_value, tokens))
    return list(map(parse, tokens))


def _number_column(tokens: Sequence[str]) -> list[Any] | None:
    """Return the values of a column whose tokens all start like numbers, when they are all numbers (§4) or
    all strings (dates, versions, codes); None for a mix, or for anything `parse_value` must report."""
    joined = "\n".join(tokens)
    numbers = len(_NUMBER_LINES.findall(joined))
    if numbers == 0:
        return list(tokens)
    if numbers < len(tokens) or max(map(len, tokens)) > MAX_INT_DIGITS:
        return None
    try:
        if "." not in joined and "e" not in joined and "E" not in joined:
            return list(map(int, tokens))
        values = [float(token) if "." in token or "e" in token or "E" in token else int(token) for token in tokens]
    except ValueError:  # a lower limit set with sys.set_int_max_str_digits
        return None
    if _INFINITY in values or -_INFINITY in values:
        return None
    return [value if value else abs(value) for value in values] if 0 in values else values  # -0.0 is 0


class ValueMemo(dict):  # type: ignore[type-arg]
    """Token -> value for one document: repeated tokens (flags, enum-like strings, small numbers) parse once."""

    __slots__ = ()

    def __missing__(self, token: str) -> Any:
        value = self[token] = parse_value(token)
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
    at = quote + 1
    close = text.find('"', at)
    while close >= 0:
        escape = text.find("\\", at, close)
        if escape < 0:
            return close + 1
        at = escape + 2  # an escape covers the next character, perhaps a quote
        if at > close:
            close = text.find('"', at)
    return -1


def parse_quoted(token: str) -> str:
    """Return the text of a token that starts with `"`; it must end at its closing quote (§7.1, B.4)."""
    end = quote_end(token, 0)
    if end < 0:
        raise TokenError("unterminated string: missing closing quote", 0)
    if end != len(token):
        raise TokenError("unexpected characters after the closing quote", end)
    return unescape(token, 1, end - 1)


def unescape(text: str, start: int, end: int) -> str:
    """Return `text[start:end]` with the §7.1 escapes resolved; any other escape is a TokenError."""
    body = text[start:end]
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        where = start + match.start()
        if len(escape) == 5:
            code = int(escape[1:], 16)
            if 0xD800 <= code <= 0xDFFF:
                raise TokenError(f"surrogate escape \\{escape} is not allowed; write the character itself", where)
            return chr(code)
        if escape == "u":
            raise TokenError("\\u must be followed by four hex digits", where)
        raise TokenError(f'invalid escape "\\{escape}"; expected one of \\\\ \\" \\n \\r \\t \\uXXXX', where)

    return _ESCAPE.sub(replace, body)


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
    pieces = text.split(delimiter)
    if '"' not in text or ("\\" not in text and not any(piece.count('"') % 2 for piece in pieces)):
        return pieces  # every quoted run closes before the next delimiter: the plain split is exact
    pieces = []
    begin = at = 0
    cut = text.find(delimiter)
    while cut >= 0:
        quote = text.find('"', at, cut)
        if quote < 0:
            pieces.append(text[begin:cut])
            begin = at = cut + 1
            cut = text.find(delimiter, at)
            continue
        at = quote_end(text, quote)
        if at < 0:  # an unterminated quote: the rest is one piece (its parse reports the error)
            break
        if cut < at:
            cut = text.find(delimiter, at)
    pieces.append(text[begin:])
    return pieces


def parse_cells(text: str, delimiter: str, base: int = 0, parse: Parser = parse_value) -> list[Any]:
    """Return the values of delimiter-separated text: inline array values or a row's cells (§11.2).

    `base` is the offset of `text` within its line, so that errors point into the line.
    """
    return cell_values(split_cells(text, delimiter), text, delimiter, base, parse)


def cell_values(
    pieces: list[str], text: str, delimiter: str, base: int = 0, parse: Parser = parse_value
) -> list[Any]:
    """Return the values of the `pieces` split from `text`, each trimmed of spaces."""
    try:
        if not padded(text, delimiter):
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
