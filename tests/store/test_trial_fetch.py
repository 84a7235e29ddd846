"""``cartkg fetch-trial``: a record from the API into the sources, or a clear error and nothing.

The API is a local HTTP server on loopback serving the real record of tests/data/ctgov.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import MINI, RECORD, run

from kg.curation.sources import load_sources

NCT = "NCT00791778"


class _Registry(http.server.BaseHTTPRequestHandler):
    """Serves /api/v2/studies/NCT00791778 (the fixture), a 404 for any other id; counts requests."""

    requests: ClassVar[list[str]] = []
    body = RECORD.read_bytes()

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path == f"/api/v2/studies/{NCT}":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(self.body)
        elif self.path == "/api/v2/studies/NCT00000404":
            self.send_response(404)
            self.end_headers()
        else:  # an answer that is not a record
            self.send_response(200)
            self.end_headers()
            self.wfile.write(self.body[:5000])

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def api() -> Iterator[str]:
    _Registry.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    server.shutdown()
    server.server_close()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "sources")
    return tmp_path / "sources"


def test_fetch_writes_the_record_verbatim_with_its_checksum_and_date(api: str,
                                                                      sources: Path) -> None:
    code, out = run("fetch-trial", NCT, "--sources", str(sources), "--api-url", api)
    assert code == 0, out
    written = sources / "registry-records" / f"{NCT}.json"
    assert written.read_bytes() == RECORD.read_bytes()
    meta = (sources / "registry-records" / f"{NCT}.yaml").read_text()
    assert f"sha256: {hashlib.sha256(RECORD.read_bytes()).hexdigest()}" in meta
    assert f"api_url: {api}/studies/{NCT}" in meta
    assert "retrieved: 20" in meta
    assert "Next:" in out and "trials.yaml" in out and "cartkg build" in out
    assert "ClinicalTrials.gov" in out
    assert _Registry.requests == [f"/api/v2/studies/{NCT}"]
    # and the sources now load with it
    assert list(load_sources(sources).records) == [NCT]
    # fetching again replaces it, unchanged
    code, out = run("fetch-trial", NCT, "--sources", str(sources), "--api-url", api)
    assert code == 0 and out.startswith("replaced (unchanged)")


@pytest.mark.parametrize(("nct", "api_url", "message", "requests"), [
    # a bad id is refused before any request
    ("NCT123", None, "is not an NCT id", 0),
    ("nct00791778", None, "is not an NCT id", 0),
    # an id the registry does not know
    ("NCT00000404", None, "no such record (404 Not Found)", 1),
    # the answer is not a whole record (cut short)
    ("NCT00000001", None, "truncated", 1),
    # an API URL that is not one
    (NCT, "ftp://example.org/api", "is not the base URL of the API", 0),
])
def test_fetch_errors_write_nothing(api: str, sources: Path, nct: str, api_url: str | None,
                                    message: str, requests: int) -> None:
    code, out = run("fetch-trial", nct, "--sources", str(sources), "--api-url", api_url or api)
    assert code == 2
    assert message in out and "Fix:" in out
    assert not (sources / "registry-records").exists()
    assert len(_Registry.requests) == requests


def test_fetch_offline_is_a_clear_error(sources: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    port = server.server_address[1]
    server.server_close()  # nothing listens there: the connection is refused
    code, out = run("fetch-trial", NCT, "--sources", str(sources), "--api-url",
                    f"http://127.0.0.1:{port}/api/v2")
    assert code == 2
    assert "cannot be reached" in out and "Fix:" in out
    assert not (sources / "registry-records").exists()


def test_fetch_into_a_folder_that_is_not_sources(api: str, tmp_path: Path) -> None:
    code, out = run("fetch-trial", NCT, "--sources", str(tmp_path), "--api-url", api)
    assert code == 2 and "is not a sources folder" in out
    assert _Registry.requests == []
