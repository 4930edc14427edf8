"""The registered Markdown <-> TOON converters: registry lookup, options, data-like documents, errors.

Which reading a document gets is tested in test_markdown_readings.py."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import toon_hooks
from toon_hooks.errors import ConversionError, ToonDecodeError
from toon_hooks.formats import registry
from toon_hooks.formats.json_fmt import toon_document
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.options import Options

DATA = Path(__file__).parent / "data" / "markdown"


def md_to_toon(markdown: str, options: Options = Options(), path: str = "doc.md") -> str:
    return registry.get("md", "toon").convert(markdown.encode(), options, path)


def toon_to_md(toon: str, options: Options = Options(), path: str = "doc.toon") -> str:
    return registry.get("toon", "md").convert(toon.encode(), options, path)


def test_registry_finds_both_converters() -> None:
    forward, backward = registry.get("md", "toon"), registry.get("toon", "md")
    assert (forward.name, backward.name) == ("md-to-toon", "toon-to-md")
    assert forward.version and backward.version


def test_nested_task_list_is_one_tabular_array_in_the_general_mapping() -> None:
    toon = toon_document(markdown_to_data("# Plan\n\n- [x] a\n  - [ ] b\n- [ ] c\n"), Options())
    assert toon == "Plan[3]{depth,done,text}:\n  0,true,a\n  1,false,b\n  0,false,c\n"


def test_toon_file_ends_with_one_newline_and_empty_markdown_stays_empty() -> None:
    assert md_to_toon("# A\n\nx\n").endswith("x\n")
    assert md_to_toon("") == ""
    assert toon_to_md("") == ""


def test_auto_delimiter_avoids_quotes() -> None:
    """Cells full of commas need quotes with the comma delimiter, none with tab or pipe."""
    markdown = "| a | b |\n|---|---|\n| x, y | 1, 2 |\n| p, q | 3, 4 |\n"
    assert '"' in md_to_toon(markdown)
    auto = md_to_toon(markdown, Options(delimiter="auto"))
    assert '"' not in auto
    assert toon_hooks.decode(auto) == markdown_to_data(markdown)


def test_indent_option_is_used_both_ways() -> None:
    toon = md_to_toon("# A\n\n## B\n\nx\n", Options(indent=4))
    assert toon == "A:\n    B: x\n"
    assert toon_to_md(toon, Options(indent=4)) == "# A\n\n## B\n\nx\n"


def test_front_matter_opt_in_flag_is_ordinary_data() -> None:
    toon = md_to_toon("---\ntoon: true\n---\n\n# Notes\n\nhello\n")
    assert toon_hooks.decode(toon) == {"front_matter": {"toon": True}, "Notes": "hello"}
    assert toon_to_md(toon) == "---\ntoon: true\n---\n\n# Notes\n\nhello\n"


def test_invalid_utf8_is_a_located_error() -> None:
    with pytest.raises(ConversionError) as info:
        registry.get("md", "toon").convert(b"# ok\n\nbad \xff byte\n", Options(), "doc.md")
    assert (info.value.line, info.value.column) == (3, 5)


def test_invalid_toon_is_a_located_error() -> None:
    with pytest.raises(ToonDecodeError) as info:
        toon_to_md("a: 1\nb[2]: 1\n")
    assert info.value.line == 2


def test_importing_the_converters_loads_no_parser() -> None:
    """markdown-it and PyYAML load when a document is converted, not when the registry imports the module."""
    code = ("import sys, toon_hooks.formats.markdown.converters; "
            "print('markdown_it' in sys.modules, 'yaml' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
