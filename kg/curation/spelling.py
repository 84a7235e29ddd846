"""Suggestions for misspelt names: "did you mean" only for a close spelling of the same word.

A suggestion is offered when the name is one or two typing slips (a wrong, missing, extra or
swapped letter) away from an allowed one: one slip for names of up to six letters, two beyond.
A different word that happens to look alike is not a slip: ``mean`` is not ``median`` and
``p_value`` is not ``value`` (a name that is a whole part of the other, between ``_`` or ``-``,
is never suggested).
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _parts(name: str) -> list[str]:
    return re.split(r"[_-]", name)


def slips(a: str, b: str) -> int:
    """The number of typing slips between two names (optimal string alignment distance)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def close_spelling(name: str, options: Iterable[str]) -> str | None:
    """The allowed name ``name`` is most likely a misspelling of, or None."""
    word = name.lower()
    best: tuple[int, str] | None = None
    for option in options:
        other = option.lower()
        if word == other or other in _parts(word) or word in _parts(other):
            continue
        allowed = 1 if min(len(word), len(other)) <= 6 else 2
        distance = slips(word, other)
        if distance <= allowed and (best is None or distance < best[0]):
            best = (distance, option)
    return best[1] if best else None
