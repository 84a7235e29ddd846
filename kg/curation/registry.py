"""The entity registry: ``sources/registry/*.yaml``, one canonical entity per key."""

from __future__ import annotations

from pathlib import Path

from kg.core import vocab
from kg.core.curie import is_external
from kg.core.model import (
    Entity,
)
from kg.curation.fields import FieldReader, relative
from kg.curation.fields_spec import ENTITY_FIELDS, KEY_RE
from kg.curation.yamlfile import Node, Problem, SourceError, read_yaml


def read_registry(root: Path, problems: list[Problem]) -> dict[str, Entity]:
    """Every registry entity by key; each problem is recorded, none raised."""
    entities: dict[str, Entity] = {}
    folder = root / "registry"
    known = {f"{name}.yaml" for name in vocab.ENTITY_KINDS}
    for path in sorted(folder.iterdir()):
        if path.name not in known:
            problems.append(Problem(
                relative(path, root), None, "is not a registry kind.",
                f"name registry files after a kind: {', '.join(sorted(known))}."))
    for kind in vocab.ENTITY_KINDS:
        path = folder / f"{kind}.yaml"
        if not path.exists():
            continue
        shown = relative(path, root)
        try:
            data = read_yaml(path, shown)
        except SourceError as err:
            problems.extend(err.problems)
            continue
        if data is None:
            continue
        if not isinstance(data, Node):
            problems.append(Problem(shown, 1, "must be a mapping from entity key to entry.",
                                    "see docs/curation.md."))
            continue
        for key, entry in data.items():
            line = data.line_of(key)
            reader = FieldReader(shown, problems)
            if not KEY_RE.match(key):
                reader.add(line, f"entity key '{key}' is not lowercase a-z, 0-9 and '-'.",
                           "rename the key, e.g. 'rese-cel'.")
                continue
            if key in entities:
                reader.add(line, f"entity key '{key}' is also defined in {entities[key].file}.",
                           "keys are unique across all registry files: rename one.")
                continue
            if not reader.check_fields(entry, line, ENTITY_FIELDS, {"label", "definition"},
                                       f"entity '{key}'"):
                continue
            category = reader.choice(entry, "default_category", vocab.OUTCOME_CATEGORIES)
            if kind == "measures" and category is None:
                reader.add(entry.line_of("default_category"),
                           f"measure '{key}' needs default_category.",
                           f"add one of: {', '.join(vocab.OUTCOME_CATEGORIES)}.")
            entities[key] = Entity(
                key=key, kind=kind, label=entry["label"], definition=entry["definition"],
                synonyms=reader.strings(entry, "synonyms"),
                exact_match=_curies(reader, entry, "exact_match"),
                unverified_match=_curies(reader, entry, "unverified_match"),
                close_match=_curies(reader, entry, "close_match"),
                broad_match=_curies(reader, entry, "broad_match"),
                broader=reader.strings(entry, "broader"),
                note=entry.get("note"), default_category=category, file=shown,
            )
    return entities


def _curies(reader: FieldReader, entry: Node, field: str) -> tuple[str, ...]:
    values = reader.strings(entry, field)
    for value in values:
        if not is_external(value):
            reader.add(entry.line_of(field), f"'{value}' in {field} is not a known CURIE.",
                       f"write PREFIX:ID with a prefix among {', '.join(vocab.EXTERNAL_PREFIXES)}.")
    return values
