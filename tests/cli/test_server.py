"""``cartkg serve``, ``cartkg publish`` and ``--endpoint``: the graph shared from a server.

The commands run in-process (``serve`` in a child process, as it runs until stopped) against
the Oxigraph server and Virtuoso started on loopback by the test suite.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import Server, free_port

from kg.cli.main import main
from kg.query.endpoint import make_server, serve_in_thread
from kg.query.library import load_queries
from kg.store.remote import PASSWORD_VARIABLE, USER_VARIABLE
from kg.store.store import GraphStore


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def credentials(server: Server) -> dict[str, str]:
    user, password = server.auth or ("", "")
    return {USER_VARIABLE: user, PASSWORD_VARIABLE: password} if server.auth else {}


@pytest.fixture(params=["oxigraph_server", "virtuoso_server"])
def published(request: pytest.FixtureRequest, seed_build: Path) -> Server:
    """Each server in turn, holding the real sources' build published with `cartkg publish`."""
    server: Server = request.getfixturevalue(request.param)
    code, out = run("publish", "--endpoint", server.query_url, "--update-endpoint",
                    server.update_url, "--data", str(seed_build), env=credentials(server))
    assert code == 0, out
    assert "published 3 article(s) and the registry" in out
    return server


# Commands whose output on a server is that on the built dataset: a library query with a label
# parameter (resolved on the server), a trace and the evidence report.
SAME = [
    ["query", "safety_findings_for_therapy", "--param", "therapy=BMS-986353"],
    ["query", "claims_per_article", "--format", "csv"],
    ["trace", "rese-cel"],
    ["trace", "--fact", "breakfree-1", "hasPhase", "phase-1"],
    ["evidence"],
]


@pytest.mark.parametrize("command", SAME, ids=" ".join)
def test_a_command_on_a_server_says_what_it_says_on_the_build(
        published: Server, seed_build: Path, command: list[str]) -> None:
    local = run(*command, "--data", str(seed_build))
    remote = run(*command, "--endpoint", published.query_url, env=credentials(published))
    assert local[0] == 0, local[1]
    assert remote == local


def test_an_endpoint_that_does_not_answer_is_a_clear_error() -> None:
    code, out = run("query", "claims_per_article", "--endpoint",
                    f"http://127.0.0.1:{free_port()}/query")
    assert code == 2
    assert "error:" in out and "connection failed" in out


@pytest.mark.parametrize(("args", "says"), [
    # credentials never go on the command line
    (["--endpoint", "http://dba:dba@127.0.0.1:1/sparql"], "the URL holds credentials"),
    # nor anything but http(s)
    (["--endpoint", "file:///etc/passwd"], "not an http(s) URL"),
])
def test_publish_refuses_a_bad_endpoint(seed_build: Path, args: list[str], says: str) -> None:
    code, out = run("publish", *args, "--data", str(seed_build))
    assert code == 2
    assert says in out


def test_publish_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run("publish", "--endpoint", "http://127.0.0.1:1/query",
                    "--data", str(tmp_path / "nothing"))
    assert code == 2
    assert "run `cartkg build` first" in out


@pytest.fixture(scope="module")
def endpoint(seed_build: Path) -> Iterator[str]:
    """The build served by :func:`make_server` on a free loopback port, in this process."""
    store = GraphStore.from_file(seed_build).open()
    server = make_server(store.store, load_queries(), "127.0.0.1", 0)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str, data: dict[str, str] | None = None,
          accept: str = "") -> tuple[int, str, str]:
    body = None if data is None else urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers["Content-Type"], err.read().decode()


TRIALS = "SELECT ?s WHERE { ?s a <https://w3id.org/cart-kg/ontology#Trial> } ORDER BY ?s"


@pytest.mark.parametrize(("path", "data", "accept", "status", "says"), [
    # the page lists the library's queries
    ("/", None, "", 200, "Safety findings for a therapy"),
    # the SPARQL 1.1 Protocol, GET and POST, with the results format asked for
    ("/query?" + urllib.parse.urlencode({"query": TRIALS}), None, "text/csv", 200,
     "https://w3id.org/cart-kg/resource/trial/breakfree-1"),
    ("/sparql", {"query": TRIALS}, "application/sparql-results+json", 200, '"type":"uri"'),
    # a library query with a label parameter, bound as a term
    ("/library/safety_findings_for_therapy?therapy=BMS-986353", None, "", 200, "ICANS"),
    # a parameter that names nothing says so
    ("/library/safety_findings_for_therapy?therapy=no-such-thing", None, "", 400,
     "nothing in the graph is named"),
    # read-only: updates are refused, and so are SERVICE and another dataset
    ("/query", {"update": "DROP ALL"}, "", 403, "read-only"),
    ("/query", {"query": "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"}, "",
     400, "SERVICE is refused"),
    ("/query", {"query": TRIALS, "default-graph-uri": "http://example.org/"}, "", 400,
     "not supported"),
    ("/elsewhere", None, "", 404, "Not found"),
])
def test_the_endpoint_answers_queries_and_refuses_the_rest(
        endpoint: str, path: str, data: dict[str, str] | None, accept: str, status: int,
        says: str) -> None:
    code, _, body = fetch(endpoint + path, data, accept)
    assert code == status
    assert says in body.replace(" ", "") if says.startswith('"') else says in body


def test_cartkg_serve_serves_the_build_to_cartkg_query(seed_build: Path) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--data", str(seed_build),
                                "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # written once listening
        assert f"at http://127.0.0.1:{port}/" in line, line
        command = ["query", "safety_findings_for_therapy", "--param", "therapy=BMS-986353"]
        assert run(*command, "--endpoint", f"http://127.0.0.1:{port}/query") == \
            run(*command, "--data", str(seed_build))
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
