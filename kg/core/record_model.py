"""Plain records of a trial registry record (ClinicalTrials.gov API v2): no RDF here.

A record is kept verbatim; every value read from it is a :class:`RecordField`, named by its JSON
Pointer (RFC 6901) and the value's text, the record's counterpart of an article quote and its
offsets. :func:`resolve_pointer` and :func:`value_text` are what both the loader and the
validation use, so a field is re-checked on any copy of the graph exactly as it was read.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

#: An NCT number: "NCT" and eight digits.
NCT_ID_RE = re.compile(r"^NCT\d{8}$")
#: Who publishes the records, as exports and traces name it.
PUBLISHER = "ClinicalTrials.gov"
#: The public API v2 that ``cartkg fetch-trial`` reads by default.
PUBLIC_API = "https://clinicaltrials.gov/api/v2"


def escape_token(token: str | int) -> str:
    """One reference token of a JSON Pointer: ``~`` as ``~0``, ``/`` as ``~1`` (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """The JSON Pointer of a path of keys and indexes (``""`` is the whole document)."""
    return "".join("/" + escape_token(t) for t in tokens)


def resolve_pointer(document: Any, ref: str) -> Any:
    """The value a JSON Pointer selects; raises ``LookupError`` when it selects nothing."""
    if ref == "":
        return document
    if not ref.startswith("/"):
        raise LookupError(f"{ref!r} is not a JSON Pointer (it must start with '/')")
    value = document
    for raw in ref[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            if token not in value:
                raise LookupError(f"no key {token!r}")
            value = value[token]
        elif isinstance(value, list):
            if not re.fullmatch(r"0|[1-9]\d*", token) or int(token) >= len(value):
                raise LookupError(f"no index {token!r}")
            value = value[int(token)]
        else:
            raise LookupError(f"{token!r} goes below a value")
    return value


def value_text(value: Any) -> str:
    """A JSON value as text: a string as it is, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True)
class RecordField:
    """One value of a record: its JSON Pointer and its text (see :func:`value_text`)."""

    pointer: str
    text: str


@dataclass(frozen=True)
class Value:
    """One property of a node, read from one field.

    ``kind`` says what ``object`` is: ``string``, ``integer``, ``decimal``, ``boolean``,
    ``entity`` (a registry entity key), ``iri`` (a CURIE) or ``item`` (the key of another item
    of the same record).
    """

    prop: str
    field: RecordField
    kind: str
    object: str


@dataclass(frozen=True)
class Statement:
    """What one part of a record says: one assertion in the graph.

    ``item`` is None when it is about the registered trial itself, else the key of the item it
    describes (an outcome measure's value, an adverse event count, an arm, ...) with its class.
    """

    key: str
    values: tuple[Value, ...]
    item: str | None = None
    cls: str | None = None


@dataclass(frozen=True)
class RegistryRecord:
    """A registry record as loaded: the verbatim text, where it came from, what it says."""

    nct_id: str
    text: str
    sha256: str
    retrieved: dt.date
    api_url: str
    file: str
    title: str
    statements: tuple[Statement, ...]
    #: the key of the registry's trial entity that names this NCT id, if one does
    trial: str | None = None
