"""Sources and their independence, who said it and per-field basis, end to end from the command
line: tests/data/evidence (test data written for these tests: a press release, two news items
that summarise it, one through the other, and a paper) is built and validated, then queried,
traced and exported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, run

from kg.core.vocab import PREFIXES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sources") / "build"
    code, text = run("build", "--sources", str(DATA / "evidence"), "--out", str(out))
    assert code == 0, text
    assert "validation: conforms" in text
    return out


def query(built: Path, name: str) -> list[dict[str, str]]:
    code, text = run("query", name, "--data", str(built), "--format", "json")
    assert code == 0, text
    rows: list[dict[str, str]] = json.loads(text)
    return rows


def test_corroboration_counts_independent_origins_not_articles(built: Path) -> None:
    rows = query(built, "facts_by_number_of_sources")
    sponsor = [r for r in rows if r["subject"] == "TRIAL-ONE"
               and r["predicate"] == PREFIXES["cart"] + "sponsoredBy"]
    # four articles state it; s2 summarises s1 and s3 retells s2: two origins, s1 and the paper
    assert [(r["article"], r["origin"], r["sources"], r["support"]) for r in sponsor] == [
        ("s1-release", "s1-release", "2", "corroborated"),
        ("s2-news", "s1-release", "2", "corroborated"),
        ("s3-news", "s1-release", "2", "corroborated"),
        ("s4-paper", "s4-paper", "2", "corroborated")]


def test_two_summaries_of_one_release_are_one_source(built: Path, tmp_path: Path) -> None:
    # without the paper, three articles state the fact and all come from the press release
    sources = tmp_path / "sources"
    shutil.copytree(DATA / "evidence", sources)
    shutil.rmtree(sources / "articles" / "s4-paper")
    out = tmp_path / "build"
    code, text = run("build", "--sources", str(sources), "--out", str(out))
    assert code == 0, text
    code, text = run("evidence", "--data", str(out))
    assert code == 0, text
    assert "[1] TRIAL-ONE sponsoredBy Acme Bio  <- s1-release, s2-news, s3-news (stated by " \
        "independent origins: s1-release)" in text


def test_evidence_reports_the_independent_origins(built: Path) -> None:
    code, text = run("evidence", "--data", str(built))
    assert code == 0, text
    assert "[2] TRIAL-ONE sponsoredBy Acme Bio  <- s1-release, s2-news, s3-news, s4-paper " \
        "(stated by independent origins: s1-release, s4-paper)" in text
    assert "Statements attributed to a person or body: 2\n" \
        "  s1-release registrational-trial: said by Jane Roe (Chief Executive Officer, " \
        "Acme Bio)\n" \
        "  s2-news trial-one-sponsor: said by Acme Bio\n" in text
    code, text = run("evidence", "--data", str(built), "--format", "json")
    fact = json.loads(text)["corroborated"][0]
    assert (fact["articles"], fact["origins"]) == (
        ["s1-release", "s2-news", "s3-news", "s4-paper"], ["s1-release", "s4-paper"])


def test_trace_shows_who_said_it_the_citation_and_the_lineage(built: Path) -> None:
    code, text = run("trace", "--source", "s1-release", "--data", str(built))
    assert code == 0, text
    assert "said by: Jane Roe (Chief Executive Officer, Acme Bio)" in text
    code, text = run("trace", "--source", "s4-paper", "--data", str(built))
    assert "(paper, 2025-10-01); Journal of Test Medicine 12(3):101-109; " \
        "doi:10.5555/test.2025.0001; PMID 99999901" in text
    code, text = run("trace", "--source", "s3-news", "--data", str(built), "--format",
                     "markdown")
    assert "(news, 2025-09-12); derived from s2-news" in text
    assert "said by" not in text
    code, text = run("trace", "--source", "s2-news", "--data", str(built), "--format", "json")
    record = json.loads(text)["assertions"][0]
    assert (record["said_by"], record["article_derived_from"]) == (
        "Acme Bio", ["s1-release"])


def test_the_rdf_attributes_the_statement_to_an_agent(built: Path) -> None:
    code, text = run("query", "--data", str(built), "--format", "json", "--sparql", """
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX schema: <https://schema.org/>
        SELECT ?type ?name ?role ?org WHERE {
          ?a prov:wasAttributedTo ?agent . ?agent a ?type ; schema:name ?name ;
             schema:jobTitle ?role ; schema:affiliation ?org }""")
    assert code == 0, text
    assert sorted((r["type"], r["name"], r["role"], r["org"]) for r in json.loads(text)) == [
        ("http://www.w3.org/ns/prov#Agent", "Jane Roe", "Chief Executive Officer",
         "https://w3id.org/cart-kg/resource/sponsor/acme-bio"),
        ("http://www.w3.org/ns/prov#Person", "Jane Roe", "Chief Executive Officer",
         "https://w3id.org/cart-kg/resource/sponsor/acme-bio")]


def test_a_derived_numerator_is_listed_with_its_arithmetic(built: Path) -> None:
    rows = query(built, "derived_values")
    assert [(r["claim"], r["derivation"], r["basis"]) for r in rows
            if r["article"] == "s1-release"] == [
        ("overall-response", "numerator: 82% x 11 = 9.02, rounded 9", "stated")]


def test_the_export_carries_the_bibliography_and_lineage(built: Path) -> None:
    target = built / "export.json"
    code, text = run("export", "--format", "cytoscape", "--articles", "--data", str(built),
                     "-o", str(target))
    assert code == 0, text
    nodes: dict[str, dict[str, Any]] = {
        n["data"]["id"]: n["data"]
        for n in json.loads(target.read_text(encoding="utf-8"))["elements"]["nodes"]}
    paper = nodes["article:s4-paper"]
    assert {k: paper[k] for k in ("kind", "journal", "volume", "issue", "pages", "doi",
                                  "pmid")} == {
        "kind": "paper", "journal": "Journal of Test Medicine", "volume": "12", "issue": "3",
        "pages": "101-109", "doi": "10.5555/test.2025.0001", "pmid": "99999901"}
    assert nodes["article:s3-news"]["derived_from"] == ["res:article/s2-news"]
    assert "derived_from" not in nodes["article:s1-release"]


def test_the_export_counts_independent_origins_and_says_who_said_it(built: Path) -> None:
    import networkx as nx

    target = built / "export.graphml"
    code, text = run("export", "--format", "graphml", "--data", str(built), "-o", str(target))
    assert code == 0, text
    graph = nx.read_graphml(target)
    [sponsor] = [a for u, v, a in graph.edges(data=True)
                 if (u, v, a["predicate"]) == ("trial:trial-one", "sponsor:acme-bio",
                                               "sponsoredBy")]
    # four articles, two independent origins; the news item s2 attributes it to Acme Bio
    assert {k: sponsor[k] for k in ("sources", "origins", "articles", "article_ids",
                                    "said_by")} == {
        "sources": 2, "origins": "s1-release; s4-paper", "articles": 4,
        "article_ids": "s1-release; s2-news; s3-news; s4-paper", "said_by": "Acme Bio"}
    plan = graph.nodes["plan:s1-release/registrational-trial"]
    assert plan["said_by"] == "Jane Roe (Chief Executive Officer, Acme Bio)"
