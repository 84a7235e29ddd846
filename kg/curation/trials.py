"""Trials as studies (a claim's ``study``: design, status, enrolment, endpoints) and endpoints.

An endpoint is named by an id unique in its trial (``dlt-28d``): a ``study`` claim lists the
trial's endpoints, and an outcome's ``endpoint`` names the one it reports, with its role, so that
each claim says what its source says.
"""

from __future__ import annotations

from typing import Any

from kg.core import given
from kg.core.model import Endpoint, Study
from kg.curation.fields import EntityRef, FieldReader
from kg.curation.fields_spec import KEY_RE
from kg.curation.times import read_time
from kg.curation.yamlfile import Node, Seq

STUDY_FIELDS: dict[str, Any] = {"trial": str, "design": list, "status": str, "enrolment": dict,
                                "endpoints": list}
ENDPOINT_FIELDS: dict[str, Any] = {"id": str, "role": str, "measure": str, "text": str,
                                   "window": dict}
_ENROLMENT_FIELDS: dict[str, Any] = {"kind": str, "count": int}


def read_study(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Study | None:
    """What a source says of a trial as a study, or None when it has problems (each recorded)."""
    if not reader.check_fields(node, line, STUDY_FIELDS, {"trial"}, "study"):
        return None
    if not any(f in node for f in ("design", "status", "enrolment", "endpoints")):
        reader.add(node.line, "a study says something of its trial.",
                   "add 'design:', 'status:', 'enrolment:' or 'endpoints:' as the quote gives "
                   "them.")
    designs: list[str] = []
    for name in reader.strings(node, "design"):
        if name not in given.TRIAL_DESIGNS:
            reader.choice(_single(node, "design", name), "design", given.TRIAL_DESIGNS)
        elif name in designs:
            reader.add(node.line_of("design"), f"design '{name}' is listed twice.",
                       "list each design once.")
        else:
            designs.append(name)
    kind = count = None
    if "enrolment" in node:
        raw = node["enrolment"]
        if reader.check_fields(raw, node.line_of("enrolment"), _ENROLMENT_FIELDS,
                               {"kind", "count"}, "enrolment"):
            kind = reader.choice(raw, "kind", given.ENROLMENT_KINDS)
            count = reader.count(raw, "count")
    trial = entity(node["trial"], node.line_of("trial"), ("trials",), "trial") or ""
    endpoints: list[Endpoint] = []
    raw_endpoints = node.get("endpoints") or []
    lines = raw_endpoints.item_lines if isinstance(raw_endpoints, Seq) \
        else [node.line_of("endpoints")] * len(raw_endpoints)
    for item, item_line in zip(raw_endpoints, lines, strict=True):
        endpoint = read_endpoint(item, item_line, None, entity, reader)
        if endpoint is not None and endpoint.id in {e.id for e in endpoints}:
            reader.add(item_line, f"endpoint id '{endpoint.id}' is listed twice.",
                       "give each endpoint of a trial its own id.")
        elif endpoint is not None:
            endpoints.append(endpoint)
    return Study(trial=trial, designs=tuple(designs),
                 status=reader.choice(node, "status", given.TRIAL_STATUSES),
                 enrolment_kind=kind, enrolment=count, endpoints=tuple(endpoints))


def read_endpoint(node: Any, line: int, measure: str | None, entity: EntityRef,
                  reader: FieldReader) -> Endpoint | None:
    """An endpoint, or None when it has problems (each recorded by ``reader``).

    ``measure`` is the outcome's when an outcome names the endpoint it reports (then the endpoint
    gives no measure of its own), None in a study's list of endpoints.
    """
    required = {"id", "role"} if measure is not None else {"id", "role", "measure"}
    if not reader.check_fields(node, line, ENDPOINT_FIELDS, required, "endpoint"):
        return None
    if measure is not None and "measure" in node:
        reader.add(node.line_of("measure"), "the endpoint an outcome reports has the outcome's "
                   "measure.", "drop 'measure:' here; the outcome's 'measure:' is the endpoint's.")
        return None
    if not KEY_RE.match(node["id"]):
        reader.add(node.line_of("id"), f"endpoint id '{node['id']}' is not lowercase a-z, 0-9 "
                   "and '-'.", "name it like 'dlt-28d' or 'doris-week-52'.")
        return None
    if measure is None:
        measure = entity(node["measure"], node.line_of("measure"), ("measures",), "measure")
    return Endpoint(id=node["id"],
                    role=reader.choice(node, "role", dict.fromkeys(given.ENDPOINT_ROLES)) or "",
                    measure=measure or "", text=node.get("text"),
                    window=read_time(node, given.WINDOW, reader))


def _single(node: Node, field: str, value: str) -> Node:
    """A one-field mapping on ``node``'s line of ``field``, to check one item of a list."""
    single = Node({field: value})
    single.line = node.line
    single.key_lines = {field: node.line_of(field)}
    return single
