"""Data → Markdown: the shapes each value takes, quoting, and output that formatting hooks leave alone."""
from __future__ import annotations

from typing import Any

import pytest
from conftest import examples
from hypothesis import given, settings
from strategies import json_values

from toon_hooks.formats.markdown.read import markdown_to_data
from toon_hooks.formats.markdown.write import data_to_markdown

RENDERS: list[tuple[str, Any, str]] = [
    ("empty object is an empty document", {}, ""),
    ("object keys are headings", {"a": 1, "b": {"c": "x"}}, "# a\n\n1\n\n# b\n\n## c\n\nx\n"),
    ("empty nested object is an empty section", {"a": {}, "b": None}, "# a\n\n# b\n\nnull\n"),
    ("string that looks like a number is quoted", {"a": "42"}, '# a\n\n`"42"`\n'),
    ("empty string is quoted", {"a": ""}, '# a\n\n`""`\n'),
    ("multi-line prose stays raw", "one\ntwo\n\nthree", "one\ntwo\n\nthree\n"),
    ("leading space is quoted", " x", '`" x"`\n'),
    (
        "a string holding a broken toon fence is quoted",
        "```toon\nitems[2]: 1\n```",
        '`"\\u0060\\u0060\\u0060toon\\nitems[2]: 1\\n\\u0060\\u0060\\u0060"`\n',
    ),
    ("array of primitives is a list", ["a", 1, True, None, -1, "-1"], '- a\n- 1\n- true\n- null\n- -1\n- `"-1"`\n'),
    (
        "uniform objects are a table with escaped pipes",
        [{"k": "a|b", "v": 1}, {"k": "two\nlines", "v": "1.0"}],
        '| k | v |\n| --- | --- |\n| a\\|b | 1 |\n| `"two\\nlines"` | 1.0 |\n',
    ),
    ("arrays of arrays are adjacent lists", [[1, 2], [3]], "- 1\n- 2\n\n* 3\n"),
    ("paragraph then list", ["Intro:", ["a", "b"]], "Intro:\n\n- a\n- b\n"),
    ("task-like rows are task items", [{"done": True, "text": "a"}, {"done": None, "text": "b"}], "- [x] a\n- b\n"),
    (
        "rows with a depth become one nested list",
        [{"depth": 0, "done": True, "text": "a"}, {"depth": 1, "done": False, "text": "b"}],
        "- [x] a\n  - [ ] b\n",
    ),
    ("rows that could not come from a list are a table", [{"done": None, "text": "a"}],
     "| done | text |\n| --- | --- |\n| null | a |\n"),
    ("ordered list keeps its start", {"ordered": ["a", "b"], "start": 9}, "9. a\n10. b\n"),
    ("code fence", {"lang": "py", "code": "x = 1"}, "```py\nx = 1\n```\n"),
    ("fence is longer than any backtick run", {"code": "````"}, "`````\n````\n`````\n"),
    ("alert", {"alert": "TIP", "text": "Use it."}, "> [!TIP]\n> Use it.\n"),
    ("keys of several lines are setext headings", {"a\nb": {"c\nd": 1}}, "a\nb\n===\n\nc\nd\n---\n\n1\n"),
    ("below level 2 such keys are quoted", {"a": {"b": {"c\nd": 1}}}, '# a\n\n## b\n\n### `"c\\nd"`\n\n1\n'),
    ("a fence of one blank line", {"code": "\n"}, "```\n\n```\n"),
    ("duplicate keys read back as written", {"A": 1, "A #2": 2}, "# A\n\n1\n\n# A\n\n2\n"),
    ("a suffix the reader would not make is kept", {"A #2": 1}, "# A #2\n\n1\n"),
    ("leading body before sub-headings", {"_body": "intro", "A": 1}, "intro\n\n# A\n\n1\n"),
    ("a lone _body key is a heading", {"_body": "x"}, "# _body\n\nx\n"),
    ("front matter", {"front_matter": {"toon": True}, "A": 1}, "---\ntoon: true\n---\n\n# A\n\n1\n"),
    ("a document cannot open with ---", "---\n\nx\n\n---", "***\n\nx\n\n---\n"),
    (
        "link references go last",
        {"_body": "[x][a]", "link_references": [{"label": "A", "href": "/u", "title": ""}]},
        "[x][a]\n\n[A]: /u\n",
    ),
]


@pytest.mark.parametrize(("value", "markdown"), [case[1:] for case in RENDERS], ids=[case[0] for case in RENDERS])
def test_value_renders_as(value: Any, markdown: str) -> None:
    assert data_to_markdown(value) == markdown
    assert markdown_to_data(markdown) == value


def test_objects_deeper_than_six_headings_use_a_toon_fence() -> None:
    value: Any = {"leaf": "x"}
    for level in range(6, 0, -1):
        value = {f"h{level}": value}
    markdown = data_to_markdown(value)
    assert "###### h6\n\n```toon\nleaf: x\n```\n" in markdown
    assert markdown_to_data(markdown) == value


@pytest.mark.parametrize(
    "value",
    [
        [{"a": 1}, {"b": 2}],  # objects with different keys: a missing key and null would look alike
        [[{"a": 1}], [1]],  # arrays of arrays of objects
        [],
        {"lang": "toon", "code": "x"},  # a toon fence would read as data, so this is ordinary headings
    ],
)
def test_what_markdown_cannot_express_round_trips_through_a_toon_fence(value: Any) -> None:
    markdown = data_to_markdown(value)
    assert markdown_to_data(markdown) == value
    if isinstance(value, list):
        assert markdown.startswith("```toon\n")


@pytest.mark.parametrize("value", [["|---|:-:|", "Text"], ["a--", "b"], ["-  x--"], {"k": ["a--"]}, ["x", "a--"]])
def test_a_first_list_item_that_would_open_front_matter_reads_back(value: Any) -> None:
    # mdit-py-plugins counts front matter dashes from where the first item's text starts (found by hypothesis)
    assert markdown_to_data(data_to_markdown(value)) == value


@settings(max_examples=examples(150), deadline=None)
@given(json_values())
def test_output_is_a_fixed_point_of_whitespace_and_end_of_file_hooks(value: Any) -> None:
    markdown = data_to_markdown(value)
    assert "\r" not in markdown
    assert all(line == line.rstrip(" \t\x0b\x0c") for line in markdown.split("\n"))
    assert markdown == "" or (markdown.endswith("\n") and not markdown.endswith("\n\n"))


def test_two_thousand_row_table_renders_and_reads_back() -> None:
    rows = [
        {"id": i, "name": f"user {i}", "email": f"user{i}@example.org", "score": i * 0.5, "active": i % 3 == 0,
         "team": "blue" if i % 2 else "red", "note": "ok"}
        for i in range(2000)
    ]
    markdown = data_to_markdown(rows)
    assert markdown.count("\n") == 2002
    assert markdown_to_data(markdown) == rows
