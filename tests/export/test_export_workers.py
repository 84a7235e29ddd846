"""TriG, JSON-LD and Turtle rendered on every core (kg.export.rdf_workers): one process's bytes.

Each graph's text (Turtle: each subject's) is rendered apart, in batches, by forked worker
processes; the pieces come back in order. Large datasets only (``PARALLEL_FROM`` shards): these
tests lower the threshold, the batch size and the shards a Turtle job spills, so that the 31
shards of the synthetic build go through many batches and two workers.
"""

from __future__ import annotations

import errno
import io
import multiprocessing
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.core import workers as workers_module
from kg.export import rdf_workers as export_workers
from kg.export.export import export_graph, render_export
from kg.export.formats import jsonld_compactor, jsonld_document, jsonld_items
from kg.export.rdf_workers import batches, rendered, workers_for
from kg.store import files as files_module
from kg.store.files import groups, serialize, write_files
from kg.store.store import GraphStore, read_quads


@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every dataset rendered by two workers, in batches of about 20 kB."""
    monkeypatch.setattr(export_workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(export_workers, "BATCH_BYTES", 20_000)
    monkeypatch.setattr(export_workers, "SHARDS_A_JOB", 4)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def pid_and_batch(batch: list[bytes]) -> tuple[int, list[bytes]]:
    """A render that says which process rendered what."""
    return os.getpid(), batch


PARENT = os.getpid()


def killed(batch: list[bytes]) -> bytes:
    """A render whose process the kernel kills (as when memory runs out)."""
    if os.getpid() == PARENT:
        raise AssertionError("rendered in the test's own process")
    os.kill(os.getpid(), signal.SIGKILL)
    return b""


def in_this_process(batch: list[bytes]) -> bytes:
    """The JSON-LD render, which must not run in a worker."""
    if os.getpid() != PARENT:
        raise AssertionError("rendered in a worker")
    return JSONLD_BATCH(batch)


JSONLD_BATCH = export_workers.jsonld_batch


def fail_on_c(batch: list[bytes]) -> int:
    if any(text.startswith(b"c") for text in batch):
        raise ValueError("graph c cannot be rendered")
    return len(batch)


def test_batches_keep_the_graphs_in_order_and_hold_at_most_the_limit_or_one_graph() -> None:
    texts = [b"a" * 4, b"b" * 4, b"c" * 9, b"d" * 2, b"e" * 2]
    assert list(batches(texts, 8)) == [[b"aaaa", b"bbbb"], [b"c" * 9], [b"dd", b"ee"]]
    assert list(batches([], 8)) == []


def test_large_datasets_are_rendered_by_a_worker_a_core_unless_told(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert workers_for(export_workers.PARALLEL_FROM - 1) == 1
    assert workers_for(export_workers.PARALLEL_FROM) == 2
    assert workers_for(export_workers.PARALLEL_FROM, jobs=1) == 1  # cartkg export --jobs 1
    assert workers_for(export_workers.PARALLEL_FROM, jobs=3) == 3


def test_workers_render_the_batches_in_other_processes_and_give_them_back_in_order(
        in_workers: None) -> None:
    texts = [bytes([65 + i % 26]) * 15_000 for i in range(40)]
    pieces = list(rendered(pid_and_batch, texts, workers=2))
    assert [text for _, batch in pieces for text in batch] == texts
    assert os.getpid() not in {pid for pid, _ in pieces}
    assert len({pid for pid, _ in pieces}) == 2
    assert {pid for pid, _ in rendered(pid_and_batch, texts, workers=1)} == {os.getpid()}
    assert multiprocessing.active_children() == []  # stopped once all was read


def test_an_error_in_a_worker_is_raised_here_and_the_workers_are_stopped(
        in_workers: None) -> None:
    texts = [b"a", b"b", b"c" * 30_000, b"d"]
    with pytest.raises(ValueError, match="graph c cannot be rendered"):
        list(rendered(fail_on_c, texts, workers=2))
    assert multiprocessing.active_children() == []


def one_process_reference(quads: tuple[ox.Quad, ...], fmt: str) -> bytes:
    """The format as the code before the workers wrote it: a graph (Turtle: a subject) a piece."""
    if fmt == "jsonld":
        compact = jsonld_compactor()
        return b"".join(jsonld_document(jsonld_items([graph], compact)
                                        for graph in groups(quads, "trig")))
    return serialize(quads, "trig" if fmt == "trig" else "union")


@pytest.mark.parametrize("fmt", ["trig", "jsonld", "turtle"])
def test_rdf_exports_rendered_by_workers_are_the_bytes_one_process_writes(
        synthetic_build: Path, tmp_path: Path, fmt: str, in_workers: None) -> None:
    store = GraphStore.from_file(synthetic_build)
    assert workers_for(len(store.shards)) == 2
    out = tmp_path / f"cart-kg.{fmt}"
    export_graph(store, fmt, out)
    assert out.read_bytes() == one_process_reference(read_quads(synthetic_build), fmt)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_shard_changed_during_an_export_by_workers_stops_it_and_writes_nothing(
        synthetic_build: Path, tmp_path: Path, in_workers: None) -> None:
    folder = tmp_path / "dataset"
    shutil.copytree(synthetic_build / "dataset", folder)
    shard = sorted((folder / "articles").iterdir())[5]
    shard.write_bytes(shard.read_bytes().replace(b"\n", b"\n\n", 1))
    for fmt in ("trig", "jsonld", "turtle"):
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(main, ["export", "--data", str(folder), "--format", fmt,
                                           "-o", str(out)])
        assert result.exit_code == 2, result.output
        assert shard.name in result.output and "Traceback" not in result.output
        assert not out.exists()
    assert multiprocessing.active_children() == []


def test_turtle_by_workers_leaves_no_temporary_file(
        synthetic_build: Path, tmp_path: Path, in_workers: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    render_export(GraphStore.from_file(synthetic_build), "turtle")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_worker_killed_during_an_export_stops_it_with_an_error_and_writes_nothing(
        synthetic_build: Path, tmp_path: Path, in_workers: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_workers, "jsonld_batch", killed)
    out = tmp_path / "cart-kg.jsonld"
    result = CliRunner().invoke(main, ["export", "--data", str(synthetic_build), "--format",
                                       "jsonld", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "killed by signal 9" in result.output and "--jobs 1" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []
    monkeypatch.setattr(export_workers, "jsonld_batch", in_this_process)
    one_process = CliRunner().invoke(main, ["export", "--data", str(synthetic_build), "--format",
                                            "jsonld", "-o", str(out), "--jobs", "1"])
    assert one_process.exit_code == 0, one_process.output  # the fix the error gives works
    assert out.read_bytes() == render_export(GraphStore.from_file(synthetic_build), "jsonld",
                                             jobs=1)[0][""]


def no_space(shards: list[object]) -> list[object]:
    """A Turtle spill job on a full disk."""
    raise OSError(errno.ENOSPC, "No space left on device")


def cannot_fork(*args: object) -> None:
    raise OSError(errno.ENOMEM, "Cannot allocate memory")


@pytest.mark.parametrize(("fmt", "failure"), [
    ("trig", "fork"), ("jsonld", "fork"), ("turtle", "fork"), ("turtle", "full disk")])
def test_a_system_error_with_the_workers_says_what_to_do_and_writes_nothing(
        synthetic_build: Path, tmp_path: Path, in_workers: None,
        monkeypatch: pytest.MonkeyPatch, fmt: str, failure: str) -> None:
    if failure == "fork":
        monkeypatch.setattr(workers_module, "_Worker", cannot_fork)
        reason = "Cannot allocate memory"
    else:
        monkeypatch.setattr(export_workers, "spill_job", no_space)
        reason = "No space left on device"
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["export", "--data", str(synthetic_build), "--format", fmt,
                                       "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"rendering in worker processes failed: {reason}" in result.output
    assert "--jobs 1" in result.output and "choose a path" not in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


class FullDisk(io.BytesIO):
    """A file that takes one piece, then has no space left."""

    def write(self, data: object) -> int:
        if self.tell():
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(b"x")


def test_a_write_that_fails_midway_stops_the_workers_at_once(
        tmp_path: Path, in_workers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_module.os, "fdopen", lambda fd, mode: FullDisk())
    texts = [bytes([65 + i % 26]) * 15_000 for i in range(40)]
    with pytest.raises(OSError, match="No space left") as failed:
        write_files({tmp_path / "out": rendered(pid_and_text, texts, workers=2)})
    assert failed.value.__traceback__ is not None  # the error (and its frames) still held
    assert multiprocessing.active_children() == []
    assert list(tmp_path.iterdir()) == []


def pid_and_text(batch: list[bytes]) -> bytes:
    return b"".join(batch)
