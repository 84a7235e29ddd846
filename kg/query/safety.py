"""The safety check: a query that could reach the network, or is not a read-only query, is refused.

Two independent checks, both of which must pass, on the query as each engine reads it (rdflib
expands ``\\uXXXX`` escapes anywhere in the text before parsing; Oxigraph does not):

1. a lexical scan: the text is split into SPARQL tokens (comments, strings, IRIs, variables and
   prefixed names are single tokens), and a bare word that contains SERVICE, LOAD or FROM is
   refused. Containment, not equality, because Oxigraph's parser does not need a word boundary
   after a keyword: it reads ``SERVICEex:x {...}`` as ``SERVICE ex:x {...}``.
2. rdflib's SPARQL 1.1 parser: the text must parse as a query (not an update), and its parse tree
   must hold no SERVICE pattern and no dataset clause.

The outcome depends on the text only and is cached, so that running the same query again costs a
dictionary look-up, not a parse.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from kg.core.sparql_text import TOKEN


class QueryError(Exception):
    """A query file, a parameter or a query text is not acceptable; the message says why."""


_KEYWORDS = ("SERVICE", "LOAD", "FROM")
_UPDATES = {"LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "INSERT", "DELETE", "WITH"}
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
        raise QueryError(f"{shown}: {form_refused(form)}")
    return columns


#: What every refusal of a query form says is allowed.
ONLY_SELECT = ("only SELECT queries are run (their rows are what `cartkg query` prints as a "
               "table, CSV or JSON). Fix: write a SELECT query.")


def query_form(text: str) -> str:
    """The form of a checked query: ``SelectQuery``, ``AskQuery``, ``ConstructQuery``, ..."""
    check_safe(text)
    return _parsed(text)[0]


def form_refused(form: str) -> str:
    """Why a query of a form other than SELECT is not run, and what to write instead."""
    name = form.removesuffix("Query").upper()
    instead = {"ASK": " For ASK { ... }, write SELECT (COUNT(*) AS ?n) WHERE { ... } LIMIT 1.",
               "CONSTRUCT": " For CONSTRUCT, SELECT the ?s ?p ?o it would build.",
               "DESCRIBE": " For DESCRIBE <x>, write SELECT ?p ?o WHERE { <x> ?p ?o }."}
    return f"{name} queries are not run: {ONLY_SELECT}{instead.get(name, '')}"


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
        return (f"{first} is an update, and updates are refused: {ONLY_SELECT}")
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
        return form, error_text(err)
    return form, tuple(str(v) for v in algebra.get("PV") or ())


def error_text(err: BaseException) -> str:
    """An exception as text that is never empty: its message, else what was raised."""
    kind = type(err).__qualname__
    module = type(err).__module__
    if module != "builtins":
        kind = f"{module}.{kind}"
    text = str(err).strip()
    return f"{text} ({kind})" if text else f"{kind}, raised without a message"
