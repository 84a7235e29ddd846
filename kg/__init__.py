"""cart-kg: a knowledge graph of the clinical evidence for CAR T-cell therapy in autoimmune disease.

The public API follows the pipeline: ``load_sources`` -> ``emit_dataset`` -> ``validate_dataset``
-> ``GraphStore``; ``build_dataset`` runs it all.
"""

from kg.build import BuildResult, Stats, build_dataset, summarize
from kg.emit import emit_dataset
from kg.model import Article, Claim, Corpus, Entity, Outcome, Quote
from kg.sources import load_sources
from kg.store import GraphStore, read_quads, write_dataset
from kg.validate import ValidationReport, Violation, validate_dataset
from kg.yamlfile import Problem, SourceError

__all__ = [
    "Article",
    "BuildResult",
    "Claim",
    "Corpus",
    "Entity",
    "GraphStore",
    "Outcome",
    "Problem",
    "Quote",
    "SourceError",
    "Stats",
    "ValidationReport",
    "Violation",
    "build_dataset",
    "emit_dataset",
    "load_sources",
    "read_quads",
    "summarize",
    "validate_dataset",
    "write_dataset",
]
