"""A rebuild's builder process, started before the changed articles are known (decision 0014)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.build.parts import Built, build_articles
from kg.core.workers import Workers
from kg.validation.validate import shacl_violations

if TYPE_CHECKING:
    from kg.build.build import Plan


#: The builder's one process: it builds a list of articles into a folder, and names the digest
#: of the registry entities each part names.
BuilderProcess = Workers[tuple[list[Path], Path], list[tuple[Built, str]]]


class Builder:
    """A process that builds a rebuild's few changed articles, started before they are known.

    Forked at the start of a rebuild, it imports pyshacl and reads the registry and the shapes
    on the other core while this process checks which articles changed (0.3 s for 10,000
    articles): a one-article rebuild no longer waits for them. Given the changed articles (at
    most one chunk), it builds them while this process links the unchanged shards. Where there
    is no "fork" (Windows), and in an empty ``_Builder()``, :meth:`submit` gives None: the
    articles are built as a clean build builds them.
    """

    def __init__(self, pool: BuilderProcess | None = None) -> None:
        self.pool = pool
        #: the digest of the registry entities each part built here names, by part name
        self.digests: dict[str, str] = {}

    @classmethod
    def start(cls, plan: Plan) -> Builder:
        """A builder warming up for the articles of ``plan``, once its registry is checked."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return cls()
        # forked, not served: it starts with every module imported and the cache read
        mp = multiprocessing.get_context("fork")
        return cls(Workers(mp, 1, warm_up, (plan,)))

    def submit(self, todo: list[Path], staged: Path) -> Callable[[], list[Built]] | None:
        """Build ``todo`` into ``staged``; the function returned waits for the parts."""
        if self.pool is None or not todo:
            self.stop()
            return None
        pending = self.pool.run(warm_build, [(todo, staged)])

        def parts() -> list[Built]:
            built = []
            for part, digest in next(pending):
                self.digests[part.shard] = digest
                built.append(part)
            return built

        return parts

    def stop(self) -> None:
        """Stop the process (also when it is still warming up or building)."""
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def __enter__(self) -> Builder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


WARM: dict[str, Plan] = {}


def warm_up(plan: Plan) -> None:
    """In the builder: read what building any article needs, before one is given."""
    WARM["plan"] = plan
    try:
        import pyshacl  # noqa: F401  # the validator's import: a fifth of a one-article rebuild

        # pyshacl's first run on nothing: the shapes' SPARQL targets are then prepared
        shacl_violations((), plan.context().load_shapes())
    except Exception:  # raised again, in its place, by warm_build
        pass


def warm_build(job: tuple[list[Path], Path]) -> list[tuple[Built, str]]:
    """In the builder: build ``todo`` (and name the registry entities each part names)."""
    todo, staged = job
    plan = WARM["plan"]
    return [(built, plan.entities_digest(built.entities))
            for built in build_articles(plan.context(), todo, staged)]
