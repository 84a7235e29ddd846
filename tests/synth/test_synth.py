"""The synthetic corpus: deterministic, in the curation format, and valid when built."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build.build import build_dataset
from kg.cli.synth import synth
from kg.core.model import Corpus
from kg.curation.sources import load_sources
from kg.synth.corpus import generate_corpus


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "sources"
    generate_corpus(out, 5, seed=7)
    return out


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> Corpus:
    return load_sources(corpus_dir)


def test_same_seed_gives_the_same_bytes(corpus_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_corpus(again, 5, seed=7)
    assert _files(again) == _files(corpus_dir)


def test_another_seed_gives_another_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    generate_corpus(other, 5, seed=8)
    assert _files(other) != _files(corpus_dir)


def test_the_layout_is_the_curation_format(corpus_dir: Path) -> None:
    articles = sorted(p for p in (corpus_dir / "articles").iterdir())
    assert len(articles) == 5
    for folder in articles:
        assert sorted(p.name for p in folder.iterdir()) == [
            "article.txt", "article.yaml", "evidence.yaml"]
    assert {p.name for p in (corpus_dir / "registry").iterdir()} >= {
        "therapies.yaml", "trials.yaml", "indications.yaml", "sponsors.yaml", "antigens.yaml",
        "phases.yaml", "meetings.yaml", "measures.yaml", "drug-classes.yaml"}


def test_it_loads_with_every_kind_of_claim(corpus: Corpus) -> None:
    claims = corpus.claims
    assert 20 * 5 <= len(claims) <= 40 * 5
    assert any(c.basis == "inferred" and c.rationale for c in claims)
    assert any(c.dispute is not None and c.dispute.reason and c.dispute.by for c in claims)
    assert {c.outcome.category for c in claims if c.outcome} == {
        "efficacy", "safety", "pharmacodynamic"}
    assert any(c.outcome and c.outcome.value is not None and c.outcome.unit
               and c.outcome.timepoint and c.outcome.population for c in claims)
    assert any(c.cohort for c in claims) and any(c.plan for c in claims)


def test_every_quote_occurs_once_in_its_article(corpus: Corpus) -> None:
    for claim in corpus.claims:
        text = corpus.articles[claim.article_id].text
        for quote in claim.quotes:
            assert text.count(quote.exact) == 1
            assert text[quote.start:quote.end] == quote.exact


def test_some_facts_are_asserted_by_several_articles(corpus: Corpus) -> None:
    sources: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for claim in corpus.claims:
        for fact in claim.facts:
            sources[(fact.subject, fact.predicate, fact.object)].add(claim.article_id)
    assert any(len(articles) >= 2 for articles in sources.values())


def test_the_build_validates(corpus_dir: Path) -> None:
    result = build_dataset(corpus_dir, out=None)
    assert result.report.conforms, [str(v) for v in result.report.violations]
    assert result.stats.articles == 5


def test_the_registry_grows_with_the_corpus(tmp_path: Path) -> None:
    small = generate_corpus(tmp_path / "small", 5)
    large = generate_corpus(tmp_path / "large", 200)
    assert large.entities["therapies"] > small.entities["therapies"]
    assert large.entities["trials"] > small.entities["trials"]
    assert large.shared_facts > 0


def test_an_existing_corpus_is_not_overwritten_unless_asked(corpus_dir: Path,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "sources"
    generate_corpus(out, 1)
    with pytest.raises(FileExistsError):
        generate_corpus(out, 1)
    generate_corpus(out, 2, overwrite=True)
    assert len(list((out / "articles").iterdir())) == 2


def test_the_command_writes_a_corpus_and_has_an_example(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(synth, ["--help"])
    assert result.exit_code == 0 and "Example" in result.output and "cartkg synth" in result.output
    result = runner.invoke(synth, ["--articles", "2", "--seed", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "articles:      2" in result.output
    result = runner.invoke(synth, ["--articles", "2", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--force" in result.output
