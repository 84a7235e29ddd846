"""Benchmarks: build, rebuild, queries, export and trace at several corpus sizes, with baselines.

Run from the project root::

    nice -n 10 .venv/bin/python benchmarks/run.py --sizes 3,100,1000,10000 --json /tmp/bench.json

and print the tables of a saved run again with ``--report /tmp/bench.json``. Size 3 is the real
corpus (``sources/``); any other size is a synthetic corpus from ``cartkg synth --articles N``.
A run of 3, 100 and 1,000 articles takes about half an hour on 2 cores; 10,000 adds about an hour.

Every measurement is a process of its own, run under ``benchmarks/proctree.py``, which reports
its wall time, the CPU time of its whole process tree (build workers included) and so the cores it
used, the peak RSS of its largest process and the peak summed RSS and PSS of its tree, and how
many cores other work on the machine took meanwhile; each process may use at most
``--memory-limit`` GiB (so that a baseline fails with MemoryError rather than exhausting a shared
machine). The code under test is a copy of ``kg/``, ``ontology/`` and ``queries/`` taken when the
run starts, from the working tree or from ``--commit`` (into ``--work``/code, first on
PYTHONPATH), so that edits to the working tree during a long run change nothing, not even the
build cache's key. Nothing here asserts anything about time: it measures and prints.

Per size:

* the build, as the real command (``cartkg build``, process start and imports included) on a
  copy of the corpus: a clean build (``--clean``, empty output folder); the same command again
  with nothing changed (``--repeat`` times); then ``--repeat`` times: edit one claim of one
  article (its ``note``, which the graph keeps as the assertion's ``rdfs:comment``) and build
  again; then a clean build of the edited corpus into a second folder, and every file of the two
  ``dataset/`` folders compared byte for byte;
* the floor, pyoxigraph alone: parse every shard the build wrote and write them out as one
  N-Quads file (``--repeat`` times); and rdflib's default in-memory store doing the same
  (``Dataset.parse`` of every shard, ``serialize`` to N-Quads), with a timeout, up to
  ``--rdflib-max-articles`` (above, its time is scaled from the last size by the triples);
* the engine's floor for queries: raw Oxigraph scanning the assertions and looking up one or
  two values of each (``children.ENGINE_FLOOR``), no logic of ours, so that the queries' growth
  can be read against the engine's own (this process opens the store first, and so brings the
  on-disk index up to date after the builds);
* each query of ``queries/*.rq`` with its example parameters, each in a process of its own that
  opens the store, as ``cartkg query NAME`` does (in a shared process a large query slowed the
  next ones by ~30%): ``kg.query.run.run_query`` and raw ``pyoxigraph.Store.query`` (rows read),
  medians of ``--runs``; then ``kg.query.run.run_query_rdflib`` on rdflib's in-memory dataset (all
  queries in one process), each run stopped after ``max(--rdflib-min, 25 x run_query's
  median)`` seconds (at most ``--rdflib-timeout``), which is enough to tell whether rdflib is 20
  times slower (up to ``--rdflib-max-articles``);
* every export format of ``kg.export.export``, and tracing one entity (``kg.provenance.trace``).

Other work on a shared machine only adds time, so the ratios take the fastest of the runs of a
step; the tables show the median and the slowest too. The last section checks the targets
(docs/benchmarks.md) at the largest size measured.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import filecmp
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import report

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CARTKG = str(Path(sys.executable).parent / "cartkg")
REAL_SOURCES = ROOT / "sources"
CODE = ("kg", "ontology", "queries")
TRACE_ENTITY = "bms-986353"

Result = dict[str, Any]


# --- running measured processes -------------------------------------------------------------


class Runner:
    """Runs commands under ``proctree.py`` with the code snapshot first on PYTHONPATH."""

    def __init__(self, work: Path, code: Path, memory_gb: float) -> None:
        self.work = work
        self.memory_mb = memory_gb * 1024
        self.logs = work / "logs"  # every command's stdout, numbered in the order run
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        self.env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"}
        self.count = 0

    def tree(self, command: list[str], timeout: float, label: str) -> tuple[Result, str]:
        """Run ``command``; its measurement and its stdout."""
        self.count += 1
        stdout = self.logs / f"{self.count:03d}-{re.sub(r'[^a-z0-9.-]+', '-', label)}.txt"
        wrapper = [PYTHON, str(HERE / "proctree.py"), "--timeout", str(timeout),
                   "--memory-mb", str(self.memory_mb), "--stdout", str(stdout), "--", *command]
        try:
            done = subprocess.run(wrapper, capture_output=True, text=True, env=self.env,
                                  cwd=self.work, timeout=timeout + 300, check=False)
        except subprocess.TimeoutExpired:
            return {"failed": f"the wrapper did not finish in {timeout + 300:g} s"}, ""
        output = stdout.read_text(encoding="utf-8", errors="replace") if stdout.exists() else ""
        for line in done.stdout.splitlines():
            if line.startswith("TREE "):
                measured: Result = json.loads(line[5:])
                measured.pop("command", None)
                if measured["timed_out"]:
                    measured["failed"] = f"timed out after {timeout:g} s"
                elif measured["exit"] != 0:
                    tail = measured["stderr"].strip().splitlines()[-3:]
                    measured["failed"] = f"exit {measured['exit']}: " + " | ".join(tail)
                if "failed" not in measured:
                    measured.pop("stderr", None)
                return measured, output
        return {"failed": "proctree: " + (done.stderr.strip()[-300:] or "no result")}, output

    def child(self, task: str, limit: float, **options: Any) -> tuple[Result, str]:
        """Run one task of ``children.py`` for at most ``limit`` seconds.

        Returns its measurement (with the child's ``result``) and its stdout.
        """
        command = [PYTHON, str(HERE / "children.py"), task]
        for key, value in options.items():
            command += [f"--{key}", str(value)]
        label = f"{task}-{options.get('format') or options.get('names') or ''}"
        measured, output = self.tree(command, limit, label)
        for line in output.splitlines():
            if line.startswith("RESULT "):
                measured["result"] = json.loads(line[7:])
        return measured, output


def snapshot_code(work: Path, commit: str | None) -> Result:
    """Copy the code under test into ``work/code``: from the working tree, or from a commit.

    Returns what was copied: the commit, the files that differ from it, a digest of the copy.
    """
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True)
        return done.stdout.strip()

    if commit:
        code.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit, *CODE], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
        changed: list[str] = []
    else:
        for name in CODE:
            shutil.copytree(ROOT / name, code / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        changed = git("status", "--porcelain", "--", *CODE).splitlines()
    digest = hashlib.sha256()
    for path in sorted(p for p in code.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(code)).encode() + b"\0" + path.read_bytes())
    # Compiled once, as an installed package is: the measured processes read the bytecode (they
    # never write any: PYTHONDONTWRITEBYTECODE) instead of compiling every module they import,
    # 0.08-0.1 s at each start of `cartkg`.
    compileall.compile_dir(str(code / "kg"), quiet=1)
    return {"path": str(code), "commit": git("rev-parse", "--short", commit or "HEAD"),
            "changed": changed, "digest": digest.hexdigest()[:12]}


# --- the corpus and the edit ----------------------------------------------------------------


def prepare_corpus(size: int, runner: Runner, seed: int) -> tuple[Path, Result]:
    """A fresh copy of the corpus for ``size`` in the work folder (the builds edit it)."""
    target = runner.work / f"sources-{size}"
    shutil.rmtree(target, ignore_errors=True)
    if size == 3 and (REAL_SOURCES / "articles").is_dir():
        shutil.copytree(REAL_SOURCES, target)
        return target, {"kind": "real corpus", "from": str(REAL_SOURCES)}
    start = time.perf_counter()
    done = subprocess.run([CARTKG, "synth", "--articles", str(size), "--seed", str(seed),
                           "--out", str(target)], env=runner.env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"cartkg synth failed: {done.stderr.strip()}")
    return target, {"kind": "synthetic", "from": f"cartkg synth --articles {size} --seed {seed}",
                    "generated": time.perf_counter() - start}


def edit_one_claim(sources: Path, count: int) -> Result:
    """Set the ``note`` of the first claim of the middle article: a valid, one-article change."""
    folders = sorted(p for p in (sources / "articles").iterdir() if p.is_dir())
    folder = folders[len(folders) // 2]
    path = folder / "evidence.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if re.match(r"\s*- id: ", line))
    indent = " " * (lines[first].index("-") + 2)
    claim = lines[first].split("id:", 1)[1].strip()
    note = f'{indent}note: "Edited by benchmarks/run.py ({count})."'
    end = next((i for i in range(first + 1, len(lines))
                if re.match(r"\s*- id: ", lines[i]) or not lines[i].strip()), len(lines))
    existing = [i for i in range(first + 1, end) if lines[i].startswith(indent + "note:")]
    if existing:
        lines[existing[0]] = note  # a one-line note (what synth and this function write)
    else:
        lines.insert(first + 1, note)
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"article": folder.name, "claim": claim}


def compare_datasets(a: Path, b: Path) -> Result:
    """Every file under two dataset folders, compared byte for byte."""
    def files(folder: Path) -> set[str]:
        return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}

    left, right = files(a), files(b)
    different = sorted(n for n in left & right if not filecmp.cmp(a / n, b / n, shallow=False))
    only = sorted(left ^ right)
    return {"identical": not different and not only and bool(left), "files": len(left),
            "different": different[:10], "only_in_one": only[:10]}


# --- the measurements of one size -----------------------------------------------------------


def _build(runner: Runner, sources: Path, out: Path, label: str, timeout: float,
           clean: bool = False) -> Result:
    command = [CARTKG, "build", "--sources", str(sources), "--out", str(out)]
    measured, output = runner.tree(command + (["--clean"] if clean else []), timeout, label)
    parts = re.search(r"parts: (\d+) built, (\d+) unchanged", output)
    triples = re.search(r"^triples:\s+(\d+)", output, re.M)
    if parts:
        measured["built"], measured["reused"] = int(parts[1]), int(parts[2])
    if triples:
        measured["triples"] = int(triples[1])
    report.progress(label, measured)
    return measured


def measure_builds(size: int, sources: Path, runner: Runner, args: argparse.Namespace) -> Result:
    """Clean build, rebuilds with nothing changed, edit-one rebuilds, and the identity check."""
    out, check = runner.work / f"build-{size}", runner.work / f"check-{size}"
    for folder in (out, check):
        shutil.rmtree(folder, ignore_errors=True)
    timeout = args.build_timeout
    found: Result = {"clean": [_build(runner, sources, out, "clean build", timeout, True)]}
    if "failed" in found["clean"][0]:
        return found
    found["rebuild"] = [_build(runner, sources, out, "rebuild, nothing changed", timeout)
                        for _ in range(args.repeat)]
    found["edit"] = []
    for count in range(1, args.repeat + 1):
        found["edited"] = edit_one_claim(sources, count)
        found["edit"].append(_build(runner, sources, out, "rebuild after editing one claim",
                                    timeout))
    found["clean"].append(_build(runner, sources, check, "clean build of the edited corpus",
                                 timeout, True))
    found["identical"] = compare_datasets(out / "dataset", check / "dataset")
    print(f"  . edited {found['edited']['article']} (claim {found['edited']['claim']}); "
          f"rebuilt output identical to a clean build: "
          f"{'yes' if found['identical']['identical'] else 'NO'} "
          f"({found['identical']['files']} files compared)", flush=True)
    manifest = json.loads((out / "dataset" / "manifest.json").read_text(encoding="utf-8"))
    found["totals"] = {k: v for k, v in manifest["totals"].items() if k != "classes"}
    found["articles"] = len(manifest["parts"]) - 1
    shutil.rmtree(check, ignore_errors=True)
    return found


def not_run(args: argparse.Namespace) -> str:
    """Why an rdflib baseline was not run."""
    return f"not run above {args.rdflib_max_articles} articles (--rdflib-max-articles)"


def measure_baselines(size: int, out: Path, runner: Runner, args: argparse.Namespace) -> Result:
    """The floor (pyoxigraph) and rdflib's in-memory store, on the shards the build wrote."""
    target = runner.work / f"floor-{size}.nq"
    floors = []
    for _ in range(args.repeat):
        measured, _ = runner.child("floor", 900, data=out, target=target)
        report.progress("floor (pyoxigraph parse + write N-Quads)", measured)
        floors.append(measured)
    if size > args.rdflib_max_articles:
        rdf = {"failed": not_run(args)}
    else:
        rdf, _ = runner.child("rdflib-store", args.rdflib_store_timeout, data=out,
                              target=target)
    report.progress("rdflib Dataset parse + write N-Quads", rdf)
    target.unlink(missing_ok=True)
    return {"floor": floors, "rdflib_store": rdf}


def measure_queries(size: int, out: Path, names: list[str], runner: Runner,
                    args: argparse.Namespace) -> Result:
    """Each query on Oxigraph (run_query and raw), then on rdflib; see the module docstring."""
    queries: Result = {}
    processes = []
    floor, _ = runner.child("engine-floor", 1800, data=out, runs=min(args.runs, 3))
    report.progress("engine floor (raw Oxigraph: scans and look-ups, one row per assertion)",
                    floor)
    for name in names:  # one process per query, as `cartkg query NAME` runs it
        measured, output = runner.child("queries", 600 + args.query_timeout, data=out,
                                        names=name, runs=args.runs, timeout=args.query_timeout)
        measured["query"] = name
        processes.append(measured)
        started = False
        for line in output.splitlines():
            if line.startswith("START "):
                started = True
            elif line.startswith("QUERY "):
                result = json.loads(line[6:])
                queries[result.pop("name")] = result
            elif line.startswith("LOAD "):
                measured["load"] = json.loads(line[5:])["load"]
        if name not in queries:  # stopped while it ran (SIGALRM: over --query-timeout), or before
            queries[name] = ({"timeout": args.query_timeout}
                             if started and measured.get("exit") == -14
                             else {"failed": measured.get("failed", "no result")})
        report.progress(f"query {name}",
                        {**queries[name], "max_rss_mb": measured.get("max_rss_mb")})
    if size > args.rdflib_max_articles:
        return {"oxigraph": queries, "processes": processes, "engine_floor": floor,
                "rdflib": {}, "rdflib_process": {"failed": not_run(args)}}
    limits = {name: min(args.rdflib_timeout, max(args.rdflib_min, 25 * (q.get("kg") or 1e9)))
              for name, q in queries.items() if "error" not in q}
    rdf, output = runner.child("queries-rdflib", args.rdflib_budget + 1800, data=out,
                               runs=min(args.runs, 3), limits=json.dumps(limits),
                               budget=args.rdflib_budget)
    rdflib_queries: Result = {}
    for line in output.splitlines():
        if line.startswith("QUERY "):
            result = json.loads(line[6:])
            rdflib_queries[result.pop("name")] = result
        elif line.startswith("LOAD "):
            rdf["load"] = json.loads(line[5:])["load"]
    report.progress("rdflib queries (all)", rdf)
    return {"oxigraph": queries, "processes": processes, "engine_floor": floor,
            "rdflib": rdflib_queries, "rdflib_process": rdf}


def measure_outputs(size: int, out: Path, exports: dict[str, Any], runner: Runner,
                    args: argparse.Namespace) -> Result:
    """Tracing one entity, and each export format."""
    trace, _ = runner.child("trace", 900, data=out, entity=TRACE_ENTITY, runs=args.runs)
    report.progress(f"trace {TRACE_ENTITY}", trace)
    found: Result = {}
    folder = runner.work / f"export-{size}"
    failed: dict[bool, str] = {}  # a projected format failed, or an RDF one: the others too?
    for name, exporter in exports.items():
        kind = exporter["projected"]
        if kind in failed:  # they share the step that failed: projecting, or reading all quads
            found[name] = {"failed": f"skipped: {failed[kind]} failed ("
                           + ("projects the same property graph" if kind else "reads the same "
                              "quads") + ")"}
        else:
            found[name], _ = runner.child("export", args.export_timeout, data=out, format=name,
                                          target=folder / name / exporter["filename"])
            if "failed" in found[name]:
                failed[kind] = name
        report.progress(f"export {name}", found[name])
    shutil.rmtree(folder, ignore_errors=True)
    return {"trace": trace, "export": found}


def estimate_rdflib_store(r: Result, previous: Result | None) -> None:
    """When rdflib's parse + write did not finish, scale the last size's time by the triples."""
    if previous is None or "failed" not in r.get("rdflib_store", {}):
        return
    done = previous.get("rdflib_store", {})
    if "failed" in done or "wall" not in done or not previous.get("totals"):
        return
    scale = r["totals"]["triples"] / previous["totals"]["triples"]
    r["rdflib_store_estimate"] = {"wall": done["wall"] * scale, "from": previous["size"],
                                  "scale": scale}


def run_size(size: int, runner: Runner, inventory: Result, args: argparse.Namespace,
             previous: Result | None) -> Result:
    """Every measurement for one corpus size; prints its tables and returns the results."""
    sources, corpus = prepare_corpus(size, runner, args.seed)
    results: Result = {"size": size, "sources": str(sources), **corpus}
    report.heading(results)
    results.update(measure_builds(size, sources, runner, args))
    out = runner.work / f"build-{size}"
    if "failed" in results["clean"][0]:
        report.print_size(results)
        return results
    results.update(measure_baselines(size, out, runner, args))
    estimate_rdflib_store(results, previous)
    if not args.builds_only:
        results["queries"] = measure_queries(size, out, inventory["queries"], runner, args)
        if not args.no_outputs:
            results.update(measure_outputs(size, out, inventory["exports"], runner, args))
    report.print_size(results)
    return results


# --- the run --------------------------------------------------------------------------------


def machine() -> str:
    """The machine and the versions the numbers were taken with."""
    from importlib.metadata import version

    with open("/proc/meminfo", encoding="ascii") as handle:
        memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    cpu = "?"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    packages = ", ".join(f"{p} {version(p)}" for p in
                         ("pyoxigraph", "rdflib", "pyshacl", "PyYAML", "owlrl"))
    return (f"{os.cpu_count()} cores (nproc) of {cpu}, {memory} memory, "
            f"{platform.platform()}; Python {platform.python_version()}; {packages}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="3,100,1000",
                        help="corpus sizes in articles; 3 is the real corpus (default 3,100,1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the rebuild, the edit-one rebuild and the floor (median)")
    parser.add_argument("--work", default="/tmp/cartkg-bench",
                        help="where the code snapshot, corpora and builds are written")
    parser.add_argument("--build-timeout", type=float, default=3600)
    parser.add_argument("--query-timeout", type=float, default=300,
                        help="seconds one Oxigraph query may take (all its runs, run_query and "
                        "raw: at 10,000 articles the largest took 2 x 57-81 s on a slow machine)")
    parser.add_argument("--rdflib-min", type=float, default=5,
                        help="seconds an rdflib query run may always take")
    parser.add_argument("--rdflib-timeout", type=float, default=150,
                        help="seconds an rdflib query run may take at most (at 1,000 articles "
                        "the largest queries take 4-6 s: 60 s showed them only 10-14x slower in "
                        "rdflib, not whether 20x)")
    parser.add_argument("--rdflib-budget", type=float, default=1800,
                        help="seconds for all rdflib query runs of one size")
    parser.add_argument("--rdflib-max-articles", type=int, default=1000,
                        help="run the rdflib baselines only up to this size; above it, the "
                        "parse + write time is scaled from the last size measured (rdflib takes "
                        "~1.6 GB per 1,000 articles)")
    parser.add_argument("--rdflib-store-timeout", type=float, default=900,
                        help="seconds for rdflib's parse + write of the dataset")
    parser.add_argument("--export-timeout", type=float, default=600,
                        help="seconds for one export format (store load included); when a "
                        "format fails, the others of its kind (property graph, RDF) are skipped")
    parser.add_argument("--memory-limit", type=float, default=10,
                        help="GiB of data segment each measured process may take (RLIMIT_DATA): "
                        "over it, a baseline fails with MemoryError instead of exhausting the "
                        "machine (default 10)")
    parser.add_argument("--builds-only", action="store_true",
                        help="measure the builds and the baselines only (no queries, trace, "
                        "export): to measure the build targets again, e.g. on a quieter machine")
    parser.add_argument("--no-outputs", action="store_true",
                        help="measure no export and no trace (builds, baselines and queries "
                        "only): on a slow machine, the queries' growth in less time")
    parser.add_argument("--commit", help="measure the code of this commit (kg/, ontology/, "
                        "queries/) instead of the working tree's")
    parser.add_argument("--json", help="write the raw results to this file (after each size)")
    parser.add_argument("--report", help="print the tables of a --json file; measure nothing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Measure every size (or print a saved run), then check the targets."""
    args = parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text(encoding="utf-8"))
        report.print_run(saved)
        return
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    code = snapshot_code(work, args.commit)
    runner = Runner(work, Path(code["path"]), args.memory_limit)
    run: Result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
        "command": " ".join([Path(PYTHON).name, *sys.argv]), "code": code, "results": []}
    report.header(run)
    imports, _ = runner.child("imports", 300)
    inventory, _ = runner.child("inventory", 300)
    run["imports"] = imports
    if "failed" in inventory:
        raise SystemExit(f"cannot list the queries and export formats: {inventory['failed']}")
    print(f"peak RSS of Python with pyoxigraph, rdflib, pyshacl and kg imported: "
          f"{imports.get('max_rss_mb', 0):.0f} MB", flush=True)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        previous = run["results"][-1] if run["results"] else None
        run["results"].append(run_size(size, runner, inventory["result"], args, previous))
        if args.json:
            Path(args.json).write_text(json.dumps(run, indent=1), encoding="utf-8")
    report.print_summary(run)


if __name__ == "__main__":
    main()
