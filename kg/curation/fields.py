"""Field-by-field checks of a curation mapping, each failure recorded as a :class:`Problem`."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.core.checks import number_problem, text_problem
from kg.core.model import Entity
from kg.curation.fields_spec import NON_EMPTY, VALUE_CHECKS
from kg.curation.spelling import close_spelling
from kg.curation.yamlfile import Node, Problem

_TYPE_NAMES = {str: "a text", int: "a whole number", list: "a list", dict: "a mapping",
               bool: "true or false",
               object: "a value"}


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple):
        return "a number"
    return _TYPE_NAMES.get(expected, str(expected))


def _is(value: Any, expected: Any) -> bool:
    if expected is object:
        return True
    if isinstance(value, bool):
        return expected is bool
    return isinstance(value, expected)


def _shown(value: Any) -> str:
    """A value as a problem quotes it: its repr, cut to 80 characters."""
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 200 \
        else f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    return text if len(text) <= 80 else f"{text[:77]}..."


class FieldReader:
    """Check the fields of the mappings of one file (and, optionally, one claim)."""

    def __init__(self, file: str, problems: list[Problem], claim: str | None = None) -> None:
        self.file = file
        self.problems = problems
        self.claim = claim

    def add(self, line: int | None, message: str, fix: str = "") -> None:
        """Record a problem at ``line``."""
        self.problems.append(Problem(self.file, line, message, fix, self.claim))

    def check_fields(self, node: Any, line: int, fields: Mapping[str, Any], required: set[str],
                     what: str) -> bool:
        """Check that ``node`` is a mapping with known fields of the right types.

        Returns False (after recording why) when the mapping cannot be used.
        """
        if not isinstance(node, Node):
            self.add(line, f"{what} must be a mapping of fields, not {type(node).__name__}.",
                     "see docs/curation.md for the fields.")
            return False
        ok = True
        for name in node:
            if name not in fields:
                self._unknown_field(node, name, fields, what)
                ok = False
        for name in sorted(required):
            if node.get(name) is None:
                self.add(node.line, f"missing required field '{name}' in {what}.",
                         f"add '{name}:' (see docs/curation.md).")
                ok = False
        for name, expected in fields.items():
            value = node.get(name)
            if value is not None and not _is(value, expected):
                self.add(node.line_of(name), f"field '{name}' in {what} must be "
                         f"{_type_name(expected)}, not {_shown(value)}.", "correct its value.")
                ok = False
            elif name in node and not (value is None and name in required) \
                    and not self._value_ok(node, name, expected, what):
                ok = False
        return ok

    def _value_ok(self, node: Node, name: str, expected: Any, what: str) -> bool:
        """The boundary checks of one present field (see :mod:`kg.core.checks`).

        A list or mapping field given without a value, a list that must not be empty and is, a
        number that is NaN, infinite or absurd, a text with a control character, and a value that
        fails its field's own check (a ``url``) are each recorded.
        """
        value, line = node[name], node.line_of(name)
        if value is None and expected in (list, dict):
            self.add(line, f"field '{name}' in {what} has no value.",
                     f"give it {_type_name(expected)}, or remove the line '{name}:'.")
            return False
        if name in NON_EMPTY and isinstance(value, (list, dict)) and not value:
            self.add(line, f"field '{name}' in {what} is empty: nothing would be recorded.",
                     f"give at least one item, or remove the line '{name}:' "
                     "(and the claim, if it has nothing to say).")
            return False
        problem = number_problem(value) or text_problem(value)
        check = VALUE_CHECKS.get(name)
        if problem is None and check is not None and value is not None:
            problem = check(value)
        if problem is not None:
            self.add(line, f"field '{name}' in {what} {problem}: {_shown(value)}.",
                     "correct the value against the quote or the source.")
            return False
        return True
    def _unknown_field(self, node: Node, name: str, fields: Mapping[str, Any], what: str) -> None:
        close = close_spelling(name, fields)
        if close is None and node[name] is None and (" " in name or not name.isidentifier()):
            # "text: a median of 20 months (range, 14-31)" in a {flow mapping}: YAML split the
            # value at ", " and read its rest as a field with no value.
            self.add(node.line_of(name), f"'{name}' in {what} reads as a field with no value: "
                     "YAML split a value that contains ', ' or ': '.",
                     "put this value in double quotes, e.g. text: \"a median of 20 months "
                     "(range, 14-31)\".")
            return
        hint = f"did you mean '{close}'?" if close else ""
        self.add(node.line_of(name), f"unknown field '{name}' in {what}.",
                 f"{hint} Allowed fields: {', '.join(fields)}.".strip())

    def choice(self, node: Node, field: str, options: Mapping[str, Any]) -> str | None:
        """Return the field's value if it is one of ``options``, else record a problem."""
        value = node.get(field)
        if value is None:
            return None
        if value not in options:
            close = close_spelling(str(value), options)
            hint = f"did you mean '{close}'? " if close else ""
            self.add(node.line_of(field), f"'{value}' is not a valid {field}.",
                     f"{hint}Use one of: {', '.join(options)}.")
            return None
        return str(value)

    def strings(self, node: Node, field: str) -> tuple[str, ...]:
        """Return a list-of-texts field as a tuple."""
        value = node.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(node.line_of(field), f"field '{field}' must be a list of texts.",
                     f"write it as {field}: [first, second].")
            return ()
        for item in value:
            problem = text_problem(item)
            if problem is not None:
                self.add(node.line_of(field), f"an item of '{field}' {problem}: {_shown(item)}.",
                         "remove the control character.")
                return ()
        return tuple(value)

    def count(self, node: Node, field: str) -> int | None:
        """Return a non-negative whole number field."""
        value = node.get(field)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(node.line_of(field), f"{field} must be a whole number, not {value!r}.",
                     "write a whole number.")
            return None
        if value < 0:
            self.add(node.line_of(field), f"{field} cannot be negative ({value}).",
                     "a count is 0 or more: check it against the quote.")
            return None
        return value


def relative(path: Path, root: Path) -> str:
    """A path as shown in a problem: from the sources folder's parent, else as given."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


class EntityRef:
    """Resolve registry keys, suggesting close matches for unknown ones."""

    def __init__(self, entities: dict[str, Entity], reader: FieldReader) -> None:
        self.entities = entities
        self.reader = reader

    def __call__(self, key: Any, line: int, kinds: tuple[str, ...], role: str) -> str | None:
        """The key, if it names an entity of one of ``kinds``; else a problem is recorded."""
        if not isinstance(key, str):
            self.reader.add(line, f"{role} must be an entity key, not {key!r}.",
                            "write the registry key, e.g. 'rese-cel'.")
            return None
        entity = self.entities.get(key)
        if entity is None:
            self.reader.add(line, f"unknown entity key '{key}' for {role}.", self._suggest(key))
            return None
        if kinds and entity.kind not in kinds:
            self.reader.add(line, f"{role} must be one of {', '.join(kinds)}, but '{key}' is in "
                            f"{entity.kind}.", "use an entity of the right kind.")
            return None
        return key

    def _suggest(self, key: str) -> str:
        names = {k: k for k in self.entities}
        for entity in self.entities.values():
            for name in (entity.label, *entity.synonyms):
                names.setdefault(name.lower(), entity.key)
        close = difflib.get_close_matches(key.lower(), list(names), n=5, cutoff=0.6)
        keys = list(dict.fromkeys(names[c] for c in close))
        if keys:
            return f"did you mean {', '.join(repr(k) for k in keys)}?"
        return "add the entity to sources/registry/ first, or use an existing key."

    def many(self, node: Node, field: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """Every key of a field that holds one key or a list of them."""
        raw = node.get(field)
        values = raw if isinstance(raw, list) else [raw]
        found = [self(v, node.line_of(field), kinds, field) for v in values]
        return tuple(v for v in found if v is not None)
