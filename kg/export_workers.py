"""The TriG and JSON-LD exports rendered on every core, in the graphs' order.

A graph's TriG or JSON-LD depends on that graph alone, so the work can be shared. This process
cuts the graphs from the shards in canonical order (:meth:`kg.store.GraphStore.graph_texts`)
and sends them in batches of about :data:`BATCH_BYTES` of N-Quads to worker processes, which
parse and render them. The pieces come back in the batches' order (:class:`kg.workers.Workers`),
so the file is byte for byte the one a single process writes. Only a few batches are in memory
at a time.

A dataset of fewer than :data:`PARALLEL_FROM` shards is rendered in this process: starting
the workers would cost more than they save.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import pyoxigraph as ox

from kg.workers import Workers

#: The N-Quads a batch of graphs holds, at most (a larger graph is a batch of its own).
BATCH_BYTES = 1 << 22
#: The fewest shards for which the graphs are rendered in worker processes.
PARALLEL_FROM = 64

R = TypeVar("R")


def workers_for(shards: int) -> int:
    """How many worker processes render a dataset of this many shards (1: this process)."""
    if shards < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return os.cpu_count() or 1


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
    with Workers[list[bytes], R](context, workers, _ready) as pool:
        yield from pool.run(render, batches(texts, BATCH_BYTES))


def _ready() -> None:
    """A worker needs no set-up: it was forked with everything imported."""


def _parsed(text: bytes) -> tuple[ox.Quad, ...]:
    return tuple(ox.parse(text, format=ox.RdfFormat.N_QUADS))


def trig_batch(texts: list[bytes]) -> tuple[bytes, bytes]:
    """The ``@prefix`` lines of the first graph's TriG, and the TriG of every graph after them."""
    from kg.store import serialized_block

    header = b""
    bodies = []
    for number, text in enumerate(texts):
        head, body = serialized_block(_parsed(text), "trig")
        if number == 0:
            header = head
        bodies.append(body)
    return header, b"".join(bodies)


def trig_pieces(texts: Iterable[bytes], workers: int) -> Iterator[bytes]:
    """TriG of the graphs' texts: as :func:`kg.store.serialized` writes them, ``@prefix`` once."""
    first = True
    for header, body in rendered(trig_batch, texts, workers):
        if first:
            yield header
            first = False
        yield body


def jsonld_batch(texts: list[bytes]) -> bytes:
    """The JSON-LD ``@graph`` items of a batch of graphs (see ``export_formats.jsonld_items``)."""
    from kg.export_formats import jsonld_compactor, jsonld_items

    return jsonld_items((_parsed(text) for text in texts), jsonld_compactor())


def jsonld_pieces(texts: Iterable[bytes], workers: int) -> Iterator[bytes]:
    """JSON-LD of the graphs' texts, as :func:`kg.export_formats.jsonld_pieces` writes it."""
    from kg.export_formats import jsonld_document

    return jsonld_document(rendered(jsonld_batch, texts, workers))
