"""The package shows the pipeline: one subpackage per stage, imports pointing one way.

``core < curation < rdf < validation < store < build < query < provenance < export < cli``: a
module may import from its own stage and the stages before it, never after. ``synth`` is tooling:
it imports only ``core``, and only ``cli`` imports it. No module passes 400 lines, and the tests
mirror the packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

STAGES = ("core", "curation", "rdf", "validation", "store", "build", "query", "provenance",
          "export", "cli")
TOOLING = {"synth": {"core"}}
PACKAGE = ROOT / "kg"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if not {"ontology", "queries"} & set(p.parts))


def _stage(module: str) -> str:
    """The stage of a dotted ``kg`` module name: ``kg.store.index`` -> ``store``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``kg`` module a file imports (at any depth of the file), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("kg")]
    return found


def _allowed(importer: str, imported: str) -> bool:
    if importer == "" or imported in ("", importer):
        return True
    if importer in TOOLING:
        return imported in TOOLING[importer]
    if imported in TOOLING:
        return importer == "cli"
    return STAGES.index(imported) <= STAGES.index(importer)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    # kg/__init__.py (the public API) and kg/__main__.py sit on top of every stage
    importer = "" if path.parent == PACKAGE else path.relative_to(PACKAGE).parts[0]
    upward = [f"line {line}: {module}" for line, module in _imports(path)
              if not _allowed(importer, _stage(module))]
    assert not upward, f"{path.relative_to(ROOT)} imports a later stage: {upward}"


@pytest.mark.parametrize(("importer", "imported", "allowed"), [
    ("query", "store", True),  # a later stage uses an earlier one
    ("store", "query", False),  # an upward import
    ("core", "cli", False),  # nothing imports the CLI
    ("cli", "synth", True),  # the CLI runs the tooling
    ("export", "synth", False),  # the product never imports the tooling
    ("synth", "core", True),
    ("synth", "rdf", False),
    ("", "cli", True),  # kg/__main__.py runs the CLI
])
def test_the_rule_itself(importer: str, imported: str, allowed: bool) -> None:
    assert _allowed(importer, imported) is allowed


def test_every_stage_is_a_package_and_nothing_else_sits_beside_them() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == {*STAGES, *TOOLING}
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose == {"__init__.py", "__main__.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_passes_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_the_tests_mirror_the_packages() -> None:
    folders = {p.name for p in (ROOT / "tests").iterdir()
               if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= {*STAGES, *TOOLING}
    assert {"core", "curation", "rdf", "validation", "store", "build", "query", "provenance",
            "export", "cli"} <= folders
