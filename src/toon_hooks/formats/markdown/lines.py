"""A Markdown document as TOON data that keeps it byte for byte: its lines, and its front matter as data.

    front_matter:            the YAML front matter as data (its lines stay in `markdown` instead when
      title: Release plan    they hold a `#`, which may start a comment that data would drop, or are not YAML)
    markdown[3]: "# Release plan","","Ship **v2** on Friday."

Measured on real documents (checkpoints, task lists, session notes), every structured reading of prose
costs tokens: TOON quotes any string holding a colon, escapes newlines inside strings and indents nested
values, while Markdown spends almost nothing on structure. One inline array of the document's lines is the
cheapest lossless TOON form found: a blank line costs what it costs in Markdown (`","","` is one token),
and nothing moves, merges or gets dropped. `readings` picks a structured reading instead where one is
lossless and cheaper.

Line ends are written as LF and the document ends with one newline; front matter kept as data comes back
as the same data in PyYAML's style (quotes and indentation may differ); everything else round-trips exactly.
"""
from __future__ import annotations

from typing import Any

from ...errors import ConversionError

FRONT_MATTER = "front_matter"
LINES = "markdown"


def read_lines(text: str) -> dict[str, Any]:
    """Return the lines reading of a Markdown document; it never fails, so every document gets a twin."""
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    end = _front_matter_end(text)
    if end:
        from .front import dump_front_matter, load_front_matter

        yaml = "\n".join(lines[1 : end - 1])
        try:
            value = load_front_matter(yaml)
        except ConversionError:  # not YAML (or past the loader's limits): its lines are kept like any other
            return {LINES: lines}
        if "#" not in yaml and load_front_matter("\n".join(dump_front_matter(value))) == value:
            return {FRONT_MATTER: value, LINES: lines[end:]}
    return {LINES: lines}


def write_lines(value: dict[str, Any]) -> str:
    """Return the Markdown document of a lines reading."""
    lines: list[str] = value[LINES]
    if FRONT_MATTER in value:
        from .front import dump_front_matter
        from .layout import front_matter_lines

        lines = [*front_matter_lines(dump_front_matter(value[FRONT_MATTER])), *lines]
    return "".join(line + "\n" for line in lines)


def is_lines_data(value: Any) -> bool:
    """True for decoded TOON shaped like a lines reading: a `markdown` array of strings, maybe front matter."""
    return (isinstance(value, dict) and LINES in value and set(value) <= {FRONT_MATTER, LINES}
            and isinstance(value[LINES], list) and all(isinstance(line, str) for line in value[LINES]))


def _front_matter_end(text: str) -> int:
    """Return the number of lines the front matter spans (both `---` lines included), 0 when there is none.

    Found by the pinned parser, so a document has front matter here exactly when it renders as having some;
    only the lines up to the first later `---` or `...` line are parsed, as front matter cannot end after it.
    """
    if not text.startswith("---"):
        return 0
    from .parser import parser

    lines = text.replace("\r\n", "\n").split("\n")
    closing = next((i for i, line in enumerate(lines[1:], 1) if line.rstrip() in ("---", "...")), None)
    if closing is None:
        return 0
    tokens = parser().parse("\n".join(lines[: closing + 1]) + "\n")
    if not tokens or tokens[0].type != "front_matter" or tokens[0].map is None:
        return 0
    return tokens[0].map[1]
