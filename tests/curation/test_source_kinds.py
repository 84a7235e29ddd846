"""The kinds of source an article may be, as its article.yaml says (tests/data/evidence)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit

from kg.core.vocab import ARTICLE_KINDS
from kg.curation.sources import load_sources
from kg.curation.yamlfile import SourceError

ARTICLE = "articles/t1-abstract/article.yaml"


@pytest.mark.parametrize("kind", ARTICLE_KINDS)
def test_every_source_kind_is_accepted(evidence: Path, kind: str) -> None:
    edit(evidence / ARTICLE, "kind: congress-abstract", f"kind: {kind}")
    assert load_sources(evidence).articles["t1-abstract"].kind == kind


def test_an_unknown_kind_lists_the_kinds(evidence: Path) -> None:
    edit(evidence / ARTICLE, "kind: congress-abstract", "kind: abstract")
    with pytest.raises(SourceError) as err:
        load_sources(evidence)
    assert "'abstract' is not a valid kind" in str(err.value)
    assert "did you mean" not in str(err.value)  # another word, not a slip of paper-abstract
    assert "paper-abstract" in str(err.value)
