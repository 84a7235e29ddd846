"""The ``cartkg synth`` command: write a synthetic sources folder for tests and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("synth")
@click.option("--articles", type=click.IntRange(1, 99_999), required=True,
              help="How many articles to write.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The random seed: the same seed and size give the same bytes.")
@click.option("--out", type=click.Path(path_type=Path), required=True,
              help="The sources folder to write (registry/ and articles/ inside it).")
@click.option("--force", is_flag=True,
              help="Replace out/registry and out/articles if they exist (nothing else).")
def synth(articles: int, seed: int, out: Path, force: bool) -> None:
    """Write a synthetic corpus in the curation format, for tests and benchmarks.

    The articles are invented, news-like texts; every claim quotes its article exactly once, and
    the claims cover every kind (facts, outcomes, cohorts, plans; stated, inferred, disputed).
    The registry grows with the corpus. Building the result validates.

    \b
    Example:
      cartkg synth --articles 1000 --seed 0 --out /tmp/synth-1000
      cartkg build --sources /tmp/synth-1000 --out /tmp/build-1000
    """
    from kg.synth.corpus import generate_corpus

    try:
        summary = generate_corpus(out, articles, seed, overwrite=force)
    except FileExistsError as err:
        click.echo(f"error: {err}. Fix: choose another --out, or pass --force.", err=True)
        sys.exit(2)
    except OSError as err:
        click.echo(f"error: cannot write {err.filename or out}: {err.strerror}.", err=True)
        sys.exit(2)
    for line in summary.lines():
        click.echo(line)
