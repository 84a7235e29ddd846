"""Worker processes that run jobs, and notice when one of them dies.

``multiprocessing.Pool`` replaces a worker that dies (killed by the kernel when memory runs out,
say) and waits for the lost job's result for ever: a build would hang. :class:`Workers` waits on
each busy worker's pipe and on its process at once, so that a worker that dies raises
:class:`WorkerDied` in the parent at once. A job's exception is raised in the parent too, as
``Pool`` does. Workers ignore Ctrl-C (the parent stops them: :meth:`Workers.close`).
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

#: How long :meth:`Workers.close` waits for a worker to end before it kills it.
_GRACE_SECONDS = 5.0

J = TypeVar("J")
R = TypeVar("R")


class WorkerDied(Exception):
    """A worker process stopped before it gave its job's result."""


class _Worker:
    def __init__(self, context: BaseContext, initializer: Callable[..., None],
                 initargs: Sequence[Any], siblings: Sequence[_Worker]) -> None:
        self.conn, theirs = context.Pipe()
        # A forked worker holds a copy of our end of its pipe, and of the pipes of the workers
        # started before it: it closes them, so that each worker reads the end of its pipe when
        # we close ours or die.
        ours = ([self.conn, *(s.conn for s in siblings)]
                if context.get_start_method() == "fork" else [])
        process = context.Process  # type: ignore[attr-defined]  # every start method has one
        self.process = process(target=_serve, args=(theirs, ours, initializer, tuple(initargs)),
                               daemon=True)
        # A forked worker inherits our signal handlers and mask: SIGTERM and SIGINT stay blocked
        # until it has its own handlers (see _serve), so that a SIGTERM sent at once is not lost
        # and a Ctrl-C meanwhile does not raise KeyboardInterrupt in it.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        theirs.close()


class Workers(Generic[J, R]):
    """``count`` processes of ``context``, each set up by ``initializer(*initargs)``.

    :meth:`run` gives them jobs; :meth:`close` (or leaving a ``with`` block) stops them, also
    when they are busy.
    """

    def __init__(self, context: BaseContext, count: int, initializer: Callable[..., None],
                 initargs: Sequence[Any] = ()) -> None:
        self._workers: list[_Worker] = []
        try:
            for _ in range(count):
                self._workers.append(_Worker(context, initializer, initargs, self._workers))
        except BaseException:
            self.close()
            raise

    def run(self, function: Callable[[J], R], jobs: Iterable[J]) -> Iterator[R]:
        """``function(job)`` for each job, in the workers; the results in the jobs' order.

        The first jobs are sent at once, one a worker (the call does not wait for a result);
        the rest are taken from ``jobs`` as workers become free while the results are read, so
        that a stream of jobs is never held whole. A job is sent only while it is fewer than
        :data:`WINDOW` jobs a worker ahead of the next result to give, so that results that come
        early (a worker busy with a large job) are never more than that. Raises
        :class:`WorkerDied` when a busy worker stops, and a job's exception (or the
        initializer's, or one ``jobs`` raises) as it was raised, in the jobs' order.
        """
        run = _Run(function, enumerate(jobs), list(reversed(self._workers)),
                   WINDOW * len(self._workers))
        run.feed(0)
        return self._results(run)

    @staticmethod
    def _results(run: _Run[J, R]) -> Iterator[R]:
        done: dict[int, tuple[bool, Any]] = {}  # outcomes that came before an earlier job's
        wanted = 0
        while run.busy:
            ready = wait([*run.busy, *(w.process.sentinel for w, _ in run.busy.values())])
            for conn in [c for c in run.busy if c in ready or c.poll()]:
                worker, index = run.busy.pop(conn)
                try:
                    done[index] = conn.recv()
                except (EOFError, OSError):
                    raise _died(worker) from None
                run.idle.append(worker)
            for worker, _ in run.busy.values():  # a process ended and left nothing in its pipe
                if worker.process.sentinel in ready and not worker.conn.poll():
                    raise _died(worker)
            while wanted in done:
                ok, value = done.pop(wanted)
                if not ok:
                    raise value
                yield value
                wanted += 1
            run.feed(wanted)

    def close(self) -> None:
        """Stop every worker, busy or not, and wait until each has gone.

        Each is sent SIGTERM and its pipe is closed (a worker waiting for a job then ends too);
        one still running after a few seconds is killed.
        """
        for worker in self._workers:
            worker.process.terminate()
            worker.conn.close()
        for worker in self._workers:
            worker.process.join(_GRACE_SECONDS)
            if worker.process.exitcode is None:
                worker.process.kill()
                worker.process.join()
        self._workers = []

    def __enter__(self) -> Workers[J, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Jobs a worker that may be sent ahead of the next result to give (see :meth:`Workers.run`).
WINDOW = 2


class _Run(Generic[J, R]):
    """One call of :meth:`Workers.run`: the jobs left, the idle and the busy workers."""

    def __init__(self, function: Callable[[J], R], queue: Iterator[tuple[int, J]],
                 idle: list[_Worker], window: int) -> None:
        self.function = function
        self.queue = queue
        self.idle = idle
        self.window = window
        self.busy: dict[Connection, tuple[_Worker, int]] = {}
        self.sent = 0

    def feed(self, wanted: int) -> None:
        """Send jobs to idle workers while they are within the window after job ``wanted``."""
        while self.idle and self.sent < wanted + self.window:
            following = next(self.queue, None)
            if following is None:
                return
            worker = self.idle.pop()
            _send(worker, (self.function, following[1]))
            self.busy[worker.conn] = (worker, following[0])
            self.sent += 1


def _send(worker: _Worker, job: tuple[Callable[[Any], Any], Any]) -> None:
    try:
        worker.conn.send(job)
    except OSError:  # the worker has gone: its end of the pipe is closed
        raise _died(worker) from None


def _died(worker: _Worker) -> WorkerDied:
    worker.process.join()
    code = worker.process.exitcode
    how = (f"was killed by signal {-code}" if code is not None and code < 0
           else f"exited with code {code}")
    return WorkerDied(f"a worker process {how} before it gave its result (out of memory?)")


def _serve(conn: Connection, ours: list[Connection], initializer: Callable[..., None],
           initargs: tuple[Any, ...]) -> None:
    """A worker's life: set up, then run each job it is sent and send back what came of it."""
    for other in ours:
        other.close()
    # Ctrl-C is the parent's to handle; SIGTERM ends the worker, whatever handler it inherited
    # (a forked worker inherits the parent's, which may raise SystemExit to unwind the parent).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    failed: Exception | None = None
    try:
        initializer(*initargs)
    except Exception as err:  # raised again in the parent, for the first job
        failed = err
    while True:
        try:
            function, job = conn.recv()
        except EOFError:  # the parent has gone
            return
        try:
            if failed is not None:
                raise failed
            reply: tuple[bool, Any] = (True, function(job))
        except Exception as err:  # raised again in the parent
            reply = (False, err)
        try:
            conn.send(reply)
        except OSError:  # the parent has gone (killed): nobody to answer
            return
        except Exception as err:  # the result or the exception cannot be pickled
            try:
                conn.send((False, RuntimeError(f"{err}\n{traceback.format_exc()}")))
            except OSError:
                return
