"""Reading a build's shards directly: the whole dataset in canonical order, checked as it is read.

The RDF exports (N-Quads, TriG, Turtle, JSON-LD) of a build's folder read its shards, not the
on-disk index (docs/decisions/0015): the same bytes as from the whole dataset in memory.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli.main import main
from kg.export.export import render_export
from kg.store.shards import Shard, ShardError, graph_runs, graph_texts, subject_groups
from kg.store.store import GraphStore, read_quads

RDF_FORMATS = ["nquads", "trig", "turtle", "jsonld"]
E = "http://e/"


def quad(s: str, p: str, o: str, g: str | None) -> ox.Quad:
    graph = ox.DefaultGraph() if g is None else ox.NamedNode(E + g)
    return ox.Quad(ox.NamedNode(E + s), ox.NamedNode(E + p), ox.Literal(o), graph)


def write_shard(path: Path, quads: list[ox.Quad]) -> Shard:
    """A shard as a build writes it: canonical N-Quads; with its digest."""
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


# --- the RDF exports of a build's folder -------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_rdf_exports_of_a_build_folder_read_its_shards_and_equal_the_whole_store(
        synthetic_build: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = GraphStore.from_file(synthetic_build)
    expected = render_export(GraphStore.from_quads(read_quads(synthetic_build)), fmt)[0]

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("an RDF export of a build's folder must read the shards")

    monkeypatch.setattr(GraphStore, "store", property(forbidden))
    assert render_export(store, fmt)[0] == expected


def test_subjects_described_in_several_shards_are_merged_into_one_group(
        synthetic_build: Path) -> None:
    """A registry entity is described in the registry and named as subject by claims."""
    store = GraphStore.from_file(synthetic_build)
    in_shards: dict[str, set[Path]] = {}
    for path, _ in store.shards:
        for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.N_QUADS):
            in_shards.setdefault(str(q.subject), set()).add(path)
    spanning = {s for s, paths in in_shards.items() if len(paths) > 1}
    assert spanning  # else this test shows nothing
    groups = list(store.subjects())
    assert [str(g[0].subject) for g in groups] == sorted(in_shards)
    assert all(len({t.subject for t in g}) == 1 for g in groups)
    assert sum(len(g) for g in groups) == len({q.triple for q in store.quads()})


def test_a_shard_changed_during_an_rdf_export_stops_it_and_writes_nothing(
        synthetic_build: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dataset"
    shutil.copytree(synthetic_build / "dataset", folder)
    GraphStore.from_file(folder).open()  # an up-to-date on-disk index cannot hide the change
    shard = sorted((folder / "articles").iterdir())[5]
    shard.write_bytes(shard.read_bytes().replace(b"\n", b"\n\n", 1))
    for fmt in RDF_FORMATS:
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(main, ["export", "--data", str(folder), "--format", fmt,
                                           "-o", str(out)])
        assert result.exit_code == 2, result.output
        assert f"{shard.name}: not the shard its manifest lists" in result.output
        assert "Fix: rebuild the dataset" in result.output
        assert "Traceback" not in result.output
        assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if "out." in p.name] == []  # no temporary file


# --- graphs ------------------------------------------------------------------------------------


def test_graph_runs_cut_a_shard_into_its_graphs_in_order(tmp_path: Path) -> None:
    quads = [quad("s", "p", "default 1", None), quad("t", "p", "default 2", None),
             quad("s", "p", "in g-2 (a literal ending <http://e/g> .)", "g-2"),
             quad("s", "q", "in g-2", "g-2"), quad("s", "p", "in g", "g")]
    path, _ = write_shard(tmp_path / "one.nq", quads)
    data = path.read_bytes()
    runs = graph_runs(data, path)
    # '-' sorts before '>': <http://e/g-2> comes before <http://e/g>
    assert [key for key, _, _ in runs] == ["", f"<{E}g-2>", f"<{E}g>"]
    assert [len(list(ox.parse(data[a:b], format=ox.RdfFormat.N_QUADS)))
            for _, a, b in runs] == [2, 2, 1]
    assert b"".join(data[a:b] for _, a, b in runs) == data


def test_graphs_of_several_shards_come_in_canonical_order(tmp_path: Path) -> None:
    one = write_shard(tmp_path / "one.nq", [quad("s", "p", "a", "a"), quad("s", "p", "c", "c")])
    two = write_shard(tmp_path / "two.nq", [quad("s", "p", "b", "b"), quad("s", "p", "d", "d")])
    texts = list(graph_texts([one, two]))
    values = [q.object.value for text in texts
              for q in ox.parse(text, format=ox.RdfFormat.N_QUADS)]
    assert values == ["a", "b", "c", "d"]


def test_a_graph_in_two_shards_is_an_error_naming_both(tmp_path: Path) -> None:
    one = write_shard(tmp_path / "one.nq", [quad("s", "p", "a", "g")])
    two = write_shard(tmp_path / "two.nq", [quad("s", "p", "b", "g")])
    with pytest.raises(ShardError, match=r"two\.nq: graph <http://e/g> is also in .*one\.nq.*"
                                         r"Fix: rebuild"):
        list(graph_texts([one, two]))


def test_a_shard_out_of_canonical_order_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.nq"
    data = b"".join(ox.serialize([q], format=ox.RdfFormat.N_QUADS) or b""
                    for q in [quad("s", "p", "b", "b"), quad("s", "p", "a", "a")])
    path.write_bytes(data)
    with pytest.raises(ShardError, match=r"bad\.nq: not a canonical shard .*out of order"):
        graph_runs(data, path)


def test_a_shard_replaced_while_its_graphs_are_read_is_an_error(tmp_path: Path) -> None:
    # read once for the digest and the graphs' places, then again for the graphs' lines: a
    # shard replaced in between (a rebuild) is noticed by its stamp
    one = write_shard(tmp_path / "one.nq", [quad("s", "p", "a", "a"), quad("s", "p", "c", "c")])
    two = write_shard(tmp_path / "two.nq", [quad("s", "p", "b", "b")])
    texts = graph_texts([one, two])
    next(texts)
    replacement = tmp_path / "new.nq"
    replacement.write_bytes(two[0].read_bytes())
    replacement.replace(two[0])  # as a rebuild replaces it: same bytes, another file
    with pytest.raises(ShardError, match=r"two\.nq: not the shard its manifest lists \(changed "
                                         r"since it was first read\)"):
        list(texts)


def test_a_shard_whose_digest_differs_is_an_error(tmp_path: Path) -> None:
    path, _ = write_shard(tmp_path / "one.nq", [quad("s", "p", "a", "a")])
    with pytest.raises(ShardError, match=r"one\.nq: not the shard its manifest lists"):
        list(graph_texts([(path, "0" * 64)]))


# --- subjects ----------------------------------------------------------------------------------


def test_a_subjects_triples_from_several_shards_are_one_sorted_distinct_group(
        tmp_path: Path) -> None:
    one = write_shard(tmp_path / "one.nq", [quad("x", "p", "2", "a"), quad("y", "p", "1", "a"),
                                            quad("x", "p", "1", "b")])
    two = write_shard(tmp_path / "two.nq", [quad("x", "p", "1", "c"), quad("w", "p", "1", "c"),
                                            quad("x", "q", "0", "d")])
    groups = [[(t.subject.value[len(E):], t.predicate.value[len(E):], t.object.value)
               for t in group] for group in subject_groups([one, two])]
    assert groups == [[("w", "p", "1")],
                      [("x", "p", "1"), ("x", "p", "2"), ("x", "q", "0")],
                      [("y", "p", "1")]]
