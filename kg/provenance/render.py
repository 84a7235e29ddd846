"""Render trace records and evidence reports as text, Markdown or JSON."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from kg.core.curie import compact
from kg.provenance.evidence import EvidenceReport, FactSupport
from kg.provenance.record_trace import RecordEvidence
from kg.provenance.trace import EvidenceRecord


def _status(r: EvidenceRecord) -> str:
    status = r.basis
    if r.basis == "inferred" and r.rationale:
        status += f" (rationale: {r.rationale})"
    if r.disputed:
        by = f"; disputed by {', '.join(r.disputed_by)}" if r.disputed_by else ""
        status += f"; DISPUTED: {r.dispute_reason}{by}"
    return status


def _article_line(r: EvidenceRecord) -> str:
    date = r.article_date or "date not given"
    line = f"{r.article_id}: “{r.article_title}” ({r.article_kind}, {date})"
    if r.article_citation:
        line += f"; {r.article_citation}"
    if r.article_derived_from:
        line += f"; derived from {', '.join(r.article_derived_from)}"
    return line


def trace_text(records: Sequence[EvidenceRecord], heading: str,
               registry: Sequence[RecordEvidence] = ()) -> str:
    """Plain text, grouped by source article, then by registry record."""
    lines = [heading, ""]
    if not records and not registry:
        lines.append("no assertion involves it.")
    current = None
    for r in records:
        if r.article_id != current:
            current = r.article_id
            lines.append(f"== {_article_line(r)}")
        lines.append(f"  claim {r.claim_id}  [{_status(r)}]")
        lines.append(f"    from {r.curation_file}, assertion {compact(r.assertion)}")
        if r.said_by:
            lines.append(f"    said by: {r.said_by}")
        if r.note:
            lines.append(f"    curator's note: {r.note}")
        for q in r.quotes:
            lines.append(f"    quote [{q.start}:{q.end}]: {q.marked()}")
        for s, p, o in r.triples:
            lines.append(f"    asserts {s} {p} {o}")
        lines.append("")
    return "\n".join(lines + _registry_lines(registry, "text")).rstrip() + "\n"


def _record_line(r: RecordEvidence) -> str:
    """The record as its data terms ask: who publishes it, and when it was retrieved."""
    return (f"{r.publisher} record {r.nct_id}: “{r.title}” (registry record, retrieved "
            f"{r.retrieved}, {r.url})")


def _registry_lines(registry: Sequence[RecordEvidence], style: str) -> list[str]:
    """Registry evidence, grouped by record: each field's JSON Pointer and value."""
    lines: list[str] = []
    current = None
    for r in registry:
        if r.nct_id != current:
            current = r.nct_id
            lines += [f"== {_record_line(r)}"] if style == "text" \
                else [f"## {_record_line(r)}", ""]
        if style == "text":
            lines.append(f"  statement {r.statement}  [registry record]")
            lines.append(f"    from {r.file}, assertion {compact(r.assertion)}")
            lines += [f"    field {p}: {json.dumps(v, ensure_ascii=False)}" for p, v in r.fields]
            lines += [f"    asserts {s} {p} {o}" for s, p, o in r.triples]
            lines.append("")
        else:
            lines.append(f"- **{r.statement}** (registry record), `{r.file}`")
            lines += [f"  - field `{p}`: {json.dumps(v, ensure_ascii=False)}"
                      for p, v in r.fields]
            lines += [f"  - `{s} {p} {o}`" for s, p, o in r.triples]
    return lines


def trace_markdown(records: Sequence[EvidenceRecord], heading: str,
                   registry: Sequence[RecordEvidence] = ()) -> str:
    """Markdown, grouped by source article then registry record, quoted spans in bold."""
    lines = [f"# {heading}", ""]
    if not records and not registry:
        lines.append("No assertion involves it.")
    current = None
    for r in records:
        if r.article_id != current:
            current = r.article_id
            lines += [f"## {_article_line(r)}", ""]
        lines.append(f"- **{r.claim_id}** ({_status(r)}), `{r.curation_file}`")
        if r.said_by:
            lines.append(f"  - said by: {r.said_by}")
        if r.note:
            lines.append(f"  - curator's note: {r.note}")
        for q in r.quotes:
            lines.append(f"  > {q.marked('**', '**')}  ")
            lines.append(f"  > characters {q.start}-{q.end}")
        for s, p, o in r.triples:
            lines.append(f"  - `{s} {p} {o}`")
    if registry:
        lines.append("")
    return "\n".join(lines + _registry_lines(registry, "markdown")).rstrip() + "\n"


def trace_json(records: Sequence[EvidenceRecord], heading: str,
               registry: Sequence[RecordEvidence] = ()) -> str:
    """JSON: the records as they are, with each quote's marked sentence, and registry evidence."""
    def record(r: EvidenceRecord) -> dict[str, Any]:
        data = dataclasses.asdict(r)
        for q, raw in zip(r.quotes, data["quotes"], strict=True):
            raw["marked"] = q.marked()
        return data

    return json.dumps({"query": heading, "assertions": [record(r) for r in records],
                       "registry_assertions": [dataclasses.asdict(r) for r in registry]},
                      indent=2, ensure_ascii=False) + "\n"


TRACE_FORMATS: dict[str, Callable[[Sequence[EvidenceRecord], str, Sequence[RecordEvidence]],
                                   str]] = {
    "text": trace_text,
    "markdown": trace_markdown,
    "json": trace_json,
}


def evidence_text(report: EvidenceReport) -> str:
    """The evidence report as plain text."""
    out = [f"facts between entities: {len(report.facts)} "
           f"({len(report.corroborated)} corroborated by 2+ independent origins, "
           f"{len(report.single_source)} single-source, "
           f"{len(report.inferred_only)} curator inference only)", ""]
    out.append("Corroborated facts (independent origins stating them):")
    for f in report.corroborated:
        out.append(f"  [{f.sources}] {f.label}  <- {_support(f)}")
    out += ["", "Single-source facts:"]
    for f in report.single_source:
        out.append(f"  [1] {f.label}  <- {_support(f)}")
    out += ["", "Facts resting on curator inference only (no source states them):"]
    for f in report.inferred_only:
        out.append(f"  [0] {f.label}  <- {_support(f)}")
    out += ["", f"Disputed claims: {len(report.disputed)}"]
    for claim in report.disputed:
        by = ", ".join(compact(b) for b in claim.disputed_by)
        by = f" (disputed by {by})" if by else ""
        out.append(f"  {claim.article} {claim.claim}: {claim.reason}{by}")
    out += ["", f"Outcome conflicts (same therapy, population, measure, timepoint; "
                f"different values): {len(report.conflicts)}"]
    for c in report.conflicts:
        out.append(f"  {c.reports[0].therapy} / {c.reports[0].measure}:")
        for r in c.reports:
            out.append(f"    {r.article} {r.claim}: {r.value} {r.unit or ''} ({r.population}, "
                       f"{r.timepoint_text or 'no timepoint'})")
            out += _note(r.note)
    out += ["", f"Outcomes corroborated across sources: {len(report.agreements)}"]
    for c in report.agreements:
        r0 = c.reports[0]
        arts = ", ".join(r.article for r in c.reports)
        value = f"{r0.value} {r0.unit or ''}".strip() if r0.value else "qualitative finding"
        out.append(f"  {r0.therapy} / {r0.measure} = {value} <- {arts}")
    out += ["", f"Data-cut succession (the latest cut is current, earlier cuts are kept): "
                f"{len(report.successions)}"]
    for cuts in report.successions:
        trial = f" in {cuts.trial}" if cuts.trial else ""
        out.append(f"  {cuts.therapy} / {cuts.measure}{trial}:")
        for r in cuts.reports:
            status = "current" if r is cuts.current else "superseded"
            value = f"{r.value} {r.unit or ''}".strip() if r.value else "qualitative"
            out.append(f"    [{status}] data cut-off {r.data_cutoff}: {r.article} {r.claim}: "
                       f"{value} ({r.timepoint_text or 'no timepoint'})")
    out += ["", f"Statements attributed to a person or body: {len(report.attributed)}"]
    for said in report.attributed:
        out.append(f"  {said.article} {said.claim}: said by {said.said_by}")
    out += ["", "Look-alike outcomes that are distinct (not conflicts), by broadest indication:"]
    for d in report.distinct:
        out.append(f"  {d.therapy} / {d.measure} in {d.indication}: differ in "
                   f"{', '.join(d.differs_in)}")
        for r in d.reports:
            value = f"{r.value} {r.unit or ''}".strip() if r.value else "qualitative"
            out.append(f"    {r.article} {r.claim}: {value} in "
                       f"{' + '.join(r.indications)} ({r.population}; "
                       f"{r.timepoint_text or 'no timepoint'})")
            out += _note(r.note)
    return "\n".join(out + _registry_text(report)) + "\n"


def _registry_text(report: EvidenceReport) -> list[str]:
    """Registry records beside the articles, naming ClinicalTrials.gov and the retrieval date."""
    rows = report.registry
    differ = sum(r.agreement == "differ" for r in rows)
    out = ["", f"Registry records beside the articles: {len(rows)} comparison(s), "
               f"{differ} difference(s)"]
    for r in rows:
        side = f"article {r.source} {r.claim}: {r.article}" if r.source else "no article states it"
        out.append(f"  [{r.agreement}] {r.trial} / {r.aspect}: registry {r.registry}; {side}  "
                   f"(ClinicalTrials.gov {r.record}, retrieved {r.retrieved})")
    return out


def _support(f: FactSupport) -> str:
    """The articles asserting a fact, and its origins where they are not those articles."""
    text = ", ".join(f.articles)
    if f.origins and set(f.origins) != set(f.articles):
        text += f" (stated by independent origins: {', '.join(f.origins)})"
    if f.disputed_in:
        text += f"  (disputed in {', '.join(f.disputed_in)})"
    return text


def _note(note: str | None) -> list[str]:
    return [f"      curator's note: {note}"] if note else []


def evidence_json(report: EvidenceReport) -> str:
    """The evidence report as JSON."""
    data = dataclasses.asdict(report)
    data["single_source"] = [dataclasses.asdict(f) for f in report.single_source]
    data["corroborated"] = [dataclasses.asdict(f) for f in report.corroborated]
    data["inferred_only"] = [dataclasses.asdict(f) for f in report.inferred_only]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


EVIDENCE_FORMATS: dict[str, Callable[[EvidenceReport], str]] = {
    "text": evidence_text,
    "json": evidence_json,
}
