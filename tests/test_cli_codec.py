"""The `toon-hooks encode` and `toon-hooks decode` commands: streams, files, options, errors and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from toon_hooks.cli import main
from toon_hooks.toon import decode
from toon_hooks.toon.encoder import MAX_DEPTH

SAMPLE = {"users": [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Bób"}], "tags": ["a", "b,c"]}
SAMPLE_TOON = 'users[2]{id,name}:\n  1,Ada\n  2,Bób\ntags[2]: a,"b,c"\n'


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner(catch_exceptions=False).invoke(main, list(args), input=stdin)


def test_encode_stdin_to_stdout() -> None:
    result = run("encode", stdin=json.dumps(SAMPLE).encode())
    assert result.exit_code == 0
    assert result.stdout_bytes == SAMPLE_TOON.encode("utf-8")
    assert result.stderr == ""


def test_encode_options() -> None:
    result = run("encode", "--delimiter", "pipe", "--indent", "4", stdin=json.dumps(SAMPLE).encode())
    assert result.stdout == "users[2|]{id|name}:\n    1|Ada\n    2|Bób\ntags[2|]: a|b,c\n"
    assert run("encode", "--delimiter", "tab", stdin=b"[1,2]").stdout == "[2\t]: 1\t2\n"


def test_decode_stdin_to_stdout() -> None:
    result = run("decode", stdin=SAMPLE_TOON.encode())
    assert result.exit_code == 0
    assert result.stdout == json.dumps(SAMPLE, indent=2, ensure_ascii=False) + "\n"
    compact = run("decode", "--json-indent", "0", stdin=SAMPLE_TOON.encode())
    assert compact.stdout == json.dumps(SAMPLE, separators=(",", ":"), ensure_ascii=False) + "\n"


def test_decode_indent_and_no_strict() -> None:
    assert json.loads(run("decode", "--indent", "4", stdin=b"a:\n    b: 1\n").stdout) == {"a": {"b": 1}}
    assert run("decode", stdin=b"a: 1\na: 2\n").exit_code == 1  # duplicate keys are an error in strict mode
    assert json.loads(run("decode", "--no-strict", stdin=b"a: 1\na: 2\n").stdout) == {"a": 2}


def test_files_in_and_out(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(SAMPLE), encoding="utf-8")
    toon = tmp_path / "out.toon"
    assert run("encode", str(source), "-o", str(toon)).exit_code == 0
    assert toon.read_bytes() == SAMPLE_TOON.encode("utf-8")
    back = tmp_path / "back.json"
    assert run("decode", str(toon), "--output", str(back)).exit_code == 0
    assert json.loads(back.read_text(encoding="utf-8")) == SAMPLE


def test_empty_object_is_an_empty_document() -> None:
    """The same bytes the json→toon converter writes for twins: no lines, so not even a newline."""
    assert run("encode", stdin=b"{}").stdout_bytes == b""


def test_invalid_json_is_located_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(b'{\n  "a": [1, 2,]\n}\n')
    target = tmp_path / "out.toon"
    result = run("encode", str(source), "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{source}:2:14: error: Expecting value"
    assert "Traceback" not in result.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    "document",
    [b"\xef\xbb\xbf\xef\xbb\xbfx: 1\n", b"\xef\xbb\xbf\xef\xbb\xbfx", b"\xef\xbb\xbfa: \xef\xbb\xbf\n"],
)
def test_decode_strips_one_byte_order_mark_as_loads_does(document: bytes) -> None:
    expected = json.dumps(decode(document), indent=2, ensure_ascii=False) + "\n"
    assert "\ufeff" in expected
    assert run("decode", stdin=document).stdout == expected


def test_ill_formed_utf8_is_an_error_in_strict_mode_and_replaced_in_non_strict_mode() -> None:
    document = b"a: caf\xe9\nb: \xed\xa0\x80\n"  # a Latin-1 byte, then an encoded surrogate
    strict = run("decode", stdin=document)
    assert strict.exit_code == 1 and strict.stdout == ""
    assert strict.stderr.startswith("<stdin>:1:7: error: invalid UTF-8")
    lenient = run("decode", "--no-strict", stdin=document)
    assert lenient.exit_code == 0 and lenient.stderr == ""
    assert json.loads(lenient.stdout) == decode(document, strict=False) == {"a": "caf\ufffd", "b": "\ufffd" * 3}
    assert "U+FFFD" in run("decode", "--help").stdout


def test_invalid_toon_is_located_with_a_caret() -> None:
    result = run("decode", stdin=b"a:\n  b: 1\ntags[3]: x,y\n")
    assert result.exit_code == 1
    first, source_line, caret = result.stderr.splitlines()
    assert first.startswith("<stdin>:3:") and ": error: " in first
    assert source_line == "    tags[3]: x,y"
    assert caret.strip() == "^"
    assert result.stdout == ""


def test_invalid_utf8_is_located() -> None:
    result = run("encode", stdin=b'{"a": "\xff"}')
    assert result.exit_code == 1
    assert result.stderr.startswith("<stdin>:1:8: error: invalid UTF-8")


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b'{"x": NaN}', "<stdin>:1:7: error: NaN is not valid JSON"),  # strict JSON, as for twins
        (b'["\\ud800"]', "<stdin>:1:2: error: string holds an unpaired UTF-16 surrogate escape"),
        (b"[" * 400 + b"]" * 400, f"<stdin>:1:{MAX_DEPTH + 1}: error: JSON nested deeper than {MAX_DEPTH} levels"),
        (b"[" * 100_000 + b"]" * 100_000, f"<stdin>:1:{MAX_DEPTH + 1}: error: JSON nested deeper than"),  # beyond json
        # Brackets in strings do not count: the 150th object on line 2 (17 characters each) opens level 301.
        (b'{"a": [\n' + b'{"[": "]", "b": [' * 200 + b"]}" * 200 + b"]}", f"<stdin>:2:{149 * 17 + 1}: error: JSON"),
    ],
)
def test_json_the_encoder_refuses_is_an_error_not_a_traceback(stdin: bytes, message: str) -> None:
    result = run("encode", stdin=stdin)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(message)
    assert result.stdout == ""


def _deep_documents() -> list[tuple[str, bytes]]:
    """Documents that decode to values some 1,200 levels deep, beyond json.dumps's recursion (the review tried
    thousands of levels, whose indented JSON alone is hundreds of megabytes)."""
    levels = 1200
    items = "".join(" " * (2 + 4 * i) + "- a[1]:\n" for i in range(levels // 2))
    return [
        ("objects", "".join(" " * (2 * i) + "k:\n" for i in range(levels)).encode()),
        ("list items", ("a[1]:\n" + items + " " * (2 + 4 * (levels // 2)) + "- 1\n").encode()),
        ("field group", ("t[1]" + "{a" * levels + "}" * levels + ":\n  1\n").encode()),
        ("lists", ("[1]:\n" + "".join(" " * (2 * i + 1) + "- [1]:\n" for i in range(1, levels))).encode()),  # odd
    ]


@pytest.mark.parametrize(("name", "document"), _deep_documents())
def test_decode_writes_json_as_deep_as_the_decoder_reads(name: str, document: bytes) -> None:
    value = decode(document, strict=False)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 10_000)  # room for json.dumps, the oracle
    try:
        pretty = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n"
    finally:
        sys.setrecursionlimit(limit)
    assert run("decode", "--no-strict", stdin=document).stdout == pretty
    assert run("decode", "--no-strict", "--json-indent", "0", stdin=document).stdout == compact


def test_unreadable_and_unwritable_paths(tmp_path: Path) -> None:
    result = run("encode", "-o", str(tmp_path / "missing" / "out.toon"), stdin=b"{}")
    assert result.exit_code == 1 and "cannot write" in result.stderr
    missing = run("encode", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1
    assert missing.stderr == f"error: cannot read {tmp_path / 'nope.json'}: No such file or directory\n"


@pytest.mark.parametrize(
    "args", [["encode", "--delimiter", ";"], ["encode", "--indent", "0"], ["decode", "--json-indent", "-1"]]
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = run(*args, stdin=b"{}")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_module_entry_point_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "sample.json"
    source.write_text(json.dumps(SAMPLE, ensure_ascii=False), encoding="utf-8")
    encoded = subprocess.run(
        [sys.executable, "-m", "toon_hooks", "encode", str(source)], capture_output=True, check=True
    )
    assert encoded.stdout == SAMPLE_TOON.encode("utf-8")
    decoded = subprocess.run(
        [sys.executable, "-m", "toon_hooks", "decode", "-", "--json-indent", "0"],
        input=encoded.stdout,
        capture_output=True,
        check=True,
    )
    assert json.loads(decoded.stdout.decode("utf-8")) == SAMPLE
    failed = subprocess.run([sys.executable, "-m", "toon_hooks", "decode"], input=b"t[3]: a,b\n", capture_output=True)
    assert failed.returncode == 1 and failed.stdout == b""
    assert failed.stderr.startswith(b"<stdin>:1:") and b"Traceback" not in failed.stderr
