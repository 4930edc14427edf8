"""Every option that changes converter output, frozen, with a stable cache key."""
from __future__ import annotations

from typing import Literal, NamedTuple

from .toon.delimiters import DELIMITERS

__all__ = ["DELIMITERS", "Delimiter", "Options"]

Delimiter = Literal[",", "\t", "|"]


class Options(NamedTuple):
    """Options shared by all converters; a converter reads only the fields it needs."""

    delimiter: str = ","
    """TOON document delimiter: ",", "\\t", "|" or "auto" (the one needing the fewest quotes)."""
    indent: int = 2
    """Spaces per TOON indentation level."""
    json_indent: int | None = 2
    """Indentation of JSON output; None for compact JSON."""
    checkpoint_globs: tuple[str, ...] = ()
    """Path globs whose Markdown is always read as a checkpoint document."""
    pdf_ocr: bool = False
    """Run Tesseract OCR on PDF pages without a text layer (only when Tesseract is installed)."""

    def cache_key(self) -> str:
        """Return a short digest of every field, for cache keys."""
        import hashlib
        import json

        blob = json.dumps(self._asdict(), sort_keys=True, default=list)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
