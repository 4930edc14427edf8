"""The twin sync: find pairs, reuse cached twins, convert the rest, then check, write and stage.

All file system, cache and git side effects of `toon-hooks sync` / `check` happen here, in the parent
process; the decisions come from the pure `twins` module and conversions from `runner` workers.
"""
from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from . import git, twins
from .cache import Store
from .config import Config
from .errors import ToonHooksError
from .formats.spec import DEFAULT_SOURCE, OUTPUT_EXTENSION, SPECS, format_of
from .fsio import WriteFailed, read_bytes, write_all
from .report import FileTokens, Problem, Report


_HEAD = 4096
"""Bytes that classify a file: its marker line and front matter are at the top."""
_WHOLE = 1 << 20
"""Files up to this size are read whole while being classified, so each is opened once per run."""


def _baseline(fmt: str) -> str | None:
    """What a source's TOON side is compared with (see `FormatSpec.baseline`); None: it is not counted."""
    spec = SPECS.get(fmt)
    return spec.baseline if spec else None


class Pair:
    """A source and its generated twin, with what is on disk now and what the twin should be.

    (A plain class, like the other records of the warm path: `dataclasses` imports `inspect`, a few
    milliseconds of every commit.)
    """

    def __init__(self, source: str, twin: str, source_format: str, twin_format: str) -> None:
        self.source = source
        self.twin = twin
        self.source_format = source_format
        self.twin_format = twin_format
        self.source_data: bytes | None = None
        """The source's bytes, once read."""
        self.twin_text: str | None = None
        """The twin on disk (undecodable bytes escaped), None when it does not exist."""
        self.twin_read = False
        self.marker: twins.Marker | None = None
        self.converter = ""
        """Digest of the converter version and options for this pair (see `twins.converter_digest`)."""
        self.expected: str | None = None
        self.tokens: tuple[int | None, int | None] = (None, None)
        """(TOON side, baseline) token counts; see `report.FileTokens`."""
        self.without_twin = False
        """`min-savings` keeps this source without a twin."""
        self.hand_edit: str | None = None
        """Why the twin on disk is refused as edited by hand (None: it is not)."""
        self.conflicted = False
        """The twin on disk is a merge conflict between two generated versions: regenerate and stage it."""

    @functools.cached_property
    def fresh_digest(self) -> str:
        """The marker digest of this source and converter (see `twins.fresh_digest`)."""
        return twins.fresh_digest(self.source_data or b"", self.source_format, self.converter)

    @property
    def proven_fresh(self) -> bool:
        """True when the twin's marker shows it was written from this source by this converter and options."""
        return (self.hand_edit is None and not self.conflicted and self.marker is not None
                and self.marker.fresh_digest == self.fresh_digest)

    @property
    def stale(self) -> bool:
        """True when the twin on disk differs from what the source generates (CRLF ignored)."""
        if self.without_twin:
            return self.twin_text is not None
        return self.twin_text is None or self.twin_text.replace("\r\n", "\n") != self.expected

    @property
    def counted(self) -> bool:
        """True when both token counts are known (or, for a PDF, when there is nothing to compare with)."""
        return None not in self.tokens or _baseline(self.source_format) is None


class Request(NamedTuple):
    """What the user asked for: the files, and how to treat them."""

    paths: Sequence[str]
    check: bool = False
    stage: bool = False
    must_add: bool = False
    """Written twins need a `git add` from the user (inside pre-commit with staging turned off)."""
    jobs: int | None = None
    count_tokens: bool = True
    """Count tokens for the summary's savings; off when nothing would show them (`-q` without `--report`)."""
    in_git: bool = False
    """The project is a git work tree: a twin regenerated after a merge conflict is staged to resolve it."""


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def collect_pairs(root: str, paths: Iterable[str], config: Config,
                  report: Report) -> tuple[list[Pair], list[str]]:
    """Resolve each path to its (source, twin) pair, pairing by name from disk; one pair per twin.

    Each path costs one lstat and one read; what was read is kept on the pair. Returns the pairs and the
    orphans: generated twins whose source no longer exists.
    """
    pairs: dict[str, Pair] = {}
    orphans: list[str] = []
    for path in paths:
        fmt = format_of(path)
        if fmt is None:
            continue
        full = os.path.join(root, path)
        try:
            info = os.lstat(full)
        except OSError:  # deleted (pre-commit passes staged deletions only with --all-files), or a bad path
            continue
        if stat.S_ISDIR(info.st_mode) or any(twins.glob_match(path, glob) for glob in config.exclude):
            continue
        if stat.S_ISLNK(info.st_mode):
            report.skipped.append(path)
            continue
        whole = info.st_size <= _WHOLE
        spec = SPECS[fmt]
        data = b"" if spec.binary else read_bytes(full, -1 if whole else _HEAD)
        head = _text(data[:_HEAD])
        marker = twins.parse_marker(head) if spec.marker else None
        if marker is not None:
            source, twin = twins.marker_source_path(path, marker), path
            if not os.path.exists(os.path.join(root, source)):
                orphans.append(path)
                continue
        elif spec.source_by_default or twins.opted_in(path, head, config.sources):
            source, twin = path, twins.twin_path(path)
        else:
            source = path[: path.rfind(".")] + OUTPUT_EXTENSION[DEFAULT_SOURCE]
            if os.path.isfile(os.path.join(root, source)) and twins.parse_marker(
                    _text(read_bytes(os.path.join(root, source), _HEAD))) is None:
                # a hand-written source claims this file's path: refused below
                pairs.setdefault(path, Pair(source, path, DEFAULT_SOURCE, fmt))
            continue
        previous = pairs.get(twin)
        if previous is not None and previous.source != source:
            report.problems.append(Problem(twin, f"both {previous.source} and {source} would generate this "
                                                 "file; opt only one of them in"))
            continue
        pair = previous or Pair(source, twin, format_of(source) or "", format_of(twin) or "")
        if whole and twin == path:
            pair.twin_text, pair.twin_read = _text(data), True
        elif whole and not spec.binary and info.st_size <= config.max_file_size:
            pair.source_data = data
        pairs[twin] = pair
    return list(pairs.values()), orphans


def load_pair(root: str, pair: Pair, config: Config, report: Report, staged: Callable[[], set[str]]) -> bool:
    """Read what `collect_pairs` did not of both files, and refuse conflicts; True when the pair can be synced."""
    if pair.source_data is None:
        full = os.path.join(root, pair.source)
        size = os.path.getsize(full)
        if size > config.max_file_size:
            report.skipped.append(pair.source)
            report.notes.append(f"{pair.source}: skipped, {size:,} bytes > max-file-size {config.max_file_size:,}")
            return False
        pair.source_data = read_bytes(full)
    if not pair.twin_read:
        try:
            pair.twin_text = _text(read_bytes(os.path.join(root, pair.twin), follow=False))
        except FileNotFoundError:
            pair.twin_text = None
        except OSError as exc:
            what = "a symlink" if exc.errno == errno.ELOOP else f"unreadable ({exc.strerror})"
            report.problems.append(Problem(pair.twin, f"is {what}; toon-hooks writes twins only as regular "
                                                      f"files (replace it with one, or stop tracking {pair.source})"))
            return False
        pair.twin_read = True
    if pair.twin_text is None:
        return True
    marker = twins.parse_marker(pair.twin_text)
    if marker is None:
        marker = twins.conflicted_marker(pair.twin_text)
        pair.conflicted = marker is not None
    if marker is None:
        report.problems.append(Problem(pair.twin, f"was written by hand, and so was {pair.source}: refusing to "
                                                  f"overwrite it (rename one of them, or delete {pair.twin} to "
                                                  f"let toon-hooks generate it)"))
        return False
    if twins.marker_source_path(pair.twin, marker) != pair.source:
        other = os.path.basename(twins.marker_source_path(pair.twin, marker))
        report.problems.append(Problem(pair.twin, f"is generated from {other}, not from "
                                                  f"{os.path.basename(pair.source)}; opt only one source in"))
        return False
    if not pair.conflicted and not twins.body_matches_marker(pair.twin_text, marker):
        message = (f"was edited by hand since toon-hooks generated it: move the edit into {pair.source} (the "
                   f"source), or make {pair.twin} the source by deleting its first line and {pair.source}")
        if {pair.source, pair.twin} <= staged():
            message += (f"; both files are staged with different content, revert one: "
                        f"git restore --staged --worktree -- {pair.twin}")
        pair.hand_edit = message  # reported once the source is converted: see `_hand_edit_problems`
    pair.marker = marker
    return True


def convert_pairs(pairs: list[Pair], config: Config, store: Store, jobs: int, report: Report,
                  progress: Callable[[int, int], None] | None, count_tokens: bool = True) -> None:
    """Fill `expected` of every pair from the cache or by converting; failures become problems.

    Token counts (for the summary's savings) are stored with each conversion; with `count_tokens` off they
    are left out, and a later run that shows them counts what its cache entries lack.
    """
    from . import runner
    from .conversions import convert_all, remember

    tasks = [runner.Task(p.source, p.source_format, p.twin_format, p.source_data, config.options) for p in pairs]
    fresh: list[tuple[Pair, runner.Task]] = []
    uncounted: list[tuple[Pair, runner.Task]] = []
    with report.phase("convert"):
        results = convert_all(tasks, store, jobs, progress)
    for pair, task, (outcome, entry) in zip(pairs, tasks, results):
        if outcome.text is None:
            error = outcome.as_error()
            report.problems.append(Problem(pair.source, f"error: {error.msg}", error.line or 1,
                                           error.column or 1, error.source_line))
            continue
        pair.expected = _render(pair, outcome.text, config)
        if entry is None:
            report.converted += 1
            fresh.append((pair, task))
        else:
            report.cached += 1
            if entry.get("marker") == config.marker:  # the count covers the marker line
                pair.tokens = (entry.get("toon"), entry.get("base"))
            if not pair.counted:
                uncounted.append((pair, task))
    if count_tokens:
        with report.phase("tokens"):
            _count_tokens([pair for pair, _ in fresh + uncounted], config, store, report, jobs)
    newly_counted = [(pair, task) for pair, task in uncounted if pair.counted]
    with report.phase("cache"):
        remember(store, [(task, {"text": twins.split_body(pair.expected or ""), "toon": pair.tokens[0],
                                 "base": pair.tokens[1], "marker": config.marker})
                         for pair, task in fresh + newly_counted])


def _render(pair: Pair, body: str, config: Config) -> str:
    return twins.render_twin(body, pair.twin_format, pair.source, pair.fresh_digest, config.marker)


def _converter_digests(pairs: list[Pair], config: Config) -> None:
    """Set each pair's converter digest: converter version, options and, with `min-savings`, the keep rule."""
    from .formats import registry

    options_key = config.options.cache_key()
    if config.min_savings is not None:  # a twin proven fresh then also proves it was kept under this rule
        options_key += f"|min-savings {config.min_savings}|{config.encoding}"
    digests: dict[tuple[str, str], str] = {}
    for pair in pairs:
        formats = (pair.source_format, pair.twin_format)
        if formats not in digests:
            digests[formats] = twins.converter_digest(registry.get(*formats).cache_id(), options_key)
        pair.converter = digests[formats]


def _count_tokens(pairs: list[Pair], config: Config, store: Store, report: Report, jobs: int) -> None:
    """Count each pair's TOON side (the twin file as written, or a TOON source) and its baseline.

    The baseline is the source as written (Markdown, JSON, JSONL), or compact JSON of a TOON source's data:
    what an agent would read instead of the TOON. PDFs have no text baseline and are not counted.
    """
    import json

    from .tokens import TokenCounter
    from .toon import decode

    texts: list[str] = []
    counted: list[Pair] = []
    for pair in pairs:
        if _baseline(pair.source_format) is None:
            continue
        source = (pair.source_data or b"").decode("utf-8", "replace")
        if pair.source_format == "toon":
            try:
                texts += [source, json.dumps(decode(source), ensure_ascii=False, separators=(",", ":"))]
            except ToonHooksError:
                continue
        else:
            texts += [pair.expected or "", source]
        counted.append(pair)
    if not counted:
        return
    counter = TokenCounter(config.encoding, store, threads=jobs)
    counts = counter.count_many(texts)
    if counter.warning:
        report.notes.append(counter.warning)
    for index, pair in enumerate(counted):
        pair.tokens = (counts[2 * index], counts[2 * index + 1])


def _apply_min_savings(pairs: Iterable[Pair], config: Config, report: Report) -> None:
    """Mark the pairs whose TOON twin would save less than `min-savings` percent of the source's tokens."""
    if config.min_savings is None:
        return
    unknown = 0
    for pair in pairs:
        spec = SPECS.get(pair.source_format)
        if spec is None or not spec.optional_twin:
            continue
        toon, baseline = pair.tokens
        if toon is None or baseline is None:
            unknown += 1
        elif 100 * (baseline - toon) / max(baseline, 1) < config.min_savings:
            pair.without_twin = True
    if unknown:
        report.notes.append(f"min-savings not applied to {unknown} file{'s' * (unknown != 1)}: token counts "
                            f"unavailable (their twins are kept)")


def _file_tokens(pairs: Iterable[Pair]) -> list[FileTokens]:
    return [FileTokens(p.source, p.twin, p.tokens[0], p.tokens[1], _baseline(p.source_format) or "",
                       not p.without_twin)
            for p in pairs if p.tokens[0] is not None and p.tokens[1] is not None]


def unified_diff(pair: Pair) -> str:
    """Return the diff that would turn the twin on disk into the expected twin."""
    import difflib

    old = (pair.twin_text or "").replace("\r\n", "\n").splitlines(keepends=True)
    new = (pair.expected or "").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{pair.twin}", f"b/{pair.twin}"))


def write_twins(root: str, pairs: list[Pair], config: Config, report: Report) -> list[Pair]:
    """Write the stale twins, with the configured line endings, all or none (see `fsio.write_all`).

    Returns the pairs written: all of them, or after a failure (a full disk, one located problem) none,
    unless a rename failed; `report.updated` then lists only those, and the caller stages no others.
    """
    if not pairs:
        return []
    files = []
    for pair in pairs:
        text = pair.expected or ""
        if config.line_endings == "crlf":
            text = text.replace("\n", "\r\n")
        files.append((os.path.join(root, pair.twin), text.encode("utf-8", "surrogateescape")))
    with report.phase("write"):
        try:
            write_all(files)
        except WriteFailed as exc:
            paths = [path for path, _ in files]
            failed = pairs[paths.index(exc.filename)]
            written = pairs[:len(exc.written)]
            report.updated = [pair.twin for pair in written]
            report.problems.append(Problem(failed.twin, f"cannot write: {exc.strerror}"))
            if not written:
                report.notes.append("nothing was written: fix the errors above and commit again")
            return written
    return pairs


def staging_refusals(root: str, pairs: Sequence[Pair]) -> tuple[list[Pair], list[str]]:
    """Split stale pairs into those safe to write and stage, and the reasons staging is refused."""
    reasons: list[str] = []
    stashed = git.precommit_stashed_paths() or set()
    safe = []
    for pair in pairs:
        if pair.twin in stashed:
            reasons.append(f"{pair.twin}: has unstaged edits that pre-commit stashed; not touched, so they "
                           f"survive. If the edit is yours, move it into {pair.source} and drop it here "
                           f"(git restore -- {_quote(pair.twin)}); if toon-hooks wrote it, stage it "
                           f"(git add -- {_quote(pair.twin)}); then commit again")
        else:
            safe.append(pair)
    return safe, reasons


def sync(root: str, config: Config, request: Request, store: Store, report: Report,
         progress: Callable[[int, int], None] | None = None) -> list[Pair]:
    """Run one sync or check over `request.paths`; return the pairs whose twin is (or was) stale."""
    with report.phase("read"):
        pairs, orphans = collect_pairs(root, request.paths, config, report)
    for orphan in orphans:
        message = f"orphaned twin: its source no longer exists (remove it: git rm -- {_quote(orphan)})"
        if request.check:
            report.problems.append(Problem(orphan, message))
        else:
            report.notes.append(f"{orphan}: {message}")
    staged = functools.lru_cache(maxsize=1)(lambda: git.staged_files(root) if request.stage else set())
    with report.phase("read"):
        loadable = [p for p in pairs if load_pair(root, p, config, report, staged)]
        _converter_digests(loadable, config)
    proven = [p for p in loadable if p.proven_fresh]
    for pair in proven:  # the marker proves it: no cache lookup, no conversion
        pair.expected = (pair.twin_text or "").replace("\r\n", "\n")
    pending = [p for p in loadable if not p.proven_fresh]
    if pending:
        from .runner import resolve_jobs

        convert_pairs(pending, config, store, resolve_jobs(request.jobs, config.jobs), report, progress,
                      request.count_tokens or config.min_savings is not None)
    report.problems += _hand_edit_problems([p for p in loadable if p.hand_edit])
    loadable = [p for p in loadable if not p.hand_edit]
    converted = [p for p in loadable if p.expected is not None]
    _apply_min_savings([p for p in pending if p.expected is not None], config, report)
    report.files = _file_tokens(converted)
    stale = [p for p in converted if p.stale]
    report.up_to_date = [p.twin for p in converted if not p.stale and not p.without_twin]
    report.fresh = len(converted) - len(stale)
    report.updated = [p.twin for p in stale if not p.without_twin]
    report.removed = [p.twin for p in stale if p.without_twin]
    if request.check:
        for pair in stale:
            report.problems.append(Problem(pair.twin, _stale_message(pair, config)))
        return stale
    if report.problems:  # all or nothing: one failure blocks every write
        report.updated, report.removed = [], []
        report.notes.append("nothing was written: fix the errors above and commit again")
        return stale
    _write_and_stage(root, config, request, stale, report)
    return stale


def _hand_edit_problems(pairs: list[Pair]) -> list[Problem]:
    """Refuse hand-edited twins, pointing at the first line that differs from what toon-hooks wrote.

    That line is known when the marker's digest still matches the source and converter: the twin's original
    body is then exactly what the source generates now. Otherwise the refusal points at the marker line.
    """
    problems = []
    for pair in pairs:
        line = 1
        if pair.expected is not None and pair.marker is not None and pair.marker.fresh_digest == pair.fresh_digest:
            written = (pair.twin_text or "").replace("\r\n", "\n").split("\n")
            wanted = pair.expected.split("\n")
            line = next((i for i, (a, b) in enumerate(zip(written, wanted), 1) if a != b),
                        min(len(written), len(wanted)) + 1)
        problems.append(Problem(pair.twin, pair.hand_edit or "", line))
    return problems


def _stale_message(pair: Pair, config: Config) -> str:
    if pair.without_twin:
        entry = _file_tokens([pair])[0]
        return (f"should not exist: it saves {entry.saved:.1f}% of {pair.source}'s tokens, less than "
                f"min-savings {config.min_savings:g}% (run toon-hooks sync {pair.source} to remove it)")
    what = "missing" if pair.twin_text is None else "stale"
    return f"{what}: twin of {pair.source} is out of date (run toon-hooks sync {pair.source})"


def _write_and_stage(root: str, config: Config, request: Request, stale: list[Pair], report: Report) -> None:
    unwanted = [p for p in stale if p.without_twin]
    stale = [p for p in stale if not p.without_twin]
    if unwanted:
        _remove_twins(root, request, [p.twin for p in unwanted], report)
    if not request.stage or not stale:
        written = write_twins(root, stale, config, report)  # one all-or-nothing write
        resolved = [p for p in written if p.conflicted] if request.in_git else []
        if resolved:  # git add marks the conflict resolved
            with report.phase("stage"):
                git.add(root, [p.twin for p in resolved])
            report.notes.append("merge conflict resolved by regenerating from the source, and staged: "
                                + " ".join(_quote(p.twin) for p in resolved))
        plain = [p for p in written if p not in resolved]
        if request.must_add and plain:
            report.unstaged.extend(p.twin for p in plain)
            report.notes.append("twins written, not staged (--no-stage): git add -- "
                                + " ".join(_quote(p.twin) for p in plain))
        return
    safe, refusals = staging_refusals(root, stale)
    report.notes.extend(refusals)
    report.updated = [p.twin for p in safe]
    safe = write_twins(root, safe, config, report)
    paths = [p.twin for p in safe]
    if git.is_path_limited_commit():
        report.unstaged.extend(paths)
        report.notes.append("this is `git commit <paths>`: its temporary index cannot take the twins; "
                            "commit again with them: git commit " + " ".join(
                                _quote(p) for p in sorted({*paths, *(p.source for p in safe)})))
        return
    with report.phase("stage"):
        ignored = git.ignored_files(root, paths)
        git.add(root, [p for p in paths if p not in ignored])
    if ignored:
        report.unstaged.extend(sorted(ignored))
        report.notes.append("written but not staged, .gitignore excludes them: git add -f -- "
                            + " ".join(_quote(p) for p in sorted(ignored)))
    if refusals:
        report.unstaged.extend(p.twin for p in stale if p not in safe)


def _remove_twins(root: str, request: Request, paths: list[str], report: Report) -> None:
    """Delete twins `min-savings` no longer keeps, staging the removal inside a commit."""
    with report.phase("write"):
        if request.stage and not git.is_path_limited_commit():
            git.remove(root, paths)
            return
        for path in paths:
            os.unlink(os.path.join(root, path))
    if request.must_add or request.stage:
        report.unstaged.extend(paths)
        report.notes.append("twins removed, not staged: git rm --cached -- " + " ".join(_quote(p) for p in paths))


def _quote(path: str) -> str:
    """Quote a path for a copy-pasteable shell command."""
    import shlex

    return shlex.quote(path)
