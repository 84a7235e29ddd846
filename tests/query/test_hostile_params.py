"""Hostile query parameters and query texts: each refused with a message that says what to give.

Every case is a regression test named after the kind of bad input.
"""

from __future__ import annotations

import pytest
from conftest import MINI

from kg.build.build import build_dataset
from kg.query.library import Param
from kg.query.params import to_term
from kg.query.run import run_query
from kg.query.safety import QueryError
from kg.store.store import GraphStore


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return GraphStore.from_quads(build_dataset(MINI, out=None).quads)


# Each bad value: the parameter's type, the value, and words the refusal must hold.
BAD_PARAMS = [
    # 5,000 digits: Python's int() refuses to parse them, which used to be a traceback
    pytest.param("integer", "9" * 5000, ["has more than 15 digits", "(5000 characters)"],
                 id="integer-5000-digits"),
    pytest.param("integer", "3.5", ["is not a whole number", "Expected integer"],
                 id="integer-not-whole"),
    pytest.param("integer", "٣", ["is not a whole number"], id="integer-non-ascii-digit"),
    pytest.param("iri", "http://example.org/a b", ["not an absolute IRI", "holds a space"],
                 id="iri-with-space"),
    pytest.param("iri", "example.org/x", ["not an absolute IRI", "has no scheme"],
                 id="iri-without-scheme"),
    pytest.param("iri", "http://example.org/{x}", ["not an absolute IRI", "'{'"],
                 id="iri-with-brace"),
    pytest.param("curie", "MONDO:{0005100}", ["is not a CURIE with a known prefix"],
                 id="curie-with-brace"),
    pytest.param("curie", "MONDO:0005100 x", ["is not a CURIE with a known prefix"],
                 id="curie-with-space"),
    pytest.param("label", "SSc\x00", ["control character U+0000"], id="label-with-nul"),
    # found by the fuzzer: a name written as a broken IRI used to raise ValueError from Oxigraph
    pytest.param("label", 'http:"', ["is not a valid IRI", "holds the character '\"'"],
                 id="label-written-as-a-broken-iri"),
    pytest.param("string", "a\x1bb", ["control character U+001B"], id="string-with-escape"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), BAD_PARAMS)
def test_bad_parameter_is_refused_with_what_to_give(
        store: GraphStore, kind: str, value: str, expected: list[str]) -> None:
    with pytest.raises(QueryError) as err:
        to_term(Param("p", kind, "example"), value, store)
    message = str(err.value)
    assert message.startswith("parameter 'p': ")
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert len(message) < 600  # the value is quoted cut short, not 5,000 characters of it


# Each query form that is not SELECT: what the refusal must say.
OTHER_FORMS = [
    pytest.param("ASK { ?s ?p ?o }", "ASK queries are not run", id="ask"),
    pytest.param("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT queries are not run",
                 id="construct"),
    pytest.param("DESCRIBE <http://example.org/x>", "DESCRIBE queries are not run",
                 id="describe"),
]


@pytest.mark.parametrize(("sparql", "expected"), OTHER_FORMS)
def test_query_form_other_than_select_says_what_is_allowed(
        store: GraphStore, sparql: str, expected: str) -> None:
    with pytest.raises(QueryError) as err:
        run_query(store, sparql)
    assert expected in str(err.value)
    assert "only SELECT queries are run" in str(err.value)
    assert "Fix: write a SELECT query" in str(err.value)


def test_update_refusal_says_only_select_is_run(store: GraphStore) -> None:
    with pytest.raises(QueryError) as err:
        run_query(store, "INSERT DATA { <http://a> <http://b> <http://c> }")
    assert "only SELECT queries are run" in str(err.value)
    assert "ASK" not in str(err.value)  # it no longer lists ASK as allowed
