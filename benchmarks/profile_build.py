"""Where the build's time goes: ``build_dataset`` under cProfile, by step and library.

Run from the project root, e.g.::

    nice -n 10 .venv/bin/python benchmarks/profile_build.py --articles 1000

Profiles three builds into a fresh output folder, all in this one process (``jobs=1``, so that
the workers' time is seen): a clean build, a rebuild with nothing changed, and a rebuild after
editing one claim (as ``benchmarks/run.py`` does). For each it prints the cumulative time of the
build's steps (read and verify an article, emit, convert to rdflib, pyshacl, the integrity
checks, count, serialise, write, the cache and the manifest), the self time per library, and the
functions with the most self time. cProfile slows pure-Python code about twofold and C code
hardly at all, so read the shares rather than the absolute seconds; ``benchmarks/run.py`` gives
the unprofiled times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

#: The build's steps: (label, file name, function name); cumulative time, nested steps included.
STEPS = [
    ("registry and shapes (Context.load)", "parts.py", "load"),
    ("  read the shapes (load_shapes)", "validate.py", "load_shapes"),
    ("  prepare the shapes (core_shapes)", "validate.py", "core_shapes"),
    ("which articles to reuse (_Plan.reuse_articles)", "build.py", "reuse_articles"),
    ("read and verify an article (load_article)", "sources.py", "load_article"),
    ("emit an article (emit_article)", "emit.py", "emit_article"),
    ("validate a chunk (shacl_violations)", "validate.py", "shacl_violations"),
    ("  to an rdflib graph (union_graph)", "validate.py", "union_graph"),
    ("  pyshacl (validate)", "entrypoints.py", "validate"),
    ("  quote and checksum rules (integrity_violations)", "validate.py",
     "integrity_violations"),
    ("  results to sources (_origins)", "validate.py", "_origins"),
    ("count a part (part_stats)", "parts.py", "part_stats"),
    ("serialise a shard (serialize_shard)", "parts.py", "serialize_shard"),
    ("write a shard (_write)", "parts.py", "_write"),
    ("what a part names (_names)", "parts.py", "_names"),
    ("link unchanged shards (dataset.link)", "dataset.py", "link"),
    ("manifest (_manifest)", "build.py", "_manifest"),
    ("publish the folder (dataset.publish)", "dataset.py", "publish"),
    ("part keys (BuildCache.key)", "buildcache.py", "key"),
    ("files read for a key (file_digest)", "buildcache.py", "file_digest"),
    ("save the cache (BuildCache.save)", "buildcache.py", "save"),
    ("read the cache (BuildCache.__init__)", "buildcache.py", "__init__"),
    ("records from the cache (from_record)", "buildcache.py", "from_record"),
]


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


def _raw(stats: pstats.Stats) -> dict[Any, Any]:
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return table


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Self time per library."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _func), (_cc, _nc, tt, _ct, _callers) in _raw(stats).items():
        totals[_package(filename)] += tt
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def cumulative(stats: pstats.Stats, file: str, name: str) -> tuple[float, int]:
    """Cumulative seconds and calls of the function ``name`` defined in a file named ``file``."""
    seconds, calls = 0.0, 0
    for (filename, _line, func), (_cc, nc, _tt, ct, _callers) in _raw(stats).items():
        if func == name and Path(filename).name == file:
            seconds, calls = max(seconds, ct), calls + nc
    return seconds, calls


def top(stats: pstats.Stats, count: int) -> list[tuple[str, float, int]]:
    """The functions with the most self time: (where, seconds, calls)."""
    rows = []
    for (filename, line, func), (_cc, nc, tt, _ct, _callers) in _raw(stats).items():
        where = f"{_package(filename)}:{Path(filename).name}:{line}({func})" \
            if filename != "~" else func
        rows.append((where, tt, nc))
    return sorted(rows, key=lambda r: -r[1])[:count]


def profile(name: str, fn: Any, count: int) -> None:
    """Run ``fn`` under cProfile and print where its time went."""
    profiler = cProfile.Profile()
    start = time.perf_counter()
    result = profiler.runcall(fn)
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    print(f"\n## {name}: {wall:.2f} s profiled ({result.rebuilt} parts built, "
          f"{result.reused} reused)\n")
    print("| step | cumulative s | share | calls |\n|---|---|---|---|")
    for label, file, func in STEPS:
        seconds, calls = cumulative(stats, file, func)
        if calls:
            print(f"| {label} | {seconds:.2f} | {seconds / wall:.0%} | {calls} |")
    packages = by_package(stats)
    spent = sum(packages.values()) or 1
    print("\nself time by library: " + ", ".join(
        f"{p} {t:.2f} s ({t / spent:.0%})" for p, t in packages.items() if t / spent >= 0.01))
    print(f"\ntop {count} functions by self time:\n")
    print("| function | self s | calls |\n|---|---|---|")
    for where, seconds, calls in top(stats, count):
        print(f"| `{where}` | {seconds:.2f} | {calls} |")


def main(argv: list[str] | None = None) -> None:
    """Profile a clean build, a rebuild, and a rebuild after editing one claim."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000,
                        help="size of the synthetic corpus to profile (with --seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", help="profile these sources (a copy) instead")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)

    from kg.build.build import build_dataset
    from kg.synth.corpus import generate_corpus

    sys.path.insert(0, str(HERE))
    from run import edit_one_claim

    work = Path(tempfile.mkdtemp(prefix="cartkg-profile-"))
    try:
        sources = work / "sources"
        if args.sources:
            shutil.copytree(args.sources, sources)
        else:
            generate_corpus(sources, args.articles, args.seed)
        out = work / "build"
        print(f"# Profile of the build of {args.sources or f'{args.articles} synthetic articles'}")
        profile("clean build", lambda: build_dataset(sources, out, jobs=1, clean=True), args.top)
        profile("rebuild, nothing changed", lambda: build_dataset(sources, out, jobs=1),
                args.top)
        edited = edit_one_claim(sources, 1)
        profile(f"rebuild after editing claim {edited['claim']} of {edited['article']}",
                lambda: build_dataset(sources, out, jobs=1), args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
