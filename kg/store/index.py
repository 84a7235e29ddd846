"""An on-disk Oxigraph index of a built dataset, so that queries start at once at any size.

Loading a 10,000-article dataset into memory takes about 20 s and 2.4 GB, for every command.
Instead, ``build/.index/store/`` holds the dataset in an on-disk Oxigraph store (RocksDB), and
``build/.index/state.json`` the SHA-256 of every shard it holds. :func:`open_index` first brings
the index up to date with ``build/dataset/manifest.json``: the graphs of shards that changed or
went away are removed and the new shards loaded, so the first command after an edit pays for
what changed, and the first after a clean build for everything (about 70 s and 150 MB at 10,000
articles). Then the store is opened read-only, which is instant and takes little memory.

Writers and readers coordinate through ``build/.index/lock`` (an exclusive lock to update, a
shared lock held while reading), as Oxigraph requires that nothing writes a store that is open
read-only. The index is derived data: deleting ``build/.index`` is always safe.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.core.record_vocab import RECORD
from kg.core.vocab import CART
from kg.rdf.emit import ANALYSES_GRAPH, REGISTRY_GRAPH, article_iri, provenance_graph
from kg.store.dataset import ANALYSES_SHARD, REGISTRY_SHARD, read_manifest
from kg.store.files import write_atomic
from kg.store.shards import (
    Shard,
    ShardError,
    changed_shard,
    invalid_shard,
    line_changes,
    shard_bytes,
)

INDEX_DIR = ".index"
#: Shards loaded per bulk load: bounds the loader's memory without slowing it down. At 10,000
#: articles, 500 shards a load peaked at 1.37 GB, 100 at 148 MB (72 s), 25 at 123 MB (but 119 s).
BATCH = 100
#: The store is compacted (``Store.optimize``) once more shards than this fraction of all (and than
#: one batch) were loaded or removed since it last was. Bulk loads and removed graphs leave the
#: store in many overlapping files and tombstones that every scan must merge: at 10,000 articles,
#: claims_per_article took 24 s on an index loaded in batches and later updated, 11 s once
#: compacted (10 s to compact, 44 MB). A one-article edit does not pay for it.
COMPACT_AFTER = 20
#: The index's copy of the analyses shard it holds (see :func:`_update_analyses`).
ANALYSES_COPY = "analyses.nq"


class IndexUnavailable(Exception):
    """The index cannot be opened or updated (the caller falls back to loading in memory)."""


def open_index(folder: Path, parts: Mapping[str, str] | None = None,
               ) -> tuple[ox.Store, int]:
    """The dataset folder as a read-only store, and the lock that keeps it valid.

    The index is brought up to date with ``parts`` (each shard's file name in the folder and its
    SHA-256; by default those of the folder's manifest).

    The lock is a file descriptor: keep it open as long as the store is used; closing it lets a
    later command update the index.
    """
    index = folder.parent / INDEX_DIR
    if parts is None:
        parts = {part["file"]: part["sha256"] for part in read_manifest(folder)["parts"]}
    wanted = dict(parts)
    lock = None
    try:
        index.mkdir(exist_ok=True)
        lock = os.open(index / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(lock, fcntl.LOCK_SH)
        if not _current(index, wanted):
            fcntl.flock(lock, fcntl.LOCK_EX)  # trade the shared lock for the exclusive one
            if not _current(index, wanted):
                _update(index, folder, wanted)
            fcntl.flock(lock, fcntl.LOCK_SH)
        return ox.Store.read_only(str(index / "store")), lock
    except BaseException as err:  # the lock is released whatever stops the update
        if lock is not None:
            os.close(lock)
        if isinstance(err, OSError):
            raise IndexUnavailable(f"{index}: {err}") from err
        raise


def _current(index: Path, wanted: dict[str, str]) -> bool:
    """Whether the index holds these shards."""
    return _state(index) == wanted


def _state(index: Path) -> dict[str, str]:
    return _read_state(index)[0]


def _read_state(index: Path) -> tuple[dict[str, str], int]:
    """The shards the index holds (name to SHA-256), and how many changed since it was compacted."""
    try:
        data = json.loads((index / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, 0
    parts = data.get("parts") if isinstance(data, dict) else None
    if not isinstance(parts, dict):
        return {}, 0
    changed = data.get("uncompacted", 0)
    return parts, changed if isinstance(changed, int) else 0


def _update(index: Path, folder: Path, wanted: dict[str, str]) -> None:
    held, uncompacted = _read_state(index)
    state = index / "state.json"
    state.unlink(missing_ok=True)  # an update stopped midway leaves no state: the next redoes all
    if not held and (index / "store").exists():
        _clear(index / "store")
    store = ox.Store(str(index / "store"))
    stale = [name for name, digest in held.items() if wanted.get(name) != digest]
    analyses_changed = held.get(ANALYSES_SHARD) != wanted.get(ANALYSES_SHARD)
    failed: ShardError | None = None
    try:
        if ANALYSES_SHARD in stale and ANALYSES_SHARD in wanted and _update_analyses(
                store, index, folder / ANALYSES_SHARD, held[ANALYSES_SHARD],
                wanted[ANALYSES_SHARD]):
            stale.remove(ANALYSES_SHARD)
            held = {**held, ANALYSES_SHARD: wanted[ANALYSES_SHARD]}
        for name in stale:
            for graph in _graphs_of(store, name):
                store.remove_graph(graph)
        new = [(folder / name, digest) for name, digest in wanted.items()
               if held.get(name) != digest]
        for start in range(0, len(new), BATCH):
            load_checked(store, new[start:start + BATCH])
    except ShardError as err:
        failed = err.with_traceback(None)  # its frames would hold the store open
    if failed is not None:
        # a shard that is not its manifest's: the index keeps no state, so the next command
        # loads everything again; the store is closed now, not when the error is forgotten
        del store
        raise failed
    # the analyses shard, derived from all the others, changes with any of them: it is not
    # counted, or one edited article would count as two
    uncompacted += sum(1 for name in stale if name != ANALYSES_SHARD) + \
        sum(1 for path, _ in new if path.name != ANALYSES_SHARD)
    if uncompacted > max(BATCH, len(wanted) // COMPACT_AFTER):
        store.optimize()
        uncompacted = 0
    store.flush()
    del store  # closes it, before anything opens it read-only
    if ANALYSES_SHARD in wanted and (analyses_changed or not (index / ANALYSES_COPY).exists()):
        write_atomic(index / ANALYSES_COPY, shard_bytes(folder / ANALYSES_SHARD,
                                                        wanted[ANALYSES_SHARD]))
    write_atomic(state, json.dumps({"parts": wanted, "uncompacted": uncompacted},
                                   sort_keys=True).encode())


def _update_analyses(store: ox.Store, index: Path, shard: Path, held: str, wanted: str) -> bool:
    """Bring the analyses graph from the shard the index holds to the new one, quad by quad.

    The analyses are derived from every article (``graph:analyses``, 600,000 quads at 10,000
    articles), and one edited article changes a few of them: the index keeps a copy of the shard
    it holds (:data:`ANALYSES_COPY`), and removes and adds only the lines that differ, instead of
    removing the graph and loading it again (34 s at 10,000 articles). False when there is no
    copy of the shard held: the caller loads it whole.
    """
    try:
        old = shard_bytes(index / ANALYSES_COPY, held)
    except ShardError:  # no copy, or not of that shard
        return False
    removed, added = line_changes(old, shard_bytes(shard, wanted))
    for quad in removed:
        store.remove(quad)
    store.extend(added)
    return True


def _clear(store: Path) -> None:
    for path in sorted(store.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()


def _graphs_of(store: ox.Store, shard: str) -> Iterator[ox.NamedNode]:
    """The named graphs a shard holds.

    The registry graph with each registry record's graph and the graphs of its statements; the
    analyses graph; or an article's provenance graph and the graph of every assertion that
    provenance graph lists.
    """
    if shard == ANALYSES_SHARD:
        yield ox.NamedNode(str(ANALYSES_GRAPH))
        return
    if shard == REGISTRY_SHARD:
        yield ox.NamedNode(str(REGISTRY_GRAPH))
        records = list(store.quads_for_pattern(None, ox.NamedNode(str(RECORD.fromRecord)), None))
        for graph in sorted({t.value for q in records for t in (q.subject, q.graph_name)
                             if isinstance(t, ox.NamedNode)}):
            yield ox.NamedNode(graph)
        return
    article_id = Path(shard).stem
    provenance = provenance_graph(article_id)
    from_article = ox.NamedNode(str(CART.fromArticle))
    assertions = [q.subject for q in store.quads_for_pattern(
        None, from_article, article_iri(article_id), provenance)]
    yield provenance
    for node in assertions:
        if isinstance(node, ox.NamedNode):
            yield node


class _Chain(io.RawIOBase):
    """Shards read one after the other as one stream (each ends with a newline), each hashed.

    :meth:`check` then raises :class:`ShardError` for the first shard whose SHA-256 is not the
    one its manifest lists.
    """

    def __init__(self, shards: Sequence[Shard]) -> None:
        self._shards = iter(shards)
        self._file: io.BufferedReader | None = None
        self._current: Shard | None = None
        self._hash = hashlib.sha256()
        self._changed: list[Path] = []

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self._file is None:
                self._current = next(self._shards, None)
                if self._current is None:
                    return 0
                self._file = self._current[0].open("rb")
                self._hash = hashlib.sha256()
            count = int(self._file.readinto(buffer) or 0)
            if count:
                self._hash.update(memoryview(buffer)[:count])
                return count
            self._file.close()
            self._file = None
            if self._current is not None and self._hash.hexdigest() != self._current[1]:
                self._changed.append(self._current[0])

    def check(self) -> None:
        """Raise :class:`ShardError` if a shard read is not the one its manifest lists."""
        if self._changed:
            raise changed_shard(self._changed[0])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def load_checked(store: ox.Store, shards: Sequence[Shard]) -> None:
    """Bulk-load shards into ``store`` in one stream; then check each against its SHA-256.

    Raises :class:`ShardError` when one is not the shard its manifest lists: what was loaded
    must then be thrown away.
    """
    raw = _Chain(shards)
    try:
        store.bulk_load(io.BufferedReader(raw), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as err:  # its line number counts from the batch's start: name the shard
        for path, sha256 in shards:
            shard_bytes(path, sha256)  # raises for the shard that is not its manifest's
        raise invalid_shard(", ".join(str(path) for path, _ in shards), err) from None
    raw.check()


