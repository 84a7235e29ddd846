"""The statistics a source gives beside a value, each checked against the value it qualifies.

Baseline and final values of a change, range, IQR, SD, a confidence interval with its level, a
p-value or its bound, stated significance. A change given only by its two values gets its value
derived, marked derived with its arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.core.model import Derivation, Interval, Statistics
from kg.curation.fields import FieldReader
from kg.curation.yamlfile import Node

NUMBER = (int, float)
#: The curation fields of an outcome read here, with their types.
STATISTICS_FIELDS: dict[str, Any] = {
    "baseline": NUMBER, "final": NUMBER, "range": list, "iqr": list, "sd": NUMBER, "ci": list,
    "ci_level": NUMBER, "p_value": (int, float, str), "significant": bool,
}
CHANGES = ("median-change", "mean-change")
_P_RE = re.compile(r"^\s*(?:p\s*)?(<=|≤|<|>|=)?\s*([0-9]*\.?[0-9]+(?:[eE]-?[0-9]+)?)\s*$",
                   re.IGNORECASE)
_RELATIONS = {"≤": "<=", None: "="}


def to_decimal(value: Any) -> Decimal | None:
    """A finite number as a Decimal, or None for anything else (text, booleans, NaN)."""
    if isinstance(value, bool) or not isinstance(value, NUMBER):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def show(value: Decimal) -> str:
    """A number as a curator writes it (``10``, ``0.45``)."""
    return format(value.normalize(), "f")


def read_statistics(node: Node, statistic: str | None, value: Decimal | None,
                    reader: FieldReader) -> Statistics:
    """The statistics of an outcome; each problem is recorded by ``reader``."""
    stats = Statistics(
        baseline=read_number(node, "baseline", reader), final=read_number(node, "final", reader),
        range=_interval(node, "range", reader), iqr=_interval(node, "iqr", reader),
        sd=read_number(node, "sd", reader), ci=_interval(node, "ci", reader),
        ci_level=read_number(node, "ci_level", reader), significant=node.get("significant"),
        **_p_value(node, reader),
    )
    if (stats.baseline is not None or stats.final is not None) and statistic not in CHANGES:
        reader.add(node.line_of("baseline" if "baseline" in node else "final"),
                   "'baseline:' and 'final:' are the two values of a change.",
                   f"use statistic: {' or '.join(CHANGES)}, or drop them.")
    if stats.ci is not None and stats.ci_level is None:
        reader.add(node.line_of("ci"), "a confidence interval needs its level.",
                   "add 'ci_level:' (95 for a 95% CI) as the text gives it.")
    if stats.ci_level is not None and not Decimal(0) < stats.ci_level < Decimal(100):
        reader.add(node.line_of("ci_level"), f"a CI level is a percentage between 0 and 100, "
                   f"not {show(stats.ci_level)}.", "write 95 for a 95% CI.")
    if stats.sd is not None and stats.sd < 0:
        reader.add(node.line_of("sd"), f"an SD cannot be negative ({show(stats.sd)}).",
                   "check the SD against the quote.")
    if value is not None and statistic not in CHANGES:
        # a change's value is its magnitude (direction gives the sign): bounds may be negative
        for name in ("range", "iqr", "ci"):
            bounds = getattr(stats, name)
            if bounds is not None and not bounds.low <= value <= bounds.high:
                reader.add(node.line_of(name), f"the {name} {show(bounds.low)}-"
                           f"{show(bounds.high)} does not contain the value {show(value)}.",
                           f"check the value and the {name} against the quote.")
    return stats


def derive_change(node: Node, stats: Statistics, value: Decimal | None, direction: str | None,
                  reader: FieldReader) -> tuple[Decimal | None, str | None, tuple[Derivation, ...]]:
    """A change's value and direction, derived from its baseline and final values if need be.

    When the source gives only the two values, the change is derived and marked derived; when it
    gives all three, they are checked against each other.
    """
    if stats.baseline is None or stats.final is None:
        return value, direction, ()
    change = abs(stats.final - stats.baseline)
    implied = "no-change" if change == 0 else (
        "increase" if stats.final > stats.baseline else "decrease")
    if direction is not None and direction != implied:
        reader.add(node.line_of("direction"), f"direction '{direction}' contradicts baseline "
                   f"{show(stats.baseline)} and final {show(stats.final)} ({implied}).",
                   "check the direction and the two values against the quote.")
    if value is not None:
        if abs(value - change) > half_unit(value):
            reader.add(node.line_of("value"), f"the change {show(value)} does not match baseline "
                       f"{show(stats.baseline)} and final {show(stats.final)} "
                       f"(|{show(stats.final)} - {show(stats.baseline)}| = {show(change)}).",
                       "check the three values against the quote.")
        return value, direction or implied, ()
    arithmetic = f"|{show(stats.final)} - {show(stats.baseline)}| = {show(change)}"
    derived = [Derivation("value", arithmetic)]
    if direction is None:
        derived.append(Derivation("direction", f"final {show(stats.final)} vs baseline "
                                  f"{show(stats.baseline)}: {implied}"))
    return change, direction or implied, tuple(derived)


def half_unit(value: Decimal) -> Decimal:
    """Half a unit of the last decimal place written: how far rounding may have moved it."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(5) / Decimal(10) ** (places + 1)


def read_number(node: Node, field: str, reader: FieldReader) -> Decimal | None:
    """A number field, or None when absent or not a finite number (then a problem is recorded)."""
    raw = node.get(field)
    if raw is None:
        return None
    number = to_decimal(raw)
    if number is None:
        reader.add(node.line_of(field), f"{field} '{raw}' is not a number.", "write a number.")
    return number


def read_date(node: Node, field: str, reader: FieldReader) -> dt.date | None:
    """An ISO date field (YYYY-MM-DD), or None when absent or invalid (a problem is recorded)."""
    raw = node.get(field)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        reader.add(node.line_of(field), f"{field} '{raw}' is not a valid date.",
                   "write it as YYYY-MM-DD, e.g. 2025-06-01.")
        return None


def _interval(node: Node, field: str, reader: FieldReader) -> Interval | None:
    raw = node.get(field)
    if raw is None:
        return None
    numbers = [to_decimal(b) for b in raw] if len(raw) == 2 else []
    if len(numbers) != 2 or numbers[0] is None or numbers[1] is None:
        reader.add(node.line_of(field), f"{field} must be two numbers, not {raw!r}.",
                   f"write it as {field}: [lowest, highest].")
        return None
    if numbers[0] > numbers[1]:
        reader.add(node.line_of(field), f"{field} runs from its lower bound to its upper bound, "
                   f"not {show(numbers[0])}-{show(numbers[1])}.",
                   f"write {field}: [lowest, highest].")
        return None
    return Interval(numbers[0], numbers[1])


def _p_value(node: Node, reader: FieldReader) -> dict[str, Any]:
    raw = node.get("p_value")
    if raw is None:
        return {}
    number = to_decimal(raw)
    relation: str | None = "="
    if number is None and isinstance(raw, str) and (match := _P_RE.match(raw)):
        relation = _RELATIONS.get(match.group(1), match.group(1))
        number = Decimal(match.group(2))
    if number is None or not Decimal(0) <= number <= Decimal(1):
        reader.add(node.line_of("p_value"), f"p_value '{raw}' is not a p-value (a number from 0 "
                   "to 1, or a bound such as \"<0.001\").",
                   "write p_value: 0.03, or p_value: \"<0.001\" (quoted) for a bound.")
        return {}
    return {"p_value": number, "p_relation": relation}
