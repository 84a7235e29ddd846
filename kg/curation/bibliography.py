"""Where an article was published, what it derives from, and who a claim's statement is from.

``article.yaml`` may give bibliographic fields (journal, volume, issue, pages, DOI, PMID, congress,
abstract number) and ``derived_from``: the sources the article summarises or derives from (a news
item from a press release, a press release from a paper), each an article of the corpus, a DOI
or a URL. Corroboration counts independent origins, not articles (see
:mod:`kg.provenance.evidence`). A claim may say who made the statement it records
(``attributed_to``): a person or a body, with role and affiliation.
"""

from __future__ import annotations

from collections.abc import Collection

from kg.core.model import Article, Attribution, Bibliography, Entity, SourceRef
from kg.curation.fields import FieldReader
from kg.curation.fields_spec import ARTICLE_ID_RE
from kg.curation.yamlfile import Node, Problem, Seq

#: The fields of one ``derived_from`` entry: exactly one of article, doi and url.
SOURCE_REF_FIELDS = {"article": str, "doi": str, "url": str}
_REF_KINDS = ("article", "doi", "url")
#: The fields of ``attributed_to``.
ATTRIBUTION_FIELDS = {"name": str, "kind": str, "role": str, "affiliation": str,
                      "affiliation_text": str}
#: What a statement may be attributed to (PROV-O agents).
AGENT_KINDS = ("person", "organization")
#: The registry kinds an affiliation may name.
AFFILIATION_KINDS = ("sponsors", "organizations")


def read_bibliography(meta: Node) -> Bibliography:
    """The bibliographic fields of ``article.yaml`` (already checked by type and syntax)."""

    def text(name: str) -> str | None:
        value = meta.get(name)
        return None if value is None else str(value)

    return Bibliography(journal=text("journal"), volume=text("volume"), issue=text("issue"),
                        pages=text("pages"), doi=text("doi"), pmid=text("pmid"),
                        congress=text("congress"), abstract_number=text("abstract_number"))


def read_derived_from(meta: Node, article_id: str, reader: FieldReader) -> tuple[SourceRef, ...]:
    """The sources an article derives from; each problem is recorded by ``reader``."""
    raw = meta.get("derived_from")
    if raw is None:
        return ()
    lines = raw.item_lines if isinstance(raw, Seq) else [meta.line_of("derived_from")] * len(raw)
    refs: list[SourceRef] = []
    for item, line in zip(raw, lines, strict=True):
        if not reader.check_fields(item, line, SOURCE_REF_FIELDS, set(), "derived_from entry"):
            continue
        given = [kind for kind in _REF_KINDS if item.get(kind) is not None]
        if len(given) != 1:
            reader.add(line, "a derived_from entry names its source by exactly one of article, "
                       f"doi and url (found {', '.join(given) or 'none'}).",
                       "write e.g. {article: 004_press-release}, {doi: 10.1056/NEJMoa2403437} or "
                       "{url: \"https://...\"}.")
            continue
        ref = SourceRef(article=item.get("article"), doi=item.get("doi"), url=item.get("url"))
        if ref.article is not None and not ARTICLE_ID_RE.match(ref.article):
            reader.add(line, f"'{ref.article}' is not an article id.",
                       "name the folder of an article under articles/.")
            continue
        if ref.article == article_id:
            reader.add(line, "an article cannot derive from itself.",
                       "name the source it summarises, or remove the entry.")
            continue
        refs.append(ref)
    return tuple(refs)


def check_derived_from(article: Article, article_ids: Collection[str],
                       problems: list[Problem]) -> None:
    """Check that each article an article derives from is one of the sources' articles."""
    shown = f"{article.folder}/article.yaml"
    for ref in article.derived_from:
        if ref.article is not None and ref.article not in article_ids:
            problems.append(Problem(
                shown, None, f"derived_from names article '{ref.article}', which is not in "
                "articles/.", "name an article folder of the sources, or give the source's "
                "doi or url when it is not in the corpus."))


def read_attribution(node: Node, line: int, entities: dict[str, Entity],
                     reader: FieldReader) -> Attribution | None:
    """A claim's ``attributed_to``, or None when it has problems (each recorded)."""
    if not reader.check_fields(node, line, ATTRIBUTION_FIELDS, {"name"}, "attributed_to"):
        return None
    kind = reader.choice(node, "kind", dict.fromkeys(AGENT_KINDS)) or "person"
    affiliation = node.get("affiliation")
    if affiliation is not None:
        entity = entities.get(affiliation)
        if entity is None or entity.kind not in AFFILIATION_KINDS:
            reader.add(node.line_of("affiliation"), f"affiliation '{affiliation}' is not a key "
                       "of sponsors.yaml or organizations.yaml.",
                       "name the registry key, or write the affiliation in the source's words "
                       "as 'affiliation_text:' when it is not in the registry.")
            return None
        if node.get("affiliation_text") is not None:
            reader.add(node.line_of("affiliation_text"), "give the affiliation once: "
                       "'affiliation:' (a registry key) or 'affiliation_text:', not both.",
                       "keep 'affiliation:' when the registry has it.")
            return None
    return Attribution(name=node["name"], kind=kind, role=node.get("role"),
                       affiliation=affiliation, affiliation_text=node.get("affiliation_text"))


def attribution_of(item: Node, entities: dict[str, Entity],
                   reader: FieldReader) -> Attribution | None:
    """The ``attributed_to`` of a claim's mapping, if it has one."""
    if "attributed_to" not in item:
        return None
    return read_attribution(item["attributed_to"], item.line_of("attributed_to"), entities,
                            reader)

