"""The one CURIE converter, built with the ``curies`` library.

The project's prefixes (:data:`kg.core.vocab.PREFIXES`) through the field's standard library for
turning IRIs into CURIEs and back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

import curies

from kg.core.vocab import EXTERNAL_PREFIXES, PREFIXES

#: A CURIE's shape: a prefix, a colon and a local part with no space and none of the characters
#: an IRI cannot hold (``<>"{}|\^```` and controls), so that every CURIE expands to a valid IRI.
CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_.-]*):([^\x00-\x20<>\"{}|\\^`\x7f]+)$")


def converter(prefixes: Mapping[str, str]) -> curies.Converter:
    """A converter for a prefix map (a CURIE's prefix -> the namespace it stands for)."""
    return curies.Converter.from_prefix_map(dict(prefixes))


CONVERTER = converter(PREFIXES)


@functools.lru_cache(maxsize=8192)
def compact(iri: str) -> str:
    """Write ``iri`` as a CURIE when a known prefix covers it (the longest wins), else ``<iri>``.

    An export compacts the same IRIs again and again (the predicates, the entities), so the last
    ones are kept.
    """
    short = CONVERTER.compress(iri)
    return short if short is not None else f"<{iri}>"


def shortest(iri: str) -> str:
    """``iri`` as a CURIE when a known prefix covers it, else the IRI itself."""
    short = CONVERTER.compress(iri)
    return short if short is not None else iri


def expand(name: str) -> str | None:
    """The IRI of a CURIE with a known prefix, or None."""
    if not CURIE_RE.match(name):
        return None
    return CONVERTER.expand(name)


def is_external(name: str) -> bool:
    """Whether ``name`` is a CURIE of an external authority (MONDO, NCT, ...)."""
    match = CURIE_RE.match(name)
    return match is not None and match.group(1) in EXTERNAL_PREFIXES
