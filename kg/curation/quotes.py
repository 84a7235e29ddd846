"""Find a curator's quote in its article and compute its offsets, or say why it cannot be found."""

from __future__ import annotations

import difflib

from kg.core.model import Quote

#: How many characters of context the loader records before and after each quote.
CONTEXT = 32

_LOOKALIKES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class QuoteNotFound(ValueError):
    """The quote does not occur in the article; the message shows the closest passage."""


class QuoteAmbiguous(ValueError):
    """The quote occurs more than once; the message lists where."""


def _occurrences(text: str, exact: str) -> list[int]:
    found = []
    start = text.find(exact)
    while start != -1:
        found.append(start)
        start = text.find(exact, start + 1)
    return found


def closest_passage(text: str, exact: str) -> str:
    """Return the passage of ``text`` most like ``exact``: as long, around the best match."""
    matcher = difflib.SequenceMatcher(None, text, exact, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(exact))
    begin = max(0, match.a - match.b)
    return text[begin : begin + len(exact)]


def locate_quote(
    text: str, article_id: str, exact: str, prefix: str | None = None, suffix: str | None = None
) -> Quote:
    """Locate ``exact`` in ``text``; ``prefix``/``suffix`` choose among repeated occurrences."""
    if not exact:
        raise QuoteNotFound("the quote is empty")
    starts = [
        s
        for s in _occurrences(text, exact)
        if (prefix is None or text[:s].endswith(prefix))
        and (suffix is None or text[s + len(exact) :].startswith(suffix))
    ]
    if not starts:
        raise QuoteNotFound(_not_found_message(text, exact, prefix, suffix))
    if len(starts) > 1:
        where = ", ".join(f"offset {s}" for s in starts)
        raise QuoteAmbiguous(f"the quote occurs {len(starts)} times ({where})")
    start = starts[0]
    end = start + len(exact)
    return Quote(
        article_id=article_id,
        exact=exact,
        start=start,
        end=end,
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
    )


def _not_found_message(text: str, exact: str, prefix: str | None, suffix: str | None) -> str:
    if exact in text:
        return (
            f"the quote occurs in the article, but not with the given prefix {prefix!r} "
            f"/ suffix {suffix!r}"
        )
    closest = closest_passage(text, exact)
    hint = ""
    if exact.translate(_LOOKALIKES) in text.translate(_LOOKALIKES):
        hint = " (the difference is in quotation marks, apostrophes or dashes: copy them exactly)"
    elif " ".join(exact.split()) in " ".join(text.split()):
        hint = " (the difference is in spaces or line breaks: copy them exactly)"
    return f"quote not found in article.txt{hint}; closest passage: {closest!r}"
