"""The TriG, JSON-LD and Turtle exports rendered on every core, in order.

A graph's TriG or JSON-LD depends on that graph alone, so the work can be shared. This process
cuts the graphs from the shards in canonical order (:meth:`kg.store.store.GraphStore.graph_texts`)
and sends them in batches of about :data:`BATCH_BYTES` of N-Quads to worker processes, which
parse and render them. The pieces come back in the batches' order
(:class:`kg.core.workers.Workers`), so the file is byte for byte the one a single process writes.
Only a few batches are in memory at a time.

Turtle is the union of the graphs a subject at a time, and a subject may lie in several shards
(:func:`kg.store.shards.subject_groups`). The workers first write the shards' subjects to one
anonymous temporary file, :data:`SHARDS_A_JOB` shards a job; this process sorts the blocks'
places and reads each subject's blocks back, and the workers merge and render the subjects in
batches.

A dataset of fewer than :data:`PARALLEL_FROM` shards is rendered in this process: starting
the workers would cost more than they save.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import pyoxigraph as ox

from kg.core.workers import Workers
from kg.export.projection import ExportError
from kg.store.files import prefixes_once, serialized_block
from kg.store.shards import Shard, merged_subject, spill_subjects
from kg.store.store import shard_errors

#: The N-Quads a batch of graphs holds, at most (a larger graph is a batch of its own).
BATCH_BYTES = 1 << 22
#: The fewest shards for which the graphs are rendered in worker processes.
PARALLEL_FROM = 64
#: Shards whose subjects a worker writes to the temporary file in one job (Turtle).
SHARDS_A_JOB = 64

R = TypeVar("R")


def workers_for(shards: int, jobs: int | None = None) -> int:
    """How many worker processes render a dataset of this many shards (1: this process).

    ``jobs`` as ``cartkg export --jobs`` gives it; by default one a core.
    """
    if jobs == 1 or shards < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return jobs or os.cpu_count() or 1


def batches(texts: Iterable[bytes], limit: int) -> Iterator[list[bytes]]:
    """The graphs' texts in order, in lists of at most ``limit`` bytes (or one graph)."""
    batch: list[bytes] = []
    size = 0
    for text in texts:
        if batch and size + len(text) > limit:
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def rendered(render: Callable[[list[bytes]], R], texts: Iterable[bytes],
             workers: int) -> Iterator[R]:
    """``render`` of each batch of the graphs' texts, in order; in ``workers`` processes if > 1.

    ``render`` must be a function of a module (it is sent to the workers by name). The workers
    are forked (they start with every module this process has imported) and stopped when the
    pieces have all been read, or when the reader stops early. An error in a worker is raised
    here as it was raised there.
    """
    if workers <= 1:
        for batch in batches(texts, BATCH_BYTES):
            yield render(batch)
        return
    context = multiprocessing.get_context("fork")
    with _worker_errors(), Workers[list[bytes], R](context, workers, _ready) as pool:
        yield from pool.run(render, batches(texts, BATCH_BYTES))


@contextmanager
def _worker_errors() -> Iterator[None]:
    """A system error met with the workers, as an ``ExportError`` that says what to do.

    Such as no memory to fork, or the temporary folder full.
    """
    try:
        yield
    except OSError as err:
        raise ExportError(
            f"rendering in worker processes failed: {err.strerror or err}. Fix: free memory, or "
            f"space in the temporary folder {tempfile.gettempdir()} (set TMPDIR to use "
            "another), or export in one process with --jobs 1.") from None


def _ready() -> None:
    """A worker needs no set-up: it was forked with everything imported."""


def _parsed(text: bytes) -> tuple[ox.Quad, ...]:
    return tuple(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def _blocks(groups: Iterable[Any], role: str) -> tuple[bytes, bytes]:
    """The ``@prefix`` lines of the first group's TriG or Turtle, and every group's body."""
    header = b""
    bodies = []
    for number, group in enumerate(groups):
        head, body = serialized_block(group, role)
        if number == 0:
            header = head
        bodies.append(body)
    return header, b"".join(bodies)


def trig_batch(texts: list[bytes]) -> tuple[bytes, bytes]:
    """A batch of graphs as TriG (see :func:`_blocks`)."""
    return _blocks((_parsed(text) for text in texts), "trig")


def trig_pieces(texts: Iterable[bytes], workers: int) -> Iterator[bytes]:
    """TriG of the graphs' texts, as :func:`kg.store.store.serialized` writes them."""
    return prefixes_once(rendered(trig_batch, texts, workers))


def jsonld_batch(texts: list[bytes]) -> bytes:
    """The JSON-LD ``@graph`` items of a batch of graphs (see ``export_formats.jsonld_items``)."""
    from kg.export.formats import jsonld_compactor, jsonld_items

    return jsonld_items((_parsed(text) for text in texts), jsonld_compactor())


def jsonld_pieces(texts: Iterable[bytes], workers: int) -> Iterator[bytes]:
    """JSON-LD of the graphs' texts (:func:`kg.export.formats.jsonld_document`)."""
    from kg.export.formats import jsonld_document

    return jsonld_document(rendered(jsonld_batch, texts, workers))


_SPILL: dict[str, Any] = {}  # in a worker: the file the subjects are spilled to, and its lock


def _spill_to(fd: int, lock: Any) -> None:
    """A worker's set-up for Turtle: the parent's temporary file (inherited), and its lock."""
    _SPILL.update(fd=fd, lock=lock)


def spill_job(shards: list[Shard]) -> list[tuple[str, int, int]]:
    """Append the subjects of some shards to the spill file (see ``spill_subjects``).

    The job's blocks are written at once at the file's end, under the lock that the workers
    share; their places are given from the file's start.
    """
    buffer = io.BytesIO()
    places = spill_subjects(shards, buffer)
    data = memoryview(buffer.getbuffer())
    fd = _SPILL["fd"]
    with _SPILL["lock"]:
        start = written = os.lseek(fd, 0, os.SEEK_END)
        while data:
            count = os.pwrite(fd, data, written)
            data, written = data[count:], written + count
    return [(subject, start + offset, length) for subject, offset, length in places]


def turtle_batch(texts: list[bytes]) -> tuple[bytes, bytes]:
    """A batch of subjects as Turtle (see :func:`_blocks`).

    Each text is one subject's blocks of N-Triples, from one or more shards.
    """
    return _blocks((merged_subject([text]) for text in texts), "union")


def turtle_pieces(shards: Sequence[Shard], workers: int) -> Iterator[bytes]:
    """Turtle of the union of the shards' graphs, as :func:`kg.store.store.serialized` writes it.

    Raises :class:`~kg.store.store.StoreError` for a shard that is not its manifest's.
    """
    with shard_errors():
        yield from _turtle_pieces(shards, workers)


def _turtle_pieces(shards: Sequence[Shard], workers: int) -> Iterator[bytes]:
    context = multiprocessing.get_context("fork")
    # an anonymous file (gone with this process, however it ends), open in the forked workers
    with _worker_errors(), tempfile.TemporaryFile(prefix="cart-kg-subjects-") as spill, \
            Workers[Any, Any](context, workers, _spill_to, (spill.fileno(), context.Lock())
                              ) as pool:
        jobs = [list(shards[start:start + SHARDS_A_JOB])
                for start in range(0, len(shards), SHARDS_A_JOB)]
        places = [place for found in pool.run(spill_job, jobs) for place in found]
        places.sort()
        fd = spill.fileno()
        texts = (b"".join(os.pread(fd, length, offset) for _, offset, length in blocks)
                 for _, blocks in itertools.groupby(places, key=lambda place: place[0]))
        yield from prefixes_once(pool.run(turtle_batch, batches(texts, BATCH_BYTES)))
