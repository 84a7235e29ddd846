"""CURIEs: how an IRI is written in exports, traces and reports."""

from __future__ import annotations

import pytest

from kg.build.summary import BuildResult
from kg.core.curie import compact, converter, expand
from kg.core.vocab import PREFIXES


def _longest(iri: str) -> str:
    """The definition: the longest namespace of PREFIXES that begins the IRI, else <iri>."""
    covering = [(len(ns), -i, p) for i, (p, ns) in enumerate(PREFIXES.items())
                if iri.startswith(ns)]
    if not covering:
        return f"<{iri}>"
    _, _, prefix = max(covering)
    return f"{prefix}:{iri[len(PREFIXES[prefix]):]}"


@pytest.mark.parametrize(("iri", "expected"), [
    ("https://w3id.org/cart-kg/resource/therapy/rese-cel", "res:therapy/rese-cel"),
    ("http://purl.obolibrary.org/obo/MONDO_0007915", "MONDO:0007915"),
    ("http://www.w3.org/2000/01/rdf-schema#label", "rdfs:label"),
    ("https://example.org/not-known", "<https://example.org/not-known>"),
])
def test_an_iri_is_written_with_its_prefix(iri: str, expected: str) -> None:
    assert compact(iri) == expected


def test_every_iri_of_the_real_build_is_written_with_its_longest_prefix(
        real_build: BuildResult) -> None:
    iris = {term.value for q in real_build.quads
            for term in (q.subject, q.predicate, q.object, q.graph_name)
            if type(term).__name__ == "NamedNode"}
    assert len(iris) > 300
    for _ in range(2):  # the second time from the cache of recent IRIs
        assert {iri: compact(iri) for iri in iris} == {iri: _longest(iri) for iri in iris}


def test_the_longest_namespace_wins() -> None:
    table = converter({"a": "http://x.org/", "ab": "http://x.org/b/", "abc": "http://x.org/b/c#"})
    assert table.compress("http://x.org/b/c#d") == "abc:d"
    assert table.compress("http://x.org/b/e") == "ab:e"
    assert table.compress("http://x.org/e") == "a:e"
    assert table.compress("http://y.org/e") is None


@pytest.mark.parametrize(("name", "expected"), [
    ("MONDO:0007915", "http://purl.obolibrary.org/obo/MONDO_0007915"),
    ("cart:Therapy", "https://w3id.org/cart-kg/ontology#Therapy"),
    ("NOPE:1", None),  # an unknown prefix
    ("MONDO 0007915", None),  # not a CURIE
])
def test_a_curie_is_expanded_with_the_same_converter(name: str, expected: str | None) -> None:
    assert expand(name) == expected
