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
    from kg.build import BuildResult, Stats, build_dataset, summarize
    from kg.emit import emit_dataset
    from kg.evidence import EvidenceReport, analyze_evidence
    from kg.model import Article, Claim, Corpus, Entity, Outcome, Quote
    from kg.property_graph import project_graph
    from kg.query import QueryResult, load_queries, run_query
    from kg.sources import load_sources
    from kg.store import GraphStore, read_quads, write_dataset
    from kg.trace import EvidenceRecord, resolve, trace_article, trace_entity, trace_fact
    from kg.validate import ValidationReport, Violation, validate_dataset
    from kg.yamlfile import Problem, SourceError

#: Where each public name is defined.
_MODULES = {
    "kg.build": ("BuildResult", "Stats", "build_dataset", "summarize"),
    "kg.emit": ("emit_dataset",),
    "kg.evidence": ("EvidenceReport", "analyze_evidence"),
    "kg.model": ("Article", "Claim", "Corpus", "Entity", "Outcome", "Quote"),
    "kg.property_graph": ("project_graph",),
    "kg.query": ("QueryResult", "load_queries", "run_query"),
    "kg.sources": ("load_sources",),
    "kg.store": ("GraphStore", "read_quads", "write_dataset"),
    "kg.trace": ("EvidenceRecord", "resolve", "trace_article", "trace_entity", "trace_fact"),
    "kg.validate": ("ValidationReport", "Violation", "validate_dataset"),
    "kg.yamlfile": ("Problem", "SourceError"),
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
