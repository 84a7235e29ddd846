"""Sentence templates for outcomes: efficacy, safety and pharmacodynamic results of a trial.

Each template of :class:`OutcomeTemplates` gives one ``outcome`` claim, with a measure, a
statistic and, where the sentence has them, a value, unit, population and timepoint.
"""

from __future__ import annotations

from typing import Any

from kg.synth.sentences import Claim, Sentence, Templates, compact_number, spelled
from kg.synth.vocab import DISEASE_FAMILY
from kg.synth.world import Trial


class OutcomeTemplates(Templates):
    """The templates whose claims are outcomes."""

    def timepoint(self) -> tuple[str, dict[str, Any]]:
        """A random timepoint: its text and its ``timepoint`` mapping."""
        rng = self.rng
        kind = rng.choice(("at", "at", "after", "at-least", "up-to"))
        if kind == "after":
            weeks = rng.choice((12, 16, 24, 28, 52))
            text = f"after {weeks} weeks"
            return text, {"text": text, "value": weeks, "unit": "week", "qualifier": kind}
        months = rng.choice((3, 6, 9, 12, 18, 24))
        text = {"at": f"at {months} months", "at-least": f"with at least {months} months of "
                "follow-up", "up-to": f"at up to {months} months of follow-up"}[kind]
        return text, {"text": text, "value": months, "unit": "month", "qualifier": kind}

    def _outcome(self, t: Trial, named: bool, stem: str, quote: str, text: str,
                 outcome: dict[str, Any]) -> Sentence:
        """A sentence with one outcome claim.

        The claim names the trial if the article does, and most of the time if it does not:
        then the claim is inferred, with a rationale.
        """
        body = {"category": outcome.pop("category"), "therapy": t.therapy}
        body.update({"trial": t.key} if named or self.rng.random() < 0.8 else {})
        inferred = not named and "trial" in body
        body.update(outcome)
        claim = Claim(f"{t.key}-{stem}", [quote], "outcome", body,
                      "inferred" if inferred else "stated",
                      self.rationale(t) if inferred else None)
        return Sentence(text, [claim])

    def efficacy(self, t: Trial, named: bool) -> Sentence:
        """An efficacy outcome, with measures that suit the indication."""
        rng = self.rng
        ind = rng.choice(t.indications)
        i = self.name(ind)
        tp_text, tp = self.timepoint()
        where = self.ref(t, named)
        family = DISEASE_FAMILY.get(ind, "")
        choices = [0, 0, 1, 1, 5, *{"ssc": [2, 3, 4], "sle": [3]}.get(family, [])]
        choice = rng.choice(choices)
        if choice == 0:
            options = [("disease-remission", "achieved disease remission"),
                       ("immunosuppressant-free", "remained off immunosuppressive therapy"),
                       ("therapy-free", "discontinued all disease-directed therapies")]
            if family == "myo":
                options.append(("muscle-strength", "improved their muscle strength"))
            measure, phrase = rng.choice(options)
            v = rng.randint(40, 100)
            quote = f"{v}% of evaluable patients with {i} {phrase} {tp_text}"
            return self._outcome(t, named, measure, quote, f"In {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": measure,
                "statistic": "proportion", "value": v, "unit": "percent",
                "finding": f"{v}% of evaluable patients with {self.label(ind)} {phrase} "
                           f"{tp_text}.",
                "population": f"evaluable patients with {i}", "timepoint": tp})
        if choice == 1:
            options = [("disease-remission", "achieved disease remission")]
            if ind == "lupus-nephritis":
                options.append(("complete-renal-response", "had a complete renal response"))
            if family == "myo":
                options.append(("acr-eular-myositis-response",
                                'showed "moderate or major improvement"'))
            measure, phrase = rng.choice(options)
            d = rng.randint(3, 12)
            n = rng.randint(1, d)
            quote = f"{spelled(n)} of {spelled(d)} patients with {i} {phrase} {tp_text}"
            return self._outcome(t, named, measure, quote, f"In {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": measure,
                "statistic": "count", "value": n, "unit": "patients", "numerator": n,
                "denominator": d, "finding": f"{n} of {d} patients with {self.label(ind)} "
                                             f"{phrase} {tp_text}.",
                "population": f"patients with {i} in {where}", "population_size": d,
                "timepoint": tp})
        if choice == 2:
            v = rng.randint(2, 15)
            quote = f"median pFVC increased by {v}% {tp_text} in patients with {i}"
            return self._outcome(t, named, "pfvc", quote, f"In {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": "pfvc",
                "statistic": "median-change", "value": v, "unit": "percent",
                "direction": "increase", "finding": f"Median pFVC rose by {v}% {tp_text}.",
                "population": f"patients with {i}", "timepoint": tp})
        if choice == 3:
            measure, label = ("mrss", "mRSS") if family == "ssc" \
                else ("sle-disease-activity", "SLEDAI-2K score")
            stat, word = rng.choice((("median-change", "median"), ("mean-change", "mean")))
            points = rng.randint(4, 40) / 2
            quote = f"{word} {label} decreased by {compact_number(points)} points {tp_text}"
            return self._outcome(t, named, measure, quote,
                                 f"Among patients with {i} in {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": measure,
                "statistic": stat, "value": points, "unit": "points", "direction": "decrease",
                "finding": f"The {word} {label} fell by {compact_number(points)} points {tp_text}.",
                "population": f"patients with {i}", "timepoint": tp})
        if choice == 4:
            v = rng.randint(55, 95)
            quote = f"median pFVC in patients with {i} was {v}% of predicted {tp_text}"
            return self._outcome(t, named, "pfvc", quote, f"In {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": "pfvc",
                "statistic": "median", "value": v, "unit": "percent",
                "finding": f"Median pFVC was {v}% of predicted {tp_text}.",
                "population": f"patients with {i}", "timepoint": tp})
        x = self.name(t.therapy)
        quote = f"{x} led to clinical improvements in patients with {i} without the need for " \
            f"{self.name('immunomodulator')} or {self.name('glucocorticoid')}"
        return self._outcome(t, named, "clinical-improvement", quote,
                             f"Initial results from {where} indicate that {quote}.", {
            "category": "efficacy", "indication": ind, "measure": "clinical-improvement",
            "statistic": "qualitative",
            "finding": f"Patients with {self.label(ind)} improved clinically without "
                       "immunomodulators or glucocorticoids.",
            "population": f"patients with {i}", "without": ["immunomodulator", "glucocorticoid"]})

    def safety(self, t: Trial, named: bool) -> Sentence:
        """A safety outcome: CRS or ICANS, adverse events, cytopenia or infections."""
        rng = self.rng
        ind = rng.choice(t.indications)
        where = self.ref(t, named)
        choice = rng.randrange(3)
        if choice == 0:
            measure = rng.choice(("crs", "icans"))
            n, g, days = rng.randint(1, 6), rng.randint(1, 3), rng.randint(2, 14)
            m = self.name(measure)
            quote = f"{spelled(n).capitalize()} patients in {where} had grade {g} {m}, which " \
                f"resolved within {spelled(days)} days"
            return self._outcome(t, named, f"{measure}-grade-{g}", quote, f"{quote}.", {
                "category": "safety", "indication": ind, "measure": measure,
                "statistic": "count", "value": n, "unit": "patients", "grade": g,
                "grade_text": f"grade {g}",
                "finding": f"{n} patients had grade {g} {self.label(measure)}, which resolved "
                           f"within {days} days.",
                "population": f"patients treated in {where}",
                "timepoint": {"text": "not stated in the article"},
                "resolution": {"text": f"within {spelled(days)} days", "value": days,
                               "unit": "day", "qualifier": "within"}})
        if choice == 1:
            quote = f"most adverse events in {where} were low grade and resolved quickly"
            return self._outcome(t, named, "aes", quote, f"The safety profile was acceptable: "
                                 f"{quote}.", {
                "category": "safety", "indication": ind, "measure": "adverse-events",
                "statistic": "qualitative", "grade_text": "low grade",
                "finding": "Most adverse events were low grade and resolved quickly.",
                "population": f"patients treated in {where}"})
        v = rng.randint(5, 40)
        measure = rng.choice(("prolonged-cytopenia", "infections"))
        quote = f"{v}% of patients in {where} had {self.name(measure)}"
        tp_text, tp = self.timepoint()
        return self._outcome(t, named, measure, quote, f"By the data cut-off, {quote} "
                             f"{tp_text}.", {
            "category": "safety", "indication": ind, "measure": measure,
            "statistic": "proportion", "value": v, "unit": "percent",
            "finding": f"{v}% of patients had {self.label(measure)}.",
            "population": f"patients treated in {where}",
            "timepoint": {"text": "not stated in the article"} if rng.random() < 0.5 else tp})

    def pharmacodynamic(self, t: Trial, named: bool) -> Sentence:
        """A pharmacodynamic outcome: expansion, B-cell depletion, autoantibodies."""
        rng = self.rng
        ind = rng.choice(t.indications)
        where = self.ref(t, named)
        choice = rng.randrange(3)
        if choice == 0:
            quote = f"{where} showed robust CAR T-cell expansion"
            return self._outcome(t, named, "expansion", quote, f"{quote} and a rapid "
                                 "clinical response.", {
                "category": "pharmacodynamic", "indication": ind, "measure": "car-t-expansion",
                "statistic": "qualitative", "finding": "The infused CAR T cells expanded "
                                                       "robustly.",
                "population": f"patients treated in {where}"})
        if choice == 1:
            n = rng.randint(4, 40)
            quote = f"complete B-cell depletion in all {n} patients of {where}"
            return self._outcome(t, named, "b-cell-depletion", quote,
                                 f"Investigators reported {quote}.", {
                "category": "pharmacodynamic", "indication": ind, "measure": "b-cell-depletion",
                "statistic": "qualitative", "finding": "B cells were completely depleted.",
                "population": f"patients treated in {where}", "population_size": n})
        v = rng.randint(30, 100)
        quote = f"autoantibody levels normalised in {v}% of patients in {where} who tested " \
            "positive"
        return self._outcome(t, named, "autoantibodies", quote, f"Over time, {quote}.", {
            "category": "pharmacodynamic", "indication": ind,
            "measure": "autoantibody-normalisation", "statistic": "proportion", "value": v,
            "unit": "percent", "finding": f"Autoantibodies normalised in {v}% of patients who "
                                          "tested positive.",
            "population": f"patients in {where} who tested positive for autoantibodies",
            "timepoint": {"text": "over time"}})
