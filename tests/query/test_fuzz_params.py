"""Fuzzing query parameters: whatever a user types, rows or a clear refusal.

Property-based (hypothesis): every query of the library that takes parameters, run on the test
corpus with random values (control characters, 5,000-digit numbers, IRIs with spaces, CURIEs
with braces, names close to the registry's). Each case gives a result or a :class:`QueryError`
that names the parameter; nothing else escapes. ``make test`` runs :data:`EXAMPLES` cases;
``make fuzz`` many more (``CARTKG_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os

import pytest
from conftest import MINI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.build import build_dataset
from kg.query.library import load_queries
from kg.query.params import bind_params
from kg.query.run import run_query
from kg.query.safety import QueryError
from kg.store.store import GraphStore

EXAMPLES = int(os.environ.get("CARTKG_FUZZ_EXAMPLES", "350"))
WITH_PARAMS = {name: q for name, q in load_queries().items() if q.params}

values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x7f), max_size=40),
    st.from_regex(r"[+-]?[0-9]{1,30}", fullmatch=True),
    st.sampled_from(["9" * 5000, "NaN", "1e999", "-0", "http://a b", "https://x.org/{y}",
                     "MONDO:{0005100}", "MONDO:0005100", "NCT:NCT00000001", "SSc", "tx-cel",
                     "systemic sclerosis", "ssc\x00", "tx\x1bcel", "", " ", "ex:a", "urn:x",
                     "http://purl.obolibrary.org/obo/MONDO_0005100", "?x", "} UNION {"]),
)

STORE = GraphStore.from_quads(build_dataset(MINI, out=None).quads)


def test_the_library_has_queries_with_parameters_to_fuzz() -> None:
    assert len(WITH_PARAMS) >= 3


@settings(max_examples=EXAMPLES, deadline=None, derandomize="CARTKG_FUZZ_EXAMPLES" not in
          os.environ, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(WITH_PARAMS)), st.data())
def test_fuzzed_parameters_give_rows_or_a_refusal(name: str, data: st.DataObject) -> None:
    query = WITH_PARAMS[name]
    given_values = {p: data.draw(values, label=p) for p in query.params}
    try:
        bound = bind_params(query, given_values, STORE)
    except QueryError as err:
        assert "parameter '" in str(err), str(err)
        assert any(f"parameter '{p}'" in str(err) for p in query.params)
        return
    try:
        result = run_query(STORE, query.sparql, bound)
    except QueryError as err:  # pragma: no cover - a bound query that fails is a bug
        pytest.fail(f"{name} with {given_values!r}: {err}")
    assert result.columns
