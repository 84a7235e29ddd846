"""The benchmark's verdicts (benchmarks/report.py): growth and memory read off a run's results.

The benchmark measures and never asserts on time; these tests check only that the report judges
hand-made figures as the targets say.
"""

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import report


def size(articles: int, queries: dict[str, tuple[float, int]], engine: float = 1.0,
         exports: dict[str, float] | None = None, rss: float = 100.0,
         machine: float | None = None) -> dict[str, Any]:
    """The results of one size: query name -> (seconds, rows); the floors; exports."""
    floor = {"load": 0.1, "scan": {"seconds": engine, "rows": articles * 27},
             "one look-up": {"seconds": 2 * engine, "rows": articles * 27}}
    if machine is not None:
        floor["machine"] = {"seconds": machine, "rows": articles * 27}
    return {
        "size": articles,
        "queries": {
            "oxigraph": {n: {"kg": t, "raw": t, "rows": rows} for n, (t, rows) in queries.items()},
            "processes": [{"query": n, "max_rss_mb": rss} for n in queries],
            "engine_floor": {"max_rss_mb": 50.0, "result": floor},
        },
        "export": {name: {"wall": t, "max_rss_mb": rss, "result": {"seconds": t, "load": 0.1,
                                                                   "bytes": articles * 1000}}
                   for name, t in (exports or {}).items()},
    }


def verdicts(results: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each target row whose name starts with one of ours: first words -> (figure, verdict)."""
    rows = report.targets(results)
    return {name.split(" (")[0]: (figure, verdict) for name, figure, verdict in rows
            if name.startswith(("growth", "peak memory of every"))}


def test_growth_is_brought_to_ten_times_the_articles() -> None:
    a, b = size(100, {}), size(1000, {})
    assert report.per_10x(100.0, a, size(10000, {})) == pytest.approx(10.0)
    assert report.per_10x(12.0, a, b) == pytest.approx(12.0)


def test_a_query_growing_by_at_most_11x_is_within_the_target() -> None:
    run = [size(1000, {"q": (1.0, 100)}), size(10000, {"q": (10.9, 1000)})]
    figure, verdict = verdicts(run)["growth: 10x the articles costs <= 11x the time"]
    assert verdict == "PASS", figure


def test_a_query_growing_faster_than_the_data_and_its_answer_misses() -> None:
    run = [size(1000, {"q": (1.0, 100)}), size(10000, {"q": (13.0, 1000)})]
    figure, verdict = verdicts(run)["growth: 10x the articles costs <= 11x the time"]
    assert verdict == "MISS"
    assert "query q 13.0x (answer 10.0x)" in figure


def test_a_query_whose_answer_grows_faster_than_the_data_may_grow_with_its_answer() -> None:
    run = [size(1000, {"q": (1.0, 100)}), size(10000, {"q": (13.0, 1300)})]
    assert verdicts(run)["growth: 10x the articles costs <= 11x the time"][1] == "PASS"


def test_queries_are_judged_against_the_engine_floor_of_the_same_stores() -> None:
    engine_grows_12x = [size(1000, {"q": (1.0, 100)}, engine=1.0),
                        size(10000, {"q": (13.0, 1000)}, engine=12.0)]
    figure, verdict = verdicts(engine_grows_12x)["growth of each query <= 1.1x the engine floor's"]
    assert verdict == "PASS", figure
    assert "median 12.0x" in figure
    engine_grows_10x = [size(1000, {"q": (1.0, 100)}, engine=1.0),
                        size(10000, {"q": (13.0, 1000)}, engine=10.0)]
    assert verdicts(engine_grows_10x)["growth of each query <= 1.1x the engine floor's"][1] \
        == "MISS"


def test_exports_grow_against_their_bytes_written() -> None:
    run = [size(1000, {}, exports={"graphml": 1.0}), size(10000, {}, exports={"graphml": 12.5})]
    figure, verdict = verdicts(run)["growth: 10x the articles costs <= 11x the time"]
    assert verdict == "MISS"
    assert "export graphml 12.5x (answer 10.0x)" in figure


def test_every_process_that_reads_the_dataset_counts_for_memory() -> None:
    within = [size(1000, {"q": (1.0, 10)}), size(10000, {"q": (10.0, 100)}, rss=900.0)]
    assert verdicts(within)["peak memory of every query, export and trace process <= 1 GB"][1] \
        == "PASS"
    over = [size(1000, {}), size(10000, {"q": (10.0, 100)}, exports={"html": 5.0}, rss=1200.0)]
    figure, verdict = verdicts(over)["peak memory of every query, export and trace process <= 1 GB"]
    assert verdict == "MISS"
    assert "1200 MB" in figure


def test_the_growth_table_marks_what_is_over_and_never_the_engine_floor(
        capsys: pytest.CaptureFixture[str]) -> None:
    run = [size(1000, {"fast": (1.0, 100), "slow": (1.0, 100)}, engine=1.0),
           size(10000, {"fast": (9.0, 1000), "slow": (20.0, 1000)}, engine=12.0)]
    report.print_work_growth(run)
    out = capsys.readouterr().out.splitlines()
    lines = {line.split(" | ")[0].strip("| "): line for line in out}
    assert "9.0x (10.0x)" in lines["query fast"] and "*" not in lines["query fast"]
    assert "20.0x * (10.0x)" in lines["query slow"]
    assert "12.0x (10.0x)" in lines["engine floor: scan"] and "*" not in lines["engine floor: scan"]


def test_a_query_without_a_time_at_the_larger_size_leaves_the_growth_unjudged() -> None:
    run = [size(1000, {"q": (1.0, 100), "slow": (9.0, 100)}),
           size(10000, {"q": (10.0, 1000)})]
    figure, verdict = verdicts(run)["growth: 10x the articles costs <= 11x the time"]
    assert verdict == "-"
    assert "no time at 10000 (failed or stopped): query slow" in figure


def test_the_machine_floor_is_shown_beside_the_engine_but_neither_judged_nor_in_its_median(
        capsys: pytest.CaptureFixture[str]) -> None:
    run = [size(1000, {"q": (1.0, 100)}, engine=1.0, machine=0.01),
           size(10000, {"q": (13.0, 1000)}, engine=12.0, machine=0.2)]
    figures = verdicts(run)
    assert "median 12.0x" in figures["growth of each query <= 1.1x the engine floor's"][0]
    assert "machine" not in figures["growth: 10x the articles costs <= 11x the time"][0]
    report.print_work_growth(run)
    lines = {line.split(" | ")[0].strip("| "): line for line in capsys.readouterr().out.split("\n")}
    assert "20.0x (10.0x)" in lines[report.MACHINE] and "*" not in lines[report.MACHINE]


def test_an_export_with_workers_counts_its_whole_process_tree_for_memory() -> None:
    run = [size(1000, {}), size(10000, {"q": (10.0, 100)}, exports={"turtle": 5.0}, rss=600.0)]
    run[1]["export"]["turtle"]["tree_rss_mb"] = 1100.0  # the parent and two workers
    figure, verdict = verdicts(run)["peak memory of every query, export and trace process <= 1 GB"]
    assert verdict == "MISS"
    assert "1100 MB (export turtle)" in figure
