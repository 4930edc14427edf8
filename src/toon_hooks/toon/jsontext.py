"""JSON text for decoded values at any depth: what `json.dumps` writes, without its recursion.

The decoder keeps its open scopes on a list, so it returns values nested as deeply as memory allows; `json.dumps`
recurses once per level and raises RecursionError past about a thousand. `dumps_json` writes the same bytes as
`json.dumps(value, indent=indent, separators=…, ensure_ascii=False)` (item separator ",", key separator ": "
when indented, ":" when compact) for every value of the JSON model: dict with str keys, list, str, int, float,
bool and None, exact types as the decoder returns them.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from typing import Any

_encode_string: Callable[[str], str] = json.encoder.encode_basestring  # the C function; no \\u escapes
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _float(number: float) -> str:
    """Return the JSON token of a float as json.dumps writes it (NaN and the infinities as JavaScript names)."""
    if math.isfinite(number):
        return float.__repr__(number)
    return "NaN" if number != number else ("Infinity" if number > 0 else "-Infinity")


_TOKENS: dict[type, Callable[[Any], str]] = {
    str: _encode_string,
    int: int.__repr__,
    float: _float,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): {None: "null"}.__getitem__,
}
_PRIMITIVES = frozenset(_TOKENS)
_INT = {int}


def dumps_json(value: Any, indent: int | None = None) -> str:
    """Return the JSON text of a JSON-model value: indented by `indent` spaces per level, compact for None.

    Compact text comes from the json module's C encoder when the value is shallow enough for it; indented text
    (which json writes in Python) and deep values are written here, level by level from an explicit stack.
    """
    if indent is None:
        try:
            return _compact(value)
        except RecursionError:
            pass
    return _write(value, indent)


def _token(value: Any) -> str:
    """Return the JSON token of a primitive."""
    try:
        return _TOKENS[type(value)](value)
    except KeyError:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable") from None


def _write(value: Any, indent: int | None) -> str:
    """Return the JSON text of `value`, one level at a time.

    Each open container is a frame: the iterator of its remaining children (key-value pairs for an object) and
    whether it is an object. A container of primitives only is joined in one go. The padding of a line is made
    when it is written, never kept: deep output is all padding, and its size grows with the square of the depth.
    """
    unit = "" if indent is None else " " * indent
    newline = "" if indent is None else "\n"
    colon = ":" if indent is None else ": "
    out: list[str] = []
    write = out.append
    frames: list[tuple[Iterator[Any], bool]] = []
    node = value
    while True:
        kind = type(node)
        opened = False
        if kind is not dict and kind is not list:
            write(_token(node))
        elif not node:
            write("{}" if kind is dict else "[]")
        else:
            keyed = kind is dict
            children = node.values() if keyed else node
            kinds = set(map(type, children))
            if kinds <= _PRIMITIVES:
                depth = len(frames)
                inner = newline + unit * (depth + 1)
                if not keyed and kinds == _INT:  # Python writes ints as JSON does, and faster than json
                    write("[" + inner + repr(node)[1:-1].replace(", ", "," + inner))
                elif not keyed and str not in kinds:  # numbers and literals: no comma but the separators
                    write("[" + inner + _compact(node)[1:-1].replace(",", "," + inner))
                else:
                    if len(kinds) == 1:
                        tokens: Iterable[str] = map(_TOKENS[kinds.pop()], children)
                    else:
                        tokens = [_TOKENS[type(child)](child) for child in children]
                    if keyed:
                        tokens = map(str.__add__, map(str.__add__, map(_encode_string, node), repeat(colon)), tokens)
                    write(("{" if keyed else "[") + inner + ("," + inner).join(tokens))
                write(newline + unit * depth + ("}" if keyed else "]"))
            else:
                frames.append((iter(node.items() if keyed else node), keyed))
                write("{" if keyed else "[")
                opened = True
        while frames:  # on to the next container child of the innermost open container, closing those done
            rest, keyed = frames[-1]
            depth = len(frames)
            pad = newline + unit * depth
            for child in rest:
                lead = pad if opened else "," + pad
                opened = False
                if keyed:
                    lead += _encode_string(child[0]) + colon
                    child = child[1]
                kind = type(child)
                if kind in _PRIMITIVES:
                    write(lead + _TOKENS[kind](child))
                else:
                    write(lead)
                    node = child
                    break
            else:
                frames.pop()
                write(newline + unit * (depth - 1) + ("}" if keyed else "]"))
                continue
            break
        else:
            return "".join(out)
