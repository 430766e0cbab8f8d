"""The template context: the names a template may use, per kind of document.

Chosen once and used everywhere (documented in docs/templates.md): `office`, `unit`,
`doc_no`, `date`, `title`, `cc`, `cc_text`, and per kind `task`, `deadline`, ... Dates are
`CnDate` objects: they print as 2026年11月24日 without a filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..config import Config
from ..model import Decision, Finding, Issued, Kind, Numbered, Task, Unit
from ..sources.values import format_date
from .layout import nest_quotes


class Picture:
    """An image for a template ({{ chart }}): the renderer turns it into an inline picture."""

    def __init__(self, path, width_mm: float, caption: str = ""):
        self.path = path
        self.width_mm = width_mm
        self.caption = caption

    def __str__(self) -> str:
        return f"图片：{self.caption}（宽{self.width_mm:g}毫米）"


class CnDate(dt.date):
    """A date that prints as 2026年11月24日 (Arabic numerals, no leading zeros)."""

    def __str__(self) -> str:
        return format_date(self)

    def __html__(self) -> str:  # Jinja autoescape uses this
        return str(self)


def cn(day: dt.date | None) -> CnDate | None:
    return None if day is None else CnDate(day.year, day.month, day.day)


def office_context(config: Config) -> dict[str, Any]:
    o = config.office
    return {
        "name": o.name, "short": o.short, "mark": o.mark, "prefix": o.prefix,
        "cc": list(o.cc), "contact": {"name": o.contact.name, "phone": o.contact.phone},
    }


def unit_context(unit: Unit) -> dict[str, Any]:
    return {"name": unit.name, "short": unit.short, "category": unit.category,
            "contact": unit.contact, "phone": unit.phone, "extra": dict(unit.extra)}


def task_context(task: Task) -> dict[str, Any]:
    return {
        "id": task.id, "title": task.title, "source_doc": task.source_doc, "source_no": task.source_no,
        "source": task.source, "received": cn(task.received), "assigned": cn(task.assigned),
        "due": cn(task.due), "done": cn(task.done), "status": task.status.value,
        "progress": task.progress, "note": task.note, "lead": task.lead.name,
        "partners": [u.name for u in task.partners], "extra": dict(task.extra),
    }


def upper_doc(task: Task) -> str:
    """《关于…的意见》（中办发〔2026〕12号）: the title in book marks once, the number in brackets."""
    title = task.source_doc.strip()
    if title and not title.startswith("《"):
        title = f"《{title}》"
    if task.source_no:
        return f"{title}（{task.source_no}）" if title else task.source_no
    return title


def _ref(issued: Issued | dict | None) -> dict[str, Any] | None:
    if issued is None:
        return None
    if isinstance(issued, dict):
        return issued
    return {"doc_no": issued.doc_no, "date": cn(issued.date), "deadline": cn(issued.deadline)}


def sentence(text: str) -> str:
    """Text that ends as a sentence: add 。 unless it already ends with a stop."""
    text = text.strip()
    return text if not text or text[-1] in "。！？；…”’）)" else text + "。"


def status_text(days_left: int) -> str:
    if days_left > 0:
        return f"距完成时限还有{days_left}天"
    if days_left == 0:
        return "今天为完成时限"
    return f"已逾期{-days_left}天"


def document_title(d: Decision, config: Config) -> str:
    """The title printed on a formal document, or the register's description of a slip."""
    if d.kind in (Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.ORDER) and d.task is not None:
        return f"{config.kind_name(d.kind)}：{d.task.title}"
    if d.kind == Kind.RECTIFICATION:
        extra = "（补充）" if d.facts.get("supplementary") else ""
        return f"关于{d.facts['inspection']}反馈问题{extra}整改的通知"
    if d.kind == Kind.FINDING_URGING:
        return f"{config.kind_name(d.kind)}：{len(d.findings)}个逾期未整改问题"
    if d.kind == Kind.COMPILATION_NOTICE:
        return nest_quotes(f"关于印发《{d.facts['book_title']}》的通知")
    if d.kind == Kind.COMPILATION:
        return d.facts["book_title"]
    if d.kind == Kind.RANKING:
        year, month = d.subject.split("-")
        return f"关于{year}年{int(month)}月份{config.ranking.area}全面深化改革工作排名情况的通报"
    return config.kind_name(d.kind)


def finding_context(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "inspection": f.inspection, "inspected": cn(f.inspected), "problem": f.problem,
            "requirement": f.requirement, "due": cn(f.due), "status": f.status.value, "done": cn(f.done),
            "review": f.review, "extra": dict(f.extra)}


def build_context(doc: Numbered, config: Config, as_of: dt.date, same_run: dict[tuple[Kind, str], Numbered]) -> dict[str, Any]:
    """Everything one document's template may use."""
    d = doc.decision
    cc_units = [u.name for u in d.task.partners] if d.task else []
    ctx: dict[str, Any] = {
        "office": office_context(config),
        "unit": unit_context(d.unit),
        "kind": d.kind.value,
        "kind_name": config.kind_name(d.kind),
        "kind_head": config.kind_head(d.kind),
        "kinds": config.kind_names(),
        "doc_no": doc.doc_no,
        "date": cn(as_of),
        "title": document_title(d, config),
        "cc": cc_units,
        "cc_text": "、".join(cc_units),
    }
    if d.kind == Kind.RECTIFICATION:
        findings = [finding_context(f) for f in d.findings]
        earliest = min(f.due for f in d.findings)
        floor = as_of + dt.timedelta(days=config.rules.reminder_reply_days)
        ctx.update({
            "inspection": {"name": d.facts["inspection"], "inspected": cn(d.facts["inspected"])},
            "findings": findings, "count": len(findings), "supplementary": d.facts["supplementary"],
            "attachment_title": f"{d.facts['inspection']}{'（补充）' if d.facts['supplementary'] else ''}问题整改清单",
            "report_by": cn(max(earliest, floor)),
            "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc),
        })
        return ctx
    if d.kind in (Kind.COMPILATION_NOTICE, Kind.COMPILATION):
        ctx.update({
            "book": {"title": d.facts["book_title"], "year": int(d.subject), "count": d.facts["count"],
                     "categories": list(d.facts["categories"])},
            "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc),
        })
        return ctx
    if d.kind == Kind.RANKING:
        ranking = d.facts["ranking"]
        ctx.update({
            "ranking": ranking.fields() | {"area": config.ranking.area}, "progress": d.facts["progress"].fields(),
            "charts": list(d.facts.get("charts", [])),
            "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc),
        })
        return ctx
    if d.kind == Kind.FINDING_URGING:
        rows = []
        for f in d.findings:
            notice = d.facts["notices"][f.id]
            rows.append(finding_context(f) | {"days_overdue": d.facts["days_overdue"][f.id],
                                              "notice": {"doc_no": notice.doc_no, "date": cn(notice.date)}})
        ctx.update({
            "findings": rows, "count": len(rows),
            "reply_within": config.rules.urging_reply_days,
            "reply_by": cn(as_of + dt.timedelta(days=config.rules.urging_reply_days)),
        })
        return ctx
    if d.task is None:
        return ctx
    task = d.task
    facts = d.facts
    ctx.update({
        "task": task_context(task),
        "upper_doc": upper_doc(task),
        "partners": [u.name for u in task.partners],
        "partners_text": "、".join(u.name for u in task.partners),
        "progress_text": sentence(task.progress),
    })
    # a slip may refer to another made in this same run (an urging after this run's assignment)
    assignment = facts.get("assignment")
    if assignment is None and (Kind.ASSIGNMENT, task.id) in same_run:
        assignment = {"doc_no": same_run[(Kind.ASSIGNMENT, task.id)].doc_no, "date": cn(as_of), "deadline": None}
    rules = config.rules
    if d.kind == Kind.REMINDER:
        ctx["reply_by"] = cn(facts["reply_by"])
    elif d.kind == Kind.ASSIGNMENT:
        ctx["requirements"] = sentence(task.note or task.progress) or "按照上级文件和本单要求，制定具体实施方案，明确时间表、路线图和责任人，按期高质量完成改革任务。"
        ctx["report_day"] = rules.progress_report_day
    elif d.kind == Kind.URGING:
        ctx.update({
            "assignment": _ref(assignment), "order": _ref(facts.get("order")),
            "deadline": cn(facts["deadline"]), "days_left": facts["days_left"],
            "status_text": status_text(facts["days_left"]),
            "reply_within": rules.urging_reply_days,
            "reply_by": cn(as_of + dt.timedelta(days=rules.urging_reply_days)),
        })
    elif d.kind == Kind.ORDER:
        ctx.update({
            "assignment": _ref(assignment), "urging": _ref(facts["urging"]),
            "days_overdue": facts["days_overdue"], "new_deadline": cn(facts["new_deadline"]),
            "consequences": list(rules.order_consequences),
        })
    return ctx
