"""Where the graph lives: an embedded Oxigraph store, and the dataset files written from it.

This is the one module that knows the storage engine (see docs/decisions/0002-store.md). Files are
written to a temporary name and renamed, so a failed build never leaves half-written output.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import warnings
import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.sparql_text import bind_values
from kg.rdf.emit import ANALYSES_GRAPH, Quads, graph_key, sort_quads, sort_triples
from kg.store import dataset
from kg.store.index import IndexUnavailable, load_checked, open_index
from kg.store.shards import ShardError, graph_texts, shard_quads, subject_groups

Triples = tuple[ox.Triple, ...]

_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


class StoreError(Exception):
    """A dataset file cannot be read."""


@dataclass(kw_only=True)
class GraphStore:
    """An Oxigraph store holding one dataset.

    Opened from a build's folder, the store is the folder's on-disk index (see
    :mod:`kg.store.index`), opened on first use of :attr:`store`: the first use after a build makes
    or updates the index (about a minute at 10,000 articles), and the exports that read the shards
    (RDF formats, the property-graph projections) never pay for it.
    """

    #: The dataset folder whose index :attr:`store` opens (None for a store loaded from quads or
    #: from one RDF file).
    folder: Path | None = None
    #: The shards of the dataset folder, with their SHA-256 in its manifest: see :meth:`parts`.
    shards: tuple[tuple[Path, str], ...] = ()
    _store: ox.Store | None = field(default=None, repr=False)
    #: The lock (a file descriptor) held while ``_store`` is the on-disk index opened read-only;
    #: released when this object goes.
    _lock: int | None = field(default=None, repr=False)
    #: article id -> its shard and digest (made on first use by :meth:`article_part`)
    _articles: dict[str, tuple[Path, str]] | None = field(default=None, repr=False)

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> GraphStore:
        """Load quads into a fresh store."""
        store = ox.Store()
        store.bulk_extend(quads)
        return cls(_store=store)

    @classmethod
    def from_file(cls, path: Path) -> GraphStore:
        """A dataset: a build's folder (see :mod:`kg.store.dataset`) or one RDF file.

        A build's folder is only checked to be one here (its manifest is read); its index is
        opened on first use of :attr:`store`, or at once with :meth:`open`. Raises
        :class:`StoreError`.
        """
        folder = _dataset_folder(path)
        if folder is None:
            return cls.from_quads(read_quads(path))
        return cls(folder=folder, shards=_manifest_parts(folder))

    def open(self) -> GraphStore:
        """Open the store now, so that a dataset that cannot be read fails here.

        Raises :class:`StoreError`. Returns the store itself.
        """
        _ = self.store
        return self

    @property
    def store(self) -> ox.Store:
        """The Oxigraph store; for a build's folder, its index, opened on first use.

        When the index cannot be used, the shards are loaded in memory instead (with a warning).
        Raises :class:`StoreError` when a shard is not the one the manifest lists.
        """
        if self._store is None:
            self._store = self._open_folder()
        return self._store

    @property
    def lock(self) -> int | None:
        """The index's lock (see ``_lock``), or None when the store is not the on-disk index."""
        _ = self.store
        return self._lock

    def _open_folder(self) -> ox.Store:
        assert self.folder is not None, "a store without a folder is given its store"
        # the index of the manifest read by from_file: a dataset rebuilt since is then an error
        # (its shards are not those digests), never a store of one build with shards of another
        parts = {path.relative_to(self.folder).as_posix(): sha256 for path, sha256 in self.shards}
        try:
            with shard_errors():
                indexed, self._lock = open_index(self.folder, parts)
            weakref.finalize(self, os.close, self._lock)
            return indexed
        except IndexUnavailable as err:
            warnings.warn(f"the on-disk index cannot be used ({err}); loading in memory",
                          stacklevel=_outside_this_module())
        store = ox.Store()
        try:  # one bulk load of all shards in a row: much quicker than one per shard
            with shard_errors():  # a shard that is not valid N-Quads too
                load_checked(store, self.shards)
        except OSError as err:
            raise StoreError(f"{self.folder}: cannot be loaded ({err}). "
                             "Fix: rebuild the dataset with `cartkg build`.") from None
        return store

    def article_part(self, article: ox.NamedNode, article_id: str) -> GraphStore | None:
        """One article's shard as a store of its own, when there is one.

        That is, when the store was opened from a build's folder and the shard
        ``articles/<article_id>.nq`` holds the article. A build puts every triple whose subject
        an article owns (its assertions, quotes, outcomes, and the article itself: see
        :func:`kg.build.parts.part_stats`) in the article's shard and nowhere else, so what a query
        reads there about those subjects is what the whole dataset says of them, at a cost that
        does not grow with the dataset. Raises :class:`StoreError` as :meth:`parts` does.
        """
        found = self._article_shards().get(article_id)
        if found is None:
            return None
        with shard_errors():
            part = GraphStore.from_quads(shard_quads(*found))
        if next(iter(part.store.quads_for_pattern(article, None, None, None)), None) is None:
            return None
        return part

    def article_ids(self) -> list[str]:
        """The ids of the articles that have a shard (none unless opened from a build's folder)."""
        return list(self._article_shards())

    def _article_shards(self) -> dict[str, tuple[Path, str]]:
        if self._articles is None:
            self._articles = {path.stem: (path, sha256) for path, sha256 in self.shards
                              if path.parent.name == dataset.ARTICLE_SHARDS}
        return self._articles

    def parts(self, predicate: str | None = None, *,
              analyses: bool = True) -> Iterator[Iterable[ox.Quad]]:
        """Every quad of the dataset, a part at a time, in no particular order.

        From a build's folder, each shard is read and parsed in turn: reading everything once
        this way takes time in proportion to the dataset, where reading it through the on-disk
        index costs more per quad as the index grows. Otherwise the store's quads, as one part.
        With ``predicate`` (an IRI), the parts hold at least every quad with that predicate, and
        few others: only the shards' lines that name it are parsed. Without ``analyses``, a build's
        analyses shard (derived from the others, ``graph:analyses``) is left out.

        Raises :class:`StoreError` when a shard is not the one the manifest lists (the dataset
        was rebuilt meanwhile, or damaged) or cannot be parsed.
        """
        if not self.shards:
            node = None if predicate is None else ox.NamedNode(predicate)
            found = self.store.quads_for_pattern(None, node, None, None)
            derived = ox.NamedNode(str(ANALYSES_GRAPH))
            yield found if analyses else (q for q in found if q.graph_name != derived)
            return
        token = None if predicate is None else f"<{predicate}>".encode()
        with shard_errors():
            for path, sha256 in self.shards:
                if analyses or path.name != dataset.ANALYSES_SHARD:
                    yield shard_quads(path, sha256, token)

    def quads(self) -> Quads:
        """Every quad of the store, in canonical order."""
        return sort_quads(self.store.quads_for_pattern(None, None, None, None))

    def graph_texts(self) -> Iterator[bytes]:
        """The canonical N-Quads of each graph, in canonical order, one graph at a time.

        Joined, they are :meth:`quads` as N-Quads. From a build's folder, each graph's lines are
        cut from its shard (see :func:`kg.store.shards.graph_texts`): time in proportion to the
        dataset, where the on-disk index costs more per quad as it grows. Raises
        :class:`StoreError` as :meth:`parts` does.
        """
        if not self.shards:
            for quads in self.graphs():
                yield ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
            return
        with shard_errors():
            yield from graph_texts(self.shards)

    def graphs(self) -> Iterator[Quads]:
        """The quads of each graph, in canonical order, one graph at a time.

        Together they are :meth:`quads`, but only one graph is ever held in memory: the RDF
        exports stream from here. From a build's folder, read from the shards (see
        :meth:`graph_texts`).
        """
        if self.shards:
            for text in self.graph_texts():
                yield tuple(ox.parse(text, format=ox.RdfFormat.N_QUADS))
            return
        names = [ox.DefaultGraph(), *sorted(self.store.named_graphs(), key=graph_key)]
        for name in names:
            quads = sort_quads(self.store.quads_for_pattern(None, None, None, name))
            if quads:
                yield quads

    def subjects(self) -> Iterator[Triples]:
        """The union of all graphs, one subject at a time: its distinct triples, sorted.

        Subjects come in canonical order, so that together they are the sorted union; only one
        subject's triples (and the list of subjects) are ever held in memory. From a build's
        folder, read from the shards (see :func:`kg.store.shards.subject_groups`).
        """
        if self.shards:
            with shard_errors():
                yield from subject_groups(self.shards)
            return
        rows = self.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }",
                                use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        for subject in sorted((row[0] for row in rows), key=str):
            yield sort_triples(q.triple for q in self.store.quads_for_pattern(
                subject, None, None, None))

    def __len__(self) -> int:
        return len(self.store)

    def select(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
               ) -> tuple[list[str], list[tuple[ox.NamedNode | ox.Literal | None, ...]]]:
        """Run a SELECT query over the union of all graphs, with bound variables.

        Each bound variable is an Oxigraph substitution, and is also put in an inline VALUES
        block so that the planner sees its value (see :mod:`kg.core.sparql_text`). Returns the
        variable names and the rows. The query must already have been checked for network access
        (see :mod:`kg.query.safety`).
        """
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        result = self.store.query(bind_values(sparql, bindings or {}),
                                  use_default_graph_as_union=True, substitutions=substitutions)
        try:
            if not isinstance(result, ox.QuerySolutions):
                raise StoreError("only SELECT queries are supported here")
            names = [v.value for v in result.variables]
            rows = [tuple(solution) for solution in result]  # its values, in the order of names
        finally:
            # pyoxigraph's solutions must be dropped by the thread that made them: not kept in
            # this frame, which a traceback may keep alive until another thread collects it
            del result
        for row in rows:
            for term in row:
                if term is not None and not isinstance(term, (ox.NamedNode, ox.Literal)):
                    raise StoreError(f"unexpected term in a result: {term}")
        return names, rows


def _dataset_folder(path: Path) -> Path | None:
    if not path.is_dir():
        return None
    folder = dataset.find(path)
    if folder is None:
        raise StoreError(f"{path}: a folder, but not a dataset built by `cartkg build` (no "
                         f"{dataset.MANIFEST} in it or in {path / dataset.DATASET_DIR}). Fix: "
                         "name a build folder, its dataset/ folder, or an RDF file.")
    return folder


def _manifest_parts(folder: Path) -> tuple[tuple[Path, str], ...]:
    try:
        manifest = dataset.read_manifest(folder)
    except dataset.DatasetError as err:
        raise StoreError(str(err)) from None
    return tuple((folder / part["file"], part["sha256"]) for part in manifest["parts"])


def _outside_this_module() -> int:
    """The ``stacklevel`` of a warning given here that names the first caller outside this module.

    The store opens on first use, from its properties and methods (``store``, ``open``,
    ``quotes``, ``select``...): the warning points at the line that used it, however deep.
    """
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    return level


@contextlib.contextmanager
def shard_errors() -> Iterator[None]:
    """Report a shard that is not the one its manifest lists as a :class:`StoreError`."""
    try:
        yield
    except ShardError as err:
        raise StoreError(str(err)) from None


def read_quads(path: Path, *, verify: bool = True) -> Quads:
    """Parse a dataset (a build's folder or one RDF file) into canonical quads.

    A build's folder is checked against its manifest first (see
    :func:`kg.store.dataset.mismatches`): every shard must have the SHA-256 the manifest lists (a
    shard that lost a line does not), and every shard in the folder must be listed. Without
    ``verify``, the shards are read as they are (``cartkg validate`` reports the mismatches
    itself, then checks what the shards hold). Raises :class:`StoreError` when it cannot be read
    or does not match.
    """
    folder = _dataset_folder(path)
    if folder is not None:
        parts = _manifest_parts(folder)
        problems = dataset.mismatches(folder) if verify else []
        if problems:
            raise StoreError(f"{problems[0]} Fix: rebuild the dataset with `cartkg build`.")
        return sort_quads(q for shard, _ in parts for q in _parse(shard))
    return sort_quads(_parse(path))


def _parse(path: Path) -> Quads:
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise StoreError(f"{path}: unknown RDF format; use one of {', '.join(_FORMATS)}.")
    if path.exists() and not path.is_file():
        raise StoreError(f"{path}: not a regular file (a pipe or a device): reading it could "
                         "wait forever. Fix: name an RDF file or a build folder.")
    try:
        with path.open("rb") as handle:
            quads = tuple(ox.parse(handle, format=fmt))
    except OSError as err:
        raise StoreError(f"{path}: cannot be read ({err.strerror}).") from None
    except SyntaxError as err:
        raise StoreError(f"{path}: not valid {fmt.name}: {err}") from None
    blank = next((t for q in quads for t in (q.subject, q.object, q.graph_name)
                  if isinstance(t, ox.BlankNode)), None)
    if blank is not None:
        raise StoreError(f"{path}:{_line_of_blank(path, blank)}: a blank node ({blank}); a "
                         "cart-kg dataset names every node with an IRI, so that each fact can be "
                         "traced. Fix: give the node an IRI, or export the dataset again with "
                         "`cartkg export`.")
    return quads


def _line_of_blank(path: Path, blank: ox.BlankNode) -> int:
    """The line where a blank node first appears: its label, else the first ``[`` (anonymous)."""
    text = path.read_bytes()
    at = text.find(f"_:{blank.value}".encode())
    if at == -1:
        match = re.search(rb"(?m)^[^\"#]*?\[", text)
        at = match.end() if match else 0
    return text.count(b"\n", 0, at) + 1
