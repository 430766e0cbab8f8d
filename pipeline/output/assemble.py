"""The run's collected outputs: the print bundle, the seal register sheet and the manifest."""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .reproducible import Parsed

_OBJ_HEAD = re.compile(rb"(\d+) 0 obj\s*")
_STREAM = re.compile(rb"(?<=>>)\s*stream\r?\n")
_REF = re.compile(rb"(?<![\w.])(\d+) 0 R(?![\w])")
_REF_ALL = re.compile(rb"(\d+) 0 R")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[([^\]]*)\]")
_PAGE_DROP = re.compile(rb"/(?:Parent|Annots|StructParents|B)\s*(?:\d+ 0 R|\[[^\]]*\]|\d+)")


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
            "kind": self.kind, "kind_name": self.kind_name, "doc_no": self.doc_no, "title": self.title, "recipient": self.recipient,
            "cc": self.cc, "task_id": self.task_id, "finding_ids": self.finding_ids, "date": self.date,
            "docx": self.docx, "pdf": self.pdf, "pages": self.pages,
        }


def count_pages(pdf: Path) -> int:
    from pypdf import PdfReader  # pypdf (~0.3 s to import) only where a PDF is not of the plain shape

    return len(PdfReader(pdf).pages)


class PrintBundle:
    """Every PDF in print order, each starting on an odd page (duplex), one bookmark each.

    Written as it goes: each document's objects are renumbered and go straight to the file, and
    only the page list and the bookmarks stay in memory, so a run of 2,000 documents needs no more
    memory than one of 50 (pypdf's PdfWriter held the whole bundle: ~140 MB for 513 documents).
    The monthly run adds each document as soon as its PDF exists, while the next ones convert.
    """

    CATALOG, PAGES, OUTLINES = 1, 2, 3

    def __init__(self, dest: Path):
        self.fh = open(dest, "wb")
        self.fh.write(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")
        self.offsets: dict[int, int] = {}
        self.next_number = 4
        self.pages: list[int] = []
        self.marks: list[tuple[str, int]] = []

    def __enter__(self) -> "PrintBundle":
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def _number(self) -> int:
        self.next_number += 1
        return self.next_number - 1

    def _write(self, number: int, obj) -> None:
        self.offsets[number] = self.fh.tell()
        self.fh.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(self.fh)
        self.fh.write(b"\nendobj\n")

    def add(self, doc: Made, reader) -> None:
        """Add a PDF read by pypdf (any shape)."""
        from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NameObject, StreamObject

        numbers: dict[int, int] = {}
        queue: list[IndirectObject] = []

        def copy(obj):
            """obj with its references renumbered into the bundle (the objects they name queued)."""
            if isinstance(obj, IndirectObject):
                if obj.idnum not in numbers:
                    numbers[obj.idnum] = self._number()
                    queue.append(obj)
                return IndirectObject(numbers[obj.idnum], 0, None)
            if isinstance(obj, StreamObject):
                new = obj.__class__()
                new._data = obj._data
                new.update({k: copy(v) for k, v in dict.items(obj)})
                return new
            if isinstance(obj, DictionaryObject):
                return DictionaryObject({k: copy(v) for k, v in dict.items(obj)})
            if isinstance(obj, ArrayObject):
                return ArrayObject(copy(v) for v in obj)
            return obj

        first = len(self.pages)
        page_numbers = [self._number() for _ in reader.pages]
        for page, number in zip(reader.pages, page_numbers):  # a reference to a page means the bundle's copy
            if page.indirect_reference is not None:
                numbers[page.indirect_reference.idnum] = number
        for page, number in zip(reader.pages, page_numbers):  # pypdf has copied inherited attributes in
            fields = {k: copy(v) for k, v in dict.items(page) if k not in ("/Parent", "/Annots", "/B", "/StructParents")}
            fields[NameObject("/Parent")] = IndirectObject(self.PAGES, 0, None)
            self._write(number, DictionaryObject(fields))
            self.pages.append(number)
        while queue:
            ref = queue.pop()
            self._write(numbers[ref.idnum], copy(ref.get_object()))
        if len(reader.pages) % 2:
            box = reader.pages[-1].mediabox
            blank = DictionaryObject({NameObject("/Type"): NameObject("/Page"),
                                      NameObject("/Parent"): IndirectObject(self.PAGES, 0, None),
                                      NameObject("/MediaBox"): ArrayObject(FloatObject(v) for v in box),
                                      NameObject("/Resources"): DictionaryObject()})
            number = self._number()
            self._write(number, blank)
            self.pages.append(number)
        self.marks.append((f"{doc.doc_no} {doc.recipient}", self.pages[first]))

    def add_pdf(self, doc: Made, data: bytes) -> int:
        """Add a PDF given as bytes; return its page count. A PDF of LibreOffice's plain shape (all
        the project makes) is copied object by object as bytes, its references renumbered by a
        regular expression (~1 ms a document; pypdf parses every object, ~15 ms); any other goes
        through pypdf (`add`)."""
        try:
            return self._add_plain(doc, Parsed(data))
        except (ValueError, KeyError, IndexError):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(data))
            self.add(doc, reader)
            return len(reader.pages)

    def _add_plain(self, doc: Made, pdf: "Parsed") -> int:
        def body(n: int) -> tuple[bytes, bytes]:
            """(the object's dictionary or value, the rest: its stream and endobj)."""
            chunk = pdf.objects[n]
            start = _OBJ_HEAD.match(chunk)
            if start is None or int(start.group(1)) != n:
                raise ValueError("object out of place")
            stream = _STREAM.search(chunk, start.end())
            cut = stream.start() if stream is not None else chunk.rindex(b"endobj")
            return chunk[start.end():cut], chunk[cut:]

        root = int(_REF.search(pdf.trailer[pdf.trailer.index(b"/Root"):]).group(1))
        catalog, _ = body(root)
        tree, _ = body(int(_REF.search(catalog[catalog.index(b"/Pages"):]).group(1)))
        kids = [int(k) for k in _REF_ALL.findall(tree[tree.index(b"/Kids"):tree.index(b"]", tree.index(b"/Kids"))])]
        pages = [body(k)[0] for k in kids]
        if not kids or any(b"/Type/Page" not in p.replace(b" ", b"") or b"/Type/Pages" in p.replace(b" ", b"")
                           or b"/Resources" not in p or b"/MediaBox" not in p for p in pages):
            raise ValueError("a page tree this copy does not handle")  # nested, or inherited attributes
        numbers = {k: self._number() for k in kids}
        queue: list[int] = []

        def renumber(text: bytes) -> bytes:
            def new(m: re.Match) -> bytes:
                old = int(m.group(1))
                if old not in numbers:
                    if old not in pdf.objects:
                        raise KeyError(old)
                    numbers[old] = self._number()
                    queue.append(old)
                return b"%d 0 R" % numbers[old]
            return _REF.sub(new, text)

        first = len(self.pages)
        for kid, page in zip(kids, pages):
            page = renumber(_PAGE_DROP.sub(b"", page))  # /Parent, links, article beads, structure: not for printing
            page = page.replace(b"<<", b"<</Parent %d 0 R" % self.PAGES, 1)  # the bundle's own page tree
            self._write_raw(numbers[kid], page, b"\nendobj\n")
            self.pages.append(numbers[kid])
        while queue:
            n = queue.pop()
            head, rest = body(n)
            self._write_raw(numbers[n], renumber(head), rest)
        if len(kids) % 2:
            box = _MEDIABOX.search(pages[-1]).group(1)
            number = self._number()
            self._write_raw(number, b"<</Type/Page/Parent %d 0 R/MediaBox[%s]/Resources<<>>>>" % (self.PAGES, box),
                            b"\nendobj\n")
            self.pages.append(number)
        self.marks.append((f"{doc.doc_no} {doc.recipient}", self.pages[first]))
        return len(kids)

    def _write_raw(self, number: int, head: bytes, rest: bytes) -> None:
        self.offsets[number] = self.fh.tell()
        self.fh.write(b"%d 0 obj\n" % number)
        self.fh.write(head)
        self.fh.write(rest)

    def write(self) -> int:
        """Write the page tree, the bookmarks, the catalog and the cross-reference table; close."""
        def raw(number: int, text: bytes) -> None:
            self._write_raw(number, text, b"\nendobj\n")

        kids = b" ".join(b"%d 0 R" % n for n in self.pages)
        raw(self.PAGES, b"<</Type/Pages/Count %d/Kids[%s]>>" % (len(self.pages), kids))
        items = [self._number() for _ in self.marks]
        for i, (title, page) in enumerate(self.marks):
            item = b"<</Title<FEFF%s>/Parent %d 0 R/Dest[%d 0 R/Fit]" % (title.encode("utf-16-be").hex().upper().encode(),
                                                                          self.OUTLINES, page)
            if i:
                item += b"/Prev %d 0 R" % items[i - 1]
            if i + 1 < len(items):
                item += b"/Next %d 0 R" % items[i + 1]
            raw(items[i], item + b">>")
        outlines = b"<</Type/Outlines/Count %d" % len(items)
        if items:
            outlines += b"/First %d 0 R/Last %d 0 R" % (items[0], items[-1])
        raw(self.OUTLINES, outlines + b">>")
        raw(self.CATALOG, b"<</Type/Catalog/Pages %d 0 R/Outlines %d 0 R/PageMode/UseOutlines>>" % (self.PAGES, self.OUTLINES))
        xref = self.fh.tell()
        size = self.next_number
        self.fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            offset = self.offsets.get(number)
            self.fh.write(b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n")
        self.fh.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
        self.fh.close()
        return len(self.pages)


def print_bundle(made: list[Made], folder: Path, dest: Path) -> int:
    with PrintBundle(dest) as bundle:
        for doc in made:
            assert doc.pdf is not None
            bundle.add_pdf(doc, (folder / doc.pdf).read_bytes())
        return bundle.write()


def _workbook():
    """A write-only workbook with the sheets' named styles. Its sheets are streamed to the file
    row by row (openpyxl's write-only mode): the same cells, styles and print setup as a workbook
    built in memory, written several times faster, which a `--no-pdf` run feels (issue #18)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _styles(wb)
    return wb


def _styles(wb) -> None:
    """The sheets' named styles, registered once per workbook: a cell then takes a style by its
    name (one lookup), instead of four style objects hashed into the workbook cell by cell."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    late = PatternFill("solid", fgColor="FDE9E7")
    named = {
        "mn-header": dict(font=Font(bold=True), border=box, alignment=centred),
        "mn-cell": dict(border=box, alignment=wrap),
        "mn-date": dict(border=box, alignment=wrap, number_format="yyyy-mm-dd"),
        "mn-late": dict(border=box, alignment=wrap, fill=late),
        "mn-late-date": dict(border=box, alignment=wrap, fill=late, number_format="yyyy-mm-dd"),
        "mn-rank-header": dict(font=Font(bold=True), border=box, alignment=Alignment(horizontal="center", vertical="center")),
        "mn-rank": dict(border=box, alignment=Alignment(horizontal="center", vertical="center")),
        "mn-rank-score": dict(border=box, alignment=Alignment(horizontal="center", vertical="center"), number_format="0.00"),
    }
    for name, attrs in named.items():
        if name not in wb.named_styles:
            wb.add_named_style(NamedStyle(name=name, **attrs))


def ruled(dates: tuple[int, ...] = (), late_column: int | None = None) -> Callable[[list], list[str]]:
    """The styles of a ruled data row: thin rules round every cell, text wrapped; `dates` (column
    numbers) as yyyy-mm-dd; a row whose `late_column` is above 0 shaded."""

    def names(values: list) -> list[str]:
        late = late_column is not None and (values[late_column - 1] or 0) > 0
        plain, dated = ("mn-late", "mn-late-date") if late else ("mn-cell", "mn-date")
        return [dated if col in dates else plain for col in range(1, len(values) + 1)]

    return names


def table(wb, title: str, heading: str, headers: list[str], rows: Iterable[list], widths: list[float], *,
          styles: Callable[[list], list[str]] | None = None, header_style: str = "mn-header",
          heights: dict[int, float] | None = None, freeze: str = "A3", landscape: bool = True,
          auto_filter: bool = False, bold_last: bool = False):
    """One sheet of a `_workbook()`: row 1 the title across all columns (黑体 14 bold, centred),
    row 2 the column headers, then `rows`, every cell from row 2 down in a named style (`styles`
    of a row's values; by default `ruled()`), columns `widths` wide, rows `heights` (row number →
    points) high. `landscape`: A4 landscape, one page wide, the header row on every page;
    `auto_filter` over the headers and rows; `bold_last`: the last row bold (a 合计)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    styles = styles or ruled()
    rows = list(rows)
    ws = wb.create_sheet(title)
    # what the writer puts before the rows is set before the first row is written
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for number, height in (heights or {}).items():
        ws.row_dimensions[number].height = height
    ws.freeze_panes = freeze
    if landscape:
        _print_landscape(ws)
    last = get_column_letter(len(headers))
    if auto_filter:
        ws.auto_filter.ref = f"A2:{last}{len(rows) + 2}"
    ws.merged_cells.add(f"A1:{last}1")
    top = WriteOnlyCell(ws)
    top.font = Font(name="黑体", size=14, bold=True)
    top.alignment = Alignment(horizontal="center")
    ids: dict[str, str] = {}

    def style_id(name: str) -> str:  # a named style's index in the workbook's cell styles
        if name not in ids:
            c = WriteOnlyCell(ws)
            c.style = name
            ids[name] = str(c.style_id)
        return ids[name]

    bold = {}
    if bold_last and rows:
        for name in set(styles(rows[-1])):
            c = WriteOnlyCell(ws)
            c.style = name
            c.font = Font(bold=True)
            bold[name] = str(c.style_id)
    data = [[(heading, str(top.style_id))], [(h, style_id(header_style)) for h in headers]]
    for i, values in enumerate(rows, start=1):
        last_row = bold_last and i == len(rows)
        data.append([(v, bold[name] if last_row else style_id(name)) for v, name in zip(values, styles(values))])
    ws._writer = _RowWriter(ws, data)  # written when the workbook is saved
    ws._writer.write_top()
    return ws


def _row_writer():
    """The class of `_RowWriter`, made on first use (openpyxl is imported only for sheets)."""
    global _RowWriterClass
    if _RowWriterClass is not None:
        return _RowWriterClass
    import datetime as dt
    import math

    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell._writer import etree_write_cell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.datetime import to_excel
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.xml.functions import Element, SubElement, whitespace

    class _Grab:
        def write(self, element) -> None:
            self.element = element

    class RowWriter(WorksheetWriter):
        """Streams the rows straight as XML: per cell the element openpyxl's own writer makes
        (`<c r s t>`: inline strings, numbers, dates as serial numbers, styled empty cells),
        without a Cell object each. Any value but the plain kinds (None, int, float, date, str
        that is neither a formula nor an error code nor illegal) goes through a real cell and
        openpyxl's writer, so nothing is written differently."""

        def __init__(self, ws, data) -> None:
            super().__init__(ws)
            self.data = data

        def write_rows(self) -> None:
            xf = self.xf.send(True)
            ws = self.ws
            epoch = ws.parent.epoch
            dims = ws.row_dimensions
            width = max((len(r) for r in self.data), default=0)
            letters = [get_column_letter(i) for i in range(1, width + 1)]
            with xf.element("sheetData"):
                for number, row in enumerate(self.data, start=1):
                    attrs = {"r": f"{number}"}
                    attrs.update(dims.get(number, {}))
                    el = Element("row", attrs)
                    for col, (value, sid) in enumerate(row):
                        ref = f"{letters[col]}{number}"
                        kind = type(value)
                        if value is None:
                            SubElement(el, "c", {"r": ref, "s": sid, "t": "n"})
                        elif kind is str and value and not (len(value) > 1 and value[0] == "=") and value not in ERROR_CODES \
                                and len(value) <= 32767 and not ILLEGAL_CHARACTERS_RE.search(value):
                            t = SubElement(SubElement(SubElement(el, "c", {"r": ref, "s": sid, "t": "inlineStr"}), "is"), "t")
                            t.text = value
                            whitespace(t)
                        elif (kind is int or kind is float) and math.isfinite(value):
                            SubElement(SubElement(el, "c", {"r": ref, "s": sid, "t": "n"}), "v").text = "%.16g" % value
                        elif kind is dt.date and not ws.parent.iso_dates:
                            SubElement(SubElement(el, "c", {"r": ref, "s": sid, "t": "n"}), "v").text = \
                                "%.16g" % to_excel(value, epoch)
                        else:  # anything else as openpyxl writes it
                            cell = WriteOnlyCell(ws, value)
                            cell.row, cell.column = number, col + 1
                            cell._style = copy.copy(ws.parent._cell_styles[int(sid)])
                            grab = _Grab()
                            etree_write_cell(grab, ws, cell, cell.has_style)
                            el.append(grab.element)
                    xf.write(el)
            self.xf.send(None)

    _RowWriterClass = RowWriter
    return RowWriter


_RowWriterClass = None


def _RowWriter(ws, data):
    return _row_writer()(ws, data)


def _print_landscape(ws) -> None:
    """Printed on A4 landscape, one page wide, the header row repeated on every page."""
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def seal_register(made: list[Made], dest: Path, heading: str, proposals: list[dict] | None = None) -> None:
    """用印登记表.xlsx: one row per document, ready to print and sign at the seal desk.

    With `proposals` (the monthly run), a second sheet 约谈建议 lists the units that qualify for a
    约谈 with the facts (nothing numbered: a 约谈 is the leaders' decision)."""
    wb = _workbook()
    headers = ["序号", "文号", "文种", "标题", "主送单位", "抄送", "页数", "成文日期", "文件", "用印人", "备注"]
    widths = [6, 24, 10, 44, 26, 30, 6, 16, 40, 10, 10]
    table(wb, "用印登记", heading, headers,
          ([i, doc.doc_no, doc.kind_name, doc.title, doc.recipient, "、".join(doc.cc), doc.pages, doc.date,
            doc.pdf or doc.docx, None, None] for i, doc in enumerate(made, start=1)), widths)
    if proposals is not None:
        _proposals_sheet(wb, proposals, heading.replace("用印登记表", "约谈建议"))
    wb.save(dest)


def _proposals_sheet(wb, rows: list[dict], heading: str) -> None:
    headers = ["序号", "单位", "类别", "触发条件", "事实", "状态"]
    values = [[i, row["unit"], row["category"], row["triggers"], row["facts"], row["status"]] for i, row in enumerate(rows, start=1)]
    if not rows:
        values.append([None, "本月没有单位达到约谈条件", None, None, None, None])
    table(wb, "约谈建议", heading, headers, values, [6, 30, 10, 16, 80, 30])


def write_manifest(made: list[Made], dest: Path, month: str, as_of: str, extra: dict | None = None) -> None:
    data = {"month": month, "as_of": as_of, "documents": [m.manifest() for m in made]}
    if extra:
        data.update(extra)
    dest.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def rectification_ledger(rows: list[dict], dest: Path, heading: str) -> None:
    """整改台账.xlsx: every finding with its status as of the run, days overdue and its documents."""
    columns = [("编号", 14), ("督察名称", 22), ("督察日期", 12), ("责任单位", 20), ("问题描述", 40), ("整改要求", 36),
               ("整改时限", 12), ("整改状态", 10), ("整改完成日期", 12), ("逾期天数", 8), ("相关文件", 30), ("复查意见", 24)]
    wb = _workbook()
    table(wb, "整改台账", heading, [c for c, _ in columns],
          ([r["id"], r["inspection"], r["inspected"], r["unit"], r["problem"], r["requirement"], r["due"], r["status"],
            r["done"], r["days_overdue"], "、".join(r["documents"]), r["review"]] for r in rows),
          [w for _, w in columns], styles=ruled(dates=(3, 7, 9), late_column=10), auto_filter=True)
    wb.save(dest)


def _rank_styles(values: list) -> list[str]:
    return ["mn-rank-score" if isinstance(v, float) else "mn-rank" for v in values]


def ranking_sheet(ranking, dest: Path, heading: str) -> None:
    """排名表.xlsx: the month's ranking tables, one sheet per category, for the newspaper and website."""
    wb = _workbook()
    for cat in ranking.categories:
        headers = ["名次", "单位"] + [i.label for i in cat.indicators] + ["总分", "较上月", "年度累计"]
        table(wb, cat.category[:31], f"{heading}（{cat.category}）", headers,
              ([row.rank, row.unit.short, *[float(x) for x in row.scores], float(row.total), row.change,
                float(row.annual_text)] for row in cat.rows),
              [22 if col == 2 else 14 for col in range(1, len(headers) + 1)],
              styles=_rank_styles, header_style="mn-rank-header", landscape=False)
    wb.save(dest)
