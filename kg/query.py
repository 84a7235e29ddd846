"""The query library: ``queries/*.rq`` with strict ``#+`` headers, run with bound parameters.

Parameters are bound through the engine (Oxigraph substitutions, rdflib ``initBindings``), never
pasted into the query text. Queries that could reach the network (``SERVICE``, ``LOAD``, ``FROM``)
are refused before any engine sees them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.store import GraphStore
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
PARAM_KEYS = {"type", "example", "description"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def find_query(name: str, folder: Path = QUERIES) -> QueryFile:
    """Load one query of the library by name, or say which names come close."""
    path = folder / f"{name}.rq"
    if _NAME_RE.match(name) and path.is_file():
        return load_query(path)
    names = sorted(p.stem for p in folder.glob("*.rq"))
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"no query named {name!r}.{hint} Fix: `cartkg queries` lists them.")
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
                             "(and an optional description).")
        if spec["type"] not in PARAM_TYPES:
            raise QueryError(f"{shown}: parameter '{name}' has unknown type '{spec['type']}'. "
                             f"Fix: use one of {', '.join(PARAM_TYPES)}.")
        params[name] = Param(name, spec["type"], str(spec["example"]),
                             str(spec.get("description", "")))
    return params


def load_query(path: Path) -> QueryFile:
    """Read one query file and check its header against its SPARQL."""
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


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def select_variables(text: str, shown: str = "query") -> tuple[str, ...]:
    """The projected variables of a SELECT query, in order."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        algebra = translateQuery(parseQuery(text)).algebra
    except Exception as err:  # rdflib raises pyparsing and other errors for bad SPARQL
        raise QueryError(f"{shown}: not valid SPARQL 1.1: {err}") from None
    if algebra.name != "SelectQuery":
        raise QueryError(f"{shown}: only SELECT queries are supported.")
    return tuple(str(v) for v in algebra["PV"])


# A keyword, not part of a variable (?from), a prefixed name (schema:Service) or a longer word.
_NETWORK = re.compile(r"(?<![?$:\w-])(SERVICE|LOAD|FROM)(?![:\w-])", re.IGNORECASE)


def check_safe(text: str, shown: str = "query") -> None:
    """Refuse a query that could reach the network: SERVICE, LOAD, FROM (remote loading)."""
    from rdflib.plugins.sparql.parser import parseQuery

    body = re.sub(r"<[^>\s]*>", "<>", _strip_strings(_strip_comments(text)))
    match = _NETWORK.search(body)
    if match:
        raise QueryError(f"{shown}: {match.group(1).upper()} is refused: queries run on the local "
                         "graph only and never reach the network. Fix: remove it.")
    try:
        parseQuery(text)
    except Exception as err:
        raise QueryError(f"{shown}: not a valid SPARQL 1.1 query: {err}") from None


def _strip_strings(text: str) -> str:
    return re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'',
                  '""', text)


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
              bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None) -> QueryResult:
    """Run a (checked) SELECT query on the store with bound variables."""
    from kg.netguard import no_network

    check_safe(sparql)
    try:
        with no_network():
            columns, rows = store.select(sparql, bindings)
    except (SyntaxError, OSError) as err:
        raise QueryError(f"the query failed: {err}") from None
    return QueryResult(tuple(columns), tuple(rows))


def rdflib_dataset(quads: Any) -> Any:
    """An rdflib dataset of the quads; its default graph is the union (for portability checks)."""
    from rdflib import Dataset, URIRef

    from kg.validate import to_rdflib

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

    from kg.netguard import no_network
    from kg.validate import to_rdflib

    check_safe(sparql)
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    init = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
    try:
        with no_network():
            result = dataset.query(sparql, initBindings=init)
            columns = tuple(str(v) for v in result.vars)
            materialised = list(result)
    except QueryError:
        raise
    except Exception as err:  # rdflib raises bare exceptions for what it cannot evaluate
        raise QueryError(f"rdflib could not run the query: {err}") from None

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
