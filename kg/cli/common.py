"""What the commands share: exit codes, options, opening the dataset, failing with a message."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

sources_option = click.option(
    "--sources", type=click.Path(path_type=Path), default=Path("sources"), show_default=True,
    help="The sources folder (registry/ and articles/).",
)

data_option = click.option(
    "--data", type=click.Path(path_type=Path), default=Path("build"),
    show_default=True, help="The built dataset: a build folder, or one N-Quads or TriG file.",
)

endpoint_option = click.option(
    "--endpoint", metavar="URL",
    help="Query the graph on this SPARQL 1.1 endpoint instead of --data (credentials from "
         "CARTKG_ENDPOINT_USER and CARTKG_ENDPOINT_PASSWORD, or a netrc file).",
)

queries_option = click.option(
    "--queries", "extra_queries", multiple=True, metavar="DIR",
    type=click.Path(path_type=Path, file_okay=False),
    help="A folder of your own .rq files (same '#+' headers), read beside the built-in library; "
         "repeat for several.",
)


def exit_on_sigterm() -> None:
    """Let a SIGTERM unwind like Ctrl-C, so that a build stops its workers and its staging."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def worker_died(err: Exception, fix: str) -> NoReturn:
    """A worker process died (the kernel kills one when memory runs out): say so, exit 2."""
    click.echo(f"error: {err}. {fix}", err=True)
    sys.exit(EXIT_ERROR)


@contextmanager
def stopped_cleanly() -> Iterator[None]:
    """Turn a step stopped by its limits or by Ctrl-C into its message and exit code.

    See :mod:`kg.core.limits`.
    """
    from kg.core.limits import Stop

    try:
        yield
    except Stop as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(err.code)


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def open_store(data: Path, endpoint: str | None = None) -> Any:
    """The built dataset at ``data``, opened (its index brought up to date), or exit 2.

    With ``endpoint``, the graph on that SPARQL endpoint instead.
    """
    from kg.store.store import GraphStore, StoreError

    if endpoint is not None:
        from kg.store.remote import RemoteError, RemoteStore

        try:
            return RemoteStore.at(endpoint)
        except RemoteError as err:
            fail(str(err))

    if not data.exists():
        fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    try:
        return GraphStore.from_file(data).open()
    except StoreError as err:
        fail(str(err))
