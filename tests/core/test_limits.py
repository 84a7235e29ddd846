"""Every query bounded: a time limit, a memory limit, and Ctrl-C that stops it with a message.

The limits stop Rust code (Oxigraph) that never returns to Python, so the end-to-end cases run
`cartkg query` in a process of its own and look at its exit code and message; the cross joins are
ones no machine finishes (four-way on the test corpus: about 10^10 rows).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import MINI

from kg.cli.main import main
from kg.core.limits import Stop, bounded

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SORTED_JOIN = "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"


def _stopped(seconds: float | None, memory: int | None) -> Stop:
    stops: list[Stop] = []
    event = threading.Event()

    def record(stop: Stop) -> None:
        stops.append(stop)
        event.set()

    with bounded(seconds, memory, on_stop=record):
        assert event.wait(60), "the watcher never stopped the step"
    return stops[0]


def test_step_past_its_time_limit_is_stopped_with_exit_2() -> None:
    stop = _stopped(0.01, None)
    assert stop.code == 2
    assert "the query ran for more than 0.01 s and was stopped" in str(stop)
    assert "--timeout SECONDS" in str(stop)


def test_step_past_its_memory_limit_is_stopped_with_exit_2() -> None:
    stop = _stopped(None, 1)  # one byte: any process holds more
    assert stop.code == 2
    assert "needed more than 0 MiB of memory" in str(stop) and "--max-memory MB" in str(stop)


def test_ctrl_c_in_a_bounded_step_is_a_stop_with_exit_130() -> None:
    seen: list[Stop] = []
    with pytest.raises(Stop) as err, bounded(None, None, on_stop=seen.append):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # interrupted by the signal's KeyboardInterrupt
    assert err.value.code == 130
    assert "interrupted (Ctrl-C" in str(err.value)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_query_timeout_option_is_checked() -> None:
    result = CliRunner().invoke(main, ["query", "--timeout", "0", "--sparql", "SELECT * {}"])
    assert result.exit_code == 2
    assert "Invalid value for '--timeout'" in result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("limits") / "build"
    result = CliRunner().invoke(main, ["build", "--sources", str(MINI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _query(built: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "kg", "query", "--data", str(built), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_query_cross_join_stops_at_its_timeout(built: Path) -> None:
    child = _query(built, "--timeout", "1", "--sparql", CROSS_JOIN)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 2, err.decode()
    assert b"error: the query ran for more than 1 s and was stopped" in err
    assert out == b""


def test_query_that_would_exhaust_memory_stops_with_an_error(built: Path) -> None:
    child = _query(built, "--max-memory", "200", "--sparql", SORTED_JOIN)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 2, err.decode()
    assert b"error: the query needed more than 200 MiB of memory" in err
    assert b"Traceback" not in err and out == b""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_query_stops_on_ctrl_c_with_a_clear_message(built: Path) -> None:
    child = _query(built, "--sparql", CROSS_JOIN)
    # starting takes well under 3 s of CPU: past that, the query is running
    while child.poll() is None and _cpu_seconds(child.pid) < 3:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err.decode()
    assert err == b"error: the query was interrupted (Ctrl-C or a stop signal); nothing was " \
                  b"printed.\n"
