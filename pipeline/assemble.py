"""The run's collected outputs: the print bundle, the seal register sheet and the manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter


@dataclass
class Made:
    """One document as written to the output folder."""

    kind: str
    kind_name: str
    doc_no: str
    title: str
    recipient: str
    cc: list[str]
    date: str
    docx: str  # relative to the output folder
    pdf: str | None = None
    pages: int | None = None
    task_id: str | None = None
    finding_ids: list[str] = field(default_factory=list)
    colophon: bool = False  # a formal document whose 版记 is placed after conversion

    def manifest(self) -> dict:
        return {
            "kind": self.kind, "doc_no": self.doc_no, "title": self.title, "recipient": self.recipient,
            "cc": self.cc, "task_id": self.task_id, "finding_ids": self.finding_ids, "date": self.date,
            "docx": self.docx, "pdf": self.pdf, "pages": self.pages,
        }


def count_pages(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def print_bundle(made: list[Made], folder: Path, dest: Path) -> int:
    """Every PDF in print order, each starting on an odd page (duplex), one bookmark each."""
    writer = PdfWriter()
    for doc in made:
        assert doc.pdf is not None
        start = len(writer.pages)
        reader = PdfReader(folder / doc.pdf)
        for page in reader.pages:
            writer.add_page(page)
        writer.add_outline_item(title=f"{doc.doc_no} {doc.recipient}", page_number=start)
        if len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            writer.add_blank_page(width=float(box.width), height=float(box.height))
    writer.page_mode = "/UseOutlines"
    with open(dest, "wb") as fh:
        writer.write(fh)
    return len(writer.pages)


def _heading_rows(ws, heading: str, headers: list[str]) -> None:
    """Row 1: the sheet's title across all columns; row 2: the column headers."""
    from openpyxl.styles import Alignment, Font

    ws.append([heading] + [None] * (len(headers) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)


def _ruled(ws) -> None:
    """Thin rules round every cell from the header row down; text wrapped, the header bold and centred."""
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.row == 2:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _print_landscape(ws) -> None:
    """Printed on A4 landscape, one page wide, the header row repeated on every page."""
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def seal_register(made: list[Made], dest: Path, heading: str) -> None:
    """用印登记表.xlsx: one row per document, ready to print and sign at the seal desk."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "用印登记"
    headers = ["序号", "文号", "文种", "标题", "主送单位", "抄送", "页数", "成文日期", "文件", "用印人", "备注"]
    widths = [6, 24, 10, 44, 26, 30, 6, 16, 40, 10, 10]
    _heading_rows(ws, heading, headers)
    for i, doc in enumerate(made, start=1):
        ws.append([i, doc.doc_no, doc.kind_name, doc.title, doc.recipient, "、".join(doc.cc), doc.pages,
                   doc.date, doc.pdf or doc.docx, None, None])
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _ruled(ws)
    ws.freeze_panes = "A3"
    _print_landscape(ws)
    wb.save(dest)


def write_manifest(made: list[Made], dest: Path, month: str, as_of: str, extra: dict | None = None) -> None:
    data = {"month": month, "as_of": as_of, "documents": [m.manifest() for m in made]}
    if extra:
        data.update(extra)
    dest.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def rectification_ledger(rows: list[dict], dest: Path, heading: str) -> None:
    """整改台账.xlsx: every finding with its status as of the run, days overdue and its documents."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    columns = [("编号", 14), ("督察名称", 22), ("督察日期", 12), ("责任单位", 20), ("问题描述", 40), ("整改要求", 36),
               ("整改时限", 12), ("整改状态", 10), ("整改完成日期", 12), ("逾期天数", 8), ("相关文件", 30), ("复查意见", 24)]
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    _heading_rows(ws, heading, [c for c, _ in columns])
    for r in rows:
        ws.append([r["id"], r["inspection"], r["inspected"], r["unit"], r["problem"], r["requirement"], r["due"],
                   r["status"], r["done"], r["days_overdue"], "、".join(r["documents"]), r["review"]])
    late_fill = PatternFill("solid", fgColor="FDE9E7")
    for col, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    _ruled(ws)
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        late = (row[9].value or 0) > 0
        for cell in row:
            if late:
                cell.fill = late_fill
            if cell.column in (3, 7, 9):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(ws.max_row, 2)}"
    _print_landscape(ws)
    wb.save(dest)


def ranking_sheet(ranking, dest: Path, heading: str) -> None:
    """排名表.xlsx: the month's ranking tables, one sheet per category, for the newspaper and website."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    for cat in ranking.categories:
        ws = wb.create_sheet(cat.category[:31])
        headers = ["名次", "单位"] + [i.label for i in cat.indicators] + ["总分", "较上月", "年度累计"]
        _heading_rows(ws, f"{heading}（{cat.category}）", headers)
        for row in cat.rows:
            ws.append([row.rank, row.unit.short, *[float(x) for x in row.scores], float(row.total), row.change,
                       float(row.annual_text)])
        for r in ws.iter_rows(min_row=2, max_row=ws.max_row):
            for cell in r:
                cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                cell.alignment = Alignment(horizontal="center", vertical="center")
                if cell.row == 2:
                    cell.font = Font(bold=True)
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"
        for col in range(1, len(headers) + 1):
            ws.column_dimensions[get_column_letter(col)].width = 22 if col == 2 else 14
        ws.freeze_panes = "A3"
    wb.save(dest)
