"""The Markdown <-> TOON converters; `readings` decides how a document becomes data and back."""
from __future__ import annotations

from ...options import Options
from ..checkpoint import VERSION as CHECKPOINT_VERSION
from ..registry import Converter, decode_text, register

VERSION = f"4+checkpoint.{CHECKPOINT_VERSION}"
"""Bump the first part when the lines reading, the general mapping or the choice between readings changes
output; checkpoint.VERSION covers the checkpoint shapes."""


@register
class MarkdownToToon(Converter):
    """Markdown → data (the cheapest lossless reading: lines, general mapping or checkpoint model) → TOON."""

    name = "md-to-toon"
    source = "md"
    target = "toon"
    version = VERSION

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from .readings import toon_of

        return toon_of(decode_text(data, path), path, options)


@register
class ToonToMarkdown(Converter):
    """TOON → data → GitHub-flavoured Markdown (whichever reading the data has the shape of)."""

    name = "toon-to-md"
    source = "toon"
    target = "md"
    version = VERSION

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from ...toon import decode
        from .readings import markdown_of

        return markdown_of(decode(decode_text(data, path), strict=True, indent_size=options.indent))
