"""The official TOON 4.0 conformance fixtures: every encode and decode case, including the non-strict ones."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES_DIR

import toon_hooks
from toon_hooks import ToonDecodeError

pytestmark = pytest.mark.usefixtures("codec_path")

EXPECTED_CASES = 516
"""Cases in the fixture set this suite was written against (spec 4.0)."""


def _cases(directory: Path) -> list[Any]:
    """Return one pytest param per fixture case (id: file stem + case name).

    A missing or empty folder yields a single failing param instead of an empty, silently skipped test; a
    case count other than EXPECTED_CASES adds one failing param, so a partial folder cannot pass either.
    """
    params = []
    for path in sorted(directory.glob("*/*.json")):
        fixture = json.loads(path.read_text(encoding="utf-8"))
        for case in fixture["tests"]:
            params.append(pytest.param(fixture["category"], case, id=f"{path.parent.name}/{path.stem}: {case['name']}"))
    if not params:
        return [pytest.param("broken", {"problem": f"no TOON fixtures in {directory}"}, id="no-fixtures")]
    if len(params) != EXPECTED_CASES:
        problem = f"{len(params)} fixture cases in {directory}, expected {EXPECTED_CASES}"
        params.append(pytest.param("broken", {"problem": problem}, id="case-count"))
    return params


@pytest.mark.parametrize(("category", "case"), _cases(FIXTURES_DIR))
def test_fixture(category: str, case: dict[str, Any]) -> None:
    """Run one case: encode compares text exactly, decode compares the JSON value or expects an error."""
    assert category != "broken", f"{case['problem']} (TOON_SPEC_FIXTURES overrides the folder)"
    options = case.get("options", {})
    if category == "encode":
        text = toon_hooks.encode(
            case["input"], delimiter=options.get("delimiter", ","), indent_size=options.get("indentSize", 2)
        )
        assert text == case["expected"]
        return
    decode_options = {"strict": options.get("strict", True), "indent_size": options.get("indentSize", 2)}
    if case.get("shouldError"):
        with pytest.raises(ToonDecodeError):
            toon_hooks.decode(case["input"], **decode_options)
        return
    assert _typed(toon_hooks.decode(case["input"], **decode_options)) == _typed(case["expected"])


def _typed(value: Any) -> Any:
    """Return `value` with bools told apart from numbers, so that `True == 1` cannot pass a comparison."""
    if isinstance(value, bool) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, dict):
        return [(key, _typed(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_typed(item) for item in value]
    return value
