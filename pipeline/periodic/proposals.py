"""约谈建议: the units that cross a trigger in a month, from the office's data and the register.

Used by the monthly run and `check` (proposed: the summary and the 约谈建议 sheet) and by
`make-notices interview` (made). The triggers themselves are pure rules (pipeline.rules.interview).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Mapping

from ..config import Config
from ..errors import BadInput
from ..model import Decision, Issued, Kind, ScoreSheet
from ..rules.interview import Proposal, last_by_month, months_back, noticed, order_hits, proposals, streak_hits
from ..sources import Office


def streak_sheets(config: Config, office: Office, month: str) -> dict[str, ScoreSheet]:
    """The score sheets the ranking trigger looks at: the run month's book, and any month of the
    streak before the year (read here) that it does not hold. Empty without the month's scores."""
    n = config.interview.last_in_ranking
    if office.scores is None or n <= 0:
        return {}
    sheets = dict(office.scores.sheets_by_month)
    missing = [m for m in months_back(month, n) if m not in sheets]
    if missing:
        from ..sources.scores import read_months

        found, problems = read_months(config.data_dir / "scores", missing, office.directory)
        if problems:
            raise BadInput(problems)
        sheets.update(found)
    return sheets


def find_proposals(config: Config, office: Office, history: Iterable[Issued], month: str, as_of: dt.date,
                   run_orders: Iterable[Issued] = (), *, new_only: bool = True) -> list[Proposal]:
    """The month's 约谈建议: units on a trigger not yet named by a 约谈通知 of the year (with
    ``new_only`` false: every unit on a trigger, noticed or not).

    ``run_orders`` are the 责令书 of the run itself (their 文号 may still be empty)."""
    history = list(history)
    cfg = config.interview
    year = as_of.year
    orders = order_hits([i for i in history if i.kind == Kind.ORDER] + list(run_orders), year, as_of, cfg.after_orders)
    streaks: dict = {}
    sheets = streak_sheets(config, office, month)
    if sheets:
        ranked = last_by_month(sheets, office.units, config.ranking.categories, months_back(month, cfg.last_in_ranking))
        streaks = streak_hits(ranked, month, cfg.last_in_ranking)
    return proposals(office.units, orders, streaks, noticed(history, year) if new_only else {})


def with_numbers(found: list[Proposal], numbers: Mapping[str, str]) -> list[Proposal]:
    """The proposals with the 文号 of the run's own 责令书 filled in ({task id: 文号})."""
    out = []
    for p in found:
        orders = tuple(dataclasses.replace(o, doc_no=numbers.get(o.subject, "")) if not o.doc_no else o for o in p.orders)
        out.append(dataclasses.replace(p, orders=orders))
    return out


def interview_decisions(found: list[Proposal], office: Office) -> list[Decision]:
    """One 约谈通知 per proposal (a unit on both triggers gets one notice naming both)."""
    titles = {t.id: t.title for t in office.tasks}
    return [Decision(Kind.INTERVIEW, p.unit, p.subject, facts={"proposal": p, "titles": titles}) for p in found]


def proposal_rows(found: list[Proposal], made: Mapping[str, str] | None = None) -> list[dict]:
    """The 约谈建议 sheet's rows: unit, category, triggers, facts, and what became of it ({unit: 文号} made)."""
    made = made or {}
    return [{"unit": p.unit.name, "category": p.unit.category, "triggers": p.subject, "facts": p.facts_text(),
             "status": f"已制发 {made[p.unit.name]}" if p.unit.name in made else "建议（领导决定后以 make-notices interview 制发）"}
            for p in found]
