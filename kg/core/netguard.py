"""Refuse network access while the graph is built or queried (DESIGN section 10).

A Python audit hook refuses socket connections, name look-ups and URL opens inside
:func:`no_network`. Oxigraph's own HTTP client is not seen by audit hooks, which is why
:mod:`kg.query.safety` also refuses ``SERVICE``, ``LOAD`` and ``FROM`` before any engine runs a
query.

Inside :func:`only_endpoint`, the one exception the user asks for: the named SPARQL endpoint (its
host and port, and the addresses its name resolves to) may be reached, and nothing else, even
inside :func:`no_network` (a redirect or a proxy elsewhere is refused the same way).
"""

from __future__ import annotations

import contextvars
import socket
import ssl
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

_BLOCKED = contextvars.ContextVar("cartkg_no_network", default=False)
#: The one host, port and resolved addresses that may be reached (None: no exception).
_ALLOWED: contextvars.ContextVar[tuple[str, int, frozenset[str]] | None] = \
    contextvars.ContextVar("cartkg_only_endpoint", default=None)
_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}
_installed = False


class NetworkRefused(RuntimeError):
    """Something tried to reach the network while cart-kg forbids it."""


def _allowed(event: str, args: tuple[Any, ...], host: str, port: int,
             addresses: frozenset[str]) -> bool:
    if event == "urllib.Request":
        url = urlsplit(str(args[0]))
        return url.hostname == host and (url.port or _PORTS.get(url.scheme)) == port
    if event == "socket.connect":
        address = args[1]
        return (isinstance(address, tuple) and address[0] in addresses | {host}
                and address[1] == port)
    return str(args[0]) == host


_PORTS = {"http": 80, "https": 443}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event not in _EVENTS:
        return
    allowed = _ALLOWED.get()
    if allowed is not None:
        if not _allowed(event, args, *allowed):
            raise NetworkRefused(f"network access refused ({event} {args[:2]!r}): cart-kg "
                                 f"reaches only the named endpoint {allowed[0]}:{allowed[1]}")
    elif _BLOCKED.get():
        raise NetworkRefused(f"network access refused ({event} {args[:2]!r}): cart-kg builds and "
                             "queries offline")


def _install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


@contextmanager
def no_network() -> Iterator[None]:
    """Within this block, any attempt to open a socket or a URL raises :class:`NetworkRefused`."""
    _install()
    token = _BLOCKED.set(True)
    try:
        yield
    finally:
        _BLOCKED.reset(token)


@contextmanager
def only_endpoint(url: str) -> Iterator[None]:
    """Within this block, only ``url``'s host and port may be reached; anything else is refused.

    The host's name is resolved once, on entry: a connection to one of its addresses, at the
    URL's port, is the only one allowed.
    """
    _install()
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or _PORTS.get(parts.scheme, 0)
    token = _ALLOWED.set((host, port, frozenset()))
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        addresses = frozenset(str(info[4][0]) for info in found)
        _ALLOWED.set((host, port, addresses))
        yield
    finally:
        _ALLOWED.reset(token)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the error it is: only the named URL is used


def guarded_opener(*extra: urllib.request.BaseHandler) -> urllib.request.OpenerDirector:
    """The HTTP client of every command that uses the network.

    No proxy from the environment, no redirect followed, TLS verified with the system's trust
    store; ``extra`` handlers (such as authentication) added. Open URLs with it inside
    :func:`only_endpoint`.
    """
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _NoRedirect(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()), *extra)
