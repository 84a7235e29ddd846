"""SPARQL servers started on loopback for the tests: the Oxigraph server and Virtuoso 7.

Each runs on a free port in a temporary folder and is stopped afterwards. A server that cannot
start fails the test that needs it, with the reason (its log): nothing is skipped. Both are
installed by the project's set-up (`pip install -e .[dev]` brings `oxigraph`;
`.ci/setup-tools.sh` installs Debian's `virtuoso-opensource`).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Seconds a server may take to start answering.
START_TIMEOUT = 60
#: Virtuoso's database administrator, as a fresh database has it (loopback only, test only).
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: where to query it and update it, and its process."""

    name: str
    query_url: str
    update_url: str
    process: subprocess.Popen[bytes]
    log: Path
    #: the credentials its update endpoint wants (None: none)
    auth: tuple[str, str] | None = None
    #: Virtuoso's SQL port (for isql and its bulk loader)
    sql_port: int | None = None

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 30 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)


def _wait(server: Server, probe: str) -> Server:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(probe, timeout=5):
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    server.stop()
    log = server.log.read_text(encoding="utf-8", errors="replace")[-3000:]
    pytest.fail(f"{server.name} did not start on {probe} within {START_TIMEOUT} s "
                f"(exit code {server.process.returncode}); its log:\n{log}")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed. Fix: pip install -e '.[dev]' and run "
                    ".ci/setup-tools.sh.")
    return found


def start_oxigraph(folder: Path) -> Server:
    """The Oxigraph server on an empty store in ``folder``, its default graph the union."""
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_tool("oxigraph"), "serve", "--location", str(folder / "store"),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    server = Server("the Oxigraph server", f"{base}/query", f"{base}/update", process, log)
    return _wait(server, f"{base}/query?query=ASK%7B%7D")


#: The settings that must not cut a result: no row cap (unless a test asks for one), no "anytime"
#: time limit.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def start_virtuoso(folder: Path, max_rows: int = 0, buffers: int = 20_000) -> Server:
    """Virtuoso 7 on a new database in ``folder``, with no time limit and no row cap.

    ``max_rows`` sets a row cap (``ResultSetMaxRows``), to test that a capped answer is refused.
    ``buffers`` is its page cache in 8 kB pages (about 160 MB by default; Virtuoso's guide gives
    340,000, about 2.7 GB, for a machine with 4 GB of free memory or more).
    """
    http, sql = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=folder, http=http, sql=sql, max_rows=max_rows,
                                       buffers=buffers, dirty=buffers * 3 // 4),
                   encoding="utf-8")
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen([_tool("virtuoso-t"), "+foreground", "+configfile", str(ini)],
                                   cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    server = Server("Virtuoso", f"{base}/sparql", f"{base}/sparql-auth", process, log,
                    (VIRTUOSO_USER, VIRTUOSO_PASSWORD), sql)
    return _wait(server, f"{base}/sparql?query=ASK%7B%7D")


class CuttingProxy:
    """A loopback proxy to one URL's host that cuts one large request in the middle of its body.

    Requests whose body is over ``LARGE`` bytes are counted (with ``authorized``, only those that
    carry credentials: a digest client sends each request once without); the ``cut_request``-th
    is forwarded only half-way, then both connections are closed, as when a network drops. Every
    other request is forwarded whole. Written for the tests.
    """

    LARGE = 10_000

    def __init__(self, url: str, cut_request: int, authorized: bool = False) -> None:
        parts = urllib.parse.urlsplit(url)
        self.target = (parts.hostname or "", parts.port or 80)
        self.cut_request, self.large, self.cut = cut_request, 0, False
        self.authorized = authorized
        self.listener = socket.create_server(("127.0.0.1", 0))
        port = self.listener.getsockname()[1]
        self.url = urllib.parse.urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path,
                                            parts.query, ""))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> CuttingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()
        self._thread.join(timeout=10)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.create_connection(self.target, timeout=60)
        client.settimeout(60)
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            header, _, body = head.partition(b"\r\n\r\n")
            fields = {}
            for line in header.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                fields[name.strip().lower()] = value.strip()
            length = int(fields.get(b"content-length", b"0"))
            counted = length > self.LARGE and (not self.authorized or b"authorization" in fields)
            with self._lock:
                self.large += counted
                cut = counted and self.large == self.cut_request
            while len(body) < length and not (cut and len(body) >= length // 2):
                chunk = client.recv(65536)
                if not chunk:
                    return
                body += chunk
            if cut:
                upstream.sendall(header + b"\r\n\r\n" + body[:length // 2])
                self.cut = True
                return  # both connections close: the server never gets the rest
            upstream.sendall(header + b"\r\n\r\n" + body)  # urllib asks to close after it
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    return
                client.sendall(chunk)
        except OSError:
            return
        finally:
            upstream.close()
            client.close()
