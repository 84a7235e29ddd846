"""Memory given back to the system between the steps of long work.

Python and Oxigraph allocate through the C library's ``malloc``; glibc keeps what they free for
later allocations rather than giving it back, so a process's resident memory stays at the high
mark of each step (an Oxigraph query's hash joins, a dictionary of records) even once that memory
is free. :func:`release_freed_memory` asks glibc to give it back (``malloc_trim``), so that the
next step starts lower. Elsewhere (macOS, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


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
