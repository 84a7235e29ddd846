"""``cartkg build``, ``validate`` and ``stats``: make the dataset, check it, count what it holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_VIOLATIONS,
    exit_on_sigterm,
    fail,
    sources_option,
    worker_died,
)

if TYPE_CHECKING:
    from kg.build.summary import Stats
    from kg.validation.validate import ValidationReport


def _print_stats(stats: Stats) -> None:
    click.echo(f"articles:    {stats.articles}")
    click.echo(f"assertions:  {stats.assertions}  (one named graph each)")
    click.echo(f"quotes:      {stats.quotes}")
    click.echo(f"outcomes:    {stats.outcomes}  (efficacy, safety, pharmacodynamic)")
    click.echo(f"graphs:      {stats.graphs}")
    click.echo(f"triples:     {stats.triples}")
    click.echo("entities per class:")
    for cls, count in stats.classes.items():
        click.echo(f"  {cls:<28} {count}")


def _print_report(report: ValidationReport) -> None:
    for violation in report.violations:
        click.echo(str(violation))
    errors = sum(v.severity == "Violation" for v in report.violations)
    others = len(report.violations) - errors
    verdict = "conforms" if report.conforms else f"{errors} violation(s)"
    notes = f", {others} warning(s)" if others else ""
    click.echo(f"validation: {verdict} ({report.triples} triples checked{notes})")


@click.command()
@sources_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Where to write the dataset files.")
@click.option("--without", "without", multiple=True, metavar="ARTICLE",
              help="Leave an article out (retract it); repeat for several.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Processes to build with  [default: every core]")
@click.option("--clean", is_flag=True,
              help="Rebuild every part, ignoring what the last build into --out kept.")
def build(sources: Path, out: Path, without: tuple[str, ...], jobs: int | None,
          clean: bool) -> None:
    """Build the graph from the sources, validate it, and write the dataset.

    Writes OUT/dataset/: one sorted N-Quads file for the registry and one per article (its
    provenance graph and every assertion in its own named graph), and manifest.json. Nothing is
    written unless the whole graph validates. Articles unchanged since the last build into OUT
    are not read, emitted or validated again; the output is the same bytes as a clean build.
    Single files (TriG, N-Quads, Turtle, ...) come from `cartkg export`.

    \b
    Examples:
      cartkg build --out build
      cartkg build --without 002_6a53bef826e0de7a --out build-without-002
    """
    from kg.build.build import build_dataset
    from kg.core.memory import collector_off
    from kg.core.workers import WorkerDied
    from kg.curation.yamlfile import SourceError
    from kg.store.dataset import DatasetError

    exit_on_sigterm()
    try:
        with collector_off():
            result = build_dataset(sources, out, exclude=frozenset(without), jobs=jobs,
                                   clean=clean)
    except DatasetError as err:
        fail(str(err))
    except OSError as err:  # a read-only folder, a full disk: the old dataset is left as it was
        fail(f"the build stopped: {err.filename or out}: {err.strerror or err}; nothing was "
             "written and the last dataset is as it was. Fix: free space, or build into a "
             "folder you can write to (--out PATH).")
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"build stopped: {len(err.problems)} problem(s) in the sources; "
                   "nothing was written.", err=True)
        sys.exit(EXIT_ERROR)
    except WorkerDied as err:
        worker_died(err, "build stopped; nothing was written. Fix: run the build again; if it "
                     "stops again, free memory or build in one process with --jobs 1.")
    _print_stats(result.stats)
    _print_report(result.report)
    if not result.report.conforms:
        click.echo("nothing was written: fix the violations above.", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"parts: {result.rebuilt} built, {result.reused} unchanged since the last build")
    for path in result.files.values():
        click.echo(f"wrote {path}")


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@sources_option
def validate(path: Path | None, sources: Path) -> None:
    """Validate a dataset (a build folder or one RDF file) or, without PATH, the sources.

    Prints one line per violation: severity, focus node, path, message, and the curation file
    and claim it came from. Exit code 0 conforms, 1 violations, 2 error. The sources are
    validated part by part, as `cartkg build` does, without writing anything; a dataset is
    validated as a whole, whoever made it.

    \b
    Examples:
      cartkg validate
      cartkg validate build
      cartkg validate edited.nq
    """
    from kg.build.build import build_dataset
    from kg.build.dataset_analyses import analyses_mismatch
    from kg.core.memory import collector_off
    from kg.core.progress import progress
    from kg.core.workers import WorkerDied
    from kg.curation.yamlfile import SourceError
    from kg.store.dataset import DatasetError, find, mismatches
    from kg.store.store import StoreError, read_quads
    from kg.validation.validate import validate_dataset

    integrity: list[str] = []
    stale: str | None = None
    try:
        if path:
            with progress(f"Validating {path}", total=2, leave=False) as bar:
                bar.advance(0, status="reading")
                folder = find(path) if path.is_dir() else None
                integrity = mismatches(folder) if folder is not None else []
                quads = read_quads(path, verify=False)
                if not quads:
                    fail(f"{path} holds no triples: there is nothing to validate, and an empty "
                         "dataset is not a valid one. Fix: name the dataset built by `cartkg "
                         "build`, or a file that holds it.")
                bar.advance(status=f"pyshacl on {len(quads)} quads")
                report = validate_dataset(quads)
                stale = analyses_mismatch(quads)
                bar.advance()
        else:
            with collector_off():
                report = build_dataset(sources, out=None).report
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_ERROR)
    except WorkerDied as err:
        worker_died(err, "validation stopped. Fix: run it again; if it stops again, free "
                     "memory, or build in one process and validate the dataset: cartkg build "
                     "--jobs 1, then cartkg validate build.")
    except (StoreError, DatasetError, TypeError) as err:
        fail(str(err))
    for mismatch in integrity:
        click.echo(f"Violation: {mismatch}")
    _print_report(report)
    if integrity:
        click.echo(f"the dataset does not match its manifest: {len(integrity)} problem(s). "
                   "Fix: rebuild it with `cartkg build`.")
    if stale is not None:
        click.echo(f"Violation: {stale} Fix: rebuild it with `cartkg build`.")
    sys.exit(EXIT_OK if report.conforms and not integrity and stale is None
             else EXIT_VIOLATIONS)


@click.command()
@click.option("--data", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="The built dataset to describe (a build folder or a file).")
def stats(data: Path) -> None:
    """Count what the built graph holds: articles, assertions, entities per class, triples.

    \b
    Example:
      cartkg stats --data build
    """
    from kg.build.summary import Stats, summarize
    from kg.store.dataset import DatasetError, find, read_manifest
    from kg.store.store import StoreError, read_quads

    if not data.exists():
        fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    folder = find(data) if data.is_dir() else None
    try:
        if folder is not None:  # a build's totals are in its manifest: no need to read the graph
            _print_stats(Stats.from_manifest(read_manifest(folder)))
        else:
            _print_stats(summarize(read_quads(data)))
    except (StoreError, DatasetError) as err:
        fail(str(err))
