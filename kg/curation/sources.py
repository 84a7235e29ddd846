"""Read ``sources/`` into records, checking every field and verifying every quote.

Problems are collected, not raised one at a time: a curator sees every mistake in one run, each
with its file, line, claim and fix. Nothing is dropped silently: a claim either loads whole or is
reported.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Collection
from pathlib import Path

from kg.core.checks import inside
from kg.core.curie import is_external
from kg.core.model import (
    Article,
    Claim,
    Corpus,
    Entity,
)
from kg.core.record_model import NCT_ID_RE
from kg.curation.articles import read_article
from kg.curation.bibliography import check_derived_from
from kg.curation.claims import read_claims
from kg.curation.fields import relative
from kg.curation.fields_spec import ARTICLE_ID_RE
from kg.curation.registry import read_registry
from kg.curation.registry_record import RECORDS_DIR, load_records
from kg.curation.yamlfile import Problem, SourceError


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
    records = load_records(root, entities, problems)
    if problems:
        raise SourceError(problems)
    return Corpus(root=root, entities=entities, articles=articles, claims=tuple(claims),
                  records=records)


def check_sources_folder(root: Path) -> None:
    """Raise :class:`SourceError` unless ``root`` holds ``registry/`` and ``articles/`` itself.

    Neither may be a link to a folder outside ``root``.
    """
    if not (root / "registry").is_dir() or not (root / "articles").is_dir():
        raise SourceError([Problem(
            str(root), None, "is not a sources folder.",
            "it must contain registry/ and articles/ (see docs/curation.md).")])
    outside = [name for name in ("registry", "articles") if not inside(root / name, root)]
    if outside:
        raise SourceError([Problem(
            str(root / name), None, f"leads outside {root} (to {os.path.realpath(root / name)}).",
            f"put the {name}/ folder itself in the sources folder, not a link to one elsewhere.")
            for name in outside])


def load_registry(root: Path, problems: list[Problem] | None = None) -> dict[str, Entity]:
    """Read and verify ``root/registry/``.

    Problems are added to ``problems`` (and the entities without problems returned), or, without
    that list, raised as one :class:`SourceError`.
    """
    check_sources_folder(root)
    found: list[Problem] = []
    entities = read_registry(root, found)
    _check_broader(entities, found)
    check_integrity(entities, found)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise SourceError(found)
    return entities


def article_folders(root: Path) -> list[Path]:
    """The folders of ``root/articles/``, in article id order.

    Raises :class:`SourceError` for a folder whose name is not an article id, or that leads
    outside ``articles/``: both are checked before anything is read or built.
    """
    check_sources_folder(root)
    folder = root / "articles"
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.is_dir())
    problems = [Problem(relative(folder / name, root), None,
                        f"'{name}' is not a valid article id (the folder's name becomes part of "
                        "IRIs).", "rename the folder: letters, digits, '_', '-' and '.' only.")
                for name in names if not ARTICLE_ID_RE.match(name)]
    problems += [Problem(
        relative(folder / name, root), None,
        f"leads outside {relative(folder, root)} (to {os.path.realpath(folder / name)}).",
        "put the article's folder itself in articles/, not a link to a folder elsewhere.")
        for name in names if not inside(folder / name, folder)]
    if problems:
        raise SourceError(problems)
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
        article = read_article(folder, root, problems)
        if article is not None:
            claims = read_claims(folder, root, article, entities, problems)
    except SourceError as err:
        problems.extend(err.problems)
    _check_dispute_references(claims, entities, article_ids, root, problems)
    if article is not None:
        check_derived_from(article, article_ids, problems)
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


def check_integrity(entities: dict[str, Entity], problems: list[Problem]) -> None:
    """Check the registry as a whole: each problem names both entities and their files.

    A name (label or synonym) of one entity may not be another entity's key or label: a name
    given to a query would stand for two things. One external identifier (``exact_match``) may
    not be on two entities: they would be one. ``broader`` may not go round in a cycle.
    """
    owners: dict[str, Entity] = {}
    for entity in entities.values():
        for name in (entity.key, entity.label):
            owners.setdefault(name.casefold(), entity)
    for entity in entities.values():
        for name in sorted({entity.label, *entity.synonyms}, key=str.casefold):
            other = owners.get(name.casefold())
            if other is not None and other.key != entity.key:
                what = "key" if name.casefold() == other.key.casefold() else "label"
                problems.append(Problem(
                    entity.file, None, f"entity '{entity.key}': the name '{name}' is the {what} "
                    f"of entity '{other.key}' ({other.file}); a query naming it would mean both.",
                    f"remove '{name}' from '{entity.key}', or rename one of them."))
    claimed: dict[str, Entity] = {}
    for entity in entities.values():
        for curie in entity.exact_match:
            other = claimed.setdefault(curie, entity)
            if other.key != entity.key:
                problems.append(Problem(
                    entity.file, None, f"entity '{entity.key}': exact_match {curie} is also on "
                    f"entity '{other.key}' ({other.file}); one identifier names one entity.",
                    "merge the two entities, or move the identifier to close_match on one."))
    _check_cycles(entities, problems)


def _check_cycles(entities: dict[str, Entity], problems: list[Problem]) -> None:
    """Report each cycle of ``broader`` once, naming its entities in order."""
    done: set[str] = set()
    reported: set[frozenset[str]] = set()
    for start in sorted(entities):
        if start in done:
            continue
        path, on_path = [start], {start}
        stack = [(start, iter(sorted(entities[start].broader)))]
        while stack:
            key, upward = stack[-1]
            nxt = next(upward, None)
            if nxt is None:
                stack.pop()
                path.pop()
                on_path.discard(key)
                done.add(key)
                continue
            if nxt in on_path:
                cycle = path[path.index(nxt):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    shown = " -> ".join([*cycle, nxt])
                    first = entities[cycle[0]]
                    problems.append(Problem(
                        first.file, None, f"broader goes round in a cycle: {shown}.",
                        "a broader entity cannot also be narrower: remove one 'broader' link."))
                continue
            if nxt in done or nxt not in entities:
                continue
            path.append(nxt)
            on_path.add(nxt)
            stack.append((nxt, iter(sorted(entities[nxt].broader))))


def _check_dispute_references(claims: list[Claim], entities: dict[str, Entity],
                              articles: Collection[str], root: Path,
                              problems: list[Problem]) -> None:
    for claim in claims:
        for ref in claim.dispute.by if claim.dispute else ():
            if ref in entities or ref in articles or is_external(ref):
                continue
            if NCT_ID_RE.match(ref):
                if not (root / RECORDS_DIR / f"{ref}.json").is_file():
                    problems.append(Problem(
                        claim.file, claim.line, f"disputed.by '{ref}' names a registry record "
                        f"that is not in {RECORDS_DIR}/.",
                        f"add it with `cartkg fetch-trial {ref}`, or write NCT:{ref} to name "
                        "the registry entry without its record.", claim.id))
                continue
            problems.append(Problem(
                claim.file, claim.line, f"disputed.by '{ref}' is not an entity key, an "
                "article id, a loaded registry record's NCT id or a CURIE.",
                "name what disputes the claim, e.g. NCT:NCT06121297 or an article id.",
                claim.id))
