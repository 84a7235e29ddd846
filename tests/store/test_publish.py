"""Publishing a build to the Oxigraph server and to Virtuoso, both started on loopback.

Every named graph arrives intact; a second publish replaces the first (an article removed from
the sources disappears) and sends only what changed; a connection cut in the middle of a publish
leaves each article as it was or as published, and publishing again finishes the work.
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
from kg.rdf.emit import ANALYSES_GRAPH, REGISTRY_GRAPH, provenance_graph
from kg.store.dataset import ANALYSES_SHARD, REGISTRY_SHARD
from kg.store.publish import PUBLISHED_GRAPH, PublishError, publish_dataset
from kg.store.remote import PASSWORD_VARIABLE, USER_VARIABLE, RemoteError, RemoteStore
from kg.store.shards import shard_quads
from kg.store.store import GraphStore

SERVERS = ["oxigraph_server", "virtuoso_server"]
_QUADS = f"""SELECT ?g ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}") && ?g != <{PUBLISHED_GRAPH}>)
}}"""
_RECORDS = f"""SELECT ?part ?sha256 WHERE {{ GRAPH <{PUBLISHED_GRAPH}> {{ ?part ?p ?sha256 }} }}"""


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
    """Every quad of the project's graphs on the server (not the publish records), as N-Quads."""
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


def records(server: Server) -> dict[str, str]:
    """The publish records on the server: each part's graph and the SHA-256 of its shard."""
    return {row[0].value: row[1].value for row in remote(server).select_named(_RECORDS)[1]
            if row[0] is not None and row[1] is not None}


def shards(folder: Path) -> dict[str, str]:
    """Each shard of a build, by the graph that names its part, and its SHA-256."""
    named = {REGISTRY_SHARD: str(REGISTRY_GRAPH), ANALYSES_SHARD: str(ANALYSES_GRAPH)}
    return {named.get(path.name) or provenance_graph(path.stem).value: sha256
            for path, sha256 in GraphStore.from_file(folder).shards}


def test_a_publish_records_each_part_and_the_next_sends_only_what_changed(
        server: Server, seed_build: Path, tmp_path: Path) -> None:
    """A curator's note added to one article (written for this test) changes its shard only."""
    publish_dataset(seed_build, remote(server))
    assert records(server) == shards(seed_build)
    again = publish_dataset(seed_build, remote(server))
    assert (again.requests, again.quads, again.unchanged) == (0, 0, 5)

    sources = Path(shutil.copytree(SOURCES, tmp_path / "sources"))
    evidence = sources / "articles" / "003_18bb5d852450905e" / "evidence.yaml"
    text = evidence.read_text(encoding="utf-8")
    edited = text.replace("  - id: bms-986353-nex-t\n",
                          "  - id: bms-986353-nex-t\n    note: Added by the publish test.\n", 1)
    assert edited != text
    evidence.write_text(edited, encoding="utf-8")
    build_dataset(sources, tmp_path / "build")

    result = publish_dataset(tmp_path / "build", remote(server))
    assert (result.requests, result.unchanged) == (1, 4)
    assert held(server) == built(tmp_path / "build")
    assert records(server) == shards(tmp_path / "build")
    publish_dataset(seed_build, remote(server))
    assert held(server) == built(seed_build)


def test_changed_analyses_go_as_the_lines_that_differ_from_the_published_copy(
        server: Server, seed_build: Path, smaller_build: Path, tmp_path: Path) -> None:
    """Without the article 002 the analyses change a little: only those lines go. The build
    folder keeps a copy of the analyses shard last published; without it, the graph goes whole."""
    from kg.store.publish import PUBLISHED_DIR

    builds = {name: Path(shutil.copytree(folder, tmp_path / name))
              for name, folder in (("seed", seed_build), ("smaller", smaller_build))}
    for folder in builds.values():  # the copies of earlier tests' publishes
        shutil.rmtree(folder / PUBLISHED_DIR, ignore_errors=True)
    analyses = {name: len(shard_quads(path, sha256)) for name, folder in builds.items()
                for path, sha256 in GraphStore.from_file(folder).shards
                if path.name == ANALYSES_SHARD}
    publish_dataset(builds["seed"], remote(server))
    assert [p.name for p in (builds["seed"] / PUBLISHED_DIR).iterdir()] == \
        [f"{shards(builds['seed'])[str(ANALYSES_GRAPH)]}.nq"]
    shutil.copytree(builds["seed"] / PUBLISHED_DIR, builds["smaller"] / PUBLISHED_DIR)

    result = publish_dataset(builds["smaller"], remote(server))
    assert 0 < result.quads < analyses["smaller"] // 2
    assert held(server) == built(builds["smaller"])
    assert records(server) == shards(builds["smaller"])

    shutil.rmtree(builds["seed"] / PUBLISHED_DIR)  # no copy of what the server holds: all of it
    again = publish_dataset(builds["seed"], remote(server))
    assert again.quads > analyses["seed"]
    assert held(server) == built(builds["seed"])


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
    """A loopback proxy to the server's update endpoint that cuts the first large request.

    Publishing the seed build over the smaller one, with ``batch=1``, the first request carries
    the article 002 (the only part the server lacks but the analyses), the second the analyses.
    """
    with CuttingProxy(server.update_url, cut_request=1,
                      authorized=server.auth is not None) as cutting:
        yield cutting


def test_a_connection_cut_midway_is_a_clear_error_and_leaves_the_server_consistent(
        server: Server, seed_build: Path, smaller_build: Path, proxy: CuttingProxy) -> None:
    publish_dataset(smaller_build, remote(server))
    before = _articles(held(server))
    with pytest.raises(PublishError) as raised:
        publish_dataset(seed_build, remote(server, proxy.url), batch=1)
    message = str(raised.value)
    assert "publishing stopped after 0 of 2 parts (0 request(s) answered)" in message
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
    from kg.store.publish import _Unit, _unit_text
    from kg.store.update_text import INSERT_CHUNK

    graph = ox.NamedNode(f"{BASE}graph/test-large-part")
    quads = [ox.Quad(ox.NamedNode(f"{BASE}test/s{n}"), ox.NamedNode(f"{BASE}test/p"),
                     ox.Literal(f"value {n}"), graph) for n in range(12_000)]
    assert len(quads) > 5 * INSERT_CHUNK
    store = remote(server)
    store.update(_unit_text(_Unit("test", f"DROP SILENT GRAPH {graph}", quads)))
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    _, rows = store.select_named(count)
    store.update(f"DROP SILENT GRAPH {graph}")
    assert rows[0][0] is not None and int(rows[0][0].value) == 12_000


def test_no_request_passes_virtuosos_limit_of_10_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtuoso 7 refuses an update text over 10 MB ("The requested string session is longer
    than 10Mb"): requests are cut by size as well as by quads. 12 units written for this test,
    with the limit lowered to what three of them take."""
    import kg.store.publish as publishing

    graph = ox.NamedNode(f"{BASE}graph/test-sizes")
    units = [publishing._Unit(f"u{n}", "", [ox.Quad(
        ox.NamedNode(f"{BASE}test/s{n}"), ox.NamedNode(f"{BASE}test/p"),
        ox.Literal("é" * 1_000), graph)]) for n in range(12)]
    one = len(publishing._unit_text(units[0]).encode("utf-8"))
    monkeypatch.setattr(publishing, "MAX_BYTES", 3 * one + 20)  # names differ by a byte
    requests = list(publishing._requests(iter(units), batch=1_000))
    assert [len(group) for group, _ in requests] == [3, 3, 3, 3]
    assert all(len(text.encode("utf-8")) <= 3 * one + 20 for _, text in requests)
    assert [text for _, text in requests] == [
        " ;\n".join(publishing._unit_text(unit) for unit in group) for group, _ in requests]


def test_a_shard_damaged_after_the_build_stops_the_publish_at_that_article(
        oxigraph_server: Server, seed_build: Path, smaller_build: Path, tmp_path: Path,
        ) -> None:
    """A shard to send that no longer has its SHA-256 stops the publish there, naming it, with
    the parts already sent counted. The server holds the smaller build: 002 is to be sent."""
    publish_dataset(smaller_build, remote(oxigraph_server))
    damaged = tmp_path / "build"
    shutil.copytree(seed_build, damaged)
    shard = sorted((damaged / "dataset" / "articles").glob("*.nq"))[1]
    assert shard.name.startswith("002_")
    shard.write_bytes(shard.read_bytes().replace(b"rese-cel", b"rese-CEL", 1))
    with pytest.raises(PublishError) as raised:
        publish_dataset(damaged, remote(oxigraph_server), batch=1)
    message = str(raised.value)
    assert "publishing stopped after 0 of 2 parts (0 request(s) answered)" in message
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
