"""`toon-hooks encode` (JSON → TOON) and `toon-hooks decode` (TOON → JSON), between files or stdin/stdout."""
from __future__ import annotations

import re
import sys

import click

from ..errors import ConversionError, ToonHooksError
from ..formats.json_fmt import _fail
from ..formats.registry import decode_text, get
from ..fsio import write_atomic
from ..options import DELIMITERS, Options
from ..output import error_handler
from ..toon import decode
from ..toon.encoder import MAX_DEPTH
from ..toon.jsontext import dumps_json
from ..toon.tokens import QUOTED_BODY

_NESTING = re.compile(f'"{QUOTED_BODY}"|[][{{}}]')
"""A JSON string (skipped) or bracket."""

_INPUT = click.argument("source", metavar="[INPUT|-]", default="-", type=click.Path(dir_okay=False, allow_dash=True))
_OUTPUT = click.option(
    "-o", "--output", "target", metavar="OUT", type=click.Path(dir_okay=False), help="Write here instead of stdout."
)


@click.command("encode")
@_INPUT
@_OUTPUT
@click.option(
    "--delimiter",
    type=click.Choice([",", "comma", "tab", "|", "pipe"]),
    default=",",
    show_default=True,
    help="Delimiter of arrays and tables.",
)
@click.option("--indent", type=click.IntRange(min=1), default=2, show_default=True, help="Spaces per level.")
def encode_cmd(source: str, target: str | None, delimiter: str, indent: int) -> None:
    """Convert JSON (INPUT, default stdin) to TOON."""
    label = _label(source)
    with error_handler(label):
        options = Options(delimiter=DELIMITERS[delimiter], indent=indent)
        data = _read(source)
        try:
            toon = get("json", "toon").convert(data, options, label)
        except ConversionError as exc:
            if not exc.line:
                _locate_nesting(decode_text(data, label))
            raise
        _write(target, toon)


@click.command("decode")
@_INPUT
@_OUTPUT
@click.option(
    "--no-strict",
    "lenient",
    is_flag=True,
    help="Accept what strict mode rejects where the spec allows; ill-formed UTF-8 becomes U+FFFD.",
)
@click.option("--indent", type=click.IntRange(min=1), default=2, show_default=True, help="TOON spaces per level.")
@click.option(
    "--json-indent", type=click.IntRange(min=0), default=2, show_default=True, help="JSON indentation; 0 = compact."
)
def decode_cmd(source: str, target: str | None, lenient: bool, indent: int, json_indent: int) -> None:
    """Convert TOON (INPUT, default stdin) to JSON."""
    label = _label(source)
    with error_handler(label):
        _write(target, toon_to_json(_read(source), strict=not lenient, indent=indent, json_indent=json_indent))


def toon_to_json(data: bytes, *, strict: bool = True, indent: int = 2, json_indent: int = 2) -> str:
    """Return the JSON text (one final newline) for TOON bytes; bad input raises a located error.

    The bytes go to the decoder as they are, so the command reads what `loads` reads: one leading byte-order
    mark is dropped, and ill-formed UTF-8 is an error in strict mode, U+FFFD in non-strict mode (which accepts
    what the spec does not require strict decoders to reject). The text is what `json.dumps` writes
    (`ensure_ascii` off), at any depth the decoder returns. The toon→json converter decodes in strict mode only.
    """
    value = decode(data, strict=strict, indent_size=indent)
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


def _label(source: str) -> str:
    return "<stdin>" if source == "-" else source


def _read(source: str) -> bytes:
    """Return the bytes of a file, or of stdin for "-"."""
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        with open(source, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ToonHooksError(f"cannot read {source}: {exc.strerror or exc}") from None


def _write(target: str | None, text: str) -> None:
    """Write `text` as UTF-8, atomically to `target`, or to stdout when there is none."""
    data = text.encode("utf-8")
    if target is None or target == "-":
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise ToonHooksError(f"cannot write {target}: {exc.strerror or exc}") from None
