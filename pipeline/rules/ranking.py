"""一月一排名: rank the units of each ranked category by the month's total.

Pure functions of (score book, units, categories, weight, commend_top) and of
(tasks, as of, month): no disk, no clock. Everything is exact Decimal arithmetic; a
number is rounded (half up, two places) only when it is formatted for a document.

Decisions (see docs of `rank`):

- Competition ranks on the exact totals: 92.80, 91.70, 88.50, 88.50, 87.50 → 1, 2, 3, 3, 5.
  Equal totals are listed in the office's unit order (Unit.order, then name).
- Change against last month's rank *within the category*, last month ranked the same way
  among the category's units that had a row then: ↑2, ↓1, 持平, or 新 when the unit has no
  rank last month (no file for last month, or no row for the unit in it).
- Annual figure: the mean of the year's monthly totals in which the unit has a score
  (months without a row are left out, not counted as 0) × annual_weight.
- Commended (表扬): every unit whose rank is ≤ commend_top, ties included (ranks 1, 2, 3, 3
  → four units), except a unit that is also last-ranked.
- Last-ranked (会诊): every unit sharing the highest rank number of the category (a shared
  last rank names all of them); nobody when all units share rank 1 (nothing to single out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Sequence

from ..model import Indicator, ScoreBook, ScoreSheet, Task, Unit

CENT = Decimal("0.01")


def fmt(number: Decimal | None) -> str:
    """A score as printed: two decimals, half up ('88.50', '43.96'); '' for None."""
    if number is None:
        return ""
    return format(number.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def change_text(rank: int, previous: int | None) -> str:
    """↑2 (moved up two places), ↓1, 持平, or 新 (no rank last month)."""
    if previous is None:
        return "新"
    if previous > rank:
        return f"↑{previous - rank}"
    if previous < rank:
        return f"↓{rank - previous}"
    return "持平"


@dataclass(frozen=True)
class RankedRow:
    """One line of the ranking table."""

    rank: int
    unit: Unit
    scores: tuple[Decimal, ...]
    total: Decimal
    previous_rank: int | None
    annual: Decimal  # exact: annual_mean × annual_weight
    annual_mean: Decimal  # exact mean of the year's monthly totals
    months: int  # months of the year (up to the run month) with a score
    remarks: str = ""
    commended: bool = False
    last: bool = False
    previous_total: Decimal | None = None

    @property
    def change(self) -> str:
        return change_text(self.rank, self.previous_rank)

    @property
    def total_text(self) -> str:
        return fmt(self.total)

    @property
    def annual_text(self) -> str:
        return fmt(self.annual)

    @property
    def score_texts(self) -> tuple[str, ...]:
        return tuple(fmt(s) for s in self.scores)

    def fields(self) -> dict[str, Any]:
        """Template-friendly: every number already formatted."""
        return {
            "rank": self.rank,
            "unit": self.unit.short,
            "unit_name": self.unit.name,
            "scores": list(self.score_texts),
            "total": self.total_text,
            "change": self.change,
            "previous_rank": self.previous_rank,
            "annual": self.annual_text,
            "months": self.months,
            "remarks": self.remarks,
            "commended": self.commended,
            "last": self.last,
        }


@dataclass(frozen=True)
class CategoryRanking:
    """The ranking of one category (区县, 专项小组, …) for the month."""

    category: str
    indicators: tuple[Indicator, ...]
    rows: tuple[RankedRow, ...]

    @property
    def commended(self) -> tuple[RankedRow, ...]:
        return tuple(r for r in self.rows if r.commended)

    @property
    def last(self) -> tuple[RankedRow, ...]:
        return tuple(r for r in self.rows if r.last)

    @property
    def commended_names(self) -> str:
        return "、".join(r.unit.short for r in self.commended)

    @property
    def last_names(self) -> str:
        return "、".join(r.unit.short for r in self.last)

    @property
    def highest(self) -> Decimal:
        return max(r.total for r in self.rows)

    @property
    def lowest(self) -> Decimal:
        return min(r.total for r in self.rows)

    @property
    def average(self) -> Decimal:
        return sum((r.total for r in self.rows), Decimal(0)) / len(self.rows)

    @property
    def spread(self) -> Decimal:
        return self.highest - self.lowest

    def fields(self) -> dict[str, Any]:
        """Template-friendly: names joined with 、, numbers formatted."""
        return {
            "category": self.category,
            "indicators": [i.label for i in self.indicators],
            "indicator_names": [i.name for i in self.indicators],
            "rows": [r.fields() for r in self.rows],
            "count": len(self.rows),
            "commended": [r.fields() for r in self.commended],
            "commended_names": self.commended_names,
            "last": [r.fields() for r in self.last],
            "last_names": self.last_names,
            "highest": fmt(self.highest),
            "lowest": fmt(self.lowest),
            "average": fmt(self.average),
            "spread": fmt(self.spread),
        }


@dataclass(frozen=True)
class Ranking:
    """The month's ranking: one CategoryRanking per ranked category that has units, in config order."""

    month: str
    categories: tuple[CategoryRanking, ...]
    previous_month: str | None  # None: no scores file for last month (every change is 新)
    year_months: tuple[str, ...]  # the months counted in the annual figure
    annual_weight: Decimal
    commend_top: int

    def category(self, name: str) -> CategoryRanking | None:
        return next((c for c in self.categories if c.category == name), None)

    def fields(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "year": int(self.month[:4]),
            "month_number": int(self.month[5:7]),
            "previous_month": self.previous_month,
            "months_counted": len(self.year_months),
            "annual_weight": format(self.annual_weight.normalize(), "f"),
            "annual_percent": format((self.annual_weight * 100).normalize(), "f"),
            "commend_top": self.commend_top,
            "categories": [c.fields() for c in self.categories],
        }


def competition_ranks(totals: Sequence[Decimal]) -> list[int]:
    """Rank each total (highest first): equal totals share a rank, the next is skipped."""
    return [1 + sum(1 for other in totals if other > t) for t in totals]


def _ranked(sheet: ScoreSheet | None, members: Sequence[Unit]) -> list[tuple[int, Unit, Any]]:
    """(rank, unit, row) for the members with a row in the sheet, in table order."""
    if sheet is None:
        return []
    scored = [(u, row) for u in members if (row := sheet.row_of(u)) is not None]
    scored.sort(key=lambda ur: (-ur[1].total, ur[0].order, ur[0].name))
    ranks = competition_ranks([row.total for _, row in scored])
    return [(r, u, row) for r, (u, row) in zip(ranks, scored)]


def rank(book: ScoreBook, units: Iterable[Unit], categories: Sequence[str],
         annual_weight: Decimal | float | str, commend_top: int) -> Ranking:
    """Rank the run month of ``book`` per category (config order); see the module notes."""
    weight = annual_weight if isinstance(annual_weight, Decimal) else Decimal(str(annual_weight))
    units = list(units)
    current, previous = book.current, book.previous
    year_sheets = book.year_sheets
    result = []
    for category in categories:
        members = [u for u in units if u.category == category]
        ranked = _ranked(current, members)
        if not ranked:
            continue  # an office without units of this category (or none scored)
        before = {u.name: (r, row.total) for r, u, row in _ranked(previous, members)}
        worst = ranked[-1][0]
        rows = []
        for r, unit, row in ranked:
            totals = [s.total for sheet in year_sheets if (s := sheet.row_of(unit)) is not None]
            mean = sum(totals, Decimal(0)) / len(totals)
            last = worst > 1 and r == worst
            prev_rank, prev_total = before.get(unit.name, (None, None))
            rows.append(RankedRow(
                rank=r, unit=unit, scores=row.scores, total=row.total,
                previous_rank=prev_rank, previous_total=prev_total,
                annual=mean * weight, annual_mean=mean, months=len(totals), remarks=row.remarks,
                commended=r <= commend_top and not last, last=last,
            ))
        result.append(CategoryRanking(category, current.indicators, tuple(rows)))
    return Ranking(
        month=book.month,
        categories=tuple(result),
        previous_month=book.previous_month if previous is not None else None,
        year_months=tuple(s.month for s in year_sheets),
        annual_weight=weight,
        commend_top=commend_top,
    )


# --------------------------------------------------------------------------- task progress

@dataclass(frozen=True)
class UnitProgress:
    """One lead unit's tasks for the month, as of the run date."""

    unit: Unit
    due: tuple[Task, ...]  # assigned (as of) with a deadline in the run month
    on_time: tuple[Task, ...]  # of those: done as of, on or before the deadline
    overdue: tuple[Task, ...]  # any assigned task not done as of whose deadline has passed

    def fields(self) -> dict[str, Any]:
        return {
            "unit": self.unit.short,
            "unit_name": self.unit.name,
            "due": len(self.due),
            "on_time": len(self.on_time),
            "overdue": len(self.overdue),
            "overdue_tasks": [t.title for t in self.overdue],
        }


@dataclass(frozen=True)
class TaskProgress:
    month: str
    as_of: dt.date
    units: tuple[UnitProgress, ...] = field(default=())

    @property
    def due(self) -> int:
        return sum(len(u.due) for u in self.units)

    @property
    def on_time(self) -> int:
        return sum(len(u.on_time) for u in self.units)

    @property
    def overdue(self) -> int:
        return sum(len(u.overdue) for u in self.units)

    def fields(self) -> dict[str, Any]:
        return {"due": self.due, "on_time": self.on_time, "overdue": self.overdue,
                "units": [u.fields() for u in self.units]}


def task_progress(tasks: Iterable[Task], as_of: dt.date, month: str) -> TaskProgress:
    """Per lead unit (unit order): tasks due this month, of those finished on time, and overdue.

    Only tasks assigned as of count (a task without a 交办日期 has no deadline yet). Done
    means done as of (Task.is_done). Overdue counts every assigned task, whatever month
    its deadline fell in, that is not done as of and whose deadline is before as of.
    Units with nothing due and nothing overdue are left out.
    """
    year, mon = int(month[:4]), int(month[5:7])
    per_unit: dict[str, tuple[Unit, list[Task], list[Task], list[Task]]] = {}
    for task in tasks:
        if not task.is_assigned(as_of) or task.due is None:
            continue
        entry = per_unit.setdefault(task.lead.name, (task.lead, [], [], []))
        if (task.due.year, task.due.month) == (year, mon):
            entry[1].append(task)
            if task.is_done(as_of) and task.done is not None and task.done <= task.due:
                entry[2].append(task)
        if not task.is_done(as_of) and task.due < as_of:
            entry[3].append(task)
    rows = [UnitProgress(u, tuple(d), tuple(o), tuple(late)) for u, d, o, late in per_unit.values() if d or late]
    rows.sort(key=lambda p: (p.unit.order, p.unit.name))
    return TaskProgress(month, as_of, tuple(rows))
