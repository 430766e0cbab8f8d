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
from ..rules.quarterly import LONG_OVERDUE_DAYS, rate, rate_text
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


class Link:
    """A hyperlink for a template ({{r link }}): the renderer makes it a RichText with its own relationship."""

    def __init__(self, text: str, url: str):
        self.text, self.url = text, url

    def __str__(self) -> str:
        return self.text


class Insert:
    """A Word file put into the document whole ({{p insert }}): the renderer makes it a docxtpl Subdoc."""

    def __init__(self, path):
        self.path = path

    def __str__(self) -> str:
        return f"插入：{self.path}"


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
        "images": {name: Picture(config.path(image.file), image.width_mm, name) for name, image in o.images.items()},
        "pictures": {name: str(config.path(file)) for name, file in o.pictures.items()},  # read by the renderer at load
    }


def unit_context(unit: Unit) -> dict[str, Any]:
    return {"name": unit.name, "short": unit.short, "category": unit.category,
            "contact": unit.contact, "phone": unit.phone, "extra": dict(unit.extra)}


def task_context(task: Task) -> dict[str, Any]:
    return {
        "id": task.id, "title": task.title, "source_doc": task.source_doc, "source_no": task.source_no,
        "source": task.source, "received": cn(task.received), "assigned": cn(task.assigned),
        "due": cn(task.due), "done": cn(task.done), "status": task.status.value,
        "progress": task.progress, "note": task.note, "deliverable": task.deliverable, "lead": task.lead.name,
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
    if d.kind == Kind.QUARTERLY:
        return f"关于{d.facts['figures'].quarter.name}{config.ranking.area}全面深化改革任务推进情况的通报"
    if d.kind == Kind.INTERVIEW:
        return f"关于约谈{d.unit.short}主要负责同志的通知"
    if d.kind in (Kind.TASKLIST_NOTICE, Kind.PLEDGE):
        return d.facts["title"]
    if d.kind == Kind.RANKING:
        year, month = d.subject.split("-")
        return f"关于{year}年{int(month)}月份{config.ranking.area}全面深化改革工作排名情况的通报"
    return config.kind_name(d.kind)


def reply_by(d: Decision, config: Config, as_of: dt.date) -> dt.date | None:
    """The date by which the document asks for a written reply, as printed in it; None when it asks none.

    The one place this date is computed: the templates print it (reply_by, new_deadline,
    report_by) and the register keeps it for 签收反馈 (pipeline.loop.receipts).
    """
    rules = config.rules
    if d.kind == Kind.REMINDER:
        return d.facts["reply_by"]  # 反馈时限
    if d.kind in (Kind.URGING, Kind.FINDING_URGING):
        return as_of + dt.timedelta(days=rules.urging_reply_days)  # the date to report progress by
    if d.kind == Kind.ORDER:
        return d.facts["new_deadline"]  # finish and report by the new deadline
    if d.kind == Kind.RECTIFICATION:
        # the earliest deadline of its findings, but not earlier than as-of + reminder_reply_days
        return max(min(f.due for f in d.findings), as_of + dt.timedelta(days=rules.reminder_reply_days))
    return None  # an assignment asks for monthly reports; a bulletin or the book asks nothing


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
        ctx.update({
            "inspection": {"name": d.facts["inspection"], "inspected": cn(d.facts["inspected"])},
            "findings": findings, "count": len(findings), "supplementary": d.facts["supplementary"],
            "attachment_title": f"{d.facts['inspection']}{'（补充）' if d.facts['supplementary'] else ''}问题整改清单",
            "report_by": cn(reply_by(d, config, as_of)),
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
    if d.kind in (Kind.TASKLIST_NOTICE, Kind.PLEDGE):  # made by pipeline.periodic.tasklist
        ctx.update(d.facts["fields"])
        return ctx
    if d.kind == Kind.RANKING:
        ranking = d.facts["ranking"]
        ctx.update({
            "ranking": ranking.fields() | {"area": config.ranking.area}, "progress": d.facts["progress"].fields(),
            "charts": list(d.facts.get("charts", [])),
            "receipts": d.facts.get("receipts"),  # the year's 签收/反馈 figures when ranking.reply_figures is on
            "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc),
        })
        return ctx
    if d.kind == Kind.QUARTERLY:
        ctx.update(quarterly_context(d.facts["figures"], config))
        ctx.update({"charts": list(d.facts.get("charts", [])),
                    "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc)})
        return ctx
    if d.kind == Kind.INTERVIEW:
        ctx.update(interview_context(d, config, as_of, same_run))
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
            "reply_by": cn(reply_by(d, config, as_of)),
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
        ctx["reply_by"] = cn(reply_by(d, config, as_of))
    elif d.kind == Kind.ASSIGNMENT:
        ctx["requirements"] = sentence(task.note or task.progress) or "按照上级文件和本单要求，制定具体实施方案，明确时间表、路线图和责任人，按期高质量完成改革任务。"
        ctx["report_day"] = rules.progress_report_day
    elif d.kind == Kind.URGING:
        ctx.update({
            "assignment": _ref(assignment), "order": _ref(facts.get("order")),
            "deadline": cn(facts["deadline"]), "days_left": facts["days_left"],
            "status_text": status_text(facts["days_left"]),
            "reply_within": rules.urging_reply_days,
            "reply_by": cn(reply_by(d, config, as_of)),
        })
    elif d.kind == Kind.ORDER:
        ctx.update({
            "assignment": _ref(assignment), "urging": _ref(facts["urging"]),
            "days_overdue": facts["days_overdue"], "new_deadline": cn(reply_by(d, config, as_of)),
            "consequences": list(rules.order_consequences),
        })
    return ctx


def quarterly_context(figures, config: Config) -> dict[str, Any]:
    """The 季度通报's names: quarter, totals, categories (tables), findings, problems, overdue (附件), next_steps."""
    q = figures.quarter
    categories = []
    for category, rows in figures.categories(config.units.categories):
        total = {k: sum(r.fields()[k] for r in rows) for k in ("due", "on_time", "late", "not_done", "pending", "done", "urgings", "orders")}
        total["rate"] = rate_text(rate(total["done"], total["due"]))
        categories.append({"category": category, "units": [r.fields() for r in rows], "total": total})
    overdue = [o.fields() | {"due": cn(o.task.due)} for o in figures.overdue]
    return {
        "quarter": {"label": q.label, "year": q.year, "number": q.number, "name": q.name,
                    "first": cn(q.first), "last": cn(q.last)},
        "area": config.ranking.area,
        "totals": figures.totals(),
        "categories": categories,
        "findings": {"notified": len(figures.findings_notified), "rectified": len(figures.findings_rectified),
                     "rectified_late": len(figures.findings_rectified_late), "overdue": len(figures.findings_overdue)},
        "ordered_units": [{"unit": u.short, "unit_name": u.name, "count": len(os), "doc_nos": [o.doc_no for o in os]}
                          for u, os in figures.ordered_units],
        "long_overdue": [o for o in overdue if o["days"] > LONG_OVERDUE_DAYS],
        "long_overdue_days": LONG_OVERDUE_DAYS,
        "overdue": overdue,
        "attachment_title": f"截至{format_date(figures.as_of)}逾期未完成改革任务清单",
        "next_steps": [sentence(config.fill_names(s)) for s in config.quarterly.next_steps if s.strip()],
    }


def interview_context(d: Decision, config: Config, as_of: dt.date, same_run: dict[tuple[Kind, str], Numbered]) -> dict[str, Any]:
    """The 约谈通知's names: addressee, interview (triggers, orders, ranks, when, where)."""
    from ..rules.interview import ORDERS, RANKING

    p = d.facts["proposal"]
    titles = d.facts.get("titles", {})
    orders = []
    for o in p.orders:
        doc_no = o.doc_no or (same_run[(Kind.ORDER, o.subject)].doc_no if (Kind.ORDER, o.subject) in same_run else "")
        orders.append({"doc_no": doc_no, "date": cn(o.date), "task_id": o.subject, "task_title": titles.get(o.subject, "")})
    ranks = [{"month": r.month_text, "rank": r.rank, "count": r.count, "category": r.category} for r in p.ranks]
    head = d.unit.head
    cfg = config.interview
    return {
        "head": head,
        "addressee": f"{d.unit.name}{head}同志" if head else f"{d.unit.name}主要负责同志",
        "interview": {
            "triggers": list(p.triggers), "on_orders": ORDERS in p.triggers, "on_ranking": RANKING in p.triggers,
            "year": as_of.year, "orders": orders, "order_count": len(orders),
            "ranks": ranks, "months": len(ranks), "category": ranks[-1]["category"] if ranks else "",
            "when": cfg.when, "where": cfg.where,
        },
        "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc),
    }
