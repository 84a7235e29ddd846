"""The build: read and verify sources, emit RDF, validate, write the dataset, part by part.

The dataset is built in parts (:mod:`kg.build.parts`): the registry, and one part per article. A
part whose inputs are unchanged since the last build into the same folder is reused from the cache
(:mod:`kg.build.cache`); the others are built in chunks on every core, or, when a rebuild finds
at most a chunk changed, by the builder process it started before looking (decision 0014). The
output (:mod:`kg.store.dataset`) is the same bytes whichever parts were reused, and it is written
only when the whole dataset validates.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.analyses import analyses_key, build_analyses
from kg.build.builder import Builder
from kg.build.cache import BuildCache, stamp, toolchain_digest
from kg.build.parts import (
    RECORD_PREFIX,
    Built,
    Context,
    add_stats,
    build_articles,
    build_registry,
    serialize_shard,
)
from kg.build.summary import BuildResult, Stats
from kg.core.progress import progress
from kg.core.workers import Workers
from kg.curation.registry_record import RECORDS_DIR, record_files
from kg.curation.sources import article_folders, load_article, load_registry
from kg.curation.yamlfile import Problem, SourceError
from kg.rdf.emit import Quads, entity_iri, sort_quads
from kg.store import dataset
from kg.store.dataset import ANALYSES_SHARD, ARTICLE_SHARDS, REGISTRY_SHARD
from kg.validation.validate import ValidationReport, sorted_violations

DEFAULT_SOURCES = Path("sources")
DEFAULT_OUT = Path("build")
#: Articles per pyshacl run: large enough to spread pyshacl's fixed cost (it parses the shapes
#: and the SPARQL targets' queries on every run: ~30 ms), small enough to share the work evenly
#: between processes (measured at 1,000 articles: 64 builds 10% faster than 16).
CHUNK = 64
ARTICLE_FILES = ("article.txt", "article.yaml", "evidence.yaml")


def build_dataset(sources: Path = DEFAULT_SOURCES, out: Path | None = DEFAULT_OUT,
                  exclude: frozenset[str] = frozenset(), *, jobs: int | None = None,
                  clean: bool = False) -> BuildResult:
    """Build the dataset from ``sources`` into ``out/dataset``, only if it validates.

    One build at a time writes into ``out`` (see :func:`kg.store.dataset.locked`); it raises
    :class:`kg.store.dataset.DatasetError` when ``out`` is not a folder it may write. Parts
    unchanged since the last build into ``out`` are reused (never with ``clean``, nor when
    ``out`` is None, which builds and validates without writing anything). ``jobs`` is the number
    of processes (default: every core). Raises :class:`kg.curation.yamlfile.SourceError` when the
    sources have problems.
    """
    with dataset.locked(out) if out is not None else contextlib.nullcontext():
        return _build(Path(sources), out, exclude, jobs, clean)


def _build(root: Path, out: Path | None, exclude: frozenset[str], jobs: int | None,
           clean: bool) -> BuildResult:
    folders = article_folders(root)
    ids = frozenset(f.name for f in folders)
    unknown = sorted(exclude - ids)
    if unknown:
        raise SourceError([Problem(
            str(root), None, f"no article {', '.join(unknown)} to leave out.",
            f"use an article id among {', '.join(sorted(ids))}.")])
    # each article's shard, in article order: the parts' names
    shards = {f"{ARTICLE_SHARDS}/{f.name}.nq": f for f in folders if f.name not in exclude}
    order = [REGISTRY_SHARD, *shards]
    listed = [*order, ANALYSES_SHARD]  # the analyses are derived from all the others
    cache = BuildCache.at(out, toolchain_digest())  # the registry's records only, so far
    if clean:
        cache.forget()
    plan = Plan(root, ids, cache, None if out is None else out / dataset.DATASET_DIR, shards)
    reused = plan.reuse_registry()
    # A rebuild starts a builder now, to import pyshacl and read the registry on the other core
    # while the articles are checked here; it builds the articles if they are few.
    with Builder.start(plan) if cache.parts and _cores(jobs) > 1 else Builder() as builder:
        cache.load_articles()  # after the fork: the builder never needs them
        reused.update(plan.reuse_articles())
        todo = [f for name, f in shards.items() if name not in reused]
        new_registry = REGISTRY_SHARD not in reused
        parts = dict(reused)
        analyses = plan.reuse_analyses(parts, order) if not todo and not new_registry else None
        if out is not None and analyses is not None:
            parts[ANALYSES_SHARD] = analyses
            manifest = _manifest(parts, listed)
            current = out / dataset.DATASET_DIR / dataset.MANIFEST
            if current.is_file() and current.read_bytes() == dataset.manifest_bytes(manifest):
                cache.save()  # nothing changed: nothing to write but the new stamps just taken
                return _result(parts, listed, manifest, out, len(reused), 0)
        created = out is not None and not out.exists()
        staged = dataset.stage(out) if out is not None \
            else Path(tempfile.mkdtemp(prefix="cartkg-"))
        try:
            if len(todo) > CHUNK:
                builder.stop()  # the pool of every core builds them
            building = builder.submit(todo, staged)
            if plan.old is not None:
                dataset.link(plan.old, staged, list(reused))
            if new_registry:
                parts[REGISTRY_SHARD] = build_registry(plan.context(), staged)
            with progress("Building articles", total=len(todo)) as bar:
                chunks = [building()] if building is not None \
                    else _build_chunks(plan.context(), todo, staged, jobs)
                for chunk in chunks:
                    for built in chunk:
                        parts[built.shard or f"{ARTICLE_SHARDS}/{built.name}.nq"] = built
                    bar.advance(len(chunk))
            problems = [p for name in shards for p in parts[name].problems]
            if problems:
                raise SourceError(problems)
            analyses = plan.reuse_analyses(parts, order)
            if analyses is not None and plan.old is not None:
                dataset.link(plan.old, staged, [ANALYSES_SHARD])
                parts[ANALYSES_SHARD] = analyses
            else:
                analyses = None
                parts[ANALYSES_SHARD] = build_analyses(parts, order, staged)
            manifest = _manifest(parts, listed)
            conforms = all(p.conforms for p in parts.values())
            if out is None or not conforms:
                quads = _read_shards(staged, manifest) if out is None else ()
                dataset.discard(staged, out if created else None)
                return _result(parts, listed, manifest, None, len(reused),
                               len(todo) + new_registry, lambda: quads)
            dataset.publish(staged, out, manifest)
        except BaseException:
            dataset.discard(staged, out if created else None)
            raise
    # The old dataset is deleted while the cache is written (unlink releases the GIL).
    remover = threading.Thread(target=dataset.remove_retired, args=(out,))
    remover.start()
    published = out / dataset.DATASET_DIR
    for name, built in parts.items():
        if name not in reused and (name != ANALYSES_SHARD or analyses is None):
            cache.remember(name, plan.keys[name], built, stamp(published / name),
                           "" if name == ANALYSES_SHARD else
                           builder.digests.get(name) or plan.entities_digest(built.entities))
    cache.keep_only(set(parts))
    if not plan.registry_reused:
        cache.remember_registry(plan.keys[REGISTRY_SHARD], plan.context().entities)
    cache.save()
    remover.join()
    return _result(parts, listed, manifest, out, len(reused), len(todo) + new_registry)


def _cores(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def _load_context(root: Path, ids: frozenset[str], folders: list[Path]) -> Context:
    """The registry and shapes to build against.

    Raises the registry's problems, with the articles' problems checked against what it has.
    """
    problems: list[Problem] = []
    entities = load_registry(root, problems)
    if problems:
        for folder in folders:
            try:
                load_article(folder, root, entities, ids)
            except SourceError as err:
                problems.extend(err.problems)
        raise SourceError(problems)
    return Context.load(root, ids, entities)


class Plan:
    """Which parts can be reused: same key, same named entities, same shard as published.

    The registry is read only when it changed or when an article must be built: a rebuild
    where only articles changed checks them against the registry as it was.
    """

    def __init__(self, root: Path, ids: frozenset[str], cache: BuildCache, old: Path | None,
                 shards: dict[str, Path]) -> None:
        self.root, self.ids, self.cache, self.old = root, ids, cache, old
        #: each article's folder by the name of its part
        self.shards = shards
        self.keys: dict[str, str] = {}
        self._ctx: Context | None = None
        self._entity_digests: dict[str, str] = {}
        #: whether :meth:`reuse_registry` found the registry part unchanged
        self.registry_reused = False

    def context(self) -> Context:
        """The registry, read (and checked) on first use, or as the last build left it.

        When the registry part is reused, its published shard is what the last build emitted
        from the same entities: it is parsed rather than emitted again.
        """
        if self._ctx is None:
            entities = self.cache.registry_entities(self.keys[REGISTRY_SHARD])
            if entities is not None and self.old is not None and self.registry_reused:
                self._ctx = Context.from_registry_shard(self.root, self.ids, entities,
                                                        self.old / REGISTRY_SHARD)
            elif entities is not None:
                self._ctx = Context.load(self.root, self.ids, entities)
            else:
                self._ctx = _load_context(self.root, self.ids, list(self.shards.values()))
        return self._ctx

    def entities_digest(self, keys: tuple[str, ...]) -> str:
        """One digest of the registry triples of the entities ``keys`` (all in the registry)."""
        ctx = self.context()
        digests = self._entity_digests
        for key in keys:
            if key not in digests:
                quads = ctx.registry[entity_iri(ctx.entities[key]).value]
                digests[key] = hashlib.sha256(serialize_shard(sort_quads(quads))).hexdigest()
        lines = "".join(f"{k} {digests[k]}\n" for k in keys)
        return hashlib.sha256(lines.encode()).hexdigest()

    def _key(self, name: str, files: list[str]) -> str:
        key = self.keys[name] = self.cache.key(name, files)
        return key

    def reuse_registry(self) -> dict[str, Built]:
        """The registry part of the last build, if this build can take it as it is."""
        registry = self.root / "registry"
        files = sorted(str(p) for p in registry.iterdir() if p.is_file())
        files += [str(p) for p in record_files(self.root)]
        built = self.cache.lookup(REGISTRY_SHARD, self._key(REGISTRY_SHARD, files))
        self.registry_reused = built is not None and self._shard_unchanged(REGISTRY_SHARD, built)
        return {REGISTRY_SHARD: built} if built is not None and self.registry_reused else {}

    def reuse_articles(self) -> dict[str, Built]:
        """The article parts of the last build that this build can take as they are.

        After :meth:`reuse_registry`.
        """
        reused = {}
        entities = None if self.registry_reused else self.context().entities
        for name, folder in self.shards.items():  # plain strings: pathlib costs more than stat
            base = str(folder)
            built = self.cache.lookup(name, self._key(name, [f"{base}/{n}" for n in ARTICLE_FILES]))
            if built is None or not self._shard_unchanged(name, built):
                continue
            if not all(a in self.ids or self._record_exists(a) for a in built.articles):
                continue
            if entities is not None and not self._same_entities(name, built, entities):
                continue
            reused[name] = built
        return reused

    def reuse_analyses(self, parts: dict[str, Built], order: list[str]) -> Built | None:
        """The analyses part of the last build, if derived from these very parts."""
        key = self.keys[ANALYSES_SHARD] = analyses_key(parts, order)
        built = self.cache.lookup(ANALYSES_SHARD, key)
        return built if built is not None and self._shard_unchanged(ANALYSES_SHARD, built) \
            else None

    def _record_exists(self, name: str) -> bool:
        """Whether a registry record a part names (``registry-record/<NCT id>``) is there."""
        return name.startswith(RECORD_PREFIX) and os.path.isfile(
            f"{self.root}/{RECORDS_DIR}/{name.removeprefix(RECORD_PREFIX)}.json")

    def _same_entities(self, name: str, built: Built, entities: dict[str, Any]) -> bool:
        """After a registry change: the named entities are there and unchanged.

        And the articles the part names are still not entity keys.
        """
        if any(k not in entities for k in built.entities):
            return False
        if any(a in entities for a in built.articles):
            return False
        return self.cache.entities_digest(name) == self.entities_digest(built.entities)

    def _shard_unchanged(self, name: str, built: Built) -> bool:
        if self.old is None or not built.conforms:
            return False
        try:
            now = stamp(f"{self.old}/{name}")
        except OSError:
            return False
        return now == self.cache.shard_stamp(name)


def _build_chunks(ctx: Context, todo: list[Path], staged: Path,
                  jobs: int | None) -> Iterator[list[Built]]:
    chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    workers = min(_cores(jobs), len(chunks))
    if workers <= 1:
        gc.freeze()  # what exists now (the cache, the context) outlives the build: never scanned
        try:
            for chunk in chunks:
                yield _collected(build_articles(ctx, chunk, staged))
        finally:
            gc.unfreeze()
        return
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["kg.build.parts"])
    # Leaving the block terminates the workers, also on an error or an interrupt: none is left
    # running when the build stops. A worker that dies stops the build (WorkerDied).
    with Workers[tuple[list[Path], Path], list[Built]](
            mp, workers, _init_worker, (ctx.root, ctx.article_ids)) as pool:
        yield from pool.run(_worker_chunk, [(chunk, staged) for chunk in chunks])


_WORKER: dict[str, Context] = {}


def _init_worker(root: Path, article_ids: frozenset[str]) -> None:
    ctx = _WORKER["ctx"] = Context.load(root, article_ids)
    ctx.load_shapes()  # now, to be frozen with the rest of the context
    gc.disable()
    gc.freeze()


def _worker_chunk(job: tuple[list[Path], Path]) -> list[Built]:
    chunk, staged = job
    return _collected(build_articles(_WORKER["ctx"], chunk, staged))


def _collected(built: list[Built]) -> list[Built]:
    """Free what a chunk left in reference cycles, once, after the chunk.

    Building a chunk creates about a million objects, some in cycles (rdflib's SPARQL algebra,
    pyshacl's results). The collector, left to run on its own, would scan the heap again and
    again while they are made (about a tenth of the build's time); without it, the cycles would
    pile up (1 GB at 1,000 articles). The long-lived objects (the context, the build cache) are
    frozen (``gc.freeze``): one collection after each chunk scans only what the chunk made.
    """
    gc.collect()
    return built


def _manifest(parts: dict[str, Built], order: list[str]) -> dict[str, Any]:
    quads, graphs, triples, classes = add_stats([parts[n] for n in order])
    return {"format": dataset.FORMAT,
            "parts": [{"file": n, "sha256": parts[n].sha256, "quads": parts[n].quads}
                      for n in order],
            "totals": {"quads": quads, "graphs": graphs, "triples": triples,
                       "classes": dict(sorted(classes.items()))}}


def _result(parts: dict[str, Built], order: list[str], manifest: dict[str, Any],
            out: Path | None, reused: int, rebuilt: int,
            load: Callable[[], Quads] | None = None) -> BuildResult:
    chosen = [parts[name] for name in order]
    stats = Stats.from_manifest(manifest)
    violations = sorted_violations(v for p in chosen for v in p.violations)
    report = ValidationReport(conforms=all(p.conforms for p in chosen), triples=stats.triples,
                              violations=tuple(violations))
    files: dict[str, Path] = {}
    if out is not None:
        folder = out / dataset.DATASET_DIR
        files = {"dataset": folder}
        load = load or (lambda: _read_shards(folder, dataset.read_manifest(folder)))
    return BuildResult(stats=stats, report=report,
                       files=files, reused=reused, rebuilt=rebuilt, load=load or (lambda: ()))


def _read_shards(folder: Path, manifest: dict[str, Any]) -> Quads:
    return sort_quads(q for part in manifest["parts"]
                      for q in ox.parse(path=str(folder / part["file"]),
                                        format=ox.RdfFormat.N_QUADS))
