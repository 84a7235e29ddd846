"""A read-only SPARQL 1.1 Protocol endpoint over the built graph, with a query page.

- ``GET /``: a page that lists the query library (title, question, parameters) and runs a query
  in the browser;
- ``/library/NAME?param=value``: a library query, its parameters checked and bound as terms (as
  ``cartkg query`` does), answered as SPARQL JSON results;
- ``/query`` (also ``/sparql``): the SPARQL 1.1 Protocol's query operation (``GET ?query=``,
  ``POST`` of a form or of ``application/sparql-query``), answered as JSON, XML, CSV or TSV
  results as the ``Accept`` header asks.

Every query passes :func:`kg.query.safety.check_safe` first: updates, ``SERVICE``, ``LOAD`` and
``FROM`` are refused, so the endpoint never changes the graph and never reaches the network on a
caller's behalf. The default graph is the union of the named graphs, as on the embedded store.

The store is the build's on-disk index opened read-only (:mod:`kg.store.index`): the endpoint
starts as fast as any command, whatever the size, and copies nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.query.library import QueryFile
from kg.query.safety import QueryError, check_safe, error_text
from kg.store.store import GraphStore

#: Largest request body read (a query text), in bytes.
MAX_BODY = 1 << 20
_RESULTS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
_DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri")


class _Refused(Exception):
    """A request answered with an HTTP error: its status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Answer:
    """A query's answer: its media type and its bytes."""

    media_type: str
    body: bytes


def _pick(accept: str, formats: Mapping[str, Any], default: str) -> str:
    """The first media type of an ``Accept`` header that is in ``formats`` (quality ignored)."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in formats:
            return media
    return default


def answer_query(store: ox.Store, text: str, accept: str = "") -> Answer:
    """Run a checked, read-only query on the store; its results in the format ``accept`` asks.

    Raises :class:`QueryError` for a query that is refused or fails.
    """
    check_safe(text)
    try:
        result = store.query(text, use_default_graph_as_union=True)
        try:
            if isinstance(result, ox.QueryTriples):
                media = _pick(accept, _GRAPHS, "application/n-triples")
                return Answer(media, result.serialize(format=_GRAPHS[media]) or b"")
            media = _pick(accept, _RESULTS, "application/sparql-results+json")
            return Answer(media, result.serialize(format=_RESULTS[media]) or b"")
        finally:
            del result  # dropped by this thread (see GraphStore.select)
    except (SyntaxError, OSError, ValueError) as err:
        raise QueryError(f"the query failed: {error_text(err)}") from None


def page(library: Mapping[str, QueryFile]) -> bytes:
    """The query page, with the library's queries (name, title, question, parameters, text)."""
    entries = [{"name": q.name, "title": q.title, "question": q.question, "sparql": q.sparql,
                "params": [{"name": p.name, "type": p.type, "example": p.example}
                           for p in q.params.values()]} for q in library.values()]
    data = json.dumps(entries).replace("<", "\\u003c")  # never closes the script element
    template = resources.files("kg.query").joinpath("endpoint.html").read_text(encoding="utf-8")
    return template.replace("/*LIBRARY*/[]", data).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(format % args)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            self._send(200, "text/html; charset=utf-8", self.server.page)
        elif url.path in ("/query", "/sparql"):
            self._query(parse_qs(url.query))
        elif url.path.startswith("/library/"):
            self._library(url.path.removeprefix("/library/"), parse_qs(url.query))
        else:
            self._send(404, "text/plain; charset=utf-8", b"Not found: the endpoint is /query.\n")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path not in ("/query", "/sparql"):
            self._send(404, "text/plain; charset=utf-8", b"Not found: the endpoint is /query.\n")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._send(413, "text/plain; charset=utf-8", b"The request body is too large.\n")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query)
        if kind == "application/sparql-query":
            params.setdefault("query", []).append(body)
        elif kind == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-update" or "update" in params:
            self._send(403, "text/plain; charset=utf-8", b"This endpoint is read-only.\n")
            return
        self._query(params)

    def _query(self, params: dict[str, list[str]]) -> None:
        try:
            if "update" in params:
                raise _Refused(403, "This endpoint is read-only: updates are refused.")
            if any(name in params for name in _DATASET_PARAMETERS):
                raise _Refused(400, "default-graph-uri and named-graph-uri are not supported: "
                                    "the default graph is the union of the named graphs.")
            texts = params.get("query", [])
            if len(texts) != 1:
                raise _Refused(400, "Give exactly one 'query' parameter.")
            answer = answer_query(self.server.store, texts[0], self.headers.get("Accept") or "")
        except _Refused as err:
            self._send(err.status, "text/plain; charset=utf-8", f"{err}\n".encode())
            return
        except QueryError as err:
            self._send(400, "text/plain; charset=utf-8", f"{err}\n".encode())
            return
        self._send(200, answer.media_type, answer.body)

    def _library(self, name: str, params: dict[str, list[str]]) -> None:
        from kg.query.params import bind_params
        from kg.query.run import run_query

        query = self.server.library.get(name)
        if query is None:
            self._send(404, "text/plain; charset=utf-8", f"No query named {name!r}.\n".encode())
            return
        try:
            given = {key: values[-1] for key, values in params.items()}
            bindings = bind_params(query, given, self.server.graph)
            result = run_query(self.server.graph, query.sparql, bindings)
        except QueryError as err:
            self._send(400, "text/plain; charset=utf-8", f"{err}\n".encode())
            return
        self._send(200, "application/sparql-results+json",
                   json_results(result.columns, result.rows))

    def _send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _json_term(term: ox.NamedNode | ox.Literal) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def json_results(columns: Sequence[str],
                 rows: Sequence[Sequence[ox.NamedNode | ox.Literal | None]]) -> bytes:
    """Columns and rows as SPARQL 1.1 JSON results."""
    bindings = [{c: _json_term(t) for c, t in zip(columns, row, strict=True) if t is not None}
                for row in rows]
    return json.dumps({"head": {"vars": list(columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode("utf-8")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    store: ox.Store
    graph: GraphStore
    library: Mapping[str, QueryFile]
    page: bytes
    log: Any


def make_server(store: ox.Store, library: Mapping[str, QueryFile], host: str = "127.0.0.1",
                port: int = 7878, log: Any = None) -> ThreadingHTTPServer:
    """An HTTP server answering SPARQL queries on ``store`` (call ``serve_forever`` on it).

    ``log`` is called with a line per request (None: silent). Raises :class:`OSError` when the
    address cannot be bound.
    """
    server = _Server((host, port), _Handler)
    server.store, server.page, server.log = store, page(library), log
    server.graph, server.library = GraphStore(_store=store), library
    return server


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a background thread (tests); stop with ``server.shutdown()``."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
