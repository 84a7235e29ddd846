"""What was given, trials as studies, endpoints and cohorts -> RDF (docs/data-model.md).

A regimen is a node ``res:regimen/<article>/<claim>``; each agent of its lymphodepletion is
``res:regimen/<article>/<claim>/agent/<drug>``. An endpoint is ``res:endpoint/<trial>/<id>``: the
same node for every claim that names it (a study's list of endpoints, the outcomes that report it),
each claim's triples in its own graph. Design, status and enrolment are said of the trial itself.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS

from kg.core import given
from kg.core.model import Amount, Cohort, Endpoint, Regimen, Study
from kg.core.vocab import CART
from kg.rdf.terms import Ent, Graph, decimal, emit_time, integer, mint


def endpoint_iri(trial: str, endpoint_id: str) -> ox.NamedNode:
    """The IRI of a trial's endpoint, from the trial's key and the endpoint's id."""
    return mint("endpoint", trial, endpoint_id)


def emit_regimen(g: Graph, node: ox.NamedNode, r: Regimen, ent: Ent) -> None:
    """A regimen: the therapy and population, its dose, infusions, lymphodepletion, combination."""
    g.add(node, RDF.type, CART.Regimen)
    g.add(node, RDFS.label, r.finding)
    g.add(node, CART.finding, r.finding)
    g.add(node, CART.forTherapy, ent(r.therapy))
    g.add(node, CART.inTrial, ent(r.trial))
    for key in r.indications:
        g.add(node, CART.forIndication, ent(key))
    g.add(node, CART.populationDescription, r.population)
    if r.population_size is not None:
        g.add(node, CART.populationSize, integer(r.population_size))
    if r.dose is not None:
        _amount(g, node, r.dose)
    g.add(node, CART.doseLevel, r.dose_level)
    g.add(node, CART.infusionSchedule, r.infusion)
    if r.infusion_count is not None:
        g.add(node, CART.infusionCount, integer(r.infusion_count))
    for agent in r.lymphodepletion:
        part = ox.NamedNode(f"{node.value}/agent/{agent.agent}")
        g.add(node, CART.lymphodepletion, part)
        g.add(part, RDF.type, CART.AgentDose)
        g.add(part, RDFS.label, agent.agent if agent.dose is None
              else f"{agent.agent} {agent.dose.text}")
        g.add(part, CART.agent, ent(agent.agent))
        if agent.dose is not None:
            _amount(g, part, agent.dose)
        if agent.days is not None:
            g.add(part, CART.doseDays, integer(agent.days))
    for key in r.combined_with:
        g.add(node, CART.combinedWith, ent(key))
    g.add(node, CART.combinationMode, r.combination)


def _amount(g: Graph, node: ox.NamedNode, a: Amount) -> None:
    g.add(node, CART.doseText, a.text)
    if a.value is not None:
        g.add(node, CART.doseValue, decimal(a.value))
    if a.low is not None and a.high is not None:
        g.add(node, CART.doseMin, decimal(a.low))
        g.add(node, CART.doseMax, decimal(a.high))
    if a.unit is not None:
        g.add(node, CART.doseUnit, given.DOSE_UNITS[a.unit])
    g.add(node, CART.dosePer, a.per)


def emit_study(g: Graph, s: Study, ent: Ent) -> None:
    """What a source says of a trial as a study, said of the trial; and its endpoints."""
    trial = ent(s.trial)
    assert trial is not None
    for name in s.designs:
        g.add(trial, CART.hasDesign, given.TRIAL_DESIGNS[name])
    if s.status is not None:
        g.add(trial, CART.trialStatus, given.TRIAL_STATUSES[s.status])
    if s.enrolment_kind is not None and s.enrolment is not None:
        g.add(trial, given.ENROLMENT_KINDS[s.enrolment_kind], integer(s.enrolment))
    for endpoint in s.endpoints:
        emit_endpoint(g, s.trial, endpoint, ent)


def emit_endpoint(g: Graph, trial_key: str, e: Endpoint, ent: Ent) -> ox.NamedNode:
    """An endpoint of a trial (its node, linked from the trial); returns its IRI."""
    node = endpoint_iri(trial_key, e.id)
    trial = ent(trial_key)
    assert trial is not None
    g.add(trial, CART.hasEndpoint, node)
    g.add(node, RDF.type, CART.Endpoint)
    g.add(node, RDFS.label, e.id)
    g.add(node, CART.endpointId, e.id)
    g.add(node, CART.inTrial, trial)
    g.add(node, CART.hasMeasure, ent(e.measure))
    g.add(node, CART.endpointRole, e.role)
    g.add(node, CART.endpointText, e.text)
    if e.window is not None:
        emit_time(g, node, given.WINDOW, e.window)
    return node


def emit_cohort(g: Graph, node: ox.NamedNode, c: Cohort, ent: Ent) -> None:
    """A cohort: its size and population, in one trial or across trials of one sponsor."""
    g.add(node, RDF.type, CART.Cohort)
    g.add(node, RDFS.label, f"cohort of {c.size}: {c.description}")
    for key in c.trials:
        g.add(node, CART.inTrial, ent(key))
    g.add(node, CART.acrossTrialsOf, ent(c.sponsor))
    g.add(node, CART.forTherapy, ent(c.therapy))
    for key in c.indications:
        g.add(node, CART.forIndication, ent(key))
    g.add(node, CART.cohortSize, integer(c.size))
    g.add(node, CART.populationDescription, c.description)
