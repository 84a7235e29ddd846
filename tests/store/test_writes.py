"""Writes that touch nothing else: one atomic-write function, refused targets, no leftovers.

Every case is a regression test named after the kind of bad input or interruption.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINI, run

import kg.build.parts
import kg.store.dataset
from kg.store.dataset import DATASET_DIR
from kg.store.files import OutputRefused, check_output, write_atomic


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_export_onto_a_fifo_is_refused_and_the_fifo_kept(built: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"  # stands for /dev/null: a special file the export must not replace
    os.mkfifo(fifo)
    code, out = run("export", "--format", "turtle", "--data", str(built), "-o", str(fifo))
    assert code == 2
    assert "it exists and is not a regular file (a device, a pipe or a socket)" in out
    assert fifo.is_fifo()
    assert hidden(tmp_path) == []


def test_output_onto_a_socket_or_folder_is_refused(tmp_path: Path) -> None:
    sock_path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(OutputRefused, match="not a regular file"):
            write_atomic(sock_path, b"x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputRefused, match="is a folder"):
        check_output(tmp_path / "folder")


def test_output_symlink_is_replaced_not_what_it_names(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "link").symlink_to(fifo)
    write_atomic(tmp_path / "link", b"data")
    assert (tmp_path / "link").read_bytes() == b"data"
    assert fifo.is_fifo()


def _interrupted(exc: type[BaseException] | None, signum: int | None) -> Iterator[bytes]:
    yield b"first piece\n"
    if signum is not None:
        os.kill(os.getpid(), signum)
    if exc is not None:
        raise exc
    yield b"second piece\n"


# Each interruption of a write: what the writer raises, and the signal sent midway.
INTERRUPTIONS = [
    pytest.param(None, signal.SIGTERM, SystemExit, id="sigterm"),
    pytest.param(None, signal.SIGHUP, SystemExit, id="sighup"),
    pytest.param(KeyboardInterrupt, None, KeyboardInterrupt, id="ctrl-c"),
    pytest.param(OSError(errno.ENOSPC, "No space left on device"), None, OSError,
                 id="disk-full"),
]


@pytest.mark.parametrize(("exc", "signum", "raised"), INTERRUPTIONS)
def test_write_interrupted_leaves_no_temporary_file_and_the_old_file(
        tmp_path: Path, exc: BaseException | None, signum: int | None,
        raised: type[BaseException]) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old\n")
    handler = signal.getsignal(signal.SIGTERM)
    with pytest.raises(raised):
        write_atomic(target, _interrupted(exc, signum))  # type: ignore[arg-type]
    assert target.read_bytes() == b"old\n"
    assert hidden(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == handler  # the handler is put back


def test_temporary_file_of_a_killed_export_is_removed_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    script = ("import os, signal, sys\n"
              "from pathlib import Path\n"
              "from kg.store.files import write_atomic\n"
              "def pieces():\n"
              "    yield b'x' * 1000\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "    yield b''\n"
              f"write_atomic(Path({str(target)!r}), pieces())\n")
    child = subprocess.run([sys.executable, "-c", script], check=False)
    assert child.returncode == -signal.SIGKILL
    assert len(hidden(tmp_path)) == 1  # SIGKILL cannot be caught: its file is left...
    alive = tmp_path / f".out.ttl.{os.getppid()}.abcd1234.tmp"  # ...as is one of a running writer
    alive.write_bytes(b"")
    write_atomic(target, b"new\n")  # ...until the next write beside it
    assert target.read_bytes() == b"new\n"
    assert hidden(tmp_path) == [alive.name]


def test_staging_folder_of_a_killed_build_is_removed_by_the_next(
        built: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    (out / ".dataset-staged-abc123/articles").mkdir(parents=True)
    (out / ".dataset-staged-abc123/articles/a1.nq").write_bytes(b"half")
    (out / ".dataset-retired-def456").mkdir()
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == [".cache", DATASET_DIR]


def test_concurrent_build_of_one_folder_is_refused_clearly(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    held = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # another build holds the folder
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, output = run("build", "--sources", str(MINI), "--out", str(out))
    finally:
        os.close(held)
    assert code == 2
    assert f"another build is writing into {out} now" in output
    assert not (out / DATASET_DIR).exists()


def test_build_out_on_an_existing_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("mine\n", encoding="utf-8")
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 2
    assert "exists and is not a folder" in output
    assert out.read_text(encoding="utf-8") == "mine\n"


def test_build_out_whose_dataset_folder_is_not_ours_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "home" / DATASET_DIR  # a folder of the user's that happens to be named so
    mine.mkdir(parents=True)
    (mine / "thesis.tex").write_text("mine\n", encoding="utf-8")
    code, output = run("build", "--sources", str(MINI), "--out", str(tmp_path / "home"))
    assert code == 2
    assert "is not a dataset made by `cartkg build`" in output
    assert (mine / "thesis.tex").read_text(encoding="utf-8") == "mine\n"


# Each failure of the file system: the error raised when the dataset is published.
FILESYSTEM_FAILURES = [
    pytest.param(errno.ENOSPC, "No space left on device", id="disk-full"),
    pytest.param(errno.EROFS, "Read-only file system", id="read-only-file-system"),
    pytest.param(errno.EACCES, "Permission denied", id="read-only-folder"),
]


@pytest.mark.parametrize(("code_", "reason"), FILESYSTEM_FAILURES)
def test_build_on_a_failing_file_system_exits_2_and_keeps_the_old_dataset(
        built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code_: int,
        reason: str) -> None:
    out = tmp_path / "build"
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 0, output
    before = (out / DATASET_DIR / "manifest.json").read_bytes()

    def failing(*args: object) -> None:
        raise OSError(code_, reason, str(out / DATASET_DIR))

    monkeypatch.setattr(kg.store.dataset, "publish", failing)
    code, output = run("build", "--sources", str(MINI), "--out", str(out), "--clean")
    assert code == 2
    assert f"the build stopped: {out / DATASET_DIR}: {reason}" in output
    assert "Traceback" not in output
    assert (out / DATASET_DIR / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", DATASET_DIR]


def test_two_builds_of_one_folder_at_once_never_crash(tmp_path: Path) -> None:
    out = tmp_path / "build"
    command = [sys.executable, "-m", "kg", "build", "--sources", str(MINI), "--out", str(out),
               "--jobs", "1"]
    children = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for _ in range(3)]
    errors = [child.communicate(timeout=300)[1] for child in children]
    results = [(child.returncode, err) for child, err in zip(children, errors, strict=True)]
    for code, err in results:
        assert b"Traceback" not in err
        assert code == 0 or (code == 2 and b"another build is writing into" in err), err
    assert any(code == 0 for code, _ in results)
    code, output = run("validate", str(out))
    assert code == 0, output
    assert sorted(p.name for p in out.iterdir()) == [".cache", DATASET_DIR]


def test_disk_full_while_writing_shards_exits_2_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(kg.build.parts, "write_atomic", full)
    out = tmp_path / "build"
    code, output = run("build", "--sources", str(MINI), "--out", str(out), "--jobs", "1")
    assert code == 2
    assert "No space left on device; nothing was written" in output
    assert not out.exists()
