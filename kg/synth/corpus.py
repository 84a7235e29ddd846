"""A synthetic corpus in the curation format, for tests and benchmarks.

:func:`generate_corpus` writes a ``sources/`` folder (``registry/<kind>.yaml`` and
``articles/<id>/{article.txt, article.yaml, evidence.yaml}``, see docs/curation.md) whose articles
are news-like texts built from sentence templates and a random "world" of therapies, trials,
sponsors and their indications. Every claim quotes its own article, and every quote occurs exactly
once in it (checked as each sentence is added, and again for the whole text). The claims are of
every kind the format has: facts, outcomes of the three categories, cohorts, plans; stated,
inferred (with a rationale) and disputed (with a reason and what disputes them). Popular trials
appear in many articles, so the same facts are asserted by several sources.

The output depends only on ``articles`` and ``seed``: one :class:`random.Random`, no clock, no set
iteration, registry files sorted by key. The same arguments give the same bytes.

Everything here is invented. The registry keeps the keys of the project's real entities
(``rese-cel``, ``breakfree-1``, ``systemic-sclerosis``, ...) so that query examples resolve, and
the identifiers it gives them are the verified ones of the real registry; every other identifier
is a fictional, unverified ``NCT:NCT99...`` trial number.

The generator is split by what each part does, each depending only on the ones before it:
:mod:`kg.synth.vocab` (the fixed vocabulary), :mod:`kg.synth.world` (the random world),
:mod:`kg.synth.sentences` (sentences, claims, the templates' base), :mod:`kg.synth.facts`,
:mod:`kg.synth.outcomes` and :mod:`kg.synth.plans` (the sentence templates),
:mod:`kg.synth.articles` (one article), :mod:`kg.synth.yaml_text` (the YAML text) and this module
(the corpus).
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg.synth.articles import ArticleWriter
from kg.synth.world import Entry, Trial, build_world
from kg.synth.yaml_text import evidence_yaml, meta_yaml, registry_yaml

#: The most articles :func:`generate_corpus` writes (article ids have five digits).
MAX_ARTICLES = 99_999


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`generate_corpus` wrote."""

    out: Path
    seed: int
    articles: int
    claims: int
    entities: dict[str, int]
    bodies: dict[str, int]
    outcomes: dict[str, int]
    inferred: int
    disputed: int
    facts: int
    shared_facts: int
    bytes: int

    def lines(self) -> list[str]:
        """A short human-readable description."""
        return [
            f"articles:      {self.articles} (seed {self.seed}) in {self.out}",
            f"claims:        {self.claims} ("
            + ", ".join(f"{k} {v}" for k, v in self.bodies.items()) + ")",
            "outcomes:      " + ", ".join(f"{k} {v}" for k, v in self.outcomes.items()),
            f"inferred:      {self.inferred}",
            f"disputed:      {self.disputed}",
            f"facts:         {self.facts} distinct, {self.shared_facts} asserted by 2+ articles",
            "entities:      " + ", ".join(f"{k} {v}" for k, v in self.entities.items()),
            f"bytes written: {self.bytes}",
        ]


def generate_corpus(out: Path, articles: int, seed: int = 0, *,
                    overwrite: bool = False) -> SynthSummary:
    """Write a synthetic ``sources/`` folder with ``articles`` articles to ``out``.

    The same ``articles`` and ``seed`` give the same bytes. ``out`` must not hold a registry or
    articles already, unless ``overwrite`` is set: then ``out/registry`` and ``out/articles``
    (and nothing else) are replaced.
    """
    if not 1 <= articles <= MAX_ARTICLES:
        raise ValueError(f"articles must be between 1 and {MAX_ARTICLES}, not {articles}")
    out = Path(out)
    for sub in ("registry", "articles"):
        if (out / sub).exists():
            if not overwrite:
                raise FileExistsError(f"{out / sub} exists; choose an empty folder or overwrite")
            shutil.rmtree(out / sub)
    rng = random.Random(seed)
    world = build_world(rng, articles)
    written = 0

    def write(path: Path, text: str) -> None:
        nonlocal written
        data = text.encode("utf-8")
        path.write_bytes(data)
        written += len(data)

    (out / "registry").mkdir(parents=True)
    (out / "articles").mkdir()
    by_kind: dict[str, list[Entry]] = {}
    for entry in world.entries.values():
        by_kind.setdefault(entry.kind, []).append(entry)
    for kind in sorted(by_kind):
        write(out / "registry" / f"{kind}.yaml", registry_yaml(kind, by_kind[kind]))

    ids = [f"{i:05d}_{rng.getrandbits(64):016x}" for i in range(articles)]
    asserted: dict[tuple[str, str, str], set[str]] = {}
    bodies: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    inferred = disputed = claims = 0
    first_trial: Trial | None = None
    for index, article_id in enumerate(ids):
        writer = ArticleWriter(random.Random(f"{seed}/{article_id}"), world, article_id,
                               ids[:index][-50:])
        # The second article is about the first one's lead trial: small corpora overlap too.
        text, meta, lead = writer.write(index, first_trial if index == 1 else None)
        first_trial = first_trial or lead
        folder = out / "articles" / article_id
        folder.mkdir()
        write(folder / "article.txt", text)
        write(folder / "article.yaml", meta_yaml(meta))
        write(folder / "evidence.yaml", evidence_yaml(article_id, writer.claims))
        for _claim_id, claim in writer.claims:
            claims += 1
            bodies[claim.body] += 1
            inferred += claim.basis == "inferred"
            disputed += claim.disputed is not None
            if claim.body == "outcome":
                outcomes[claim.value["category"]] += 1
            if claim.body == "facts":
                for s, p, o in claim.value:
                    asserted.setdefault((s, p, o), set()).add(article_id)
    return SynthSummary(
        out=out, seed=seed, articles=articles, claims=claims,
        entities={k: len(v) for k, v in sorted(by_kind.items())},
        bodies=dict(sorted(bodies.items())), outcomes=dict(sorted(outcomes.items())),
        inferred=inferred, disputed=disputed, facts=len(asserted),
        shared_facts=sum(len(v) > 1 for v in asserted.values()), bytes=written,
    )
