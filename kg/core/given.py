"""What a curator may write for what was given and for trials: the closed lists and their terms.

See docs/curation.md, "What was given" and "Trials and endpoints".
"""

from __future__ import annotations

from rdflib import URIRef

from kg.core.vocab import CART, QUDT_UNIT, TimeRole

#: Units of a dose: CAR T cells (a count of cells) or milligrams.
DOSE_UNITS: dict[str, URIRef] = {"cells": CART.CarTCell, "mg": QUDT_UNIT.MilliGM}
#: What a dose is given per: body weight (kg) or body surface area (m2); no ``per`` is a flat dose.
DOSE_BASES = ("kg", "m2")
#: Single or repeated infusion of the CAR T product.
INFUSION_SCHEDULES = ("single", "repeated")
#: How two CAR T products are combined: infused together, or one after the other.
COMBINATION_MODES = ("co-infused", "sequential")

#: Trial designs (SKOS concepts in the ontology).
TRIAL_DESIGNS: dict[str, URIRef] = {
    "single-arm": CART.SingleArm, "open-label": CART.OpenLabel, "randomised": CART.Randomised,
    "non-randomised": CART.NonRandomised, "multicentre": CART.Multicentre,
    "single-centre": CART.SingleCentre, "dose-escalation": CART.DoseEscalation,
    "dose-expansion": CART.DoseExpansion, "basket": CART.Basket,
    "placebo-controlled": CART.PlaceboControlled, "double-blind": CART.DoubleBlind,
}
#: Trial statuses (SKOS concepts in the ontology), as ClinicalTrials.gov names them.
TRIAL_STATUSES: dict[str, URIRef] = {
    "not-yet-recruiting": CART.NotYetRecruiting, "recruiting": CART.Recruiting,
    "enrolling-by-invitation": CART.EnrollingByInvitation,
    "active-not-recruiting": CART.ActiveNotRecruiting, "completed": CART.Completed,
    "suspended": CART.Suspended, "terminated": CART.Terminated, "withdrawn": CART.Withdrawn,
}
#: Enrolment as planned (a target) or actual (patients enrolled), and its property.
ENROLMENT_KINDS: dict[str, URIRef] = {"planned": CART.plannedEnrolment,
                                      "actual": CART.actualEnrolment}
#: The roles of an endpoint in its trial.
ENDPOINT_ROLES = ("primary", "secondary", "exploratory")

#: The assessment window of an endpoint ("DLTs within 28 days"): a time as written.
WINDOW = TimeRole("window", "window", False)
