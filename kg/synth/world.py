"""The random world of the synthetic corpus: registry, therapies and trials.

:func:`build_world` starts from the real registry's entities and keys (:mod:`kg.synth.vocab`) and
invents sponsors, organisations, meetings, therapies and trials, as many as the corpus size asks
for. No name names two entities, so that every name in an article resolves to one entity.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from itertools import accumulate

from kg.synth.vocab import (
    ANTIGENS,
    CITIES,
    DRUG_CLASSES,
    FIRST_NAMES,
    INDICATIONS,
    LAST_NAMES,
    MEASURES,
    MEETING_SERIES,
    ORG_FORMS,
    PHASES,
    PLAIN_KEY,
    PLATFORMS,
    SPONSOR_SUFFIXES,
    SYLLABLES,
    TRIAL_WORDS,
    YEARS,
)


@dataclass
class Entry:
    """A registry entry as it will be written."""

    key: str
    kind: str
    label: str
    definition: str
    synonyms: list[str] = field(default_factory=list)
    exact_match: list[str] = field(default_factory=list)
    unverified_match: list[str] = field(default_factory=list)
    default_category: str | None = None

    def names(self) -> list[str]:
        """The label and the synonyms: every name a text may use for the entity."""
        return [self.label, *self.synonyms]


@dataclass
class Therapy:
    """A CAR T-cell therapy: its developer, its antigen, an approved one sharing its construct."""

    key: str
    developer: str
    antigen: str
    platform: str | None = None
    shares_with: str | None = None
    approved_for: str | None = None


@dataclass
class Trial:
    """A trial of one therapy, and everything an article may say about its design."""

    key: str
    therapy: str
    sponsor: str
    phase: str
    indications: list[str]
    meeting: str
    investigator: str
    organization: str
    nct: str


@dataclass
class World:
    """Everything the articles are about.

    ``cum_weights`` are the cumulative popularity weights of ``trials``, in their order.
    """

    entries: dict[str, Entry]
    therapies: dict[str, Therapy]
    trials: list[Trial]
    sponsors: list[str]
    targets: list[str]
    cum_weights: list[float]


class _Names:
    """Unique keys and names: a name must not name two entities, or resolution is ambiguous."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def free(self, key: str, *names: str) -> bool:
        return not any(w.lower() in self.taken for w in (key, *names))

    def take(self, key: str, *names: str) -> None:
        self.taken.update([key.lower(), *(n.lower() for n in names)])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _base_entries() -> list[Entry]:
    """The fixed part of the registry, with the real registry's keys."""
    syn = "Synthetic registry entry (cartkg synth)."
    entries = [
        Entry(key, "indications", label, f"{label[0].upper()}{label[1:]}, a condition named "
              f"in the synthetic articles. {syn}", list(synonyms), list(ids))
        for key, label, synonyms, ids, _target in INDICATIONS
    ]
    entries += [
        Entry(key, "antigens", label, f"A cell-surface antigen targeted by CAR T-cell "
              f"therapies. {syn}", list(synonyms), list(ids))
        for key, label, synonyms, ids in ANTIGENS
    ]
    entries += [
        Entry(key, "phases", label, f"A clinical trial phase ({label}). {syn}", [roman])
        for key, label, roman in PHASES
    ]
    entries += [
        Entry(key, "measures", label, f"An outcome measure ({category}). {syn}",
              list(synonyms), default_category=category)
        for key, label, synonyms, category in MEASURES
    ]
    entries += [
        Entry(key, "drug-classes", label, f"A drug class an outcome may be achieved without. "
              f"{syn}", list(synonyms))
        for key, label, synonyms in DRUG_CLASSES
    ]
    return entries


def build_world(rng: random.Random, articles: int) -> World:
    """The registry, therapies and trials for a corpus of ``articles`` articles.

    The fixed entities first, then invented sponsors, organisations, meetings, therapies and
    trials, more of each for larger corpora (within bounds).
    """
    names = _Names()
    entries: dict[str, Entry] = {}

    def add(entry: Entry) -> None:
        names.take(entry.key, *entry.names())
        entries[entry.key] = entry

    for entry in _base_entries():
        add(entry)
    syn = "Synthetic registry entry (cartkg synth)."

    # Sponsors, organisations, meetings.
    add(Entry("bristol-myers-squibb", "sponsors", "Bristol Myers Squibb",
              f"A pharmaceutical company developing CAR T-cell therapies. {syn}",
              ["BMS", "Bristol-Myers Squibb"], ["WIKIDATA:Q266423"]))
    add(Entry("cabaletta-bio", "sponsors", "Cabaletta Bio",
              f"A biotechnology company developing CAR T-cell therapies for autoimmune disease. "
              f"{syn}", ["Cabaletta"]))
    while sum(e.kind == "sponsors" for e in entries.values()) < _clamp(articles // 30, 4, 300):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        label = f"{word} {rng.choice(SPONSOR_SUFFIXES)}"
        if names.free(_slug(label), label, word):
            add(Entry(_slug(label), "sponsors", label,
                      f"A biotechnology company developing cell therapies. {syn}", [word]))
    sponsors = sorted(k for k, e in entries.items() if e.kind == "sponsors")

    add(Entry("university-of-michigan", "organizations", "University of Michigan",
              f"A research university. {syn}", [], ["ROR:00jmfr291", "WIKIDATA:Q230492"]))
    org_count = _clamp(articles // 50, 3, 100)
    while sum(e.kind == "organizations" for e in entries.values()) < org_count:
        label = rng.choice(ORG_FORMS).format(c=rng.choice(CITIES))
        if names.free(_slug(label), label):
            add(Entry(_slug(label), "organizations", label,
                      f"An academic medical institution. {syn}"))
    organizations = sorted(k for k, e in entries.items() if e.kind == "organizations")

    meeting_count = _clamp(articles // 50, 3, len(MEETING_SERIES) * len(YEARS))
    for year in YEARS:
        for key, label, synonym in MEETING_SERIES:
            if sum(e.kind == "meetings" for e in entries.values()) < meeting_count:
                add(Entry(f"{key}-{year}", "meetings", label.format(y=year),
                          f"A scientific meeting held in {year}. {syn}",
                          [synonym.format(y=year)]))
    meetings = sorted(k for k, e in entries.items() if e.kind == "meetings")

    # Therapies.
    therapies: dict[str, Therapy] = {}
    add(Entry("rese-cel", "therapies", "resecabtagene autoleucel",
              f"An autologous CD19-directed CAR T-cell therapy. {syn}", ["rese-cel", "CABA-201"]))
    add(Entry("bms-986353", "therapies", "zolacabtagene autoleucel",
              f"An autologous CD19-directed CAR T-cell therapy. {syn}",
              ["BMS-986353", "CC-97540", "CD19 NEX-T", "zola-cel"]))
    add(Entry("liso-cel", "therapies", "lisocabtagene maraleucel",
              f"An autologous CD19-directed CAR T-cell therapy approved for lymphoma. {syn}",
              ["Breyanzi", "JCAR017"], ["ATC:L01XL08"]))
    therapies["rese-cel"] = Therapy("rese-cel", "cabaletta-bio", "cd19")
    therapies["bms-986353"] = Therapy("bms-986353", "bristol-myers-squibb", "cd19", "NEX-T",
                                      "liso-cel")
    therapies["liso-cel"] = Therapy("liso-cel", "bristol-myers-squibb", "cd19",
                                    approved_for="lymphoma")
    therapy_count = _clamp(articles // 10, 6, 1000)
    while len(therapies) < therapy_count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        key = f"{word}-cel"
        label = f"{word}cabtagene autoleucel"
        code = "".join(rng.choice("ABCDEFGHKLMNPRSTVXZ") for _ in range(rng.choice((2, 3, 4))))
        code = f"{code}-{rng.randint(100, 999)}"
        if not names.free(key, label, code):
            continue
        antigen = rng.choices([a[0] for a in ANTIGENS], weights=(70, 15, 10, 5))[0]
        antigen_label = entries[antigen].label
        add(Entry(key, "therapies", label, f"An autologous {antigen_label}-directed CAR T-cell "
                  f"therapy. {syn}", [key, code]))
        approved = rng.random() < 0.08
        therapies[key] = Therapy(
            key, rng.choice(sponsors), antigen,
            platform=rng.choice(PLATFORMS) if rng.random() < 0.4 else None,
            shares_with=None, approved_for="lymphoma" if approved else None)
    approved_keys = sorted(k for k, t in therapies.items() if t.approved_for)
    for therapy in therapies.values():
        if therapy.shares_with is None and not therapy.approved_for and rng.random() < 0.15:
            therapy.shares_with = rng.choice(approved_keys)

    # Trials.
    targets = [key for key, *_rest, target in INDICATIONS if target]
    trials = [
        Trial("breakfree-1", "bms-986353", "bristol-myers-squibb", "phase-1",
              ["systemic-sclerosis", "sle", "idiopathic-inflammatory-myopathy"],
              "acr-convergence-2025", "Dinesh Khanna", "university-of-michigan", "NCT05869955"),
        Trial("reset-sle", "rese-cel", "cabaletta-bio", "phase-1-2", ["sle", "lupus-nephritis"],
              "acr-convergence-2025", "Maria Rossi", organizations[0], "NCT06121297"),
        Trial("reset-myositis", "rese-cel", "cabaletta-bio", "phase-1-2",
              ["dermatomyositis", "antisynthetase-syndrome"], "acr-convergence-2025",
              "Samuel Okafor", organizations[-1], "NCT06154252"),
        Trial("reset-ssc", "rese-cel", "cabaletta-bio", "phase-1-2", ["systemic-sclerosis"],
              "acr-convergence-2025", "Elena Berg", organizations[len(organizations) // 2],
              "NCT06328777"),
    ]
    labels = {"breakfree-1": "Breakfree-1", "reset-sle": "RESET-SLE",
              "reset-myositis": "RESET-Myositis", "reset-ssc": "RESET-SSc"}
    for trial in trials:
        add(Entry(trial.key, "trials", labels[trial.key],
                  f"A clinical trial of {entries[trial.therapy].label}. {syn}",
                  unverified_match=[f"NCT:{trial.nct}"]))
    therapy_keys = [k for k in therapies if k != "liso-cel"]
    failures = 0
    while len(trials) < therapy_count:
        therapy_key = therapy_keys[len(trials) % len(therapy_keys)] if rng.random() < 0.7 \
            else rng.choice(therapy_keys)
        indications = rng.sample(targets, rng.choice((1, 1, 2, 2, 3)))
        word = rng.choice(TRIAL_WORDS)
        if failures > 50:  # the common names are used up: an invented word
            word = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        if rng.random() < 0.5:
            label = f"{word}-{rng.randint(1, 9)}"
        else:
            abbr = (entries[indications[0]].synonyms or [entries[indications[0]].label])[0]
            label = f"{word.upper()}-{re.sub(r'[^A-Za-z0-9]', '', abbr.split()[0])}"
        if not PLAIN_KEY.match(_slug(label)) or not names.free(_slug(label), label):
            failures += 1
            continue
        failures = 0
        nct = f"NCT99{len(trials):06d}"
        trial = Trial(_slug(label), therapy_key, therapies[therapy_key].developer,
                      rng.choice([p[0] for p in PHASES][:3]), indications,
                      rng.choice(meetings), f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                      rng.choice(organizations), nct)
        trials.append(trial)
        add(Entry(trial.key, "trials", label,
                  f"A clinical trial of {entries[therapy_key].label}. {syn}",
                  unverified_match=[f"NCT:{nct}"]))
    # Popular trials first: the base ones, then in order of creation (a Zipf-like law).
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(trials))]
    return World(entries, therapies, trials, sponsors, targets, list(accumulate(weights)))

