"""The one Markdown layout every writer uses: tables, fences, front matter, joined blocks, whole documents."""
from __future__ import annotations

import ast
from pathlib import Path

from toon_hooks.formats import markdown
from toon_hooks.formats.checkpoint import data_to_markdown as checkpoint_markdown
from toon_hooks.formats.markdown.layout import (
    code_lines,
    code_text,
    document_text,
    fence_lines,
    front_matter_lines,
    join_blocks,
    table_lines,
)
from toon_hooks.formats.markdown.write import data_to_markdown
from toon_hooks.formats.pdf.markdown import render_markdown


def test_a_table_keeps_its_alignment_in_a_delimiter_row_as_wide_as_the_header() -> None:
    assert table_lines(["Metric", "V", "c"], [["a", "1", "x"]], ["", "right", "center"]) == [
        "| Metric | V | c |", "|--------|--:|:-:|", "| a | 1 | x |"]
    assert table_lines(["a", "b"], [["1", "2"]]) == ["| a | b |", "| --- | --- |", "| 1 | 2 |"]


def test_code_lines_and_code_text_are_inverse_even_for_blank_lines() -> None:
    for lines in ([], [""], ["", ""], ["a"], ["a", ""], ["", "a", ""]):
        assert code_lines(code_text(lines)) == lines
    assert fence_lines("py", "a ``` b") == ["````py", "a ``` b", "````"]


def test_blocks_join_into_a_document_the_end_of_file_hook_keeps() -> None:
    assert document_text(join_blocks([front_matter_lines(["a: 1"]), None, [], ["# T"]])) == "---\na: 1\n---\n\n# T\n"
    assert document_text([]) == ""


def test_every_writer_lays_out_tables_the_same_way() -> None:
    rows = [{"item": "a", "price": 1}]
    expected = "| item | price |\n| --- | --- |\n| a | 1 |\n"
    assert data_to_markdown(rows) == expected
    assert render_markdown({"blocks": [], "tables": [{"page": 1, "rows": rows}]}) == expected


def test_an_empty_checkpoint_is_an_empty_document() -> None:
    """Not a lone newline, which the end-of-file hook would remove."""
    assert checkpoint_markdown({"checkpoint": {"title": None}}) == ""


def test_the_markdown_modules_import_each_other_without_a_cycle() -> None:
    """slots and read imported each other (inside functions); the reader is now passed to the probes."""
    package = Path(markdown.__file__).parent
    imports = {
        path.stem: {node.module for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.ImportFrom)
                    and node.level == 1 and node.module}
        for path in package.glob("*.py")
    }
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        if module not in done:
            for imported in imports.get(module, ()):
                visit(imported, (*path, module))
            done.add(module)

    for module in imports:
        visit(module, ())
