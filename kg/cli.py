"""The ``cartkg`` command: parse arguments, call one library function, print, exit.

Exit codes: 0 success (conforms), 1 validation violations, 2 error (bad input, bad usage).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from kg.build import Stats
    from kg.validate import ValidationReport

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

sources_option = click.option(
    "--sources", type=click.Path(path_type=Path), default=Path("sources"), show_default=True,
    help="The sources folder (registry/ and articles/).",
)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cart-kg")
def main() -> None:
    """cart-kg: the clinical evidence for CAR T-cell therapy in autoimmune disease, as a graph.

    Every fact traces back to the exact quote of the article it came from.

    \b
    Example:
      cartkg build && cartkg stats
    """


def _print_stats(stats: Stats) -> None:
    click.echo(f"articles:    {stats.articles}")
    click.echo(f"assertions:  {stats.assertions}  (one named graph each)")
    click.echo(f"quotes:      {stats.quotes}")
    click.echo(f"graphs:      {stats.graphs}")
    click.echo(f"triples:     {stats.triples}")
    click.echo("entities per class:")
    for cls, count in stats.classes.items():
        click.echo(f"  {cls:<28} {count}")


def _print_report(report: ValidationReport) -> None:
    for violation in report.violations:
        click.echo(str(violation))
    verdict = "conforms" if report.conforms else f"{len(report.violations)} violation(s)"
    click.echo(f"validation: {verdict} ({report.triples} triples checked)")


@main.command()
@sources_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Where to write the dataset files.")
def build(sources: Path, out: Path) -> None:
    """Build the graph from the sources, validate it, and write the dataset.

    Writes cart-kg.trig and cart-kg.nq (every assertion in its own named graph, with provenance)
    and cart-kg-union.ttl (the union of the assertions). Nothing is written unless the graph
    validates.

    \b
    Example:
      cartkg build --out build
    """
    from kg.build import build_dataset
    from kg.yamlfile import SourceError

    try:
        result = build_dataset(sources, out)
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"build stopped: {len(err.problems)} problem(s) in the sources; "
                   "nothing was written.", err=True)
        sys.exit(EXIT_ERROR)
    _print_stats(result.stats)
    _print_report(result.report)
    if not result.report.conforms:
        click.echo("nothing was written: fix the violations above.", err=True)
        sys.exit(EXIT_VIOLATIONS)
    for path in result.files.values():
        click.echo(f"wrote {path}")


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@sources_option
def validate(path: Path | None, sources: Path) -> None:
    """Validate a dataset file (N-Quads, TriG, Turtle) or, without PATH, the sources.

    Prints one line per violation: severity, focus node, path, message, and the curation file
    and claim it came from. Exit code 0 conforms, 1 violations, 2 error.

    \b
    Example:
      cartkg validate build/cart-kg.trig
    """
    from kg.emit import emit_dataset
    from kg.sources import load_sources
    from kg.store import StoreError, read_quads
    from kg.validate import validate_dataset
    from kg.yamlfile import SourceError

    try:
        quads = read_quads(path) if path else emit_dataset(load_sources(sources))
        report = validate_dataset(quads)
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_ERROR)
    except (StoreError, TypeError) as err:
        _fail(str(err))
    _print_report(report)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


@main.command()
@click.option("--data", type=click.Path(path_type=Path), default=Path("build/cart-kg.nq"),
              show_default=True, help="The built dataset to describe.")
def stats(data: Path) -> None:
    """Count what the built graph holds: articles, assertions, entities per class, triples.

    \b
    Example:
      cartkg stats --data build/cart-kg.nq
    """
    from kg.build import summarize
    from kg.store import StoreError, read_quads

    if not data.exists():
        _fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    try:
        quads = read_quads(data)
    except StoreError as err:
        _fail(str(err))
    _print_stats(summarize(quads))


data_option = click.option(
    "--data", type=click.Path(path_type=Path), default=Path("build/cart-kg.nq"),
    show_default=True, help="The built dataset (N-Quads or TriG).",
)


def _open_store(data: Path) -> Any:
    from kg.store import GraphStore, StoreError

    if not data.exists():
        _fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    try:
        return GraphStore.from_file(data)
    except StoreError as err:
        _fail(str(err))


@main.command("queries")
def list_queries() -> None:
    """List the queries of the library (queries/*.rq) with their titles and parameters.

    \b
    Example:
      cartkg queries
    """
    from kg.query import QueryError, load_queries

    try:
        library = load_queries()
    except QueryError as err:
        _fail(str(err))
    width = max(len(name) for name in library)
    for name, q in library.items():
        params = " ".join(f"--param {p.name}={p.example}" for p in q.params.values())
        click.echo(f"{name:<{width}}  {q.title}")
        if params:
            click.echo(f"{'':<{width}}    {params}")


@main.command()
@click.argument("name", required=False)
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value; repeat for several.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
@click.option("--file", "file", type=click.Path(path_type=Path), help="Run an ad hoc .rq file.")
@click.option("--sparql", help="Run an ad hoc SPARQL SELECT query given as text.")
@data_option
def query(name: str | None, params: tuple[str, ...], fmt: str, file: Path | None,
          sparql: str | None, data: Path) -> None:
    """Run a query of the library by NAME, or an ad hoc one with --file or --sparql.

    Parameters are checked against their declared type and bound, never pasted into the query.

    \b
    Examples:
      cartkg query efficacy_outcomes_for_indication --param indication=systemic-sclerosis
      cartkg query safety_findings_for_therapy --param therapy=rese-cel --format csv
      cartkg query --sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/cart-kg/ontology#Trial> }'
    """
    from kg.query import QueryError, bind_params, load_queries, load_query, run_query
    from kg.tables import FORMATS

    if sum(x is not None for x in (name, file, sparql)) != 1:
        _fail("give exactly one of NAME, --file PATH or --sparql TEXT. "
              "Fix: `cartkg queries` lists the names.")
    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--param {item!r} is not NAME=VALUE. Fix: e.g. --param therapy=rese-cel")
        given[key] = value
    store = _open_store(data)
    try:
        if sparql is not None:
            if given:
                _fail("ad hoc --sparql queries take no --param.")
            result = run_query(store, sparql)
        else:
            if file is not None:
                q = load_query(file)
            else:
                library = load_queries()
                if name not in library:
                    import difflib

                    close = difflib.get_close_matches(str(name), list(library), n=3)
                    hint = f" Did you mean {', '.join(close)}?" if close else ""
                    _fail(f"no query named {name!r}.{hint} Fix: `cartkg queries` lists them.")
                q = library[str(name)]
            result = run_query(store, q.sparql, bind_params(q, given, store))
    except QueryError as err:
        _fail(str(err))
    click.echo(FORMATS[fmt](result), nl=False)


def run(argv: list[str] | None = None) -> Any:
    """Entry point for ``python -m kg``."""
    return main(argv)
