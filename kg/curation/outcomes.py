"""The bodies of a claim beyond its facts: an outcome with its value and time, a cohort, a plan."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from kg.core import vocab
from kg.core.model import (
    Cohort,
    Outcome,
    Plan,
)
from kg.curation.fields import EntityRef, FieldReader
from kg.curation.fields_spec import OUTCOME_FIELDS
from kg.curation.times import read_times
from kg.curation.yamlfile import Node


def read_outcome(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Outcome | None:
    """An outcome, or None when it has problems (each recorded by ``reader``)."""
    required = {"therapy", "indication", "measure", "statistic", "finding", "population"}
    if not reader.check_fields(node, line, OUTCOME_FIELDS, required, "outcome"):
        return None
    measure = entity(node["measure"], node.line_of("measure"), ("measures",), "measure")
    category = reader.choice(node, "category", vocab.OUTCOME_CATEGORIES)
    if category is None and measure is not None:
        category = entity.entities[measure].default_category
    statistic = reader.choice(node, "statistic", vocab.STATISTICS)
    unit = reader.choice(node, "unit", vocab.UNITS)
    value = _decimal(node, "value", reader)
    if statistic not in (None, "qualitative") and value is None:
        reader.add(node.line, f"a {statistic} outcome needs a value.",
                   "add 'value:' or use statistic: qualitative.")
    if value is not None and unit is None:
        reader.add(node.line_of("value"), "a value needs a unit.",
                   f"add 'unit:' ({', '.join(vocab.UNITS)}).")
    if value is not None and statistic == "proportion" and unit == "percent" \
            and not Decimal(0) <= value <= Decimal(100):
        reader.add(node.line_of("value"), f"a percentage must lie between 0 and 100, not {value}.",
                   "check the value against the quote.")
    if value is not None and statistic == "count" and value < 0:
        reader.add(node.line_of("value"), f"a count cannot be negative ({value}).",
                   "check the value against the quote.")
    numerator = reader.count(node, "numerator")
    denominator = reader.count(node, "denominator")
    if numerator is not None and denominator is not None and numerator > denominator:
        reader.add(node.line_of("numerator"), f"numerator {numerator} exceeds denominator "
                   f"{denominator}.", "check the counts against the quote.")
    grade = reader.count(node, "grade")
    if grade is not None and not 1 <= grade <= 5:
        reader.add(node.line_of("grade"), f"grade {grade} is outside 1-5.",
                   "use the grade the text gives (ASTCT / CTCAE grades 1-5).")
    return Outcome(
        category=category or "efficacy",
        therapy=entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy") or "",
        indications=entity.many(node, "indication", ("indications",)),
        measure=measure or "", statistic=statistic or "", finding=node["finding"],
        population=node["population"],
        trial=entity(node["trial"], node.line_of("trial"), ("trials",), "trial")
        if node.get("trial") is not None else None,
        value=value, unit=unit, numerator=numerator, denominator=denominator,
        direction=reader.choice(node, "direction", dict.fromkeys(vocab.DIRECTIONS)),
        grade=grade, grade_text=node.get("grade_text"),
        population_size=reader.count(node, "population_size"),
        **read_times(node, reader),
        without=entity.many(node, "without", ("drug-classes",)) if "without" in node else (),
    )


def _decimal(node: Node, field: str, reader: FieldReader) -> Decimal | None:
    raw = node.get(field)
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        reader.add(node.line_of(field), f"{field} '{raw}' is not a number.", "write a number.")
        return None


def read_cohort(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Cohort | None:
    """A cohort, or None when it has problems (each recorded by ``reader``)."""
    fields = {"trial": str, "therapy": str, "indication": object, "size": int, "description": str}
    if not reader.check_fields(node, line, fields, {"trial", "indication", "size", "description"},
                               "cohort"):
        return None
    therapy = node.get("therapy")
    return Cohort(
        trial=entity(node["trial"], node.line_of("trial"), ("trials",), "trial") or "",
        indications=entity.many(node, "indication", ("indications",)),
        size=reader.count(node, "size") or 0, description=node["description"],
        therapy=entity(therapy, node.line_of("therapy"), ("therapies",), "therapy")
        if therapy is not None else None,
    )


def read_plan(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Plan | None:
    """A planned next step, or None when it has problems (each recorded by ``reader``)."""
    fields = {"kind": str, "therapy": str, "trial": str, "indication": object, "by": str,
              "timeframe": str, "finding": str}
    if not reader.check_fields(node, line, fields, {"kind", "therapy", "indication", "finding"},
                               "plan"):
        return None
    trial, by = node.get("trial"), node.get("by")
    return Plan(
        kind=reader.choice(node, "kind", vocab.PLAN_KINDS) or "",
        therapy=entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy") or "",
        indications=entity.many(node, "indication", ("indications",)),
        finding=node["finding"],
        trial=entity(trial, node.line_of("trial"), ("trials",), "trial") if trial else None,
        by=entity(by, node.line_of("by"), ("sponsors", "organizations"), "by") if by else None,
        timeframe=node.get("timeframe"),
    )
