"""Running a query: on the embedded store with bound parameters, or with rdflib's engine.

Parameters are bound through the engine (Oxigraph substitutions, shown to its planner in an inline
``VALUES`` block written from the terms, see :mod:`kg.core.sparql_text`; rdflib ``initBindings``),
never pasted into the query text. Queries that could reach the network and updates are refused
before any engine sees them (see :mod:`kg.query.safety`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.query.safety import QueryError, error_text, form_refused, query_form
from kg.store.store import GraphStore, StoreError


@dataclass(frozen=True)
class QueryResult:
    """The columns and rows of a SELECT query."""

    columns: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.Literal | None, ...], ...]


def run_query(store: GraphStore, sparql: str,
              bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> QueryResult:
    """Run a (checked) SELECT query on the store with bound variables, offline."""
    from kg.core.netguard import no_network

    form = query_form(sparql)
    if form != "SelectQuery":
        raise QueryError(f"query: {form_refused(form)}")
    try:
        with no_network():
            columns, rows = store.select(sparql, bindings)
    except (SyntaxError, OSError, ValueError, StoreError) as err:
        raise QueryError(f"the query failed: {error_text(err)}") from err
    return QueryResult(tuple(columns), tuple(rows))


def rdflib_dataset(quads: Any) -> Any:
    """An rdflib dataset of the quads; its default graph is the union (for portability checks)."""
    from rdflib import Dataset, URIRef

    from kg.validation.datagraph import to_rdflib

    dataset = Dataset(default_union=True)
    for q in quads:
        dataset.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                     dataset.graph(URIRef(q.graph_name.value))))
    return dataset


def run_query_rdflib(dataset: Any, sparql: str,
                     bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None
                     ) -> QueryResult:
    """Run the same query with rdflib's own SPARQL engine, offline; rows as Oxigraph terms."""
    from rdflib import Literal, URIRef

    from kg.core.netguard import no_network
    from kg.validation.datagraph import to_rdflib

    form = query_form(sparql)
    if form != "SelectQuery":
        raise QueryError(f"query: {form_refused(form)}")
    init = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
    try:
        with no_network():
            result = dataset.query(sparql, initBindings=init)
            columns = tuple(str(v) for v in result.vars)
            materialised = list(result)
    except Exception as err:  # rdflib raises bare exceptions for what it cannot evaluate
        # Whatever was raised is named, and kept as the cause: an exception without a message
        # (e.g. a caller's time limit raised from a signal handler) must not read as an empty
        # rdflib failure.
        raise QueryError(f"rdflib could not run the query: {error_text(err)}") from err

    def back(term: Any) -> ox.NamedNode | ox.Literal | None:
        if term is None:
            return None
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            datatype = term.datatype or URIRef("http://www.w3.org/2001/XMLSchema#string")
            return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
        raise QueryError(f"unexpected term in a result: {term!r}")

    rows = tuple(tuple(back(row[c]) for c in columns) for row in materialised)
    return QueryResult(columns, rows)
