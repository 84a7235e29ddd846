"""Bounds on one long step (a query): a time limit, a memory limit, and Ctrl-C that works.

Oxigraph evaluates a query in Rust without returning to Python until it has a row (all rows, for
an aggregate or an ORDER BY), so neither Python's Ctrl-C (a ``KeyboardInterrupt`` raised between
bytecodes) nor an alarm can stop it, and an allocation the system refuses aborts the process. The
evaluation does let other threads run, so :func:`bounded` starts a watcher thread that stops the
process with a clear message, exit code 2 (130 for Ctrl-C), when

- the time limit passes,
- the process's resident memory passes the memory limit (polled every :data:`POLL` seconds, so
  the process stops before the system refuses an allocation), or
- SIGINT (Ctrl-C) or SIGTERM arrives: the signal is seen through a wake-up pipe
  (``signal.set_wakeup_fd``), whichever thread the system delivers it to.

Stopping means ``os._exit``: nothing is left to clean up (a query writes nothing, and prints its
rows only once it has all of them), and it is the only way to stop Rust code from Python.

The watcher costs one thread and a pipe per bounded step: about 0.4 ms, against a query's
milliseconds (measure with ``python -m timeit -s "from kg.core.limits import bounded"
"with bounded(60, None): pass"``).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

#: Seconds between two looks at the clock and the memory.
POLL = 0.05
#: The share of the memory available when a step starts that it may take.
MEMORY_SHARE = 0.75


class Stop(Exception):
    """Why a bounded step was stopped, and the exit code to stop with."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _exit(stop: Stop) -> None:
    sys.stdout.flush()
    sys.stderr.write(f"error: {stop}\n")
    sys.stderr.flush()
    os._exit(stop.code)


def resident_bytes() -> int:
    """The resident memory of this process, in bytes (0 where ``/proc`` is not there)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def available_bytes() -> int | None:
    """The memory this process may still take, or None where it cannot be known.

    The system's available memory, or less under a control group's limit.
    """
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError), \
            open("/proc/meminfo", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    with contextlib.suppress(OSError, ValueError):
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text(encoding="ascii").strip()
        if limit != "max":
            found.append(int(limit) - int(used))
    return min(found) if found else None


def default_memory_limit() -> int | None:
    """The resident memory a bounded step may reach: what it holds now, and a share of the rest."""
    available = available_bytes()
    if available is None:
        return None
    return resident_bytes() + int(available * MEMORY_SHARE)


@contextlib.contextmanager
def bounded(seconds: float | None, memory: int | None, what: str = "the query", *,
            on_stop: Callable[[Stop], None] = _exit) -> Iterator[None]:
    """Run the block under a time limit (``seconds``) and a memory limit (``memory``, bytes).

    When a limit is passed or Ctrl-C is pressed, ``on_stop`` is called from the watcher thread
    with why (by default: print ``error: ...`` and exit). In the main thread only; elsewhere the
    block runs unbounded.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)
    done = threading.Event()
    watcher = threading.Thread(target=_watch, daemon=True, name="cartkg-limits",
                               args=(read, done, seconds, memory, what, on_stop))
    watcher.start()
    try:
        yield
    except KeyboardInterrupt:  # the signal came between two bytecodes: the same message
        raise Stop(_interrupted(what), 130) from None
    finally:
        done.set()
        os.write(write, b"\0")  # wake the watcher now
        watcher.join()
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGTERM, previous_term)
        os.close(read)
        os.close(write)


def _interrupted(what: str) -> str:
    return f"{what} was interrupted (Ctrl-C or a stop signal); nothing was printed."


def _watch(read: int, done: threading.Event, seconds: float | None, memory: int | None,
           what: str, on_stop: Callable[[Stop], None]) -> None:
    deadline = None if seconds is None else time.monotonic() + seconds
    while not done.is_set():
        ready, _, _ = select.select([read], [], [], POLL)
        if done.is_set():
            return
        if ready and any(b != 0 for b in os.read(read, 64)):
            on_stop(Stop(_interrupted(what), 130))
            return
        if deadline is not None and time.monotonic() > deadline:
            on_stop(Stop(f"{what} ran for more than {seconds:g} s and was stopped. Fix: narrow "
                         "it (a LIMIT, fewer unbound variables, no cross join), or give it more "
                         "time with --timeout SECONDS.", 2))
            return
        if memory is not None and resident_bytes() > memory:
            on_stop(Stop(f"{what} needed more than {memory // 2**20:,} MiB of memory and was "
                         "stopped before the system ran out. Fix: narrow it (a LIMIT, fewer "
                         "unbound variables, no cross join), or allow more with --max-memory MB.",
                         2))
            return
