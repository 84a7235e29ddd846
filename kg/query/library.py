"""The query library: ``queries/*.rq`` with strict ``#+`` headers, and a user's own folders.

The built-in library ships inside the package (see :mod:`kg.core.resources`); a user's folder of
``.rq`` files (``--queries DIR``) is read beside it under the same header rules, and a user's query
may not take the name of a built-in one. Each file is read and checked once per version.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

import yaml

from kg.core.resources import queries_folder
from kg.query.safety import QueryError, check_safe, select_variables

QUERIES = queries_folder()

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
    """Read one query file and check its header against its SPARQL.

    A file is read and checked once per version (its path, inode, size and modification time):
    running the same query again does not read or parse it again.
    """
    try:
        stat = path.stat()
    except OSError as err:
        raise QueryError(f"{path}: cannot be read ({err}).") from None
    if not S_ISREG(stat.st_mode):
        raise QueryError(f"{path}: not a regular file (a folder, a pipe or a device). Fix: name "
                         "a .rq file.")
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
    for name in params:
        if name not in columns:
            raise QueryError(f"{shown}: parameter '{name}' is not among the selected variables. "
                             "Fix: select it (a bound parameter must be projected, so that the "
                             "engine binds it and the result shows what was asked).")
    return QueryFile(name=path.stem, path=path, title=str(header["title"]),
                     question=str(header["question"]), returns=tuple(returns), params=params,
                     sparql=text)


def load_queries(folder: Path | None = None, extra: Sequence[Path] = ()) -> dict[str, QueryFile]:
    """Every query of the library, by name (the file stem, snake_case), then each extra folder's.

    ``folder`` replaces the built-in library (tests and benchmarks); ``extra`` are a user's folders
    of ``.rq`` files, read under the same header rules. A name may be used only once.
    """
    queries: dict[str, QueryFile] = {}
    for where in [folder or QUERIES, *extra]:
        if not where.is_dir():
            raise QueryError(f"{where}: no such folder of queries. Fix: give a folder of "
                             ".rq files.")
        for path in sorted(where.glob("*.rq")):
            if not _NAME_RE.match(path.stem):
                raise QueryError(f"{path}: a query's file name is snake_case, e.g. "
                                 "trials_of_sponsor.rq. Fix: rename it.")
            if path.stem in queries:
                raise QueryError(f"{path}: a query named {path.stem!r} is already in "
                                 f"{queries[path.stem].path.parent}. Fix: rename the file.")
            queries[path.stem] = load_query(path)
    return queries


def find_query(name: str, folder: Path | None = None, extra: Sequence[Path] = ()) -> QueryFile:
    """Load one query by name from the library (and a user's folders), or say which come close."""
    folders = [folder or QUERIES, *extra]
    if _NAME_RE.match(name):
        found = [where / f"{name}.rq" for where in folders if (where / f"{name}.rq").is_file()]
        if len(found) > 1:
            raise QueryError(f"a query named {name!r} is in {found[0].parent} and in "
                             f"{found[1].parent}. Fix: rename one of them.")
        if found:
            return load_query(found[0])
    names = sorted(p.stem for where in folders if where.is_dir() for p in where.glob("*.rq"))
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise QueryError(f"no query named {name!r}.{hint} Fix: `cartkg queries` lists them.")
