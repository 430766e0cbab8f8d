"""约谈: which units cross a trigger, as pure functions (the contract is periodic.md).

- ``orders``: the unit's n-th 责令书 of the year (config interview.after_orders, default 2) was
  issued in the run or before (date ≤ as-of).
- ``ranking``: the unit was last of its ranking category (ties for last all count; nobody is
  last when every unit shares rank 1) in n consecutive months ending with the run's month
  (config interview.last_in_ranking, default 2). A month without a score file breaks the streak.
- One notice per unit per trigger per year: a trigger already named by a 约谈通知 of the same
  year in the register does not propose again. The register's subject of a notice names its
  triggers (责令书、排名末位), so the register decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..model import Issued, Kind, Unit

if TYPE_CHECKING:
    from ..model import ScoreSheet

ORDERS = "责令书"
RANKING = "排名末位"
TRIGGERS = (ORDERS, RANKING)


@dataclass(frozen=True)
class MonthRank:
    """A unit's place in its ranking category in one month."""

    month: str  # 2026-11
    category: str
    rank: int
    count: int  # units ranked in the category that month

    @property
    def month_text(self) -> str:
        return f"{self.month[:4]}年{int(self.month[5:])}月"


@dataclass(frozen=True)
class Proposal:
    """A unit that qualifies for a 约谈, with the facts; triggers in TRIGGERS order."""

    unit: Unit
    triggers: tuple[str, ...]
    orders: tuple[Issued, ...] = ()  # the year's 责令书 up to as-of (when the orders trigger holds)
    ranks: tuple[MonthRank, ...] = ()  # the streak, oldest first (when the ranking trigger holds)

    @property
    def subject(self) -> str:
        """What the register records for the notice: its triggers (责令书、排名末位)."""
        return "、".join(self.triggers)

    def facts_text(self) -> str:
        """One line for the summary and the 约谈建议 sheet."""
        parts = []
        if ORDERS in self.triggers:
            docs = "、".join(f"{o.doc_no}（{o.date.month}月{o.date.day}日）" for o in self.orders)
            parts.append(f"{self.orders[-1].date.year}年已被下达责令书{len(self.orders)}份：{docs}")
        if RANKING in self.triggers:
            months = "、".join(f"{r.month_text}第{r.rank}名（共{r.count}个）" for r in self.ranks)
            parts.append(f"连续{len(self.ranks)}个月{self.ranks[-1].category}排名末位：{months}")
        return "；".join(parts)


def months_back(month: str, n: int) -> list[str]:
    """The n months ending with month, oldest first: ('2026-01', 2) → ['2025-12', '2026-01']."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


def order_hits(orders: Iterable[Issued], year: int, as_of: dt.date, threshold: int) -> dict[str, tuple[Issued, ...]]:
    """{unit name: its 责令书 of the year up to as-of} for units with at least `threshold` of them."""
    if threshold <= 0:
        return {}
    per: dict[str, list[Issued]] = {}
    for o in orders:
        if o.kind == Kind.ORDER and o.date.year == year and o.date <= as_of:
            per.setdefault(o.unit, []).append(o)
    return {u: tuple(sorted(os, key=lambda o: (o.date, o.doc_no))) for u, os in per.items() if len(os) >= threshold}


def streak_hits(last_by_month: Mapping[str, Mapping[str, MonthRank]], month: str, n: int) -> dict[str, tuple[MonthRank, ...]]:
    """{unit name: its ranks} for units last in each of the n months ending with month.

    ``last_by_month`` maps a month to the units last of their category that month (a month
    with no scores is absent: it breaks every streak).
    """
    if n <= 0:
        return {}
    months = months_back(month, n)
    out = {}
    for name in last_by_month.get(month, {}):
        if all(name in last_by_month.get(m, {}) for m in months):
            out[name] = tuple(last_by_month[m][name] for m in months)
    return out


def noticed(history: Iterable[Issued], year: int) -> dict[str, set[str]]:
    """{unit name: the triggers its 约谈通知 of the year already named}."""
    out: dict[str, set[str]] = {}
    for i in history:
        if i.kind == Kind.INTERVIEW and i.date.year == year:
            out.setdefault(i.unit, set()).update(t for t in i.subject.split("、") if t)
    return out


def proposals(units: Sequence[Unit], orders: Mapping[str, tuple[Issued, ...]], streaks: Mapping[str, tuple[MonthRank, ...]],
              already: Mapping[str, set[str]]) -> list[Proposal]:
    """The units that qualify on a trigger not yet noticed this year, in unit order; one proposal each."""
    out = []
    for unit in sorted(units, key=lambda u: (u.order, u.name)):
        done = already.get(unit.name, set())
        triggers = tuple(t for t, hit in ((ORDERS, unit.name in orders), (RANKING, unit.name in streaks)) if hit and t not in done)
        if triggers:
            out.append(Proposal(unit, triggers, orders.get(unit.name, ()) if ORDERS in triggers else (),
                                streaks.get(unit.name, ()) if RANKING in triggers else ()))
    return out


def last_by_month(sheets: Mapping[str, "ScoreSheet"], units: Sequence[Unit], categories: Sequence[str],
                  months: Iterable[str]) -> dict[str, dict[str, MonthRank]]:
    """{month: {unit name: its rank}} of the units last of their ranking category in each month that has a sheet.

    Last as the ranking bulletin says it (pipeline.rules.ranking): every unit sharing the highest
    rank number of its category, nobody when all share rank 1.
    """
    from ..model import ScoreBook
    from .ranking import rank

    out: dict[str, dict[str, MonthRank]] = {}
    for m in months:
        if m not in sheets:
            continue
        ranking = rank(ScoreBook(m, dict(sheets)), units, categories, "1", 1)
        out[m] = {r.unit.name: MonthRank(m, c.category, r.rank, len(c.rows)) for c in ranking.categories for r in c.last}
    return out
