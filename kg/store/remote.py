"""A graph on a SPARQL 1.1 server: queries and updates over the SPARQL 1.1 Protocol.

:class:`RemoteStore` answers :meth:`RemoteStore.select` as the embedded store does (the same
columns, the same terms), so that the query library, ``trace`` and ``evidence`` run on a server
unchanged. Parameters are bound as terms: a ``BIND`` of each term, written by pyoxigraph, first in
each group that mentions it, never the caller's text (see :func:`bind_terms`).

Only the named endpoint is contacted (:func:`kg.core.netguard.only_endpoint`): no proxy, no
redirect. TLS certificates are verified. Credentials come from the environment
(``CARTKG_ENDPOINT_USER`` and ``CARTKG_ENDPOINT_PASSWORD``) or a netrc file (``NETRC`` or
``~/.netrc``), never from the command line; HTTP basic and digest authentication are answered.

A capped or partial answer is an error, never a short result: Virtuoso marks a result cut at
its ``ResultSetMaxRows`` with an ``X-SPARQL-MaxRows`` header, and an "anytime" answer cut at its
``MaxQueryExecutionTime`` with ``X-SQL-State``.
"""

from __future__ import annotations

import json
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.client import HTTPException

import pyoxigraph as ox

from kg.core.netguard import NetworkRefused, guarded_opener, only_endpoint
from kg.core.sparql_text import TOKEN, where_group

Row = tuple[ox.NamedNode | ox.Literal | None, ...]
USER_VARIABLE, PASSWORD_VARIABLE = "CARTKG_ENDPOINT_USER", "CARTKG_ENDPOINT_PASSWORD"
#: Seconds to wait for a server's answer before giving up on it.
TIMEOUT = 600
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PARTIAL_HEADERS = ("X-SPARQL-MaxRows", "X-SQL-State")


class RemoteError(OSError):
    """A server cannot be reached, refuses a request, or gives a partial answer."""


def credentials(url: str, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The user and password for ``url``: from the environment, else a netrc file, else None."""
    env = os.environ if environ is None else environ
    user, password = env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)
    if user is not None and password is not None:
        return user, password
    host = urllib.parse.urlsplit(url).hostname or ""
    path = env.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.exists(path):
        return None
    try:
        found = netrc.netrc(path).authenticators(host)
    except (OSError, netrc.NetrcParseError) as err:
        raise RemoteError(f"{path}: cannot be read ({err}). Fix: correct the netrc file.") from None
    return None if found is None else (found[0], found[2])


@dataclass
class Endpoint:
    """One SPARQL 1.1 Protocol URL, with the credentials for it."""

    url: str
    auth: tuple[str, str] | None = None
    _opener: urllib.request.OpenerDirector | None = field(default=None, repr=False)

    @classmethod
    def at(cls, url: str) -> Endpoint:
        """The endpoint at ``url`` (http or https), with credentials from the environment."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteError(f"{url!r} is not an http(s) URL of a SPARQL endpoint. Fix: give "
                              "e.g. http://localhost:7878/query.")
        if parts.username or parts.password:
            raise RemoteError(f"{parts.hostname}: the URL holds credentials. Fix: set "
                              f"{USER_VARIABLE} and {PASSWORD_VARIABLE}, or use a netrc file.")
        return cls(url, credentials(url))

    def opener(self) -> urllib.request.OpenerDirector:
        """The HTTP client: no proxy, no redirect, verified TLS, basic or digest authentication."""
        if self._opener is None:
            handlers: list[urllib.request.BaseHandler] = []
            if self.auth is not None:
                passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                passwords.add_password(None, self.url, *self.auth)
                handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                             urllib.request.HTTPBasicAuthHandler(passwords)]
            self._opener = guarded_opener(*handlers)
        return self._opener

    def post(self, form: Mapping[str, str], accept: str) -> bytes:
        """POST a form (``query=``); the answer's body, or :class:`RemoteError`."""
        return self.send(urllib.parse.urlencode(form).encode("utf-8"),
                         "application/x-www-form-urlencoded", accept)

    def send(self, body: bytes, content_type: str, accept: str) -> bytes:
        """POST ``body`` as ``content_type``; the answer's body, or :class:`RemoteError`."""
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": content_type, "Accept": accept})
        try:
            with only_endpoint(self.url), self.opener().open(request, timeout=TIMEOUT) as answer:
                partial = [h for h in _PARTIAL_HEADERS if answer.headers.get(h)]
                data: bytes = answer.read()
        except urllib.error.HTTPError as err:
            detail = err.read(2000).decode("utf-8", "replace").strip()
            raise RemoteError(f"{self.url}: the server answered {err.code} {err.reason}"
                              + (f": {detail}" if detail else "")) from None
        except NetworkRefused as err:
            raise RemoteError(str(err)) from None
        except (urllib.error.URLError, OSError, HTTPException) as err:
            reason = getattr(err, "reason", err)
            raise RemoteError(f"{self.url}: the connection failed ({reason}).") from None
        if partial:
            values = ", ".join(f"{h}: {answer.headers[h]}" for h in partial)
            raise RemoteError(f"{self.url}: the server gave a capped or partial answer ({values})."
                              " Fix: lift the server's row cap and its 'anytime' time limit "
                              "(Virtuoso: ResultSetMaxRows = 0, MaxQueryExecutionTime = 0; see "
                              "docs/server.md).")
        return data


def bind_terms(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``BIND(term AS ?name)`` first in every group that mentions ``?name``.

    This gives the query the meaning a bound variable has on the embedded store (an Oxigraph
    substitution, rdflib's ``initBindings``): the value is seen everywhere, nested groups and
    their filters included, where one ``BIND`` or ``VALUES`` at the top would be invisible
    inside a nested group (SPARQL evaluates groups bottom-up). The outermost group always gets
    every binding, so that the projection shows it. Each term is written by pyoxigraph (IRIs and
    literals escaped as in N-Triples, which SPARQL reads the same way), never the caller's text.
    A bound variable must not be bound again by the query (``BIND``, ``AS``), which holds for the
    library's parameters: each is a variable the query only reads. ``BIND`` rather than an inline
    ``VALUES`` block, which Virtuoso 7 can hang on.
    """
    if not bindings:
        return text
    found = _groups_mentioning(text, set(bindings))
    found[where_group(text)] = set(bindings)
    pieces, last = [], 0
    for at in sorted(found):
        names = [name for name in bindings if name in found[at]]
        binds = " ".join(f"BIND({bindings[name]} AS ?{name})" for name in names)
        pieces += [text[last:at], f" {binds} "]
        last = at
    return "".join([*pieces, text[last:]])


def _groups_mentioning(text: str, names: set[str]) -> dict[int, set[str]]:
    """Where each group pattern that mentions one of ``names`` opens (just after its ``{``).

    Skipped: a ``VALUES`` data block, the brace around a subquery (its ``WHERE`` group counts)
    and a ``CONSTRUCT`` template.
    """
    tokens = [m for m in TOKEN.finditer(text) if m.lastgroup not in ("space", "comment")]
    frames: list[tuple[int | None, set[str]]] = []
    found: dict[int, set[str]] = {}
    values = False  # inside a VALUES clause, before its data block
    for index, token in enumerate(tokens):
        kind, word = token.lastgroup, token.group()
        if kind == "word" and word.upper() == "VALUES":
            values = True
        elif kind == "var":
            for _, mentioned in frames:
                mentioned.add(word[1:])
        elif word == "{":
            after = tokens[index + 1].group().upper() if index + 1 < len(tokens) else ""
            before = tokens[index - 1].group().upper() if index else ""
            group = not values and after != "SELECT" and before != "CONSTRUCT"
            frames.append((token.end() if group else None, set()))
            values = False
        elif word == "}" and frames:
            at, mentioned = frames.pop()
            if at is not None and mentioned & names:
                found[at] = mentioned & names
    return found


def _term(value: Mapping[str, str]) -> ox.NamedNode | ox.Literal:
    kind = value.get("type")
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return ox.Literal(value["value"], language=value["xml:lang"])
        datatype = value.get("datatype", _XSD + "string")
        text = value["value"]
        if datatype == _XSD + "boolean":  # "1" and "0" are booleans too: written canonically
            text = {"1": "true", "0": "false"}.get(text, text)
        return ox.Literal(text, datatype=ox.NamedNode(datatype))
    raise RemoteError(f"unexpected term in a result: {dict(value)!r} (blank nodes are never "
                      "published; is this the graph cartkg published?)")


def parse_results(data: bytes, shown: str) -> tuple[list[str], list[Row]]:
    """The variables and rows of SPARQL 1.1 JSON results."""
    try:
        results = json.loads(data)
        names = [str(v) for v in results["head"]["vars"]]
        bindings = results["results"]["bindings"]
        rows = [tuple(_term(b[n]) if n in b else None for n in names) for b in bindings]
    except (ValueError, KeyError, TypeError) as err:
        raise RemoteError(f"{shown}: the answer is not SPARQL JSON results ({err}).") from None
    return names, rows


@dataclass
class RemoteStore:
    """A dataset on a SPARQL 1.1 server: the default graph is the union of its named graphs."""

    endpoint: Endpoint
    #: Where updates go, when not to :attr:`endpoint` (Oxigraph: ``/update`` beside ``/query``).
    updates: Endpoint | None = None
    _checked: bool = field(default=False, repr=False)

    @classmethod
    def at(cls, url: str, update_url: str | None = None) -> RemoteStore:
        """The dataset behind the SPARQL endpoint at ``url`` (updates to ``update_url``)."""
        updates = None if update_url is None or update_url == url else Endpoint.at(update_url)
        return cls(Endpoint.at(url), updates)

    def select(self, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
               ) -> tuple[list[str], list[Row]]:
        """Run a SELECT query with bound variables; the variable names and the rows.

        The query must already have been checked for network access (see
        :mod:`kg.query.safety`). Raises :class:`RemoteError`.
        """
        self.check_union()
        return self.select_named(bind_terms(sparql, bindings or {}))

    def select_named(self, sparql: str) -> tuple[list[str], list[Row]]:
        """Run a SELECT query that reads named graphs only (whatever the default graph is)."""
        data = self.endpoint.post({"query": sparql}, "application/sparql-results+json")
        return parse_results(data, self.endpoint.url)

    def check_union(self) -> None:
        """Raise :class:`RemoteError` unless the default graph is the union of the named graphs.

        Every library query reads the union; a server whose default graph is empty while its
        named graphs hold data would answer every query with no rows.
        """
        if self._checked:
            return
        # SELECT ... LIMIT 1 rather than ASK, which Virtuoso answers as a SELECT
        default = self.select_named("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")[1]
        if not default and self.select_named(
                "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1")[1]:
            raise RemoteError(f"{self.endpoint.url}: the server's default graph is not the union "
                              "of its named graphs. Fix: start it so (oxigraph serve "
                              "--union-default-graph; Virtuoso does by default).")
        self._checked = True

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update request. Raises :class:`RemoteError`.

        The update is the request's body (the protocol's "update via POST directly"), not a
        percent-encoded form: a third smaller, and a quarter less of a publish's time on the
        Oxigraph server.
        """
        (self.updates or self.endpoint).send(sparql.encode("utf-8"),
                                             "application/sparql-update", "*/*")
