"""An article's bibliographic fields and lineage, and who each claim's statement is from, as RDF.

All of it goes in the article's provenance graph:

- bibliographic fields: ``bibo:doi``, ``bibo:pmid``, ``bibo:volume``, ``bibo:issue``,
  ``bibo:pages``, ``cart:journalTitle``, ``cart:congressName``, ``cart:abstractNumber``;
- lineage: ``prov:wasDerivedFrom`` from the article to each source it summarises or derives
  from: another article, ``https://doi.org/<DOI>`` or a URL (a DOI source also carries its
  ``bibo:doi``);
- attribution: ``prov:wasAttributedTo`` from a claim's assertion to an agent minted for the claim
  (``prov:Person`` or ``prov:Organization``) with ``schema:name``, ``schema:jobTitle`` and
  ``schema:affiliation`` (a registry entity) or ``cart:affiliationText``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import PROV, RDF, RDFS

from kg.core import vocab
from kg.core.model import Article, Claim, Entity, SourceRef
from kg.core.vocab import BIBO, CART, RESOURCE, SCHEMA

#: How a DOI becomes the IRI of the source it names.
DOI_RESOLVER = "https://doi.org/"


def _iri(kind: str, *keys: str) -> ox.NamedNode:
    return ox.NamedNode(str(RESOURCE) + "/".join((kind, *keys)))


def agent_iri(article_id: str, claim_id: str) -> ox.NamedNode:
    """The IRI of the person or body a claim's statement is attributed to (one per claim)."""
    return _iri("agent", article_id, claim_id)


def source_iri(ref: SourceRef) -> ox.NamedNode:
    """The IRI of a source an article derives from: its article, its DOI or its URL."""
    if ref.article is not None:
        return _iri("article", ref.article)
    if ref.doi is not None:
        return ox.NamedNode(DOI_RESOLVER + ref.doi)
    return ox.NamedNode(str(ref.url))


def emit_sources(article: Article, claims: Iterable[Claim], entities: dict[str, Entity],
                 graph: ox.NamedNode) -> Iterator[ox.Quad]:
    """The bibliography and lineage of an article and the attribution of its claims."""

    def quad(s: ox.NamedNode, p: URIRef, o: ox.NamedNode | ox.Literal | str | None,
             ) -> Iterator[ox.Quad]:
        if o is not None:
            obj = ox.Literal(o) if isinstance(o, str) else o
            yield ox.Quad(s, ox.NamedNode(str(p)), obj, graph)

    node = _iri("article", article.id)
    b = article.bibliography
    for prop, value in ((BIBO.doi, b.doi), (BIBO.pmid, b.pmid), (BIBO.volume, b.volume),
                        (BIBO.issue, b.issue), (BIBO.pages, b.pages),
                        (CART.journalTitle, b.journal), (CART.congressName, b.congress),
                        (CART.abstractNumber, b.abstract_number)):
        yield from quad(node, prop, value)
    for ref in article.derived_from:
        source = source_iri(ref)
        yield from quad(node, PROV.wasDerivedFrom, source)
        yield from quad(source, BIBO.doi, ref.doi)
    for claim in claims:
        said = claim.attributed_to
        if said is None:
            continue
        agent = agent_iri(claim.article_id, claim.id)
        assertion = _iri("assertion", claim.article_id, claim.id)
        yield from quad(assertion, PROV.wasAttributedTo, agent)
        yield from quad(agent, RDF.type, ox.NamedNode(str(PROV.Agent)))
        cls = PROV.Person if said.kind == "person" else PROV.Organization
        yield from quad(agent, RDF.type, ox.NamedNode(str(cls)))
        yield from quad(agent, RDFS.label, said.name)
        yield from quad(agent, SCHEMA.name, said.name)
        yield from quad(agent, SCHEMA.jobTitle, said.role)
        if said.affiliation is not None:
            entity = entities[said.affiliation]
            segment = vocab.ENTITY_KINDS[entity.kind].segment
            yield from quad(agent, SCHEMA.affiliation, _iri(segment, entity.key))
        yield from quad(agent, CART.affiliationText, said.affiliation_text)
