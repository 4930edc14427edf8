"""Checkpoint and task-list Markdown documents <-> a table-first data shape that TOON encodes compactly.

Detection (`detect`) — a document is handled here when any of these holds:
  1. `path` (with `/` separators) matches a glob of `options.checkpoint_globs` under `fnmatch`; a glob
     without `/` is also matched against the file name alone;
  2. its YAML front matter is a mapping whose `type` is `checkpoint`, `tasklist`, `task-list` or `tasks`
     (case-insensitive);
  3. checkpoint: its first block is an H1 containing "checkpoint" (case-insensitive) and its second block
     a paragraph made only of `**Key:** value` lines;
  4. task list: it has front matter (a mapping) and an H2 or H3 whose title contains the word "phase" or
     "sprint" (case-insensitive) with a task item (`- [ ]` / `- [x]`) anywhere before the next heading of
     the same or a higher level.
`markdown_to_data` reads a task list when rule 2 says so or rule 4 holds (and rules 2-3 do not say
checkpoint); every other document — including one matched only by a glob — is read as a checkpoint.

Text values are Markdown inline source (inline formatting kept), trimmed; a value that would start a block
is written with a leading backslash (see `checkpoint_text`). A cell, metadata or metric value that is a
canonical integer or decimal (`5`, `-2`, `0.25`; not `05`, `1.50`, `1e3`) becomes a number.

Checkpoint shape (keys in this order, each only when it has content):
  meta                      front matter (YAML mapping; dates become ISO strings)
  checkpoint{title,…}       the first H1 (null when none) and every `**Key:** value` line of the paragraphs
                            before the first H2, keys as written (a paragraph that would repeat a key, or use
                            "title", is kept as a note instead)
  sections[]                the H2 titles, only when they differ from the default list (below)
  summary                   the leading paragraphs of the summary section, joined by a blank line
  metrics{Key: value}       the `- Key: value` list right after a `**Key Metrics:**` paragraph there
  git{branch,commits[]{sha,message},changes[]{status,path}}
                            the plain fence (no info string) opening `### Current Branch` (one line),
                            `### Recent Commits` (`<hex sha> <message>` lines) and `### Working Directory
                            Status` (`XY path` porcelain lines; a space in XY is stored as "."), in document
                            order; a sub-section that does not fit is kept as notes
  submodules[]{path,commit,latest}
                            `### Updated Submodules (N)` (N must equal the count) and groups of a `**path**`
                            paragraph plus the list `- Commit: `sha`` / `- Latest: text`; a Latest text that
                            is exactly `<sha> <message>` of the first commit with that sha in git.commits is
                            stored as the sha alone (the writer expands a latest equal to a listed sha), and
                            a Latest that is a bare listed sha does not fit (the section stays notes)
  tasks[]{section,depth?,done?,text}
  next_steps[]{section?,depth?,done?,text}, qa[]{…}
                            the items of every simple list (each item one paragraph that reads back as
                            written, optionally with a nested simple list) of that section; section = the
                            `###` heading above it ("" before any); depth = nesting level; done = the
                            checkbox (null for a plain bullet).
                            A column is left out when every row holds its default: depth 0, done null,
                            and (next_steps/qa only) section ""
  tables[]{section,rows[]{…},align?}
                            every other GFM table with a body row and distinct header cells; align only when
                            a column is aligned ("", "left", "center", "right" per column)
  notes[]{section,md}       every other block, verbatim (its source lines), section "" before the first H2
  footer{Key: value}        `**Key:** value` paragraphs that end the document after a thematic break
Sections are recognised by H2 title (first match of: "next step(s)", "quality"/"qa", "submodule(s)", "git",
"summary", "task(s)", as words); only the first section of a kind is read as that kind. An H2 without a
title, or repeating an earlier title, starts no section: it is a note of the section before it. The default
section list is the canonical titles of the kinds present (Executive Summary, Git Status, Submodule
Status, Completed Tasks by Project, Next Steps), then the other sections named by tables then notes, then
Quality Assurance. The writer puts a thematic break before every H2 and before the footer, and one at the
very end when the document would otherwise end with a rule or read as having a footer; reading drops one
rule at the end of the head and of every section followed by an H2, and one that ends the document when
there is no footer. Every other rule is a note.

Task-list shape (a region is the blocks before the first H2/H3, or under one up to the next):
  meta                      front matter
  tasklist{title,…}         as `checkpoint` above
  tasks, tables, notes      the region before the first H2/H3, as in a section below
  sections[]                every H2 and H3, in document order, each an object of:
    phase or sprint         the heading text, under "phase" for an H2 and "sprint" for an H3
    tasks[]{depth?,done?,text}
                            the items of every simple list of its region; columns left out as for
                            checkpoint tasks, judged per table
    tables[]{rows[]{…},align?}
                            as for checkpoints, without the section column
    notes[]                 the verbatim source of every other block of the region
The writer puts one thematic break before the first H2; reading drops one at the end of the region before
it. Every other rule is a note.

Decoded TOON is this data (`is_checkpoint_data`) when it is an object whose keys all belong to one of the
two shapes and which holds a `checkpoint` or `tasklist` object with a `title` key. `data_to_markdown` then
checks the full shape and reports the first problem as a ConversionError naming its path.

Round trip: `markdown_to_data(data_to_markdown(d)) == d` for every `d` that `markdown_to_data` returns.
Within a section the writer emits the recognised content, then tables, then notes, so a document whose
blocks were in another order comes back reordered but with the same data. A paragraph or list item whose
text would not read back as written (a later line that starts a block once indented under its item) is
kept as a verbatim note. Where two written blocks would read back as one (two lists with the same marker,
two indented code blocks) the writer puts an empty comment `<!-- -->` between them, and reading drops such
comments; a document without `meta` that would open as front matter (a first note `---`) starts with one.
Table cells beyond the header's width are dropped, as GFM ignores them too.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...errors import ConversionError
from ...options import Options

if TYPE_CHECKING:
    from .blocks import Block

# The reader and writer modules are imported inside the functions below: the Markdown converters import this
# module for VERSION on every hook run, and a run whose twins are all fresh must not pay for markdown-it.

VERSION = "4"
"""Output version of the checkpoint and task-list shapes; the Markdown converters include it in theirs."""

__all__ = ["data_to_markdown", "detect", "is_checkpoint_data", "markdown_to_data"]

TASKLIST_TYPES = frozenset({"tasklist", "task-list", "tasks"})
_PHASE_WORD = re.compile(r"\b(?:phase|sprint)\b", re.I)


def detect(text: str, path: str, options: Options) -> bool:
    """Return True when the document at `path` is a checkpoint or a task list (rules in the module doc)."""
    from ...twins import glob_match
    from .blocks import load_front_matter, read_blocks

    if any(glob_match(path, glob) for glob in options.checkpoint_globs):
        return True
    try:
        front, blocks = read_blocks(text)
        meta = load_front_matter(front) if front else None
    except ConversionError:  # not readable as a checkpoint or task list
        return False
    return _kind(meta, blocks) is not None


def markdown_to_data(text: str) -> dict[str, Any]:
    """Return the checkpoint or task-list data of a Markdown document (bad front matter is located)."""
    from .blocks import load_front_matter, read_blocks
    from .doc import read_checkpoint
    from .tasks import read_tasklist

    front, blocks = read_blocks(text)
    data: dict[str, Any] = {}
    meta = None
    if front:
        meta = data["meta"] = load_front_matter(front)
    if _kind(meta, blocks) == "tasklist":
        return read_tasklist(blocks, data)
    return read_checkpoint(blocks, data)


def is_checkpoint_data(value: Any) -> bool:
    """Return True for decoded TOON shaped like checkpoint or task-list data at the top level."""
    from .schema import kind_of_data

    return kind_of_data(value) is not None


def data_to_markdown(value: dict[str, Any]) -> str:
    """Return the checkpoint or task-list document for `value`; a malformed shape is a ConversionError."""
    from .doc import render_checkpoint
    from .schema import problem
    from .tasks import render_tasklist

    message = problem(value)
    if message:
        raise ConversionError(message)
    return render_checkpoint(value) if "checkpoint" in value else render_tasklist(value)


def _kind(meta: Any, blocks: list[Block]) -> str | None:
    """Return "checkpoint", "tasklist" or None (not recognised) by rules 2-4 of the module doc."""
    declared = str(meta.get("type", "")).strip().lower() if isinstance(meta, dict) else ""
    if declared == "checkpoint" or declared in TASKLIST_TYPES:
        return "tasklist" if declared in TASKLIST_TYPES else "checkpoint"
    if _titled_checkpoint(blocks):
        return "checkpoint"
    if isinstance(meta, dict) and _phased_tasks(blocks):
        return "tasklist"
    return None


def _titled_checkpoint(blocks: list[Block]) -> bool:
    """Rule 3: an H1 naming a checkpoint, then a `**Key:** value` paragraph."""
    if len(blocks) < 2 or blocks[0].kind != "heading" or blocks[0].level != 1:
        return False
    from .text import meta_lines

    named = "checkpoint" in blocks[0].text.lower()
    return named and blocks[1].kind == "paragraph" and bool(meta_lines(blocks[1].text))


def _phased_tasks(blocks: list[Block]) -> bool:
    """Rule 4: a phase or sprint heading (H2/H3) whose region holds a task item."""
    for index, block in enumerate(blocks):
        if block.kind == "heading" and block.level in (2, 3) and _PHASE_WORD.search(block.text):
            for later in blocks[index + 1 :]:
                if later.kind == "heading" and later.level <= block.level:
                    break
                if later.has_tasks:
                    return True
    return False
