"""A build's shards read directly: each checked against its manifest, the dataset in order.

A build writes the dataset as shards (see :mod:`kg.store.dataset`): canonical N-Quads, a quad a
line, sorted by graph, subject, predicate and object, and no graph in two shards. Reading everything
once from them takes time in proportion to the dataset, where reading it through the on-disk index
costs more per quad as the index grows (docs/decisions/0013 and 0015). Here:

- :func:`shard_bytes` and :func:`shard_quads`: one shard, checked against the SHA-256 that the
  manifest lists (the dataset was not rebuilt or damaged meanwhile);
- :func:`graph_texts`: every graph's N-Quads in canonical order (the default graph, then named
  graphs by IRI), each cut from its shard as it is, one shard in memory at a time;
- :func:`subject_groups`: the union of all graphs a subject at a time, in canonical order. A
  subject's triples may lie in several shards (a registry entity is described in the registry and
  named by claims), so each shard's subjects are first written to a temporary file of N-Triples,
  one block per subject, then read back in order: memory holds the list of subjects and one
  shard, never the dataset.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.rdf.emit import graph_key, sort_triples

#: A shard: its path and the SHA-256 its manifest lists.
Shard = tuple[Path, str]

_FIX = "Fix: rebuild the dataset with `cartkg build`, then run the command again."


class ShardError(Exception):
    """A shard is not the one its manifest lists, cannot be read, or is not a canonical shard."""


def shard_bytes(path: Path, sha256: str) -> bytes:
    """The bytes of one shard, checked against its digest."""
    return _read(path, sha256)[0]


#: What identifies a file's content without reading it: device, inode, size, modification time.
Stamp = tuple[int, int, int, int]


def _read(path: Path, sha256: str | None, stamp: Stamp | None = None) -> tuple[bytes, Stamp]:
    """A shard's bytes and stamp, checked against its digest, or else against its stamp.

    A shard read again is checked by its stamp, taken when its digest was checked: a rebuild
    replaces the file (another inode) and an edit changes its size or time.
    """
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            now = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
            if stamp is not None and now != stamp:
                raise ShardError(f"{path}: not the shard its manifest lists (changed since it "
                                 f"was first read): the dataset was rebuilt meanwhile, or the "
                                 f"file was changed. {_FIX}")
            data = handle.read()
    except OSError as err:
        raise ShardError(f"{path}: cannot be read ({err.strerror}); the dataset was rebuilt or "
                         f"removed meanwhile. {_FIX}") from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise changed_shard(path)
    return data, now


def line_changes(old: bytes, new: bytes) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads only ``old`` holds and those only ``new`` holds (N-Quads, a quad a line).

    Lines are compared as they are: for a shard written canonically (the analyses shard, blank
    node free), a line is a quad. Each list in the order of its lines.
    """
    before, after = set(old.splitlines()), set(new.splitlines())
    return _changed_lines(before - after), _changed_lines(after - before)


def _changed_lines(lines: set[bytes]) -> list[ox.Quad]:
    return list(ox.parse(b"\n".join(sorted(lines)), format=ox.RdfFormat.N_QUADS))


def changed_shard(path: Path) -> ShardError:
    """The error for a shard whose SHA-256 is not the one its manifest lists."""
    return ShardError(f"{path}: not the shard its manifest lists (another SHA-256): the dataset "
                      f"was rebuilt meanwhile, or the file was changed. {_FIX}")


def shard_quads(path: Path, sha256: str, token: bytes | None = None) -> list[ox.Quad]:
    """The quads of one shard, checked against its digest; with ``token``, of its lines naming it.

    N-Quads is a quad a line (a literal's line breaks are escaped), so the lines that hold
    ``token`` hold every quad whose predicate it is.
    """
    data = shard_bytes(path, sha256)
    if token is not None:
        data = b"\n".join(_lines_with(data, token))
    return _parsed(data, path)


def _parsed(data: bytes, path: Path) -> list[ox.Quad]:
    try:
        return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as err:
        raise invalid_shard(str(path), err) from None


def invalid_shard(where: str, err: SyntaxError) -> ShardError:
    """The error for shards (named by ``where``) that are not valid N-Quads."""
    return ShardError(f"{where}: not valid N-Quads: {err}. {_FIX}")


def _lines_with(data: bytes, token: bytes) -> Iterator[bytes]:
    """The lines of ``data`` that hold ``token``, each once."""
    at = data.find(token)
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        if end == -1:
            end = len(data)
        yield data[start:end]
        at = data.find(token, end)


# --- graphs ------------------------------------------------------------------------------------


def graph_runs(data: bytes, path: Path) -> list[tuple[str, int, int]]:
    """Where each graph's lines lie in a canonical shard: (graph key, start, end), in order.

    One line of each graph is parsed, for the graph's name; the graph's last line is the last
    one ending with that name (a line break ends a line only: literals escape theirs). The
    default graph, which sorts first and which no build writes, is read a line at a time.
    Raises :class:`ShardError` when the graphs' first lines are not in canonical order. Lines of
    another graph among a graph's own are not looked for (counting them cost 1.2 s of a 6-7 s
    N-Quads export at 10,000 articles): a shard checked against its manifest's digest is the
    build's, and the build writes each graph's lines in one run (the N-Quads export of a build
    folder equals the canonical N-Quads of its quads: tests/test_shards.py).
    """
    runs: list[tuple[str, int, int]] = []
    at, size = 0, len(data)
    while at < size:
        eol = data.find(b"\n", at)
        first_end = size if eol == -1 else eol + 1
        graph = _graph_of(data[at:first_end], path)
        if isinstance(graph, ox.DefaultGraph):
            end = first_end
            while end < size and isinstance(_graph_of(line := _line_at(data, end), path),
                                            ox.DefaultGraph):
                end += len(line)
        else:
            token = f" {graph} .\n".encode()
            end = _run_end(data, at, token)
            if end < first_end:
                raise ShardError(f"{path}: not a canonical shard (a line of {graph} does not "
                                 f"end with a line break). {_FIX}")
        key = graph_key(graph)
        if runs and key <= runs[-1][0]:
            raise ShardError(f"{path}: not a canonical shard (graph {graph} is out of order). "
                             f"{_FIX}")
        runs.append((key, at, end))
        at = end
    return runs


def _run_end(data: bytes, at: int, token: bytes) -> int:
    """The end of the lines from ``at`` on that end with ``token`` (-1 if the first does not).

    Lines further and further on are probed (4 kB, 8 kB, ...) until one does not end with the
    token; the last line that does lies before it. The search is in proportion to the graph's
    lines, not to the rest of the shard.
    """
    low, high, step = at, len(data), 1 << 12
    while low + step < high:
        eol = data.find(b"\n", low + step)
        if eol == -1 or not data.startswith(token, eol + 1 - len(token)):
            high = len(data) if eol == -1 else eol + 1
            break
        low, step = eol + 1, step * 2
    last = data.rfind(token, at, high)
    return -1 if last == -1 else last + len(token)


def _line_at(data: bytes, at: int) -> bytes:
    eol = data.find(b"\n", at)
    return data[at:] if eol == -1 else data[at:eol + 1]


def _graph_of(line: bytes, path: Path) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    quads = _parsed(line, path)
    if len(quads) != 1:
        raise ShardError(f"{path}: not a canonical shard (not one quad a line). {_FIX}")
    return quads[0].graph_name


def graph_texts(shards: Sequence[Shard]) -> Iterator[bytes]:
    """The N-Quads of every graph of the shards, one graph at a time, in canonical order.

    Each graph's lines are cut from its shard as they are: joined, they are the canonical N-Quads
    of the whole dataset. The shards are read once to find where each graph lies (and checked
    against their digests), then again in the graphs' order (a shard is kept until a graph of
    another is needed; checked against its stamp of the first read). Raises
    :class:`ShardError` as :func:`shard_bytes` does, or when a graph lies in two shards.
    """
    stamps: list[Stamp] = []
    runs: list[tuple[str, int, int, int]] = []
    for index, (path, sha256) in enumerate(shards):
        data, stamp = _read(path, sha256)
        stamps.append(stamp)
        runs.extend((key, index, start, end) for key, start, end in graph_runs(data, path))
    runs.sort()
    for (key, one, _, _), (other_key, other, _, _) in itertools.pairwise(runs):
        if key == other_key:
            raise ShardError(f"{shards[other][0]}: graph {key} is also in {shards[one][0]}; no "
                             f"graph spans two shards of a build. {_FIX}")
    held, data = -1, b""
    for _, index, start, end in runs:
        if index != held:
            held, (data, _) = index, _read(shards[index][0], None, stamps[index])
        yield data[start:end]


# --- subjects ----------------------------------------------------------------------------------


def subject_groups(shards: Sequence[Shard]) -> Iterator[tuple[ox.Triple, ...]]:
    """The union of all graphs of the shards, one subject at a time: its distinct triples, sorted.

    Subjects come in canonical order (as N-Triples text), so that joined, the groups are the
    sorted union. Each shard's triples are grouped by subject and written to a temporary file as
    N-Triples, a block per subject (:func:`spill_subjects`); the blocks' places are sorted by
    subject, and each subject's blocks (one per shard that has it) are read back, merged and
    sorted (:func:`merged_subject`).
    """
    with tempfile.TemporaryFile(prefix="cart-kg-subjects-") as spill:
        places = spill_subjects(shards, spill)
        spill.flush()
        places.sort()
        fd = spill.fileno()
        for _, blocks in itertools.groupby(places, key=lambda place: place[0]):
            yield merged_subject(os.pread(fd, length, start) for _, start, length in blocks)


def spill_subjects(shards: Sequence[Shard], spill: BinaryIO) -> list[tuple[str, int, int]]:
    """Write each shard's triples to ``spill``, a block of N-Triples per subject and shard.

    Gives each block's place: its subject (as N-Triples text), offset and length. Raises
    :class:`ShardError` as :func:`shard_quads` does.
    """
    places: list[tuple[str, int, int]] = []
    offset = 0
    for path, sha256 in shards:
        by_subject: dict[object, list[ox.Triple]] = {}
        for quad in shard_quads(path, sha256):
            by_subject.setdefault(quad.subject, []).append(quad.triple)
        for subject, own in by_subject.items():
            block = ox.serialize(own, format=ox.RdfFormat.N_TRIPLES) or b""
            spill.write(block)
            places.append((str(subject), offset, len(block)))
            offset += len(block)
    return places


def merged_subject(blocks: Iterable[bytes]) -> tuple[ox.Triple, ...]:
    """One subject's blocks of :func:`spill_subjects` as its distinct triples, sorted."""
    triples: list[ox.Triple] = []
    for block in blocks:
        triples.extend(quad.triple for quad in ox.parse(block, format=ox.RdfFormat.N_TRIPLES))
    return sort_triples(triples)
