"""The query library (queries/*.rq): headers, the answers the articles support, portability
between Oxigraph and rdflib, typed parameters that are bound and never pasted, and the refusal of
anything that could reach the network."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.build.build import build_dataset
from kg.build.dataset_analyses import refresh_analyses
from kg.build.summary import BuildResult
from kg.cli.main import main
from kg.core.sparql_text import bind_values, where_group
from kg.core.vocab import GRAPH, PREFIXES, RESOURCE
from kg.query.library import QUERIES, load_queries, load_query, parse_header
from kg.query.params import bind_params
from kg.query.run import QueryResult, rdflib_dataset, run_query, run_query_rdflib
from kg.query.safety import QueryError, check_safe, select_variables
from kg.store.files import serialize
from kg.store.store import GraphStore
from kg.synth.corpus import generate_corpus

NAMES = sorted(p.stem for p in QUERIES.glob("*.rq"))
A000, A002, A003 = "000_5ef16d2ca6f7ae03", "002_6a53bef826e0de7a", "003_18bb5d852450905e"
ZOLA, RESE, LISO = ("zolacabtagene autoleucel", "resecabtagene autoleucel",
                    "lisocabtagene maraleucel")
SSC, SLE, IIM = ("systemic sclerosis", "systemic lupus erythematosus",
                 "idiopathic inflammatory myopathy")
ICANS = "immune effector cell-associated neurotoxicity syndrome"
Rows = list[dict[str, str | None]]

# rdflib 7.6 warns from inside its own SPARQL engine when it evaluates GRAPH ?g (it calls its
# deprecated Dataset.contexts); the warning is rdflib's, not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Dataset.contexts is deprecated:DeprecationWarning")


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def store(real_build: BuildResult) -> GraphStore:
    """The real graph in Oxigraph (built once per session by conftest's real_build)."""
    return GraphStore.from_quads(real_build.quads)


@pytest.fixture(scope="session")
def dataset(real_build: BuildResult) -> object:
    """The same quads in an rdflib Dataset whose default graph is the union."""
    return rdflib_dataset(real_build.quads)


@pytest.fixture(scope="session")
def data_file(real_build: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real graph as an N-Quads file, for the CLI's --data."""
    path = tmp_path_factory.mktemp("built") / "cart-kg.nq"
    path.write_bytes(serialize(real_build.quads, "nquads"))
    return path


def _cell(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value


def _run(store: GraphStore, name: str, params: dict[str, str]) -> QueryResult:
    query = load_query(QUERIES / f"{name}.rq")
    return run_query(store, query.sparql, bind_params(query, params, store))


def answer(store: GraphStore, name: str, **params: str) -> Rows:
    """The rows of a library query, each a dict of plain values (IRIs and literal lexical forms)."""
    result = _run(store, name, params)
    return [dict(zip(result.columns, map(_cell, row), strict=True)) for row in result.rows]


def pick(rows: Rows, *columns: str) -> list[tuple[str | None, ...]]:
    """The given columns of each row, in row order."""
    return [tuple(row[c] for c in columns) for row in rows]


def examples(name: str) -> dict[str, str]:
    return {p.name: p.example for p in load_query(QUERIES / f"{name}.rq").params.values()}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


def res(path: str) -> str:
    return f"{RESOURCE}{path}"


# --- headers -------------------------------------------------------------------------------------


def test_the_library_has_a_query_for_each_question() -> None:
    assert len(NAMES) >= 14
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_parses_strictly_and_matches_the_query(name: str) -> None:
    path = QUERIES / f"{name}.rq"
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, str(path))
    assert set(header) <= {"title", "question", "params", "returns"}
    query = load_query(path)  # strict: raises on any mismatch
    assert query.title.strip() and query.question.strip()
    assert list(query.returns) == header["returns"]
    assert query.returns == select_variables(text)
    for param in query.params.values():
        assert param.name in query.returns, "a bound parameter must be projected"
        assert param.example and param.description


@pytest.mark.parametrize("name", NAMES)
def test_query_orders_by_every_column_and_selects_distinct_rows(name: str) -> None:
    """Row order is fully determined, and no row repeats (Oxigraph's union default graph is a
    multiset: a triple asserted by two articles is seen twice; DISTINCT or an aggregate removes
    the repeat, so that both engines give the same rows)."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    order_by = body[body.rindex("ORDER BY"):]
    missing = [c for c in load_query(QUERIES / f"{name}.rq").returns
               if not re.search(rf"\?{c}\b", order_by)]
    assert not missing, f"ORDER BY lacks {missing}"
    outer_select = next(line for line in body.splitlines() if line.startswith("SELECT"))
    outer_group_by = "GROUP BY" in body[body.rindex("}"):]
    assert outer_select.startswith("SELECT DISTINCT") or outer_group_by


def test_cartkg_queries_lists_every_query_with_its_title_and_example() -> None:
    code, out = cli("queries")
    assert code == 0, out
    library = load_queries()
    assert sorted(library) == NAMES
    for name, query in library.items():
        assert re.search(rf"^{name}\s+{re.escape(query.title)}$", out, re.MULTILINE), name
        for param in query.params.values():
            assert f"--param {param.name}={param.example}" in out


@pytest.mark.parametrize("name", NAMES)
def test_docs_list_every_query(name: str) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
    assert f"| `{name}` |" in docs.read_text(encoding="utf-8")


# (header text, what the error says)
BAD_HEADERS = [
    ("#+ title: [unclosed\n", "not valid YAML"),
    ("#+ title: t\n#+ question: q\n#+ returns: [x]\n#+ colour: red\n", "unknown keys"),
    ("#+ title: t\n#+ returns: [x]\n", "lacks ['question']"),
    ("#+ title: t\n#+ question: q\n#+ returns: [y]\n", "header returns ['y']"),
    ("#+ title: t\n#+ question: q\n#+ params:\n#+   z: {type: label, example: a}\n"
     "#+ returns: [x]\n", "parameter 'z' is not among the selected variables"),
    ("#+ title: t\n#+ question: q\n#+ params:\n#+   x: {type: colour, example: a}\n"
     "#+ returns: [x]\n", "unknown type 'colour'"),
    ("#+ title: t\n#+ question: q\n#+ params:\n#+   x: {type: label}\n#+ returns: [x]\n",
     "needs exactly type and example"),
    ("SELECT ?x WHERE { ?x ?p ?o }\n", "no '#+' header"),
]


@pytest.mark.parametrize(("header", "says"), BAD_HEADERS)
def test_a_bad_header_is_an_error_never_ignored(tmp_path: Path, header: str, says: str) -> None:
    path = tmp_path / "bad.rq"
    body = "" if header.startswith("SELECT") else "SELECT ?x WHERE { ?x ?p ?o }\n"
    path.write_text(header + body, encoding="utf-8")
    with pytest.raises(QueryError, match=re.escape(says)):
        load_query(path)


# --- portability: Oxigraph and rdflib give the same rows ------------------------------------------

# Each query with its header example, plus parameter values whose answer is not empty.
PORTABILITY = [(name, examples(name)) for name in NAMES] + [
    ("safety_findings_for_therapy", {"therapy": "rese-cel"}),
    ("key_safety_findings_by_indication", {"therapy": "BMS-986353"}),
    ("efficacy_across_indications", {"therapy": "BMS-986353"}),
    ("efficacy_outcomes_for_indication", {"indication": "SLE"}),
    ("efficacy_outcomes_for_indication", {"indication": "diffuse SSc"}),
    ("trials_of_sponsor", {"sponsor": "BMS"}),
    ("evidence_for_fact", {"subject": "rese-cel", "predicate": "cart:developedBy",
                           "object": "Bristol Myers Squibb"}),
    ("entity_for_external_identifier",
     {"identifier": "https://clinicaltrials.gov/study/NCT06121297"}),
    ("claims_quoting_text", {"text": '"moderate or major improvement"'}),
]


def _terms(result: QueryResult) -> list[tuple[str, ...]]:
    # No normalisation is needed: terms are compared in N-Triples form, datatypes included.
    return [tuple("" if t is None else str(t) for t in row) for row in result.rows]


@pytest.mark.parametrize(("name", "params"), PORTABILITY,
                         ids=[f"{n}-{'-'.join(p.values()) or 'no-params'}" for n, p in PORTABILITY])
def test_oxigraph_and_rdflib_give_the_same_rows(store: GraphStore, dataset: object, name: str,
                                                params: dict[str, str]) -> None:
    query = load_query(QUERIES / f"{name}.rq")
    bindings = bind_params(query, params, store)
    oxigraph = run_query(store, query.sparql, bindings)
    rdflib = run_query_rdflib(dataset, query.sparql, bindings)
    assert oxigraph.columns == rdflib.columns == query.returns
    assert sorted(_terms(oxigraph)) == sorted(_terms(rdflib))
    # ORDER BY covers every column, so the order is the same too.
    assert _terms(oxigraph) == _terms(rdflib)
    assert len(set(_terms(oxigraph))) == len(oxigraph.rows), "no row repeats"


def test_both_engines_give_the_same_rows_on_a_synthetic_corpus(tmp_path: Path) -> None:
    """Every query with its example parameters, on a small synthetic corpus: the rdflib baseline
    runs them all (the benchmark's failure at 100 articles with an empty message was its own time
    limit, an exception without a message, read as an rdflib failure) and agrees with Oxigraph."""
    generate_corpus(tmp_path / "sources", 3, seed=0)
    quads = build_dataset(tmp_path / "sources", out=None).quads
    store, dataset = GraphStore.from_quads(quads), rdflib_dataset(quads)
    answered = 0
    for name in NAMES:
        query = load_query(QUERIES / f"{name}.rq")
        bindings = bind_params(query, examples(name), store)
        oxigraph = run_query(store, query.sparql, bindings)
        rdflib = run_query_rdflib(dataset, query.sparql, bindings)
        assert oxigraph.columns == rdflib.columns == query.returns, name
        assert _terms(oxigraph) == _terms(rdflib), name
        answered += bool(oxigraph.rows)
    # the synthetic corpus has no registry records: the queries of records have nothing to say
    about_records = [name for name in NAMES if name.startswith("registry_")]
    assert answered >= (len(NAMES) - len(about_records)) // 2, \
        "the synthetic corpus answers most queries"


class _Interrupted(Exception):
    """Like the benchmark's former time limit: an Exception raised without a message."""


class _FailingDataset:
    def query(self, *args: object, **kwargs: object) -> object:
        raise _Interrupted


def test_an_exception_without_a_message_inside_rdflib_is_named_and_kept_as_the_cause() -> None:
    with pytest.raises(QueryError) as caught:
        run_query_rdflib(_FailingDataset(), "SELECT ?s WHERE { ?s ?p ?o }")
    message = str(caught.value)
    assert message == ("rdflib could not run the query: "
                       f"{__name__}._Interrupted, raised without a message")
    assert isinstance(caught.value.__cause__, _Interrupted)


# --- 1. therapies, indications, trials, sponsors -------------------------------------------------


def test_therapies_in_indications_by_trial_and_sponsor(store: GraphStore) -> None:
    rows = answer(store, "therapies_in_indications_by_trial_and_sponsor")
    cabaletta, bms = "Cabaletta Bio", "Bristol Myers Squibb"
    reset = [(trial, indication, sponsor, disputed)
             for trial, indications in (("RESET-Myositis", ("antisynthetase syndrome",
                                                            "dermatomyositis")),
                                        ("RESET-SLE", ("lupus nephritis", SLE)),
                                        ("RESET-SSc", (SSC,)))
             for indication in indications
             for sponsor, disputed in ((bms, "true"), (cabaletta, "false"))]
    assert sorted(pick(rows, "therapy", "indication", "trial", "phase", "sponsor",
                       "sponsor_disputed", "articles")) == sorted([
        (LISO, "lymphoma", None, None, None, None, "1"),
        (RESE, "autoimmune disease", None, None, None, None, "1"),
        (RESE, "myositis", None, None, None, None, "1"),
        *[(RESE, i, t, "Phase 1/2", s, d, "1") for t, i, s, d in reset],
        (ZOLA, "diffuse cutaneous systemic sclerosis", "Breakfree-1", "Phase 1", bms, "false", "1"),
        (ZOLA, IIM, "Breakfree-1", "Phase 1", bms, "false", "1"),
        (ZOLA, SLE, "Breakfree-1", "Phase 1", bms, "false", "1"),
        # SSc is the one indication of Breakfree-1 that both article 000 and article 003 support
        (ZOLA, SSC, "Breakfree-1", "Phase 1", bms, "false", "2"),
        (ZOLA, "systemic sclerosis-associated interstitial lung disease", "Breakfree-1", "Phase 1",
         bms, "false", "1"),
    ])


# --- 2. efficacy outcomes for an indication ------------------------------------------------------


def test_median_mrss_change_in_diffuse_ssc_is_a_decrease_of_13_5_points(store: GraphStore) -> None:
    rows = answer(store, "efficacy_outcomes_for_indication", indication="diffuse SSc")
    assert rows == [{
        "indication": res("indication/diffuse-cutaneous-ssc"),
        "outcome_indication": "diffuse cutaneous systemic sclerosis",
        "therapy": ZOLA, "trial": "Breakfree-1", "measure": "modified Rodnan skin score",
        "statistic": "median change", "value": "13.5", "unit": "points", "direction": "decrease",
        "population": "patients with diffuse SSc", "timepoint": "not stated in the article",
        "article": A003, "claim": "dcssc-mrss-13-5",
        "quote": "median modified Rodnan Skin Score (mRSS) – a measure of skin thickening – "
                 "decreased by 13.5 points in those with diffuse SSc",
    }]


def test_pfvc_in_ssc_ild_is_a_median_10_percent_rise_at_6_months(store: GraphStore) -> None:
    rows = answer(store, "efficacy_outcomes_for_indication", indication="SSc-ILD")
    assert pick(rows, "measure", "statistic", "value", "unit", "direction", "timepoint",
                "article", "claim") == [
        ("percent-predicted forced vital capacity", "median change", "10", "percent", "increase",
         "at 6 months", A003, "ssc-ild-pfvc-6m")]


def test_efficacy_outcomes_in_systemic_sclerosis(store: GraphStore) -> None:
    rows = answer(store, "efficacy_outcomes_for_indication", indication="systemic-sclerosis")
    assert {r["indication"] for r in rows} == {res("indication/systemic-sclerosis")}
    # One row per quote: two claims rest on two quotes each.
    assert pick(rows, "therapy", "trial", "measure", "value", "article", "claim") == [
        # diffuse cutaneous SSc is narrower than SSc (skos:broader in the registry)
        (ZOLA, "Breakfree-1", "modified Rodnan skin score", "13.5", A003, "dcssc-mrss-13-5"),
        (RESE, None, "off immunosuppressive therapy", None, A002,
         "rese-cel-immunosuppressant-free"),
        (RESE, "RESET-SSc", "clinical improvement", None, A002, "reset-ssc-clinical-improvement"),
        (RESE, "RESET-SSc", "clinical improvement", None, A002, "reset-ssc-clinical-improvement"),
        (ZOLA, "Breakfree-1", "lung function", None, A003, "ssc-lung-function-improved"),
        (ZOLA, "Breakfree-1", "off all disease-directed therapy", "96", A003,
         "ssc-therapy-free-96pct"),
        (ZOLA, "Breakfree-1", "off all disease-directed therapy", "96", A003,
         "ssc-therapy-free-96pct"),
        (ZOLA, "Breakfree-1", "off immunosuppressive therapy", "94", A000,
         "all-off-immunosuppression-94pct"),
        (ZOLA, "Breakfree-1", "percent-predicted forced vital capacity", "10", A000,
         "ssc-pfvc-6m"),
        (ZOLA, "Breakfree-1", "skin thickness", None, A000, "ssc-skin-thickness"),
        (ZOLA, "Breakfree-1", "skin thickness", None, A003, "ssc-skin-thickness-improved"),
        # and so is SSc-ILD
        (ZOLA, "Breakfree-1", "percent-predicted forced vital capacity", "10", A003,
         "ssc-ild-pfvc-6m"),
    ]
    assert {r["outcome_indication"] for r in rows if r["claim"] == "ssc-ild-pfvc-6m"} == {
        "systemic sclerosis-associated interstitial lung disease"}
    assert {r["quote"] for r in rows if r["claim"] == "ssc-therapy-free-96pct"} == {
        "allowed an astonishing 96% to discontinue all SSc-directed therapies",
        "the impressive 96% therapy-free rate"}


def test_efficacy_outcomes_include_narrower_indications_once_the_registry_links_them(
        real_build: BuildResult) -> None:
    broader = ox.NamedNode("http://www.w3.org/2004/02/skos/core#broader")
    registry = ox.NamedNode(f"{GRAPH}registry")
    links = [ox.Quad(ox.NamedNode(res(f"indication/{narrow}")), broader,
                     ox.NamedNode(res("indication/systemic-sclerosis")), registry)
             for narrow in ("ssc-ild", "diffuse-cutaneous-ssc")]
    quads = [*real_build.quads, *links]
    linked = GraphStore.from_quads(quads)
    query = load_query(QUERIES / "efficacy_outcomes_for_indication.rq")
    bindings = bind_params(query, {"indication": "SSc"}, linked)
    result = run_query(linked, query.sparql, bindings)
    rows = [dict(zip(result.columns, map(_cell, row), strict=True)) for row in result.rows]
    found = set(pick(rows, "outcome_indication", "claim"))
    assert ("systemic sclerosis-associated interstitial lung disease", "ssc-ild-pfvc-6m") in found
    assert ("diffuse cutaneous systemic sclerosis", "dcssc-mrss-13-5") in found
    assert len(result.rows) == 12
    rdflib = run_query_rdflib(rdflib_dataset(quads), query.sparql, bindings)
    assert _terms(rdflib) == _terms(result)


def test_efficacy_outcomes_in_sle(store: GraphStore) -> None:
    rows = answer(store, "efficacy_outcomes_for_indication", indication="lupus")
    assert pick(rows, "therapy", "measure", "value", "unit", "population", "timepoint",
                "claim") == [
        (RESE, "off immunosuppressive therapy", None, None,
         "patients with autoimmune conditions treated with rese-cel in the RESET trials", None,
         "rese-cel-immunosuppressant-free"),
        # lupus nephritis is narrower than SLE (skos:broader in the registry)
        (RESE, "complete renal response", "1", "patients",
         "a participant with lupus nephritis in RESET-SLE", "not stated in the article",
         "reset-sle-ln-complete-renal-response"),
        (RESE, "off immunosuppressive therapy", None, None,
         "patients with autoimmune conditions treated with rese-cel in the RESET trials", None,
         "rese-cel-immunosuppressant-free"),
        (RESE, "disease remission", "3", "patients",
         "patients with systemic lupus erythematosus (SLE) in RESET-SLE",
         "with at least three months of follow-up", "reset-sle-remission"),
        (ZOLA, "SLE disease activity", None, None, "systemic lupus erythematosus patients", None,
         "sle-disease-activity-reduction"),
        (ZOLA, "off immunosuppressive therapy", "94", "percent",
         "evaluable patients across systemic sclerosis, systemic lupus erythematosus, and "
         "idiopathic inflammatory myopathies", "not stated in the article",
         "all-off-immunosuppression-94pct"),
        (ZOLA, "off immunosuppressive therapy", "92", "percent",
         "systemic lupus erythematosus patients", "at up to 18 months follow-up",
         "sle-off-immunosuppressants-92pct"),
    ]


# --- 3. safety findings for a therapy ------------------------------------------------------------


def test_safety_findings_of_bms_986353(store: GraphStore) -> None:
    rows = answer(store, "safety_findings_for_therapy", therapy="BMS-986353")
    assert {r["therapy"] for r in rows} == {res("therapy/bms-986353")}
    assert pick(rows, "measure", "grade", "grade_text", "value", "unit", "article", "claim") == [
        ("adverse events", None, "low grade", None, None, A000, "all-aes-low-grade"),
        ("adverse events", None, None, None, None, A000, "sle-aes-manageable"),
        ("adverse events", None, "low-grade", None, None, A003, "aes-low-grade"),
        ("adverse events", None, None, None, None, A003, "safety-manageable"),
        ("cytokine release syndrome", None, None, None, None, A000, "all-crs-transient"),
        ("cytokine release syndrome", None, "low-grade", None, None, A003, "crs-low-grade"),
        (ICANS, None, None, None, None, A000, "all-neurotoxicity-transient"),
        (ICANS, None, None, None, None, A000, "iim-neurotoxicity-resolved"),
        (ICANS, None, "low-grade", None, None, A003, "icans-low-grade"),
        # the one graded, counted event: two patients with grade 3 ICANS
        (ICANS, "3", "grade-3", "2", "patients", A003, "icans-grade-3"),
    ]
    graded = [r for r in rows if r["grade"] is not None]
    assert pick(graded, "statistic", "population", "population_size") == [
        ("count", "patients with severe, refractory SSc in Breakfree-1", "26")]


@pytest.mark.parametrize("therapy", ["rese-cel", "liso-cel"])
def test_no_safety_finding_is_invented_for_a_therapy_without_one(store: GraphStore,
                                                                  therapy: str) -> None:
    assert answer(store, "safety_findings_for_therapy", therapy=therapy) == []


# --- 4. without immunosuppressants, immunomodulators or steroids ----------------------------------


def test_outcomes_achieved_without_immunosuppression(store: GraphStore) -> None:
    rows = answer(store, "outcomes_achieved_without_immunosuppression")
    assert pick(rows, "therapy", "trial", "kind", "without", "value", "unit", "population",
                "timepoint", "article") == [
        (RESE, None, "off therapy", "off immunosuppressive therapy", None, None,
         "patients with autoimmune conditions treated with rese-cel in the RESET trials", None,
         A002),
        (RESE, "RESET-Myositis", "achieved without", "immunomodulator", "4", "patients",
         "evaluable patients with dermatomyositis (DM) or antisynthetase syndrome (ASyS) in "
         "RESET-Myositis", "after 16 weeks of treatment", A002),
        (RESE, "RESET-SSc", "achieved without", "glucocorticoid", None, None,
         "patients with systemic sclerosis (SSc) with at least three months of follow-up",
         "with at least three months of follow-up", A002),
        (RESE, "RESET-SSc", "achieved without", "immunomodulator", None, None,
         "patients with systemic sclerosis (SSc) with at least three months of follow-up",
         "with at least three months of follow-up", A002),
        # 96%, 94% and 92%: three off-therapy values, each with its own population
        (ZOLA, "Breakfree-1", "off therapy", "off all disease-directed therapy", "96", "percent",
         "severely affected individuals with systemic sclerosis (SSc)",
         "not stated in the article", A003),
        (ZOLA, "Breakfree-1", "off therapy", "off immunosuppressive therapy", "94", "percent",
         "evaluable patients across systemic sclerosis, systemic lupus erythematosus, and "
         "idiopathic inflammatory myopathies", "not stated in the article", A000),
        (ZOLA, "Breakfree-1", "off therapy", "off immunosuppressive therapy", "92", "percent",
         "systemic lupus erythematosus patients", "at up to 18 months follow-up", A000),
    ]


# --- 5. trials of a sponsor ----------------------------------------------------------------------

NCT = PREFIXES["NCT"]


def test_trials_of_cabaletta_bio(store: GraphStore) -> None:
    rows = answer(store, "trials_of_sponsor", sponsor="Cabaletta Bio")
    assert {r["sponsor"] for r in rows} == {res("sponsor/cabaletta-bio")}
    assert pick(rows, "trial", "phase", "registry_id", "id_verified", "therapy", "indication",
                "sponsorship") == [
        ("RESET-Myositis", "Phase 1/2", f"{NCT}NCT06154252", "false", RESE,
         "antisynthetase syndrome", "stated"),
        ("RESET-Myositis", "Phase 1/2", f"{NCT}NCT06154252", "false", RESE, "dermatomyositis",
         "stated"),
        ("RESET-SLE", "Phase 1/2", f"{NCT}NCT06121297", "false", RESE, "lupus nephritis",
         "stated"),
        ("RESET-SLE", "Phase 1/2", f"{NCT}NCT06121297", "false", RESE, SLE, "stated"),
        ("RESET-SSc", "Phase 1/2", f"{NCT}NCT06328777", "true", RESE, SSC, "stated"),
    ]


def test_trials_of_bms_flag_the_disputed_reset_sponsorships(store: GraphStore) -> None:
    rows = answer(store, "trials_of_sponsor", sponsor="BMS")
    trials = sorted(set(pick(rows, "trial", "phase", "registry_id", "id_verified",
                             "sponsorship")))
    assert trials == [
        ("Breakfree-1", "Phase 1", f"{NCT}NCT05869955", "true", "inferred"),
        ("RESET-Myositis", "Phase 1/2", f"{NCT}NCT06154252", "false", "disputed"),
        ("RESET-SLE", "Phase 1/2", f"{NCT}NCT06121297", "false", "disputed"),
        ("RESET-SSc", "Phase 1/2", f"{NCT}NCT06328777", "true", "disputed"),
    ]
    assert sorted(r["indication"] for r in rows if r["trial"] == "Breakfree-1") == sorted([
        "diffuse cutaneous systemic sclerosis", IIM, SLE, SSC,
        "systemic sclerosis-associated interstitial lung disease"])


# --- 6. target antigens and shared constructs ----------------------------------------------------


def test_therapies_by_target_antigen(store: GraphStore) -> None:
    rows = answer(store, "therapies_by_target_antigen")
    assert pick(rows, "therapy", "antigen", "basis", "sources", "shares_car_construct_with") == [
        (LISO, "CD19", "inferred", "1", ZOLA),
        # no article says what rese-cel targets: no antigen is invented
        (RESE, None, None, "0", None),
        (ZOLA, "CD19", "stated", "2", LISO),
    ]


# --- 7. what each article contributes ------------------------------------------------------------


def test_claims_per_article(store: GraphStore, real_build: BuildResult) -> None:
    rows = answer(store, "claims_per_article")
    assert pick(rows, "article", "kind", "claims", "inferred", "disputed") == [
        (A000, "cohort", "1", "1", "0"),
        (A000, "efficacy outcome", "6", "6", "0"),
        (A000, "facts", "7", "3", "0"),
        (A000, "pharmacodynamic outcome", "3", "3", "0"),
        (A000, "planned step", "1", "1", "0"),
        (A000, "regimen", "1", "1", "0"),
        (A000, "safety outcome", "5", "5", "0"),
        (A002, "cohort", "3", "1", "0"),
        (A002, "efficacy outcome", "5", "0", "0"),
        (A002, "facts", "17", "0", "4"),
        (A002, "planned step", "5", "0", "1"),
        (A003, "cohort", "1", "0", "0"),
        (A003, "efficacy outcome", "5", "0", "0"),
        (A003, "facts", "13", "1", "0"),
        (A003, "pharmacodynamic outcome", "4", "0", "0"),
        (A003, "regimen", "1", "0", "0"),
        (A003, "safety outcome", "5", "0", "0"),
    ]
    assert sum(int(r["claims"] or 0) for r in rows) == real_build.stats.assertions == 83
    assert {r["title"] for r in rows if r["article"] == A003} == {
        "CAR T-Cell Therapy: SSc Skin & Lung Breakthrough"}


def test_doses_per_therapy_in_the_seed_articles_are_single_infusions(store: GraphStore) -> None:
    # Both articles say "a single infusion"; neither gives a dose or a lymphodepletion. 000 names
    # no product (BMS-986353 and Breakfree-1 are the curator's inference).
    rows = answer(store, "doses_per_therapy")
    assert pick(rows, "therapy", "trial", "infusion", "dose", "population_size", "article",
                "claim") == [
        ("zolacabtagene autoleucel", "Breakfree-1", "single", None, "71", A000,
         "study-71-single-infusion"),
        ("zolacabtagene autoleucel", "Breakfree-1", "single", None, None, A003,
         "breakfree-1-single-infusion"),
    ]


# --- 8. single-source and corroborated facts -----------------------------------------------------


def test_corroborated_and_single_source_facts(store: GraphStore) -> None:
    rows = answer(store, "facts_by_number_of_sources")
    corroborated = sorted({(r["subject"], r["predicate"], r["object"])
                           for r in rows if r["support"] == "corroborated"})
    cart = PREFIXES["cart"]
    # the one fact that both articles state (their other shared facts are inferred by 000)
    assert corroborated == [(ZOLA, f"{cart}targetsAntigen", "CD19")]
    assert sorted(r["article"] for r in rows if r["object"] == "CD19"
                  and r["subject"] == ZOLA) == [A000, A003]
    # stated by 003, inferred by 000: one origin, not corroboration
    for fact in [("Breakfree-1", f"{cart}evaluatesTherapy", ZOLA),
                 ("Breakfree-1", f"{cart}hasPhase", "Phase 1"),
                 ("Breakfree-1", f"{cart}resultsPresentedAt", "ACR Convergence 2025"),
                 ("Breakfree-1", f"{cart}studiesIndication", SSC)]:
        found = [r for r in rows if (r["subject"], r["predicate"], r["object"]) == fact]
        assert pick(found, "article", "basis", "sources", "support") == [
            (A000, "inferred", "1", "single source"),
            (A003, "stated", "1", "single source")], fact
    # each article derives from nothing: it is its own origin
    assert all(r["origin"] == r["article"] for r in rows)
    single = {(r["subject"], r["predicate"], r["object"]) for r in rows
              if r["support"] == "single source"}
    assert len(single) == 43
    # no source states these: every claim of each is curator inference
    assert sorted((r["subject"], r["object"]) for r in rows
                  if r["support"] == "curator inference") == [
        ("Breakfree-1", "Bristol Myers Squibb"),
        ("Breakfree-1", "idiopathic inflammatory myopathy"),
        ("Breakfree-1", "systemic lupus erythematosus"),
        ("lisocabtagene maraleucel", "CD19")]
    assert all(r["sources"] == "1" for r in rows if r["support"] == "single source")
    phase = [r for r in rows if r["predicate"] == f"{cart}hasPhase" and r["object"] == "Phase 1"]
    assert pick(phase, "article", "claim", "basis") == [
        (A000, "nex-t-phase-1-study-is-breakfree-1", "inferred"),
        (A003, "breakfree-1-phase-1", "stated")]
    assert ("Breakfree-1", f"{cart}leadInvestigator", "Dinesh Khanna") in single
    assert sorted(r["claim"] for r in rows if r["disputed"] == "true") == [
        "rese-cel-developed-by-bms", "reset-myositis-sponsor-bms", "reset-sle-sponsor-bms",
        "reset-ssc-sponsor-bms"]


# --- 9. disagreements, and look-alikes that are not ----------------------------------------------


def test_no_outcome_disagrees_across_sources(store: GraphStore) -> None:
    assert answer(store, "conflicting_outcomes") == []


def test_the_pfvc_reports_are_a_look_alike_for_different_populations(store: GraphStore) -> None:
    rows = answer(store, "same_measure_reported_for_different_populations")
    pfvc = [r for r in rows if r["measure"] == "percent-predicted forced vital capacity"]
    assert pick(pfvc, "within", "populations", "articles", "article", "claim", "value",
                "indications", "population", "timepoint", "same_value_elsewhere") == [
        (SSC, "2", "2", A000, "ssc-pfvc-6m", "10", "systemic sclerosis",
         "patients with systemic sclerosis", "at six months", "true"),
        (SSC, "2", "2", A003, "ssc-ild-pfvc-6m", "10",
         "systemic sclerosis-associated interstitial lung disease",
         "patients with SSc-ILD (interstitial lung disease)", "at 6 months", "true")]
    # one row per report of each therapy, measure and broadest indication that two articles
    # report for two populations: here all within systemic sclerosis (SSc-ILD is narrower)
    assert {r["within"] for r in rows} == {SSC}
    assert sorted(pick(rows, "measure", "claim")) == sorted([
        ("B-cell depletion", "all-b-cell-depletion"), ("B-cell depletion", "b-cell-depletion-all"),
        ("CAR T-cell expansion", "all-car-t-expansion"),
        ("CAR T-cell expansion", "car-t-expansion"),
        ("adverse events", "all-aes-low-grade"), ("adverse events", "aes-low-grade"),
        ("adverse events", "safety-manageable"),
        ("cytokine release syndrome", "all-crs-transient"),
        ("cytokine release syndrome", "crs-low-grade"),
        (ICANS, "all-neurotoxicity-transient"), (ICANS, "icans-grade-3"),
        (ICANS, "icans-low-grade"),
        ("percent-predicted forced vital capacity", "ssc-pfvc-6m"),
        ("percent-predicted forced vital capacity", "ssc-ild-pfvc-6m"),
    ])
    # ICANS: article 000 for all three diseases, article 003 for SSc. Article 000's myositis
    # report is not a look-alike of article 003's SSc reports (another indication), nor is its
    # lupus adverse-event report.
    icans = {r["claim"]: r for r in rows if r["measure"] == ICANS}
    assert {(r["populations"], r["articles"]) for r in icans.values()} == {("2", "2")}
    assert icans["all-neurotoxicity-transient"]["indications"] == (
        "idiopathic inflammatory myopathy, ..., systemic sclerosis (3 indications)")
    assert "iim-neurotoxicity-resolved" not in icans
    assert "sle-aes-manageable" not in {r["claim"] for r in rows}
    # only the pFVC value is reported for two populations by two articles
    assert {r["claim"] for r in rows if r["same_value_elsewhere"] == "true"} == {
        "ssc-pfvc-6m", "ssc-ild-pfvc-6m"}
    # the same-source skin-thickness reports (both SSc, qualitative) are comparable: not listed
    assert "skin thickness" not in {r["measure"] for r in rows}


def _copy_claim(quads: Iterable[ox.Quad], article: str, claim: str, new_article: str,
                value: str, indications: Mapping[str, str] | None = None) -> list[ox.Quad]:
    """One outcome claim's assertion graph and provenance, moved to a new article, with a new
    value (and, if given, some of its indications replaced: old key -> new key): a synthetic
    second source for the same result."""
    assertion = res(f"assertion/{article}/{claim}")
    provenance = f"{GRAPH}provenance/{article}"
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    replaced = {res(f"indication/{old}"): res(f"indication/{new}")
                for old, new in (indications or {}).items()}

    def move(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.NamedNode | ox.Literal:
        assert not isinstance(term, ox.BlankNode)
        if isinstance(term, ox.NamedNode) and article in term.value:
            return ox.NamedNode(term.value.replace(article, new_article))
        if isinstance(term, ox.NamedNode) and term.value in replaced:
            return ox.NamedNode(replaced[term.value])
        return term

    copied = []
    for q in quads:
        graph = q.graph_name
        if not isinstance(graph, ox.NamedNode):
            continue
        if graph.value == assertion or (graph.value == provenance
                                        and q.subject == ox.NamedNode(assertion)):
            obj = move(q.object)
            if q.predicate.value == f"{PREFIXES['cart']}value":
                obj = ox.Literal(value, datatype=decimal)
            copied.append(ox.Quad(move(q.subject), q.predicate, obj, move(graph)))
    node = ox.NamedNode(res(f"article/{new_article}"))
    copied.append(ox.Quad(node, ox.NamedNode("http://purl.org/dc/terms/identifier"),
                          ox.Literal(new_article),
                          ox.NamedNode(f"{GRAPH}provenance/{new_article}")))
    return copied


def _both_engines(quads: list[ox.Quad], name: str) -> list[Rows]:
    """The rows of a library query on Oxigraph and on rdflib."""
    query = load_query(QUERIES / f"{name}.rq")
    quads = refresh_analyses(quads)  # the analyses of the quads as changed
    results = (run_query(GraphStore.from_quads(quads), query.sparql),
               run_query_rdflib(rdflib_dataset(quads), query.sparql))
    return [[dict(zip(r.columns, map(_cell, row), strict=True)) for row in r.rows]
            for r in results]


SYNTHETIC = "999_synthetic"
OFF_IS = "all-off-immunosuppression-94pct"  # 94% off immunosuppressants, in SSc, SLE and IIM


@pytest.mark.parametrize(("article", "claim", "value", "expected"), [
    # a second source with another value for SSc at 6 months disagrees with article 000 only,
    # never with article 003's SSc-ILD report: one row per report of the comparison
    (A000, "ssc-pfvc-6m", "12", [(A000, "ssc-pfvc-6m", "10"), (SYNTHETIC, "ssc-pfvc-6m", "12")]),
    (A003, "ssc-ild-pfvc-6m", "8", [(A003, "ssc-ild-pfvc-6m", "10"),
                                    (SYNTHETIC, "ssc-ild-pfvc-6m", "8")]),
    # the same value from a second source is agreement, not disagreement
    (A003, "ssc-ild-pfvc-6m", "10", []),
    (A003, "icans-grade-3", "3", [(A003, "icans-grade-3", "2"), (SYNTHETIC, "icans-grade-3", "3")]),
    # a population of three indications is compared as a set
    (A000, OFF_IS, "90", [(A000, OFF_IS, "94"), (SYNTHETIC, OFF_IS, "90")]),
])
def test_a_disagreement_is_found_when_two_sources_differ(
        real_build: BuildResult, article: str, claim: str, value: str,
        expected: list[tuple[str, ...]]) -> None:
    quads = [*real_build.quads, *_copy_claim(real_build.quads, article, claim, SYNTHETIC, value)]
    for rows in _both_engines(quads, "conflicting_outcomes"):
        assert pick(rows, "article", "claim", "value") == expected
        values = sorted(Decimal(v) for _, _, v in expected)
        assert {(r["lowest"], r["highest"], r["articles"], r["comparison"]) for r in rows} == (
            {(str(values[0]), str(values[-1]), "2", f"{article} {claim}")} if expected else set())


def test_populations_of_three_indications_differ_when_one_indication_does(
        real_build: BuildResult) -> None:
    """Two sets of three indications with the same first and last member (by IRI) are different
    populations: {IIM, SLE, SSc} and {IIM, lupus nephritis, SSc} are never compared."""
    indications = "idiopathic inflammatory myopathy, ..., systemic sclerosis (3 indications)"
    for value, look_alike in (("90", "false"), ("94", "true")):
        copy = _copy_claim(real_build.quads, A000, OFF_IS, SYNTHETIC, value,
                           indications={"sle": "lupus-nephritis"})
        quads = [*real_build.quads, *copy]
        for rows in _both_engines(quads, "conflicting_outcomes"):
            assert rows == []
        for rows in _both_engines(quads, "same_measure_reported_for_different_populations"):
            # within lupus (lupus nephritis is narrower), with article 000's SLE-only report:
            # three populations from two articles
            measure = next(r for r in rows if r["claim"] == OFF_IS)["measure"]
            assert pick([r for r in rows if r["measure"] == measure and r["within"] == SLE],
                        "article", "claim", "populations", "articles", "indications",
                        "same_value_elsewhere") == [
                (A000, OFF_IS, "3", "2", indications, look_alike),
                (SYNTHETIC, OFF_IS, "3", "2", indications, look_alike),
                (A000, "sle-off-immunosuppressants-92pct", "3", "2",
                 "systemic lupus erythematosus", "false")]


# --- 10. disputed claims -------------------------------------------------------------------------


def test_the_disputed_claims_are_the_five_of_article_002_about_bms(store: GraphStore) -> None:
    rows = answer(store, "disputed_claims")
    article_002, registry_ssc = res(f"article/{A002}"), f"{NCT}NCT06328777"
    assert pick(rows, "article", "claim", "disputed_by") == [
        (A002, "fda-alignment-bms", registry_ssc),
        (A002, "fda-alignment-bms", article_002),
        (A002, "rese-cel-developed-by-bms", registry_ssc),
        (A002, "rese-cel-developed-by-bms", article_002),
        (A002, "reset-myositis-sponsor-bms", article_002),
        (A002, "reset-sle-sponsor-bms", article_002),
        (A002, "reset-ssc-sponsor-bms", registry_ssc),
    ]
    statements = dict(pick(rows, "claim", "statement"))
    assert statements["rese-cel-developed-by-bms"] == f"{RESE} developedBy Bristol Myers Squibb"
    assert statements["reset-sle-sponsor-bms"] == "RESET-SLE sponsoredBy Bristol Myers Squibb"
    assert statements["fda-alignment-bms"].startswith("According to the article, Bristol Myers")
    assert all("Bristol Myers Squibb" in s for s in statements.values())
    reasons = dict(pick(rows, "claim", "reason"))
    assert "NCT06328777 lists Cabaletta Bio as sponsor" in (reasons["fda-alignment-bms"] or "")
    assert "lists Cabaletta Bio as the sponsor of RESET-SSc" in (reasons["reset-ssc-sponsor-bms"]
                                                                  or "")


# --- 11. planned next steps ----------------------------------------------------------------------


def test_planned_next_steps(store: GraphStore) -> None:
    rows = answer(store, "planned_next_steps")
    assert pick(rows, "therapy", "plan_kind", "indication", "trial", "planned_by", "timeframe",
                "article", "article_date", "claim", "disputed") == [
        (RESE, "dose-escalation cohort", SLE, "RESET-SLE", "Cabaletta Bio", "next year", A002,
         None, "reset-sle-dose-escalation-cohort", "false"),
        (RESE, "registrational trial", "dermatomyositis", None, None, "upcoming", A002, None,
         "dm-registrational-cohort", "false"),
        (RESE, "registrational trial", "myositis", None, "Cabaletta Bio", None, A002, None,
         "myositis-registrational-trial", "false"),
        (RESE, "regulatory alignment", SLE, None, "Bristol Myers Squibb", "this year", A002, None,
         "fda-alignment-bms", "true"),
        (RESE, "regulatory alignment", SLE, None, "Cabaletta Bio", "this year", A002, None,
         "fda-alignment-cabaletta", "false"),
        (RESE, "regulatory alignment", SSC, None, "Bristol Myers Squibb", "this year", A002, None,
         "fda-alignment-bms", "true"),
        (RESE, "regulatory alignment", SSC, None, "Cabaletta Bio", "this year", A002, None,
         "fda-alignment-cabaletta", "false"),
        (ZOLA, "recruitment", "autoimmune disease", None, "Bristol Myers Squibb", "ongoing", A000,
         "2025-10-25", "bms-ongoing-recruitment", "false"),
    ]
    assert rows[0]["quote"] == ("These results have prompted Cabaletta to initiate a "
                                "dose-escalation cohort in this trial, scheduled to begin next "
                                "year.")


# --- 12. the evidence behind one fact ------------------------------------------------------------


@pytest.mark.parametrize(("subject", "predicate", "obj", "expected"), [
    ("breakfree-1", "cart:hasPhase", "phase-1", [
        (A000, "nex-t-phase-1-study-is-breakfree-1", "inferred", "false",
         "its Phase 1 study of the CD19 NEX-T™ CAR T cell therapy"),
        (A003, "breakfree-1-phase-1", "stated", "false", "the Phase 1 Breakfree-1 trial")]),
    ("RESET-SSc", "cart:sponsoredBy", "BMS", [
        (A002, "reset-ssc-sponsor-bms", "stated", "true",
         "Bristol Myers Squibb and Cabaletta Bio have reported encouraging results from their "
         "Phase I/II clinical trials")]),
    ("rese-cel", "cart:developedBy", "cabaletta-bio", [
        (A002, "rese-cel-developed-by-cabaletta", "stated", "false",
         "Cabaletta Bio have reported encouraging results from their Phase I/II clinical trials "
         "investigating resecabtagene autoleucel (rese-cel)"),
        (A002, "rese-cel-developed-by-cabaletta", "stated", "false",
         "Cabaletta's CAR T Therapy Spurs Remissions in Small Lupus Trial")]),
    ("liso-cel", "cart:targetsAntigen", "CD19", [
        (A003, "liso-cel-targets-cd19", "inferred", "false", "a CD19-directed CAR T-cell therapy"),
        (A003, "liso-cel-targets-cd19", "inferred", "false",
         "the CAR construct used in BMS-986353 is the same as that found in lisocabtagene "
         "maraleucel (Breyanzi)")]),
    # a fact no source asserts has no evidence
    ("rese-cel", "cart:targetsAntigen", "CD19", []),
])
def test_evidence_for_fact(store: GraphStore, subject: str, predicate: str, obj: str,
                           expected: list[tuple[str, ...]]) -> None:
    rows = answer(store, "evidence_for_fact", subject=subject, predicate=predicate, object=obj)
    assert pick(rows, "article", "claim", "basis", "disputed", "quote") == expected
    assert {r["predicate"] for r in rows} <= {PREFIXES["cart"] + predicate.split(":")[1]}


# --- 13. the questions article 002 raises ("Explore Further") ------------------------------------


def test_key_safety_findings_of_rese_cel_are_not_in_the_sources(store: GraphStore) -> None:
    assert answer(store, "key_safety_findings_by_indication", therapy="rese-cel") == []


def test_key_safety_findings_by_indication_of_bms_986353(store: GraphStore) -> None:
    rows = answer(store, "key_safety_findings_by_indication", therapy="zola-cel")
    assert {r["trial"] for r in rows} == {"Breakfree-1"} and {r["phase"] for r in rows} == {
        "Phase 1"}
    by_indication = {i: sorted(r["claim"] for r in rows if r["indication"] == i)
                     for i in {r["indication"] for r in rows}}
    assert by_indication == {
        IIM: ["all-aes-low-grade", "all-crs-transient", "all-neurotoxicity-transient",
              "iim-neurotoxicity-resolved"],
        SLE: ["all-aes-low-grade", "all-crs-transient", "all-neurotoxicity-transient",
              "sle-aes-manageable"],
        SSC: ["aes-low-grade", "all-aes-low-grade", "all-crs-transient",
              "all-neurotoxicity-transient", "crs-low-grade", "icans-grade-3", "icans-low-grade",
              "safety-manageable"],
    }


def test_efficacy_of_rese_cel_across_indications(store: GraphStore) -> None:
    rows = answer(store, "efficacy_across_indications", therapy="rese-cel")
    free = (None, "off immunosuppressive therapy", None, None, None,
            "rese-cel-immunosuppressant-free")
    assert pick(rows, "indication", "trial", "measure", "value", "unit", "timepoint",
                "claim") == [
        ("antisynthetase syndrome", *free),
        ("antisynthetase syndrome", "RESET-Myositis",
         "ACR/EULAR myositis response (Total Improvement Score)", "4", "patients",
         "after 16 weeks of treatment", "reset-myositis-tis-16w"),
        ("dermatomyositis", *free),
        ("dermatomyositis", "RESET-Myositis",
         "ACR/EULAR myositis response (Total Improvement Score)", "4", "patients",
         "after 16 weeks of treatment", "reset-myositis-tis-16w"),
        ("lupus nephritis", *free),
        ("lupus nephritis", "RESET-SLE", "complete renal response", "1", "patients",
         "not stated in the article", "reset-sle-ln-complete-renal-response"),
        (SLE, *free),
        (SLE, "RESET-SLE", "disease remission", "3", "patients",
         "with at least three months of follow-up", "reset-sle-remission"),
        (SSC, *free),
        (SSC, "RESET-SSc", "clinical improvement", None, None,
         "with at least three months of follow-up", "reset-ssc-clinical-improvement"),
    ]


def test_registrational_and_regulatory_timeline_of_rese_cel(store: GraphStore) -> None:
    rows = answer(store, "registrational_and_regulatory_timeline", therapy="CABA-201")
    assert pick(rows, "plan_kind", "indication", "timeframe", "planned_by", "disputed",
                "article_date", "claim") == [
        ("registrational trial", "dermatomyositis", "upcoming", None, "false", None,
         "dm-registrational-cohort"),
        ("registrational trial", "myositis", None, "Cabaletta Bio", "false", None,
         "myositis-registrational-trial"),
        ("regulatory alignment", SLE, "this year", "Bristol Myers Squibb", "true", None,
         "fda-alignment-bms"),
        ("regulatory alignment", SLE, "this year", "Cabaletta Bio", "false", None,
         "fda-alignment-cabaletta"),
        ("regulatory alignment", SSC, "this year", "Bristol Myers Squibb", "true", None,
         "fda-alignment-bms"),
        ("regulatory alignment", SSC, "this year", "Cabaletta Bio", "false", None,
         "fda-alignment-cabaletta"),
    ]


def test_projected_market_size_is_not_answered_by_any_source(store: GraphStore) -> None:
    assert answer(store, "projected_market_size") == []
    # the article asks the question; no claim answers it
    _, rows = store.select("PREFIX cart: <https://w3id.org/cart-kg/ontology#> "
                           f"SELECT ?t WHERE {{ <{res('article/' + A002)}> cart:text ?t }}")
    assert "What is the projected market size for CAR T therapy" in str(_cell(rows[0][0]))


# --- 14. pharmacodynamics, cohorts, identifiers, quotes ------------------------------------------


def test_pharmacodynamic_evidence(store: GraphStore) -> None:
    rows = answer(store, "pharmacodynamic_evidence")
    assert pick(rows, "therapy", "measure", "statistic", "value", "unit", "population_size",
                "article", "claim") == [
        (ZOLA, "B-cell depletion", "qualitative", None, None, "71", A000, "all-b-cell-depletion"),
        (ZOLA, "B-cell depletion", "proportion", "100", "percent", "26", A003,
         "b-cell-depletion-all"),
        (ZOLA, "CAR T-cell expansion", "qualitative", None, None, "71", A000,
         "all-car-t-expansion"),
        (ZOLA, "CAR T-cell expansion", "qualitative", None, None, "26", A003, "car-t-expansion"),
        (ZOLA, "autoantibody normalisation", "proportion", "100", "percent", None, A003,
         "ana-normalised"),
        (ZOLA, "autoantibody normalisation", "proportion", "100", "percent", None, A003,
         "anti-rnap3-normalised"),
        (ZOLA, "re-emergence of naive B cells", "qualitative", None, None, "71", A000,
         "all-naive-b-cell-reemergence"),
    ]


def test_trial_cohorts(store: GraphStore) -> None:
    rows = answer(store, "trial_cohorts")
    assert pick(rows, "trial", "therapy", "size", "article", "basis") == [
        ("Breakfree-1", ZOLA, "71", A000, "inferred"),
        ("Breakfree-1", ZOLA, "26", A003, "stated"),
        ("RESET-Myositis", RESE, "6", A002, "stated"),
        ("RESET-SLE", RESE, "4", A002, "inferred"),
        ("RESET-SSc", RESE, "4", A002, "stated"),
    ]


@pytest.mark.parametrize(("identifier", "expected"), [
    ("http://purl.obolibrary.org/obo/MONDO_0005100",
     [(res("indication/systemic-sclerosis"), SSC, "indication", "true")]),
    (f"{NCT}NCT06121297", [(res("trial/reset-sle"), "RESET-SLE", "trial", "false")]),
    ("https://ror.org/00gtmwv55",
     [(res("sponsor/bristol-myers-squibb"), "Bristol Myers Squibb", "sponsor", "false")]),
    ("https://ror.org/00jmfr291", [(res("organization/university-of-michigan"),
                                    "University of Michigan", "organization", "true")]),
    # NCT05765006 is sometimes given for RESET-SLE; it is another product's trial
    (f"{NCT}NCT05765006", []),
])
def test_entity_for_external_identifier(store: GraphStore, identifier: str,
                                        expected: list[tuple[str, ...]]) -> None:
    rows = answer(store, "entity_for_external_identifier", identifier=identifier)
    assert pick(rows, "entity", "name", "kind", "verified") == expected


@pytest.mark.parametrize(("text", "claims"), [
    ("grade-3 ICANS", ["icans-grade-3"]),
    # quotes and braces in a string parameter are data, matched literally
    ('"moderate or major improvement"', ["reset-myositis-tis-16w"]),
    ('x" } ?s ?p ?o { "', []),
    ("} UNION { ?s ?p ?o", []),
])
def test_claims_quoting_text(store: GraphStore, text: str, claims: list[str]) -> None:
    rows = answer(store, "claims_quoting_text", text=text)
    assert [r["claim"] for r in rows] == claims
    assert {r["text"] for r in rows} <= {text}


# --- parameters: typed, checked, bound ------------------------------------------------------------

# (query, given parameters, what the error says)
BAD_PARAMS = [
    ("safety_findings_for_therapy", {}, "needs --param therapy="),
    ("safety_findings_for_therapy", {}, "example: therapy=BMS-986353"),
    ("safety_findings_for_therapy", {"therapy": "rese-cel", "colour": "red"},
     "has no parameter colour"),
    ("safety_findings_for_therapy", {"therapy": "rese-cel", "colour": "red"},
     "therapy (label: a name, synonym or key"),
    ("safety_findings_for_therapy", {"therapy": "rese-ce"}, "Did you mean 'rese-cel'"),
    ("evidence_for_fact", {"subject": "breakfree-1", "predicate": "hasPhase",
                           "object": "phase-1"},
     "'hasPhase' is not a CURIE with a known prefix"),
    ("evidence_for_fact", {"subject": "breakfree-1", "predicate": "hasPhase",
                           "object": "phase-1"}, "example: cart:hasPhase"),
    ("evidence_for_fact", {"subject": "breakfree-1", "predicate": "foo:hasPhase",
                           "object": "phase-1"}, "not a CURIE with a known prefix"),
    ("entity_for_external_identifier", {"identifier": "MONDO:0005100"},
     "is not an absolute IRI"),
    ("entity_for_external_identifier", {"identifier": "MONDO:0005100"},
     "example: http://purl.obolibrary.org/obo/MONDO_0005100"),
    # injection attempts: refused before any engine sees them
    ("safety_findings_for_therapy", {"therapy": 'rese-cel" } ?s ?p ?o {'},
     "nothing in the graph is named 'rese-cel\" } ?s ?p ?o {'"),
    ("entity_for_external_identifier", {"identifier": "http://x> } SELECT * { ?s ?p ?o"},
     "is not an absolute IRI"),
    ("evidence_for_fact", {"subject": "breakfree-1", "predicate": "cart:hasPhase> } { ?s ?p ?o",
                           "object": "phase-1"}, "not a CURIE with a known prefix"),
]


@pytest.mark.parametrize(("name", "params", "says"), BAD_PARAMS)
def test_a_bad_parameter_is_a_query_error_that_says_what_is_expected(
        store: GraphStore, name: str, params: dict[str, str], says: str) -> None:
    query = load_query(QUERIES / f"{name}.rq")
    with pytest.raises(QueryError, match=re.escape(says)):
        bind_params(query, params, store)


# one case of each kind for the command line (each run loads the whole library)
BAD_PARAMS_CLI = [BAD_PARAMS[i] for i in (1, 3, 4, 6, 9, 10, 11)]


@pytest.mark.parametrize(("name", "params", "says"), BAD_PARAMS_CLI)
def test_a_bad_parameter_on_the_command_line_exits_2_with_the_message(
        data_file: Path, name: str, params: dict[str, str], says: str) -> None:
    args = [a for k, v in params.items() for a in ("--param", f"{k}={v}")]
    code, out = cli("query", name, *args, "--data", str(data_file))
    assert code == 2
    assert out.startswith("error: ") and says in out
    assert "Traceback" not in out


def test_a_value_is_bound_as_a_term_not_pasted_into_the_query(store: GraphStore,
                                                              dataset: object) -> None:
    """Even a hostile value given straight to the engine is one term: no rows, same columns."""
    query = load_query(QUERIES / "safety_findings_for_therapy.rq")
    for hostile in (ox.Literal('rese-cel" } ?s ?p ?o {'),
                    ox.NamedNode("http://x/%3E%20%7D%20SELECT%20*%20%7B%20?s%20?p%20?o")):
        for result in (run_query(store, query.sparql, {"therapy": hostile}),
                       run_query_rdflib(dataset, query.sparql, {"therapy": hostile})):
            assert result.columns == query.returns
            assert result.rows == ()


WHERE_GROUPS = [
    # (query, the text just before the outermost group's "{")
    ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE "),
    ("SELECT ?x { ?x ?p ?o }", "SELECT ?x "),
    # braces inside a comment, a string or the projection's parentheses are skipped
    ("# { not this\nSELECT ?x WHERE { ?x ?p '{' }", "# { not this\nSELECT ?x WHERE "),
    ('SELECT ("""{""" AS ?x) WHERE { ?x ?p "}" }', 'SELECT ("""{""" AS ?x) WHERE '),
    ("SELECT (EXISTS { ?a ?b ?c } AS ?x) WHERE { ?s ?p ?o }",
     "SELECT (EXISTS { ?a ?b ?c } AS ?x) WHERE "),
]


@pytest.mark.parametrize(("sparql", "before"), WHERE_GROUPS)
def test_the_values_block_opens_the_outermost_group(sparql: str, before: str) -> None:
    at = where_group(sparql)
    assert sparql[:at] == before + "{"
    bound = bind_values(sparql, {"x": ox.Literal('a "quoted" } value')})
    assert bound == (sparql[:at] + '\n  VALUES (?x) { ("a \\"quoted\\" } value") }'
                     + sparql[at:])


def test_a_parameter_is_bound_in_nested_groups_too(store: GraphStore, dataset: object) -> None:
    """Regression: bound by the VALUES block alone, a filter in a nested group did not see it.

    claims_quoting_text filters the quotes in a nested group; the parameter is also an Oxigraph
    substitution, which binds it everywhere, as rdflib's initBindings does.
    """
    query = load_query(QUERIES / "claims_quoting_text.rq")
    bindings = {"text": ox.Literal("grade-3 ICANS")}
    oxigraph = run_query(store, query.sparql, bindings)
    assert [row[2] for row in oxigraph.rows] == [ox.Literal("icans-grade-3")]
    assert oxigraph == run_query_rdflib(dataset, query.sparql, bindings)


def test_only_variable_names_are_bound() -> None:
    with pytest.raises(ValueError, match="not variable names: 'x y'"):
        bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x y": ox.Literal("v")})


# --- queries that could reach the network are refused ---------------------------------------------

NETWORK = [
    ("SERVICE", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"),
    ("SERVICE", "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }"),
    ("FROM", "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"),
    ("FROM", "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }"),
    ("LOAD", "LOAD <http://example.org/data.ttl>"),
    ("LOAD", "LOAD <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>"),
]


@pytest.mark.parametrize(("keyword", "sparql"), NETWORK)
def test_a_query_that_could_reach_the_network_is_refused(store: GraphStore, dataset: object,
                                                         keyword: str, sparql: str) -> None:
    for engine in (lambda: run_query(store, sparql), lambda: run_query_rdflib(dataset, sparql)):
        with pytest.raises(QueryError, match=f"{keyword} is refused"):
            engine()


@pytest.mark.parametrize(("keyword", "sparql"), NETWORK)
def test_the_command_line_refuses_network_queries_with_exit_2(data_file: Path, keyword: str,
                                                              sparql: str) -> None:
    code, out = cli("query", "--sparql", sparql, "--data", str(data_file))
    assert code == 2
    assert f"error: query: {keyword} is refused" in out and "never reach the network" in out
    assert "Traceback" not in out


def test_a_query_file_with_service_is_refused_when_loaded(tmp_path: Path, data_file: Path
                                                          ) -> None:
    path = tmp_path / "remote.rq"
    path.write_text("#+ title: t\n#+ question: q\n#+ returns: [s]\n"
                    "SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }\n",
                    encoding="utf-8")
    with pytest.raises(QueryError, match="SERVICE is refused"):
        load_query(path)
    code, out = cli("query", "--file", str(path), "--data", str(data_file))
    assert code == 2 and "SERVICE is refused" in out and "Traceback" not in out


def test_the_words_in_a_string_or_an_iri_are_not_refused(store: GraphStore) -> None:
    result = run_query(store, 'SELECT ?x WHERE { BIND("SERVICE FROM LOAD" AS ?x) '
                              "FILTER(?x != <http://example.org/load>) }")
    assert [_cell(row[0]) for row in result.rows] == ["SERVICE FROM LOAD"]


# Network access hidden from a scan that strips strings with a regular expression, or that wants
# a word boundary after the keyword (Oxigraph does not: it reads SERVICE:x as SERVICE :x). Port 9
# is refused by Oxigraph's HTTP client itself, in case a check ever lets one through.
HIDDEN = [
    ("SERVICE", 'SELECT * WHERE { ?s ?p ?o . # "\n SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } '
                '# "\n}'),
    ("SERVICE", "SELECT * WHERE { ?s ?p ?o . # it's\n SERVICE <http://127.0.0.1:9/> "
                "{ ?a ?b ?c } # '\n}"),
    ("SERVICE", "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { ?s ?p ?o SERVICE:x "
                "{ ?a ?b ?c } }"),
    ("SERVICE", "SELECT * WHERE { ?s ?p ?o SERVICE<http://127.0.0.1:9/>{ ?a ?b ?c } }"),
    ("SERVICE", "SELECT * WHERE { ?s ?p ?o \\u0053ERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }"),
    ("SERVICE", 'SELECT * WHERE { ?s ?p "\\u0022 } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } '
                '# \\u0022" }'),
    # <#> reads as an IRI to a lexer, but here it is "less than" and a comment to the engines
    ("SERVICE", 'SELECT * WHERE { ?s ?p ?o FILTER(?s <#>"""\n?o) SERVICE <http://127.0.0.1:9/> '
                '{ ?a ?b ?c } # """\n}'),
    ("FROM", "PREFIX ex: <http://127.0.0.1:9/> ASKFROM ex:x { ?a ?b ?c }"),
    ("FROM", "SELECT * \\u0046ROM <http://127.0.0.1:9/x> WHERE { ?a ?b ?c }"),
]


@pytest.mark.parametrize(("keyword", "sparql"), HIDDEN)
def test_a_network_keyword_hidden_by_comments_escapes_or_spacing_is_refused(
        store: GraphStore, keyword: str, sparql: str) -> None:
    with pytest.raises(QueryError, match=f"{keyword} is refused"):
        run_query(store, sparql)


def test_a_keyword_glued_to_a_prefixed_name_is_refused_as_not_sparql_1_1(store: GraphStore
                                                                        ) -> None:
    # Oxigraph would call SERVICE ex:x; rdflib's parser (rightly) cannot read it.
    sparql = "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICEex:x { ?a ?b ?c } }"
    with pytest.raises(QueryError, match=re.escape("not a valid SPARQL 1.1 query")):
        run_query(store, sparql)


@pytest.mark.parametrize("sparql", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ex:p ?o }",
    "CLEAR ALL",
])
def test_an_update_is_refused(store: GraphStore, sparql: str) -> None:
    with pytest.raises(QueryError, match="updates are refused"):
        run_query(store, sparql)


def test_the_check_and_the_parse_run_once_per_query_text(store: GraphStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Running the same query again costs a look-up: rdflib parses each query text once."""
    import rdflib.plugins.sparql.parser as parser

    parses: list[str] = []
    real = parser.parseQuery

    def counting(text: str) -> object:
        parses.append(text)
        return real(text)

    monkeypatch.setattr(parser, "parseQuery", counting)
    query = load_query(QUERIES / "safety_findings_for_therapy.rq")
    sparql = query.sparql + "\n# a text of its own, not yet checked in this session\n"
    for therapy in ("rese-cel", "BMS-986353", "rese-cel"):
        run_query(store, sparql, bind_params(query, {"therapy": therapy}, store))
    assert parses == [sparql]
    select_variables(sparql)  # the header check shares the same parse
    assert parses == [sparql]


def test_a_query_file_is_read_again_once_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "changing.rq"
    path.write_text("#+ title: first\n#+ question: q\n#+ returns: [s]\n"
                    "SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    first = load_query(path)
    assert load_query(path) is first  # not read again
    path.write_text("#+ title: second, longer\n#+ question: q\n#+ returns: [s]\n"
                    "SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert load_query(path).title == "second, longer"


# --- output formats on the command line ----------------------------------------------------------

SPONSOR_COLUMNS = ["sponsor", "trial", "phase", "registry_id", "id_verified", "therapy",
                   "indication", "sponsorship"]


def _sponsor_query(data_file: Path, fmt: str) -> str:
    code, out = cli("query", "trials_of_sponsor", "--param", "sponsor=cabaletta-bio", "--format",
                    fmt, "--data", str(data_file))
    assert code == 0, out
    return out


def test_table_format(data_file: Path) -> None:
    lines = _sponsor_query(data_file, "table").splitlines()
    assert lines[0].split() == SPONSOR_COLUMNS
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == "(5 rows)"
    assert lines[-2].split()[:5] == ["res:sponsor/cabaletta-bio", "RESET-SSc", "Phase", "1/2",
                                     "NCT:NCT06328777"]


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_formats(data_file: Path, fmt: str, delimiter: str) -> None:
    rows = list(csv.reader(io.StringIO(_sponsor_query(data_file, fmt)), delimiter=delimiter))
    assert rows[0] == SPONSOR_COLUMNS
    assert len(rows) == 6
    assert rows[-1] == [res("sponsor/cabaletta-bio"), "RESET-SSc", "Phase 1/2",
                        f"{NCT}NCT06328777", "true", RESE, SSC, "stated"]


def test_json_format(data_file: Path) -> None:
    rows = json.loads(_sponsor_query(data_file, "json"))
    assert len(rows) == 5
    assert all(list(row) == SPONSOR_COLUMNS for row in rows)
    assert rows[0]["registry_id"] == f"{NCT}NCT06154252" and rows[0]["id_verified"] == "false"


def test_json_leaves_out_unbound_cells(data_file: Path) -> None:
    code, out = cli("query", "therapies_by_target_antigen", "--format", "json", "--data",
                    str(data_file))
    assert code == 0
    assert {"therapy": RESE, "sources": "0"} in json.loads(out)


@pytest.mark.parametrize("sparql", [
    "SELECT ?from WHERE { ?from a <https://w3id.org/cart-kg/ontology#Trial> }",
    "PREFIX schema: <https://schema.org/> SELECT ?s WHERE { ?s a schema:Service }",
    'SELECT ?s WHERE { ?s ?p "LOAD FROM SERVICE" }',
    "SELECT ?s WHERE { ?s ?p ?o } # SERVICE <http://example.org/> in a comment",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(!EXISTS { ?s <http://example.org/services#p> ?o }) }",
    "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:loadFrom '''SERVICE\n''' }",
])
def test_network_keywords_inside_names_and_strings_are_not_refused(sparql: str) -> None:
    check_safe(sparql)  # no QueryError


def test_follow_up_per_trial_as_the_articles_write_it(store: GraphStore) -> None:
    rows = answer(store, "follow_up_per_trial")
    assert pick(rows, "trial", "follow_up", "qualifier", "value", "unit", "months", "claim") == [
        ("Breakfree-1", "up to 18 months follow-up", "up-to", "18", "month", "18",
         "sle-off-immunosuppressants-92pct"),
        ("RESET-SLE", "with at least three months of follow-up", "at-least", "3", "month", "3",
         "reset-sle-remission"),
        ("RESET-SSc", "with at least three months of follow-up", "at-least", "3", "month", "3",
         "reset-ssc-clinical-improvement")]


def test_derived_values_of_the_seed_articles_are_the_month_equivalents(store: GraphStore) -> None:
    rows = answer(store, "derived_values")
    assert pick(rows, "article", "claim", "derivation") == [
        (A002, "reset-myositis-tis-16w",
         "timepoint months: 16 week x 7 days / 30.4375 days per month = 3.68 months"),
        (A003, "icans-grade-3",
         "resolution months: 5 day x 1 days / 30.4375 days per month = 0.16 months")]


def test_adverse_events_of_grade_3_or_higher_across_therapies(store: GraphStore) -> None:
    rows = answer(store, "adverse_events_grade_3_or_higher")
    assert pick(rows, "therapy", "trial", "event", "grade", "patients", "percent", "of_patients",
                "resolution", "reversible", "article", "claim") == [
        (ZOLA, "Breakfree-1", ICANS, "3", "2", None, "26", "within five days", "true", A003,
         "icans-grade-3")]


def test_reports_at_different_data_cuts_are_never_a_disagreement(real_build: BuildResult) -> None:
    # the same result with another value, but at a data cut-off the first report does not have:
    # a later cut of the result, not a conflict (see results_by_data_cut)
    copied = _copy_claim(real_build.quads, A000, "ssc-pfvc-6m", SYNTHETIC, "12")
    outcome = ox.NamedNode(res(f"outcome/{SYNTHETIC}/ssc-pfvc-6m"))
    cutoff = ox.Quad(outcome, ox.NamedNode(f"{PREFIXES['cart']}dataCutoff"),
                     ox.Literal("2025-06-01", datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#date")),
                     ox.NamedNode(res(f"assertion/{SYNTHETIC}/ssc-pfvc-6m")))
    for rows in _both_engines([*real_build.quads, *copied, cutoff], "conflicting_outcomes"):
        assert rows == []


def test_reports_per_trial_of_the_seed_articles(store: GraphStore) -> None:
    rows = answer(store, "reports_per_trial")
    # every report of each trial, with its kind, date, claims and results; no seed article gives
    # a data cut-off, so none is current
    assert pick(rows, "trial", "article", "kind", "date", "claims", "results", "cut") == [
        ("Breakfree-1", A003, "news", None, "23", "14", "no cut-off given"),
        ("Breakfree-1", A000, "news", "2025-10-25", "19", "14", "no cut-off given"),
        ("RESET-Myositis", A002, "news", None, "8", "1", "no cut-off given"),
        ("RESET-SLE", A002, "news", None, "10", "2", "no cut-off given"),
        ("RESET-SSc", A002, "news", None, "8", "1", "no cut-off given")]


def test_reports_per_trial_mark_the_latest_data_cut_current() -> None:
    # the evidence test corpus: TRIAL-ONE is reported by a press release, two news items that
    # summarise it, a paper, an abstract with a June 2025 cut, an update with an October 2025 cut
    # of the same result, and a release on how it was given
    from conftest import EVIDENCE

    quads = build_dataset(EVIDENCE, out=None).quads
    for rows in _both_engines(quads, "reports_per_trial"):
        assert pick(rows, "trial", "article", "kind", "date", "results", "data_cutoffs",
                    "latest_cutoff", "cut") == [
            ("TRIAL-ONE", "s1-release", "press-release", "2025-09-10", "1", None, "2025-10-01",
             "no cut-off given"),
            ("TRIAL-ONE", "s2-news", "news", "2025-09-11", "0", None, "2025-10-01",
             "no cut-off given"),
            ("TRIAL-ONE", "s3-news", "news", "2025-09-12", "0", None, "2025-10-01",
             "no cut-off given"),
            ("TRIAL-ONE", "s4-paper", "paper", "2025-10-01", "0", None, "2025-10-01",
             "no cut-off given"),
            ("TRIAL-ONE", "t1-abstract", "congress-abstract", "2025-11-01", "8", "2025-06-01",
             "2025-10-01", "earlier cut"),
            ("TRIAL-ONE", "t2-update", "press-release", "2025-11-15", "1", "2025-10-01",
             "2025-10-01", "current"),
            ("TRIAL-ONE", "t3-regimen", "press-release", "2025-11-20", "0", None, "2025-10-01",
             "no cut-off given"),
            ("TRIAL-TWO", "t4-trial", "congress-abstract", "2025-11-25", "1", None, None,
             "no cut-off given")]
