from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.build.build import build_dataset
from kg.build.summary import BuildResult
from kg.synth.corpus import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
EVIDENCE = DATA / "evidence"
SOURCES = ROOT / "sources"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test corpus, as ``<tmp>/sources``."""
    target = tmp_path / "sources"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def evidence(tmp_path: Path) -> Path:
    """A writable copy of the evidence test corpus (an abstract written for the tests)."""
    target = tmp_path / "sources"
    shutil.copytree(EVIDENCE, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be present) by ``new`` in a text file."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


Editor = Callable[[Path], None]


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic corpus of 30 articles, built to disk: every kind of claim, outcome, plan,
    dispute; registry entities described in the registry's shard and named by articles'."""
    root = tmp_path_factory.mktemp("synthetic")
    generate_corpus(root / "sources", 30, seed=0)
    build_dataset(root / "sources", root / "build")
    return root / "build"


@pytest.fixture(scope="session")
def real_build() -> BuildResult:
    """The graph built from the project's real ``sources/`` (not written to disk)."""
    return build_dataset(SOURCES, out=None)
