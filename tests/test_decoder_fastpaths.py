"""Regression tests for the decoder's fast paths (batched short tables, reused scopes, quoted-cell splitting)."""
from __future__ import annotations

import pytest

from toon_hooks import ToonDecodeError, decode

pytestmark = pytest.mark.usefixtures("codec_path")


def where(text: str, **options: object) -> tuple[int, int, str]:
    with pytest.raises(ToonDecodeError) as info:
        decode(text, **options)  # type: ignore[arg-type]
    return info.value.line, info.value.column, info.value.msg


def test_short_tables_of_one_field_list_decode_like_single_tables() -> None:
    text = "[3]:\n" + "".join(f"  - t[2]{{a,b}}:\n      {i},x\n      y,{i}.5\n" for i in range(3))
    assert decode(text) == [{"t": [{"a": i, "b": "x"}, {"a": "y", "b": i + 0.5}]} for i in range(3)]


def test_bad_cell_in_a_waiting_table_is_reported_before_a_later_error() -> None:
    # The third table's cell is out of range (§4); the fourth table, after it, has one row instead of two.
    text = "[4]:\n" + "".join(f"  - t[1]{{a}}:\n      {i}\n" for i in range(2)) + "  - t[1]{a}:\n      1e999\n"
    text += "  - t[2]{a}:\n      3"
    assert where(text) == (7, 7, "number 1e999 is out of range for a 64-bit float")


def test_bad_cell_in_a_waiting_keyed_object_comes_before_a_later_row_error() -> None:
    text = "[2]:\n  - m[1:]{v}:\n      a: 1\n  - m[2:]{v}:\n      a: 1e999\n      b"
    assert where(text) == (5, 10, "number 1e999 is out of range for a 64-bit float")


def test_list_moved_deeper_in_non_strict_mode_keeps_its_items_apart() -> None:
    text = 'root[2]:\n    - "05"\n    - a0: x\n       g1:\n        a0: y\n    - true'
    assert decode(text, strict=False) == {"root": ["05", {"a0": "x", "g1": {"a0": "y"}}, True]}


@pytest.mark.parametrize(
    ("cells", "values"),
    [
        ('go,"ready,",set', ["go", "ready,", "set"]),
        ('"a,b","c,d"', ["a,b", "c,d"]),
        ('"a\\",b",c', ['a",b', "c"]),
    ],
)
def test_quoted_cells_may_hold_the_delimiter(cells: str, values: list[str]) -> None:
    assert decode(f"v[{len(values)}]: {cells}") == {"v": values}


def test_repeated_inline_list_items_decode_to_separate_lists() -> None:
    # `read_lines` memoizes the values of a short `- [N]: …` line: every item must still get its own list.
    value = decode("m[3]:\n  - [2]: 1,x\n  - [2]: 1,x\n  - [2]: 1,x")
    assert value == {"m": [[1, "x"]] * 3}
    first, second, third = value["m"]
    assert first is not second and second is not third
    first.append(2)
    assert second == [1, "x"]


def test_repeated_inline_list_item_after_a_bad_count_is_still_an_error() -> None:
    assert where("m[2]:\n  - [2]: 1\n  - [2]: 1") == (2, 6, "expected 2 values for the array, found 1")
