"""The build by part: what a rebuild redoes; that it writes a clean build's bytes."""

from __future__ import annotations

import ast
import filecmp
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Graph

import kg.build.build
import kg.build.cache
import kg.build.parts
from kg.build.build import build_dataset
from kg.build.cache import BUILD_MODULES
from kg.build.summary import BuildResult, Stats, summarize
from kg.core.workers import WorkerDied
from kg.curation.yamlfile import SourceError
from kg.store.dataset import DATASET_DIR, MANIFEST, manifest_bytes, read_manifest
from kg.synth.corpus import generate_corpus
from kg.validation.validate import load_shapes, validate_dataset

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 20  # fewer than build.CHUNK: a test that wants several chunks makes CHUNK smaller


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "sources"
    generate_corpus(out, ARTICLES, seed=3)
    return out


@pytest.fixture(scope="module")
def large_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three chunks of articles: a build in a process of its own builds them in two workers."""
    out = tmp_path_factory.mktemp("corpus") / "sources"
    generate_corpus(out, 2 * kg.build.build.CHUNK + 2, seed=3)
    return out


@pytest.fixture
def sources(corpus: Path, tmp_path: Path) -> Path:
    """A writable copy of the synthetic corpus."""
    return Path(shutil.copytree(corpus, tmp_path / "sources"))


def articles(sources: Path) -> list[Path]:
    return sorted(p for p in (sources / "articles").iterdir() if p.is_dir())


def same_files(one: Path, two: Path) -> list[str]:
    """The files that differ (or exist on one side only) between two dataset folders."""
    names = {p.relative_to(one) for p in one.rglob("*") if p.is_file()}
    names |= {p.relative_to(two) for p in two.rglob("*") if p.is_file()}
    return sorted(str(n) for n in names if not (one / n).is_file() or not (two / n).is_file()
                  or not filecmp.cmp(one / n, two / n, shallow=False))


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def change_rationale(article: Path) -> None:
    """Reword the first rationale of an article's claims: still valid, different quads."""
    path = article / "evidence.yaml"
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(r"(rationale: )", r"\1On reflection, ", text, count=1)
    assert count == 1, f"no rationale in {path}"
    path.write_text(changed, encoding="utf-8")


def with_rationale(sources: Path) -> Path:
    return next(a for a in articles(sources)
                if "rationale:" in (a / "evidence.yaml").read_text(encoding="utf-8"))


def test_editing_one_article_rebuilds_only_it_and_gives_a_clean_builds_bytes(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = build_dataset(sources, out)
    assert first.report.conforms and first.rebuilt == ARTICLES + 1 and first.reused == 0
    change_rationale(with_rationale(sources))

    again = build_dataset(sources, out)

    assert (again.rebuilt, again.reused) == (1, ARTICLES)
    clean = build_dataset(sources, tmp_path / "clean", clean=True)
    assert same_files(out / DATASET_DIR, tmp_path / "clean" / DATASET_DIR) == []
    assert again.stats == clean.stats and again.report == clean.report


@pytest.mark.parametrize("fork", [True, False])
def test_a_rebuild_gives_a_clean_builds_bytes_however_many_articles_changed(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool) -> None:
    """One chunk or fewer: built by the builder forked at the start (where there is fork);
    more: by the pool of every core, the builder stopped."""
    monkeypatch.setattr(kg.build.build, "CHUNK", 4)
    if not fork:
        monkeypatch.setattr(kg.build.build.multiprocessing, "get_all_start_methods",
                            lambda: ["spawn"])
    out = tmp_path / "out"
    build_dataset(sources, out)
    edited = [a for a in articles(sources)
              if "rationale:" in (a / "evidence.yaml").read_text(encoding="utf-8")]
    assert len(edited) > 4
    for count in (1, len(edited)):
        for article in edited[:count]:
            change_rationale(article)

        again = build_dataset(sources, out)

        assert (again.rebuilt, again.reused) == (count, ARTICLES + 1 - count)
        clean = build_dataset(sources, tmp_path / f"clean-{count}", clean=True)
        assert same_files(out / DATASET_DIR, tmp_path / f"clean-{count}" / DATASET_DIR) == []
        assert again.stats == clean.stats and again.report == clean.report


def test_a_rebuild_with_nothing_changed_reads_and_writes_nothing(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = build_dataset(sources, out)
    before = snapshot(out / DATASET_DIR)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged article was read again")

    monkeypatch.setattr(kg.build.parts, "load_article", no_reading)
    again = build_dataset(sources, out)

    assert (again.rebuilt, again.reused) == (0, ARTICLES + 1)
    assert snapshot(out / DATASET_DIR) == before
    assert again.stats == first.stats and again.report == first.report


def test_an_unchanged_corpus_is_checked_by_its_files_stamps_without_reading_them(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.build.cache, "RACY_NS", 0)  # trust every stamp, however recent
    out = tmp_path / "out"
    build_dataset(sources, out)

    def no_reading(path: str) -> str:
        raise AssertionError(f"{path} was read again")

    with monkeypatch.context() as patch:
        patch.setattr(kg.build.cache, "file_digest", no_reading)
        assert build_dataset(sources, out).rebuilt == 0
    evidence = articles(sources)[0] / "evidence.yaml"
    now = evidence.stat().st_mtime_ns + 10**9
    os.utime(evidence, ns=(now, now))  # touched, not changed: read once, and reused

    assert build_dataset(sources, out).rebuilt == 0
    with monkeypatch.context() as patch:
        patch.setattr(kg.build.cache, "file_digest", no_reading)
        assert build_dataset(sources, out).rebuilt == 0


def test_an_edit_that_keeps_a_recent_files_size_and_mtime_is_still_seen(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    evidence = with_rationale(sources) / "evidence.yaml"
    text = evidence.read_text(encoding="utf-8")
    evidence.write_text(text, encoding="utf-8")  # modified now: its stamp is not to be trusted
    build_dataset(sources, out)
    before = evidence.stat()
    same_size, count = re.subn(r"(rationale: )(\w)", lambda m: m[1] + m[2].swapcase(), text,
                               count=1)
    assert count == 1 and len(same_size) == len(text) and same_size != text
    evidence.write_text(same_size, encoding="utf-8")
    os.utime(evidence, ns=(before.st_atime_ns, before.st_mtime_ns))  # within one clock tick

    assert build_dataset(sources, out).rebuilt == 1


def test_two_processes_write_the_same_bytes_as_one(sources: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.build.build, "CHUNK", 8)  # three chunks, built by two workers
    build_dataset(sources, tmp_path / "one", jobs=1)
    build_dataset(sources, tmp_path / "two", jobs=2)
    assert same_files(tmp_path / "one" / DATASET_DIR, tmp_path / "two" / DATASET_DIR) == []


def test_editing_a_registry_entity_rebuilds_the_articles_that_name_it(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    naming = [a.name for a in articles(sources)
              if "tempo-pemphigus" in (a / "evidence.yaml").read_text(encoding="utf-8")]
    assert 0 < len(naming) < ARTICLES
    trials = sources / "registry" / "trials.yaml"
    text = trials.read_text(encoding="utf-8")
    entry = text.index("tempo-pemphigus:")
    label = text.index("label:", entry)
    trials.write_text(text[:label] + "label: TEMPO pemphigus (renamed)\n"
                      + text[text.index("\n", label) + 1:], encoding="utf-8")

    again = build_dataset(sources, out)

    assert again.rebuilt == len(naming) + 1  # and the registry
    clean = build_dataset(sources, tmp_path / "clean", clean=True)
    assert same_files(out / DATASET_DIR, tmp_path / "clean" / DATASET_DIR) == []
    assert again.report == clean.report


def test_removing_an_article_that_another_names_is_caught_though_that_one_is_unchanged(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    naming = next(a for a in articles(sources)
                  if re.search(r'by: \[.*"\d{5}_[0-9a-f]{16}"',
                               (a / "evidence.yaml").read_text(encoding="utf-8")))
    named = re.search(r'by: \[.*"(\d{5}_[0-9a-f]{16})"',
                      (naming / "evidence.yaml").read_text(encoding="utf-8"))
    assert named is not None
    shutil.rmtree(sources / "articles" / named.group(1))
    before = snapshot(out / DATASET_DIR)

    with pytest.raises(SourceError) as err:
        build_dataset(sources, out)

    assert any(f"disputed.by '{named.group(1)}'" in p.message and naming.name in p.file
               for p in err.value.problems)
    assert snapshot(out / DATASET_DIR) == before, "a failed build leaves the last dataset"
    assert sorted(p.name for p in out.iterdir()) == [".cache", DATASET_DIR], "nothing staged"


def test_a_shard_changed_by_hand_is_built_again(sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    shard = next((out / DATASET_DIR / "articles").iterdir())
    clean_bytes = shard.read_bytes()
    shard.write_bytes(clean_bytes.replace(b"cart-kg", b"cart-KG", 1))

    again = build_dataset(sources, out)

    assert again.rebuilt == 1 and shard.read_bytes() == clean_bytes


def test_a_change_to_the_code_or_shapes_rebuilds_everything(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    monkeypatch.setattr(kg.build.build, "toolchain_digest", lambda: "another version of kg/")
    assert build_dataset(sources, out).rebuilt == ARTICLES + 1


def test_leaving_an_article_out_removes_its_shard_and_keeps_the_rest(
        sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_dataset(sources, out)
    gone = articles(sources)[3].name
    result = build_dataset(sources, out, exclude=frozenset({gone}))
    assert result.rebuilt == 0
    assert not (out / DATASET_DIR / "articles" / f"{gone}.nq").exists()
    assert gone not in (out / DATASET_DIR / MANIFEST).read_text(encoding="utf-8")
    assert build_dataset(sources, out).rebuilt == 1


def test_the_dataset_folders_are_open_to_other_users_and_tools(sources: Path,
                                                                tmp_path: Path) -> None:
    build_dataset(sources, out=tmp_path)
    for folder in (tmp_path / DATASET_DIR, tmp_path / DATASET_DIR / "articles"):
        assert folder.stat().st_mode & 0o777 == 0o755, folder


def test_the_numbers_added_up_by_part_are_those_of_the_whole(sources: Path,
                                                             tmp_path: Path) -> None:
    result = build_dataset(sources, out=tmp_path)
    assert result.stats == summarize(result.quads)
    assert Stats.from_manifest(read_manifest(tmp_path / DATASET_DIR)) == result.stats


def test_the_manifest_is_json_with_a_line_per_part_and_the_same_bytes_for_the_same_content(
        sources: Path, tmp_path: Path) -> None:
    build_dataset(sources, out=tmp_path)
    raw = (tmp_path / DATASET_DIR / MANIFEST).read_bytes()
    manifest = json.loads(raw)
    part_lines = [line for line in raw.decode().splitlines() if line.lstrip().startswith('{"')]
    assert [json.loads(line.rstrip(",")) for line in part_lines] == manifest["parts"]
    assert manifest_bytes(json.loads(raw)) == raw
    shuffled = {k: manifest[k] for k in reversed(manifest)}
    assert manifest_bytes(shuffled) == raw
    assert json.loads(manifest_bytes({**manifest, "parts": []}))["parts"] == []


# Shapes that report something in every article and on shared registry entities, so that the
# part-by-part report can be compared with the whole-graph report on many results.
EXTRA_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix cart: <https://w3id.org/cart-kg/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <https://example.org/test-shapes#> .

t:LongQuote a sh:NodeShape ; sh:targetClass cart:Quote ; sh:severity sh:Warning ;
    sh:property [ sh:path oa:exact ; sh:maxLength 60 ; sh:message "a long quote" ] .
t:TrialWithoutIdentifier a sh:NodeShape ; sh:targetClass cart:Trial ; sh:severity sh:Warning ;
    sh:property [ sh:path skos:exactMatch ; sh:minCount 1 ; sh:message "no identifier" ] .
t:SponsoredTrial a sh:NodeShape ; sh:targetSubjectsOf cart:sponsoredBy ; sh:severity sh:Warning ;
    sh:property [ sh:path cart:sponsoredBy ; sh:maxCount 0 ; sh:message "a sponsor" ] .
"""


def test_validating_part_by_part_reports_what_validating_the_whole_does(
        sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def shapes_with_extras() -> Graph:
        return load_shapes() + Graph().parse(data=EXTRA_SHAPES, format="turtle")

    monkeypatch.setattr(kg.build.parts, "load_shapes", shapes_with_extras)
    by_part: BuildResult = build_dataset(sources, out=None, jobs=1)
    whole = validate_dataset(by_part.quads, shapes=shapes_with_extras())

    messages = {v.message for v in by_part.report.violations}
    assert {"a long quote", "no identifier", "a sponsor"} <= messages
    assert by_part.report == whole


def kg_imports(module: str) -> set[str]:
    """The kg modules a kg module imports (by its source), directly or not."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse(ROOT.joinpath("kg", *name.split(".")).with_suffix(".py")
                         .read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg."):
                module = (node.module or "").removeprefix("kg.")
                if ROOT.joinpath("kg", *module.split(".")).is_dir():
                    todo += [f"{module}.{alias.name}" for alias in node.names]
                else:
                    todo.append(module)
            elif isinstance(node, ast.Import):
                todo += [a.name.removeprefix("kg.") for a in node.names
                         if a.name.startswith("kg.")]
    return seen


def test_the_cache_key_covers_every_module_the_build_runs() -> None:
    assert kg_imports("build.parts") <= set(BUILD_MODULES)


def _session_members(session: int) -> list[int]:
    """The processes still alive in a session (from /proc)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def _start_clean_build(sources: Path, out: Path) -> subprocess.Popen[bytes]:
    """`cartkg build --jobs 2 --clean` in a session of its own, its errors piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "build", "--sources", str(sources), "--out", str(out),
         "--jobs", "2", "--clean"], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_build_stopped_midway_leaves_no_workers_and_no_output(
        large_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    child = _start_clean_build(large_corpus, out)
    deadline = time.monotonic() + 60
    while not list(out.glob(".dataset-staged-*/articles/*.nq")) and child.poll() is None:
        assert time.monotonic() < deadline, "the build wrote no shard within a minute"
        time.sleep(0.01)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    if child.returncode == 0:
        pytest.skip("the build finished before the signal")  # cannot happen with 20 articles
    assert child.returncode == 128 + signal.SIGTERM, err.decode()
    assert b"Traceback" not in err
    time.sleep(0.5)
    assert _session_members(child.pid) == [], "worker processes outlived the build"
    assert not out.exists() or list(out.iterdir()) == []


def _builder_dies(job: object) -> object:
    """In place of build._warm_build: the builder process dies as the kernel would kill it."""
    os._exit(9)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_rebuild_whose_builder_dies_stops_with_an_error_and_keeps_the_old_dataset(
        sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder is forked after the patch, so it runs _builder_dies (and exits 9)."""
    out = tmp_path / "out"
    build_dataset(sources, out, jobs=2)
    before = snapshot(out / DATASET_DIR)
    change_rationale(with_rationale(sources))
    monkeypatch.setattr(kg.build.builder, "warm_build", _builder_dies)

    with pytest.raises(WorkerDied, match="exited with code 9"):
        build_dataset(sources, out, jobs=2)

    assert snapshot(out / DATASET_DIR) == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", DATASET_DIR]


def _children(pid: int) -> list[int]:
    """The children of a process (of any of its threads), from /proc."""
    children = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += [int(c) for c in path.read_text().split()]
        except OSError:
            continue
    return children


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_worker_killed_midway_stops_the_build_with_an_error_not_a_hang(
        large_corpus: Path, tmp_path: Path) -> None:
    """As when the kernel kills a worker for memory: the build says so, exits 2, writes nothing.

    The workers are the children of the forkserver, itself a child of the build.
    """
    out = tmp_path / "out"
    child = _start_clean_build(large_corpus, out)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and child.poll() is None:
        assert time.monotonic() < deadline, "no worker started within a minute"
        workers = [w for c in _children(child.pid) for w in _children(c)]
        time.sleep(0.01)
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    _, err = child.communicate(timeout=120)

    assert child.returncode == 2, err.decode()
    message = " ".join(err.decode().split())
    assert "error: a worker process was killed by signal 9" in message
    assert "nothing was written. Fix: run the build again" in message
    assert "Traceback" not in message
    time.sleep(0.5)
    assert _session_members(child.pid) == [], "worker processes outlived the build"
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(("damaged", "rebuilt"), [("registry.marshal", ARTICLES + 1),
                                                  ("parts.marshal", ARTICLES)])
def test_a_damaged_cache_means_a_clean_build_of_what_it_held(
        sources: Path, tmp_path: Path, damaged: str, rebuilt: int) -> None:
    """The registry's file damaged, nothing is reused; the articles', no article is."""
    out = tmp_path / "out"
    build_dataset(sources, out)
    assert sorted(p.name for p in (out / ".cache").iterdir()) == ["parts.marshal",
                                                                 "registry.marshal"]
    cache = out / ".cache" / damaged
    cache.write_bytes(cache.read_bytes()[:100])
    again = build_dataset(sources, out)
    assert again.rebuilt == rebuilt
    build_dataset(sources, tmp_path / "clean", clean=True)
    assert same_files(out / DATASET_DIR, tmp_path / "clean" / DATASET_DIR) == []
