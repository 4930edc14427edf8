"""Markdown: the pinned parser, the general data mapping (read/write), front matter, and the converters."""
