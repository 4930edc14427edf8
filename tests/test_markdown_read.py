"""Markdown → data: every construct of the mapping table, located errors, front matter typing."""
from __future__ import annotations

from typing import Any

import pytest

from toon_hooks.errors import ConversionError
from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.scalar import same

CASES: list[tuple[str, str, Any]] = [
    ("empty document", "", {}),
    ("one paragraph", "hello *world*", "hello *world*"),
    ("typed paragraph", "42", 42),
    ("quoted string", '`"42"`', "42"),
    ("code span kept when quoting is not needed", '`"abc"`', '`"abc"`'),
    ("non-canonical number stays text", "1.50", "1.50"),
    ("two paragraphs are one prose string", "one\n\ntwo", "one\n\ntwo"),
    ("soft break kept", "one\ntwo", "one\ntwo"),
    ("hard break with spaces becomes a backslash", "one  \ntwo", "one\\\ntwo"),
    ("thematic break", "a\n\n***\n\nb", "a\n\n---\n\nb"),
    ("headings nest", "# A\n\nx\n\n## B\n\ny", {"A": {"_body": "x", "B": "y"}}),
    ("setext heading", "A\n===\n\nx", {"A": "x"}),
    ("empty section", "# A\n\n# B\n\nb", {"A": {}, "B": "b"}),
    ("duplicate headings", "# A\n\n1\n\n# A\n\n2\n\n# A", {"A": 1, "A #2": 2, "A #3": {}}),
    ("text before the first heading", "intro\n\n# A\n\nx", {"_body": "intro", "A": "x"}),
    ("heading levels are relative", "### A\n\n##### B\n\nx\n\n# C", {"A": {"B": "x"}, "C": {}}),
    ("heading text is a key, never typed", "# 42\n\nx", {"42": "x"}),
    ("bullet list", "- a\n- 2\n- `\"3\"`\n-", ["a", 2, "3", ""]),
    ("ordered list", "1. a\n2. b", {"ordered": ["a", "b"]}),
    ("ordered list start", "3) a\n4) b", {"ordered": ["a", "b"], "start": 3}),
    ("ordered task item", "1. [x] a\n2. b", {"ordered": [{"done": True, "text": "a"}, "b"]}),
    ("flat task list", "- [x] a\n- b", [{"done": True, "text": "a"}, {"done": None, "text": "b"}]),
    (
        "nested task list is one table with a depth column",
        "- [x] a\n  - [ ] b\n    - c\n- [ ] d",
        [
            {"depth": 0, "done": True, "text": "a"},
            {"depth": 1, "done": False, "text": "b"},
            {"depth": 2, "done": None, "text": "c"},
            {"depth": 0, "done": False, "text": "d"},
        ],
    ),
    ("task list among other blocks", "Todo:\n\n- [ ] a", ["Todo:", {"tasks": [{"done": False, "text": "a"}]}]),
    ("nested list", "- a\n  * b\n- c",
     [{"depth": 0, "text": "a"}, {"depth": 1, "text": "b"}, {"depth": 0, "text": "c"}]),
    ("list item with several blocks", "- a\n\n  ```\n  x\n  ```", [{"depth": 0, "text": ["a", {"code": "x"}]}]),
    (
        "table with typed cells",
        "| k | v |\n|:--|--:|\n| a \\| b | 1 |\n| `true` | true |\n|  | 05 |",
        [{"k": "a | b", "v": 1}, {"k": "`true`", "v": True}, {"k": "", "v": "05"}],
    ),
    ("duplicate header cells", "| a | a |\n|---|---|\n| 1 | 2 |", [{"a": 1, "a #2": 2}]),
    ("table without body rows", "| a | b |\n|---|---|", {"columns": ["a", "b"]}),
    ("table among other blocks", "x\n\n| a |\n|---|\n| 1 |", ["x", {"table": [{"a": 1}]}]),
    ("paragraph then list", "Intro:\n\n- a\n- b", ["Intro:", ["a", "b"]]),
    ("fence with language", "```python\nx = 1\n```", {"lang": "python", "code": "x = 1"}),
    ("fence keeps inner blank lines", "~~~\na\n\nb\n\n~~~", {"code": "a\n\nb\n"}),
    ("indented code", "    a\n      b", {"code": "a\n  b"}),
    ("code loses trailing whitespace", "```\na  \n```", {"code": "a"}),
    ("toon fence decodes", "```toon\nitems[2]: 1,x\n```", {"items": [1, "x"]}),
    ("block quote", "> a\n>\n> - b", {"quote": ["a", ["b"]]}),
    ("heading inside a quote is prose", "> Title\n> ---\n> text", {"quote": "## Title\n\ntext"}),
    ("alert", "> [!warning]\n> Careful.", {"alert": "WARNING", "text": "Careful."}),
    ("html block", "<details>\n<summary>More</summary>\n</details>",
     {"html": "<details>\n<summary>More</summary>\n</details>"}),
    (
        "link reference definitions",
        "See [docs][d].\n\n[D]: https://example.org/docs 'The docs'",
        {"_body": "See [docs][d].",
         "link_references": [{"label": "D", "href": "https://example.org/docs", "title": "The docs"}]},
    ),
    ("front matter", "---\ntitle: T\ntoon: true\n---\n\nx",
     {"front_matter": {"title": "T", "toon": True}, "_body": "x"}),
    ("empty front matter", "---\n---\n# A", {"front_matter": None, "A": {}}),
]


@pytest.mark.parametrize(("markdown", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_construct_maps_to_data(markdown: str, expected: Any) -> None:
    assert same(markdown_to_data(markdown), expected)


def test_front_matter_keeps_dates_and_times_as_written() -> None:
    text = "---\nday: 2026-03-02\nstamp: 2026-03-02T14:05:33Z\nat: 14:30\nlong: 1:30:00\nn: 12\n---\n"
    assert same(
        markdown_to_data(text)["front_matter"],
        {"day": "2026-03-02", "stamp": "2026-03-02T14:05:33Z", "at": "14:30", "long": "1:30:00", "n": 12},
    )


def test_front_matter_yaml_11_booleans_are_booleans_unless_quoted() -> None:
    """The documented pitfall: `no`/`on` are booleans in YAML 1.1; quoting keeps the text."""
    front = markdown_to_data('---\ncountry: no\nlight: on\nquoted: "no"\n---\n')["front_matter"]
    assert same(front, {"country": False, "light": True, "quoted": "no"})


def test_front_matter_values_json_cannot_hold_are_normalised() -> None:
    front = markdown_to_data("---\n2: a\ntrue: b\nnull: c\nbig: .inf\n---\n")["front_matter"]
    assert same(front, {"2": "a", "true": "b", "null": "c", "big": None})


def test_bad_front_matter_is_a_located_error() -> None:
    with pytest.raises(ConversionError) as info:
        markdown_to_data("---\ntitle: ok\nbad: [1, 2\n---\n# T\n")
    error = info.value
    assert error.line >= 3 and error.column > 0 and "front matter" in error.msg


def test_bad_toon_fence_is_located_in_the_markdown_document() -> None:
    markdown = "# Data\n\n```toon\nitems[3]: 1,2\n```\n"
    with pytest.raises(ConversionError) as info:
        markdown_to_data(markdown)
    assert info.value.line == 4  # the fence opens on line 3; its first content line is line 4


def test_link_reference_labels_are_normalised_like_the_parser_matches_them() -> None:
    data = markdown_to_data("[Foo  Bar]: </a b> \"t\"\n")
    assert same(data, {"link_references": [{"label": "FOO BAR", "href": "/a%20b", "title": "t"}]})


def nested_list(levels: int) -> str:
    return "".join("  " * level + f"- item {level}\n" for level in range(levels)) + "\nafter\n"


def test_lists_as_deep_as_the_parser_reads_keep_every_item() -> None:
    value = markdown_to_data(nested_list(9))
    assert [row["text"] for row in value[0]["items"]] == [f"item {level}" for level in range(9)]
    assert value[1] == "after"


@pytest.mark.parametrize("levels", [10, 30, 5000])
def test_a_list_nested_deeper_than_the_parser_reads_is_a_located_error(levels: int) -> None:
    """markdown-it stops at maxNesting and skips the rest of the container, `after` included: never drop it."""
    with pytest.raises(ConversionError) as info:
        markdown_to_data(nested_list(levels))
    assert (info.value.line, info.value.column) == (10, 19)  # `- item 9`, the first item it would skip
    assert info.value.source_line == "  " * 9 + "- item 9"


def test_a_quote_nested_deeper_than_the_parser_reads_is_a_located_error() -> None:
    with pytest.raises(ConversionError) as info:
        markdown_to_data("# Deep\n\n" + "> " * 25 + "text\n")
    assert (info.value.line, info.value.column) == (3, 1)


def test_an_empty_item_at_the_deepest_level_loses_nothing() -> None:
    markdown = "".join("  " * level + "- x\n" for level in range(9)) + "\n" + "  " * 9 + "-\n"
    assert markdown_to_data(markdown)[-1] == {"depth": 9, "text": ""}
