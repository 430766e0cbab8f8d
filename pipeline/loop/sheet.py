"""The 调度表's layout, shared by dispatch (which writes it) and collect (which reads it back).

A 调度表 has one visible sheet per kind of row (改革任务, 整改问题), each with a few heading rows,
a header row, and one row per task or finding: the given columns (grey, locked) and the reply
columns (white, unlocked). A very hidden sheet carries what collect needs to recognise the file
when it has been renamed or saved again by Excel, WPS or LibreOffice: office, unit, month,
as-of, reply-by and the row ids. (Custom XML parts do not survive those saves; a sheet does.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

FORMAT = "make-notices 调度表 1"
META_SHEET = "mn_dispatch"  # very hidden; the name is what collect looks for
HEADER_ROW = 4  # title, unit line, guide, then the header
FIRST_ROW = HEADER_ROW + 1


@dataclass(frozen=True)
class Col:
    header: str
    key: str  # what the column holds: given values by attribute, reply values by ledger field
    width: float
    reply: bool = False
    date: bool = False
    status: bool = False


@dataclass(frozen=True)
class Layout:
    """One visible sheet: its name, title, columns and the allowed statuses."""

    kind: str  # "task" or "finding"
    sheet: str
    title: str
    columns: tuple[Col, ...]
    statuses: tuple[str, ...]

    @property
    def given(self) -> tuple[Col, ...]:
        return tuple(c for c in self.columns if not c.reply)

    @property
    def replies(self) -> tuple[Col, ...]:
        return tuple(c for c in self.columns if c.reply)

    def col(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


TASKS = Layout("task", "改革任务", "改革任务进展调度表", (
    Col("编号", "id", 11),
    Col("改革事项", "title", 38),
    Col("完成时限", "due", 12, date=True),
    Col("当前状态", "status", 9),
    Col("上次进展", "progress", 30),
    Col("本月进展", "progress", 38, reply=True),
    Col("状态", "status", 10, reply=True, status=True),
    Col("完成日期", "done", 13, reply=True, date=True),
    Col("备注", "note", 16, reply=True),
), ("未启动", "推进中", "已完成"))

FINDINGS = Layout("finding", "整改问题", "督察问题整改进展调度表", (
    Col("编号", "id", 13),
    Col("问题描述", "problem", 38),
    Col("整改时限", "due", 12, date=True),
    Col("当前整改状态", "status", 13),
    Col("上次整改进展", "progress", 30),
    Col("整改进展", "progress", 38, reply=True),
    Col("整改状态", "status", 10, reply=True, status=True),
    Col("整改完成日期", "done", 13, reply=True, date=True),
    Col("备注", "note", 16, reply=True),
), ("未整改", "整改中", "已整改"))

LAYOUTS = (TASKS, FINDINGS)
DONE = {"task": "已完成", "finding": "已整改"}


@dataclass
class Meta:
    """What the hidden sheet says about the file."""

    office: str
    prefix: str
    unit: str
    month: str
    as_of: dt.date
    reply_by: dt.date
    tasks: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def ids(self, kind: str) -> list[str]:
        return self.tasks if kind == "task" else self.findings

    def rows(self) -> list[list[str]]:
        """The hidden sheet's rows: key, value (ids one per row after their key)."""
        rows = [["format", FORMAT], ["office", self.office], ["prefix", self.prefix], ["unit", self.unit],
                ["month", self.month], ["as_of", self.as_of.isoformat()], ["reply_by", self.reply_by.isoformat()]]
        rows += [["task", i] for i in self.tasks]
        rows += [["finding", i] for i in self.findings]
        return rows

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> "Meta | None":
        """Read the hidden sheet back; None when it is not ours or is damaged."""
        values: dict[str, str] = {}
        tasks, findings = [], []
        for row in rows:
            if not row or row[0] is None:
                continue
            key = str(row[0]).strip()
            value = "" if len(row) < 2 or row[1] is None else str(row[1]).strip()
            if key == "task":
                tasks.append(value)
            elif key == "finding":
                findings.append(value)
            else:
                values[key] = value
        if values.get("format") != FORMAT:
            return None
        try:
            return cls(values["office"], values.get("prefix", ""), values["unit"], values["month"],
                       dt.date.fromisoformat(values["as_of"]), dt.date.fromisoformat(values["reply_by"]), tasks, findings)
        except (KeyError, ValueError):
            return None


def file_name(month: str, unit_short: str) -> str:
    from ..build import safe_filename

    return safe_filename(f"调度表-{month}-{unit_short}", ".xlsx")


def month_title(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"
