"""The compiled encoder's float tables are what their comment says, recomputed here with exact integers.

`_cencoder.c` prints shortest float digits with Ryu, whose two tables of 128-bit constants cannot be read by
eye: this test regenerates both from their definitions (5**i scaled to 125 bits, and the rounded-up inverse
2**(bitlength(5**i) - 1 + 125) // 5**i + 1) and compares every entry, so an edited or mistyped constant fails.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO_ROOT

SOURCE = REPO_ROOT / "src" / "toon_hooks" / "toon" / "_cencoder.c"
BITS = 125


def _table(name: str) -> list[int]:
    """The entries of the C array `name`, each (low, high) pair joined into one integer."""
    text = Path(SOURCE).read_text(encoding="utf-8")
    body = re.search(rf"static const uint64_t {name}\[(\d+)\]\[2\] = \{{(.*?)\n\}};", text, re.S)
    if body is None:
        pytest.fail(f"{name} not found in {SOURCE.name}")
    pairs = re.findall(r"\{0x([0-9a-f]{16})u, 0x([0-9a-f]{16})u\}", body.group(2))
    assert len(pairs) == int(body.group(1))
    return [int(high, 16) << 64 | int(low, 16) for low, high in pairs]


def test_pow5_table_holds_powers_of_five_scaled_to_125_bits() -> None:
    for i, entry in enumerate(_table("RYU_POW5_SPLIT")):
        power = 5**i
        shift = power.bit_length() - BITS
        assert entry == (power >> shift if shift >= 0 else power << -shift), i


def test_inverse_table_holds_rounded_up_inverse_powers_of_five() -> None:
    for i, entry in enumerate(_table("RYU_POW5_INV_SPLIT")):
        power = 5**i
        assert entry == (1 << (power.bit_length() - 1 + BITS)) // power + 1, i
