"""Provenance tracing: from an entity, a fact, an outcome or an article back to its quotes.

Works on any dataset in the store (it never reads ``sources/``): the article text, offsets and
metadata are all in the graph.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.core.curie import compact
from kg.core.sparql_text import terms_text
from kg.core.vocab import SPARQL_PREFIXES
from kg.provenance.attribution import ArticleSources, article_sources, said_by
from kg.store.store import GraphStore

_PREFIXES = SPARQL_PREFIXES


@dataclass(frozen=True)
class QuoteRecord:
    """A quote in the sentence around it."""

    exact: str
    start: int
    end: int
    sentence: str
    span_start: int
    span_end: int

    def marked(self, left: str = "«", right: str = "»") -> str:
        """The sentence with the quoted span marked."""
        s = self.sentence
        return s[: self.span_start] + left + s[self.span_start : self.span_end] + right + \
            s[self.span_end :]


@dataclass(frozen=True)
class EvidenceRecord:
    """One assertion: what it says, the article and quotes it comes from, and its status."""

    assertion: str
    claim_id: str
    curation_file: str
    article: str
    article_id: str
    article_title: str
    article_date: str | None
    article_kind: str
    basis: str
    rationale: str | None
    disputed: bool
    dispute_reason: str | None
    disputed_by: tuple[str, ...]
    quotes: tuple[QuoteRecord, ...]
    triples: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    note: str | None = None
    #: who the statement is attributed to: "name (role, affiliation)"
    said_by: str | None = None
    #: the article's citation, and the sources it derives from
    article_citation: str = ""
    article_derived_from: tuple[str, ...] = ()


def _value(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value


_END = re.compile(r"[.!?][\"”’)]?(?=\s|$)|\n")
_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "Prof.", "e.g.", "i.e.", "vs.", "St.", "No.")


def _sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end (a line break ends one too), abbreviations skipped."""
    ends = []
    for match in _END.finditer(text):
        if match.group() != "\n" and text[: match.start() + 1].endswith(_ABBREVIATIONS):
            continue
        ends.append(match.start() if match.group() == "\n" else match.end())
    return ends


def sentence_around(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence (or line) holding ``text[start:end]``, and the span's offsets within it."""
    return _sentence_in(text, _sentence_ends(text), start, end)


def _sentence_in(text: str, ends: list[int], start: int, end: int) -> tuple[str, int, int]:
    """:func:`sentence_around`, with the text's sentence ends (ascending) already found."""
    before = bisect.bisect_right(ends, start)
    left = ends[before - 1] if before else 0
    after = bisect.bisect_left(ends, max(end - 2, start + 1))
    right = ends[after] if after < len(ends) else len(text)
    right = max(right, end)
    while left < start and text[left].isspace():
        left += 1
    return text[left:right], start - left, end - left


#: What an evidence record needs (``?a``, a claim with its quotes, from ``?article`` with its
#: identifier ``?aid``, title, kind, date and a text): what :func:`evidence_for` finds, and what
#: other readers match to find the same claims and articles (the HTML page's article list).
EVIDENCE_PATTERN = """
  ?a a cart:Assertion ; cart:claimId ?claim ; cart:curationFile ?file ; cart:fromArticle ?article ;
     cart:evidenceType ?eco ; cart:isDisputed ?disputed ; cart:hasQuote ?quote .
  ?quote oa:exact ?exact ; oa:start ?start ; oa:end ?end .
  ?article dcterms:identifier ?aid ; dcterms:title ?title ; cart:articleKind ?kind ;
           cart:text ?anyText .
  OPTIONAL { ?article dcterms:date ?date }
"""

#: The evidence of a batch of assertions (a VALUES block of their IRIs is filled in), without
#: the article's text: it is read once per article (see :func:`evidence_for`).
_EVIDENCE = _PREFIXES + """
SELECT ?a ?claim ?file ?article ?aid ?title ?date ?kind ?eco ?rationale ?disputed ?reason
       ?by ?quote ?exact ?start ?end ?note
WHERE {
  VALUES ?a { %s }""" + EVIDENCE_PATTERN + """  OPTIONAL { ?a cart:rationale ?rationale }
  OPTIONAL { ?a rdfs:comment ?note }
  OPTIONAL { ?a cart:disputeReason ?reason }
  OPTIONAL { ?a cart:disputedBy ?by }
}
"""

_TRIPLES = "SELECT ?a ?s ?p ?o WHERE { VALUES ?a { %s } GRAPH ?a { ?s ?p ?o } }"
_TEXT = _PREFIXES + "SELECT ?text ?article WHERE { ?article cart:text ?text }"
#: Assertions per query: a VALUES block of this many IRIs is quick to parse and to join.
BATCH = 200


class _Article:
    """An article's text and where its sentences end, read once for all its quotes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = _sentence_ends(text)

    def sentence(self, start: int, end: int) -> tuple[str, int, int]:
        return _sentence_in(self.text, self.ends, start, end)


def evidence_for(store: GraphStore, assertions: list[ox.NamedNode]) -> list[EvidenceRecord]:
    """Full evidence records for the given assertion IRIs, sorted by article then claim.

    The assertions are read a batch of :data:`BATCH` at a time, and each article's text once.
    """
    ordered = sorted(set(assertions), key=lambda a: a.value)
    articles: dict[str, _Article] = {}
    sources: dict[str, ArticleSources] = {}
    records = []
    for start in range(0, len(ordered), BATCH):
        batch = ordered[start:start + BATCH]
        values = terms_text(batch)
        rows: dict[str, list[tuple[ox.NamedNode | ox.Literal | None, ...]]] = {}
        for row in store.select(_EVIDENCE % values)[1]:
            rows.setdefault(_value(row[0]) or "", []).append(row)
        triples: dict[str, list[tuple[str, str, str]]] = {}
        for a, *spo in store.select(_TRIPLES % values)[1]:
            triples.setdefault(_value(a) or "", []).append(
                (_short(spo[0]), _short(spo[1]), _short(spo[2])))
        speakers = said_by(store, values)
        for assertion in batch:
            found = rows.get(assertion.value)
            if found:
                record = _record(store, assertion, found, triples.get(assertion.value, []),
                                 articles)
                if record.article not in sources:
                    sources[record.article] = article_sources(store, record.article)
                origin = sources[record.article]
                records.append(dataclasses.replace(
                    record, said_by=speakers.get(assertion.value),
                    article_citation=origin.citation, article_derived_from=origin.derived_from))
    return sorted(records, key=lambda r: (r.article_id, r.claim_id))


def _record(store: GraphStore, assertion: ox.NamedNode,
            rows: list[tuple[ox.NamedNode | ox.Literal | None, ...]],
            triples: list[tuple[str, str, str]], articles: dict[str, _Article]
            ) -> EvidenceRecord:
    first = rows[0]
    article = _value(first[3]) or ""
    if article not in articles:
        _, texts = store.select(_TEXT, {"article": ox.NamedNode(article)})
        articles[article] = _Article(min((_value(t[0]) or "" for t in texts), default=""))
    quotes: dict[str, QuoteRecord] = {}
    by: set[str] = set()
    for row in rows:
        exact, start, end = (_value(row[i]) for i in (14, 15, 16))
        s, e = int(start or 0), int(end or 0)
        sentence, a, b = articles[article].sentence(s, e)
        quotes[f"{s}-{e}"] = QuoteRecord(exact or "", s, e, sentence, a, b)
        if row[12] is not None:
            by.add(compact(row[12].value))
    return EvidenceRecord(
        assertion=assertion.value, claim_id=_value(first[1]) or "",
        curation_file=_value(first[2]) or "", article=article,
        article_id=_value(first[4]) or "", article_title=_value(first[5]) or "",
        article_date=_value(first[6]), article_kind=_value(first[7]) or "",
        basis="inferred" if (_value(first[8]) or "").endswith("0000305") else "stated",
        rationale=_value(first[9]), disputed=_value(first[10]) == "true",
        dispute_reason=_value(first[11]), disputed_by=tuple(sorted(by)),
        quotes=tuple(sorted(quotes.values(), key=lambda q: q.start)),
        triples=tuple(sorted(triples)), note=_value(first[17]),
    )


def _short(term: ox.NamedNode | ox.Literal | None) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return "" if term is None else repr(term.value)


_INVOLVING = _PREFIXES + """
SELECT DISTINCT ?a ?x WHERE {
  ?a a cart:Assertion .
  GRAPH ?a { { ?x ?p ?o } UNION { ?s ?p ?x } }
}
"""


def trace_entity(store: GraphStore, entity: ox.NamedNode) -> list[EvidenceRecord]:
    """Every assertion that involves the entity, as subject or object of one of its triples."""
    _, rows = store.select(_INVOLVING, {"x": entity})
    return evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])


_FACT = _PREFIXES + """
SELECT DISTINCT ?a ?s ?p ?o WHERE { ?a a cart:Assertion . GRAPH ?a { ?s ?p ?o } }
"""


def trace_fact(store: GraphStore, subject: ox.NamedNode, predicate: ox.NamedNode,
               obj: ox.NamedNode | ox.Literal) -> list[EvidenceRecord]:
    """The assertions that state one fact (subject, predicate, object)."""
    _, rows = store.select(_FACT, {"s": subject, "p": predicate, "o": obj})
    return evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])


_ARTICLE = _PREFIXES + """
SELECT ?a ?article WHERE { ?a a cart:Assertion ; cart:fromArticle ?article }
"""


def trace_article(store: GraphStore, article: ox.NamedNode) -> list[EvidenceRecord]:
    """Everything one article contributes."""
    _, rows = store.select(_ARTICLE, {"article": article})
    return evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])
