"""The user's real documents (../shared/corpus, read in place, never copied into this repository).

`toon-hooks sync --all` runs once in a fresh git repository that opts every document in; each twin, exactly
as written (marker line included), must convert back to a document that renders the same HTML as the
source, and the twins must cost no more tokens than the Markdown allows (issue 15's targets). The same
measure from the outside: `python ../shared/tools/corpus_report.py -v`.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO_ROOT, TEST_ENCODING

from toon_hooks.cli import main
from toon_hooks.formats import registry
from toon_hooks.formats.markdown.parser import parser
from toon_hooks.options import Options

CORPUS = Path(os.environ.get("TOON_HOOKS_CORPUS", REPO_ROOT.parent / "shared" / "corpus" / "coditect" / "md"))
DOCUMENTS = sorted(CORPUS.glob("*.md")) if CORPUS.is_dir() else []
MAX_TOTAL_RATIO = 1.05
MAX_FILE_RATIO = 1.15

pytestmark = pytest.mark.skipif(not DOCUMENTS, reason=f"no corpus at {CORPUS} (../shared is not beside this "
                                                      "checkout; set TOON_HOOKS_CORPUS to a folder of .md files)")


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository holding the corpus and the twins `toon-hooks sync --all` wrote for it."""
    repo = tmp_path_factory.mktemp("corpus")
    subprocess.run(["git", "init", "-q", "."], cwd=repo, check=True)
    (repo / "pyproject.toml").write_text(f'[tool.toon-hooks]\nsources = ["*.md"]\nencoding = "{TEST_ENCODING}"\n')
    for document in DOCUMENTS:
        shutil.copyfile(document, repo / document.name)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    with pytest.MonkeyPatch.context() as patch:  # module scope: the per-test environment is not set up yet
        patch.chdir(repo)
        patch.delenv("CI", raising=False)  # under CI, sync would only check
        patch.setenv("TOON_HOOKS_CACHE_DIR", str(tmp_path_factory.mktemp("corpus-cache")))
        result = CliRunner().invoke(main, ["sync", "--all", "--no-stage", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    yield repo


def _render(markdown: str) -> str:
    return str(parser().render(markdown))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem[:60])
def test_twin_converts_back_to_the_same_document(twins: Path, document: Path) -> None:
    twin = (twins / document.name).with_suffix(".toon").read_bytes()
    back = registry.get("toon", "md").convert(twin, Options(), document.stem + ".toon")
    assert _render(back) == _render(document.read_text(encoding="utf-8"))


def test_twins_cost_no_more_than_the_targets(twins: Path) -> None:
    from toon_hooks.tokens import TokenCounter

    counter = TokenCounter(TEST_ENCODING)
    ratios = {}
    markdown_total = twin_total = 0
    for document in DOCUMENTS:
        markdown = counter.count(document.read_text(encoding="utf-8"))
        twin = counter.count((twins / document.name).with_suffix(".toon").read_text(encoding="utf-8"))
        markdown_total, twin_total = markdown_total + markdown, twin_total + twin
        ratios[document.name] = twin / markdown
    worst = max(ratios, key=ratios.__getitem__)
    assert twin_total / markdown_total <= MAX_TOTAL_RATIO, f"total {twin_total / markdown_total:.3f}"
    assert ratios[worst] <= MAX_FILE_RATIO, f"{worst}: {ratios[worst]:.3f}"
