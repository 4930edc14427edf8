"""Benchmark PDF → TOON: pages/s with 1 worker and with all cores, measured in the same run.

Builds a PDF (default 200 A4 pages: a heading, two paragraphs, a 8×5 ruled table and a footer per page) with
PyMuPDF into a temporary folder, converts it with `convert_path` alternately with 1 worker and with every
core, and prints one table: median seconds, pages/s, the speed-up and whether the outputs are byte-identical.
The first multi-worker run includes starting the worker processes; later ones reuse them (as a long
`convert` of many PDFs would). Target: >= 1.6x on 2 cores.

Run: python3 benchmarks/pdf.py [--pages 200] [--repeat 3] [--jobs N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import pymupdf

from toon_hooks.formats.pdf.converters import convert_path
from toon_hooks.options import Options

LOREM = (
    "Throughput of the converter depends on the text layer and on the ruled tables it has to find. "
    "This paragraph gives each page a realistic amount of prose to extract, de-hyphenate and order. "
) * 3


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.pdf")
        build_pdf(path, args.pages)
        times: dict[int, list[float]] = {1: [], args.jobs: []}
        outputs: dict[int, set[str]] = {1: set(), args.jobs: set()}
        for _ in range(args.repeat):
            for jobs in times:
                seconds, text = run(path, jobs)
                times[jobs].append(seconds)
                outputs[jobs].add(text)
    identical = "yes" if len(outputs[1] | outputs[args.jobs]) == 1 else "NO"
    median = {jobs: statistics.median(values) for jobs, values in times.items()}
    print(f"PDF -> TOON, {args.pages} pages, {args.repeat} runs each, cpu_count={os.cpu_count()}")
    print("| workers | median s | pages/s | speed-up | outputs identical | runs (s) |")
    print("|---|---|---|---|---|---|")
    for jobs, values in times.items():
        runs = ", ".join(f"{value:.2f}" for value in values)
        speed_up = median[1] / median[jobs]
        print(f"| {jobs} | {median[jobs]:.2f} | {args.pages / median[jobs]:.1f} | {speed_up:.2f}x | {identical} | {runs} |")


if __name__ == "__main__":
    main()
