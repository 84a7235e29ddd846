"""Publishing a built dataset to a SPARQL 1.1 server, replacing what an earlier publish put there.

The dataset goes over the SPARQL 1.1 Update protocol (standard, so any server takes it), one
article at a time as a unit: a unit's update removes what the server holds of the article (its
provenance graph and every assertion graph that graph lists) and inserts the article's graphs,
in one request. The registry graph is a unit too, and so is each article the server holds that the
dataset no longer has (it is removed). Units are sent in requests of about ``batch`` quads.

What a publish sent is recorded on the server, in the graph ``graph:published``: for each part,
the SHA-256 of the shard it came from (``cart:publishedShard``), written in the request that
carries the part. The next publish sends again only the parts whose shard changed, and removes
the articles the build no longer has: after one article is edited, one article goes (with the
analyses graph, if the edit changed it). An article the server does not hold is inserted without
a removal first.

What a reader sees, and what a dropped connection leaves:

- a request is applied whole or not at all: one cut before its end is never applied (the server
  waits for the whole body), so every article on the server is either as before or as
  published, never half of each; publishing again finishes the work;
- Oxigraph applies each request in one transaction: a dataset that fits in one request (the
  default ``batch``) changes for readers at once; a larger one article by article;
- Virtuoso applies a request's operations in order: a reader may see an article missing for the
  moment between its removal and its insertion.

The analyses graph (``graph:analyses``, derived from all the articles) is sent last, when it
changed: as the lines that differ from the copy of the shard the server holds, kept in the build
folder (:data:`PUBLISHED_DIR`), or, without that copy, cleared and inserted whole. Either may take
several requests; a reader may see it incomplete until the last.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core.progress import Progress
from kg.core.vocab import CART
from kg.rdf.emit import ANALYSES_GRAPH, REGISTRY_GRAPH, provenance_graph
from kg.store.dataset import ANALYSES_SHARD, REGISTRY_SHARD
from kg.store.files import write_atomic
from kg.store.remote import RemoteError, RemoteStore
from kg.store.shards import (
    ShardError,
    line_changes,
    shard_bytes,
    shard_quads,
)
from kg.store.store import GraphStore, shard_errors
from kg.store.update_text import (
    INSERT_CHUNK,
    PROVENANCE,
    PUBLISHED_GRAPH,
    clear_article,
    clear_registry,
    delete,
    forget,
    insert,
    remember,
)

#: Quads per update request: the seed dataset and small ones go in one request (atomic where the
#: server applies a request in one transaction); a large one article by article in requests of
#: about this size.
BATCH = 50_000
#: Bytes of update text per request, at most (but for one unit larger than that): Virtuoso 7
#: refuses an update over 10 MB ("The requested string session is longer than 10Mb"), and a
#: request of ``BATCH`` quads with long quotes passes that.
MAX_BYTES = 8_000_000
#: The build folder's copy of the analyses shard last published, named by its SHA-256: the next
#: publish sends the lines that differ from it (see :func:`_analyses_units`).
PUBLISHED_DIR = ".published"
_PUBLISHED = f"""SELECT DISTINCT ?prov WHERE {{
  GRAPH ?prov {{ ?a <{CART.fromArticle}> ?article }}
  FILTER(STRSTARTS(STR(?prov), "{PROVENANCE}"))
}}"""
_RECORDS = f"""SELECT ?part ?sha256 WHERE {{
  GRAPH <{PUBLISHED_GRAPH}> {{ ?part <{CART.publishedShard}> ?sha256 }}
}}"""


class PublishError(Exception):
    """Publishing stopped; the message says how far it went and what to do."""


@dataclass(frozen=True)
class PublishResult:
    """What a publish did."""

    articles: int
    removed: tuple[str, ...]
    quads: int
    requests: int
    #: parts (the registry, articles, the analyses) the server already held as built: not sent
    unchanged: int = 0


@dataclass(frozen=True)
class _Unit:
    """What one request part does: clear an article (or the registry) and insert its quads."""

    name: str
    clear: str
    quads: Sequence[ox.Quad]
    #: whether the unit removes an article the build no longer has
    removal: bool = False
    #: the operation that records the part's shard as published, after its quads
    record: str = ""


_NOT_ARTICLES = (REGISTRY_SHARD, ANALYSES_SHARD)


@dataclass(frozen=True)
class _Server:
    """What the server holds of the project: its articles' provenance graphs and the records."""

    articles: set[str]
    records: dict[str, str]


def _units(changed: list[tuple[Path, str]], removed: list[str], held: _Server,
           copies: Path | None) -> Iterator[_Unit]:
    """The parts to send: each shard the server does not hold as built, then the removals."""
    for path, sha256 in changed:
        part = _part(path)
        if path.name == ANALYSES_SHARD:
            yield from _analyses_units(path, sha256, held, copies)
            continue
        with shard_errors():
            quads = shard_quads(path, sha256)
        if path.name == REGISTRY_SHARD:
            yield _Unit("registry", f"{forget(part)} ;\n{clear_registry()}", quads,
                        record=remember(part, sha256))
        else:
            on_server = part in held.articles or part in held.records
            clear = f"{forget(part)} ;\n{clear_article(ox.NamedNode(part))}" if on_server else ""
            yield _Unit(path.stem, clear, quads, record=remember(part, sha256))
    for part in removed:
        yield _Unit(part.removeprefix(PROVENANCE),
                    f"{forget(part)} ;\n{clear_article(ox.NamedNode(part))}", (), removal=True)


def _analyses_units(path: Path, sha256: str, held: _Server, copies: Path | None,
                    ) -> Iterator[_Unit]:
    """The analyses graph's units: the lines that differ from the published copy, or all.

    One edited article changes a few of the graph's quads (600,000 at 10,000 articles); with a
    copy of the shard the server holds, only those go (and fit in one request, applied at once
    where the server applies a request in one transaction).
    """
    part = str(ANALYSES_GRAPH)
    held_sha256 = held.records.get(part)
    old = None
    if copies is not None and held_sha256 is not None:
        try:
            old = shard_bytes(copies / f"{held_sha256}.nq", held_sha256)
        except ShardError:  # no copy, or not that shard: the graph goes whole
            old = None
    removed: list[ox.Quad] = []
    with shard_errors():
        if old is None:
            added = shard_quads(path, sha256)
            first = f"{forget(part)} ;\nDROP SILENT GRAPH <{part}>"
        else:
            removed, added = line_changes(old, shard_bytes(path, sha256))
            first = forget(part)
    yield _Unit("analyses", first, ())
    for start in range(0, len(removed), INSERT_CHUNK):
        yield _Unit("analyses", delete(removed[start:start + INSERT_CHUNK]), ())
    for start in range(0, len(added), INSERT_CHUNK):
        yield _Unit("analyses", "", added[start:start + INSERT_CHUNK])
    yield _Unit("analyses", "", (), record=remember(part, sha256))


def _copies(store: GraphStore) -> Path | None:
    """Where the build folder keeps the copy of the analyses shard last published."""
    return None if store.folder is None else store.folder.parent / PUBLISHED_DIR


def _keep_copy(store: GraphStore) -> None:
    """Keep a copy of the build's analyses shard (now on the server), and no older one.

    A folder that cannot be written is no error: the next publish sends the graph whole.
    """
    copies = _copies(store)
    shard = next(((path, sha256) for path, sha256 in store.shards
                  if path.name == ANALYSES_SHARD), None)
    if copies is None or shard is None:
        return
    path, sha256 = shard
    try:
        copies.mkdir(exist_ok=True)
        if not (copies / f"{sha256}.nq").exists():
            write_atomic(copies / f"{sha256}.nq", shard_bytes(path, sha256))
        for old in copies.glob("*.nq"):
            if old.name != f"{sha256}.nq":
                old.unlink()
    except (OSError, ShardError):
        return


def _part(path: Path) -> str:
    """The graph that names a shard's part in the records."""
    if path.name == REGISTRY_SHARD:
        return str(REGISTRY_GRAPH)
    if path.name == ANALYSES_SHARD:
        return str(ANALYSES_GRAPH)
    return provenance_graph(path.stem).value


def _changed(store: GraphStore, held: _Server) -> list[tuple[Path, str]]:
    """The shards the server does not hold as built (an article's needs its provenance graph)."""
    return [(path, sha256) for path, sha256 in store.shards
            if held.records.get(part := _part(path)) != sha256
            or (path.name not in _NOT_ARTICLES and part not in held.articles)]


def _removed(store: GraphStore, held: _Server) -> set[str]:
    """The articles on the server (or in its records) that the build no longer has."""
    kept = _kept(store)
    recorded = {part for part in held.records if part.startswith(PROVENANCE)}
    return (held.articles | recorded) - kept


def _requests(units: Iterator[_Unit], batch: int) -> Iterator[tuple[list[_Unit], str]]:
    """The units in requests of at most ``batch`` quads and :data:`MAX_BYTES`, with their text.

    A unit larger than either goes alone.
    """
    group: list[_Unit] = []
    texts: list[str] = []
    size = length = 0
    for unit in units:
        text = _unit_text(unit)
        nbytes = len(text.encode("utf-8"))
        if group and (size + len(unit.quads) > batch or length + nbytes > MAX_BYTES):
            yield group, " ;\n".join(texts)
            group, texts, size, length = [], [], 0, 0
        group.append(unit)
        size += len(unit.quads)
        if text:
            texts.append(text)
            length += nbytes + 3
    if group:
        yield group, " ;\n".join(texts)


def _unit_text(unit: _Unit) -> str:
    steps = [unit.clear] if unit.clear else []
    if unit.quads:
        steps.append(insert(unit.quads))
    if unit.record:
        steps.append(unit.record)
    return " ;\n".join(steps)


def _prepared(groups: Iterator[tuple[list[_Unit], str]]) -> Iterator[tuple[list[_Unit], str]]:
    """Each request's units and text, the next one made while the server applies the current one.

    The shards are read and the text written in a thread, while the server works in its own
    process on the request before. An error in reading is raised here, in its order.
    """
    ready: queue.Queue[tuple[list[_Unit], str] | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: tuple[list[_Unit], str] | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for group in groups:
                if not offer(group):
                    return
            offer(None)
        except BaseException as err:  # handed to the consumer, raised there
            offer(err)

    threading.Thread(target=produce, name="publish-reader", daemon=True).start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def publish_dataset(data: Path, server: RemoteStore, batch: int = BATCH,
                    bar: Progress | None = None) -> PublishResult:
    """Put the built dataset at ``data`` on the server, replacing an earlier publish of it.

    ``bar`` counts the parts (the registry, each article, each removal) as requests carry them.
    Raises :class:`PublishError` (from a dataset that cannot be read, or a
    server that refuses a request or drops the connection).
    """
    from kg.store.store import StoreError

    try:
        store = GraphStore.from_file(data)
    except StoreError as err:
        raise PublishError(str(err)) from None
    if store.folder is None:
        raise PublishError(f"{data}: not a build folder. Fix: publish the folder `cartkg build` "
                           "wrote (its dataset is published article by article).")
    try:
        held = _Server({row[0].value for row in server.select_named(_PUBLISHED)[1]
                        if row[0] is not None},
                       {row[0].value: row[1].value for row in server.select_named(_RECORDS)[1]
                        if row[0] is not None and row[1] is not None})
    except RemoteError as err:
        raise PublishError(f"nothing was published: {err}") from None
    done = quads = requests = 0
    articles = sum(1 for path, _ in store.shards if path.name not in _NOT_ARTICLES)
    changed = _changed(store, held)
    gone = sorted(_removed(store, held))
    total = len(changed) + len(gone)
    removed: list[str] = []
    if bar is not None:
        bar.total = total
    units = _units(changed, gone, held, _copies(store))
    try:
        for group, text in _prepared(_requests(units, batch)):
            server.update(text)
            requests += 1
            # a part is sent once its record (or, for a removal, its removal) is applied
            parts = sum(1 for unit in group if unit.record or unit.removal)
            done += parts
            quads += sum(len(unit.quads) for unit in group)
            removed += [unit.name for unit in group if unit.removal]
            if bar is not None:
                bar.advance(parts, status=group[-1].name)
    except (RemoteError, StoreError) as err:
        raise PublishError(
            f"publishing stopped after {done} of {total} parts ({requests} request(s) "
            f"answered): {err}\nThe server is consistent: each "
            "article on it is either as before or as published. Fix: run `cartkg publish` "
            "again to finish.") from None
    _keep_copy(store)
    return PublishResult(articles, tuple(removed), quads, requests,
                         len(store.shards) - len(changed))


def _kept(store: GraphStore) -> set[str]:
    """The provenance graphs of the dataset's articles."""
    return {provenance_graph(path.stem).value for path, _ in store.shards
            if path.name not in _NOT_ARTICLES}


