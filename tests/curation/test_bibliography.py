"""Sources, their lineage, who said it and per-field basis, as the curation files give them: each
mistake is an error naming the file (and claim), with its fix. The corpus is tests/data/evidence
(test data written for the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EVIDENCE as EVIDENCE_DATA
from conftest import assert_refused, edit

from kg.core.model import Attribution, Bibliography, Derivation, SourceRef
from kg.curation.sources import load_sources

PAPER = "articles/s4-paper/article.yaml"
NEWS = "articles/s2-news/article.yaml"
RELEASE = "articles/s1-release/evidence.yaml"


def test_a_paper_carries_its_bibliographic_fields() -> None:
    paper = load_sources(EVIDENCE_DATA).articles["s4-paper"]
    assert (paper.kind, paper.bibliography) == ("paper", Bibliography(
        journal="Journal of Test Medicine", volume="12", issue="3", pages="101-109",
        doi="10.5555/test.2025.0001", pmid="99999901"))


def test_news_items_say_what_they_derive_from() -> None:
    articles = load_sources(EVIDENCE_DATA).articles
    assert articles["s2-news"].derived_from == (SourceRef(article="s1-release"),)
    assert articles["s3-news"].derived_from == (SourceRef(article="s2-news"),)
    assert articles["s1-release"].derived_from == ()


def test_a_congress_abstract_and_a_source_outside_the_corpus(evidence: Path) -> None:
    edit(evidence / PAPER, "kind: paper", "kind: congress-abstract\ncongress: ACR Convergence "
         "2025\nabstract_number: L12\nderived_from: [{doi: 10.5555/test.2024.9}, "
         "{url: \"https://example.org/test-data/protocol\"}]")
    paper = load_sources(evidence).articles["s4-paper"]
    assert (paper.bibliography.congress, paper.bibliography.abstract_number) == (
        "ACR Convergence 2025", "L12")
    assert paper.derived_from == (SourceRef(doi="10.5555/test.2024.9"),
                                  SourceRef(url="https://example.org/test-data/protocol"))


@pytest.mark.parametrize(("old", "new", "expected"), [
    # a DOI with its resolver: the DOI is written alone
    ("doi: 10.5555/test.2025.0001", "doi: https://doi.org/10.5555/test.2025.0001",
     ["article.yaml:9: field 'doi' in article is a DOI with its resolver or prefix"]),
    # not a DOI at all
    ("doi: 10.5555/test.2025.0001", "doi: 5555/test", ["is not a DOI (10.<registrant>/<suffix>)"]),
    # a PMID is a whole number
    ("pmid: 99999901", "pmid: PMC123", ["field 'pmid' in article is not a PMID"]),
    # a misspelt field gets a close spelling
    ("journal:", "jounral:", ["unknown field 'jounral' in article", "did you mean 'journal'?"]),
])
def test_bibliographic_mistakes_are_refused(evidence: Path, old: str, new: str,
                                            expected: list[str]) -> None:
    edit(evidence / PAPER, old, new)
    assert_refused(evidence, [PAPER, *expected])


@pytest.mark.parametrize(("new", "expected"), [
    # an article that is not in the corpus
    ("  - article: s9-release", ["derived_from names article 's9-release', which is not in "
                                 "articles/", "give the source's doi or url"]),
    # an article cannot derive from itself
    ("  - article: s2-news", ["an article cannot derive from itself"]),
    # one source, named one way
    ("  - {article: s1-release, doi: 10.5555/x}", ["by exactly one of article, doi and url "
                                                   "(found article, doi)"]),
    # a URL is checked as one
    ("  - url: example.org/release", ["field 'url' in derived_from entry has no scheme"]),
])
def test_lineage_mistakes_are_refused(evidence: Path, new: str, expected: list[str]) -> None:
    edit(evidence / NEWS, "  - article: s1-release", new)
    assert_refused(evidence, [NEWS, *expected])


def test_a_statement_attributed_to_a_person_with_role_and_affiliation() -> None:
    claims = {(c.article_id, c.id): c for c in load_sources(EVIDENCE_DATA).claims}
    assert claims[("s1-release", "registrational-trial")].attributed_to == Attribution(
        name="Jane Roe", role="Chief Executive Officer", affiliation="acme-bio")
    assert claims[("s2-news", "trial-one-sponsor")].attributed_to == Attribution(
        name="Acme Bio", kind="organization", affiliation="acme-bio")
    assert claims[("s1-release", "trial-one-sponsor")].attributed_to is None


@pytest.mark.parametrize(("new", "expected"), [
    # an affiliation is a registry key of a sponsor or organization
    ("affiliation: tx-cel}", ["affiliation 'tx-cel' is not a key of sponsors.yaml or "
                              "organizations.yaml", "affiliation_text"]),
    # given once
    ("affiliation: acme-bio, affiliation_text: Acme}", ["give the affiliation once"]),
    # a person or an organization
    ("affiliation: acme-bio, kind: analyst}", ["'analyst' is not a valid kind"]),
])
def test_attribution_mistakes_are_refused(evidence: Path, new: str,
                                          expected: list[str]) -> None:
    edit(evidence / RELEASE, "affiliation: acme-bio}", new)
    assert_refused(evidence, [RELEASE, "claim 'registrational-trial'", *expected])


def test_a_numerator_the_curator_derived_is_marked_with_its_arithmetic() -> None:
    claim = next(c for c in load_sources(EVIDENCE_DATA).claims
                 if (c.article_id, c.id) == ("s1-release", "overall-response"))
    assert claim.outcome is not None
    assert claim.outcome.derived == (Derivation("numerator", "82% x 11 = 9.02, rounded 9"),)
    assert claim.basis == "stated"  # the rest of the claim stays stated


@pytest.mark.parametrize(("old", "new", "expected"), [
    # the derived numerator must be what the arithmetic gives
    ("numerator: 9\n", "numerator: 8\n", ["numerator 8 is not 82% of 11"]),
    # only a number can be derived
    ("derived: [numerator]", "derived: [finding]", ["'finding' cannot be marked derived"]),
    # what is derived is written too
    ("      numerator: 9\n", "", ["'numerator' is marked derived but not given"]),
    # a denominator from a numerator and a percentage
    ("derived: [numerator]", "derived: [denominator, value]", []),
])
def test_derived_field_checks(evidence: Path, old: str, new: str, expected: list[str]) -> None:
    edit(evidence / RELEASE, old, new)
    if not expected:
        claim = next(c for c in load_sources(evidence).claims if c.id == "overall-response")
        assert claim.outcome is not None
        assert claim.outcome.derived == (
            Derivation("denominator", "9 / 82% = 10.98, rounded 11"),
            Derivation("value", "9 / 11 = 81.82%"))
        return
    assert_refused(evidence, [RELEASE, "claim 'overall-response'", *expected])


def test_a_change_the_curator_computed_from_its_two_values(evidence: Path) -> None:
    edit(evidence / "articles/t1-abstract/evidence.yaml", "      final: 12.3\n",
         "      final: 12.3\n      value: 11.8\n      derived: [value]\n")
    claim = next(c for c in load_sources(evidence).claims if c.id == "mrss-mean-change")
    assert claim.outcome is not None
    assert claim.outcome.derived == (Derivation("value", "|12.3 - 24.1| = 11.8"),)
