"""Print query results as a table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pyoxigraph as ox

from kg.core.curie import compact
from kg.query.run import QueryResult

Cell = ox.NamedNode | ox.Literal | None


def _plain(term: Cell) -> str:
    return "" if term is None else term.value


def _short(term: Cell) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return _plain(term)


def as_table(result: QueryResult, width: int = 60) -> str:
    """A fixed-width text table, IRIs shortened to CURIEs, long cells cut."""
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"

    cells = [[cut(_short(t)) for t in row] for row in result.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _delimited(result: QueryResult, dialect: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if dialect == "tsv" else ",", lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_plain(t) for t in row] for row in result.rows)
    return out.getvalue()


def as_json(result: QueryResult) -> str:
    """A JSON list of objects, one per row, with full IRIs and plain values."""
    rows = [{c: _plain(t) for c, t in zip(result.columns, row, strict=True) if t is not None}
            for row in result.rows]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


#: Output formats, feeding both the code and the CLI's --format choices.
FORMATS: dict[str, Callable[[QueryResult], str]] = {
    "table": as_table,
    "csv": lambda r: _delimited(r, "csv"),
    "tsv": lambda r: _delimited(r, "tsv"),
    "json": as_json,
}
