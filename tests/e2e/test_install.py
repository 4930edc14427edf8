"""Installing the sdist: with a C compiler the compiled codec is built; without one the install still succeeds,
says so in one line, and the package runs on the pure-Python codec without a word at run time."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_NOTE = "toon-hooks: compiled codec not built"
_PROBE = (
    "import toon_hooks, toon_hooks.toon as t\n"
    "text = toon_hooks.encode({'rows': [{'a': 1, 'b': 'x, y'}], 'n': -0.0})\n"
    "assert toon_hooks.decode(text) == {'rows': [{'a': 1, 'b': 'x, y'}], 'n': 0}\n"
    "print(t.accelerated(), t.__file__)\n"
)


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist of this checkout, built without network (setuptools from this environment)."""
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out), str(REPO_ROOT)],
                   check=True, capture_output=True)
    return next(out.glob("toon_hooks-*.tar.gz"))


def _install(sdist: Path, venv: Path, env: dict[str, str]) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Install `sdist` into a fresh venv that sees this environment's packages; return pip's log and a probe run."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = {key: value for key, value in env.items() if key != "PYTHONPATH"}  # the venv's copy, not a checkout's
    pip = subprocess.run([python, "-m", "pip", "install", "-v", "--no-deps", "--no-build-isolation", "--no-cache-dir",
                          str(sdist)], capture_output=True, text=True, env=env, check=True)
    probe = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, cwd=venv, check=True, env=env)
    return pip.stdout + pip.stderr, probe


def test_without_a_compiler_the_install_says_so_once_and_runs_pure(sdist: Path, tmp_path: Path) -> None:
    log, probe = _install(sdist, tmp_path / "venv", {**os.environ, "CC": "/bin/false"})
    assert sum(_NOTE in line for line in log.splitlines()) == 1
    accelerated, location = probe.stdout.split()
    assert accelerated == "False" and location.startswith(str(tmp_path))
    assert probe.stderr == ""


@pytest.mark.skipif(shutil.which("gcc") is None and shutil.which("cc") is None, reason="no C compiler here")
def test_with_a_compiler_the_compiled_codec_is_built_and_used(sdist: Path, tmp_path: Path) -> None:
    log, probe = _install(sdist, tmp_path / "venv", dict(os.environ))
    assert _NOTE not in log
    assert probe.stdout.split()[0] == "True"
    assert probe.stderr == ""
