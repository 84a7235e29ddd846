"""Every library query on the embedded store, the Oxigraph server, Virtuoso and `cartkg serve`:
the same rows.

The same build is published to both servers (started on loopback by the test suite); each query
runs with its header's example parameters, bound as terms. Rows are compared as RDF terms, in
order. Virtuoso returns the booleans an expression computes as the integers 1 and 0: they are
compared as booleans. Where Virtuoso 7 answered a query wrongly, the query was written more
plainly (standard SPARQL 1.1 still); the one it answers wrongly however written is expected to
fail, visibly. docs/server.md describes each defect.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT
from servers import Server

from kg.query.endpoint import make_server, serve_in_thread
from kg.query.library import QUERIES, load_queries, load_query
from kg.query.params import bind_params
from kg.query.run import run_query
from kg.store.publish import publish_dataset
from kg.store.remote import PASSWORD_VARIABLE, USER_VARIABLE, RemoteStore
from kg.store.store import GraphStore

NAMES = sorted(p.stem for p in QUERIES.glob("*.rq"))
#: The Virtuoso 7 defects each of these queries was rewritten around (in standard SPARQL 1.1),
#: each described in docs/server.md.
WORKED_AROUND = {
    "therapies_in_indications_by_trial_and_sponsor":
        "FILTER EXISTS in a UNION branch of a grouped subquery",
}
#: The queries Virtuoso 7 answers wrongly however plainly written, each with a minimal
#: reproduction of the defect in docs/server.md: expected to fail here, visibly.
VIRTUOSO_DEFECTS = {
    "efficacy_outcomes_for_indication":
        "a skos:broader* path beside a GRAPH ?a pattern and a pattern on ?a loses rows",
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
Rows = list[tuple[str, ...]]


@pytest.fixture(scope="module", params=["seed_build", "synthetic_build"])
def published(request: pytest.FixtureRequest, oxigraph_server: Server,
              virtuoso_server: Server) -> Iterator[tuple[GraphStore, dict[str, RemoteStore]]]:
    """A build (the real sources; a synthetic corpus of 30 articles) on the embedded store and
    published to both servers."""
    build: Path = request.getfixturevalue(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(USER_VARIABLE, virtuoso_server.auth[0] if virtuoso_server.auth else "")
        patch.setenv(PASSWORD_VARIABLE, virtuoso_server.auth[1] if virtuoso_server.auth else "")
        servers = {"virtuoso": RemoteStore.at(virtuoso_server.query_url,
                                              virtuoso_server.update_url)}
        patch.delenv(USER_VARIABLE)
        patch.delenv(PASSWORD_VARIABLE)
        servers["oxigraph"] = RemoteStore.at(oxigraph_server.query_url, oxigraph_server.update_url)
    for server in servers.values():
        publish_dataset(build, server)
    local = GraphStore.from_file(build).open()
    served = make_server(local.store, load_queries(), "127.0.0.1", 0)  # what `cartkg serve` runs
    serve_in_thread(served)
    servers["serve"] = RemoteStore.at(f"http://127.0.0.1:{served.server_address[1]}/query")
    yield local, servers
    served.shutdown()
    served.server_close()


def rows(store: GraphStore | RemoteStore, name: str, local: GraphStore) -> Rows:
    query = load_query(QUERIES / f"{name}.rq")
    bindings = bind_params(query, {p.name: p.example for p in query.params.values()}, local)
    result = run_query(store, query.sparql, bindings)
    assert result.columns == query.returns
    return [tuple("" if t is None else str(t) for t in row) for row in result.rows]


def as_booleans(got: Rows, wanted: Rows) -> Rows:
    """``got`` with 1 and 0 read as true and false where ``wanted`` has a boolean."""
    numbers = {f'"1"^^<{_XSD}integer>': f'"true"^^<{_XSD}boolean>',
               f'"0"^^<{_XSD}integer>': f'"false"^^<{_XSD}boolean>'}
    return [tuple(numbers.get(cell, cell) if want.endswith(f"<{_XSD}boolean>") else cell
                  for cell, want in zip(row, wanted_row, strict=True))
            for row, wanted_row in zip(got, wanted, strict=False)] + got[len(wanted):]


@pytest.mark.parametrize("server", ["oxigraph", "serve"])
@pytest.mark.parametrize("name", NAMES)
def test_the_oxigraph_server_and_cartkg_serve_give_the_same_rows(
        published: tuple[GraphStore, dict[str, RemoteStore]], name: str, server: str) -> None:
    local, servers = published
    assert rows(servers[server], name, local) == rows(local, name, local)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(
        reason=f"Virtuoso 7 defect: {VIRTUOSO_DEFECTS[name]} (docs/server.md)", strict=False))
    if name in VIRTUOSO_DEFECTS else name for name in NAMES])
def test_virtuoso_gives_the_same_rows_booleans_read_as_booleans(
        published: tuple[GraphStore, dict[str, RemoteStore]], name: str) -> None:
    local, servers = published
    wanted = rows(local, name, local)
    assert as_booleans(rows(servers["virtuoso"], name, local), wanted) == wanted


def test_at_least_19_of_the_21_queries_match_on_virtuoso() -> None:
    assert len(NAMES) - len(VIRTUOSO_DEFECTS) >= 19


def test_each_virtuoso_defect_is_in_the_docs() -> None:
    text = (ROOT / "docs" / "server.md").read_text(encoding="utf-8")
    for name in [*WORKED_AROUND, *VIRTUOSO_DEFECTS]:
        assert f"`{name}`" in text
    assert text.count("Minimal reproduction") >= len(VIRTUOSO_DEFECTS)


@pytest.mark.parametrize(("cell", "wanted", "read"), [
    # Virtuoso's 1 where a boolean is expected is true
    (f'"1"^^<{_XSD}integer>', f'"true"^^<{_XSD}boolean>', f'"true"^^<{_XSD}boolean>'),
    # and 0 is false
    (f'"0"^^<{_XSD}integer>', f'"false"^^<{_XSD}boolean>', f'"false"^^<{_XSD}boolean>'),
    # an integer where an integer is expected stays an integer
    (f'"1"^^<{_XSD}integer>', f'"1"^^<{_XSD}integer>', f'"1"^^<{_XSD}integer>'),
    # and 1 where false is expected is read as true: still a difference
    (f'"1"^^<{_XSD}integer>', f'"false"^^<{_XSD}boolean>', f'"true"^^<{_XSD}boolean>'),
])
def test_booleans_are_compared_as_booleans(cell: str, wanted: str, read: str) -> None:
    assert as_booleans([(cell,)], [(wanted,)]) == [(read,)]


def test_a_term_is_what_the_comparison_sees() -> None:
    assert str(ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean"))) == \
        f'"true"^^<{_XSD}boolean>'
