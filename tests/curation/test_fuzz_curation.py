"""Fuzzing the curation files: whatever they hold, a clear problem or a complete result.

Property-based (hypothesis): each case is the small test corpus with one evidence or registry
file mutated, either a value replaced by a random one (texts with control characters, huge and
non-finite numbers, nulls, lists, mappings) or the file's text cut, spliced or given random
characters. For every case:

- no exception other than :class:`SourceError` escapes (no traceback, no hang);
- no silent drop: every claim of the input is either read (and emitted as RDF) or named by a
  problem (its id, or its line when it has no usable id);
- every problem names its file and says how to fix it.

``make test`` runs :data:`EXAMPLES` cases per property (over 1,000 in all); ``make fuzz`` runs
many more (``CARTKG_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from conftest import MINI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.curation.articles import read_article
from kg.curation.claims import read_claims
from kg.curation.sources import load_registry, load_sources
from kg.curation.yamlfile import Problem, SourceError
from kg.rdf.emit import emit_article, emit_registry

EXAMPLES = int(os.environ.get("CARTKG_FUZZ_EXAMPLES", "350"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CARTKG_FUZZ_EXAMPLES" not in
                os.environ, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.data_too_large])
EVIDENCE = "articles/a1/evidence.yaml"
EVIDENCE_DATA = yaml.safe_load((MINI / EVIDENCE).read_text(encoding="utf-8"))
REGISTRY_FILES = sorted(p.name for p in (MINI / "registry").iterdir())

# Values a curator (or an attacker) might put anywhere.
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x20), max_size=5),  # controls, NUL
    st.sampled_from(["tx-cel", "trial-one", "systemic-sclerosis", "pfvc", "percent", "count",
                     "proportion", "MONDO:{x}", "http://a b", "../../etc/passwd", "9" * 5000]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=8)


_COPY = Path(tempfile.mkdtemp(prefix="cartkg-fuzz-")) / "sources"
shutil.copytree(MINI, _COPY)


@contextmanager
def corpus() -> Iterator[Path]:
    """The writable copy of the test corpus, its files put back as they were after each case."""
    try:
        yield _COPY
    finally:
        for name in [EVIDENCE, *(f"registry/{n}" for n in REGISTRY_FILES)]:
            shutil.copyfile(MINI / name, _COPY / name)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a YAML document where a value can be replaced."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = _replaced(document[head], tuple(rest), value)
    return copy


@st.composite
def mutated_documents(draw: st.DrawFn, document: Any) -> str:
    """A YAML document with one value replaced, or a key added, as text."""
    paths = _paths(document)
    path = draw(st.sampled_from(paths))
    parent = _at(document, path[:-1])
    if draw(st.booleans()) or not isinstance(parent, dict):
        mutated = _replaced(document, path, draw(values))
    else:  # an extra key beside the value's
        mutated = _replaced(document, path[:-1],
                            {**parent, draw(st.text(max_size=10)): draw(values)})
    return yaml.safe_dump(mutated, allow_unicode=draw(st.booleans()), sort_keys=False)


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]
    return document


@st.composite
def mutated_texts(draw: st.DrawFn, text: str) -> str:
    """A file's text cut, spliced, or given random characters at a random place."""
    at = draw(st.integers(0, len(text)))
    end = draw(st.integers(at, min(len(text), at + 40)))
    insert = draw(st.one_of(st.text(max_size=8), st.sampled_from(
        ["\x00", ":", "- ", "  ", "\n", "[", "{", "'", '"', "&a", "*a", "!!python/object:os.system",
         "value: .nan\n", "facts:\n", "facts: []\n"])))
    return text[:at] + insert + text[end:]


def _check_problems(problems: list[Problem]) -> None:
    for problem in problems:
        assert problem.file and problem.message, problem
        assert problem.fix, f"no fix for: {problem}"


def _read_evidence(root: Path) -> tuple[list[Any], list[Problem]]:
    """The claims read from the corpus's evidence file, and the problems recorded."""
    problems: list[Problem] = []
    entities = load_registry(root)
    folder = root / "articles/a1"
    article = read_article(folder, root, problems)
    assert article is not None and not problems
    try:
        claims = read_claims(folder, root, article, entities, problems)
    except SourceError as err:
        problems.extend(err.problems)
        claims = []
    if claims and not problems:
        assert emit_article(article, claims, entities, {"a1"})
    return claims, problems


def _input_claims(text: str) -> list[tuple[str | None, int]]:
    """The claims of an evidence file as written: (id if it is a text, line), when it parses."""
    try:
        document = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(document, yaml.MappingNode):
        return []
    for key, value in document.value:
        if getattr(key, "value", None) == "claims" and isinstance(value, yaml.SequenceNode):
            found = []
            for item in value.value:
                claim_id = None
                if isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode):
                            claim_id = v.value
                found.append((claim_id, item.start_mark.line + 1))
            return found
    return []


def _no_silent_drop(text: str, claims: list[Any], problems: list[Problem]) -> None:
    read = {c.id for c in claims}
    named = {p.claim for p in problems}
    lines = {p.line for p in problems}
    file_level = any(p.claim is None for p in problems)
    for claim_id, line in _input_claims(text):
        assert claim_id in read or claim_id in named or line in lines or file_level, \
            f"claim {claim_id!r} (line {line}) neither read nor named in a problem: {problems}"


@FUZZ
@given(st.data())
def test_fuzzed_evidence_value_gives_claims_or_problems(data: st.DataObject) -> None:
    text = data.draw(mutated_documents(EVIDENCE_DATA))
    with corpus() as root:
        (root / EVIDENCE).write_text(text, encoding="utf-8")
        claims, problems = _read_evidence(root)
    _check_problems(problems)
    _no_silent_drop(text, claims, problems)


@FUZZ
@given(st.data())
def test_fuzzed_evidence_text_gives_claims_or_problems(data: st.DataObject) -> None:
    text = data.draw(mutated_texts((MINI / EVIDENCE).read_text(encoding="utf-8")))
    with corpus() as root:
        (root / EVIDENCE).write_bytes(text.encode("utf-8", "surrogatepass"))
        claims, problems = _read_evidence(root)
    _check_problems(problems)
    _no_silent_drop(text, claims, problems)


@FUZZ
@given(st.data())
def test_fuzzed_registry_gives_entities_or_problems(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(REGISTRY_FILES))
    original = (MINI / "registry" / name).read_text(encoding="utf-8")
    document = yaml.safe_load(original)
    text = data.draw(st.one_of(mutated_documents(document), mutated_texts(original)))
    with corpus() as root:
        (root / "registry" / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            corpus_read = load_sources(root)
        except SourceError as err:
            _check_problems(err.problems)
            return
        assert emit_registry(corpus_read.entities)
        assert {c.id for c in corpus_read.claims} == {c["id"] for c in EVIDENCE_DATA["claims"]}
