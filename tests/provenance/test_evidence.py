"""Evidence across sources: corroboration, single-source facts, disputes, conflicts, retraction."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EVIDENCE, SOURCES, edit

from kg.build.analyses import ANALYSES
from kg.build.build import build_dataset
from kg.build.summary import BuildResult
from kg.curation.sources import load_sources
from kg.provenance.evidence import EvidenceReport, analyze_evidence
from kg.rdf.emit import emit_dataset
from kg.store.store import GraphStore

A000, A002, A003 = "000_5ef16d2ca6f7ae03", "002_6a53bef826e0de7a", "003_18bb5d852450905e"


@pytest.fixture(scope="module")
def report(real_build: BuildResult) -> EvidenceReport:
    return analyze_evidence(GraphStore.from_quads(real_build.quads))


def labels(facts: tuple[object, ...]) -> set[str]:
    return {f.label for f in facts}  # type: ignore[attr-defined]


def test_facts_corroborated_by_two_independent_sources(report: EvidenceReport) -> None:
    # the one fact both articles state; the other Breakfree-1 facts of 000 are curator inference
    corroborated = {f.label: (f.articles, f.origins) for f in report.corroborated}
    assert corroborated == {
        "zolacabtagene autoleucel targetsAntigen CD19": ((A000, A003), (A000, A003))}
    assert all(f.sources >= 2 for f in report.corroborated)


def test_a_claim_of_curator_inference_is_no_corroboration(report: EvidenceReport) -> None:
    facts = {f.label: f for f in report.facts}
    # stated by 003, inferred by 000: one origin, both articles listed
    phase = facts["Breakfree-1 hasPhase Phase 1"]
    assert (phase.articles, phase.origins, phase.sources) == ((A000, A003), (A003,), 1)
    # inferred alone: no source states it
    assert {f.label: f.articles for f in report.inferred_only} == {
        "Breakfree-1 sponsoredBy Bristol Myers Squibb": (A000,),
        "Breakfree-1 studiesIndication idiopathic inflammatory myopathy": (A000,),
        "Breakfree-1 studiesIndication systemic lupus erythematosus": (A000,),
        "lisocabtagene maraleucel targetsAntigen CD19": (A003,)}
    assert all(f.sources == 0 and not f.origins for f in report.inferred_only)


def test_single_source_facts_name_their_one_article(report: EvidenceReport) -> None:
    single = {f.label: f.articles for f in report.single_source}
    assert single["zolacabtagene autoleucel sharesCarConstructWith lisocabtagene maraleucel"] == (
        A003,)
    assert single["Breakfree-1 leadInvestigator Dinesh Khanna"] == (A003,)
    assert single["Bristol Myers Squibb investigatesIndication psoriatic arthritis"] == (A000,)
    assert single["RESET-SLE sponsoredBy Cabaletta Bio"] == (A002,)
    assert not labels(report.single_source) & labels(report.corroborated)


def test_disputed_claims_are_the_bms_attributions_of_article_002(report: EvidenceReport) -> None:
    assert {(d.article, d.claim) for d in report.disputed} == {
        (A002, "rese-cel-developed-by-bms"),
        (A002, "reset-sle-sponsor-bms"),
        (A002, "reset-myositis-sponsor-bms"),
        (A002, "reset-ssc-sponsor-bms"),
        (A002, "fda-alignment-bms"),
    }
    reasons = {d.claim: d for d in report.disputed}
    assert "Cabaletta" in reasons["reset-ssc-sponsor-bms"].reason
    assert reasons["reset-ssc-sponsor-bms"].disputed_by == (
        "https://clinicaltrials.gov/study/NCT06328777",)
    disputed_facts = {f.label for f in report.facts if f.disputed_in}
    assert "RESET-SSc sponsoredBy Bristol Myers Squibb" in disputed_facts
    assert "RESET-SSc sponsoredBy Cabaletta Bio" not in disputed_facts


def test_the_real_articles_hold_no_outcome_conflict(report: EvidenceReport) -> None:
    assert report.conflicts == ()


def test_same_pfvc_figure_in_different_populations_is_distinct_not_a_conflict(
    report: EvidenceReport,
) -> None:
    pfvc = next(d for d in report.distinct
                if d.measure == "percent-predicted forced vital capacity")
    assert pfvc.differs_in == ("population",)
    assert {(r.article, r.indications, r.value, r.timepoint) for r in pfvc.reports} == {
        (A000, ("systemic sclerosis",), "10", "at 6 months"),
        (A003, ("systemic sclerosis-associated interstitial lung disease",), "10", "at 6 months"),
    }


def test_look_alikes_are_grouped_by_indication(report: EvidenceReport) -> None:
    icans = {d.indication: {r.claim for r in d.reports} for d in report.distinct
             if d.measure == "immune effector cell-associated neurotoxicity syndrome"}
    # the myositis cohort's report is a look-alike of the report across all three diseases only,
    # never of the systemic sclerosis reports
    assert icans == {
        "myositis": {"iim-neurotoxicity-resolved", "all-neurotoxicity-transient"},
        "systemic sclerosis": {"all-neurotoxicity-transient", "icans-grade-3",
                               "icans-low-grade"}}
    # SSc-ILD is narrower than SSc: their pFVC reports are look-alikes in systemic sclerosis
    pfvc = [d for d in report.distinct if d.measure.startswith("percent-predicted")]
    assert [d.indication for d in pfvc] == ["systemic sclerosis"]


def test_off_therapy_rates_of_different_cohorts_are_distinct(report: EvidenceReport) -> None:
    off = next(d for d in report.distinct if d.measure == "off immunosuppressive therapy")
    rates = {r.value: r.indications for r in off.reports}
    assert rates == {
        "94": ("idiopathic inflammatory myopathy", "systemic lupus erythematosus",
               "systemic sclerosis"),
        "92": ("systemic lupus erythematosus",),
    }
    assert "population" in off.differs_in
    assert not any(c.reports[0].measure == "off immunosuppressive therapy"
                   for c in report.conflicts)


# --- a second article that agrees on one fact and disagrees on one outcome -------------------

SECOND = """Update on TRIAL-ONE
TRIAL-ONE is a Phase 1 trial. Median pFVC increased by 12% at 6 months in patients with SSc.
In patients with SSc, the median pFVC rose by 10% at 12 months.
"""

SECOND_EVIDENCE = """claims:
  - id: phase
    quote: TRIAL-ONE is a Phase 1 trial.
    facts:
      - [trial-one, hasPhase, phase-1]
  - id: pfvc-6m
    quote: Median pFVC increased by 12% at 6 months in patients with SSc.
    outcome:
      therapy: tx-cel
      trial: trial-one
      indication: systemic-sclerosis
      measure: pfvc
      statistic: median-change
      value: 12
      unit: percent
      finding: Median pFVC rose by 12% at 6 months.
      population: patients with SSc
      timepoint: {text: at 6 months, value: 6, unit: month, qualifier: at}
  - id: pfvc-12m
    quote: the median pFVC rose by 10% at 12 months
    outcome:
      therapy: tx-cel
      trial: trial-one
      indication: systemic-sclerosis
      measure: pfvc
      statistic: median-change
      value: 10
      unit: percent
      finding: Median pFVC rose by 10% at 12 months.
      population: patients with SSc
      timepoint: {text: at 12 months, value: 12, unit: month, qualifier: at}
"""


@pytest.fixture
def two_articles(mini: Path) -> Path:
    folder = mini / "articles" / "a2"
    folder.mkdir()
    (folder / "article.txt").write_text(SECOND, encoding="utf-8")
    digest = hashlib.sha256(SECOND.encode()).hexdigest()
    (folder / "article.yaml").write_text(
        f"title: Update on TRIAL-ONE\nkind: news\nsha256: {digest}\n", encoding="utf-8")
    (folder / "evidence.yaml").write_text(SECOND_EVIDENCE, encoding="utf-8")
    return mini


def test_same_outcome_with_different_values_is_a_conflict(two_articles: Path) -> None:
    result = build_dataset(two_articles, out=None)
    assert result.report.conforms
    report = analyze_evidence(GraphStore.from_quads(result.quads))
    assert len(report.conflicts) == 1
    conflict = report.conflicts[0]
    assert {(r.article, r.value) for r in conflict.reports} == {("a1", "10"), ("a2", "12")}
    assert {f.label: f.sources for f in report.facts}["TRIAL-ONE hasPhase Phase 1"] == 2
    # the 12-month report differs in timepoint: distinct, not a conflict
    pfvc = next(d for d in report.distinct if d.measure.startswith("percent-predicted"))
    assert pfvc.differs_in == ("timepoint",)


# --- retraction -----------------------------------------------------------------------------


def _graphs(quads: tuple[ox.Quad, ...], article: str) -> set[str]:
    return {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
            and (f"/{article}/" in q.graph_name.value
                 or q.graph_name.value.endswith(f"/provenance/{article}"))}


@pytest.mark.parametrize("article", [A000, A002, A003])
def test_building_without_an_article_removes_exactly_what_it_contributed(
    real_build: BuildResult, article: str
) -> None:
    corpus = load_sources(SOURCES)
    without = emit_dataset(corpus, exclude=frozenset({article}))
    # what the sources say (the analyses derived from it are derived again: kg.build.analyses)
    built = {q for q in real_build.quads if q.graph_name != ANALYSES}
    removed = built - set(without)
    assert set(without) <= built
    contributed = {q for q in built if q.graph_name.value in  # type: ignore[union-attr]
                   _graphs(real_build.quads, article)}
    assert removed == contributed
    assert len(contributed) > 0
    claims = sum(1 for c in corpus.claims if c.article_id == article)
    assert len(_graphs(real_build.quads, article)) == claims + 1  # assertions + provenance


def test_a_fact_of_two_articles_survives_removing_one(real_build: BuildResult) -> None:
    corpus = load_sources(SOURCES)
    fact = ox.Triple(ox.NamedNode("https://w3id.org/cart-kg/resource/trial/breakfree-1"),
                     ox.NamedNode("https://w3id.org/cart-kg/ontology#hasPhase"),
                     ox.NamedNode("https://w3id.org/cart-kg/resource/phase/phase-1"))
    for article in (A000, A003):
        without = emit_dataset(corpus, exclude=frozenset({article}))
        assert fact in {q.triple for q in without}
    without_both = emit_dataset(corpus, exclude=frozenset({A000, A003}))
    assert fact not in {q.triple for q in without_both}


def test_statements_attributed_to_a_named_speaker(report: EvidenceReport) -> None:
    assert [(c.article, c.claim, c.said_by) for c in report.attributed] == [
        (A002, "dm-registrational-cohort", "William Blair (analysts)"),
        (A002, "myositis-registrational-trial",
         "David Chang (Chief Medical Officer, Cabaletta Bio)")]


def test_a_data_cut_supersedes_only_a_result_of_the_same_trial(evidence: Path) -> None:
    # test data: the later cut of t2-update moved to another trial of the same therapy (TRIAL-TWO,
    # of the test registry)
    edit(evidence / "articles" / "t2-update" / "evidence.yaml", "      trial: trial-one",
         "      trial: trial-two")
    result = build_dataset(evidence, out=None)
    assert result.report.conforms
    assert analyze_evidence(GraphStore.from_quads(result.quads)).successions == ()
    # on the corpus as written, the two cuts are one succession in TRIAL-ONE
    same = analyze_evidence(GraphStore.from_quads(build_dataset(EVIDENCE, out=None).quads))
    assert [(s.trial, [r.claim for r in s.reports]) for s in same.successions] == [
        ("TRIAL-ONE", ["mrss-mean-change", "mrss-mean-change-52w"])]
