"""The ontology terms for trial registry records (``cart:`` namespace, ``ontology/cart.ttl``).

Kept apart from :class:`kg.core.vocab.CART` (same namespace, same ``_fail = True``) because they
describe one kind of source, read by its own loader: see docs/data-model.md, "Registry records".
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace

from kg.core.vocab import CART


class RECORD(DefinedNamespace):
    """The registry-record terms of the cart-kg ontology."""

    _NS = CART._NS
    _fail = True

    RegistryRecord: URIRef
    RegisteredTrial: URIRef
    RegistryAssertion: URIRef
    RecordField: URIRef
    RegisteredEndpoint: URIRef
    ArmGroup: URIRef
    RegisteredIntervention: URIRef
    RegistryOutcomeMeasure: URIRef
    RegistryGroup: URIRef
    RegistryOutcome: URIRef
    RegistryAnalysis: URIRef
    AdverseEventCount: URIRef

    fromRecord: URIRef
    hasField: URIRef
    inRecord: URIRef
    jsonPointer: URIRef
    fieldValue: URIRef
    retrieved: URIRef
    recordOf: URIRef
    registeredAs: URIRef
    verifiedBy: URIRef
    aboutTrial: URIRef
    ofMeasure: URIRef
    inGroup: URIRef
    nctId: URIRef
    nctIdAlias: URIRef
    orgStudyId: URIRef
    secondaryId: URIRef
    acronym: URIRef
    briefTitle: URIRef
    officialTitle: URIRef
    organizationName: URIRef
    overallStatus: URIRef
    lastKnownStatus: URIRef
    whyStopped: URIRef
    statusVerifiedDate: URIRef
    startDate: URIRef
    primaryCompletionDate: URIRef
    completionDate: URIRef
    firstSubmitted: URIRef
    firstPosted: URIRef
    resultsFirstSubmitted: URIRef
    resultsFirstPosted: URIRef
    lastUpdateSubmitted: URIRef
    lastUpdatePosted: URIRef
    dateType: URIRef
    leadSponsorName: URIRef
    leadSponsorClass: URIRef
    responsiblePartyType: URIRef
    collaboratorName: URIRef
    studyType: URIRef
    phaseCode: URIRef
    allocation: URIRef
    interventionModel: URIRef
    primaryPurpose: URIRef
    masking: URIRef
    maskedRole: URIRef
    enrollment: URIRef
    enrollmentType: URIRef
    conditionName: URIRef
    conditionMesh: URIRef
    conditionMeshTerm: URIRef
    keyword: URIRef
    armLabel: URIRef
    armType: URIRef
    interventionType: URIRef
    interventionName: URIRef
    endpointRole: URIRef
    endpointTitle: URIRef
    timeFrame: URIRef
    outcomeType: URIRef
    reportingStatus: URIRef
    paramType: URIRef
    dispersionType: URIRef
    unitText: URIRef
    groupId: URIRef
    groupTitle: URIRef
    classTitle: URIRef
    categoryTitle: URIRef
    valueText: URIRef
    nonNumericValue: URIRef
    dispersionValue: URIRef
    lowerLimit: URIRef
    upperLimit: URIRef
    statisticalMethod: URIRef
    ciSides: URIRef
    pValueText: URIRef
    pValueComment: URIRef
    testedNonInferiority: URIRef
    comparesGroup: URIRef
    frequencyThreshold: URIRef
    eventTerm: URIRef
    organSystem: URIRef
    sourceVocabulary: URIRef
    assessmentType: URIRef
    seriousness: URIRef
    eventCount: URIRef
    groupCount: URIRef
    registeredSponsor: URIRef
    registeredPhase: URIRef
    registeredCondition: URIRef
    registeredTherapy: URIRef
    recordValue: URIRef

