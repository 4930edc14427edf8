"""A deterministic token estimate, for converters that choose the cheaper of two equivalent outputs.

Converters are pure functions that run in worker processes, so their output must not depend on which
tiktoken encodings a machine can load. This counts the pieces a GPT-style pre-tokenizer splits text into
(a word with its leading space or punctuation mark, up to three digits, a run of punctuation, a run of
white space) and charges a piece one more token for every five characters after its first. It is a
ranking aid, not a meter: the token counts users see come from tiktoken (`toon_hooks.tokens`).
"""
from __future__ import annotations

import re

_PIECE = re.compile(r"'(?:[sdmt]|ll|ve|re)|(?:[^\r\n\w]|_)?[^\W\d_]+|\d{1,3}| ?(?:[^\s\w]|_)+[\r\n]*"
                    r"|\s*[\r\n]+|\s+(?!\S)|\s+")
_CHARS_PER_EXTRA_TOKEN = 5


def estimate_tokens(text: str) -> int:
    """Return an estimate of the tokens a BPE tokenizer of the cl100k/o200k kind spends on `text`."""
    return sum(1 + (len(piece) - 1) // _CHARS_PER_EXTRA_TOKEN for piece in _PIECE.findall(text))
