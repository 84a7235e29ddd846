"""The on-disk index that commands query: always the dataset as built, after any rebuild."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from conftest import CTGOV

from kg.build.build import build_dataset
from kg.cli.main import main
from kg.export.export import EXPORTERS
from kg.rdf.emit import sort_quads
from kg.store.index import INDEX_DIR, IndexUnavailable, load_checked, open_index
from kg.store.store import GraphStore, StoreError, read_quads
from kg.synth.corpus import generate_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "sources"
    generate_corpus(out, 8, seed=5)
    return out


@pytest.fixture
def sources(corpus: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(corpus, tmp_path / "sources"))


def indexed(out: Path) -> tuple[ox.Quad, ...]:
    store = GraphStore.from_file(out)
    assert store.lock is not None, "the build folder was not opened through its index"
    return store.quads()


def test_a_build_folder_is_queried_through_an_index_holding_exactly_the_dataset(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    assert indexed(out) == read_quads(out / "dataset")
    assert (out / INDEX_DIR / "state.json").is_file()


def test_shards_are_loaded_in_batches_and_each_batch_is_held_whole(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 9 shards (8 articles and the registry) in batches of 2: the last batch holds one
    monkeypatch.setattr("kg.store.index.BATCH", 2)
    out = tmp_path / "out"
    build_dataset(sources, out)
    assert indexed(out) == read_quads(out / "dataset")


def test_the_index_follows_an_edited_article_and_a_retracted_one(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    indexed(out)
    articles = sorted(p for p in (sources / "articles").iterdir())
    # drop the first claim of one article: its assertion graph must leave the index
    evidence = articles[2] / "evidence.yaml"
    text = evidence.read_text(encoding="utf-8")
    claims = [m.start() for m in re.finditer(r"^  - id: ", text, flags=re.MULTILINE)]
    evidence.write_text(text[:claims[0]] + text[claims[1]:], encoding="utf-8")
    build_dataset(sources, out, exclude=frozenset({articles[5].name}))

    now = indexed(out)

    assert now == read_quads(out / "dataset")
    graphs = {q.graph_name.value for q in now}  # type: ignore[union-attr]
    assert not any(articles[5].name in g for g in graphs)


def test_the_store_is_compacted_after_large_changes_not_after_one_article(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.store.index.BATCH", 2)  # compact once more than 2 shards changed

    def uncompacted() -> int:
        value = json.loads((out / INDEX_DIR / "state.json").read_text())["uncompacted"]
        assert isinstance(value, int)
        return value

    out = tmp_path / "out"
    build_dataset(sources, out)
    indexed(out)
    assert uncompacted() == 0  # 9 shards loaded: compacted
    articles = sorted(p for p in (sources / "articles").iterdir())
    build_dataset(sources, out, exclude=frozenset({articles[1].name}))
    indexed(out)
    assert uncompacted() == 1  # one article's graphs removed: left as they are
    build_dataset(sources, out, exclude=frozenset({articles[1].name, articles[2].name}))
    indexed(out)
    assert uncompacted() == 2
    build_dataset(sources, out)
    assert indexed(out) == read_quads(out / "dataset")
    assert uncompacted() == 0  # 2 + 2 articles back: compacted


def test_an_index_updated_by_another_command_is_not_updated_again(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    first, lock = open_index(out / "dataset")
    state = (out / INDEX_DIR / "state.json").stat().st_mtime_ns
    second, other = open_index(out / "dataset")  # shared: both readers at once
    assert (out / INDEX_DIR / "state.json").stat().st_mtime_ns == state
    assert sort_quads(first.quads_for_pattern(None, None, None, None)) == sort_quads(
        second.quads_for_pattern(None, None, None, None))
    os.close(lock)
    os.close(other)


@pytest.mark.filterwarnings("ignore:the on-disk index cannot be used")
@pytest.mark.parametrize("through_index", [True, False])
def test_a_shard_changed_behind_its_manifest_is_never_indexed(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        through_index: bool) -> None:
    # the shard is edited after the build (the manifest still lists its old digest), before any
    # command made the index: the first query must stop with the shard's name and the fix, not
    # answer from the edited data; once the shard is rebuilt, the index holds the dataset
    out = tmp_path / "out"
    build_dataset(sources, out)
    shard = sorted((out / "dataset" / "articles").glob("*.nq"))[3]
    original = shard.read_bytes()
    shard.write_bytes(original.replace(b'"', b'"edited ', 1))
    if not through_index:  # the index cannot be used: the shards are loaded in memory
        monkeypatch.setattr("kg.store.store.open_index", _unavailable)
    runner = CliRunner()
    _stops_naming(runner.invoke(main, ["query", "claims_per_article", "--data", str(out)]), shard)

    shard.write_bytes(original)
    assert runner.invoke(main, ["query", "claims_per_article", "--data", str(out)]).exit_code == 0
    if through_index:
        assert indexed(out) == read_quads(out / "dataset")


def _stops_naming(result: Result, shard: Path) -> None:
    """The command stopped (exit 2) with the shard that is not its manifest's and the fix."""
    assert result.exit_code == 2, result.output
    assert f"error: {shard}: not the shard its manifest lists" in result.output
    assert "Fix: rebuild the dataset with `cartkg build`" in result.output
    assert "Traceback" not in result.output


def _unavailable(folder: Path, parts: object = None) -> None:
    raise IndexUnavailable(f"{folder}: read-only file system")


def test_a_shard_changed_into_invalid_n_quads_is_named(sources: Path, tmp_path: Path) -> None:
    # Oxigraph stops at the syntax error, with a line number counted from the start of the
    # batch of shards: the error names the shard that is not its manifest's
    out = tmp_path / "out"
    build_dataset(sources, out)
    shard = sorted((out / "dataset" / "articles").glob("*.nq"))[2]
    shard.write_bytes(shard.read_bytes().replace(b">", b"", 1))
    _stops_naming(CliRunner().invoke(main, ["query", "claims_per_article", "--data", str(out)]),
                  shard)


def test_only_a_command_that_queries_makes_the_index_of_a_new_build(
        sources: Path, tmp_path: Path) -> None:
    # making the index of a new build costs about a minute at 10,000 articles: the exports read
    # the shards (the HTML page each article's own), so none of them pays for it
    out = tmp_path / "out"
    build_dataset(sources, out)
    runner = CliRunner()
    state = out / INDEX_DIR / "state.json"
    for fmt in EXPORTERS:
        result = runner.invoke(main, ["export", "--format", fmt, "--data", str(out),
                                      "-o", str(tmp_path / "export" / fmt)])
        assert result.exit_code == 0, result.output
        assert not state.exists(), f"exporting {fmt} made the index"
    # a build of no article at all: the HTML page has no evidence to read, still not the index
    empty = tmp_path / "empty"
    every = frozenset(p.name for p in (sources / "articles").iterdir())
    build_dataset(sources, empty, exclude=every)
    result = runner.invoke(main, ["export", "--format", "html", "--data", str(empty),
                                  "-o", str(tmp_path / "empty.html")])
    assert result.exit_code == 0, result.output
    assert not (empty / INDEX_DIR / "state.json").exists(), "exporting html made the index"

    result = runner.invoke(main, ["query", "claims_per_article", "--data", str(out)])
    assert result.exit_code == 0, result.output
    assert state.exists(), "a query did not open the index"
    assert indexed(out) == read_quads(out / "dataset")


def test_a_query_command_opens_the_store_before_it_runs(sources: Path, tmp_path: Path) -> None:
    # the index opens lazily, but a command that queries opens it first: a shard that is not its
    # manifest's is reported as such (exit 2, no traceback) by trace and evidence too
    out = tmp_path / "out"
    build_dataset(sources, out)
    shard = sorted((out / "dataset" / "articles").glob("*.nq"))[1]
    shard.write_bytes(shard.read_bytes().replace(b'"', b'"edited ', 1))
    for command in (["trace", "--source", shard.stem], ["evidence"]):
        _stops_naming(CliRunner().invoke(main, [*command, "--data", str(out)]), shard)


def test_a_store_opened_after_a_rebuild_is_an_error_not_a_mix_of_two_builds(
        sources: Path, tmp_path: Path) -> None:
    # the store reads its manifest when it is made and opens its index on first use: a dataset
    # rebuilt in between must not give an index of the new build beside the old build's shards
    out = tmp_path / "out"
    build_dataset(sources, out)
    store = GraphStore.from_file(out)
    articles = sorted(p for p in (sources / "articles").iterdir())
    evidence = articles[2] / "evidence.yaml"
    evidence.write_text(evidence.read_text(encoding="utf-8").replace(
        "  - id: ", "  - id: renamed-", 1), encoding="utf-8")
    build_dataset(sources, out)
    with pytest.raises(StoreError, match=r"not the shard its manifest lists.*Fix: rebuild"):
        store.open()
    assert indexed(out) == read_quads(out / "dataset")  # opened anew: the new build


def test_a_manifest_broken_after_the_store_was_made_does_not_stop_it(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    expected = read_quads(out / "dataset")
    store = GraphStore.from_file(out)
    (out / "dataset" / "manifest.json").write_text("{", encoding="utf-8")
    assert store.open().quads() == expected  # the shards it listed, checked by their digests


@pytest.mark.parametrize("use", [
    lambda store: store.store,
    lambda store: store.open(),
    lambda store: len(store),
    lambda store: store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
], ids=["store", "open", "len", "select"])
def test_the_warning_that_the_index_cannot_be_used_names_the_line_that_used_the_store(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        use: Callable[[GraphStore], object]) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    monkeypatch.setattr("kg.store.store.open_index", _unavailable)
    store = GraphStore.from_file(out)
    with pytest.warns(UserWarning, match="the on-disk index cannot be used") as caught:
        use(store)
    assert [Path(w.filename).name for w in caught] == [Path(__file__).name]
    assert len(store) == len(read_quads(out / "dataset"))  # loaded in memory instead


def test_the_index_drops_a_registry_record_the_sources_no_longer_hold(tmp_path: Path) -> None:
    """The test sources with a registry record (tests/data/ctgov); then the record and the one
    article that names it removed: the record's graph and its statements' graphs leave too."""
    sources = Path(shutil.copytree(CTGOV, tmp_path / "sources"))
    out = tmp_path / "out"
    build_dataset(sources, out)
    assert any("/graph/record/" in str(q.graph_name) for q in indexed(out))
    shutil.rmtree(sources / "registry-records")
    build_dataset(sources, out, exclude=frozenset({"t1"}))

    now = indexed(out)

    assert now == read_quads(out / "dataset")
    assert not any("/graph/record/" in str(q.graph_name) for q in now)


def test_the_analyses_graph_follows_an_edit_line_by_line_not_reloaded_whole(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    indexed(out)
    before = (out / "dataset" / "analyses.nq").read_bytes()
    loaded: list[str] = []
    real_load = load_checked

    def recording(store: ox.Store, shards: list[tuple[Path, str]]) -> None:
        loaded.extend(path.name for path, _ in shards)
        real_load(store, shards)

    monkeypatch.setattr("kg.store.index.load_checked", recording)
    articles = sorted(p for p in (sources / "articles").iterdir())
    build_dataset(sources, out, exclude=frozenset({articles[3].name}))  # analyses change too

    now = indexed(out)

    assert now == read_quads(out / "dataset")
    assert (out / "dataset" / "analyses.nq").read_bytes() != before
    assert "analyses.nq" not in loaded
    assert (out / INDEX_DIR / "analyses.nq").read_bytes() == \
        (out / "dataset" / "analyses.nq").read_bytes()
