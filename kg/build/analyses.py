"""The evidence analyses, derived at build into their own named graph (``graph:analyses``).

Corroboration, disagreement and look-alike outcomes compare claims of many articles. Computed
here, once per build, from every part's summary (:mod:`kg.build.analysis_inputs`), they travel
with the data: any SPARQL store answers them with a plain query, and the library's heavy queries
read them instead of recomputing them (docs/decisions/0023-derived-analyses.md).

What the graph holds (docs/data-model.md, "Derived analyses"); every result names the assertions
it was derived from (``prov:wasDerivedFrom``):

- each article's independent *origin* (``cart:origin``): the end of its lineage
  (``prov:wasDerivedFrom``, followed to a source that derives from nothing; of several, the
  first by name), by article id or IRI, or the article's own id;
- a ``cart:FactSupport`` per fact between registry entities (``rdf:subject``, ``rdf:predicate``,
  ``rdf:object``): the articles that assert it and the independent origins that state it (a claim
  that is curator inference adds none);
- a ``cart:OutcomeComparison`` per result that two or more articles report with a value: same
  therapy, set of indications, measure, statistic, unit, grade, timepoint, data cut-off and
  endpoint; the sources agree (one value) or not, with the lowest and highest value;
- a ``cart:LookAlikeOutcomes`` per therapy, measure and broadest indication (by ``broader``)
  that two or more articles report for two or more sets of indications: reports that must not
  be read as agreement or disagreement, with the values that several articles report for several
  sets (``cart:sharedValue``, which could be mistaken for corroboration).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from sys import intern
from typing import Any

import pyoxigraph as ox

from kg.build.analysis_inputs import (
    Plain,
    term,
    unpack,
)
from kg.build.parts import Built
from kg.core import analysis_vocab
from kg.core import origins as origins_module
from kg.core.analysis_vocab import ANALYSIS
from kg.core.curie import compact
from kg.core.origins import article_origins
from kg.core.vocab import RESOURCE
from kg.rdf.emit import ANALYSES_GRAPH
from kg.store.dataset import ANALYSES_SHARD, REGISTRY_SHARD
from kg.store.files import write_atomic

ANALYSES = ox.NamedNode(str(ANALYSES_GRAPH))
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
_TYPE = f"<{_RDF}type>"
_SUBJECT, _PREDICATE, _OBJECT = (f"<{_RDF}{name}>" for name in ("subject", "predicate", "object"))
#: The fields that make two reports with a value the same result.
COMPARISON_KEY = ("forTherapy", "hasMeasure", "hasStatistic", "hasUnit", "grade",
                  "timepointMonths", "timepointQualifier", "dataCutoff", "reportsEndpoint")


# The graph is written as N-Quads text (see :func:`derive`): terms are their N-Triples form.
_TERMS: dict[str, str] = {}


def _p(name: str) -> str:
    found = _TERMS.get(name)
    if found is None:
        found = _TERMS[name] = f"<{ANALYSIS[name]}>"
    return found


def _iri(iri: str) -> str:
    return f"<{iri}>"


def _int(n: int) -> str:
    return f'"{n}"^^<{_XSD}integer>'


def _text(value: str) -> str:
    return str(ox.Literal(value))


def _value(value: Plain) -> str:
    return str(term(value))


def _node(kind: str, *key: object) -> str:
    digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:24]
    return f"<{RESOURCE}analysis/{kind}/{digest}>"


class _Corpus:
    """Every part's summary, joined."""

    def __init__(self, parts: Iterable[str]) -> None:
        #: article IRI -> (id, IRIs it derives from)
        self.articles: dict[str, tuple[str, tuple[str, ...]]] = {}
        #: assertion IRI -> (article IRI, claim id, stated, disputed)
        self.claims: dict[str, tuple[str, str, bool, bool]] = {}
        self.facts: dict[tuple[str, str, Plain], list[str]] = defaultdict(list)
        self.reports: list[tuple[str, str, dict[str, Plain], tuple[str, ...]]] = []
        for text in parts:
            articles, claims, facts, outcomes = unpack(text)
            for iri, aid, derived in articles:
                self.articles[iri] = (aid, tuple(derived))
            for assertion, article, claim, stated, disputed in claims:
                self.claims[intern(assertion)] = (intern(article), claim, stated, disputed)
            for s, p, o, assertion in facts:  # IRIs interned: they recur in every part
                self.facts[(intern(s), intern(p), (o[0], intern(o[1]), o[2]))].append(
                    intern(assertion))
            for outcome, assertion, fields, indications in outcomes:
                self.reports.append((outcome, assertion, {k: tuple(v) for k, v in fields},
                                     tuple(indications)))
        self.reports.sort()
        #: entity IRI -> label (the registry's)
        self.labels: dict[str, str] = {}
        #: outcome IRI -> its indications, and the outcomes an analysis names
        self.indications = {r[0]: r[3] for r in self.reports}
        self.shown: set[str] = set()

    def label(self, iri: str) -> str:
        """An entity's label, or its IRI."""
        return self.labels.get(iri, iri)

    def indications_label(self, indications: tuple[str, ...]) -> str | None:
        """One, two ("A and B"), or the first and last labels and their number."""
        names = sorted(self.label(i) for i in indications)
        if not names:
            return None
        if len(names) <= 2:
            return " and ".join(names)
        return f"{names[0]}, ..., {names[-1]} ({len(names)} indications)"

    def origins(self) -> dict[str, str]:
        """Each article's independent origin, by name (:mod:`kg.core.origins`)."""
        return article_origins(self.articles, {iri: derived for iri, (_, derived)
                                               in self.articles.items()},
                               {iri: aid for iri, (aid, _) in self.articles.items()})

    def article_of(self, assertion: str) -> str:
        return self.claims[assertion][0]

    def report_name(self, assertion: str) -> str:
        article, claim, _, _ = self.claims[assertion]
        return f"{self.article_id(article)} {claim}"

    def article_id(self, article: str) -> str:
        """An article's id (that of its IRI when the part that holds it is not given)."""
        return self.articles[article][0] if article in self.articles \
            else article.rsplit("/", 1)[-1]


def derive(parts: Iterable[str], registry: str) -> list[bytes]:
    """The analyses shard's lines: the graph's quads as canonical N-Quads, from every summary.

    Written as text and sorted as lines: for quads of one graph whose subjects and predicates are
    IRIs, the order of the lines is that of :func:`kg.rdf.emit.sort_quads`, at a fraction of
    the cost (600,000 quads at 10,000 articles).
    """
    corpus = _Corpus(parts)
    broader, labels = unpack(registry) if registry else ([], [])
    corpus.labels = dict(labels)
    origins = corpus.origins()
    triples = itertools.chain(
        _origin_quads(origins), _fact_quads(corpus, origins), _comparison_quads(corpus),
        _look_alike_quads(corpus, _roots(broader)), _indication_labels(corpus))
    graph = str(ANALYSES)
    lines = [f"{s} {p} {o} {graph} .\n".encode() for s, p, o in triples]
    del corpus
    lines.sort()
    kept = 0  # duplicates dropped in place, in one pass (no second list of the lines)
    for line in lines:
        if kept == 0 or line != lines[kept - 1]:
            lines[kept] = line
            kept += 1
    del lines[kept:]
    return lines


def derive_quads(parts: Iterable[str], registry: str) -> tuple[ox.Quad, ...]:
    """The analyses graph's quads (:func:`derive`), parsed back."""
    return tuple(ox.parse(b"".join(derive(parts, registry)), format=ox.RdfFormat.N_QUADS))


Triple = tuple[str, str, str]


def _ranks(keys: dict[str, tuple[Any, ...]]) -> Iterator[Triple]:
    """Each result's ``cart:rank``: its place in the order of ``keys`` (from 1).

    The library's queries order their rows by it, an integer, instead of by the labels it stands
    for: a store sorts integers without reading any text.
    """
    for n, node in enumerate(sorted(keys, key=lambda k: (keys[k], k)), 1):
        yield node, _p("rank"), _int(n)


def _indication_labels(corpus: _Corpus) -> Iterator[Triple]:
    """The labels of the indications of every outcome an analysis names, as one text."""
    for outcome in sorted(corpus.shown):
        label = corpus.indications_label(corpus.indications[outcome])
        if label is not None:
            yield _iri(outcome), _p("indicationsLabel"), _text(label)


def _origin_quads(origins: dict[str, str]) -> Iterator[Triple]:
    for article, origin in origins.items():
        yield _iri(article), _p("origin"), _text(origin)


def _fact_quads(corpus: _Corpus, origins: dict[str, str]) -> Iterator[Triple]:
    order: dict[str, tuple[Any, ...]] = {}
    for (s, p, o), assertions in corpus.facts.items():
        node = _node("fact", s, p, o)
        articles = {corpus.article_of(a) for a in assertions if a in corpus.claims}
        stated = {origins.get(corpus.article_of(a)) or corpus.article_id(corpus.article_of(a))
                  for a in assertions
                  if a in corpus.claims and corpus.claims[a][2]}
        yield node, _TYPE, _p("FactSupport")
        yield node, _SUBJECT, _iri(s)
        yield node, _PREDICATE, _iri(p)
        yield node, _OBJECT, _value(o)
        yield node, _p("articleCount"), _int(len(articles))
        yield node, _p("independentOrigins"), _int(len(stated))
        order[node] = (-len(stated), corpus.label(s), p,
                       corpus.label(o[1]) if o[0] == "I" else o[1])
        for origin in stated:
            yield node, _p("origin"), _text(origin)
        for assertion in assertions:
            yield node, _DERIVED, _iri(assertion)
    yield from _ranks(order)


def _number(value: Plain) -> tuple[int, Decimal | str]:
    try:
        return 0, Decimal(value[1])
    except InvalidOperation:
        return 1, value[1]


def _comparison_quads(corpus: _Corpus) -> Iterator[Triple]:
    groups: dict[tuple[Any, ...], list[tuple[str, str, Plain]]] = defaultdict(list)
    for outcome, assertion, fields, indications in corpus.reports:
        if "value" not in fields or "forTherapy" not in fields or "hasMeasure" not in fields \
                or "hasStatistic" not in fields or assertion not in corpus.claims:
            continue
        key = (indications, *(fields[k][1:] if k in fields else None for k in COMPARISON_KEY))
        groups[key].append((outcome, assertion, fields["value"]))
    order: dict[str, tuple[Any, ...]] = {}
    for key, reports in groups.items():
        articles = {corpus.article_of(a) for _, a, _ in reports}
        if len(articles) < 2:
            continue
        node = _node("comparison", *key)
        values = sorted({v for _, _, v in reports}, key=_number)
        agree = len({_number(v) for v in values}) == 1
        yield node, _TYPE, _p("OutcomeComparison")
        yield node, _p("sourcesAgree"), f'"{"true" if agree else "false"}"^^<{_XSD}boolean>'
        yield node, _p("lowestValue"), _value(values[0])
        yield node, _p("highestValue"), _value(values[-1])
        yield node, _p("articleCount"), _int(len(articles))
        name, first = min((corpus.report_name(a), o) for o, a, _ in reports)
        yield node, _p("comparisonName"), _text(name)
        yield node, _p("firstReport"), _iri(first)
        parts: tuple[Any, ...] = key  # (indications, therapy, measure, ...)
        order[node] = (corpus.label(parts[1][0]), corpus.indications_label(parts[0]) or "",
                       corpus.label(parts[2][0]), name)
        for outcome, assertion, _ in reports:
            yield node, _p("comparesReport"), _iri(outcome)
            yield node, _DERIVED, _iri(assertion)
            corpus.shown.add(outcome)
    yield from _ranks(order)


def _roots(broader: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """The broadest indications (by ``broader``) of every indication that has a broader one."""
    up: dict[str, set[str]] = defaultdict(set)
    for narrower, wider in broader:
        up[narrower].add(wider)
    roots: dict[str, tuple[str, ...]] = {}
    for start in up:
        found, seen, todo = set(), set(), [start]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            if up.get(node):
                todo.extend(up[node])
            else:
                found.add(node)
        roots[start] = tuple(sorted(found))
    return roots


def _look_alike_quads(corpus: _Corpus, roots: dict[str, tuple[str, ...]]) -> Iterator[Triple]:
    groups: dict[tuple[str, str, str], list[tuple[str, str, tuple[str, ...], Plain | None]]] = \
        defaultdict(list)
    for outcome, assertion, fields, indications in corpus.reports:
        if "forTherapy" not in fields or "hasMeasure" not in fields \
                or "populationDescription" not in fields or assertion not in corpus.claims:
            continue
        families = {r for i in indications for r in roots.get(i, (i,))} or {""}
        for family in families:
            groups[(fields["forTherapy"][1], fields["hasMeasure"][1], family)].append(
                (outcome, assertion, indications, fields.get("value")))
    order: dict[str, tuple[Any, ...]] = {}
    for (therapy, measure, family), reports in groups.items():
        sets = {r[2] for r in reports}
        articles = {corpus.article_of(r[1]) for r in reports}
        if len(sets) < 2 or len(articles) < 2:
            continue
        node = _node("look-alike", therapy, measure, family)
        order[node] = (corpus.label(therapy), corpus.label(measure), corpus.label(family))
        yield node, _TYPE, _p("LookAlikeOutcomes")
        if family:
            yield node, _p("withinIndication"), _iri(family)
        yield node, _p("populationCount"), _int(len(sets))
        yield node, _p("articleCount"), _int(len(articles))
        by_value: dict[Plain, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for _, assertion, indications, value in reports:
            if value is not None:
                by_value[value].append((corpus.article_of(assertion), indications))
        for value, seen in by_value.items():
            if len({a for a, _ in seen}) > 1 and len({s for _, s in seen}) > 1:
                yield node, _p("sharedValue"), _value(value)
        for outcome, assertion, _, _ in reports:
            yield node, _p("lookAlikeReport"), _iri(outcome)
            yield node, _DERIVED, _iri(assertion)
            corpus.shown.add(outcome)
    yield from _ranks(order)


@functools.cache
def _code_digest() -> str:
    """The digest of the code the analyses are derived with (read once a process)."""
    digest = hashlib.sha256()
    for module in (__file__, origins_module.__file__, analysis_vocab.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def analyses_key(parts: dict[str, Built], names: Iterable[str]) -> str:
    """What the analyses part is derived from: the other parts' summaries and the deriving code.

    An edit that changes no summary (a note, a quote's wording) leaves the analyses as they were.
    """
    digest = hashlib.sha256(_code_digest().encode())
    for name in names:
        digest.update(f"{name} {parts[name].analysis_digest}\n".encode())
    return digest.hexdigest()


def build_analyses(parts: dict[str, Built], names: Iterable[str], dest: Path) -> Built:
    """Derive the analyses from the parts' summaries and write their shard into ``dest``."""
    registry = parts.get(REGISTRY_SHARD)
    lines = derive((parts[n].analysis for n in names if n != REGISTRY_SHARD),
                   registry.analysis if registry is not None else "")
    digest = hashlib.sha256()
    typed = f" {_TYPE} ".encode()
    classes: Counter[str] = Counter()

    def pieces() -> Iterator[bytes]:  # written as they come: no second copy of the shard
        for start in range(0, len(lines), 10_000):
            piece = b"".join(lines[start:start + 10_000])
            digest.update(piece)
            yield piece
        classes.update(line.split(b" ")[2].decode()[1:-1] for line in lines if typed in line)

    write_atomic(dest / ANALYSES_SHARD, pieces())
    count = len(lines)
    return Built("", ANALYSES_SHARD, digest.hexdigest(), count, 1 if count else 0, count, "",
                 " ".join(f"{compact(c)}={n}" for c, n in sorted(classes.items())), "")
