"""TOON encoder (toon-spec: 4.0): JSON-model values (and common Python host types) to canonical TOON text.

Host types (§3), normalised before encoding:

- ``dict`` and any other ``Mapping`` → object. ``str`` keys are kept; ``int``, ``float``, ``bool`` and ``None``
  keys are coerced as the ``json`` module does (``1`` → ``"1"``, ``1.5`` → ``"1.5"``, ``True`` → ``"true"``,
  ``None`` → ``"null"``); two keys that coerce to the same string raise ``ValueError``; other keys ``TypeError``.
- ``list`` and ``tuple`` → array; ``set`` and ``frozenset`` → array, sorted when the elements are orderable
  (so the output is deterministic), else in iteration order.
- ``bool``, ``None``, ``str``; ``int`` exactly, however big (no exponent); ``float`` in canonical §2 form;
  ``decimal.Decimal`` → its exact value as a canonical number. NaN and ±Infinity (float or Decimal) → ``null``.
  Subclasses of ``str``, ``int`` and ``float`` (e.g. enums) encode as their plain value.
- ``datetime.datetime``, ``datetime.date``, ``datetime.time`` → their ``isoformat()`` string.
- Anything else: ``default(obj)`` when given (its result is normalised the same way), else ``TypeError`` naming
  the JSON path, e.g. ``Object of type Foo at $.users[3].born is not TOON serializable``.

Depth policy: a value whose TOON form would be indented deeper than ``MAX_DEPTH`` levels (each nested object or
array adds one level, a list-item object two), or one with a reference cycle, raises ``ValueError``, never
``RecursionError``: such output grows with the square of its depth, and Python's stack would overflow anyway.

Strings with lone surrogates (U+D800–U+DFFF) have no TOON form and raise ``ValueError``.
"""
from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Mapping
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, Callable

from ..options import DELIMITERS
from .quoting import encode_key, encode_strings, format_decimal, format_float, string_encoder

MAX_DEPTH = 300
"""Deepest indentation level (and nested field group) `encode` produces before refusing the value."""
_COLUMNWISE_ROWS = 8
"""Tables with at least this many rows are formatted column by column (see `_Encoder.rows`)."""


class _Number(str):
    """Canonical number text produced by normalisation (e.g. of a Decimal); emitted verbatim."""


_PRIMITIVES = frozenset({str, int, float, bool, type(None), _Number})
_JSON_TYPES = _PRIMITIVES | {dict, list}
_DICT = frozenset({dict})


class _Place(enum.Enum):
    """Where an array stands: it decides the empty-array form and whether tabular form is allowed (§9)."""

    ROOT = "root"
    FIELD = "field"
    ITEM = "item"


class _Unencodable(Exception):
    """A value or key with no TOON form; containers add their path segment while it propagates."""

    def __init__(self, error: type[Exception], before: str, after: str = "") -> None:
        super().__init__(before, after)
        self.error = error
        self.before = before
        self.after = after
        self.segments: list[str] = []

    def public(self) -> Exception:
        """Return the user-facing exception: the message with the JSON path between its two parts."""
        return self.error(f"{self.before} ${''.join(reversed(self.segments))}{self.after}")


class _NonStringKey(Exception):
    """A dict has a key that needs json-style coercion; its encoding restarts from a coerced copy."""


def encode(
    value: Any,
    *,
    delimiter: str = ",",
    indent_size: int = 2,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """Return `value` as a TOON document (no trailing newline).

    `delimiter` is ",", "\\t" or "|" (or "comma", "tab", "pipe"); `indent_size` is the spaces per level (≥ 1);
    `default` maps a value of any other type to an encodable one (see the module docstring).
    """
    try:
        delim = DELIMITERS[delimiter]
    except (KeyError, TypeError):
        raise ValueError(f"delimiter must be ',', '\\t', '|', 'comma', 'tab' or 'pipe', not {delimiter!r}") from None
    if isinstance(indent_size, bool) or not isinstance(indent_size, int):
        raise TypeError(f"indent_size must be an int, not {type(indent_size).__name__}")
    if indent_size < 1:
        raise ValueError(f"indent_size must be at least 1, not {indent_size}")
    try:
        return _Encoder(delim, indent_size, default).document(value)
    except _Unencodable as exc:
        raise exc.public() from None
    except RecursionError:
        raise ValueError(_too_deep()) from None


def _too_deep() -> str:
    return f"value is nested deeper than {MAX_DEPTH} levels (or contains a reference cycle)"


class _Memo(dict):  # type: ignore[type-arg]
    """A dict that builds a missing entry with `make(key)` and keeps it; a hit is one C-level lookup."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


class _Encoder:
    """One encoding run: options, the growing list of output lines, and memos of indentation and tokens."""

    def __init__(self, delimiter: str, indent_size: int, default: Callable[[Any], Any] | None) -> None:
        self.delim = delimiter
        self.mark = "" if delimiter == "," else delimiter
        self.default = default
        self.lines: list[str] = []
        unit = " " * indent_size
        self.pads = _Memo(lambda depth: _indent(unit, depth))
        self.keys = _Memo(_key_token)
        self.shapes = _Memo(self.shape)
        self.formats: dict[type, Callable[[Any], str]] = {  # one token function per primitive type
            str: functools.lru_cache(None)(string_encoder(delimiter)),  # values repeat (labels, categories)
            int: int.__repr__,
            float: format_float,
            bool: {True: "true", False: "false"}.__getitem__,
            type(None): {None: "null"}.__getitem__,
            _Number: str.__str__,
        }

    # -- entry points ------------------------------------------------------------------------------------------

    def document(self, value: Any) -> str:
        """Return the whole document for `value` (§5 root forms)."""
        if type(value) not in _JSON_TYPES:
            value = self.normalize(value)
        if type(value) is list:
            self.array("", value, 0, _Place.ROOT)
        elif type(value) is dict:
            if not self.keyed("", value, 0):
                self.fields(value, 0)
        else:
            return self.primitive(value)
        return "\n".join(self.lines)

    def primitive(self, value: Any) -> str:
        """Return the token of a JSON primitive."""
        return self.formats[type(value)](value)

    # -- objects -----------------------------------------------------------------------------------------------

    def fields(self, obj: dict[Any, Any], depth: int, lead: str | None = None) -> None:
        """Emit the fields of a non-empty object at `depth`; `lead` ("<pad>- ") starts the first line instead
        of indentation when the object is a list item (§10)."""
        pad = self.pads[depth]
        lines = self.lines
        mark = len(lines)
        keys = self.keys
        formats = self.formats.get
        head = pad if lead is None else lead
        try:
            for key, value in obj.items():
                fmt = formats(type(value))
                if fmt is not None:
                    lines.append(f"{head}{keys[key]}: {fmt(value)}")
                else:
                    if type(value) not in _JSON_TYPES:
                        value = self.normalize(value)
                    if type(value) is dict:
                        self.nested(head + keys[key], value, depth)
                    elif type(value) is list:
                        self.array(head + keys[key], value, depth, _Place.FIELD)
                    else:
                        lines.append(f"{head}{keys[key]}: {self.primitive(value)}")
                head = pad
        except _NonStringKey:
            del lines[mark:]
            self.fields(_coerce_keys(obj), depth, lead)
        except _Unencodable as exc:
            exc.segments.append(_key_segment(key))
            raise

    def nested(self, prefix: str, obj: dict[Any, Any], depth: int) -> None:
        """Emit an object-valued field: keyed tabular when it qualifies (§9.5), else `key:` and its fields (§8)."""
        # Cheap rejections first: most nested objects have a primitive first value, so they cannot be keyed.
        if len(obj) < 2 or type(next(iter(obj.values()))) in _PRIMITIVES or not self.keyed(prefix, obj, depth):
            self.lines.append(prefix + ":")
            if obj:
                self.fields(obj, depth + 1)

    def keyed(self, prefix: str, obj: dict[Any, Any], depth: int) -> bool:
        """Emit `obj` in keyed tabular form (§9.5) and return True when it qualifies."""
        if len(obj) < 2:
            return False
        entries = list(obj.values())
        kinds = set(map(type, entries))
        if kinds != _DICT:
            if kinds <= _JSON_TYPES:
                return False
            try:
                entries = list(map(self.json_value, entries))
            except _Unencodable:
                return False
            if set(map(type, entries)) != _DICT:
                return False
        table = self.flatten(entries, depth)
        if table is None:
            return False
        try:
            names = list(map(self.keys.__getitem__, obj))
        except _NonStringKey:
            names = list(map(self.keys.__getitem__, _coerce_keys(obj)))
        self.lines.append(f"{prefix}[{len(obj)}:{self.mark}]{table[0]}:")
        pad = self.pads[depth + 1]
        self.lines.extend([f"{pad}{name}: {row}" for name, row in zip(names, self.rows(table[1], ""))])
        return True

    # -- arrays ------------------------------------------------------------------------------------------------

    def array(self, prefix: str, items: list[Any], depth: int, where: _Place) -> None:
        """Emit an array whose header line starts with `prefix`; its items or rows go to `depth` + 1 (§9: inline
        primitives, tabular rows, or list items whose objects follow §10)."""
        if not items:
            if where is _Place.ITEM:
                self.lines.append(f"{prefix}[0{self.mark}]:")  # §9.2: never `- []`
            else:
                self.lines.append(prefix + (": []" if where is _Place.FIELD else "[]"))
            return
        kinds = set(map(type, items))
        if not kinds <= _JSON_TYPES:
            items = [self.item_json(item, index) for index, item in enumerate(items)]
            kinds = set(map(type, items))
        head = f"{prefix}[{len(items)}{self.mark}]"
        if kinds <= _PRIMITIVES:
            formats = self.formats
            self.lines.append(f"{head}: {self.delim.join([formats[type(value)](value) for value in items])}")
            return
        if kinds == _DICT and where is not _Place.ITEM:  # §9.4: no tabular form for an anonymous inner array
            table = self.flatten(items, depth)
            if table is not None:
                self.lines.append(f"{head}{table[0]}:")
                self.lines.extend(self.rows(table[1], self.pads[depth + 1]))
                return
        self.lines.append(head + ":")
        self.list_items(items, depth + 1)

    def list_items(self, items: list[Any], depth: int) -> None:
        """Emit the elements of an expanded array as `- ` items at `depth` (§9.4, §10)."""
        pad = self.pads[depth]
        lead = pad + "- "
        for index, item in enumerate(items):
            try:
                kind = type(item)
                if kind is dict:
                    if item:
                        self.fields(item, depth + 1, lead)
                    else:
                        self.lines.append(pad + "-")
                elif kind is list:
                    self.array(lead, item, depth, _Place.ITEM)
                else:
                    self.lines.append(lead + self.primitive(item))
            except _Unencodable as exc:
                exc.segments.append(f"[{index}]")
                raise

    def flatten(self, objs: list[dict[Any, Any]], depth: int) -> tuple[str, list[tuple[Any, ...]]] | None:
        """Return the field list of same-keyed objects and each object's leaf values in depth-first header
        order, or None when some column is neither uniform-primitive nor nested-uniform (§9.3)."""
        if depth > MAX_DEPTH:
            raise ValueError(_too_deep())
        first = objs[0]
        if not first:
            return None
        shape = first.keys()
        if not all(map(shape.__eq__, map(dict.keys, objs))):
            return None
        try:
            header, names, getter = self.shapes[tuple(shape)]
        except _NonStringKey:
            try:
                return self.flatten([_coerce_keys(obj) for obj in objs], depth)
            except _Unencodable:
                return None
        rows = list(map(getter, objs)) if len(names) > 1 else list(zip(map(getter, objs)))
        kinds = set(map(type, chain.from_iterable(rows)))
        if not kinds <= _JSON_TYPES:
            try:
                rows = [tuple(map(self.json_value, row)) for row in rows]
            except _Unencodable:
                return None
            kinds = set(map(type, chain.from_iterable(rows)))
        if kinds <= _PRIMITIVES:
            return header, rows
        return None if list in kinds else self.grouped(rows, names, depth)

    def grouped(
        self, rows: list[tuple[Any, ...]], names: tuple[str, ...], depth: int
    ) -> tuple[str, list[tuple[Any, ...]]] | None:
        """Return `flatten`'s result for rows with object cells: each object column becomes a nested field group
        (§9.3) whose leaves are spliced into the rows; None when a column is neither primitive nor uniform."""
        fields = list(names)
        columns = []
        for index, column in enumerate(zip(*rows)):
            column_kinds = set(map(type, column))
            if column_kinds <= _PRIMITIVES:
                columns.append(list(zip(column)))
                continue
            sub = self.flatten(list(column), depth + 1) if column_kinds == _DICT else None
            if sub is None:
                return None
            fields[index] += sub[0]
            columns.append(sub[1])
        return "{" + self.delim.join(fields) + "}", [tuple(chain.from_iterable(cells)) for cells in zip(*columns)]

    def shape(self, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...], itemgetter[Any]]:
        """Return the field list, the encoded field names and a getter of the values of objects with `keys`."""
        names = tuple(map(self.keys.__getitem__, keys))
        return "{" + self.delim.join(names) + "}", names, itemgetter(*keys)

    def rows(self, rows: list[Any], prefix: str) -> list[str]:
        """Return `prefix` + the delimiter-joined tokens of each row of primitives.

        Short tables go value by value; from _COLUMNWISE_ROWS rows on, one C-level `map` (or, for strings, one
        joined quoting scan) per column is cheaper than dispatching on every value's type.
        """
        join = self.delim.join
        if len(rows) < _COLUMNWISE_ROWS:
            formats = self.formats
            return [prefix + join([formats[type(value)](value) for value in row]) for row in rows]
        return list(map(prefix.__add__, map(join, zip(*map(self.column, zip(*rows))))))

    def column(self, values: tuple[Any, ...]) -> list[str]:
        """Return the tokens of one table column."""
        kinds = set(map(type, values))
        if len(kinds) != 1:
            return list(map(self.primitive, values))
        [kind] = kinds
        if kind is str:
            return encode_strings(values, self.delim)
        return list(map(self.formats[kind], values))

    # -- host types --------------------------------------------------------------------------------------------

    def json_value(self, value: Any) -> Any:
        """Return `value` itself when it has a JSON-model type, else its normalised form."""
        return value if type(value) in _JSON_TYPES else self.normalize(value)

    def item_json(self, value: Any, index: int) -> Any:
        """Normalise array element `index`, adding its index to the path of an error."""
        if type(value) in _JSON_TYPES:
            return value
        try:
            return self.normalize(value)
        except _Unencodable as exc:
            exc.segments.append(f"[{index}]")
            raise

    def normalize(self, value: Any) -> Any:
        """Return a host value as a JSON-model value (shallow: containers' contents are normalised later)."""
        if isinstance(value, str):
            return str.__str__(value)
        if isinstance(value, int):
            return int.__int__(value)
        if isinstance(value, float):
            return float.__float__(value)
        if isinstance(value, Decimal):
            return _Number(format_decimal(value))
        if isinstance(value, Mapping):
            return _coerce_keys(value)
        if isinstance(value, (list, tuple)):
            return list(value)
        if isinstance(value, (set, frozenset)):
            try:
                return sorted(value)
            except TypeError:
                return list(value)
        if isinstance(value, (datetime.date, datetime.time)):
            return value.isoformat()
        if self.default is None:
            raise _Unencodable(TypeError, f"Object of type {type(value).__name__} at", " is not TOON serializable")
        result = self.default(value)
        if result is value:
            raise _Unencodable(ValueError, f"default() returned its {type(value).__name__} argument unchanged at")
        return result if type(result) in _JSON_TYPES else self.normalize(result)


def _indent(unit: str, depth: int) -> str:
    if depth > MAX_DEPTH:
        raise ValueError(_too_deep())
    return unit * depth


def _key_token(key: Any) -> str:
    """Return the §7.3 token of a str key; other key types make their object restart with coerced keys."""
    if type(key) is not str:
        raise _NonStringKey
    return encode_key(key)


def _key_segment(key: Any) -> str:
    """Return a JSONPath step for `key`: `.name` when identifier-like, else `["key"]`."""
    text = str(key)
    return f".{text}" if text.isidentifier() else f"[{text!r}]"


def _coerce_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """Return `mapping` as a dict with str keys, coercing int/float/bool/None keys like the json module."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        text = _key_text(key)
        if text in out:
            raise _Unencodable(ValueError, f"Duplicate key {text!r} in the object at", " after coercing keys to str")
        out[text] = value
    return out


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        if key != key:
            return "NaN"
        return float.__repr__(key) if key - key == 0 else ("Infinity" if key > 0 else "-Infinity")
    raise _Unencodable(
        TypeError,
        f"Key {key!r} of the object at",
        f" is not TOON serializable: keys must be str, int, float, bool or None, not {type(key).__name__}",
    )
