"""YAML writers for the synthetic corpus: registry, ``article.yaml`` and ``evidence.yaml`` text.

A small writer of its own rather than a YAML library's, so that the files look like the
hand-curated ones (flow lists for facts, one-line timepoints) and the bytes are stable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from kg.synth.sentences import Claim
from kg.synth.world import Entry

# Strings written without quotes: they start with a letter and hold nothing YAML reads specially
# (inside [flow] collections, no spaces or commas either).
_YAML_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ,./()%'’-]*[A-Za-z0-9.)%]$|^[A-Za-z]$")
_YAML_FLOW_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9./-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value: Any, flow: bool = False) -> str:
    """A scalar, plain if YAML reads it back as the same string, else JSON-quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    plain = (_YAML_FLOW_PLAIN if flow else _YAML_PLAIN).match(text)
    if plain and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Sequence[Any]) -> str:
    """A ``[flow]`` sequence of scalars."""
    return "[" + ", ".join(_scalar(i, flow=True) for i in items) + "]"


def _mapping(data: dict[str, Any], indent: int) -> list[str]:
    """The lines of a block mapping, in the layout of the hand-written files."""
    pad = " " * indent
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            if key in ("timepoint", "follow_up", "onset", "resolution"):
                inner = ", ".join(f"{k}: {_scalar(v, flow=True)}" for k, v in value.items())
                lines.append(f"{pad}{key}: {{{inner}}}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(_mapping(value, indent + 2))
        elif isinstance(value, list):
            if value and all(isinstance(v, list) for v in value):
                lines.append(f"{pad}{key}:")
                lines.extend(f"{pad}  - {_flow(v)}" for v in value)
            elif len(value) > 1 and key == "quote":
                lines.append(f"{pad}{key}:")
                lines.extend(f"{pad}  - {_scalar(v)}" for v in value)
            else:
                lines.append(f"{pad}{key}: {_flow(value)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def registry_yaml(kind: str, entries: list[Entry]) -> str:
    """The text of ``registry/<kind>.yaml``: the entries, sorted by key."""
    lines = [f"# Synthetic {kind} (cartkg synth): invented entries for tests and benchmarks.", ""]
    for entry in sorted(entries, key=lambda e: e.key):
        data: dict[str, Any] = {"label": entry.label}
        if entry.synonyms:
            data["synonyms"] = entry.synonyms
        data["definition"] = entry.definition
        if entry.exact_match:
            data["exact_match"] = entry.exact_match
        if entry.unverified_match:
            data["unverified_match"] = entry.unverified_match
        if entry.default_category:
            data["default_category"] = entry.default_category
        lines.append(f"{entry.key}:")
        lines.extend(_mapping(data, 2))
        lines.append("")
    return "\n".join(lines)


def evidence_yaml(article_id: str, claims: list[tuple[str, Claim]]) -> str:
    """The text of an article's ``evidence.yaml``: its claims, in order."""
    lines = [f"# Synthetic evidence for article {article_id} (cartkg synth); not real data.", "",
             "claims:"]
    for claim_id, claim in claims:
        data: dict[str, Any] = {"quote": claim.quotes[0] if len(claim.quotes) == 1
                                else claim.quotes}
        if claim.basis != "stated":
            data["basis"] = claim.basis
            data["rationale"] = claim.rationale
        if claim.disputed is not None:
            data["disputed"] = claim.disputed
        data[claim.body] = claim.value
        lines.append(f"  - id: {claim_id}")
        lines.extend(_mapping(data, 4))
        lines.append("")
    return "\n".join(lines)


def meta_yaml(meta: dict[str, Any]) -> str:
    """The text of an article's ``article.yaml``."""
    return "\n".join(_mapping(meta, 0)) + "\n"
