"""YAML front matter: what the loader accepts, what the dumper writes, and the bounds on what a document may cost."""
from __future__ import annotations

import pytest

from toon_hooks.errors import ConversionError
from toon_hooks.formats.markdown.front import dump_front_matter, load_front_matter
from toon_hooks.formats.markdown.lines import read_lines, write_lines
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.formats.markdown.read import markdown_to_data


def test_a_scalar_is_dumped_without_the_document_end_marker() -> None:
    """`...` would close the front matter early, leaving the real closing `---` as a thematic break."""
    assert dump_front_matter("Release notes") == ["Release notes"]
    assert load_front_matter("\n".join(dump_front_matter("Release notes"))) == "Release notes"
    markdown = "---\nRelease notes\n---\n\ntext\n"
    assert parser().render(write_lines(read_lines(markdown))) == parser().render(markdown)


def alias_bomb(levels: int) -> str:
    """Each level holds nine aliases of the one before: 9**levels nodes once expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, levels)]
    return "\n".join([*lines, "toon: true"])


def test_an_alias_bomb_is_a_located_error_before_it_expands() -> None:
    with pytest.raises(ConversionError) as info:
        markdown_to_data("---\n" + alias_bomb(9) + "\n---\n\n# Doc\n")
    # a0..a3 add 8,289 nodes; the first *a3 of a4 (7,381 more) passes the 10,000 node budget
    assert (info.value.line, info.value.column) == (6, 10)
    assert info.value.source_line.startswith("a4: &a4 [*a3")
    assert "alias" in info.value.msg


def test_aliases_within_the_budget_expand() -> None:
    assert load_front_matter("base: &b {k: v}\nuse: *b\n", alias_budget=3) == {"base": {"k": "v"}, "use": {"k": "v"}}
    with pytest.raises(ConversionError) as info:
        load_front_matter("base: &b {k: v}\nuse: *b\n", alias_budget=2)
    assert (info.value.line, info.value.column) == (3, 6)


def test_a_recursive_alias_is_a_located_error() -> None:
    with pytest.raises(ConversionError) as info:
        load_front_matter("title: T\nloop: &l [x, *l]\n")
    assert (info.value.line, info.value.column) == (3, 14)


def test_front_matter_nested_beyond_the_parser_is_a_located_error() -> None:
    with pytest.raises(ConversionError) as info:
        load_front_matter("deep: " + "[" * 2000 + "]" * 2000 + "\n")
    assert info.value.line == 2
