"""PDF → TOON and PDF → Markdown converters (PyMuPDF), reading page ranges in-process or in parallel workers.

PyMuPDF is AGPL and optional (`toon-hooks[pdf]`): it is imported only inside the functions that read a PDF.
"""
from __future__ import annotations

import itertools
import logging
import re
from types import ModuleType
from typing import Any

from ...errors import ConversionError, MissingDependencyError
from ...options import Options
from ..registry import Converter, register
from .layout import PageRecord, clean
from .markdown import render_markdown
from .model import build_document, toon_model
from .page import page_record

SMALL_PDF_PAGES = 16
"""Below this many pages a worker pool costs more than it saves."""

_PDF_DATE = re.compile(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(?:([Zz])|([+-])(\d\d)'?(\d\d)?'?)?")


def load_pymupdf() -> ModuleType:
    """Import PyMuPDF, quieten it (it prints to stdout/stderr otherwise), or say how to install it."""
    try:
        import pymupdf as module
    except ImportError:
        raise MissingDependencyError("PDF support needs PyMuPDF: pip install 'toon-hooks[pdf]'") from None
    pymupdf: Any = module  # PyMuPDF has no type hints
    pymupdf.no_recommend_layout()
    pymupdf.set_messages(pylogging=True, pylogging_level=logging.DEBUG)
    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    return module


def open_pdf(source: bytes | str) -> Any:
    """Open a PDF from bytes or a path; raise ConversionError when it cannot be read as one."""
    pymupdf = load_pymupdf()
    try:
        if isinstance(source, str):
            doc = pymupdf.open(source, filetype="pdf")
        else:
            doc = pymupdf.open(stream=source, filetype="pdf")
    except pymupdf.EmptyFileError:
        raise ConversionError("empty file, not a PDF") from None
    except RuntimeError as exc:  # FileDataError, FileNotFoundError, MuPDF errors
        raise ConversionError(f"not a PDF, or damaged beyond repair ({exc})") from None
    if not doc.is_pdf:  # MuPDF sniffs the content: an image named .pdf opens as an image document
        doc.close()
        raise ConversionError("not a PDF, but another kind of file")
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise ConversionError("encrypted, password required")
    if doc.page_count == 0:
        doc.close()
        raise ConversionError("PDF has no pages")
    return doc


def extract_range(source: bytes | str, start: int, stop: int, options: Options) -> list[PageRecord]:
    """Read pages [start, stop) of a PDF given as bytes or as a path (a worker opens the file itself)."""
    with open_pdf(source) as doc:
        return _read_pages(doc, start, stop, options)


def _read_pages(doc: Any, start: int, stop: int, options: Options) -> list[PageRecord]:
    """Read pages one at a time: only the current page's objects are alive (streams 10,000-page files)."""
    pymupdf = load_pymupdf()
    return [_read_page(pymupdf, doc, number, options) for number in range(start, stop)]


def _read_page(pymupdf: ModuleType, doc: Any, number: int, options: Options) -> PageRecord:
    """Read one page; in a file MuPDF had to repair, any complaint while reading it means lost content."""
    pymupdf.TOOLS.mupdf_warnings(reset=True)
    try:
        record = page_record(doc.load_page(number), options)
    except (RuntimeError, pymupdf.mupdf.FzErrorBase) as exc:
        raise _damaged(number, str(exc)) from None
    complaints = pymupdf.TOOLS.mupdf_warnings(reset=True)
    if doc.is_repaired and complaints:
        raise _damaged(number, complaints)
    return record


def _damaged(number: int, detail: str) -> ConversionError:
    return ConversionError(f"damaged PDF: page {number + 1} cannot be read ({detail.splitlines()[0]})")


def page_ranges(page_count: int, parts: int) -> list[tuple[int, int]]:
    """Split [0, page_count) into at most `parts` contiguous ranges of near-equal size."""
    parts = max(1, min(parts, page_count))
    bounds = [page_count * i // parts for i in range(parts + 1)]
    return list(itertools.pairwise(bounds))


def extract_document(source: bytes | str, options: Options, jobs: int = 1) -> dict[str, Any]:
    """Return the document model of a PDF; big files given by path are read by `jobs` worker processes."""
    with open_pdf(source) as doc:
        info, toc, count = document_source(doc), document_toc(doc), doc.page_count
        if jobs <= 1 or count < SMALL_PDF_PAGES:
            return build_document(info, toc, _read_pages(doc, 0, count, options))
    from joblib import Parallel, delayed  # type: ignore[import-untyped]

    ranges = page_ranges(count, 2 * jobs)
    chunks = Parallel(n_jobs=jobs, backend="loky")(
        delayed(extract_range)(source, start, stop, options) for start, stop in ranges
    )
    return build_document(info, toc, [record for chunk in chunks for record in chunk])


def document_source(doc: Any) -> dict[str, Any]:
    """Return title, author, subject, created, pages and pdf_version; empty metadata fields are left out."""
    meta = doc.metadata or {}
    fields = {
        "title": clean(meta.get("title") or ""),
        "author": clean(meta.get("author") or ""),
        "subject": clean(meta.get("subject") or ""),
        "created": pdf_date(meta.get("creationDate") or ""),
    }
    source: dict[str, Any] = {key: value for key, value in fields.items() if value}
    source["pages"] = doc.page_count
    version = (meta.get("format") or "").removeprefix("PDF").strip()
    if version:
        source["pdf_version"] = version
    return source


def pdf_date(value: str) -> str:
    """Turn a PDF date ("D:20240102030405+01'00'") into ISO 8601; keep anything unparsable as written."""
    found = _PDF_DATE.fullmatch(value.strip())
    if not found:
        return clean(value)
    year, month, day, hour, minute, second, utc, sign, off_h, off_m = found.groups()
    text = "-".join(part for part in (year, month, day) if part)
    if hour:
        text += f"T{hour}:{minute or '00'}:{second or '00'}"
        if utc:
            text += "Z"
        elif sign:
            text += f"{sign}{off_h}:{off_m or '00'}"
    return text


def document_toc(doc: Any) -> list[dict[str, Any]]:
    """Return the outline as {level, title, page} rows (page null when the entry points nowhere)."""
    return [
        {"level": level, "title": clean(title), "page": page if page > 0 else None}
        for level, title, page, *_ in doc.get_toc(simple=True)
    ]


def render(doc: dict[str, Any], target: str, options: Options) -> str:
    """Render the document model as TOON ("toon") or Markdown ("md")."""
    if target == "md":
        return render_markdown(doc)
    from ..json_fmt import toon_document

    return toon_document(toon_model(doc), options)


def convert_path(path: str, options: Options, jobs: int, target: str = "toon") -> str:
    """Convert the PDF at `path`, reading big files with `jobs` workers; output equals the 1-worker run."""
    return render(extract_document(path, options, jobs), target, options)


class _PdfConverter(Converter):
    """Both PDF converters: extract the document model in-process, then render it as the target format."""

    source = "pdf"
    version = "2"

    def convert(self, data: bytes, options: Options, path: str = "<stdin>") -> str:
        return render(extract_document(data, options), self.target, options)


@register
class PdfToToon(_PdfConverter):
    """PDF → TOON: source, toc, pages (text, tables, running lines), ocr_needed, tables_skipped."""

    name = "pdf-to-toon"
    target = "toon"


@register
class PdfToMarkdown(_PdfConverter):
    """PDF → Markdown: headings by level, paragraphs, list items, GFM tables."""

    name = "pdf-to-md"
    target = "md"
