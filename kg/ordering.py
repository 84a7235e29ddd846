"""A query's final ORDER BY, done in Python in the order Oxigraph gives (decision 0017).

Oxigraph sorts by comparing the terms of two solutions each time it compares them, and reads a
string term's text from the store at each comparison: at 10,000 synthetic articles the ORDER BY
of claims_per_article (60,000 rows) takes 3.5 s of its 6.5 s, and it grows 13-25x per 10x the
articles where the rest of a query grows 12-15x. Python sorts the same rows, once they are
decoded, in a tenth of that.

:func:`split_order` takes a query's last clause off when it is ``ORDER BY`` over plain variables
(``?v``, ``ASC(?v)``, ``DESC(?v)``), with nothing after it. A variable it orders by but does not
project (the quotes' ``?start``) is projected too, when the projection is plain variables and the
query has no GROUP BY; :func:`finish_rows` drops that column after sorting, and for SELECT
DISTINCT keeps the first of the rows that are then equal, as Oxigraph's DISTINCT keeps the first
row it meets in the sorted solutions.
:func:`sort_rows` orders the rows as SPARQL and Oxigraph order them: unbound first, then IRIs
by their text, then literals by value (strings by code point, integers and decimals by value,
booleans false first, dates by day). Rows equal on every key are put in the order of their
remaining columns (Oxigraph leaves that order unspecified), so the order is a total one and the
same on every run. It gives up (``None``) on what Oxigraph compares in ways this module does not
repeat exactly: language-tagged strings, floating-point numbers, other datatypes, a number
outside Oxigraph's range or not in XSD's lexical form (Oxigraph compares those by their text), a
column whose literals are of two kinds (a string and a number compare as equal in Oxigraph), and
a key that the query does not return (``SELECT *``). The caller then runs the query as written.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from kg.sparql_text import TOKEN

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
_INTEGER = XSD + "integer"
_DECIMAL = XSD + "decimal"
_BOOLEAN = XSD + "boolean"
_DATE = XSD + "date"
#: The lexical forms Oxigraph reads as values (it gives back numbers, booleans and dates in
#: canonical form, and compares a literal it cannot read by its text).
_INTEGER_FORM = re.compile(r"[+-]?[0-9]+")
_DECIMAL_FORM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEANS = {"true": True, "false": False}
#: Oxigraph's integers are 64-bit; its decimals are 128-bit with 18 digits after the point.
_INTEGER_RANGE = range(-2**63, 2**63)
_DECIMAL_DIGITS = 18
_DECIMAL_LIMIT = Decimal(2**127 - 1).scaleb(-_DECIMAL_DIGITS)

Row = tuple[ox.NamedNode | ox.Literal | None, ...]
#: A term's place in the order: its rank (unbound, IRI, literal), its literal kind and value, and
#: its text (which tells apart literals of equal value, such as 1 and 1.0).
Key = tuple[Any, ...]


class Unordered(ValueError):
    """A value this module cannot place exactly as Oxigraph does."""


@dataclass(frozen=True)
class Order:
    """A query without its final ORDER BY, and that ORDER BY's variables."""

    text: str
    #: (variable name, descending) for each condition, in order.
    keys: tuple[tuple[str, bool], ...]
    #: Variables ordered by that ``text`` projects only for sorting (after the query's own).
    hidden: tuple[str, ...] = ()
    #: Whether the query is SELECT DISTINCT (rows equal once ``hidden`` is dropped are one).
    distinct: bool = False


@functools.lru_cache(maxsize=512)
def split_order(text: str, projected: tuple[str, ...]) -> Order | None:
    """The query without its last clause, when that is ORDER BY over plain variables.

    Variables it orders by and does not project are added to the projection (``Order.hidden``).
    None when the query has no such clause: no ORDER BY outside its groups, an ORDER BY over an
    expression, or a clause after it (LIMIT, OFFSET, VALUES); or when a variable it orders by is
    not projected and cannot be (see :func:`_projection_end`).
    """
    tokens = [m for m in TOKEN.finditer(text) if m.lastgroup not in ("space", "comment")]
    depth = 0
    start = None
    grouped = False
    for at, match in enumerate(tokens):
        char = match.group()
        if match.lastgroup == "other" and char in "{(":
            depth += 1
        elif match.lastgroup == "other" and char in "})":
            depth -= 1
        elif (depth == 0 and match.lastgroup == "word" and at + 1 < len(tokens)
              and tokens[at + 1].group().upper() == "BY"):
            start = at if char.upper() == "ORDER" else start
            grouped = grouped or char.upper() == "GROUP"
    if start is None:
        return None
    keys = _conditions([m.group() for m in tokens[start + 2:]])
    if not keys:
        return None
    body = text[:tokens[start].start()].rstrip() + "\n"
    hidden = tuple(dict.fromkeys(name for name, _ in keys if name not in projected))
    if not hidden:
        return Order(body, keys)
    end = None if grouped else _projection_end(tokens[:start])
    if end is None:
        return None
    at, distinct = end
    added = "".join(f"?{name} " for name in hidden)
    return Order(body[:at] + added + body[at:], keys, hidden, distinct)


def _projection_end(tokens: list[re.Match[str]]) -> tuple[int, bool] | None:
    """Where variables can be added to the projection, and whether the query is SELECT DISTINCT.

    The place is the offset of the token after the projection. None unless the projection is
    plain variables (not ``*``, no expression, not REDUCED).
    """
    select = next((at for at, m in enumerate(tokens)
                   if m.lastgroup == "word" and m.group().upper() == "SELECT"), None)
    if select is None:
        return None
    at = select + 1
    distinct = at < len(tokens) and tokens[at].group().upper() == "DISTINCT"
    at += distinct
    first = at
    while at < len(tokens) and tokens[at].lastgroup == "var":
        at += 1
    if at == first or at == len(tokens):
        return None
    stop = tokens[at].group()
    if stop.upper() not in ("WHERE", "FROM") and stop != "{":
        return None
    return tokens[at].start(), distinct


def _conditions(tokens: list[str]) -> tuple[tuple[str, bool], ...] | None:
    """The (variable, descending) pairs of ORDER BY's conditions, or None if one is not plain."""
    keys = []
    at = 0
    while at < len(tokens):
        token = tokens[at]
        if token[0] in "?$":
            keys.append((token[1:], False))
            at += 1
        elif (token.upper() in ("ASC", "DESC") and tokens[at + 1:at + 2] == ["("]
              and tokens[at + 2:at + 3] and tokens[at + 2][0] in "?$"
              and tokens[at + 3:at + 4] == [")"]):
            keys.append((tokens[at + 2][1:], token.upper() == "DESC"))
            at += 4
        else:
            return None
    return tuple(keys)


def sort_rows(columns: Sequence[str], rows: Sequence[Row],
              keys: Sequence[tuple[str, bool]]) -> list[Row] | None:
    """The rows in the order of ``keys``, then of the other columns; None if one cannot be placed.

    ``keys`` are (column, descending) pairs. None too when a key is not one of ``columns`` (a
    variable that ``SELECT *`` does not return). Ties on every key are put in the order of the
    other columns, as if the ORDER BY listed them after its own; a column this module cannot
    place is put in the order of its terms' N-Triples text instead.
    """
    where = {name: at for at, name in enumerate(columns)}
    if any(name not in where for name, _ in keys):
        return None
    if len(rows) < 2:  # nothing to order (and a value Python cannot place cannot be misplaced)
        return list(rows)
    named = {where[name] for name, _ in keys}
    conditions = [(where[name], desc) for name, desc in keys]
    conditions += [(at, False) for at in range(len(columns)) if at not in named]
    cells: dict[int, list[Key]] = {}
    for at in dict.fromkeys(at for at, _ in conditions):
        terms = [row[at] for row in rows]
        try:
            cells[at] = _column_keys(terms)
        except Unordered:
            if at in named:
                return None
            # any total order will do for a tie-breaker: the terms' text
            cells[at] = [("" if term is None else str(term),) for term in terms]
    order = list(range(len(rows)))
    # Stable sorts, from the last run of same-direction conditions to the first, give the
    # lexicographic order (Python's sort stays stable with reverse=True).
    for run, desc in reversed(_runs(conditions)):
        columns_of_run = [cells[at] for at in run]
        order.sort(key=_row_key(columns_of_run), reverse=desc)
    return [rows[i] for i in order]


def finish_rows(order: Order, columns: Sequence[str], rows: Sequence[Row]
                ) -> tuple[list[str], list[Row]] | None:
    """The rows of ``order.text`` sorted, without its hidden columns; None if one cannot be placed.

    For SELECT DISTINCT, rows that are equal once the hidden columns are dropped are one: the
    first in the sorted order is kept.
    """
    ordered = sort_rows(columns, rows, order.keys)
    if ordered is None:
        return None
    if not order.hidden:
        return list(columns), ordered
    kept = [at for at, name in enumerate(columns) if name not in order.hidden]
    shown = [tuple(row[at] for at in kept) for row in ordered]
    if order.distinct:
        shown = list(dict.fromkeys(shown))
    return [columns[at] for at in kept], shown


def _runs(conditions: list[tuple[int, bool]]) -> list[tuple[list[int], bool]]:
    """The conditions grouped into runs of the same direction, in order."""
    runs: list[tuple[list[int], bool]] = []
    for at, desc in conditions:
        if runs and runs[-1][1] == desc:
            runs[-1][0].append(at)
        else:
            runs.append(([at], desc))
    return runs


def _row_key(columns: list[list[Key]]) -> Callable[[int], Any]:
    if len(columns) == 1:
        return columns[0].__getitem__
    return lambda i: tuple(column[i] for column in columns)


def _column_keys(terms: list[ox.NamedNode | ox.Literal | None]) -> list[Key]:
    """Each term's key; raises :class:`Unordered` if the column mixes kinds of literal."""
    memo: dict[Any, Key] = {}
    keys = []
    kinds = set()
    for term in terms:
        key = memo.get(term)
        if key is None:
            key = memo[term] = term_key(term)
            if key[0] == 2:
                kinds.add(key[1])
        keys.append(key)
    if len(kinds) > 1:
        raise Unordered(f"a column holds literals of {len(kinds)} kinds")
    return keys


def term_key(term: ox.NamedNode | ox.Literal | None) -> Key:
    """A term's place in SPARQL's order as Oxigraph gives it; :class:`Unordered` if unknown."""
    if term is None:
        return (0,)
    if isinstance(term, ox.NamedNode):
        return (1, term.value)
    if not isinstance(term, ox.Literal) or term.language:
        raise Unordered(f"no exact order for {term}")
    datatype = term.datatype.value
    text = term.value
    if datatype == _STRING:
        return (2, 0, text)
    if datatype == _INTEGER and _INTEGER_FORM.fullmatch(text) and int(text) in _INTEGER_RANGE:
        return (2, 1, Decimal(text), text)
    if (datatype == _DECIMAL and _DECIMAL_FORM.fullmatch(text)
            and len(text.partition(".")[2]) <= _DECIMAL_DIGITS
            and abs(Decimal(text)) <= _DECIMAL_LIMIT):
        return (2, 1, Decimal(text), text)
    if datatype == _BOOLEAN and text in _BOOLEANS:
        return (2, 2, _BOOLEANS[text], text)
    if datatype == _DATE and _DAY.fullmatch(text):
        try:
            return (2, 3, dt.date.fromisoformat(text), text)
        except ValueError:
            raise Unordered(f"not a date: {term}") from None
    raise Unordered(f"no exact order for {term}")
