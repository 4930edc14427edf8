"""PDF → TOON / Markdown: real PDFs built here with PyMuPDF, the pure layout/model parts, errors, scale."""
from __future__ import annotations

import functools
import itertools
import shutil
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

import pymupdf
import pytest
import toon_format
from conftest import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from toon_hooks import decode, encode
from toon_hooks.errors import ConversionError, MissingDependencyError
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.pdf.converters import (
    PdfToMarkdown,
    PdfToToon,
    convert_path,
    extract_document,
    extract_range,
    page_ranges,
    pdf_date,
    render,
)
from toon_hooks.formats.pdf.layout import clean, join_lines, reading_order
from toon_hooks.formats.pdf.markdown import render_markdown
from toon_hooks.formats.pdf.model import field_names, toon_model, typed_cell
from toon_hooks.formats.registry import get
from toon_hooks.options import Options

PageFn = Callable[[Any], None]
PROSE = "The quarterly numbers improved across every region, driven by demand. " * 3


def make_pdf(*pages: PageFn, size: tuple[float, float] = (595, 842), **setup: Any) -> bytes:
    """Build a PDF with one page per function; `metadata`/`toc` are applied when given."""
    doc = pymupdf.open()
    for fill in pages:
        fill(doc.new_page(width=size[0], height=size[1]))
    if "metadata" in setup:
        doc.set_metadata(setup["metadata"])
    if "toc" in setup:
        doc.set_toc(setup["toc"])
    return doc.tobytes()


def textbox(page: Any, rect: Any, text: str, fontsize: float = 11) -> None:
    """Write `text` into `rect`, failing when it does not fit (PyMuPDF would silently write nothing)."""
    assert page.insert_textbox(rect, text, fontsize=fontsize) >= 0, text


def draw_table(page: Any, rows: list[list[str]], x0: float = 72, y0: float = 500, width: float = 80) -> None:
    """Draw a ruled grid with one text per cell."""
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = pymupdf.Rect(x0 + c * width, y0 + r * 20, x0 + (c + 1) * width, y0 + (r + 1) * 20)
            page.draw_rect(cell, color=(0, 0, 0), width=0.5)
            if text:
                page.insert_text((cell.x0 + 3, cell.y1 - 6), text, fontsize=9)


def model(data: bytes, **options: Any) -> dict[str, Any]:
    return extract_document(data, Options(**options))


def texts(doc: dict[str, Any]) -> list[str]:
    return [block["text"] for block in doc["blocks"]]


def kinds(doc: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(block["kind"], block["level"], block["text"]) for block in doc["blocks"]]


# ---------------------------------------------------------------------------------------------------------------
# Text, headings, reading order


def test_heading_levels_come_from_size_then_weight_relative_to_body() -> None:
    def page(p: Any) -> None:
        p.insert_text((72, 80), "Annual Report", fontsize=20, fontname="hebo")
        p.insert_text((72, 120), "Results", fontsize=14)
        p.insert_text((72, 150), "Regional detail", fontsize=11, fontname="hebo")
        textbox(p, pymupdf.Rect(72, 160, 520, 260), PROSE, fontsize=11)
        textbox(p, pymupdf.Rect(72, 270, 520, 370), "Small print. " * 3, fontsize=8)

    # Body is 11 pt (most characters); 20 pt and 14 pt are larger, bold 11 pt is a body-size heading.
    assert kinds(model(make_pdf(page))) == [
        ("heading", 1, "Annual Report"),
        ("heading", 2, "Results"),
        ("heading", 3, "Regional detail"),
        ("text", 0, PROSE.strip()),
        ("text", 0, "Small print. Small print. Small print."),
    ]


def test_heading_levels_use_document_wide_sizes() -> None:
    def title_page(p: Any) -> None:
        p.insert_text((72, 80), "Handbook", fontsize=24)
        textbox(p, pymupdf.Rect(72, 100, 520, 200), PROSE, fontsize=10)

    def chapter_page(p: Any) -> None:
        p.insert_text((72, 80), "Chapter", fontsize=16)
        textbox(p, pymupdf.Rect(72, 100, 520, 200), PROSE, fontsize=10)

    doc = model(make_pdf(title_page, chapter_page))
    # The 16 pt heading is level 2 on its own page because a 24 pt heading exists elsewhere in the file.
    assert [(b["page"], b["level"]) for b in doc["blocks"] if b["kind"] == "heading"] == [(1, 1), (2, 2)]


def test_columns_are_read_one_after_the_other_even_with_aligned_gaps() -> None:
    def page(p: Any) -> None:
        textbox(p, pymupdf.Rect(72, 60, 520, 90), "A title spanning both columns", fontsize=10)
        for x, side in ((72, "Left"), (310, "Right")):
            textbox(p, pymupdf.Rect(x, 100, x + 210, 160), f"{side} column, first paragraph.", fontsize=10)
            textbox(p, pymupdf.Rect(x, 180, x + 210, 240), f"{side} column, second paragraph.", fontsize=10)
        textbox(p, pymupdf.Rect(72, 260, 520, 320), "A closing note across the page. " + PROSE, fontsize=10)

    assert texts(model(make_pdf(page))) == [
        "A title spanning both columns",
        "Left column, first paragraph.",
        "Left column, second paragraph.",
        "Right column, first paragraph.",
        "Right column, second paragraph.",
        "A closing note across the page. " + PROSE.strip(),
    ]


def test_lines_are_dehyphenated_and_whitespace_normalised() -> None:
    def page(p: Any) -> None:
        text = "Trade went inter-\nnational   as Jean-\nPaul said in a well -\nknown speech."
        textbox(p, pymupdf.Rect(72, 100, 520, 200), text, fontsize=10)

    assert texts(model(make_pdf(page))) == ["Trade went international as Jean-Paul said in a well - known speech."]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["inter-", "national"], "international"),
        (["Jean-", "Paul"], "Jean-Paul"),
        (["pre-", "2020 plans"], "pre-2020 plans"),
        (["dash -", "next"], "dash - next"),
        (["-", "lower"], "- lower"),
        ([" a \t b ", "", "  c"], "a b c"),
        (["soft\xadhyphen", "l\x19impresa"], "softhyphen l impresa"),  # a glyph read by its code separates
    ],
)
def test_join_lines(lines: list[str], joined: str) -> None:
    assert join_lines(lines) == joined


def test_running_headers_and_footers_are_dropped_but_one_offs_kept() -> None:
    def page_for(number: int) -> PageFn:
        def page(p: Any) -> None:
            p.insert_text((72, 40), "ACME Corp - Annual Report", fontsize=8)
            p.insert_text((280, 815), f"Page {number} of 4", fontsize=8)
            if number == 2:
                p.insert_text((400, 40), "Draft notice", fontsize=8)
            textbox(p, pymupdf.Rect(72, 100, 520, 200), f"Body of page {number}.", fontsize=10)

        return page

    doc = model(make_pdf(*(page_for(n) for n in range(1, 5))))
    assert sorted(texts(doc)) == sorted(["Body of page 1.", "Body of page 2.", "Draft notice",
                                          "Body of page 3.", "Body of page 4."])


def test_list_items_and_captions() -> None:
    def page(p: Any) -> None:
        textbox(p, pymupdf.Rect(72, 60, 520, 120), PROSE, fontsize=10)
        p.insert_text((72, 140), "• first point", fontsize=10)
        p.insert_text((72, 154), "• second point that", fontsize=10)
        p.insert_text((82, 168), "wraps onto a second line", fontsize=10)
        p.insert_text((72, 182), "2. an ordered step", fontsize=10)
        p.insert_text((72, 210), "Figure 3: Sales by region", fontsize=10)

    assert kinds(model(make_pdf(page)))[1:] == [
        ("list_item", 0, "first point"),
        ("list_item", 0, "second point that wraps onto a second line"),
        ("list_item", 0, "2. an ordered step"),
        ("caption", 0, "Figure 3: Sales by region"),
    ]


def test_unicode_text_survives() -> None:
    def page(p: Any) -> None:
        writer = pymupdf.TextWriter(p.rect)
        writer.append((72, 100), "Grüße, Ελληνικά, Кириллица — naïve café", font=pymupdf.Font("helv"), fontsize=11)
        writer.append((72, 130), "日本語のテキスト", font=pymupdf.Font("cjk"), fontsize=11)
        writer.write_text(p)

    assert texts(model(make_pdf(page))) == ["Grüße, Ελληνικά, Кириллица — naïve café", "日本語のテキスト"]


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_are_read_as_displayed(rotation: int) -> None:
    def page(p: Any) -> None:
        p.set_rotation(rotation)
        to_unrotated = p.derotation_matrix  # draw so that the viewer sees upright content
        p.insert_text(pymupdf.Point(72, 80) * to_unrotated, "Turned page", fontsize=16, rotate=rotation)
        p.insert_text(pymupdf.Point(72, 110) * to_unrotated, "Read as shown.", fontsize=10, rotate=rotation)
        for r, row in enumerate([["a", "b"], ["1", "2"]]):
            for c, text in enumerate(row):
                cell = pymupdf.Rect(72 + c * 80, 150 + r * 20, 152 + c * 80, 170 + r * 20)
                p.draw_rect(cell * to_unrotated, color=(0, 0, 0), width=0.5)
                p.insert_text(pymupdf.Point(cell.x0 + 3, cell.y1 - 6) * to_unrotated, text, fontsize=9,
                              rotate=rotation)

    doc = model(make_pdf(page))
    assert kinds(doc) == [("heading", 1, "Turned page"), ("text", 0, "Read as shown.")]
    assert doc["tables"] == [{"page": 1, "rows": [{"a": 1, "b": 2}]}]


# ---------------------------------------------------------------------------------------------------------------
# Tables


def test_ruled_table_has_unique_names_typed_cells_and_leaves_the_text_blocks() -> None:
    def page(p: Any) -> None:
        textbox(p, pymupdf.Rect(72, 100, 520, 200), "Before the table.", fontsize=10)
        draw_table(p, [
            ["name", "", "name", "qty", "ok", "note"],
            ["apple", "3", "1.50", "12", "true", "null"],
            ["pear", "", "1.5", "-0", "false", "05"],
        ])
        textbox(p, pymupdf.Rect(72, 600, 520, 700), "After the table.", fontsize=10)

    doc = model(make_pdf(page))
    assert texts(doc) == ["Before the table.", "After the table."]
    assert doc["tables"] == [{"page": 1, "rows": [
        {"name": "apple", "col2": 3, "name_2": "1.50", "qty": 12, "ok": True, "note": None},
        {"name": "pear", "col2": "", "name_2": 1.5, "qty": "-0", "ok": False, "note": "05"},
    ]}]


def test_merged_cells_are_null_and_empty_cells_are_empty_strings() -> None:
    def page(p: Any) -> None:
        def cell(x: int, y: int, w: int, h: int, text: str) -> None:
            rect = pymupdf.Rect(72 + x * 80, 72 + y * 20, 72 + (x + w) * 80, 72 + (y + h) * 20)
            p.draw_rect(rect, color=(0, 0, 0), width=0.5)
            if text:
                p.insert_text((rect.x0 + 3, rect.y0 + 14), text, fontsize=9)

        cell(0, 0, 1, 1, "k"), cell(1, 0, 2, 1, "merged head")
        cell(0, 1, 1, 1, "x"), cell(1, 1, 1, 1, "1"), cell(2, 1, 1, 1, "")
        cell(0, 2, 1, 2, "tall"), cell(1, 2, 1, 1, "2"), cell(2, 2, 1, 1, "3")
        cell(1, 3, 1, 1, "4"), cell(2, 3, 1, 1, "5")

    # The header's third cell is covered by "merged head" (no name: col3); "tall" covers the last row's first.
    assert model(make_pdf(page))["tables"][0]["rows"] == [
        {"k": "x", "merged head": 1, "col3": ""},
        {"k": "tall", "merged head": 2, "col3": 3},
        {"k": None, "merged head": 4, "col3": 5},
    ]


def test_a_framed_paragraph_is_text_not_a_table() -> None:
    def page(p: Any) -> None:
        p.draw_rect(pymupdf.Rect(70, 95, 525, 205), color=(0, 0, 0), width=0.5)
        textbox(p, pymupdf.Rect(72, 100, 520, 200), "Boxed note.", fontsize=10)

    doc = model(make_pdf(page))
    assert texts(doc) == ["Boxed note."] and "tables" not in doc


cell_texts = st.one_of(
    st.text(max_size=25),
    st.from_regex(r"-?[0-9]{1,18}(\.[0-9]{1,18})?", fullmatch=True),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["true", "false", "null", "True", "-0", "05", "1e3", "1.0", "0.10", ".5"]),
)


@given(cell_texts)
@settings(max_examples=examples(300), deadline=None)
def test_typed_cells_encode_back_to_their_exact_text(text: str) -> None:
    value = typed_cell(text)
    if isinstance(value, str):
        assert value == text
    else:  # the TOON token of a typed cell is the cell's text: nothing is lost by typing it
        assert encode({"c": value}) == f"c: {text}"


@given(st.lists(st.none() | st.sampled_from(["", "a", "col2", "a_2", "name"]) | st.text(max_size=4), max_size=8))
@settings(max_examples=examples(200), deadline=None)
def test_field_names_are_unique_and_non_empty(header: list[str | None]) -> None:
    names = field_names(header)
    assert len(names) == len(header) and len(set(names)) == len(names) and all(names)
    assert all(name.startswith(cell or f"col{i}") for i, (name, cell) in enumerate(zip(names, header, strict=True), 1))


# ---------------------------------------------------------------------------------------------------------------
# Source, outline, pages without text


def test_metadata_becomes_source_and_empty_fields_are_left_out() -> None:
    data = make_pdf(lambda p: p.insert_text((72, 100), "x", fontsize=10), metadata={
        "title": "Quarterly   Report", "author": "Ada Lovelace", "subject": "",
        "creationDate": "D:20240102030405+01'00'",
    })
    assert model(data)["source"] == {"title": "Quarterly Report", "author": "Ada Lovelace",
                                     "created": "2024-01-02T03:04:05+01:00", "pages": 1, "pdf_version": "1.7"}


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("D:2024", "2024"),
        ("D:20240102", "2024-01-02"),
        ("D:202401021530Z", "2024-01-02T15:30:00Z"),
        ("D:20240102153000-05'30'", "2024-01-02T15:30:00-05:30"),
        ("last Tuesday", "last Tuesday"),
    ],
)
def test_pdf_date(raw: str, iso: str) -> None:
    assert pdf_date(raw) == iso


def test_outline_becomes_toc_and_no_outline_no_toc() -> None:
    pages = [lambda p, n=n: p.insert_text((72, 100), f"Page {n}", fontsize=10) for n in range(3)]
    toc = [[1, "Intro", 1], [2, "Scope", 2], [1, "Results", 3]]
    assert model(make_pdf(*pages, toc=toc))["toc"] == [
        {"level": 1, "title": "Intro", "page": 1},
        {"level": 2, "title": "Scope", "page": 2},
        {"level": 1, "title": "Results", "page": 3},
    ]
    assert "toc" not in model(make_pdf(*pages))


def image_page(p: Any) -> None:
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 32, 32), 0)
    pixmap.clear_with(128)
    p.insert_image(pymupdf.Rect(72, 72, 300, 300), pixmap=pixmap)


def text_page(p: Any) -> None:
    p.insert_text((72, 100), "Has a text layer.", fontsize=10)


def test_image_only_pages_are_listed_as_ocr_needed_blank_pages_are_not() -> None:
    doc = model(make_pdf(text_page, image_page, lambda p: None))
    assert doc["ocr_needed"] == [2] and texts(doc) == ["Has a text layer."]
    assert render_markdown(doc).endswith("> Pages without a text layer (OCR needed): 2\n")


@pytest.mark.skipif(shutil.which("tesseract") is not None, reason="Tesseract is installed here")
def test_ocr_option_without_tesseract_still_reports_the_page() -> None:
    assert model(make_pdf(text_page, image_page), pdf_ocr=True)["ocr_needed"] == [2]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
def test_ocr_option_with_tesseract_reads_image_pages() -> None:
    scan = pymupdf.open()
    scan.new_page().insert_text((72, 100), "Scanned words", fontsize=28)
    pixmap = scan[0].get_pixmap(dpi=150)

    def scanned(p: Any) -> None:
        p.insert_image(p.rect, pixmap=pixmap)

    doc = model(make_pdf(scanned), pdf_ocr=True)
    assert "ocr_needed" not in doc and "Scanned words" in " ".join(texts(doc))


# ---------------------------------------------------------------------------------------------------------------
# TOON and Markdown output


def sample_pdf() -> bytes:
    def page(p: Any) -> None:
        p.insert_text((72, 80), "Overview", fontsize=18)
        textbox(p, pymupdf.Rect(72, 100, 520, 200), PROSE + "Costs: 5 * 3 = 15 [est.]", fontsize=10)
        p.insert_text((72, 220), "• check the figures", fontsize=10)
        p.insert_text((72, 234), "• sign the form", fontsize=10)
        draw_table(p, [["item", "price"], ["a|b", "1.5"], ["c", ""]], y0=300)

    return make_pdf(page, metadata={"title": "Sample"}, toc=[[1, "Overview", 1]])


def test_toon_output_decodes_to_the_model_by_page_and_keeps_tables_tabular() -> None:
    data = sample_pdf()
    text = get("pdf", "toon").convert(data, Options())
    assert isinstance(get("pdf", "toon"), PdfToToon)
    assert decode(text) == toon_model(model(data)) == toon_format.decode(text)
    assert decode(text)["pages"][0]["text"] == [
        "# Overview", PROSE + "Costs: 5 * 3 = 15 [est.]", "- check the figures", "- sign the form"]
    # Each table is an object in a list, so its rows keep the tabular form (§9.3, §10).
    assert "    tables[1]:\n      - rows[2]{item,price}:\n" in text


def test_same_bytes_give_the_same_output_byte_for_byte() -> None:
    data = sample_pdf()
    assert PdfToToon().convert(data, Options(), "a.pdf") == PdfToToon().convert(data, Options(), "b.pdf")
    assert PdfToMarkdown().convert(data, Options()) == PdfToMarkdown().convert(data, Options())


def inline_text(token: Any) -> str:
    """The literal text of an inline token; fails on anything but plain text (and emphasis markers)."""
    assert {child.type for child in token.children} <= {"text", "em_open", "em_close"}, token.children
    return "".join(child.content for child in token.children if child.type == "text")


def test_markdown_has_headings_paragraphs_lists_and_a_gfm_table() -> None:
    markdown = get("pdf", "md").convert(sample_pdf(), Options())
    tokens = parser().parse(markdown)
    blocks = [(t.type, t.tag) for t in tokens if t.type.endswith("_open") and t.level == 0]
    assert blocks == [("heading_open", "h1"), ("paragraph_open", "p"), ("bullet_list_open", "ul"),
                      ("table_open", "table")]
    inline = [inline_text(t) for t in tokens if t.type == "inline"]
    assert inline == ["Overview", PROSE + "Costs: 5 * 3 = 15 [est.]", "check the figures", "sign the form",
                      "item", "price", "a|b", "1.5", "c", ""]


@given(st.sampled_from(["heading", "text", "list_item", "caption"]), st.integers(1, 6), st.text(min_size=1))
@settings(max_examples=examples(300), deadline=None)
def test_markdown_blocks_read_back_literally(kind: str, level: int, raw: str) -> None:
    text = clean(raw)
    assume(text)
    markdown = render_markdown({"blocks": [{"page": 1, "kind": kind, "level": level, "text": text}]})
    tokens = parser().parse(markdown)
    inline = [t for t in tokens if t.type == "inline"]
    assert len(inline) == 1
    shown = inline_text(inline[0])
    if kind == "list_item" and tokens[0].type == "ordered_list_open":
        shown = f"{tokens[1].info}{tokens[1].markup} {shown}"
    assert shown == text
    expected_open = {"heading": f"h{level}", "text": "p", "list_item": "li", "caption": "p"}[kind]
    assert expected_open in {t.tag for t in tokens if t.nesting == 1}


@given(st.lists(st.text(max_size=6).map(clean), min_size=1, max_size=4))
@settings(max_examples=examples(100), deadline=None)
def test_markdown_table_cells_read_back_literally(cells: list[str]) -> None:
    row = dict(zip(field_names(cells), cells, strict=True))
    markdown = render_markdown({"blocks": [], "tables": [{"page": 1, "rows": [row]}]})
    shown = [inline_text(t) for t in parser().parse(markdown) if t.type == "inline"]
    assert shown == list(row) + cells


# ---------------------------------------------------------------------------------------------------------------
# Bad input


def encrypted(**passwords: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "secret text", fontsize=10)
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, **passwords)


def assert_conversion_error(data: bytes, message: str) -> None:
    with pytest.raises(ConversionError, match=message) as caught:
        PdfToToon().convert(data, Options())
    assert (caught.value.line, caught.value.column) == (0, 0)


def test_user_password_is_required() -> None:
    assert_conversion_error(encrypted(user_pw="u", owner_pw="o"), "^encrypted, password required$")


def test_owner_password_only_opens_with_the_empty_user_password() -> None:
    assert texts(model(encrypted(owner_pw="o", permissions=0))) == ["secret text"]


def test_truncated_file_is_a_located_error_or_a_repaired_read() -> None:
    pages = [lambda p, n=n: textbox(p, pymupdf.Rect(72, 100, 520, 300), f"{n} " * 200) for n in range(3)]
    data = make_pdf(*pages)
    # Losing the cross-reference table only: MuPDF rebuilds it by scanning, and nothing is lost.
    assert model(data[: len(data) - 30]) == model(data)
    # Losing page content: the page that cannot be read is named.
    assert_conversion_error(data[: len(data) // 2], r"^damaged PDF: page \d+ cannot be read \(.+\)$")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "^empty file, not a PDF$"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "^not a PDF, but another kind of file$"),
        (b"just some text named .pdf\n", "^not a PDF, or damaged beyond repair"),
    ],
)
def test_non_pdf_input(data: bytes, message: str) -> None:
    assert_conversion_error(data, message)


def test_zero_page_pdf() -> None:
    with pytest.raises(ValueError, match="zero pages"):
        pymupdf.open().tobytes()  # PyMuPDF refuses to write one, so build it by hand
    zero = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    assert_conversion_error(zero, "^PDF has no pages$")


def test_bad_file_on_disk_writes_nothing(tmp_path: Any) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"not a pdf")
    with pytest.raises(ConversionError):
        convert_path(str(path), Options(), jobs=2)
    assert [p.name for p in tmp_path.iterdir()] == ["broken.pdf"]


def test_missing_pymupdf_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymupdf", None)  # what `import pymupdf` meets when it is not installed
    with pytest.raises(MissingDependencyError, match=r"pip install 'toon-hooks\[pdf\]'"):
        PdfToToon().convert(b"%PDF-1.7", Options())


# ---------------------------------------------------------------------------------------------------------------
# Page ranges, parallel workers, scale


def varied_page(number: int) -> PageFn:
    """Pages whose heading sizes and running lines only make sense document-wide."""

    def page(p: Any) -> None:
        p.insert_text((72, 40), "Running header", fontsize=8)
        p.insert_text((280, 815), f"- {number} -", fontsize=8)
        p.insert_text((72, 80), f"Part {number}", fontsize=24 if number == 1 else 14 + number % 3)
        textbox(p, pymupdf.Rect(72, 100, 520, 200), PROSE, fontsize=10)
        if number % 2:
            draw_table(p, [["k", "v"], [f"row{number}", str(number)]], y0=300)

    return page


def test_parallel_workers_give_the_single_worker_output(tmp_path: Any) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(make_pdf(*(varied_page(n) for n in range(1, 19)), toc=[[1, "Part 1", 1]]))
    for target in ("toon", "md"):
        assert convert_path(str(path), Options(), 2, target) == convert_path(str(path), Options(), 1, target)


@given(st.lists(st.integers(1, 5), max_size=4, unique=True).map(sorted))
@settings(max_examples=examples(25), deadline=None)
def test_any_split_into_ranges_reads_the_same_pages(cuts: list[int]) -> None:
    data = six_varied_pages()
    bounds = [0, *cuts, 6]
    split = [rec for start, stop in itertools.pairwise(bounds) for rec in extract_range(data, start, stop, Options())]
    assert split == extract_range(data, 0, 6, Options())


@functools.cache
def six_varied_pages() -> bytes:
    return make_pdf(*(varied_page(n) for n in range(1, 7)))


@given(st.integers(0, 500), st.integers(1, 40))
@settings(max_examples=examples(200), deadline=None)
def test_page_ranges_cover_every_page_once(count: int, parts: int) -> None:
    ranges = page_ranges(count, parts)
    assert [n for start, stop in ranges for n in range(start, stop)] == list(range(count))
    assert len(ranges) <= max(1, min(parts, count))


def ten_thousand_pages() -> bytes:
    """10,000 tiny pages, made by doubling a one-page file (per-page drawing would take most of the budget)."""
    doc = pymupdf.open()
    doc.new_page(width=200, height=100).insert_text((10, 50), "Tiny page", fontsize=10)
    while doc.page_count < 10_000:
        copy = pymupdf.open(stream=doc.tobytes(), filetype="pdf")
        doc.insert_pdf(copy, to_page=min(copy.page_count, 10_000 - doc.page_count) - 1)
    return doc.tobytes()


@pytest.mark.slow
def test_ten_thousand_pages_are_streamed() -> None:
    data = ten_thousand_pages()
    tracemalloc.start()
    try:
        doc = model(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc["source"]["pages"] == 10_000
    assert [b["page"] for b in doc["blocks"]] == list(range(1, 10_001))
    # A page's record (one short text unit) is a few hundred bytes; keeping every pymupdf.Page or its
    # text dictionary alive as well costs more than 1 KB per page on the Python heap alone.
    assert peak < 10_000 * 1024
    assert decode(render(doc, "toon", Options())) == toon_model(doc)


# ---------------------------------------------------------------------------------------------------------------
# Pure layout pieces


def test_reading_order_keeps_narrow_side_by_side_fields_in_rows() -> None:
    # A form: labels and values side by side are rows, not two columns (each side narrower than min_column).
    boxes = [(72, 100, 130, 112), (150, 100, 300, 112), (72, 120, 130, 132), (150, 120, 300, 132)]
    assert reading_order(boxes, min_column=595 * 0.3) == [0, 1, 2, 3]
    assert reading_order(boxes, min_column=50) == [0, 2, 1, 3]


boxes_strategy = st.lists(
    st.tuples(st.floats(0, 500), st.floats(0, 800), st.floats(1, 200), st.floats(1, 100)).map(
        lambda b: (b[0], b[1], b[0] + b[2], b[1] + b[3])
    ),
    max_size=30,
)


@given(boxes_strategy, st.floats(0, 300))
@settings(max_examples=examples(300), deadline=None)
def test_reading_order_is_a_permutation(boxes: list[tuple[float, float, float, float]], min_column: float) -> None:
    assert sorted(reading_order(boxes, min_column)) == list(range(len(boxes)))
