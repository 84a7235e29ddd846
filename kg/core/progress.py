"""Progress bars for long work, drawn on a terminal and silent everywhere else.

A bar is one line on stderr (label, bar, count/total, percent, elapsed, rate, status), redrawn in
place with ``\\r`` at most ten times a second. It is drawn only when stderr is a terminal, ``CI``
is unset (or ``0``/``false``) and ``TERM`` is not ``dumb``; ``CARTKG_PROGRESS=0`` turns it off
and ``CARTKG_PROGRESS=1`` on, whatever the stream. When off, nothing at all is written, and a
closed or broken stream is never an error. Draw one bar at a time::

    with progress("Validating", total=len(chunks)) as bar:
        for chunk in chunks:
            check(chunk)
            bar.advance()
    for article in track(articles, "Reading articles"):
        read(article)
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from types import TracebackType
from typing import TextIO, TypeVar

__all__ = ["Progress", "enabled", "progress", "track"]

T = TypeVar("T")


def enabled(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether a bar is drawn on ``stream`` under ``environ`` (default :data:`os.environ`)."""
    env = os.environ if environ is None else environ
    forced = env.get("CARTKG_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    if env.get("CI", "").strip().lower() not in ("", "0", "false") or env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, OSError, ValueError):  # no isatty, or a closed stream
        return False


def _duration(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


class Progress:
    """A progress bar: a context manager that draws on enter and finishes on exit."""

    def __init__(self, label: str, total: int | None = None, *, stream: TextIO | None = None,
                 leave: bool = True, clock: Callable[[], float] = time.monotonic,
                 interval: float = 0.1):
        self.label, self.total, self.count, self.status = label, total, 0, ""
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled(self.stream)
        self.leave, self._clock, self._interval = leave, clock, interval
        self._start = self._last = clock()
        self._drawn = 0  # width of the line on screen; 0 when nothing is
        encoding = (getattr(self.stream, "encoding", None) or "").lower().replace("-", "")
        self._fill = "█░" if encoding == "utf8" else "#-"
        try:  # a new pseudo-terminal may report 0 columns
            self._columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            self._columns = 0
        self._columns = self._columns or shutil.get_terminal_size().columns

    def advance(self, n: int = 1, *, status: str | None = None) -> None:
        """Count ``n`` more done; a new ``status`` (the current step) is drawn at once."""
        self.count += n
        changed = status is not None and status != self.status
        if status is not None:
            self.status = status
        now = self._clock()
        if changed or now - self._last >= self._interval:
            self._draw(now)

    def line(self, now: float) -> str:
        """The text of the bar at time ``now``, cut to the terminal's width."""
        elapsed = now - self._start
        parts = [f"{self.count}/{self.total}" if self.total else str(self.count)]
        if self.total:
            parts.append(f"{min(self.count / self.total, 1):4.0%}")
        parts.append(_duration(elapsed))
        if elapsed > 0 and self.count:
            parts.append(f"{self.count / elapsed:.1f}/s")
        tail = " ".join([*parts, self.status] if self.status else parts)
        if self.total:
            width = max(10, min(30, self._columns - len(self.label) - len(tail) - 5))
            done = min(width, width * self.count // self.total)
            tail = f"|{self._fill[0] * done}{self._fill[1] * (width - done)}| {tail}"
        return f"{self.label} {tail}"[: self._columns - 1]

    def clear(self) -> None:
        """Erase the bar (before printing something else); the next advance redraws it."""
        if self._drawn:
            self._write("\r" + " " * self._drawn + "\r")
            self._drawn = 0

    def close(self, ok: bool = True) -> None:
        """Finish: leave the final bar on its own line (if ``leave`` and ``ok``) or erase it."""
        if self.enabled and self.leave and ok:
            self._draw(self._clock())
            self._write("\n")
            self._drawn = 0
        self.clear()

    def _draw(self, now: float) -> None:
        if self.enabled:
            text = self.line(now)
            self._write("\r" + text.ljust(self._drawn))
            self._last, self._drawn = now, max(len(text), self._drawn)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # closed, broken pipe, unencodable
            self.enabled = False

    def __enter__(self) -> Progress:
        self._draw(self._clock())
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close(ok=kind is None)


def progress(label: str, total: int | None = None, *, leave: bool = True) -> Progress:
    """A bar on stderr for ``total`` steps (None: unknown), used as ``with ... as bar``."""
    return Progress(label, total, leave=leave)


def track(iterable: Iterable[T], label: str, total: int | None = None, *,
          leave: bool = True) -> Iterator[T]:
    """Yield the items of ``iterable``, advancing a bar after each (total from ``len``)."""
    if total is None and isinstance(iterable, Sized):
        total = len(iterable)
    with progress(label, total, leave=leave) as bar:
        for item in iterable:
            yield item
            bar.advance()
