"""The measurements that run in a Python child process of their own (see ``benchmarks/run.py``).

Each is run as ``python benchmarks/children.py TASK --option value ...`` under
``benchmarks/proctree.py``, which measures the process (wall, CPU, peak memory). The child times
its own steps after its imports and prints ``RESULT {json}``; the query tasks print one
``QUERY {json}`` per query as it finishes, after ``START <name>``, so that the parent knows which
query was running if the child is stopped.

``DATA`` is a build folder (``OUT``, holding ``OUT/dataset``).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Result = dict[str, Any]


def _emit(tag: str, value: Any) -> None:
    print(f"{tag} {json.dumps(value)}", flush=True)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _shards(data: Path) -> list[Path]:
    """The dataset's N-Quads files, in the manifest's order."""
    folder = data / "dataset"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [folder / part["file"] for part in manifest["parts"]]


def task_imports(args: argparse.Namespace) -> Result:
    """Nothing but the project's libraries imported: the memory every Python step starts from."""
    import pyoxigraph  # noqa: F401
    import pyshacl  # noqa: F401
    import rdflib  # noqa: F401

    import kg.build.build
    import kg.query.run

    return {"kg": kg.build.build.__file__, "queries": kg.query.run.__file__}


def task_inventory(args: argparse.Namespace) -> Result:
    """The query names and the export formats of the code under test."""
    from kg.export.export import EXPORTERS
    from kg.query.library import load_queries

    return {"queries": sorted(load_queries()),
            "exports": {name: {"filename": e.filename, "projected": e.projected}
                        for name, e in EXPORTERS.items()}}


def task_floor(args: argparse.Namespace) -> Result:
    """The floor: pyoxigraph parses every shard and writes it out as one N-Quads file."""
    import pyoxigraph as ox

    start = time.perf_counter()
    shards = _shards(args.data)
    with open(args.target, "wb") as out:
        for shard in shards:
            ox.serialize(ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS), out,
                         format=ox.RdfFormat.N_QUADS)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": Path(args.target).stat().st_size,
            "shards": len(shards)}


def task_rdflib_store(args: argparse.Namespace) -> Result:
    """The same on rdflib's default in-memory store: parse every shard into a Dataset, write it."""
    import warnings

    from rdflib import Dataset

    warnings.simplefilter("ignore")
    start = time.perf_counter()
    dataset = Dataset()
    for shard in _shards(args.data):
        dataset.parse(str(shard), format="nquads")
    parse = time.perf_counter() - start
    dataset.serialize(destination=str(args.target), format="nquads", encoding="utf-8")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "parse": parse, "serialise": seconds - parse,
            "bytes": Path(args.target).stat().st_size}


def _opened(store: Any) -> Any:
    """The store with its index open, as ``cartkg query`` and ``trace`` open it.

    A build folder's index is opened on first use; older code (measured with --commit) opened it
    in ``GraphStore.from_file``.
    """
    return store.open() if hasattr(store, "open") else store


def _bound_queries(store: Any, names: list[str]) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Each named query with its example parameters bound: name -> (sparql, bindings, error)."""
    from kg.query.library import load_queries
    from kg.query.params import bind_params
    from kg.query.safety import QueryError

    found = {}
    queries = load_queries()
    for name in names:
        query = queries[name]
        given = {p.name: p.example for p in query.params.values()}
        try:
            found[name] = (query.sparql, bind_params(query, given, store), "")
        except QueryError as err:
            found[name] = (query.sparql, {}, str(err))
    return found


#: A query whose first run takes less than this many seconds is run once by each engine before
#: the runs that are timed. That first run is mostly the store's first reads of the blocks the
#: query needs, which whichever engine runs first pays: for entity_for_external_identifier at
#: 10,000 articles, 1.6 ms, then 0.35, 0.25 and 0.22 ms (raw Oxigraph, run second: 0.2 ms).
WARM_UP_UNDER = 1.0


def task_queries(args: argparse.Namespace) -> Result:
    """Each ``--names`` query on Oxigraph: ``kg.query.run.run_query``, and raw ``Store.query``.

    ``benchmarks/run.py`` gives one name: each query runs in a process of its own that opens the
    store (``GraphStore.from_file``), as ``cartkg query NAME`` does, since in a shared process a
    large query slowed the next ones by ~30%. Both run on that store, one after the other,
    ``--runs`` times (once when a run takes over 10 s), after an untimed run of each when the
    first takes under :data:`WARM_UP_UNDER`; medians. Raw Oxigraph runs the query text with
    the same bindings. A query that runs past
    ``--timeout`` seconds kills this process (SIGALRM with its default action: Oxigraph does not
    return to Python until the query is done); the parent reports it as timed out.
    """
    from kg.query.run import run_query
    from kg.store.store import GraphStore

    start = time.perf_counter()
    store = _opened(GraphStore.from_file(args.data))
    load = time.perf_counter() - start
    _emit("LOAD", {"load": load, "quads": len(store)})
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for name, (sparql, bindings, error) in _bound_queries(store, args.names.split(",")).items():
        if error:
            _emit("QUERY", {"name": name, "error": error})
            continue
        print(f"START {name}", flush=True)
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        text, substitutions = _as_given_to_oxigraph(sparql, bindings)
        kg_times: list[float] = []
        raw_times: list[float] = []
        rows = raw_rows = 0
        warm_up = True
        while len(kg_times) < args.runs and not (kg_times and kg_times[-1] > 10):
            begin = time.perf_counter()
            rows = len(run_query(store, sparql, bindings).rows)
            kg_time = time.perf_counter() - begin
            begin = time.perf_counter()
            raw_rows = _raw_rows(store, text, substitutions)
            raw_time = time.perf_counter() - begin
            first, warm_up = warm_up, False
            if first and kg_time < WARM_UP_UNDER:  # the first run of each, not counted
                continue
            kg_times.append(kg_time)
            raw_times.append(raw_time)
        signal.setitimer(signal.ITIMER_REAL, 0)
        _emit("QUERY", {"name": name, "kg": _median(kg_times), "raw": _median(raw_times),
                        "kg_runs": kg_times, "raw_runs": raw_times, "rows": rows,
                        "raw_rows": raw_rows})
    return {"load": load, "quads": len(store)}


def _raw_rows(store: Any, text: str, substitutions: dict[Any, Any]) -> int:
    """Raw Oxigraph runs the query text as it is; the rows are decoded as ``run_query`` does."""
    import pyoxigraph as ox

    result = store.store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    assert isinstance(result, ox.QuerySolutions)
    return len([tuple(solution) for solution in result])


#: Raw Oxigraph reading the store with no logic of ours: the engine's own cost of the scans and
#: look-ups that every query is made of, measured at each size so that the queries' growth can be
#: read against the engine's (``benchmarks/report.py``). Each answers one row per assertion.
ENGINE_FLOOR = {
    "scan": "SELECT ?a WHERE { ?a a cart:Assertion }",
    "one look-up": "SELECT ?a ?art WHERE { ?a a cart:Assertion ; cart:fromArticle ?art }",
    "two look-ups": "SELECT ?a ?art ?id WHERE { ?a a cart:Assertion ; cart:fromArticle ?art . "
                    "?art dcterms:identifier ?id }",
}
ENGINE_PREFIXES = ("PREFIX cart: <https://w3id.org/cart-kg/ontology#>\n"
                   "PREFIX dcterms: <http://purl.org/dc/terms/>\n")


def task_engine_floor(args: argparse.Namespace) -> Result:
    """The engine's floor for queries: raw ``Store.query`` of ``ENGINE_FLOOR``, medians.

    The store is opened as ``cartkg query`` opens it, in a process of its own like each query.
    """
    import pyoxigraph as ox

    from kg.store.store import GraphStore

    start = time.perf_counter()
    store = _opened(GraphStore.from_file(args.data))
    found: Result = {"load": time.perf_counter() - start}
    for name, body in ENGINE_FLOOR.items():
        times, rows = [], 0
        for _ in range(args.runs):
            begin = time.perf_counter()
            result = store.store.query(ENGINE_PREFIXES + body, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions)
            rows = sum(1 for _ in result)
            times.append(time.perf_counter() - begin)
        found[name] = {"seconds": _median(times), "runs": times, "rows": rows}
    found[MACHINE_FLOOR] = _random_lookups(store.store, args.runs)
    return found


#: The key of the machine's floor in the engine floor's result.
MACHINE_FLOOR = "machine"


def _random_lookups(store: Any, runs: int) -> Result:
    """The machine's own cost of random access, beside the engine's: no Oxigraph, no logic of ours.

    Every assertion's IRI is looked up once, in a shuffled order (seeded), in a Python dict of
    them all: what a hash join does, one probe per row. Only the probes are timed. The engine's
    joins and look-ups are random access too; this shows how much of their growth with the
    corpus is the machine's caches, which no engine or query text avoids.
    """
    import random

    result = store.query(ENGINE_PREFIXES + ENGINE_FLOOR["scan"], use_default_graph_as_union=True)
    keys = list(dict.fromkeys(str(solution[0].value) for solution in result))
    table = {key: number for number, key in enumerate(keys)}
    order = list(keys)
    random.Random(0).shuffle(order)
    times, found = [], 0
    for _ in range(runs):
        begin = time.perf_counter()
        found = sum(table[key] for key in order)
        times.append(time.perf_counter() - begin)
    assert found == sum(range(len(keys))), "every assertion's IRI is looked up once"
    return {"seconds": _median(times), "runs": times, "rows": len(order)}


def _as_given_to_oxigraph(sparql: str, bindings: dict[str, Any]) -> tuple[str, dict[Any, Any]]:
    """The query text and substitutions that ``run_query`` gives Oxigraph for these bindings.

    Substitutions, also shown to the planner in an inline VALUES block (``kg.core.sparql_text``;
    code measured with ``--commit`` from before that module gave the substitutions only).
    """
    import pyoxigraph as ox

    substitutions = {ox.Variable(k): v for k, v in bindings.items()}
    try:
        from kg.core.sparql_text import bind_values
    except ImportError:
        return sparql, substitutions
    return bind_values(sparql, bindings), substitutions


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


def task_queries_rdflib(args: argparse.Namespace) -> Result:
    """Each query with rdflib's engine on its in-memory store (``kg.query.run.run_query_rdflib``).

    ``--limits`` maps each query to the seconds one run may take (rdflib is pure Python, so an
    alarm stops it cleanly); ``--budget`` bounds all of them together.
    """
    import warnings

    from kg.query.run import rdflib_dataset, run_query_rdflib
    from kg.query.safety import QueryError
    from kg.store.store import GraphStore, read_quads

    warnings.simplefilter("ignore")
    limits: dict[str, float] = json.loads(args.limits)
    quads = read_quads(args.data)
    bound = _bound_queries(GraphStore.from_quads(quads), sorted(limits))
    start = time.perf_counter()
    dataset = rdflib_dataset(quads)
    load = time.perf_counter() - start
    del quads
    _emit("LOAD", {"load": load})
    deadline = time.perf_counter() + args.budget
    for name, (sparql, bindings, error) in bound.items():
        if error:
            _emit("QUERY", {"name": name, "error": error})
            continue
        left = deadline - time.perf_counter()
        if left <= 1:
            _emit("QUERY", {"name": name, "skipped": f"budget of {args.budget:g} s used up"})
            continue
        limit = min(limits[name], left)
        times: list[float] = []
        rows = 0
        try:
            for _ in range(args.runs):
                with _time_limit(limit):
                    begin = time.perf_counter()
                    rows = len(run_query_rdflib(dataset, sparql, bindings).rows)
                    times.append(time.perf_counter() - begin)
                if times[-1] > 5 or sum(times) > left / 2:
                    break
        except _Timeout:
            _emit("QUERY", {"name": name, "timeout": limit})
            continue
        except QueryError as err:
            _emit("QUERY", {"name": name, "error": str(err)[:200] or "QueryError"})
            continue
        _emit("QUERY", {"name": name, "rdflib": _median(times), "runs": times, "rows": rows})
    return {"load": load}


def task_export(args: argparse.Namespace) -> Result:
    """One export format of ``kg.export.export``, from the built dataset."""
    from kg.export.export import export_graph
    from kg.store.store import GraphStore

    start = time.perf_counter()
    store = GraphStore.from_file(args.data)
    load = time.perf_counter() - start
    start = time.perf_counter()
    result = export_graph(store, args.format, args.target)
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size if p.is_file() else
               sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) for p in result.paths)
    return {"seconds": seconds, "load": load, "bytes": size, "nodes": result.nodes,
            "edges": result.edges}


def task_trace(args: argparse.Namespace) -> Result:
    """Trace one entity: resolve its name, then every assertion involving it with its quotes."""
    from kg.provenance.trace import resolve, trace_entity
    from kg.store.store import GraphStore

    start = time.perf_counter()
    store = _opened(GraphStore.from_file(args.data))
    load = time.perf_counter() - start
    resolve_times, trace_times, records = [], [], 0
    for _ in range(args.runs):
        begin = time.perf_counter()
        node = resolve(store, args.entity)
        resolve_times.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        records = len(trace_entity(store, node))
        trace_times.append(time.perf_counter() - begin)
        if trace_times[-1] > 10:  # slow: one run is enough
            break
    return {"load": load, "resolve": _median(resolve_times), "trace": _median(trace_times),
            "runs": len(trace_times), "records": records}


def task_derived(args: argparse.Namespace) -> Result:
    """The queries that read graph:analyses beside the text that computes the same at query time.

    For each ``--names`` query that ``benchmarks/recomputed/`` holds: its library text and the
    recomputing text, on one store, in turn, ``--runs`` times (once when a run takes over 10 s),
    with their rows (the same rows, in another order, but for look-alikes now grouped by
    indication and comparisons keyed by data cut and endpoint, which the recomputing text does
    not do).
    """
    from kg.query.run import run_query
    from kg.store.store import GraphStore

    store = _opened(GraphStore.from_file(args.data))
    here = Path(__file__).resolve().parent
    results = {}
    for name in args.names.split(","):
        texts = {"derived": (here.parent / "queries" / f"{name}.rq").read_text(),
                 "recomputed": (here / "recomputed" / f"{name}.rq").read_text()}
        times: dict[str, list[float]] = {"derived": [], "recomputed": []}
        rows: dict[str, Any] = {}
        while len(times["derived"]) < args.runs:
            for kind, text in texts.items():
                if times[kind] and times[kind][-1] > 10 and len(times[kind]) >= 1 \
                        and kind == "recomputed":
                    continue
                begin = time.perf_counter()
                result = run_query(store, text, {})
                times[kind].append(time.perf_counter() - begin)
                rows[kind] = [tuple(map(str, r)) for r in result.rows]
        found = {"name": name, "derived": _median(times["derived"]),
                 "recomputed": _median(times["recomputed"]), "runs": times,
                 "rows": {k: len(v) for k, v in rows.items()},
                 "same_rows": sorted(rows["derived"]) == sorted(rows["recomputed"])}
        _emit("QUERY", found)
        results[name] = found
    return results


TASKS: dict[str, Callable[[argparse.Namespace], Result]] = {
    "imports": task_imports, "inventory": task_inventory, "floor": task_floor,
    "rdflib-store": task_rdflib_store, "engine-floor": task_engine_floor,
    "queries": task_queries, "derived": task_derived,
    "queries-rdflib": task_queries_rdflib, "export": task_export, "trace": task_trace,
}


def main(argv: list[str] | None = None) -> None:
    """Run one task and print its result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--data", type=Path)
    parser.add_argument("--target", type=Path)
    parser.add_argument("--format")
    parser.add_argument("--entity")
    parser.add_argument("--names")
    parser.add_argument("--limits")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--budget", type=float, default=600)
    args = parser.parse_args(argv)
    _emit("RESULT", TASKS[args.task](args))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
