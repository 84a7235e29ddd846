"""SPARQL as text: its tokens, and parameters shown to the planner in an inline ``VALUES`` block.

Oxigraph binds a parameter through ``substitutions``: the variable is bound everywhere in the
query, nested groups and their filters included (as rdflib's ``initBindings`` does). But it binds
it at evaluation, after the plan is made, so a query that starts from one identifier scans every
entity and filters (``entity_for_external_identifier``: 6 ms instead of 0.2 ms at 1,000
articles). :func:`bind_values` also puts ``VALUES (?name ...) { (term ...) }`` first in the
query's outermost group, the terms written by pyoxigraph (IRIs and literals escaped as in
N-Triples, which SPARQL reads the same way), never the caller's text. Given both, the solutions
are the substitution's (the VALUES row agrees with every one of them) and the plan starts from
the value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

_ESC = r"""\\[tbnrf"'\\uU]"""
#: SPARQL's tokens: comments, strings, IRIs, variables and prefixed names are single tokens.
TOKEN = re.compile("|".join([
    r"(?P<space>\s+)",
    r"(?P<comment>#[^\n\r]*)",
    rf'(?P<string>"""(?:(?:"|"")?(?:[^"\\]|{_ESC}))*"""'
    rf"|'''(?:(?:'|'')?(?:[^'\\]|{_ESC}))*'''"
    rf'|"(?:[^"\\\n\r]|{_ESC})*"'
    rf"|'(?:[^'\\\n\r]|{_ESC})*')",
    r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
    r"(?P<var>[?$][A-Za-z0-9_]+)",
    r"(?P<pname>(?:[A-Za-z][A-Za-z0-9_.-]*)?:(?:[A-Za-z0-9_.:%-]|\\[_~.\-!$&\"'()*+,;=/?#@%])*)",
    r"(?P<word>[A-Za-z][A-Za-z0-9_]*)",
    r"(?P<other>.)",
]), re.DOTALL)

Term = ox.NamedNode | ox.Literal
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class NoGroup(ValueError):
    """The text has no outermost group (``WHERE { ... }``) to bind parameters in."""


@functools.lru_cache(maxsize=512)
def where_group(text: str) -> int:
    """The offset just after the ``{`` that opens the query's outermost group.

    That is the first ``{`` outside any parentheses (an ``EXISTS { }`` in the projection is inside
    them) and outside any other group; comments, strings and IRIs are skipped as whole tokens.
    Found once per query text (cached): running a query again does not scan it again.
    """
    parens = 0
    for match in TOKEN.finditer(text):
        if match.lastgroup != "other":
            continue
        char = match.group()
        if char == "(":
            parens += 1
        elif char == ")":
            parens -= 1
        elif char == "{" and parens == 0:
            return match.end()
    raise NoGroup("the query has no 'WHERE { ... }' group")


def terms_text(terms: Iterable[Term], separator: str = " ") -> str:
    """Terms as SPARQL text (a VALUES row, an ``IN`` list), each written by pyoxigraph."""
    return separator.join(str(term) for term in terms)


def bind_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with each variable of ``bindings`` bound to its term in an inline VALUES block.

    Run it with the same bindings as substitutions: alone, the block binds the variable in the
    outermost group only, and a filter in a nested group would not see it.
    """
    if not bindings:
        return text
    bad = [name for name in bindings if not _VARIABLE.fullmatch(name)]
    if bad:
        raise ValueError(f"not variable names: {', '.join(map(repr, bad))}")
    at = where_group(text)
    names = " ".join(f"?{name}" for name in bindings)
    block = f"VALUES ({names}) {{ ({terms_text(bindings.values())}) }}"
    return f"{text[:at]}\n  {block}{text[at:]}"
