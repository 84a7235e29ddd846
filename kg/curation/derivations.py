"""Per-field basis: the numbers of an outcome that the curator derived rather than read.

An outcome's ``derived:`` lists the fields the curator computed from others ("9 of 11 patients"
from "82% of 11", a change from its two values): ``numerator``, ``denominator`` or ``value``.
Each is checked against the arithmetic that gives it and recorded with that arithmetic
(``cart:derivation``, listed by the ``derived_values`` query); the rest of the claim stays as
stated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from kg.core.model import Derivation, Statistics
from kg.curation.fields import FieldReader
from kg.curation.statistics import CHANGES, half_unit, show
from kg.curation.yamlfile import Node

#: The fields a curator may mark derived.
DERIVABLE = ("numerator", "denominator", "value")


def _whole(number: Decimal) -> Decimal:
    return number.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def curator_derivations(node: Node, statistic: str | None, unit: str | None,
                        value: Decimal | None, numerator: int | None, denominator: int | None,
                        stats: Statistics, reader: FieldReader) -> tuple[Derivation, ...]:
    """The derivations an outcome's ``derived:`` names; each problem is recorded by ``reader``."""
    raw = node.get("derived")
    if raw is None:
        return ()
    line = node.line_of("derived")
    names = reader.strings(node, "derived")
    percent = statistic == "proportion" and unit == "percent"
    found: list[Derivation] = []
    for name in names:
        if name not in DERIVABLE:
            reader.add(line, f"'{name}' cannot be marked derived.",
                       f"name one of {', '.join(DERIVABLE)}.")
            continue
        if node.get(name) is None:
            reader.add(line, f"'{name}' is marked derived but not given.",
                       f"write the number you derived as '{name}:' too.")
            continue
        arithmetic = None
        if name == "numerator" and percent and value is not None and denominator:
            exact = value * denominator / 100
            arithmetic = (f"{show(value)}% x {denominator} = "
                          f"{show(exact.quantize(Decimal('0.01')))}, rounded {show(_whole(exact))}")
            if numerator is not None and _whole(exact) != numerator:
                reader.add(node.line_of("numerator"), f"numerator {numerator} is not "
                           f"{show(value)}% of {denominator} ({arithmetic}).",
                           "check the derived numerator.")
        elif name == "denominator" and percent and value and numerator is not None:
            exact = Decimal(numerator) * 100 / value
            arithmetic = (f"{numerator} / {show(value)}% = "
                          f"{show(exact.quantize(Decimal('0.01')))}, rounded {show(_whole(exact))}")
            if denominator is not None and _whole(exact) != denominator:
                reader.add(node.line_of("denominator"), f"denominator {denominator} does not "
                           f"follow from {numerator} and {show(value)}% ({arithmetic}).",
                           "check the derived denominator.")
        elif name == "value" and percent and numerator is not None and denominator:
            exact = Decimal(100) * numerator / denominator
            arithmetic = f"{numerator} / {denominator} = {show(exact.quantize(Decimal('0.01')))}%"
        elif name == "value" and statistic in CHANGES and stats.baseline is not None \
                and stats.final is not None and value is not None:
            change = abs(stats.final - stats.baseline)
            arithmetic = f"|{show(stats.final)} - {show(stats.baseline)}| = {show(change)}"
            if abs(value - change) > half_unit(value):
                reader.add(node.line_of("value"), f"the change {show(value)} is not {arithmetic}.",
                           "check the derived change.")
        if arithmetic is None:
            reader.add(line, f"'{name}' is marked derived, but the outcome does not give what "
                       "it is derived from.", "a numerator comes from a percentage (value) and "
                       "a denominator, a denominator from a numerator and a percentage, a "
                       "percentage from a numerator and a denominator, a change from baseline "
                       "and final.")
            continue
        found.append(Derivation(name, arithmetic))
    return tuple(found)
