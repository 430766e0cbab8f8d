"""The annual case compilation (典型案例汇编) as a book: DOCX with python-docx, PDF with bookmarks.

The book, in print order (physical pages):

1. the cover (title, office, date) and its blank back: no page numbers;
2. the preface (前言), starting on page ``— 1 —`` (physical page 3, so printed and physical page
   numbers have the same parity), then the table of contents on the next odd page;
3. the cases, grouped by category, each starting on a new odd (right-hand) page: a section
   break of type ``oddPage`` before each, so Word and LibreOffice add a blank page where needed.
   The category's name heads the first page of its first case.

Page numbers ``— N —`` (宋体 四号) sit right on odd pages and left on even pages, one
character in from the edge, as in every document of the project (pipeline/documents/layout.py).

The table of contents holds the true page numbers of the PDF: the book is converted once with
placeholders, the page where each part starts is read from the PDF (LibreOffice exports every
paragraph with an outline level as a PDF bookmark: the preface and contents titles, the
category headings and the case titles have one), the numbers are written in, and the book is
converted again and checked (a third pass if anything moved; it never should, as the contents
table keeps its size whatever the numbers).

All page, font and spacing numbers come from pipeline/documents/layout.py; the styles are built here.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Twips

from . import layout as L
from .docxbase import body_defaults, fonts_xml, page_number_footer, page_setup, ppr_xml, rpr_xml, slim
from ..errors import RunFailed
from ..sources.cases import CaseSet, Heading, Image, ListItem, Paragraph, Run, Table

TEXT_W = L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT  # 8845 twips = 156 mm
TEXT_W_MM = TEXT_W / L.MM
CHARS_PER_LINE = TEXT_W // L.CHAR_PITCH  # 28
TEXT_H_MM = (L.PAGE_H - L.MARGIN_TOP - L.MARGIN_BOTTOM) / L.MM  # 225 mm
IMAGE_MAX_H_MM = 150.0  # a picture and its caption fit on a page with room for the text around it
TABLE_PT = 14
TABLE_LINE = 22 * L.PT
MAX_PASSES = 4

# Book styles, in addition to the body styles of every document.
S_COVER_TITLE = "封面标题"
S_COVER_OFFICE = "封面署名"
S_COVER_DATE = "封面日期"
S_PART_TITLE = "篇章标题"  # 前言, 目录
S_CATEGORY = "案例类别"
S_CASE_TITLE = "案例标题"
S_CASE_UNIT = "案例单位"
S_TOC_CATEGORY = "目录类别"
S_TOC_ENTRY = "目录条目"
S_TOC_PAGE = "目录页码"
S_PICTURE = "图片"
S_CAPTION = "图题"
S_INLINE_H2 = "段首标题（楷体）"

COVER_TITLE_PT = 36  # 小初
COVER_OFFICE_PT = 22  # 二号
COVER_DATE_PT = 16  # 三号
CATEGORY_PT = 18  # 小二
CAPTION_PT = 14  # 四号
COVER_TITLE_FROM_TOP_MM = 50  # from the top of the text block
COVER_OFFICE_FROM_TOP_MM = 175


# --- the layout that the PDF has -----------------------------------------------------------------


@dataclass(frozen=True)
class BookEntry:
    """One part of the book: the preface, the contents, a category or a case, and its first page."""

    kind: str  # "preface" | "contents" | "category" | "case"
    title: str
    page: int  # the printed page number — N —
    category: str = ""
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class BookLayout:
    docx: Path
    pdf: Path | None  # the PDF as LibreOffice made it (no bookmarks); None when not converted
    pages: int  # physical pages of the PDF (0 when not converted)
    offset: int  # physical page = printed page + offset (the cover and its blank back: 2)
    entries: tuple[BookEntry, ...]
    passes: int

    def physical(self, printed: int) -> int:
        return printed + self.offset

    @property
    def cases(self) -> tuple[BookEntry, ...]:
        return tuple(e for e in self.entries if e.kind == "case")


# --- styles ------------------------------------------------------------------------------------


INDENT = 2 * L.CHAR_PITCH
# name: (style id, font, size, bold, alignment, first-line indent, char spacing, keep with next, line, outline level)
STYLES = {
    L.S_BODY: ("MNBody", L.FANGSONG, 16, False, "both", INDENT, L.CHAR_SPACING, False, L.LINE, None),
    L.S_PLAIN: ("MNPlain", L.FANGSONG, 16, False, "both", 0, L.CHAR_SPACING, False, L.LINE, None),
    L.S_H1: ("MNHeading1", L.HEITI, 16, False, "both", INDENT, L.CHAR_SPACING, True, L.LINE, None),
    L.S_H2: ("MNHeading2", L.KAITI, 16, False, "both", INDENT, L.CHAR_SPACING, True, L.LINE, None),
    L.S_H3: ("MNHeading3", L.FANGSONG, 16, True, "both", INDENT, L.CHAR_SPACING, True, L.LINE, None),
    L.S_TABLE: ("MNTable", L.FANGSONG, TABLE_PT, False, "both", 0, 0, False, TABLE_LINE, None),
    L.S_PAGE_NO: ("MNPageNo", L.SONGTI, L.PAGE_NO_PT, False, "right", 0, 0, False, L.PAGE_NO_LINE, None),
    S_COVER_TITLE: ("MNCoverTitle", L.XIAOBIAOSONG, COVER_TITLE_PT, False, "center", 0, 0, False, 54 * L.PT, None),
    S_COVER_OFFICE: ("MNCoverOffice", L.KAITI, COVER_OFFICE_PT, False, "center", 0, 0, False, 40 * L.PT, None),
    S_COVER_DATE: ("MNCoverDate", L.KAITI, COVER_DATE_PT, False, "center", 0, 0, False, L.LINE, None),
    S_PART_TITLE: ("MNPartTitle", L.XIAOBIAOSONG, L.TITLE_PT, False, "center", 0, 0, True, L.LINE, 0),
    S_CATEGORY: ("MNCategory", L.HEITI, CATEGORY_PT, False, "center", 0, 0, True, L.LINE, 0),
    S_CASE_TITLE: ("MNCaseTitle", L.XIAOBIAOSONG, L.TITLE_PT, False, "center", 0, 0, True, L.LINE, 1),
    S_CASE_UNIT: ("MNCaseUnit", L.KAITI, 16, False, "center", 0, 0, True, L.LINE, None),
    S_TOC_CATEGORY: ("MNTocCategory", L.HEITI, 16, False, "left", 0, L.CHAR_SPACING, True, L.LINE, None),
    S_TOC_ENTRY: ("MNTocEntry", L.FANGSONG, 16, False, "left", 0, L.CHAR_SPACING, False, L.LINE, None),
    S_TOC_PAGE: ("MNTocPage", L.FANGSONG, 16, False, "right", 0, 0, False, L.LINE, None),
    S_PICTURE: ("MNPicture", L.FANGSONG, 16, False, "center", 0, 0, False, 240, None),
    S_CAPTION: ("MNCaption", L.KAITI, CAPTION_PT, False, "center", 0, 0, False, L.LINE, None),
}


def _add_styles(doc) -> None:
    """Only the project's styles: python-docx's built-in ones (theme fonts, colours) are removed."""
    styles_el = doc.styles.element
    for st in list(styles_el.findall(qn("w:style"))):
        if st.get(qn("w:default")) != "1":
            styles_el.remove(st)
    for el in styles_el.iter(qn("w:rFonts")):
        for attr in list(el.attrib):
            del el.attrib[attr]
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            el.set(qn(slot), L.FANGSONG)
    for el in list(styles_el.iter(qn("w:color"))):
        el.getparent().remove(el)
    body_defaults(doc)
    for name, (sid, font, size, bold, align, first, spacing, keep, line, outline) in STYLES.items():
        rule = "auto" if name == S_PICTURE else "exact"
        styles_el.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{sid}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            + ppr_xml(align, first, line=line, rule=rule, keep_next=keep, outline=outline)
            + rpr_xml(font, size, bold, spacing=spacing) + "</w:style>"))
    for sid, name, font in (("MNInlineHeading", L.S_INLINE_H1, L.HEITI), ("MNInlineHeading2", S_INLINE_H2, L.KAITI)):
        styles_el.append(parse_xml(
            f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
            f'<w:rPr>{fonts_xml(font)}</w:rPr></w:style>'))
    styles_el.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="MNGrid"><w:name w:val="公文表格"/>'
        '<w:tblPr><w:tblBorders>'
        + "".join(f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'))


def _blank_footer(footer) -> None:
    footer.paragraphs[0].style = L.S_PLAIN


# --- building blocks -----------------------------------------------------------------------------


class _Book:
    def __init__(self) -> None:
        self.doc = Document()
        _add_styles(self.doc)
        settings = self.doc.settings.element
        csc = settings.find(qn("w:characterSpacingControl"))
        if csc is None:
            csc = OxmlElement("w:characterSpacingControl")
            settings.append(csc)
        csc.set(qn("w:val"), "doNotCompress")
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        page_setup(section)
        # the cover's section: footers of its own, empty
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        _blank_footer(section.footer)
        _blank_footer(section.even_page_footer)
        self.body = self.doc.element.body

    def start_numbered_part(self) -> None:
        """End the cover's section after a blank back page; the next section has the page
        numbers and starts them at 1 (on physical page 3: same parity as the printed number)."""
        self.para(L.S_PLAIN).paragraph_format.page_break_before = True  # the cover's blank back
        new = self.doc.add_section(WD_SECTION.NEW_PAGE)
        new.footer.is_linked_to_previous = False
        new.even_page_footer.is_linked_to_previous = False
        page_number_footer(new.footer, "right")
        page_number_footer(new.even_page_footer, "left")
        pg = OxmlElement("w:pgNumType")
        pg.set(qn("w:start"), "1")
        new._sectPr.append(pg)
        _order_sect_pr(new._sectPr)
        L.schema_order(new.footer._element)
        L.schema_order(new.even_page_footer._element)

    def new_page(self, blank_before: bool) -> None:
        """The next paragraph starts a page; with blank_before, after an empty (even) page, so that
        it starts on an odd page. The blank pages are real pages, not ones a renderer adds (a
        section of type oddPage makes LibreOffice number a page that its PDF leaves out)."""
        if blank_before:
            self.para(L.S_PLAIN).paragraph_format.page_break_before = True
        self._break_next = True

    def para(self, style: str, text: str = "", keep_next: bool = False):
        p = self.doc.add_paragraph(style=style)
        if text:
            p.add_run(text)
        if keep_next:
            p.paragraph_format.keep_with_next = True
        if getattr(self, "_break_next", False):
            p.paragraph_format.page_break_before = True
            self._break_next = False
        return p

    def _tiny_paragraph(self):
        """A paragraph that takes no visible room (after a table, or to carry a section break)."""
        p = self.para(L.S_PLAIN)
        p.paragraph_format.line_spacing = Twips(1)
        p.paragraph_format.line_spacing_rule = 4  # exact
        p.paragraph_format.space_before = Twips(0)
        p.paragraph_format.space_after = Twips(0)
        return p._p


_SECT_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
               "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
               "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"]


def _order_sect_pr(sect) -> None:
    rank = {qn(f"w:{n}"): i for i, n in enumerate(_SECT_ORDER)}
    children = list(sect)
    for c in children:
        sect.remove(c)
    for c in sorted(children, key=lambda c: rank.get(c.tag, 99)):
        sect.append(c)


def _add_runs(p, runs: tuple[Run, ...]) -> None:
    for r in runs:
        run = p.add_run(r.text)
        if r.bold:
            run.bold = True
        if r.heading == 1:
            run.style = L.S_INLINE_H1
        elif r.heading >= 2:
            run.style = S_INLINE_H2


def _title_paragraph(book: _Book, style: str, text: str, size: float):
    p = book.para(style)
    per_line = int(L.TEXT_W_PT // size)
    halves = [h for h in text.replace("\u3000", " ").split(" ") if h]
    if "\n" in text:
        lines = text.split("\n")
    elif L.text_width_em(text) > per_line and len(halves) == 2 and all(L.text_width_em(h) <= per_line for h in halves):
        lines = halves  # a title in two halves (主题 副题) breaks where its space is
    else:
        lines = L.title_lines(text, per_line)
    for i, line in enumerate(lines):
        run = p.add_run()
        if i:
            run.add_break()
        run.add_text(line)
    return p


def _list_mark(item: ListItem) -> str:
    if not item.ordered:
        return ""
    if item.level == 0:
        return f"{item.number}."
    if item.level == 1:
        return f"（{item.number}）"
    return f"{item.number})"


def _table(book: _Book, table: Table) -> None:
    ncols = table.columns
    if ncols == 0:
        return
    # column widths from the longest line in each column (cells that span are left out)
    want = [2.0] * ncols
    for row in table.rows:
        col = 0
        for cell in row:
            if cell.span == 1 and col < ncols:
                longest = max((L.text_width_em(line) for line in cell.text.split("\n")), default=0)
                want[col] = max(want[col], min(longest, 16.0))
            col += cell.span
    want = [w + 1.0 for w in want]
    total = sum(want)
    widths = [int(TEXT_W * w / total) for w in want]
    widths[-1] += TEXT_W - sum(widths)
    centred = [w <= 9 for w in want]

    t = book.doc.add_table(rows=0, cols=ncols)
    t.style = book.doc.styles["公文表格"]
    tbl = t._tbl
    tbl_pr = tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblW")) + tbl_pr.findall(qn("w:tblLayout")):
        tbl_pr.remove(old)
    tbl_pr.append(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{TEXT_W}" w:type="dxa"/>'))
    tbl_pr.append(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(w))
    for r_index, row in enumerate(table.rows):
        tr = parse_xml(f'<w:tr {nsdecls("w")}><w:trPr><w:cantSplit/>{"<w:tblHeader/>" if r_index < table.header_rows else ""}</w:trPr></w:tr>')
        col = 0
        for cell in row:
            span = min(cell.span, max(ncols - col, 1))
            width = sum(widths[col:col + span])
            merge = '<w:vMerge w:val="restart"/>' if cell.merge == "restart" else ("<w:vMerge/>" if cell.merge == "continue" else "")
            tc = parse_xml(
                f'<w:tc {nsdecls("w")}><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
                + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + merge + '<w:vAlign w:val="center"/></w:tcPr></w:tc>')
            header = r_index < table.header_rows
            for line in (cell.text.split("\n") if cell.text else [""]):
                align = "center" if header or (span == 1 and col < ncols and centred[col]) or span > 1 and len(line) <= 12 else "both"
                p = parse_xml(
                    f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="MNTable"/><w:jc w:val="{align}"/></w:pPr></w:p>')
                if line:
                    r = OxmlElement("w:r")
                    if header:
                        r.append(parse_xml(f'<w:rPr {nsdecls("w")}><w:b/><w:bCs/></w:rPr>'))
                    tx = OxmlElement("w:t")
                    tx.text = line
                    tx.set(qn("xml:space"), "preserve")
                    r.append(tx)
                    p.append(r)
                tc.append(p)
            tr.append(tc)
            col += span
        while col < ncols:  # a short row: pad it, so the grid stays whole
            tr.append(parse_xml(f'<w:tc {nsdecls("w")}><w:tcPr><w:tcW w:w="{widths[col]}" w:type="dxa"/></w:tcPr>'
                                f'<w:p><w:pPr><w:pStyle w:val="MNTable"/></w:pPr></w:p></w:tc>'))
            col += 1
        tbl.append(tr)
    L.schema_order(tbl)


def _image(book: _Book, image: Image) -> None:
    w, h = image.width_mm, image.height_mm
    if w <= 0 or h <= 0:
        return
    scale = min(1.0, TEXT_W_MM / w, IMAGE_MAX_H_MM / h)
    p = book.para(S_PICTURE)
    if image.caption:
        p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(image.data), width=Mm(w * scale), height=Mm(h * scale))
    if image.caption:
        book.para(S_CAPTION, image.caption)


def _blocks(book: _Book, blocks) -> None:
    for b in blocks:
        if isinstance(b, Heading):
            book.para({1: L.S_H1, 2: L.S_H2}.get(b.level, L.S_H3), b.text)
        elif isinstance(b, Paragraph):
            _add_runs(book.para(L.S_BODY), b.runs)
        elif isinstance(b, ListItem):
            p = book.para(L.S_BODY)
            mark = _list_mark(b)
            if mark:
                p.add_run(mark)
            _add_runs(p, b.runs)
        elif isinstance(b, Table):
            _table(book, b)
            book._tiny_paragraph()  # a table is never the last thing of a section, nor glued to the next
        elif isinstance(b, Image):
            _image(book, b)


# --- the book ------------------------------------------------------------------------------------


def _date_text(date) -> str:
    if isinstance(date, dt.date):
        return f"{date.year}年{date.month}月{date.day}日"
    return str(date)


def book_title(year) -> str:
    return f"{year}年度全面深化改革典型案例汇编"


def _spaced(title: str) -> str:
    """A two-character part title is set with a full-width space: 前　言, 目　录."""
    return "　".join(title) if len(title) == 2 else title


def _toc(book: _Book, entries: list[tuple[str, str, int | None]]) -> None:
    """The contents: a paragraph per entry, the title wrapping before the page-number column
    (right indent of three characters) with a hanging indent, and a right tab with dot leaders
    at the text block's edge for the number."""
    _title_paragraph(book, S_PART_TITLE, _spaced("目录"), L.TITLE_PT)
    book.para(L.S_PLAIN)
    for kind, text, page in entries:
        if kind == "category":
            book.para(S_TOC_CATEGORY, text, keep_next=True)
            continue
        indent = 0 if kind == "part" else INDENT
        p = book.para(S_TOC_ENTRY)
        ppr = p._p.get_or_add_pPr()
        ppr.append(parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_W}"/></w:tabs>'))
        ppr.append(parse_xml(f'<w:ind {nsdecls("w")} w:left="{indent + INDENT}" w:right="{3 * L.CHAR_PITCH}" w:hanging="{INDENT}"/>'))
        first_w = CHARS_PER_LINE - (indent + INDENT + 3 * L.CHAR_PITCH) // L.CHAR_PITCH + 2  # the first line starts 2 chars out
        next_w = CHARS_PER_LINE - (indent + INDENT + 3 * L.CHAR_PITCH) // L.CHAR_PITCH
        halves = [h for h in text.replace("\u3000", " ").split(" ") if h]
        if L.text_width_em(text) > first_w and len(halves) == 2 and L.text_width_em(halves[0]) <= first_w \
                and L.text_width_em(halves[1]) <= next_w - 2:
            run = p.add_run(halves[0])  # a two-part title breaks at its space, not inside a word
            run.add_break()
            p.add_run(halves[1])
        else:
            p.add_run(text)
        p.add_run("\t")
        p.add_run("" if page is None else str(page))


def _compose(cases: CaseSet, office_name: str, office_short: str, year, date,
             pages: dict[tuple[str, str], int] | None, blanks: frozenset = frozenset()):
    """The book's DOCX. pages: (kind, title) → printed page for the contents (None: placeholders);
    blanks: the parts that get a blank page before them, to start on an odd page."""
    book = _Book()
    doc = book.doc
    doc.core_properties.author = office_short
    doc.core_properties.title = book_title(year)
    fixed = dt.datetime(int(str(year)) if str(year).isdigit() else 2000, 1, 1)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    doc.core_properties.last_modified_by = office_short
    doc.core_properties.revision = 1

    # the cover
    title = book.para(S_COVER_TITLE)
    title.paragraph_format.space_before = Mm(COVER_TITLE_FROM_TOP_MM)
    run = title.add_run(f"{year}年度")
    run.add_break()
    run.add_text("全面深化改革典型案例汇编")
    office = book.para(S_COVER_OFFICE, office_name)
    office.paragraph_format.space_before = Mm(COVER_OFFICE_FROM_TOP_MM - COVER_TITLE_FROM_TOP_MM - 2 * 54 / 72 * 25.4)
    book.para(S_COVER_DATE, _date_text(date))
    book.start_numbered_part()

    def page_of(key: tuple[str, str]) -> int | None:
        return None if pages is None else pages.get(key, 0)

    toc: list[tuple[str, str, int | None]] = []
    if cases.preface is not None:
        key = ("preface", cases.preface.title)
        _title_paragraph(book, S_PART_TITLE, _spaced(cases.preface.title), L.TITLE_PT)
        book.para(L.S_PLAIN)
        _blocks(book, cases.preface.blocks)
        toc.append(("part", _spaced(cases.preface.title), page_of(key)))
        book.new_page(("contents", "目录") in blanks)
    for group in cases.groups:
        toc.append(("category", group.category, None))
        for case in group.cases:
            toc.append(("case", case.title, page_of(("case", case.title))))
    _toc(book, toc)
    for group in cases.groups:
        for ci, case in enumerate(group.cases):
            book.new_page(("case", case.title) in blanks)
            if ci == 0:
                book.para(S_CATEGORY, group.category, keep_next=True)
                book.para(L.S_PLAIN, keep_next=True)
            _title_paragraph(book, S_CASE_TITLE, case.title, L.TITLE_PT)
            book.para(S_CASE_UNIT, case.unit.name, keep_next=True)
            book.para(L.S_PLAIN, keep_next=True)
            _blocks(book, case.blocks)
    L.schema_order(doc.element.body)
    slim(doc)
    return doc


def _outline_pages(pdf: Path) -> list[tuple[str, int]]:
    """The bookmarks LibreOffice made from the outline levels: (title, physical page, 1-based), in order."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    out: list[tuple[str, int]] = []

    def walk(items) -> None:
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                out.append((str(it.title), reader.get_destination_page_number(it) + 1))

    walk(reader.outline)
    return out


def _parts(cases: CaseSet) -> list[tuple[str, str]]:
    """The parts that start on a new odd page, in order."""
    out = [("preface", cases.preface.title)] if cases.preface is not None else []
    out.append(("contents", "目录"))
    out.extend(("case", c.title) for c in cases.cases)
    return out


def _expected_outline(cases: CaseSet) -> list[tuple[str, str]]:
    """(kind, key) of every paragraph with an outline level, in document order."""
    out: list[tuple[str, str]] = []
    if cases.preface is not None:
        out.append(("preface", cases.preface.title))
    out.append(("contents", "目录"))
    for group in cases.groups:
        out.append(("category", group.category))
        out.extend(("case", case.title) for case in group.cases)
    return out


OFFSET = 2  # the cover and its blank back


def _measure(pdf: Path, cases: CaseSet) -> tuple[dict[tuple[str, str], int], int]:
    """The physical page where each part (and category) starts, and the number of pages."""
    from pypdf import PdfReader

    found = _outline_pages(pdf)
    expected = _expected_outline(cases)
    if len(found) != len(expected):
        raise RunFailed(f"the book's PDF has {len(found)} outline entries where {len(expected)} were expected "
                        "(preface, contents, categories and cases): cannot read its page numbers")
    return {key: page for key, (_, page) in zip(expected, found)}, len(PdfReader(str(pdf)).pages)


def _plan(parts: list[tuple[str, str]], starts: dict[tuple[str, str], int], count: int,
          blanks: frozenset) -> tuple[dict[tuple[str, str], int], frozenset]:
    """From a rendering: each part's length without the blank pages it had, then where each part
    starts when every one of them starts on an odd page → (printed pages, parts with a blank before)."""
    lengths = []
    for i, key in enumerate(parts):
        nxt = starts[parts[i + 1]] - (1 if parts[i + 1] in blanks else 0) if i + 1 < len(parts) else count + 1
        lengths.append(nxt - starts[key])
    pages: dict[tuple[str, str], int] = {}
    new_blanks = set()
    physical = OFFSET + 1
    for key, length in zip(parts, lengths):
        if (physical - OFFSET) % 2 == 0:
            new_blanks.add(key)
            physical += 1
        pages[key] = physical - OFFSET
        physical += length
    return pages, frozenset(new_blanks)


def build_book(cases: CaseSet, office_name: str, office_short: str, year, date, out_docx: Path, *,
               pdf: bool = True, pool=None) -> BookLayout:
    """Write the book as out_docx and (with pdf) out_docx.with_suffix('.pdf'), the contents holding
    the PDF's true page numbers. Returns where everything is. Needs LibreOffice when pdf is True;
    `pool`, an open ConverterPool of the caller's, converts it (else a pool of one for the book)."""
    from ..output.convert import convert_all

    out_docx = Path(out_docx)
    out_docx.parent.mkdir(parents=True, exist_ok=True)
    if not pdf:
        _compose(cases, office_name, office_short, year, date, None).save(out_docx)
        return BookLayout(out_docx, None, 0, OFFSET, _entries(cases, {}), 0)
    parts = _parts(cases)
    with tempfile.TemporaryDirectory(prefix="casebook-") as tmp:
        work = Path(tmp) / out_docx.name
        pages: dict[tuple[str, str], int] | None = None
        blanks: frozenset = frozenset()
        for passes in range(1, MAX_PASSES + 1):
            _compose(cases, office_name, office_short, year, date, pages, blanks).save(work)
            if pool is not None:
                made = pool.submit(work, Path(tmp) / (work.stem + ".pdf")).result()
            else:
                (made,) = convert_all([work], Path(tmp), jobs=1)
            starts, count = _measure(made, cases)
            printed = {key: page - OFFSET for key, page in starts.items()}
            if pages is not None and all(printed[k] == pages[k] for k in parts):
                break
            pages, blanks = _plan(parts, starts, count, blanks)
        else:
            raise RunFailed(f"the book's page numbers did not settle in {MAX_PASSES} conversions")
        shutil.copyfile(work, out_docx)
        out_pdf = out_docx.with_suffix(".pdf")
        shutil.copyfile(made, out_pdf)
    return BookLayout(out_docx, out_pdf, count, OFFSET, _entries(cases, printed), passes)


def _entries(cases: CaseSet, pages: dict[tuple[str, str], int]) -> tuple[BookEntry, ...]:
    out: list[BookEntry] = []
    if cases.preface is not None:
        out.append(BookEntry("preface", cases.preface.title, pages.get(("preface", cases.preface.title), 0), source=cases.preface.source))
    out.append(BookEntry("contents", "目录", pages.get(("contents", "目录"), 0)))
    for group in cases.groups:
        out.append(BookEntry("category", group.category, pages.get(("category", group.category), 0), category=group.category))
        for case in group.cases:
            out.append(BookEntry("case", case.title, pages.get(("case", case.title), 0), category=group.category,
                                 unit=case.unit.name, source=case.source))
    return tuple(out)


def pdf_with_bookmarks(pdf_in: Path, pdf_out: Path, layout: BookLayout) -> Path:
    """Copy the book's PDF with bookmarks: 封面, 前言, 目录, then each category with its cases.
    The PDF's page labels show the printed numbers (the cover pages are labelled 封面)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.constants import PageLabelStyle

    reader = PdfReader(str(pdf_in))
    writer = PdfWriter()
    writer.append(reader, import_outline=False)
    n = len(writer.pages)
    writer.add_outline_item(title="封面", page_number=0)
    parent = None
    for e in layout.entries:
        index = min(max(layout.physical(e.page) - 1, 0), n - 1)
        if e.kind == "preface":
            writer.add_outline_item(title=_spaced(e.title), page_number=index)
        elif e.kind == "contents":
            writer.add_outline_item(title="目录", page_number=index)
        elif e.kind == "category":
            parent = writer.add_outline_item(title=e.category, page_number=index)
        elif e.kind == "case":
            writer.add_outline_item(title=e.title, page_number=index, parent=parent)
    writer.set_page_label(0, min(layout.offset, n) - 1, prefix="封面")
    if n > layout.offset:
        writer.set_page_label(layout.offset, n - 1, style=PageLabelStyle.DECIMAL, start=1)
    writer.page_mode = "/UseOutlines"
    if reader.metadata:
        writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
    pdf_out = Path(pdf_out)
    tmp = pdf_out.with_name(pdf_out.name + ".tmp")
    with open(tmp, "wb") as fh:
        writer.write(fh)
    tmp.replace(pdf_out)
    return pdf_out
