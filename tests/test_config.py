"""`[tool.toon-hooks]` parsing: every key, and errors that name the key."""
from __future__ import annotations

from pathlib import Path

import pytest

from toon_hooks import config
from toon_hooks.errors import ConfigError


def test_defaults_without_any_file(tmp_path: Path) -> None:
    loaded = config.load(str(tmp_path))
    assert loaded.options.delimiter == "," and loaded.sources == () and loaded.encoding == "o200k_base"


def test_every_key_is_read_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.toon-hooks]\nsources = ["docs/**/*.md"]\ncheckpoint-globs = ["ckpt/*.md"]\ndelimiter = "tab"\n'
        'indent = 4\nencoding = "cl100k_base"\njobs = 3\ncache-dir = "/tmp/c"\ncache-size-mb = 10\n'
        'line-endings = "crlf"\nmax-file-size = 1000\nmarker = "made by bot"\npdf-ocr = true\n'
        '[tool.toon-hooks.budgets]\n"docs/*.toon" = 8000\n')
    loaded = config.load(str(tmp_path))
    assert loaded.sources == ("docs/**/*.md",)
    assert loaded.options.checkpoint_globs == ("ckpt/*.md",) and loaded.options.delimiter == "\t"
    assert loaded.options.indent == 4 and loaded.options.pdf_ocr is True
    assert (loaded.encoding, loaded.jobs, loaded.cache_dir, loaded.cache_size_mb) == ("cl100k_base", 3, "/tmp/c", 10)
    assert (loaded.line_endings, loaded.max_file_size, loaded.marker) == ("crlf", 1000, "made by bot")
    assert loaded.budgets == (("docs/*.toon", 8000),)


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.toon-hooks]\nindent = 4\n')
    (tmp_path / ".toon-hooks.toml").write_text('indent = 3\n')
    assert config.load(str(tmp_path)).options.indent == 3


@pytest.mark.parametrize(("table", "message"), [
    ({"delimter": ","}, "unknown key 'delimter' in [tool.toon-hooks] (did you mean 'delimiter'?)"),
    ({"indent": 0}, "indent: expected a whole number ≥ 1, got 0"),
    ({"delimiter": ";"}, "delimiter: expected one of"),
    ({"sources": "*.md"}, None),
    ({"sources": [1]}, "sources: expected a list of path globs"),
    ({"budgets": {"a": "many"}}, "budgets.'a': expected a whole number ≥ 1"),
    ({"marker": "a -->"}, "marker: must be one line"),
    ({"line-endings": "cr"}, "line-endings: expected one of crlf, lf"),
])
def test_bad_values_name_the_key(table: dict, message: str | None) -> None:
    if message is None:
        assert config.parse(table).sources == ("*.md",)
        return
    with pytest.raises(ConfigError) as info:
        config.parse(table)
    assert str(info.value).startswith(message)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.toon-hooks\n")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        config.load(str(tmp_path))
