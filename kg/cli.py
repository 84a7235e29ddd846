"""The ``cartkg`` command: parse arguments, call one library function, print, exit.

Exit codes: 0 success (conforms), 1 validation violations, 2 error (bad input, bad usage).
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from kg.build import Stats
    from kg.validate import ValidationReport

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

sources_option = click.option(
    "--sources", type=click.Path(path_type=Path), default=Path("sources"), show_default=True,
    help="The sources folder (registry/ and articles/).",
)


def _exit_on_sigterm() -> None:
    """Let a SIGTERM unwind like Ctrl-C, so that a build stops its workers and its staging."""
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _worker_died(err: Exception, fix: str) -> NoReturn:
    """A worker process died (the kernel kills one when memory runs out): say so, exit 2."""
    click.echo(f"error: {err}. {fix}", err=True)
    sys.exit(EXIT_ERROR)


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


@main.command()
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
    from kg.build import build_dataset
    from kg.workers import WorkerDied
    from kg.yamlfile import SourceError

    _exit_on_sigterm()
    try:
        result = build_dataset(sources, out, exclude=frozenset(without), jobs=jobs, clean=clean)
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"build stopped: {len(err.problems)} problem(s) in the sources; "
                   "nothing was written.", err=True)
        sys.exit(EXIT_ERROR)
    except WorkerDied as err:
        _worker_died(err, "build stopped; nothing was written. Fix: run the build again; if it "
                     "stops again, free memory or build in one process with --jobs 1.")
    _print_stats(result.stats)
    _print_report(result.report)
    if not result.report.conforms:
        click.echo("nothing was written: fix the violations above.", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"parts: {result.rebuilt} built, {result.reused} unchanged since the last build")
    for path in result.files.values():
        click.echo(f"wrote {path}")


@main.command()
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
    from kg.build import build_dataset
    from kg.progress import progress
    from kg.store import StoreError, read_quads
    from kg.validate import validate_dataset
    from kg.workers import WorkerDied
    from kg.yamlfile import SourceError

    try:
        if path:
            with progress(f"Validating {path}", total=2, leave=False) as bar:
                bar.advance(0, status="reading")
                quads = read_quads(path)
                bar.advance(status=f"pyshacl on {len(quads)} quads")
                report = validate_dataset(quads)
                bar.advance()
        else:
            report = build_dataset(sources, out=None).report
    except SourceError as err:
        for problem in err.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_ERROR)
    except WorkerDied as err:
        _worker_died(err, "validation stopped. Fix: run it again; if it stops again, free "
                     "memory, or build in one process and validate the dataset: cartkg build "
                     "--jobs 1, then cartkg validate build.")
    except (StoreError, TypeError) as err:
        _fail(str(err))
    _print_report(report)
    sys.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


@main.command()
@click.option("--data", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="The built dataset to describe (a build folder or a file).")
def stats(data: Path) -> None:
    """Count what the built graph holds: articles, assertions, entities per class, triples.

    \b
    Example:
      cartkg stats --data build
    """
    from kg.build import Stats, summarize
    from kg.dataset import DatasetError, find, read_manifest
    from kg.store import StoreError, read_quads

    if not data.exists():
        _fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    folder = find(data) if data.is_dir() else None
    try:
        if folder is not None:  # a build's totals are in its manifest: no need to read the graph
            _print_stats(Stats.from_manifest(read_manifest(folder)))
        else:
            _print_stats(summarize(read_quads(data)))
    except (StoreError, DatasetError) as err:
        _fail(str(err))


data_option = click.option(
    "--data", type=click.Path(path_type=Path), default=Path("build"),
    show_default=True, help="The built dataset: a build folder, or one N-Quads or TriG file.",
)


def _open_store(data: Path) -> Any:
    from kg.store import GraphStore, StoreError

    if not data.exists():
        _fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    try:
        return GraphStore.from_file(data).open()
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
      cartkg query efficacy_outcomes_for_indication --param indication="diffuse SSc"
      cartkg query safety_findings_for_therapy --param therapy=BMS-986353 --format csv
      cartkg query --sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/cart-kg/ontology#Trial> }'
    """
    from kg.query import QueryError, bind_params, find_query, load_query, run_query
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
            q = load_query(file) if file is not None else find_query(str(name))
            result = run_query(store, q.sparql, bind_params(q, given, store), q.narrows)
    except QueryError as err:
        _fail(str(err))
    click.echo(FORMATS[fmt](result), nl=False)


@main.command()
@click.argument("entity", required=False)
@click.option("--source", "source", metavar="ARTICLE",
              help="List everything one article contributes (its id, IRI or title).")
@click.option("--fact", nargs=3, metavar="SUBJECT PREDICATE OBJECT",
              help="The evidence of one fact, e.g. --fact breakfree-1 hasPhase phase-1.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
@data_option
def trace(entity: str | None, source: str | None, fact: tuple[str, str, str] | None, fmt: str,
          data: Path) -> None:
    """Trace an entity, an outcome, a fact or an article back to its quotes.

    ENTITY is an IRI, a CURIE, a label, a synonym or a key. Each assertion shows its quote in its
    sentence (the quoted span marked «like this»), the offsets, the article's title, date and kind,
    and whether it is stated, inferred or disputed, with the reason.

    \b
    Examples:
      cartkg trace rese-cel
      cartkg trace "CD19 NEX-T"
      cartkg trace MONDO:0005100 --format markdown
      cartkg trace --source 003_18bb5d852450905e
      cartkg trace --fact breakfree-1 hasPhase phase-1
    """
    import pyoxigraph as ox

    from kg import trace as tr
    from kg.render import TRACE_FORMATS
    from kg.vocab import PREDICATES, compact

    if sum(x is not None for x in (entity, source, fact)) != 1:
        _fail("give exactly one of ENTITY, --source ARTICLE or --fact S P O.")
    store = _open_store(data)
    try:
        if fact is not None:
            subject = tr.resolve(store, fact[0])
            name = fact[1]
            predicate = ox.NamedNode(str(PREDICATES[name].term) if name in PREDICATES
                                     else str(tr.resolve_predicate(name)))
            obj: ox.NamedNode | ox.Literal
            try:
                obj = tr.resolve(store, fact[2])
            except tr.TraceError:
                obj = ox.Literal(fact[2])
            records = tr.trace_fact(store, subject, predicate, obj)
            heading = f"fact {compact(subject.value)} {compact(predicate.value)} {fact[2]}"
        elif source is not None:
            node = tr.resolve(store, source)
            records = tr.trace_article(store, node)
            heading = f"article {compact(node.value)}"
        else:
            node = tr.resolve(store, str(entity))
            records = tr.trace_entity(store, node)
            heading = f"{entity} ({compact(node.value)})"
    except tr.TraceError as err:
        _fail(str(err))
    articles = len({r.article_id for r in records})
    heading += f": {len(records)} assertion(s) from {articles} source(s)"
    click.echo(TRACE_FORMATS[fmt](records, heading), nl=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@data_option
def evidence(fmt: str, data: Path) -> None:
    """Report where sources agree, disagree or stand alone.

    Lists the number of independent sources per fact, the single-source facts, the disputed
    claims with their reasons, outcome conflicts (same therapy, population, measure and timepoint,
    different values), and look-alike outcomes that differ in population or timepoint.

    \b
    Example:
      cartkg evidence --format json
    """
    from kg.evidence import analyze_evidence
    from kg.render import EVIDENCE_FORMATS

    click.echo(EVIDENCE_FORMATS[fmt](analyze_evidence(_open_store(data))), nl=False)


def run(argv: list[str] | None = None) -> Any:
    """Entry point for ``python -m kg``."""
    return main(argv)


from kg.cli_export import export  # noqa: E402

main.add_command(export)

from kg.cli_synth import synth  # noqa: E402

main.add_command(synth)
