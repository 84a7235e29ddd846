"""The fields each kind of curation entry may have, and the shapes of keys and ids."""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.core.checks import doi_problem, pmid_problem, url_problem

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ARTICLE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

ENTITY_FIELDS = {
    "label": str, "definition": str, "synonyms": list, "exact_match": list,
    "unverified_match": list, "close_match": list, "broad_match": list, "broader": list,
    "note": str,
    "default_category": str,
}
ARTICLE_FIELDS = {
    "title": str, "publisher": str, "date": str, "url": str, "kind": str, "sha256": str,
    "note": str,
    # sources and their lineage (kg.curation.bibliography)
    "journal": str, "volume": (str, int), "issue": (str, int), "pages": (str, int), "doi": str,
    "pmid": (str, int), "congress": str, "abstract_number": (str, int), "derived_from": list,
}
CLAIM_FIELDS = {
    "id": str, "quote": object, "basis": str, "rationale": str, "disputed": dict,
    "note": str, "facts": list, "outcome": dict, "cohort": dict, "plan": dict,
    "attributed_to": dict,
    # what was given; trials and endpoints (kg/curation/regimens.py, kg/curation/trials.py)
    "regimen": dict, "study": dict,
}
BODIES = ("facts", "outcome", "cohort", "plan", "regimen", "study")
OUTCOME_FIELDS = {
    "category": str, "therapy": str, "trial": str, "indication": object, "measure": str,
    "statistic": str, "value": (int, float), "unit": str, "numerator": int, "denominator": int,
    "direction": str, "grade": int, "grade_min": int, "grade_max": int,
    "grade_text": str, "reversible": bool, "finding": str, "population": str,
    "population_size": int, "timepoint": dict, "follow_up": dict, "onset": dict,
    "resolution": dict, "without": list, "baseline": (int, float), "final": (int, float),
    "range": list, "iqr": list, "sd": (int, float), "ci": list, "ci_level": (int, float),
    "p_value": (int, float, str), "significant": bool, "data_cutoff": str,
    # per-field basis: the fields the curator derived (kg.curation.derivations)
    "derived": list,
    # the endpoint the outcome reports (kg/curation/trials.py)
    "endpoint": dict,
}

#: Fields that, when given, must hold at least one item: an empty one would record nothing and
#: say nothing (a claim with ``facts: []``, a quote list with no quote).
NON_EMPTY = frozenset({"facts", "quote", "indication", "derived_from", "derived", "trial",
                       "design", "endpoints", "lymphodepletion", "combined_with"})
#: Checks of a field's value beyond its type, by field name (see :mod:`kg.core.checks`).
VALUE_CHECKS: dict[str, Callable[[object], str | None]] = {
    "url": url_problem, "doi": doi_problem, "pmid": pmid_problem}
