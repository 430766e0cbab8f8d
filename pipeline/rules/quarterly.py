"""季度通报: the quarter's figures, as defined in the contract (periodic.md), as pure functions.

Every figure is a function of (tasks, findings, register history, units, quarter, as-of):
no disk, no clock. Tasks count only when assigned (交办日期 ≤ as-of); statuses are read as of
the as-of date (Task.is_done, Finding.is_rectified).

| figure | definition |
| --- | --- |
| due (应完成) | 完成时限 within the quarter and ≤ as-of |
| pending (未到期) | 完成时限 within the quarter and > as-of (not in the rate) |
| on_time (按期完成) | due, done with 完成日期 ≤ 完成时限 |
| late (逾期完成) | due, done with 完成日期 > 完成时限 |
| not_done (未完成) | due, not done as of as-of (a task due that very day included) |
| rate (完成率) | (on time + late) ÷ due, one decimal, half up, with %; "—" when nothing is due |
| new (新交办) | 交办日期 within the quarter and ≤ as-of |
| urgings, orders | 催办单 / 责令书 (tasks only) in the register dated in the quarter (and ≤ as-of) |
| findings | notified (in a 整改通知 dated in the quarter), rectified (整改完成日期 in the quarter, ≤ as-of), overdue (整改时限 < as-of, not rectified) |
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Sequence

from ..model import SLIPS, Finding, Issued, Kind, Task, Unit

LONG_OVERDUE_DAYS = 30
"""三、存在问题 names the tasks overdue by more than this many days."""

QUARTER_ZH = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last(self) -> dt.date:
        if self.number == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.number + 1, 1) - dt.timedelta(days=1)

    @property
    def name(self) -> str:
        """2026年第四季度."""
        return f"{self.year}年{QUARTER_ZH[self.number]}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day <= self.last


def parse_quarter(text: str) -> Quarter | None:
    """2026-Q4 (or 2026-q4, 2026Q4) → Quarter(2026, 4); None when it is not a quarter."""
    m = re.fullmatch(r"\s*(\d{4})-?[Qq]([1-4])\s*", text or "")
    return Quarter(int(m.group(1)), int(m.group(2))) if m else None


def rate(done: int, due: int) -> Decimal | None:
    """(on time + late) ÷ due as a percentage, exact; None when nothing is due."""
    if due == 0:
        return None
    return Decimal(done * 100) / Decimal(due)


def rate_text(value: Decimal | None) -> str:
    """One decimal, half up, with %: 66.67 → 66.7%; "—" for nothing due."""
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class UnitFigures:
    """One lead unit's tasks of the quarter, and the slips it received in it."""

    unit: Unit
    due: tuple[Task, ...] = ()
    pending: tuple[Task, ...] = ()
    on_time: tuple[Task, ...] = ()
    late: tuple[Task, ...] = ()
    not_done: tuple[Task, ...] = ()
    urgings: tuple[Issued, ...] = ()
    orders: tuple[Issued, ...] = ()

    @property
    def done(self) -> int:
        return len(self.on_time) + len(self.late)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.done, len(self.due))

    def fields(self) -> dict:
        return {"unit": self.unit.short, "unit_name": self.unit.name, "due": len(self.due), "on_time": len(self.on_time),
                "late": len(self.late), "not_done": len(self.not_done), "pending": len(self.pending), "done": self.done,
                "rate": rate_text(self.rate), "urgings": len(self.urgings), "orders": len(self.orders)}


@dataclass(frozen=True)
class OverdueTask:
    """A task overdue as of the date (完成时限 before it, not done), with the documents issued for it."""

    task: Task
    days: int
    documents: tuple[Issued, ...]

    def fields(self) -> dict:
        return {"id": self.task.id, "title": self.task.title, "lead": self.task.lead.short, "lead_name": self.task.lead.name,
                "due": self.task.due, "days": self.days, "documents": [i.doc_no for i in self.documents],
                "documents_text": "、".join(i.doc_no for i in self.documents) or "—",
                "documents_lines": "\n".join(i.doc_no for i in self.documents) or "—"}


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    as_of: dt.date
    units: tuple[UnitFigures, ...]  # every unit with a task due or pending in the quarter, in unit order
    new: tuple[Task, ...]
    urgings: tuple[Issued, ...]
    orders: tuple[Issued, ...]
    findings_notified: tuple[str, ...]  # finding ids
    findings_rectified: tuple[Finding, ...]
    findings_rectified_late: tuple[Finding, ...]
    findings_overdue: tuple[Finding, ...]
    overdue: tuple[OverdueTask, ...]  # every task overdue as of, whatever its quarter, longest first
    ordered_units: tuple[tuple[Unit, tuple[Issued, ...]], ...]  # units with a 责令书 in the quarter, unit order

    def total(self, name: str) -> int:
        return sum(len(getattr(u, name)) for u in self.units)

    @property
    def due(self) -> int:
        return self.total("due")

    @property
    def done(self) -> int:
        return self.total("on_time") + self.total("late")

    @property
    def rate(self) -> Decimal | None:
        return rate(self.done, self.due)

    @property
    def long_overdue(self) -> tuple[OverdueTask, ...]:
        return tuple(o for o in self.overdue if o.days > LONG_OVERDUE_DAYS)

    def totals(self) -> dict:
        return {"due": self.due, "pending": self.total("pending"), "on_time": self.total("on_time"),
                "late": self.total("late"), "not_done": self.total("not_done"), "done": self.done,
                "rate": rate_text(self.rate), "new": len(self.new), "urgings": len(self.urgings), "orders": len(self.orders)}

    def categories(self, order: Sequence[str]) -> list[tuple[str, list[UnitFigures]]]:
        """The units grouped by category, in the configured category order (others after)."""
        cats: list[str] = [c for c in order if any(u.unit.category == c for u in self.units)]
        cats += [c for c in dict.fromkeys(u.unit.category for u in self.units) if c not in cats]
        return [(c, [u for u in self.units if u.unit.category == c]) for c in cats]


def _in(day: dt.date | None, quarter: Quarter, as_of: dt.date) -> bool:
    return day is not None and day in quarter and day <= as_of


def documents_for(task_id: str, history: Iterable[Issued], as_of: dt.date) -> tuple[Issued, ...]:
    """The slips issued for a task up to the date, in date order (then slip order)."""
    docs = [i for i in history if i.kind in SLIPS and i.subject == task_id and i.date <= as_of]
    return tuple(sorted(docs, key=lambda i: (i.date, i.kind.rank, i.doc_no)))


def quarter_figures(tasks: Iterable[Task], findings: Iterable[Finding], history: Iterable[Issued], units: Sequence[Unit],
                    quarter: Quarter, as_of: dt.date) -> QuarterFigures:
    """Every figure of the 季度通报 (see the module's table)."""
    tasks = [t for t in tasks if t.is_assigned(as_of)]
    history = list(history)
    order = {u.name: i for i, u in enumerate(sorted(units, key=lambda u: (u.order, u.name)))}
    by_name = {u.name: u for u in units}
    per: dict[str, dict[str, list]] = {}

    def slot(unit: Unit) -> dict[str, list]:
        return per.setdefault(unit.name, {k: [] for k in ("due", "pending", "on_time", "late", "not_done", "urgings", "orders")})

    for t in tasks:
        if t.due is None or t.due not in quarter:
            continue
        s = slot(t.lead)
        if t.due > as_of:
            s["pending"].append(t)
            continue
        s["due"].append(t)
        if t.is_done(as_of):
            assert t.done is not None
            (s["on_time"] if t.done <= t.due else s["late"]).append(t)
        else:
            s["not_done"].append(t)
    urgings = tuple(i for i in history if i.kind == Kind.URGING and _in(i.date, quarter, as_of))
    orders = tuple(sorted((i for i in history if i.kind == Kind.ORDER and _in(i.date, quarter, as_of)),
                          key=lambda i: (i.date, i.doc_no)))
    slips: dict[str, dict[str, list]] = {}
    for i in urgings + orders:
        slips.setdefault(i.unit, {"urgings": [], "orders": []})["urgings" if i.kind == Kind.URGING else "orders"].append(i)
    rows = []
    for name, s in per.items():
        unit = by_name.get(name) or next(t.lead for t in tasks if t.lead.name == name)
        got = slips.get(name, {"urgings": [], "orders": []})
        rows.append(UnitFigures(unit, *(tuple(s[k]) for k in ("due", "pending", "on_time", "late", "not_done")),
                                tuple(got["urgings"]), tuple(got["orders"])))
    rows.sort(key=lambda u: (order.get(u.unit.name, len(order)), u.unit.name))
    ordered = []
    for name in sorted({i.unit for i in orders}, key=lambda n: (order.get(n, len(order)), n)):
        unit = by_name.get(name) or Unit(name, name, "", len(order))
        ordered.append((unit, tuple(i for i in orders if i.unit == name)))

    findings = list(findings)
    notified: list[str] = []
    for i in sorted(history, key=lambda i: (i.date, i.doc_no)):
        if i.kind == Kind.RECTIFICATION and _in(i.date, quarter, as_of):
            notified += [fid for fid in i.subject.split("、") if fid and fid not in notified]
    rectified = tuple(f for f in findings if f.is_rectified(as_of) and _in(f.done, quarter, as_of))
    late = tuple(f for f in rectified if f.done is not None and f.done > f.due)
    f_overdue = tuple(f for f in findings if f.inspected <= as_of and f.due < as_of and not f.is_rectified(as_of))

    overdue = [OverdueTask(t, (as_of - t.due).days, documents_for(t.id, history, as_of))
               for t in tasks if t.due is not None and t.due < as_of and not t.is_done(as_of)]
    overdue.sort(key=lambda o: (-o.days, order.get(o.task.lead.name, len(order)), o.task.id))
    new = tuple(t for t in tasks if _in(t.assigned, quarter, as_of))
    return QuarterFigures(quarter, as_of, tuple(rows), new, urgings, orders, tuple(notified), rectified, late,
                          f_overdue, tuple(overdue), tuple(ordered))
