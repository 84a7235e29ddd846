"""Who a claim's statement is from, and where its article comes from, for trace and evidence.

Read from the graph (see :mod:`kg.rdf.lineage`): the person or body a statement is attributed to
(name, role, affiliation), the article's bibliographic citation and the sources it derives from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.sparql_text import terms_text
from kg.core.vocab import SPARQL_PREFIXES
from kg.store.store import GraphStore

_SAID = SPARQL_PREFIXES + """
SELECT ?a ?name ?role ?affiliation WHERE {
  VALUES ?a { %s }
  ?a prov:wasAttributedTo ?agent .
  ?agent schema:name ?name .
  OPTIONAL { ?agent schema:jobTitle ?role }
  OPTIONAL { ?agent schema:affiliation/rdfs:label ?org }
  OPTIONAL { ?agent cart:affiliationText ?text }
  BIND(COALESCE(?org, ?text) AS ?affiliation)
}
"""

_ARTICLE = SPARQL_PREFIXES + """
SELECT ?article ?journal ?volume ?issue ?pages ?doi ?pmid ?congress ?abstract ?source ?source_id
WHERE {
  ?article a cart:Article .
  OPTIONAL { ?article cart:journalTitle ?journal }
  OPTIONAL { ?article bibo:volume ?volume }
  OPTIONAL { ?article bibo:issue ?issue }
  OPTIONAL { ?article bibo:pages ?pages }
  OPTIONAL { ?article bibo:doi ?doi }
  OPTIONAL { ?article bibo:pmid ?pmid }
  OPTIONAL { ?article cart:congressName ?congress }
  OPTIONAL { ?article cart:abstractNumber ?abstract }
  OPTIONAL { ?article prov:wasDerivedFrom ?source
             OPTIONAL { ?source dcterms:identifier ?source_id } }
}
"""


_ALL_SAID = SPARQL_PREFIXES + """
SELECT ?a ?aid ?claim WHERE {
  ?a prov:wasAttributedTo ?agent ; cart:claimId ?claim ; cart:fromArticle/dcterms:identifier ?aid .
}
"""


@dataclass(frozen=True)
class AttributedClaim:
    """A claim whose statement the source attributes to a person or body."""

    article: str
    claim: str
    said_by: str


def attributed_claims(store: GraphStore) -> tuple[AttributedClaim, ...]:
    """Every claim attributed to someone, by article and claim."""
    _, rows = store.select(_ALL_SAID)
    claims = {a.value: (aid.value, claim.value) for a, aid, claim in rows
              if a is not None and aid is not None and claim is not None}
    found: list[AttributedClaim] = []
    names = sorted(claims)
    for start in range(0, len(names), 200):
        batch = names[start:start + 200]
        speakers = said_by(store, terms_text(ox.NamedNode(a) for a in batch))
        found += [AttributedClaim(*claims[a], speakers[a]) for a in batch if a in speakers]
    return tuple(sorted(found, key=lambda c: (c.article, c.claim)))


@dataclass(frozen=True)
class ArticleSources:
    """An article's citation (empty when it has no bibliographic field) and its sources."""

    citation: str
    derived_from: tuple[str, ...]


def said_by(store: GraphStore, values: str) -> dict[str, str]:
    """"Name (role, affiliation)" by assertion IRI, for the assertions of a VALUES block."""
    found: dict[str, str] = {}
    for a, name, role, affiliation in store.select(_SAID % values)[1]:
        text = speaker(name.value, role and role.value, affiliation and affiliation.value) \
            if name is not None else ""
        if a is not None and text:
            found[a.value] = min(text, found.get(a.value, text))
    return found


def speaker(name: str, role: str | None, affiliation: str | None) -> str:
    """"Name (role, affiliation)": who a statement is attributed to, as trace and exports show it.

    A role or affiliation that repeats the name (a body speaking for itself) is left out.
    """
    details = ", ".join(t for t in (role, affiliation) if t is not None and t != name)
    return f"{name} ({details})" if details else name


def article_sources(store: GraphStore, article: str) -> ArticleSources:
    """An article's citation and what it derives from.

    The citation reads "journal volume(issue):pages; congress abstract N; doi:...; PMID ...";
    the sources are article ids, or the IRIs of sources outside the corpus.
    """
    _, rows = store.select(_ARTICLE, {"article": ox.NamedNode(article)})
    parts: list[str] = []
    sources: set[str] = set()
    for row in rows:
        journal, volume, issue, pages, doi, pmid, congress, abstract, source, source_id = (
            None if t is None else t.value for t in row[1:])
        where = " ".join(p for p in (journal, volume and (volume + (f"({issue})" if issue
                                                                     else ""))) if p)
        if pages:
            where = f"{where}:{pages}" if where else f"pages {pages}"
        meeting = " ".join(p for p in (congress, abstract and f"abstract {abstract}") if p)
        parts = [p for p in (where, meeting, doi and f"doi:{doi}", pmid and f"PMID {pmid}")
                 if p]
        if source is not None:
            sources.add(source_id or source)
    return ArticleSources("; ".join(parts), tuple(sorted(sources)))
