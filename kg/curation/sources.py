"""Read ``sources/`` into records, checking every field and verifying every quote.

Problems are collected, not raised one at a time: a curator sees every mistake in one run, each
with its file, line, claim and fix. Nothing is dropped silently: a claim either loads whole or is
reported.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from kg.core import vocab
from kg.core.curie import is_external
from kg.core.model import (
    Article,
    Claim,
    Cohort,
    Corpus,
    Dispute,
    Entity,
    Fact,
    Outcome,
    Plan,
    Quote,
    Timepoint,
)
from kg.curation.fields import FieldReader
from kg.curation.quotes import QuoteAmbiguous, QuoteNotFound, locate_quote
from kg.curation.yamlfile import Node, Problem, Seq, SourceError, read_text, read_yaml

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ARTICLE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

ENTITY_FIELDS = {
    "label": str, "definition": str, "synonyms": list, "exact_match": list,
    "unverified_match": list, "close_match": list, "broad_match": list, "broader": list,
    "note": str,
    "default_category": str,
}
ARTICLE_FIELDS = {
    "title": str, "publisher": str, "date": str, "url": str, "kind": str, "sha256": str,
    "note": str,
}
CLAIM_FIELDS = {
    "id": str, "quote": object, "basis": str, "rationale": str, "disputed": dict,
    "note": str, "facts": list, "outcome": dict, "cohort": dict, "plan": dict,
}
BODIES = ("facts", "outcome", "cohort", "plan")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_sources(root: Path) -> Corpus:
    """Read and verify everything under ``root`` (a ``sources/`` folder).

    Raises :class:`SourceError` listing every problem found.
    """
    root = Path(root)
    problems: list[Problem] = []
    entities = load_registry(root, problems)
    folders = article_folders(root)
    ids = frozenset(folder.name for folder in folders)
    articles: dict[str, Article] = {}
    claims: list[Claim] = []
    for folder in folders:
        try:
            article, article_claims = load_article(folder, root, entities, ids)
        except SourceError as err:
            problems.extend(err.problems)
            continue
        articles[article.id] = article
        claims.extend(article_claims)
    if problems:
        raise SourceError(problems)
    return Corpus(root=root, entities=entities, articles=articles, claims=tuple(claims))


def check_sources_folder(root: Path) -> None:
    """Raise :class:`SourceError` unless ``root`` holds ``registry/`` and ``articles/``."""
    if not (root / "registry").is_dir() or not (root / "articles").is_dir():
        raise SourceError([Problem(
            str(root), None, "is not a sources folder.",
            "it must contain registry/ and articles/ (see docs/curation.md).")])


def load_registry(root: Path, problems: list[Problem] | None = None) -> dict[str, Entity]:
    """Read and verify ``root/registry/``.

    Problems are added to ``problems`` (and the entities without problems returned), or, without
    that list, raised as one :class:`SourceError`.
    """
    check_sources_folder(root)
    found: list[Problem] = []
    entities = _load_registry(root, found)
    _check_broader(entities, found)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise SourceError(found)
    return entities


def article_folders(root: Path) -> list[Path]:
    """The folders of ``root/articles/``, in article id order."""
    check_sources_folder(root)
    folder = root / "articles"
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.is_dir())
    return [folder / name for name in names]


def load_article(folder: Path, root: Path, entities: dict[str, Entity],
                 article_ids: Collection[str]) -> tuple[Article, list[Claim]]:
    """Read and verify one article folder against the registry.

    ``article_ids`` are the ids of every article of the sources, which a claim may name as what
    disputes it. Raises :class:`SourceError` listing every problem of the article.
    """
    problems: list[Problem] = []
    claims: list[Claim] = []
    article = None
    try:
        article = _load_article(folder, root, problems)
        if article is not None:
            claims = _load_claims(folder, root, article, entities, problems)
    except SourceError as err:
        problems.extend(err.problems)
    _check_dispute_references(claims, entities, article_ids, problems)
    if problems or article is None:
        raise SourceError(problems)
    return article, claims


def _check_broader(entities: dict[str, Entity], problems: list[Problem]) -> None:
    for entity in entities.values():
        for key in entity.broader:
            other = entities.get(key)
            if other is None or other.kind != entity.kind or key == entity.key:
                close = difflib.get_close_matches(key, [e.key for e in entities.values()
                                                        if e.kind == entity.kind], n=3)
                hint = f"did you mean {', '.join(close)}? " if close else ""
                problems.append(Problem(
                    entity.file, None, f"entity '{entity.key}': broader '{key}' is not another "
                    f"entity of {entity.kind}.", f"{hint}name a broader entity of the same kind."))


def _check_dispute_references(claims: list[Claim], entities: dict[str, Entity],
                              articles: Collection[str], problems: list[Problem]) -> None:
    for claim in claims:
        for ref in claim.dispute.by if claim.dispute else ():
            if ref not in entities and ref not in articles and not is_external(ref):
                problems.append(Problem(
                    claim.file, claim.line, f"disputed.by '{ref}' is not an entity key, an "
                    "article id or a CURIE.",
                    "name what disputes the claim, e.g. NCT:NCT06121297 or an article id.",
                    claim.id))


# --- registry -------------------------------------------------------------------------------


def _load_registry(root: Path, problems: list[Problem]) -> dict[str, Entity]:
    entities: dict[str, Entity] = {}
    folder = root / "registry"
    known = {f"{name}.yaml" for name in vocab.ENTITY_KINDS}
    for path in sorted(folder.iterdir()):
        if path.name not in known:
            problems.append(Problem(
                _relative(path, root), None, "is not a registry kind.",
                f"name registry files after a kind: {', '.join(sorted(known))}."))
    for kind in vocab.ENTITY_KINDS:
        path = folder / f"{kind}.yaml"
        if not path.exists():
            continue
        shown = _relative(path, root)
        try:
            data = read_yaml(path, shown)
        except SourceError as err:
            problems.extend(err.problems)
            continue
        if data is None:
            continue
        if not isinstance(data, Node):
            problems.append(Problem(shown, 1, "must be a mapping from entity key to entry.",
                                    "see docs/curation.md."))
            continue
        for key, entry in data.items():
            line = data.line_of(key)
            reader = FieldReader(shown, problems)
            if not KEY_RE.match(key):
                reader.add(line, f"entity key '{key}' is not lowercase a-z, 0-9 and '-'.",
                           "rename the key, e.g. 'rese-cel'.")
                continue
            if key in entities:
                reader.add(line, f"entity key '{key}' is also defined in {entities[key].file}.",
                           "keys are unique across all registry files: rename one.")
                continue
            if not reader.check_fields(entry, line, ENTITY_FIELDS, {"label", "definition"},
                                       f"entity '{key}'"):
                continue
            category = reader.choice(entry, "default_category", vocab.OUTCOME_CATEGORIES)
            if kind == "measures" and category is None:
                reader.add(entry.line_of("default_category"),
                           f"measure '{key}' needs default_category.",
                           f"add one of: {', '.join(vocab.OUTCOME_CATEGORIES)}.")
            entities[key] = Entity(
                key=key, kind=kind, label=entry["label"], definition=entry["definition"],
                synonyms=reader.strings(entry, "synonyms"),
                exact_match=_curies(reader, entry, "exact_match"),
                unverified_match=_curies(reader, entry, "unverified_match"),
                close_match=_curies(reader, entry, "close_match"),
                broad_match=_curies(reader, entry, "broad_match"),
                broader=reader.strings(entry, "broader"),
                note=entry.get("note"), default_category=category, file=shown,
            )
    return entities


def _curies(reader: FieldReader, entry: Node, field: str) -> tuple[str, ...]:
    values = reader.strings(entry, field)
    for value in values:
        if not is_external(value):
            reader.add(entry.line_of(field), f"'{value}' in {field} is not a known CURIE.",
                       f"write PREFIX:ID with a prefix among {', '.join(vocab.EXTERNAL_PREFIXES)}.")
    return values


# --- articles -------------------------------------------------------------------------------


def _load_article(folder: Path, root: Path, problems: list[Problem]) -> Article | None:
    article_id = folder.name
    meta_path = folder / "article.yaml"
    shown = _relative(meta_path, root)
    if not ARTICLE_ID_RE.match(article_id):
        problems.append(Problem(_relative(folder, root), None,
                                f"'{article_id}' is not a valid article id.",
                                "use letters, digits, '_', '-' and '.' only."))
        return None
    text = read_text(folder / "article.txt", _relative(folder / "article.txt", root))
    meta = read_yaml(meta_path, shown)
    reader = FieldReader(shown, problems)
    if not reader.check_fields(meta, 1, ARTICLE_FIELDS, {"title", "kind", "sha256"}, "article"):
        return None
    kind = reader.choice(meta, "kind", dict.fromkeys(vocab.ARTICLE_KINDS))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if meta["sha256"] != digest:
        reader.add(meta.line_of("sha256"),
                   f"article.txt has changed since curation: its SHA-256 is {digest}, "
                   f"not {meta['sha256']}.",
                   "if the change is intended, check every quote in evidence.yaml against the new "
                   f"text, then set sha256: {digest}")
    date = None
    if meta.get("date") is not None:
        try:
            date = dt.date.fromisoformat(str(meta["date"]))
        except ValueError:
            reader.add(meta.line_of("date"), f"date '{meta['date']}' is not a valid date.",
                       "write it as YYYY-MM-DD, e.g. 2025-10-25, or null when the text gives none.")
    if kind is None:
        return None
    return Article(id=article_id, text=text, title=meta["title"], kind=kind, sha256=digest,
                   publisher=meta.get("publisher"), date=date, url=meta.get("url"),
                   note=meta.get("note"), folder=_relative(folder, root))


# --- claims ---------------------------------------------------------------------------------


def _load_claims(folder: Path, root: Path, article: Article, entities: dict[str, Entity],
                 problems: list[Problem]) -> list[Claim]:
    path = folder / "evidence.yaml"
    shown = _relative(path, root)
    data = read_yaml(path, shown)
    top = FieldReader(shown, problems)
    if not top.check_fields(data, 1, {"claims": list}, {"claims"}, "evidence file"):
        return []
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    items: Seq = data["claims"]
    for item, line in zip(items, items.item_lines, strict=True):
        raw_id = item.get("id") if isinstance(item, Node) else None
        reader = FieldReader(shown, problems, claim=raw_id if isinstance(raw_id, str) else None)
        if not reader.check_fields(item, line, CLAIM_FIELDS, {"id", "quote"}, "claim"):
            continue
        claim_id = str(raw_id)
        if not KEY_RE.match(claim_id):
            reader.add(line, f"claim id '{claim_id}' is not lowercase a-z, 0-9 and '-'.",
                       "rename it, e.g. 'ssc-pfvc-6m'.")
            continue
        if claim_id in seen:
            reader.add(item.line_of("id"),
                       f"duplicate claim id '{claim_id}' (first used at line {seen[claim_id]}).",
                       "give each claim of an article its own id.")
            continue
        seen[claim_id] = item.line_of("id")
        claim = _read_claim(item, reader, article, entities, shown)
        if claim is not None:
            claims.append(claim)
    return claims


def _read_claim(item: Node, reader: FieldReader, article: Article,
                entities: dict[str, Entity], shown: str) -> Claim | None:
    before = len(reader.problems)
    quotes = _read_quotes(item, reader, article)
    bodies = [b for b in BODIES if b in item]
    if len(bodies) != 1:
        reader.add(item.line, f"a claim needs exactly one of {', '.join(BODIES)} "
                   f"(found {', '.join(bodies) or 'none'}).", "keep one body per claim.")
        return None
    basis = reader.choice(item, "basis", dict.fromkeys(vocab.EVIDENCE_TYPES)) or "stated"
    if basis == "inferred" and not item.get("rationale"):
        reader.add(item.line_of("basis"), "an inferred claim needs a rationale.",
                   "add 'rationale:' saying why the curator infers it.")
    dispute = None
    if "disputed" in item:
        node = item["disputed"]
        if reader.check_fields(node, item.line_of("disputed"), {"reason": str, "by": list},
                               {"reason"}, "disputed"):
            dispute = Dispute(reason=node["reason"], by=reader.strings(node, "by"))
    entity = _EntityRef(entities, reader)
    facts: tuple[Fact, ...] = ()
    outcome = cohort = plan = None
    if "facts" in item:
        facts = _read_facts(item, entity, reader)
    elif "outcome" in item:
        outcome = _read_outcome(item["outcome"], item.line_of("outcome"), entity, reader)
    elif "cohort" in item:
        cohort = _read_cohort(item["cohort"], item.line_of("cohort"), entity, reader)
    else:
        plan = _read_plan(item["plan"], item.line_of("plan"), entity, reader)
    if len(reader.problems) > before:
        return None
    return Claim(id=item["id"], article_id=article.id, file=shown, line=item.line,
                 quotes=quotes, basis=basis, rationale=item.get("rationale"), dispute=dispute,
                 note=item.get("note"), facts=facts, outcome=outcome, cohort=cohort, plan=plan)


def _read_quotes(item: Node, reader: FieldReader, article: Article) -> tuple[Quote, ...]:
    raw = item["quote"]
    entries = raw if isinstance(raw, list) else [raw]
    quotes = []
    for entry in entries:
        line = item.line_of("quote")
        if isinstance(entry, str):
            exact, prefix, suffix = entry, None, None
        elif reader.check_fields(entry, line, {"exact": str, "prefix": str, "suffix": str},
                                 {"exact"}, "quote"):
            exact, prefix, suffix = entry["exact"], entry.get("prefix"), entry.get("suffix")
        else:
            continue
        try:
            quotes.append(locate_quote(article.text, article.id, exact, prefix, suffix))
        except QuoteNotFound as err:
            reader.add(line, f"{err}.", "copy the quote exactly from article.txt.")
        except QuoteAmbiguous as err:
            reader.add(line, f"ambiguous quote: {err}.",
                       "add 'prefix:' or 'suffix:' with the words around the intended one, or "
                       "quote a longer passage.")
    return tuple(quotes)


class _EntityRef:
    """Resolve registry keys, suggesting close matches for unknown ones."""

    def __init__(self, entities: dict[str, Entity], reader: FieldReader) -> None:
        self.entities = entities
        self.reader = reader

    def __call__(self, key: Any, line: int, kinds: tuple[str, ...], role: str) -> str | None:
        if not isinstance(key, str):
            self.reader.add(line, f"{role} must be an entity key, not {key!r}.",
                            "write the registry key, e.g. 'rese-cel'.")
            return None
        entity = self.entities.get(key)
        if entity is None:
            self.reader.add(line, f"unknown entity key '{key}' for {role}.", self._suggest(key))
            return None
        if kinds and entity.kind not in kinds:
            self.reader.add(line, f"{role} must be one of {', '.join(kinds)}, but '{key}' is in "
                            f"{entity.kind}.", "use an entity of the right kind.")
            return None
        return key

    def _suggest(self, key: str) -> str:
        names = {k: k for k in self.entities}
        for entity in self.entities.values():
            for name in (entity.label, *entity.synonyms):
                names.setdefault(name.lower(), entity.key)
        close = difflib.get_close_matches(key.lower(), list(names), n=5, cutoff=0.6)
        keys = list(dict.fromkeys(names[c] for c in close))
        if keys:
            return f"did you mean {', '.join(repr(k) for k in keys)}?"
        return "add the entity to sources/registry/ first, or use an existing key."

    def many(self, node: Node, field: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
        raw = node.get(field)
        values = raw if isinstance(raw, list) else [raw]
        found = [self(v, node.line_of(field), kinds, field) for v in values]
        return tuple(v for v in found if v is not None)


def _read_facts(item: Node, entity: _EntityRef, reader: FieldReader) -> tuple[Fact, ...]:
    facts = []
    raw: Seq = item["facts"]
    lines = raw.item_lines if isinstance(raw, Seq) else [item.line_of("facts")] * len(raw)
    for fact, line in zip(raw, lines, strict=True):
        if not (isinstance(fact, list) and len(fact) == 3):
            reader.add(line, f"a fact must be [subject, predicate, object], not {fact!r}.",
                       "write three items, e.g. [breakfree-1, hasPhase, phase-1].")
            continue
        subject, name, obj = fact
        predicate = vocab.PREDICATES.get(name) if isinstance(name, str) else None
        if predicate is None:
            close = difflib.get_close_matches(str(name), list(vocab.PREDICATES), n=3)
            reader.add(line, f"unknown predicate '{name}'.",
                       f"did you mean {', '.join(close)}?" if close
                       else f"use one of {', '.join(vocab.PREDICATES)}.")
            continue
        s = entity(subject, line, predicate.subject, f"subject of {name}")
        if predicate.object:
            o = entity(obj, line, predicate.object, f"object of {name}")
        elif isinstance(obj, str) and obj.strip():
            o = obj
        else:
            reader.add(line, f"the object of {name} must be a text.", "write it as a string.")
            o = None
        if s is not None and o is not None:
            facts.append(Fact(s, name, o))
    return tuple(facts)


OUTCOME_FIELDS = {
    "category": str, "therapy": str, "trial": str, "indication": object, "measure": str,
    "statistic": str, "value": (int, float), "unit": str, "numerator": int, "denominator": int,
    "direction": str, "grade": int, "grade_text": str, "finding": str, "population": str,
    "population_size": int, "timepoint": dict, "without": list,
}


def _read_outcome(node: Any, line: int, entity: _EntityRef, reader: FieldReader) -> Outcome | None:
    required = {"therapy", "indication", "measure", "statistic", "finding", "population"}
    if not reader.check_fields(node, line, OUTCOME_FIELDS, required, "outcome"):
        return None
    measure = entity(node["measure"], node.line_of("measure"), ("measures",), "measure")
    category = reader.choice(node, "category", vocab.OUTCOME_CATEGORIES)
    if category is None and measure is not None:
        category = entity.entities[measure].default_category
    statistic = reader.choice(node, "statistic", vocab.STATISTICS)
    unit = reader.choice(node, "unit", vocab.UNITS)
    value = _decimal(node, "value", reader)
    if statistic not in (None, "qualitative") and value is None:
        reader.add(node.line, f"a {statistic} outcome needs a value.",
                   "add 'value:' or use statistic: qualitative.")
    if value is not None and unit is None:
        reader.add(node.line_of("value"), "a value needs a unit.",
                   f"add 'unit:' ({', '.join(vocab.UNITS)}).")
    if value is not None and statistic == "proportion" and unit == "percent" \
            and not Decimal(0) <= value <= Decimal(100):
        reader.add(node.line_of("value"), f"a percentage must lie between 0 and 100, not {value}.",
                   "check the value against the quote.")
    if value is not None and statistic == "count" and value < 0:
        reader.add(node.line_of("value"), f"a count cannot be negative ({value}).",
                   "check the value against the quote.")
    numerator = reader.count(node, "numerator")
    denominator = reader.count(node, "denominator")
    if numerator is not None and denominator is not None and numerator > denominator:
        reader.add(node.line_of("numerator"), f"numerator {numerator} exceeds denominator "
                   f"{denominator}.", "check the counts against the quote.")
    grade = reader.count(node, "grade")
    if grade is not None and not 1 <= grade <= 5:
        reader.add(node.line_of("grade"), f"grade {grade} is outside 1-5.",
                   "use the grade the text gives (ASTCT / CTCAE grades 1-5).")
    return Outcome(
        category=category or "efficacy",
        therapy=entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy") or "",
        indications=entity.many(node, "indication", ("indications",)),
        measure=measure or "", statistic=statistic or "", finding=node["finding"],
        population=node["population"],
        trial=entity(node["trial"], node.line_of("trial"), ("trials",), "trial")
        if node.get("trial") is not None else None,
        value=value, unit=unit, numerator=numerator, denominator=denominator,
        direction=reader.choice(node, "direction", dict.fromkeys(vocab.DIRECTIONS)),
        grade=grade, grade_text=node.get("grade_text"),
        population_size=reader.count(node, "population_size"),
        timepoint=_read_timepoint(node, reader),
        without=entity.many(node, "without", ("drug-classes",)) if "without" in node else (),
    )


def _decimal(node: Node, field: str, reader: FieldReader) -> Decimal | None:
    raw = node.get(field)
    if raw is None:
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        reader.add(node.line_of(field), f"{field} '{raw}' is not a number.", "write a number.")
        return None


def _read_timepoint(node: Node, reader: FieldReader) -> Timepoint | None:
    raw = node.get("timepoint")
    if raw is None:
        return None
    line = node.line_of("timepoint")
    fields = {"text": str, "months": (int, float), "qualifier": str}
    if not reader.check_fields(raw, line, fields, {"text"}, "timepoint"):
        return None
    months = _decimal(raw, "months", reader)
    if months is not None and months < 0:
        reader.add(raw.line_of("months"), f"months cannot be negative ({months}).",
                   "write the timepoint in months from infusion.")
    qualifier = reader.choice(raw, "qualifier", dict.fromkeys(vocab.TIMEPOINT_QUALIFIERS))
    return Timepoint(text=raw["text"], months=months, qualifier=qualifier)


def _read_cohort(node: Any, line: int, entity: _EntityRef, reader: FieldReader) -> Cohort | None:
    fields = {"trial": str, "therapy": str, "indication": object, "size": int, "description": str}
    if not reader.check_fields(node, line, fields, {"trial", "indication", "size", "description"},
                               "cohort"):
        return None
    therapy = node.get("therapy")
    return Cohort(
        trial=entity(node["trial"], node.line_of("trial"), ("trials",), "trial") or "",
        indications=entity.many(node, "indication", ("indications",)),
        size=reader.count(node, "size") or 0, description=node["description"],
        therapy=entity(therapy, node.line_of("therapy"), ("therapies",), "therapy")
        if therapy is not None else None,
    )


def _read_plan(node: Any, line: int, entity: _EntityRef, reader: FieldReader) -> Plan | None:
    fields = {"kind": str, "therapy": str, "trial": str, "indication": object, "by": str,
              "timeframe": str, "finding": str}
    if not reader.check_fields(node, line, fields, {"kind", "therapy", "indication", "finding"},
                               "plan"):
        return None
    trial, by = node.get("trial"), node.get("by")
    return Plan(
        kind=reader.choice(node, "kind", vocab.PLAN_KINDS) or "",
        therapy=entity(node["therapy"], node.line_of("therapy"), ("therapies",), "therapy") or "",
        indications=entity.many(node, "indication", ("indications",)),
        finding=node["finding"],
        trial=entity(trial, node.line_of("trial"), ("trials",), "trial") if trial else None,
        by=entity(by, node.line_of("by"), ("sponsors", "organizations"), "by") if by else None,
        timeframe=node.get("timeframe"),
    )
