"""Pure pairing: which files pair up as source and twin, which twins are orphans, and what a twin on disk says.

Decisions only. `sync` scans the files into `FileState` records (a path with nothing there has none), and
these functions turn them and the configuration into a plan, so every rule is tested without a file system.
Pairing takes two scans, because a file names the others it depends on: `claim` says what each listed file is
from its own bytes, `lookups` which other paths that makes relevant, and `resolve`, once those are scanned
too, pairs them. `to_read` then names the files a pair needs whole, and `check` judges the twin on disk.
"""
from __future__ import annotations

import os
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Literal, NamedTuple

from . import twins
from .config import Config
from .formats.spec import DEFAULT_SOURCE, OUTPUT_EXTENSION, format_of, spec_of
from .report import Problem

HEAD = 4096
"""Bytes that classify a file: its marker line and front matter are at the top."""

Kind = Literal["file", "folder", "other", "missing"]
Role = Literal["link", "twin", "source", "unclaimed"]


class FileState(NamedTuple):
    """What a scan found at one path, read through a symbolic link (`link` says the path is one)."""

    path: str
    kind: Kind
    """"file" (a regular one), "folder", "other" (FIFO, socket, device), "missing" (behind a dangling link)."""
    size: int = 0
    data: bytes = b""
    """What was read: the whole file when `whole`, else its first bytes (possibly none)."""
    whole: bool = False
    link: bool = False
    error: str = ""
    """Why the file cannot be read ("" when it can): always set for a kind other than "file"."""

    @property
    def head(self) -> str:
        """The first HEAD bytes as text (undecodable bytes escaped): where the marker and front matter are."""
        return file_text(self.data[:HEAD])


Files = Mapping[str, FileState | None]
"""Scanned paths → what is there; None, or no entry, when there is nothing."""


class Claim(NamedTuple):
    """What one listed file says about its pair from its own bytes, before any other file is looked at."""

    path: str
    role: Role
    """"link" (skipped), "twin" (it carries a marker), "source" or "unclaimed" (maybe a hand-written twin)."""
    other: str = ""
    """The pair's other file: the source a twin's marker names, the twin of a source, or the sibling that, when
    it is a source, claims an unclaimed file as its twin."""


class Match(NamedTuple):
    """A source and the twin generated from it, before either is judged."""

    source: str
    twin: str
    source_format: str
    twin_format: str


class Plan(NamedTuple):
    """The pairs the listed files make, and what keeps the others out."""

    matches: tuple[Match, ...]
    orphans: tuple[str, ...]
    """Generated twins whose source no longer exists."""
    skipped: tuple[str, ...]
    """Symbolic links: toon-hooks neither reads nor writes through them."""
    problems: tuple[Problem, ...]


class Loaded(NamedTuple):
    """A pair with both files read, whose twin toon-hooks may rewrite."""

    match: Match
    source_data: bytes
    twin_text: str | None
    """The twin on disk (undecodable bytes escaped); None when there is none yet."""
    marker: twins.Marker | None
    """The twin's marker (in a conflicted twin, our side's); None when there is no twin."""
    conflicted: bool = False
    """The twin is a merge conflict between two generated versions: regenerate and stage it."""
    hand_edited: bool = False
    """The twin's body is not what toon-hooks wrote under its marker."""


class Skip(NamedTuple):
    """A source left alone, with the note saying why."""

    path: str
    note: str


def wanted(path: str, config: Config) -> bool:
    """True when `path` is worth a scan: toon-hooks reads its format and `exclude` does not name it."""
    return format_of(path) is not None and not any(twins.glob_match(path, glob) for glob in config.exclude)


def named_source(path: str, head: str) -> str | None:
    """Return the source a generated twin's marker names, or None when `path` is no generated twin.

    `head` is the file's first bytes as text; only formats that twins are written in carry a marker.
    """
    spec = spec_of(path)
    marker = twins.parse_marker(head) if spec is not None and spec.marker else None
    return None if marker is None else twins.marker_source_path(path, marker)


def orphans(named: Iterable[tuple[str, str]], existing: Container[str]) -> list[tuple[str, str]]:
    """The orphan rule: return the (twin, source) of `named` (see `named_source`) whose source is not in `existing`.

    `existing` holds the paths where something exists, a symbolic link counting by what it points at.
    """
    return [(twin, source) for twin, source in named if source not in existing]


def claim(path: str, state: FileState | None, config: Config) -> Claim | None:
    """Say what a listed file is; None for what sync ignores (see `wanted`; gone; a folder or FIFO)."""
    spec = spec_of(path)
    if spec is None or state is None or not wanted(path, config):
        return None
    if state.link:
        return Claim(path, "link")
    if state.kind != "file":
        return None
    head = state.head
    source = named_source(path, head)
    if source is not None:
        return Claim(path, "twin", source)
    if spec.twin and (spec.source_by_default or twins.opted_in(path, head, config.sources)):  # HTML never is
        return Claim(path, "source", twins.twin_path(path))
    return Claim(path, "unclaimed", path[: path.rfind(".")] + OUTPUT_EXTENSION[DEFAULT_SOURCE])


def lookups(claims: Iterable[Claim]) -> list[str]:
    """The other paths `resolve` looks at: the sources twins name, and the siblings that may claim a file."""
    return list(dict.fromkeys(c.other for c in claims if c.role in ("twin", "unclaimed")))


def resolve(claims: Sequence[Claim], files: Files) -> Plan:
    """Pair the claimed files, one pair per twin, given the scans of their `lookups`.

    A twin whose source is gone is an orphan. An unclaimed file is the twin of its TOON sibling when that is a
    source (a file without a marker) whose twin path is this file (a.md for a.toon, never a.json), so that it
    is refused as hand-written below, or regenerated when it is a conflicted generated twin. Two sources
    generating one twin is a problem.
    """
    existing = {path for path, state in files.items() if state is not None and state.kind != "missing"}
    gone = {twin for twin, _ in orphans(((c.path, c.other) for c in claims if c.role == "twin"), existing)}
    matches: dict[str, Match] = {}
    orphaned: list[str] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for item in claims:
        if item.role == "link":
            skipped.append(item.path)
            continue
        if item.path in gone:
            orphaned.append(item.path)
            continue
        if item.role == "unclaimed":
            sibling = files.get(item.other)
            if (twins.twin_path(item.other) == item.path and sibling is not None and sibling.kind == "file"
                    and twins.parse_marker(sibling.head) is None):
                matches.setdefault(item.path, _match(item.other, item.path))
            continue
        source, twin = (item.other, item.path) if item.role == "twin" else (item.path, item.other)
        previous = matches.get(twin)
        if previous is not None and previous.source != source:
            problems.append(Problem(twin, f"both {previous.source} and {source} would generate this file; "
                                          "opt only one of them in"))
            continue
        matches[twin] = previous or _match(source, twin)
    return Plan(tuple(matches.values()), tuple(orphaned), tuple(skipped), tuple(problems))


def _match(source: str, twin: str) -> Match:
    return Match(source, twin, format_of(source) or "", format_of(twin) or "")


def to_read(matches: Iterable[Match], files: Files, config: Config) -> list[str]:
    """The paths `check` needs read whole that are not yet: sources within `max-file-size`, and twins."""
    paths = []
    for match in matches:
        source = files.get(match.source)
        if source is not None and not source.whole and source.size <= config.max_file_size:
            paths.append(match.source)
        if match.twin not in files:
            paths.append(match.twin)
        elif (twin := files[match.twin]) is not None and not (twin.whole or twin.link or twin.error):
            paths.append(match.twin)
    return list(dict.fromkeys(paths))


def check(match: Match, files: Files, config: Config) -> Loaded | Problem | Skip:
    """Judge a pair from its files read whole: a source too large is skipped, and a twin toon-hooks cannot
    safely regenerate (a link, written by hand, generated from another file) is a problem."""
    source = files.get(match.source)
    if source is None:
        return Problem(match.source, "is gone: it vanished while toon-hooks ran")
    if source.size > config.max_file_size:
        return Skip(match.source, f"{match.source}: skipped, {source.size:,} bytes > max-file-size "
                                  f"{config.max_file_size:,}")
    if source.error:
        return Problem(match.source, f"is unreadable ({source.error})")
    twin = files.get(match.twin)
    if twin is None:
        return Loaded(match, source.data, None, None)
    if twin.link or twin.error:
        what = "a symlink" if twin.link else f"unreadable ({twin.error})"
        return Problem(match.twin, f"is {what}; toon-hooks writes twins only as regular files (replace it with "
                                   f"one, or stop tracking {match.source})")
    twin_text = file_text(twin.data)
    marker = twins.parse_marker(twin_text)
    conflicted = False
    if marker is None:
        marker = twins.conflicted_marker(twin_text)
        conflicted = marker is not None
    if marker is None:
        return Problem(match.twin, f"was written by hand, and so was {match.source}: refusing to overwrite it "
                                   f"(rename one of them, or delete {match.twin} to let toon-hooks generate it)")
    named = twins.marker_source_path(match.twin, marker)
    if named != match.source:
        return Problem(match.twin, f"is generated from {os.path.basename(named)}, not from "
                                   f"{os.path.basename(match.source)}; opt only one source in")
    hand_edited = not conflicted and not twins.body_matches_marker(twin_text, marker)
    return Loaded(match, source.data, twin_text, marker, conflicted, hand_edited)


def proven_fresh(loaded: Loaded, fresh_digest: str) -> bool:
    """True when the twin's marker shows it was written from this source by this converter and options."""
    return (not loaded.hand_edited and not loaded.conflicted and loaded.marker is not None
            and loaded.marker.fresh_digest == fresh_digest)


def file_text(data: bytes) -> str:
    """Decode file bytes, escaping what is not UTF-8 so that nothing is lost."""
    return data.decode("utf-8", "surrogateescape")


def hand_edit_problem(loaded: Loaded, fresh_digest: str, expected: str | None, both_staged: bool) -> Problem:
    """Refuse a hand-edited twin, pointing at the first line that differs from what toon-hooks wrote.

    That line is known when the marker's digest still matches the source and converter: the twin's original
    body is then exactly what the source generates now (`expected`). Otherwise the refusal points at the
    marker line. `both_staged`: the source and the twin are both staged, with different content.
    """
    source, twin = loaded.match.source, loaded.match.twin
    message = (f"was edited by hand since toon-hooks generated it: move the edit into {source} (the source), "
               f"or make {twin} the source by deleting its first line and {source}")
    if both_staged:
        message += (f"; both files are staged with different content, revert one: "
                    f"git restore --staged --worktree -- {twin}")
    line = 1
    if expected is not None and loaded.marker is not None and loaded.marker.fresh_digest == fresh_digest:
        written = (loaded.twin_text or "").replace("\r\n", "\n").split("\n")
        generated = expected.split("\n")
        line = next((i for i, (a, b) in enumerate(zip(written, generated, strict=False), 1) if a != b),
                    min(len(written), len(generated)) + 1)
    return Problem(twin, message, line)
