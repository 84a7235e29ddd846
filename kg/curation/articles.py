"""An article's metadata: ``article.yaml`` beside its verbatim ``article.txt``."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from kg.core import vocab
from kg.core.model import (
    Article,
)
from kg.curation.bibliography import read_bibliography, read_derived_from
from kg.curation.fields import FieldReader, relative
from kg.curation.fields_spec import ARTICLE_FIELDS, ARTICLE_ID_RE
from kg.curation.yamlfile import Problem, read_text, read_yaml


def read_article(folder: Path, root: Path, problems: list[Problem]) -> Article | None:
    """An article's metadata and verified text, or None when it has problems (each recorded)."""
    article_id = folder.name
    meta_path = folder / "article.yaml"
    shown = relative(meta_path, root)
    if not ARTICLE_ID_RE.match(article_id):
        problems.append(Problem(relative(folder, root), None,
                                f"'{article_id}' is not a valid article id.",
                                "use letters, digits, '_', '-' and '.' only."))
        return None
    text = read_text(folder / "article.txt", relative(folder / "article.txt", root))
    meta = read_yaml(meta_path, shown)
    reader = FieldReader(shown, problems)
    if not reader.check_fields(meta, 1, ARTICLE_FIELDS, {"title", "kind", "sha256"}, "article"):
        return None
    kind = reader.choice(meta, "kind", dict.fromkeys(vocab.ARTICLE_KINDS))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if meta["sha256"] != digest:
        reader.add(meta.line_of("sha256"),
                   f"article.txt has changed since curation: its SHA-256 is {digest}, "
                   f"not {meta['sha256']}.",
                   "if the change is intended, check every quote in evidence.yaml against the new "
                   f"text, then set sha256: {digest}")
    date = None
    if meta.get("date") is not None:
        try:
            date = dt.date.fromisoformat(str(meta["date"]))
        except ValueError:
            reader.add(meta.line_of("date"), f"date '{meta['date']}' is not a valid date.",
                       "write it as YYYY-MM-DD, e.g. 2025-10-25, or null when the text gives none.")
    derived_from = read_derived_from(meta, article_id, reader)
    if kind is None:
        return None
    return Article(id=article_id, text=text, title=meta["title"], kind=kind, sha256=digest,
                   publisher=meta.get("publisher"), date=date, url=meta.get("url"),
                   note=meta.get("note"), folder=relative(folder, root),
                   bibliography=read_bibliography(meta), derived_from=derived_from)
