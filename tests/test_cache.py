"""The cache store: round trips, and every failure turns it off instead of failing the run."""
from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
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


def raw_rows(directory: Path) -> list[tuple[str, int, str | None, object]]:
    """(key, mode, filename, value) of every row, read with sqlite3 itself."""
    with sqlite3.connect(directory / "cache.db") as db:
        return db.execute("SELECT key, mode, filename, value FROM Cache ORDER BY key").fetchall()


def test_values_are_stored_as_json_text_or_raw_bytes_never_pickled(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    store.set_many({"conv:x": {"text": "ü \udcff", "toon": 3, "base": None, "marker": "m"}, "tok:e:d": 7,
                    "bpe:e:v": b"\x00\xff"})
    store.close()
    rows = raw_rows(tmp_path)
    assert [(key, mode, filename) for key, mode, filename, _ in rows] == [
        ("bpe:e:v", 1, None), ("conv:x", 1, None), ("tok:e:d", 1, None)]  # mode 1: raw, not pickle (4)
    assert rows[1][3] == '{"text":"\\u00fc \\udcff","toon":3,"base":null,"marker":"m"}' and rows[0][3] == b"\x00\xff"
    again = Store(str(tmp_path))
    assert again.get_many(["conv:x", "tok:e:d", "bpe:e:v"]) == {
        "conv:x": {"text": "ü \udcff", "toon": 3, "base": None, "marker": "m"}, "tok:e:d": 7, "bpe:e:v": b"\x00\xff"}
    again.close()


@pytest.mark.parametrize(("key", "value"), [
    ("conv:k", {"toon": 3}),  # no text
    ("conv:k", {"text": "t", "toon": "3"}),  # a count that is no number
    ("conv:k", {"text": "t", "toon": -1}),
    ("conv:k", ["text"]),
    ("tok:k", True),
    ("tok:k", "12"),
    ("tokrow:k", {"toon": 1.5}),
    ("bpe:k", "tables"),  # tables are bytes
    ("tok:k", b"12"),  # bytes only where bytes are stored
])
def test_values_of_the_wrong_shape_are_misses(tmp_path: Path, key: str, value: object) -> None:
    store = Store(str(tmp_path))
    store.set(key, value)
    assert store.get(key) is None and store.enabled
    store.close()


def plant(directory: Path, key: str, mode: int, value: object, filename: str | None = None) -> None:
    """Write a row the way another program could: straight into the store's SQLite table."""
    with sqlite3.connect(directory / "cache.db") as db:
        db.execute("INSERT OR REPLACE INTO Cache (key, raw, store_time, expire_time, access_time, access_count, "
                   "tag, size, mode, filename, value) VALUES (?, 1, 0, NULL, 0, 0, NULL, 0, ?, ?, ?)",
                   (key, mode, filename, value))


def test_pickles_value_files_and_bad_json_are_misses_and_are_never_loaded(tmp_path: Path) -> None:
    proof = tmp_path / "unpickled"
    Store(str(tmp_path)).set("warm", 1)
    plant(tmp_path, "tok:pickle", 4, pickle.dumps(Exploit(str(proof))))
    (tmp_path / "ab" / "cd").mkdir(parents=True)
    (tmp_path / "ab" / "cd" / f"{'0' * 28}.val").write_bytes(pickle.dumps(Exploit(str(proof))))
    plant(tmp_path, "tok:file", 4, None, f"ab/cd/{'0' * 28}.val")
    plant(tmp_path, "tok:binary", 2, None, f"ab/cd/{'0' * 28}.val")
    plant(tmp_path, "tok:json", 1, "[[[[[[[[")
    store = Store(str(tmp_path))
    assert store.get_many(["tok:pickle", "tok:file", "tok:binary", "tok:json", "warm"]) == {"warm": 1}
    assert store.enabled and not proof.exists()
    store.close()


def test_clear_deletes_only_diskcache_value_files_whatever_a_row_names(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    victim = tmp_path / "victim.txt"
    victim.write_text("must survive")
    Store(str(store_dir)).set("k", 1)
    plant(store_dir, "tok:escape", 2, None, "../victim.txt")
    (store_dir / "ab" / "cd").mkdir(parents=True)
    ours = store_dir / "ab" / "cd" / f"{'1' * 28}.val"
    ours.write_bytes(b"old value file")
    plant(store_dir, "tok:ours", 2, None, f"ab/cd/{'1' * 28}.val")
    store = Store(str(store_dir))
    assert store.clear() == 3
    store.close()
    assert victim.read_text() == "must survive" and not ours.exists() and not (store_dir / "ab").exists()


@contextlib.contextmanager
def locked(database: Path) -> Iterator[None]:
    """Hold an exclusive SQLite lock on `database` from a second process, as a hung hook would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\n"
         "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
         str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield
    finally:
        holder.communicate("")


def test_a_locked_store_is_given_up_in_a_fraction_of_a_second(tmp_path: Path) -> None:
    Store(str(tmp_path)).set("k", 1)
    with locked(tmp_path / "cache.db"):
        store = Store(str(tmp_path))
        started = time.perf_counter()
        assert store.get_many(["k"]) == {}
        given_up = time.perf_counter() - started
        assert not store.enabled and store.locked
        assert store.warning == f"cache locked by another process, running without it ({tmp_path})"
        assert given_up < 1.0, f"{given_up:.2f} s"  # diskcache alone retries for 60 s
        with pytest.raises(OSError, match="locked"):
            Store(str(tmp_path)).clear()  # and clear leaves a store in use alone
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


class Exploit:
    """Unpickling this creates the file `path`: what a planted pickle could do."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))
