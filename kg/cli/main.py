"""The ``cartkg`` command: parse arguments, call one library function, print, exit.

Exit codes: 0 success (conforms), 1 validation violations, 2 error (bad input, bad usage). Each
command lives in the module of its stage; this one makes the group and sets, once for the
process, what the library leaves alone: rdflib never loads a graph named by a query.
"""

from __future__ import annotations

from typing import Any

import click

from kg.cli.build import build, stats, validate
from kg.cli.export import export
from kg.cli.provenance import evidence, trace
from kg.cli.query import list_queries, query
from kg.cli.registry import fetch_trial
from kg.cli.server import publish, serve
from kg.cli.synth import synth


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cart-kg")
def main() -> None:
    """cart-kg: the clinical evidence for CAR T-cell therapy in autoimmune disease, as a graph.

    Every fact traces back to the exact quote of the article it came from.

    \b
    Example:
      cartkg build && cartkg stats
    """
    import rdflib.plugins.sparql

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # no query ever loads a graph by its IRI


for command in (build, validate, stats, list_queries, query, trace, evidence, export, synth,
                serve, publish, fetch_trial):
    main.add_command(command)


def run(argv: list[str] | None = None) -> Any:
    """Entry point for ``python -m kg``."""
    return main(argv)
