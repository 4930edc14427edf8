"""Bounded fuzzing of `toon-hooks decode` and `toon-hooks encode` on mutated valid documents.

Every run must end in one of two ways: success (exit 0, with the output the library gives for the same input),
or one located error line `<stdin>:<line>:<col>: error: …` on stderr with exit 1 or 2, nothing on stdout and no
traceback; and within TIME_LIMIT seconds. Hypothesis runs derandomized (a fixed seed, no example database)
with a modest budget; most runs go through click's runner in-process, a handful through a real subprocess.
"""
from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any

from click.testing import CliRunner, Result
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_model_equal

from toon_hooks.cli import main
from toon_hooks.toon import decode, encode
from toon_hooks.toon.jsontext import dumps_json

TIME_LIMIT = 30.0
"""Seconds one run may take: generous, as the machine may be busy; a hang or a blow-up takes far longer."""
FUZZ = settings(max_examples=examples(250), derandomize=True, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
LOCATED = re.compile(r"<stdin>:[1-9][0-9]*:[1-9][0-9]*: error: \S")

_VALUES: list[Any] = [
    {"users": [{"id": 1, "name": "Ada", "tags": ["a", "b,c"]}, {"id": 2, "name": "Bób", "tags": []}]},
    {"rows": [{"a": 1, "b": {"c": "x", "d": None}}, {"a": 2.5, "b": {"c": "y", "d": True}}]},
    {"by_id": {"k1": {"v": 1, "w": "p"}, "k2": {"v": 2, "w": "q"}}, "note": 'say "hi"\n', "e": {}},
    [{"key": [1, 2, 3], "more": {"x": -0.5}}, [[1], ["a|b"]], "- item", "", {"": "\u00e9\ufeff\t"}],
    {"a": {"b": {"c": {"d": [{"e": {"f": 1}}]}}}},
    "\ufeffroot string",
]
TOON_SEEDS = [encode(value, delimiter=delimiter).encode() for value in _VALUES for delimiter in (",", "|", "\t")]
JSON_SEEDS = [json.dumps(value, indent=pad, ensure_ascii=False).encode() for value in _VALUES for pad in (None, 2)]

_PIECES = [
    b":", b": ", b"-", b"- ", b" ", b"  ", b"\n", b"\r\n", b"\t", b'"', b"\\", b"\\u", b"\\ud800", b"\\/", b"[",
    b"]", b"{", b"}", b",", b"|", b"#", b"0", b"-0", b"1e999", b"9" * 30, b"[2]", b"[999999999]", b"[0]:",
    b"{a,b}", b"{a{b}}", b"[2:]", b"[1|]", b"\xff", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"null", b"NaN", b"x",
]
"""Bytes that matter to TOON or JSON: structure, quoting, escapes, numbers, headers, ill-formed UTF-8, a BOM."""


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """Return a seed document after one to four edits: pieces inserted or swapped in, bytes cut, lines
    duplicated, re-indented or stacked into a staircase of growing indentation, a span repeated many times."""
    doc = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(doc)))
        edit = draw(st.sampled_from(["insert", "replace", "cut", "line", "indent", "stairs", "repeat"]))
        if edit == "insert":
            doc[at:at] = draw(st.sampled_from(_PIECES))
        elif edit == "replace":
            doc[at : at + 1] = draw(st.sampled_from(_PIECES))
        elif edit == "cut":
            del doc[at : at + draw(st.integers(1, 12))]
        elif edit == "repeat":  # deep brackets, long field groups, wide rows
            doc[at:at] = doc[at : at + draw(st.integers(1, 6))] * draw(st.integers(2, 1500))
        else:
            lines = bytes(doc).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            line = lines[index]
            if edit == "line":
                lines.insert(index, line)
            elif edit == "indent":
                lines[index] = b" " * draw(st.integers(0, 5)) + line.lstrip(b" ")
            else:  # deep nesting: each copy one level deeper
                step = draw(st.integers(1, 3))
                count = draw(st.integers(1, 400))
                lines[index + 1 : index + 1] = [b" " * (step * (i + 1)) + line for i in range(count)]
            doc = bytearray(b"\n".join(lines))
    return bytes(doc)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the code under test if it runs longer than `seconds` (Unix, main thread)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def invoke(args: list[str], document: bytes) -> Result:
    with time_limit(TIME_LIMIT):
        result = CliRunner().invoke(main, args, input=document)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def assert_located_error(code: int, stdout: bytes, stderr: str) -> None:
    """The one failure allowed: a located error line, exit 1 or 2, no output, no traceback."""
    assert code in (1, 2), stderr
    assert stdout == b""
    assert LOCATED.match(stderr), stderr
    assert "Traceback" not in stderr


@FUZZ
@given(mutated(TOON_SEEDS), st.booleans(), st.sampled_from([2, 2, 2, 1, 4]), st.integers(0, 3))  # seeds: indent 2
def test_decode_succeeds_or_reports_a_located_error(
    document: bytes, lenient: bool, indent: int, json_indent: int
) -> None:
    args = ["decode", "--indent", str(indent), "--json-indent", str(json_indent)] + (["--no-strict"] if lenient else [])
    result = invoke(args, document)
    if result.exit_code:
        assert_located_error(result.exit_code, result.stdout_bytes, result.stderr)
        return
    value = decode(document, strict=not lenient, indent_size=indent)  # what the library reads from the same bytes
    assert result.stdout == dumps_json(value, json_indent or None) + "\n"


@FUZZ
@given(mutated(JSON_SEEDS), st.sampled_from(["comma", "tab", "pipe"]), st.integers(1, 4))
def test_encode_succeeds_or_reports_a_located_error(document: bytes, delimiter: str, indent: int) -> None:
    result = invoke(["encode", "--delimiter", delimiter, "--indent", str(indent)], document)
    if result.exit_code:
        assert_located_error(result.exit_code, result.stdout_bytes, result.stderr)
        return
    expected = json.loads(document.decode("utf-8-sig"))
    assert json_model_equal(expected, decode(result.stdout_bytes, indent_size=indent))


@settings(max_examples=examples(6), derandomize=True, deadline=None)
@given(st.one_of(mutated(TOON_SEEDS).map(lambda d: ("decode", d)), mutated(JSON_SEEDS).map(lambda d: ("encode", d))))
def test_the_real_command_line_behaves_alike(run: tuple[str, bytes]) -> None:
    command, document = run
    done = subprocess.run(
        [sys.executable, "-m", "toon_hooks", command], input=document, capture_output=True, timeout=TIME_LIMIT * 2
    )
    if done.returncode:
        assert_located_error(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))
    elif command == "decode":
        assert done.stdout.decode("utf-8") == dumps_json(decode(document), 2) + "\n"
    else:
        assert json_model_equal(json.loads(document.decode("utf-8-sig")), decode(done.stdout))
