"""Hostile and broken curation files: each kind is refused with file, line, claim and fix.

Every case is a regression test named after the kind of bad input; the inputs are written here
for the test (edits of the small test corpus ``tests/data/mini``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import assert_refused, edit

from kg.curation.sources import article_folders, load_sources
from kg.curation.yamlfile import SourceError

EVIDENCE = "articles/a1/evidence.yaml"
ARTICLE = "articles/a1/article.yaml"
THERAPIES = "registry/therapies.yaml"

# Each bad value: the file to change, the text to replace, its replacement, and what the error
# must say (file:line, the claim where there is one, and words of the message).
BAD_VALUES = [
    # a NaN on a proportion would be written as "NaN"^^xsd:decimal and served by queries
    pytest.param(EVIDENCE, "      value: 10\n", "      value: .nan\n",
                 ["evidence.yaml:27", "claim 'pfvc'", "field 'value'", "NaN"], id="value-nan"),
    # an infinity, positive or negative
    pytest.param(EVIDENCE, "      value: 10\n", "      value: -.inf\n",
                 ["evidence.yaml:27", "claim 'pfvc'", "is infinite"], id="value-infinity"),
    # an absurd magnitude: 1e300 patients
    pytest.param(EVIDENCE, "      value: 2\n", "      value: 1.0e+300\n",
                 ["evidence.yaml:42", "claim 'icans'", "absurdly large"], id="value-absurd-float"),
    # a 5,000-digit integer: beyond what Python's int parser accepts from text
    pytest.param(EVIDENCE, "      size: 12", "      size: " + "9" * 5000,
                 ["evidence.yaml:17", "5000 digits is absurdly large"], id="integer-5000-digits"),
    # a 16-digit integer parses, but is no count of patients
    pytest.param(EVIDENCE, "      size: 12", "      size: 1234567890123456",
                 ["evidence.yaml:17", "16 digits"], id="integer-too-many-digits"),
    # the value of a timepoint: NaN
    pytest.param(EVIDENCE, "value: 6, unit: month", "value: .nan, unit: month",
                 ["evidence.yaml:33", "claim 'pfvc'", "field 'value'", "NaN"],
                 id="timepoint-value-nan"),
    # `facts:` with no value used to raise TypeError
    pytest.param(EVIDENCE, "    facts:\n      - [trial-one, sponsoredBy, acme-bio]\n",
                 "    facts:\n", ["evidence.yaml:9", "claim 'trial-sponsor'",
                                 "field 'facts' in claim has no value"], id="facts-without-value"),
    # `facts: []` used to keep a claim that says nothing
    pytest.param(EVIDENCE, "    facts:\n      - [trial-one, sponsoredBy, acme-bio]\n",
                 "    facts: []\n", ["evidence.yaml:9", "claim 'trial-sponsor'",
                                    "field 'facts' in claim is empty"], id="facts-empty-list"),
    # `cohort:` with no value
    pytest.param(EVIDENCE, "    cohort:\n      trial: trial-one\n      therapy: tx-cel\n"
                 "      indication: systemic-sclerosis\n      size: 12\n"
                 "      description: patients with SSc\n", "    cohort:\n",
                 ["evidence.yaml:13", "claim 'cohort'", "field 'cohort' in claim has no value"],
                 id="body-without-value"),
    # `indication: []`: an outcome about no indication
    pytest.param(EVIDENCE, "      indication: [systemic-sclerosis]",
                 "      indication: []", ["evidence.yaml:39", "claim 'icans'",
                                           "field 'indication' in outcome is empty"],
                 id="indication-empty-list"),
    # `quote: []`: a claim with no quote
    pytest.param(EVIDENCE, "    quote: Two patients had grade-3 ICANS.", "    quote: []",
                 ["evidence.yaml:36", "claim 'icans'", "field 'quote' in claim is empty"],
                 id="quote-empty-list"),
    # a control character in a text: GraphML, GEXF and terminals choke on it
    pytest.param(EVIDENCE, "finding: Two patients had grade-3 ICANS.",
                 'finding: "Two patients had \\x07grade-3 ICANS."',
                 ["evidence.yaml:45", "claim 'icans'", "control character U+0007"],
                 id="control-character-in-text"),
    # a NUL byte written raw in the file: the YAML parser gives an offset, we give a line
    pytest.param(EVIDENCE, "      grade: 3", "      grade: 3\x00",
                 ["evidence.yaml:44", "control character U+0000"], id="nul-byte-in-yaml"),
    # a url with a space
    pytest.param(ARTICLE, "kind: news", "kind: news\nurl: https://example.org/a b",
                 ["article.yaml:5", "field 'url'", "holds a space"], id="url-with-space"),
    # a url without a scheme
    pytest.param(ARTICLE, "kind: news", "kind: news\nurl: example.org/article",
                 ["article.yaml:5", "field 'url'", "has no scheme"], id="url-without-scheme"),
    # a url that is not a web address
    pytest.param(ARTICLE, "kind: news", "kind: news\nurl: 'javascript:alert(1)'",
                 ["article.yaml:5", "not an http:// or https:// address"], id="url-not-http"),
    # a CURIE with a character no IRI may hold
    pytest.param(THERAPIES, "exact_match: [NCIT:C0000]", "exact_match: ['NCIT:C{0}']",
                 ["therapies.yaml:5", "'NCIT:C{0}' in exact_match is not a known CURIE"],
                 id="curie-with-brace"),
    # a synonym with a control character
    pytest.param(THERAPIES, "synonyms: [tx-cel, TX-1]", 'synonyms: [tx-cel, "TX\\x1b1"]',
                 ["therapies.yaml:3", "an item of 'synonyms'", "U+001B"],
                 id="control-character-in-list"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_VALUES)
def test_bad_value_is_refused_where_it_enters(
    mini: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    edit(mini / file, old, new)
    assert_refused(mini, expected)


def test_article_text_symlinked_outside_the_sources_is_refused(mini: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"  # stands for /etc/passwd
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    text = mini / "articles/a1/article.txt"
    text.unlink()
    text.symlink_to(secret)
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "article.txt: leads outside its folder" in str(err.value)
    assert "root:x" not in str(err.value)


def test_article_text_symlinked_inside_its_folder_is_read(mini: Path) -> None:
    folder = mini / "articles/a1"
    os.replace(folder / "article.txt", folder / "original.txt")
    (folder / "article.txt").symlink_to("original.txt")
    assert "a1" in load_sources(mini).articles


def test_article_folder_symlinked_outside_the_sources_is_refused(
        mini: Path, tmp_path: Path) -> None:
    os.replace(mini / "articles/a1", tmp_path / "elsewhere")
    (mini / "articles/a1").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "articles/a1: leads outside sources/articles" in str(err.value)


def test_registry_file_symlinked_outside_is_refused(mini: Path, tmp_path: Path) -> None:
    os.replace(mini / THERAPIES, tmp_path / "therapies.yaml")
    (mini / THERAPIES).symlink_to(tmp_path / "therapies.yaml")
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "therapies.yaml: leads outside its folder" in str(err.value)


def test_article_text_that_is_a_pipe_is_refused_not_read(mini: Path) -> None:
    text = mini / "articles/a1/article.txt"
    text.unlink()
    os.mkfifo(text)  # reading it would wait for a writer forever
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "article.txt: is not a regular file" in str(err.value)


# Each registry that does not hold together: the file to change, the text to replace, its
# replacement, and what the error must say (both entities, the file).
BAD_REGISTRIES = [
    # a synonym that is another entity's key: `--param therapy=...` would mean both
    pytest.param(THERAPIES, "synonyms: [tx-cel, TX-1]",
                 "synonyms: [tx-cel, TX-1, systemic-sclerosis]",
                 ["registry/therapies.yaml", "entity 'tx-cel': the name 'systemic-sclerosis' is "
                  "the key of entity 'systemic-sclerosis'"], id="synonym-equal-to-another-key"),
    # a synonym that is another entity's label, whatever its case
    pytest.param(THERAPIES, "synonyms: [tx-cel, TX-1]",
                 "synonyms: [tx-cel, TX-1, Systemic Sclerosis]",
                 ["entity 'tx-cel': the name 'Systemic Sclerosis' is the label of entity "
                  "'systemic-sclerosis'"], id="synonym-equal-to-another-label"),
    # one external identifier on two entities
    pytest.param(THERAPIES, "exact_match: [NCIT:C0000]", "exact_match: [MONDO:0005100]",
                 ["exact_match MONDO:0005100 is also on entity", "'tx-cel'",
                  "'systemic-sclerosis'"], id="identifier-on-two-entities"),
    # broader going round: limited-ssc -> diffuse-ssc -> systemic-sclerosis -> limited-ssc
    pytest.param("registry/indications.yaml", "  exact_match: [MONDO:0005100]\n",
                 "  exact_match: [MONDO:0005100]\n  broader: [limited-ssc]\n"
                 "limited-ssc:\n  label: limited SSc\n  definition: Test data.\n"
                 "  broader: [diffuse-ssc]\n"
                 "diffuse-ssc:\n  label: diffuse SSc\n  definition: Test data.\n"
                 "  broader: [systemic-sclerosis]\n",
                 ["registry/indications.yaml", "broader goes round in a cycle: diffuse-ssc -> "
                  "systemic-sclerosis -> limited-ssc -> diffuse-ssc."], id="broader-cycle"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD_REGISTRIES)
def test_registry_that_does_not_hold_together_is_refused(
    mini: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    edit(mini / file, old, new)
    assert_refused(mini, expected)


def test_article_folder_with_a_space_is_refused_before_anything_is_built(mini: Path) -> None:
    os.replace(mini / "articles/a1", mini / "articles/a 1")  # used to be a ValueError traceback
    with pytest.raises(SourceError) as err:
        article_folders(mini)
    assert "articles/a 1: 'a 1' is not a valid article id" in str(err.value)
    assert "Fix: rename the folder" in str(err.value)


def test_registry_folder_symlinked_outside_the_sources_is_refused(
        mini: Path, tmp_path: Path) -> None:
    os.replace(mini / "registry", tmp_path / "registry-elsewhere")
    (mini / "registry").symlink_to(tmp_path / "registry-elsewhere")
    with pytest.raises(SourceError) as err:
        load_sources(mini)
    assert "registry: leads outside" in str(err.value)
