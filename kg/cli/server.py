"""``cartkg serve`` and ``cartkg publish``: share the graph from a SPARQL endpoint."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import data_option, fail, open_store, queries_option
from kg.store.publish import BATCH


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: loopback by default; 0.0.0.0 shares the endpoint "
                   "with the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="The port to listen on (0: any free port).")
@queries_option
@data_option
def serve(host: str, port: int, extra_queries: tuple[Path, ...], data: Path) -> None:
    """Serve the built graph as a read-only SPARQL endpoint, with a query page.

    The page (http://HOST:PORT/) lists the query library and runs its queries with their
    parameters; tools query http://HOST:PORT/query over the SPARQL 1.1 Protocol. Updates,
    SERVICE, LOAD and FROM are refused. Ctrl-C stops it.

    \b
    Examples:
      cartkg serve
      cartkg serve --port 8000 --data /srv/cart-kg/build
    """
    from kg.query.endpoint import make_server
    from kg.query.library import load_queries
    from kg.query.safety import QueryError

    try:
        library = load_queries(extra=extra_queries)
    except QueryError as err:
        fail(str(err))
    store = open_store(data)
    try:
        server = make_server(store.store, library, host, port,
                             log=lambda line: click.echo(line, err=True))
    except OSError as err:
        fail(f"cannot listen on {host}:{port} ({err.strerror or err}). Fix: choose another "
             "--port, or stop what listens there.")
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    click.echo(f"Serving {data} at http://{bound_host}:{bound_port}/ (SPARQL endpoint: "
               f"http://{bound_host}:{bound_port}/query). Ctrl-C stops.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@click.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="The server's SPARQL query endpoint, e.g. http://localhost:8890/sparql-auth "
                   "(Virtuoso) or http://localhost:7878/query (Oxigraph).")
@click.option("--update-endpoint", metavar="URL",
              help="Its SPARQL update endpoint, when not --endpoint (Oxigraph: "
                   "http://localhost:7878/update).")
@click.option("--batch", type=click.IntRange(min=1), default=BATCH, show_default=True,
              help="Quads per update request (whole articles per request).")
@data_option
def publish(endpoint: str, update_endpoint: str | None, batch: int, data: Path) -> None:
    """Publish the built graph to a SPARQL 1.1 server, replacing the last publish of it.

    Every named graph goes as it is; an article that is no longer in the build is removed from
    the server. Only the parts that changed since the last publish are sent (the server keeps a
    record of each part's shard). Credentials come from CARTKG_ENDPOINT_USER and
    CARTKG_ENDPOINT_PASSWORD, or a netrc file; nothing but the named endpoints is contacted.
    See docs/server.md.

    \b
    Examples:
      cartkg publish --endpoint http://localhost:7878/query \\
                     --update-endpoint http://localhost:7878/update
      CARTKG_ENDPOINT_USER=dba CARTKG_ENDPOINT_PASSWORD=... \\
        cartkg publish --endpoint http://localhost:8890/sparql-auth
    """
    from kg.core.progress import progress
    from kg.store.publish import PublishError, publish_dataset
    from kg.store.remote import RemoteError, RemoteStore

    if not data.exists():
        fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    try:
        server = RemoteStore.at(endpoint, update_endpoint)
        with progress("publishing") as bar:
            result = publish_dataset(data, server, batch, bar)
    except (PublishError, RemoteError) as err:
        fail(str(err))
    shown = ", ".join(result.removed[:10]) + (f" and {len(result.removed) - 10} more"
                                               if len(result.removed) > 10 else "")
    removed = (f"; removed {len(result.removed)} article(s) no longer in the build: {shown}"
               if result.removed else "")
    unchanged = (f"; {result.unchanged} part(s) already there as built, not sent"
                 if result.unchanged else "")
    click.echo(f"published {result.articles} article(s) and the registry ({result.quads} quads "
               f"sent, {result.requests} request(s)) to {update_endpoint or endpoint}{unchanged}"
               f"{removed}")
