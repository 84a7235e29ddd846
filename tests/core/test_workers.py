"""Worker processes: results and exceptions come back; a worker that dies is an error."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator

import pytest

from kg.core.workers import WINDOW, WorkerDied, Workers

START_METHODS = [m for m in ("fork", "forkserver") if m in multiprocessing.get_all_start_methods()]


def _nothing() -> None:
    pass


def _fails() -> None:
    raise OSError("cannot set up")


@pytest.fixture(params=START_METHODS)
def workers(request: pytest.FixtureRequest) -> Workers[int, int]:
    pool: Workers[int, int] = Workers(multiprocessing.get_context(request.param), 2, _nothing)
    request.addfinalizer(pool.close)
    return pool


def test_every_jobs_result_comes_back(workers: Workers[int, int]) -> None:
    assert sorted(workers.run(abs, [-3, -1, -2, 4, -5])) == [1, 2, 3, 4, 5]
    assert list(workers.run(abs, [])) == []


def test_results_come_in_the_jobs_order_whichever_finishes_first(
        workers: Workers[int, int]) -> None:
    assert list(workers.run(_sleep_tenths, [5, 0, 0, 3, 0])) == [5, 0, 0, 3, 0]


def _sleep_tenths(tenths: int) -> int:
    time.sleep(tenths / 10)
    return tenths


def test_a_jobs_exception_is_raised_in_the_parent(workers: Workers[int, int]) -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        list(workers.run(int, ["1", "one"]))  # type: ignore[list-item]


@pytest.mark.parametrize(("job", "message"), [
    # the worker exits (os._exit, as the kernel's out-of-memory killer leaves no trace)
    (3, "exited with code 3"),
    # the worker is killed by a signal
    (-signal.SIGKILL, "was killed by signal 9"),
])
def test_a_worker_that_dies_midway_is_an_error_not_a_hang(
        workers: Workers[int, int], job: int, message: str) -> None:
    with pytest.raises(WorkerDied, match=message):
        list(workers.run(_exit_or_kill, [1, job, 1, 1]))


def _exit_or_kill(job: int) -> int:
    if job < 0:
        os.kill(os.getpid(), -job)
    elif job > 1:
        os._exit(job)
    return job


def test_an_initializer_that_fails_raises_for_the_first_job() -> None:
    with Workers[int, int](multiprocessing.get_context(START_METHODS[0]), 1, _fails) as pool, \
            pytest.raises(OSError, match="cannot set up"):
        list(pool.run(abs, [1]))


def test_closing_stops_busy_workers(workers: Workers[int, int]) -> None:
    pending = workers.run(_sleep, [60, 60])
    processes = [w.process for w in workers._workers]
    workers.close()
    assert [p.exitcode for p in processes] == [-signal.SIGTERM] * 2
    del pending


def _unwind(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@pytest.mark.parametrize("busy", [False, True])
def test_a_forked_worker_ends_on_sigterm_whatever_handler_it_inherited(busy: bool) -> None:
    # `cartkg build` makes SIGTERM raise SystemExit so that the build unwinds; a forked worker
    # inherits that handler, and SystemExit raised while it sets up or runs a job must not be
    # taken for the job's failure (the worker would then wait for another job, and close() for
    # the worker)
    before = signal.signal(signal.SIGTERM, _unwind)
    try:
        pool: Workers[int, int] = Workers(multiprocessing.get_context("fork"), 1, _sleep_on_setup)
        pending = pool.run(_sleep, [60]) if busy else None
        process = pool._workers[0].process
        pool.close()
    finally:
        signal.signal(signal.SIGTERM, before)
    assert process.exitcode == -signal.SIGTERM  # ended by SIGTERM, not killed after the grace
    del pending


def _sleep_on_setup() -> None:
    _sleep(60)


def _sleep(seconds: int) -> int:
    import time

    time.sleep(seconds)
    return seconds


def test_a_worker_waiting_for_a_job_ends_when_the_parent_closes_its_pipe(
        workers: Workers[int, int]) -> None:
    assert list(workers.run(abs, [-1])) == [1]
    for worker in workers._workers:
        worker.conn.close()
        worker.process.join(30)
    assert [w.process.exitcode for w in workers._workers] == [0, 0]
    workers._workers = []


def test_jobs_are_taken_from_a_stream_as_workers_free_never_far_ahead_of_the_results(
        workers: Workers[int, int]) -> None:
    """A slow first job: the other worker goes on, but only WINDOW jobs a worker ahead."""
    pulled: list[int] = []

    def jobs() -> Iterator[int]:  # endless: only what is taken is ever made
        for number in itertools.count():
            pulled.append(number)
            yield 8 if number == 0 else 0  # tenths of a second

    results = workers.run(_sleep_tenths, jobs())
    assert len(pulled) == 2  # one a worker at once, before any result is read
    assert next(results) == 8
    ahead = len(pulled) - 1
    assert ahead <= WINDOW * 2 + 1  # within the window after job 0
    assert [next(results) for _ in range(20)] == [0] * 20
    assert len(pulled) <= 21 + WINDOW * 2 + 1


def test_a_jobs_exception_is_raised_in_the_jobs_order(workers: Workers[int, int]) -> None:
    """The second job fails first in time, the first later: the first is the one raised."""
    with pytest.raises(ValueError, match="first"):
        list(workers.run(_fail_after_tenths, [3, 0]))


def _fail_after_tenths(tenths: int) -> int:
    time.sleep(tenths / 10)
    raise ValueError("first" if tenths else "second")
