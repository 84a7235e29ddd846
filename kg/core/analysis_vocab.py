"""The ontology terms of the derived evidence analyses (``cart:`` namespace, ``ontology/cart.ttl``).

Kept apart from :class:`kg.core.vocab.CART` (same namespace, same ``_fail = True``) as
:mod:`kg.core.record_vocab` is: they describe the graph the build derives (``graph:analyses``,
:mod:`kg.build.analyses`), not what curators write. See docs/data-model.md, "Derived analyses".
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace

from kg.core.vocab import CART


class ANALYSIS(DefinedNamespace):
    """The derived-analysis terms of the cart-kg ontology."""

    _NS = CART._NS
    _fail = True

    FactSupport: URIRef
    OutcomeComparison: URIRef
    LookAlikeOutcomes: URIRef

    origin: URIRef
    articleCount: URIRef
    independentOrigins: URIRef
    sourcesAgree: URIRef
    lowestValue: URIRef
    highestValue: URIRef
    comparisonName: URIRef
    comparesReport: URIRef
    withinIndication: URIRef
    populationCount: URIRef
    sharedValue: URIRef
    lookAlikeReport: URIRef
    firstReport: URIRef
    rank: URIRef
    indicationsLabel: URIRef
