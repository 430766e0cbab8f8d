"""签收 and 反馈 against each 文号: record them (receive, reply, import_file) and count them (statistics).

The CLI (`make-notices register receive|reply|import`) and the web page call these functions;
the monthly run writes the year's figures to 签收反馈.xlsx and ends its summary with them.
Bad input is every problem at once (BadInput), and then nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

from ..config import Config
from ..errors import BadInput, Problem, display_path
from ..model import Kind
from ..register.store import Entry, Marks, open_register
from ..sources.tables import Column, read_table
from ..sources.values import clean_text, normalise_doc_no, parse_date

IMPORT_COLUMNS = [
    Column("doc_no", "文号", required=True),
    Column("received_on", "签收日期"),
    Column("received_by", "签收人"),
    Column("replied_on", "反馈日期"),
]
# Documents addressed to every unit at once: listed, but counted for no unit.
COLLECTIVE = {Kind.RANKING.value, Kind.QUARTERLY.value, Kind.TASKLIST_NOTICE.value, Kind.COMPILATION_NOTICE.value,
              Kind.COMPILATION.value}

Locate = Callable[[str, "str | None"], Problem]  # (message, column) -> the problem, placed


@dataclass(frozen=True)
class Recorded:
    """What a receive, reply or import wrote: the entries changed (as now), and the numbers already so."""

    changed: list[Entry] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- recording

def receive(config: Config, numbers: list[str], date: dt.date | None = None, by: str = "", *,
            today: dt.date | None = None) -> Recorded:
    """Record 签收 of numbers on date (default today), signed by `by`."""
    today = today or dt.date.today()
    day = date or today
    name = clean_text(by) or None
    return _record(config, _from_arguments(numbers, lambda no: Marks(no, received_on=day, received_by=name), day, today), today)


def reply(config: Config, numbers: list[str], date: dt.date | None = None, *, today: dt.date | None = None) -> Recorded:
    """Record 反馈 of numbers on date (default today)."""
    today = today or dt.date.today()
    day = date or today
    return _record(config, _from_arguments(numbers, lambda no: Marks(no, replied_on=day), day, today), today)


def import_file(config: Config, path: Path, *, today: dt.date | None = None) -> Recorded:
    """Record the 签收/反馈 of an .xlsx or .csv with the columns 文号, 签收日期, 签收人, 反馈日期.

    Empty cells change nothing; a row with only its 文号 is skipped. The first sheet is read
    (签收反馈.xlsx of a monthly run can be filled in and imported as it is).
    """
    today = today or dt.date.today()
    shown = display_path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise BadInput(Problem(shown, f"is a {path.suffix or 'file without a suffix'}: give an .xlsx or .csv file "
                                      "with the columns 文号, 签收日期, 签收人, 反馈日期"))
    if not path.is_file():
        raise BadInput(Problem(shown, "no such file"))
    records, problems = read_table(path, IMPORT_COLUMNS)
    wanted: list[tuple[Marks, Locate]] = []
    first_row: dict[str, int | None] = {}
    for rec in records:
        header = rec.headers.get
        doc_no = normalise_doc_no(clean_text(rec.values.get("doc_no")))
        dates = {}
        for key, zh in (("received_on", "签收日期"), ("replied_on", "反馈日期")):
            day, err = parse_date(rec.values.get(key))
            if err:
                problems.append(rec.where.problem(err, header(key, zh)))
            dates[key] = day
        name = clean_text(rec.values.get("received_by")) or None
        if not doc_no:
            if dates["received_on"] or dates["replied_on"] or name:
                problems.append(rec.where.problem("the 文号 is empty", header("doc_no", "文号")))
            continue
        if doc_no in first_row:
            problems.append(rec.where.problem(f'"{doc_no}" is listed twice (first at row {first_row[doc_no]})', header("doc_no", "文号")))
            continue
        first_row[doc_no] = rec.where.row
        if not (dates["received_on"] or dates["replied_on"] or name):
            continue

        def locate(message: str, column: str | None, rec=rec, doc_no=doc_no) -> Problem:
            return rec.where.problem(f"{doc_no}: {message}", rec.headers.get(_KEY_OF.get(column or "", ""), column))

        wanted.append((Marks(doc_no, dates["received_on"], name, dates["replied_on"]), locate))
    return _record(config, (wanted, problems), today, check_future=True)


_KEY_OF = {"签收日期": "received_on", "签收人": "received_by", "反馈日期": "replied_on", "文号": "doc_no"}


def _from_arguments(numbers: list[str], mark: Callable[[str], Marks], day: dt.date,
                    today: dt.date) -> tuple[list[tuple[Marks, Locate]], list[Problem]]:
    problems: list[Problem] = []
    if day > today:
        problems.append(Problem("--date", f"{day} is after today ({today}): a receipt or reply is recorded once it has happened"))
    if not numbers:
        problems.append(Problem("NUMBER", "give at least one 文号"))
    wanted: list[tuple[Marks, Locate]] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(numbers, start=1):
        doc_no = normalise_doc_no(clean_text(raw))
        if doc_no in seen:
            problems.append(Problem(f"NUMBER {i}", f'"{doc_no}" is given twice (first as NUMBER {seen[doc_no]})'))
            continue
        seen[doc_no] = i

        def locate(message: str, column: str | None, i=i, doc_no=doc_no) -> Problem:
            return Problem(f"NUMBER {i}", f"{doc_no}: {message}")

        wanted.append((mark(doc_no), locate))
    return wanted, problems


def _record(config: Config, request: tuple[list[tuple[Marks, Locate]], list[Problem]], today: dt.date,
            check_future: bool = False) -> Recorded:
    wanted, early = request
    unchanged: list[str] = []

    def decide(found: dict[str, Entry]) -> list[Marks]:
        problems = list(early)
        marks = []
        for m, locate in wanted:
            e = found.get(m.doc_no)
            if e is None:
                problems.append(locate("is not in the register (see: make-notices register list)", "文号"))
                continue
            if e.status == "void":
                problems.append(locate(f"is void ({e.void_reason}); record the number that replaced it", "文号"))
                continue
            problems.extend(_date_problems(m, e, locate, today, check_future))
            if _changes(m, e):
                marks.append(m)
            else:
                unchanged.append(m.doc_no)
        if problems:
            raise BadInput(problems)
        return marks

    if early and not wanted:
        raise BadInput(early)
    changed = open_register(config.register_url).record([m.doc_no for m, _ in wanted], decide)
    return Recorded(changed, unchanged)


def _date_problems(m: Marks, e: Entry, locate: Locate, today: dt.date, check_future: bool) -> list[Problem]:
    problems = []
    issued = dt.date.fromisoformat(e.issued_on)
    for day, column, what in ((m.received_on, "签收日期", "the receipt"), (m.replied_on, "反馈日期", "the reply")):
        if day is None:
            continue
        if day < issued:
            problems.append(locate(f"{what} date {day} is before the document's date {issued}", column))
        elif check_future and day > today:
            problems.append(locate(f"{what} date {day} is after today ({today})", column))
    received = m.received_on or _day(e.received_on)
    replied = m.replied_on or _day(e.replied_on)
    if received and replied and replied < received:
        column = "反馈日期" if m.replied_on else "签收日期"
        problems.append(locate(f"the reply ({replied}) is before the receipt ({received})", column))
    if m.received_by and not received:
        problems.append(locate("a 签收人 without a 签收日期 (give the date it was signed for)", "签收人"))
    return problems


def _changes(m: Marks, e: Entry) -> bool:
    return any(new is not None and new != old for new, old in (
        (m.received_on and m.received_on.isoformat(), e.received_on), (m.received_by, e.received_by),
        (m.replied_on and m.replied_on.isoformat(), e.replied_on)))


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# --------------------------------------------------------------------------- the figures

@dataclass(frozen=True)
class Row:
    """One document of 签收反馈明细, as of the statistics' date."""

    doc_no: str
    kind: str
    kind_name: str
    unit: str
    issued_on: dt.date
    received_on: dt.date | None
    received_by: str
    reply_by: dt.date | None
    replied_on: dt.date | None
    state: str
    days_overdue: int | None

    @property
    def collective(self) -> bool:
        return self.kind in COLLECTIVE


@dataclass(frozen=True)
class Figures:
    """One line of 按单位统计."""

    unit: str
    issued: int = 0
    received: int = 0
    not_received: int = 0  # not signed for after receipt_days
    on_time: int = 0
    late: int = 0
    missing: int = 0  # no reply, and the reply-by date has passed

    def values(self) -> list[int]:
        return [self.issued, self.received, self.not_received, self.on_time, self.late, self.missing]


@dataclass(frozen=True)
class Statistics:
    year: int
    as_of: dt.date
    receipt_days: int
    rows: list[Row]
    units: list[Figures]  # in the unit directory's order; units with no document left out
    total: Figures  # the sum of the units (documents to all units are not counted for any)

    def headers(self) -> list[str]:
        return ["发文数", "已签收", f"未签收（超过{self.receipt_days}天）", "按期反馈", "逾期反馈", "未反馈（已逾期）"]

    def line(self) -> str:
        """The summary's last line: the 合计 of 按单位统计."""
        figures = "，".join(f"{h} {v}" for h, v in zip(self.headers(), self.total.values()))
        return f"签收反馈（{self.year}年，截至{self.as_of.isoformat()}）：{figures}。"

    def overdue_units(self) -> list[Figures]:
        """Units with replies overdue, most first (then in directory order)."""
        return sorted((f for f in self.units if f.missing), key=lambda f: -f.missing)


def statistics(config: Config, year: int, as_of: dt.date, *, pending: Iterable[Entry] = (), run: str | None = None) -> Statistics:
    """The year's 签收/反馈 as of a date, from the register.

    `pending` are the documents of a run whose numbers are not committed yet (they replace the
    register's entries of the same `run`, keeping the receipts recorded against their numbers).
    Only what had happened by as_of counts: later documents, receipts and replies are left out.
    """
    committed = [e for e in open_register(config.register_url).entries(year) if e.status == "issued"]
    by_no = {e.doc_no: e for e in committed}
    own = [_with_receipts(p, by_no.get(p.doc_no)) for p in pending]
    own_nos = {p.doc_no for p in own}
    entries = [e for e in committed if not (run and e.run == run) and e.doc_no not in own_nos] + own
    n = config.dispatch.receipt_days
    names = config.kind_names()
    rows = [_row(e, as_of, n, names) for e in entries if e.year == year and dt.date.fromisoformat(e.issued_on) <= as_of]
    order = _unit_order(config)
    rows.sort(key=lambda r: (r.issued_on, order.get(r.unit, len(order)), r.doc_no))
    units: dict[str, Figures] = {}
    for r in rows:
        if not r.collective:
            units[r.unit] = _add(units.get(r.unit) or Figures(r.unit), r, as_of, n)
    ordered = sorted(units.values(), key=lambda f: (order.get(f.unit, len(order)), f.unit))
    total = Figures("合计", *(sum(col) for col in zip(*(f.values() for f in ordered)))) if ordered else Figures("合计")
    return Statistics(year, as_of, n, rows, ordered, total)


def _with_receipts(p: Entry, c: Entry | None) -> Entry:
    """A pending entry with the 签收/反馈 recorded against its number (c: the register's entry of it)."""
    if c is None or (c.received_on, c.received_by, c.replied_on) == (p.received_on, p.received_by, p.replied_on):
        return p
    return replace(p, received_on=c.received_on, received_by=c.received_by, replied_on=c.replied_on)


def _row(e: Entry, as_of: dt.date, receipt_days: int, kind_names: dict[str, str]) -> Row:
    issued = dt.date.fromisoformat(e.issued_on)
    received = _as_of(e.received_on, as_of)
    replied = _as_of(e.replied_on, as_of)
    reply_by = _day(e.reply_by)
    days = None
    if replied:
        late = reply_by is not None and replied > reply_by
        state = "逾期反馈" if late else "按期反馈"
        days = (replied - reply_by).days if late and reply_by else None
    elif reply_by is not None and as_of > reply_by:
        state, days = "逾期未反馈", (as_of - reply_by).days
    elif received:
        state = "已签收，待反馈" if reply_by else "已签收"
    else:
        state = f"未签收（超过{receipt_days}天）" if (as_of - issued).days > receipt_days else "未签收"
    return Row(e.doc_no, e.kind, kind_names.get(e.kind, e.kind), e.unit, issued, received,
               e.received_by or "" if received else "", reply_by, replied, state, days)


def _as_of(text: str | None, as_of: dt.date) -> dt.date | None:
    day = _day(text)
    return day if day and day <= as_of else None


def _add(f: Figures, r: Row, as_of: dt.date, receipt_days: int) -> Figures:
    received = r.received_on is not None or r.replied_on is not None  # a reply proves the receipt
    return Figures(
        f.unit, f.issued + 1, f.received + received,
        f.not_received + (not received and (as_of - r.issued_on).days > receipt_days),
        f.on_time + (r.state == "按期反馈"), f.late + (r.state == "逾期反馈"), f.missing + (r.state == "逾期未反馈"),
    )


def _unit_order(config: Config) -> dict[str, int]:
    """Unit name → its place in data/units (empty when the directory cannot be read)."""
    from ..sources.ledger import read_units

    try:
        units, problems = read_units(config.data_dir, config.units.categories)
    except Exception:  # the figures never fail for the directory's sake: names then sort by name
        return {}
    return {} if problems else {u.name: i for i, u in enumerate(units)}


# --------------------------------------------------------------------------- the sheet

def write_sheet(stats: Statistics, dest: Path, office_short: str) -> None:
    """签收反馈.xlsx: 签收反馈明细 (every document of the year) and 按单位统计 (per unit, 合计 last)."""
    from ..output.assemble import _workbook, ruled, table

    as_of = f"{stats.as_of.year}年{stats.as_of.month}月{stats.as_of.day}日"
    wb = _workbook()
    columns = [("文号", 24), ("文种", 10), ("单位", 30), ("成文日期", 12), ("签收日期", 12), ("签收人", 10),
               ("反馈时限", 12), ("反馈日期", 12), ("状态", 16), ("逾期天数", 8)]
    rows = [[r.doc_no, r.kind_name, r.unit, r.issued_on, r.received_on, r.received_by or None, r.reply_by,
             r.replied_on, r.state, r.days_overdue] for r in stats.rows]
    table(wb, "签收反馈明细", f"{office_short}{stats.year}年发文签收反馈明细（截至{as_of}）", [c for c, _ in columns], rows,
          [w for _, w in columns], styles=ruled(dates=(4, 5, 7, 8), late_column=10),
          heights=_fitted_heights(rows, 3, width=columns[2][1]), auto_filter=True)
    rows = [[f.unit, *f.values()] for f in [*stats.units, stats.total]]
    table(wb, "按单位统计", f"{office_short}{stats.year}年发文签收反馈情况（截至{as_of}）", ["单位", *stats.headers()], rows,
          [30, 10, 10, 18, 10, 10, 18], heights=_fitted_heights(rows, 1, width=30), freeze="B3", bold_last=True)
    wb.save(dest)


def _fitted_heights(rows: list[list], column: int, width: int) -> dict[int, float]:
    """The heights of the sheet rows (data from row 3) whose text in column wraps: 15 pt a line
    (Excel and Calc keep 15 pt rows)."""
    import math
    import unicodedata

    heights = {}
    for number, values in enumerate(rows, start=3):
        text = str(values[column - 1] or "")
        units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
        lines = max(1, math.ceil(units / (width - 2)))
        if lines > 1:
            heights[number] = 15 * lines
    return heights


def bulletin_figures(stats: Statistics, shorts: dict[str, str]) -> dict:
    """The ranking bulletin's `receipts` (config ranking.reply_figures): the 合计 and each unit's figures,
    the units with replies overdue first among overdue_units."""
    from ..documents.context import cn

    def unit(f: Figures) -> dict:
        return {"name": f.unit, "short": shorts.get(f.unit, f.unit), "issued": f.issued, "received": f.received,
                "not_received": f.not_received, "on_time": f.on_time, "late": f.late, "missing": f.missing}

    t = stats.total
    return {"year": stats.year, "as_of": cn(stats.as_of), "receipt_days": stats.receipt_days, "issued": t.issued,
            "received": t.received, "not_received": t.not_received, "on_time": t.on_time, "late": t.late,
            "missing": t.missing, "units": [unit(f) for f in stats.units],
            "overdue_units": [unit(f) for f in stats.overdue_units()]}


def pending_entries(run: str, requests, numbers: dict[str, tuple[str, int]], imports=()) -> list[Entry]:
    """A run's documents as the register will hold them once it commits (for statistics' pending):
    its requests with their numbers, and the paper register's documents (data/history) it copies in."""
    from ..register.store import IMPORT_RUN

    paper = [Entry(i.doc_no, i.series, i.year or i.date.year, i.n, i.kind.value, i.subject, i.unit, i.month,
                   i.date.isoformat(), i.deadline.isoformat() if i.deadline else None, "", IMPORT_RUN, "issued", None, None,
                   i.deadline.isoformat() if i.deadline and i.kind == Kind.ORDER else None) for i in imports]
    return paper + [Entry(numbers[r.key][0], r.series, r.year, numbers[r.key][1], r.kind.value, r.subject, r.unit, r.month,
                  r.issued_on.isoformat(), r.deadline.isoformat() if r.deadline else None, r.title, run, "issued", None,
                  r.key, r.reply_by.isoformat() if r.reply_by else None) for r in requests]
