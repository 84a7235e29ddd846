"""Query parameters: each given value checked against its declared type and made an RDF term.

The terms are bound through the engine, never pasted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.core.checks import integer_text_problem, iri_problem, text_problem
from kg.core.curie import expand as expand_curie
from kg.core.vocab import PREFIXES
from kg.query.library import PARAM_TYPES, Param, QueryFile
from kg.query.resolve import UnknownName, resolve
from kg.query.safety import QueryError
from kg.store.store import GraphStore

_IRI_RE = re.compile(r"^(https?|urn):[^\s<>\"{}|\\^`]+$")


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
        problem = iri_problem(value)
        if problem is not None or not _IRI_RE.match(value):
            raise QueryError(f"parameter '{param.name}': {_cut(value)} is not an absolute IRI"
                             f"{f' ({problem})' if problem else ''}. {expected}.")
        return ox.NamedNode(value)
    if param.type == "curie":
        return ox.NamedNode(expand(value, param, expected))
    if param.type == "integer":
        problem = integer_text_problem(value)
        if problem is not None:
            raise QueryError(f"parameter '{param.name}': {_cut(value)} {problem}. {expected}.")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
    problem = text_problem(value)
    if problem is not None:
        raise QueryError(f"parameter '{param.name}': {_cut(value)} {problem}. {expected}.")
    if param.type == "label":
        try:
            return resolve(store, value, f"parameter '{param.name}'")
        except UnknownName as err:
            raise QueryError(f"{err} {expected}.") from None
    return ox.Literal(value)


def expand(value: str, param: Param, expected: str) -> str:
    """Expand a CURIE with one of the project's prefixes."""
    iri = expand_curie(value)
    if iri is None or not _IRI_RE.match(iri):
        raise QueryError(f"parameter '{param.name}': {_cut(value)} is not a CURIE with a known "
                         f"prefix ({', '.join(PREFIXES)}). {expected}.")
    return iri




def _cut(value: str) -> str:
    """A parameter value as an error quotes it: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(value)} characters)"
