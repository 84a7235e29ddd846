"""``cartkg trace`` and ``cartkg evidence``: from facts back to their quotes, and across sources."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import data_option, endpoint_option, fail, open_store, stopped_cleanly
from kg.provenance.render import EVIDENCE_FORMATS, TRACE_FORMATS


@click.command()
@click.argument("entity", required=False)
@click.option("--source", "source", metavar="ARTICLE",
              help="List everything one article or registry record contributes (its id, "
                   "NCT id, IRI or title).")
@click.option("--fact", nargs=3, metavar="SUBJECT PREDICATE OBJECT",
              help="The evidence of one fact, e.g. --fact breakfree-1 hasPhase phase-1.")
@click.option("--format", "fmt", type=click.Choice(list(TRACE_FORMATS)), default="text",
              show_default=True)
@data_option
@endpoint_option
def trace(entity: str | None, source: str | None, fact: tuple[str, str, str] | None, fmt: str,
          data: Path, endpoint: str | None) -> None:
    """Trace an entity, an outcome, a fact, an article or a registry record back to its sources.

    ENTITY is an IRI, a CURIE, a label, a synonym or a key. Each assertion shows its quote in its
    sentence (the quoted span marked «like this»), the offsets, the article's title, date and kind,
    and whether it is stated, inferred or disputed, with the reason. Registry evidence is shown
    beside it: each field of the ClinicalTrials.gov record (JSON Pointer and value), with the
    record's retrieval date.

    \b
    Examples:
      cartkg trace rese-cel
      cartkg trace "CD19 NEX-T"
      cartkg trace MONDO:0005100 --format markdown
      cartkg trace --source 003_18bb5d852450905e
      cartkg trace --fact breakfree-1 hasPhase phase-1
      cartkg trace --source NCT06328777
    """
    import pyoxigraph as ox

    from kg.core.curie import compact
    from kg.core.limits import bounded, default_memory_limit
    from kg.core.vocab import PREDICATES
    from kg.provenance import record_trace as rt
    from kg.provenance import trace as tr
    from kg.query.resolve import UnknownName, resolve, resolve_predicate
    from kg.store.remote import RemoteError

    if sum(x is not None for x in (entity, source, fact)) != 1:
        fail("give exactly one of ENTITY, --source ARTICLE or --fact S P O.")
    store = open_store(data, endpoint)
    with stopped_cleanly(), bounded(None, default_memory_limit(), "the trace"):
        try:
            if fact is not None:
                subject = resolve(store, fact[0])
                name = fact[1]
                predicate = ox.NamedNode(str(PREDICATES[name].term)) if name in PREDICATES \
                    else resolve_predicate(name)
                obj: ox.NamedNode | ox.Literal
                try:
                    obj = resolve(store, fact[2])
                except UnknownName:
                    obj = ox.Literal(fact[2])
                records = tr.trace_fact(store, subject, predicate, obj)
                registry = rt.trace_fact_records(store, subject, predicate, obj)
                heading = f"fact {compact(subject.value)} {compact(predicate.value)} {fact[2]}"
            elif source is not None:
                node = resolve(store, source)
                records = tr.trace_article(store, node)
                registry = rt.trace_record(store, node)
                heading = f"{'record' if registry else 'article'} {compact(node.value)}"
            else:
                node = resolve(store, str(entity))
                records = tr.trace_entity(store, node)
                registry = rt.trace_entity_records(store, node)
                heading = f"{entity} ({compact(node.value)})"
        except (UnknownName, RemoteError) as err:
            fail(str(err))
    sources = len({r.article_id for r in records}) + len({r.nct_id for r in registry})
    heading += f": {len(records) + len(registry)} assertion(s) from {sources} source(s)"
    click.echo(TRACE_FORMATS[fmt](records, heading, registry), nl=False)


@click.command()
@click.option("--format", "fmt", type=click.Choice(list(EVIDENCE_FORMATS)), default="text",
              show_default=True)
@data_option
@endpoint_option
def evidence(fmt: str, data: Path, endpoint: str | None) -> None:
    """Report where sources agree, disagree or stand alone.

    Lists the number of independent sources per fact, the single-source facts, the disputed
    claims with their reasons, outcome conflicts (same therapy, population, measure and timepoint,
    different values), and look-alike outcomes that differ in population or timepoint.

    \b
    Example:
      cartkg evidence --format json
    """
    from kg.core.limits import bounded, default_memory_limit
    from kg.provenance.evidence import analyze_evidence
    from kg.store.remote import RemoteError

    store = open_store(data, endpoint)
    with stopped_cleanly(), bounded(None, default_memory_limit(), "the evidence report"):
        try:
            report = analyze_evidence(store)
        except RemoteError as err:
            fail(str(err))
    click.echo(EVIDENCE_FORMATS[fmt](report), nl=False)
