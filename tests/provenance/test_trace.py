"""Tracing: from an entity, a fact, an outcome or an article back to the sentence it came from."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kg.build.summary import BuildResult
from kg.cli.main import main
from kg.provenance.trace import (
    EvidenceRecord,
    sentence_around,
    trace_article,
    trace_entity,
    trace_fact,
)
from kg.query.resolve import UnknownName, resolve
from kg.store.files import write_dataset
from kg.store.store import GraphStore

A000, A002, A003 = "000_5ef16d2ca6f7ae03", "002_6a53bef826e0de7a", "003_18bb5d852450905e"
RES = "https://w3id.org/cart-kg/resource/"


@pytest.fixture(scope="module")
def store(real_build: BuildResult) -> GraphStore:
    return GraphStore.from_quads(real_build.quads)


@pytest.mark.parametrize(("name", "iri"), [
    ("rese-cel", "therapy/rese-cel"),                    # a synonym
    ("CD19 NEX-T", "therapy/bms-986353"),                # the article's own name
    ("BMS-986353", "therapy/bms-986353"),
    ("resecabtagene autoleucel", "therapy/rese-cel"),    # the label
    ("MONDO:0005100", "indication/systemic-sclerosis"),  # a verified identifier, as a CURIE
    ("http://purl.obolibrary.org/obo/MONDO_0007915", "indication/sle"),  # ... as an IRI
    ("NCT:NCT05869955", "trial/breakfree-1"),
    ("res:trial/breakfree-1", "trial/breakfree-1"),      # our own CURIE
    ("breakfree-1", "trial/breakfree-1"),                # the key
    (A003, f"article/{A003}"),                           # an article id
])
def test_names_identifiers_and_iris_resolve(store: GraphStore, name: str, iri: str) -> None:
    assert resolve(store, name) == ox.NamedNode(RES + iri)


def test_an_unknown_name_suggests_close_matches(store: GraphStore) -> None:
    with pytest.raises(UnknownName, match="Did you mean 'rese-cel'"):
        resolve(store, "rese-cell")


def test_an_ambiguous_name_lists_its_candidates(store: GraphStore) -> None:
    # no name is shared in the real registry, so add one synonym to two therapies
    quads = [*store.quads(), ox.Quad(
        ox.NamedNode(RES + "therapy/rese-cel"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("CD19 CAR T"),
        ox.NamedNode("https://w3id.org/cart-kg/graph/registry")), ox.Quad(
        ox.NamedNode(RES + "therapy/bms-986353"),
        ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), ox.Literal("CD19 CAR T"),
        ox.NamedNode("https://w3id.org/cart-kg/graph/registry"))]
    expected = r"ambiguous.*res:therapy/bms-986353, res:therapy/rese-cel"
    with pytest.raises(UnknownName, match=expected):
        resolve(GraphStore.from_quads(quads), "CD19 CAR T")


def test_tracing_an_entity_lists_its_assertions_with_quotes(store: GraphStore) -> None:
    records = trace_entity(store, resolve(store, "lisocabtagene maraleucel"))
    assert all(isinstance(r, EvidenceRecord) for r in records)
    assert {r.article_id for r in records} == {A003}
    construct = next(r for r in records if ("res:therapy/bms-986353",
                                            "cart:sharesCarConstructWith",
                                            "res:therapy/liso-cel") in r.triples)
    quote = construct.quotes[0]
    text = (ROOT / "sources/articles" / A003 / "article.txt").read_text(encoding="utf-8")
    assert text[quote.start : quote.end] == quote.exact
    assert quote.sentence.startswith("Importantly, the CAR construct used in BMS-986353")
    assert "«" in quote.marked() and construct.basis == "stated"
    assert construct.article_title == "CAR T-Cell Therapy: SSc Skin & Lung Breakthrough"
    assert construct.article_kind == "news"


def test_an_inferred_claim_carries_its_rationale(store: GraphStore) -> None:
    records = trace_article(store, resolve(store, A000))
    link = next(r for r in records if r.claim_id == "nex-t-phase-1-study-is-breakfree-1")
    assert link.basis == "inferred"
    assert link.rationale and "Breakfree-1" in link.rationale
    assert link.article_date == "2025-10-25"


def test_a_disputed_claim_carries_its_reason(store: GraphStore) -> None:
    records = trace_fact(store, resolve(store, "reset-ssc"),
                         ox.NamedNode("https://w3id.org/cart-kg/ontology#sponsoredBy"),
                         resolve(store, "bristol-myers-squibb"))
    assert [(r.article_id, r.claim_id, r.disputed) for r in records] == [
        (A002, "reset-ssc-sponsor-bms", True)]
    assert "Cabaletta" in (records[0].dispute_reason or "")
    assert records[0].disputed_by == ("NCT:NCT06328777",)


def test_a_fact_from_two_articles_has_two_records(store: GraphStore) -> None:
    records = trace_fact(store, resolve(store, "breakfree-1"),
                         ox.NamedNode("https://w3id.org/cart-kg/ontology#hasPhase"),
                         resolve(store, "phase-1"))
    assert [(r.article_id, r.basis) for r in records] == [(A000, "inferred"), (A003, "stated")]


def test_an_outcome_traces_to_its_sentence(store: GraphStore) -> None:
    node = resolve(store, f"res:outcome/{A003}/dcssc-mrss-13-5")
    [record] = trace_entity(store, node)
    assert "decreased by 13.5 points in those with diffuse SSc" in record.quotes[0].exact
    assert (f"res:outcome/{A003}/dcssc-mrss-13-5", "cart:value", "'13.5'") in record.triples


def test_what_one_article_contributes(store: GraphStore, real_build: BuildResult) -> None:
    records = trace_article(store, resolve(store, A002))
    assert {r.article_id for r in records} == {A002}
    assert sum(r.disputed for r in records) == 5


@pytest.mark.parametrize(("text", "start", "end", "sentence"), [
    ("One. Two three. Four.", 5, 8, "Two three."),
    ("Title line\nBody here. Next.", 11, 15, "Body here."),
    ("He said “ok.” Then left.", 0, 2, "He said “ok.”"),
    ("Led by Dr. Khanna of Michigan. Next.", 0, 3, "Led by Dr. Khanna of Michigan."),
])
def test_sentence_around_a_span(text: str, start: int, end: int, sentence: str) -> None:
    found, a, b = sentence_around(text, start, end)
    assert found == sentence
    assert found[a:b] == text[start:end]


@pytest.fixture(scope="module")
def data(real_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("build")
    return str(write_dataset(real_build.quads, out)["nquads"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_cli_trace_formats(data: str, fmt: str) -> None:
    result = CliRunner().invoke(main, ["trace", "CD19 NEX-T", "--format", fmt, "--data", data])
    assert result.exit_code == 0, result.output
    assert "decreased by 13.5 points" in result.output
    if fmt == "json":
        parsed = json.loads(result.output)
        assert {a["article_id"] for a in parsed["assertions"]} == {A000, A003}
    if fmt == "text":
        assert f"== {A003}: “CAR T-Cell Therapy: SSc Skin & Lung Breakthrough” (news" in \
            result.output


def test_cli_trace_source_fact_and_errors(data: str) -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["trace", "--source", A002, "--data", data]).output
    assert "DISPUTED" in out and "30 assertion(s) from 1 source(s)" in out
    out = runner.invoke(main, ["trace", "--fact", "breakfree-1", "hasPhase", "phase-1",
                               "--data", data]).output
    assert "2 assertion(s) from 2 source(s)" in out
    bad = runner.invoke(main, ["trace", "rese-cell", "--data", data])
    assert bad.exit_code == 2 and "Did you mean 'rese-cel'" in bad.output
    assert "Traceback" not in bad.output


def test_cli_evidence_report(data: str) -> None:
    result = CliRunner().invoke(main, ["evidence", "--data", data])
    assert result.exit_code == 0
    assert "Outcome conflicts (same therapy, population, measure, timepoint; different values): 0" \
        in result.output
    # stated by 003 only: 000's claim is curator inference, which corroborates nothing
    assert "[1] Breakfree-1 hasPhase Phase 1  <- 000_5ef16d2ca6f7ae03, 003_18bb5d852450905e " \
        "(stated by independent origins: 003_18bb5d852450905e)" in result.output
    assert "[2] zolacabtagene autoleucel targetsAntigen CD19" in result.output
    assert "[0] Breakfree-1 sponsoredBy Bristol Myers Squibb  <- 000_5ef16d2ca6f7ae03" \
        in result.output
