"""Registry records beside the articles: where they agree and where they differ.

The comparison is the library query ``registry_vs_articles`` (queries/registry_vs_articles.rq),
run here for ``cartkg evidence``: one way to answer it, in any SPARQL store.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.core.resources import queries_folder
from kg.query.library import load_query
from kg.store.store import GraphStore

QUERY = "registry_vs_articles"


@dataclass(frozen=True)
class RegistryComparison:
    """One aspect of a trial as its registry record gives it, beside one article's claim."""

    trial: str
    aspect: str
    registry: str
    article: str | None
    agreement: str
    source: str | None
    claim: str | None
    record: str
    retrieved: str


def compare_registry(store: GraphStore) -> tuple[RegistryComparison, ...]:
    """Every row of ``registry_vs_articles``: sponsor, phase, conditions, therapy, status, ..."""
    query = load_query(queries_folder() / f"{QUERY}.rq")
    columns, found = store.select(query.sparql)
    rows = []
    for row in found:
        cells = dict(zip(columns, (None if t is None else t.value for t in row), strict=True))
        rows.append(RegistryComparison(
            trial=cells["trial"] or "", aspect=cells["aspect"] or "",
            registry=cells["registry"] or "", article=cells["article"],
            agreement=cells["agreement"] or "", source=cells["source"], claim=cells["claim"],
            record=cells["record"] or "", retrieved=cells["retrieved"] or ""))
    return tuple(rows)
