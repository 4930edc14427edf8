"""The delimiters the codec takes, by character and by name: a module of its own so that option parsing
(on the hook's warm path) reads them without importing the codec."""
from __future__ import annotations

DELIMITERS: dict[str, str] = {",": ",", "comma": ",", "tab": "\t", "\t": "\t", "|": "|", "pipe": "|"}
"""Each accepted spelling and the delimiter character it stands for."""
