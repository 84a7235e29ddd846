"""The interactive HTML export: one self-contained page that works offline.

The page inlines vis-network, read at export time from the ``pyvis`` package (a dependency that
ships it as package data), so no JavaScript library is copied into this repository and the page
loads nothing from the network. Nodes are coloured by class; the page filters by class and by
source article, and a click on a node or an edge shows its evidence: each claim's quote in its
sentence, the article it comes from, and whether it is stated, inferred or disputed.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.core.vocab import SPARQL_PREFIXES
from kg.export.projection import CLASS_COLOURS, NODE_CLASSES, ExportError, edge_id
from kg.provenance.trace import EVIDENCE_PATTERN, EvidenceRecord, trace_article
from kg.rdf.emit import article_iri

if TYPE_CHECKING:
    from kg.export.property_graph import PropertyGraph
    from kg.store.store import GraphStore

#: Attributes shown in the page's own fields rather than in its attribute table.
_OWN_FIELDS = {"label", "class", "article_ids", "claims"}


def vis_network_js() -> tuple[str, Path]:
    """The newest vis-network build shipped by the installed ``pyvis``, and where it was found."""
    spec = importlib.util.find_spec("pyvis")  # found without importing pyvis (and IPython)
    locations = list(spec.submodule_search_locations or []) if spec else []
    found = [path for location in locations
             for path in Path(location).glob("lib/vis-*/vis-network.min.js")]
    if not found:
        raise ExportError("the html export needs vis-network from the pyvis package, which is "
                          "not installed. Fix: pip install -e . (pyvis is a dependency).")

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    path = max(found, key=version)
    return path.read_text(encoding="utf-8"), path


def _evidence(record: EvidenceRecord) -> dict[str, Any]:
    return {
        "article": record.article_id, "claim": record.claim_id,
        "status": "disputed" if record.disputed else record.basis, "basis": record.basis,
        "disputed": record.disputed, "dispute_reason": record.dispute_reason,
        "disputed_by": list(record.disputed_by), "rationale": record.rationale,
        "file": record.curation_file,
        "quotes": [{"exact": q.exact, "sentence": q.sentence, "start": q.span_start,
                    "end": q.span_end} for q in record.quotes],
    }


#: The articles that give at least one evidence record (the pattern of :func:`evidence_for`).
_ARTICLES = SPARQL_PREFIXES + """
SELECT DISTINCT ?article ?aid WHERE {""" + EVIDENCE_PATTERN + "}"


def _article_records(store: GraphStore) -> Iterator[list[EvidenceRecord]]:
    """The evidence records of each article that may give evidence, in the order of their keys.

    From a build's folder, every article with a shard, each read from its shard alone (see
    :meth:`GraphStore.article_part`): looked up in the whole index, each article would cost more as
    the dataset grows, and a build puts all of an article's evidence in its shard (none there, none
    at all). Otherwise the articles the evidence pattern finds in the store.
    """
    if store.folder is not None:
        for aid in sorted(store.article_ids(), key=lambda aid: aid + "/"):
            article = article_iri(aid)
            part = store.article_part(article, aid)
            yield [] if part is None else trace_article(part, article)
        return
    found = {aid.value: article for article, aid in store.select(_ARTICLES)[1]
             if isinstance(article, ox.NamedNode) and aid is not None}
    for aid in sorted(found, key=lambda aid: aid + "/"):
        yield trace_article(store, found[aid])


def page_pieces(store: GraphStore, graph: PropertyGraph) -> Iterator[str]:
    """What the page shows, as JSON written a piece at a time (items' keys sorted, no spaces).

    Node ``classes``, ``edges``, the ``evidence`` of every claim (each quote in its sentence) by
    ``article/claim`` key, the ``articles`` that give evidence, and ``nodes``. The evidence is
    read an article at a time, so that memory holds the graph and one article's evidence, never
    all of it; from a build's folder, each from the article's own shard. The articles come
    after the evidence they are read from.
    """
    listed: dict[str, dict[str, Any]] = {}

    def evidence() -> Iterator[tuple[str, dict[str, Any]]]:
        for records in _article_records(store):
            for key, record in sorted((f"{r.article_id}/{r.claim_id}", r) for r in records):
                listed.setdefault(record.article_id, {
                    "id": record.article_id, "title": record.article_title,
                    "date": record.article_date, "kind": record.article_kind})
                yield key, _evidence(record)

    counts = Counter(attrs.get("class", "") for _, attrs in graph.nodes())
    classes = [{"name": name, "colour": CLASS_COLOURS[name], "count": counts[name]}
               for name in NODE_CLASSES.values() if counts[name]]

    def item(attrs: dict[str, Any]) -> dict[str, Any]:
        return {"articles": list(attrs.get("article_ids", [])),
                "claims": list(attrs.get("claims", [])),
                "attrs": {k: v for k, v in attrs.items() if k not in _OWN_FIELDS}}

    nodes = ({"id": node, "label": attrs.get("label", node), "class": attrs.get("class", ""),
              **item(attrs)} for node, attrs in graph.nodes())
    edges = ({"id": edge_id(u, v, key), "source": u, "target": v,
              "label": attrs.get("label", key), "predicate": attrs.get("predicate", key),
              "status": attrs.get("status", "stated"), **item(attrs)}
             for u, v, key, attrs in graph.edges())
    yield '{"classes":'
    yield from _json_items(classes, "[]")
    yield ',"edges":'
    yield from _json_items(edges, "[]")
    yield ',"evidence":'
    yield from _json_items(evidence(), "{}")
    yield ',"articles":'
    yield from _json_items((listed[aid] for aid in sorted(listed)), "[]")
    yield ',"nodes":'
    yield from _json_items(nodes, "[]")
    yield "}"


def _json_items(items: Iterable[Any], brackets: str) -> Iterator[str]:
    """A JSON list (``"[]"``) or object (``"{}"``, of key and value pairs), an item at a time."""
    opening, closing = brackets[0], brackets[1]
    first = True
    for item in items:
        text = (_script_json(item) if opening == "["
                else _script_json(item[0]) + ":" + _script_json(item[1]))
        yield (opening if first else ",") + text
        first = False
    yield brackets if first else closing


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` in it)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_pieces(store: GraphStore, graph: PropertyGraph) -> Iterator[bytes]:
    """The page, with vis-network and the data inlined; the same data gives the same bytes."""
    js, path = vis_network_js()
    if "</script" in js.lower():
        raise ExportError(f"{path} contains '</script' and cannot be inlined.")
    template = resources.files("kg.export").joinpath("page.html").read_text(encoding="utf-8")
    parts: dict[str, Callable[[], Iterable[str]]] = {
        "vis": lambda: [f"/* {path.parent.name}/{path.name}, from the pyvis package */\n{js}"],
        "data": lambda: page_pieces(store, graph),
    }
    for number, piece in enumerate(re.split(r"/\*@cartkg:(\w+)@\*/", template)):
        for text in parts[piece]() if number % 2 else [piece]:
            yield text.encode("utf-8")
