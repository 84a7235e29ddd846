"""The dataset as files: TriG, N-Quads and Turtle written in a canonical order, all or none.

Same quads, same bytes: each graph (or, for the union's Turtle, each subject) is written as a
block of its own, with the ``@prefix`` lines once, first, in a fixed order. Files are written to a
temporary name and renamed, so a failed write never leaves half-written output: every file cart-kg
writes goes through :func:`write_files`.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.core.vocab import ENTITY_KINDS, GRAPH, PREFIXES, RESOURCE
from kg.rdf.emit import Quads, sort_triples

Triples = tuple[ox.Triple, ...]

#: Prefixes for the files: one per entity kind, so that IRIs read as ``therapy:rese-cel``. IRIs
#: with a '/' in their local part (assertions, quotes, outcomes) are written in full.
FILE_PREFIXES = {
    **{k: v for k, v in PREFIXES.items() if k not in ("res", "graph")},
    **{kind.segment: f"{RESOURCE}{kind.segment}/" for kind in ENTITY_KINDS.values()},
    "article": f"{RESOURCE}article/",
    "provenance": f"{GRAPH}provenance/",
    "graph": str(GRAPH),
}

#: The dataset files a build writes, by role.
DATASET_FILES = {
    "trig": "cart-kg.trig",
    "nquads": "cart-kg.nq",
    "union": "cart-kg-union.ttl",
}

def serialize(quads: Quads, role: str) -> bytes:
    """Serialise canonical quads for one of :data:`DATASET_FILES`; same quads, same bytes."""
    return b"".join(serialized(groups(quads, role), role))


def groups(quads: Quads, role: str) -> Iterator[Quads] | Iterator[Triples]:
    """Canonical quads cut the way :func:`serialized` reads them.

    By graph; for the ``union`` role, the distinct triples of all graphs by subject. The same
    cuts as :meth:`GraphStore.graphs` and :meth:`GraphStore.subjects`.
    """
    if role == "union":
        triples = sort_triples(q.triple for q in quads)
        return (tuple(group) for _, group in itertools.groupby(triples, lambda t: t.subject))
    return (tuple(group) for _, group in itertools.groupby(quads, lambda q: q.graph_name))


def serialized(cut: Iterable[Quads] | Iterable[Triples], role: str) -> Iterator[bytes]:
    """The bytes of one of :data:`DATASET_FILES`, a group (a graph, a subject) at a time.

    The groups come from :func:`groups` or a store (``graphs()``, ``subjects()``); joined, the
    pieces are what serialising the whole dataset at once gives (Oxigraph writes each graph, each
    subject, as a block of its own), with the ``@prefix`` lines once, first, in a fixed order.
    """
    if role == "nquads":
        for group in cut:
            yield ox.serialize(group, format=ox.RdfFormat.N_QUADS) or b""
        return
    yield from prefixes_once(serialized_block(group, role) for group in cut)


def prefixes_once(blocks: Iterable[tuple[bytes, bytes]]) -> Iterator[bytes]:
    """One TriG or Turtle file of blocks of :func:`serialized_block`.

    The ``@prefix`` lines of the first block, then every block's body.
    """
    first = True
    for header, body in blocks:
        if first:
            yield header
            first = False
        yield body


def serialized_block(group: Quads | Triples, role: str) -> tuple[bytes, bytes]:
    """One group (a graph, a subject) as TriG (``role`` "trig") or Turtle.

    Its ``@prefix`` lines, in a fixed order, and the rest.
    """
    fmt = ox.RdfFormat.TRIG if role == "trig" else ox.RdfFormat.TURTLE
    return _prefix_lines(ox.serialize(group, format=fmt, prefixes=FILE_PREFIXES) or b"")


def _prefix_lines(data: bytes) -> tuple[bytes, bytes]:
    """The leading ``@prefix`` lines, in a fixed order whatever order the writer chose; the rest."""
    lines = data.split(b"\n")
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix")),
                 len(lines))
    header = b"".join(line + b"\n" for line in sorted(lines[:count]))
    return header, b"\n".join(lines[count:])


class OutputRefused(OSError):
    """An output path that names something the project did not make (a device, a pipe, a folder).

    An :class:`OSError`, so that every command that reports write errors reports this one too.
    """


def check_output(path: Path) -> None:
    """Refuse to replace ``path`` unless it is absent, a regular file or a symbolic link.

    A rename over a device node (``/dev/null``), a pipe, a socket or a folder would replace what
    the system or the user keeps there; a symbolic link is itself replaced, never what it names.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return
    what = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device, a pipe or a socket)"
    raise OutputRefused(errno.EEXIST, f"it exists and is {what}, which cart-kg never replaces",
                        str(path))


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    ``data`` is bytes, or pieces written as they come; a failure midway leaves nothing.
    """
    write_files({path: data})


#: The temporary files of :func:`write_files`: ``.<name>.<pid>.<random>.tmp`` beside the target,
#: so that a later run can tell those of a process that is gone (killed) from those of one that
#: is still writing.
_TEMP = ".{name}.{pid}."
#: A temporary file of :func:`write_files` (``mkstemp`` adds 8 characters of a-z, 0-9 and '_').
_TEMP_NAME = re.compile(r"^\..+\.([0-9]+)\.[a-z0-9_]{8}\.tmp$")


def write_files(files: Mapping[Path, bytes | Iterable[bytes]]) -> None:
    """Write several files all or none: each to a temporary name, renamed once all are written.

    This is the one way cart-kg writes a file. Before writing, each path is checked (see
    :func:`check_output`) and the temporary files a killed run left beside it are removed. While
    writing, SIGTERM and SIGHUP unwind like Ctrl-C (when they would otherwise kill the process at
    once), so that the temporary files are removed on every signal that can be caught.
    """
    for path in files:
        check_output(path)
    written: list[tuple[str, Path]] = []
    try:
        with _signals_unwind():
            for path, data in files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                remove_leftovers(path)
                fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp",
                                           prefix=_TEMP.format(name=path.name, pid=os.getpid()))
                written.append((tmp, path))
                with os.fdopen(fd, "wb") as handle:
                    for piece in [data] if isinstance(data, bytes) else data:
                        handle.write(piece)
                os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for other tools too
            for tmp, path in written:
                check_output(path)  # again: nothing may have taken its place meanwhile
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)
        for data in files.values():  # a generator stopped early lets go of what it holds now
            close = getattr(data, "close", None)
            if close is not None:
                close()
        raise


#: The folders whose leftovers this process has removed: each is looked through once, so that a
#: build writing 10,000 shards into one folder does not list it 10,000 times.
_SWEPT: set[str] = set()


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temporary files that runs since killed left in ``path``'s folder; return them.

    Once per folder and process (see :data:`_SWEPT`).
    """
    folder = os.path.abspath(path.parent)
    if folder in _SWEPT:
        return []
    _SWEPT.add(folder)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match is not None and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # its own are removed by write_files itself, on any exception
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _signals_unwind() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise SystemExit where they would kill the process.

    Only in the main thread (the only one that may set handlers), and only for a signal whose
    handler is the default: a command that set its own keeps it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) == signal.SIG_DFL:
            before[signum] = signal.signal(signum, _unwind)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _unwind(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def write_dataset(quads: Quads, out: Path) -> dict[str, Path]:
    """Write the dataset files into ``out``, all or none (see :func:`write_files`)."""
    written = {role: out / name for role, name in DATASET_FILES.items()}
    write_files({path: serialized(groups(quads, role), role) for role, path in written.items()})
    return written
