"""The 三单一书: which slip each task gets, as of a date, given the register's history.

A pure function of (tasks, history, as-of, month, thresholds): no disk, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from ..model import Decision, Issued, Kind, Task, SLIPS, zh_date


@dataclass(frozen=True)
class Thresholds:
    reminder_reply_days: int = 10
    urge_days_before_due: int = 7
    order_after_urging_days: int = 15
    order_new_deadline_days: int = 15


def natural_key(text: str) -> list[tuple[int, int, str]]:
    """Sort '2026-9' before '2026-10' (numbers of up to 18 digits compare as numbers)."""
    return [(0, int(p), "") if p.isdigit() and len(p) <= 18 else (1, 0, p) for p in re.split(r"(\d+)", text)]


def order_decisions(decisions: Iterable[Decision]) -> list[Decision]:
    """The stable order of numbering and printing: kind, then unit order, then subject."""
    return sorted(decisions, key=lambda d: (d.kind.rank, d.unit.order, d.unit.name, natural_key(d.subject)))


def order_deadline(order: Issued, t: Thresholds) -> dt.date:
    return order.deadline or order.date + dt.timedelta(days=t.order_new_deadline_days)


def _urging_reason(deadline: dt.date, as_of: dt.date, after_order: bool, urgings: list[Issued], t: Thresholds) -> str:
    """完成时限 2026年11月20日，已逾期8天；本月尚未催办 → 催办单 (and why not yet an order)."""
    what = "责令书新时限" if after_order else "完成时限"
    days_left = (deadline - as_of).days
    if days_left < 0:
        when = f"已逾期{-days_left}天"
    elif days_left == 0:
        when = "今天到期"
    else:
        when = f"还有{days_left}天到期（{t.urge_days_before_due}天内）"
    why = f"{what} {zh_date(deadline)}，{when}；本月尚未催办"
    if days_left < 0 and not after_order:
        if urgings:
            why += f"（{zh_date(urgings[-1].date, as_of)}催办未满{t.order_after_urging_days}天，暂不发责令书）"
        else:
            why += "（此前未催办，暂不发责令书）"
    return why + " → 催办单"


def decide_slips(tasks: Iterable[Task], history: Iterable[Issued], as_of: dt.date, month: str, t: Thresholds) -> list[Decision]:
    """Return the slips the rules call for, in numbering order."""
    earlier: dict[tuple[str, Kind], list[Issued]] = defaultdict(list)
    for issued in history:
        if issued.kind in SLIPS:
            earlier[(issued.subject, issued.kind)].append(issued)
    for entries in earlier.values():
        entries.sort(key=lambda i: (i.date, natural_key(i.doc_no)))

    decisions: list[Decision] = []
    for task in tasks:
        if task.is_done(as_of):
            continue
        reminders = earlier[(task.id, Kind.REMINDER)]
        assignments = earlier[(task.id, Kind.ASSIGNMENT)]
        urgings = earlier[(task.id, Kind.URGING)]
        orders = earlier[(task.id, Kind.ORDER)]
        if task.received and task.received <= as_of and not task.is_assigned(as_of) and not reminders:
            decisions.append(Decision(Kind.REMINDER, task.lead, task.id, task, facts={
                "reply_by": as_of + dt.timedelta(days=t.reminder_reply_days),
            }, reason=f"{zh_date(task.received)}收到上级文件，尚未交办 → 提示单"))
        if not task.is_assigned(as_of) or task.due is None:
            continue
        if not assignments:
            decisions.append(Decision(Kind.ASSIGNMENT, task.lead, task.id, task, facts={}, reason=(
                f"交办日期 {zh_date(task.assigned)}，完成时限 {zh_date(task.due)}；尚未发交办单 → 交办单")))
        assignment = assignments[-1] if assignments else None
        if not orders and task.due < as_of:
            ripe = [u for u in urgings if (as_of - u.date).days >= t.order_after_urging_days]
            if ripe:
                decisions.append(Decision(Kind.ORDER, task.lead, task.id, task, facts={
                    "urging": ripe[-1],
                    "assignment": assignment,
                    "days_overdue": (as_of - task.due).days,
                    "new_deadline": as_of + dt.timedelta(days=t.order_new_deadline_days),
                }, reason=(f"完成时限 {zh_date(task.due)}，已逾期{(as_of - task.due).days}天；"
                           f"{zh_date(ripe[-1].date, as_of)}已催办满{t.order_after_urging_days}天 → 责令书")))
                continue  # an order replaces this month's urging
        order = orders[-1] if orders else None
        deadline = order_deadline(order, t) if order else task.due
        days_left = (deadline - as_of).days
        urged_this_month = any(u.month == month for u in urgings)
        if days_left <= t.urge_days_before_due and not urged_this_month:
            decisions.append(Decision(Kind.URGING, task.lead, task.id, task, facts={
                "assignment": assignment,
                "order": order,
                "deadline": deadline,
                "days_left": days_left,
                "previous_urging": urgings[-1] if urgings else None,
            }, reason=_urging_reason(deadline, as_of, order is not None, urgings, t)))
    return order_decisions(decisions)
