"""`toon-hooks encode` (JSON → TOON) and `toon-hooks decode` (TOON → JSON), between files or stdin/stdout.

Located errors propagate: the command line reports them against the input (`command_table.located_in`).
"""
from __future__ import annotations

import re
import sys

from ..errors import ConversionError, ToonHooksError
from ..formats.json_fmt import _fail
from ..formats.registry import decode_text, get
from ..fsio import write_atomic
from ..options import DELIMITERS, Options
from ..output import EXIT_OK
from ..paths import STDIN, input_label, read_input
from ..toon import decode as decode_toon
from ..toon.encoder import MAX_DEPTH
from ..toon.jsontext import dumps_json
from ..toon.tokens import QUOTED_BODY

_NESTING = re.compile(f'"{QUOTED_BODY}"|[][{{}}]')
"""A JSON string (skipped) or bracket."""


def encode(source: str = STDIN, target: str | None = None, delimiter: str = ",", indent: int = 2) -> int:
    """Write the TOON form of the JSON in `source` (a file or "-") to `target` (stdout when None or "-")."""
    label = input_label(source)
    options = Options(delimiter=DELIMITERS[delimiter], indent=indent)
    data = _read(source)
    try:
        toon = get("json", "toon").convert(data, options, label)
    except ConversionError as exc:
        if not exc.line:
            _locate_nesting(decode_text(data, label))
        raise
    _write(target, toon)
    return EXIT_OK


def decode(source: str = STDIN, target: str | None = None, lenient: bool = False, indent: int = 2,
           json_indent: int = 2) -> int:
    """Write the JSON form of the TOON in `source` (a file or "-") to `target` (stdout when None or "-")."""
    _write(target, toon_to_json(_read(source), strict=not lenient, indent=indent, json_indent=json_indent))
    return EXIT_OK


def toon_to_json(data: bytes, *, strict: bool = True, indent: int = 2, json_indent: int = 2) -> str:
    """Return the JSON text (one final newline) for TOON bytes; bad input raises a located error.

    The bytes go to the decoder as they are, so the command reads what `loads` reads: one leading byte-order
    mark is dropped, and ill-formed UTF-8 is an error in strict mode, U+FFFD in non-strict mode (which accepts
    what the spec does not require strict decoders to reject). The text is what `json.dumps` writes
    (`ensure_ascii` off), at any depth the decoder returns. The toon→json converter decodes in strict mode only.
    """
    value = decode_toon(data, strict=strict, indent_size=indent)
    return dumps_json(value, json_indent or None) + "\n"


def _locate_nesting(text: str) -> None:
    """Raise a located error at the first bracket of the JSON `text` nested deeper than MAX_DEPTH levels, if any.

    The converter reports nesting that the json parser cannot take, or the TOON encoder refuses, without a
    place: both lie beyond that bracket, as the TOON form of a value is never deeper than its JSON form.
    """
    depth = 0
    for match in _NESTING.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                msg = f"JSON nested deeper than {MAX_DEPTH} levels, more than TOON output allows"
                _fail(msg, text, match.start(), 1)
        elif char != '"':
            depth -= 1


def _read(source: str) -> bytes:
    """Return the bytes of a file, or of stdin for "-"."""
    try:
        return read_input(source)
    except OSError as exc:
        raise ToonHooksError(f"cannot read {source}: {exc.strerror or exc}") from None


def _write(target: str | None, text: str) -> None:
    """Write `text` as UTF-8, atomically to `target`, or to stdout when there is none."""
    data = text.encode("utf-8")
    if target is None or target == STDIN:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise ToonHooksError(f"cannot write {target}: {exc.strerror or exc}") from None
