"""Units, the task ledger and the earlier-register history: records → validated model objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem
from typing import Callable

from ..model import Finding, FindingStatus, Issued, Kind, Task, TaskStatus, Unit
from ..register.numbering import Series
from .tables import Column, Record, read_named_table
from .values import clean_text, normalise_doc_no, parse_date, parse_int, split_list

UNIT_COLUMNS = [
    Column("name", "单位名称", True),
    Column("short", "简称"),
    Column("category", "类别", True),
    Column("contact", "联系人"),
    Column("phone", "联系电话"),
    Column("order", "排序"),
    Column("head", "主要负责人"),
]

TASK_COLUMNS = [
    Column("id", "编号", True),
    Column("title", "改革事项", True),
    Column("source_doc", "上级文件"),
    Column("source_no", "上级文号"),
    Column("source", "来源"),
    Column("received", "收到日期"),
    Column("lead", "牵头单位", True),
    Column("partners", "配合单位"),
    Column("assigned", "交办日期"),
    Column("due", "完成时限"),
    Column("status", "状态", True),
    Column("done", "完成日期"),
    Column("progress", "进展情况"),
    Column("note", "备注"),
    Column("deliverable", "成果形式"),
]

FINDING_COLUMNS = [
    Column("id", "编号", True),
    Column("inspection", "督察名称", True),
    Column("inspected", "督察日期", True),
    Column("unit", "责任单位", True),
    Column("problem", "问题描述", True),
    Column("requirement", "整改要求", True),
    Column("due", "整改时限", True),
    Column("status", "整改状态", True),
    Column("done", "整改完成日期"),
    Column("review", "复查意见"),
]

HISTORY_COLUMNS = [
    Column("doc_no", "文号", True),
    Column("kind", "文种", True),
    Column("subject", "事项编号", True),
    Column("unit", "单位", True),
    Column("date", "成文日期", True),
    Column("deadline", "新时限"),
]

SOURCES = ("中央", "省委", "市委", "县委", "区委", "其他")
KIND_BY_NAME = {k.zh: k for k in Kind} | {k.value: k for k in Kind}


class UnitDirectory:
    """Look up units by full or short name."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self._by_name: dict[str, Unit] = {}
        for u in units:
            self._by_name.setdefault(u.short, u)
        for u in units:
            self._by_name[u.name] = u

    def get(self, name: str) -> Unit | None:
        return self._by_name.get(name)

    def suggestion(self, name: str) -> str:
        import difflib

        near = difflib.get_close_matches(name, list(self._by_name), n=1, cutoff=0.5)
        return f"did you mean {near[0]}?" if near else "add it to the units list"


def _required_text(rec: Record, key: str, zh: str, problems: list[Problem]) -> str:
    text = clean_text(rec.values.get(key))
    if not text:
        problems.append(rec.where.problem(f"{zh} is empty (required)", rec.headers.get(key, zh)))
    return text


def _date(rec: Record, key: str, zh: str, problems: list[Problem]) -> dt.date | None:
    value, err = parse_date(rec.values.get(key))
    if err:
        problems.append(rec.where.problem(err, rec.headers.get(key, zh)))
    return value


def read_units(data_dir: Path, categories: list[str]) -> tuple[list[Unit], list[Problem]]:
    records, problems = read_named_table(data_dir, "units", UNIT_COLUMNS)
    units: list[Unit] = []
    seen: dict[str, Record] = {}
    for pos, rec in enumerate(records, start=1):
        name = _required_text(rec, "name", "单位名称", problems)
        category = _required_text(rec, "category", "类别", problems)
        if category and category not in categories:
            problems.append(rec.where.problem(f'"{category}" is not a unit category (use {"、".join(categories)})', rec.headers.get("category", "类别")))
        order, err = parse_int(rec.values.get("order"))
        if err:
            problems.append(rec.where.problem(err, rec.headers.get("order", "排序")))
        if not name:
            continue
        if name in seen:
            first = seen[name].where.row
            problems.append(rec.where.problem(f'"{name}" is listed twice (first at row {first})', rec.headers.get("name", "单位名称")))
            continue
        seen[name] = rec
        units.append(Unit(
            name=name,
            short=clean_text(rec.values.get("short")) or name,
            category=category,
            order=order if order is not None else pos,
            contact=clean_text(rec.values.get("contact")),
            phone=clean_text(rec.values.get("phone")),
            head=clean_text(rec.values.get("head")),
            extra={k: clean_text(v) for k, v in rec.extra.items()},
        ))
    shorts: dict[str, Unit] = {}
    for u in units:
        if u.short != u.name and u.short in shorts:
            problems.append(Problem(records[0].where.file, f'the short name "{u.short}" is used by {shorts[u.short].name} and {u.name}; short names must differ'))
        shorts[u.short] = u
    units.sort(key=lambda u: u.order)  # stable: equal orders keep row order
    return units, problems


def _unit(rec: Record, key: str, zh: str, directory: UnitDirectory, problems: list[Problem], text: str | None = None) -> Unit | None:
    name = clean_text(rec.values.get(key)) if text is None else text
    if not name:
        return None
    unit = directory.get(name)
    if unit is None:
        problems.append(rec.where.problem(f'"{name}" is not in the units list ({directory.suggestion(name)})', rec.headers.get(key, zh)))
    return unit


def read_tasks(data_dir: Path, directory: UnitDirectory) -> tuple[list[Task], list[Problem]]:
    records, problems = read_named_table(data_dir, "tasks", TASK_COLUMNS)
    tasks: list[Task] = []
    seen: dict[str, Record] = {}
    statuses = {s.value: s for s in TaskStatus}
    for rec in records:
        col = lambda key, zh: rec.headers.get(key, zh)  # noqa: E731
        task_id = _required_text(rec, "id", "编号", problems)
        title = _required_text(rec, "title", "改革事项", problems)
        lead_name = _required_text(rec, "lead", "牵头单位", problems)
        lead = _unit(rec, "lead", "牵头单位", directory, problems, text=lead_name) if lead_name else None
        partners = []
        for name in split_list(clean_text(rec.values.get("partners"))):
            unit = _unit(rec, "partners", "配合单位", directory, problems, text=name)
            if unit and unit not in partners and unit != lead:
                partners.append(unit)
        status_text = _required_text(rec, "status", "状态", problems)
        status = None
        if status_text:
            if status_text in statuses:
                status = statuses[status_text]
            else:
                problems.append(rec.where.problem(f'"{status_text}" is not a status (use {"、".join(statuses)})', col("status", "状态")))
        received = _date(rec, "received", "收到日期", problems)
        assigned = _date(rec, "assigned", "交办日期", problems)
        due = _date(rec, "due", "完成时限", problems)
        done = _date(rec, "done", "完成日期", problems)
        raw_due = clean_text(rec.values.get("due"))
        raw_assigned = clean_text(rec.values.get("assigned"))
        if raw_assigned and not raw_due:
            problems.append(rec.where.problem("完成时限 is empty; a task with a 交办日期 needs a deadline", col("due", "完成时限")))
        if assigned and due and due < assigned:
            problems.append(rec.where.problem(f"the deadline {due:%Y-%m-%d} is before the assignment date {assigned:%Y-%m-%d}", col("due", "完成时限")))
        raw_done = clean_text(rec.values.get("done"))
        if status in (TaskStatus.DONE, TaskStatus.CLOSED) and not raw_done:
            problems.append(rec.where.problem(f"完成日期 is empty; a task that is {status.value} needs the date it was finished", col("done", "完成日期")))
        source = clean_text(rec.values.get("source"))
        if source and source not in SOURCES:
            problems.append(rec.where.problem(f'"{source}" is not a source (use {"、".join(SOURCES)})', col("source", "来源")))
        if task_id:
            if task_id in seen:
                problems.append(rec.where.problem(f'the id "{task_id}" is used twice (first at row {seen[task_id].where.row})', col("id", "编号")))
                continue
            seen[task_id] = rec
        if not (task_id and title and lead and status):
            continue
        tasks.append(Task(
            id=task_id, title=title, lead=lead, status=status, partners=tuple(partners),
            source_doc=clean_text(rec.values.get("source_doc")),
            source_no=normalise_doc_no(clean_text(rec.values.get("source_no"))),
            source=source, received=received, assigned=assigned, due=due, done=done,
            progress=clean_text(rec.values.get("progress")), note=clean_text(rec.values.get("note")),
            deliverable=clean_text(rec.values.get("deliverable")),
            extra={k: clean_text(v) for k, v in rec.extra.items()},
        ))
    return tasks, problems


@dataclass(frozen=True)
class HistoryRow:
    issued: Issued
    where: str


def read_history(data_dir: Path, directory: UnitDirectory, series_of: Callable[[Kind], Series],
                 names: dict[str, Kind] | None = None) -> tuple[list[Issued], list[Problem]]:
    """Read data/history.* (documents issued before the tool, e.g. from the paper register); optional.
    `names`: the office's own names of kinds (督办单), accepted in 文种 besides the standard ones."""
    by_name = KIND_BY_NAME | (names or {})
    records, problems = read_named_table(data_dir, "history", HISTORY_COLUMNS, optional=True)
    issued: list[Issued] = []
    seen: dict[str, Record] = {}
    series_of_kind: dict[Kind, Series] = {}  # series_of asked once per kind
    for rec in records:
        doc_no = normalise_doc_no(_required_text(rec, "doc_no", "文号", problems))
        kind_text = _required_text(rec, "kind", "文种", problems)
        kind = by_name.get(kind_text)
        if kind_text and kind is None:
            problems.append(rec.where.problem(f'"{kind_text}" is not a kind of document (use {"、".join(k.zh for k in Kind)})', rec.headers.get("kind", "文种")))
        subject = "、".join(split_list(_required_text(rec, "subject", "事项编号", problems)))
        unit = _unit(rec, "unit", "单位", directory, problems) if _required_text(rec, "unit", "单位", problems) else None
        date = _date(rec, "date", "成文日期", problems) if _required_text(rec, "date", "成文日期", problems) else None
        deadline = _date(rec, "deadline", "新时限", problems)
        if doc_no in seen:
            problems.append(rec.where.problem(f'the number "{doc_no}" is listed twice (first at row {seen[doc_no].where.row})', rec.headers.get("doc_no", "文号")))
            continue
        seen[doc_no] = rec
        place = None
        if doc_no and kind:
            if kind not in series_of_kind:
                series_of_kind[kind] = series_of(kind)
            series = series_of_kind[kind]
            place = series.parse(doc_no)
            if place is None:
                example = series.format(date.year if date else 2026, 1)
                problems.append(rec.where.problem(f'"{doc_no}" is not a number of the {kind.zh} series (like {example})', rec.headers.get("doc_no", "文号")))
        if place and kind and subject and unit and date:
            issued.append(Issued(kind, subject, unit.name, doc_no, date, deadline, series=series.name, year=place[0], n=place[1]))
    return issued, problems


def read_findings(data_dir: Path, directory: UnitDirectory) -> tuple[list[Finding], list[Problem]]:
    """Read data/findings.* (督察问题清单); optional: an office without inspections has none."""
    records, problems = read_named_table(data_dir, "findings", FINDING_COLUMNS, optional=True)
    findings: list[Finding] = []
    seen: dict[str, Record] = {}
    statuses = [s.value for s in FindingStatus]
    for rec in records:
        col = lambda key, zh: rec.headers.get(key, zh)  # noqa: E731
        fid = _required_text(rec, "id", "编号", problems)
        inspection = _required_text(rec, "inspection", "督察名称", problems)
        inspected = _date(rec, "inspected", "督察日期", problems) if _required_text(rec, "inspected", "督察日期", problems) else None
        unit = _unit(rec, "unit", "责任单位", directory, problems) if _required_text(rec, "unit", "责任单位", problems) else None
        problem_text = _required_text(rec, "problem", "问题描述", problems)
        requirement = _required_text(rec, "requirement", "整改要求", problems)
        due = _date(rec, "due", "整改时限", problems) if _required_text(rec, "due", "整改时限", problems) else None
        status_text = _required_text(rec, "status", "整改状态", problems)
        status = None
        if status_text:
            if status_text in statuses:
                status = FindingStatus(status_text)
            else:
                problems.append(rec.where.problem(f'"{status_text}" is not a status (use {"、".join(statuses)})', col("status", "整改状态")))
        done = _date(rec, "done", "整改完成日期", problems)
        if status in (FindingStatus.RECTIFIED, FindingStatus.CLOSED) and not clean_text(rec.values.get("done")):
            problems.append(rec.where.problem(f"整改完成日期 is empty; a finding that is {status.value} needs the date it was rectified", col("done", "整改完成日期")))
        if inspected and due and due < inspected:
            problems.append(rec.where.problem(f"the deadline {due:%Y-%m-%d} is before the inspection date {inspected:%Y-%m-%d}", col("due", "整改时限")))
        if fid:
            if fid in seen:
                problems.append(rec.where.problem(f'the id "{fid}" is used twice (first at row {seen[fid].where.row})', col("id", "编号")))
                continue
            seen[fid] = rec
        if fid and inspection and inspected and unit and problem_text and requirement and due and status:
            findings.append(Finding(fid, inspection, inspected, unit, problem_text, requirement, due, status, done,
                                    clean_text(rec.values.get("review")), {k: clean_text(v) for k, v in rec.extra.items()}))
    return findings, problems
