"""Plain records of what was curated: no RDF here, only what the curation files say."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


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


@dataclass(frozen=True)
class Timepoint:
    """When an outcome was measured, in the article's words and normalised to months."""

    text: str
    months: Decimal | None = None
    qualifier: str | None = None


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
    grade_text: str | None = None
    population_size: int | None = None
    timepoint: Timepoint | None = None
    without: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cohort:
    """A patient count: how many patients of which condition in which trial."""

    trial: str
    indications: tuple[str, ...]
    size: int
    description: str
    therapy: str | None = None


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


@dataclass(frozen=True)
class Corpus:
    """Everything read from ``sources/``, verified and ready to emit."""

    root: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    claims: tuple[Claim, ...] = ()
