"""The integrity of registry records in any graph.

Each record's text has its SHA-256, and each field's JSON Pointer selects, in that text, a value
whose text is the field's: the record's counterpart of the quote-offset check
(:func:`kg.validation.validate.integrity_violations`). It needs only the graph, so a graph edited
or merged by other tools is checked too. A pointer cannot be resolved in SPARQL, so this rule
exists in code only, reported as ``cartsh:RecordFieldValueCheck``; the checksum rule is also the
SHACL-SPARQL shape ``cartsh:RecordChecksumShape``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.core.record_model import resolve_pointer, value_text
from kg.core.record_vocab import RECORD
from kg.core.vocab import CART

_TYPE, _RECORD = str(RDF.type), str(RECORD.RegistryRecord)
_ROLES = {str(CART.text): "text", str(CART.sha256): "sha", str(RECORD.inRecord): "record",
          str(RECORD.jsonPointer): "pointer", str(RECORD.fieldValue): "value"}


def record_nodes(quads: tuple[ox.Quad, ...]) -> set[str]:
    """The IRIs of the registry records of a graph."""
    return {q.subject.value for q in quads
            if q.predicate.value == _TYPE and isinstance(q.object, ox.NamedNode)
            and q.object.value == _RECORD and isinstance(q.subject, ox.NamedNode)}


def record_violations(quads: tuple[ox.Quad, ...]) -> list[tuple[str, str, str]]:
    """Records whose text fails its SHA-256; fields whose pointer does not give their value.

    Returns (shape, focus, message), like :func:`kg.validation.validate.integrity_violations`.
    """
    records = record_nodes(quads)
    props: dict[str, dict[str, str]] = {}
    for q in quads:
        role = _ROLES.get(q.predicate.value)
        if role is not None and isinstance(q.object, (ox.NamedNode, ox.Literal)) \
                and isinstance(q.subject, ox.NamedNode):
            props.setdefault(q.subject.value, {})[role] = q.object.value
    found: list[tuple[str, str, str]] = []
    parsed: dict[str, Any] = {}
    for node in sorted(records):
        text, sha = props.get(node, {}).get("text"), props.get(node, {}).get("sha")
        if text is None or sha is None:
            continue  # the SHACL Core shapes report a missing text or checksum
        computed = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if computed != sha:
            found.append(("RecordChecksumShape", node,
                          f"The record's sha256 {sha} is not the SHA-256 of its text, which is "
                          f"{computed}: the record's JSON changed after it was retrieved. Fetch "
                          "it again with cartkg fetch-trial; never edit a record."))
            continue
        try:
            parsed[node] = json.loads(text)
        except json.JSONDecodeError as err:
            found.append(("RecordChecksumShape", node,
                          f"The record's text is not JSON ({err.msg} at character {err.pos}). "
                          "Fetch it again with cartkg fetch-trial."))
    for node, p in sorted(props.items()):
        if "pointer" not in p or "value" not in p or p.get("record") not in parsed \
                or not p["pointer"].startswith("/"):
            continue  # no such record, one already reported, or a malformed field (SHACL's)
        try:
            actual = value_text(resolve_pointer(parsed[p["record"]], p["pointer"]))
        except LookupError as err:
            found.append(("RecordFieldValueCheck", node,
                          f"The JSON Pointer {p['pointer']} selects nothing in {p['record']} "
                          f"({err}): the field or the record is wrong. Rebuild from the sources; "
                          "the loader computes the pointers itself."))
            continue
        if actual != p["value"]:
            found.append(("RecordFieldValueCheck", node,
                          f"The JSON Pointer {p['pointer']} selects \"{actual}\" in "
                          f"{p['record']}, not the field's value \"{p['value']}\". Rebuild from "
                          "the sources; the loader reads each value itself."))
    return found
