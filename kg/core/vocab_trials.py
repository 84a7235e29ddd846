"""The terms of what was given and of trials, endpoints and cohorts across trials.

What was given: dose, lymphodepletion, infusions, combinations. Trials: design, status, enrolment,
endpoints.

They belong to the one cart namespace: :class:`kg.core.vocab.CART` inherits them from
:class:`GivenTerms`, so ``CART.doseValue`` works like every other term and fails loudly on a typo.
Every term is declared, with a label and a definition, in ``ontology/cart.ttl``; the values a
curator may write are in :mod:`kg.core.given`.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

CART_NAMESPACE = "https://w3id.org/cart-kg/ontology#"


class GivenTerms(DefinedNamespace):
    """The terms of what was given and of trials and endpoints (part of the cart namespace)."""

    _NS = Namespace(CART_NAMESPACE)
    _fail = True

    # Classes
    Regimen: URIRef
    AgentDose: URIRef
    Drug: URIRef
    Endpoint: URIRef
    TrialDesign: URIRef
    TrialStatus: URIRef
    CarTCell: URIRef
    # What was given
    doseText: URIRef
    doseValue: URIRef
    doseUnit: URIRef
    dosePer: URIRef
    doseMin: URIRef
    doseMax: URIRef
    doseLevel: URIRef
    doseDays: URIRef
    infusionSchedule: URIRef
    infusionCount: URIRef
    lymphodepletion: URIRef
    agent: URIRef
    combinedWith: URIRef
    combinationMode: URIRef
    # Trials, endpoints, cohorts across trials
    hasDesign: URIRef
    trialStatus: URIRef
    plannedEnrolment: URIRef
    actualEnrolment: URIRef
    hasEndpoint: URIRef
    endpointId: URIRef
    endpointRole: URIRef
    endpointText: URIRef
    reportsEndpoint: URIRef
    windowText: URIRef
    windowValue: URIRef
    windowUnit: URIRef
    windowQualifier: URIRef
    windowFrom: URIRef
    windowMonths: URIRef
    acrossTrialsOf: URIRef
    # Controlled values: trial designs
    SingleArm: URIRef
    OpenLabel: URIRef
    Randomised: URIRef
    NonRandomised: URIRef
    Multicentre: URIRef
    SingleCentre: URIRef
    DoseEscalation: URIRef
    DoseExpansion: URIRef
    Basket: URIRef
    PlaceboControlled: URIRef
    DoubleBlind: URIRef
    # Controlled values: trial statuses (the overall statuses of ClinicalTrials.gov)
    NotYetRecruiting: URIRef
    Recruiting: URIRef
    EnrollingByInvitation: URIRef
    ActiveNotRecruiting: URIRef
    Completed: URIRef
    Suspended: URIRef
    Terminated: URIRef
    Withdrawn: URIRef

