"""Retrieve one ClinicalTrials.gov record into the sources: the one command that uses the network.

``cartkg fetch-trial NCT...`` reads ``{api-url}/studies/{NCT id}`` (API v2) and writes the JSON
exactly as received, with its ``.yaml`` (SHA-256, retrieval date, URL), into
``<sources>/registry-records/``. Only that URL's host is contacted
(:func:`kg.core.netguard.only_endpoint`): no proxy, no redirect, TLS verified. Nothing is
written unless the answer is a v2 study record of that very NCT id, and both files are written
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from kg.core.netguard import NetworkRefused, guarded_opener, only_endpoint
from kg.core.record_model import NCT_ID_RE, PUBLIC_API
from kg.curation.registry_record import RECORDS_DIR, parse_study
from kg.curation.sources import check_sources_folder
from kg.curation.yamlfile import SourceError
from kg.store.files import write_files

TIMEOUT = 60
#: The largest record accepted (the largest v2 records with results are a few megabytes).
MAX_BYTES = 50_000_000


class FetchError(OSError):
    """A record cannot be retrieved: nothing was written."""


@dataclass(frozen=True)
class Fetched:
    """A record written into the sources."""

    nct_id: str
    url: str
    json_path: Path
    yaml_path: Path
    sha256: str
    size: int
    retrieved: dt.date
    #: whether a record of that NCT id was there before, and whether its text changed
    replaced: bool
    changed: bool


def record_url(nct_id: str, api_url: str = PUBLIC_API) -> str:
    """The URL of a record: ``{api_url}/studies/{nct_id}``; raises :class:`FetchError`."""
    if not NCT_ID_RE.match(nct_id):
        raise FetchError(f"{nct_id!r} is not an NCT id. Fix: give NCT and eight digits, e.g. "
                         "NCT06328777.")
    parts = urllib.parse.urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.username or parts.password:
        raise FetchError(f"{api_url!r} is not the base URL of the API. Fix: give e.g. "
                         f"{PUBLIC_API} (the default).")
    return f"{api_url.rstrip('/')}/studies/{nct_id}"


def fetch_trial(nct_id: str, sources: Path, api_url: str = PUBLIC_API,
                today: dt.date | None = None) -> Fetched:
    """Retrieve the record of ``nct_id`` and write it into ``sources``.

    Raises :class:`FetchError` (bad id, unreachable, not found, not a record) with nothing
    written, or :class:`kg.curation.yamlfile.SourceError` when ``sources`` is not a sources
    folder. ``today`` is the retrieval date (default: today, UTC).
    """
    url = record_url(nct_id, api_url)
    check_sources_folder(sources)
    data = _get(url)
    text = _decode(data, url)
    try:
        parse_study(text, url, nct_id)
    except SourceError as err:
        raise FetchError(str(err)) from None
    folder = sources / RECORDS_DIR
    json_path, yaml_path = folder / f"{nct_id}.json", folder / f"{nct_id}.yaml"
    digest = hashlib.sha256(data).hexdigest()
    replaced = json_path.is_file()
    changed = not replaced or json_path.read_bytes() != data
    retrieved = today or dt.datetime.now(dt.UTC).date()
    meta = (f"# Written by cartkg fetch-trial: where and when {nct_id} was retrieved. Do not "
            "edit the record.\n"
            f"nct_id: {nct_id}\nsha256: {digest}\nretrieved: {retrieved.isoformat()}\n"
            f"api_url: {url}\n")
    folder.mkdir(exist_ok=True)
    write_files({json_path: data, yaml_path: meta.encode("utf-8")})
    return Fetched(nct_id, url, json_path, yaml_path, digest, len(data), retrieved, replaced,
                   changed)


def _get(url: str) -> bytes:
    opener = guarded_opener()
    request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                   "User-Agent": "cart-kg fetch-trial"})
    try:
        with only_endpoint(url), opener.open(request, timeout=TIMEOUT) as answer:
            data: bytes = answer.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as err:
        err.close()
        if err.code == 404:
            raise FetchError(f"{url}: no such record (404 Not Found). Fix: check the NCT id "
                             "on https://clinicaltrials.gov.") from None
        raise FetchError(f"{url}: the registry answered {err.code} {err.reason}. Fix: try "
                         "again later.") from None
    except NetworkRefused as err:
        raise FetchError(str(err)) from None
    except (urllib.error.URLError, OSError, HTTPException) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(f"{url}: the registry cannot be reached ({reason}). Fix: check the "
                         "network connection (this is the one command that uses it), or "
                         "--api-url.") from None
    if len(data) > MAX_BYTES:
        raise FetchError(f"{url}: the answer is larger than {MAX_BYTES:,} bytes; not a record.")
    return data


def _decode(data: bytes, url: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise FetchError(f"{url}: the answer is not UTF-8 (at byte {err.start}); not a "
                         "record.") from None
