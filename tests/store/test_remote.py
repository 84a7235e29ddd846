"""The SPARQL protocol client: terms bound in every group, results read back as terms, only the
named endpoint contacted, credentials from the environment or netrc, partial answers refused.

The servers here are small loopback HTTP servers written for these tests; the real Oxigraph
server and Virtuoso are exercised in test_publish.py and tests/query/test_queries_on_servers.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.core.netguard import NetworkRefused, no_network, only_endpoint
from kg.store.remote import (
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Endpoint,
    RemoteError,
    RemoteStore,
    bind_terms,
    credentials,
    parse_results,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
EMPTY = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()


@pytest.mark.parametrize(("query", "bound"), [
    # the outermost group always gets the binding, so that the projection shows it
    ("SELECT ?x WHERE { ?s ?p ?o }", "SELECT ?x WHERE { BIND(<http://e/x> AS ?x) ?s ?p ?o }"),
    # a nested group that mentions it gets it too: its FILTER sees the value
    ("SELECT ?x WHERE { { ?s ?p ?o FILTER(?o = ?x) } }",
     "SELECT ?x WHERE { BIND(<http://e/x> AS ?x) { BIND(<http://e/x> AS ?x) ?s ?p ?o "
     "FILTER(?o = ?x) } }"),
    # a group that does not mention it is left alone
    ("SELECT ?x WHERE { { ?s ?p ?o } ?s ?q ?x }",
     "SELECT ?x WHERE { BIND(<http://e/x> AS ?x) { ?s ?p ?o } ?s ?q ?x }"),
    # a subquery: its WHERE group, not the brace around it; a VALUES data block is no group
    ("SELECT ?x WHERE { { SELECT ?s WHERE { ?s ?p ?x } } VALUES ?k { 1 } }",
     "SELECT ?x WHERE { BIND(<http://e/x> AS ?x) { SELECT ?s WHERE { BIND(<http://e/x> AS ?x) "
     "?s ?p ?x } } VALUES ?k { 1 } }"),
    # braces and variables inside strings, IRIs and comments are text, not syntax
    ('SELECT ?x WHERE { ?s ?p "{ ?x }" # { ?x\n }',
     'SELECT ?x WHERE { BIND(<http://e/x> AS ?x) ?s ?p "{ ?x }" # { ?x\n }'),
])
def test_a_parameter_is_bound_in_every_group_that_mentions_it(query: str, bound: str) -> None:
    assert " ".join(bind_terms(query, {"x": ox.NamedNode("http://e/x")}).split()) == \
        " ".join(bound.split())


def test_a_parameter_is_written_as_a_term_never_as_the_callers_text() -> None:
    text = bind_terms("SELECT ?t WHERE { ?s ?p ?t }",
                      {"t": ox.Literal('x" ) } DROP ALL ; SELECT ("')})
    assert 'BIND("x\\" ) } DROP ALL ; SELECT (\\"" AS ?t)' in text


@pytest.mark.parametrize(("binding", "term"), [
    # an IRI
    ({"type": "uri", "value": "http://e/a"}, ox.NamedNode("http://e/a")),
    # a plain literal is an xsd:string
    ({"type": "literal", "value": "a"}, ox.Literal("a")),
    # a language-tagged literal
    ({"type": "literal", "value": "a", "xml:lang": "en"}, ox.Literal("a", language="en")),
    # Virtuoso's typed-literal, with its boolean 1 written canonically
    ({"type": "typed-literal", "value": "1", "datatype": XSD + "boolean"},
     ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
    ({"type": "typed-literal", "value": "0", "datatype": XSD + "boolean"},
     ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
    # an integer stays one
    ({"type": "literal", "value": "1", "datatype": XSD + "integer"},
     ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))),
])
def test_results_are_read_back_as_terms(binding: dict[str, str], term: ox.Literal) -> None:
    data = json.dumps({"head": {"vars": ["v", "w"]}, "results": {"bindings": [{"v": binding}]}})
    assert parse_results(data.encode(), "test") == (["v", "w"], [(term, None)])


@pytest.mark.parametrize("data", [
    b"<html>not results</html>",  # an error page answered with 200
    json.dumps({"head": {"vars": ["v"]}, "results": {"bindings": [
        {"v": {"type": "bnode", "value": "b0"}}]}}).encode(),  # a blank node
])
def test_an_answer_that_is_not_results_of_the_published_graph_is_an_error(data: bytes) -> None:
    with pytest.raises(RemoteError):
        parse_results(data, "test")


class _Handler(BaseHTTPRequestHandler):
    """Answers every POST with the server's ``reply`` (status, headers, body); records requests."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.server.requests.append((self.path, dict(self.headers),
                                     self.rfile.read(int(self.headers["Content-Length"]))))
        status, headers, body = self.server.reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    reply: tuple[int, dict[str, str], bytes]
    requests: list[tuple[str, dict[str, str], bytes]]


@pytest.fixture
def fake() -> Iterator[_Server]:
    """A loopback HTTP server that answers what the test sets in ``reply``."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.reply, server.requests = (200, {}, EMPTY), []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: _Server, path: str = "/sparql") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.mark.parametrize("headers", [
    {"X-SPARQL-MaxRows": "10000"},  # Virtuoso's ResultSetMaxRows cut the result
    {"X-SQL-State": "S1TAT"},  # Virtuoso's "anytime" answer, cut at MaxQueryExecutionTime
])
def test_a_capped_or_partial_answer_is_an_error(fake: _Server, headers: dict[str, str]) -> None:
    fake.reply = (200, headers, EMPTY)
    with pytest.raises(RemoteError, match="capped or partial answer"):
        RemoteStore.at(url(fake)).select_named("SELECT ?s WHERE { ?s ?p ?o }")


def test_a_redirect_is_not_followed(fake: _Server) -> None:
    fake.reply = (302, {"Location": "http://example.org/sparql"}, b"")
    with pytest.raises(RemoteError, match="302"):
        RemoteStore.at(url(fake)).select_named("SELECT ?s WHERE { ?s ?p ?o }")
    assert len(fake.requests) == 1


def test_a_server_error_is_reported_with_its_message(fake: _Server) -> None:
    fake.reply = (500, {}, b"Virtuoso 37000 Error SQ156: Internal Optimized compiler error")
    with pytest.raises(RemoteError, match=r"answered 500.*SQ156"):
        RemoteStore.at(url(fake)).select_named("SELECT ?s WHERE { ?s ?p ?o }")


def test_parameters_travel_as_a_form_and_the_default_graph_is_checked(fake: _Server) -> None:
    store = RemoteStore.at(url(fake))
    store.select("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://e/a")})
    sent = [body.decode() for _, _, body in fake.requests]
    assert sent[0].startswith("query=SELECT+%3Fs+WHERE+%7B+%3Fs")  # the union check
    assert "BIND%28%3Chttp%3A%2F%2Fe%2Fa%3E+AS+%3Fs%29" in sent[-1]


def test_a_default_graph_that_is_not_the_union_is_an_error(fake: _Server) -> None:
    # the default graph is empty, a named graph is not: the first answer empty, the next not
    store = RemoteStore.at(url(fake))
    answers = iter([EMPTY, json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": [
        {"g": {"type": "uri", "value": "http://e/g"}}]}}).encode()])
    store.endpoint.post = lambda form, accept: next(answers)  # type: ignore[method-assign]
    with pytest.raises(RemoteError, match="--union-default-graph"):
        store.select("SELECT ?s WHERE { ?s ?p ?o }")


def test_nothing_but_the_named_endpoint_is_reached(fake: _Server) -> None:
    import urllib.request

    with only_endpoint(url(fake)), pytest.raises(NetworkRefused):
        urllib.request.urlopen("http://127.0.0.1:9/other", timeout=5)
    # inside no_network too, the named endpoint is reachable, and only it
    with no_network():
        RemoteStore.at(url(fake)).select_named("SELECT ?s WHERE { ?s ?p ?o }")


@pytest.mark.parametrize(("environ", "netrc", "found"), [
    # the environment first
    ({USER_VARIABLE: "u", PASSWORD_VARIABLE: "p"}, "machine 127.0.0.1 login n password q",
     ("u", "p")),
    # else the netrc entry of the endpoint's host
    ({}, "machine 127.0.0.1 login n password q", ("n", "q")),
    # an entry for another host is not used
    ({}, "machine example.org login n password q", None),
    # no netrc file: no credentials
    ({}, None, None),
])
def test_credentials_come_from_the_environment_or_netrc(
        tmp_path: Path, environ: dict[str, str], netrc: str | None,
        found: tuple[str, str] | None) -> None:
    path = tmp_path / "netrc"
    if netrc is not None:
        path.write_text(netrc + "\n", encoding="utf-8")
        path.chmod(0o600)
    assert credentials("http://127.0.0.1:8890/sparql", {**environ, "NETRC": str(path)}) == found


@pytest.mark.parametrize(("given", "says"), [
    ("http://dba:secret@127.0.0.1/sparql", "holds credentials"),  # never on the command line
    ("ftp://127.0.0.1/sparql", "not an http"),
    ("localhost:7878/query", "not an http"),
])
def test_a_bad_endpoint_url_is_a_clear_error(given: str, says: str) -> None:
    with pytest.raises(RemoteError, match=says):
        Endpoint.at(given)


def test_digest_credentials_are_answered(fake: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_VARIABLE, "u")
    monkeypatch.setenv(PASSWORD_VARIABLE, "p")
    fake.reply = (401, {"WWW-Authenticate": 'Digest realm="SPARQL", nonce="n1", qop="auth", '
                        'algorithm="MD5"'}, b"")
    with pytest.raises(RemoteError, match="401"):
        RemoteStore.at(url(fake)).update("INSERT DATA { <http://e/a> <http://e/b> 1 }")
    assert "authorization" not in {k.lower() for k in fake.requests[0][1]}
    assert fake.requests[1][1]["Authorization"].startswith('Digest username="u"')


def test_tls_certificates_are_verified(fake: _Server, tmp_path: Path) -> None:
    import ssl
    import subprocess

    # a self-signed certificate, made for this test: no trust store vouches for it
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    fake.socket = context.wrap_socket(fake.socket, server_side=True)
    with pytest.raises(RemoteError, match="CERTIFICATE_VERIFY_FAILED"):
        RemoteStore.at(url(fake).replace("http:", "https:")).select_named("SELECT ?s WHERE {}")
