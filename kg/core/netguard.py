"""Refuse network access while the graph is built or queried (DESIGN section 10).

A Python audit hook refuses socket connections, name look-ups and URL opens inside
:func:`no_network`. Oxigraph's own HTTP client is not seen by audit hooks, which is why
:mod:`kg.query.safety` also refuses ``SERVICE``, ``LOAD`` and ``FROM`` before any engine runs a
query.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_BLOCKED = contextvars.ContextVar("cartkg_no_network", default=False)
_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}
_installed = False


class NetworkRefused(RuntimeError):
    """Something tried to reach the network while cart-kg forbids it."""


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _EVENTS and _BLOCKED.get():
        raise NetworkRefused(f"network access refused ({event} {args[:2]!r}): cart-kg builds and "
                             "queries offline")


@contextmanager
def no_network() -> Iterator[None]:
    """Within this block, any attempt to open a socket or a URL raises :class:`NetworkRefused`."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    token = _BLOCKED.set(True)
    try:
        yield
    finally:
        _BLOCKED.reset(token)
