"""JSON and JSONL ⇄ TOON converters, and the `auto` delimiter rule every TOON-writing converter shares."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, NoReturn

from ..errors import ConfigError, ConversionError
from ..options import DELIMITERS, Options
from ..toon import decode, encode
from .registry import Converter, decode_text, get, register

AUTO_ORDER: tuple[str, ...] = (",", "\t", "|")
"""Delimiters `auto` tries, in tie-break order: comma (the TOON default), then tab, then pipe."""

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
"""A quoted TOON token; outside one, `"` can only open another (unquoted tokens never contain it)."""

_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')
"""One JSON token: a string, a punctuation mark, or a bare literal (number, true, NaN, …)."""

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------------------------------------------------------
# Writing TOON


def count_quoted(toon_text: str) -> int:
    """Return how many quoted tokens (string values and keys) a TOON document contains."""
    return len(_QUOTED.findall(toon_text))


def _encode_auto(value: Any, indent: int) -> tuple[str, str]:
    """Return (delimiter, TOON text) for the delimiter whose encoding has the fewest quoted tokens."""
    first, *others = AUTO_ORDER
    best = (first, _encode(value, first, indent))
    fewest = count_quoted(best[1])
    for delimiter in others:
        if fewest == 0:  # nothing beats zero, and earlier delimiters win ties
            break
        text = _encode(value, delimiter, indent)
        quoted = count_quoted(text)
        if quoted < fewest:
            best, fewest = (delimiter, text), quoted
    return best


def choose_delimiter(value: Any, indent: int = 2) -> str:
    """Return the delimiter `auto` picks for `value`: fewest quoted tokens; ties go comma, tab, pipe."""
    return _encode_auto(value, indent)[0]


def _encode(value: Any, delimiter: str, indent: int) -> str:
    """Encode with the codec; a value it cannot represent (e.g. nested too deeply) is a ConversionError."""
    try:
        return encode(value, delimiter=delimiter, indent_size=indent)
    except (ValueError, RecursionError) as exc:
        raise ConversionError(f"cannot encode as TOON: {exc}") from None


def toon_document(value: Any, options: Options) -> str:
    """Return `value` as a TOON file: `options.delimiter` (a name, a character or "auto"), LF, final newline."""
    if options.delimiter == "auto":
        text = _encode_auto(value, options.indent)[1]
    else:
        try:
            delimiter = DELIMITERS[options.delimiter]
        except KeyError:
            raise ConfigError(
                f"delimiter: expected comma, tab, pipe or auto, got {options.delimiter!r}"
            ) from None
        text = _encode(value, delimiter, options.indent)
    # An empty root object encodes to an empty document; keep that file empty rather than one blank line.
    return text + "\n" if text else ""


# ---------------------------------------------------------------------------------------------------------------
# Reading JSON


class _Rejected(Exception):
    """Raised from inside the json parser for input it must not accept; `locate` finds it in the text."""

    def __init__(self, reason: str, locate: Callable[[str], int | None]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locate = locate


def _reject_literal(literal: str, reason: str) -> NoReturn:
    # A literal can be glued to what follows it (`1e999-0.5`, `NaN2`): match the bare token it starts.
    raise _Rejected(reason, lambda text: _token_offset(
        text, lambda token: token.startswith(literal) and not token.startswith('"')))


def _reject_constant(name: str) -> NoReturn:
    _reject_literal(name, f"{name} is not valid JSON")


def _parse_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        _reject_literal(literal, f"number {literal} is too large for a 64-bit float")
    return number


def _parse_int(literal: str) -> int:
    try:
        return int(literal)
    except ValueError:  # Python's limit on the digits of an int/str conversion
        _reject_literal(literal, f"integer with {len(literal)} digits is too long")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing duplicate keys: keeping only the last one would silently drop data."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        key = next(k for k, n in Counter(k for k, _ in pairs).items() if n > 1)
        raise _Rejected(
            f"duplicate key {json.dumps(key, ensure_ascii=False)}", lambda text: _duplicate_key_offset(text, key)
        )
    return obj


def _token_offset(text: str, wanted: Callable[[str], bool]) -> int | None:
    """Return the offset of the first JSON token for which `wanted` holds."""
    return next((m.start() for m in _JSON_TOKEN.finditer(text) if wanted(m.group())), None)


def _duplicate_key_offset(text: str, key: str) -> int | None:
    """Return the offset where `key` first repeats within one object."""
    scopes: list[set[str] | None] = []  # the keys seen per open object, None per open array
    expect_key = False
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            scopes.append(set() if token == "{" else None)
            expect_key = token == "{"
        elif token in ("}", "]"):
            scopes.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(scopes) and scopes[-1] is not None
        elif expect_key:
            keys = scopes[-1]
            assert keys is not None
            name = json.loads(token)
            if name == key and name in keys:
                return match.start()
            keys.add(name)
            expect_key = False
    return None


def _has_lone_surrogate(token: str) -> bool:
    return token.startswith('"') and bool(_LONE_SURROGATE.search(json.loads(token)))


def _fail(msg: str, text: str, offset: int | None, first_line: int) -> NoReturn:
    """Raise a ConversionError at `offset` of `text`, whose first line is line `first_line` of the file."""
    if offset is None:
        raise ConversionError(msg)
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    source = text[start : end if end >= 0 else len(text)].rstrip("\r")
    raise ConversionError(msg, first_line + line, offset - start + 1, source)


def parse_json(text: str, first_line: int = 1) -> Any:
    """Parse one JSON text strictly: no NaN/Infinity, no duplicate keys, no lone surrogates, exact ints.

    `first_line` is the file line `text` starts on (JSONL records), so errors name the file's line.
    """
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        _fail(exc.msg, text, exc.pos, first_line)
    except _Rejected as exc:
        _fail(exc.reason, text, exc.locate(text), first_line)
    except RecursionError:
        _fail("JSON nested too deeply", text, None, first_line)
    if _SURROGATE_ESCAPE.search(text):
        offset = _token_offset(text, _has_lone_surrogate)
        if offset is not None:
            _fail("string holds an unpaired UTF-16 surrogate escape", text, offset, first_line)
    return value


def parse_jsonl(text: str) -> list[Any]:
    """Parse JSON Lines into a list of records; blank lines are skipped, errors name the file's line."""
    return [
        parse_json(line, number)
        for number, line in enumerate(text.split("\n"), start=1)  # not splitlines(): U+2028 is valid in JSON
        if line.strip(" \t\r")
    ]


# ---------------------------------------------------------------------------------------------------------------
# Writing JSON and JSONL


def json_document(value: Any, options: Options) -> str:
    """Return `value` as JSON: pretty (`options.json_indent`) or compact (None), key order kept, final newline."""
    from ..toon.jsontext import dumps_json

    return dumps_json(value, options.json_indent) + "\n"  # at any depth the decoder returns


def jsonl_document(value: Any, source: str) -> str:
    """Return an array as JSON Lines (one compact value per line); any other root is an error located at
    the start of its `source` text."""
    if not isinstance(value, list):
        kind = "an object" if isinstance(value, dict) else "a single value"
        start = len(source) - len(source.lstrip())
        _fail(f"JSONL output needs an array root, got {kind}", source, min(start, len(source.rstrip())), 1)
    return "".join(json.dumps(item, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"
                   for item in value)


# ---------------------------------------------------------------------------------------------------------------
# Converters

_READ: dict[str, Callable[[str, Options], Any]] = {
    "json": lambda text, options: parse_json(text),
    "jsonl": lambda text, options: parse_jsonl(text),
    "toon": lambda text, options: decode(text, strict=True, indent_size=options.indent),
}
_WRITE: dict[str, Callable[[Any, Options, str], str]] = {
    "toon": lambda value, options, source: toon_document(value, options),
    "json": lambda value, options, source: json_document(value, options),
    "jsonl": lambda value, options, source: jsonl_document(value, source),
}


class _DataConverter(Converter):
    """Between the data formats (JSON, JSONL, TOON): parse strictly into the JSON model, write the target."""

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        text = decode_text(data, path)
        return _WRITE[self.target](_READ[self.source](text, options), options, text)


@register
class JsonToToon(_DataConverter):
    """A JSON document (any root value) as TOON."""

    name = "json-to-toon"
    source = "json"
    target = "toon"
    version = "1"


@register
class JsonlToToon(_DataConverter):
    """JSON Lines as one TOON array of records (uniform records become a table)."""

    name = "jsonl-to-toon"
    source = "jsonl"
    target = "toon"
    version = "1"


@register
class ToonToJson(_DataConverter):
    """A TOON document as JSON: pretty (`json_indent`) or compact (None), key order kept, UTF-8 text."""

    name = "toon-to-json"
    source = "toon"
    target = "json"
    version = "1"


@register
class ToonToJsonl(_DataConverter):
    """A TOON array as JSON Lines, so JSONL → TOON → JSONL gives the records back."""

    name = "toon-to-jsonl"
    source = "toon"
    target = "jsonl"
    version = "1"


@register
class JsonToJsonl(_DataConverter):
    """A JSON array as JSON Lines."""

    name = "json-to-jsonl"
    source = "json"
    target = "jsonl"
    version = "1"


@register
class JsonlToJson(_DataConverter):
    """JSON Lines as one JSON array."""

    name = "jsonl-to-json"
    source = "jsonl"
    target = "json"
    version = "1"


class _DocumentToJson(Converter):
    """A document format's TOON reading as JSON: `X → json` is `X → toon → json`, so both hold the same data."""

    target = "json"
    version = "1"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        toon = get(self.source, "toon").convert(data, options, path)
        return json_document(decode(toon, strict=True, indent_size=options.indent), options)

    def cache_id(self) -> str:
        """Also name the TOON converter: its version decides this output too."""
        return f"{super().cache_id()}+{get(self.source, 'toon').cache_id()}"


@register
class MarkdownToJson(_DocumentToJson):
    """Markdown as JSON: the data of the cheapest lossless reading, the one `md → toon` writes."""

    name = "md-to-json"
    source = "md"


@register
class HtmlToJson(_DocumentToJson):
    """HTML as JSON: the data `html → toon` writes."""

    name = "html-to-json"
    source = "html"
