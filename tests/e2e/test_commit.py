"""`git commit` through the real pre-commit framework with toon-sync installed from this checkout."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from toon_hooks import decode, twins

from .gitrepo import commit, committed_files, git, head_blob, make_repo, precommit, run, status

pytestmark = pytest.mark.e2e

TASKS = "tasks[2]{id,title,done}:\n  1,Write spec,true\n  2,Ship it,false\n"


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_new_twin_is_created_and_committed_in_the_same_commit(repo: Path) -> None:
    write(repo, "plan.toon", TASKS)
    git(repo, "add", "plan.toon")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert committed_files(repo) == {"plan.toon", "plan.md"}
    twin = head_blob(repo, "plan.md")
    marker = twins.parse_marker(twin)
    assert marker is not None and twins.marker_source_path("plan.md", marker) == "plan.toon"
    assert "Write spec" in twin and "Ship it" in twin
    assert status(repo) == ""


def test_stale_twin_is_regenerated_and_unchanged_twin_is_untouched(repo: Path) -> None:
    write(repo, "a.toon", TASKS)
    write(repo, "b.toon", "name: unchanged\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    b_mtime = os.stat(repo / "b.md").st_mtime_ns
    write(repo, "a.toon", TASKS.replace("Ship it", "Ship it today"))
    git(repo, "add", "a.toon")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert committed_files(repo) == {"a.toon", "a.md"}
    assert "Ship it today" in head_blob(repo, "a.md")
    assert os.stat(repo / "b.md").st_mtime_ns == b_mtime
    proc = precommit(repo, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout
    assert os.stat(repo / "b.md").st_mtime_ns == b_mtime


def test_invalid_toon_blocks_the_commit_with_a_located_error(repo: Path) -> None:
    write(repo, "ok.toon", "a: 1\n")
    write(repo, "bad.toon", "items[3]: a,b\n")
    git(repo, "add", "-A")
    head = git(repo, "rev-parse", "HEAD")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "bad.toon:1:" in proc.stdout
    assert git(repo, "rev-parse", "HEAD") == head
    assert not (repo / "ok.md").exists()  # all or nothing: one failure blocks every write


def test_hand_edited_twin_is_refused(repo: Path) -> None:
    write(repo, "n.toon", "title: Notes\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    edited = (repo / "n.md").read_text() + "\nmy own paragraph\n"
    write(repo, "n.md", edited)
    write(repo, "n.toon", "title: Notes v2\n")
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "n.md:1:1:" in proc.stdout and "edited by hand" in proc.stdout
    assert (repo / "n.md").read_text() == edited


def test_unstaged_edit_in_a_twin_survives(repo: Path) -> None:
    write(repo, "s.toon", "title: One\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    twin_before = (repo / "s.md").read_text()
    write(repo, "s.md", twin_before + "\nunstaged note\n")
    write(repo, "s.toon", "title: Two\n")
    git(repo, "add", "s.toon")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "s.md" in proc.stdout
    assert (repo / "s.md").read_text() == twin_before + "\nunstaged note\n"
    # the advice names both ways that work, and the summary does not claim that nothing failed
    assert "move it into s.toon and drop it here (git restore -- s.md)" in proc.stdout
    assert "1 left for you to stage" in proc.stdout
    # following the first way works: the edit is dropped and the commit goes through
    git(repo, "restore", "--", "s.md")
    assert commit(repo).returncode == 0


def test_partial_staging_converts_the_staged_version_and_keeps_the_unstaged_edit(repo: Path) -> None:
    write(repo, "p.toon", "title: staged\n")
    git(repo, "add", "p.toon")
    write(repo, "p.toon", "title: unstaged\n")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert "staged" in head_blob(repo, "p.md") and "unstaged" not in head_blob(repo, "p.md")
    assert (repo / "p.toon").read_text() == "title: unstaged\n"


def test_commit_all_stages_twins_into_the_temporary_index(repo: Path) -> None:
    write(repo, "c.toon", "title: first\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    write(repo, "c.toon", "title: second\n")
    proc = commit(repo, "-a")
    assert proc.returncode == 0, proc.stdout
    assert "second" in head_blob(repo, "c.md")
    assert status(repo) == ""


def test_path_limited_commit_refuses_to_stage_and_says_what_to_run(repo: Path) -> None:
    write(repo, "d.toon", "title: first\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    write(repo, "d.toon", "title: second\n")
    proc = commit(repo, "d.toon")
    assert proc.returncode != 0
    assert "git commit" in proc.stdout and "d.md" in proc.stdout
    proc = commit(repo, "d.toon", "d.md")
    assert proc.returncode == 0, proc.stdout
    assert "second" in head_blob(repo, "d.md")
    assert status(repo) == ""


def test_rename_and_delete_leave_orphans_that_the_orphans_hook_reports(repo: Path) -> None:
    write(repo, "old.toon", "a: 1\n")
    write(repo, "gone.toon", "b: 2\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    git(repo, "mv", "old.toon", "new.toon")
    git(repo, "rm", "-q", "gone.toon")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "old.md:1:1: orphaned twin" in proc.stdout and "gone.md:1:1: orphaned twin" in proc.stdout
    # the advice works where only pre-commit is installed: plain git, or the hook's own --delete arg
    assert "git rm -- gone.md old.md" in proc.stdout or "git rm -- old.md gone.md" in proc.stdout
    assert "args: [--delete] on toon-orphans" in proc.stdout
    git(repo, "rm", "-q", "--", "old.md", "gone.md")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert not (repo / "old.md").exists() and (repo / "new.md").exists()


def test_all_files_in_a_clean_clone_passes_when_in_sync_and_fails_in_ci_when_stale(
        repo: Path, tmp_path: Path) -> None:
    write(repo, "x.toon", TASKS)
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    assert precommit(clone, "run", "--all-files", env={"CI": "true"}).returncode == 0
    write(repo, "x.toon", TASKS.replace("Ship it", "Ship later"))
    git(repo, "commit", "-q", "-am", "stale twin", "--no-verify")
    git(clone, "pull", "-q")
    index_before = (clone / ".git" / "index").read_bytes()
    proc = precommit(clone, "run", "--all-files", "--show-diff-on-failure", env={"CI": "true"})
    assert proc.returncode == 1
    assert "x.md:1:1: stale" in proc.stdout
    assert (clone / ".git" / "index").read_bytes() == index_before
    assert status(clone) == ""


def test_many_files_arrive_in_several_batches_and_all_get_twins(repo: Path) -> None:
    folder = "docs/" + "d" * 220
    names = [f"{folder}/section {i:03d} note-[{i}] " + "n" * 200 + ".toon" for i in range(300)]
    for i, name in enumerate(names):
        write(repo, name, f"id: {i}\ntitle: note {i}\n")
    # pre-commit caps one command line at 2**17 bytes, so these names must arrive in several calls.
    assert sum(len(n.encode()) + 1 for n in names) > 2**17
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    files = committed_files(repo)
    assert len(files) == 600 and sum(f.endswith(".md") for f in files) == 300


def test_odd_names_spaces_brackets_unicode(repo: Path) -> None:
    names = ["with space.toon", "br[1].toon", "ünï cödé.toon", "f1.toon"]
    for name in names:
        write(repo, name, f"name: {name[:-5]!r}\n".replace("'", '"'))
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    tracked = set(git(repo, "-c", "core.quotepath=off", "ls-files").splitlines())
    for name in names:
        assert name[:-5] + ".md" in tracked


def test_symlinked_files_are_skipped(repo: Path) -> None:
    write(repo, "real.toon", "a: 1\n")
    os.symlink("real.toon", repo / "link.toon")
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode == 0, proc.stdout
    assert (repo / "real.md").exists() and not (repo / "link.md").exists()


def test_crlf_clone_sees_no_churn(repo: Path, tmp_path: Path) -> None:
    write(repo, "w.toon", TASKS)
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    clone = tmp_path / "crlf"
    git(tmp_path, "clone", "-q", "-c", "core.autocrlf=true", str(repo), str(clone))
    run(["python3", "-m", "pre_commit", "install"], clone)
    assert b"\r\n" in (clone / "w.md").read_bytes()
    proc = precommit(clone, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout
    assert status(clone) == ""


def test_corrupted_cache_is_reported_and_the_commit_still_works(repo: Path, tmp_path: Path) -> None:
    cache_root = tmp_path / "cache"
    env = {"TOON_HOOKS_CACHE_DIR": str(cache_root)}
    write(repo, "k.toon", "a: 1\n")
    git(repo, "add", "-A")
    assert commit(repo, env=env).returncode == 0
    for db in cache_root.rglob("cache.db"):
        db.write_bytes(b"this is not a sqlite database" * 100)
    write(repo, "k.toon", "a: 2\n")
    git(repo, "add", "-A")
    verbose = precommit(repo, "run", "toon-sync", "--verbose", "--files", "k.toon", env=env)
    assert verbose.returncode == 0 and "cache disabled" in verbose.stdout
    proc = commit(repo, env=env)
    assert proc.returncode == 0, proc.stdout
    assert decode(head_blob(repo, "k.toon")) == {"a": 2}
    assert "2" in head_blob(repo, "k.md")


def test_two_worktrees_commit_at_once_sharing_one_cache(repo: Path, tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "TOON_HOOKS_CACHE_DIR": str(tmp_path / "shared-cache")}
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", "-b", "side", str(other))
    for tree, tag in ((repo, "main"), (other, "side")):
        for i in range(20):
            write(tree, f"w{i}.toon", f"tree: {tag}\nn: {i}\n")
        git(tree, "add", "-A")
    procs = [subprocess.Popen(["git", "commit", "-q", "-m", "race"], cwd=tree, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for tree in (repo, other)]
    outputs = [p.communicate()[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    for tree, tag in ((repo, "main"), (other, "side")):
        assert all(tag in (tree / f"w{i}.md").read_text() for i in range(20))
        assert status(tree) == ""


def test_no_stage_writes_and_asks_for_git_add(tmp_path: Path, hook_repo: tuple[Path, str]) -> None:
    repo = make_repo(tmp_path / "nostage", *hook_repo, args={"toon-sync": ["--no-stage"]})
    write(repo, "q.toon", "a: 1\n")
    git(repo, "add", "q.toon")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "git add -- q.md" in proc.stdout
    git(repo, "add", "q.md")
    assert commit(repo).returncode == 0


def test_gitignored_twin_is_written_but_not_staged(repo: Path) -> None:
    write(repo, ".gitignore", "*.md\n")
    write(repo, "g.toon", "a: 1\n")
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "git add -f -- g.md" in proc.stdout
    assert (repo / "g.md").exists()


def test_both_sides_staged_with_different_content_says_which_to_revert(repo: Path) -> None:
    write(repo, "b.toon", "title: one\n")
    git(repo, "add", "-A")
    assert commit(repo).returncode == 0
    write(repo, "b.toon", "title: two\n")
    write(repo, "b.md", (repo / "b.md").read_text().replace("one", "uno"))
    git(repo, "add", "-A")
    proc = commit(repo)
    assert proc.returncode != 0
    assert "both files are staged" in proc.stdout and "git restore --staged --worktree -- b.md" in proc.stdout
