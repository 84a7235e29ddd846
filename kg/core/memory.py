"""Memory given back to the system between the steps of long work.

Python and Oxigraph allocate through the C library's ``malloc``; glibc keeps what they free for
later allocations rather than giving it back, so a process's resident memory stays at the high
mark of each step (an Oxigraph query's hash joins, a dictionary of records) even once that memory
is free. :func:`release_freed_memory` asks glibc to give it back (``malloc_trim``), so that the
next step starts lower. Elsewhere (macOS, musl) it does nothing.

:func:`fewer_collections` makes Python's cyclic garbage collector run less often while work
makes millions of small objects that hold no cycles (a projected graph, its attribute dicts).
"""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@functools.cache
def _trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    trim: Callable[[int], int] | None = getattr(libc, "malloc_trim", None)
    return trim


def release_freed_memory() -> None:
    """Give the memory freed so far back to the system, where the C library can (glibc)."""
    trim = _trim()
    if trim is not None:
        trim(0)


#: The youngest generation's threshold inside :func:`fewer_collections`: collected after 50,000
#: allocations (Python's default is 700); the older generations' thresholds are left as they are.
YOUNGEST_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often inside the block; the thresholds are restored after.

    Garbage is still collected, only in larger steps: the property-graph exports of 1,000
    articles take 7-14% less time (neo4j 4.65 -> 4.00 s, HTML 10.7 -> 9.9 s), as
    the collector no longer scans the growing graph every 700 allocations.
    """
    before = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def collector_off() -> Iterator[None]:
    """No cyclic garbage collection inside the block (a build collects after each chunk itself).

    A build's cache is millions of small objects: a collector left to run on its own scans them
    again and again. The build frees its own cycles once per chunk (``gc.collect``), so the
    automatic collector is wasted time there. Made by the CLI around a build, not by the library.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
