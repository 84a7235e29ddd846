"""The ``cartkg export`` command: write the graph for a visualiser, a graph database or RDF tools.

Registered on the ``cartkg`` group by :mod:`kg.cli.main`. Exit codes as there: 0 written, 2 error
(unknown format, missing dataset, unwritable path); nothing is half-written.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import fail
from kg.export.export import EXPORTERS, OUTCOME_MODES

DEFAULT_DIR = Path("build/export")

_FORMATS_HELP = "\n".join(f"  {name:<10} {exporter.description}"
                          for name, exporter in EXPORTERS.items())


@click.command(epilog=f"\b\nFormats:\n{_FORMATS_HELP}")
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), required=True,
              help="The output format (listed below).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help=f"Where to write; default {DEFAULT_DIR}/<the format's file name>. A folder "
                   "for neo4j.")
@click.option("--articles", is_flag=True,
              help="Add the articles as nodes, with 'reports' edges to what they support.")
@click.option("--outcomes", type=click.Choice(OUTCOME_MODES), default="nodes", show_default=True,
              help="Outcomes as nodes, folded into therapy -> indication edges, or left out.")
@click.option("--data", type=click.Path(path_type=Path), default=Path("build"),
              show_default=True, help="The built dataset: a build folder or one RDF file.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Processes that render TriG, JSON-LD and Turtle from a build of 63 articles "
                   "or more (the other formats use one)  [default: every core]")
def export(fmt: str, output: Path | None, articles: bool, outcomes: str, data: Path,
           jobs: int | None) -> None:
    """Export the graph for yEd, Cytoscape, Gephi, Graphviz, Neo4j, a browser or RDF tools.

    Property-graph formats hold the domain entities as nodes and the relations the claims
    assert as edges, each with its number of sources, their article ids, a quote and its status
    (stated, inferred, disputed). RDF formats hold the whole dataset with its provenance.

    \b
    Examples:
      cartkg export --format graphml -o build/export/cart-kg.graphml
      cartkg export --format html --articles
      cartkg export --format neo4j -o build/export/neo4j
      cartkg export --format gexf --outcomes edges
    """
    from kg.core.memory import fewer_collections
    from kg.core.workers import WorkerDied
    from kg.export.export import ExportError, export_graph
    from kg.store.store import GraphStore, StoreError

    exporter = EXPORTERS[fmt]
    if not data.exists():
        fail(f"no dataset at {data}. Fix: run `cartkg build` first, or pass --data PATH.")
    if not exporter.projected and (articles or outcomes != "nodes"):
        click.echo(f"note: --articles and --outcomes do not apply to {fmt}, which holds the "
                   "whole dataset.", err=True)
    try:
        store = GraphStore.from_file(data)
        with fewer_collections():
            result = export_graph(store, fmt, output or DEFAULT_DIR / exporter.filename,
                                  articles=articles, outcomes=outcomes, jobs=jobs)
    except (StoreError, ExportError) as err:
        fail(str(err))
    except WorkerDied as err:
        fail(f"{err}; the export stopped and nothing was written. Fix: run it again; if it "
             "stops again, free memory or export in one process with --jobs 1.")
    size = "" if result.nodes is None else f" ({result.nodes} nodes, {result.edges} edges)"
    for path in result.paths:
        click.echo(f"wrote {path}{size}")
