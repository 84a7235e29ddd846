"""Run one command and measure its whole process tree: wall time, CPU time, peak memory.

Usage (what ``benchmarks/run.py`` does for every measurement)::

    python benchmarks/proctree.py --timeout 600 --stdout out.txt -- cartkg build ...

Prints one line, ``TREE {json}``. The command's own stdout goes to ``--stdout``.

``cartkg build`` validates in worker processes forked by a multiprocessing forkserver; they are
grandchildren of the command, and the forkserver outlives the command by a moment. ``time -v`` and
``ru_maxrss`` of the command alone miss them. So this wrapper makes itself a *child subreaper*
(``prctl(PR_SET_CHILD_SUBREAPER)``): every process the command leaves behind is re-parented to it
and reaped by it, and ``getrusage(RUSAGE_CHILDREN)`` then covers the whole tree exactly:

* ``cpu``: user + system seconds of every process of the tree;
* ``max_rss_mb``: the peak RSS of the largest single process (the kernel's high-water mark);
* ``tree_rss_mb`` / ``tree_pss_mb``: the peak of the summed RSS and of the summed PSS of the
  processes alive at once, sampled from ``/proc`` every ~50 ms (PSS every ~250 ms). RSS counts
  pages shared by forked workers once per process; PSS divides them among the processes sharing
  them;
* ``others_cores``: CPU time the rest of the machine used while the command ran (``/proc/stat``
  minus the tree's CPU), over the wall time: how many cores other work took.

The wall time runs from the start of the command to its exit. One wrapper per measurement, so
that the kernel's high-water mark is this command's alone.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass  # the process ended while we looked
    return found


def tree(root: int) -> list[int]:
    """The descendants of ``root`` (not ``root`` itself)."""
    found, todo = [], _children(root)
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += _children(pid)
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / TICKS


def loadavg() -> str:
    """The first three fields of /proc/loadavg."""
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


class Sampler(threading.Thread):
    """Samples the summed RSS (every time) and PSS (every fifth time) of the tree under us.

    PSS is read from ``smaps_rollup``, which walks a process's page tables: sampled less often,
    so that the sampling takes little CPU from what it measures (it is reported as
    ``sampler_cpu``).
    """

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stop = threading.Event()
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0

    def run(self) -> None:
        """Sample until told to stop."""
        me = os.getpid()
        count = 0
        while not self.stop.is_set():
            pids = tree(me)
            self.peak_rss = max(self.peak_rss, sum(_rss(p) for p in pids))
            self.peak_processes = max(self.peak_processes, len(pids))
            if count % 5 == 0:
                self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            count += 1
            self.stop.wait(self.interval)


def _reap_all() -> None:
    """Wait for every remaining descendant (re-parented here), so that its usage is counted."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def run_tree(command: list[str], timeout: float, stdout: Path | None,
             memory_mb: float | None = None) -> dict[str, Any]:
    """Run ``command`` and measure its tree (see the module's docstring).

    ``memory_mb`` limits the data segment of every process of the tree (``RLIMIT_DATA``: heap
    and private mappings), so that a baseline that would take the machine's memory fails with
    MemoryError instead of calling in the kernel's OOM killer.
    """
    def limit() -> None:
        if memory_mb:
            size = int(memory_mb * MB)
            resource.setrlimit(resource.RLIMIT_DATA, (size, size))

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    sampler = Sampler()
    load_before = loadavg()
    busy = machine_busy()
    own = resource.getrusage(resource.RUSAGE_SELF)
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    sampler.start()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=limit)

    def stop(signum: int, frame: Any) -> None:  # stopped ourselves: stop the command's group too
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timed_out = False
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    wall = time.perf_counter() - start
    if timed_out:  # workers in the same process group are gone too; anything else goes now
        for pid in tree(os.getpid()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    _reap_all()
    tree_wall = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    busy = machine_busy() - busy
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    mine = resource.getrusage(resource.RUSAGE_SELF)  # this wrapper's own sampling
    sampler_cpu = mine.ru_utime + mine.ru_stime - own.ru_utime - own.ru_stime
    busy -= sampler_cpu
    if out is not subprocess.DEVNULL:
        out.close()  # type: ignore[union-attr]
    return {
        "command": command, "exit": process.returncode, "timed_out": timed_out,
        "wall": wall, "tree_wall": tree_wall, "cpu": cpu, "cores": cpu / wall if wall else 0,
        "max_rss_mb": usage.ru_maxrss / 1024, "tree_rss_mb": sampler.peak_rss / MB,
        "tree_pss_mb": sampler.peak_pss / MB, "processes": sampler.peak_processes,
        "others_cores": max(0.0, busy - cpu) / tree_wall if tree_wall else 0,
        "sampler_cpu": sampler_cpu,
        "load_before": load_before, "load_after": loadavg(),
        "stderr": err.decode("utf-8", "replace")[-4000:],
    }


def main() -> None:
    """Parse arguments, run the command, print ``TREE {json}``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--stdout", type=Path, help="where the command's stdout goes")
    parser.add_argument("--memory-mb", type=float, help="RLIMIT_DATA of every process")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    result = run_tree(command, args.timeout, args.stdout, args.memory_mb)
    print("TREE " + json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
