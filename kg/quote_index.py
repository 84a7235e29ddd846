"""A text index of the quotes, beside the on-disk index: which quotes contain a text.

Oxigraph has no text index. A query that matches a text inside the quotes
(``FILTER(CONTAINS(LCASE(?quote), LCASE(?text)))``) decodes every quote from the store's on-disk
string table, one look-up each: at 1,000 articles that is 36 of the 69 ms claims_quoting_text
takes, and it makes the query only 15 times faster than rdflib's in-memory store (decision 0011).

``build/.index/quotes.txt`` holds every quote's IRI and its text lower-cased by Oxigraph's own
``LCASE``, one quote a line, grouped by the shard that holds it::

    cart-kg quote index <digest of the shards> <number of quotes>
    = articles/00000_06ec9ad0e2cbef40.nq
    https://w3id.org/cart-kg/resource/quote/00000_06ec9ad0e2cbef40/1091-1145<TAB>28% of patients ...

Backslashes, tabs and line breaks of a text are written escaped (``\\\\``, ``\\t``, ``\\n``,
``\\r``); the text looked for is escaped the same way, so every quote that contains it is found
(and a few that only seem to, which the query's own FILTER then drops). :func:`containing` finds
the quotes by a byte search of the file, without decoding anything it does not return.

The index only narrows: the query keeps its FILTER and gives the same rows without it. It is
used only while its digest is that of the shards the store holds (:func:`digest`), so a file left
by an older update is never trusted; :mod:`kg.index` rewrites it with the store, reusing the
lines of the shards that did not change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

FILE = "quotes.txt"
_MAGIC = b"cart-kg quote index "
#: The quotes are narrowed down only when at most this share of them contain the text: past it,
#: the query's IRIs in a VALUES block cost more than the scan they save (at 1,000 and 10,000
#: articles the two break even near one quote in 30).
MAX_SHARE = 1 / 30

_LOWERED = """
SELECT ?quote (LCASE(?text) AS ?lowered) WHERE {
  VALUES ?graph { %s }
  GRAPH ?graph { ?quote <http://www.w3.org/ns/oa#exact> ?text }
}
"""
_ESCAPES = {ord("\\"): "\\\\", ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"}


def digest(parts: Mapping[str, str]) -> str:
    """The digest of the shards a store holds (their names and SHA-256)."""
    text = json.dumps(dict(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(path: Path, store: ox.Store, parts: Mapping[str, str], previous: Mapping[str, str],
          graphs_of: Callable[[str], Iterable[ox.NamedNode]]) -> None:
    """Write the index of the shards ``parts`` holds, as ``store`` now holds them.

    ``previous`` names the shards the index held before; the lines of a shard that kept its
    digest are reused (when the file on disk is that index), the others read from the store.
    ``graphs_of`` gives the named graphs of a shard, to read it from the store.
    """
    kept = _blocks(path, digest(previous))
    blocks: list[bytes] = []
    count = 0
    for shard in sorted(parts):
        block = kept.get(shard) if previous.get(shard) == parts[shard] else None
        if block is None:
            block = _block(store, shard, graphs_of(shard))
        blocks.append(block)
        count += block.count(b"\n") - 1
    header = _MAGIC + f"{digest(parts)} {count}\n".encode("ascii")
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as out:
        out.write(header)
        out.writelines(blocks)
    os.replace(temporary, path)


def _block(store: ox.Store, shard: str, graphs: Iterable[ox.NamedNode]) -> bytes:
    """A shard's lines: its name, then its quotes' IRIs and lower-cased texts, sorted."""
    names = " ".join(str(g) for g in graphs)
    lines = []
    if names:
        result = store.query(_LOWERED % names)
        assert isinstance(result, ox.QuerySolutions)
        for quote, lowered in result:
            if isinstance(quote, ox.NamedNode) and isinstance(lowered, ox.Literal):
                lines.append(f"{quote.value}\t{escape(lowered.value)}\n")
    return f"= {shard}\n{''.join(sorted(set(lines)))}".encode()


def _blocks(path: Path, expected: str) -> dict[str, bytes]:
    """The lines of each shard in the index file, if the file holds the expected shards."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head, _, body = data.partition(b"\n")
    if not head.startswith(_MAGIC) or head[len(_MAGIC):].split(b" ")[0] != expected.encode():
        return {}
    blocks = {}
    for block in (b"\n" + body.removesuffix(b"\n")).split(b"\n= ")[1:]:
        name, _, lines = block.partition(b"\n")
        blocks[name.decode()] = b"= " + name + b"\n" + lines + (b"\n" if lines else b"")
    return blocks


def is_current(path: Path, parts: Mapping[str, str]) -> bool:
    """Whether the index file is that of these shards."""
    try:
        with path.open("rb") as file:
            head = file.readline()
    except OSError:
        return False
    return head.startswith(_MAGIC + digest(parts).encode("ascii") + b" ")


def escape(text: str) -> str:
    """A text as the index writes it: backslash, tab and line breaks escaped."""
    return text.translate(_ESCAPES)


@dataclass(frozen=True)
class QuoteIndex:
    """The quote index of an on-disk store, valid while its digest is ``expected``."""

    path: Path
    expected: str

    def containing(self, store: ox.Store, text: str) -> list[ox.NamedNode] | None:
        """The quotes whose text contains ``text`` (case-insensitive), sorted; or a superset.

        None when the index cannot say (no file, a file of other shards, an empty text) or when
        more than :data:`MAX_SHARE` of the quotes contain it: the caller then scans them all.
        """
        if not text:
            return None
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        head_end = data.find(b"\n")
        head = data[len(_MAGIC):head_end].split(b" ")
        if (not data.startswith(_MAGIC) or len(head) != 2
                or head[0] != self.expected.encode() or not head[1].isdigit()):
            return None
        needle = escape(lowercase(store, text)).encode("utf-8")
        limit = int(head[1]) * MAX_SHARE
        found: set[bytes] = set()
        at = data.find(needle, head_end)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            tab = data.find(b"\t", start, at)
            if tab < 0:  # inside an IRI or a shard's name: look on after it
                after = data.find(b"\t", at)
                end = data.find(b"\n", at)
                at = data.find(needle, min(after, end) if after >= 0 else end)
                continue
            found.add(data[start:tab])
            if len(found) > limit:
                return None
            at = data.find(needle, data.find(b"\n", at))
        return [ox.NamedNode(iri.decode("utf-8")) for iri in sorted(found)]


def lowercase(store: ox.Store, text: str) -> str:
    """``text`` lower-cased by the store's own ``LCASE``, as the query lowers it."""
    result = store.query("SELECT ?text (LCASE(?text) AS ?lowered) {}",
                         substitutions={ox.Variable("text"): ox.Literal(text)})
    assert isinstance(result, ox.QuerySolutions)
    value = next(iter(result))[1]
    assert isinstance(value, ox.Literal)
    return value.value
