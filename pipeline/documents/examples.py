"""An example document of every kind, made by the real context code from a tiny office in memory.

Used by `templates check` (what each kind offers), by `templates init` (the guide with an
example value for each variable) and by docs/templates.md: all three come from the code
that fills the real documents, so they cannot drift from it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..config import Config
from .context import build_context
from ..model import (Decision, Finding, FindingStatus, Indicator, Issued, Kind, Numbered, ScoreBook, ScoreRow,
                    ScoreSheet, Task, TaskStatus, Unit)

AS_OF = dt.date(2026, 11, 28)
MONTHLY = [Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.ORDER, Kind.RECTIFICATION, Kind.FINDING_URGING, Kind.RANKING]
KINDS = MONTHLY + [Kind.COMPILATION_NOTICE, Kind.QUARTERLY, Kind.INTERVIEW, Kind.TASKLIST_NOTICE, Kind.PLEDGE]


def _office() -> tuple[list[Unit], Task, list[Finding], ScoreBook]:
    lead = Unit("张店区委改革办", "张店区", "区县", 1, "李娜", "0533-2286015")
    other = Unit("淄川区委改革办", "淄川区", "区县", 2, "王强", "0533-5182736")
    partner = Unit("淄博市财政局", "市财政局", "市直部门", 3)
    task = Task("2026-017", "深化预算管理制度改革", lead, TaskStatus.IN_PROGRESS, (partner,),
                source_doc="关于进一步深化预算管理制度改革的意见", source_no="国发〔2026〕5号", source="中央",
                received=dt.date(2026, 11, 20), assigned=dt.date(2026, 9, 1), due=dt.date(2026, 11, 16),
                progress="已完成预算绩效管理办法起草", note="")
    findings = [Finding("DC2026-3-01", "2026年第三轮改革专项督察", dt.date(2026, 10, 22), lead,
                        "改革任务台账更新不及时", "建立台账月度核对机制", dt.date(2026, 11, 20), FindingStatus.IN_PROGRESS)]
    indicators = (Indicator("改革任务推进", Decimal(40)), Indicator("督察整改", Decimal(30)))
    def sheet(month, a, b):
        return ScoreSheet(month, indicators, (ScoreRow(lead, a, sum(a)), ScoreRow(other, b, sum(b))))
    book = ScoreBook("2026-11", {
        "2026-10": sheet("2026-10", (Decimal("35.5"), Decimal("27")), (Decimal("36"), Decimal("28"))),
        "2026-11": sheet("2026-11", (Decimal("37.5"), Decimal("28.25")), (Decimal("34"), Decimal("26"))),
    })
    return [lead, other, partner], task, findings, book


class AnyExtra(dict):
    """The example's extra columns: any column an office's data may have reads as ''."""

    def __missing__(self, key: str) -> str:
        return ""


def _lenient(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: AnyExtra(v) if k == "extra" else _lenient(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lenient(v) for v in value]
    return value


def _receipts(units: list[Unit]) -> dict[str, Any]:
    """The bulletin's 签收/反馈 figures (ranking.reply_figures), as pipeline.loop.receipts.bulletin_figures gives them."""
    from .context import cn

    rows = [{"name": u.name, "short": u.short, "issued": 9 - i, "received": 8 - i, "not_received": i, "on_time": 5 - i,
             "late": 1, "missing": i} for i, u in enumerate(units)]
    return {"year": 2026, "as_of": cn(AS_OF), "receipt_days": 5, "issued": sum(r["issued"] for r in rows),
            "received": sum(r["received"] for r in rows), "not_received": sum(r["not_received"] for r in rows),
            "on_time": sum(r["on_time"] for r in rows), "late": sum(r["late"] for r in rows),
            "missing": sum(r["missing"] for r in rows), "units": rows,
            "overdue_units": sorted((r for r in rows if r["missing"]), key=lambda r: -r["missing"])}


def example_contexts(config: Config) -> dict[str, dict[str, Any]]:
    """{kind: the context its template gets} for a realistic example of each kind."""
    from ..plan import all_units_addressee
    from ..rules.ranking import rank, task_progress
    from ..sources import Office
    from ..sources.ledger import UnitDirectory

    units, task, findings, book = _office()
    lead = task.lead
    from ..register.numbering import series_for

    def number(kind: Kind, n: int) -> str:
        return series_for(kind, config.numbering, config.office.prefix).format(2026, n)

    assignment = Issued(Kind.ASSIGNMENT, task.id, lead.name, number(Kind.ASSIGNMENT, 12), dt.date(2026, 9, 1))
    urging = Issued(Kind.URGING, task.id, lead.name, number(Kind.URGING, 7), dt.date(2026, 11, 13))
    notice = Issued(Kind.RECTIFICATION, findings[0].id, lead.name, number(Kind.RECTIFICATION, 15), dt.date(2026, 10, 30))
    office = Office(units, UnitDirectory(units), [task], findings, [], book)
    ranking = rank(book, units, ["区县"], "0.5", 1)
    decisions = {
        Kind.REMINDER: Decision(Kind.REMINDER, lead, task.id, task, facts={"reply_by": AS_OF + dt.timedelta(days=10)}),
        Kind.ASSIGNMENT: Decision(Kind.ASSIGNMENT, lead, task.id, task, facts={}),
        Kind.URGING: Decision(Kind.URGING, lead, task.id, task, facts={
            "assignment": assignment, "order": None, "deadline": task.due, "days_left": -12, "previous_urging": None}),
        Kind.ORDER: Decision(Kind.ORDER, lead, task.id, task, facts={
            "urging": urging, "assignment": assignment, "days_overdue": 12, "new_deadline": AS_OF + dt.timedelta(days=15)}),
        Kind.RECTIFICATION: Decision(Kind.RECTIFICATION, lead, findings[0].id, findings=tuple(findings), facts={
            "inspection": findings[0].inspection, "inspected": findings[0].inspected, "supplementary": False}),
        Kind.FINDING_URGING: Decision(Kind.FINDING_URGING, lead, findings[0].id, findings=tuple(findings), facts={
            "notices": {findings[0].id: notice}, "days_overdue": {findings[0].id: 8}}),
        Kind.COMPILATION_NOTICE: Decision(Kind.COMPILATION_NOTICE, all_units_addressee(office, config), "2026", facts={
            "book_title": "2026年度全面深化改革典型案例汇编", "count": 12, "categories": ["营商环境", "民生改革"]}),
        Kind.RANKING: Decision(Kind.RANKING, all_units_addressee(office, config), "2026-11", facts={
            "ranking": ranking, "progress": task_progress([task], AS_OF, "2026-11"), "receipts": _receipts(units)}),
    }
    from ..rules.interview import ORDERS, RANKING, MonthRank, Proposal
    from ..rules.quarterly import Quarter, quarter_figures

    order_2 = Issued(Kind.ORDER, "2026-009", lead.name, number(Kind.ORDER, 2), dt.date(2026, 10, 20))
    order_5 = Issued(Kind.ORDER, task.id, lead.name, number(Kind.ORDER, 5), dt.date(2026, 11, 28))
    figures = quarter_figures([task], findings, [assignment, urging, order_5, notice], units, Quarter(2026, 4), AS_OF)
    proposal = Proposal(lead, (ORDERS, RANKING), (order_2, order_5),
                        (MonthRank("2026-10", "区县", 2, 2), MonthRank("2026-11", "区县", 2, 2)))
    decisions[Kind.QUARTERLY] = Decision(Kind.QUARTERLY, all_units_addressee(office, config), "2026-Q4",
                                         facts={"figures": figures})
    decisions[Kind.INTERVIEW] = Decision(Kind.INTERVIEW, lead, proposal.subject, facts={
        "proposal": proposal, "titles": {"2026-009": "推进政务服务“一网通办”", task.id: task.title}})
    decisions.update(_year_decisions(office, config))
    out = {}
    for kind in KINDS:
        d = decisions[kind]
        series = series_for(kind, config.numbering, config.office.prefix)
        numbered = Numbered(d, series.format(2026, 3), series.name, 3)
        ctx = build_context(numbered, config, AS_OF, {})
        if kind == Kind.RANKING:
            from .context import Picture

            ctx["charts"] = [Picture("chart.png", 150, "2026年11月区县改革工作得分")]
        if kind == Kind.QUARTERLY:
            from .context import Picture

            ctx["charts"] = [Picture("chart.png", 150, "2026年第四季度区县改革任务完成率")]
        out[kind.value] = _lenient(ctx)
    return out


def _year_decisions(office, config: Config) -> dict[Kind, Decision]:
    """The task list notice and a 目标责任书 of the example office, made by the year's own code."""
    import dataclasses

    from ..periodic.tasklist import decide

    group = Unit("市委经济体制改革专项小组", "经济体制改革专项小组", "专项小组", 4)
    task = office.tasks[0]
    tasks = [dataclasses.replace(task, id="2027-001", assigned=dt.date(2027, 2, 1), due=dt.date(2027, 6, 30), deliverable="制度文件"),
             Task("2027-003", "深化国资国企改革", group, TaskStatus.NOT_STARTED, (task.lead,), assigned=dt.date(2027, 2, 1),
                  due=dt.date(2027, 9, 30), deliverable="实施方案")]
    year_office = dataclasses.replace(office, units=[*office.units, group], tasks=tasks)
    # the example's group signs a 目标责任书 whatever categories the office configured
    config = dataclasses.replace(config, pledge=dataclasses.replace(config.pledge, categories=[group.category]))
    found = decide(year_office, 2027, config)
    return {Kind.TASKLIST_NOTICE: found[0], Kind.PLEDGE: found[-1]}
