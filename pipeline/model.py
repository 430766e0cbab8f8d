"""The domain, as frozen dataclasses: what the documents are about. Imports nothing of ours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Kind(str, Enum):
    """The kinds of document, in print and numbering order."""

    REMINDER = "reminder"
    ASSIGNMENT = "assignment"
    URGING = "urging"
    ORDER = "order"
    RECTIFICATION = "rectification"
    FINDING_URGING = "finding_urging"
    RANKING = "ranking"
    COMPILATION_NOTICE = "compilation_notice"
    COMPILATION = "compilation"
    QUARTERLY = "quarterly"
    INTERVIEW = "interview"
    TASKLIST_NOTICE = "tasklist_notice"
    PLEDGE = "pledge"

    @property
    def zh(self) -> str:
        return KIND_ZH[self]

    @property
    def rank(self) -> int:
        return list(Kind).index(self)


def zh_date(day: dt.date, as_of: dt.date | None = None) -> str:
    """2026年10月28日; 11月10日 when as_of is given and the year is the same."""
    if as_of is not None and day.year == as_of.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


KIND_ZH = {
    Kind.REMINDER: "提示单",
    Kind.ASSIGNMENT: "交办单",
    Kind.URGING: "催办单",
    Kind.ORDER: "责令书",
    Kind.RECTIFICATION: "整改通知",
    Kind.FINDING_URGING: "整改催办单",
    Kind.RANKING: "排名通报",
    Kind.COMPILATION_NOTICE: "印发通知",
    Kind.COMPILATION: "案例汇编",
    Kind.QUARTERLY: "季度通报",
    Kind.INTERVIEW: "约谈通知",
    Kind.TASKLIST_NOTICE: "任务分工通知",
    Kind.PLEDGE: "目标责任书",
}
# A slip's red head after the office's short name (an office changes it with `kinds.<kind>.head`).
KIND_HEAD = {
    Kind.REMINDER: "改革事项提示单",
    Kind.ASSIGNMENT: "改革任务交办单",
    Kind.URGING: "改革任务催办单",
    Kind.ORDER: "改革任务责令整改通知书",
    Kind.FINDING_URGING: "督察问题整改催办单",
}
SLIPS = (Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.ORDER)


class TaskStatus(str, Enum):
    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"
    CLOSED = "已销账"


@dataclass(frozen=True)
class Unit:
    name: str
    short: str
    category: str
    order: int
    contact: str = ""
    phone: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    head: str = ""  # 主要负责人: addresses a 约谈通知 when given


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    lead: Unit
    status: TaskStatus
    partners: tuple[Unit, ...] = ()
    source_doc: str = ""
    source_no: str = ""
    source: str = ""
    received: dt.date | None = None
    assigned: dt.date | None = None
    due: dt.date | None = None
    done: dt.date | None = None
    progress: str = ""
    note: str = ""
    deliverable: str = ""  # 成果形式: what finishing the task produces (a policy document, a report …)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def is_done(self, as_of: dt.date) -> bool:
        """Done as of a date: finished or closed, and finished on or before that date."""
        return (
            self.status in (TaskStatus.DONE, TaskStatus.CLOSED)
            and self.done is not None
            and self.done <= as_of
        )

    def is_assigned(self, as_of: dt.date) -> bool:
        return self.assigned is not None and self.assigned <= as_of


class FindingStatus(str, Enum):
    OPEN = "未整改"
    IN_PROGRESS = "整改中"
    RECTIFIED = "已整改"
    CLOSED = "已销账"


@dataclass(frozen=True)
class Finding:
    """One problem found by an inspection (督察), with its responsible unit and deadline."""

    id: str
    inspection: str
    inspected: dt.date
    unit: Unit
    problem: str
    requirement: str
    due: dt.date
    status: FindingStatus
    done: dt.date | None = None
    review: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def is_rectified(self, as_of: dt.date) -> bool:
        return (
            self.status in (FindingStatus.RECTIFIED, FindingStatus.CLOSED)
            and self.done is not None
            and self.done <= as_of
        )


@dataclass(frozen=True)
class Issued:
    """A document already in the register (issued by an earlier run or by hand before the tool)."""

    kind: Kind
    subject: str  # task id, or finding ids joined by '、'
    unit: str  # the unit's full name
    doc_no: str
    date: dt.date
    deadline: dt.date | None = None  # an order's new deadline
    month: str = ""  # the run month it belongs to, 2026-11
    series: str = ""  # for numbers read from data/history: the series and place in it
    year: int = 0
    n: int = 0

    def __post_init__(self) -> None:
        if not self.month:
            object.__setattr__(self, "month", f"{self.date:%Y-%m}")


@dataclass(frozen=True)
class Decision:
    """A document the rules call for, before it has a number."""

    kind: Kind
    unit: Unit
    subject: str
    task: Task | None = None
    findings: tuple[Finding, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    reason: str = field(default="", compare=False)
    """Why the rules call for it, in their words: 完成时限 2026年10月28日，已逾期31天；… → 责令书."""

    def key(self, month: str) -> str:
        """What the document is about: the same key in a re-run keeps its number."""
        return f"{self.kind.value}|{self.subject}|{self.unit.name}|{month}"


@dataclass(frozen=True)
class Numbered:
    """A decision with its number from the register."""

    decision: Decision
    doc_no: str
    series: str
    n: int


# --------------------------------------------------------------------------- monthly scores
# (data/scores/YYYY-MM.*: read by pipeline.sources.scores, ranked by pipeline.rules.ranking)

from decimal import Decimal  # noqa: E402  (this section was appended; the rest needs no Decimal)


@dataclass(frozen=True)
class Indicator:
    """One scored indicator of a month's sheet: 改革任务推进 with its maximum 40."""

    name: str
    maximum: Decimal
    header: str = ""  # as written in the file, e.g. 改革任务推进(40) or 改革任务推进（40分）

    @property
    def label(self) -> str:
        """The column heading for tables: 改革任务推进(40)."""
        return f"{self.name}({format(self.maximum, 'f')})"


@dataclass(frozen=True)
class ScoreRow:
    """One unit's scores for one month; total is always the sum of the indicators."""

    unit: Unit
    scores: tuple[Decimal, ...]
    total: Decimal
    remarks: str = ""
    row: int | None = field(default=None, compare=False)  # where it is in the file, as the user sees it
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ScoreSheet:
    """One month's score file."""

    month: str  # 2026-11
    indicators: tuple[Indicator, ...]
    rows: tuple[ScoreRow, ...]
    file: str = ""  # as shown in messages: data/scores/2026-11.xlsx
    sheet: str | None = None  # the Excel sheet read (None for CSV and YAML)

    def row_of(self, unit: Unit) -> ScoreRow | None:
        for row in self.rows:
            if row.unit.name == unit.name:
                return row
        return None


@dataclass(frozen=True)
class ScoreBook:
    """The run month's sheet and every earlier sheet of the year that exists.

    For a January run it also holds the previous December (if present), for the change in
    rank only; the annual figure never crosses the year.
    """

    month: str
    sheets_by_month: dict[str, ScoreSheet] = field(hash=False)

    @property
    def current(self) -> ScoreSheet:
        return self.sheets_by_month[self.month]

    @property
    def previous_month(self) -> str:
        """The calendar month before the run month (2026-10; 2025-12 for 2026-01)."""
        year, month = int(self.month[:4]), int(self.month[5:7])
        return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"

    @property
    def previous(self) -> ScoreSheet | None:
        return self.sheets_by_month.get(self.previous_month)

    @property
    def year_sheets(self) -> list[ScoreSheet]:
        """The sheets of the run month's year up to and including the run month, in month order."""
        year = self.month[:4]
        return [s for m, s in sorted(self.sheets_by_month.items()) if m[:4] == year and m <= self.month]
