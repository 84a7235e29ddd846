"""Publishing a built dataset to a SPARQL 1.1 server, replacing what an earlier publish put there.

The dataset goes over the SPARQL 1.1 Update protocol (standard, so any server takes it), one
article at a time as a unit: a unit's update removes what the server holds of the article (its
provenance graph and every assertion graph that graph lists) and inserts the article's graphs,
in one request. The registry graph is a unit too, and so is each article the server holds that the
dataset no longer has (it is removed). Units are sent in requests of about ``batch`` quads.

What a reader sees, and what a dropped connection leaves:

- a request is applied whole or not at all: one cut before its end is never applied (the server
  waits for the whole body), so every article on the server is either as before or as
  published, never half of each; publishing again finishes the work;
- Oxigraph applies each request in one transaction: a dataset that fits in one request (the
  default ``batch``) changes for readers at once; a larger one article by article;
- Virtuoso applies a request's operations in order: a reader may see an article missing for the
  moment between its removal and its insertion.

The analyses graph (``graph:analyses``, derived from all the articles) is sent last, cleared and
then inserted in requests of ``batch`` quads: a reader may see it incomplete until the last.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core.progress import Progress
from kg.core.record_vocab import RECORD
from kg.core.vocab import CART, GRAPH
from kg.rdf.emit import ANALYSES_GRAPH, REGISTRY_GRAPH, provenance_graph
from kg.store.dataset import ANALYSES_SHARD, REGISTRY_SHARD
from kg.store.remote import RemoteError, RemoteStore
from kg.store.shards import shard_quads
from kg.store.store import GraphStore, shard_errors

#: Quads per update request: the seed dataset and small ones go in one request (atomic where the
#: server applies a request in one transaction); a large one article by article in requests of
#: about this size.
BATCH = 50_000
#: Quads per ``INSERT DATA`` operation (see :func:`_insert`).
INSERT_CHUNK = 1_000
_PROVENANCE = str(GRAPH) + "provenance/"
_PUBLISHED = f"""SELECT DISTINCT ?prov WHERE {{
  GRAPH ?prov {{ ?a <{CART.fromArticle}> ?article }}
  FILTER(STRSTARTS(STR(?prov), "{_PROVENANCE}"))
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


@dataclass(frozen=True)
class _Unit:
    """What one request part does: clear an article (or the registry) and insert its quads."""

    name: str
    clear: str
    quads: Sequence[ox.Quad]
    #: whether the unit removes an article the build no longer has
    removal: bool = False


_NOT_ARTICLES = (REGISTRY_SHARD, ANALYSES_SHARD)


def _clear_article(provenance: ox.NamedNode) -> str:
    return (f"DELETE {{ GRAPH ?a {{ ?s ?p ?o }} }} WHERE {{ GRAPH {provenance} "
            f"{{ ?a <{CART.fromArticle}> ?article }} GRAPH ?a {{ ?s ?p ?o }} }} ;\n"
            f"DROP SILENT GRAPH {provenance}")


def _clear_registry() -> str:
    """Remove the registry graph and every registry record's graph and statements' graphs."""
    record = f"<{RECORD.RegistryRecord}>"
    return (f"DELETE {{ GRAPH ?a {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?r {{ ?a <{RECORD.fromRecord}> "
            f"?record }} GRAPH ?a {{ ?s ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH ?r {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?r {{ ?record a {record} }} "
            f"GRAPH ?r {{ ?s ?p ?o }} }} ;\n"
            f"DROP SILENT GRAPH <{REGISTRY_GRAPH}>")


def _insert(quads: Sequence[ox.Quad]) -> str:
    """``INSERT DATA`` of the quads, each term written by pyoxigraph (as in N-Quads).

    One operation per :data:`INSERT_CHUNK` quads, in the same request: Virtuoso 7's SPARQL
    compiler runs out of memory on one ``INSERT DATA`` of about 5,000 triples (the registry of a
    10,000-article build holds 16,214 quads), and takes any number of smaller ones.
    """
    return " ;\n".join(_insert_data(quads[start:start + INSERT_CHUNK])
                        for start in range(0, len(quads), INSERT_CHUNK))


def _insert_data(quads: Sequence[ox.Quad]) -> str:
    graphs: dict[str, list[str]] = {}
    for q in quads:
        graphs.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    body = "\n".join(f"GRAPH {name} {{\n" + "\n".join(lines) + "\n}" for name, lines in
                     graphs.items())
    return f"INSERT DATA {{\n{body}\n}}"


def _units(store: GraphStore, published: set[str], batch: int) -> Iterator[_Unit]:
    for path, sha256 in store.shards:
        with shard_errors():
            quads = shard_quads(path, sha256)
        if path.name == REGISTRY_SHARD:
            yield _Unit("registry", _clear_registry(), quads)
        elif path.name == ANALYSES_SHARD:  # large: cleared, then inserted in several requests
            step = max(batch, INSERT_CHUNK)
            for start in range(0, max(len(quads), 1), step):
                yield _Unit("analyses", "" if start else f"DROP SILENT GRAPH <{ANALYSES_GRAPH}>",
                            quads[start:start + step])
        else:
            yield _Unit(path.stem, _clear_article(provenance_graph(path.stem)), quads)
    for prov in sorted(published - _kept(store)):
        yield _Unit(prov.removeprefix(_PROVENANCE), _clear_article(ox.NamedNode(prov)), (),
                    removal=True)


def _requests(units: Iterator[_Unit], batch: int) -> Iterator[list[_Unit]]:
    group: list[_Unit] = []
    size = 0
    for unit in units:
        if group and size + len(unit.quads) > batch:
            yield group
            group, size = [], 0
        group.append(unit)
        size += len(unit.quads)
    if group:
        yield group


def _text(group: list[_Unit]) -> str:
    parts = []
    for unit in group:
        steps = [unit.clear] if unit.clear else []
        if unit.quads:
            steps.append(_insert(unit.quads))
        parts.append(" ;\n".join(steps))
    return " ;\n".join(parts)


def _prepared(groups: Iterator[list[_Unit]]) -> Iterator[tuple[list[_Unit], str]]:
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
                if not offer((group, _text(group))):
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
        published = {row[0].value for row in server.select_named(_PUBLISHED)[1]
                     if row[0] is not None}
    except RemoteError as err:
        raise PublishError(f"nothing was published: {err}") from None
    done = quads = requests = 0
    articles = sum(1 for path, _ in store.shards if path.name not in _NOT_ARTICLES)
    total = len(store.shards) + len(published - _kept(store))
    removed: list[str] = []
    if bar is not None:
        bar.total = total
    try:
        for group, text in _prepared(_requests(_units(store, published, batch), batch)):
            server.update(text)
            requests += 1
            done += len(group)
            quads += sum(len(unit.quads) for unit in group)
            removed += [unit.name for unit in group if unit.removal]
            if bar is not None:
                bar.advance(len(group), status=group[-1].name)
    except (RemoteError, StoreError) as err:
        raise PublishError(
            f"publishing stopped after {done} of {total} parts ({requests} request(s) "
            f"answered): {err}\nThe server is consistent: each "
            "article on it is either as before or as published. Fix: run `cartkg publish` "
            "again to finish.") from None
    return PublishResult(articles, tuple(removed), quads, requests)


def _kept(store: GraphStore) -> set[str]:
    """The provenance graphs of the dataset's articles."""
    return {provenance_graph(path.stem).value for path, _ in store.shards
            if path.name not in _NOT_ARTICLES}


