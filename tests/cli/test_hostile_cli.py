"""Hostile and broken input through the command line: exit 2, a clear message, no traceback.

Every case is a regression test named after the kind of bad input; the inputs are written here
for the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI, edit

from kg.cli.main import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "build"
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 0, output
    return out


@pytest.fixture
def build_copy(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build"
    shutil.copytree(built / "dataset", copy / "dataset")
    return copy


def test_query_ask_exits_2_and_says_select_is_allowed(built: Path) -> None:
    code, out = run("query", "--data", str(built), "--sparql", "ASK { ?s ?p ?o }")
    assert code == 2
    assert "ASK queries are not run: only SELECT queries are run" in out


def test_build_with_nan_value_exits_2_naming_file_line_claim(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(MINI, sources)
    edit(sources / "articles/a1/evidence.yaml", "      value: 10\n", "      value: .nan\n")
    code, out = run("build", "--sources", str(sources), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "evidence.yaml:27 claim 'pfvc': field 'value' in outcome is not a number (NaN)" in out
    assert not (tmp_path / "out").exists()


def test_manifest_entry_outside_the_dataset_is_refused(build_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.nq"  # stands for /etc/passwd
    secret.write_text("<http://a> <http://b> <http://c> .\n", encoding="utf-8")
    manifest_path = build_copy / "dataset/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["parts"][0]["file"] = "../../secret.nq"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    for command in (["validate", str(build_copy)], ["stats", "--data", str(build_copy)],
                    ["query", "--data", str(build_copy), "--sparql",
                     "SELECT ?s WHERE { ?s ?p ?o }"]):
        code, out = run(*command)
        assert code == 2, command
        assert "'../../secret.nq', which is not a shard of the dataset" in out
