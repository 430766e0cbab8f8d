"""The quarter's figures and the 约谈 triggers, as pure functions, on small hand-counted cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pipeline.model import (Finding, FindingStatus, Indicator, Issued, Kind, ScoreRow, ScoreSheet, Task, TaskStatus,
                            Unit)
from pipeline.rules.interview import (ORDERS, RANKING, MonthRank, last_by_month, months_back, noticed, order_hits,
                                      proposals, streak_hits)
from pipeline.rules.quarterly import Quarter, parse_quarter, quarter_figures, rate, rate_text

D = dt.date
A = Unit("甲区委改革办", "甲区", "区县", 1)
B = Unit("乙区委改革办", "乙区", "区县", 2)
C = Unit("市丙局", "丙局", "市直部门", 3)  # no task in the quarter: not listed
Q4 = Quarter(2026, 4)
AS_OF = D(2026, 11, 28)
DONE, OPEN = TaskStatus.DONE, TaskStatus.IN_PROGRESS


def task(id, lead, assigned, due, status=OPEN, done=None):
    return Task(id, f"事项{id}", lead, status, assigned=assigned, due=due, done=done)


TASKS = [
    task("Q-01", A, D(2026, 9, 1), D(2026, 10, 15), DONE, D(2026, 10, 10)),   # due, on time
    task("Q-02", A, D(2026, 9, 1), D(2026, 10, 20), DONE, D(2026, 11, 2)),    # due, late
    task("Q-03", A, D(2026, 9, 1), D(2026, 11, 10)),                          # due, not done, overdue 18 days
    task("Q-04", A, D(2026, 10, 1), D(2026, 12, 15)),                         # pending; new
    task("Q-05", A, None, D(2026, 11, 1)),                                    # not assigned: nowhere
    task("Q-06", A, D(2026, 12, 1), D(2026, 11, 20)),                         # assigned after as-of: nowhere
    task("Q-07", A, D(2026, 5, 1), D(2026, 9, 15), DONE, D(2026, 9, 10)),     # done before the quarter: nowhere
    task("Q-08", A, D(2026, 10, 8), D(2027, 3, 31)),                          # assigned in the quarter: new only
    task("Q-09", A, D(2026, 10, 1), D(2026, 11, 28)),                         # due today: not done, not overdue; new
    task("Q-10", A, D(2026, 6, 1), D(2026, 9, 30)),                           # Q3 task overdue 59 days: 附件 only
    task("Q-11", A, D(2026, 9, 1), D(2026, 11, 25), DONE, D(2026, 11, 29)),   # done after as-of: not done, overdue 3
    task("Q-12", B, D(2026, 9, 1), D(2026, 10, 31), DONE, D(2026, 10, 31)),   # done on the deadline: on time
    task("Q-13", B, D(2026, 9, 1), D(2026, 11, 5)),                           # not done, overdue 23 days
    task("Q-14", B, D(2026, 9, 1), D(2026, 12, 31), TaskStatus.CLOSED, D(2026, 11, 1)),  # pending (due after as-of)
]


def finding(id, due, status, done=None, inspected=D(2026, 9, 1)):
    return Finding(id, "第三轮督察", inspected, A, "问题", "要求", due, status, done)


FINDINGS = [
    finding("F-1", D(2026, 10, 31), FindingStatus.RECTIFIED, D(2026, 11, 10)),  # notified in Q4, rectified late in Q4
    finding("F-2", D(2026, 11, 20), FindingStatus.IN_PROGRESS),                 # notified in Q4, overdue
    finding("F-3", D(2026, 9, 30), FindingStatus.RECTIFIED, D(2026, 9, 25)),    # notified in Q3, rectified in Q3
    finding("F-4", D(2026, 11, 28), FindingStatus.OPEN),                        # due today: not overdue
    finding("F-5", D(2026, 11, 1), FindingStatus.RECTIFIED, D(2026, 11, 30)),   # rectified after as-of: overdue
]

HISTORY = [
    Issued(Kind.URGING, "Q-10", A.name, "改催〔2026〕3号", D(2026, 9, 20)),      # before the quarter
    Issued(Kind.ORDER, "Q-10", A.name, "改责〔2026〕1号", D(2026, 10, 10)),      # in the quarter
    Issued(Kind.URGING, "Q-03", A.name, "改催〔2026〕9号", D(2026, 11, 5)),      # in the quarter
    Issued(Kind.URGING, "Q-13", B.name, "改催〔2026〕10号", D(2026, 11, 6)),     # in the quarter
    Issued(Kind.URGING, "Q-13", B.name, "改催〔2026〕12号", D(2026, 11, 29)),    # after as-of
    Issued(Kind.ASSIGNMENT, "Q-10", A.name, "改交〔2026〕4号", D(2026, 6, 1)),
    Issued(Kind.FINDING_URGING, "F-2", A.name, "改催〔2026〕11号", D(2026, 11, 22)),  # findings: not a task urging
    Issued(Kind.RECTIFICATION, "F-1、F-2", A.name, "改发〔2026〕8号", D(2026, 10, 12)),
    Issued(Kind.RECTIFICATION, "F-3", A.name, "改发〔2026〕5号", D(2026, 9, 5)),
]


@pytest.fixture(scope="module")
def figures():
    return quarter_figures(TASKS, FINDINGS, HISTORY, [A, B, C], Q4, AS_OF)


def ids(tasks):
    return sorted(t.id for t in tasks)


def test_each_figure_of_a_unit_counted_by_hand(figures):
    a, b = figures.units
    assert (a.unit, b.unit) == (A, B)  # 丙局 has nothing due or pending: not listed
    assert ids(a.due) == ["Q-01", "Q-02", "Q-03", "Q-09", "Q-11"]
    assert ids(a.on_time) == ["Q-01"] and ids(a.late) == ["Q-02"]
    assert ids(a.not_done) == ["Q-03", "Q-09", "Q-11"]
    assert ids(a.pending) == ["Q-04"]
    assert a.fields()["rate"] == "40.0%"  # 2 of 5
    assert ids(b.due) == ["Q-12", "Q-13"] and ids(b.on_time) == ["Q-12"] and ids(b.pending) == ["Q-14"]
    assert b.fields()["rate"] == "50.0%"
    assert [i.doc_no for i in a.urgings] == ["改催〔2026〕9号"] and [i.doc_no for i in a.orders] == ["改责〔2026〕1号"]
    assert [i.doc_no for i in b.urgings] == ["改催〔2026〕10号"] and b.orders == ()


def test_the_totals_counted_by_hand(figures):
    assert figures.totals() == {"due": 7, "pending": 2, "on_time": 2, "late": 1, "not_done": 4, "done": 3,
                                "rate": "42.9%", "new": 3, "urgings": 2, "orders": 1}
    assert ids(figures.new) == ["Q-04", "Q-08", "Q-09"]


def test_findings_of_the_quarter(figures):
    assert figures.findings_notified == ("F-1", "F-2")
    assert [f.id for f in figures.findings_rectified] == ["F-1"]
    assert [f.id for f in figures.findings_rectified_late] == ["F-1"]
    assert [f.id for f in figures.findings_overdue] == ["F-2", "F-5"]


def test_overdue_tasks_with_their_documents(figures):
    assert [(o.task.id, o.days) for o in figures.overdue] == [("Q-10", 59), ("Q-13", 23), ("Q-03", 18), ("Q-11", 3)]
    q10 = figures.overdue[0]
    assert [i.doc_no for i in q10.documents] == ["改交〔2026〕4号", "改催〔2026〕3号", "改责〔2026〕1号"]
    assert q10.fields()["documents_text"] == "改交〔2026〕4号、改催〔2026〕3号、改责〔2026〕1号"
    assert [o.task.id for o in figures.long_overdue] == ["Q-10"]
    assert [(u.short, [o.doc_no for o in os]) for u, os in figures.ordered_units] == [("甲区", ["改责〔2026〕1号"])]


def test_categories_in_config_order(figures):
    assert [(c, [u.unit.short for u in rows]) for c, rows in figures.categories(["市直部门", "区县"])] == [("区县", ["甲区", "乙区"])]


def test_a_quarter_with_nothing_due():
    f = quarter_figures(TASKS, [], [], [A, B], Quarter(2026, 1), D(2026, 3, 31))
    assert f.units == () and f.totals()["rate"] == "—" and f.due == 0


@pytest.mark.parametrize("done, due, text", [(0, 0, "—"), (0, 3, "0.0%"), (2, 3, "66.7%"), (1, 3, "33.3%"),
                                            (1, 16, "6.3%"), (3, 16, "18.8%"), (16, 16, "100.0%")])
def test_rate_one_decimal_half_up(done, due, text):
    assert rate_text(rate(done, due)) == text  # 1/16 = 6.25 → 6.3 (half up, not to even)


def test_quarters():
    assert parse_quarter("2026-Q4") == Q4 and parse_quarter("2026q1") == Quarter(2026, 1)
    assert parse_quarter("2026-Q5") is None and parse_quarter("2026-4") is None
    assert (Q4.first, Q4.last, Q4.name) == (D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度")
    assert (Quarter(2026, 1).last, Quarter(2026, 2).last, Quarter(2026, 3).last) == (D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30))


# --------------------------------------------------------------------------- 约谈 triggers

def order(unit, n, day):
    return Issued(Kind.ORDER, f"T-{n}", unit.name, f"改责〔{day.year}〕{n}号", day)


def test_one_order_is_not_enough_two_are():
    orders = [order(A, 1, D(2026, 3, 1)), order(A, 2, D(2026, 11, 20)), order(B, 3, D(2026, 5, 1))]
    hits = order_hits(orders, 2026, AS_OF, 2)
    assert list(hits) == [A.name] and [o.doc_no for o in hits[A.name]] == ["改责〔2026〕1号", "改责〔2026〕2号"]
    assert order_hits(orders, 2026, D(2026, 11, 19), 2) == {}  # the second was not issued yet
    assert order_hits(orders, 2026, AS_OF, 0) == {}  # 0 turns the trigger off


def test_orders_of_last_year_do_not_count():
    orders = [order(A, 9, D(2025, 12, 20)), order(A, 1, D(2026, 1, 5))]
    assert order_hits(orders, 2026, AS_OF, 2) == {}


def sheet(month, totals):
    ind = (Indicator("改革任务推进", Decimal(100)),)
    return ScoreSheet(month, ind, tuple(ScoreRow(u, (Decimal(t),), Decimal(t)) for u, t in totals.items()))


C2 = Unit("丁区委改革办", "丁区", "区县", 4)


def test_last_for_one_month_is_not_enough_two_are():
    sheets = {"2026-10": sheet("2026-10", {A: 90, B: 80, C2: 85}), "2026-11": sheet("2026-11", {A: 70, B: 80, C2: 85})}
    last = last_by_month(sheets, [A, B, C2], ["区县"], months_back("2026-11", 2))
    assert {m: list(v) for m, v in last.items()} == {"2026-10": [B.name], "2026-11": [A.name]}
    assert streak_hits(last, "2026-11", 2) == {}
    assert list(streak_hits(last, "2026-11", 1)) == [A.name]
    sheets["2026-10"] = sheet("2026-10", {A: 60, B: 80, C2: 85})
    last = last_by_month(sheets, [A, B, C2], ["区县"], months_back("2026-11", 2))
    hits = streak_hits(last, "2026-11", 2)
    assert hits == {A.name: (MonthRank("2026-10", "区县", 3, 3), MonthRank("2026-11", "区县", 3, 3))}


def test_ties_for_last_all_count():
    sheets = {m: sheet(m, {A: 70, B: 70, C2: 85}) for m in ("2026-10", "2026-11")}
    last = last_by_month(sheets, [A, B, C2], ["区县"], ["2026-10", "2026-11"])
    assert sorted(streak_hits(last, "2026-11", 2)) == sorted([A.name, B.name])
    assert streak_hits(last, "2026-11", 2)[A.name][-1] == MonthRank("2026-11", "区县", 2, 3)
    everyone_equal = {m: sheet(m, {A: 80, B: 80}) for m in ("2026-10", "2026-11")}
    assert streak_hits(last_by_month(everyone_equal, [A, B], ["区县"], ["2026-10", "2026-11"]), "2026-11", 2) == {}


def test_a_streak_that_ended_before_the_run_month():
    sheets = {"2026-09": sheet("2026-09", {A: 60, B: 80}), "2026-10": sheet("2026-10", {A: 60, B: 80}),
              "2026-11": sheet("2026-11", {A: 90, B: 80})}
    last = last_by_month(sheets, [A, B], ["区县"], months_back("2026-11", 3))
    assert streak_hits(last, "2026-11", 2) == {}  # A's streak ended in October; B is last for one month only
    assert list(streak_hits(last, "2026-10", 2)) == [A.name]  # the October run would have proposed A


def test_a_month_without_scores_breaks_the_streak():
    sheets = {"2026-09": sheet("2026-09", {A: 60, B: 80}), "2026-11": sheet("2026-11", {A: 60, B: 80})}
    last = last_by_month(sheets, [A, B], ["区县"], months_back("2026-11", 2))
    assert streak_hits(last, "2026-11", 2) == {}


def test_streak_across_the_new_year():
    assert months_back("2026-01", 3) == ["2025-11", "2025-12", "2026-01"]


def test_both_triggers_make_one_proposal_and_the_register_decides():
    orders = {A.name: (order(A, 1, D(2026, 3, 1)), order(A, 2, D(2026, 11, 20)))}
    streaks = {A.name: (MonthRank("2026-10", "区县", 3, 3), MonthRank("2026-11", "区县", 3, 3)),
               B.name: (MonthRank("2026-10", "区县", 3, 3), MonthRank("2026-11", "区县", 3, 3))}
    [pa, pb] = proposals([B, A], orders, streaks, {})
    assert (pa.unit, pa.triggers, pa.subject) == (A, (ORDERS, RANKING), "责令书、排名末位")
    assert "已被下达责令书2份" in pa.facts_text() and "连续2个月区县排名末位" in pa.facts_text()
    assert (pb.unit, pb.triggers, pb.orders) == (B, (RANKING,), ())
    # a notice of this year for A's ranking trigger: only its orders remain; last year's notice does not count
    history = [Issued(Kind.INTERVIEW, RANKING, A.name, "改发〔2026〕3号", D(2026, 6, 1)),
               Issued(Kind.INTERVIEW, "责令书、排名末位", B.name, "改发〔2025〕9号", D(2025, 6, 1))]
    done = noticed(history, 2026)
    assert done == {A.name: {RANKING}}
    [pa, pb] = proposals([A, B], orders, streaks, done)
    assert pa.triggers == (ORDERS,) and pa.ranks == () and pb.triggers == (RANKING,)
    done = noticed(history + [Issued(Kind.INTERVIEW, ORDERS, A.name, "改发〔2026〕7号", D(2026, 11, 28))], 2026)
    assert [p.unit for p in proposals([A, B], orders, streaks, done)] == [B]
