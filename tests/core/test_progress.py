"""Progress bars: drawn on a terminal, silent in CI, when piped and when turned off.

Nothing here depends on timing: the clock is injected where throttling matters, and the
subprocess tests read their output to the end.
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MINI, ROOT

from kg.build.build import build_dataset
from kg.core.progress import Progress, enabled, progress, track

ENV_VARS = ("CI", "CARTKG_PROGRESS", "TERM", "COLUMNS")


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    encoding = "utf-8"

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CI, no override, an ordinary terminal type and width, whatever runs the tests."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "80")


def run_bar(stream: io.StringIO, total: int = 3, *, leave: bool = True) -> str:
    with Progress("Validating", total, stream=stream, leave=leave) as bar:
        for _ in range(total):
            bar.advance()
    return stream.getvalue()


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    return {**env, "TERM": "xterm", "COLUMNS": "80", "PYTHONPATH": str(ROOT), **extra}


def read_to_end(fd: int) -> bytes:
    """Everything written to a pseudo-terminal until its last writer closed it."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the slave side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# --- when a bar is drawn -----------------------------------------------------------------------


def test_nothing_is_written_when_the_stream_is_not_a_terminal() -> None:
    assert run_bar(io.StringIO()) == ""


def test_nothing_is_written_to_a_pipe() -> None:
    read, write = os.pipe()
    with os.fdopen(read, "rb") as reader:
        with os.fdopen(write, "w") as writer, Progress("Validating", 3, stream=writer) as bar:
            bar.advance(3)
        assert reader.read() == b""


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_nothing_is_written_in_ci_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                                     value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert run_bar(Terminal()) == ""


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_ci_set_to_empty_zero_or_false_does_not_count(monkeypatch: pytest.MonkeyPatch,
                                                      value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert "Validating" in run_bar(Terminal())


def test_nothing_is_written_on_a_dumb_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert run_bar(Terminal()) == ""


def test_cartkg_progress_0_turns_it_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTKG_PROGRESS", "0")
    assert run_bar(Terminal()) == ""


def test_cartkg_progress_1_forces_it_on_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("CARTKG_PROGRESS", "1")
    out = run_bar(io.StringIO())
    assert "Validating" in out and "3/3" in out and "100%" in out


def test_enabled_reads_the_environment_it_is_given() -> None:
    assert enabled(Terminal(), {"TERM": "xterm"})
    assert not enabled(Terminal(), {"CI": "true"})
    assert not enabled(io.StringIO(), {})
    assert enabled(io.StringIO(), {"CARTKG_PROGRESS": "1"})


# --- what is drawn -----------------------------------------------------------------------------


def test_the_bar_shows_label_bar_count_percent_elapsed_and_rate() -> None:
    clock = Clock()
    bar = Progress("Reading articles", 4, stream=Terminal(), clock=clock)
    clock.now += 2
    bar.count = 1
    line = bar.line(clock.now)
    assert line.startswith("Reading articles |█")
    assert line.endswith("| 1/4  25% 2.0s 0.5/s")
    assert len(line) < 80


def test_an_unknown_total_shows_the_count_without_a_bar() -> None:
    clock, stream = Clock(), Terminal()
    with Progress("Checking", stream=stream, clock=clock) as bar:
        bar.advance(5, status="chunk 1")
        assert bar.line(clock.now) == "Checking 5 0.0s chunk 1"
    assert "|" not in stream.getvalue()


def test_the_line_fits_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    bar = Progress("A long label for a narrow terminal", 10, stream=Terminal())
    assert len(bar.line(0.0)) == 29


def test_redraws_at_most_ten_times_a_second_but_a_new_status_at_once() -> None:
    clock, stream = Clock(), Terminal()
    with Progress("Validating", 100, stream=stream, clock=clock) as bar:
        assert stream.getvalue().count("\r") == 1  # drawn on entry
        for _ in range(50):
            bar.advance()  # no time passes: no redraw
        assert stream.getvalue().count("\r") == 1
        clock.now += 0.2
        bar.advance()
        assert stream.getvalue().count("\r") == 2 and "51/100" in stream.getvalue()
        bar.advance(status="chunk 2")
        assert stream.getvalue().count("\r") == 3 and "chunk 2" in stream.getvalue()


def test_it_finishes_on_a_line_of_its_own() -> None:
    out = run_bar(Terminal())
    assert out.endswith("\n") and out.count("\n") == 1
    assert out.rstrip("\n").rsplit("\r", 1)[-1].startswith("Validating |███")


def test_with_leave_false_it_erases_itself() -> None:
    out = run_bar(Terminal(), leave=False)
    assert "\n" not in out
    assert out.endswith("\r") and out.rsplit("\r", 2)[-2].strip() == ""


def test_an_error_erases_the_bar_and_propagates() -> None:
    stream = Terminal()
    with pytest.raises(KeyError), Progress("Validating", 3, stream=stream) as bar:
        bar.advance()
        raise KeyError("boom")
    assert "\n" not in stream.getvalue() and stream.getvalue().endswith("\r")


def test_clear_makes_room_for_a_message_and_the_next_draw_brings_it_back() -> None:
    clock, stream = Clock(), Terminal()
    with Progress("Validating", 3, stream=stream, clock=clock) as bar:
        bar.clear()
        stream.write("warning: something\n")
        clock.now += 1
        bar.advance()
    assert "warning: something\nValidating" in stream.getvalue().replace("\r", "")


def test_a_closed_or_broken_stream_is_not_an_error() -> None:
    class Broken(Terminal):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    closed = Terminal()
    closed.close()
    for stream in (closed, Broken()):
        with Progress("Validating", 3, stream=stream, clock=Clock()) as bar:
            bar.advance(3, status="done")


def test_track_yields_every_item_and_takes_the_total_from_len(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CARTKG_PROGRESS", "1")
    assert list(track(["a", "b", "c"], "Reading articles")) == ["a", "b", "c"]
    assert "3/3" in capsys.readouterr().err

    def items() -> Iterator[int]:
        yield from range(4)

    assert list(track(items(), "Counting")) == [0, 1, 2, 3]
    assert capsys.readouterr().err.rstrip("\n").rsplit("\r", 1)[-1].startswith("Counting 4 ")


def test_progress_draws_on_stderr(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    with progress("Validating", total=2) as bar:
        bar.advance(2)
    assert capsys.readouterr().err == ""  # pytest's capture is not a terminal
    monkeypatch.setenv("CARTKG_PROGRESS", "1")
    with progress("Validating", total=2) as bar:
        bar.advance(2)
    assert "2/2" in capsys.readouterr().err


# --- real terminals and pipes ------------------------------------------------------------------

BAR_SCRIPT = """
from kg.core.progress import track
for _ in track(range(3), "Validating"):
    pass
"""


def test_a_pseudo_terminal_gets_the_bar() -> None:
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-c", BAR_SCRIPT], stderr=slave,
                                 stdout=subprocess.DEVNULL, env=subprocess_env())
        os.close(slave)
        out = read_to_end(master).decode()
        assert child.wait(timeout=60) == 0
    finally:
        os.close(master)
    assert "\rValidating |" in out and "3/3 100%" in out


def test_a_pseudo_terminal_in_ci_gets_nothing() -> None:
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen([sys.executable, "-c", BAR_SCRIPT], stderr=slave,
                                 stdout=subprocess.DEVNULL, env=subprocess_env(CI="true"))
        os.close(slave)
        out = read_to_end(master)
        assert child.wait(timeout=60) == 0
    finally:
        os.close(master)
    assert out == b""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert build_dataset(MINI, out=out).report.conforms
    return out


def export(dataset: Path, target: Path) -> list[str]:
    return [sys.executable, "-m", "kg", "export", "--format", "graphml", "-o", str(target),
            "--data", str(dataset)]


def test_export_piped_writes_no_progress(dataset: Path, tmp_path: Path) -> None:
    target = tmp_path / "g.graphml"
    done = subprocess.run(export(dataset, target), capture_output=True, env=subprocess_env(),
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.startswith(b"wrote ") and target.exists()


def test_export_piped_with_progress_forced_shows_each_step(dataset: Path,
                                                           tmp_path: Path) -> None:
    # the check above would see a bar if one were drawn
    done = subprocess.run(export(dataset, tmp_path / "g.graphml"), capture_output=True,
                          env=subprocess_env(CARTKG_PROGRESS="1"), check=False)
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert "\rExporting graphml |" in err
    for status in ("projecting the graph", "writing g.graphml"):  # rendered as it is written
        assert status in err
    assert "\n" not in err and err.endswith("\r")  # erased: stdout says what was written


def test_export_on_a_pseudo_terminal_draws_the_bar(dataset: Path, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    try:
        child = subprocess.Popen(export(dataset, tmp_path / "g.graphml"), stderr=slave,
                                 stdout=subprocess.DEVNULL, env=subprocess_env())
        os.close(slave)
        out = read_to_end(master).decode()
        assert child.wait(timeout=60) == 0
    finally:
        os.close(master)
    assert "\rExporting graphml |" in out and "writing g.graphml" in out
