"""An article's claims (``evidence.yaml``), each with its quotes verified against the text."""

from __future__ import annotations

from pathlib import Path

from kg.core import vocab
from kg.core.model import (
    Article,
    Claim,
    Dispute,
    Entity,
    Fact,
    Quote,
)
from kg.curation.bibliography import attribution_of
from kg.curation.fields import EntityRef, FieldReader, relative
from kg.curation.fields_spec import BODIES, CLAIM_FIELDS, KEY_RE
from kg.curation.outcomes import read_cohort, read_outcome, read_plan
from kg.curation.quotes import QuoteAmbiguous, QuoteNotFound, locate_quote
from kg.curation.regimens import read_regimen
from kg.curation.spelling import close_spelling
from kg.curation.trials import read_study
from kg.curation.yamlfile import Node, Problem, Seq, read_yaml


def read_claims(folder: Path, root: Path, article: Article, entities: dict[str, Entity],
                 problems: list[Problem]) -> list[Claim]:
    """The claims of an article's ``evidence.yaml``; each problem is recorded, none raised."""
    path = folder / "evidence.yaml"
    shown = relative(path, root)
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
    attributed_to = attribution_of(item, entities, reader)
    entity = EntityRef(entities, reader)
    facts: tuple[Fact, ...] = ()
    outcome = cohort = plan = regimen = study = None
    if "facts" in item:
        facts = _read_facts(item, entity, reader)
    elif "outcome" in item:
        outcome = read_outcome(item["outcome"], item.line_of("outcome"), entity, reader)
        cutoff = outcome.data_cutoff if outcome is not None else None
        if cutoff is not None and article.date is not None and cutoff > article.date:
            reader.add(item["outcome"].line_of("data_cutoff"), f"data cut-off {cutoff} is after "
                       f"the article's date {article.date}.", "check the cut-off date against "
                       "the quote and the article's date in article.yaml.")
    elif "cohort" in item:
        cohort = read_cohort(item["cohort"], item.line_of("cohort"), entity, reader)
    elif "plan" in item:
        plan = read_plan(item["plan"], item.line_of("plan"), entity, reader)
    elif "regimen" in item:
        regimen = read_regimen(item["regimen"], item.line_of("regimen"), entity, reader)
    else:
        study = read_study(item["study"], item.line_of("study"), entity, reader)
    if len(reader.problems) > before:
        return None
    return Claim(id=item["id"], article_id=article.id, file=shown, line=item.line,
                 quotes=quotes, basis=basis, rationale=item.get("rationale"), dispute=dispute,
                 note=item.get("note"), facts=facts, outcome=outcome, cohort=cohort, plan=plan,
                 attributed_to=attributed_to, regimen=regimen, study=study)


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


def _read_facts(item: Node, entity: EntityRef, reader: FieldReader) -> tuple[Fact, ...]:
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
            close = close_spelling(str(name), vocab.PREDICATES)
            reader.add(line, f"unknown predicate '{name}'.",
                       f"did you mean {close}?" if close
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
