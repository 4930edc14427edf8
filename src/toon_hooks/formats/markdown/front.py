"""YAML front matter <-> JSON-model data: PyYAML's safe loader, but dates and times stay the text written.

Two YAML styles are written: PyYAML's block style (`dump_front_matter`: the general mapping and the lines
reading) and one `key: value` line per entry with JSON values (`dump_json_front_matter`: checkpoints and task
lists, whose tool-written front matter looks like that and so comes back byte for byte).

YAML 1.1 pitfalls that remain (they are what `yaml.safe_load` does): `yes`/`no`/`on`/`off` (any case) are
booleans, so `country: no` reads as `false`; `0o17`/`017` are octal and `1_000` is 1000; `.inf`/`.nan` have no
JSON form and become null. Quote such values in the front matter to keep them as text.
"""
from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Callable
from typing import Any

from ...errors import ConversionError
from .scalar import scalar_text

FIRST_LINE = 2
"""Document line (1-based) of the first front matter line, right after the opening `---`."""
ALIAS_BUDGET = 10_000
"""Most nodes the aliases of one front matter may add to its value: PyYAML shares an aliased value, but the
JSON model copies it, so nine levels of nine aliases would grow to 9**9 nodes (a "billion laughs" bomb)."""


@functools.lru_cache(maxsize=1)
def _loader() -> Any:
    """A SafeLoader that keeps timestamps and base-60 numbers (`12:30`, `1:30:00`) as the text written, and
    stops at the alias that would make the expanded value exceed its `alias_budget` or contain itself.

    Built on first use: PyYAML costs ≈ 8 ms to import, and most documents have no front matter.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        alias_budget = ALIAS_BUDGET

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.open_anchors: set[str] = set()
            self.expanded = 0
            self.sizes: dict[int, int] = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.AliasEvent) and event.anchor in self.anchors:
                self.expand(event)
            if isinstance(event, yaml.AliasEvent) or event.anchor is None:
                return super().compose_node(parent, index)
            self.open_anchors.add(event.anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self.open_anchors.discard(event.anchor)

        def expand(self, alias: Any) -> None:
            """Count the nodes an alias adds; one inside its own anchor, or past the budget, is an error."""
            if alias.anchor in self.open_anchors:
                raise yaml.composer.ComposerError(None, None, "recursive alias", alias.start_mark)
            self.expanded += self.size(self.anchors[alias.anchor])
            if self.expanded > self.alias_budget:
                problem = f"aliases expand to more than {self.alias_budget:,} nodes"
                raise yaml.composer.ComposerError(None, None, problem, alias.start_mark)

        def size(self, node: Any) -> int:
            """The number of nodes `node` stands for once its aliases are expanded."""
            if id(node) not in self.sizes:
                if isinstance(node, yaml.MappingNode):
                    children = [part for pair in node.value for part in pair]
                else:
                    children = node.value if isinstance(node, yaml.SequenceNode) else []
                self.sizes[id(node)] = 1 + sum(map(self.size, children))
            return self.sizes[id(node)]

    Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)
    Loader.add_constructor("tag:yaml.org,2002:int", _keep_base60(yaml.SafeLoader.construct_yaml_int))
    Loader.add_constructor("tag:yaml.org,2002:float", _keep_base60(yaml.SafeLoader.construct_yaml_float))
    return Loader


def _as_written(loader: Any, node: Any) -> Any:
    """Construct a scalar as the text written (timestamps)."""
    return loader.construct_scalar(node)


def _keep_base60(construct: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def constructor(loader: Any, node: Any) -> Any:
        return node.value if ":" in str(node.value) else construct(loader, node)

    return constructor


def load_front_matter(text: str, alias_budget: int = ALIAS_BUDGET) -> Any:
    """Return the JSON-model value of front matter text; a YAML error, an alias bomb (aliases adding more
    than `alias_budget` nodes) or nesting too deep for the parser is located in the Markdown document."""
    import yaml

    loader = _loader()(text)
    loader.alias_budget = alias_budget
    try:
        value = loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _located(text, str(getattr(exc, "problem", None) or exc), getattr(exc, "problem_mark", None)) from None
    except RecursionError:
        raise _located(text, "nested too deeply", None) from None
    finally:
        loader.dispose()
    return _jsonable(value)


def _located(text: str, problem: str, mark: Any) -> ConversionError:
    """A front matter error at `mark` (a PyYAML mark; None: the first front matter line)."""
    line = mark.line + FIRST_LINE if mark else FIRST_LINE
    column = mark.column + 1 if mark else 1
    lines = text.split("\n")
    source = lines[line - FIRST_LINE] if line - FIRST_LINE < len(lines) else ""
    return ConversionError(f"invalid YAML front matter: {problem}", line, column, source)


def _jsonable(value: Any) -> Any:
    """Turn what YAML can hold but JSON cannot (non-string keys, sets, bytes, .inf/.nan) into JSON values."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else _key_text(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, set):
        return sorted(_key_text(v) for v in value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _key_text(key: Any) -> str:
    if key is None or isinstance(key, (bool, int, float)):
        return scalar_text(_jsonable(key))
    return str(key)


def dump_front_matter(value: Any) -> list[str]:
    """Return the YAML lines (without the `---` markers) for a front matter value; None is empty front matter."""
    if value is None:
        return []
    import yaml

    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=1 << 30)
    # PyYAML ends a lone plain scalar with the document end marker `...`, which also closes front matter.
    return text.removesuffix("\n...\n").removesuffix("\n").split("\n")


_BARE_YAML_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
"""Keys YAML 1.1 (PyYAML) would read as booleans or null when bare."""
_YAML_LINE_BREAKS = str.maketrans({"\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\ufeff"})


def dump_json_front_matter(value: Any) -> list[str]:
    """Return the YAML lines for a front matter value: one `key: value` line per entry of a non-empty mapping,
    values as JSON (a YAML subset that PyYAML reads back unchanged); any other value on one line."""
    if isinstance(value, dict) and value:
        return [f"{_yaml_key(key)}: {_yaml_value(item)}" for key, item in value.items()]
    return [_yaml_value(value)]


def _yaml_key(key: str) -> str:
    """Return a mapping key bare when YAML reads it back as the same string, else double-quoted."""
    if _BARE_YAML_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return _yaml_value(key)


def _yaml_value(value: Any) -> str:
    """Return a JSON-model value in YAML flow style that PyYAML reads back unchanged."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_yaml_value(str(k))}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_value(item) for item in value) + "]"
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).translate(_YAML_LINE_BREAKS)
    return json.dumps(value)


def _yaml_float(value: float) -> str:
    """Return a float the way YAML 1.1 reads it as a float (it needs a dot before any exponent)."""
    if not math.isfinite(value):
        return "null"
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text
