"""The public Python API: a small surface exported from ``kg``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import MINI

import kg


def test_public_names_are_importable() -> None:
    for name in kg.__all__:
        assert hasattr(kg, name), name


def test_the_pipeline_runs_from_the_api(tmp_path: Path) -> None:
    result = kg.build_dataset(MINI, out=tmp_path)
    assert result.report.conforms
    store = kg.GraphStore.from_quads(result.quads)
    records = kg.trace_entity(store, kg.resolve(store, "TX-1"))
    assert {r.claim_id for r in records} == {"trial-phase", "cohort", "pfvc", "icans", "plan"}
    graph = kg.project_graph(store)
    assert graph.number_of_nodes() > 0


def test_every_public_name_has_its_module_and_loads_only_when_used() -> None:
    assert sorted(kg._HOME) == sorted(kg.__all__)
    code = ("import sys, kg.build.build; "
            "print(sorted(m for m in ('kg.query.run', 'kg.provenance.trace', "
            "'kg.export.projection', 'kg.provenance.evidence')"
            " if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", "building should not import the query and export code"
