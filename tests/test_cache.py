"""The cache store: round trips, and every failure turns it off instead of failing the run."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from toon_hooks import __version__
from toon_hooks.cache import Store, cache_dir
from toon_hooks.cli import main


def test_cache_dir_honours_the_environment_and_is_per_version(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOON_HOOKS_CACHE_DIR", str(tmp_path))
    assert cache_dir() == os.path.join(str(tmp_path), __version__)
    monkeypatch.delenv("TOON_HOOKS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == os.path.join(str(tmp_path / "xdg"), "toon-hooks", __version__)


def test_values_survive_reopening(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    store.set_many({"a": {"text": "x"}, "b": 2})
    store.close()
    again = Store(str(tmp_path))
    assert again.get_many(["a", "b", "c"]) == {"a": {"text": "x"}, "b": 2}
    assert again.info()["entries"] == 2
    assert again.clear() == 2 and again.get("a") is None


def test_a_corrupt_database_disables_the_store_with_one_warning(tmp_path: Path) -> None:
    Store(str(tmp_path)).set("k", 1)
    (tmp_path / "cache.db").write_bytes(b"not sqlite" * 100)
    store = Store(str(tmp_path))
    assert store.get("k") is None
    store.set("k", 2)
    assert not store.enabled and store.warning and "cache disabled" in store.warning


def test_an_unusable_folder_disables_the_store(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    store = Store(str(blocker / "cache"))
    assert store.get_many(["x"]) == {} and not store.enabled


def test_a_disabled_store_never_opens(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "never"), enabled=False)
    store.set("a", 1)
    assert store.get("a") is None and not (tmp_path / "never").exists()


def test_cache_info_and_clear_commands(tmp_path: Path) -> None:
    Store(cache_dir()).set("k", 1)
    runner = CliRunner()
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and "entries: 1" in info.output
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 cache entries" in cleared.output


def test_a_locked_store_is_given_up_in_a_fraction_of_a_second(tmp_path: Path) -> None:
    Store(str(tmp_path)).set("k", 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
         str(tmp_path / "cache.db")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        store = Store(str(tmp_path))
        started = time.perf_counter()
        assert store.get_many(["k"]) == {}
        given_up = time.perf_counter() - started
        assert not store.enabled and store.locked
        assert store.warning == f"cache locked by another process, running without it ({tmp_path})"
        assert given_up < 1.0, f"{given_up:.2f} s"  # diskcache alone retries for 60 s
        with pytest.raises(OSError, match="locked"):
            Store(str(tmp_path)).clear()  # and clear leaves a store in use alone
    finally:
        holder.communicate("")
    assert Store(str(tmp_path)).get("k") == 1


def test_clear_rebuilds_a_corrupt_store(tmp_path: Path) -> None:
    Store(str(tmp_path)).set("k", 1)
    (tmp_path / "cache.db").write_bytes(b"not sqlite" * 100)
    (tmp_path / "notes.txt").write_text("not the cache's")
    broken = Store(str(tmp_path))
    assert broken.get("k") is None and broken.warning is not None
    assert broken.warning.endswith("DatabaseError: file is not a database (toon-hooks cache clear repairs it)")
    store = Store(str(tmp_path))
    assert store.clear() == 0 and store.repaired == "DatabaseError: file is not a database"
    store.close()
    fresh = Store(str(tmp_path))
    fresh.set("k", 2)
    assert fresh.get("k") == 2 and fresh.warning is None and (tmp_path / "notes.txt").exists()
    fresh.close()


def test_cache_clear_command_repairs_a_corrupt_store() -> None:
    Store(cache_dir()).set("k", 1)
    Path(cache_dir(), "cache.db").write_bytes(b"not sqlite" * 100)
    cleared = CliRunner().invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0, cleared.output
    assert cleared.output == (f"rebuilt an empty cache in {cache_dir()} "
                              "(it could not be read: DatabaseError: file is not a database)\n")
    info = CliRunner().invoke(main, ["cache", "info"])
    assert "enabled: True" in info.output and "entries: 0" in info.output
