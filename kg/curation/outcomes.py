"""The bodies of a claim beyond its facts: an outcome with its value and time, a cohort, a plan."""

from __future__ import annotations

from typing import Any

from kg.core import vocab
from kg.core.model import (
    Cohort,
    Outcome,
    Plan,
)
from kg.curation.consistency import check_outcome
from kg.curation.derivations import curator_derivations
from kg.curation.fields import EntityRef, FieldReader
from kg.curation.fields_spec import OUTCOME_FIELDS
from kg.curation.statistics import derive_change, read_date, read_number, read_statistics
from kg.curation.times import read_times
from kg.curation.trials import read_endpoint


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
    value = read_number(node, "value", reader)
    stats = read_statistics(node, statistic, value, reader)
    direction = reader.choice(node, "direction", dict.fromkeys(vocab.DIRECTIONS))
    value, direction, derived = derive_change(node, stats, value, direction, reader)
    if statistic not in (None, "qualitative") and value is None:
        reader.add(node.line, f"a {statistic} outcome needs a value.",
                   "add 'value:' (or, for a change, 'baseline:' and 'final:'), or use "
                   "statistic: qualitative.")
    if value is not None and unit is None:
        reader.add(node.line_of("value"), "a value needs a unit.",
                   f"add 'unit:' ({', '.join(vocab.UNITS)}).")
    numerator = reader.count(node, "numerator")
    denominator = reader.count(node, "denominator")
    derived += curator_derivations(node, statistic, unit, value, numerator, denominator, stats,
                                   reader)
    grade = reader.count(node, "grade")
    grade_min, grade_max = reader.count(node, "grade_min"), reader.count(node, "grade_max")
    population_size = reader.count(node, "population_size")
    endpoint = None
    if "endpoint" in node:
        if node.get("trial") is None:
            reader.add(node.line_of("endpoint"), "an endpoint belongs to a trial.",
                       "add the outcome's 'trial:', or drop 'endpoint:'.")
        endpoint = read_endpoint(node["endpoint"], node.line_of("endpoint"), measure or "",
                                 entity, reader)
    check_outcome(node, reader, Outcome(
        category="", therapy="", indications=(), measure="", statistic=statistic or "",
        finding="", population="", value=value, unit=unit, numerator=numerator,
        denominator=denominator, grade=grade, grade_min=grade_min, grade_max=grade_max,
        population_size=population_size))
    return Outcome(
        category=category or "efficacy",
        therapy=entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy") or "",
        indications=entity.many(node, "indication", ("indications",)),
        measure=measure or "", statistic=statistic or "", finding=node["finding"],
        population=node["population"],
        trial=entity(node["trial"], node.line_of("trial"), ("trials",), "trial")
        if node.get("trial") is not None else None,
        value=value, unit=unit, numerator=numerator, denominator=denominator,
        direction=direction, grade=grade, grade_min=grade_min, grade_max=grade_max,
        grade_text=node.get("grade_text"), reversible=node.get("reversible"),
        population_size=population_size, **read_times(node, reader),
        stats=stats, derived=derived, data_cutoff=read_date(node, "data_cutoff", reader),
        without=entity.many(node, "without", ("drug-classes",)) if "without" in node else (),
        endpoint=endpoint,
    )


def read_cohort(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Cohort | None:
    """A cohort, or None when it has problems (each recorded by ``reader``)."""
    fields = {"trial": object, "sponsor": str, "therapy": str, "indication": object, "size": int,
              "description": str}
    if not reader.check_fields(node, line, fields, {"indication", "size", "description"},
                               "cohort"):
        return None
    if node.get("trial") is None and node.get("sponsor") is None:
        reader.add(node.line, "a cohort belongs to a trial, or spans trials of one sponsor.",
                   "add 'trial:' (a key, or a list of keys), or 'sponsor:' when the source says "
                   "only whose trials (\"across its Phase 1/2 trials\").")
    therapy, sponsor = node.get("therapy"), node.get("sponsor")
    return Cohort(
        trials=entity.many(node, "trial", ("trials",)) if node.get("trial") is not None else (),
        indications=entity.many(node, "indication", ("indications",)),
        size=reader.count(node, "size") or 0, description=node["description"],
        therapy=entity(therapy, node.line_of("therapy"), ("therapies",), "therapy")
        if therapy is not None else None,
        sponsor=entity(sponsor, node.line_of("sponsor"), ("sponsors", "organizations"), "sponsor")
        if sponsor is not None else None,
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
