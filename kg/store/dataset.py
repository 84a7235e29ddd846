"""The dataset on disk: a folder of N-Quads shards and a manifest, replaced as a whole.

``cartkg build --out build`` writes ``build/dataset/``::

    manifest.json       what the folder holds: each shard with its SHA-256, and the totals
    registry.nq         the registry graph
    analyses.nq         the evidence analyses derived from all the others (graph:analyses)
    articles/<id>.nq    one article: its provenance graph and one graph per claim

Every shard is canonical N-Quads (sorted, one quad per line), and no graph spans two shards, so
the shards concatenated (``cat build/dataset/*.nq build/dataset/articles/*.nq``) are the
whole dataset as one N-Quads file, ready for any RDF store. Single-file TriG, N-Quads and Turtle
come from ``cartkg export``.

A build stages the new folder next to the old one (unchanged shards are hard links to the old
files, so nothing is copied), then swaps the two with renames: readers see the old dataset or the
new one, never a mix, and a build that fails leaves the old one as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.store.files import write_atomic

DATASET_DIR = "dataset"
REGISTRY_SHARD = "registry.nq"
#: The evidence analyses derived from all the other shards (graph:analyses)
ANALYSES_SHARD = "analyses.nq"
ARTICLE_SHARDS = "articles"
MANIFEST = "manifest.json"
FORMAT = "cart-kg dataset 1"


class DatasetError(Exception):
    """A dataset folder is missing, incomplete or not one of ours."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold ``out`` for one build: refuse an output that is not ours, or that a build holds.

    ``out`` must be absent or a folder, and ``out/dataset`` absent or a dataset (a folder with a
    manifest): a build never moves aside a folder it did not make. A second build of the same
    folder is refused while the first runs (a lock on the folder itself, released by the system
    when the first process ends, however it ends). Under the lock, what killed builds left
    (staging folders, old datasets) is removed. A folder the build made is removed again if no
    dataset was published into it. Raises :class:`DatasetError`; :class:`OSError` when ``out``
    cannot be written.
    """
    fix = "Fix: name a new folder, or a build folder made by `cartkg build`."
    if out.exists() and not out.is_dir():
        raise DatasetError(f"{out} exists and is not a folder. {fix}")
    target = out / DATASET_DIR
    if os.path.lexists(target) and (target.is_symlink() or find(target) != target):
        raise DatasetError(f"{target} exists and is not a dataset made by `cartkg build` (no "
                           f"{MANIFEST}); the build would replace it. {fix}")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetError(f"another build is writing into {out} now. Fix: wait for it to "
                               "finish, then build again (or build into another folder).") from None
        remove_leftovers(out)
        try:
            yield
        finally:
            if created and not target.exists():
                with contextlib.suppress(OSError):
                    out.rmdir()
    finally:
        os.close(fd)


def remove_leftovers(out: Path) -> None:
    """Delete what killed builds left in ``out``: staging folders and old datasets.

    Only under :func:`locked`: no other build can own them then.
    """
    for pattern in (".dataset-staged-*", ".dataset-retired-*"):
        for folder in sorted(out.glob(pattern)):
            remove(folder)


def stage(out: Path) -> Path:
    """A new, empty staging folder inside ``out`` for the next dataset."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=out, prefix=".dataset-staged-"))


def link(old: Path, staged: Path, names: list[str]) -> None:
    """Put unchanged shards in the staging folder: hard links, or copies across devices."""
    for folder in {os.path.dirname(name) for name in names}:
        os.makedirs(os.path.join(staged, folder), exist_ok=True)
    source, target = str(old), str(staged)
    for name in names:  # plain strings: this runs once per article
        try:
            os.link(os.path.join(source, name), os.path.join(target, name))
        except OSError:
            shutil.copy2(os.path.join(source, name), os.path.join(target, name))


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The manifest as canonical JSON: same content, same bytes.

    Indented, with one line per part: a part's line is written by the json module's C encoder
    (which cannot indent), so that 10,000 parts take 30 ms instead of 0.3 s, at every rebuild.
    """
    parts = manifest.get("parts", [])
    shell = json.dumps({**manifest, "parts": [_MARK] if parts else []}, indent=1,
                       sort_keys=True, ensure_ascii=False)
    lines = ",\n  ".join(json.dumps(p, sort_keys=True, ensure_ascii=False) for p in parts)
    return (shell.replace(json.dumps(_MARK), lines, 1) + "\n").encode()


#: Where the parts' lines go in the manifest's indented text.
_MARK = "\x00parts"


def publish(staged: Path, out: Path, manifest: dict[str, Any]) -> Path | None:
    """Write the manifest into ``staged`` and make it ``out/dataset``, replacing the old one.

    Returns the folder the old dataset was moved to, for :func:`remove` (None if there was none).
    """
    write_atomic(staged / MANIFEST, manifest_bytes(manifest))
    # mkdtemp makes 0700; the dataset is for other tools and users (shards are one folder deep:
    # not walking articles/ saves 10,000 entries at every build)
    for folder in [staged, *(Path(e.path) for e in os.scandir(staged) if e.is_dir())]:
        os.chmod(folder, 0o755)
    target = out / DATASET_DIR
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(dir=out, prefix=".dataset-retired-"))
        os.replace(target, retired / DATASET_DIR)
    os.replace(staged, target)
    return retired


def remove(folder: Path | None) -> None:
    """Delete a retired dataset or a staging folder left by a build that was killed."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def remove_retired(out: Path) -> None:
    """Delete the old datasets that builds moved aside (also those of a build that was killed)."""
    for folder in sorted(out.glob(".dataset-retired-*")):
        remove(folder)


def discard(staged: Path, created: Path | None = None) -> None:
    """Remove a staging folder that will not be published, and ``created`` if now empty."""
    shutil.rmtree(staged, ignore_errors=True)
    if created is not None:
        with contextlib.suppress(OSError):  # the build made this folder: leave no trace of it
            created.rmdir()


def find(path: Path) -> Path | None:
    """The dataset folder that ``path`` names: the folder itself, or a build folder holding it."""
    for candidate in (path, path / DATASET_DIR):
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read a dataset folder's manifest, checking that it is one and that its shards exist."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise DatasetError(f"{path}: cannot be read ({err.strerror}). "
                           "Fix: build the dataset with `cartkg build`.") from None
    except ValueError as err:
        raise DatasetError(f"{path}: not valid JSON ({err}). "
                           "Fix: rebuild the dataset with `cartkg build`.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DatasetError(f"{path}: not a cart-kg dataset manifest (format '{FORMAT}'). "
                           "Fix: rebuild the dataset with `cartkg build`.")
    _check_parts(path, manifest.get("parts"))
    missing = [p["file"] for p in manifest["parts"] if not (folder / p["file"]).is_file()]
    if missing:
        raise DatasetError(f"{folder}: {len(missing)} shard(s) listed in {MANIFEST} are missing, "
                           f"e.g. {missing[0]}. Fix: rebuild the dataset with `cartkg build`.")
    return manifest


#: The names a shard may have in a manifest: the registry, or one article's shard. Nothing else,
#: so that a manifest cannot send a reader outside its folder (``../../etc/passwd``).
SHARD_NAME = re.compile(rf"^(?:{re.escape(REGISTRY_SHARD)}|{re.escape(ANALYSES_SHARD)}|"
                        rf"{ARTICLE_SHARDS}/"
                        r"[A-Za-z0-9][A-Za-z0-9_.-]*\.nq)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _check_parts(path: Path, parts: Any) -> None:
    """Refuse a manifest whose parts are not a list of shards named as a build names them."""
    fix = "Fix: rebuild the dataset with `cartkg build`."
    if not isinstance(parts, list):
        raise DatasetError(f"{path}: 'parts' is not a list. {fix}")
    seen: set[str] = set()
    for i, part in enumerate(parts, 1):
        name = part.get("file") if isinstance(part, dict) else None
        if not isinstance(name, str) or not SHARD_NAME.match(name) or ".." in name.split("/"):
            raise DatasetError(f"{path}: part {i} names {name!r}, which is not a shard of the "
                               f"dataset (registry.nq, analyses.nq or articles/<id>.nq); a "
                               f"manifest never names a file outside its folder. {fix}")
        if not isinstance(part.get("sha256"), str) or not _SHA256.match(part["sha256"]):
            raise DatasetError(f"{path}: part {i} ({name}) has no valid SHA-256. {fix}")
        if name in seen:
            raise DatasetError(f"{path}: part {i} ({name}) is listed twice. {fix}")
        seen.add(name)


def mismatches(folder: Path) -> list[str]:
    """How a dataset folder differs from its manifest: each a sentence, empty when it does not.

    A shard whose SHA-256 is not the manifest's (changed, or lost a line), and a file the manifest
    does not list (a shard it omits). Raises :class:`DatasetError` as :func:`read_manifest`.
    """
    manifest = read_manifest(folder)
    found = []
    for part in manifest["parts"]:
        with open(folder / part["file"], "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest != part["sha256"]:
            found.append(f"{folder / part['file']}: its SHA-256 is not the one {MANIFEST} "
                         "lists: the shard was changed (or lost a line) after the build.")
    for name in unlisted(folder, [folder / p["file"] for p in manifest["parts"]]):
        found.append(f"{folder / name}: not listed in {MANIFEST}: the manifest omits it, so no "
                     "reader of the dataset would see it.")
    return found


def unlisted(folder: Path, listed: list[Path]) -> list[str]:
    """The files of a dataset folder that are neither its manifest nor a listed shard."""
    known = {os.path.normpath(p) for p in listed} | {os.path.normpath(folder / MANIFEST)}
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.normpath(os.path.join(root, name))
            if path not in known:
                found.append(os.path.relpath(path, folder))
    return sorted(found)


def shards(folder: Path) -> list[Path]:
    """The shard files of a dataset folder, in the manifest's order."""
    return [folder / part["file"] for part in read_manifest(folder)["parts"]]
