"""Hostile and broken input through the command line: exit 2, a clear message, no traceback.

Every case is a regression test named after the kind of bad input; the inputs are written here
for the test.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import MINI, edit, run


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


def test_validate_a_shard_that_lost_a_line_does_not_conform(build_copy: Path) -> None:
    shard = build_copy / "dataset/articles/a1.nq"
    lines = shard.read_bytes().splitlines(keepends=True)
    shard.write_bytes(b"".join(lines[:-1]))  # the last quad is gone: what remains is valid
    code, out = run("validate", str(build_copy))
    assert code == 1
    assert f"Violation: {shard}: its SHA-256 is not the one manifest.json lists" in out
    assert "the dataset does not match its manifest: 1 problem(s)" in out


def test_validate_an_analyses_graph_edited_after_the_build_does_not_conform(
        build_copy: Path, tmp_path: Path) -> None:
    # one derived count changed in a copy of the dataset as one file: the manifest cannot tell
    quads = [line for shard in sorted((build_copy / "dataset").rglob("*.nq"))
             for line in shard.read_text(encoding="utf-8").splitlines()]
    changed = next(i for i, line in enumerate(quads) if "#articleCount>" in line)
    quads[changed] = quads[changed].replace('"2"^^', '"3"^^').replace('"1"^^', '"3"^^')
    edited = tmp_path / "edited.nq"
    edited.write_text("\n".join(quads) + "\n", encoding="utf-8")
    code, out = run("validate", str(edited))
    assert code == 1
    assert "Violation: the analyses graph <https://w3id.org/cart-kg/graph/analyses> is not the " \
           "one the claims give (1 quad(s) not derived from them, 1 missing)" in out


def test_validate_a_manifest_that_omits_a_shard_does_not_conform(build_copy: Path) -> None:
    manifest_path = build_copy / "dataset/manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["parts"] = [p for p in manifest["parts"] if p["file"] != "articles/a1.nq"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    code, out = run("validate", str(build_copy))
    assert code == 1
    assert "articles/a1.nq: not listed in manifest.json" in out


def test_validate_a_manifest_naming_a_missing_shard_exits_2(build_copy: Path) -> None:
    (build_copy / "dataset/articles/a1.nq").unlink()
    code, out = run("validate", str(build_copy))
    assert code == 2
    assert "shard(s) listed in manifest.json are missing, e.g. articles/a1.nq" in out


def test_query_a_shard_that_lost_a_line_is_an_error_not_an_answer(build_copy: Path) -> None:
    shard = build_copy / "dataset/registry.nq"
    shard.write_bytes(b"".join(shard.read_bytes().splitlines(keepends=True)[1:]))
    code, out = run("query", "--data", str(build_copy), "--sparql",
                    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    assert code == 2
    assert "registry.nq: not the shard its manifest lists" in out


# Each empty input: the file name and its content.
EMPTY_INPUTS = [
    pytest.param("empty.nq", "", id="empty-nquads"),
    pytest.param("comments.ttl", "# nothing here\n", id="turtle-with-only-a-comment"),
    pytest.param("prefixes.trig", "@prefix ex: <http://example.org/> .\n", id="trig-prefix-only"),
]


@pytest.mark.parametrize(("name", "content"), EMPTY_INPUTS)
def test_validate_an_input_with_no_triples_is_an_error(
        tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out = run("validate", str(path))
    assert code == 2
    assert f"{path} holds no triples" in out
    assert "conforms" not in out


def test_trig_with_blank_nodes_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "edited.trig"
    path.write_text("@prefix ex: <http://example.org/> .\n"
                    "ex:g {\n"
                    "  ex:a ex:b ex:c .\n"
                    "  ex:a ex:d _:anon .\n"
                    "}\n", encoding="utf-8")
    code, out = run("validate", str(path))
    assert code == 2
    assert f"{path}:4: a blank node (_:anon)" in out
    assert "Fix: give the node an IRI" in out


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_xml_export_is_well_formed_whatever_the_labels_hold(
        built: Path, tmp_path: Path, fmt: str) -> None:
    from xml.etree import ElementTree

    data = tmp_path / "edited.nq"  # a dataset edited by hand: a label with control characters
    nquads = b"".join(p.read_bytes() for p in sorted((built / "dataset").rglob("*.nq")))
    assert b'"testabtagene autoleucel"' in nquads
    data.write_bytes(nquads.replace(b'"testabtagene autoleucel"',
                                    b'"testabtagene\\u0007auto\\u0000leucel\\uFFFE"'))
    out = tmp_path / f"graph.{fmt}"
    code, output = run("export", "--format", fmt, "--data", str(data), "-o", str(out))
    assert code == 0, output
    text = ElementTree.parse(out).getroot()  # raises if not well-formed
    assert any("testabtagene\ufffdauto\ufffdleucel\ufffd" in (e.text or "") + str(e.attrib)
               for e in text.iter())


def test_build_with_an_article_folder_named_with_a_space_exits_2(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(MINI, sources)
    (sources / "articles/a1").rename(sources / "articles/a 1")
    code, out = run("build", "--sources", str(sources), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "'a 1' is not a valid article id" in out
    assert not (tmp_path / "out").exists()


def test_validate_a_pipe_is_refused_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "data.nq"
    os.mkfifo(pipe)  # reading it would wait for a writer forever
    code, out = run("validate", str(pipe))
    assert code == 2
    assert f"{pipe}: not a regular file (a pipe or a device)" in out


def test_query_file_that_is_a_pipe_is_refused_not_read(built: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "q.rq"
    os.mkfifo(pipe)
    code, out = run("query", "--data", str(built), "--file", str(pipe))
    assert code == 2
    assert f"{pipe}: not a regular file" in out
