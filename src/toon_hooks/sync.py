"""The twin sync: scan the files, pair them, reuse cached twins, convert the rest, then check, write and stage.

All file system, cache and git side effects of `toon-hooks sync` / `check` happen here, in the parent
process; the decisions come from the pure `pairing` and `twins` modules and conversions from `runner` workers.
Every file is scanned into an immutable `pairing.FileState` before anything is decided about it.
"""
from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from . import git, pairing, twins
from .cache import Store
from .config import Config
from .errors import ToonHooksError
from .formats.spec import SPECS, spec_of
from .fsio import WriteFailed, read_bytes, write_all
from .pairing import FileState, Loaded, Match, Plan
from .report import FileTokens, Problem, Report

_WHOLE = 1 << 20
"""Files up to this size are read whole while being classified, so each is opened once per run."""

Tokens = tuple[int | None, int | None]
"""(TOON side, baseline) token counts, None where unknown; see `report.FileTokens`."""


class Job(NamedTuple):
    """A pair read and judged, with the digest a marker must carry to prove its twin fresh."""

    loaded: Loaded
    fresh_digest: str
    """Digest of the source and the converter version and options (see `twins.fresh_digest`)."""


class Pair(NamedTuple):
    """A source and its generated twin: what is on disk, and what the twin should be."""

    job: Job
    expected: str
    """The twin as the source generates it now (marker line first, LF line endings)."""
    tokens: Tokens = (None, None)
    without_twin: bool = False
    """`min-savings` keeps this source without a twin."""

    @property
    def source(self) -> str:
        """The source's path."""
        return self.job.loaded.match.source

    @property
    def twin(self) -> str:
        """The twin's path."""
        return self.job.loaded.match.twin

    @property
    def source_format(self) -> str:
        """The source's format."""
        return self.job.loaded.match.source_format

    @property
    def twin_text(self) -> str | None:
        """The twin on disk, None when it does not exist."""
        return self.job.loaded.twin_text

    @property
    def conflicted(self) -> bool:
        """The twin on disk is a merge conflict between two generated versions: regenerated, it is staged."""
        return self.job.loaded.conflicted

    @property
    def stale(self) -> bool:
        """True when the twin on disk differs from what the source generates (CRLF ignored)."""
        if self.without_twin:
            return self.twin_text is not None
        return self.twin_text is None or self.twin_text.replace("\r\n", "\n") != self.expected


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


def scan(root: str, path: str, whole_up_to: int, head: int = pairing.HEAD, *, follow: bool = True) -> FileState | None:
    """Look at one path (lstat, then stat through a symbolic link) and read it when it is a regular file: whole
    when it has at most `whole_up_to` bytes, else its first `head`; a link to one only when `follow`. None when
    there is nothing at the path."""
    full = os.path.join(root, path)
    try:
        info = os.lstat(full)
    except OSError:
        return None
    link = stat.S_ISLNK(info.st_mode)
    if link:
        try:
            info = os.stat(full)
        except OSError as exc:
            return FileState(path, "missing", link=True, error=exc.strerror or str(exc))
    if stat.S_ISDIR(info.st_mode):
        return FileState(path, "folder", info.st_size, link=link, error=os.strerror(errno.EISDIR))
    if not stat.S_ISREG(info.st_mode):
        return FileState(path, "other", info.st_size, link=link, error="not a regular file")
    if link and not follow:
        return FileState(path, "file", info.st_size, link=True)
    whole = info.st_size <= whole_up_to
    try:
        data = read_bytes(full) if whole else read_bytes(full, head) if head else b""
    except OSError as exc:
        return FileState(path, "file", info.st_size, link=link, error=exc.strerror or str(exc))
    return FileState(path, "file", info.st_size, data, whole, link)


def _classify_scan(root: str, path: str) -> FileState | None:
    """Scan a file to classify it: its top tells, and small files are read whole so that each is opened once
    (a binary format's top tells nothing: it is read only once it is known to be a source)."""
    spec = spec_of(path)
    return scan(root, path, 0, 0) if spec is not None and spec.binary else scan(root, path, _WHOLE)


def _plan(root: str, paths: Iterable[str], config: Config) -> tuple[dict[str, FileState | None], Plan]:
    """Scan the listed files and those they name, and pair them; return the scans and the plan."""
    listed = [path for path in paths if pairing.wanted(path, config)]
    files: dict[str, FileState | None] = {}
    for path in listed:
        if path not in files:
            files[path] = _classify_scan(root, path)
    claims = [c for c in (pairing.claim(path, files[path], config) for path in listed) if c is not None]
    for path in pairing.lookups(claims):
        if path not in files:
            files[path] = _classify_scan(root, path)
    return files, pairing.resolve(claims, files)


def _load(root: str, matches: Iterable[Match], files: dict[str, FileState | None], config: Config,
         report: Report) -> list[Loaded]:
    """Read what the pairs need whole and judge each (`pairing.check`): refusals become problems or notes."""
    matches = list(matches)
    only_twins = {match.twin for match in matches} - {match.source for match in matches}  # refused if links
    for path in pairing.to_read(matches, files, config):
        files[path] = scan(root, path, sys.maxsize, follow=path not in only_twins)
    loaded = []
    for match in matches:
        result = pairing.check(match, files, config)
        if isinstance(result, Loaded):
            loaded.append(result)
        elif isinstance(result, pairing.Skip):
            report.skipped.append(result.path)
            report.notes.append(result.note)
        else:
            report.problems.append(result)
    return loaded


def convert_pairs(jobs: Sequence[Job], config: Config, store: Store, workers: int, report: Report,
                  progress: Callable[[int, int], None] | None, count_tokens: bool = True) -> dict[int, Pair]:
    """Return the pairs of the jobs (by index) whose twin came from the cache or converted; failures are problems.

    Token counts (for the summary's savings) are stored with each conversion; with `count_tokens` off they
    are left out, and a later run that shows them counts what its cache entries lack.
    """
    from . import runner
    from .conversions import convert_all, remember

    tasks = [runner.Task(j.loaded.match.source, j.loaded.match.source_format, j.loaded.match.twin_format,
                         j.loaded.source_data, config.options) for j in jobs]
    pairs: dict[int, Pair] = {}
    fresh: list[int] = []
    uncounted: list[int] = []
    with report.phase("convert"):
        results = convert_all(tasks, store, workers, progress)
    for index, (job, (outcome, entry)) in enumerate(zip(jobs, results, strict=True)):
        if outcome.text is None:
            error = outcome.as_error()
            report.problems.append(Problem(job.loaded.match.source, f"error: {error.msg}", error.line or 1,
                                           error.column or 1, error.source_line))
            continue
        pair = Pair(job, _render(job, outcome.text, config))
        if entry is None:
            report.converted += 1
            fresh.append(index)
        else:
            report.cached += 1
            if entry.get("marker") == config.marker:  # the count covers the marker line
                pair = pair._replace(tokens=(entry.get("toon"), entry.get("base")))
            if not _counted(pair):
                uncounted.append(index)
        pairs[index] = pair
    if count_tokens:
        with report.phase("tokens"):
            counts = _count_tokens([pairs[i] for i in fresh + uncounted], config, store, report, workers)
        pairs.update((i, pairs[i]._replace(tokens=tokens)) for i, tokens in zip(fresh + uncounted, counts, strict=True)
                     if tokens is not None)
    with report.phase("cache"):
        remember(store, [(tasks[i], {"text": twins.split_body(pairs[i].expected), "toon": pairs[i].tokens[0],
                                     "base": pairs[i].tokens[1], "marker": config.marker})
                         for i in fresh + [i for i in uncounted if _counted(pairs[i])]])
    return pairs


def _baseline(fmt: str) -> str | None:
    """What a source's TOON side is compared with (see `FormatSpec.baseline`); None: it is not counted."""
    spec = SPECS.get(fmt)
    return spec.baseline if spec else None


def _counted(pair: Pair) -> bool:
    """True when both token counts are known (or, for a PDF, when there is nothing to compare with)."""
    return None not in pair.tokens or _baseline(pair.source_format) is None


def _render(job: Job, body: str, config: Config) -> str:
    match = job.loaded.match
    return twins.render_twin(body, match.twin_format, match.source, job.fresh_digest, config.marker)


def _jobs(loaded: Iterable[Loaded], config: Config) -> list[Job]:
    """Add each pair's fresh digest: of its source, the converter version, options and, with `min-savings`,
    the keep rule."""
    from .formats import registry

    options_key = config.options.cache_key()
    if config.min_savings is not None:  # a twin proven fresh then also proves it was kept under this rule
        options_key += f"|min-savings {config.min_savings}|{config.encoding}"
    digests: dict[tuple[str, str], str] = {}
    jobs = []
    for item in loaded:
        formats = (item.match.source_format, item.match.twin_format)
        if formats not in digests:
            digests[formats] = twins.converter_digest(registry.get(*formats).cache_id(), options_key)
        jobs.append(Job(item, twins.fresh_digest(item.source_data, formats[0], digests[formats])))
    return jobs


def _count_tokens(pairs: Sequence[Pair], config: Config, store: Store, report: Report,
                  jobs: int) -> list[Tokens | None]:
    """Count each pair's TOON side (the twin file as written, or a TOON source) and its baseline.

    The baseline is the source as written (Markdown, JSON, JSONL), or compact JSON of a TOON source's data:
    what an agent would read instead of the TOON. PDFs have no text baseline and are not counted (None).
    """
    import json

    from .tokens import TokenCounter
    from .toon import decode

    texts: list[str] = []
    counted: list[int] = []
    for index, pair in enumerate(pairs):
        if _baseline(pair.source_format) is None:
            continue
        source = pair.job.loaded.source_data.decode("utf-8", "replace")
        if pair.source_format == "toon":
            try:
                texts += [source, json.dumps(decode(source), ensure_ascii=False, separators=(",", ":"))]
            except ToonHooksError:
                continue
        else:
            texts += [pair.expected, source]
        counted.append(index)
    tokens: list[Tokens | None] = [None] * len(pairs)
    if not counted:
        return tokens
    counter = TokenCounter(config.encoding, store, threads=jobs)
    counts = counter.count_many(texts)
    if counter.warning:
        report.notes.append(counter.warning)
    for position, index in enumerate(counted):
        tokens[index] = (counts[2 * position], counts[2 * position + 1])
    return tokens


def _apply_min_savings(pairs: Sequence[Pair], config: Config, report: Report) -> list[Pair]:
    """Mark the pairs whose TOON twin would save less than `min-savings` percent of the source's tokens."""
    if config.min_savings is None:
        return list(pairs)
    unknown = 0
    marked = []
    for pair in pairs:
        spec = SPECS.get(pair.source_format)
        toon, baseline = pair.tokens
        if spec is not None and spec.optional_twin:
            if toon is None or baseline is None:
                unknown += 1
            elif 100 * (baseline - toon) / max(baseline, 1) < config.min_savings:
                pair = pair._replace(without_twin=True)
        marked.append(pair)
    if unknown:
        report.notes.append(f"min-savings not applied to {unknown} file{'s' * (unknown != 1)}: token counts "
                            f"unavailable (their twins are kept)")
    return marked


def _file_tokens(pairs: Iterable[Pair]) -> list[FileTokens]:
    entries = []
    for pair in pairs:
        toon, base = pair.tokens
        baseline = _baseline(pair.source_format)
        if toon is not None and base is not None and baseline is not None:
            entries.append(FileTokens(pair.source, pair.twin, toon, base, baseline, not pair.without_twin))
    return entries


def unified_diff(pair: Pair) -> str:
    """Return the diff that would turn the twin on disk into the expected twin."""
    import difflib

    old = (pair.twin_text or "").replace("\r\n", "\n").splitlines(keepends=True)
    new = pair.expected.splitlines(keepends=True)
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
        files, paired = _plan(root, request.paths, config)
    report.skipped += paired.skipped
    report.problems += paired.problems
    for orphan in paired.orphans:
        message = f"orphaned twin: its source no longer exists (remove it: git rm -- {_quote(orphan)})"
        if request.check:
            report.problems.append(Problem(orphan, message))
        else:
            report.notes.append(f"{orphan}: {message}")
    with report.phase("read"):
        jobs = _jobs(_load(root, paired.matches, files, config, report), config)
    pairs = {i: Pair(job, (job.loaded.twin_text or "").replace("\r\n", "\n"))
             for i, job in enumerate(jobs) if pairing.proven_fresh(job.loaded, job.fresh_digest)}
    pending = [i for i in range(len(jobs)) if i not in pairs]  # the marker proves the others: no conversion
    if pending:
        from .runner import resolve_jobs

        converted = convert_pairs([jobs[i] for i in pending], config, store, resolve_jobs(request.jobs, config.jobs),
                                  report, progress, request.count_tokens or config.min_savings is not None)
        pairs.update((pending[i], pair) for i, pair in converted.items())
    report.problems += _hand_edit_problems(root, request, jobs, pairs)
    kept = [i for i in pending if i in pairs]
    pairs.update(zip(kept, _apply_min_savings([pairs[i] for i in kept], config, report), strict=True))
    synced = [pairs[i] for i in sorted(pairs) if not jobs[i].loaded.hand_edited]
    report.files = _file_tokens(synced)
    stale = [p for p in synced if p.stale]
    report.up_to_date = [p.twin for p in synced if not p.stale and not p.without_twin]
    report.fresh = len(synced) - len(stale)
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


def _hand_edit_problems(root: str, request: Request, jobs: Sequence[Job], pairs: dict[int, Pair]) -> list[Problem]:
    """Refuse the hand-edited twins (see `pairing.hand_edit_problem`), asking git which files are staged only
    when there is one."""
    edited = [i for i, job in enumerate(jobs) if job.loaded.hand_edited]
    staged = git.staged_files(root) if edited and request.stage else set()
    problems = []
    for index in edited:
        loaded = jobs[index].loaded
        pair = pairs.get(index)
        problems.append(pairing.hand_edit_problem(loaded, jobs[index].fresh_digest, pair.expected if pair else None,
                                                  {loaded.match.source, loaded.match.twin} <= staged))
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
