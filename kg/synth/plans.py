"""Sentence templates for plans: what a sponsor intends to do next with a therapy or trial."""

from __future__ import annotations

from typing import Any

from kg.synth.sentences import Claim, Sentence, Templates
from kg.synth.vocab import COUNTRIES, TIMEFRAMES
from kg.synth.world import Trial


class PlanTemplates(Templates):
    """The template whose claims are plans."""

    def plan(self, t: Trial, named: bool) -> Sentence:
        """A sponsor's plan for the therapy or the trial.

        A registrational trial, a dose-escalation cohort (named trials only), regulatory
        alignment, a pivotal study design, or recruitment.
        """
        rng = self.rng
        s, x, tf = self.name(t.sponsor), self.name(t.therapy), rng.choice(TIMEFRAMES)
        ind = rng.choice(t.indications)
        i = self.name(ind)
        choice = rng.randrange(5)
        plan: dict[str, Any] = {"therapy": t.therapy, "indication": [ind]}
        if choice == 0:
            text = f"{s} plans to start a registrational trial of {x} in {i} {tf}"
            plan.update(kind="registrational-trial", by=t.sponsor, timeframe=tf,
                        finding=f"{self.label(t.sponsor)} plans a registrational trial of "
                                f"{self.label(t.therapy)} in {self.label(ind)}.")
        elif choice == 1 and named:
            text = f"These results have prompted {s} to open a dose-escalation cohort in " \
                f"{self.label(t.key)} {tf}"
            plan.update(kind="dose-escalation-cohort", trial=t.key, by=t.sponsor, timeframe=tf,
                        finding=f"{self.label(t.sponsor)} will open a dose-escalation cohort in "
                                f"{self.label(t.key)}.")
        elif choice == 2:
            text = f"{s} aims to align with the FDA {tf} on the development of {x} in {i}"
            plan.update(kind="regulatory-alignment", by=t.sponsor, timeframe=tf,
                        finding=f"{self.label(t.sponsor)} aims to align with the FDA on "
                                f"{self.label(t.therapy)} in {self.label(ind)}.")
        elif choice == 3:
            text = f"{s} expects to finalise a pivotal study design for {x} in {i} {tf}"
            plan.update(kind="pivotal-study-design", by=t.sponsor, timeframe=tf,
                        finding=f"{self.label(t.sponsor)} expects to finalise a pivotal study "
                                f"design for {self.label(t.therapy)} in {self.label(ind)}.")
        else:
            country = rng.choice(COUNTRIES)
            text = f"{self.ref(t, named)} is recruiting patients with {i} at sites in {country}"
            plan.update(kind="recruitment", timeframe="ongoing",
                        finding=f"Patients with {self.label(ind)} are being recruited for "
                                f"{self.ref(t, named)}.")
            if named:
                plan["trial"] = t.key
            text = f"{text[0].upper()}{text[1:]}"
        claim = Claim(f"{t.key}-plan-{plan['kind']}", [text], "plan", plan)
        return Sentence(f"{text}.", [claim])

    # the article ------------------------------------------------------------------------------
