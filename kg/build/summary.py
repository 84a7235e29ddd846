"""What a build made, by the numbers: the dataset's statistics and the build's result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.core.curie import compact
from kg.core.vocab import CART
from kg.rdf.emit import Quads, term_value
from kg.validation.validate import ValidationReport


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

    @classmethod
    def from_counts(cls, triples: int, graphs: int, classes: Counter[str]) -> Stats:
        """Stats from the distinct triples, the graphs and the subjects per (compact) class."""
        return cls(
            articles=classes.get(compact(str(CART.Article)), 0),
            assertions=classes.get(compact(str(CART.Assertion)), 0),
            quotes=classes.get(compact(str(CART.Quote)), 0),
            outcomes=classes.get(compact(str(CART.Outcome)), 0),
            triples=triples, graphs=graphs, classes=dict(sorted(classes.items())))

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> Stats:
        """Stats from the totals of a dataset folder's manifest (see :mod:`kg.store.dataset`)."""
        totals = manifest["totals"]
        return cls.from_counts(totals["triples"], totals["graphs"], Counter(totals["classes"]))


@dataclass(frozen=True)
class BuildResult:
    """What a build produced. ``quads`` reads the dataset on first use."""

    stats: Stats
    report: ValidationReport
    files: dict[str, Path]
    reused: int = 0
    rebuilt: int = 0
    load: Callable[[], Quads] = field(default=lambda: (), repr=False, compare=False)

    @cached_property
    def quads(self) -> Quads:
        """Every quad of the dataset, in canonical order."""
        return self.load()


def summarize(quads: Quads) -> Stats:
    """Count articles, assertions, quotes, triples and the instances of each class."""
    types: dict[str, set[str]] = {}
    for q in quads:
        if q.predicate.value == str(RDF.type) and isinstance(q.object, ox.NamedNode):
            types.setdefault(compact(q.object.value), set()).add(term_value(q.subject))
    graphs = len({str(q.graph_name) for q in quads})
    return Stats.from_counts(len({q.triple for q in quads}), graphs,
                             Counter({cls: len(nodes) for cls, nodes in types.items()}))
