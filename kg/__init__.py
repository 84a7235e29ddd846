"""cart-kg: a knowledge graph of the clinical evidence for CAR T-cell therapy in autoimmune disease.

The public API follows the pipeline: ``load_sources`` -> ``emit_dataset`` -> ``validate_dataset``
-> ``GraphStore``; ``build_dataset`` runs it all.

Each name is imported from its module on first use (PEP 562), so that ``cartkg build`` does not
import the query, trace and export code (a tenth of a second at every rebuild).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.build.build import build_dataset
    from kg.build.summary import BuildResult, Stats, summarize
    from kg.core.model import Article, Claim, Corpus, Entity, Outcome, Quote
    from kg.curation.sources import load_sources
    from kg.curation.yamlfile import Problem, SourceError
    from kg.export.projection import project_graph
    from kg.provenance.evidence import EvidenceReport, analyze_evidence
    from kg.provenance.trace import EvidenceRecord, trace_article, trace_entity, trace_fact
    from kg.query.library import load_queries
    from kg.query.resolve import resolve
    from kg.query.run import QueryResult, run_query
    from kg.rdf.emit import emit_dataset
    from kg.store.files import write_dataset
    from kg.store.store import GraphStore, read_quads
    from kg.validation.validate import ValidationReport, Violation, validate_dataset

#: Where each public name is defined, in the order of the pipeline.
_MODULES = {
    "kg.core.model": ("Article", "Claim", "Corpus", "Entity", "Outcome", "Quote"),
    "kg.curation.sources": ("load_sources",),
    "kg.curation.yamlfile": ("Problem", "SourceError"),
    "kg.rdf.emit": ("emit_dataset",),
    "kg.validation.validate": ("ValidationReport", "Violation", "validate_dataset"),
    "kg.store.store": ("GraphStore", "read_quads"),
    "kg.store.files": ("write_dataset",),
    "kg.build.build": ("build_dataset",),
    "kg.build.summary": ("BuildResult", "Stats", "summarize"),
    "kg.query.library": ("load_queries",),
    "kg.query.run": ("QueryResult", "run_query"),
    "kg.query.resolve": ("resolve",),
    "kg.provenance.trace": ("EvidenceRecord", "trace_article", "trace_entity", "trace_fact"),
    "kg.provenance.evidence": ("EvidenceReport", "analyze_evidence"),
    "kg.export.projection": ("project_graph",),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "Article",
    "BuildResult",
    "Claim",
    "Corpus",
    "Entity",
    "EvidenceRecord",
    "EvidenceReport",
    "GraphStore",
    "Outcome",
    "Problem",
    "QueryResult",
    "Quote",
    "SourceError",
    "Stats",
    "ValidationReport",
    "Violation",
    "analyze_evidence",
    "build_dataset",
    "emit_dataset",
    "load_queries",
    "load_sources",
    "project_graph",
    "read_quads",
    "resolve",
    "run_query",
    "summarize",
    "trace_article",
    "trace_entity",
    "trace_fact",
    "validate_dataset",
    "write_dataset",
]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
