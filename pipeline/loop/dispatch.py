"""The month's 调度表: one workbook per unit with its open tasks and findings, out/dispatch-<month>/.

Everything is decided in memory first; the folder is built beside its place and moved there
whole (the monthly run's helper). A dispatch takes no number from the register.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import plan
from ..build import _output
from ..config import Config
from ..model import Finding, FindingStatus, Issued, Kind, Task, TaskStatus, Unit
from ..register.store import open_register
from ..rules.escalation import natural_key
from ..sources import Office, read_office
from ..sources.values import format_date
from . import sheet as layout
from .sheet import FINDINGS, TASKS, Layout, Meta


@dataclass(frozen=True)
class UnitRows:
    """One unit's rows of the month's dispatch."""

    unit: Unit
    tasks: tuple[Task, ...]
    findings: tuple[Finding, ...]


@dataclass
class DispatchResult:
    month: str
    as_of: dt.date
    reply_by: dt.date
    out: Path | None
    files: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)  # (unit, file, task ids, finding ids)

    def text(self) -> str:
        rows = sum(len(t) + len(f) for _, _, t, f in self.files)
        lines = [f"dispatch {self.month} as of {self.as_of}: {len(self.files)} 调度表 for {len(self.files)} units, "
                 f"{rows} rows; reply by {self.reply_by}."]
        if self.out is not None:
            from ..errors import display_path

            lines.append(f"written to {display_path(self.out)}.")
        return "\n".join(lines)


def task_status_as_of(task: Task, as_of: dt.date) -> str:
    """The status a task had on the as-of date (a status takes effect on its date)."""
    if task.status in (TaskStatus.DONE, TaskStatus.CLOSED) and not task.is_done(as_of):
        return TaskStatus.IN_PROGRESS.value
    return task.status.value


def finding_status_as_of(finding: Finding, as_of: dt.date) -> str:
    if finding.status in (FindingStatus.RECTIFIED, FindingStatus.CLOSED) and not finding.is_rectified(as_of):
        return FindingStatus.IN_PROGRESS.value
    return finding.status.value


def finding_progress(finding: Finding) -> str:
    return str(finding.extra.get("整改进展") or "")


def notified(history: list[Issued], as_of: dt.date) -> set[str]:
    """The finding ids a 整改通知 has been issued for, on or before as-of."""
    ids: set[str] = set()
    for issued in history:
        if issued.kind == Kind.RECTIFICATION and issued.date <= as_of:
            ids.update(issued.subject.split("、"))
    return ids


def rows_by_unit(office: Office, history: list[Issued], as_of: dt.date) -> list[UnitRows]:
    """Every unit with open assigned tasks it leads or notified open findings, in unit order."""
    told = notified(history, as_of)
    out = []
    for unit in office.units:
        tasks = sorted((t for t in office.tasks if t.lead.name == unit.name and t.is_assigned(as_of) and not t.is_done(as_of)),
                       key=lambda t: natural_key(t.id))
        findings = sorted((f for f in office.findings if f.unit.name == unit.name and f.inspected <= as_of and f.id in told
                           and not f.is_rectified(as_of)), key=lambda f: natural_key(f.id))
        if tasks or findings:
            out.append(UnitRows(unit, tuple(tasks), tuple(findings)))
    return out


def plan_dispatch(config: Config, as_of: dt.date) -> list[UnitRows]:
    """Read the office and the register; decide every unit's rows (writes nothing)."""
    office = read_office(config)
    register = open_register(config.register_url)
    history = plan.merged_history(register.history(), office.history)
    return rows_by_unit(office, history, as_of)


def dispatch(config: Config, month: str, as_of: dt.date, reply_by: dt.date | None = None) -> DispatchResult:
    """Write out/dispatch-<month>/: one 调度表 per unit, 调度汇总.xlsx and manifest.json."""
    from ..errors import BadInput, Problem

    if reply_by is None:
        reply_by = as_of + dt.timedelta(days=config.dispatch.reply_days)
    if reply_by < as_of:
        raise BadInput(Problem("--reply-by", f"{reply_by} is before the as-of date {as_of}"))
    from .collect import recover

    recover(config)  # an interrupted collect --apply is completed before the ledger is read
    units = plan_dispatch(config, as_of)
    result = DispatchResult(month, as_of, reply_by, None)
    names = {u.unit.name: layout.file_name(month, u.unit.short) for u in units}
    with _output(config.out_dir, f"dispatch-{month}") as output:
        work = output.make()
        for rows in units:
            meta = Meta(config.office.name, config.office.prefix, rows.unit.name, month, as_of, reply_by,
                        [t.id for t in rows.tasks], [f.id for f in rows.findings])
            write_sheet(config, rows, meta, work / names[rows.unit.name])
            result.files.append((rows.unit.name, names[rows.unit.name], meta.tasks, meta.findings))
        write_summary(config, units, names, month, as_of, reply_by, work / "调度汇总.xlsx")
        manifest = {"month": month, "as_of": as_of.isoformat(), "reply_by": reply_by.isoformat(),
                    "files": [{"unit": u, "file": f, "tasks": t, "findings": fs} for u, f, t, fs in result.files]}
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result.out = output.final
    return result


GREY = PatternFill("solid", fgColor="E7E6E6")
HEAD = PatternFill("solid", fgColor="D0CECE")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY = Font(name="宋体", size=11)
DATE_FORMAT = "yyyy-mm-dd"


def _given_values(kind: str, item, as_of: dt.date) -> dict[str, object]:
    if kind == "task":
        return {"id": item.id, "title": item.title, "due": item.due, "status": task_status_as_of(item, as_of),
                "progress": item.progress}
    return {"id": item.id, "title": item.problem, "problem": item.problem, "due": item.due,
            "status": finding_status_as_of(item, as_of), "progress": finding_progress(item)}


def _add_sheet(wb: Workbook, config: Config, spec: Layout, items, meta: Meta, first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = spec.sheet
    ncol = len(spec.columns)
    last = get_column_letter(ncol)
    contact = config.office.contact
    ws["A1"] = f"{config.office.short}{layout.month_title(meta.month)}{spec.title}"
    ws["A1"].font = Font(name="黑体", size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    who = f"联系人：{contact.name} {contact.phone}".rstrip() if contact.name or contact.phone else ""
    ws["A2"] = (f"填报单位：{meta.unit}　　截至日期：{format_date(meta.as_of)}　　"
                f"请于{format_date(meta.reply_by)}前填写后发回{config.office.short}　　{who}").rstrip()
    ws["A3"] = ("灰色部分为台账现有内容，请勿改动；请在白色单元格填写本月情况：状态从下拉列表中选择，"
                "日期填写为“2026-12-03”的形式；没有变化的可不填。")
    for row in (2, 3):
        ws.cell(row, 1).font = Font(name="宋体", size=11, bold=row == 2)
        ws.cell(row, 1).alignment = Alignment(vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = 20 if row == 2 else 30
    for row in (1, 2, 3):
        ws.merge_cells(f"A{row}:{last}{row}")
    for c, col in enumerate(spec.columns, start=1):
        cell = ws.cell(layout.HEADER_ROW, c, col.header)
        cell.font = Font(name="黑体", size=11)
        cell.fill = HEAD if not col.reply else PatternFill(None)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.row_dimensions[layout.HEADER_ROW].height = 30
    for r, item in enumerate(items, start=layout.FIRST_ROW):
        values = _given_values(spec.kind, item, meta.as_of)
        for c, col in enumerate(spec.columns, start=1):
            cell = ws.cell(r, c)
            if not col.reply:
                cell.value = values.get(col.key) or None
                cell.fill = GREY
                cell.protection = Protection(locked=True)
            else:
                cell.protection = Protection(locked=False)
            if col.date:
                cell.number_format = DATE_FORMAT
                cell.alignment = Alignment(horizontal="center", vertical="top")
            else:
                cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="center" if col.status else None)
            cell.font = BODY
            cell.border = BOX
        # LibreOffice and WPS do not grow a row to its wrapped text: give each row its height, and
        # at least two lines, room for the unit to write in
        lines = max(2, *(_lines(values.get(col.key), col.width) for col in spec.given))
        ws.row_dimensions[r].height = 15 * lines + 4
    last_row = layout.FIRST_ROW + len(items) - 1
    for col_no, col in enumerate(spec.columns, start=1):
        if not col.reply:
            continue
        letter = get_column_letter(col_no)
        area = f"{letter}{layout.FIRST_ROW}:{letter}{last_row}"
        if col.status:
            dv = DataValidation(type="list", formula1='"' + ",".join(spec.statuses) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="状态", error=f"请从列表中选择：{'、'.join(spec.statuses)}",
                                showInputMessage=True, promptTitle="状态", prompt="从下拉列表中选择")
        elif col.date:
            dv = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2099,12,31)",
                                allow_blank=True, showErrorMessage=True, errorTitle="日期",
                                error="请填写日期，例如 2026-12-03", showInputMessage=True, promptTitle="日期",
                                prompt="例如 2026-12-03")
        else:
            continue
        dv.add(area)
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(layout.FIRST_ROW, 1)
    ws.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    # a guide, not a lock: no password, and widening a column or a row stays allowed
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _lines(value: object, width: float) -> int:
    """How many lines a text takes in a column of width characters (a CJK character counts two)."""
    if not isinstance(value, str) or not value:
        return 1
    import math
    import unicodedata

    chars = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in value)
    return max(1, math.ceil(chars / max(width - 2, 1)))


def write_sheet(config: Config, rows: UnitRows, meta: Meta, dest: Path) -> None:
    wb = Workbook()
    first = True
    for spec, items in ((TASKS, rows.tasks), (FINDINGS, rows.findings)):
        if items:
            _add_sheet(wb, config, spec, items, meta, first)
            first = False
    hidden = wb.create_sheet(layout.META_SHEET)
    for row in meta.rows():
        hidden.append(row)
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    wb.active = 0
    wb.save(dest)


def write_summary(config: Config, units: list[UnitRows], names: dict[str, str], month: str, as_of: dt.date,
                  reply_by: dt.date, dest: Path) -> None:
    """调度汇总.xlsx: one row per unit (who has replied) and every row of every unit."""
    wb = Workbook()
    ws = wb.active
    ws.title = "按单位"
    heading = f"{config.office.short}{layout.month_title(month)}调度汇总（截至{format_date(as_of)}，{format_date(reply_by)}前反馈）"
    headers = ["序号", "单位", "联系人", "联系电话", "任务数", "问题数", "调度表", "收回日期", "备注"]
    widths = [6, 34, 10, 15, 8, 8, 34, 12, 16]
    _table(ws, heading, headers, widths, [
        [i, u.unit.name, u.unit.contact, u.unit.phone, len(u.tasks), len(u.findings), names[u.unit.name], None, None]
        for i, u in enumerate(units, start=1)])
    detail = wb.create_sheet("明细")
    headers = ["单位", "类别", "编号", "事项", "时限", "当前状态", "上次进展", "本月进展", "状态", "完成日期"]
    widths = [22, 8, 13, 40, 12, 10, 30, 30, 10, 12]
    body = []
    for u in units:
        for t in u.tasks:
            body.append([u.unit.short, "改革任务", t.id, t.title, t.due, task_status_as_of(t, as_of), t.progress, None, None, None])
        for f in u.findings:
            body.append([u.unit.short, "整改问题", f.id, f.problem, f.due, finding_status_as_of(f, as_of), finding_progress(f),
                         None, None, None])
    _table(detail, heading, headers, widths, body)
    wb.save(dest)


def _table(ws, heading: str, headers: list[str], widths: list[float], rows: list[list]) -> None:
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(name="黑体", size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
        head = ws.cell(2, c)
        head.font = Font(name="黑体", size=11)
        head.fill = HEAD
        head.border = BOX
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
        r = ws.max_row
        for c in range(1, len(headers) + 1):
            cell = ws.cell(r, c)
            cell.font = BODY
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
