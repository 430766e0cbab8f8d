"""The 三单一书 rules at every boundary: one small case each (as of 2026-11-28, default thresholds)."""

import datetime as dt

import pytest

from pipeline.model import Issued, Kind, Task, TaskStatus, Unit
from pipeline.rules.escalation import Thresholds, decide_slips

AS_OF = dt.date(2026, 11, 28)
MONTH = "2026-11"
LEAD = Unit("张店区委改革办", "张店区", "区县", 1)
PARTNER = Unit("淄博市财政局", "市财政局", "市直部门", 2)
T = Thresholds()


def d(text):
    return dt.date.fromisoformat(text) if text else None


def task(status=TaskStatus.IN_PROGRESS, received=None, assigned=None, due=None, done=None, partners=()):
    return Task("T-1", "深化预算管理制度改革", LEAD, status, tuple(partners), received=d(received),
                assigned=d(assigned), due=d(due), done=d(done))


def issued(kind, date, n=1, deadline=None):
    return Issued(kind, "T-1", LEAD.name, f"淄改办{kind.value}〔2026〕{n}号", d(date), d(deadline))


ASSIGNED = issued(Kind.ASSIGNMENT, "2026-09-01")


def kinds(t, history=(), as_of=AS_OF, month=MONTH, thresholds=T):
    return [x.kind.value for x in decide_slips([t], list(history), as_of, month, thresholds)]


CASES = [
    # reminder
    ("received, not assigned", task(received="2026-11-20"), [], ["reminder"]),
    ("received today", task(received="2026-11-28"), [], ["reminder"]),
    ("received tomorrow", task(received="2026-11-29"), [], []),
    ("reminder already issued", task(received="2026-10-15"), [issued(Kind.REMINDER, "2026-10-16")], []),
    ("assignment date after as-of: still a reminder", task(received="2026-11-10", assigned="2026-12-03", due="2026-12-31"), [], ["reminder"]),
    ("nothing received, nothing assigned", task(), [], []),
    ("received but done", task(TaskStatus.DONE, received="2026-11-20", done="2026-11-25"), [], []),
    # assignment
    ("assigned today", task(assigned="2026-11-28", due="2027-03-31"), [], ["assignment"]),
    ("assigned earlier, not yet issued", task(assigned="2026-11-25", due="2027-03-31"), [], ["assignment"]),
    ("assignment already issued", task(assigned="2026-09-01", due="2027-03-31"), [ASSIGNED], []),
    ("assigned and received: no reminder once assigned", task(received="2026-11-01", assigned="2026-11-20", due="2027-03-31"), [], ["assignment"]),
    # urging
    ("due in 7 days", task(assigned="2026-09-01", due="2026-12-05"), [ASSIGNED], ["urging"]),
    ("due in 8 days", task(assigned="2026-09-01", due="2026-12-06"), [ASSIGNED], []),
    ("due today", task(assigned="2026-09-01", due="2026-11-28"), [ASSIGNED], ["urging"]),
    ("overdue, never urged", task(assigned="2026-09-01", due="2026-11-16"), [ASSIGNED], ["urging"]),
    ("assigned and due soon in one run", task(assigned="2026-11-25", due="2026-12-05"), [], ["assignment", "urging"]),
    ("urged this month already (14 days ago)", task(assigned="2026-09-01", due="2026-11-10"), [ASSIGNED, issued(Kind.URGING, "2026-11-14")], []),
    ("urged last month, not yet overdue", task(assigned="2026-09-01", due="2026-12-02"), [ASSIGNED, issued(Kind.URGING, "2026-10-30")], ["urging"]),
    ("done after as-of counts as not done", task(TaskStatus.DONE, assigned="2026-09-01", due="2026-11-20", done="2026-11-29"), [ASSIGNED], ["urging"]),
    ("done on time", task(TaskStatus.DONE, assigned="2026-09-01", due="2026-11-25", done="2026-11-20"), [ASSIGNED], []),
    ("closed", task(TaskStatus.CLOSED, assigned="2026-09-01", due="2026-11-25", done="2026-11-26"), [ASSIGNED], []),
    # order
    ("urging 15 days old, overdue: order", task(assigned="2026-09-01", due="2026-11-05"), [ASSIGNED, issued(Kind.URGING, "2026-11-13")], ["order"]),
    ("urging 14 days old: nothing", task(assigned="2026-09-01", due="2026-11-05"), [ASSIGNED, issued(Kind.URGING, "2026-11-14")], []),
    ("urging from October, overdue: order (replaces urging)", task(assigned="2026-09-01", due="2026-10-20"), [ASSIGNED, issued(Kind.URGING, "2026-10-25")], ["order"]),
    ("old urging but not yet overdue: urging, no order", task(assigned="2026-09-01", due="2026-11-30"), [ASSIGNED, issued(Kind.URGING, "2026-10-25")], ["urging"]),
    ("old urging, due today (not past): urging", task(assigned="2026-09-01", due="2026-11-28"), [ASSIGNED, issued(Kind.URGING, "2026-10-25")], ["urging"]),
    # after an order
    ("order's deadline past: urged again, no second order", task(assigned="2026-09-01", due="2026-10-20"),
     [ASSIGNED, issued(Kind.URGING, "2026-10-20"), issued(Kind.ORDER, "2026-11-05")], ["urging"]),
    ("order's deadline in 7 days: urging", task(assigned="2026-09-01", due="2026-10-20"),
     [ASSIGNED, issued(Kind.URGING, "2026-10-20"), issued(Kind.ORDER, "2026-11-20")], ["urging"]),
    ("order's deadline in 12 days: nothing", task(assigned="2026-09-01", due="2026-10-20"),
     [ASSIGNED, issued(Kind.URGING, "2026-10-20"), issued(Kind.ORDER, "2026-11-25")], []),
    ("order's own deadline recorded wins", task(assigned="2026-09-01", due="2026-10-20"),
     [ASSIGNED, issued(Kind.URGING, "2026-10-20"), issued(Kind.ORDER, "2026-11-05", deadline="2026-12-31")], []),
]


@pytest.mark.parametrize("name,t,history,expected", CASES, ids=[c[0] for c in CASES])
def test_boundaries(name, t, history, expected):
    assert kinds(t, history) == expected


def test_thresholds_come_from_config():
    t = task(assigned="2026-09-01", due="2026-12-08")
    assert kinds(t, [ASSIGNED]) == []
    assert kinds(t, [ASSIGNED], thresholds=Thresholds(urge_days_before_due=10)) == ["urging"]
    old = [ASSIGNED, issued(Kind.URGING, "2026-11-20")]
    late = task(assigned="2026-09-01", due="2026-11-01")
    assert kinds(late, old) == []
    assert kinds(late, old, thresholds=Thresholds(order_after_urging_days=8)) == ["order"]


def test_order_facts():
    t = task(assigned="2026-09-01", due="2026-11-05", partners=[PARTNER])
    urging = issued(Kind.URGING, "2026-11-13", n=7)
    [order] = decide_slips([t], [ASSIGNED, urging], AS_OF, MONTH, T)
    assert order.facts["urging"] == urging
    assert order.facts["days_overdue"] == 23
    assert order.facts["new_deadline"] == dt.date(2026, 12, 13)
    assert order.unit == LEAD  # partners are copied, never sent their own slip


def test_urging_facts():
    [u] = decide_slips([task(assigned="2026-09-01", due="2026-11-16")], [ASSIGNED], AS_OF, MONTH, T)
    assert u.facts["days_left"] == -12
    assert u.facts["assignment"] == ASSIGNED


def test_stable_order_kind_then_unit_then_id():
    other = Unit("淄川区委改革办", "淄川区", "区县", 0)
    tasks = [
        Task("T-10", "b", LEAD, TaskStatus.IN_PROGRESS, received=d("2026-11-01")),
        Task("T-9", "a", LEAD, TaskStatus.IN_PROGRESS, received=d("2026-11-01")),
        Task("T-2", "c", other, TaskStatus.IN_PROGRESS, assigned=d("2026-11-01"), due=d("2027-01-01")),
        Task("T-1", "d", LEAD, TaskStatus.IN_PROGRESS, received=d("2026-11-01")),
    ]
    got = [(x.kind.value, x.subject) for x in decide_slips(tasks, [], AS_OF, MONTH, T)]
    assert got == [("reminder", "T-1"), ("reminder", "T-9"), ("reminder", "T-10"), ("assignment", "T-2")]


REASONS = [
    ("reminder", task(received="2026-11-20"), [], "2026年11月20日收到上级文件，尚未交办 → 提示单"),
    ("assignment", task(assigned="2026-11-25", due="2027-03-31"), [],
     "交办日期 2026年11月25日，完成时限 2027年3月31日；尚未发交办单 → 交办单"),
    ("urging, due soon", task(assigned="2026-09-01", due="2026-12-05"), [ASSIGNED],
     "完成时限 2026年12月5日，还有7天到期（7天内）；本月尚未催办 → 催办单"),
    ("urging, due today", task(assigned="2026-09-01", due="2026-11-28"), [ASSIGNED],
     "完成时限 2026年11月28日，今天到期；本月尚未催办 → 催办单"),
    ("urging, overdue, never urged", task(assigned="2026-09-01", due="2026-11-16"), [ASSIGNED],
     "完成时限 2026年11月16日，已逾期12天；本月尚未催办（此前未催办，暂不发责令书） → 催办单"),
    ("order", task(assigned="2026-09-01", due="2026-10-28"), [ASSIGNED, issued(Kind.URGING, "2026-11-10")],
     "完成时限 2026年10月28日，已逾期31天；11月10日已催办满15天 → 责令书"),
    ("urging after an order", task(assigned="2026-09-01", due="2026-10-01"),
     [ASSIGNED, issued(Kind.URGING, "2026-10-02"), issued(Kind.ORDER, "2026-10-20", deadline="2026-11-04")],
     "责令书新时限 2026年11月4日，已逾期24天；本月尚未催办 → 催办单"),
]


@pytest.mark.parametrize("name,t,history,expected", REASONS, ids=[c[0] for c in REASONS])
def test_reasons_in_the_rules_words(name, t, history, expected):
    [decision] = [x for x in decide_slips([t], history, AS_OF, MONTH, T) if x.kind.value == name.split(",")[0].replace(" after an order", "")]
    assert decision.reason == expected
