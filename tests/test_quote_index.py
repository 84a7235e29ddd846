"""The quote index: the quotes that contain a text, found without scanning the store (0011).

It only narrows a query down: every quote that contains the text is among those it gives, the
query's rows are the same with it and without it, and a file that is not the store's own is
never trusted.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import build_dataset
from kg.index import INDEX_DIR
from kg.query import QueryError, bind_params, load_queries, load_query, run_query
from kg.quote_index import FILE, QuoteIndex, digest, write
from kg.store import GraphStore
from kg.synth import generate_corpus

OA_EXACT = ox.NamedNode("http://www.w3.org/ns/oa#exact")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "sources"
    generate_corpus(out, 12, seed=11)
    return out


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "out"
    build_dataset(corpus, out)
    return out


def quoting(store: GraphStore, text: str, narrowed: bool) -> list[tuple[object, ...]]:
    query = load_queries()["claims_quoting_text"]
    bindings = bind_params(query, {"text": text}, store)
    return list(run_query(store, query.sparql, bindings, query.narrows if narrowed else None).rows)


def truth(store: ox.Store, text: str) -> set[str]:
    """The quotes whose text contains ``text``, by Oxigraph's own CONTAINS(LCASE(...))."""
    rows = store.query(
        "SELECT DISTINCT ?text ?q WHERE { ?q <http://www.w3.org/ns/oa#exact> ?quote "
        "FILTER(CONTAINS(LCASE(?quote), LCASE(?text))) }",
        use_default_graph_as_union=True, substitutions={ox.Variable("text"): ox.Literal(text)})
    assert isinstance(rows, ox.QuerySolutions)
    return {row[1].value for row in rows}


# --- the rows are those of the query without the index --------------------------------------------


def test_the_claims_quoting_text_query_declares_the_variable_it_narrows() -> None:
    assert load_queries()["claims_quoting_text"].narrows == {"text": "q"}


@pytest.mark.parametrize("text", [
    "ICANS", "icans", "cytokine release", "CAR T", "remission", "zzzz-not-quoted", "%", "'",
    "quote/", "w3id.org", "\\",
])
def test_narrowed_rows_are_the_rows_of_the_plain_query(built: Path, text: str) -> None:
    store = GraphStore.from_file(built)
    assert store.quotes is not None

    assert quoting(store, text, narrowed=True) == quoting(store, text, narrowed=False)


def test_a_rare_text_is_narrowed_to_exactly_the_quotes_that_contain_it(built: Path) -> None:
    store = GraphStore.from_file(built)
    quotes = {q.subject.value for q in store.store.quads_for_pattern(None, OA_EXACT, None, None)}
    found = store.quotes_containing("ICANS")

    assert found is not None
    assert {q.value for q in found} == truth(store.store, "ICANS")
    assert 0 < len(found) < len(quotes) / 30
    assert quoting(store, "ICANS", narrowed=True)  # rows there are, and the same (above)


def test_texts_found_only_in_iris_or_nowhere_narrow_to_no_quote(built: Path) -> None:
    store = GraphStore.from_file(built)

    assert store.quotes_containing("resource/quote/") == []
    assert store.quotes_containing("zzzz-not-quoted") == []


def test_a_text_most_quotes_contain_or_an_empty_one_is_not_narrowed(built: Path) -> None:
    store = GraphStore.from_file(built)

    assert store.quotes_containing("e") is None
    assert store.quotes_containing("") is None
    assert quoting(store, "e", narrowed=True) == quoting(store, "e", narrowed=False)


def test_a_store_loaded_in_memory_has_no_quote_index_and_gives_the_same_rows(built: Path) -> None:
    indexed = GraphStore.from_file(built)
    in_memory = GraphStore.from_quads(indexed.quads())

    assert in_memory.quotes_containing("ICANS") is None
    assert quoting(in_memory, "ICANS", narrowed=True) == quoting(indexed, "ICANS", narrowed=True)


# --- every quote that contains the text is found --------------------------------------------------

GRAPH = ox.NamedNode("https://example.org/graph/provenance/a")
TEXTS = [
    "Grade 3 ICANS in two patients", "a tab\there", "two\nlines", "a back\\slash",
    "ÉTUDE of ΟΔΟΣ", "İstanbul cohort", "Straße", "ﬁnal ﬂare", "emoji 🧬 CAR T",
    "\"quoted\" words", "ends with Σ", "x" * 300,
]
NEEDLES = [
    "icans", "tab\there", "two\nlines", "\\", "back\\s", "étude", "οδος", "ΟΔΟΣ", "i̇stanbul",
    "İSTANBUL", "STRASSE", "straße", "ﬁnal", "FINAL", "🧬", "\"quoted\"", "σ", "Σ", "ς", "xxxx",
    "n", "t", "\\t", "\\n", "slash", "a",
]


@pytest.fixture
def hand_made(tmp_path: Path) -> tuple[ox.Store, QuoteIndex]:
    store = ox.Store()
    for number, text in enumerate(TEXTS):
        quote = ox.NamedNode(f"https://example.org/quote/a/{number}")
        store.add(ox.Quad(quote, OA_EXACT, ox.Literal(text), GRAPH))
    parts = {"articles/a.nq": "0" * 64}
    write(tmp_path / FILE, store, parts, {}, lambda shard: [GRAPH])
    return store, QuoteIndex(tmp_path / FILE, digest(parts))


@pytest.mark.parametrize("needle", NEEDLES)
def test_every_quote_containing_the_text_is_found_whatever_its_characters(
        hand_made: tuple[ox.Store, QuoteIndex], needle: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("kg.quote_index.MAX_SHARE", 1.0)
    store, index = hand_made

    found = index.containing(store, needle)

    assert found is not None
    assert truth(store, needle) <= {q.value for q in found}


# --- the file is the store's own, and follows it --------------------------------------------------


def test_a_quote_index_of_other_shards_is_not_trusted_and_is_rewritten(
        built: Path, tmp_path: Path) -> None:
    out = Path(shutil.copytree(built, tmp_path / "out"))
    path = out / INDEX_DIR / FILE
    good = path.read_bytes()
    stale = re.sub(rb"^(cart-kg quote index )[0-9a-f]{64}", rb"\g<1>" + b"0" * 64, good)
    path.write_bytes(stale)
    store = GraphStore.from_file(out).open()  # sees a file of other shards: rewrites it

    assert path.read_bytes() == good
    assert store.quotes_containing("ICANS")
    del store  # closes its shared lock: the next open updates the index

    path.unlink()
    assert GraphStore.from_file(out).quotes_containing("ICANS") is not None
    assert path.read_bytes() == good


def test_the_lines_of_unchanged_shards_are_reused_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kg.quote_index.MAX_SHARE", 1.0)
    store = ox.Store()
    graphs = {f"articles/{name}.nq": ox.NamedNode(f"https://example.org/graph/{name}")
              for name in ("a", "b", "c")}
    for number, (shard, graph) in enumerate(graphs.items()):
        if shard != "articles/b.nq":  # a shard without quotes between two with quotes
            quote = ox.NamedNode(f"https://example.org/quote/{number}")
            store.add(ox.Quad(quote, OA_EXACT, ox.Literal(f"Quote {number}"), graph))
    parts = dict.fromkeys(graphs, "0" * 64)
    write(tmp_path / FILE, store, parts, {}, lambda shard: [graphs[shard]])
    first = (tmp_path / FILE).read_bytes()

    write(tmp_path / FILE, store, parts, parts, lambda shard: pytest.fail("read again"))

    assert (tmp_path / FILE).read_bytes() == first
    assert first.count(b"\n") == 1 + 3 + 2  # the header, each shard's name, two quotes
    assert QuoteIndex(tmp_path / FILE, digest(parts)).containing(store, "QUOTE 2") == [
        ox.NamedNode("https://example.org/quote/2")]


def test_an_old_file_is_not_read_by_a_store_opened_before_a_rebuild(built: Path) -> None:
    store = GraphStore.from_file(built)
    assert store.quotes is not None
    other = QuoteIndex(store.quotes.path, digest({"articles/other.nq": "1" * 64}))

    assert other.containing(store.store, "ICANS") is None


def test_after_an_edit_the_quote_index_is_that_of_a_clean_build(
        corpus: Path, tmp_path: Path) -> None:
    sources = Path(shutil.copytree(corpus, tmp_path / "sources"))
    out, clean = tmp_path / "out", tmp_path / "clean"
    build_dataset(sources, out)
    GraphStore.from_file(out).open()
    article = sorted((sources / "articles").iterdir())[3]
    evidence = article / "evidence.yaml"
    text = evidence.read_text(encoding="utf-8")
    claims = [m.start() for m in re.finditer(r"^  - id: ", text, flags=re.MULTILINE)]
    evidence.write_text(text[:claims[0]] + text[claims[1]:], encoding="utf-8")  # one claim less
    retracted = sorted((sources / "articles").iterdir())[7].name

    build_dataset(sources, out, exclude=frozenset({retracted}))
    build_dataset(sources, clean, exclude=frozenset({retracted}))
    edited = GraphStore.from_file(out).open()
    GraphStore.from_file(clean).open()

    assert (out / INDEX_DIR / FILE).read_bytes() == (clean / INDEX_DIR / FILE).read_bytes()
    assert retracted.encode() not in (out / INDEX_DIR / FILE).read_bytes()
    assert quoting(edited, "CAR T", narrowed=True) == quoting(edited, "CAR T", narrowed=False)


# --- the header declares it -----------------------------------------------------------------------

HEADER = """#+ title: t
#+ question: q?
#+ params:
#+   text:
#+     type: {type}
#+     example: x
#+     narrows: {narrows}
#+ returns: [text, q]
SELECT ?text ?q WHERE {{ ?q <http://www.w3.org/ns/oa#exact> ?quote }}
"""


@pytest.mark.parametrize(("kind", "narrows", "message"), [
    ("label", "q", "only a string parameter narrows"),
    ("string", "?q", "only a string parameter narrows"),
    ("string", "quotes", "narrows ?quotes, which the query does not use"),
])
def test_a_narrows_that_cannot_work_is_refused_with_the_fix(
        tmp_path: Path, kind: str, narrows: str, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(HEADER.format(type=kind, narrows=narrows), encoding="utf-8")

    with pytest.raises(QueryError, match=re.escape(message)) as err:
        load_query(path)
    assert str(path) in str(err.value) and "Fix:" in str(err.value)
