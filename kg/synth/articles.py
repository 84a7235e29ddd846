"""The article writer: one synthetic article, its text and metadata and the claims quoting it.

:class:`ArticleWriter` picks the trials an article is about, writes a title, a dateline and
paragraphs of sentences from the templates (:mod:`kg.synth.facts`, :mod:`kg.synth.outcomes`,
:mod:`kg.synth.plans`) with fillers in between, and keeps every quote unique in the text.
"""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

from kg.synth.facts import FactTemplates
from kg.synth.outcomes import OutcomeTemplates
from kg.synth.plans import PlanTemplates
from kg.synth.sentences import Claim, Sentence
from kg.synth.vocab import ARTICLE_KINDS, FILLERS, MONTHS, PUBLISHERS, TITLES, YEARS
from kg.synth.world import Trial, World


class ArticleWriter(FactTemplates, OutcomeTemplates, PlanTemplates):
    """Writes one article: its text, sentence by sentence, and the claims quoting it."""

    def __init__(self, rng: random.Random, world: World, article_id: str,
                 earlier: Sequence[str]) -> None:
        super().__init__(rng, world, earlier)
        self.article_id = article_id
        self.text = ""
        self.quotes: list[str] = []
        #: The claims so far, with their ids.
        self.claims: list[tuple[str, Claim]] = []
        self.ids: set[str] = set()
        self.fillers = list(FILLERS)
        rng.shuffle(self.fillers)

    def append(self, piece: str, sep: str, quotes: Sequence[str] = ()) -> bool:
        """Add ``piece`` if every quote, old and new, still occurs exactly once."""
        candidate = f"{self.text}{sep}{piece}" if self.text else piece
        start = len(self.text)
        for quote in self.quotes:  # an old quote must not occur again in what is added
            if candidate.find(quote, max(0, start - len(quote) + 1)) != -1:
                return False
        for quote in quotes:
            if quote not in piece or candidate.count(quote) != 1:
                return False
        self.text = candidate
        self.quotes.extend(q for q in quotes if q not in self.quotes)
        return True

    def add_sentence(self, sentence: Sentence, sep: str) -> bool:
        """Add the sentence and its claims, with ids unique in the article, if it fits."""
        quotes = list(dict.fromkeys(q for c in sentence.claims for q in c.quotes))
        for quote in quotes:
            if quote not in sentence.text:  # pragma: no cover - a template's mistake
                raise AssertionError(f"quote {quote!r} is not in {sentence.text!r}")
        if not self.append(sentence.text, sep, quotes):
            return False
        for claim in sentence.claims:
            claim_id = claim.stem
            n = 2
            while claim_id in self.ids:
                claim_id = f"{claim.stem}-{n}"
                n += 1
            self.ids.add(claim_id)
            self.claims.append((claim_id, claim))
        return True

    def filler(self) -> str | None:
        """A sentence that asserts nothing, each at most once, or None if none is left."""
        return self.fillers.pop() if self.fillers else None

    def write(self, index: int, first_trial: Trial | None
              ) -> tuple[str, dict[str, Any], Trial]:
        """The article's text and metadata, and the trial it is mainly about."""
        rng = self.rng
        world = self.world
        focus: list[Trial] = [first_trial] if first_trial is not None else []
        while len(focus) < rng.choice((1, 2, 2, 3)):
            pick = rng.random() * world.cum_weights[-1]
            trial = world.trials[min(bisect_left(world.cum_weights, pick),
                                     len(world.trials) - 1)]
            if trial not in focus:
                focus.append(trial)
        named = {t.key: rng.random() >= 0.25 for t in focus}
        lead = focus[0]
        title = rng.choice(TITLES).format(
            x=self.name(lead.therapy), i=self.label(lead.indications[0]).title(),
            s=self.label(lead.sponsor), m=self.label(lead.meeting))
        self.append(title, "")
        date = None
        if rng.random() < 0.85:
            year, month, day = rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28)
            date = f"{year}-{month:02d}-{day:02d}"
            self.append(f"{MONTHS[month - 1]} {day}, {year}", "\n")
        publisher = rng.choice(PUBLISHERS) if rng.random() < 0.4 else None
        if publisher is not None:
            self.append(f"By the {publisher} staff", "\n")

        target = rng.randint(24, 31)
        sep = "\n\n"
        in_paragraph = 0
        # The design sentence of the lead trial always comes first: it asserts the trial's phase,
        # so that articles about the same trial share facts.
        plan: list[tuple[Trial, Callable[[Trial, bool], Sentence | None]]] = [
            (lead, self.design)]
        templates: list[Callable[[Trial, bool], Sentence | None]] = [
            self.developer, self.meeting, self.investigator, self.platform, self.construct,
            self.portfolio, self.efficacy, self.efficacy, self.efficacy, self.safety,
            self.safety, self.pharmacodynamic, self.pharmacodynamic, self.plan,
        ]
        for trial in focus:
            if trial is not lead:
                plan.append((trial, self.design))
            extra = list(templates)
            if (index % 4 == 1 and trial is lead) or rng.random() < 0.1:
                extra.append(self.dispute)
            rng.shuffle(extra)
            plan.extend((trial, template) for template in extra)
        # Each trial's design sentence comes before the other sentences about it.
        for trial, template in plan:
            if len(self.claims) >= target and template != self.design:
                continue
            sentence = None
            for _attempt in range(3):
                sentence = template(trial, named[trial.key])
                if sentence is None or self.add_sentence(sentence, sep):
                    break
                sentence = None
            if sentence is None:
                continue
            in_paragraph += 1
            sep = " "
            if in_paragraph >= rng.randint(2, 4):
                if rng.random() < 0.5 and (filler := self.filler()) is not None:
                    self.append(filler, " ")
                sep, in_paragraph = "\n", 0
        for filler in (self.filler(), self.filler()):
            if filler is not None and rng.random() < 0.6:
                self.append(filler, "\n")
        if publisher is not None:
            self.append(f"© {publisher}. All rights reserved.", "\n")
        text = self.text + "\n"
        for quote in self.quotes:
            if text.count(quote) != 1:  # pragma: no cover - guarded by append()
                raise RuntimeError(f"{self.article_id}: quote {quote!r} is not unique")
        kind = rng.choices([k for k, _ in ARTICLE_KINDS], weights=[w for _, w in ARTICLE_KINDS])[0]
        meta: dict[str, Any] = {
            "title": title, "publisher": publisher, "date": date,
            "url": f"https://news.example.org/{self.article_id}" if rng.random() < 0.5 else None,
            "kind": kind, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "note": "Synthetic article generated by cartkg synth; not a real source.",
        }
        return text, meta, lead
