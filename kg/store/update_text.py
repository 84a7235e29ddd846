"""The SPARQL 1.1 Update texts a publish sends (see :mod:`kg.store.publish`).

Every term is written by pyoxigraph (as in N-Quads), never pasted from the caller's text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kg.core.record_vocab import RECORD
from kg.core.vocab import CART, GRAPH
from kg.rdf.emit import REGISTRY_GRAPH, provenance_graph

#: Quads per ``INSERT DATA`` or ``DELETE DATA`` operation (see :func:`insert`).
INSERT_CHUNK = 1_000
#: Where a publish records the SHA-256 of each part's shard (see :mod:`kg.store.publish`).
PUBLISHED_GRAPH = GRAPH["published"]
#: The graph that holds an article's provenance is named with this and the article's id.
PROVENANCE = provenance_graph("").value


def clear_article(provenance: ox.NamedNode) -> str:
    """Remove an article: every assertion graph its provenance graph lists, then that graph."""
    return (f"DELETE {{ GRAPH ?a {{ ?s ?p ?o }} }} WHERE {{ GRAPH {provenance} "
            f"{{ ?a <{CART.fromArticle}> ?article }} GRAPH ?a {{ ?s ?p ?o }} }} ;\n"
            f"DROP SILENT GRAPH {provenance}")


def clear_registry() -> str:
    """Remove the registry graph and every registry record's graph and statements' graphs."""
    record = f"<{RECORD.RegistryRecord}>"
    return (f"DELETE {{ GRAPH ?a {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?r {{ ?a <{RECORD.fromRecord}> "
            f"?record }} GRAPH ?a {{ ?s ?p ?o }} }} ;\n"
            f"DELETE {{ GRAPH ?r {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?r {{ ?record a {record} }} "
            f"GRAPH ?r {{ ?s ?p ?o }} }} ;\n"
            f"DROP SILENT GRAPH <{REGISTRY_GRAPH}>")


def forget(part: str) -> str:
    """Remove the record of what was published of ``part`` (first, before the part changes)."""
    pattern = f"GRAPH <{PUBLISHED_GRAPH}> {{ <{part}> <{CART.publishedShard}> ?sha256 }}"
    return f"DELETE {{ {pattern} }} WHERE {{ {pattern} }}"


def remember(part: str, sha256: str) -> str:
    """Record that ``part`` now holds what the shard of this SHA-256 holds (last)."""
    return (f"INSERT DATA {{ GRAPH <{PUBLISHED_GRAPH}> {{ <{part}> <{CART.publishedShard}> "
            f"{ox.Literal(sha256)} }} }}")


def insert(quads: Sequence[ox.Quad]) -> str:
    """``INSERT DATA`` of the quads, each term written by pyoxigraph (as in N-Quads).

    One operation per :data:`INSERT_CHUNK` quads, in the same request: Virtuoso 7's SPARQL
    compiler runs out of memory on one ``INSERT DATA`` of about 5,000 triples (the registry of a
    10,000-article build holds 16,214 quads), and takes any number of smaller ones.
    """
    return _chunked(quads, "INSERT DATA")


def delete(quads: Sequence[ox.Quad]) -> str:
    """``DELETE DATA`` of the quads, in operations of :data:`INSERT_CHUNK` quads."""
    return _chunked(quads, "DELETE DATA")


def _chunked(quads: Sequence[ox.Quad], operation: str) -> str:
    return " ;\n".join(data_operation(quads[start:start + INSERT_CHUNK], operation)
                        for start in range(0, len(quads), INSERT_CHUNK))


def data_operation(quads: Sequence[ox.Quad], operation: str = "INSERT DATA") -> str:
    """One ``INSERT DATA`` (or ``DELETE DATA``) of the quads, a ``GRAPH`` block per graph."""
    graphs: dict[str, list[str]] = {}
    for q in quads:
        graphs.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
    body = "\n".join(f"GRAPH {name} {{\n" + "\n".join(lines) + "\n}" for name, lines in
                     graphs.items())
    return f"{operation} {{\n{body}\n}}"
