"""Benchmarks: build, queries, export and trace at several corpus sizes, against baselines.

Run from the project root, e.g.::

    nice -n 10 .venv/bin/python benchmarks/run.py --sizes 3,100,1000

Size 3 is the real corpus (``sources/``); any other size is a synthetic corpus written by
:func:`kg.synth.generate_corpus`. Every measurement runs in a child process of its own, so that
its peak memory (``ru_maxrss``) is its own; times are wall-clock seconds inside the child, after
its imports. Nothing here asserts anything about time: it measures and prints.

What is measured, per size:

* the full build (``cartkg build``: read and verify quotes, emit, validate with pyshacl, write),
  with its phases, the CPU time over wall time (how many cores it kept busy), and the same
  command again when nothing changed (a rebuild);
* validation split into the SHACL Core shapes and each SHACL-SPARQL shape. When a SHACL-SPARQL
  shape would take longer than ``--sparql-budget`` seconds, it runs on an even sample of its
  focus nodes and its time is extrapolated (the table says so). When the whole build would take
  longer than ``--build-budget`` seconds, it is not run in one piece: its time is the sum of the
  measured phases and the extrapolated SHACL-SPARQL time, marked as an estimate;
* the floor: pyoxigraph parsing the built N-Quads into a store and writing N-Quads and TriG, with
  no Python logic; and rdflib's default in-memory store doing the same (Dataset.parse and
  serialize);
* each query of ``queries/*.rq`` with its example parameters: ``kg.query.run_query`` on Oxigraph,
  raw ``pyoxigraph.Store.query`` (the same query and bindings, rows read), and
  ``kg.query.run_query_rdflib`` on rdflib's in-memory dataset; medians of ``--runs`` runs;
* every export format of ``kg.export`` (if the module is there);
* tracing one entity (``kg.trace.resolve`` and ``trace_entity``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REAL_SOURCES = ROOT / "sources"
RESULT = "RESULT "
TRACE_ENTITY = "bms-986353"
NQ = "cart-kg.nq"

Result = dict[str, Any]


# --- measuring inside a child ---------------------------------------------------------------


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU time of one step."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = _cpu()

    def stop(self) -> tuple[float, float]:
        """Seconds of wall time and of CPU time (all threads) since the clock started."""
        return time.perf_counter() - self.wall, _cpu() - self.cpu


def _finish(result: Result) -> None:
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT + json.dumps(result), flush=True)


class _Timeout(BaseException):
    """A run took too long (a BaseException, so that no ``except Exception`` swallows it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def child_imports(args: argparse.Namespace) -> Result:
    """Peak memory of the interpreter with the project's libraries imported, nothing else."""
    import pyoxigraph  # noqa: F401
    import pyshacl  # noqa: F401
    import rdflib  # noqa: F401

    import kg.build
    import kg.query  # noqa: F401

    return {}


def child_build(args: argparse.Namespace) -> Result:
    """``cartkg build`` in-process, with each phase timed by a wrapper around its function."""
    import pyshacl

    import kg.build as build
    import kg.validate as validate
    from kg.cli import main

    phases: dict[str, float] = {}
    returned: dict[str, Any] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            try:
                value = fn(*a, **k)
                returned[name] = value
                return value
            finally:
                phases[name] = phases.get(name, 0.0) + time.perf_counter() - start
        return wrapper

    wrapped = [(build, "load_sources", "load"), (build, "emit_dataset", "emit"),
               (build, "validate_dataset", "validate"), (validate, "union_graph", "union"),
               (pyshacl, "validate", "pyshacl"), (build, "summarize", "stats"),
               (build, "write_dataset", "write")]
    for module, attribute, name in wrapped:
        setattr(module, attribute, timed(name, getattr(module, attribute)))
    clock = Clock()
    code = 0
    try:
        main(["build", "--sources", args.sources, "--out", args.out], standalone_mode=False)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    wall, cpu = clock.stop()
    stats = returned.get("stats")
    report = returned.get("validate")
    return {
        "wall": wall, "cpu": cpu, "exit": code, "phases": phases,
        "triples": getattr(stats, "triples", None), "graphs": getattr(stats, "graphs", None),
        "quads": len(returned.get("emit", ())), "conforms": getattr(report, "conforms", None),
    }


def _shapes_without_targets(shapes: Any, keep: Any = ()) -> Any:
    """A copy of the shapes in which only the node shapes in ``keep`` select focus nodes."""
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    copy = Graph()
    for triple in shapes:
        copy.add(triple)
    for shape in list(copy.subjects(RDF.type, SH.NodeShape)):
        if shape in keep:
            continue
        for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            copy.remove((shape, target, None))
    return copy


def child_split(args: argparse.Namespace) -> Result:
    """The build's phases, with validation split into SHACL Core and each SHACL-SPARQL shape."""
    from pyshacl import validate
    from rdflib.namespace import RDF, SH

    from kg.build import summarize
    from kg.emit import emit_dataset
    from kg.sources import load_sources
    from kg.store import write_dataset
    from kg.validate import _origins, load_shapes, union_graph

    phases: dict[str, float] = {}
    clock = Clock()

    def step(name: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        value = fn()
        phases[name] = time.perf_counter() - start
        return value

    corpus = step("load", lambda: load_sources(Path(args.sources)))
    quads = step("emit", lambda: emit_dataset(corpus))
    graph = step("union", lambda: union_graph(quads))
    shapes = step("shapes", load_shapes)
    sparql_shapes = sorted(set(shapes.subjects(SH.sparql, None)), key=str)
    core = _shapes_without_targets(
        shapes, keep=set(shapes.subjects(RDF.type, SH.NodeShape)) - set(sparql_shapes))
    # kg.validate calls pyshacl with advanced=True, which copies the whole data graph once per
    # call: measured on its own here (no focus nodes), then every run below is in place.
    step("pyshacl clone", lambda: validate(graph, shacl_graph=_shapes_without_targets(shapes),
                                           inference="none", advanced=True, allow_warnings=True))
    conforms = step("core", lambda: validate(graph, shacl_graph=core, inference="none",
                                             advanced=True, inplace=True,
                                             allow_warnings=True)[0])
    sparql: dict[str, Any] = {}
    for shape in sparql_shapes:
        classes = list(shapes.objects(shape, SH.targetClass))
        nodes = sorted({n for c in classes for n in graph.subjects(RDF.type, c)}, key=str)
        name = "cartsh:" + str(shape).rsplit("#", 1)[-1]
        sparql[name] = _sample_shape(graph, shapes, shape, nodes, args.sparql_budget)
        conforms = conforms and sparql[name]["conforms"]
    step("origins", lambda: _origins(quads))
    stats = step("stats", lambda: summarize(quads))
    if args.out and conforms:
        step("write", lambda: write_dataset(quads, Path(args.out)))
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "phases": phases, "sparql": sparql,
            "conforms": bool(conforms), "triples": stats.triples, "quads": len(quads),
            "graph_triples": len(graph), "claims": len(corpus.claims),
            "articles": len(corpus.articles)}


def _sample_shape(graph: Any, shapes: Any, shape: Any, nodes: list[Any],
                  budget: float) -> Result:
    """Validate one shape on all its focus nodes, or on an even sample when that is too slow."""
    from pyshacl import validate
    from rdflib.namespace import SH

    def run(sample: list[Any]) -> tuple[float, bool]:
        shapes_copy = _shapes_without_targets(shapes, keep={shape})
        for target in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes_copy.remove((shape, target, None))
        for node in sample:
            shapes_copy.add((shape, SH.targetNode, node))
        start = time.perf_counter()
        ok = validate(graph, shacl_graph=shapes_copy, inference="none", advanced=True,
                      inplace=True, allow_warnings=True)[0]
        return time.perf_counter() - start, bool(ok)

    total = len(nodes)
    if total == 0:
        return {"nodes": 0, "measured": 0, "seconds": 0.0, "estimated": False, "conforms": True}
    first = nodes[:: max(1, total // 40)][:40]
    seconds, ok = run(first)
    per_node = seconds / len(first)
    if len(first) == total:
        return {"nodes": total, "measured": total, "seconds": seconds, "estimated": False,
                "per_node": per_node, "conforms": ok}
    if per_node * total <= budget:
        seconds, ok = run(nodes)
        return {"nodes": total, "measured": total, "seconds": seconds, "estimated": False,
                "per_node": seconds / total, "conforms": ok}
    count = max(len(first), min(total, int(budget / per_node)))
    sample = nodes[:: max(1, total // count)][:count]
    seconds, ok = run(sample)
    per_node = seconds / len(sample)
    return {"nodes": total, "measured": len(sample), "seconds": per_node * total,
            "estimated": True, "per_node": per_node, "conforms": ok}


def child_floor(args: argparse.Namespace) -> Result:
    """The floor, pyoxigraph alone: parse the N-Quads into a store, write N-Quads and TriG."""
    import pyoxigraph as ox

    clock = Clock()
    store = ox.Store()
    store.bulk_load(path=str(args.data), format=ox.RdfFormat.N_QUADS)
    parse = time.perf_counter() - clock.wall
    nquads = store.dump(format=ox.RdfFormat.N_QUADS) or b""
    trig = store.dump(format=ox.RdfFormat.TRIG) or b""
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "parse": parse, "serialise": wall - parse,
            "quads": len(store), "bytes": len(nquads) + len(trig)}


def child_rdflib_store(args: argparse.Namespace) -> Result:
    """The default in-memory store of rdflib: parse the N-Quads into a Dataset, write them out."""
    import warnings

    from rdflib import Dataset

    warnings.simplefilter("ignore")
    clock = Clock()
    dataset = Dataset()
    dataset.parse(str(args.data), format="nquads")
    parse = time.perf_counter() - clock.wall
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    trig = dataset.serialize(format="trig", encoding="utf-8")
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "parse": parse, "serialise": wall - parse,
            "quads": sum(1 for _ in dataset.quads((None, None, None, None))),
            "bytes": len(nquads) + len(trig)}


def _bound_queries(store: Any) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """Each library query with its example parameters bound: (name, sparql, bindings, error)."""
    from kg.query import QueryError, bind_params, load_queries

    found: list[tuple[str, str, dict[str, Any], str | None]] = []
    for name, query in load_queries().items():
        given = {p.name: p.example for p in query.params.values()}
        try:
            found.append((name, query.sparql, bind_params(query, given, store), None))
        except QueryError as err:
            found.append((name, query.sparql, {}, str(err)))
    return found


def child_query(args: argparse.Namespace) -> Result:
    """One query on Oxigraph: through ``kg.query.run_query`` and through raw pyoxigraph.

    Runs in a process of its own, so that a query that does not finish can be stopped.
    """
    import pyoxigraph as ox

    from kg.query import run_query
    from kg.store import GraphStore

    clock = Clock()
    store = GraphStore.from_file(Path(args.data))
    load = time.perf_counter() - clock.wall
    bound = [b for b in _bound_queries(store) if b[0] == args.name]
    if not bound:
        return {"error": f"no query named {args.name}"}
    _name, sparql, bindings, error = bound[0]
    if error:
        return {"error": error}
    substitutions: dict[ox.Variable, Any] = {ox.Variable(k): v for k, v in bindings.items()}
    kg_times: list[float] = []
    raw_times: list[float] = []
    rows = 0
    for _ in range(args.runs):
        start = time.perf_counter()
        rows = len(run_query(store, sparql, bindings).rows)
        kg_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = store.store.query(sparql, use_default_graph_as_union=True,
                                   substitutions=substitutions)
        assert isinstance(result, ox.QuerySolutions)
        names = [v.value for v in result.variables]
        raw_rows = [tuple(solution[n] for n in names) for solution in result]
        raw_times.append(time.perf_counter() - start)
        assert len(raw_rows) == rows
        if kg_times[-1] > 10:  # slow: one run is enough
            break
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "load": load, "kg": _median(kg_times),
            "raw": _median(raw_times), "runs": len(kg_times), "rows": rows}


def child_queries_rdflib(args: argparse.Namespace) -> Result:
    """Each query with rdflib's engine on its in-memory store (``kg.query.run_query_rdflib``)."""
    import warnings

    from kg.query import QueryError, rdflib_dataset, run_query_rdflib
    from kg.store import GraphStore, read_quads

    warnings.simplefilter("ignore")
    quads = read_quads(Path(args.data))
    bound = _bound_queries(GraphStore.from_quads(quads))
    clock = Clock()
    dataset = rdflib_dataset(quads)
    load = time.perf_counter() - clock.wall
    del quads
    queries: dict[str, Result] = {}
    deadline = time.perf_counter() + args.rdflib_budget
    for name, sparql, bindings, error in bound:
        if error:
            queries[name] = {"error": error}
            continue
        left = deadline - time.perf_counter()
        if left <= 1:
            queries[name] = {"skipped": f"rdflib budget of {args.rdflib_budget:g} s used up"}
            continue
        times: list[float] = []
        rows = 0
        try:
            for _ in range(args.runs):
                with _time_limit(min(args.rdflib_timeout, left)):
                    start = time.perf_counter()
                    rows = len(run_query_rdflib(dataset, sparql, bindings).rows)
                    times.append(time.perf_counter() - start)
                if times[-1] > 5 or sum(times) > left / 2:
                    break
        except _Timeout:
            queries[name] = {"timeout": min(args.rdflib_timeout, left)}
            continue
        except QueryError as err:
            queries[name] = {"error": str(err)[:200]}
            continue
        queries[name] = {"rdflib": _median(times), "runs": len(times), "rows": rows}
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "load": load, "queries": queries}


def child_export(args: argparse.Namespace) -> Result:
    """One export format of ``kg.export``, from the built dataset."""
    from kg.export import export_graph
    from kg.store import GraphStore

    store = GraphStore.from_file(Path(args.data))
    clock = Clock()
    result = export_graph(store, args.format, Path(args.out))
    wall, cpu = clock.stop()
    size = sum(p.stat().st_size if p.is_file() else
               sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) for p in result.paths)
    return {"wall": wall, "cpu": cpu, "bytes": size, "nodes": result.nodes,
            "edges": result.edges}


def child_trace(args: argparse.Namespace) -> Result:
    """Trace one entity: resolve its name, then every assertion involving it with its quotes."""
    from kg.store import GraphStore
    from kg.trace import resolve, trace_entity

    store = GraphStore.from_file(Path(args.data))
    resolve_times, trace_times, records = [], [], 0
    clock = Clock()
    for _ in range(args.runs):
        start = time.perf_counter()
        node = resolve(store, args.entity)
        resolve_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        records = len(trace_entity(store, node))
        trace_times.append(time.perf_counter() - start)
    wall, cpu = clock.stop()
    return {"wall": wall, "cpu": cpu, "resolve": _median(resolve_times),
            "trace": _median(trace_times), "records": records}


CHILDREN: dict[str, Callable[[argparse.Namespace], Result]] = {
    "imports": child_imports, "build": child_build, "split": child_split, "floor": child_floor,
    "rdflib-store": child_rdflib_store, "query": child_query,
    "queries-rdflib": child_queries_rdflib, "export": child_export, "trace": child_trace,
}


# --- the parent -----------------------------------------------------------------------------


def measure(task: str, timeout: float, **options: Any) -> Result:
    """Run one measurement in a child process; its result, or what went wrong."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", task]
    for key, value in options.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout:g} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT):
            result: Result = json.loads(line[len(RESULT):])
            return result
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {"failed": f"exit {done.returncode}: " + " | ".join(tail)}


def _s(value: float | None) -> str:
    """Seconds, with a unit: ``512 s``, ``4.86 s``, ``9.8 ms``."""
    if value is None or value != value:
        return "-"
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 0.1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.1f}x"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _mb(result: Result) -> str:
    return f"{result['rss_mb']:.0f}" if "rss_mb" in result else "-"


def machine() -> str:
    """The machine and the versions the numbers were taken with."""
    from importlib.metadata import version

    memory = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    packages = ", ".join(f"{p} {version(p)}" for p in
                         ("pyoxigraph", "rdflib", "pyshacl", "PyYAML", "owlrl"))
    return (f"{platform.node() or 'host'}: {os.cpu_count()} cores (nproc), {memory} memory, "
            f"{platform.platform()}; Python {platform.python_version()}; {packages}")


def _prepare(size: int, work: Path, seed: int) -> tuple[Path, float | None]:
    if size == 3 and (REAL_SOURCES / "articles").is_dir():
        return REAL_SOURCES, None
    from kg.synth import generate_corpus

    target = work / f"sources-{size}"
    start = time.perf_counter()
    generate_corpus(target, size, seed, overwrite=True)
    return target, time.perf_counter() - start


def run_size(size: int, args: argparse.Namespace) -> Result:
    """Every measurement for one corpus size; prints its tables and returns the raw results."""
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sources, generated = _prepare(size, work, args.seed)
    out = work / f"build-{size}"
    shutil.rmtree(out, ignore_errors=True)
    data = out / NQ
    results: Result = {"size": size, "sources": str(sources), "generated": generated}
    _heading(results)

    split = measure("split", args.child_timeout, sources=sources, out=out,
                    sparql_budget=args.sparql_budget)
    results["split"] = split
    _progress("build phases (split)", split)
    estimate = None
    if "failed" not in split:
        estimate = sum(split["phases"].values()) + \
            sum(s["seconds"] for s in split["sparql"].values())
    results["estimate"] = estimate
    if estimate is not None and estimate <= args.build_budget:
        shutil.rmtree(out, ignore_errors=True)
        results["build"] = measure("build", args.child_timeout, sources=sources, out=out)
        _progress("build", results["build"])
        results["rebuild"] = measure("build", args.child_timeout, sources=sources, out=out)
        _progress("rebuild", results["rebuild"])
    if not data.exists():
        print(f"(no dataset at {data}: the build failed; nothing else measured)")
        _print_size(results)
        return results
    results["floor"] = measure("floor", args.child_timeout, data=data)
    _progress("floor", results["floor"])
    results["rdflib_store"] = measure("rdflib-store", args.child_timeout, data=data)
    _progress("rdflib store", results["rdflib_store"])
    results["queries"] = _queries(data, args)
    results["queries_rdflib"] = measure(
        "queries-rdflib", args.rdflib_budget + 600, data=data, runs=min(args.runs, 3),
        rdflib_timeout=args.rdflib_timeout, rdflib_budget=args.rdflib_budget)
    _progress("rdflib queries", results["queries_rdflib"])
    results["trace"] = measure("trace", args.child_timeout, data=data, runs=args.runs,
                               entity=TRACE_ENTITY)
    _progress("trace", results["trace"])
    results["export"] = _exports(out, data, args)
    _print_size(results)
    return results


def _queries(data: Path, args: argparse.Namespace) -> Result:
    from kg.query import QueryError, load_queries

    try:
        names = list(load_queries())
    except QueryError as err:
        return {"failed": str(err)}
    found: Result = {}
    for name in names:
        found[name] = measure("query", args.query_timeout, data=data, name=name, runs=args.runs)
        _progress(f"query {name}", found[name])
    return {"queries": found}


def _progress(what: str, result: Result) -> None:
    """One line as soon as a measurement is done, so that a long run shows where it is."""
    if "failed" in result:
        print(f"  . {what}: {result['failed']}", flush=True)
    else:
        print(f"  . {what}: " + ", ".join(
            f"{k} {f'{v:.0f} MB' if k == 'rss_mb' else _s(v) if isinstance(v, float) else v}"
            for k, v in result.items()
            if k in ("wall", "kg", "raw", "rdflib", "load", "rows", "rss_mb", "triples")),
            flush=True)


def _exports(out: Path, data: Path, args: argparse.Namespace) -> Result:
    try:
        from kg.export import EXPORTERS
    except Exception as err:  # the module may be missing or mid-edit
        return {"note": f"kg.export cannot be imported ({type(err).__name__}: {err}); skipped"}
    found: Result = {}
    for name, exporter in EXPORTERS.items():
        target = out / "export" / name / exporter.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        found[name] = measure("export", args.export_timeout, data=data, format=name, out=target)
        _progress(f"export {name}", found[name])
    return found


def _heading(r: Result) -> None:
    kind = "real corpus" if r["sources"] == str(REAL_SOURCES) else "synthetic"
    print(f"\n## {r['size']} articles ({kind}, {r['sources']})\n", flush=True)


def _print_size(r: Result) -> None:
    split, build, rebuild = r.get("split", {}), r.get("build", {}), r.get("rebuild", {})
    floor, rdf = r.get("floor", {}), r.get("rdflib_store", {})
    if "failed" in split:
        print(f"phases: failed: {split['failed']}")
        return
    triples = split.get("triples")
    print(f"articles {split.get('articles')}, claims {split.get('claims')}, quads "
          f"{split.get('quads')}, distinct triples {triples}, union graph for pyshacl "
          f"{split.get('graph_triples')} triples"
          + (f"; corpus generated in {_s(r['generated'])}" if r.get("generated") else ""))
    rows = []
    exact = "wall" in build
    total = build["wall"] if exact else r.get("estimate")
    rows.append(["full build (`cartkg build`)", _s(total) + ("" if exact else " (est.)"),
                 _mb(build) if exact else f"{_mb(split)} (phases run)",
                 _ratio(build.get("cpu"), build.get("wall")) if exact
                 else _ratio(split.get("cpu"), split.get("wall")),
                 _ratio(total, floor.get("wall")), str(build.get("triples") or triples)])
    if rebuild:
        rows.append(["rebuild, nothing changed", _s(rebuild.get("wall")), _mb(rebuild),
                     _ratio(rebuild.get("cpu"), rebuild.get("wall")),
                     _ratio(rebuild.get("wall"), floor.get("wall")),
                     str(rebuild.get("triples"))])
    else:
        rows.append(["rebuild, nothing changed", "= full build (not run: over budget)", "-",
                     "-", "-", "-"])
    rows.append(["floor: pyoxigraph parse + write N-Quads, TriG", _s(floor.get("wall")),
                 _mb(floor), _ratio(floor.get("cpu"), floor.get("wall")), "1.0x",
                 str(floor.get("quads", "-")) + " quads"])
    rows.append(["rdflib Dataset parse + write N-Quads, TriG", _s(rdf.get("wall")), _mb(rdf),
                 _ratio(rdf.get("cpu"), rdf.get("wall")), _ratio(rdf.get("wall"),
                                                                 floor.get("wall")),
                 str(rdf.get("quads", "-")) + " quads"])
    print(_table(["step", "wall", "peak RSS MB", "CPU/wall", "x floor", "triples"], rows))

    print("\nphases of the build (seconds, measured in the split run):\n")
    phases = dict(split["phases"])
    rows = [[name, _s(seconds)] for name, seconds in phases.items()]
    for shape, s in split.get("sparql", {}).items():
        how = f"{s['measured']} of {s['nodes']} focus nodes" + (", extrapolated"
                                                                 if s["estimated"] else "")
        rows.append([f"SHACL-SPARQL {shape} ({how}; {s.get('per_node', 0) * 1000:.1f} ms/node)",
                     _s(s["seconds"])])
    if build.get("phases"):
        rows.append(["(full build: " + ", ".join(f"{k} {_s(v)}" for k, v in
                                                build["phases"].items()) + ")", ""])
    print(_table(["phase", "wall"], rows))

    queries = r.get("queries", {})
    rdflib_queries = r.get("queries_rdflib", {})
    if "failed" in queries or not queries.get("queries"):
        print(f"\nqueries: {queries.get('failed', 'none in queries/')}")
    else:
        done = [q for q in queries["queries"].values() if "load" in q]
        print(f"\nqueries (median of runs; store load: Oxigraph "
              f"{_s(done[0]['load']) if done else '-'}, rdflib "
              f"{_s(rdflib_queries.get('load'))}; peak RSS Oxigraph "
              f"{max((q['rss_mb'] for q in done), default=0):.0f} MB (largest of the query "
              f"processes), rdflib {_mb(rdflib_queries)} MB):\n")
        rows = []
        for name, q in queries["queries"].items():
            other = rdflib_queries.get("queries", {}).get(name, {})
            if "error" in q or "failed" in q:
                rows.append([name, "error: " + q.get("error", q.get("failed", ""))[:80], "",
                             "", "", "", ""])
                continue
            rdflib_time = other.get("rdflib")
            rdflib_text = _s(rdflib_time) if rdflib_time is not None else (
                f"> {_s(other['timeout'])} (timeout)" if "timeout" in other
                else other.get("skipped", other.get("error", "-")))
            if rdflib_time:
                versus = _ratio(rdflib_time, q["kg"])
            elif "timeout" in other and other["timeout"] >= 10:
                versus = f"> {other['timeout'] / q['kg']:.0f}x"
            else:
                versus = "-"
            rows.append([name, str(q["rows"]), _s(q["kg"]), _s(q["raw"]),
                         _ratio(q["kg"], q["raw"]), rdflib_text, versus])
        print(_table(["query", "rows", "run_query", "raw pyoxigraph", "run_query / raw",
                      "rdflib", "rdflib / run_query"], rows))

    trace = r.get("trace", {})
    print(f"\ntrace {TRACE_ENTITY}: " + (trace["failed"] if "failed" in trace else
          f"resolve {_s(trace['resolve'])}, trace_entity {_s(trace['trace'])}, "
          f"{trace['records']} assertions, peak RSS {_mb(trace)} MB"))
    export = r.get("export", {})
    if "note" in export:
        print(f"\nexport: {export['note']}")
    elif export:
        rows = [[name, e["failed"], "", "", ""] if "failed" in e else
                [name, _s(e["wall"]), _mb(e), f"{e['bytes'] / 1e6:.1f}",
                 f"{e.get('nodes') or '-'} / {e.get('edges') or '-'}"]
                for name, e in export.items()]
        print("\nexport (each format in its own process, after loading the store):\n")
        print(_table(["format", "wall", "peak RSS MB", "MB written", "nodes / edges"], rows))
    sys.stdout.flush()


def _summary(all_results: list[Result]) -> None:
    print("\n## Growth\n")
    rows = []
    previous: Result | None = None
    for r in all_results:
        split = r.get("split", {})
        if "failed" in split:
            continue
        total = r.get("build", {}).get("wall") or r.get("estimate")
        per = total / r["size"] if total else None
        growth = "-"
        if previous is not None and total and previous["total"]:
            growth = (f"{r['size'] / previous['size']:.1f}x articles -> "
                      f"{total / previous['total']:.1f}x time")
        rows.append([str(r["size"]), _s(total), _s(per) if per else "-",
                     str(split.get("triples")), growth])
        previous = {"size": r["size"], "total": total}
    print(_table(["articles", "build", "per article", "triples", "growth"], rows))


def main(argv: list[str] | None = None) -> None:
    """Parse arguments; run one child measurement, or every size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="3,100,1000",
                        help="corpus sizes in articles; 3 is the real corpus (default 3,100,1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--work", default="/tmp/cartkg-bench",
                        help="where corpora and builds are written")
    parser.add_argument("--build-budget", type=float, default=540,
                        help="run the full build in one piece only if its estimate is below this")
    parser.add_argument("--sparql-budget", type=float, default=120,
                        help="seconds per SHACL-SPARQL shape before sampling its focus nodes")
    parser.add_argument("--rdflib-timeout", type=float, default=60,
                        help="seconds before one rdflib query run is abandoned")
    parser.add_argument("--rdflib-budget", type=float, default=480,
                        help="seconds for all rdflib query runs of one size")
    parser.add_argument("--export-timeout", type=float, default=300)
    parser.add_argument("--query-timeout", type=float, default=120,
                        help="seconds for one Oxigraph query process (store load and runs)")
    parser.add_argument("--child-timeout", type=float, default=900)
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--report", help="print the tables of a --json file; measure nothing")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    for name in ("sources", "out", "data", "format", "entity", "name"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _finish(CHILDREN[args.child](args))
        return
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        print(f"machine: {saved['machine']}")
        for r in saved["results"]:
            _heading(r)
            _print_size(r)
        _summary(saved["results"])
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print("# cart-kg benchmarks\n")
    print(f"date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {machine()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    baseline = measure("imports", 120)
    print(f"peak RSS of the interpreter with the libraries imported: {_mb(baseline)} MB",
          flush=True)
    results = []
    for size in sizes:
        results.append(run_size(size, args))
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": machine(), "results": results},
                                                  indent=1), encoding="utf-8")
    _summary(results)


if __name__ == "__main__":
    main()
