"""One part of the dataset, built alone: the registry, or one article with its claims.

An article's part depends only on its own three files, on the registry entities its claims name
and on the ids of the articles they name. Every shape constrains a focus node through triples of
the same part, plus the classes and names of the registry entities it refers to, which are given to
pyshacl as context. So the union of the parts' validation results is the result of validating the
whole dataset at once (docs/decisions/0005-build-by-part.md, tested in tests/test_build.py),
and a part whose inputs did not change need not be built or validated again (see
:mod:`kg.build.build`).

Each part is written as one N-Quads file (a *shard*) in canonical order. Articles are built in
chunks, one pyshacl run per chunk, here or in worker processes; the results do not depend on how
the articles were chunked.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from kg.build.analysis_inputs import pack, read_inputs, read_registry, summary_digest
from kg.core.curie import compact
from kg.core.model import Entity
from kg.core.vocab import RESOURCE
from kg.curation.registry_record import load_records
from kg.curation.sources import load_article, load_registry
from kg.curation.yamlfile import Problem, SourceError
from kg.rdf.emit import (
    REGISTRY_GRAPH,
    article_iri,
    emit_article,
    emit_registry,
    entity_iri,
    sort_quads,
    term_value,
)
from kg.rdf.registry_record import emit_records, record_iri
from kg.store.dataset import ARTICLE_SHARDS, REGISTRY_SHARD
from kg.store.files import write_atomic
from kg.validation.validate import Violation, core_shapes, load_shapes, shacl_violations

_RDF_TYPE = str(RDF.type)
_REGISTRY_GRAPH = ox.NamedNode(str(REGISTRY_GRAPH))
#: How a part lists a registry record it names, among the article ids it names.
RECORD_PREFIX = "registry-record/"


class Built(NamedTuple):
    """A part after building: its shard, its numbers, its validation results, its dependencies.

    Its numbers add up across parts without double counting (:func:`add_stats`): the triples
    whose subject the part owns (its article, assertions, quotes, outcomes, ...) are counted; the
    others (facts about registry entities, which several articles may state) are kept as short
    digests, so that the union over all parts counts each distinct triple once. Lists of digests
    and classes are space-separated strings: the build cache (:mod:`kg.build.cache`) keeps a part
    as this very tuple, read back as it is.
    """

    name: str
    shard: str
    sha256: str
    quads: int
    graphs: int
    own_triples: int
    #: digests of the distinct triples whose subject the part does not own
    shared_triples: str = ""
    #: "class=count": the part's own subjects of each class
    own_classes: str = ""
    #: "class=digest": the other typed subjects (digests of their IRIs)
    shared_typed: str = ""
    violations: tuple[Violation, ...] = ()
    #: the registry entity keys and the other article ids that the part's quads name
    entities: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    #: what the evidence analyses need from the part, as text (:mod:`kg.build.analysis_inputs`):
    #: an article's summary, or the registry's (``broader`` links, labels)
    analysis: str = ""
    #: a digest of ``analysis``: the analyses are derived again only when one changes
    analysis_digest: str = ""
    problems: tuple[Problem, ...] = ()

    @property
    def conforms(self) -> bool:
        """True when the part built and no result is a violation (warnings allowed)."""
        return not self.problems and all(v.severity != "Violation" for v in self.violations)


@dataclass
class Context:
    """What every part is built against: the registry, the article ids, the shapes."""

    root: Path
    article_ids: frozenset[str]
    entities: dict[str, Entity]
    registry: dict[str, tuple[ox.Quad, ...]]
    _shapes: Graph | None = None

    @property
    def shapes(self) -> Graph:
        """The shapes pyshacl checks (read on first use)."""
        return self.load_shapes()

    def load_shapes(self) -> Graph:
        """Read the shapes now, unless they were read already."""
        if self._shapes is None:
            self._shapes = core_shapes(load_shapes())
        return self._shapes

    @classmethod
    def load(cls, root: Path, article_ids: frozenset[str],
             entities: dict[str, Entity] | None = None) -> Context:
        """Read the registry (unless given; it must have no problems) and the shapes."""
        if entities is None:
            entities = load_registry(root)
        return cls(root=root, article_ids=article_ids, entities=entities,
                   registry=_by_subject(emit_registry(entities)))

    @classmethod
    def from_registry_shard(cls, root: Path, article_ids: frozenset[str],
                            entities: dict[str, Entity], shard: Path) -> Context:
        """As :meth:`load`, from the registry shard a build wrote from these very ``entities``.

        Parsing the shard is quicker than emitting the registry again (16,214 quads at 10,000
        articles); a subject's quads come sorted rather than in emission order. The shard's
        registry records (graphs of their own) are not part of the context.
        """
        quads = (q for q in ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS)
                 if q.graph_name == _REGISTRY_GRAPH)
        return cls(root=root, article_ids=article_ids, entities=entities,
                   registry=_by_subject(quads))

    def is_entity(self, iri: str) -> bool:
        """Whether an IRI is a registry entity's."""
        return iri in self.registry

    def entity_key(self, iri: str) -> str | None:
        """The registry key of an entity IRI, or None when the IRI is not a registry entity."""
        if iri not in self.registry:
            return None
        return iri.rsplit("/", 1)[-1]


def _by_subject(quads: Iterable[ox.Quad]) -> dict[str, tuple[ox.Quad, ...]]:
    """The registry's quads grouped by subject IRI, as :attr:`Context.registry` holds them."""
    by_subject: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        by_subject.setdefault(term_value(quad.subject), []).append(quad)
    return {iri: tuple(group) for iri, group in by_subject.items()}


def triple_digest(triple: ox.Triple | str) -> str:
    """A short digest of a triple (or of any text), for counting distinct triples across parts."""
    return hashlib.blake2b(str(triple).encode("utf-8"), digest_size=8).hexdigest()


#: A part's numbers: :class:`Built`'s fields ``quads`` to ``shared_typed``.
Numbers = tuple[int, int, int, str, str, str]


def part_stats(quads: tuple[ox.Quad, ...], owner: str | None) -> Numbers:
    """Count a part's quads, graphs, triples and typed subjects (see :class:`Built`).

    ``owner`` is the article id of an article part (None for the registry, which owns nothing:
    its entities are the subjects of other parts' facts too).
    """
    own_prefix = f"{RESOURCE}" if owner else None
    article = article_iri(owner).value if owner else None

    def owned(iri: str) -> bool:
        if own_prefix is None:
            return False
        if iri == article:
            return True
        segments = iri[len(own_prefix):].split("/") if iri.startswith(own_prefix) else []
        return len(segments) >= 3 and segments[1] == owner

    own: set[ox.Triple] = set()
    shared: set[str] = set()
    own_typed: dict[str, set[str]] = {}
    shared_typed: set[str] = set()
    for q in quads:
        subject = term_value(q.subject)
        mine = owned(subject)
        if mine:
            own.add(q.triple)
        else:
            shared.add(triple_digest(q.triple))
        if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            cls = compact(q.object.value)
            if mine:
                own_typed.setdefault(cls, set()).add(subject)
            else:
                shared_typed.add(f"{cls}={triple_digest(subject)}")
    return (len(quads), len({str(q.graph_name) for q in quads}), len(own), " ".join(sorted(shared)),
            " ".join(f"{cls}={len(nodes)}" for cls, nodes in sorted(own_typed.items())),
            " ".join(sorted(shared_typed)))


def serialize_shard(quads: tuple[ox.Quad, ...]) -> bytes:
    """Canonical N-Quads of a part: sorted, one quad per line; same quads, same bytes."""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _write(dest: Path, shard: str, data: bytes) -> str:
    write_atomic(dest / shard, data)
    return hashlib.sha256(data).hexdigest()


def build_registry(ctx: Context, dest: Path) -> Built:
    """Write and validate the registry part: the entities and the registry records.

    Raises :class:`SourceError` when a record has problems.
    """
    records = load_records(ctx.root, ctx.entities)
    quads = sort_quads((*(q for quads in ctx.registry.values() for q in quads),
                        *emit_records(records, ctx.entities)))
    _, violations = shacl_violations(quads, ctx.shapes)
    digest = _write(dest, REGISTRY_SHARD, serialize_shard(quads))
    summary = pack(read_registry(quads))
    return Built("", REGISTRY_SHARD, digest, *part_stats(quads, None),
                 violations=tuple(violations), analysis=summary,
                 analysis_digest=summary_digest(summary))


def build_articles(ctx: Context, folders: list[Path], dest: Path) -> list[Built]:
    """Load, emit and validate a chunk of articles; write a shard for each that loads.

    An article with problems in its sources comes back with its problems and no shard.
    """
    results: dict[str, Built] = {}
    emitted: dict[str, tuple[ox.Quad, ...]] = {}
    folder_of: dict[str, str] = {}
    for folder in folders:
        try:
            article, claims = load_article(folder, ctx.root, ctx.entities, ctx.article_ids)
        except SourceError as err:
            results[folder.name] = Built(folder.name, "", "", *part_stats((), folder.name),
                                         problems=tuple(err.problems))
            continue
        emitted[article.id] = emit_article(article, claims, ctx.entities, ctx.article_ids)
        folder_of[article.id] = article.folder + "/"
    named = {name: _names(ctx, quads, name) for name, quads in emitted.items()}
    context = sort_quads(q for entities, _ in named.values() for key in entities
                         for q in ctx.registry[entity_iri(ctx.entities[key]).value])
    everything = tuple(q for quads in emitted.values() for q in quads)
    _, violations = shacl_violations(everything, ctx.shapes, context) if everything else (True, [])
    owners = _assign(violations, emitted, folder_of)
    for name, quads in emitted.items():
        shard = f"{ARTICLE_SHARDS}/{name}.nq"
        entities, articles = named[name]
        results[name] = Built(
            name, shard, _write(dest, shard, serialize_shard(quads)), *part_stats(quads, name),
            violations=tuple(owners.get(name, ())), entities=entities, articles=articles,
            analysis=(summary := pack(read_inputs(quads, ctx.is_entity))),
            analysis_digest=summary_digest(summary))
    return [results[folder.name] for folder in folders if folder.name in results]


def _names(ctx: Context, quads: tuple[ox.Quad, ...], owner: str,
           ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The registry entity keys and the other article ids that a part's quads name.

    A registry record it names is listed with the article ids, as ``registry-record/<NCT id>``.
    """
    article_prefix = article_iri("").value
    record_prefix = record_iri("").value
    own = article_iri(owner).value
    entities: set[str] = set()
    articles: set[str] = set()
    for q in quads:
        for term in (q.subject, q.object):
            if not isinstance(term, ox.NamedNode):
                continue
            key = ctx.entity_key(term.value)
            if key is not None:
                entities.add(key)
            elif term.value.startswith(article_prefix) and term.value != own:
                articles.add(term.value[len(article_prefix):])
            elif term.value.startswith(record_prefix):
                articles.add(RECORD_PREFIX + term.value[len(record_prefix):])
    return tuple(sorted(entities)), tuple(sorted(articles))


def _assign(violations: list[Violation], emitted: dict[str, tuple[ox.Quad, ...]],
            folder_of: dict[str, str]) -> dict[str, list[Violation]]:
    """Give each validation result to the article it is about.

    A result from an article's curation files is that article's. Any other (about a registry
    entity, say) goes to every article of the chunk whose quads mention its focus node, or to all
    of them when none does: such a result is never lost, and the report shows it once.
    """
    owners: dict[str, list[Violation]] = {}
    mentions: dict[str, set[str]] | None = None
    for v in violations:
        names = [n for n, prefix in folder_of.items() if v.file.startswith(prefix)]
        if not names:
            if mentions is None:
                mentions = {n: {compact(t.value) for q in quads for t in (q.subject, q.object)
                                if isinstance(t, ox.NamedNode)} for n, quads in emitted.items()}
            names = [n for n, nodes in mentions.items() if v.focus in nodes] or list(emitted)
        for name in names:
            owners.setdefault(name, []).append(v)
    return owners


def add_stats(parts: Iterable[Built]) -> tuple[int, int, int, Counter[str]]:
    """Sum parts' numbers: (quads, graphs, distinct triples, distinct subjects per class).

    The digests and classes of all parts are joined and split once: 10,000 parts in 30 ms.
    """
    quads = graphs = own = 0
    shared, own_classes, typed = [], [], []
    for part in parts:
        quads += part.quads
        graphs += part.graphs
        own += part.own_triples
        shared.append(part.shared_triples)
        own_classes.append(part.own_classes)
        typed.append(part.shared_typed)
    classes: Counter[str] = Counter()
    for pair, times in Counter(" ".join(own_classes).split()).items():
        cls, count = pair.rsplit("=", 1)
        classes[cls] += int(count) * times
    classes.update(pair.rsplit("=", 1)[0] for pair in set(" ".join(typed).split()))
    return quads, graphs, own + len(set(" ".join(shared).split())), classes
