"""The cache store: round trips, and every failure turns it off instead of failing the run."""
from __future__ import annotations

import os
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
