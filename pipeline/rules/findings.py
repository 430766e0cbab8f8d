"""Inspection findings: which rectification notices and finding urging slips a run calls for.

A pure function of (findings, history, as-of, month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable

from ..model import Decision, Finding, Issued, Kind, zh_date
from .escalation import natural_key


def _ids(findings: Iterable[Finding]) -> str:
    return "、".join(sorted((f.id for f in findings), key=natural_key))


def decide_findings(findings: Iterable[Finding], history: Iterable[Issued], as_of: dt.date, month: str) -> list[Decision]:
    """Notices for findings not yet notified (one per inspection and unit); urging for late ones."""
    findings = [f for f in findings if f.inspected <= as_of]  # later ones do not exist yet
    notice_of: dict[str, Issued] = {}
    urged_units: set[str] = set()
    for issued in sorted(history, key=lambda i: i.date):
        if issued.kind == Kind.RECTIFICATION:
            for fid in issued.subject.split("、"):
                notice_of.setdefault(fid, issued)
        elif issued.kind == Kind.FINDING_URGING and issued.month == month:
            urged_units.add(issued.unit)

    decisions: list[Decision] = []
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    notified_groups: set[tuple[str, str]] = set()
    for f in findings:
        if f.id in notice_of:
            notified_groups.add((f.inspection, f.unit.name))
        else:
            groups[(f.inspection, f.unit.name)].append(f)
    for (inspection, _), group in groups.items():
        group.sort(key=lambda f: natural_key(f.id))
        decisions.append(Decision(Kind.RECTIFICATION, group[0].unit, _ids(group), findings=tuple(group), facts={
            "inspection": inspection,
            "inspected": min(f.inspected for f in group),
            "supplementary": (inspection, group[0].unit.name) in notified_groups,
        }, reason=(f"{inspection}（{zh_date(min(f.inspected for f in group))}）发现问题{len(group)}个（{_ids(group)}），"
                   f"尚未发整改通知" + ("（补充通知）" if (inspection, group[0].unit.name) in notified_groups else "")
                   + " → 整改通知")))

    late: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.id in notice_of and f.due < as_of and not f.is_rectified(as_of):
            late[f.unit.name].append(f)
    for unit_name, group in late.items():
        if unit_name in urged_units:
            continue
        group.sort(key=lambda f: (f.due, natural_key(f.id)))
        decisions.append(Decision(Kind.FINDING_URGING, group[0].unit, _ids(group), findings=tuple(group), facts={
            "notices": {f.id: notice_of[f.id] for f in group},
            "days_overdue": {f.id: (as_of - f.due).days for f in group},
        }, reason="；".join(f"{f.id} 整改时限 {zh_date(f.due)}，已逾期{(as_of - f.due).days}天" for f in group)
            + "；尚未整改到位，本月尚未催办 → 整改催办单"))
    return decisions
