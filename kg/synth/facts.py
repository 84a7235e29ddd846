"""Sentence templates for facts: a trial's design and cohort, its therapy, sponsor, people.

Each template of :class:`FactTemplates` asserts facts (``facts`` claims) about a trial, its therapy
or its sponsor; :meth:`FactTemplates.design` also gives the trial's cohort, and
:meth:`FactTemplates.dispute` asserts a wrong fact, with a reason and what disputes it.
"""

from __future__ import annotations

from kg.synth.sentences import Claim, Sentence, Templates, listing
from kg.synth.world import Trial


class FactTemplates(Templates):
    """The templates whose claims are facts (and the cohort of a trial's design)."""

    def design(self, t: Trial, named: bool) -> Sentence:
        """The trial's design: phase, sponsor, therapy, indications and the cohort.

        If the article does not name the trial, the claims about the trial are inferred.
        """
        s, x, p = self.name(t.sponsor), self.name(t.therapy), self.name(t.phase)
        inds = [self.name(i) for i in t.indications]
        size = self.rng.randint(4, 80)
        if named:
            tn = self.label(t.key)
            head = f"The {p} {tn} trial"
            spons = f"{tn} trial, sponsored by {s}"
            evaluates = f"{spons}, is evaluating {x}"
            patients = f"{size} patients with {listing(inds)}"
            text = f"{evaluates} in {patients}."
            text = f"The {p} {text}"
            studies = f"is evaluating {x} in {patients}"
            return Sentence(text, [
                Claim(f"{t.key}-phase", [head], "facts", [[t.key, "hasPhase", t.phase]]),
                Claim(f"{t.key}-sponsor", [spons], "facts",
                      [[t.key, "sponsoredBy", t.sponsor]]),
                Claim(f"{t.key}-therapy", [evaluates], "facts",
                      [[t.key, "evaluatesTherapy", t.therapy]]),
                Claim(f"{t.key}-indications", [studies], "facts",
                      [[t.key, "studiesIndication", i] for i in t.indications]),
                Claim(f"{t.key}-cohort", [patients], "cohort", {
                    "trial": t.key, "therapy": t.therapy, "indication": list(t.indications),
                    "size": size, "description": f"patients with {listing(inds)}"}),
            ])
        study = f"its {p} study of {x}"
        whole = f"{s} presented early results from {study} in {size} patients with " \
            f"{listing(inds)}"
        why = self.rationale(t)
        return Sentence(f"{whole}.", [
            Claim(f"{t.therapy}-developer", [f"{s} presented early results from {study}"],
                  "facts", [[t.therapy, "developedBy", t.sponsor]]),
            Claim(f"{t.key}-design", [study], "facts", [
                [t.key, "evaluatesTherapy", t.therapy], [t.key, "hasPhase", t.phase],
                [t.key, "sponsoredBy", t.sponsor]], "inferred", why),
            Claim(f"{t.key}-indications", [whole], "facts",
                  [[t.key, "studiesIndication", i] for i in t.indications], "inferred", why),
            Claim(f"{t.key}-cohort", [f"{size} patients with {listing(inds)}"], "cohort", {
                "trial": t.key, "therapy": t.therapy, "indication": list(t.indications),
                "size": size, "description": f"patients with {listing(inds)}"},
                "inferred", why),
        ])

    def developer(self, t: Trial, named: bool) -> Sentence:
        """Who develops the therapy, the antigen it targets, and an indication."""
        th = self.world.therapies[t.therapy]
        s, x = self.name(th.developer), self.name(t.therapy)
        a = self.label(th.antigen)
        ind = self.name(t.indications[0])
        dev = f"{s} is developing {x}"
        target = f"{x}, a {a}-directed CAR T-cell therapy"
        whole = f"{s} is developing {target}, for patients with {ind}"
        return Sentence(f"{whole}.", [
            Claim(f"{t.therapy}-developer", [dev], "facts", [[t.therapy, "developedBy",
                                                              th.developer]]),
            Claim(f"{t.therapy}-antigen", [target], "facts", [[t.therapy, "targetsAntigen",
                                                               th.antigen]]),
            Claim(f"{t.therapy}-indication", [whole], "facts",
                  [[t.therapy, "investigatesIndication", t.indications[0]]]),
        ])

    def meeting(self, t: Trial, named: bool) -> Sentence | None:
        """Where the trial's results were presented (named trials only)."""
        if not named:
            return None
        m = self.rng.choice((self.label(t.meeting), f"the {self.name(t.meeting)}"))
        text = f"Results from {self.label(t.key)} were presented at {m}"
        return Sentence(f"{text}.", [Claim(f"{t.key}-meeting", [text], "facts",
                                           [[t.key, "resultsPresentedAt", t.meeting]])])

    def investigator(self, t: Trial, named: bool) -> Sentence | None:
        """The trial's lead investigator and their organisation (named trials only)."""
        if not named:
            return None
        lead = f"{self.label(t.key)} is led by Dr. {t.investigator}"
        where = f"led by Dr. {t.investigator} of the {self.label(t.organization)}" \
            if self.label(t.organization).startswith("University") \
            else f"led by Dr. {t.investigator} of {self.label(t.organization)}"
        text = f"{self.label(t.key)} is {where}."
        return Sentence(text, [
            Claim(f"{t.key}-lead", [lead], "facts", [[t.key, "leadInvestigator",
                                                     t.investigator]]),
            Claim(f"{t.key}-affiliation", [where], "facts",
                  [[t.key, "investigatorAffiliation", t.organization]]),
        ])

    def platform(self, t: Trial, named: bool) -> Sentence | None:
        """The therapy's manufacturing platform, if it has one."""
        th = self.world.therapies[t.therapy]
        if th.platform is None:
            return None
        text = f"{self.name(t.therapy)} is made with the {th.platform} manufacturing platform, " \
            "which aims to shorten production time"
        return Sentence(f"{text}.", [Claim(f"{t.therapy}-platform", [text], "facts",
                                           [[t.therapy, "manufacturingPlatform", th.platform]])])

    def construct(self, t: Trial, named: bool) -> Sentence | None:
        """The approved therapy whose CAR construct the therapy shares, if any."""
        th = self.world.therapies[t.therapy]
        if th.shares_with is None:
            return None
        other = self.world.therapies[th.shares_with]
        o = self.name(other.key)
        same = f"the CAR construct of {self.name(t.therapy)} is the same as that of {o}"
        text = f"Notably, {same}, already approved for certain {self.name('lymphoma')}."
        approved = text[text.index(f"{o}, already"):-1]
        return Sentence(text, [
            Claim(f"{t.therapy}-construct", [same], "facts",
                  [[t.therapy, "sharesCarConstructWith", other.key]]),
            Claim(f"{other.key}-approved", [approved], "facts",
                  [[other.key, "approvedFor", other.approved_for or "lymphoma"]]),
        ])

    def portfolio(self, t: Trial, named: bool) -> Sentence:
        """Two other indications the sponsor runs programmes in."""
        others = self.rng.sample(self.world.targets, 2)
        s = self.name(t.sponsor)
        text = f"{s} is also running programmes in {self.name(others[0])} and " \
            f"{self.name(others[1])}"
        return Sentence(f"{text}.", [Claim(f"{t.sponsor}-programmes", [text], "facts", [
            [t.sponsor, "investigatesIndication", others[0]],
            [t.sponsor, "investigatesIndication", others[1]]])])

    def dispute(self, t: Trial, named: bool) -> Sentence:
        """A wrong sponsor or developer, with a reason and what disputes it.

        The registry entry of the trial disputes it, and sometimes an earlier article; the
        sentence naming a wrong developer also asserts the right one.
        """
        wrong = self.rng.choice([s for s in self.world.sponsors if s != t.sponsor])
        w, s, tn = self.name(wrong), self.name(t.sponsor), self.label(t.key)
        by: list[str] = [f"NCT:{t.nct}"]
        if self.earlier and self.rng.random() < 0.5:
            by.append(self.rng.choice(self.earlier))
        if named and self.rng.random() < 0.5:
            text = f"{w} and {s} reported encouraging results from {tn}"
            return Sentence(f"{text}.", [Claim(f"{t.key}-sponsor-{wrong}", [text], "facts",
                                               [[t.key, "sponsoredBy", wrong]], disputed={
                "reason": f"The trial registry lists {self.label(t.sponsor)} alone as the "
                          f"sponsor of {tn}; no role for {self.label(wrong)} is recorded.",
                "by": by})])
        x = self.name(t.therapy)
        text = f"{x}, which {w} is developing together with {s}"
        return Sentence(f"In {self.ref(t, named)}, patients received {text}.", [
            Claim(f"{t.therapy}-developer-{wrong}", [text], "facts",
                  [[t.therapy, "developedBy", wrong]], disputed={
                       "reason": f"{self.label(t.therapy)} is developed by "
                                 f"{self.label(t.sponsor)} alone according to the registry; "
                                 f"the article wrongly names {self.label(wrong)} as a partner.",
                       "by": [t.sponsor, *by]}),
            Claim(f"{t.therapy}-developer", [text], "facts",
                  [[t.therapy, "developedBy", t.sponsor]]),
        ])
