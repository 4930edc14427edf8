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
from collections.abc import Callable, Mapping
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, Literal

from .delimiters import DELIMITERS
from .quoting import (
    NumberText,
    encode_key,
    encode_strings,
    format_decimal,
    int_token,
    json_key_text,
    json_path_step,
    number_tokens,
    quote,
    rows_template,
    token_functions,
)

MAX_DEPTH = 300
"""Deepest indentation level (and nested field group) `encode` produces before refusing the value."""
_COLUMNWISE_ROWS = 8  # tables with at least this many rows are formatted column by column (`_Encoder.long_rows`)

_Flat = tuple[str, tuple[str, ...], list[Any]]  # same-keyed objects: field list, field names, cells row by row
_Table = tuple[str, int, list[Any]]  # a table to format: field list, row width, primitive cells row by row
_PRIMITIVES = frozenset({str, int, float, bool, type(None), NumberText})
_JSON_TYPES = _PRIMITIVES | {dict, list}
_DICT = frozenset({dict})
_NUMBERS = frozenset({int, float})
_Place = Literal["root", "field", "item"]
"""Where an array stands: it decides the empty-array form and whether tabular form is allowed (§9)."""
_ROOT: _Place = "root"
_FIELD: _Place = "field"
_ITEM: _Place = "item"


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
        try:
            return _Encoder(delim, indent_size, default).document(value)
        except ValueError as exc:
            if "integer string conversion" not in str(exc):
                raise
            # rare: an int of 4,300+ digits, which must still come out exact (`str` is faster on the others)
            return _Encoder(delim, indent_size, default, int_token).document(value)
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
    """One encoding run: options, the growing list of output lines (a table is one multi-line entry) and memos of
    indentation, key tokens, table shapes and row templates."""

    def __init__(
        self,
        delimiter: str,
        indent_size: int,
        default: Callable[[Any], Any] | None,
        ints: Callable[[int], str] = str,
    ) -> None:
        self.delim = delimiter
        self.mark = "" if delimiter == "," else delimiter
        self.default = default
        self.lines: list[str] = []
        unit = " " * indent_size
        self.pads = _Memo(lambda depth: _indent(unit, depth))
        self.keys = _Memo(_key_token)
        self.names = _Memo(self.names_at)
        self.shapes = _Memo(self.shape)
        self.templates = _Memo(lambda key: rows_template(key[0], key[1], delimiter))
        self.formats = token_functions(delimiter, True, ints)
        self.cell_formats = token_functions(delimiter, False, ints)  # table cells: see token_functions

    # -- entry points ------------------------------------------------------------------------------------------

    def document(self, value: Any) -> str:
        """Return the whole document for `value` (§5 root forms).

        A root string that starts with U+FEFF is quoted. §7.2 does not ask for it (its whitespace is U+0020 and
        U+0009 only) but allows it ("MAY be emitted without quotes"), and decoders drop a byte-order mark at the
        start of a document (ours, toon_format), which would eat that character. Elsewhere no decoder strips it,
        so such strings stay unquoted there, as in toon_format.
        """
        if type(value) not in _JSON_TYPES:
            value = self.normalize(value)
        if type(value) is list:
            self.array("", value, 0, _ROOT)
        elif type(value) is dict:
            if not self.keyed("", value, 0):
                self.fields(value, 0)
        elif type(value) is str and value[:1] == "\ufeff":
            return quote(value)  # unquoted, its first character would read as a byte-order mark
        else:
            return self.primitive(value)
        return "\n".join(self.lines)

    def primitive(self, value: Any) -> str:
        """Return the token of a JSON primitive."""
        return self.formats[type(value)](value)

    # -- objects -----------------------------------------------------------------------------------------------

    def fields(self, obj: dict[Any, Any], depth: int, lead: str | None = None) -> None:
        """Emit the fields of a non-empty object at `depth`; `lead` ("<pad>- ") replaces the indentation of the
        first line when the object is a list item (§10)."""
        names = self.names[self.pads[depth]]
        heads = names if lead is None else self.names[lead]  # the first line's key tokens
        lines = self.lines
        mark = len(lines)
        formats = self.formats.get
        try:
            for key, value in obj.items():
                fmt = formats(type(value))
                if fmt is not None:
                    lines.append(f"{heads[key]}: {fmt(value)}")
                elif type(value) is dict:
                    self.nested(heads[key], value, depth)
                elif type(value) is list:
                    self.array(heads[key], value, depth, _FIELD)
                else:
                    self.host_field(heads[key], value, depth)
                heads = names
        except _NonStringKey:
            del lines[mark:]
            self.fields(_coerce_keys(obj), depth, lead)
        except _Unencodable as exc:
            exc.segments.append(json_path_step(key))
            raise

    def host_field(self, name: str, value: Any, depth: int) -> None:
        """Emit a field (`name` is its indented key) whose value has a host type, as its normalised form."""
        value = self.normalize(value)
        if type(value) is dict:
            self.nested(name, value, depth)
        elif type(value) is list:
            self.array(name, value, depth, _FIELD)
        else:
            self.lines.append(f"{name}: {self.primitive(value)}")

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
        values = obj.values()
        first, last = next(iter(values)), next(reversed(values))
        if type(first) is dict and type(last) is dict and len(first) != len(last):
            return False  # the cheap rejection of a mixed object: its first and last entries differ in size
        entries = list(values)
        if set(map(type, entries)) != _DICT:
            try:
                entries = list(map(self.json_value, entries))
            except _Unencodable:
                return False
            if set(map(type, entries)) != _DICT:
                return False
        try:
            names = list(map(self.keys.__getitem__, obj))
        except _NonStringKey:
            names = list(map(self.keys.__getitem__, _coerce_keys(obj)))
        pad = self.pads[depth + 1]
        heads = tuple([f"{pad}{name}: " for name in names])
        return self.tabular(f"{prefix}[{len(obj)}:{self.mark}]", heads, entries, depth)

    # -- arrays ------------------------------------------------------------------------------------------------

    def array(self, prefix: str, items: list[Any], depth: int, where: _Place) -> None:
        """Emit an array whose header line starts with `prefix`; its items or rows go to `depth` + 1 (§9: inline
        primitives, tabular rows, or list items whose objects follow §10)."""
        if not items:
            if where == _ITEM:
                self.lines.append(f"{prefix}[0{self.mark}]:")  # §9.2: never `- []`
            else:
                self.lines.append(prefix + (": []" if where == _FIELD else "[]"))
            return
        kinds = set(map(type, items))
        if kinds <= _PRIMITIVES:
            if len(kinds) == 1:
                text = self.delim.join(map(self.formats[kinds.pop()], items))
            else:
                numbers = number_tokens(items, self.delim) if kinds == _NUMBERS else None  # ints and floats: in bulk
                text = self.delim.join(map(self.primitive, items)) if numbers is None else numbers
            self.lines.append(f"{prefix}[{len(items)}{self.mark}]: {text}")
            return
        if kinds == _DICT and where != _ITEM:  # §9.4: no tabular form for an anonymous inner array
            heads = (self.pads[depth + 1],) * len(items)
            if self.tabular(f"{prefix}[{len(items)}{self.mark}]", heads, items, depth):
                return
        elif not kinds <= _JSON_TYPES:
            self.array(prefix, [self.item_json(item, index) for index, item in enumerate(items)], depth, where)
            return
        self.lines.append(f"{prefix}[{len(items)}{self.mark}]:")
        self.list_items(items, depth + 1)

    def list_items(self, items: list[Any], depth: int) -> None:
        """Emit the elements of an expanded array as `- ` items at `depth` (§9.4, §10)."""
        pad = self.pads[depth]
        lead = pad + "- "
        append, formats, array = self.lines.append, self.formats, self.array  # (lists of small arrays: -8 %)
        for index, item in enumerate(items):
            try:
                kind = type(item)
                if kind is dict:
                    if item:
                        self.fields(item, depth + 1, lead)
                    else:
                        append(pad + "-")
                elif kind is list:
                    array(lead, item, depth, _ITEM)
                else:
                    append(lead + formats[kind](item))  # (the kinds are JSON types: see `array`)
            except _Unencodable as exc:
                exc.segments.append(f"[{index}]")
                raise

    # -- tables ------------------------------------------------------------------------------------------------

    def tabular(self, head: str, prefixes: tuple[str, ...], objs: list[dict[Any, Any]], depth: int) -> bool:
        """Emit `head` + field list + rows (row i starts with `prefixes[i]`) and return True when `objs` form a
        table (§9.3, §9.5), else emit nothing and return False. A short table, whose cells are usually all
        primitives, is formatted straight from the flattened cells and classified only when that fails."""
        short = len(prefixes) < _COLUMNWISE_ROWS
        if not short and list in set(map(type, objs[0].values())):
            return False  # an array cell rules a table out (§9.3): seen in the first row, before flattening them all
        flat = self.flatten(objs)
        if flat is None:
            return False
        header, names, cells = flat
        rows = self.short_rows(prefixes, len(names), cells) if short else None
        if rows is None:  # a long table, or a short one with cells that are not all primitives
            table = self.classify(flat, depth)
            if table is None:
                return False
            header, width, cells = table
            rows = self.short_rows(prefixes, width, cells) if short else self.long_rows(prefixes, width, cells)
        self.lines.append(f"{head}{header}:\n{rows}")
        return True

    def flatten(self, objs: list[dict[Any, Any]]) -> _Flat | None:
        """Return the field list, encoded field names and cells (row after row) of same-keyed objects, or None
        when their keys differ. The cells are raw values, not yet known to be primitives."""
        first = objs[0]
        if not first or sum(map(len, objs)) != len(first) * len(objs):
            return None
        try:
            header, names, getter = self.shapes[tuple(first)]
        except _NonStringKey:
            try:
                return self.flatten([_coerce_keys(obj) for obj in objs])
            except _Unencodable:
                return None
        try:  # each object has the first one's keys and, as the sizes add up, no others
            cells = list(map(getter, objs)) if len(names) == 1 else list(chain.from_iterable(map(getter, objs)))
        except KeyError:
            return None
        return header, names, cells

    def classify(self, flat: _Flat, depth: int) -> _Table | None:
        """Return a flattened table with host cells normalised and object columns made nested field groups (§9.3);
        None when some column is neither uniform-primitive nor nested-uniform."""
        header, names, cells = flat
        kinds = set(map(type, cells))
        if not kinds <= _JSON_TYPES:
            try:
                cells = list(map(self.json_value, cells))
            except _Unencodable:
                return None
            kinds = set(map(type, cells))
        if kinds <= _PRIMITIVES:
            return header, len(names), cells
        return None if list in kinds else self.grouped(cells, names, depth)

    def grouped(self, cells: list[Any], names: tuple[str, ...], depth: int) -> _Table | None:
        """Return `classify`'s result for cells with objects: each object column becomes a nested field group
        (§9.3) whose leaves are spliced into the rows; None when a column is neither primitive nor uniform."""
        fields = list(names)
        columns = []  # per column, one tuple of leaf values per row
        width = 0
        for index in range(len(names)):
            column = cells[index :: len(names)]
            column_kinds = set(map(type, column))
            if column_kinds <= _PRIMITIVES:
                columns.append(list(zip(column)))
                width += 1
                continue
            flat = self.flatten(column) if column_kinds == _DICT else None
            if flat is None:
                return None
            if depth >= MAX_DEPTH:
                raise ValueError(_too_deep())
            sub = self.classify(flat, depth + 1)
            if sub is None:
                return None
            sub_header, sub_width, leaves = sub
            fields[index] += sub_header
            columns.append(list(zip(*[leaves[start::sub_width] for start in range(sub_width)])))
            width += sub_width
        rows = chain.from_iterable(chain.from_iterable(zip(*columns)))
        return "{" + self.delim.join(fields) + "}", width, list(rows)

    def shape(self, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...], itemgetter[Any]]:
        """Return the field list, the encoded field names and a getter of the values of objects with `keys`."""
        names = tuple(map(self.keys.__getitem__, keys))
        return "{" + self.delim.join(names) + "}", names, itemgetter(*keys)

    def short_rows(self, prefixes: tuple[str, ...], width: int, cells: list[Any]) -> str | None:
        """Return a short table's rows as one block of lines, row i being `prefixes[i]` + the delimited tokens of
        its `width` cells (formatted in one pass into a memoised %-template); None if a cell is no primitive."""
        formats = self.cell_formats
        try:
            tokens = tuple([formats[type(cell)](cell) for cell in cells])
        except KeyError:  # no token function for the cell's type
            return None
        rows: str = self.templates[prefixes, width] % tokens
        return rows

    def long_rows(self, prefixes: tuple[str, ...], width: int, cells: list[Any]) -> str:
        """Return a long table's rows like `short_rows` (all cells are primitives): one C-level `map` (for strings,
        one joined quoting scan) per column is cheaper here than dispatching on every cell's type."""
        columns = [self.column(cells[start::width]) for start in range(width)]
        return "\n".join(map(str.__add__, prefixes, map(self.delim.join, zip(*columns))))

    def column(self, values: list[Any]) -> list[str]:
        """Return the tokens of one table column."""
        kinds = set(map(type, values))
        if len(kinds) != 1:
            return list(map(self.primitive, values))
        [kind] = kinds
        if kind is str:
            return encode_strings(values, self.delim)
        return list(map(self.formats[kind], values))

    def names_at(self, prefix: str) -> _Memo:
        """Return the memo of key tokens that start with `prefix` (indentation, or "<pad>- " for a list item)."""
        return _Memo(lambda key: prefix + self.keys[key])

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
            return NumberText(format_decimal(value))
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


def _coerce_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    """Return `mapping` as a dict with str keys, coercing int/float/bool/None keys like the json module."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        text = json_key_text(key)
        if text is None:
            raise _Unencodable(
                TypeError,
                f"Key {key!r} of the object at",
                f" is not TOON serializable: keys must be str, int, float, bool or None, not {type(key).__name__}",
            )
        if text in out:
            raise _Unencodable(ValueError, f"Duplicate key {text!r} in the object at", " after coercing keys to str")
        out[text] = value
    return out
