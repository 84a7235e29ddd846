"""Plain records of what was curated: no RDF here, only what the curation files say."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kg.core.record_model import RegistryRecord


@dataclass(frozen=True)
class Entity:
    """A canonical entity of the registry (a therapy, trial, indication, ...)."""

    key: str
    kind: str
    label: str
    definition: str
    synonyms: tuple[str, ...] = ()
    exact_match: tuple[str, ...] = ()
    unverified_match: tuple[str, ...] = ()
    close_match: tuple[str, ...] = ()
    broad_match: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    note: str | None = None
    default_category: str | None = None
    file: str = ""


@dataclass(frozen=True)
class Article:
    """A source article: its verbatim text and its metadata."""

    id: str
    text: str
    title: str
    kind: str
    sha256: str
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None
    folder: str = ""
    bibliography: Bibliography = field(default_factory=lambda: Bibliography())
    derived_from: tuple[SourceRef, ...] = ()


# --- sources and who said it (bibliography, lineage, attribution) -----------------------------


@dataclass(frozen=True)
class Bibliography:
    """Where an article was published, as its source gives it (every field optional)."""

    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    congress: str | None = None
    abstract_number: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """A source an article summarises or derives from: an article of the corpus, or a DOI or URL.

    Exactly one of ``article``, ``doi`` and ``url`` is set.
    """

    article: str | None = None
    doi: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Attribution:
    """Who a claim's statement is attributed to: a person or a body, with role and affiliation.

    ``affiliation`` is a registry key (a sponsor or organization); ``affiliation_text`` names an
    affiliation that is not in the registry.
    """

    name: str
    kind: str = "person"
    role: str | None = None
    affiliation: str | None = None
    affiliation_text: str | None = None


@dataclass(frozen=True)
class Quote:
    """An exact passage of an article, located by the loader (code points, end exclusive)."""

    article_id: str
    exact: str
    start: int
    end: int
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Dispute:
    """Why a claim is disputed and what disputes it (CURIEs, entity keys or article ids)."""

    reason: str
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """One asserted triple: registry keys, or a literal object for a literal predicate."""

    subject: str
    predicate: str
    object: str


#: Days in one unit of time, for the derived month equivalent (a month is 365.25 / 12 days).
DAYS_PER_UNIT: dict[str, Decimal] = {
    "day": Decimal(1), "week": Decimal(7), "month": Decimal("30.4375"), "year": Decimal("365.25"),
}


def months_equivalent(value: Decimal, unit: str) -> Decimal:
    """A time in months, to two decimals (16 weeks -> 3.68): derived, never what a source says."""
    months = value * DAYS_PER_UNIT[unit] / DAYS_PER_UNIT["month"]
    return months.quantize(Decimal("0.01")).normalize()


@dataclass(frozen=True)
class Timepoint:
    """A time as the source writes it ("after 16 weeks", "within five days").

    Also a follow-up or a time to onset or resolution, with a statistic and a range. ``value``
    and ``unit`` are the source's; :attr:`months` is derived from them for comparison.
    """

    text: str
    value: Decimal | None = None
    unit: str | None = None
    qualifier: str | None = None
    since: str | None = None
    statistic: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def months(self) -> Decimal | None:
        """The month equivalent of the value (derived), or None without a value."""
        if self.value is None or self.unit is None:
            return None
        return months_equivalent(self.value, self.unit)

    def arithmetic(self) -> str | None:
        """How :attr:`months` is derived, as a reader can check it."""
        if self.months is None or self.unit == "month":
            return None
        return (f"{format(self.value, 'f')} {self.unit} x {DAYS_PER_UNIT[str(self.unit)]} days "
                f"/ 30.4375 days per month = {format(self.months, 'f')} months")


@dataclass(frozen=True)
class Interval:
    """Two bounds, low <= high, in the unit of the value they qualify."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Statistics:
    """What a source gives beside a value: the two values of a change, dispersion, significance."""

    baseline: Decimal | None = None
    final: Decimal | None = None
    range: Interval | None = None
    iqr: Interval | None = None
    sd: Decimal | None = None
    ci: Interval | None = None
    ci_level: Decimal | None = None
    p_value: Decimal | None = None
    #: how the p-value is bounded: "=" (p=0.03), "<" (p<0.001), "<=" or ">"
    p_relation: str | None = None
    significant: bool | None = None


@dataclass(frozen=True)
class Derivation:
    """A field the loader computed from others (the rest of the claim stays as stated)."""

    field: str
    arithmetic: str


# --- what was given, trials and endpoints ---------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A dose as the source writes it: its words, and its number and unit where given.

    ``per`` is ``kg`` (body weight) or ``m2`` (body surface area); None is a flat dose. A dose may
    be a range (``low``, ``high``) instead of one value.
    """

    text: str
    value: Decimal | None = None
    unit: str | None = None
    per: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class AgentDose:
    """One agent of a lymphodepletion regimen, with its dose (per day) and number of days."""

    agent: str
    dose: Amount | None = None
    days: int | None = None


@dataclass(frozen=True)
class Regimen:
    """What a population was given: the CAR T dose, lymphodepletion, infusions, combinations."""

    therapy: str
    finding: str
    trial: str | None = None
    indications: tuple[str, ...] = ()
    population: str | None = None
    population_size: int | None = None
    dose: Amount | None = None
    dose_level: str | None = None
    infusion: str | None = None
    infusion_count: int | None = None
    lymphodepletion: tuple[AgentDose, ...] = ()
    combined_with: tuple[str, ...] = ()
    combination: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """An endpoint of a trial: its id (unique in the trial), role, measure and window."""

    id: str
    role: str
    measure: str
    text: str | None = None
    window: Timepoint | None = None


@dataclass(frozen=True)
class Study:
    """What a source says of a trial as a study: design, status, enrolment, endpoints."""

    trial: str
    designs: tuple[str, ...] = ()
    status: str | None = None
    enrolment_kind: str | None = None
    enrolment: int | None = None
    endpoints: tuple[Endpoint, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """A reported result with everything a reader needs to weigh it."""

    category: str
    therapy: str
    indications: tuple[str, ...]
    measure: str
    statistic: str
    finding: str
    population: str
    trial: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    numerator: int | None = None
    denominator: int | None = None
    direction: str | None = None
    grade: int | None = None
    grade_min: int | None = None
    grade_max: int | None = None
    grade_text: str | None = None
    reversible: bool | None = None
    population_size: int | None = None
    timepoint: Timepoint | None = None
    follow_up: Timepoint | None = None
    onset: Timepoint | None = None
    resolution: Timepoint | None = None
    without: tuple[str, ...] = ()
    endpoint: Endpoint | None = None
    stats: Statistics = Statistics()
    derived: tuple[Derivation, ...] = ()
    data_cutoff: dt.date | None = None


@dataclass(frozen=True)
class Cohort:
    """A patient count: how many patients of which condition in which trial or trials.

    A cohort may span several trials of one sponsor ("24 patients dosed across its Phase 1/2
    trials"): ``trials`` names those the source names, ``sponsor`` whose trials they are.
    """

    trials: tuple[str, ...]
    indications: tuple[str, ...]
    size: int
    description: str
    therapy: str | None = None
    sponsor: str | None = None


@dataclass(frozen=True)
class Plan:
    """A stated next step: a new trial, cohort or regulatory milestone."""

    kind: str
    therapy: str
    indications: tuple[str, ...]
    finding: str
    trial: str | None = None
    by: str | None = None
    timeframe: str | None = None


@dataclass(frozen=True)
class Claim:
    """What a curator takes from one passage of an article: one named graph in the output."""

    id: str
    article_id: str
    file: str
    line: int
    quotes: tuple[Quote, ...]
    basis: str = "stated"
    rationale: str | None = None
    dispute: Dispute | None = None
    note: str | None = None
    facts: tuple[Fact, ...] = ()
    outcome: Outcome | None = None
    cohort: Cohort | None = None
    plan: Plan | None = None
    attributed_to: Attribution | None = None
    regimen: Regimen | None = None
    study: Study | None = None


@dataclass(frozen=True)
class Corpus:
    """Everything read from ``sources/``, verified and ready to emit."""

    root: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
    #: the registry records of ``sources/registry-records/``, by NCT id
    records: dict[str, RegistryRecord] = field(default_factory=dict)
