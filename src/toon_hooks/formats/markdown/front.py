"""YAML front matter <-> JSON-model data: PyYAML's safe loader, but dates and times stay the text written.

YAML 1.1 pitfalls that remain (they are what `yaml.safe_load` does): `yes`/`no`/`on`/`off` (any case) are
booleans, so `country: no` reads as `false`; `0o17`/`017` are octal and `1_000` is 1000; `.inf`/`.nan` have no
JSON form and become null. Quote such values in the front matter to keep them as text.
"""
from __future__ import annotations

import base64
import functools
import math
from typing import Any, Callable

from ...errors import ConversionError
from .scalar import scalar_text

FIRST_LINE = 2
"""Document line (1-based) of the first front matter line, right after the opening `---`."""


@functools.lru_cache(maxsize=1)
def _loader() -> Any:
    """A SafeLoader that keeps timestamps and base-60 numbers (`12:30`, `1:30:00`) as the text written.

    Built on first use: PyYAML costs ≈ 8 ms to import, and most documents have no front matter.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)
    Loader.add_constructor("tag:yaml.org,2002:int", _keep_base60(yaml.SafeLoader.construct_yaml_int))
    Loader.add_constructor("tag:yaml.org,2002:float", _keep_base60(yaml.SafeLoader.construct_yaml_float))
    return Loader


def _keep_base60(construct: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def constructor(loader: Any, node: Any) -> Any:
        return node.value if ":" in str(node.value) else construct(loader, node)

    return constructor


def load_front_matter(text: str) -> Any:
    """Return the JSON-model value of front matter text; a YAML error is located in the Markdown document."""
    import yaml

    try:
        value = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + FIRST_LINE if mark else 0
        column = mark.column + 1 if mark else 0
        lines = text.split("\n")
        source = lines[line - FIRST_LINE] if mark and line - FIRST_LINE < len(lines) else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConversionError(f"invalid YAML front matter: {problem}", line, column, source) from None
    return _jsonable(value)


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
