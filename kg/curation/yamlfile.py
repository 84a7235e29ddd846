"""Strict YAML reading for curation files: line numbers, duplicate keys and clear problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.core.checks import MAX_DIGITS, control_name, file_problem, first_control


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources: where, what, and how to fix it."""

    file: str
    line: int | None
    message: str
    fix: str = ""
    claim: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f" claim '{self.claim}'" if self.claim else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{who}: {self.message}{fix}"


class SourceError(Exception):
    """The sources cannot be built; ``problems`` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Node(dict[str, Any]):
    """A YAML mapping that remembers the line of each of its keys (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Return the line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class Seq(list[Any]):
    """A YAML sequence that remembers its line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that keeps dates as text, so the loader checks them with a line number.

    It parses with libyaml (C) when PyYAML has it, about six times faster than pure Python.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Node:
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_text = str(key)
        if key_text in result:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key '{key_text}' (first at line {result.key_lines[key_text]})",
                key_node.start_mark,
            )
        result[key_text] = loader.construct_object(value_node, deep=True)
        result.key_lines[key_text] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Seq:
    result = Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    """A whole number, refused (with its line) when it has more digits than any count has."""
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"a whole number of {digits} digits is absurdly large (at most "
            f"{MAX_DIGITS})", node.start_mark)
    value: int = yaml.SafeLoader.construct_yaml_int(loader, node)
    return value


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_text(path: Path, shown: str) -> str:
    """Read a UTF-8 file, or raise :class:`SourceError` saying why it cannot be read.

    The file is read only if it lies in its own folder, symbolic links followed, and is a regular
    file (see :func:`kg.core.checks.file_problem`): a link to ``/etc/passwd`` or a pipe is refused.
    """
    problem = file_problem(path, path.parent)
    if problem is not None:
        raise SourceError([Problem(shown, None, f"{problem}.",
                                   "replace it with the file itself, inside its folder.")])
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(
            [Problem(shown, None, f"cannot be read ({err.strerror}).",
                     "check that the file exists and is readable.")]
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SourceError(
            [Problem(shown, line,
                     f"is not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}).",
                     "save the file as UTF-8.")]
        ) from None


def read_yaml(path: Path, shown: str) -> Any:
    """Parse a YAML file strictly; syntax errors and duplicate keys become a :class:`Problem`."""
    text = read_text(path, shown)
    at = first_control(text)
    if at is not None:  # YAML forbids them; the parser would give an offset, not a line
        at_line = text.count("\n", 0, at) + 1
        column = at - text.rfind("\n", 0, at)
        raise SourceError([Problem(shown, at_line, f"the control character "
                                   f"{control_name(text[at])} (column {column}) cannot be in a "
                                   "YAML file.",
                                   "remove it: YAML files hold printable text only.")])
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = err.problem or str(err)
        fix = "correct the YAML at that line (indentation, quoting, a missing colon)."
        if what.startswith("mapping values are not allowed"):
            fix = ("a value that contains ': ' (or, inside { }, ', ') must be quoted: put this "
                   "value in double quotes, e.g. quote: \"Primary endpoint: met\".")
        raise SourceError([Problem(shown, line, f"YAML syntax error: {what}.", fix)]) from None
    except (yaml.YAMLError, ValueError) as err:
        raise SourceError(
            [Problem(shown, None, f"YAML error: {err}.", "correct the YAML.")]
        ) from None
