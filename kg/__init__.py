"""cart-kg: a knowledge graph of the clinical evidence for CAR T-cell therapy in autoimmune disease.

The public API follows the pipeline: ``load_sources`` -> ``emit_dataset`` -> ``validate_dataset``
-> ``GraphStore``; ``build_dataset`` runs it all.
"""

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
