"""The results of a registry record, as statements.

Outcome measures (each group's value with its denominator, unit, dispersion and time frame), their
statistical analyses (p-value, estimate, confidence interval) and adverse events (each event's
count in each group).

The same properties as an article's outcome carry the numbers (``value``, ``standardDeviation``,
``ciLow``, ``pValue``, ``numerator``, ``populationSize``, ...); every number the registry gives as
a string is read as a decimal, and a value that is not a number ("NA") is kept as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg.core.record_model import RecordField, Statement, Value
from kg.curation.record_reader import Path, RecordReader, decimal_text, p_value, statement

_R = ("resultsSection",)
_S = "string"
#: The registry's parameter types that are statistics of the evidence model.
STATISTICS = {"MEAN": "mean", "MEDIAN": "median", "COUNT_OF_PARTICIPANTS": "count",
              "COUNT_OF_UNITS": "count", "Hazard Ratio (HR)": "hazard-ratio",
              "Odds Ratio (OR)": "odds-ratio"}
#: Dispersion types -> the properties of the spread or of the lower and upper limits.
DISPERSION = {"Standard Deviation": ("standardDeviation", None, None),
              "95% Confidence Interval": (None, "ciLow", "ciHigh"),
              "Full Range": (None, "rangeMin", "rangeMax"),
              "Inter-Quartile Range": (None, "iqrLow", "iqrHigh")}
_GENERIC = ("dispersionValue", "lowerLimit", "upperLimit")


def read_results(r: RecordReader) -> list[Statement]:
    """Every statement of the results section (none for a record without results)."""
    found: list[Statement] = []
    base = (*_R, "outcomeMeasuresModule", "outcomeMeasures")
    for i, at in r.items(base):
        found += _measure(r, i, at)
    found += _adverse_events(r)
    return found


def _statistic(r: RecordReader, path: Path) -> list[Value]:
    field = r.field(path)
    if field is None or field.text not in STATISTICS:
        return []
    return [Value("hasStatistic", field, "statistic", STATISTICS[field.text])]


def _measure(r: RecordReader, i: int, at: Path) -> list[Statement]:
    key = f"measure/{i}"
    found = statement(key, r.values({
        "type": ("outcomeType", _S), "title": ("endpointTitle", _S),
        "description": ("description", _S), "populationDescription": ("populationDescription", _S),
        "reportingStatus": ("reportingStatus", _S), "paramType": ("paramType", _S),
        "dispersionType": ("dispersionType", _S), "unitOfMeasure": ("unitText", _S),
        "timeFrame": ("timepointText", _S)}, at), item=key, cls="RegistryOutcomeMeasure")
    for n, denom in r.items((*at, "denoms")):
        found += statement(f"{key}/denominators/{n}", [
            *r.rest(denom, set()),
            *(v for _, count in r.items((*denom, "counts")) for v in r.rest(count, set()))],
            item=key, cls="RegistryOutcomeMeasure")
    title = r.field((*at, "title"))
    groups = {g.get("id"): j for j, g in enumerate(r.get((*at, "groups")) or [])
              if isinstance(g, dict)}
    for j, g in r.items((*at, "groups")):
        found += statement(f"{key}/group/{j}", r.values(
            {"id": ("groupId", _S), "title": ("groupTitle", _S),
             "description": ("description", _S)}, g), item=f"{key}/group/{j}",
            cls="RegistryGroup")
    dispersion = DISPERSION.get(str(r.get((*at, "dispersionType"))), (*_GENERIC,))
    for c, cls in r.items((*at, "classes")):
        denoms = _denominators(r, (*cls, "denoms")) or _denominators(r, (*at, "denoms"))
        for d, cat in r.items((*cls, "categories")):
            for m, meas in r.items((*cat, "measurements")):
                item = f"{key}/value/{c}/{d}/{m}"
                values = [*_statistic(r, (*at, "paramType")),
                          *r.value("classTitle", (*cls, "title")),
                          *r.value("categoryTitle", (*cat, "title"))]
                if title is not None:
                    values.append(Value("ofMeasure", title, "item", key))
                values += _measurement(r, meas, at, dispersion, groups, key)
                group = r.get((*meas, "groupId"))
                if group in denoms:
                    values += r.value("populationSize", denoms[group], "integer")
                found += statement(item, values, item=item, cls="RegistryOutcome")
    for a, an in r.items((*at, "analyses")):
        found += _analysis(r, f"{key}/analysis/{a}", an, key, title)
    return found


def _denominators(r: RecordReader, path: Path) -> dict[Any, Path]:
    """The path of each group's count in the first denominator (the participants)."""
    return {r.get((*count, "groupId")): (*count, "value")
            for _, count in r.items((*path, 0, "counts"))}


def _measurement(r: RecordReader, at: Path, measure_at: Path,
                 dispersion: tuple[str | None, ...], groups: dict[Any, int],
                 measure: str) -> list[Value]:
    spread, low, high = dispersion
    rules = {"value": ("value", "decimal")}
    if spread:
        rules["spread"] = (spread, "decimal")
    else:
        rules["spread"] = ("dispersionValue", "decimal")
    rules["lowerLimit"] = (low or "lowerLimit", "decimal")
    rules["upperLimit"] = (high or "upperLimit", "decimal")
    rules["groupId"] = ("groupId", _S)
    values = r.values(rules, at)
    values += r.value("valueText", (*at, "value"))
    group = r.field((*at, "groupId"))
    if group is not None and group.text in groups:
        values.append(Value("inGroup", group, "item", f"{measure}/group/{groups[group.text]}"))
    if low == "ciLow" and any(v.prop == "ciLow" for v in values):
        level = r.field((*measure_at, "dispersionType"))
        if level is not None:
            values.append(Value("ciLevel", level, "decimal", "95"))
    return values


def _analysis(r: RecordReader, key: str, at: Path, measure: str,
              title: RecordField | None) -> list[Statement]:
    values = r.values({
        "paramType": ("paramType", _S), "paramValue": ("value", "decimal"),
        "ciPctValue": ("ciLevel", "decimal"), "ciLowerLimit": ("ciLow", "decimal"),
        "ciUpperLimit": ("ciHigh", "decimal"), "ciNumSides": ("ciSides", _S),
        "statisticalMethod": ("statisticalMethod", _S), "pValue": ("pValueText", _S),
        "pValueComment": ("pValueComment", _S), "groupDescription": ("description", _S),
        "testedNonInferiority": ("testedNonInferiority", "boolean")}, at,
        frozenset({"groupIds"}))
    values += _statistic(r, (*at, "paramType"))
    for _, g in r.items((*at, "groupIds")):
        values += r.value("comparesGroup", g)
    p = r.field((*at, "pValue"))
    if p is not None:
        relation, number = p_value(p.text)
        if number is not None and relation is not None:
            values += [Value("pValue", p, "decimal", decimal_text(number)),
                       Value("pValueRelation", p, _S, relation)]
    if title is not None:
        values.append(Value("ofMeasure", title, "item", measure))
    return statement(key, values, item=key, cls="RegistryAnalysis")


def _adverse_events(r: RecordReader) -> Iterator[Statement]:
    at = (*_R, "adverseEventsModule")
    yield from statement("adverse-events", r.values(
        {"frequencyThreshold": ("frequencyThreshold", "decimal"),
         "timeFrame": ("timepointText", _S), "description": ("description", _S)}, at))
    groups: dict[Any, int] = {}
    for g, group in r.items((*at, "eventGroups")):
        groups[r.get((*group, "id"))] = g
        yield from statement(f"ae-group/{g}", r.values(
            {"id": ("groupId", _S), "title": ("groupTitle", _S),
             "description": ("description", _S),
             **{k: ("groupCount", "integer") for k in (
                 "deathsNumAffected", "deathsNumAtRisk", "seriousNumAffected",
                 "seriousNumAtRisk", "otherNumAffected", "otherNumAtRisk")}}, group),
            item=f"ae-group/{g}", cls="RegistryGroup")
    for seriousness in ("serious", "other"):
        for e, event in r.items((*at, f"{seriousness}Events")):
            term = r.field((*event, "term"))
            about = r.values({"term": ("eventTerm", _S), "organSystem": ("organSystem", _S),
                              "sourceVocabulary": ("sourceVocabulary", _S),
                              "assessmentType": ("assessmentType", _S),
                              "notes": ("description", _S)}, event)
            if term is not None:
                about.append(Value("seriousness", term, _S, seriousness))
            for s, stats in r.items((*event, "stats")):
                item = f"ae/{seriousness}/{e}/{s}"
                values = [*about, *r.values(
                    {"groupId": ("groupId", _S), "numAffected": ("numerator", "integer"),
                     "numAtRisk": ("denominator", "integer"),
                     "numEvents": ("eventCount", "integer")}, stats)]
                event_group = r.field((*stats, "groupId"))
                if event_group is not None and event_group.text in groups:
                    values.append(Value("inGroup", event_group, "item",
                                        f"ae-group/{groups[event_group.text]}"))
                yield from statement(item, values, item=item, cls="AdverseEventCount")
