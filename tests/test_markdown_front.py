"""YAML front matter: what the loader accepts, what the dumper writes, and the bounds on what a document may cost."""
from __future__ import annotations

from toon_hooks.formats.markdown.front import dump_front_matter, load_front_matter
from toon_hooks.formats.markdown.lines import read_lines, write_lines
from toon_hooks.formats.markdown.parser import parser


def test_a_scalar_is_dumped_without_the_document_end_marker() -> None:
    """`...` would close the front matter early, leaving the real closing `---` as a thematic break."""
    assert dump_front_matter("Release notes") == ["Release notes"]
    assert load_front_matter("\n".join(dump_front_matter("Release notes"))) == "Release notes"
    markdown = "---\nRelease notes\n---\n\ntext\n"
    assert parser().render(write_lines(read_lines(markdown))) == parser().render(markdown)
