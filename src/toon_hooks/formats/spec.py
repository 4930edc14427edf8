"""What toon-hooks knows about each file format, in one table; every other module derives from it.

One `FormatSpec` per format says which files are in it, what its generated twin is, how its bytes are
digested, read and weighed, and which module converts it. Adding a format adds one row here (and its
converter module). Pure data, imported on the hook's warm path: nothing here imports anything heavy.
"""
from __future__ import annotations

from typing import NamedTuple


class FormatSpec(NamedTuple):
    """The facts about one format."""

    name: str
    extensions: tuple[str, ...]
    """Lower-case file extensions; the first is the one toon-hooks gives files it writes in this format."""
    module: str | None = None
    """The module whose converters read or write this format, imported on first use (None for TOON: every
    converter reads or writes TOON, so each lives in the module of its other format)."""
    twin: str | None = None
    """Format of the twin generated from a source in this format; None: never a twin source."""
    marker: tuple[str, str] | None = None
    """(before, after) the marker text on a generated twin's first line; None: no file of it is generated."""
    binary: bool = False
    """Not text: never written, not read to classify (no marker, no front matter), no "file" token count."""
    fold_crlf: bool = True
    """Digests fold CRLF to LF, so a CRLF checkout hashes like an LF one (only where output ignores CR)."""
    source_by_default: bool = False
    """A file without a marker is a source without opting in."""
    front_matter: bool = False
    """`toon: true` in the front matter opts a file in as a source."""
    baseline: str | None = None
    """What a source's TOON side is compared with in token savings ("JSON": the data as JSON); None: nothing."""
    optional_twin: bool = False
    """`min-savings` may leave a source of this format without its twin."""
    byte_weight: float = 1.0
    """Conversion time of a source byte, in TOON bytes converted to Markdown (the runner balances on it)."""
    fork_safe: bool = True
    """Its converter may run in a forked worker (MuPDF may crash or hang a worker on a bad file)."""


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec("toon", (".toon",), twin="md", marker=("# ", ""), source_by_default=True, baseline="JSON"),
    FormatSpec("md", (".md", ".markdown"), "toon_hooks.formats.markdown.converters", twin="toon",
               marker=("<!-- ", " -->"), front_matter=True, baseline="Markdown", optional_twin=True,
               byte_weight=2.5),
    FormatSpec("json", (".json",), "toon_hooks.formats.json_fmt", twin="toon", baseline="JSON",
               optional_twin=True, byte_weight=0.01),
    FormatSpec("jsonl", (".jsonl",), "toon_hooks.formats.json_fmt", twin="toon", baseline="JSON",
               optional_twin=True, byte_weight=0.04),
    FormatSpec("pdf", (".pdf",), "toon_hooks.formats.pdf.converters", twin="toon", binary=True, fold_crlf=False,
               byte_weight=20.0, fork_safe=False),
    FormatSpec("html", (".html",), "toon_hooks.formats.html", fold_crlf=False),
)
"""Every format. Byte weights as measured on 2 cores: a Markdown byte ≈ 2.5× at 60 KB (1.3× at 20 KB), JSONL
≈ 1/25, JSON ≈ 1/100."""

SPECS: dict[str, FormatSpec] = {spec.name: spec for spec in FORMATS}
"""Format name → its spec."""
DEFAULT_SOURCE: str = next(spec.name for spec in FORMATS if spec.source_by_default)
"""The format whose files are sources unless they carry a marker (TOON)."""
EXTENSIONS: dict[str, str] = {ext: spec.name for spec in FORMATS for ext in spec.extensions}
"""File extension → format name."""
SOURCE_SUFFIXES: tuple[str, ...] = tuple(ext for spec in FORMATS if spec.twin for ext in spec.extensions)
"""Extensions of the formats twins are generated from: the files sync and check look at (the formats of
twins are among them)."""
TWIN_SUFFIXES: tuple[str, ...] = tuple(ext for spec in FORMATS if spec.marker for ext in spec.extensions)
"""Extensions of files that can be generated twins (and so carry a marker)."""
BINARY_FORMATS = frozenset(spec.name for spec in FORMATS if spec.binary)
"""Formats whose files are not text."""
CRLF_FOLDED = frozenset(spec.name for spec in FORMATS if spec.fold_crlf)
"""Formats whose digests fold CRLF to LF."""
MARKERS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(spec.marker for spec in FORMATS if spec.marker))
"""Every (before, after) a marker line is written with."""
OUTPUT_EXTENSION: dict[str, str] = {spec.name: spec.extensions[0] for spec in FORMATS if not spec.binary}
"""Format toon-hooks can write (every text format) → the extension of a file written in it."""


def format_of(path: str) -> str | None:
    """Return the format name for a path's extension, or None when toon-hooks does not read it."""
    dot = path.rfind(".")
    return EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


def spec_of(path: str) -> FormatSpec | None:
    """Return the spec of a path's format, or None when toon-hooks does not read it."""
    fmt = format_of(path)
    return None if fmt is None else SPECS[fmt]

