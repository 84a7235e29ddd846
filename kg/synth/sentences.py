"""Sentences and the claims that quote them, and what every sentence template shares.

A sentence template (:mod:`kg.synth.facts`, :mod:`kg.synth.outcomes`, :mod:`kg.synth.plans`)
takes a trial and whether the article names it, and returns a :class:`Sentence`: its text and the
claims quoting it, every quote a part of the text. :class:`Templates` is their common base: the
article's random source, the world, and the names an article may use for an entity.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kg.synth.vocab import NUMBER_WORDS
from kg.synth.world import Trial, World


@dataclass
class Claim:
    """A claim as it will be written to ``evidence.yaml``.

    ``stem`` is its id before it is made unique within the article, ``body`` the key of its body
    (``facts``, ``outcome``, ``cohort``, ``plan``) and ``value`` the body itself.
    """

    stem: str
    quotes: list[str]
    body: str
    value: Any
    basis: str = "stated"
    rationale: str | None = None
    disputed: dict[str, Any] | None = None


@dataclass
class Sentence:
    """A sentence of an article and the claims quoting it."""

    text: str
    claims: list[Claim]


def spelled(n: int) -> str:
    """``n`` in words from one to ten, else in digits."""
    return NUMBER_WORDS[n] if 0 < n < len(NUMBER_WORDS) else str(n)


def compact_number(value: float) -> str:
    """``value`` without a trailing ``.0``."""
    return f"{value:g}"


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


class Templates:
    """The base of the sentence templates: the random source, the world, and entity names."""

    def __init__(self, rng: random.Random, world: World, earlier: Sequence[str]) -> None:
        self.rng = rng
        self.world = world
        #: The ids of some articles written before this one (what a dispute may cite).
        self.earlier = earlier

    def name(self, key: str) -> str:
        """A name of the entity, chosen at random from its label and synonyms."""
        return self.rng.choice(self.world.entries[key].names())

    def label(self, key: str) -> str:
        """The entity's label."""
        return self.world.entries[key].label

    def rationale(self, trial: Trial) -> str:
        """Why a claim about a study the article does not name is about ``trial``."""
        return (f"The article does not name the trial. {self.label(trial.key)} is the "
                f"{self.label(trial.phase)} trial of {self.label(trial.therapy)} sponsored by "
                f"{self.label(trial.sponsor)} in the registry, and the article describes a "
                f"{self.label(trial.phase)} study of that therapy by that sponsor.")

    def ref(self, t: Trial, named: bool) -> str:
        """How the article refers to the trial: its label if named, else by its therapy."""
        return self.label(t.key) if named else f"the {self.name(t.therapy)} study"
