"""Times as sources write them: a value and unit with a qualifier and what they count from.

Follow-up and the times to onset or resolution may add a statistic (median, mean) and a range.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kg.core import vocab
from kg.core.model import Timepoint
from kg.curation.fields import FieldReader
from kg.curation.statistics import read_number, show, to_decimal
from kg.curation.yamlfile import Node

_MOMENT_FIELDS: dict[str, Any] = {"text": str, "value": (int, float), "unit": str, "qualifier": str,
                                  "from": str}
_SUMMARY_FIELDS: dict[str, Any] = {**_MOMENT_FIELDS, "statistic": str, "range": list}


def read_times(node: Node, reader: FieldReader) -> dict[str, Timepoint | None]:
    """Every time field of an outcome (timepoint, follow_up, onset, resolution), by field name."""
    return {role.field: read_time(node, role, reader) for role in vocab.TIME_ROLES}


def read_time(node: Node, role: vocab.TimeRole, reader: FieldReader) -> Timepoint | None:
    """One time of an outcome, or None when absent or wrong (each problem recorded)."""
    raw = node.get(role.field)
    if raw is None:
        return None
    what = role.field.replace("_", "-")
    fields = _SUMMARY_FIELDS if role.summary else _MOMENT_FIELDS
    if not reader.check_fields(raw, node.line_of(role.field), fields, {"text"}, role.field):
        if isinstance(raw, Node) and "months" in raw:
            reader.add(raw.line_of("months"), f"a {what} gives its time as written, not in months.",
                       "write 'value:' and 'unit:' as the text gives them (16 weeks is value: 16, "
                       "unit: week); the month equivalent is derived.")
        return None
    value = read_number(raw, "value", reader)
    unit = reader.choice(raw, "unit", vocab.TIME_UNITS)
    if (value is None) != (raw.get("unit") is None):
        reader.add(raw.line, f"a {what} needs both 'value:' and 'unit:', or neither.",
                   f"give the number and its unit ({', '.join(vocab.TIME_UNITS)}) as the text "
                   "does, or only 'text:' when it gives no number.")
    if value is not None and value < 0:
        reader.add(raw.line_of("value"), f"a {what} cannot be negative ({value}).",
                   "check the value against the quote.")
    low, high = _range(raw, what, reader)
    statistic = reader.choice(raw, "statistic", dict.fromkeys(vocab.TIME_STATISTICS))
    if value is not None and low is not None and high is not None and not low <= value <= high:
        reader.add(raw.line_of("range"), f"the {what} range {show(low)}-{show(high)} does not "
                   f"contain its {statistic or 'value'} {show(value)}.",
                   "check the value and the range against the quote.")
    return Timepoint(
        text=raw["text"], value=value, unit=unit,
        qualifier=reader.choice(raw, "qualifier", dict.fromkeys(vocab.TIMEPOINT_QUALIFIERS)),
        since=reader.choice(raw, "from", dict.fromkeys(vocab.TIME_ORIGINS)),
        statistic=statistic, low=low, high=high,
    )


def _range(raw: Node, what: str, reader: FieldReader) -> tuple[Decimal | None, Decimal | None]:
    bounds = raw.get("range")
    if bounds is None:
        return None, None
    line = raw.line_of("range")
    numbers = [to_decimal(b) for b in bounds] if len(bounds) == 2 else []
    if len(numbers) != 2 or None in numbers:
        reader.add(line, f"a {what} range must be two numbers, not {bounds!r}.",
                   "write it as range: [14, 31], in the unit of the value.")
        return None, None
    low, high = numbers
    assert low is not None and high is not None
    if low > high or low < 0:
        reader.add(line, f"a {what} range runs from its lower bound to its upper bound, not "
                   f"{show(low)}-{show(high)}.", "write range: [lowest, highest].")
        return None, None
    if raw.get("unit") is None:
        reader.add(line, f"a {what} range needs the unit of its value.",
                   "add 'value:' and 'unit:' (the range is in the same unit).")
    return low, high
