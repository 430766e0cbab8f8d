"""Records + rules + register history → the documents of a run, each with its numbering request.

Touches no disk: the register's history comes in as a list.
"""

from __future__ import annotations

import datetime as dt

from .config import Config
from .documents.context import document_title, reply_by
from .model import Decision, Issued, Kind, Unit
from .register.numbering import series_for
from .register.store import Request
from .rules.escalation import Thresholds, decide_slips, order_decisions
from .rules.findings import decide_findings
from .rules.ranking import rank, task_progress

from .sources import Office

COLLECTIVE = {"区县": "各区县党（工）委改革办", "市直部门": "市直有关部门", "专项小组": "市委全面深化改革委员会各专项小组",
              "其他": "其他有关单位"}


def all_units_addressee(office: Office, config: Config) -> Unit:
    """The bulletin goes to every unit: its 主送 names the categories in unit order."""
    if config.ranking.addressee:
        text = config.ranking.addressee
    else:
        seen: list[str] = []
        for u in office.units:
            if u.category not in seen:
                seen.append(u.category)
        text = "，".join(COLLECTIVE.get(c, f"各{c}单位") for c in seen)
    return Unit(name=text, short="各单位", category="", order=-1)


def thresholds(config: Config) -> Thresholds:
    r = config.rules
    return Thresholds(r.reminder_reply_days, r.urge_days_before_due, r.order_after_urging_days, r.order_new_deadline_days)


def merged_history(register: list[Issued], imported: list[Issued]) -> list[Issued]:
    """The register's documents plus those of data/history not yet in it (one per number)."""
    known = {i.doc_no for i in register}
    return list(register) + [i for i in imported if i.doc_no not in known]


def decide(office: Office, history: list[Issued], as_of: dt.date, month: str, config: Config) -> list[Decision]:
    """Every document the month calls for, in numbering and print order."""
    slips = decide_slips(office.tasks, history, as_of, month, thresholds(config))
    findings = decide_findings(office.findings, history, as_of, month)
    bulletin = []
    if office.scores is not None:
        r = config.ranking
        ranking = rank(office.scores, office.units, r.categories, str(r.annual_weight), r.commend_top)
        bulletin.append(Decision(Kind.RANKING, all_units_addressee(office, config), month, facts={
            "ranking": ranking, "progress": task_progress(office.tasks, as_of, month)},
            reason=f"{month[:4]}年{int(month[5:])}月得分表已到（{office.scores.current.file}） → 排名通报"))
    return order_decisions(slips + findings + bulletin)


def requests(decisions: list[Decision], config: Config, as_of: dt.date, month: str) -> list[Request]:
    out = []
    for d in decisions:
        series = series_for(d.kind, config.numbering, config.office.prefix)
        pattern = series.pattern.replace("{prefix}", series.prefix)
        deadline = d.facts.get("new_deadline") if d.facts else None
        out.append(Request(
            key=d.key(month), series=series.name, year=as_of.year, kind=d.kind, subject=d.subject,
            unit=d.unit.name, month=month, issued_on=as_of, deadline=deadline,
            title=document_title(d, config), pattern=pattern, reply_by=reply_by(d, config, as_of),
        ))
    return out
