"""What the last build knew: for each part, the digest of its inputs and what it produced.

The cache lives in ``<out>/.cache/parts.marshal``; deleting it (or ``cartkg build --clean``) makes
the next build a clean one, with the same output. A part is reused only when all of these hold:

- its *key* is unchanged: the SHA-256 of its own files, of the code and shapes that build it
  (:data:`BUILD_MODULES`, ``ontology/shapes.ttl``, the versions of pyshacl, pyoxigraph, rdflib
  and PyYAML);
- the registry entities it names have the same registry triples, and the articles it names still
  exist (and are not also entity keys);
- its shard in the current dataset is the file that build wrote (same size, mtime and inode).

File digests are remembered with each file's size, mtime and inode, and recomputed when one of
them differs, as ``git status`` does: an unchanged corpus is checked without reading it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from kg.model import Entity
from kg.parts import Built, PartStats
from kg.validate import Violation
from kg.yamlfile import Problem

CACHE_DIR = ".cache"
CACHE_FILE = "parts.marshal"
#: The first line of the cache file. ``marshal`` (plain dicts, lists and strings, ten times
#: quicker to write than JSON at 10,000 articles) is specific to the Python version: another
#: version, or any damage, makes the cache unreadable, and an unreadable cache is an empty one.
_HEADER = f"cart-kg build cache {{}} python {sys.version_info[0]}.{sys.version_info[1]}\n"
FORMAT = 5  # 5: an entity's digest is of its sorted quads (the registry may come from its shard)
_PACKAGE = Path(__file__).resolve().parent
_SHAPES = _PACKAGE.parent / "ontology" / "shapes.ttl"


#: The modules that decide what a part becomes: :mod:`kg.parts` and every ``kg`` module it
#: imports, directly or not (a test keeps this list complete). This module's own format is
#: :data:`FORMAT`.
BUILD_MODULES = ("datagraph", "dataset", "emit", "fields", "model", "parts", "quotes", "sources",
                 "validate", "vocab", "yamlfile")


def toolchain_digest() -> str:
    """The digest of everything besides the sources that decides what a part becomes."""
    h = hashlib.sha256(f"cart-kg build cache {FORMAT}\n".encode())
    for name in ("pyshacl", "pyoxigraph", "rdflib", "PyYAML"):
        h.update(f"{name} {metadata.version(name)}\n".encode())
    for path in [*(_PACKAGE / f"{m}.py" for m in BUILD_MODULES), _SHAPES]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def stamp(path: Path | str) -> tuple[int, int, int]:
    """A file's (size, mtime in ns, inode): what tells that a file may have changed."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino


class BuildCache:
    """The part records and file digests of the last successful build into an output folder."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.files: dict[str, list[Any]] = {}
        self.parts: dict[str, dict[str, Any]] = {}
        self.registry: dict[str, Any] = {}
        self.dirty = False
        if path is not None and path.is_file():
            data = _read(path)
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.files = data.get("files", {})
                self.parts = data.get("parts", {})
                self.registry = data.get("registry", {})

    @classmethod
    def at(cls, out: Path | None) -> BuildCache:
        """The cache of an output folder (an empty one that is never saved for ``None``)."""
        return cls(None if out is None else out / CACHE_DIR / CACHE_FILE)

    def file_digest(self, path: Path | str) -> str:
        """SHA-256 of a file, recomputed only when its size, mtime or inode changed."""
        try:
            st = os.stat(path)
        except OSError:
            return "missing"
        key = str(path)
        known = self.files.get(key)
        if known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns \
                and known[2] == st.st_ino:
            return str(known[3])
        with open(path, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        self.files[key] = [st.st_size, st.st_mtime_ns, st.st_ino, digest]
        self.dirty = True
        return digest

    def lookup(self, name: str, key: str) -> Built | None:
        """The part built last time from the same key, if there is one."""
        record = self.parts.get(name)
        if record is None or record["key"] != key:
            return None
        return from_record(record["built"])

    def shard_stamp(self, name: str) -> tuple[int, ...] | None:
        """The stamp the part's shard had when the last build published it."""
        record = self.parts.get(name)
        return tuple(record["shard_stamp"]) if record else None

    def entities_digest(self, name: str) -> str:
        """The digest of the registry entities the part named, when it was built."""
        record = self.parts.get(name)
        return str(record["entities_digest"]) if record else ""

    def remember(self, name: str, key: str, built: Built, shard_stamp: tuple[int, ...],
                 entities_digest: str) -> None:
        """Record a published part."""
        self.parts[name] = {"key": key, "built": to_record(built),
                            "shard_stamp": list(shard_stamp), "entities_digest": entities_digest}
        self.dirty = True

    def registry_entities(self, key: str) -> dict[str, Entity] | None:
        """The registry entities as read by the last build, if the registry's key is the same."""
        record = self.registry
        if record.get("key") != key:
            return None
        entities = {}
        for entry in record["entities"]:
            fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                                      for k, v in entry.items()}
            entities[entry["key"]] = Entity(**fields)
        return entities

    def remember_registry(self, key: str, entities: dict[str, Entity]) -> None:
        """Record the registry entities read from the registry files of ``key``."""
        if self.registry.get("key") != key:
            self.registry = {"key": key, "entities": [asdict(e) for e in entities.values()]}
            self.dirty = True

    def keep_only(self, names: set[str]) -> None:
        """Forget the parts that are no longer in the dataset."""
        if set(self.parts) - names:
            self.parts = {name: rec for name, rec in self.parts.items() if name in names}
            self.dirty = True

    def save(self) -> None:
        """Write the cache (through a temporary file and a rename)."""
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = {"format": FORMAT, "files": self.files, "parts": self.parts,
                "registry": self.registry}
        tmp.write_bytes(_HEADER.format(FORMAT).encode() + marshal.dumps(data))
        os.replace(tmp, self.path)


def _read(path: Path) -> Any:
    """The cache's content, or None when it is not a readable cache of this version."""
    header = _HEADER.format(FORMAT).encode()
    try:
        raw = path.read_bytes()
        return marshal.loads(raw[len(header):]) if raw.startswith(header) else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def to_record(built: Built) -> dict[str, Any]:
    """A part as plain JSON data (digest lists joined into one string: quicker to read)."""
    record = asdict(built)
    stats = record["stats"]
    stats["shared_triples"] = " ".join(built.stats.shared_triples)
    stats["shared_typed"] = " ".join(f"{c}={d}" for c, d in built.stats.shared_typed)
    return record


def from_record(record: dict[str, Any]) -> Built:
    """A part from its JSON data."""
    s = record["stats"]
    typed = (pair.rsplit("=", 1) for pair in s["shared_typed"].split())
    stats = PartStats(quads=s["quads"], graphs=s["graphs"], own_triples=s["own_triples"],
                      shared_triples=tuple(s["shared_triples"].split()),
                      own_classes=s["own_classes"], shared_typed=tuple((c, d) for c, d in typed))
    return Built(name=record["name"], shard=record["shard"], sha256=record["sha256"],
                 stats=stats, violations=tuple(Violation(**v) for v in record["violations"]),
                 entities=tuple(record["entities"]), articles=tuple(record["articles"]),
                 problems=tuple(Problem(**p) for p in record["problems"]))
