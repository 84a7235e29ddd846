"""Reading values out of a registry record, each with its JSON Pointer and its text.

:class:`RecordReader` reads the record's modules (:mod:`kg.curation.record_protocol`,
:mod:`kg.curation.record_results`): every value it returns names its field, and every scalar of
an object that no rule reads is kept as a ``recordValue`` (:meth:`RecordReader.rest`), so nothing
is dropped silently. Numbers the registry gives as strings are read as decimals; "NA" and other
text stay text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.core.record_model import RecordField, Statement, Value, pointer, value_text

Path = tuple[str | int, ...]

_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
#: A p-value as the registry writes it: "0.034", "<0.001", "<= 0.05", "> 0.99".
_P_VALUE = re.compile(r"^\s*(<=|>=|<|>|=)?\s*([0-9.]+(?:[eE][-+]?\d+)?)\s*$")


def number(text: str) -> Decimal | None:
    """A decimal from a number or numeric string; None for "NA" and other text."""
    if not _NUMBER.match(text.strip()):
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def decimal_text(value: Decimal) -> str:
    """A decimal in canonical form (``10``, ``13.5``)."""
    return format(value.normalize(), "f")


def p_value(text: str) -> tuple[str | None, Decimal | None]:
    """The relation and the number of a p-value as written ("<0.001" -> ("<", 0.001))."""
    match = _P_VALUE.match(text)
    if match is None:
        return None, None
    value = number(match.group(2))
    return (match.group(1) or "=") if value is not None else None, value


class RecordReader:
    """Values of one record, read from a parsed v2 study (``document``)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def get(self, path: Path) -> Any:
        """The value at ``path``, or None when any step of it is missing."""
        value: Any = self.document
        for token in path:
            if isinstance(token, int):
                value = value[token] if isinstance(value, list) and token < len(value) else None
            else:
                value = value.get(token) if isinstance(value, dict) else None
            if value is None:
                return None
        return value

    def field(self, path: Path) -> RecordField | None:
        """The field at ``path`` (its pointer and text), or None when it is absent."""
        value = self.get(path)
        return None if value is None else RecordField(pointer(*path), value_text(value))

    def items(self, path: Path) -> Iterator[tuple[int, Path]]:
        """The index and path of each element of the list at ``path`` (none when absent)."""
        value = self.get(path)
        for index in range(len(value) if isinstance(value, list) else 0):
            yield index, (*path, index)

    def value(self, prop: str, path: Path, kind: str = "string") -> list[Value]:
        """The value at ``path`` as ``prop`` (none when absent).

        A ``decimal`` or ``integer`` that is not one (``"NA"``) is kept as text, as
        ``nonNumericValue`` (its pointer says which key it is).
        """
        found = self.field(path)
        if found is None:
            return []
        raw = self.get(path)
        if kind in ("decimal", "integer"):
            parsed = number(found.text) if isinstance(raw, (str, int, float)) \
                and not isinstance(raw, bool) else None
            if parsed is None or (kind == "integer" and parsed != parsed.to_integral_value()):
                return [Value("nonNumericValue", found, "string", found.text)]
            text = str(int(parsed)) if kind == "integer" else decimal_text(parsed)
            return [Value(prop, found, kind, text)]
        if kind == "boolean":
            if not isinstance(raw, bool):
                return [Value("recordValue", found, "string", found.text)]
            return [Value(prop, found, kind, found.text)]
        if not isinstance(raw, (str, int, float)):
            return []
        return [Value(prop, found, kind, found.text)]

    def values(self, rules: dict[str, tuple[str, str]], path: Path,
               read: frozenset[str] = frozenset()) -> list[Value]:
        """The values of the object at ``path``: ``rules`` maps a key to (prop, kind).

        Every other scalar key of the object is kept too (see :meth:`rest`), except the keys
        ``read`` (read by the caller).
        """
        found: list[Value] = []
        for key, (prop, kind) in rules.items():
            found += self.value(prop, (*path, key), kind)
        return found + self.rest(path, set(rules) | read)

    def rest(self, path: Path, known: set[str]) -> list[Value]:
        """Every scalar (or list of scalars) of the object at ``path`` not in ``known``.

        Kept as ``recordValue``: its pointer names the key, so no value is dropped silently.
        """
        obj = self.get(path)
        found: list[Value] = []
        if not isinstance(obj, dict):
            return found
        for key in sorted(obj):
            if key in known:
                continue
            raw = obj[key]
            if isinstance(raw, list) and all(not isinstance(v, (dict, list)) for v in raw):
                found += [Value("recordValue", RecordField(pointer(*path, key, i), value_text(v)),
                                "string", value_text(v)) for i, v in enumerate(raw)]
            elif not isinstance(raw, (dict, list)):
                found.append(Value("recordValue", RecordField(pointer(*path, key),
                                                              value_text(raw)),
                                   "string", value_text(raw)))
        return found


def statement(key: str, values: list[Value], item: str | None = None,
              cls: str | None = None) -> list[Statement]:
    """One statement, or none when it would say nothing."""
    return [Statement(key, tuple(values), item, cls)] if values else []
