"""The JSON writer behind `toon-hooks decode` and `convert --to json`: the bytes `json.dumps` gives, at any depth.

Not a codec-path test (it writes JSON from values), so it runs once, outside `codec_path`.
"""
from __future__ import annotations

import json
from typing import Any

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import json_values

from toon_hooks.toon.jsontext import dumps_json


@settings(max_examples=examples(300), deadline=None)
@given(json_values(), st.sampled_from([None, 0, 1, 2, 4]))
def test_json_writer_writes_what_json_dumps_writes(value: Any, indent: int | None) -> None:
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
    assert dumps_json(value, indent) == text
    if indent is None:  # and beyond json's recursion, where compact text comes from the writer's own loop
        deep = value
        for _ in range(1500):
            deep = [deep]
        assert dumps_json(deep) == "[" * 1500 + text + "]" * 1500
