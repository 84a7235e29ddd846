"""The tables of ``benchmarks/run.py``: per size, the growth across sizes, and the targets."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable
from typing import Any

Result = dict[str, Any]

#: The targets of the issue, at 10,000 articles on a 2-core machine.
BUILD_X_FLOOR = 15
REBUILD_X_FLOOR = 2
EDIT_SECONDS = 2
MEMORY_MB = 1000
QUERY_X_RAW = 1.5
RDFLIB_X_QUERY = 20
GROWTH = 11
CORES = 1.6  # "both cores used": at least this much CPU time per second of wall time
ENGINE = "engine floor:"  # the names of the engine floor's steps in the growth tables
MACHINE = "machine floor: Python dict, one look-up a row in random order"  # and the machine's
MACHINE_KEY = "machine"  # the machine floor's key in the engine floor's result (children.py)


# --- formatting -----------------------------------------------------------------------------


def s(value: float | None) -> str:
    """Seconds with a unit: ``512 s``, ``4.86 s``, ``9.8 ms``, ``0.41 ms``."""
    if value is None or value != value:
        return "-"
    if value >= 100:
        return f"{value:.0f} s"
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 0.1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.2f} ms"


def x(a: float | None, b: float | None, digits: int = 1) -> str:
    """A ratio, ``12.3x``."""
    if not a or not b:
        return "-"
    return f"{a / b:.{digits}f}x"


def mb(value: float | None) -> str:
    """Megabytes, rounded."""
    return "-" if value is None else f"{value:.0f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def ok(measured: Result | None) -> bool:
    """True when a measurement ran to its end."""
    return bool(measured) and "failed" not in measured  # type: ignore[operator]


def median(measured: list[Result], key: str = "wall") -> float | None:
    """The median of ``key`` over the measurements that did not fail."""
    values = [m[key] for m in measured if ok(m) and m.get(key) is not None]
    return statistics.median(values) if values else None


def best(measured: list[Result]) -> Result:
    """The fastest run that did not fail ({} if none).

    Other work on a shared machine only ever adds time: the fastest run is the least disturbed.
    """
    good = [m for m in measured if ok(m)]
    return min(good, key=lambda m: m["wall"]) if good else {}


def spread(measured: list[Result]) -> str:
    """``best (median, slowest)`` of the wall times, or why there is none."""
    values = sorted(m["wall"] for m in measured if ok(m))
    if not values:
        failed = next((m.get("failed") for m in measured if not ok(m)), None)
        return f"failed: {failed}" if failed else "-"
    if len(values) == 1:
        return s(values[0])
    return f"{s(values[0])} ({s(statistics.median(values))}, {s(values[-1])})"


def progress(what: str, measured: Result) -> None:
    """One line as soon as a measurement is done, so that a long run shows where it is."""
    if "failed" in measured:
        print(f"  . {what}: FAILED {measured['failed']}", flush=True)
        return
    shown = []
    for key, unit in (("wall", ""), ("kg", "run_query "), ("raw", "raw "), ("cores", "cores "),
                      ("max_rss_mb", "peak RSS "), ("tree_rss_mb", "tree RSS "),
                      ("built", "built "), ("reused", "reused "), ("rows", "rows "),
                      ("timeout", "timeout "), ("error", "error ")):
        if measured.get(key) is not None:
            value = measured[key]
            if key.endswith("_mb"):
                shown.append(f"{unit}{value:.0f} MB")
            elif key == "cores":
                shown.append(f"{unit}{value:.2f}")
            elif isinstance(value, float):
                shown.append(unit + s(value))
            else:
                shown.append(f"{unit}{value}")
    if measured.get("others_cores") is not None:
        shown.append(f"other work {measured['others_cores']:.1f} cores")
    print(f"  . {what}: " + ", ".join(shown), flush=True)


# --- one size -------------------------------------------------------------------------------


def header(run: Result) -> None:
    """The run's date, machine, command and code."""
    print("# cart-kg benchmarks\n")
    print(f"date: {run['date']}")
    print(f"machine: {run['machine']}")
    print(f"command: {run['command']}")
    code = run["code"]
    changed = f"; uncommitted changes in {len(code['changed'])} file(s)" if code["changed"] else ""
    print(f"code: commit {code['commit']}{changed} (snapshot {code['digest']})", flush=True)


def heading(r: Result) -> None:
    """The title of one size."""
    generated = f", generated in {s(r['generated'])}" if r.get("generated") else ""
    print(f"\n## {r['size']} articles ({r['kind']}: {r['from']}{generated})\n", flush=True)


def wall(measured: list[Result]) -> float | None:
    """The best wall time of some runs (see :func:`best`)."""
    seconds = best(measured).get("wall")
    return None if seconds is None else float(seconds)


def floor_wall(r: Result) -> float | None:
    """The floor's best wall time, as a process (interpreter start and import included)."""
    return wall(r.get("floor", []))


def floor_inside(r: Result) -> float | None:
    """The floor's own time in its best run, after Python started and imported pyoxigraph."""
    seconds = best(r.get("floor", [])).get("result", {}).get("seconds")
    return None if seconds is None else float(seconds)


def _build_row(name: str, runs: list[Result], floor: float | None) -> list[str]:
    good = [m for m in runs if ok(m)]
    if not good:
        return [name, spread(runs), "", "", "", "", "", "", "", ""]
    top = best(good)
    parts = "/".join(sorted({f"{m.get('built', '?')} built, {m.get('reused', '?')} reused"
                             for m in good}))
    return [name, spread(runs), s(top["cpu"]), f"{top['cores']:.2f}",
            f"{top['others_cores']:.1f}", mb(max(m["max_rss_mb"] for m in good)),
            f"{mb(max(m['tree_rss_mb'] for m in good))} "
            f"({mb(max(m['tree_pss_mb'] for m in good))})",
            x(top["wall"], floor), parts, str(good[0].get("triples", "-"))]


def print_builds(r: Result) -> None:
    """The build table of one size."""
    floor = floor_wall(r)
    totals = r.get("totals", {})
    print(f"dataset: {r.get('articles', '?')} articles, {totals.get('quads', '?')} quads, "
          f"{totals.get('triples', '?')} distinct triples, {totals.get('graphs', '?')} graphs\n")
    clean = r.get("clean", [])
    rows = [_build_row("clean build (`cartkg build --clean`)", clean[:1], floor)]
    if len(clean) > 1:
        rows.append(_build_row("clean build of the edited corpus", clean[1:], floor))
    if r.get("rebuild"):
        rows.append(_build_row(f"rebuild, nothing changed ({len(r['rebuild'])} runs)",
                               r["rebuild"], floor))
    if r.get("edit"):
        rows.append(_build_row(f"rebuild after editing one claim ({len(r['edit'])} runs)",
                               r["edit"], floor))
    for name, runs in (("floor: pyoxigraph parses the shards, writes N-Quads",
                        r.get("floor", [])),
                       ("rdflib Dataset parses the shards, writes N-Quads",
                        [r["rdflib_store"]] if r.get("rdflib_store") else [])):
        if runs:
            row = _build_row(f"{name} ({len(runs)} runs)" if len(runs) > 1 else name, runs,
                             floor)
            rows.append([*row[:8], "", ""])
    print(table(["step", "wall: best (median, slowest)", "CPU", "cores used",
                 "other work (cores)", "peak RSS, largest process MB",
                 "peak RSS of the tree MB (PSS)", "x floor", "parts", "triples"], rows))
    print("\n(CPU, cores used and other work are those of the best run; memory is the largest "
          "of all runs; x floor is best over best.)")
    estimate = r.get("rdflib_store_estimate")
    if estimate:
        print(f"\nrdflib: {r['rdflib_store']['failed']}; estimated from "
              f"{estimate['from']} articles, scaled by the triples ({estimate['scale']:.1f}x): "
              f"{s(estimate['wall'])} est., {x(estimate['wall'], floor)} the floor")
    if floor:
        print(f"\nfloor inside its process (after Python started and imported pyoxigraph): "
              f"{s(floor_inside(r))}; the build's time over this: "
              f"{x(wall(clean), floor_inside(r))}")
    same = r.get("identical")
    if same:
        print(f"\nedit: the note of claim {r['edited']['claim']} in {r['edited']['article']}; "
              f"output after the edit-one rebuild identical to a clean build: "
              f"{'yes' if same['identical'] else 'NO'} ({same['files']} files compared"
              + (f"; different: {same['different']}, in one only: {same['only_in_one']}"
                 if not same["identical"] else "") + ")")


def _rdflib_cell(other: Result, kg: float | None) -> tuple[str, str]:
    if other.get("rdflib") is not None:
        return s(other["rdflib"]), x(other["rdflib"], kg, 0)
    if "timeout" in other and kg:
        return f"> {s(other['timeout'])} (stopped)", f"> {other['timeout'] / kg:.0f}x"
    return str(other.get("skipped") or other.get("error") or "-")[:60], "-"


def _oxigraph_processes(processes: list[Result], floor: Result) -> str:
    """How long opening the store took in the query processes, and their peak RSS.

    The engine floor's process, where there is one, opened the store first.
    """
    if "load" in floor.get("result", {}):
        processes = [{"load": floor["result"]["load"], "query": "engine floor",
                      "max_rss_mb": floor.get("max_rss_mb")}, *processes]
    loads = [p["load"] for p in processes if "load" in p]
    if not any("query" in p for p in processes):  # a run from before one process per query
        later = (f", then {', '.join(s(v) for v in loads[1:])} (a new process after each query "
                 "that timed out)") if len(loads) > 1 else ""
        peak = max((p.get("max_rss_mb", 0) for p in processes), default=None)
        return (f". Oxigraph store opened (GraphStore.from_file) in "
                f"{s(loads[0]) if loads else '-'}{later}, peak RSS {mb(peak)} MB")
    others = [p["load"] for p in processes[1:] if "load" in p]
    rest = (f", the other {len(others)}: median {s(statistics.median(others))} (slowest "
            f"{s(max(others))})") if others else ""
    measured = [p for p in processes if p.get("max_rss_mb") is not None]
    largest = max(measured, key=lambda p: float(p["max_rss_mb"])) if measured else {}
    first = ", which opened the store first" if largest is processes[0] else ""
    return (f", each query in a process of its own, as `cartkg query` runs it. Oxigraph store "
            f"opened (GraphStore.from_file): first open (may bring the on-disk index up to date "
            f"after the builds) {s(processes[0].get('load'))}{rest}; peak RSS "
            f"{mb(largest.get('max_rss_mb'))} MB"
            + (f", the largest of the query processes ({largest.get('query', '-')}'s{first})"
               if largest else ""))


def print_queries(r: Result) -> None:
    """The query table of one size."""
    q = r.get("queries")
    if not q:
        return
    rdf = q.get("rdflib_process", {})
    floor = q.get("engine_floor", {})
    print(f"\nqueries (median of runs){_oxigraph_processes(q['processes'], floor)}"
          f"; rdflib dataset load {s(rdf.get('load'))}, peak RSS "
          f"{mb(rdf.get('max_rss_mb'))} MB" + (f" ({rdf['failed']})" if "failed" in rdf else "")
          + ":\n")
    rows = []
    for name, one in q["oxigraph"].items():
        if "kg" not in one:
            reason = one.get("error") or one.get("failed") or f"> {s(one.get('timeout'))}"
            rows.append([name, "", f"failed: {reason}"[:90], "", "", "", ""])
            continue
        rdflib, versus = _rdflib_cell(q["rdflib"].get(name, {}), one["kg"])
        rows.append([name, str(one["rows"]), s(one["kg"]), s(one["raw"]),
                     x(one["kg"], one["raw"], 2), rdflib, versus])
    print(table(["query", "rows", "run_query", "raw pyoxigraph", "run_query / raw", "rdflib",
                 "rdflib / run_query"], rows))
    found = floor.get("result", {})
    steps = [(name, v) for name, v in found.items() if isinstance(v, dict) and name != MACHINE_KEY]
    if steps:
        print(f"\nengine floor (raw Oxigraph, no logic of ours; {steps[0][1]['rows']} rows, one "
              "per assertion): " + ", ".join(f"{name} {s(v['seconds'])}" for name, v in steps))
        if MACHINE_KEY in found:
            print(f"{MACHINE} (every assertion's IRI, no Oxigraph): "
                  f"{s(found[MACHINE_KEY]['seconds'])}")
    elif "failed" in floor:
        print(f"\nengine floor: failed: {floor['failed']}")


def print_outputs(r: Result) -> None:
    """Trace and export of one size."""
    trace = r.get("trace")
    if trace:
        t = trace.get("result", {})
        print("\ntrace " + (f"failed: {trace['failed']}" if "failed" in trace else
              f"`{t.get('records')} assertions`: resolve {s(t.get('resolve'))}, trace_entity "
              f"{s(t.get('trace'))} (store load {s(t.get('load'))}, peak RSS "
              f"{mb(trace.get('max_rss_mb'))} MB)"))
    export = r.get("export")
    if export:
        rows = []
        for name, m in export.items():
            e = m.get("result", {})
            if not ok(m):
                rows.append([name, f"failed: {m['failed']}"[:90], "", "", "", "", "", "", ""])
                continue
            cores = m.get("cores")
            rows.append([name, s(e["seconds"]), s(e["load"]), s(m["wall"]),
                         "-" if cores is None else f"{cores:.2f}", mb(m["max_rss_mb"]),
                         mb(m.get("tree_rss_mb")), f"{e['bytes'] / 1e6:.1f}",
                         f"{e.get('nodes') or '-'} / {e.get('edges') or '-'}"])
        print("\nexport (each format in a process of its own, which loads the store first; TriG, "
              "JSON-LD and Turtle render in worker processes from 64 shards on):\n")
        print(table(["format", "export", "store load", "process wall", "cores used",
                     "peak RSS MB", "tree RSS MB", "MB written", "nodes / edges"], rows))


def print_size(r: Result) -> None:
    """Every table of one size."""
    print()
    print_builds(r)
    print_queries(r)
    print_outputs(r)


# --- across sizes ---------------------------------------------------------------------------


def print_growth(results: list[Result]) -> None:
    """The build times across sizes."""
    print("\n## Growth\n")
    rows, previous = [], None
    for r in results:
        build, cpu = wall(r.get("clean", [])), best(r.get("clean", [])).get("cpu")
        floor = floor_wall(r)
        growth = "-"
        if previous and build and cpu and previous[1] and previous[2]:
            growth = (f"{r['size'] / previous[0]:.0f}x articles: {build / previous[1]:.1f}x "
                      f"wall, {cpu / previous[2]:.1f}x CPU")
        rows.append([str(r["size"]), str(r.get("totals", {}).get("triples", "-")), s(build),
                     s(cpu), growth, s(wall(r.get("rebuild", []))),
                     s(median(r.get("edit", []))), s(floor), x(build, floor)])
        previous = (r["size"], build, cpu)
    print(table(["articles", "triples", "clean build (best)", "its CPU time", "growth",
                 "rebuild, nothing changed (best)", "edit one claim (median)", "floor (best)",
                 "build / floor"], rows))


def timed_work(r: Result) -> dict[str, tuple[float, float | None]]:
    """Each query, export format and trace of one size: name -> (seconds, size of its answer).

    The answer is a query's rows, an export's bytes, the trace's assertions.
    """
    found: dict[str, tuple[float, float | None]] = {}
    for name, step in r.get("queries", {}).get("engine_floor", {}).get("result", {}).items():
        if isinstance(step, dict):
            label = MACHINE if name == MACHINE_KEY else f"{ENGINE} {name}"
            found[label] = (step["seconds"], step["rows"])
    for name, one in r.get("queries", {}).get("oxigraph", {}).items():
        if one.get("kg") is not None:
            found[f"query {name}"] = (one["kg"], one.get("rows"))
    for name, m in r.get("export", {}).items():
        if ok(m) and "result" in m:
            found[f"export {name}"] = (m["result"]["seconds"], m["result"].get("bytes"))
    trace = r.get("trace", {})
    if ok(trace) and trace.get("result", {}).get("trace") is not None:
        found["trace"] = (trace["result"]["trace"], trace["result"].get("records"))
    return found


def _floor(name: str) -> bool:
    """Whether a growth table row is a floor (the engine's or the machine's), not our work."""
    return name.startswith(ENGINE) or name == MACHINE


def per_10x(ratio: float, a: Result, b: Result) -> float:
    """A ratio between two sizes, brought to 10 times the articles."""
    return float(ratio ** (1 / math.log10(b["size"] / a["size"])))


def work_growth(a: Result, b: Result) -> dict[str, tuple[float, float | None]]:
    """From size ``a`` to ``b``: name -> (time growth per 10x, answer growth per 10x)."""
    before, after = timed_work(a), timed_work(b)
    found: dict[str, tuple[float, float | None]] = {}
    for name in after.keys() & before.keys():
        (ta, na), (tb, nb) = before[name], after[name]
        if ta > 0:
            found[name] = (per_10x(tb / ta, a, b),
                           per_10x(nb / na, a, b) if na and nb else None)
    return dict(sorted(found.items()))


def within_growth(time: float, answer: float | None) -> bool:
    """Linear: at most GROWTH x per 10x the articles, or at most 1.1x its answer's growth."""
    return time <= GROWTH or (answer is not None and time <= 1.1 * answer)


def print_work_growth(results: list[Result]) -> None:
    """Each query's, export's and the trace's time across sizes, beside its answer's size."""
    steps = [(a, b) for a, b in itertools.pairwise(results) if a["size"] >= 100]
    grown = [work_growth(a, b) for a, b in steps]
    names = sorted({n for g in grown for n in g})
    if not names:
        return
    print("\n## Growth of each query, export and trace\n")
    print("Time per 10x the articles (the answer's growth: rows, bytes written, assertions "
          f"traced); `*` over the target: more than {GROWTH}x and more than 1.1x its answer's "
          "growth. The engine floor's rows are raw Oxigraph's own scans and look-ups (no logic "
          "of ours), the reference for the queries; the machine floor's is a Python dict probed "
          "once for each assertion's IRI in random order, the random access that every join "
          "is made of, with no engine at all.\n")
    rows = []
    for name in names:
        cells = []
        for g in grown:
            if name not in g:
                cells.append("-")
                continue
            time, answer = g[name]
            mark = "" if _floor(name) or within_growth(time, answer) else " *"
            cells.append(f"{time:.1f}x{mark} ({f'{answer:.1f}x' if answer else '-'})")
        rows.append([name, *cells])
    print(table(["what", *(f"{a['size']} -> {b['size']}" for a, b in steps)], rows))


def check_work_growth(a: Result, b: Result,
                      check: Callable[[str, str, bool | None], None]) -> None:
    """The growth targets of the queries, exports and trace from size ``a`` to ``b``.

    Against 11x per 10x the articles (or 1.1x the answer's own growth), and the queries against
    the growth of the engine's floor (raw Oxigraph's scans and look-ups, no logic of ours).
    """
    grown = work_growth(a, b)
    engine = [t for n, (t, _) in grown.items() if n.startswith(ENGINE)]
    work = {n: v for n, v in grown.items() if not _floor(n)}
    if not work:
        return
    steps = f"{a['size']}->{b['size']}"

    def listed(names: list[str]) -> str:
        return ", ".join(f"{n} {work[n][0]:.1f}x" + (f" (answer {work[n][1]:.1f}x)"
                                                      if work[n][1] else "") for n in names)

    over = [n for n, (t, answer) in work.items() if not within_growth(t, answer)]
    lost = sorted(n for n in timed_work(a).keys() - timed_work(b).keys() if not _floor(n))
    check(f"growth: 10x the articles costs <= {GROWTH}x the time (each query, export, trace; or "
          "<= 1.1x its answer's growth)",
          f"{steps}: {len(work) - len(over)} of {len(work)} within; over: "
          f"{listed(over) or 'none'}" + (f"; no time at {b['size']} (failed or stopped): "
                                         f"{', '.join(lost)}" if lost else ""),
          False if over else None if lost else True)
    if engine:
        floor = statistics.median(engine)
        queries = [n for n in work if n.startswith("query ")]
        slower = [n for n in queries if work[n][0] > 1.1 * floor
                  and not within_growth(*work[n])]
        check("growth of each query <= 1.1x the engine floor's (raw Oxigraph's scans and "
              "look-ups on the same stores), or within the line above",
              f"{steps}: engine floor {', '.join(f'{t:.1f}x' for t in engine)} (median "
              f"{floor:.1f}x, so <= {1.1 * floor:.1f}x); {len(queries) - len(slower)} of "
              f"{len(queries)} queries within; over: {listed(slower) or 'none'}", not slower)


def outputs_measured(r: Result) -> list[tuple[str, Result]]:
    """Each process that read the built dataset: the queries', the exports', the trace's."""
    found = [(f"query {p.get('query', '(all)')}", p)
             for p in r.get("queries", {}).get("processes", [])]
    if r.get("queries", {}).get("engine_floor"):
        found.append(("engine floor", r["queries"]["engine_floor"]))
    found += [(f"export {name}", m) for name, m in r.get("export", {}).items()]
    if r.get("trace"):
        found.append(("trace", r["trace"]))
    return found


def targets(results: list[Result]) -> list[list[str]]:
    """Each target at the largest size measured: [target, figure, PASS/MISS]."""
    r = results[-1]
    rows: list[list[str]] = []

    def check(name: str, figure: str, passed: bool | None) -> None:
        rows.append([name, figure, "-" if passed is None else "PASS" if passed else "MISS"])

    clean, floor = wall(r.get("clean", [])), floor_wall(r)
    rebuild, edit = wall(r.get("rebuild", [])), r.get("edit", [])
    cpu, floor_cpu = best(r.get("clean", [])).get("cpu"), best(r.get("floor", [])).get("cpu")
    slowest = max((m["wall"] for m in r.get("clean", []) if ok(m)), default=None)
    check(f"clean build <= {BUILD_X_FLOOR}x floor",
          f"{s(clean)} / {s(floor)} = {x(clean, floor)} (best runs; the other clean build "
          f"{s(slowest)}); CPU time {s(cpu)} / {s(floor_cpu)} = {x(cpu, floor_cpu)}",
          clean is not None and floor is not None and clean <= BUILD_X_FLOOR * floor)
    check(f"rebuild, nothing changed <= {REBUILD_X_FLOOR}x floor",
          f"{s(rebuild)} / {s(floor)} = {x(rebuild, floor, 2)}",
          rebuild is not None and floor is not None and rebuild <= REBUILD_X_FLOOR * floor)
    worst = max((m["wall"] for m in edit if ok(m)), default=None)
    same = r.get("identical", {}).get("identical")
    check(f"edit one claim: rebuild <= {EDIT_SECONDS} s, output identical to a clean build",
          f"median {s(median(edit))}, slowest {s(worst)}; parts rebuilt "
          f"{sorted({m.get('built') for m in edit if ok(m)})}; identical: "
          f"{'yes' if same else 'no'}",
          worst is not None and worst <= EDIT_SECONDS and bool(same))
    builds = [m for key in ("clean", "rebuild", "edit") for m in r.get(key, []) if ok(m)]
    tree = max((m["tree_rss_mb"] for m in builds), default=None)
    pss = max((m["tree_pss_mb"] for m in builds), default=None)
    largest = max((m["max_rss_mb"] for m in builds), default=None)
    check(f"peak memory of the build <= {MEMORY_MB / 1000:g} GB",
          f"whole tree {mb(tree)} MB RSS ({mb(pss)} MB PSS); largest process {mb(largest)} MB",
          tree is not None and tree <= MEMORY_MB)
    q = r.get("queries", {})
    measured = {n: v for n, v in q.get("oxigraph", {}).items() if "kg" in v}
    names = list(q.get("oxigraph", {}))
    slow = sorted((v["kg"] / v["raw"], n) for n, v in measured.items()
                  if v["raw"] and v["kg"] > QUERY_X_RAW * v["raw"])
    missing = [n for n in names if n not in measured]
    lost = f"; no result (over {s(q['oxigraph'][missing[0]].get('timeout'))} or failed): " \
        f"{', '.join(missing)}" if missing else ""
    if names:
        check(f"each query's median <= {QUERY_X_RAW}x raw pyoxigraph",
              f"{len(measured) - len(slow)} of {len(names)} queries; over: " +
              (", ".join(f"{n} {ratio:.2f}x" for ratio, n in reversed(slow)) or "none") + lost,
              not slow and len(measured) == len(names))
        faster, unknown, slower, stopped = [], [], [], []
        for name, v in measured.items():
            other = q.get("rdflib", {}).get(name, {})
            bound = other.get("rdflib") or other.get("timeout")
            if bound is None:
                unknown.append(name)
            elif bound >= RDFLIB_X_QUERY * v["kg"]:
                faster.append(name)
            elif "timeout" in other:
                stopped.append(f"{name} > {bound / v['kg']:.1f}x")
            else:
                slower.append(f"{name} {bound / v['kg']:.1f}x")
        rdflib_failed = q.get("rdflib_process", {}).get("failed")
        check(f"each query >= {RDFLIB_X_QUERY}x faster than rdflib's in-memory store",
              f"{len(faster)} of {len(names)} queries" +
              (f"; under: {', '.join(slower)}" if slower else "") +
              (f"; rdflib stopped before {RDFLIB_X_QUERY}x: {', '.join(stopped)}"
               if stopped else "") +
              (f"; rdflib {rdflib_failed}" if rdflib_failed else
               f"; not measured: {', '.join(unknown)}" if unknown else "") + lost,
              None if rdflib_failed else
              False if slower else True if len(faster) == len(names) else None)
    steps = []
    passed = True
    for a, b in itertools.pairwise(results):
        ta, tb = wall(a.get("clean", [])), wall(b.get("clean", []))
        ca, cb = best(a.get("clean", [])).get("cpu"), best(b.get("clean", [])).get("cpu")
        if a["size"] >= 100 and ta and tb and ca and cb:
            growth = per_10x(tb / ta, a, b)
            steps.append(f"{a['size']}->{b['size']}: {tb / ta:.1f}x wall ({growth:.1f}x per "
                         f"10x), {cb / ca:.1f}x CPU time")
            passed = passed and growth <= GROWTH
    check(f"growth: 10x the articles costs <= {GROWTH}x the time (clean build)",
          "; ".join(steps) or "fewer than two sizes of 100 or more", passed if steps else None)
    if len(results) > 1 and results[-2]["size"] >= 100:
        check_work_growth(results[-2], r, check)
    others_rss = [(m.get("tree_rss_mb") or m["max_rss_mb"], what)
                  for what, m in outputs_measured(r) if m.get("max_rss_mb") is not None]
    if others_rss:
        peak, what = max(others_rss)
        check(f"peak memory of every query, export and trace process <= {MEMORY_MB / 1000:g} GB "
              "(with its workers)",
              f"largest {mb(peak)} MB ({what}), of {len(others_rss)} processes",
              peak <= MEMORY_MB)
    top = best(r.get("clean", []))
    cores, others = top.get("cores"), top.get("others_cores", 0)
    check(f"both cores used (clean build: CPU time / wall >= {CORES})",
          f"{cores:.2f} cores used; other work took {others:.1f} cores meanwhile"
          if cores is not None else "-", cores is not None and cores >= CORES)
    return rows


def print_summary(run: Result) -> None:
    """Growth and targets."""
    results = [r for r in run["results"] if r.get("clean")]
    if not results:
        return
    print_growth(results)
    print_work_growth(results)
    largest = results[-1]
    print(f"\n## Targets at {largest['size']} articles "
          f"({largest.get('totals', {}).get('triples', '?')} triples)\n")
    print(table(["target", "measured", ""], targets(results)))


def print_run(run: Result) -> None:
    """Every table of a saved run."""
    header(run)
    imports = run.get("imports", {})
    print(f"peak RSS of Python with pyoxigraph, rdflib, pyshacl and kg imported: "
          f"{mb(imports.get('max_rss_mb'))} MB")
    for r in run["results"]:
        heading(r)
        print_size(r)
    print_summary(run)
