"""Independent origins: where each article's statements come from, for counting corroboration.

Corroboration counts independent origins, not articles. An article's origin is the source it
derives from (``derived_from`` in its article.yaml, ``prov:wasDerivedFrom`` in the graph),
followed to the end: the sources reached that derive from nothing further. A source is named by
its article id when it is an article of the corpus, else by its IRI (``https://doi.org/<DOI>``
or a URL); of several ends, the least name; an article that derives from nothing (or only
through a cycle) is its own origin. Two news items that summarise one press release have one
origin. A claim that is curator inference adds no origin (the caller leaves it out).

The build derives each article's origin with it into the analyses graph (``cart:origin``,
:mod:`kg.build.analyses`), which the library's queries and :mod:`kg.provenance.evidence` read;
the property-graph projection, which reads the shards, uses it too.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping


def article_origins(articles: Iterable[str], derived_from: Mapping[str, Collection[str]],
                    names: Mapping[str, str]) -> dict[str, str]:
    """The origin of each article, by article IRI.

    ``articles`` are the IRIs of the articles (each with an identifier in ``names``),
    ``derived_from`` what each source derives from (IRI -> IRIs) and ``names`` the identifier of
    each source that has one (an article of the corpus); any other source is named by its IRI.
    """
    found: dict[str, str] = {}
    for article in articles:
        seen: set[str] = set()
        ends: set[str] = set()
        todo = list(derived_from.get(article, ()))
        while todo:
            source = todo.pop()
            if source in seen:
                continue
            seen.add(source)
            further = derived_from.get(source, ())
            if further:
                todo.extend(further)
            else:
                ends.add(names.get(source, source))
        found[article] = min(ends) if ends else names[article]
    return found
