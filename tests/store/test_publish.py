"""Publishing a build to the Oxigraph server and to Virtuoso, both started on loopback.

Every named graph arrives intact; a second publish replaces the first (an article removed from
the sources disappears); a connection cut in the middle of a publish leaves each article as it
was or as published, and publishing again finishes the work.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CTGOV, SOURCES
from servers import CuttingProxy, Server

from kg.build.build import build_dataset
from kg.core.vocab import BASE
from kg.rdf.emit import provenance_graph
from kg.store.publish import PublishError, publish_dataset
from kg.store.remote import PASSWORD_VARIABLE, USER_VARIABLE, RemoteError, RemoteStore
from kg.store.store import GraphStore

SERVERS = ["oxigraph_server", "virtuoso_server"]
_QUADS = f"""SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}"))
}}"""


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Server:
    """Each server in turn, with its credentials in the environment."""
    found: Server = request.getfixturevalue(request.param)
    monkeypatch.delenv(USER_VARIABLE, raising=False)
    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    if found.auth is not None:
        monkeypatch.setenv(USER_VARIABLE, found.auth[0])
        monkeypatch.setenv(PASSWORD_VARIABLE, found.auth[1])
    return found


def remote(server: Server, update_url: str | None = None) -> RemoteStore:
    return RemoteStore.at(server.query_url, update_url or server.update_url)


def held(server: Server) -> set[str]:
    """Every quad of the project's graphs on the server, as N-Quads lines."""
    _, rows = remote(server).select_named(_QUADS)
    return {f"{s} {p} {o} {g} ." for g, s, p, o in rows}


def built(folder: Path) -> set[str]:
    return {f"{q.subject} {q.predicate} {q.object} {q.graph_name} ."
            for q in GraphStore.from_file(folder).quads()}


@pytest.fixture(scope="module")
def smaller_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sources without the article 002 (written for these tests): a later edition."""
    root = tmp_path_factory.mktemp("smaller")
    shutil.copytree(SOURCES, root / "sources")
    shutil.rmtree(root / "sources" / "articles" / "002_6a53bef826e0de7a")
    build_dataset(root / "sources", root / "build")
    return root / "build"


def test_every_named_graph_arrives_intact(server: Server, seed_build: Path) -> None:
    result = publish_dataset(seed_build, remote(server))
    assert result.articles == 3
    assert held(server) == built(seed_build)


def test_a_second_publish_replaces_the_first_and_removes_a_dropped_article(
        server: Server, seed_build: Path, smaller_build: Path) -> None:
    publish_dataset(seed_build, remote(server))
    result = publish_dataset(smaller_build, remote(server), batch=1)
    assert result.removed == ("002_6a53bef826e0de7a",)
    assert held(server) == built(smaller_build)
    gone = provenance_graph("002_6a53bef826e0de7a").value
    assert not any(gone in line or "/assertion/002_" in line for line in held(server))
    # and back again: the article returns, nothing is duplicated
    publish_dataset(seed_build, remote(server))
    assert held(server) == built(seed_build)


def _articles(lines: set[str]) -> dict[str, set[str]]:
    """The quads of each article (its provenance and assertion graphs) and of the registry."""
    parts: dict[str, set[str]] = {}
    for line in lines:
        graph = line.rsplit(" ", 2)[-2]
        key = "registry" if graph.endswith("/graph/registry>") else \
            graph.rstrip(">").split("/provenance/")[-1].split("/assertion/")[-1].split("/")[0]
        parts.setdefault(key, set()).add(line)
    return parts


@pytest.fixture
def proxy(server: Server) -> Iterator[CuttingProxy]:
    """A loopback proxy to the server's update endpoint that cuts the second large request.

    With ``batch=1``, the first request carries the registry, the second the first article.
    """
    with CuttingProxy(server.update_url, cut_request=2,
                      authorized=server.auth is not None) as cutting:
        yield cutting


def test_a_connection_cut_midway_is_a_clear_error_and_leaves_the_server_consistent(
        server: Server, seed_build: Path, smaller_build: Path, proxy: CuttingProxy) -> None:
    publish_dataset(smaller_build, remote(server))
    before = _articles(held(server))
    with pytest.raises(PublishError) as raised:
        publish_dataset(seed_build, remote(server, proxy.url), batch=1)
    message = str(raised.value)
    assert "publishing stopped after 1 of 5 parts (1 request(s) answered)" in message
    assert "run `cartkg publish` again" in message
    assert proxy.cut, "the proxy cut a request in the middle of its body"
    after, wanted = _articles(held(server)), _articles(built(seed_build))
    for article in wanted.keys() | before.keys():
        assert after.get(article) in (before.get(article), wanted.get(article)), article
    publish_dataset(seed_build, remote(server))
    assert held(server) == built(seed_build)


def test_a_part_larger_than_virtuosos_limit_of_one_insert_goes_in_one_request(
        server: Server) -> None:
    """A 10,000-article build's registry (16,214 quads) in one ``INSERT DATA`` exhausted Virtuoso's
    SPARQL compiler; the request now carries it as several operations. 12,000 quads written for
    this test, in one test graph, sent as one part."""
    from kg.store.publish import INSERT_CHUNK, _text, _Unit

    graph = ox.NamedNode(f"{BASE}graph/test-large-part")
    quads = [ox.Quad(ox.NamedNode(f"{BASE}test/s{n}"), ox.NamedNode(f"{BASE}test/p"),
                     ox.Literal(f"value {n}"), graph) for n in range(12_000)]
    assert len(quads) > 5 * INSERT_CHUNK
    store = remote(server)
    store.update(_text([_Unit("test", f"DROP SILENT GRAPH {graph}", quads)]))
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    _, rows = store.select_named(count)
    store.update(f"DROP SILENT GRAPH {graph}")
    assert rows[0][0] is not None and int(rows[0][0].value) == 12_000


def test_a_shard_damaged_after_the_build_stops_the_publish_at_that_article(
        oxigraph_server: Server, seed_build: Path, tmp_path: Path) -> None:
    """The next request is read while the server applies the current one: a shard that no longer
    has its SHA-256 stops the publish there, naming it, with the parts already sent counted (the
    registry; article 000's request is closed only once 002 is read)."""
    damaged = tmp_path / "build"
    shutil.copytree(seed_build, damaged)
    shard = sorted((damaged / "dataset" / "articles").glob("*.nq"))[1]
    shard.write_bytes(shard.read_bytes().replace(b"rese-cel", b"rese-CEL", 1))
    with pytest.raises(PublishError) as raised:
        publish_dataset(damaged, remote(oxigraph_server), batch=1)
    message = str(raised.value)
    assert "publishing stopped after 1 of 5 parts (1 request(s) answered)" in message
    assert shard.name in message


def test_a_server_that_cannot_be_reached_is_a_clear_error(seed_build: Path) -> None:
    from servers import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(PublishError, match=r"nothing was published: .*connection failed"):
        publish_dataset(seed_build, RemoteStore.at(url))


def test_a_result_cut_by_virtuosos_row_cap_is_an_error(
        tmp_path: Path, seed_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from servers import start_virtuoso

    capped = start_virtuoso(tmp_path, max_rows=5)  # Virtuoso's default is 10,000 rows
    try:
        assert capped.auth is not None
        monkeypatch.setenv(USER_VARIABLE, capped.auth[0])
        monkeypatch.setenv(PASSWORD_VARIABLE, capped.auth[1])
        publish_dataset(seed_build, remote(capped))
        with pytest.raises(RemoteError, match=r"capped or partial answer \(X-SPARQL-MaxRows"):
            remote(capped).select_named(_QUADS)
    finally:
        capped.stop()


def test_a_registry_record_no_longer_in_the_sources_disappears_from_the_server(
        server: Server, seed_build: Path, tmp_path: Path) -> None:
    """The test sources with a registry record (tests/data/ctgov), then the real sources, which
    hold none: the record's graph and its statements' graphs go with the registry."""
    build_dataset(CTGOV, tmp_path / "build")
    publish_dataset(tmp_path / "build", remote(server))
    assert any("/graph/record/NCT00791778>" in line for line in held(server))
    publish_dataset(seed_build, remote(server))
    assert held(server) == built(seed_build)
