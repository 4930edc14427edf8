"""The forms of a file whose tokens `toon-hooks tokens` counts, and counting them through the cache.

Forms: JSON/JSONL → pretty and compact JSON, TOON with each delimiter; TOON → pretty and compact JSON and
the Markdown twin; Markdown → the TOON twin; HTML → its Markdown and TOON; PDF → Markdown and TOON (a binary
format has no "file" form); any other text file → itself only. Each file's counts are cached under its
content hash and the converter versions: a repeated run neither converts nor tokenizes.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

from .errors import ToonHooksError
from .formats import registry
from .formats.spec import BINARY_FORMATS
from .options import Options
from .tokens import TokenCounter, digest

Step = tuple[str, str, Options]
Chain = tuple[Step, ...]
"""The conversions that produce a form from the file's text; () is the file itself."""

BASELINES = ("file", "json-pretty", "json-compact")
_PRETTY: Step = ("toon", "json", Options(json_indent=2))
_COMPACT: Step = ("toon", "json", Options(json_indent=None))


def _data_forms(source: str) -> dict[str, Chain]:
    comma: Step = (source, "toon", Options(delimiter=","))
    return {"json-pretty": (comma, _PRETTY), "json-compact": (comma, _COMPACT), "toon-comma": (comma,),
            "toon-tab": ((source, "toon", Options(delimiter="\t")),),
            "toon-pipe": ((source, "toon", Options(delimiter="|")),)}


FORMS: dict[str, dict[str, Chain]] = {
    "json": _data_forms("json"),
    "jsonl": _data_forms("jsonl"),
    "toon": {"json-pretty": (_PRETTY,), "json-compact": (_COMPACT,), "md": (("toon", "md", Options()),)},
    "md": {"toon": (("md", "toon", Options()),)},
    "html": {"md": (("html", "md", Options()),), "toon": (("html", "toon", Options()),)},
    "pdf": {"md": (("pdf", "md", Options()),), "toon": (("pdf", "toon", Options()),)},
}
"""File format → its other forms (besides "file" itself), each with the chain that produces it."""


@dataclasses.dataclass
class FileTokens:
    """The token counts of one file's forms."""

    path: str
    format: str | None
    tokens: dict[str, int | None]
    """Form name → tokens ("file", the file itself, first); None when the tokenizer is unavailable."""
    unavailable: dict[str, str]
    """Form name → why it could not be produced (its converter is missing)."""


Resolved = tuple[tuple[registry.Converter, Options], ...]


@dataclasses.dataclass(frozen=True)
class _Recipe:
    """How this run produces one format's forms: the available ones and a digest of their versions."""

    forms: dict[str, Resolved]
    unavailable: dict[str, str]
    version: str


class _Recipes:
    """Recipes per format, built once per run; a missing converter makes its forms unavailable, not fail."""

    def __init__(self, get: Callable[[str, str], registry.Converter]) -> None:
        self._get = get
        self._converters: dict[tuple[str, str], registry.Converter | str] = {}
        self._recipes: dict[str | None, _Recipe] = {}

    def of(self, fmt: str | None) -> _Recipe:
        """Return the recipe of a format (None: a file counted as it is)."""
        if fmt not in self._recipes:
            forms: dict[str, Resolved] = {}
            unavailable: dict[str, str] = {}
            itself: dict[str, Chain] = {} if fmt in BINARY_FORMATS else {"file": ()}
            for name, chain in {**itself, **FORMS.get(fmt or "", {})}.items():
                try:
                    forms[name] = tuple((self._lookup(source, target), options)
                                        for source, target, options in chain)
                except LookupError as exc:
                    unavailable[name] = str(exc.args[0])
            self._recipes[fmt] = _Recipe(forms, unavailable, _version(forms))
        return self._recipes[fmt]

    def _lookup(self, source: str, target: str) -> registry.Converter:
        pair = (source, target)
        if pair not in self._converters:
            try:
                self._converters[pair] = self._get(source, target)
            except ToonHooksError as exc:  # registry.get reports a module that cannot load this way too
                self._converters[pair] = str(exc) or type(exc).__name__
        found = self._converters[pair]
        if isinstance(found, str):
            raise LookupError(found)
        return found


def _version(forms: Mapping[str, Resolved]) -> str:
    """Digest the converters, versions and options behind each form, for the per-file cache key."""
    ids = (name + "=" + "+".join(f"{converter.cache_id()}/{options.cache_key()}"
                                 for converter, options in steps)
           for name, steps in forms.items())
    return digest("|".join(ids))[:16]


@dataclasses.dataclass(frozen=True)
class _Plan:
    path: str
    data: bytes
    format: str | None
    recipe: _Recipe
    key: str
    """Store key of this file's counts: encoding, recipe version and content hash."""


def _plans(files: Sequence[tuple[str, bytes]], counter: TokenCounter, recipes: _Recipes) -> list[_Plan]:
    plans = []
    for path, data in files:
        fmt = registry.format_of(path)
        recipe = recipes.of(fmt)
        key = counter.key(f"{recipe.version}:{digest(data)}", kind="tokrow")
        plans.append(_Plan(path, data, fmt, recipe, key))
    return plans


def _render(plan: _Plan) -> dict[str, str]:
    """Return the text of each planned form, converting a shared prefix once (TOON before its JSON)."""
    done: dict[Resolved, str] = {}

    def produce(steps: Resolved) -> str:
        if steps not in done:
            if not steps:
                done[steps] = registry.decode_text(plan.data, plan.path)
            else:
                converter, options = steps[-1]
                source = produce(steps[:-1]).encode() if len(steps) > 1 else plan.data
                done[steps] = converter.convert(source, options, plan.path)
        return done[steps]

    return {name: produce(steps) for name, steps in plan.recipe.forms.items()}


def count_files(files: Sequence[tuple[str, bytes]], counter: TokenCounter,
                get: Callable[[str, str], registry.Converter] = registry.get,
                ) -> tuple[list[FileTokens], list[tuple[str, ToonHooksError]]]:
    """Count every form of every file; return the counted files and the invalid ones with their error.

    A file whose counts are cached is neither converted nor tokenized; the others are rendered, then all
    their texts are counted in one batch.
    """
    plans = _plans(files, counter, _Recipes(get))
    cached = counter.cached([plan.key for plan in plans])
    rendered: dict[str, dict[str, str]] = {}
    errors: list[tuple[str, ToonHooksError]] = []
    for plan in plans:
        if plan.key not in cached and plan.key not in rendered:
            try:
                rendered[plan.key] = _render(plan)
            except ToonHooksError as exc:
                errors.append((plan.path, exc))
    counts = iter(counter.count_many([text for texts in rendered.values() for text in texts.values()]))
    fresh = {key: {name: next(counts) for name in texts} for key, texts in rendered.items()}
    counter.remember({key: tokens for key, tokens in fresh.items() if None not in tokens.values()})
    found = {**cached, **fresh}
    results = [FileTokens(plan.path, plan.format, dict(found[plan.key]), plan.recipe.unavailable)
               for plan in plans if plan.key in found]
    return results, errors
