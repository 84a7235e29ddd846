"""The cartkg command, run in-process: what the user sees and the exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI, edit, run

from kg.core.workers import WorkerDied


@pytest.mark.parametrize("command", [[], ["build"], ["validate"], ["stats"], ["queries"], ["query"],
                                     ["trace"], ["evidence"], ["export"], ["synth"], ["serve"],
                                     ["publish"]])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    code, out = run(*command, "--help")
    assert code == 0
    assert "Example" in out and "cartkg" in out


def test_build_writes_the_dataset_and_prints_a_summary(tmp_path: Path) -> None:
    code, out = run("build", "--sources", str(MINI), "--out", str(tmp_path))
    assert code == 0, out
    assert "articles:    1" in out
    assert "assertions:  6" in out
    assert "cart:Outcome" in out
    assert "validation: conforms" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", "dataset"]
    assert sorted(str(p.relative_to(tmp_path / "dataset"))
                  for p in (tmp_path / "dataset").rglob("*")) == [
        "analyses.nq", "articles", "articles/a1.nq", "manifest.json", "registry.nq"]
    assert f"wrote {tmp_path / 'dataset'}" in out


def test_build_with_bad_sources_exits_2_and_writes_nothing(mini: Path, tmp_path: Path) -> None:
    edit(mini / "articles/a1/evidence.yaml", "quote: Two patients had grade-3 ICANS.",
         "quote: Three patients had grade-3 ICANS.")
    out_dir = tmp_path / "out"
    code, out = run("build", "--sources", str(mini), "--out", str(out_dir))
    assert code == 2
    assert "claim 'icans': quote not found" in out
    assert "Traceback" not in out
    assert not out_dir.exists()


def test_stats_reads_the_built_dataset(tmp_path: Path) -> None:
    run("build", "--sources", str(MINI), "--out", str(tmp_path))
    code, out = run("stats", "--data", str(tmp_path))
    assert code == 0
    assert "assertions:  6" in out


def test_stats_without_a_build_says_how_to_fix(tmp_path: Path) -> None:
    code, out = run("stats", "--data", str(tmp_path / "missing.nq"))
    assert code == 2
    assert "run `cartkg build` first" in out


def test_validate_a_built_file_conforms(tmp_path: Path) -> None:
    run("build", "--sources", str(MINI), "--out", str(tmp_path))
    code, out = run("validate", str(tmp_path))
    assert code == 0, out
    assert "validation: conforms" in out


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_worker_that_dies_is_an_error_that_says_what_to_do(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dies(*args: object, **kwargs: object) -> None:
        raise WorkerDied("a worker process was killed by signal 9 before it gave its result "
                         "(out of memory?)")

    monkeypatch.setattr("kg.build.build.build_dataset", dies)
    out = ["--out", str(tmp_path)] if command == "build" else []
    code, text = run(command, "--sources", str(MINI), *out)
    assert code == 2
    assert "error: a worker process was killed by signal 9" in text
    assert "Fix: run " in text and "--jobs 1" in text
    assert "Traceback" not in text


def test_validate_a_file_that_is_not_rdf_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("this is not N-Quads\n", encoding="utf-8")
    code, out = run("validate", str(bad))
    assert code == 2
    assert "bad.nq: not valid" in out
    assert "Traceback" not in out


def test_validate_catches_a_quote_whose_offsets_no_longer_slice_the_text(tmp_path: Path) -> None:
    run("build", "--sources", str(MINI), "--out", str(tmp_path))
    path = tmp_path / "dataset/articles/a1.nq"
    text = (MINI / "articles/a1/article.txt").read_text(encoding="utf-8")
    start = text.index("Two patients had grade-3 ICANS.")
    original = f'<http://www.w3.org/ns/oa#start> "{start}"'
    edit(path, original, f'<http://www.w3.org/ns/oa#start> "{start + 1}"')
    code, out = run("validate", str(tmp_path))
    assert code == 1
    assert f"Violation: {path}: its SHA-256 is not the one manifest.json lists" in out
    line = next(ln for ln in out.splitlines() if "Violation" in ln and "res:quote" in ln)
    assert f"res:quote/a1/{start}-" in line
    assert "claim 'icans'" in line and "evidence.yaml" in line
    assert "assertion res:assertion/a1/icans" in line


def test_validate_catches_an_article_text_that_no_longer_matches_its_sha(tmp_path: Path) -> None:
    run("build", "--sources", str(MINI), "--out", str(tmp_path))
    edit(tmp_path / "dataset/articles/a1.nq", "given to 12 patients", "given to 13 patients")
    code, out = run("validate", str(tmp_path / "dataset"))
    assert code == 1
    assert any("res:article/a1" in ln and "SHA-256" in ln for ln in out.splitlines()), out


def test_build_without_an_article_leaves_out_exactly_its_graphs(tmp_path: Path) -> None:
    code, out = run("build", "--sources", str(MINI), "--out", str(tmp_path), "--without", "a1")
    assert code == 0, out
    assert "articles:    0" in out and "assertions:  0" in out
    assert (tmp_path / "dataset/registry.nq").is_file()
    assert not (tmp_path / "dataset/articles/a1.nq").exists()


def test_build_without_an_unknown_article_is_an_error(tmp_path: Path) -> None:
    code, out = run("build", "--sources", str(MINI), "--out", str(tmp_path), "--without", "zz")
    assert code == 2 and "no article zz to leave out" in out
