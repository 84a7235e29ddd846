"""Checks of an outcome against itself: numbers that cannot all be true together.

Each is an error naming the claim: a percentage against its numerator and denominator, counts
against the population, a grade against its scale, a ratio against its unit.
"""

from __future__ import annotations

from decimal import Decimal

from kg.core.model import Outcome
from kg.curation.fields import FieldReader
from kg.curation.statistics import half_unit, show
from kg.curation.yamlfile import Node

RATIOS = ("hazard-ratio", "odds-ratio")
#: The grade scale of adverse events (ASTCT consensus grading of CRS and ICANS, CTCAE).
GRADES = range(1, 6)


def check_outcome(node: Node, reader: FieldReader, o: Outcome) -> None:
    """Record every inconsistency among an outcome's numbers."""
    value, n, d, size = o.value, o.numerator, o.denominator, o.population_size
    if value is not None and o.statistic == "proportion" and o.unit == "percent":
        if not Decimal(0) <= value <= Decimal(100):
            reader.add(node.line_of("value"), f"a percentage must lie between 0 and 100, not "
                       f"{show(value)}.", "check the value against the quote.")
        elif n is not None and d:
            exact = Decimal(100) * n / d
            if abs(exact - value) > half_unit(value):
                reader.add(node.line_of("value"), f"{show(value)}% does not match {n} of {d} "
                           f"({show(exact.quantize(Decimal('0.01')))}%), even allowing for "
                           "rounding.", "check the percentage, numerator and denominator "
                           "against the quote.")
    if value is not None and o.statistic == "count" and value < 0:
        reader.add(node.line_of("value"), f"a count cannot be negative ({show(value)}).",
                   "check the value against the quote.")
    if n is not None and d is not None and n > d:
        reader.add(node.line_of("numerator"), f"numerator {n} exceeds denominator {d}.",
                   "check the counts against the quote.")
    if size is not None:
        for field, count in (("numerator", n), ("denominator", d),
                             ("value", value if o.unit == "patients" else None)):
            if count is not None and count > size:
                reader.add(node.line_of(field), f"{field} {show(Decimal(count))} exceeds the "
                           f"population of {size}.", "check the count and population_size "
                           "against the quote.")
    for field, grade in (("grade", o.grade), ("grade_min", o.grade_min),
                         ("grade_max", o.grade_max)):
        if grade is not None and grade not in GRADES:
            reader.add(node.line_of(field), f"{field.replace('_', ' ')} {grade} is outside 1-5.",
                       "use the grade the text gives (ASTCT / CTCAE grades 1-5).")
    if o.grade is not None and (o.grade_min is not None or o.grade_max is not None):
        reader.add(node.line_of("grade"), "an adverse event has one grade or a grade band, not "
                   "both.", "keep 'grade:' for one grade, or 'grade_min:'/'grade_max:' for "
                   "\"grade 3 or higher\" or \"grade 1-2\".")
    if o.grade_min is not None and o.grade_max is not None and o.grade_min > o.grade_max:
        reader.add(node.line_of("grade_min"), f"grade band {o.grade_min}-{o.grade_max} runs "
                   "backwards.", "write grade_min: lowest, grade_max: highest.")
    if o.statistic in RATIOS:
        if o.unit not in (None, "ratio"):
            reader.add(node.line_of("unit"), f"a {o.statistic} has unit 'ratio', not "
                       f"'{o.unit}'.", "write unit: ratio.")
        if value is not None and value <= 0:
            reader.add(node.line_of("value"), f"a {o.statistic} is above 0, not {show(value)}.",
                       "check the value against the quote.")
