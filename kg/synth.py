"""A synthetic corpus in the curation format, for tests and benchmarks.

:func:`generate_corpus` writes a ``sources/`` folder (``registry/<kind>.yaml`` and
``articles/<id>/{article.txt, article.yaml, evidence.yaml}``, see docs/curation.md) whose articles
are news-like texts built from sentence templates and a random "world" of therapies, trials,
sponsors and their indications. Every claim quotes its own article, and every quote occurs exactly
once in it (checked as each sentence is added, and again for the whole text). The claims are of
every kind the format has: facts, outcomes of the three categories, cohorts, plans; stated,
inferred (with a rationale) and disputed (with a reason and what disputes them). Popular trials
appear in many articles, so the same facts are asserted by several sources.

The output depends only on ``articles`` and ``seed``: one :class:`random.Random`, no clock, no set
iteration, registry files sorted by key. The same arguments give the same bytes.

Everything here is invented. The registry keeps the keys of the project's real entities
(``rese-cel``, ``breakfree-1``, ``systemic-sclerosis``, ...) so that query examples resolve, and
the identifiers it gives them are the verified ones of the real registry; every other identifier
is a fictional, unverified ``NCT:NCT99...`` trial number.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

#: The most articles :func:`generate_corpus` writes (article ids have five digits).
MAX_ARTICLES = 99_999

# --- the fixed vocabulary -----------------------------------------------------------------------

# key, label, synonyms, verified identifiers (from the real registry), is a treatment target
_INDICATIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("autoimmune-disease", "autoimmune disease", ("autoimmune diseases", "autoimmune conditions"),
     (), False),
    ("systemic-sclerosis", "systemic sclerosis", ("SSc",),
     ("MONDO:0005100", "DOID:418", "MESH:D012595", "NCIT:C72070"), True),
    ("diffuse-cutaneous-ssc", "diffuse cutaneous systemic sclerosis", ("diffuse SSc", "dcSSc"),
     ("MONDO:0016356", "NCIT:C116791"), True),
    ("ssc-ild", "systemic sclerosis-associated interstitial lung disease", ("SSc-ILD",), (), True),
    ("sle", "systemic lupus erythematosus", ("SLE", "lupus"),
     ("MONDO:0007915", "DOID:9074", "MESH:D008180", "NCIT:C3201"), True),
    ("lupus-nephritis", "lupus nephritis", ("LN",),
     ("MONDO:0005556", "DOID:0080162", "MESH:D008181", "NCIT:C34789"), True),
    ("idiopathic-inflammatory-myopathy", "idiopathic inflammatory myopathy",
     ("IIM", "idiopathic inflammatory myopathies"), ("MONDO:0600023", "NCIT:C116796"), True),
    ("myositis", "myositis", (), ("MONDO:0021167", "DOID:633", "MESH:D009220", "NCIT:C27578"),
     True),
    ("dermatomyositis", "dermatomyositis", ("DM",),
     ("MONDO:0016367", "DOID:10223", "MESH:D003882", "NCIT:C26744"), True),
    ("antisynthetase-syndrome", "antisynthetase syndrome", ("ASyS",),
     ("MONDO:0019344", "DOID:0080744", "MESH:C537778"), True),
    ("psoriatic-arthritis", "psoriatic arthritis", ("PsA",),
     ("MONDO:0011849", "DOID:9008", "MESH:D015535", "NCIT:C61277"), True),
    ("rheumatoid-arthritis", "rheumatoid arthritis", ("RA",),
     ("MONDO:0008383", "DOID:7148", "MESH:D001172", "NCIT:C2884"), True),
    ("lymphoma", "lymphoma", ("lymphomas",), (), False),
    ("multiple-sclerosis", "multiple sclerosis", ("MS",), (), True),
    ("myasthenia-gravis", "myasthenia gravis", ("MG",), (), True),
    ("nmosd", "neuromyelitis optica spectrum disorder", ("NMOSD",), (), True),
    ("anca-vasculitis", "ANCA-associated vasculitis", ("AAV",), (), True),
    ("sjogrens-disease", "Sjögren's disease", ("Sjögren's syndrome",), (), True),
    ("immune-thrombocytopenia", "immune thrombocytopenia", ("ITP",), (), True),
    ("autoimmune-hemolytic-anemia", "autoimmune hemolytic anemia", ("AIHA",), (), True),
    ("pemphigus-vulgaris", "pemphigus vulgaris", (), (), True),
    ("igg4-related-disease", "IgG4-related disease", ("IgG4-RD",), (), True),
    ("membranous-nephropathy", "membranous nephropathy", (), (), True),
    ("cidp", "chronic inflammatory demyelinating polyneuropathy", ("CIDP",), (), True),
    ("stiff-person-syndrome", "stiff person syndrome", ("SPS",), (), True),
)

_ANTIGENS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("cd19", "CD19", ("B-lymphocyte antigen CD19",), ("HGNC:1633",)),
    ("bcma", "BCMA", ("B-cell maturation antigen",), ()),
    ("cd20", "CD20", ("B-lymphocyte antigen CD20",), ()),
    ("cd7", "CD7", ("T-cell antigen CD7",), ()),
)

_PHASES: tuple[tuple[str, str, str], ...] = (
    ("phase-1", "Phase 1", "Phase I"),
    ("phase-1-2", "Phase 1/2", "Phase I/II"),
    ("phase-2", "Phase 2", "Phase II"),
    ("phase-3", "Phase 3", "Phase III"),
)

# key, label, synonyms, default category
_MEASURES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("pfvc", "percent-predicted forced vital capacity", ("pFVC", "ppFVC"), "efficacy"),
    ("lung-function", "lung function", (), "efficacy"),
    ("mrss", "modified Rodnan skin score", ("mRSS",), "efficacy"),
    ("skin-thickness", "skin thickness", ("skin thickening",), "efficacy"),
    ("muscle-strength", "muscle strength", (), "efficacy"),
    ("acr-eular-myositis-response", "ACR/EULAR myositis response (Total Improvement Score)",
     ("Total Improvement Score", "TIS"), "efficacy"),
    ("disease-remission", "disease remission", ("remission",), "efficacy"),
    ("complete-renal-response", "complete renal response", ("CRR",), "efficacy"),
    ("sle-disease-activity", "SLE disease activity", ("SLEDAI-2K",), "efficacy"),
    ("clinical-improvement", "clinical improvement", (), "efficacy"),
    ("immunosuppressant-free", "off immunosuppressive therapy", ("immunosuppressant-free",),
     "efficacy"),
    ("therapy-free", "off all disease-directed therapy", ("therapy-free",), "efficacy"),
    ("car-t-expansion", "CAR T-cell expansion", (), "pharmacodynamic"),
    ("b-cell-depletion", "B-cell depletion", (), "pharmacodynamic"),
    ("naive-b-cell-reemergence", "re-emergence of naive B cells", (), "pharmacodynamic"),
    ("autoantibody-normalisation", "autoantibody normalisation", (), "pharmacodynamic"),
    ("adverse-events", "adverse events", ("AEs",), "safety"),
    ("crs", "cytokine release syndrome", ("CRS",), "safety"),
    ("icans", "immune effector cell-associated neurotoxicity syndrome", ("ICANS",), "safety"),
    ("prolonged-cytopenia", "prolonged cytopenia", (), "safety"),
    ("infections", "infections", (), "safety"),
)

_DRUG_CLASSES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("immunosuppressant", "immunosuppressant", ("immunosuppressants",)),
    ("immunomodulator", "immunomodulator", ("immunomodulators",)),
    ("glucocorticoid", "glucocorticoid", ("steroids", "corticosteroid")),
)

_MEETING_SERIES: tuple[tuple[str, str, str], ...] = (
    ("acr-convergence", "ACR Convergence {y}", "{y} American College of Rheumatology congress"),
    ("eular", "EULAR {y} Congress", "EULAR {y}"),
    ("ash", "ASH Annual Meeting {y}", "{y} American Society of Hematology meeting"),
    ("aan", "AAN Annual Meeting {y}", "{y} American Academy of Neurology meeting"),
    ("ectrims", "ECTRIMS Congress {y}", "ECTRIMS {y}"),
    ("asn-kidney-week", "ASN Kidney Week {y}", "Kidney Week {y}"),
    ("ebmt", "EBMT Annual Meeting {y}", "EBMT {y}"),
    ("asgct", "ASGCT Annual Meeting {y}", "ASGCT {y}"),
)
_YEARS = (2025, 2024, 2026, 2023)

_SYLLABLES = ("ba", "ce", "di", "fo", "ga", "le", "mi", "no", "pa", "ra", "se", "ti", "vo", "xa",
              "ze", "lu", "ri", "ka", "te", "mo", "ne", "so", "va", "li", "do", "ru", "zi", "ta")
_TRIAL_WORDS = ("Lumina", "Kestrel", "Aurora", "Summit", "Clarity", "Phoenix", "Meridian",
                "Cascade", "Zenith", "Harbor", "Atlas", "Nova", "Vertex", "Solace", "Tandem",
                "Beacon", "Compass", "Horizon", "Pinnacle", "Keystone", "Resolve", "Restore",
                "Renew", "Unity", "Vantage", "Sentinel", "Emerge", "Ascend", "Equinox", "Polaris",
                "Odyssey", "Catalyst", "Quantum", "Serene", "Tempo", "Anchor", "Evolve",
                "Liberty", "Radiant", "Spectrum")
_SPONSOR_SUFFIXES = ("Bio", "Therapeutics", "Biosciences", "Pharma", "Cell Therapy", "Immune")
_CITIES = ("Ann Arbor", "Erlangen", "Boston", "Heidelberg", "Toronto", "Lyon", "Leiden",
           "Uppsala", "Zurich", "Melbourne", "Osaka", "Seoul", "Madrid", "Milan", "Vienna",
           "Oslo", "Helsinki", "Dublin", "Edinburgh", "Manchester", "Montreal", "Chicago",
           "Houston", "Denver", "Seattle", "Atlanta", "Baltimore", "Pittsburgh", "Nashville",
           "Rochester", "Munich", "Hamburg", "Leuven", "Ghent", "Bordeaux", "Barcelona",
           "Bologna", "Prague", "Warsaw", "Copenhagen", "Stockholm", "Gothenburg", "Bergen",
           "Sydney", "Auckland", "Kyoto", "Shanghai", "Singapore", "Tel Aviv", "Cape Town")
_ORG_FORMS = ("University of {c}", "{c} University Hospital", "{c} Medical Center")
_FIRST = ("Dinesh", "Georg", "Maria", "Aiko", "Samuel", "Fatima", "Lukas", "Elena", "Rahul",
          "Ingrid", "Tomás", "Grace", "Yusuf", "Hannah", "Mateo", "Priya", "Oskar", "Chloe",
          "Kenji", "Amara", "Felix", "Sofia", "Daniel", "Leila", "Marco", "Nadia", "Jonas",
          "Ruth", "Victor", "Mei")
_LAST = ("Khanna", "Schett", "Müller", "Tanaka", "Okafor", "Haddad", "Berg", "Rossi", "Mehta",
         "Larsen", "García", "Chen", "Novak", "Dubois", "Silva", "Kowalski", "Nakamura", "Moreau",
         "Fischer", "Andersen", "Patel", "Costa", "Weber", "Ivanova", "O'Brien", "Kim", "Lindqvist",
         "Santos", "Keller", "Ahmed")
_PLATFORMS = ("NEX-T", "FasTCAR", "T-Charge", "rapid-CAR", "Lenti-7", "NovaCell", "CellFlex")
_PUBLISHERS = ("Rheumatology Today", "Cell Therapy Wire", "BioPharma Dispatch",
               "Autoimmunity Report", "Clinical Trials Weekly", "Immunology News Desk")
_COUNTRIES = ("the United States", "Germany", "France", "Spain", "Italy", "Canada", "Australia",
              "Japan", "the United Kingdom", "the Netherlands")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_TIMEFRAMES = ("next year", "this year", "in the second half of the year", "in 2026",
               "later this year", "early next year")
_FILLERS = (
    "CAR T-cell therapy reprograms a patient's own T cells to recognise and eliminate "
    "disease-causing cells.",
    "While CAR T therapies have so far been confined mostly to cancer, these studies point to "
    "a wider use.",
    "The approach aims to reset the immune system rather than suppress it for life.",
    "Many of the patients had not responded to several conventional treatments.",
    "Experts caution that the numbers are still small and follow-up is short.",
    "Larger, controlled studies will be needed to confirm the findings.",
    "The field has grown quickly since the first case reports were published.",
    "Investors have followed the autoimmune programmes closely.",
    "Manufacturing capacity remains a challenge for autologous cell therapies.",
    "Patient advocates welcomed the data.",
    "The paradigm is shifting.",
    "What happens after the B cells return is still being studied.",
    "Regulators have signalled openness to single-arm designs in refractory disease.",
    "Competition in the space is intensifying.",
)
_TITLES = (
    "{x} Shows Promise in {i}",
    "CAR T Therapy {x} Posts Encouraging {i} Data",
    "{s} Reports Early Results for {x} in Autoimmune Disease",
    "New Data for {x} Presented at {m}",
    "CAR T-Cell Therapy Offers New Hope in {i}",
    "{s} Expands Its Autoimmune Cell Therapy Programme",
)
_KINDS = (("news", 60), ("press-release", 20), ("congress-abstract", 15), ("paper", 5))

_PLAIN = re.compile(r"^[a-z][a-z0-9-]*$")
_FAMILY = {
    **dict.fromkeys(("systemic-sclerosis", "diffuse-cutaneous-ssc", "ssc-ild"), "ssc"),
    **dict.fromkeys(("sle", "lupus-nephritis"), "sle"),
    **dict.fromkeys(("idiopathic-inflammatory-myopathy", "myositis", "dermatomyositis",
                     "antisynthetase-syndrome"), "myo"),
}
# Strings written without quotes: they start with a letter and hold nothing YAML reads specially
# (inside [flow] collections, no spaces or commas either).
_YAML_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,./()%'’-]*[A-Za-z0-9.)%]$|^[A-Za-z]$")
_YAML_FLOW_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9./-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


# --- the world ----------------------------------------------------------------------------------


@dataclass
class _Entry:
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
class _Therapy:
    key: str
    developer: str
    antigen: str
    platform: str | None = None
    shares_with: str | None = None
    approved_for: str | None = None


@dataclass
class _Trial:
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
class _World:
    entries: dict[str, _Entry]
    therapies: dict[str, _Therapy]
    trials: list[_Trial]
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


def _base_entries() -> list[_Entry]:
    """The fixed part of the registry, with the real registry's keys."""
    syn = "Synthetic registry entry (cartkg synth)."
    entries = [
        _Entry(key, "indications", label, f"{label[0].upper()}{label[1:]}, a condition named "
               f"in the synthetic articles. {syn}", list(synonyms), list(ids))
        for key, label, synonyms, ids, _target in _INDICATIONS
    ]
    entries += [
        _Entry(key, "antigens", label, f"A cell-surface antigen targeted by CAR T-cell "
               f"therapies. {syn}", list(synonyms), list(ids))
        for key, label, synonyms, ids in _ANTIGENS
    ]
    entries += [
        _Entry(key, "phases", label, f"A clinical trial phase ({label}). {syn}", [roman])
        for key, label, roman in _PHASES
    ]
    entries += [
        _Entry(key, "measures", label, f"An outcome measure ({category}). {syn}",
               list(synonyms), default_category=category)
        for key, label, synonyms, category in _MEASURES
    ]
    entries += [
        _Entry(key, "drug-classes", label, f"A drug class an outcome may be achieved without. "
               f"{syn}", list(synonyms))
        for key, label, synonyms in _DRUG_CLASSES
    ]
    return entries


def _build_world(rng: random.Random, articles: int) -> _World:
    names = _Names()
    entries: dict[str, _Entry] = {}

    def add(entry: _Entry) -> None:
        names.take(entry.key, *entry.names())
        entries[entry.key] = entry

    for entry in _base_entries():
        add(entry)
    syn = "Synthetic registry entry (cartkg synth)."

    # Sponsors, organisations, meetings.
    add(_Entry("bristol-myers-squibb", "sponsors", "Bristol Myers Squibb",
               f"A pharmaceutical company developing CAR T-cell therapies. {syn}",
               ["BMS", "Bristol-Myers Squibb"], ["WIKIDATA:Q266423"]))
    add(_Entry("cabaletta-bio", "sponsors", "Cabaletta Bio",
               f"A biotechnology company developing CAR T-cell therapies for autoimmune disease. "
               f"{syn}", ["Cabaletta"]))
    while sum(e.kind == "sponsors" for e in entries.values()) < _clamp(articles // 30, 4, 300):
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        label = f"{word} {rng.choice(_SPONSOR_SUFFIXES)}"
        if names.free(_slug(label), label, word):
            add(_Entry(_slug(label), "sponsors", label,
                       f"A biotechnology company developing cell therapies. {syn}", [word]))
    sponsors = sorted(k for k, e in entries.items() if e.kind == "sponsors")

    add(_Entry("university-of-michigan", "organizations", "University of Michigan",
               f"A research university. {syn}", [], ["ROR:00jmfr291", "WIKIDATA:Q230492"]))
    org_count = _clamp(articles // 50, 3, 100)
    while sum(e.kind == "organizations" for e in entries.values()) < org_count:
        label = rng.choice(_ORG_FORMS).format(c=rng.choice(_CITIES))
        if names.free(_slug(label), label):
            add(_Entry(_slug(label), "organizations", label,
                       f"An academic medical institution. {syn}"))
    organizations = sorted(k for k, e in entries.items() if e.kind == "organizations")

    meeting_count = _clamp(articles // 50, 3, len(_MEETING_SERIES) * len(_YEARS))
    for year in _YEARS:
        for key, label, synonym in _MEETING_SERIES:
            if sum(e.kind == "meetings" for e in entries.values()) < meeting_count:
                add(_Entry(f"{key}-{year}", "meetings", label.format(y=year),
                           f"A scientific meeting held in {year}. {syn}",
                           [synonym.format(y=year)]))
    meetings = sorted(k for k, e in entries.items() if e.kind == "meetings")

    # Therapies.
    therapies: dict[str, _Therapy] = {}
    add(_Entry("rese-cel", "therapies", "resecabtagene autoleucel",
               f"An autologous CD19-directed CAR T-cell therapy. {syn}", ["rese-cel", "CABA-201"]))
    add(_Entry("bms-986353", "therapies", "zolacabtagene autoleucel",
               f"An autologous CD19-directed CAR T-cell therapy. {syn}",
               ["BMS-986353", "CC-97540", "CD19 NEX-T", "zola-cel"]))
    add(_Entry("liso-cel", "therapies", "lisocabtagene maraleucel",
               f"An autologous CD19-directed CAR T-cell therapy approved for lymphoma. {syn}",
               ["Breyanzi", "JCAR017"], ["ATC:L01XL08"]))
    therapies["rese-cel"] = _Therapy("rese-cel", "cabaletta-bio", "cd19")
    therapies["bms-986353"] = _Therapy("bms-986353", "bristol-myers-squibb", "cd19", "NEX-T",
                                       "liso-cel")
    therapies["liso-cel"] = _Therapy("liso-cel", "bristol-myers-squibb", "cd19",
                                     approved_for="lymphoma")
    therapy_count = _clamp(articles // 10, 6, 1000)
    while len(therapies) < therapy_count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        key = f"{word}-cel"
        label = f"{word}cabtagene autoleucel"
        code = "".join(rng.choice("ABCDEFGHKLMNPRSTVXZ") for _ in range(rng.choice((2, 3, 4))))
        code = f"{code}-{rng.randint(100, 999)}"
        if not names.free(key, label, code):
            continue
        antigen = rng.choices([a[0] for a in _ANTIGENS], weights=(70, 15, 10, 5))[0]
        antigen_label = entries[antigen].label
        add(_Entry(key, "therapies", label, f"An autologous {antigen_label}-directed CAR T-cell "
                   f"therapy. {syn}", [key, code]))
        approved = rng.random() < 0.08
        therapies[key] = _Therapy(
            key, rng.choice(sponsors), antigen,
            platform=rng.choice(_PLATFORMS) if rng.random() < 0.4 else None,
            shares_with=None, approved_for="lymphoma" if approved else None)
    approved_keys = sorted(k for k, t in therapies.items() if t.approved_for)
    for therapy in therapies.values():
        if therapy.shares_with is None and not therapy.approved_for and rng.random() < 0.15:
            therapy.shares_with = rng.choice(approved_keys)

    # Trials.
    targets = [key for key, *_rest, target in _INDICATIONS if target]
    trials = [
        _Trial("breakfree-1", "bms-986353", "bristol-myers-squibb", "phase-1",
               ["systemic-sclerosis", "sle", "idiopathic-inflammatory-myopathy"],
               "acr-convergence-2025", "Dinesh Khanna", "university-of-michigan", "NCT05869955"),
        _Trial("reset-sle", "rese-cel", "cabaletta-bio", "phase-1-2", ["sle", "lupus-nephritis"],
               "acr-convergence-2025", "Maria Rossi", organizations[0], "NCT06121297"),
        _Trial("reset-myositis", "rese-cel", "cabaletta-bio", "phase-1-2",
               ["dermatomyositis", "antisynthetase-syndrome"], "acr-convergence-2025",
               "Samuel Okafor", organizations[-1], "NCT06154252"),
        _Trial("reset-ssc", "rese-cel", "cabaletta-bio", "phase-1-2", ["systemic-sclerosis"],
               "acr-convergence-2025", "Elena Berg", organizations[len(organizations) // 2],
               "NCT06328777"),
    ]
    labels = {"breakfree-1": "Breakfree-1", "reset-sle": "RESET-SLE",
              "reset-myositis": "RESET-Myositis", "reset-ssc": "RESET-SSc"}
    for trial in trials:
        add(_Entry(trial.key, "trials", labels[trial.key],
                   f"A clinical trial of {entries[trial.therapy].label}. {syn}",
                   unverified_match=[f"NCT:{trial.nct}"]))
    therapy_keys = [k for k in therapies if k != "liso-cel"]
    failures = 0
    while len(trials) < therapy_count:
        therapy_key = therapy_keys[len(trials) % len(therapy_keys)] if rng.random() < 0.7 \
            else rng.choice(therapy_keys)
        indications = rng.sample(targets, rng.choice((1, 1, 2, 2, 3)))
        word = rng.choice(_TRIAL_WORDS)
        if failures > 50:  # the common names are used up: an invented word
            word = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize()
        if rng.random() < 0.5:
            label = f"{word}-{rng.randint(1, 9)}"
        else:
            abbr = (entries[indications[0]].synonyms or [entries[indications[0]].label])[0]
            label = f"{word.upper()}-{re.sub(r'[^A-Za-z0-9]', '', abbr.split()[0])}"
        if not _PLAIN.match(_slug(label)) or not names.free(_slug(label), label):
            failures += 1
            continue
        failures = 0
        nct = f"NCT99{len(trials):06d}"
        trial = _Trial(_slug(label), therapy_key, therapies[therapy_key].developer,
                       rng.choice([p[0] for p in _PHASES][:3]), indications,
                       rng.choice(meetings),
                       f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", rng.choice(organizations), nct)
        trials.append(trial)
        add(_Entry(trial.key, "trials", label,
                   f"A clinical trial of {entries[therapy_key].label}. {syn}",
                   unverified_match=[f"NCT:{nct}"]))
    # Popular trials first: the base ones, then in order of creation (a Zipf-like law).
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(trials))]
    return _World(entries, therapies, trials, sponsors, targets, list(accumulate(weights)))


# --- claims and sentences -----------------------------------------------------------------------


@dataclass
class _Claim:
    stem: str
    quotes: list[str]
    body: str
    value: Any
    basis: str = "stated"
    rationale: str | None = None
    disputed: dict[str, Any] | None = None


@dataclass
class _Sentence:
    text: str
    claims: list[_Claim]


def _number(n: int) -> str:
    return _WORDS[n] if 0 < n < len(_WORDS) else str(n)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _listing(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


class _ArticleWriter:
    """Writes one article: its text, sentence by sentence, and the claims quoting it."""

    def __init__(self, rng: random.Random, world: _World, article_id: str,
                 earlier: Sequence[str]) -> None:
        self.rng = rng
        self.world = world
        self.article_id = article_id
        self.earlier = earlier
        self.text = ""
        self.quotes: list[str] = []
        self.claims: list[tuple[str, _Claim]] = []
        self.ids: set[str] = set()
        self.fillers = list(_FILLERS)
        rng.shuffle(self.fillers)

    # names ------------------------------------------------------------------------------------

    def name(self, key: str) -> str:
        return self.rng.choice(self.world.entries[key].names())

    def label(self, key: str) -> str:
        return self.world.entries[key].label

    # text -------------------------------------------------------------------------------------

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

    def add_sentence(self, sentence: _Sentence, sep: str) -> bool:
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
        return self.fillers.pop() if self.fillers else None

    # templates --------------------------------------------------------------------------------

    def rationale(self, trial: _Trial) -> str:
        return (f"The article does not name the trial. {self.label(trial.key)} is the "
                f"{self.label(trial.phase)} trial of {self.label(trial.therapy)} sponsored by "
                f"{self.label(trial.sponsor)} in the registry, and the article describes a "
                f"{self.label(trial.phase)} study of that therapy by that sponsor.")

    def design(self, t: _Trial, named: bool) -> _Sentence:
        s, x, p = self.name(t.sponsor), self.name(t.therapy), self.name(t.phase)
        inds = [self.name(i) for i in t.indications]
        size = self.rng.randint(4, 80)
        if named:
            tn = self.label(t.key)
            head = f"The {p} {tn} trial"
            spons = f"{tn} trial, sponsored by {s}"
            evaluates = f"{spons}, is evaluating {x}"
            patients = f"{size} patients with {_listing(inds)}"
            text = f"{evaluates} in {patients}."
            text = f"The {p} {text}"
            studies = f"is evaluating {x} in {patients}"
            return _Sentence(text, [
                _Claim(f"{t.key}-phase", [head], "facts", [[t.key, "hasPhase", t.phase]]),
                _Claim(f"{t.key}-sponsor", [spons], "facts",
                       [[t.key, "sponsoredBy", t.sponsor]]),
                _Claim(f"{t.key}-therapy", [evaluates], "facts",
                       [[t.key, "evaluatesTherapy", t.therapy]]),
                _Claim(f"{t.key}-indications", [studies], "facts",
                       [[t.key, "studiesIndication", i] for i in t.indications]),
                _Claim(f"{t.key}-cohort", [patients], "cohort", {
                    "trial": t.key, "therapy": t.therapy, "indication": list(t.indications),
                    "size": size, "description": f"patients with {_listing(inds)}"}),
            ])
        study = f"its {p} study of {x}"
        whole = f"{s} presented early results from {study} in {size} patients with " \
            f"{_listing(inds)}"
        why = self.rationale(t)
        return _Sentence(f"{whole}.", [
            _Claim(f"{t.therapy}-developer", [f"{s} presented early results from {study}"],
                   "facts", [[t.therapy, "developedBy", t.sponsor]]),
            _Claim(f"{t.key}-design", [study], "facts", [
                [t.key, "evaluatesTherapy", t.therapy], [t.key, "hasPhase", t.phase],
                [t.key, "sponsoredBy", t.sponsor]], "inferred", why),
            _Claim(f"{t.key}-indications", [whole], "facts",
                   [[t.key, "studiesIndication", i] for i in t.indications], "inferred", why),
            _Claim(f"{t.key}-cohort", [f"{size} patients with {_listing(inds)}"], "cohort", {
                "trial": t.key, "therapy": t.therapy, "indication": list(t.indications),
                "size": size, "description": f"patients with {_listing(inds)}"},
                "inferred", why),
        ])

    def developer(self, t: _Trial, named: bool) -> _Sentence:
        th = self.world.therapies[t.therapy]
        s, x = self.name(th.developer), self.name(t.therapy)
        a = self.label(th.antigen)
        ind = self.name(t.indications[0])
        dev = f"{s} is developing {x}"
        target = f"{x}, a {a}-directed CAR T-cell therapy"
        whole = f"{s} is developing {target}, for patients with {ind}"
        return _Sentence(f"{whole}.", [
            _Claim(f"{t.therapy}-developer", [dev], "facts", [[t.therapy, "developedBy",
                                                               th.developer]]),
            _Claim(f"{t.therapy}-antigen", [target], "facts", [[t.therapy, "targetsAntigen",
                                                                th.antigen]]),
            _Claim(f"{t.therapy}-indication", [whole], "facts",
                   [[t.therapy, "investigatesIndication", t.indications[0]]]),
        ])

    def meeting(self, t: _Trial, named: bool) -> _Sentence | None:
        if not named:
            return None
        m = self.rng.choice((self.label(t.meeting), f"the {self.name(t.meeting)}"))
        text = f"Results from {self.label(t.key)} were presented at {m}"
        return _Sentence(f"{text}.", [_Claim(f"{t.key}-meeting", [text], "facts",
                                             [[t.key, "resultsPresentedAt", t.meeting]])])

    def investigator(self, t: _Trial, named: bool) -> _Sentence | None:
        if not named:
            return None
        lead = f"{self.label(t.key)} is led by Dr. {t.investigator}"
        where = f"led by Dr. {t.investigator} of the {self.label(t.organization)}" \
            if self.label(t.organization).startswith("University") \
            else f"led by Dr. {t.investigator} of {self.label(t.organization)}"
        text = f"{self.label(t.key)} is {where}."
        return _Sentence(text, [
            _Claim(f"{t.key}-lead", [lead], "facts", [[t.key, "leadInvestigator",
                                                      t.investigator]]),
            _Claim(f"{t.key}-affiliation", [where], "facts",
                   [[t.key, "investigatorAffiliation", t.organization]]),
        ])

    def platform(self, t: _Trial, named: bool) -> _Sentence | None:
        th = self.world.therapies[t.therapy]
        if th.platform is None:
            return None
        text = f"{self.name(t.therapy)} is made with the {th.platform} manufacturing platform, " \
            "which aims to shorten production time"
        return _Sentence(f"{text}.", [_Claim(f"{t.therapy}-platform", [text], "facts",
                                             [[t.therapy, "manufacturingPlatform", th.platform]])])

    def construct(self, t: _Trial, named: bool) -> _Sentence | None:
        th = self.world.therapies[t.therapy]
        if th.shares_with is None:
            return None
        other = self.world.therapies[th.shares_with]
        o = self.name(other.key)
        same = f"the CAR construct of {self.name(t.therapy)} is the same as that of {o}"
        text = f"Notably, {same}, already approved for certain {self.name('lymphoma')}."
        approved = text[text.index(f"{o}, already"):-1]
        return _Sentence(text, [
            _Claim(f"{t.therapy}-construct", [same], "facts",
                   [[t.therapy, "sharesCarConstructWith", other.key]]),
            _Claim(f"{other.key}-approved", [approved], "facts",
                   [[other.key, "approvedFor", other.approved_for or "lymphoma"]]),
        ])

    def portfolio(self, t: _Trial, named: bool) -> _Sentence:
        others = self.rng.sample(self.world.targets, 2)
        s = self.name(t.sponsor)
        text = f"{s} is also running programmes in {self.name(others[0])} and " \
            f"{self.name(others[1])}"
        return _Sentence(f"{text}.", [_Claim(f"{t.sponsor}-programmes", [text], "facts", [
            [t.sponsor, "investigatesIndication", others[0]],
            [t.sponsor, "investigatesIndication", others[1]]])])

    def dispute(self, t: _Trial, named: bool) -> _Sentence:
        wrong = self.rng.choice([s for s in self.world.sponsors if s != t.sponsor])
        w, s, tn = self.name(wrong), self.name(t.sponsor), self.label(t.key)
        by: list[str] = [f"NCT:{t.nct}"]
        if self.earlier and self.rng.random() < 0.5:
            by.append(self.rng.choice(self.earlier))
        if named and self.rng.random() < 0.5:
            text = f"{w} and {s} reported encouraging results from {tn}"
            return _Sentence(f"{text}.", [_Claim(f"{t.key}-sponsor-{wrong}", [text], "facts",
                                                 [[t.key, "sponsoredBy", wrong]], disputed={
                "reason": f"The trial registry lists {self.label(t.sponsor)} alone as the "
                          f"sponsor of {tn}; no role for {self.label(wrong)} is recorded.",
                "by": by})])
        x = self.name(t.therapy)
        text = f"{x}, which {w} is developing together with {s}"
        return _Sentence(f"In {self.ref(t, named)}, patients received {text}.", [
            _Claim(f"{t.therapy}-developer-{wrong}", [text], "facts",
                   [[t.therapy, "developedBy", wrong]], disputed={
                       "reason": f"{self.label(t.therapy)} is developed by "
                                 f"{self.label(t.sponsor)} alone according to the registry; "
                                 f"the article wrongly names {self.label(wrong)} as a partner.",
                       "by": [t.sponsor, *by]}),
            _Claim(f"{t.therapy}-developer", [text], "facts",
                   [[t.therapy, "developedBy", t.sponsor]]),
        ])

    # outcomes ---------------------------------------------------------------------------------

    def timepoint(self) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        kind = rng.choice(("at", "at", "after", "at-least", "up-to"))
        if kind == "after":
            weeks = rng.choice((12, 16, 24, 28, 52))
            text = f"after {weeks} weeks"
            return text, {"text": text, "months": round(weeks * 12 / 52, 1), "qualifier": kind}
        months = rng.choice((3, 6, 9, 12, 18, 24))
        text = {"at": f"at {months} months", "at-least": f"with at least {months} months of "
                "follow-up", "up-to": f"at up to {months} months of follow-up"}[kind]
        return text, {"text": text, "months": months, "qualifier": kind}

    def _outcome(self, t: _Trial, named: bool, stem: str, quote: str, text: str,
                 outcome: dict[str, Any]) -> _Sentence:
        body = {"category": outcome.pop("category"), "therapy": t.therapy}
        body.update({"trial": t.key} if named or self.rng.random() < 0.8 else {})
        inferred = not named and "trial" in body
        body.update(outcome)
        claim = _Claim(f"{t.key}-{stem}", [quote], "outcome", body,
                       "inferred" if inferred else "stated",
                       self.rationale(t) if inferred else None)
        return _Sentence(text, [claim])

    def ref(self, t: _Trial, named: bool) -> str:
        return self.label(t.key) if named else f"the {self.name(t.therapy)} study"

    def efficacy(self, t: _Trial, named: bool) -> _Sentence:
        rng = self.rng
        ind = rng.choice(t.indications)
        i = self.name(ind)
        tp_text, tp = self.timepoint()
        where = self.ref(t, named)
        family = _FAMILY.get(ind, "")
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
            quote = f"{_number(n)} of {_number(d)} patients with {i} {phrase} {tp_text}"
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
            quote = f"{word} {label} decreased by {_fmt(points)} points {tp_text}"
            return self._outcome(t, named, measure, quote,
                                 f"Among patients with {i} in {where}, {quote}.", {
                "category": "efficacy", "indication": ind, "measure": measure,
                "statistic": stat, "value": points, "unit": "points", "direction": "decrease",
                "finding": f"The {word} {label} fell by {_fmt(points)} points {tp_text}.",
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

    def safety(self, t: _Trial, named: bool) -> _Sentence:
        rng = self.rng
        ind = rng.choice(t.indications)
        where = self.ref(t, named)
        choice = rng.randrange(3)
        if choice == 0:
            measure = rng.choice(("crs", "icans"))
            n, g, days = rng.randint(1, 6), rng.randint(1, 3), rng.randint(2, 14)
            m = self.name(measure)
            quote = f"{_number(n).capitalize()} patients in {where} had grade {g} {m}, which " \
                f"resolved within {_number(days)} days"
            return self._outcome(t, named, f"{measure}-grade-{g}", quote, f"{quote}.", {
                "category": "safety", "indication": ind, "measure": measure,
                "statistic": "count", "value": n, "unit": "patients", "grade": g,
                "grade_text": f"grade {g}",
                "finding": f"{n} patients had grade {g} {self.label(measure)}, which resolved "
                           f"within {days} days.",
                "population": f"patients treated in {where}",
                "timepoint": {"text": f"within {_number(days)} days",
                              "months": round(days / 30.4, 2), "qualifier": "within"}})
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

    def pharmacodynamic(self, t: _Trial, named: bool) -> _Sentence:
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

    def plan(self, t: _Trial, named: bool) -> _Sentence:
        rng = self.rng
        s, x, tf = self.name(t.sponsor), self.name(t.therapy), rng.choice(_TIMEFRAMES)
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
            country = rng.choice(_COUNTRIES)
            text = f"{self.ref(t, named)} is recruiting patients with {i} at sites in {country}"
            plan.update(kind="recruitment", timeframe="ongoing",
                        finding=f"Patients with {self.label(ind)} are being recruited for "
                                f"{self.ref(t, named)}.")
            if named:
                plan["trial"] = t.key
            text = f"{text[0].upper()}{text[1:]}"
        claim = _Claim(f"{t.key}-plan-{plan['kind']}", [text], "plan", plan)
        return _Sentence(f"{text}.", [claim])

    # the article ------------------------------------------------------------------------------

    def write(self, index: int, first_trial: _Trial | None
              ) -> tuple[str, dict[str, Any], _Trial]:
        """The article's text and metadata, and the trial it is mainly about."""
        rng = self.rng
        world = self.world
        focus: list[_Trial] = [first_trial] if first_trial is not None else []
        while len(focus) < rng.choice((1, 2, 2, 3)):
            pick = rng.random() * world.cum_weights[-1]
            trial = world.trials[min(bisect_left(world.cum_weights, pick),
                                     len(world.trials) - 1)]
            if trial not in focus:
                focus.append(trial)
        named = {t.key: rng.random() >= 0.25 for t in focus}
        lead = focus[0]
        title = rng.choice(_TITLES).format(
            x=self.name(lead.therapy), i=self.label(lead.indications[0]).title(),
            s=self.label(lead.sponsor), m=self.label(lead.meeting))
        self.append(title, "")
        date = None
        if rng.random() < 0.85:
            year, month, day = rng.choice(_YEARS), rng.randint(1, 12), rng.randint(1, 28)
            date = f"{year}-{month:02d}-{day:02d}"
            self.append(f"{_MONTHS[month - 1]} {day}, {year}", "\n")
        publisher = rng.choice(_PUBLISHERS) if rng.random() < 0.4 else None
        if publisher is not None:
            self.append(f"By the {publisher} staff", "\n")

        target = rng.randint(24, 31)
        sep = "\n\n"
        in_paragraph = 0
        # The design sentence of the lead trial always comes first: it asserts the trial's phase,
        # so that articles about the same trial share facts.
        plan: list[tuple[_Trial, Callable[[_Trial, bool], _Sentence | None]]] = [
            (lead, self.design)]
        templates: list[Callable[[_Trial, bool], _Sentence | None]] = [
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
        kind = rng.choices([k for k, _ in _KINDS], weights=[w for _, w in _KINDS])[0]
        meta: dict[str, Any] = {
            "title": title, "publisher": publisher, "date": date,
            "url": f"https://news.example.org/{self.article_id}" if rng.random() < 0.5 else None,
            "kind": kind, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "note": "Synthetic article generated by cartkg synth; not a real source.",
        }
        return text, meta, lead


# --- YAML writing -------------------------------------------------------------------------------


def _scalar(value: Any, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    plain = (_YAML_FLOW_PLAIN if flow else _YAML_PLAIN).match(text)
    if plain and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Sequence[Any]) -> str:
    return "[" + ", ".join(_scalar(i, flow=True) for i in items) + "]"


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            if key == "timepoint":
                inner = ", ".join(f"{k}: {_scalar(v, flow=True)}" for k, v in value.items())
                lines.append(f"{pad}{key}: {{{inner}}}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(_mapping(value, indent + 2))
        elif isinstance(value, list):
            if value and all(isinstance(v, list) for v in value):
                lines.append(f"{pad}{key}:")
                lines.extend(f"{pad}  - {_flow(v)}" for v in value)
            elif len(value) > 1 and key == "quote":
                lines.append(f"{pad}{key}:")
                lines.extend(f"{pad}  - {_scalar(v)}" for v in value)
            else:
                lines.append(f"{pad}{key}: {_flow(value)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def _registry_yaml(kind: str, entries: list[_Entry]) -> str:
    lines = [f"# Synthetic {kind} (cartkg synth): invented entries for tests and benchmarks.", ""]
    for entry in sorted(entries, key=lambda e: e.key):
        data: dict[str, Any] = {"label": entry.label}
        if entry.synonyms:
            data["synonyms"] = entry.synonyms
        data["definition"] = entry.definition
        if entry.exact_match:
            data["exact_match"] = entry.exact_match
        if entry.unverified_match:
            data["unverified_match"] = entry.unverified_match
        if entry.default_category:
            data["default_category"] = entry.default_category
        lines.append(f"{entry.key}:")
        lines.extend(_mapping(data, 2))
        lines.append("")
    return "\n".join(lines)


def _evidence_yaml(article_id: str, claims: list[tuple[str, _Claim]]) -> str:
    lines = [f"# Synthetic evidence for article {article_id} (cartkg synth); not real data.", "",
             "claims:"]
    for claim_id, claim in claims:
        data: dict[str, Any] = {"quote": claim.quotes[0] if len(claim.quotes) == 1
                                else claim.quotes}
        if claim.basis != "stated":
            data["basis"] = claim.basis
            data["rationale"] = claim.rationale
        if claim.disputed is not None:
            data["disputed"] = claim.disputed
        data[claim.body] = claim.value
        lines.append(f"  - id: {claim_id}")
        lines.extend(_mapping(data, 4))
        lines.append("")
    return "\n".join(lines)


def _meta_yaml(meta: dict[str, Any]) -> str:
    return "\n".join(_mapping(meta, 0)) + "\n"


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate_corpus` wrote."""

    out: Path
    seed: int
    articles: int
    claims: int
    entities: dict[str, int]
    bodies: dict[str, int]
    outcomes: dict[str, int]
    inferred: int
    disputed: int
    facts: int
    shared_facts: int
    bytes: int

    def lines(self) -> list[str]:
        """A short human-readable description."""
        return [
            f"articles:      {self.articles} (seed {self.seed}) in {self.out}",
            f"claims:        {self.claims} ("
            + ", ".join(f"{k} {v}" for k, v in self.bodies.items()) + ")",
            "outcomes:      " + ", ".join(f"{k} {v}" for k, v in self.outcomes.items()),
            f"inferred:      {self.inferred}",
            f"disputed:      {self.disputed}",
            f"facts:         {self.facts} distinct, {self.shared_facts} asserted by 2+ articles",
            "entities:      " + ", ".join(f"{k} {v}" for k, v in self.entities.items()),
            f"bytes written: {self.bytes}",
        ]


def generate_corpus(out: Path, articles: int, seed: int = 0, *,
                    overwrite: bool = False) -> SynthSummary:
    """Write a synthetic ``sources/`` folder with ``articles`` articles to ``out``.

    The same ``articles`` and ``seed`` give the same bytes. ``out`` must not hold a registry or
    articles already, unless ``overwrite`` is set: then ``out/registry`` and ``out/articles``
    (and nothing else) are replaced.
    """
    if not 1 <= articles <= MAX_ARTICLES:
        raise ValueError(f"articles must be between 1 and {MAX_ARTICLES}, not {articles}")
    out = Path(out)
    for sub in ("registry", "articles"):
        if (out / sub).exists():
            if not overwrite:
                raise FileExistsError(f"{out / sub} exists; choose an empty folder or overwrite")
            shutil.rmtree(out / sub)
    rng = random.Random(seed)
    world = _build_world(rng, articles)
    written = 0

    def write(path: Path, text: str) -> None:
        nonlocal written
        data = text.encode("utf-8")
        path.write_bytes(data)
        written += len(data)

    (out / "registry").mkdir(parents=True)
    (out / "articles").mkdir()
    by_kind: dict[str, list[_Entry]] = {}
    for entry in world.entries.values():
        by_kind.setdefault(entry.kind, []).append(entry)
    for kind in sorted(by_kind):
        write(out / "registry" / f"{kind}.yaml", _registry_yaml(kind, by_kind[kind]))

    ids = [f"{i:05d}_{rng.getrandbits(64):016x}" for i in range(articles)]
    asserted: dict[tuple[str, str, str], set[str]] = {}
    bodies: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    inferred = disputed = claims = 0
    first_trial: _Trial | None = None
    for index, article_id in enumerate(ids):
        writer = _ArticleWriter(random.Random(f"{seed}/{article_id}"), world, article_id,
                                ids[:index][-50:])
        # The second article is about the first one's lead trial: small corpora overlap too.
        text, meta, lead = writer.write(index, first_trial if index == 1 else None)
        first_trial = first_trial or lead
        folder = out / "articles" / article_id
        folder.mkdir()
        write(folder / "article.txt", text)
        write(folder / "article.yaml", _meta_yaml(meta))
        write(folder / "evidence.yaml", _evidence_yaml(article_id, writer.claims))
        for _claim_id, claim in writer.claims:
            claims += 1
            bodies[claim.body] += 1
            inferred += claim.basis == "inferred"
            disputed += claim.disputed is not None
            if claim.body == "outcome":
                outcomes[claim.value["category"]] += 1
            if claim.body == "facts":
                for s, p, o in claim.value:
                    asserted.setdefault((s, p, o), set()).add(article_id)
    return SynthSummary(
        out=out, seed=seed, articles=articles, claims=claims,
        entities={k: len(v) for k, v in sorted(by_kind.items())},
        bodies=dict(sorted(bodies.items())), outcomes=dict(sorted(outcomes.items())),
        inferred=inferred, disputed=disputed, facts=len(asserted),
        shared_facts=sum(len(v) > 1 for v in asserted.values()), bytes=written,
    )

