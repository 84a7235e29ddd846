from __future__ import annotations

import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import Server, start_oxigraph, start_virtuoso

from kg.build.build import build_dataset
from kg.build.summary import BuildResult
from kg.cli.main import main
from kg.curation.sources import load_sources
from kg.curation.yamlfile import SourceError
from kg.synth.corpus import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"
EVIDENCE = DATA / "evidence"
#: a sources folder with a real ClinicalTrials.gov record and a test article about its trial
CTGOV = DATA / "ctgov"
RECORD = CTGOV / "registry-records" / "NCT00791778.json"
SOURCES = ROOT / "sources"


@pytest.fixture(autouse=True, scope="session")
def signals_as_on_a_terminal() -> None:
    """Ctrl-C, SIGHUP and SIGTERM act as they do for a command started on a terminal.

    A test run started in the background (``nohup``, ``&`` in a script) inherits SIGINT and
    SIGHUP ignored, which the commands rightly keep; the tests that send these signals need the
    defaults, in this process and in the commands it starts.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test corpus, as ``<tmp>/sources``."""
    target = tmp_path / "sources"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def ctgov(tmp_path: Path) -> Path:
    """A writable copy of the sources with a registry record (see tests/data/ctgov/README.md)."""
    target = tmp_path / "sources"
    shutil.copytree(CTGOV, target)
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


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's real sources built to disk (a build folder), for publishing and serving."""
    out = tmp_path_factory.mktemp("seed") / "build"
    build_dataset(SOURCES, out)
    return out


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The Oxigraph server on loopback, on an empty store; its default graph is the union."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Virtuoso 7 on loopback, on a new database, with no row cap and no time limit."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def run(*args: str) -> tuple[int, str]:
    """Run ``cartkg ARGS`` in-process: its exit code and what it printed (no traceback allowed)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini sources built once per test module, by the CLI."""
    out = tmp_path_factory.mktemp("built") / "build"
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 0, output
    return out


def assert_refused(sources: Path, expected: list[str]) -> None:
    """Loading ``sources`` fails with every part of ``expected`` in the message, and a fix."""
    with pytest.raises(SourceError) as err:
        load_sources(sources)
    message = str(err.value)
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"
    assert "Fix:" in message
