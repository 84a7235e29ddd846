"""Publish to the Oxigraph server and Virtuoso beside their bulk loaders; query all three stores.

A build is published to each server and loaded by each server's own bulk loader; then every
library query runs on the embedded store and on both servers.

Usage (the build first; the servers are started and stopped here, on loopback, in ``--work``)::

    cartkg build --sources /tmp/synth-10000 --out /tmp/build-10000
    PYTHONPATH=. .venv/bin/python benchmarks/servers.py --data /tmp/build-10000 \\
        --work /tmp/servers-10000 --json servers.json

What it measures, in one run:

* ``publish``: ``cartkg publish`` of the build into an empty server, and the server's own bulk
  loader on the same N-Quads (``cartkg export --format nquads``) into another empty one:
  ``oxigraph load --location DIR --file dataset.nq`` (the server stopped, as that command needs),
  and Virtuoso's ``ld_dir`` + ``rdf_loader_run`` + ``checkpoint`` through ``isql-vt``.
* ``prepared`` (with ``--floor``): the floor of SPARQL 1.1 Update on each server, the same
  quads as ``INSERT DATA`` requests made beforehand (as ``cartkg publish`` cuts them: operations
  of ``INSERT_CHUNK`` quads, requests of at most ``BATCH`` quads and ``MAX_BYTES``), posted into
  another empty server; only the posting is timed.
* ``graph_store`` (with ``--floor``, Virtuoso): the SPARQL 1.1 Graph Store Protocol as a way in,
  one ``PUT`` of N-Triples to ``/sparql-graph-crud-auth`` per named graph of the same N-Quads,
  into another empty server.
* ``queries``: each library query with its header's example parameters, ``--runs`` times
  (the median; once when a run takes over 10 s), on the embedded store (``run_query``), on the
  Oxigraph server and on Virtuoso (the published copies), with the number of rows of each.

Virtuoso gets ``--virtuoso-buffers`` pages of cache (340,000, about 2.7 GB: its guide's figure
for a machine with 4 GB or more free), as a server set up for this size would.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from servers import (  # noqa: E402  (the test suite's server starters)
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    Server,
    start_oxigraph,
    start_virtuoso,
)

from kg.core.netguard import guarded_opener  # noqa: E402
from kg.query.library import load_queries  # noqa: E402
from kg.query.params import bind_params  # noqa: E402
from kg.query.run import run_query  # noqa: E402
from kg.store.remote import PASSWORD_VARIABLE, USER_VARIABLE, RemoteStore  # noqa: E402
from kg.store.store import GraphStore  # noqa: E402


def _tool(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def _timed(command: list[str], env: dict[str, str] | None = None) -> float:
    print("$", " ".join(command), flush=True)
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _publish(data: Path, server: Server) -> float:
    env = dict(os.environ)
    command = [_tool("cartkg"), "publish", "--data", str(data), "--endpoint", server.query_url]
    if server.auth:
        command[-1] = server.update_url
        env[USER_VARIABLE], env[PASSWORD_VARIABLE] = server.auth
    else:
        command += ["--update-endpoint", server.update_url]
    return _timed(command, env)


def _virtuoso_bulk(server: Server, folder: Path, nquads: Path) -> float:
    shutil.copy(nquads, folder / "load.nq")
    script = (f"ld_dir('{folder}', 'load.nq', 'urn:cart-kg:unused'); rdf_loader_run(); "
              "checkpoint;")
    return _timed([_tool("isql-vt"), f"127.0.0.1:{server.sql_port}", VIRTUOSO_USER,
                   VIRTUOSO_PASSWORD, f"exec={script}"])


def _prepared_requests(data: Path) -> list[str]:
    from kg.store.publish import BATCH, MAX_BYTES
    from kg.store.shards import shard_quads
    from kg.store.update_text import insert

    quads = [q for path, sha256 in GraphStore.from_file(data).shards
             for q in shard_quads(path, sha256)]
    texts: list[str] = []
    start = 0
    while start < len(quads):
        step = BATCH
        while len(text := insert(quads[start:start + step]).encode("utf-8")) > MAX_BYTES:
            step //= 2
        texts.append(text.decode("utf-8"))
        start += step
    return texts


def _post_prepared(texts: list[str], server: Server) -> float:
    if server.auth:
        os.environ[USER_VARIABLE], os.environ[PASSWORD_VARIABLE] = server.auth
    remote = RemoteStore.at(server.update_url)
    start = time.perf_counter()
    for text in texts:
        remote.update(text)
    return time.perf_counter() - start


def _graph_bodies(nquads: Path) -> dict[str, bytes]:
    """Each named graph of an N-Quads file as an N-Triples document."""
    lines: dict[str, list[bytes]] = defaultdict(list)
    with nquads.open("rb") as quads:
        for quad in quads:
            if quad.strip():
                triple, _, graph = quad.rstrip()[:-2].rpartition(b" ")
                lines[graph[1:-1].decode("utf-8")].append(triple + b" .\n")
    return {graph: b"".join(triples) for graph, triples in lines.items()}


def _put_graphs(bodies: dict[str, bytes], server: Server) -> float:
    """PUT each graph to Virtuoso's Graph Store Protocol endpoint, with digest authentication.

    The digest is computed here from one challenge: a client that sends each body first without
    credentials (as urllib's does) has its connection reset by the server.
    """
    user, password = server.auth or ("", "")
    root = server.query_url.rsplit("/", 1)[0]
    client = guarded_opener()
    try:
        client.open(f"{root}/sparql-graph-crud-auth?graph-uri=urn:x", timeout=60)
        raise SystemExit(f"{root}: the Graph Store endpoint asked for no credentials")
    except urllib.error.HTTPError as err:
        challenge = dict(re.findall(r'(\w+)="?([^",]*)"?', err.headers["WWW-Authenticate"]))

    def md5(text: str) -> str:
        return hashlib.md5(text.encode("utf-8")).hexdigest()

    secret = md5(f"{user}:{challenge['realm']}:{password}")
    start = time.perf_counter()
    for count, (graph, body) in enumerate(bodies.items(), start=1):
        path = "/sparql-graph-crud-auth?graph-uri=" + urllib.parse.quote(graph, safe="")
        nc, cnonce = f"{count:08x}", "cart-kg"
        response = md5(f"{secret}:{challenge['nonce']}:{nc}:{cnonce}:auth:{md5('PUT:' + path)}")
        header = (f'Digest username="{user}", realm="{challenge["realm"]}", '
                  f'nonce="{challenge["nonce"]}", uri="{path}", qop=auth, nc={nc}, '
                  f'cnonce="{cnonce}", response="{response}", opaque="{challenge["opaque"]}"')
        request = urllib.request.Request(root + path, data=body, method="PUT", headers={
            "Content-Type": "text/turtle", "Authorization": header})
        with client.open(request, timeout=600) as answer:
            answer.read()
    return time.perf_counter() - start


def _median_time(run: Callable[[], int], runs: int) -> dict[str, Any]:
    times, rows = [], 0
    try:
        while len(times) < runs and not (times and times[-1] > 10):
            start = time.perf_counter()
            rows = run()
            times.append(time.perf_counter() - start)
    except Exception as err:  # a server's error is a result to report
        return {"error": str(err)[:300]}
    return {"seconds": statistics.median(times), "rows": rows}


def main() -> None:
    """Run the measurements and print (and optionally write) them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a build folder")
    parser.add_argument("--work", type=Path, required=True, help="an empty folder for servers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--names", help="comma-separated query names (default: all)")
    parser.add_argument("--servers", default="oxigraph,virtuoso",
                        help="which servers to measure (comma-separated)")
    parser.add_argument("--virtuoso-buffers", type=int, default=340_000)
    parser.add_argument("--queries-on", choices=("published", "bulk"), default="published",
                        help="query the published copies (and time publish), or only the "
                             "bulk-loaded ones (no publish)")
    parser.add_argument("--floor", action="store_true",
                        help="also post prepared INSERT DATA requests into an empty server, and "
                             "(Virtuoso) PUT each graph by the Graph Store Protocol into another")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=False)
    result: dict[str, Any] = {"publish": {}, "queries": {}}
    nquads = args.work / "dataset.nq"
    result["export_nquads"] = _timed([_tool("cartkg"), "export", "--data", str(args.data),
                                      "--format", "nquads", "-o", str(nquads)])

    servers: dict[str, Server] = {}
    texts = _prepared_requests(args.data) if args.floor else []
    starters: dict[str, Callable[[Path], Server]] = {
        "oxigraph": start_oxigraph,
        "virtuoso": lambda folder: start_virtuoso(folder, buffers=args.virtuoso_buffers)}
    for name, start in starters.items():
        if texts and name in args.servers:
            (args.work / f"{name}-prepared").mkdir()
            empty = start(args.work / f"{name}-prepared")
            try:
                result.setdefault("prepared", {})[name] = _post_prepared(texts, empty)
            finally:
                empty.stop()
            print(json.dumps(result["prepared"]), flush=True)
    if texts and "virtuoso" in args.servers:
        (args.work / "virtuoso-graph-store").mkdir()
        empty = start_virtuoso(args.work / "virtuoso-graph-store", buffers=args.virtuoso_buffers)
        try:
            result["graph_store"] = {"virtuoso": _put_graphs(_graph_bodies(nquads), empty)}
        finally:
            empty.stop()
        print(json.dumps(result["graph_store"]), flush=True)
    if "oxigraph" in args.servers:
        folder = args.work / "oxigraph-bulk"
        folder.mkdir()
        bulk = _timed([_tool("oxigraph"), "load", "--location", str(folder / "store"),
                       "--file", str(nquads)])
        if args.queries_on == "bulk":
            servers["oxigraph"] = start_oxigraph(folder)
            result["publish"]["oxigraph"] = {"bulk": bulk}
        else:
            (args.work / "oxigraph-published").mkdir()
            servers["oxigraph"] = start_oxigraph(args.work / "oxigraph-published")
            result["publish"]["oxigraph"] = {"publish": _publish(args.data, servers["oxigraph"]),
                                             "bulk": bulk}
        print(json.dumps(result["publish"]), flush=True)
    if "virtuoso" in args.servers:
        (args.work / "virtuoso-bulk").mkdir()
        loaded = start_virtuoso(args.work / "virtuoso-bulk", buffers=args.virtuoso_buffers)
        bulk = _virtuoso_bulk(loaded, args.work / "virtuoso-bulk", nquads)
        if args.queries_on == "bulk":
            servers["virtuoso"] = loaded
            result["publish"]["virtuoso"] = {"bulk": bulk}
        else:
            loaded.stop()
            (args.work / "virtuoso-published").mkdir()
            servers["virtuoso"] = start_virtuoso(args.work / "virtuoso-published",
                                                 buffers=args.virtuoso_buffers)
            result["publish"]["virtuoso"] = {
                "publish": _publish(args.data, servers["virtuoso"]), "bulk": bulk}
        print(json.dumps(result["publish"]), flush=True)

    store = GraphStore.from_file(args.data)
    remotes = {name: RemoteStore.at(server.query_url) for name, server in servers.items()}
    queries = load_queries()
    names = args.names.split(",") if args.names else sorted(queries)
    try:
        for name in names:
            query = queries[name]
            bindings = bind_params(query, {p.name: p.example for p in query.params.values()},
                                   store)
            line: dict[str, Any] = {"embedded": _median_time(
                lambda q=query, b=bindings: len(run_query(store, q.sparql, b).rows), args.runs)}
            for server, remote in remotes.items():
                line[server] = _median_time(
                    lambda r=remote, q=query, b=bindings: len(r.select(q.sparql, b)[1]),
                    args.runs)
            result["queries"][name] = line
            print(name, json.dumps(line), flush=True)
    finally:
        for server in servers.values():
            server.stop()
    text = json.dumps(result, indent=1, sort_keys=True)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
