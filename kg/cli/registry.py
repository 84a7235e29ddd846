"""``cartkg fetch-trial``: add a ClinicalTrials.gov record to the sources."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import fail, sources_option
from kg.core.record_model import PUBLIC_API


@click.command("fetch-trial")
@click.argument("nct_id", metavar="NCT_ID")
@sources_option
@click.option("--api-url", default=PUBLIC_API, show_default=True, metavar="URL",
              help="The base of the ClinicalTrials.gov API v2; the record is read from "
                   "URL/studies/NCT_ID.")
def fetch_trial(nct_id: str, sources: Path, api_url: str) -> None:
    """Retrieve one ClinicalTrials.gov record into SOURCES/registry-records/.

    The only command that uses the network, and only the API's host: the record's JSON is kept
    exactly as received, beside a .yaml with its SHA-256, the retrieval date and its URL. On any
    error (offline, a bad or unknown NCT id, an answer that is not a record) nothing is written.

    \b
    Example:
      cartkg fetch-trial NCT06328777 && cartkg build
    """
    from kg.curation.yamlfile import SourceError
    from kg.store.trial_fetch import FetchError
    from kg.store.trial_fetch import fetch_trial as fetch

    try:
        got = fetch(nct_id, sources, api_url)
    except (FetchError, SourceError) as err:
        fail(str(err))
    what = "replaced (unchanged)" if got.replaced and not got.changed \
        else "replaced" if got.replaced else "wrote"
    click.echo(f"{what} {got.json_path} ({got.size:,} bytes, SHA-256 {got.sha256}), retrieved "
               f"{got.retrieved.isoformat()} from {got.url}")
    click.echo(f"Next: name it on a trial in {sources / 'registry' / 'trials.yaml'} "
               f"(exact_match or unverified_match: [NCT:{nct_id}]) so that the record verifies "
               f"that trial's NCT id, then run `cartkg build --sources {sources}`. Data from "
               f"ClinicalTrials.gov, retrieved {got.retrieved.isoformat()}.")
