"""The evidence analyses the build derives into graph:analyses (kg/build/analyses.py).

They are derived from every claim, written as one canonical shard, kept current by every rebuild
(the same bytes as a clean build), and each result names the assertions it was derived from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EVIDENCE, SOURCES, edit

from kg.build.analyses import ANALYSES
from kg.build.build import build_dataset
from kg.build.dataset_analyses import analyses_of
from kg.build.parts import serialize_shard
from kg.build.summary import BuildResult
from kg.core.vocab import CART, RESOURCE
from kg.rdf.emit import sort_quads
from kg.store.dataset import ANALYSES_SHARD, DATASET_DIR, read_manifest

A000, A003 = "000_5ef16d2ca6f7ae03", "003_18bb5d852450905e"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROV = "http://www.w3.org/ns/prov#"


def _objects(quads: list[ox.Quad], subject: ox.NamedNode | str, predicate: str) -> set[str]:
    node = subject.value if isinstance(subject, ox.NamedNode) else subject
    return {q.object.value for q in quads if q.subject.value == node  # type: ignore[union-attr]
            and q.predicate.value == predicate}


def _supports(quads: list[ox.Quad], s: str, p: str, o: str) -> list[ox.NamedNode]:
    typed = {q.subject for q in quads if q.predicate.value == f"{RDF}type"
             and q.object.value == str(CART) + "FactSupport"}
    return [node for node in typed  # type: ignore[misc]
            if _objects(quads, node, f"{RDF}subject") == {s}
            and _objects(quads, node, f"{RDF}predicate") == {p}
            and _objects(quads, node, f"{RDF}object") == {o}]


@pytest.fixture(scope="module")
def analyses(real_build: BuildResult) -> list[ox.Quad]:
    return [q for q in real_build.quads if q.graph_name == ANALYSES]


def test_a_fact_two_articles_state_has_two_independent_origins(analyses: list[ox.Quad]) -> None:
    [cd19] = _supports(analyses, f"{RESOURCE}therapy/bms-986353", f"{CART}targetsAntigen",
                       f"{RESOURCE}antigen/cd19")
    assert _objects(analyses, cd19, f"{CART}independentOrigins") == {"2"}
    assert _objects(analyses, cd19, f"{CART}origin") == {A000, A003}
    # its own provenance: the two assertions it was derived from
    assert _objects(analyses, cd19, f"{PROV}wasDerivedFrom") == {
        f"{RESOURCE}assertion/{A000}/cd19-nex-t-target",
        f"{RESOURCE}assertion/{A003}/bms-986353-targets-cd19"}


def test_a_fact_of_curator_inference_alone_has_no_origin(analyses: list[ox.Quad]) -> None:
    [sponsor] = _supports(analyses, f"{RESOURCE}trial/breakfree-1", f"{CART}sponsoredBy",
                          f"{RESOURCE}sponsor/bristol-myers-squibb")
    assert _objects(analyses, sponsor, f"{CART}independentOrigins") == {"0"}
    assert _objects(analyses, sponsor, f"{CART}articleCount") == {"1"}
    assert _objects(analyses, sponsor, f"{CART}origin") == set()


def test_every_result_names_assertions_of_the_dataset(real_build: BuildResult,
                                                      analyses: list[ox.Quad]) -> None:
    graphs = {q.graph_name.value for q in real_build.quads  # type: ignore[union-attr]
              if isinstance(q.graph_name, ox.NamedNode)}
    derived = {q.object.value for q in analyses if q.predicate.value == f"{PROV}wasDerivedFrom"}
    assert derived and derived <= graphs
    results = {q.subject for q in analyses if q.predicate.value == f"{RDF}type"}
    assert all(_objects(analyses, r, f"{PROV}wasDerivedFrom") for r in results)  # type: ignore[arg-type]


def test_the_shard_is_canonical_and_what_the_claims_give(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build_dataset(SOURCES, out)
    data = (out / DATASET_DIR / ANALYSES_SHARD).read_bytes()
    quads = tuple(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    assert serialize_shard(sort_quads(quads)) == data
    assert set(analyses_of(result.quads)) == set(quads)
    assert [p["file"] for p in read_manifest(out / DATASET_DIR)["parts"]][-1] == ANALYSES_SHARD


@pytest.mark.parametrize(("file", "old", "new"), [
    # a news item no longer says it summarises another: it becomes an origin of its own, and the
    # facts it states gain one (test data: tests/data/evidence)
    ("s3-news/article.yaml", "derived_from: [{article: s2-news}]\n", ""),
    # a note added to a claim: its part is built again, the analyses derived again, to the same
    # bytes
    ("s1-release/evidence.yaml", "  - id: trial-one-sponsor\n",
     "  - id: trial-one-sponsor\n    note: Edited by the test.\n"),
])
def test_a_rebuild_after_an_edit_derives_what_a_clean_build_does(
        tmp_path: Path, file: str, old: str, new: str) -> None:
    sources = Path(shutil.copytree(EVIDENCE, tmp_path / "sources"))
    out = tmp_path / "out"
    build_dataset(sources, out)
    before = (out / DATASET_DIR / ANALYSES_SHARD).read_bytes()
    edit(sources / "articles" / file, old, new)
    rebuilt = build_dataset(sources, out)
    clean = build_dataset(sources, tmp_path / "clean", clean=True)
    after = (out / DATASET_DIR / ANALYSES_SHARD).read_bytes()
    assert rebuilt.reused > 0 and rebuilt.report.conforms and clean.report.conforms
    assert after == (tmp_path / "clean" / DATASET_DIR / ANALYSES_SHARD).read_bytes()
    assert (after != before) == ("derived_from" in old)
