"""``cartkg queries`` and ``cartkg query``: the query library, and running a query."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import (
    data_option,
    endpoint_option,
    fail,
    open_store,
    queries_option,
    stopped_cleanly,
)
from kg.query.tables import FORMATS


@click.command("queries")
@queries_option
def list_queries(extra_queries: tuple[Path, ...]) -> None:
    """List the queries of the library (and of your --queries folders) with their parameters.

    \b
    Examples:
      cartkg queries
      cartkg queries --queries my-queries
    """
    from kg.query.library import load_queries
    from kg.query.safety import QueryError

    try:
        library = load_queries(extra=extra_queries)
    except QueryError as err:
        fail(str(err))
    width = max(len(name) for name in library)
    for name, q in library.items():
        params = " ".join(f"--param {p.name}={p.example}" for p in q.params.values())
        click.echo(f"{name:<{width}}  {q.title}")
        if params:
            click.echo(f"{'':<{width}}    {params}")


@click.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="table",
              show_default=True)
@click.option("--file", "file", type=click.Path(path_type=Path), help="Run an ad hoc .rq file.")
@click.option("--sparql", help="Run an ad hoc SPARQL SELECT query given as text.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0,
              show_default=True, metavar="SECONDS", help="Stop the query after this long.")
@click.option("--max-memory", "max_memory", type=click.IntRange(1), default=None, metavar="MB",
              help="Stop the query when the process holds this much memory  [default: three "
                   "quarters of the memory available when it starts]")
@queries_option
@data_option
@endpoint_option
def query(name: str | None, params: tuple[str, ...], fmt: str, file: Path | None,
          sparql: str | None, timeout: float, max_memory: int | None,
          extra_queries: tuple[Path, ...], data: Path, endpoint: str | None) -> None:
    """Run a query of the library by NAME, or an ad hoc one with --file or --sparql.

    Parameters are checked against their declared type and bound, never pasted into the query.
    A query that runs longer than --timeout, or would take more memory than --max-memory, is
    stopped with an error (exit 2); Ctrl-C stops it at once (exit 130).

    \b
    Examples:
      cartkg query efficacy_outcomes_for_indication --param indication="diffuse SSc"
      cartkg query safety_findings_for_therapy --param therapy=BMS-986353 --format csv
      cartkg query --sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/cart-kg/ontology#Trial> }'
      cartkg query my_question --queries my-queries
      cartkg query trials_of_sponsor --param sponsor=BMS --endpoint http://localhost:7878/query
    """
    from kg.core.limits import bounded, default_memory_limit
    from kg.query.library import find_query, load_query
    from kg.query.params import bind_params
    from kg.query.run import run_query
    from kg.query.safety import QueryError
    from kg.store.remote import RemoteError

    if sum(x is not None for x in (name, file, sparql)) != 1:
        fail("give exactly one of NAME, --file PATH or --sparql TEXT. "
             "Fix: `cartkg queries` lists the names.")
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--param {item!r} is not NAME=VALUE. Fix: e.g. --param therapy=rese-cel")
        given[key] = value
    store = open_store(data, endpoint)
    memory = max_memory * 2**20 if max_memory else default_memory_limit()
    try:
        if sparql is not None:
            if given:
                fail("ad hoc --sparql queries take no --param.")
            text, bindings = sparql, {}
        else:
            q = load_query(file) if file is not None else find_query(str(name), extra=extra_queries)
            text, bindings = q.sparql, bind_params(q, given, store)
        with stopped_cleanly(), bounded(timeout, memory):
            result = run_query(store, text, bindings)
    except (QueryError, RemoteError) as err:
        fail(str(err))
    click.echo(FORMATS[fmt](result), nl=False)
