"""What the last build knew: for each part, the digest of its inputs and what it produced.

The cache lives in ``<out>/.cache/`` (``registry.marshal``, ``parts.marshal``); deleting it (or
``cartkg build --clean``) makes the next build a clean one, with the same output. It holds the
*toolchain digest* of the build that wrote it (the code and shapes that build a part:
:data:`BUILD_MODULES`, ``ontology/shapes.ttl``, the versions of pyshacl, pyoxigraph, rdflib and
PyYAML): a cache of another toolchain is an empty one. A part is reused only when all of these hold:

- its *key* is unchanged: the SHA-256 of its own files;
- the registry entities it names have the same registry triples, and the articles it names still
  exist (and are not also entity keys);
- its shard in the current dataset is the file that build wrote (same size, mtime and inode).

A part's key is remembered with the *stamps* (size, mtime and inode) of its files, and computed
again, by reading them, only when a stamp differs, as ``git status`` does: an unchanged corpus is
checked without reading it. A file modified less than :data:`RACY_NS` before it was stamped could
change again within the file system's clock tick without changing its stamp; its stamp is not kept
(git's "racily clean" files).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from dataclasses import astuple
from importlib import metadata
from pathlib import Path
from typing import Any

from kg.build.parts import Built
from kg.core.model import Entity
from kg.core.resources import shapes_path
from kg.store.dataset import REGISTRY_SHARD
from kg.store.files import write_atomic
from kg.validation.validate import Violation

CACHE_DIR = ".cache"
REGISTRY_FILE = "registry.marshal"
PARTS_FILE = "parts.marshal"
#: The first line of the cache file. ``marshal`` (plain tuples and strings, ten times quicker to
#: write than JSON at 10,000 articles) is specific to the Python version: another version, or any
#: damage, makes the cache unreadable, and an unreadable cache is an empty one.
_HEADER = f"cart-kg build cache {{}} python {sys.version_info[0]}.{sys.version_info[1]}\n"
FORMAT = 9  # 7: parts as tuples; 8: two files; 9: the parts' summaries for the analyses
_PACKAGE = Path(__file__).resolve().parent.parent
#: How recent a file's modification may be for its stamp to be trusted (2 s, in nanoseconds).
RACY_NS = 2_000_000_000


#: The modules that decide what a part becomes: :mod:`kg.build.parts` and every ``kg`` module it
#: imports, directly or not (a test keeps this list complete). This module's own format is
#: :data:`FORMAT`.
BUILD_MODULES = ("build.analysis_inputs", "build.parts", "core.checks", "core.curie",
                 "core.given", "core.model",
                 "core.record_model", "core.record_vocab", "core.resources", "core.vocab",
                 "core.vocab_trials", "curation.articles", "curation.bibliography",
                 "curation.claims", "curation.consistency", "curation.derivations",
                 "curation.fields", "curation.fields_spec", "curation.outcomes", "curation.quotes",
                 "curation.record_protocol", "curation.record_reader", "curation.record_results",
                 "curation.regimens", "curation.registry", "curation.registry_record",
                 "curation.sources", "curation.spelling", "curation.statistics", "curation.times",
                 "curation.trials", "curation.yamlfile", "rdf.emit", "rdf.given", "rdf.lineage",
                 "rdf.registry_record", "rdf.terms", "store.dataset", "store.files",
                 "validation.datagraph", "validation.prepared_queries", "validation.record_check",
                 "validation.validate")


def toolchain_digest() -> str:
    """The digest of everything besides the sources that decides what a part becomes."""
    h = hashlib.sha256(f"cart-kg build cache {FORMAT}\n".encode())
    for name in ("pyshacl", "pyoxigraph", "rdflib", "PyYAML"):
        h.update(f"{name} {metadata.version(name)}\n".encode())
    for path in [*(_PACKAGE.joinpath(*m.split(".")).with_suffix(".py") for m in BUILD_MODULES),
                 shapes_path()]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def stamp(path: Path | str) -> tuple[int, int, int]:
    """A file's (size, mtime in ns, inode): what tells that a file may have changed."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


def file_digest(path: str) -> str:
    """SHA-256 of a file's content ("missing" when there is no such file)."""
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return "missing"


# A part's record: (stamps of its files, key, stamp of its shard, digest of the entities it
# names, the part as a tuple); tuples and strings, quick to read and write with marshal.
_INPUTS, _KEY, _SHARD_STAMP, _ENTITIES_DIGEST, _BUILT = range(5)
_VIOLATIONS = Built._fields.index("violations")


class BuildCache:
    """The part records of the last successful build into an output folder, for one toolchain.

    Two files: the registry's (its part and the entities read from it) and the articles' parts,
    read by :meth:`load_articles`, so that a rebuild's builder process (decision 0014) reads
    only the first. An unreadable registry file makes the whole cache empty.
    """

    def __init__(self, folder: Path | None, toolchain: str) -> None:
        self.folder = folder
        self.toolchain = toolchain
        self.parts: dict[str, tuple[Any, ...]] = {}
        self.registry: dict[str, Any] = {}
        self._dirty: set[str] = set()
        self._inputs: dict[str, str] = {}
        self._racy = time.time_ns() - RACY_NS
        data = self._read(REGISTRY_FILE)
        if data is not None:
            self.parts = data.get("parts", {})
            self.registry = data.get("registry", {})

    @classmethod
    def at(cls, out: Path | None, toolchain: str) -> BuildCache:
        """The cache of an output folder (an empty one that is never saved for ``None``)."""
        return cls(None if out is None else out / CACHE_DIR, toolchain)

    def load_articles(self) -> None:
        """Read the article parts' records (none when the registry's were unreadable)."""
        data = self._read(PARTS_FILE) if self.parts else None
        if data is not None:
            self.parts.update(data.get("parts", {}))

    def forget(self) -> None:
        """Forget every record (a clean build): they are written again when it succeeds."""
        self.parts, self.registry = {}, {}

    def _read(self, name: str) -> dict[str, Any] | None:
        data = _read(self.folder / name) if self.folder is not None else None
        return data if isinstance(data, dict) and data.get("toolchain") == self.toolchain \
            else None

    def key(self, name: str, files: list[str]) -> str:
        """The digest of a part's files: the last one while their stamps are the same."""
        inputs = self._stamps(files)
        record = self.parts.get(name)
        if inputs and record is not None and record[_INPUTS] == inputs:
            return str(record[_KEY])
        # Each file's name and content (the part's name gives the folder).
        lines = "".join(f"{path[path.rfind('/') + 1:]} {file_digest(path)}\n" for path in files)
        key = hashlib.sha256(f"{name}\n{lines}".encode()).hexdigest()
        self._inputs[name] = inputs
        if record is not None and record[_KEY] == key and record[_INPUTS] != inputs:
            self.parts[name] = (inputs, *record[_KEY:])  # touched, not changed
            self._dirty.add(_file_of(name))
        return key

    def _stamps(self, files: list[str]) -> str:
        """The stamps of files, as one string; empty when one is missing or racily recent."""
        stamps = []
        for path in files:
            try:
                size, mtime, inode = stamp(path)
            except OSError:
                return ""
            if mtime > self._racy:
                return ""
            stamps.append(f"{size}:{mtime}:{inode}")
        return " ".join(stamps)

    def lookup(self, name: str, key: str) -> Built | None:
        """The part built last time from the same key, if there is one."""
        record = self.parts.get(name)
        if record is None or record[_KEY] != key:
            return None
        return from_record(record[_BUILT])

    def shard_stamp(self, name: str) -> tuple[int, ...] | None:
        """The stamp the part's shard had when the last build published it."""
        record = self.parts.get(name)
        return tuple(record[_SHARD_STAMP]) if record else None

    def entities_digest(self, name: str) -> str:
        """The digest of the registry entities the part named, when it was built."""
        record = self.parts.get(name)
        return str(record[_ENTITIES_DIGEST]) if record else ""

    def remember(self, name: str, key: str, built: Built, shard_stamp: tuple[int, ...],
                 entities_digest: str) -> None:
        """Record a published part (built from the files stamped by :meth:`key`)."""
        self.parts[name] = (self._inputs.get(name, ""), key, shard_stamp, entities_digest,
                            to_record(built))
        self._dirty.add(_file_of(name))

    def registry_entities(self, key: str) -> dict[str, Entity] | None:
        """The registry entities as read by the last build, if the registry's key is the same."""
        record = self.registry
        if record.get("key") != key:
            return None
        return {entry[0]: Entity(*entry) for entry in record["entities"]}

    def remember_registry(self, key: str, entities: dict[str, Entity]) -> None:
        """Record the registry entities read from the registry files of ``key``."""
        if self.registry.get("key") != key:
            self.registry = {"key": key, "entities": [astuple(e) for e in entities.values()]}
            self._dirty.add(REGISTRY_FILE)

    def keep_only(self, names: set[str]) -> None:
        """Forget the parts that are no longer in the dataset."""
        gone = set(self.parts) - names
        if gone:
            self.parts = {name: rec for name, rec in self.parts.items() if name in names}
            self._dirty.update(_file_of(name) for name in gone)

    def save(self) -> None:
        """Write the files that changed (each through a temporary file and a rename)."""
        if self.folder is None:
            return
        for name in sorted(self._dirty):
            parts = {n: r for n, r in self.parts.items() if _file_of(n) == name}
            data = {"toolchain": self.toolchain, "parts": parts}
            if name == REGISTRY_FILE:
                data["registry"] = self.registry
            write_atomic(self.folder / name,
                         _HEADER.format(FORMAT).encode() + marshal.dumps(data))
        self._dirty = set()


def _file_of(part: str) -> str:
    """The cache file that holds a part's record."""
    return REGISTRY_FILE if part == REGISTRY_SHARD else PARTS_FILE


def _read(path: Path) -> Any:
    """The cache's content, or None when it is not a readable cache of this version."""
    header = _HEADER.format(FORMAT).encode()
    try:
        raw = path.read_bytes()
        return marshal.loads(raw[len(header):]) if raw.startswith(header) else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def to_record(built: Built) -> tuple[Any, ...]:
    """A published part as plain values: its violations (warnings only) as tuples.

    Its problems are left out: a part with problems is never published.
    """
    plain: list[Any] = list(built)
    plain[_VIOLATIONS] = tuple(astuple(v) for v in built.violations)
    return tuple(plain[:-1])


def from_record(record: tuple[Any, ...]) -> Built:
    """A part from its record."""
    built = Built(*record)
    violations = record[_VIOLATIONS]
    return built._replace(violations=tuple(Violation(*v) for v in violations)) if violations \
        else built
