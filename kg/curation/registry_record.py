"""Read the trial registry records of ``sources/registry-records/`` (ClinicalTrials.gov API v2).

Each record is two files: ``NCT<8 digits>.json``, the JSON exactly as the API returned it (never
edited), and ``NCT<8 digits>.yaml``, where and when it was retrieved and its SHA-256 (written by
``cartkg fetch-trial``). The loader checks that the text still has that SHA-256, that it is a v2
study record with the NCT id of its file name, then reads it into statements
(:mod:`kg.curation.record_protocol`, :mod:`kg.curation.record_results`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from kg.core.model import Entity
from kg.core.record_model import NCT_ID_RE, RegistryRecord
from kg.curation.fields import relative
from kg.curation.record_protocol import read_protocol, trial_entity
from kg.curation.record_reader import RecordReader
from kg.curation.record_results import read_results
from kg.curation.yamlfile import Problem, SourceError, read_text, read_yaml

RECORDS_DIR = "registry-records"
_REFETCH = "fetch it again with `cartkg fetch-trial {nct}` (it rewrites both files)"


def record_files(root: Path) -> list[Path]:
    """Every file of ``root/registry-records/`` (none when there is no such folder), sorted."""
    folder = root / RECORDS_DIR
    if not folder.is_dir():
        return []
    with os.scandir(folder) as entries:
        return [folder / n for n in sorted(e.name for e in entries if e.is_file())]


def load_records(root: Path, entities: dict[str, Entity],
                 problems: list[Problem] | None = None) -> dict[str, RegistryRecord]:
    """Read and verify every record of ``root/registry-records/``, by NCT id.

    Problems are added to ``problems``, or, without that list, raised as one
    :class:`SourceError`.
    """
    found: list[Problem] = []
    records: dict[str, RegistryRecord] = {}
    files = record_files(root)
    names = {p.name for p in files}
    for path in files:
        stem, suffix = path.stem, path.suffix
        shown = relative(path, root)
        if suffix not in (".json", ".yaml") or not NCT_ID_RE.match(stem):
            found.append(Problem(shown, None, "is not a registry record file.",
                                 "keep only NCT<8 digits>.json and NCT<8 digits>.yaml there "
                                 "(cartkg fetch-trial writes them)."))
        elif suffix == ".yaml" and f"{stem}.json" not in names:
            found.append(Problem(shown, None, f"has no record {stem}.json beside it.",
                                 _REFETCH.format(nct=stem) + ", or delete it."))
        elif suffix == ".json":
            try:
                records[stem] = load_record(path, root, entities)
            except SourceError as err:
                found.extend(err.problems)
    if problems is not None:
        problems.extend(found)
    elif found:
        raise SourceError(found)
    return records


def load_record(path: Path, root: Path, entities: dict[str, Entity]) -> RegistryRecord:
    """Read and verify one record and its ``.yaml`` beside it; raises :class:`SourceError`."""
    nct = path.stem
    shown = relative(path, root)
    meta_path = path.with_suffix(".yaml")
    meta_shown = relative(meta_path, root)
    if not meta_path.is_file():
        raise SourceError([Problem(shown, None, f"has no {meta_path.name} beside it (its SHA-256 "
                                   "and retrieval date).", _REFETCH.format(nct=nct) + ".")])
    meta = read_yaml(meta_path, meta_shown)
    sha, retrieved, api_url = _metadata(meta, meta_shown, nct)
    text = read_text(path, shown)
    computed = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if computed != sha:
        raise SourceError([Problem(shown, None, f"its text changed since it was retrieved: its "
                                   f"SHA-256 is {computed}, {meta_path.name} says {sha}.",
                                   "never edit a record; " + _REFETCH.format(nct=nct) + ".")])
    document = parse_study(text, shown, nct)
    r = RecordReader(document)
    statements = [*read_protocol(r, entities), *read_results(r)]
    return RegistryRecord(
        nct_id=nct, text=text, sha256=sha, retrieved=retrieved, api_url=api_url, file=shown,
        title=str(r.get(("protocolSection", "identificationModule", "briefTitle")) or nct),
        statements=tuple(statements), trial=trial_entity(entities, nct))


def parse_study(text: str, shown: str, nct: str | None = None) -> dict[str, Any]:
    """Parse a v2 study record and check its NCT id; raises :class:`SourceError`.

    ``nct`` is the id the record must have (its file name's), if known.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        cut = err.pos >= len(text.rstrip()) or not text.rstrip().endswith("}")
        what = "ends before the JSON does (truncated)" if cut else f"is not valid JSON ({err.msg})"
        raise SourceError([Problem(shown, err.lineno, f"{what}, at character {err.pos}.",
                                   "the download was cut short or the file was edited: "
                                   + (_REFETCH.format(nct=nct) if nct else
                                      "fetch the record again") + ".")]) from None
    ident = document.get("protocolSection", {}).get("identificationModule") \
        if isinstance(document, dict) and isinstance(document.get("protocolSection"), dict) \
        else None
    if not isinstance(ident, dict):
        raise SourceError([Problem(
            shown, None, "is not a ClinicalTrials.gov API v2 study record (no "
            "protocolSection.identificationModule).",
            "use the JSON of https://clinicaltrials.gov/api/v2/studies/<NCT id>, as "
            "`cartkg fetch-trial` retrieves it (API v1 and search results are not records).")])
    found = ident.get("nctId")
    if not isinstance(found, str) or not NCT_ID_RE.match(found):
        raise SourceError([Problem(
            shown, None, "has no NCT id (protocolSection.identificationModule.nctId"
            + (f" is {found!r})." if found is not None else " is missing)."),
            "a registry record names its trial: fetch the record again from the API.")])
    if nct is not None and found != nct:
        raise SourceError([Problem(shown, None, f"is the record of {found}, not of {nct}.",
                                   f"rename it {found}.json (and its .yaml), or fetch {nct}.")])
    study: dict[str, Any] = document
    return study


def _metadata(meta: Any, shown: str, nct: str) -> tuple[str, dt.date, str]:
    """The SHA-256, retrieval date and API URL of a record's ``.yaml``."""
    fix = _REFETCH.format(nct=nct) + ", or correct the field."
    if not isinstance(meta, dict):
        raise SourceError([Problem(shown, None, "must be a mapping with nct_id, sha256, "
                                   "retrieved and api_url.", fix)])
    problems = []
    line = getattr(meta, "line_of", lambda _k: None)
    if meta.get("nct_id") != nct:
        problems.append(Problem(shown, line("nct_id"), f"nct_id must be {nct}, as the file "
                                f"name says, not {meta.get('nct_id')!r}.", fix))
    sha = meta.get("sha256")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef"
                                                         for c in sha):
        problems.append(Problem(shown, line("sha256"), "sha256 must be 64 lowercase hex "
                                "digits.", fix))
    retrieved = None
    try:
        retrieved = dt.date.fromisoformat(str(meta.get("retrieved")))
    except ValueError:
        problems.append(Problem(shown, line("retrieved"), "retrieved must be a date "
                                f"(YYYY-MM-DD), not {meta.get('retrieved')!r}.", fix))
    api_url = meta.get("api_url")
    if not isinstance(api_url, str) or not api_url.startswith(("https://", "http://")):
        problems.append(Problem(shown, line("api_url"), "api_url must be the URL the record "
                                "was read from.", fix))
    if problems or retrieved is None:
        raise SourceError(problems)
    return str(sha), retrieved, str(api_url)
