"""Where the build's time goes: each phase under its own cProfile, broken down by library.

Run from the project root, e.g.::

    nice -n 10 .venv/bin/python benchmarks/profile_build.py --articles 1000

The phases are those of ``kg.build.build_dataset``: read the sources (YAML, quote location),
emit the quads, convert them to an rdflib graph, validate with pyshacl (the SHACL Core shapes, then
each SHACL-SPARQL shape on an even sample of its focus nodes, extrapolated to all of them),
summarise, serialise. cProfile slows pure-Python code about twofold and C code hardly at all, so
read the shares within a phase rather than the absolute seconds; ``benchmarks/run.py`` gives the
unprofiled phase times.
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import pkgutil
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _package(filename: str) -> str:
    """The library a function's file belongs to (``~`` is a C builtin)."""
    if filename == "~" or filename.startswith("<"):
        return "builtins (C)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "kg" in parts:
        return "kg." + Path(filename).stem
    return "python stdlib"


def _components() -> dict[tuple[str, int], str]:
    """Map the code of every pyshacl constraint component's ``evaluate`` to its class name."""
    import pyshacl.constraints as constraints

    found: dict[tuple[str, int], str] = {}
    for info in pkgutil.walk_packages(constraints.__path__, "pyshacl.constraints."):
        module = __import__(info.name, fromlist=["_"])
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            method = cls.__dict__.get("evaluate")
            if method is not None and hasattr(method, "__code__"):
                code = method.__code__
                found[(code.co_filename, code.co_firstlineno)] = cls.__name__
    return found


class Phases:
    """Runs each phase under a profiler of its own and keeps its statistics."""

    def __init__(self) -> None:
        self.stats: dict[str, pstats.Stats] = {}
        self.seconds: dict[str, float] = {}
        self.scale: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any], scale: float = 1.0) -> Any:
        """Run ``fn`` under a profiler; ``scale`` extrapolates a sampled phase."""
        profile = cProfile.Profile()
        start = time.perf_counter()
        value = profile.runcall(fn)
        self.seconds[name] = time.perf_counter() - start
        self.stats[name] = pstats.Stats(profile)
        self.scale[name] = scale
        print(f"  {name}: {self.seconds[name]:.1f} s (profiled)"
              + (f", x{scale:.1f} for all focus nodes" if scale != 1 else ""), flush=True)
        return value


def _raw(stats: pstats.Stats) -> dict[Any, Any]:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return table


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Self time per library."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _func), (_cc, _nc, tt, _ct, _callers) in _raw(stats).items():
        totals[_package(filename)] += tt
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def cumulative(stats: pstats.Stats, match: Callable[[str, str], bool]) -> float:
    """The largest cumulative time among the functions ``match(filename, name)`` selects."""
    best = 0.0
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in _raw(stats).items():
        if match(filename, func):
            best = max(best, ct)
    return best


def top(stats: pstats.Stats, count: int) -> list[tuple[str, float, int]]:
    """The functions with the most self time: (where, seconds, calls)."""
    rows = []
    for (filename, line, func), (_cc, nc, tt, _ct, _callers) in _raw(stats).items():
        where = f"{_package(filename)}:{Path(filename).name}:{line}({func})" \
            if filename != "~" else func
        rows.append((where, tt, nc))
    return sorted(rows, key=lambda r: -r[1])[:count]


def main(argv: list[str] | None = None) -> None:
    """Profile one build, phase by phase, and print the breakdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", help="profile these sources instead of a synthetic corpus")
    parser.add_argument("--work", default="/tmp/cartkg-bench")
    parser.add_argument("--sample", type=int, default=300,
                        help="focus nodes per SHACL-SPARQL shape (extrapolated to all)")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--probe", type=int, default=20,
                        help="articles validated one at a time (with the registry), unprofiled")
    args = parser.parse_args(argv)

    from pyshacl import validate
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    from kg.build import summarize
    from kg.emit import emit_dataset
    from kg.sources import load_sources
    from kg.store import DATASET_FILES, serialize
    from kg.synth import generate_corpus
    from kg.validate import _origins, load_shapes, union_graph

    if args.sources:
        sources = Path(args.sources)
    else:
        sources = Path(args.work) / f"sources-{args.articles}"
        if not (sources / "articles").is_dir():
            generate_corpus(sources, args.articles, args.seed, overwrite=True)
    print(f"profiling the build of {sources}", flush=True)
    phases = Phases()
    corpus = phases.run("read sources (load_sources)", lambda: load_sources(sources))
    quads = phases.run("emit (emit_dataset)", lambda: emit_dataset(corpus))
    graph = phases.run("to rdflib (union_graph)", lambda: union_graph(quads))
    shapes = load_shapes()
    sparql_shapes = sorted(set(shapes.subjects(SH.sparql, None)), key=str)
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)

    def restricted(keep: set[Any]) -> Graph:
        copy = Graph()
        for triple in shapes:
            copy.add(triple)
        for shape in list(copy.subjects(RDF.type, SH.NodeShape)):
            if shape not in keep:
                for target in targets:
                    copy.remove((shape, target, None))
        return copy

    core = restricted(set(shapes.subjects(RDF.type, SH.NodeShape)) - set(sparql_shapes))
    # kg.validate passes advanced=True, which makes pyshacl copy the whole data graph once per
    # call: profiled on its own (no focus nodes); every other pyshacl run here is in place.
    phases.run("pyshacl, copy of the data graph (advanced=True)", lambda: validate(
        graph, shacl_graph=restricted(set()), inference="none", advanced=True,
        allow_warnings=True))
    phases.run("pyshacl, SHACL Core shapes", lambda: validate(
        graph, shacl_graph=core, inference="none", advanced=True, inplace=True,
        allow_warnings=True))
    for shape in sparql_shapes:
        classes = list(shapes.objects(shape, SH.targetClass))
        nodes = sorted({n for c in classes for n in graph.subjects(RDF.type, c)}, key=str)
        sample = nodes[:: max(1, len(nodes) // args.sample)][: args.sample]
        one = restricted({shape})
        for target in targets:
            one.remove((shape, target, None))
        for node in sample:
            one.add((shape, SH.targetNode, node))
        name = "pyshacl, SHACL-SPARQL " + str(shape).rsplit("#", 1)[-1]
        phases.run(f"{name} ({len(sample)} of {len(nodes)} nodes)", partial(
            validate, graph, shacl_graph=one, inference="none", advanced=True, inplace=True,
            allow_warnings=True), scale=len(nodes) / max(1, len(sample)))
    phases.run("map results to sources (_origins)", lambda: _origins(quads))
    phases.run("summarise (summarize)", lambda: summarize(quads))
    phases.run("serialise (3 files)", lambda: [serialize(quads, role) for role in DATASET_FILES])

    components = _components()
    print("\n## Phases (profiled; SHACL-SPARQL extrapolated to all focus nodes)\n")
    total = sum(phases.seconds[n] * phases.scale[n] for n in phases.seconds)
    print("| phase | profiled s | share |\n|---|---|---|")
    for name, seconds in phases.seconds.items():
        scaled = seconds * phases.scale[name]
        print(f"| {name} | {scaled:.1f} | {scaled / total:.0%} |")
    print(f"| total | {total:.1f} | 100% |")

    print("\n## Inside each phase\n")
    for name, stats in phases.stats.items():
        scale = phases.scale[name]
        print(f"### {name}\n")
        packages = by_package(stats)
        spent = sum(packages.values())
        print("self time by library: " + ", ".join(
            f"{p} {s * scale:.1f} s ({s / spent:.0%})" for p, s in packages.items()
            if s / spent >= 0.01))
        if name.startswith("read sources"):
            yaml_s = cumulative(stats, lambda f, n: f.endswith("yamlfile.py") and n == "read_yaml")
            quote_s = cumulative(stats, lambda f, n: f.endswith("quotes.py")
                                 and n == "locate_quote")
            print(f"YAML parsing (read_yaml) {yaml_s:.1f} s, quote location (locate_quote) "
                  f"{quote_s:.1f} s, the rest (field checks, records, hashing) "
                  f"{phases.seconds[name] - yaml_s - quote_s:.1f} s")
        if name.startswith("emit"):
            sort_s = cumulative(stats, lambda f, n: f.endswith("emit.py") and n == "sort_quads")
            print(f"sorting and deduplicating quads (sort_quads, all calls) {sort_s:.1f} s")
        if name.startswith("pyshacl"):
            parse = cumulative(stats, lambda f, n: n == "parseQuery")
            translate = cumulative(stats, lambda f, n: n == "translateQuery")
            focus = cumulative(stats, lambda f, n: f.endswith("shape.py") and n == "focus_nodes")
            values = cumulative(stats, lambda f, n: f.endswith("shape.py")
                                and n == "value_nodes")
            print(f"SPARQL parsing (parseQuery) {parse * scale:.1f} s, algebra (translateQuery) "
                  f"{translate * scale:.1f} s; focus nodes {focus * scale:.1f} s, value nodes "
                  f"{values * scale:.1f} s")
            per_component: dict[str, float] = defaultdict(float)
            for (filename, line, _func), (_cc, _nc, _tt, ct, _c) in _raw(stats).items():
                component = components.get((filename, line))
                if component:
                    per_component[component] += ct
            if per_component:
                print("constraint components (cumulative): " + ", ".join(
                    f"{c} {s * scale:.1f} s" for c, s in
                    sorted(per_component.items(), key=lambda kv: -kv[1])[:10] if s >= 0.05))
        print(f"\ntop {args.top} functions by self time (x{scale:.1f}):\n")
        print("| function | self s | calls |\n|---|---|---|")
        for where, seconds, calls in top(stats, args.top):
            print(f"| `{where}` | {seconds * scale:.2f} | {int(calls * scale)} |")
        print()
    if args.probe:
        _probe(corpus, shapes, core, args.probe)


def _probe(corpus: Any, shapes: Any, core: Any, count: int) -> None:
    """Validate single articles with the registry: what per-article validation would cost."""
    from pyshacl import validate

    from kg.emit import emit_article, emit_registry
    from kg.validate import union_graph

    by_article: dict[str, list[Any]] = defaultdict(list)
    for claim in corpus.claims:
        by_article[claim.article_id].append(claim)
    registry = emit_registry(corpus.entities)
    ids = sorted(corpus.articles)
    chosen = ids[:: max(1, len(ids) // count)][:count]
    print(f"## Per-article validation probe ({len(chosen)} articles, unprofiled)\n")
    start = time.perf_counter()
    validate(union_graph(registry), shacl_graph=core, inference="none", advanced=True,
             inplace=True, allow_warnings=True)
    registry_only = time.perf_counter() - start
    timings: dict[str, list[float]] = defaultdict(list)
    sizes = []
    for article_id in chosen:
        quads = emit_article(corpus.articles[article_id], by_article[article_id], corpus)
        start = time.perf_counter()
        graph = union_graph((*registry, *quads))
        timings["graph"].append(time.perf_counter() - start)
        sizes.append(len(graph))
        for name, shape_graph in (("core", core), ("all", shapes)):
            start = time.perf_counter()
            ok = validate(graph, shacl_graph=shape_graph, inference="none", advanced=True,
                          inplace=True, allow_warnings=True)[0]
            timings[name].append(time.perf_counter() - start)
            assert ok, article_id
    n = len(corpus.articles)
    mean = {k: sum(v) / len(v) for k, v in timings.items()}
    print(f"registry alone ({len(registry)} quads), SHACL Core: {registry_only:.2f} s")
    print(f"one article + registry: {sum(sizes) / len(sizes):.0f} triples; to rdflib "
          f"{mean['graph'] * 1000:.0f} ms, SHACL Core {mean['core'] * 1000:.0f} ms, all shapes "
          f"(with SHACL-SPARQL) {mean['all'] * 1000:.0f} ms")
    for articles in (n, 10_000):
        total = articles * (mean["graph"] + mean["all"])
        core_only = articles * (mean["graph"] + mean["core"])
        print(f"{articles} articles validated one by one: all shapes {total:.0f} s "
              f"({total / 2:.0f} s on 2 cores), SHACL Core only {core_only:.0f} s "
              f"({core_only / 2:.0f} s on 2 cores)")


if __name__ == "__main__":
    main()
