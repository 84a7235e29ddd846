"""The build pipeline: read and verify sources, emit RDF, validate, write the dataset files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.emit import Quads, emit_dataset, term_value
from kg.sources import load_sources
from kg.store import write_dataset
from kg.validate import ValidationReport, validate_dataset
from kg.vocab import CART, compact
from kg.yamlfile import Problem, SourceError

DEFAULT_SOURCES = Path("sources")
DEFAULT_OUT = Path("build")


@dataclass(frozen=True)
class Stats:
    """What a dataset holds, by the numbers."""

    articles: int
    assertions: int
    quotes: int
    outcomes: int
    triples: int
    graphs: int
    classes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    quads: Quads
    stats: Stats
    report: ValidationReport
    files: dict[str, Path]


def summarize(quads: Quads) -> Stats:
    """Count articles, assertions, quotes, triples and the instances of each class."""
    types: dict[str, set[str]] = {}
    graphs = set()
    triples = set()
    for q in quads:
        graphs.add(str(q.graph_name))
        triples.add(q.triple)
        if q.predicate.value == str(RDF.type) and isinstance(q.object, ox.NamedNode):
            types.setdefault(q.object.value, set()).add(term_value(q.subject))
    counts = Counter({compact(cls): len(nodes) for cls, nodes in types.items()})
    return Stats(
        articles=counts.get(compact(str(CART.Article)), 0),
        assertions=counts.get(compact(str(CART.Assertion)), 0),
        quotes=counts.get(compact(str(CART.Quote)), 0),
        outcomes=counts.get(compact(str(CART.Outcome)), 0),
        triples=len(triples),
        graphs=len(graphs),
        classes=dict(sorted(counts.items())),
    )


def build_dataset(sources: Path = DEFAULT_SOURCES, out: Path | None = DEFAULT_OUT,
                  exclude: frozenset[str] = frozenset()) -> BuildResult:
    """Build the dataset from ``sources``; write it to ``out`` only when it validates.

    Raises :class:`kg.yamlfile.SourceError` when the sources have problems.
    """
    corpus = load_sources(sources)
    unknown = sorted(exclude - set(corpus.articles))
    if unknown:
        raise SourceError([Problem(
            str(sources), None, f"no article {', '.join(unknown)} to leave out.",
            f"use an article id among {', '.join(corpus.articles)}.")])
    quads = emit_dataset(corpus, exclude=exclude)
    report = validate_dataset(quads)
    files: dict[str, Path] = {}
    if out is not None and report.conforms:
        files = write_dataset(quads, out)
    return BuildResult(quads=quads, stats=summarize(quads), report=report, files=files)
