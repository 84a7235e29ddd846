"""The query library: ``queries/*.rq`` with strict ``#+`` headers, run with bound parameters.

Parameters are bound through the engine (Oxigraph substitutions, shown to its planner in an inline
``VALUES`` block written from the terms, see :mod:`kg.sparql_text`; rdflib ``initBindings``), never
pasted into the query text. Queries that could reach the network (``SERVICE``, ``LOAD``, ``FROM``)
and updates are refused before any engine sees them (see :func:`check_safe`). The check and the
query files are cached, by query text and by file version, so that running a query again costs about
what the engine costs.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.ordering import Order, finish_rows, split_order
from kg.sparql_text import TOKEN
from kg.store import GraphStore, StoreError
from kg.vocab import PREFIXES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERIES = PROJECT_ROOT / "queries"

PARAM_TYPES = {
    "iri": "an absolute IRI, e.g. http://purl.obolibrary.org/obo/MONDO_0007915",
    "curie": "a CURIE with a known prefix, e.g. MONDO:0007915",
    "label": "a name, synonym or key of an entity, e.g. rese-cel",
    "string": "any text",
    "integer": "a whole number, e.g. 3",
}
HEADER_KEYS = {"title", "question", "params", "returns"}
PARAM_KEYS = {"type", "example", "description", "narrows"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


_IRI_RE = re.compile(r"^(https?|urn):[^\s<>\"{}|\\^`]+$")


class QueryError(Exception):
    """A query file, a parameter or a query text is not acceptable; the message says why."""


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    example: str
    description: str = ""
    #: A variable that the quote index narrows down to the quotes containing this parameter's
    #: text (a string parameter; see :func:`run_query`).
    narrows: str = ""


@dataclass(frozen=True)
class QueryFile:
    """A query of the library with its parsed header."""

    name: str
    path: Path
    title: str
    question: str
    returns: tuple[str, ...]
    params: dict[str, Param] = field(default_factory=dict)
    sparql: str = ""

    @property
    def narrows(self) -> dict[str, str]:
        """Each parameter that narrows a variable down, to that variable (see run_query)."""
        return {p.name: p.narrows for p in self.params.values() if p.narrows}


@dataclass(frozen=True)
class QueryResult:
    """The columns and rows of a SELECT query."""

    columns: tuple[str, ...]
    rows: tuple[tuple[ox.NamedNode | ox.Literal | None, ...], ...]


def parse_header(text: str, shown: str) -> dict[str, Any]:
    """Parse the ``#+`` header of a query strictly (bad YAML is an error, never ignored)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[2:].removeprefix(" "))
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        raise QueryError(f"{shown}: no '#+' header. Fix: start the file with '#+ title: ...' "
                         "lines (see docs/queries.md).")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as err:
        raise QueryError(f"{shown}: the '#+' header is not valid YAML: {err}") from None
    if not isinstance(header, dict):
        raise QueryError(f"{shown}: the '#+' header must be a mapping of title, question, ...")
    unknown = set(header) - HEADER_KEYS
    missing = {"title", "question", "returns"} - set(header)
    if unknown or missing:
        raise QueryError(f"{shown}: header has unknown keys {sorted(unknown)} or lacks "
                         f"{sorted(missing)}. Fix: use exactly {sorted(HEADER_KEYS)}.")
    return header


def _params(header: dict[str, Any], shown: str) -> dict[str, Param]:
    raw = header.get("params") or {}
    if not isinstance(raw, dict):
        raise QueryError(f"{shown}: 'params' must map each name to {{type, example}}.")
    params = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or set(spec) - PARAM_KEYS or not {"type", "example"} <= set(
            spec
        ):
            raise QueryError(f"{shown}: parameter '{name}' needs exactly type and example "
                             "(and an optional description and narrows).")
        if spec["type"] not in PARAM_TYPES:
            raise QueryError(f"{shown}: parameter '{name}' has unknown type '{spec['type']}'. "
                             f"Fix: use one of {', '.join(PARAM_TYPES)}.")
        narrows = str(spec.get("narrows", ""))
        if "narrows" in spec and (spec["type"] != "string" or not _NAME_RE.match(narrows)):
            raise QueryError(f"{shown}: parameter '{name}' narrows {spec['narrows']!r}. Fix: "
                             "only a string parameter narrows, and it names one variable of the "
                             "query, without '?' (e.g. narrows: q).")
        params[name] = Param(name, spec["type"], str(spec["example"]),
                             str(spec.get("description", "")), narrows)
    return params


def load_query(path: Path) -> QueryFile:
    """Read one query file and check its header against its SPARQL.

    A file is read and checked once per version (its path, inode, size and modification time):
    running the same query again does not read or parse it again.
    """
    try:
        stat = path.stat()
    except OSError as err:
        raise QueryError(f"{path}: cannot be read ({err}).") from None
    return _load_query(path, (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=256)
def _load_query(path: Path, _version: tuple[int, int, int, int]) -> QueryFile:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QueryError(f"{shown}: cannot be read ({err}).") from None
    header = parse_header(text, shown)
    params = _params(header, shown)
    returns = header["returns"]
    if not isinstance(returns, list) or not all(isinstance(r, str) for r in returns):
        raise QueryError(f"{shown}: 'returns' must be a list of column names.")
    check_safe(text, shown)
    columns = select_variables(text, shown)
    if tuple(returns) != columns:
        raise QueryError(f"{shown}: header returns {returns} but the query selects "
                         f"{list(columns)}. Fix: make them the same, in the same order.")
    variables = {m.group()[1:] for m in TOKEN.finditer(text) if m.lastgroup == "var"}
    for param in params.values():
        if param.narrows and param.narrows not in variables:
            raise QueryError(f"{shown}: parameter '{param.name}' narrows ?{param.narrows}, which "
                             "the query does not use. Fix: name the variable that holds the "
                             "quotes, e.g. ?q in '?q oa:exact ?quote'.")
    for name in params:
        if name not in columns:
            raise QueryError(f"{shown}: parameter '{name}' is not among the selected variables. "
                             "Fix: select it (a bound parameter must be projected, so that the "
                             "engine binds it and the result shows what was asked).")
    return QueryFile(name=path.stem, path=path, title=str(header["title"]),
                     question=str(header["question"]), returns=tuple(returns), params=params,
                     sparql=text)


def load_queries(folder: Path = QUERIES) -> dict[str, QueryFile]:
    """Every query of the library, by name (the file stem, snake_case)."""
    queries = {}
    for path in sorted(folder.glob("*.rq")):
        if not _NAME_RE.match(path.stem):
            raise QueryError(f"{path}: a query's file name is snake_case, e.g. "
                             "trials_of_sponsor.rq. Fix: rename it.")
        queries[path.stem] = load_query(path)
    return queries


def find_query(name: str, folder: Path = QUERIES) -> QueryFile:
    """Load one query of the library by name, or say which names come close."""
    path = folder / f"{name}.rq"
    if _NAME_RE.match(name) and path.is_file():
        return load_query(path)
    names = sorted(p.stem for p in folder.glob("*.rq"))
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"no query named {name!r}.{hint} Fix: `cartkg queries` lists them.")


# --- the safety check ---------------------------------------------------------------------------
#
# A query is refused when it could reach the network (SERVICE, LOAD, FROM / FROM NAMED) or is not
# a read-only query. Two independent checks, both of which must pass, on the query as each engine
# reads it (rdflib expands \uXXXX escapes anywhere in the text before parsing; Oxigraph does not):
#
# 1. a lexical scan: the text is split into SPARQL tokens (comments, strings, IRIs, variables and
#    prefixed names are single tokens), and a bare word that contains SERVICE, LOAD or FROM is
#    refused. Containment, not equality, because Oxigraph's parser does not need a word boundary
#    after a keyword: it reads ``SERVICEex:x {...}`` as ``SERVICE ex:x {...}``.
# 2. rdflib's SPARQL 1.1 parser: the text must parse as a query (not an update), and its parse
#    tree must hold no SERVICE pattern and no dataset clause.
#
# The outcome depends on the text only and is cached, so that running the same query again costs
# a dictionary look-up, not a parse.

_KEYWORDS = ("SERVICE", "LOAD", "FROM")
_UPDATES = {"LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH"}
_QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
# The same expansion as rdflib's parser (rdflib.plugins.sparql.parser.expandUnicodeEscapes).
_CODEPOINT = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)


def check_safe(text: str, shown: str = "query") -> None:
    """Refuse a query that could reach the network (SERVICE, LOAD, FROM) or is not a query."""
    problem = _problem(text)
    if problem is not None:
        raise QueryError(f"{shown}: {problem}")


def select_variables(text: str, shown: str = "query") -> tuple[str, ...]:
    """The projected variables of a SELECT query, in order."""
    check_safe(text, shown)
    form, columns = _parsed(text)
    if isinstance(columns, str):
        raise QueryError(f"{shown}: not valid SPARQL 1.1: {columns}")
    if form != "SelectQuery":
        raise QueryError(f"{shown}: only SELECT queries are supported.")
    return columns


def _refused(keyword: str) -> str:
    return (f"{keyword} is refused: queries run on the local graph only and never reach the "
            "network. Fix: remove it.")


@functools.lru_cache(maxsize=512)
def _problem(text: str) -> str | None:
    """Why a query text is refused (the message without the query's name), or None."""
    views = [text]
    try:
        expanded = _CODEPOINT.sub(lambda m: chr(int(m.group(1), 16)), text)
    except (ValueError, OverflowError):
        expanded = text  # rdflib cannot parse it either
    if expanded != text:
        views.append(expanded)
    for view in views:
        problem = _lexical_problem(view)
        if problem is not None:
            return problem
    try:
        _parsed(text)
    except _Unsafe as err:
        return str(err)
    return None


def _lexical_problem(text: str) -> str | None:
    words = [m.group() for m in TOKEN.finditer(text) if m.lastgroup == "word"]
    for word in words:
        upper = word.upper()
        for keyword in _KEYWORDS:
            if keyword in upper:
                return _refused(keyword)
    first = next((w.upper() for w in words if w.upper() not in ("BASE", "PREFIX")), "")
    if first in _UPDATES:
        return (f"{first} is an update, and updates are refused: only read-only queries "
                f"({', '.join(sorted(_QUERY_FORMS))}) are run. Fix: write a SELECT query.")
    return None


class _Unsafe(Exception):
    """A query text that rdflib's parser refuses or that holds a network pattern."""


@functools.lru_cache(maxsize=512)
def _parsed(text: str) -> tuple[str, tuple[str, ...] | str]:
    """Parse a query with rdflib: its form and its projected variables (or why it has none).

    The form is rdflib's name for it, e.g. ``SelectQuery``; the variables are a message when
    rdflib cannot translate the query to its algebra. Raises :class:`_Unsafe` if it is not a
    valid SPARQL 1.1 query or holds SERVICE or FROM.
    """
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception as err:  # rdflib raises pyparsing and other errors for bad SPARQL
        raise _Unsafe(f"not a valid SPARQL 1.1 query: {err}") from None
    form = str(tree[1].name)
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, str):  # rdflib terms are strings too
            continue
        if isinstance(node, (ParseResults, list, tuple)):  # before dict: ParseResults is a Mapping
            stack.extend(node)
        elif isinstance(node, dict):
            name = getattr(node, "name", "")
            if name == "ServiceGraphPattern":
                raise _Unsafe(_refused("SERVICE"))
            if name == "DatasetClause":
                raise _Unsafe(_refused("FROM"))
            stack.extend(node.values())
    try:  # (translateQuery changes the parse tree: it comes last)
        algebra = translateQuery(tree).algebra
    except Exception as err:  # rdflib raises bare exceptions for what it cannot translate
        return form, _error_text(err)
    return form, tuple(str(v) for v in algebra.get("PV") or ())


def bind_params(query: QueryFile, given: Mapping[str, str], store: GraphStore
                ) -> dict[str, ox.NamedNode | ox.Literal]:
    """Check each given value against its declared type and turn it into an RDF term."""
    unknown = set(given) - set(query.params)
    if unknown:
        raise QueryError(f"query '{query.name}' has no parameter {', '.join(sorted(unknown))}. "
                         f"Its parameters: {_describe(query) or 'none'}.")
    missing = set(query.params) - set(given)
    if missing:
        raise QueryError(f"query '{query.name}' needs "
                         + ", ".join(f"--param {m}=VALUE" for m in sorted(missing))
                         + f". Expected: {_describe(query)}.")
    return {name: to_term(query.params[name], value, store) for name, value in given.items()}


def _describe(query: QueryFile) -> str:
    return "; ".join(f"{p.name} ({p.type}: {PARAM_TYPES[p.type]}; example: {p.name}={p.example})"
                     for p in query.params.values())


def to_term(param: Param, value: str, store: GraphStore) -> ox.NamedNode | ox.Literal:
    """Convert one parameter value to an RDF term, or raise a :class:`QueryError`."""
    expected = f"Expected {param.type}: {PARAM_TYPES[param.type]}; example: {param.example}"
    if param.type == "iri":
        if not _IRI_RE.match(value):
            raise QueryError(f"parameter '{param.name}': {value!r} is not an absolute IRI. "
                             f"{expected}.")
        return ox.NamedNode(value)
    if param.type == "curie":
        return ox.NamedNode(expand(value, param, expected))
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value):
            raise QueryError(f"parameter '{param.name}': {value!r} is not a whole number. "
                             f"{expected}.")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
    if param.type == "label":
        try:
            return resolve_label(value, store, f"parameter '{param.name}'")
        except QueryError as err:
            raise QueryError(f"{err} {expected}.") from None
    return ox.Literal(value)


def expand(value: str, param: Param, expected: str) -> str:
    """Expand a CURIE with one of the project's prefixes."""
    prefix, sep, local = value.partition(":")
    if not sep or prefix not in PREFIXES or not re.fullmatch(r"[^\s<>\"{}|\\^`]+", local):
        raise QueryError(f"parameter '{param.name}': {value!r} is not a CURIE with a known prefix "
                         f"({', '.join(PREFIXES)}). {expected}.")
    return PREFIXES[prefix] + local


_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?entity ?name WHERE {
  GRAPH <https://w3id.org/cart-kg/graph/registry> {
    { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
  }
}
"""


def entity_names(store: GraphStore) -> dict[str, set[str]]:
    """Every name (label, synonym, key) of a registry entity, lower-cased, to its IRIs."""
    names: dict[str, set[str]] = {}
    _, rows = store.select(_LABELS)
    for entity, name in rows:
        if entity is None or name is None:
            continue
        names.setdefault(name.value.lower(), set()).add(entity.value)
        names.setdefault(entity.value.rsplit("/", 1)[-1].lower(), set()).add(entity.value)
    return names


def resolve_label(value: str, store: GraphStore, what: str = "entity") -> ox.NamedNode:
    """Resolve a name, synonym or key to the one registry entity it names."""
    names = entity_names(store)
    found = names.get(value.lower(), set())
    if len(found) == 1:
        return ox.NamedNode(next(iter(found)))
    if found:
        raise QueryError(f"{what}: {value!r} is ambiguous; it names {', '.join(sorted(found))}. "
                         "Fix: pass the IRI or a more specific name.")
    close = difflib.get_close_matches(value.lower(), list(names), n=5, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise QueryError(f"{what}: no entity is named {value!r}.{hint}")


def run_query(store: GraphStore, sparql: str,
              bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              narrows: Mapping[str, str] | None = None) -> QueryResult:
    """Run a (checked) SELECT query on the store with bound variables.

    ``narrows`` maps a bound string parameter to a variable holding quotes (``QueryFile.narrows``):
    when the store has a quote index, that variable is narrowed down to the quotes whose text
    contains the parameter's value (decision 0011). The query still filters them itself, so the
    rows are the same with or without the index; only the time differs. A final ORDER BY over
    plain variables is done in Python, in Oxigraph's order (decision 0017).
    """
    from kg.netguard import no_network

    check_safe(sparql)
    candidates = {}
    for param, variable in (narrows or {}).items():
        term = (bindings or {}).get(param)
        if isinstance(term, ox.Literal):
            found = store.quotes_containing(term.value)
            if found is not None:
                candidates[variable] = found
    order = _python_order(sparql, bindings or {})
    try:
        with no_network():
            if order is not None:
                finished = _sorted_in_python(store, order, bindings, candidates)
                if finished is not None:
                    return finished
            columns, rows = store.select(sparql, bindings, candidates)
    except (SyntaxError, OSError, ValueError) as err:
        raise QueryError(f"the query failed: {_error_text(err)}") from err
    return QueryResult(tuple(columns), tuple(rows))


def _python_order(sparql: str, bindings: Mapping[str, Any]) -> Order | None:
    """The query without its final ORDER BY, for Python to sort (decision 0017), or None.

    None also when a parameter binds a variable that the query orders by and does not project:
    Oxigraph refuses that binding, and projecting the variable for the sort would hide it.
    """
    try:
        projected = select_variables(sparql)
    except QueryError:  # not a SELECT query: the store says so
        return None
    order = split_order(sparql, projected)
    if order is None or any(name in bindings for name in order.hidden):
        return None
    return order


def _sorted_in_python(store: GraphStore, order: Order,
                      bindings: Mapping[str, ox.NamedNode | ox.Literal] | None,
                      candidates: Mapping[str, Sequence[ox.NamedNode]]) -> QueryResult | None:
    """The query's rows sorted by Python, or None to run the query as written instead.

    None when a value cannot be placed exactly, and when the text without its ORDER BY fails
    (a term the rows cannot hold, such as a blank node in a column projected for the sort): the
    query as written then gives Oxigraph's answer, or says what is wrong with it.
    """
    try:
        finished = finish_rows(order, *store.select(order.text, bindings, candidates))
    except (SyntaxError, OSError, ValueError, StoreError):
        return None
    return None if finished is None else QueryResult(tuple(finished[0]), tuple(finished[1]))


def _error_text(err: BaseException) -> str:
    """An exception as text that is never empty: its message, else what was raised."""
    kind = type(err).__qualname__
    module = type(err).__module__
    if module != "builtins":
        kind = f"{module}.{kind}"
    text = str(err).strip()
    return f"{text} ({kind})" if text else f"{kind}, raised without a message"


def rdflib_dataset(quads: Any) -> Any:
    """An rdflib dataset of the quads; its default graph is the union (for portability checks)."""
    from rdflib import Dataset, URIRef

    from kg.datagraph import to_rdflib

    dataset = Dataset(default_union=True)
    for q in quads:
        dataset.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                     dataset.graph(URIRef(q.graph_name.value))))
    return dataset


def run_query_rdflib(dataset: Any, sparql: str,
                     bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None
                     ) -> QueryResult:
    """Run the same query with rdflib's own SPARQL engine, offline; rows as Oxigraph terms."""
    import rdflib.plugins.sparql as rdflib_sparql
    from rdflib import Literal, URIRef

    from kg.datagraph import to_rdflib
    from kg.netguard import no_network

    check_safe(sparql)
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    init = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
    try:
        with no_network():
            result = dataset.query(sparql, initBindings=init)
            columns = tuple(str(v) for v in result.vars)
            materialised = list(result)
    except Exception as err:  # rdflib raises bare exceptions for what it cannot evaluate
        # Whatever was raised is named, and kept as the cause: an exception without a message
        # (e.g. a caller's time limit raised from a signal handler) must not read as an empty
        # rdflib failure.
        raise QueryError(f"rdflib could not run the query: {_error_text(err)}") from err

    def back(term: Any) -> ox.NamedNode | ox.Literal | None:
        if term is None:
            return None
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            datatype = term.datatype or URIRef("http://www.w3.org/2001/XMLSchema#string")
            return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
        raise QueryError(f"unexpected term in a result: {term!r}")

    rows = tuple(tuple(back(row[c]) for c in columns) for row in materialised)
    return QueryResult(columns, rows)
