"""`toon-hooks tokens`: forms per format, savings, totals per format, folders, errors, output modes, the cache."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import diskcache
import pytest
import tiktoken
from click.testing import CliRunner, Result
from conftest import TEST_ENCODING

from toon_hooks import decode
from toon_hooks.cache import cache_dir
from toon_hooks.cli import main
from toon_hooks.errors import LocatedError, ToonDecodeError, ToonHooksError
from toon_hooks.formats import registry
from toon_hooks.options import Options
from toon_hooks.token_forms import BASELINES, FileTokens, count_files
from toon_hooks.token_report import format_table, report_rows, totals
from toon_hooks.tokens import TokenCounter, savings

ENC = tiktoken.get_encoding(TEST_ENCODING)
NEEDS_MARKDOWN = pytest.mark.skipif(importlib.util.find_spec("toon_hooks.formats.markdown.converters") is None,
                                    reason="the Markdown converters are not written yet")
ROWS = {"users": [{"id": i, "name": f"user {i}", "role": ["admin", "dev", "ops"][i % 3], "active": i % 2 == 0}
                  for i in range(1, 31)]}


def tokens_of(text: str) -> int:
    return len(ENC.encode_ordinary(text))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["tokens", "--encoding", TEST_ENCODING, *args])


def report(*paths: Path) -> tuple[Result, dict[str, Any]]:
    result = invoke("--json", *map(str, paths))
    return result, json.loads(result.stdout)


def convert(source: str, target: str, data: str, **options: Any) -> str:
    return registry.get(source, target).convert(data.encode(), Options(**options), "test")


def expected_savings(tokens: dict[str, int]) -> dict[str, dict[str, float]]:
    return {form: {b: round(pct, 2) for b in BASELINES
                   if b in tokens and b != form and (pct := savings(tokens[b], count)) is not None}
            for form, count in tokens.items()}


def test_json_file_counts_every_form_with_savings(tmp_path: Path) -> None:
    source = json.dumps(ROWS, indent=4)
    path = tmp_path / "users.json"
    path.write_text(source)
    result, data = report(path)
    assert result.exit_code == 0, result.stderr
    toon = {name: convert("json", "toon", source, delimiter=d)
            for name, d in (("toon-comma", ","), ("toon-tab", "\t"), ("toon-pipe", "|"))}
    texts = {"file": source, "json-pretty": convert("toon", "json", toon["toon-comma"], json_indent=2),
             "json-compact": convert("toon", "json", toon["toon-comma"], json_indent=None), **toon}
    expected = {form: tokens_of(text) for form, text in texts.items()}
    (entry,) = data["files"]
    assert entry["tokens"] == expected and entry["format"] == "json"
    assert entry["saved_percent"] == expected_savings(expected)
    assert entry["saved_percent"]["toon-comma"]["json-compact"] > 0  # uniform rows: TOON is cheaper
    assert data["totals"] == [{"format": "json", "files": 1, "tokens": expected,
                               "saved_percent": expected_savings(expected)}]
    assert data["encoding"] == TEST_ENCODING and data["schema"] == 2 and data["errors"] == []


@NEEDS_MARKDOWN
def test_toon_file_counts_json_forms_and_markdown_twin(tmp_path: Path) -> None:
    toon = convert("json", "toon", json.dumps(ROWS))
    path = tmp_path / "users.toon"
    path.write_text(toon)
    result, data = report(path)
    (entry,) = data["files"]
    expected = {"file": tokens_of(toon),
                "json-pretty": tokens_of(convert("toon", "json", toon, json_indent=2)),
                "json-compact": tokens_of(convert("toon", "json", toon, json_indent=None)),
                "md": tokens_of(convert("toon", "md", toon))}
    assert entry["tokens"] == expected and entry["unavailable"] == {}
    assert entry["saved_percent"] == expected_savings(expected)
    assert result.exit_code == 0, result.stderr


@NEEDS_MARKDOWN
def test_markdown_file_counts_its_toon_twin(tmp_path: Path) -> None:
    markdown = "# Notes\n\nSome prose about tokens.\n\n- one\n- two\n"
    path = tmp_path / "notes.md"
    path.write_text(markdown)
    _, data = report(path)
    (entry,) = data["files"]
    expected = {"file": tokens_of(markdown), "toon": tokens_of(convert("md", "toon", markdown))}
    assert entry["tokens"] == expected
    assert entry["saved_percent"]["toon"] == expected_savings(expected)["toon"]


@NEEDS_MARKDOWN
def test_pdf_counts_its_markdown_and_toon_forms_but_not_its_bytes(tmp_path: Path) -> None:
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Quarterly report", fontsize=20)
    page.insert_text((72, 110), "Revenue grew by twelve percent in the third quarter.", fontsize=11)
    path = tmp_path / "report.pdf"
    path.write_bytes(document.tobytes())
    result, data = report(path)
    (entry,) = data["files"]
    forms = {name: registry.get("pdf", name).convert(path.read_bytes(), Options(), str(path))
             for name in ("md", "toon")}
    assert "Quarterly report" in forms["md"]
    assert entry["tokens"] == {name: tokens_of(text) for name, text in forms.items()}
    assert result.exit_code == 0, result.stderr


def test_invalid_files_are_located_and_the_others_still_counted(tmp_path: Path) -> None:
    bad_toon, bad_json, bad_text = "items:\n  - a\n b: 1\n", '{"a": [1, 2,]}', b"fine\n\xff\n"
    (tmp_path / "bad.toon").write_text(bad_toon)
    (tmp_path / "bad.json").write_text(bad_json)
    (tmp_path / "bad.txt").write_bytes(bad_text)
    (tmp_path / "good.txt").write_text("still counted\n")
    with pytest.raises(ToonDecodeError) as toon_error:
        decode(bad_toon)
    with pytest.raises(LocatedError) as json_error:
        convert("json", "toon", bad_json)
    paths = [tmp_path / name for name in ("bad.toon", "bad.json", "bad.txt", "good.txt")]
    result, data = report(*paths)
    assert result.exit_code == 1
    located = [f"{paths[0]}:{toon_error.value.line}:{toon_error.value.column}: error: {toon_error.value.msg}",
               f"{paths[1]}:{json_error.value.line}:{json_error.value.column}: error: ",
               f"{paths[2]}:2:1: error: invalid UTF-8"]
    stderr_lines = result.stderr.splitlines()
    for prefix in located:
        assert any(line.startswith(prefix) for line in stderr_lines), (prefix, result.stderr)
    assert [e["path"] for e in data["errors"]] == [str(p) for p in paths[:3]]
    assert data["errors"][2]["line"] == 2 and data["errors"][2]["column"] == 1
    assert [f["path"] for f in data["files"]] == [str(paths[3])]
    assert data["files"][0]["tokens"] == {"file": tokens_of("still counted\n")}


def test_plain_output_is_tab_separated_with_a_path_on_every_row_and_totals_per_format(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(ROWS))
    (tmp_path / "c.json").write_text(json.dumps({"n": 1}))
    (tmp_path / "b.txt").write_text("hello tokens\n")
    result = invoke(*(str(tmp_path / name) for name in ("a.json", "b.txt", "c.json")))
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0] == ["path", "form", f"tokens ({TEST_ENCODING})",
                        "saved vs file", "saved vs json-pretty", "saved vs json-compact"]
    assert all(len(line) == 6 and line[0] for line in lines)
    assert [line[1] for line in lines if line[0] == str(tmp_path / "b.txt")] == ["file"]
    totals_shown = {line[0] for line in lines if line[0].startswith("total")}
    assert totals_shown == {"total json (2 files)"}  # a format with one file has no total: it is that file
    total_file = next(line for line in lines if line[:2] == ["total json (2 files)", "file"])
    assert total_file[2] == str(tokens_of(json.dumps(ROWS)) + tokens_of(json.dumps({"n": 1})))


def test_terminal_table_aligns_numbers_groups_thousands_and_names_the_encoding() -> None:
    results = [FileTokens("docs/big.json", "json", {"file": 12408, "toon-comma": 7000}, {}),
               FileTokens("b.md", "md", {"file": 95}, {}),
               FileTokens("small.json", "json", {"file": 92, "toon-comma": 100}, {})]
    lines = format_table(report_rows(results, "o200k_base", human=True)).splitlines()
    tokens_end = lines[0].index("tokens (o200k_base)") + len("tokens (o200k_base)")
    counts = ["12,408", "7,000", "95", "92", "100", "12,500", "7,100"]
    assert [line[tokens_end - len(count):tokens_end] for line, count in zip(lines[1:], counts, strict=True)] == counts
    first_rows = [line.split("  ")[0] for line in lines[1:] if not line.startswith(" ")]
    assert first_rows == ["docs/big.json", "b.md", "small.json", "total json (2 files)"]
    assert "43.6%" in lines[2]  # (12,408 - 7,000) / 12,408


def test_totals_are_per_source_format_and_compare_only_files_that_have_both_forms() -> None:
    results = [FileTokens("a.json", "json", {"file": 100, "toon-comma": 60}, {}),
               FileTokens("b.md", "md", {"file": 50, "toon": 40}, {}),
               FileTokens("c.json", "json", {"file": 300, "toon-comma": None}, {}),
               FileTokens("d.txt", None, {"file": 7}, {})]
    by_format = {total.format: total for total in totals(results)}
    assert list(by_format) == ["json", "md", None]
    assert (by_format["json"].files, by_format["json"].tokens) == (2, {"file": 400, "toon-comma": 60})
    assert by_format["json"].saved["toon-comma"] == {"file": 40.0}
    assert by_format["md"].tokens == {"file": 50, "toon": 40}  # never added to the JSON files' "file"
    assert by_format[None].tokens == {"file": 7}


def test_folders_are_searched_like_sync(tmp_path: Path) -> None:
    (tmp_path / "docs" / "deep" / ".git").mkdir(parents=True)
    (tmp_path / "docs" / "a.json").write_text(json.dumps(ROWS))
    (tmp_path / "docs" / "deep" / "b.toon").write_text("k: v\n")
    (tmp_path / "docs" / "deep" / "c.txt").write_text("not searched\n")
    (tmp_path / "docs" / "deep" / ".git" / "d.json").write_text("{}")
    result, data = report(tmp_path / "docs", tmp_path / "docs" / "a.json")  # a file named twice counts once
    assert result.exit_code == 0, result.stderr
    assert [f["path"] for f in data["files"]] == [str(tmp_path / "docs" / "a.json"),
                                                  str(tmp_path / "docs" / "deep" / "b.toon")]
    assert [(t["format"], t["files"]) for t in data["totals"]] == [("json", 1), ("toon", 1)]


@NEEDS_MARKDOWN
def test_html_file_counts_its_markdown_and_toon(tmp_path: Path) -> None:
    page = "<h1>Notes</h1><p>Some <b>prose</b> about tokens.</p><ul><li>one<li>two</ul>"
    path = tmp_path / "notes.html"
    path.write_text(page)
    _, data = report(path)
    (entry,) = data["files"]
    assert entry["format"] == "html"
    assert entry["tokens"] == {"file": tokens_of(page), "md": tokens_of(convert("html", "md", page)),
                               "toon": tokens_of(convert("html", "toon", page))}
    assert entry["saved_percent"]["toon"]["file"] > 0


def test_missing_converters_make_forms_unavailable_not_errors(tmp_path: Path) -> None:
    def no_converter(source: str, target: str) -> registry.Converter:
        raise ToonHooksError(f"no converter from {source} to {target}")

    results, errors = count_files([("a.json", b'{"a": 1}')], TokenCounter(TEST_ENCODING), no_converter)
    assert errors == []
    (result,) = results
    assert result.tokens == {"file": tokens_of('{"a": 1}')}
    assert result.unavailable == {"json-pretty": "no converter from json to toon",
                                  "json-compact": "no converter from json to toon",
                                  "toon-comma": "no converter from json to toon",
                                  "toon-tab": "no converter from json to toon",
                                  "toon-pipe": "no converter from json to toon"}


def test_unavailable_tokenizer_warns_once_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text\n")
    (tmp_path / "b.txt").write_text("more text\n")
    result = CliRunner().invoke(main, ["tokens", "--encoding", "no-such-encoding",
                                       str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert result.exit_code == 1
    assert result.stderr.count("warning: token counts unavailable: 'no-such-encoding'") == 1
    assert [line.split("\t")[2] for line in result.stdout.splitlines()[1:]] == ["n/a", "n/a", "n/a"]


_CACHED_RUN = """
import sys
from toon_hooks.cli import main
code = main(["tokens", "--encoding", sys.argv[1], *sys.argv[2:]], standalone_mode=False)
print("tiktoken imported:", "tiktoken" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def test_cached_run_neither_converts_nor_tokenizes(tmp_path: Path) -> None:
    for index in range(3):
        (tmp_path / f"f{index}.json").write_text(json.dumps({"n": index, **ROWS}))
    (tmp_path / "n.txt").write_text("plain text\n")
    files = sorted(str(p) for p in tmp_path.iterdir())

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _CACHED_RUN, TEST_ENCODING, *files], capture_output=True,
                              text=True, env=os.environ.copy())

    first = run()
    assert "tiktoken imported: True" in first.stderr
    with diskcache.Cache(cache_dir()) as cache:  # keep only the per-file rows: text counts are gone
        for key in [k for k in cache.iterkeys() if k.startswith("tok:")]:
            del cache[key]
    second = run()
    assert "tiktoken imported: False" in second.stderr
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout) == (0, first.stdout)
