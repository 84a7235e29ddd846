"""Export: the graph as files for visualisers, graph databases and RDF tools.

:data:`EXPORTERS` names every output format; the ``cartkg export`` command takes its ``--format``
choices and help from it. Property-graph formats start from :func:`kg.export.projection.project`
(a :class:`~kg.export.property_graph.PropertyGraph`; :func:`project_graph` gives the same graph in
networkx), RDF formats from the store's graphs. :func:`export_graph` writes one
format as it renders it (a node, an edge, a graph at a time), each file through a temporary name
and a rename.

The writers are imported inside the renderers, so that importing this module for
:data:`EXPORTERS` keeps ``cartkg --help`` instant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.export.projection import (
    CLASS_COLOURS,
    NODE_CLASSES,
    NODE_PREFIXES,
    OUTCOME_MODES,
    ExportError,
    edge_id,
    node_id,
    project,
    project_graph,
)

if TYPE_CHECKING:
    from kg.core.progress import Progress
    from kg.export.property_graph import PropertyGraph
    from kg.store.store import GraphStore

__all__ = [
    "CLASS_COLOURS",
    "EXPORTERS",
    "NODE_CLASSES",
    "NODE_PREFIXES",
    "OUTCOME_MODES",
    "ExportError",
    "ExportJob",
    "ExportResult",
    "Exporter",
    "Files",
    "edge_id",
    "export_graph",
    "node_id",
    "project_graph",
    "render_export",
]

#: What a format renders: file name -> bytes ("" is the output path itself), or the pieces of a
#: file written as they are rendered (the RDF formats: one graph or subject in memory at a time).
Files = dict[str, bytes | Iterable[bytes]]


class ExportJob:
    """What an exporter works from: the store, the projection options, and the projection."""

    def __init__(self, store: GraphStore, *, articles: bool = False, outcomes: str = "nodes",
                 jobs: int | None = None):
        self.store = store
        self.articles = articles
        self.outcomes = outcomes
        #: processes that render TriG, JSON-LD and Turtle (None: one a core)
        self.jobs = jobs

    @property
    def workers(self) -> int:
        """How many worker processes render this dataset's graphs (see kg.export.rdf_workers)."""
        from kg.export.rdf_workers import workers_for

        return workers_for(len(self.store.shards), self.jobs)

    @cached_property
    def graph(self) -> PropertyGraph:
        """The property graph, projected once."""
        return project(self.store, articles=self.articles, outcomes=self.outcomes)


@dataclass(frozen=True)
class Exporter:
    """One output format: what opens it, its default file name, and how it is rendered."""

    description: str
    filename: str
    render: Callable[[ExportJob], Files]
    #: property-graph formats follow --articles and --outcomes; RDF formats hold the dataset
    projected: bool = True
    #: the output is a directory of files rather than one file
    directory: bool = False


def _graphml(job: ExportJob) -> Files:
    from kg.export.xml_formats import graphml_pieces

    return {"": graphml_pieces(job.graph)}


def _gexf(job: ExportJob) -> Files:
    from kg.export.xml_formats import gexf_pieces

    return {"": gexf_pieces(job.graph)}


def _cytoscape(job: ExportJob) -> Files:
    from kg.export.formats import cytoscape_pieces

    return {"": cytoscape_pieces(job.graph)}


def _dot(job: ExportJob) -> Files:
    from kg.export.formats import dot_pieces

    return {"": dot_pieces(job.graph)}


def _turtle(job: ExportJob) -> Files:
    """Each subject rendered apart, by worker processes for a large dataset (rdf_workers)."""
    from kg.export.rdf_workers import turtle_pieces
    from kg.store.files import serialized

    if job.workers <= 1:
        return {"": serialized(job.store.subjects(), "union")}
    return {"": turtle_pieces(job.store.shards, job.workers)}


def _trig(job: ExportJob) -> Files:
    """Each graph rendered apart, by worker processes for a large dataset (rdf_workers)."""
    from kg.export.rdf_workers import trig_pieces

    return {"": trig_pieces(job.store.graph_texts(), job.workers)}


def _nquads(job: ExportJob) -> Files:
    """The graphs' lines as they are: nothing to parse or write again."""
    return {"": job.store.graph_texts()}


def _jsonld(job: ExportJob) -> Files:
    """Each graph rendered apart, by worker processes for a large dataset (rdf_workers)."""
    from kg.export.rdf_workers import jsonld_pieces

    return {"": jsonld_pieces(job.store.graph_texts(), job.workers)}


def _neo4j(job: ExportJob) -> Files:
    from kg.export.formats import neo4j_files

    return dict(neo4j_files(job.graph))


def _html(job: ExportJob) -> Files:
    from kg.export.html import html_pieces

    return {"": html_pieces(job.store, job.graph)}


#: Every export format, by the name ``--format`` takes.
EXPORTERS: dict[str, Exporter] = {
    "graphml": Exporter("GraphML for yEd, Cytoscape and Gephi", "cart-kg.graphml", _graphml),
    "gexf": Exporter("GEXF for Gephi, nodes coloured by class", "cart-kg.gexf", _gexf),
    "cytoscape": Exporter("Cytoscape.js JSON elements (also opens in Cytoscape)",
                          "cart-kg.cyjs", _cytoscape),
    "dot": Exporter("Graphviz DOT", "cart-kg.dot", _dot),
    "neo4j": Exporter("CSV for neo4j-admin import: nodes.csv and relationships.csv in a folder",
                      "neo4j", _neo4j, directory=True),
    "html": Exporter("a self-contained interactive page that works offline", "cart-kg.html",
                     _html),
    "trig": Exporter("TriG: every assertion in its named graph, with provenance",
                     "cart-kg.trig", _trig, projected=False),
    "nquads": Exporter("N-Quads: every assertion in its named graph, with provenance",
                       "cart-kg.nq", _nquads, projected=False),
    "turtle": Exporter("Turtle: the union of all graphs", "cart-kg.ttl", _turtle,
                       projected=False),
    "jsonld": Exporter("JSON-LD with named graphs and the local context shipped in the package",
                       "cart-kg.jsonld", _jsonld, projected=False),
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    format: str
    paths: tuple[Path, ...]
    nodes: int | None = None
    edges: int | None = None


def render_export(store: GraphStore, fmt: str, *, articles: bool = False,
                  outcomes: str = "nodes", jobs: int | None = None,
                  ) -> tuple[dict[str, bytes], ExportJob]:
    """Render one format in memory: same dataset and options, same bytes."""
    job = _job(store, fmt, articles=articles, outcomes=outcomes, jobs=jobs)
    files = EXPORTERS[fmt].render(job)
    return {name: data if isinstance(data, bytes) else b"".join(data)
            for name, data in files.items()}, job


def _job(store: GraphStore, fmt: str, *, articles: bool, outcomes: str,
         jobs: int | None) -> ExportJob:
    """The job for one format, once the format and the options are checked."""
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown format {fmt!r}. Fix: use one of {', '.join(EXPORTERS)}.")
    if outcomes not in OUTCOME_MODES:
        raise ExportError(f"--outcomes {outcomes!r} is not one of {', '.join(OUTCOME_MODES)}.")
    return ExportJob(store, articles=articles, outcomes=outcomes, jobs=jobs)


def export_graph(store: GraphStore, fmt: str, out: Path, *, articles: bool = False,
                 outcomes: str = "nodes", jobs: int | None = None) -> ExportResult:
    """Write one format to ``out`` (a folder for ``neo4j``); nothing is written on failure.

    Files are written as they are rendered: an RDF format a graph (for Turtle, a subject) at a time,
    a property-graph format a node or an edge at a time, so that memory holds the projected graph
    (or one RDF graph), never the file. TriG, JSON-LD and Turtle of a large dataset are rendered by
    ``jobs`` worker processes (default: one a core; see :mod:`kg.export.rdf_workers`). Each file is
    written to a temporary name, and all are renamed once all are written. Raises
    :class:`ExportError` when ``out`` cannot be written, and :class:`kg.core.workers.WorkerDied`
    when a worker is killed. On a terminal a progress bar on stderr follows the steps (see
    :mod:`kg.core.progress`), and is erased when done.
    """
    from kg.core.progress import progress
    from kg.store.files import write_files

    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ExportError(f"unknown format {fmt!r}. Fix: use one of {', '.join(EXPORTERS)}.")
    if not exporter.directory and out.is_dir():
        raise ExportError(f"{out} is a folder. Fix: give a file name, e.g. "
                          f"{out / exporter.filename}.")
    if exporter.directory and out.exists() and not out.is_dir():
        raise ExportError(f"{out} is a file; the {fmt} export writes a folder. Fix: give a "
                          "folder name.")
    job = _job(store, fmt, articles=articles, outcomes=outcomes, jobs=jobs)
    # steps: project (property-graph formats), then render and write the files
    counts: tuple[int, int] | tuple[()] = ()
    with progress(f"Exporting {fmt}", total=1 + exporter.projected, leave=False) as bar:
        if exporter.projected:
            bar.advance(0, status="projecting the graph")
            counts = (job.graph.number_of_nodes(), job.graph.number_of_edges())
            bar.advance()
        files = exporter.render(job)
        paths = {(out / name if name else out): payload for name, payload in files.items()}
        try:
            write_files({path: _counted(payload, bar, f"writing {path.name}")
                         for path, payload in paths.items()})
        except OSError as err:
            reason = err.strerror or str(err)
            raise ExportError(f"cannot write {err.filename or out}: {reason}. Fix: choose a "
                              "path in a folder you can write to.") from None
        bar.advance()
    return ExportResult(fmt, tuple(paths), *counts)


def _counted(pieces: bytes | Iterable[bytes], bar: Progress, status: str) -> Iterator[bytes]:
    """The pieces of a file, the megabytes written so far on the progress bar's status line."""
    bar.advance(0, status=status)
    written = 0
    source = iter([pieces] if isinstance(pieces, bytes) else pieces)
    try:
        for piece in source:
            megabytes = (written + len(piece)) // 10**6
            if megabytes > written // 10**6:  # a new status draws the bar: once a megabyte
                bar.advance(0, status=f"{status}: {megabytes:,} MB")
            written += len(piece)
            yield piece
    finally:  # stopped early (a write failed): the pieces' workers stop now, not when collected
        close = getattr(source, "close", None)
        if close is not None:
            close()
