"""The analyses of a dataset given as quads: derived again, and checked against those it holds.

The build derives the analyses part by part (:mod:`kg.build.analyses`); here the same summaries
are read from quads, for quads changed after a build (tests) and for ``cartkg validate FILE``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.build.analyses import ANALYSES, derive_quads
from kg.build.analysis_inputs import pack, read_inputs, read_registry, registry_entities


def analyses_of(quads: Iterable[ox.Quad]) -> tuple[ox.Quad, ...]:
    """The analyses graph of a whole dataset's quads (its own analyses graph left out).

    The build derives it part by part (:func:`kg.build.analyses.derive` over the summaries);
    this reads the same summaries from a dataset given as quads: tests and checks use it.
    """
    quads = [q for q in quads if q.graph_name != ANALYSES]
    entities = registry_entities(quads)
    return derive_quads([pack(read_inputs(quads, entities.__contains__))],
                        pack(read_registry(quads)))


def refresh_analyses(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with their analyses graph derived anew (for quads changed after a build)."""
    kept = [q for q in quads if q.graph_name != ANALYSES]
    return [*kept, *analyses_of(kept)]


def analyses_mismatch(quads: Iterable[ox.Quad]) -> str | None:
    """Why a dataset's analyses graph is not the one its claims give, or None when it is."""
    quads = list(quads)
    held = {q for q in quads if q.graph_name == ANALYSES}
    wanted = set(analyses_of(quads))
    if held == wanted:
        return None
    return (f"the analyses graph <{ANALYSES.value}> is not the one the claims give "
            f"({len(held - wanted)} quad(s) not derived from them, {len(wanted - held)} missing): "
            "it was edited, or the claims were, after the build.")
