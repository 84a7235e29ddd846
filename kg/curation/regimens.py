"""What was given: a claim's ``regimen`` (the CAR T dose, lymphodepletion, infusions, combinations).

A dose is kept as the source writes it: its words, its number (``"1x10^6"`` is read as 1000000),
its unit and what it is given per (``kg`` of body weight, ``m2`` of body surface area).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from kg.core import given
from kg.core.model import AgentDose, Amount, Regimen
from kg.curation.fields import EntityRef, FieldReader
from kg.curation.statistics import show, to_decimal
from kg.curation.yamlfile import Node, Seq

REGIMEN_FIELDS: dict[str, Any] = {
    "therapy": str, "trial": str, "indication": object, "population": str,
    "population_size": int, "dose": dict, "dose_level": str, "infusion": str,
    "infusion_count": int, "lymphodepletion": list, "combined_with": list, "combination": str,
    "finding": str,
}
AMOUNT_FIELDS: dict[str, Any] = {"text": str, "value": (int, float, str), "unit": str,
                                 "per": str, "range": list}
AGENT_FIELDS: dict[str, Any] = {"agent": str, "dose": dict, "days": int}
#: A number as sources write large doses: 1x10^6, 1 × 10^6, 5*10^7, 1e6, 2.5E+8.
_SCIENTIFIC = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(?:[x×*]\s*10\s*\^\s*([+-]?[0-9]{1,2})|"
                         r"[eE]([+-]?[0-9]{1,2}))?\s*$")


def read_regimen(node: Any, line: int, entity: EntityRef, reader: FieldReader) -> Regimen | None:
    """What a population was given, or None when it has problems (each recorded by ``reader``)."""
    if not reader.check_fields(node, line, REGIMEN_FIELDS, {"therapy", "finding"}, "regimen"):
        return None
    if not any(f in node for f in ("dose", "infusion", "lymphodepletion", "combined_with")):
        reader.add(node.line, "a regimen says what was given: a dose, an infusion (single or "
                   "repeated), a lymphodepletion or a combination.",
                   "add 'dose:', 'infusion:', 'lymphodepletion:' or 'combined_with:' as the quote "
                   "gives them.")
    infusion = reader.choice(node, "infusion", dict.fromkeys(given.INFUSION_SCHEDULES))
    count = reader.count(node, "infusion_count")
    if count is not None and (count < 1 or (infusion == "single" and count != 1)
                              or (infusion == "repeated" and count < 2)):
        reader.add(node.line_of("infusion_count"), f"infusion_count {count} does not fit "
                   f"infusion: {infusion or 'not given'}.", "a single infusion is 1, a repeated "
                   "one 2 or more; check both against the quote.")
    combined = entity.many(node, "combined_with", ("therapies",)) if "combined_with" in node else ()
    combination = reader.choice(node, "combination", dict.fromkeys(given.COMBINATION_MODES))
    if bool(combined) != ("combination" in node):
        reader.add(node.line_of("combined_with" if combined else "combination"),
                   "a combination names the other products and how they were given.",
                   "give both 'combined_with: [key, ...]' and 'combination:' "
                   f"({' or '.join(given.COMBINATION_MODES)}).")
    therapy = entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy")
    if therapy is not None and therapy in combined:
        reader.add(node.line_of("combined_with"), f"'{therapy}' is combined with itself.",
                   "list the other products only.")
    trial = node.get("trial")
    return Regimen(
        therapy=therapy or "", finding=node["finding"],
        trial=entity(trial, node.line_of("trial"), ("trials",), "trial") if trial else None,
        indications=entity.many(node, "indication", ("indications",))
        if "indication" in node else (),
        population=node.get("population"),
        population_size=reader.count(node, "population_size"),
        dose=read_amount(node, "dose", reader), dose_level=node.get("dose_level"),
        infusion=infusion, infusion_count=count,
        lymphodepletion=_agents(node, entity, reader), combined_with=combined,
        combination=combination,
    )


def read_amount(node: Node, field: str, reader: FieldReader) -> Amount | None:
    """A dose as written (``{text, value, unit, per, range}``), or None (problems recorded)."""
    raw = node.get(field)
    if raw is None:
        return None
    if not reader.check_fields(raw, node.line_of(field), AMOUNT_FIELDS, {"text"}, field):
        return None
    value = _quantity(raw, "value", reader)
    unit = reader.choice(raw, "unit", given.DOSE_UNITS)
    per = reader.choice(raw, "per", dict.fromkeys(given.DOSE_BASES))
    low, high = _range(raw, reader)
    numbered = value is not None or low is not None
    if numbered != (raw.get("unit") is not None):
        reader.add(raw.line, f"a {field} with a number needs its unit, and a unit needs a number.",
                   f"give 'value:' (or 'range:') and 'unit:' ({', '.join(given.DOSE_UNITS)}) as "
                   "the text does, or only 'text:' when it gives no number.")
    if "per" in raw and not numbered:
        reader.add(raw.line_of("per"), f"'per:' qualifies the number of a {field}.",
                   "give 'value:' and 'unit:' too, or drop 'per:'.")
    if value is not None and low is not None:
        reader.add(raw.line_of("range"), f"a {field} is one value or a range, not both.",
                   "keep 'value:' for one dose, 'range:' for \"0.5-1x10^6 cells/kg\".")
    return Amount(text=raw["text"], value=value, unit=unit, per=per, low=low, high=high)


def _quantity(raw: Node, field: str, reader: FieldReader) -> Decimal | None:
    """A positive number, given as a number or as written (``"1x10^6"``)."""
    value = raw.get(field)
    if value is None:
        return None
    number = to_decimal(value)
    if number is None and isinstance(value, str) and (match := _SCIENTIFIC.match(value)):
        exponent = match.group(2) or match.group(3) or "0"
        number = Decimal(match.group(1)).scaleb(int(exponent))
    if number is None or number <= 0:
        reader.add(raw.line_of(field), f"dose {field} {value!r} is not a positive number.",
                   "write a number, or in double quotes as the source does: \"1x10^6\".")
        return None
    return number


def _range(raw: Node, reader: FieldReader) -> tuple[Decimal | None, Decimal | None]:
    bounds = raw.get("range")
    if bounds is None:
        return None, None
    numbers = [to_decimal(b) for b in bounds] if len(bounds) == 2 else []
    if len(numbers) != 2 or numbers[0] is None or numbers[1] is None:
        reader.add(raw.line_of("range"), f"a dose range must be two numbers, not {bounds!r}.",
                   "write it as range: [500000, 1000000], in the unit of the dose.")
        return None, None
    low, high = numbers
    assert low is not None and high is not None
    if not Decimal(0) < low < high:
        reader.add(raw.line_of("range"), f"a dose range runs from its lower to its higher dose, "
                   f"both above 0, not {show(low)}-{show(high)}.",
                   "write range: [lowest, highest].")
        return None, None
    return low, high


def _agents(node: Node, entity: EntityRef, reader: FieldReader) -> tuple[AgentDose, ...]:
    """The agents of the lymphodepletion, each with its dose per day and number of days."""
    raw = node.get("lymphodepletion")
    if raw is None:
        return ()
    lines = raw.item_lines if isinstance(raw, Seq) else [node.line_of("lymphodepletion")] * len(raw)
    agents: list[AgentDose] = []
    for item, line in zip(raw, lines, strict=True):
        if not reader.check_fields(item, line, AGENT_FIELDS, {"agent"}, "lymphodepletion agent"):
            continue
        key = entity(item["agent"], item.line_of("agent"), ("drugs",), "agent")
        days = reader.count(item, "days")
        if days == 0:
            reader.add(item.line_of("days"), "an agent given on 0 days was not given.",
                       "write the number of days the quote gives, or drop 'days:'.")
        if key is not None and key in {a.agent for a in agents}:
            reader.add(item.line_of("agent"), f"agent '{key}' is listed twice.",
                       "list each agent of the lymphodepletion once.")
            continue
        if key is not None:
            agents.append(AgentDose(key, read_amount(item, "dose", reader), days))
    return tuple(agents)
