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


def run(argv: list[str] | None = None) -> Any:
    """Entry point for ``python -m kg``."""
    return main(argv)
