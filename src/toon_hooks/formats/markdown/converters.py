"""The Markdown <-> TOON converters; checkpoint documents are handed to `formats.checkpoint`."""
from __future__ import annotations

from ...options import Options
from ..checkpoint import VERSION as CHECKPOINT_VERSION
from ..registry import Converter, decode_text, register

VERSION = f"2+checkpoint.{CHECKPOINT_VERSION}"
"""Bump the first part when the general mapping's output changes; checkpoint.VERSION covers its shapes."""


@register
class MarkdownToToon(Converter):
    """Markdown → data (general mapping, or the checkpoint model) → TOON."""

    name = "md-to-toon"
    source = "md"
    target = "toon"
    version = VERSION

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from .. import checkpoint
        from ..json_fmt import toon_document
        from .read import markdown_to_data

        text = decode_text(data, path)
        if checkpoint.detect(text, path, options):
            return toon_document(checkpoint.markdown_to_data(text), options)
        return toon_document(markdown_to_data(text), options)


@register
class ToonToMarkdown(Converter):
    """TOON → data → GitHub-flavoured Markdown (general mapping, or the checkpoint layout)."""

    name = "toon-to-md"
    source = "toon"
    target = "md"
    version = VERSION

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        from ...toon import decode
        from .. import checkpoint
        from .write import data_to_markdown

        value = decode(decode_text(data, path), strict=True, indent_size=options.indent)
        if checkpoint.is_checkpoint_data(value):
            return checkpoint.data_to_markdown(value)
        return data_to_markdown(value)
