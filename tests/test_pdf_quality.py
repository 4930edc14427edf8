"""PDF conversion quality: each defect found against pymupdf4llm on PyMuPDF's test files, rebuilt as a small PDF.

Zebra-striped tables, form grids that cut words, phantom columns and code listings, false and missed
headings, reading order around sidebars and figures, and the per-page budget of the table search.
"""
from __future__ import annotations

import itertools
import re
import time
from typing import Any

import pymupdf as _pymupdf
import pytest
from test_pdf import PROSE, make_pdf, model, textbox, texts

from toon_hooks.formats.pdf.converters import PdfToMarkdown
from toon_hooks.formats.pdf.grid import MAX_POINTS
from toon_hooks.formats.pdf.layout import reading_order
from toon_hooks.options import Options

pymupdf: Any = _pymupdf  # PyMuPDF has no type hints

GREY = (0.9, 0.9, 0.9)
ROWS = [["Test", "Current", "Result"], ["Class A", "131.44%", "PASS"], ["Class B", "121.82%", "PASS"],
        ["Class C", "112.24%", "FAIL"], ["Class D", "108.58%", "PASS"], ["Class E", "156.08%", "PASS"]]


def words_of(doc: dict[str, Any]) -> list[str]:
    """Every word the model holds: blocks, table names (not generated ones) and cells, running lines."""
    found = [word for text in texts(doc) for word in text.split()]
    for table in doc.get("tables", []):
        found += [word for name in table["rows"][0] if not re.fullmatch(r"col\d+", name) for word in name.split()]
        found += [word for row in table["rows"] for cell in row.values() for word in str(cell).split()]
    return found + [word for line in doc.get("running", []) for word in line["text"].split()]


# ---------------------------------------------------------------------------------------------------------------
# 1. Zebra-striped tables: every row kept, the header line above the stripes is the header


def zebra_page(p: Any) -> None:
    """A table whose header is text over a rule and whose odd data rows alone are shaded, cell by cell."""
    widths = [120, 80, 60]
    p.insert_text((75, 196), ROWS[0][0], fontsize=9)
    p.insert_text((200, 196), ROWS[0][1], fontsize=9)
    p.insert_text((280, 196), ROWS[0][2], fontsize=9)
    p.draw_rect(pymupdf.Rect(72, 199.5, 332, 200.3), color=None, fill=(0, 0, 0))
    for r, row in enumerate(ROWS[1:]):
        top = 200 + r * 14
        x = 72.0
        for width, text in zip(widths, row, strict=True):
            if r % 2 == 0:
                p.draw_rect(pymupdf.Rect(x, top, x + width, top + 14), color=None, fill=GREY)
            p.insert_text((x + 3, top + 10), text, fontsize=9)
            x += width
    textbox(p, pymupdf.Rect(72, 300, 520, 360), "After the table.", fontsize=10)


def test_zebra_striped_table_keeps_every_row_and_its_header_line() -> None:
    doc = model(make_pdf(zebra_page))
    assert doc["tables"] == [{"page": 1, "rows": [dict(zip(ROWS[0], row, strict=True)) for row in ROWS[1:]]}]
    assert texts(doc) == ["After the table."]


# ---------------------------------------------------------------------------------------------------------------
# 2. Form grids: no word is cut at a cell edge


def form_page(p: Any) -> None:
    """A form whose labels run past the vertical rules of their row (as on a tax form)."""
    for y in (100, 130, 160):
        p.draw_line((72, y), (520, y), color=(0, 0, 0), width=0.5)
    for x in (72, 150, 300, 520):
        p.draw_line((x, 100), (x, 160), color=(0, 0, 0), width=0.5)
    p.insert_text((75, 112), "Filed pursuant to section 301.9100-2", fontsize=8)
    p.insert_text((75, 142), "Your first name and middle initial", fontsize=8)
    p.insert_text((303, 142), "Last name", fontsize=8)


def test_form_grid_never_cuts_a_word() -> None:
    doc = model(make_pdf(form_page))
    found = " ".join(words_of(doc))
    assert "Filed pursuant to section 301.9100-2" in found
    assert "Your first name and middle initial" in found
    assert sorted(words_of(doc)) == sorted("Filed pursuant to section 301.9100-2 Your first name and "
                                           "middle initial Last name".split())


# ---------------------------------------------------------------------------------------------------------------
# 3. Phantom columns, code listings, single text columns


def phantom_page(p: Any) -> None:
    """A 2-column table drawn with narrow margin cells and spacer cells, like PyMuPDF's own manual (2.pdf)."""
    edges = [40, 46, 154, 236, 242, 248, 549, 555]
    rows = [("Method / Attribute", "Description"), ("Document.pageCount", "Number of pages."),
            ("Document.metadata", "Metadata of the Document."), ("Document.outline", "First outline entry.")]
    for r, (name, text) in enumerate(rows):
        top, bottom = 100 + r * 20, 120 + r * 20
        cuts = edges if r == 0 else [40, 46 if r % 2 else 154, 242, 555]
        for x0, x1 in itertools.pairwise(cuts):
            p.draw_rect(pymupdf.Rect(x0, top, x1, bottom), color=(0, 0, 0), width=0.3)
        p.insert_text((50, bottom - 6), name, fontsize=9)
        p.insert_text((252, bottom - 6), text, fontsize=9)


def test_phantom_columns_are_dropped() -> None:
    assert model(make_pdf(phantom_page))["tables"] == [{"page": 1, "rows": [
        {"Method / Attribute": "Document.pageCount", "Description": "Number of pages."},
        {"Method / Attribute": "Document.metadata", "Description": "Metadata of the Document."},
        {"Method / Attribute": "Document.outline", "Description": "First outline entry."},
    ]}]


CODE = ["import fitz", "doc = fitz.open(name)  # open", "for page in doc:", "    text = page.get_text()"]


def code_page(p: Any) -> None:
    """A code listing in Courier whose lines sit in a ruled grid (one frame per token run)."""
    for r, line in enumerate(CODE):
        top = 100 + r * 14
        for x0, x1 in ((60, 110), (110, 200), (200, 420)):
            p.draw_rect(pymupdf.Rect(x0, top, x1, top + 14), color=(0.8, 0.8, 0.8), width=0.3)
        p.insert_text((62, top + 10), line, fontsize=9, fontname="cour")


def test_a_framed_code_listing_is_text_not_a_table() -> None:
    doc = model(make_pdf(code_page))
    assert "tables" not in doc
    assert " ".join(texts(doc)).split() == " ".join(CODE).split()


def test_a_ruled_list_of_sentences_is_text_not_a_one_column_table() -> None:
    def page(p: Any) -> None:
        for r, sentence in enumerate(["The first point is made.", "The second point follows."]):
            p.draw_rect(pymupdf.Rect(72, 100 + r * 20, 520, 120 + r * 20), color=(0, 0, 0), width=0.5)
            p.insert_text((75, 114 + r * 20), sentence, fontsize=10)

    doc = model(make_pdf(page))
    assert "tables" not in doc and texts(doc) == ["The first point is made.", "The second point follows."]


# ---------------------------------------------------------------------------------------------------------------
# 4. Headings: letters, no code, no running headers; numbered ones and the outline's


def test_code_punctuation_and_running_headers_are_not_headings() -> None:
    def page_for(number: int) -> Any:
        def page(p: Any) -> None:
            p.insert_text((72, 40), "The Big Manual", fontsize=20)  # a running header in a large font
            p.insert_text((72, 100), "import fitz", fontsize=14, fontname="cobo")
            p.insert_text((72, 130), ".", fontsize=18)
            textbox(p, pymupdf.Rect(72, 150, 520, 260), PROSE, fontsize=10)

        return page

    doc = model(make_pdf(*(page_for(n) for n in range(3))))
    assert [block["kind"] for block in doc["blocks"]] == ["text", "text", "text"] * 3
    assert [line["text"] for line in doc["running"]] == ["The Big Manual"] * 3


def test_numbered_headings_at_body_size_are_found_with_their_depth() -> None:
    def page(p: Any) -> None:
        p.insert_text((72, 60), "A Study of Things", fontsize=16)
        p.insert_text((72, 100), "II. MOTIVATION AND BACKGROUND", fontsize=10)
        textbox(p, pymupdf.Rect(72, 110, 520, 200), PROSE, fontsize=10)
        p.insert_text((72, 220), "3.1.2 e-MERLIN detection of compact emission", fontsize=10)
        textbox(p, pymupdf.Rect(72, 230, 520, 320), PROSE, fontsize=10)
        p.insert_text((72, 340), "1. an ordered step, not a heading", fontsize=10)

    assert [(b["kind"], b["level"]) for b in model(make_pdf(page))["blocks"]] == [
        ("heading", 1), ("heading", 2), ("text", 0), ("heading", 4), ("text", 0), ("list_item", 0)]


def test_outline_entries_set_heading_levels_and_leave_the_toc() -> None:
    def page(p: Any) -> None:
        p.insert_text((72, 60), "Overview", fontsize=11, fontname="hebo")
        textbox(p, pymupdf.Rect(72, 70, 520, 160), PROSE, fontsize=11)
        p.insert_text((72, 180), "Details", fontsize=11, fontname="hebo")
        textbox(p, pymupdf.Rect(72, 190, 520, 280), PROSE, fontsize=11)

    doc = model(make_pdf(page, toc=[[1, "Overview", 1], [2, "Details", 1], [1, "Elsewhere", 1]]))
    assert [(b["level"], b["text"]) for b in doc["blocks"] if b["kind"] == "heading"] == [
        (1, "Overview"), (2, "Details")]
    assert doc["toc"] == [{"level": 1, "title": "Elsewhere", "page": 1}]  # the entry no heading matched


# ---------------------------------------------------------------------------------------------------------------
# 5. Reading order


def test_a_narrow_sidebar_is_read_after_the_main_column_not_around_it() -> None:
    def page(p: Any) -> None:
        p.insert_text((57, 78), "Responsible freedom", fontsize=16)
        textbox(p, pymupdf.Rect(71, 86, 442, 184), PROSE * 2, fontsize=10)
        textbox(p, pymupdf.Rect(459, 66, 534, 88), "Digital pages: are we free?", fontsize=7)
        textbox(p, pymupdf.Rect(459, 86, 538, 110), "The choice between good and evil", fontsize=7)

    assert " ".join(texts(model(make_pdf(page)))) == " ".join([
        "Responsible freedom", (PROSE * 2).strip(), "Digital pages: are we free?", "The choice between good and evil"])


def test_side_by_side_one_line_fields_still_read_as_rows() -> None:
    boxes = [(72, 100, 130, 112), (150, 100, 300, 112), (72, 120, 130, 132), (150, 120, 300, 132)]
    assert reading_order(boxes, min_column=595 * 0.3, wrapped=[]) == [0, 1, 2, 3]


def test_bold_words_inside_a_paragraph_neither_split_it_nor_make_a_heading() -> None:
    def page(p: Any) -> None:
        p.insert_text((72, 100), "Freedom begins by refusing outside conditions, that is", fontsize=10)
        p.insert_text((72, 113), "the responsibility towards oneself and others, which", fontsize=10,
                      fontname="hebo")
        p.insert_text((72, 126), "grows in solidarity and the common good.", fontsize=10)
        textbox(p, pymupdf.Rect(72, 150, 520, 260), PROSE, fontsize=10)

    assert [(b["kind"], b["text"][:20]) for b in model(make_pdf(page))["blocks"]] == [
        ("text", "Freedom begins by re"), ("text", PROSE[:20])]


def test_a_glyph_box_far_taller_than_its_font_does_not_span_the_page() -> None:
    from toon_hooks.formats.pdf.page import _line

    span = {"text": '"""', "size": 8.0, "flags": 0, "font": "F20", "origin": (312.0, 140.0)}
    line = _line({"bbox": (312.0, -3113.0, 336.0, 28048.0), "spans": [span]})
    assert line.box == (312.0, 132.0, 336.0, 142.0)  # a Type 3 font's bogus box, cut to the font size


# ---------------------------------------------------------------------------------------------------------------
# 6. Table search budget


def hatched_page(p: Any) -> None:
    """A chart whose hatching crosses itself more often than the table search may look at."""
    side = int(MAX_POINTS ** 0.5) + 2
    shape = p.new_shape()
    for i in range(side):
        shape.draw_line((20, 20 + i * 4), (20 + side * 4, 20 + i * 4))
        shape.draw_line((20 + i * 4, 20), (20 + i * 4, 20 + side * 4))
    shape.finish(color=(0, 0, 0), width=0.1)
    shape.commit()
    p.insert_text((72, 800), "Caption under the chart", fontsize=10)


def test_a_page_with_too_many_rulings_skips_the_table_search_and_says_so() -> None:
    data = make_pdf(hatched_page)
    start = time.perf_counter()
    doc = model(data)
    assert time.perf_counter() - start < 5
    assert doc["tables_skipped"] == [1] and texts(doc) == ["Caption under the chart"]
    assert PdfToMarkdown().convert(data, Options()).endswith(
        "> Pages not searched for tables (too many ruling lines; text kept): 1\n")


def test_tables_are_found_without_rendering_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a page was rendered")  # rendering one page of test_2548.pdf never finishes

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", refuse)
    assert len(model(make_pdf(zebra_page))["tables"][0]["rows"]) == 5
