"""Reading sources/: every field checked, every quote verified, every mistake reported clearly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import MINI, SOURCES, assert_refused, edit
from hypothesis import given
from hypothesis import strategies as st

from kg.curation.quotes import QuoteAmbiguous, QuoteNotFound, locate_quote
from kg.curation.sources import load_sources
from kg.curation.yamlfile import SourceError

EVIDENCE = "articles/a1/evidence.yaml"
ARTICLE = "articles/a1/article.yaml"


def test_mini_corpus_loads_every_claim() -> None:
    corpus = load_sources(MINI)
    assert [c.id for c in corpus.claims] == [
        "trial-phase", "trial-sponsor", "cohort", "pfvc", "icans", "plan"]
    pfvc = next(c for c in corpus.claims if c.id == "pfvc")
    text = corpus.articles["a1"].text
    quote = pfvc.quotes[0]
    assert text[quote.start : quote.end] == quote.exact
    assert pfvc.outcome is not None and str(pfvc.outcome.value) == "10"
    assert pfvc.outcome.timepoint is not None and pfvc.outcome.timepoint.months == 6


def test_quote_with_suffix_picks_the_right_occurrence() -> None:
    corpus = load_sources(MINI)
    plan = next(c for c in corpus.claims if c.id == "plan")
    text = corpus.articles["a1"].text
    assert text[plan.quotes[0].end :].startswith(" will start")


def test_real_sources_load() -> None:
    corpus = load_sources(SOURCES)
    assert len(corpus.articles) == 3
    for article in corpus.articles.values():
        seed = SOURCES.parent.parent / "shared" / "seeds" / f"{article.id}.txt"
        if seed.exists():  # the seeds sit beside the repository in CI and in development
            assert (SOURCES / "articles" / article.id / "article.txt").read_bytes() == \
                seed.read_bytes()


# Each bad input: the file to change, the text to replace, its replacement, and what the error
# must say (file:line, the claim where there is one, and words of the message and fix).
BAD_INPUTS = [
    pytest.param(EVIDENCE, "  - id: cohort\n", "  - id: cohort\n   bad: [\n",
                 ["evidence.yaml:", "YAML syntax error"], id="yaml-syntax-error"),
    pytest.param(EVIDENCE, "      population: patients with SSc\n      population_size",
                 "      population_size",
                 ["evidence.yaml:22", "claim 'pfvc'", "missing required field 'population'"],
                 id="missing-required-field"),
    pytest.param(EVIDENCE, "      direction: increase", "      directon: increase",
                 ["evidence.yaml:29", "claim 'pfvc'", "unknown field 'directon'",
                  "did you mean 'direction'?"], id="unknown-field-typo"),
    pytest.param(EVIDENCE, "      - [trial-one, evaluatesTherapy, tx-cel]",
                 "      - [trial-one, evaluatesTherapy, tx-cell]",
                 ["evidence.yaml:6", "claim 'trial-phase'", "unknown entity key 'tx-cell'",
                  "did you mean 'tx-cel'"], id="unknown-entity-key"),
    pytest.param(EVIDENCE, "quote: Two patients had grade-3 ICANS.",
                 "quote: Two patients had grade 3 ICANS.",
                 ["evidence.yaml:36", "claim 'icans'", "quote not found",
                  "closest passage: 'Two patients had grade-3 ICANS.'"], id="quote-not-in-article"),
    pytest.param(EVIDENCE, "quote: {exact: Acme Bio, suffix: \" will start\"}",
                 "quote: Acme Bio",
                 ["evidence.yaml:48", "claim 'plan'", "ambiguous quote", "occurs 3 times",
                  "add 'prefix:' or 'suffix:'"], id="ambiguous-quote"),
    pytest.param("articles/a1/article.txt", "12 patients", "13 patients",
                 ["article.yaml:5", "article.txt has changed since curation", "set sha256: "],
                 id="article-text-changed"),
    pytest.param(EVIDENCE, "  - id: trial-sponsor", "  - id: trial-phase",
                 ["evidence.yaml:7", "duplicate claim id 'trial-phase'", "first used at line 2"],
                 id="duplicate-claim-id"),
    pytest.param(EVIDENCE, "      value: 10\n", "      value: 110\n      statistic: proportion\n",
                 ["evidence.yaml:28", "duplicate key 'statistic' (first at line 26)"],
                 id="duplicate-yaml-key"),
    pytest.param(EVIDENCE, "      statistic: median-change\n      value: 10",
                 "      statistic: proportion\n      value: 110",
                 ["evidence.yaml:27", "claim 'pfvc'", "between 0 and 100, not 110"],
                 id="percentage-above-100"),
    pytest.param(EVIDENCE, "      size: 12", "      size: -12",
                 ["evidence.yaml:", "claim 'cohort'", "size cannot be negative (-12)"],
                 id="negative-count"),
    pytest.param(EVIDENCE, "      grade: 3", "      grade: 7",
                 ["claim 'icans'", "grade 7 is outside 1-5"], id="grade-out-of-range"),
    pytest.param(ARTICLE, "date: 2025-10-25", "date: 2025-13-45",
                 ["article.yaml:3", "date '2025-13-45' is not a valid date", "YYYY-MM-DD"],
                 id="malformed-date"),
    pytest.param(ARTICLE, "date: 2025-10-25", "date: October 25",
                 ["article.yaml:3", "date 'October 25' is not a valid date"],
                 id="malformed-date-words"),
    pytest.param(EVIDENCE, "      - [trial-one, hasPhase, phase-1]",
                 "      - [trial-one, hasPhaze, phase-1]",
                 ["claim 'trial-phase'", "unknown predicate 'hasPhaze'", "hasPhase"],
                 id="unknown-predicate"),
    pytest.param(EVIDENCE, "      - [trial-one, hasPhase, phase-1]",
                 "      - [tx-cel, hasPhase, phase-1]",
                 ["claim 'trial-phase'", "subject of hasPhase must be one of trials"],
                 id="entity-of-wrong-kind"),
    pytest.param(EVIDENCE, "    basis: inferred\n    rationale: The article says Acme Bio will "
                 "start a registrational trial.\n", "    basis: inferred\n",
                 ["claim 'plan'", "an inferred claim needs a rationale"],
                 id="inferred-no-rationale"),
    pytest.param(EVIDENCE, "      by: [NCT:NCT00000001]", "      by: [nowhere]",
                 ["claim 'plan'", "disputed.by 'nowhere'"], id="unknown-dispute-reference"),
    pytest.param("registry/therapies.yaml", "exact_match: [NCIT:C0000]",
                 "exact_match: [NCI:C0000]",
                 ["therapies.yaml:5", "'NCI:C0000' in exact_match is not a known CURIE"],
                 id="unknown-curie-prefix"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_INPUTS)
def test_bad_input_is_reported_with_file_line_and_fix(
    mini: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    path = mini / file
    edit(path, old, new)
    assert_refused(mini, expected)


def test_non_utf8_article_is_reported(mini: Path) -> None:
    (mini / "articles/a1/article.txt").write_bytes(b"Caf\xe9 au lait\n")
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "articles/a1/article.txt:1: is not valid UTF-8 (byte 0xe9 at offset 3)" in str(err.value)


def test_missing_article_text_is_reported(mini: Path) -> None:
    (mini / "articles/a1/article.txt").unlink()
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "articles/a1/article.txt: cannot be read" in str(err.value)


def test_every_problem_is_reported_not_only_the_first(mini: Path) -> None:
    edit(mini / EVIDENCE, "direction: increase", "directon: increase")
    edit(mini / EVIDENCE, "grade: 3", "grade: 9")
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert len(err.value.problems) == 2


def test_curly_apostrophe_mismatch_gets_a_hint() -> None:
    text = "This isn’t just incremental progress."
    with pytest.raises(QuoteNotFound, match="quotation marks, apostrophes or dashes"):
        locate_quote(text, "x", "This isn't just")


@given(st.text(min_size=1, max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_a_quote_found_is_always_the_exact_slice(exact: str, before: str, after: str) -> None:
    text = before + exact + after
    try:
        quote = locate_quote(text, "x", exact)
    except QuoteAmbiguous:
        assert text.count(exact) > 1 or text.find(exact, text.find(exact) + 1) != -1
        return
    assert text[quote.start : quote.end] == exact
    assert text[: quote.start].endswith(quote.prefix)
    assert text[quote.end :].startswith(quote.suffix)


def test_sha_in_metadata_is_the_text_digest() -> None:
    corpus = load_sources(MINI)
    text = (MINI / "articles/a1/article.txt").read_bytes()
    assert corpus.articles["a1"].sha256 == hashlib.sha256(text).hexdigest()
