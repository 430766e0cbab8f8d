"""Build the default DOCX templates in templates/docx/ (run after changing the layout).

The templates are ordinary Word files with docxtpl tags; offices copy and edit them in Word
or WPS. This script is how the defaults are made, so that their layout is exact and
reviewable as code: see pipeline/documents/layout.py for why each setting is what it is.

    .venv/bin/python tools/build_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, Twips

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.documents import layout as L  # noqa: E402
from pipeline.documents.docxbase import body_defaults, fonts_xml, page_number_footer, page_setup, ppr_xml, rpr_xml, slim  # noqa: E402
from pipeline.documents.docxbase import landscape_page_number_footer, landscape_setup, portrait_setup  # noqa: E402

OUT = ROOT / "templates" / "docx"


# name: (style id, font, size, bold, color, alignment, first-line indent, extra pPr, char spacing, keep with next)
STYLES = {
    L.S_BODY: ("MNBody", L.FANGSONG, 16, False, None, "both", 2 * L.CHAR_PITCH, "", L.CHAR_SPACING, False),
    L.S_PLAIN: ("MNPlain", L.FANGSONG, 16, False, None, "both", 0, "", L.CHAR_SPACING, False),
    L.S_MARK: ("MNMark", L.XIAOBIAOSONG, 30, False, L.RED, "center", 0, "", 0, True),
    L.S_SLIP_HEAD: ("MNSlipHead", L.XIAOBIAOSONG, 26, False, L.RED, "center", 0, "", 0, True),
    L.S_DOC_NO: ("MNDocNo", L.FANGSONG, 16, False, None, "center", 0, "", 0, True),
    L.S_TITLE: ("MNTitle", L.XIAOBIAOSONG, 22, False, None, "center", 0, "", 0, True),
    L.S_ADDRESSEE: ("MNAddressee", L.FANGSONG, 16, False, None, "both", 0, "", L.CHAR_SPACING, False),
    L.S_H1: ("MNHeading1", L.HEITI, 16, False, None, "both", 2 * L.CHAR_PITCH, "", L.CHAR_SPACING, True),
    L.S_H2: ("MNHeading2", L.KAITI, 16, False, None, "both", 2 * L.CHAR_PITCH, "", L.CHAR_SPACING, True),
    L.S_H3: ("MNHeading3", L.FANGSONG, 16, True, None, "both", 2 * L.CHAR_PITCH, "", L.CHAR_SPACING, True),
    L.S_ATTACH_NOTE: ("MNAttachNote", L.FANGSONG, 16, False, None, "both", 2 * L.CHAR_PITCH, "", L.CHAR_SPACING, False),
    L.S_SIGNATURE: ("MNSignature", L.FANGSONG, 16, False, None, "right", 0, "", L.CHAR_SPACING, True),
    L.S_DATE: ("MNDate", L.FANGSONG, 16, False, None, "right", 0, "", L.CHAR_SPACING, False),
    L.S_ATTACH_HEAD: ("MNAttachHead", L.HEITI, 16, False, None, "left", 0, "", L.CHAR_SPACING, True),
    L.S_ATTACH_TITLE: ("MNAttachTitle", L.XIAOBIAOSONG, 22, False, None, "center", 0, "", 0, True),
    L.S_COLOPHON: ("MNColophon", L.FANGSONG, 14, False, None, "both", 0, "", 0, False),
    L.S_RECEIPT: ("MNReceipt", L.FANGSONG, 12, False, None, "left", 0, "", 0, False),
    L.S_TABLE: ("MNTable", L.FANGSONG, 14, False, None, "both", 0, "", 0, False),
    L.S_PAGE_NO: ("MNPageNo", L.SONGTI, 14, False, None, "right", 0, "", 0, False),
}


TABLE_LINE = 22 * L.PT  # table text (四号) on a 22 pt line
RECEIPT_LINE = 18 * L.PT  # the receipt strip (小四) is set tighter than the body: it is not body text


def _add_styles(doc) -> None:
    styles_el = doc.styles.element
    # Defaults: no theme fonts anywhere (they override w:eastAsia), body font everywhere.
    for el in styles_el.iter(qn("w:rFonts")):
        for attr in list(el.attrib):
            if "Theme" in attr or "theme" in attr.lower():
                del el.attrib[attr]
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            el.set(qn(slot), L.FANGSONG)
    body_defaults(doc)
    for name, (sid, font, size, bold, color, align, first, extra, spacing, keep) in STYLES.items():
        xml = (
            f'<w:style {nsdecls("w")} w:type="paragraph" w:customStyle="1" w:styleId="{sid}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
            + ppr_xml(align, first, keep_next=keep, extra=extra, line={L.S_RECEIPT: RECEIPT_LINE, L.S_MARK: L.MARK_LINE, L.S_TABLE: TABLE_LINE, L.S_PAGE_NO: L.PAGE_NO_LINE}.get(name, L.LINE))
            + rpr_xml(font, size, bold, color, spacing) + "</w:style>"
        )
        styles_el.append(parse_xml(xml))
    # Inline heading (一、… at the start of a paragraph) in 黑体: a character style clerks can reuse.
    styles_el.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="character" w:customStyle="1" w:styleId="MNInlineHeading"><w:name w:val="{L.S_INLINE_H1}"/>'
        f'<w:rPr>{fonts_xml(L.HEITI)}</w:rPr></w:style>'))
    # Table style "table grid" for attachments: single 0.5 pt lines.
    styles_el.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="MNGrid"><w:name w:val="公文表格"/>'
        '<w:tblPr><w:tblBorders>'
        + "".join(f'<w:{e} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' for e in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + '</w:tblBorders><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'))


def base_document():
    """An empty GB/T 9704 page: A4, margins, grid, styles, page numbers odd right / even left."""
    doc = Document()
    _add_styles(doc)
    # Full-width punctuation is never compressed: it keeps the 28-characters-a-line pitch.
    settings = doc.settings.element
    csc = settings.find(qn("w:characterSpacingControl"))
    if csc is None:
        csc = OxmlElement("w:characterSpacingControl")
        settings.append(csc)
    csc.set(qn("w:val"), "doNotCompress")
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    page_setup(section)
    page_number_footer(section.footer, "right")
    page_number_footer(section.even_page_footer, "left")
    # python-docx's default document starts with no paragraphs but keeps sectPr last
    return doc


def para(doc, style: str, text: str = "") -> None:
    p = doc.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def field(doc, label: str, text: str):
    """A paragraph that starts with an inline 黑体 heading: 一、提示事项。… (compact slip forms)."""
    p = doc.add_paragraph(style=L.S_BODY)
    p.add_run(label, style=L.S_INLINE_H1)
    p.add_run(text)
    return p


def red_line_below(p) -> None:
    """The red separator: a bottom border on the number's paragraph, as wide as the text block."""
    ppr = p._p.get_or_add_pPr()
    ppr.insert(1, parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="4" w:color="{L.RED}"/></w:pBdr>'))


def slip_head(doc) -> None:
    """The office's short name and the slip's head (改革任务催办单, or the office's own: config `kinds`)."""
    para(doc, L.S_SLIP_HEAD, "{{ office.short }}{{ kind_head }}")
    red_line_below(para(doc, L.S_DOC_NO, "{{ doc_no }}"))


def slip_foot(doc) -> None:
    para(doc, L.S_PLAIN, "{%p if cc %}")
    para(doc, L.S_PLAIN, "抄送：{{ cc_text }}")
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_PLAIN, "{%p if office.contact.name or office.contact.phone %}")
    para(doc, L.S_PLAIN, "联系人：{{ office.contact.name }}　　联系电话：{{ office.contact.phone }}")
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_PLAIN)
    para(doc, L.S_SIGNATURE, "{{ office.short }}")
    para(doc, L.S_DATE, "{{ date }}")
    # the receipt strip, to tear off and send back
    # the receipt strip, to tear off and send back: two lines kept together
    p = para(doc, L.S_RECEIPT, "回执（{{ doc_no }}）　签收单位（盖章）：{{ unit.name }}")
    ppr = p._p.get_or_add_pPr()
    ppr.insert(2, parse_xml(f'<w:pBdr {nsdecls("w")}><w:top w:val="dashed" w:sz="6" w:space="4" w:color="000000"/></w:pBdr>'))
    p.paragraph_format.space_before = Pt(10)
    p.paragraph_format.keep_with_next = True
    para(doc, L.S_RECEIPT, "签收人：　　　　　　　　签收时间：　　　　年　　月　　日")


def reminder():
    doc = base_document()
    slip_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    field(doc, "一、提示事项。", "{{ task.source }}{{ upper_doc }}已于{{ task.received }}收悉。文件涉及的改革事项“{{ task.title }}”（编号{{ task.id }}）由你单位牵头落实{% if partners %}，{{ partners_text }}配合{% endif %}。")
    field(doc, "二、工作要求。", "请认真学习领会文件精神，结合实际研究提出贯彻落实意见，明确配套改革举措、责任分工和时间安排。")
    field(doc, "三、反馈时限。", "请于{{ reply_by }}前将贯彻落实意见书面报送{{ office.short }}。")
    slip_foot(doc)
    return doc


def assignment():
    doc = base_document()
    slip_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    field(doc, "一、承办单位。", "牵头单位：{{ unit.name }}{% if partners %}；配合单位：{{ partners_text }}{% endif %}。")
    field(doc, "二、任务来源。", "{% if task.source_doc %}{{ task.source }}{{ upper_doc }}{% else %}{{ office.short }}年度改革工作安排{% endif %}。")
    field(doc, "三、改革任务。", "{{ task.id }}　{{ task.title }}")
    field(doc, "四、工作要求。", "{{ requirements }}")
    field(doc, "五、完成时限。", "{{ task.due }}前完成。")
    field(doc, "六、反馈方式。", "请于每月{{ report_day }}日前将工作进展书面报送{{ office.short }}，任务完成后及时报送完成情况及佐证材料。")
    slip_foot(doc)
    return doc


def urging():
    doc = base_document()
    slip_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    field(doc, "一、原交办情况。", "{% if order %}你单位承办的“{{ task.title }}”（编号{{ task.id }}），经{{ kinds.order }}（{{ order.doc_no }}，{{ order.date }}印发）责令于{{ deadline }}前完成。{% else %}你单位承办的“{{ task.title }}”（编号{{ task.id }}{% if assignment %}，{{ kinds.assignment }}{{ assignment.doc_no }}，{{ assignment.date }}交办{% endif %}）要求于{{ deadline }}前完成。{% endif %}")
    field(doc, "二、当前状态。", "{{ status_text }}。{% if task.progress %}目前进展：{{ progress_text }}{% endif %}")
    field(doc, "三、催办要求。", "请于{{ reply_by }}前将工作进展{% if days_left < 0 %}及逾期原因{% endif %}书面报送{{ office.short }}，并采取有力措施，确保{% if days_left < 0 %}尽快{% else %}按时限{% endif %}完成。")
    slip_foot(doc)
    return doc


def order():
    doc = base_document()
    slip_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    field(doc, "一、基本事实。", "你单位承办的“{{ task.title }}”（编号{{ task.id }}{% if assignment %}，{{ kinds.assignment }}{{ assignment.doc_no }}{% endif %}），原定完成时限为{{ task.due }}。{{ office.short }}已于{{ urging.date }}印发{{ kinds.urging }}（{{ urging.doc_no }}）进行催办，但截至{{ date }}仍未完成，已逾期{{ days_overdue }}天。")
    field(doc, "二、责令事项。", "责令你单位于{{ new_deadline }}前完成该项改革任务，并将完成情况书面报送{{ office.short }}。")
    field(doc, "三、有关后果。", "逾期仍未完成的，将{% for c in consequences %}{{ c }}{% if not loop.last %}、{% endif %}{% endfor %}。")
    slip_foot(doc)
    return doc


def formal_head(doc) -> None:
    """版头: the red mark 35 mm below the top of the text block, the number two lines below it,
    the red line 4 mm below the number; then the title two lines below the red line."""
    p = para(doc, L.S_MARK, "{{ office.mark }}")
    p.paragraph_format.space_before = Twips(L.MARK_SPACE_BEFORE)
    para(doc, L.S_PLAIN)
    para(doc, L.S_PLAIN)
    red_line_below(para(doc, L.S_DOC_NO, "{{ doc_no }}"))
    para(doc, L.S_PLAIN)
    para(doc, L.S_PLAIN)
    para(doc, L.S_TITLE, "{{ title }}")
    para(doc, L.S_PLAIN)


def formal_signature(doc, attachment: str | None) -> None:
    if attachment:
        para(doc, L.S_PLAIN)
        para(doc, L.S_ATTACH_NOTE, attachment)
    para(doc, L.S_PLAIN)
    para(doc, L.S_PLAIN)
    para(doc, L.S_SIGNATURE, "{{ office.short }}")
    para(doc, L.S_DATE, "{{ date }}")


TBL_PR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
                "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]


def _table_width(tbl_pr, width: int) -> None:
    """A fixed-layout table of the given width (twips), its properties in the schema's order (Word insists)."""
    for old in tbl_pr.findall(qn("w:tblW")) + tbl_pr.findall(qn("w:tblLayout")):
        tbl_pr.remove(old)
    tbl_pr.append(parse_xml(f'<w:tblW {nsdecls("w")} w:w="{width}" w:type="dxa"/>'))
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    _sort_tbl_pr(tbl_pr)


def _sort_tbl_pr(tbl_pr) -> None:
    children = list(tbl_pr)
    for child in children:
        tbl_pr.remove(child)
    rank = {qn(f"w:{name}"): i for i, name in enumerate(TBL_PR_ORDER)}
    for child in sorted(children, key=lambda c: rank.get(c.tag, 99)):
        tbl_pr.append(child)


def _grid(table, widths: list[int]) -> None:
    """Set the column widths where both Word and LibreOffice read them (w:tblGrid)."""
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(width))


def colophon(doc) -> None:
    """版记: 抄送 and 印发 between rules (0.35 mm outside, 0.25 mm between), as wide as the text
    block. The finishing step pads blank lines before it so that its last rule sits on the
    bottom edge of the text block of an even page."""
    table = doc.add_table(rows=2, cols=1)
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    _table_width(tbl_pr, L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT)
    tbl_pr.append(parse_xml(
        f'<w:tblBorders {nsdecls("w")}><w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:left w:val="nil"/><w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/><w:right w:val="nil"/>'
        '<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/><w:insideV w:val="nil"/></w:tblBorders>'))
    tbl_pr.append(parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'))
    _sort_tbl_pr(tbl_pr)
    _grid(table, [L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT])
    indent = L.PAGE_NO_PT * L.PT  # one character (四号) in from each side
    texts = ["抄送：{{ office.cc|join('，') }}。", "{{ office.short }}\t{{ date }}印发"]
    for row, text in zip(table.rows, texts):
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:trHeight {nsdecls("w")} w:val="{L.LINE}" w:hRule="exact"/>'))
        cell = row.cells[0]
        cell.width = Twips(L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT)
        row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        p = cell.paragraphs[0]
        p.style = L.S_COLOPHON
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.left_indent = Twips(indent)
        p.paragraph_format.right_indent = Twips(indent)
        if "\t" in text:
            ppr = p._p.get_or_add_pPr()
            right = L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT - indent  # tab stops count from the margin
            ppr.insert(1, parse_xml(f'<w:tabs {nsdecls("w")}><w:tab w:val="right" w:pos="{right}"/></w:tabs>'))
        p.add_run(text)
    # a document cannot end with a table: a paragraph of 1 pt, so it takes no line of its own
    end = para(doc, L.S_PLAIN)
    end.paragraph_format.line_spacing = Twips(1)
    end.paragraph_format.line_spacing_rule = 4  # WD_LINE_SPACING.EXACTLY
    # the cc row is left out when the office has no 抄送
    first = table.rows[0]._tr
    first.addprevious(parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:p><w:r><w:t>{{%tr if office.cc %}}</w:t></w:r></w:p></w:tc></w:tr>'))
    first.addnext(parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:p><w:r><w:t>{{%tr endif %}}</w:t></w:r></w:p></w:tc></w:tr>'))


def heading_run(p, text: str):
    """A table header's text in 黑体 (not bold 仿宋), as 公文 tables are set."""
    run = p.add_run(text)
    run._r.get_or_add_rPr().insert(0, parse_xml(fonts_xml(L.HEITI).replace("<w:rFonts", f"<w:rFonts {nsdecls('w')}", 1)))
    return run


def attachment_table(doc, headers: list[tuple[str, int]], row_fields: list[str], loop: str) -> None:
    """An attachment table: header repeated on every page, rows never split across pages."""
    table = doc.add_table(rows=3, cols=len(headers))
    table.style = doc.styles["公文表格"]
    tbl_pr = table._tbl.tblPr
    _table_width(tbl_pr, sum(w for _, w in headers))
    for i, (text, width) in enumerate(headers):
        for row in table.rows:
            row.cells[i].width = Twips(width)
    _grid(table, [w for _, w in headers])
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for i, (text, _) in enumerate(headers):
        p = header.cells[i].paragraphs[0]
        p.style = L.S_TABLE
        p.alignment = 1
        heading_run(p, text)
    loop_row = table.rows[1]
    loop_row.cells[0].paragraphs[0].add_run("{%tr " + loop + " %}")
    body_row = table.rows[2]
    body_row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    for i, field_text in enumerate(row_fields):
        cell = body_row.cells[i]
        for k, line in enumerate(field_text.split("\n")):  # a second line: a paragraph of its own
            p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
            p.style = L.S_TABLE
            if i == 0 or "due" in field_text or "date" in field_text or "days" in field_text:
                p.alignment = 1
            p.add_run(line)
    end = parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:p><w:r><w:t>{{%tr endfor %}}</w:t></w:r></w:p></w:tc></w:tr>')
    body_row._tr.addnext(end)


def rectification():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    para(doc, L.S_BODY, "{{ inspection.inspected }}，{{ office.short }}组织开展了{{ inspection.name }}，对你单位改革任务推进落实情况进行了督察。{% if supplementary %}在前期已交办问题基础上，督察组又反馈了新发现的问题{{ count }}个{% else %}共发现问题{{ count }}个{% endif %}，现将问题清单交办给你们，请认真抓好整改落实。")
    para(doc, L.S_H1, "一、提高思想认识")
    para(doc, L.S_BODY, "要把督察反馈问题整改作为推动改革落地见效的重要抓手，主要负责同志要亲自研究部署，逐项明确责任领导、责任人员和完成时限，切实做到真改实改。")
    para(doc, L.S_H1, "二、建立整改台账")
    para(doc, L.S_BODY, "对照问题清单建立整改台账，逐项制定整改措施，实行清单化管理、逐项销号，确保每个问题按时限完成整改。")
    para(doc, L.S_H1, "三、按时报送整改情况")
    para(doc, L.S_BODY, "请于{{ report_by }}前将整改情况书面报送{{ office.short }}；整改时限在此之后的问题，在整改完成后5个工作日内报送。")
    para(doc, L.S_H1, "四、跟踪复查销账")
    para(doc, L.S_BODY, "{{ office.short }}将对整改情况进行跟踪督办和复查，经复查整改到位的问题予以销账；整改不力、敷衍应付的，将予以通报。")
    formal_signature(doc, "附件：{{ attachment_title }}")
    # 附件: on a new page, 附件 flush left on the first line, the title centred on the third
    p = para(doc, L.S_ATTACH_HEAD, "附件")
    p.paragraph_format.page_break_before = True
    para(doc, L.S_PLAIN)
    para(doc, L.S_ATTACH_TITLE, "{{ attachment_title }}")
    para(doc, L.S_PLAIN)
    attachment_table(doc, [("序号", 600), ("编号", 1500), ("问题描述", 2700), ("整改要求", 2700), ("整改时限", 1345)],
                     ["{{ loop.index }}", "{{ f.id }}", "{{ f.problem }}", "{{ f.requirement }}", "{{ f.due }}"], "for f in findings")
    colophon(doc)
    return doc


def finding_urging():
    doc = base_document()
    slip_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    field(doc, "一、逾期情况。", "截至{{ date }}，你单位以下{{ count }}个督察反馈问题已超过整改时限，仍未完成整改：")
    attachment_table(doc, [("编号", 1500), ("问题", 3545), ("整改时限", 1300), ("逾期天数", 900), ("交办通知", 1600)],
                     ["{{ f.id }}", "{{ f.problem }}", "{{ f.due }}", "{{ f.days_overdue }}天", "{{ f.notice.doc_no }}\n（{{ f.notice.date }}）"],
                     "for f in findings")
    field(doc, "二、催办要求。", "请于{{ reply_by }}前将整改进展及逾期原因书面报送{{ office.short }}，并采取有力措施，尽快完成整改。整改到位的，同时报送佐证材料，经复查后予以销账。")
    slip_foot(doc)
    return doc


def ranking_table(doc) -> None:
    """名次 / 单位 / one column per indicator ({%tc %}) / 总分 / 较上月 / 年度累计; header repeated, rows unsplit."""
    cols = 8
    table = doc.add_table(rows=4, cols=cols)
    table.style = doc.styles["公文表格"]
    _table_width(table._tbl.tblPr, L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT)
    header = ["名次", "单位", "{%tc for i in c.indicators %}", "{{ i }}", "{%tc endfor %}", "总分", "较上月", "年度累计"]
    row = ["{{ r.rank }}", "{{ '★' if r.commended else '' }}{{ '▲' if r.last else '' }}{{ r.unit }}",
           "{%tc for s in r.scores %}", "{{ s }}", "{%tc endfor %}", "{{ r.total }}", "{{ r.change }}", "{{ r.annual }}"]
    rows = table.rows
    rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for i, text in enumerate(header):
        p = rows[0].cells[i].paragraphs[0]
        p.style = L.S_TABLE
        p.alignment = 1
        if "{%" in text:
            p.add_run(text)
        else:
            heading_run(p, text)
    rows[1].cells[0].paragraphs[0].add_run("{%tr for r in c.rows %}")
    rows[2]._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    for i, text in enumerate(row):
        p = rows[2].cells[i].paragraphs[0]
        p.style = L.S_TABLE
        p.alignment = 0 if i == 1 else 1
        p.add_run(text)
    rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")


def ranking():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    para(doc, L.S_BODY, "为全面掌握{{ ranking.area }}改革工作推进情况，根据全面深化改革工作月度评价办法，{{ office.short }}对{{ ranking.year }}年{{ ranking.month_number }}月份各单位改革工作进行了评价排名。现将有关情况通报如下。")
    para(doc, L.S_H1, "一、总体情况")
    para(doc, L.S_BODY, "{{ ranking.month_number }}月份，{{ ranking.area }}共有{{ progress.due }}项改革任务到期，按时完成{{ progress.on_time }}项；截至{{ date }}，逾期未完成的改革任务共{{ progress.overdue }}项。{% for c in ranking.categories %}{{ c.category }}最高{{ c.highest }}分、最低{{ c.lowest }}分、平均{{ c.average }}分{% if not loop.last %}；{% else %}。{% endif %}{% endfor %}")
    para(doc, L.S_BODY, "{% if progress.units %}分单位看：{% for u in progress.units %}{{ u.unit }}到期{{ u.due }}项、按时完成{{ u.on_time }}项、逾期{{ u.overdue }}项{% if not loop.last %}；{% else %}。{% endif %}{% endfor %}{% endif %}")
    # 签收/反馈 of the year's documents (config ranking.reply_figures; receipts is None when off)
    para(doc, L.S_PLAIN, "{%p if receipts %}")
    para(doc, L.S_BODY, "截至{{ receipts.as_of }}，{{ office.short }}{{ receipts.year }}年共向各单位发文{{ receipts.issued }}件，已签收{{ receipts.received }}件；需书面反馈的，按期反馈{{ receipts.on_time }}件，逾期反馈{{ receipts.late }}件，逾期未反馈{{ receipts.missing }}件{% if receipts.overdue_units %}，其中{% for u in receipts.overdue_units %}{{ u.short }}{{ u.missing }}件{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}。")
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_H1, "二、排名情况")
    para(doc, L.S_BODY, "各单位月度得分按{{ ranking.annual_percent }}%计入年度考核，表中“年度累计”为本年度已评价月份的平均分乘以{{ ranking.annual_weight }}。单位名称前标★的为表扬单位，标▲的为会诊单位。")
    para(doc, L.S_PLAIN, "{%p for c in ranking.categories %}")
    para(doc, L.S_H2, "（{{ loop.index|zh_number }}）{{ c.category }}")
    ranking_table(doc)
    para(doc, L.S_PLAIN, "{%p if charts %}")
    chart = para(doc, L.S_PLAIN, "{{ charts[loop.index0] }}")
    chart.alignment = 1
    chart.paragraph_format.line_spacing_rule = 0  # single: the picture sets the line's height
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_PLAIN, "{%p endfor %}")
    para(doc, L.S_H1, "三、表扬与会诊")
    para(doc, L.S_BODY, "{% for c in ranking.categories %}{% if c.commended %}{{ c.category }}中{{ c.commended_names }}排名靠前{% if not loop.last %}，{% endif %}{% endif %}{% endfor %}，予以通报表扬。{% for c in ranking.categories %}{% if c.last %}{{ c.category }}中{{ c.last_names }}排名末位{% if not loop.last %}，{% endif %}{% endif %}{% endfor %}，{{ office.short }}将于本月赴{% for c in ranking.categories %}{{ c.last_names }}{% if not loop.last %}、{% endif %}{% endfor %}开展“会诊”，共同查找问题、研究改进措施。")
    para(doc, L.S_H1, "四、下步要求")
    para(doc, L.S_BODY, "各单位要对照排名情况，认真查找短板弱项，逐项研究提升措施。对逾期未完成的改革任务，要明确完成时限，加快推进落实；排名靠后的单位要深入分析原因，切实改进工作，确保改革任务按期高质量完成。")
    formal_signature(doc, None)
    colophon(doc)
    return doc


def compilation_notice():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    para(doc, L.S_BODY, "{{ book.year }}年以来，各单位深入贯彻落实中央和省委、市委关于全面深化改革的决策部署，大胆探索、积极创新，形成了一批可复制、可推广的改革经验。{{ office.short }}从各单位报送的改革案例中，遴选出{{ book.count }}个典型案例，汇编形成《{{ book.title }}》，现印发给你们。")
    para(doc, L.S_BODY, "各单位要认真学习借鉴典型案例的好经验、好做法，结合实际抓好复制推广，推动改革举措落地见效；要注重发现、培育和总结基层改革创新经验，为全面深化改革提供更多鲜活样本。")
    formal_signature(doc, "附件：{{ book.title }}")
    colophon(doc)
    return doc


# --------------------------------------------------------------------------- the quarter's documents (#20)

QUARTER_COLUMNS = [("单位", 1685), ("应完成", 880), ("按期\n完成", 880), ("逾期\n完成", 880), ("未完成", 880),
                   ("未到期", 880), ("完成率", 1000), ("{{ kinds.urging }}", 880), ("{{ kinds.order }}", 880)]
OVERDUE_COLUMNS = [("编号", 1080), ("改革事项", 1920), ("牵头单位", 1150), ("完成时限", 1300), ("逾期\n天数", 650),
                   ("已发文书", 2745)]
SMALL = Pt(12)  # 小四: the quarter's tables hold nine columns in the 156 mm type area
SMALL_LINE = Pt(18)  # on an exact 18 pt line (the 四号 table style's 22 pt is loose for 小四)


def _small(p) -> None:
    p.style = L.S_TABLE
    p.paragraph_format.line_spacing = SMALL_LINE
    p.paragraph_format.line_spacing_rule = 4  # WD_LINE_SPACING.EXACTLY


def small_table(doc, columns: list[tuple[str, int]], loop: str, row: list[str], total: list[str] | None = None) -> None:
    """A table in 小四: header (repeated on every page; \n breaks a heading), one looped row, an optional
    合计 row in bold; rows never split. Text left in the first columns, numbers centred."""
    table = doc.add_table(rows=4 + (total is not None), cols=len(columns))
    table.style = doc.styles["公文表格"]
    _table_width(table._tbl.tblPr, sum(w for _, w in columns))
    for i, (_, width) in enumerate(columns):
        for r in table.rows:
            r.cells[i].width = Twips(width)
    _grid(table, [w for _, w in columns])
    rows = table.rows
    rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    for i, (text, _) in enumerate(columns):
        p = rows[0].cells[i].paragraphs[0]
        _small(p)
        p.alignment = 1
        for j, line in enumerate(text.split("\n")):
            run = p.add_run(line)
            run.bold = True
            run.font.size = SMALL
            if j < text.count("\n"):
                run.add_break()
    rows[1].cells[0].paragraphs[0].add_run("{%tr " + loop + " %}")
    rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for r in (0, 2, 4):
        if r < len(rows):
            for cell in rows[r].cells:
                cell.vertical_alignment = 1  # WD_ALIGN_VERTICAL.CENTER: one-line headings beside two-line ones
    for r, texts in ((2, row), (4, total)):
        if texts is None:
            continue
        rows[r]._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
        for i, text in enumerate(texts):
            p = rows[r].cells[i].paragraphs[0]
            _small(p)
            p.alignment = 0 if "{{" in text and columns[i][0] in ("单位", "改革事项", "牵头单位", "已发文书") else 1
            run = p.add_run(text)
            run.font.size = SMALL
            run.bold = r == 4


def quarter_table(doc) -> None:
    """One unit category's figures: a row per unit and a 合计 row."""
    fields = ["due", "on_time", "late", "not_done", "pending", "rate", "urgings", "orders"]
    small_table(doc, QUARTER_COLUMNS, "for u in c.units", ["{{ u.unit }}"] + ["{{ u." + f + " }}" for f in fields],
                ["合计"] + ["{{ c.total." + f + " }}" for f in fields])


def quarterly():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    para(doc, L.S_BODY, "为全面掌握{{ area }}改革任务推进情况，{{ office.short }}对{{ quarter.name }}改革任务完成情况进行了调度统计（截至{{ date }}）。现将有关情况通报如下。")
    para(doc, L.S_H1, "一、总体情况")
    para(doc, L.S_BODY, "{% if totals.due %}{{ quarter.name }}，{{ area }}共有{{ totals.due }}项改革任务到期应完成，已完成{{ totals.done }}项，其中按期完成{{ totals.on_time }}项、逾期完成{{ totals.late }}项；未完成{{ totals.not_done }}项；完成率{{ totals.rate }}。{% else %}截至{{ date }}，{{ quarter.name }}{{ area }}没有到期应完成的改革任务。{% endif %}{% if totals.pending %}另有{{ totals.pending }}项改革任务完成时限在本季度内、尚未到期，不计入完成率。{% endif %}")
    para(doc, L.S_BODY, "本季度新交办改革任务{{ totals.new }}项；{{ office.short }}印发{{ kinds.urging }}{{ totals.urgings }}份、{{ kinds.order }}{{ totals.orders }}份。")
    para(doc, L.S_BODY, "督察整改方面，本季度交办督察反馈问题{{ findings.notified }}个，完成整改{{ findings.rectified }}个{% if findings.rectified_late %}（其中超过整改时限完成{{ findings.rectified_late }}个）{% endif %}；截至{{ date }}，超过整改时限仍未完成整改的问题{{ findings.overdue }}个。")
    para(doc, L.S_H1, "二、各单位情况")
    para(doc, L.S_BODY, "{% if categories %}各单位改革任务完成情况见下表。完成率为按期完成与逾期完成任务之和占应完成任务的比例，无到期任务的单位完成率记为“—”；“未到期”为完成时限在本季度内但截至通报日期尚未到期的任务，不计入完成率。{% else %}本季度没有单位有到期或待完成的改革任务。{% endif %}")
    para(doc, L.S_PLAIN, "{%p for c in categories %}")
    para(doc, L.S_H2, "（{{ loop.index|zh_number }}）{{ c.category }}")
    quarter_table(doc)
    para(doc, L.S_PLAIN, "{%p if charts and charts[loop.index0] %}")
    chart = para(doc, L.S_PLAIN, "{{ charts[loop.index0] }}")
    chart.alignment = 1
    chart.paragraph_format.line_spacing_rule = 0  # single: the picture sets the line's height
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_PLAIN, "{%p endfor %}")
    para(doc, L.S_H1, "三、存在问题")
    para(doc, L.S_BODY, "{% if ordered_units %}一些单位改革任务推进不力。本季度，{% for u in ordered_units %}{{ u.unit }}{% if u.count > 1 %}（{{ u.count }}份）{% endif %}{% if not loop.last %}、{% endif %}{% endfor %}因改革任务逾期未完成被下达{{ kinds.order }}。{% else %}本季度没有单位被下达{{ kinds.order }}。{% endif %}")
    para(doc, L.S_BODY, "{% if long_overdue %}截至{{ date }}，逾期超过{{ long_overdue_days }}天仍未完成的改革任务有{{ long_overdue|length }}项：{% for t in long_overdue %}{{ t.id }}“{{ t.title }}”（{{ t.lead }}，逾期{{ t.days }}天）{% if not loop.last %}；{% else %}。{% endif %}{% endfor %}{% else %}截至{{ date }}，没有逾期超过{{ long_overdue_days }}天的改革任务。{% endif %}")
    para(doc, L.S_H1, "四、下步要求")
    para(doc, L.S_PLAIN, "{%p for s in next_steps %}")
    para(doc, L.S_BODY, "{{ s }}")
    para(doc, L.S_PLAIN, "{%p endfor %}")
    para(doc, L.S_PLAIN, "{%p if overdue %}")
    para(doc, L.S_PLAIN)
    para(doc, L.S_ATTACH_NOTE, "附件：{{ attachment_title }}")
    para(doc, L.S_PLAIN, "{%p endif %}")
    formal_signature(doc, None)
    para(doc, L.S_PLAIN, "{%p if overdue %}")
    p = para(doc, L.S_ATTACH_HEAD, "附件")
    p.paragraph_format.page_break_before = True
    para(doc, L.S_PLAIN)
    para(doc, L.S_ATTACH_TITLE, "{{ attachment_title }}")
    para(doc, L.S_PLAIN)
    small_table(doc, OVERDUE_COLUMNS, "for t in overdue",
                ["{{ t.id }}", "{{ t.title }}", "{{ t.lead }}", "{{ t.due }}", "{{ t.days }}天", "{{ t.documents_lines }}"])
    para(doc, L.S_PLAIN, "{%p endif %}")
    colophon(doc)
    return doc


def interview():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ addressee }}：")
    para(doc, L.S_BODY, "根据全面深化改革工作督促落实有关规定，经研究，{{ office.short }}决定对你单位主要负责同志进行约谈。现将有关事项通知如下。")
    para(doc, L.S_H1, "一、约谈事由")
    para(doc, L.S_PLAIN, "{%p if interview.on_orders %}")
    para(doc, L.S_BODY, "{{ interview.year }}年以来，你单位承办的改革任务逾期未完成，已被{{ office.short }}下达{{ kinds.order }}{{ interview.order_count }}份：{% for o in interview.orders %}{{ o.date }}，{{ o.doc_no }}{% if o.task_title %}（“{{ o.task_title }}”，编号{{ o.task_id }}）{% endif %}{% if not loop.last %}；{% else %}。{% endif %}{% endfor %}")
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_PLAIN, "{%p if interview.on_ranking %}")
    para(doc, L.S_BODY, "在全面深化改革工作月度评价中，你单位连续{{ interview.months }}个月在{{ interview.category }}中排名末位：{% for r in interview.ranks %}{{ r.month }}第{{ r.rank }}名（共{{ r.count }}个单位）{% if not loop.last %}，{% else %}。{% endif %}{% endfor %}")
    para(doc, L.S_PLAIN, "{%p endif %}")
    para(doc, L.S_H1, "二、约谈时间和地点")
    para(doc, L.S_BODY, "时间：{{ interview.when }}。")
    para(doc, L.S_BODY, "地点：{{ interview.where }}。")
    para(doc, L.S_H1, "三、有关要求")
    para(doc, L.S_BODY, "请你单位主要负责同志{% if head %}（{{ head }}同志）{% endif %}按时参加约谈，无特殊情况不得请假或委托他人参加。请提前准备书面材料，说明有关改革任务推进情况、存在问题及原因、整改措施和完成时限，于约谈时提交。")
    para(doc, L.S_H1, "四、联系方式")
    para(doc, L.S_BODY, "联系人：{{ office.contact.name }}；联系电话：{{ office.contact.phone }}。")
    formal_signature(doc, None)
    colophon(doc)
    return doc


def _section_break(doc, setup, footers) -> None:
    """End the part so far (in a 1-twip paragraph, so it never takes a line or a page of its
    own) and start a new page with `setup` and footers of its own."""
    from docx.enum.section import WD_SECTION

    new = doc.add_section(WD_SECTION.NEW_PAGE)
    carrier = doc.paragraphs[-1]
    carrier.style = doc.styles[L.S_PLAIN]
    carrier.paragraph_format.line_spacing = Twips(1)
    carrier.paragraph_format.line_spacing_rule = 4  # exact
    setup(new)
    new.footer.is_linked_to_previous = False
    new.even_page_footer.is_linked_to_previous = False
    footers(new)


def _landscape_footers(section) -> None:
    landscape_page_number_footer(section.footer, "right", 9001)
    landscape_page_number_footer(section.even_page_footer, "left", 9002)


def _portrait_footers(section) -> None:
    page_number_footer(section.footer, "right")
    page_number_footer(section.even_page_footer, "left")


def _group_row(table, text: str) -> None:
    """A row across the table (the group's heading), added after the last row."""
    cols = len(table.columns)
    width = sum(int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol")))
    table._tbl.append(parse_xml(
        f'<w:tr {nsdecls("w")}><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
        f'<w:gridSpan w:val="{cols}"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="MNTable"/><w:keepNext/></w:pPr>'
        f'<w:r><w:rPr><w:rStyle w:val="MNInlineHeading"/></w:rPr><w:t>{text}</w:t></w:r></w:p></w:tc></w:tr>'))


def _loop_row(table, tag: str) -> None:
    table._tbl.append(parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:p><w:r><w:t>{tag}</w:t></w:r></w:p></w:tc></w:tr>'))


# 225 mm: a date (2027年12月31日, 四号) fits its column on one line
TASK_COLUMNS = [("序号", 700), ("改革事项", 4100), ("牵头单位", 1800), ("配合单位", 2056), ("完成时限", 2500), ("成果形式", 1600)]


def task_table(doc) -> None:
    """The year's tasks, grouped by the lead unit's category: a heading row per group, the
    header repeated on every page, rows never split."""
    attachment_table(doc, TASK_COLUMNS, ["{{ t.n }}", "{{ t.title }}", "{{ t.lead }}", "{{ t.partners_text }}", "{{ t.due }}",
                                         "{{ t.deliverable }}"], "for t in g.tasks")
    table = doc.tables[-1]
    rows = table._tbl.findall(qn("w:tr"))
    header, loop, body, end = rows
    for tr in (loop, body, end):
        table._tbl.remove(tr)
    _loop_row(table, "{%tr for g in tasklist.groups %}")
    _group_row(table, "{{ g.heading }}")
    for tr in (loop, body, end):
        table._tbl.append(tr)
    _loop_row(table, "{%tr endfor %}")


def tasklist_notice():
    doc = base_document()
    formal_head(doc)
    para(doc, L.S_ADDRESSEE, "{{ unit.name }}：")
    para(doc, L.S_BODY, "现将《{{ tasklist.title }}》印发给你们，请结合实际认真抓好贯彻落实。")
    para(doc, L.S_BODY, "{{ tasklist.year }}年共安排改革任务{{ tasklist.count }}项，其中{% for g in tasklist.groups %}{{ g.category }}牵头{{ g.count }}项{% if not loop.last %}，{% else %}。{% endif %}{% endfor %}")
    para(doc, L.S_H1, "一、压实工作责任")
    para(doc, L.S_BODY, "各牵头单位要把分工任务作为年度改革工作的重点，主要负责同志亲自研究部署，逐项制定工作方案，明确责任领导、责任人员和时间节点，确保按期高质量完成；配合单位要主动对接、积极支持，形成工作合力。")
    para(doc, L.S_H1, "二、按时报送进展")
    para(doc, L.S_BODY, "各牵头单位每月{{ report_day }}日前将任务推进情况书面报送{{ office.short }}，任务完成后及时报送改革成果和佐证材料；确需调整任务或完成时限的，须书面说明理由，经同意后调整。")
    para(doc, L.S_H1, "三、强化督促检查")
    para(doc, L.S_BODY, "{{ office.short }}将对分工任务实行台账管理，按月调度、按季通报，对推进缓慢、逾期未完成的任务及时提示、交办、催办，推进情况纳入年度改革考核。")
    formal_signature(doc, "附件：{{ tasklist.title }}")
    _section_break(doc, landscape_setup, _landscape_footers)
    para(doc, L.S_ATTACH_HEAD, "附件")
    para(doc, L.S_PLAIN)
    para(doc, L.S_ATTACH_TITLE, "{{ tasklist.title }}")
    para(doc, L.S_PLAIN)
    task_table(doc)
    _section_break(doc, portrait_setup, _portrait_footers)
    colophon(doc)
    return doc


def pledge():
    """目标责任书: not a 公文 (no red head), a signed agreement between the committee and a group."""
    doc = base_document()
    p = para(doc, L.S_DOC_NO, "编号：{{ doc_no }}")  # the number's own style, set right
    p.alignment = 2
    para(doc, L.S_PLAIN)
    para(doc, L.S_TITLE, "{{ title }}")
    para(doc, L.S_PLAIN)
    para(doc, L.S_PLAIN, "甲方：{{ pledge.principal }}")
    para(doc, L.S_PLAIN, "乙方：{{ unit.name }}")
    para(doc, L.S_PLAIN)
    para(doc, L.S_BODY, "为深入推进全面深化改革，压紧压实改革责任，确保{{ pledge.year }}年度改革任务落地见效，甲乙双方签订本责任书。")
    para(doc, L.S_H1, "一、目标任务")
    para(doc, L.S_BODY, "{{ pledge.year }}年，乙方牵头承担以下{{ pledge.count }}项改革任务：")
    attachment_table(doc, [("序号", 700), ("改革事项", 3945), ("完成时限", 2500), ("成果形式", 1700)],
                     ["{{ t.n }}", "{{ t.title }}", "{{ t.due }}", "{{ t.deliverable }}"], "for t in pledge.tasks")
    para(doc, L.S_H1, "二、工作要求")
    para(doc, L.S_PLAIN, "{%p for r in pledge.requirements %}")
    para(doc, L.S_BODY, "（{{ loop.index|zh_number }}）{{ r }}")
    para(doc, L.S_PLAIN, "{%p endfor %}")
    para(doc, L.S_H1, "三、考核奖惩")
    para(doc, L.S_PLAIN, "{%p for r in pledge.assessment %}")
    para(doc, L.S_BODY, "（{{ loop.index|zh_number }}）{{ r }}")
    para(doc, L.S_PLAIN, "{%p endfor %}")
    para(doc, L.S_H1, "四、其他")
    p = para(doc, L.S_BODY, "本责任书自签订之日起生效，有效期至{{ pledge.year }}年12月31日。本责任书一式两份，甲乙双方各执一份。")
    p.paragraph_format.keep_with_next = True
    para(doc, L.S_PLAIN).paragraph_format.keep_with_next = True
    signature_blocks(doc)
    return doc


def signature_blocks(doc) -> None:
    """Two signature blocks side by side (甲方 left, 乙方 right), each with a seal, a signature and
    a blank date to write in; one row that never splits, no rules."""
    half = (L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT) // 2
    table = doc.add_table(rows=1, cols=2)
    tbl_pr = table._tbl.tblPr
    _table_width(tbl_pr, 2 * half)
    tbl_pr.append(parse_xml(f'<w:tblBorders {nsdecls("w")}>' + "".join(
        f'<w:{e} w:val="nil"/>' for e in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"))
    tbl_pr.append(parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'))
    _sort_tbl_pr(tbl_pr)
    _grid(table, [half, half])
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(parse_xml(f'<w:cantSplit {nsdecls("w")}/>'))
    for cell, party in zip(row.cells, ("甲方", "乙方")):
        cell.width = Twips(half)
        lines = [f"{party}（盖章）", "", "", "负责人（签字）：", "", "　　　　年　　月　　日"]
        first = cell.paragraphs[0]
        for i, text in enumerate(lines):
            p = first if i == 0 else cell.add_paragraph()
            p.style = L.S_PLAIN
            p.paragraph_format.left_indent = Twips(2 * L.CHAR_PITCH)
            p.paragraph_format.keep_with_next = i < len(lines) - 1
            if text:
                p.add_run(text)
    end = para(doc, L.S_PLAIN)
    end.paragraph_format.line_spacing = Twips(1)
    end.paragraph_format.line_spacing_rule = 4


TEMPLATES = {"reminder": reminder, "assignment": assignment, "urging": urging, "order": order,
             "rectification": rectification, "finding_urging": finding_urging, "ranking": ranking,
             "compilation_notice": compilation_notice, "quarterly": quarterly, "interview": interview,
             "tasklist_notice": tasklist_notice, "pledge": pledge}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for kind, build in TEMPLATES.items():
        doc = build()
        # core properties: a clean author, no python-docx boilerplate
        doc.core_properties.author = "make-notices"
        doc.core_properties.title = kind
        footers = [f._element for section in doc.sections for f in (section.footer, section.even_page_footer)
                   if not f.is_linked_to_previous]
        for part in [doc.element, doc.styles.element, *footers]:
            L.schema_order(part)
        slim(doc)
        doc.save(OUT / f"{kind}.docx")
        print(f"wrote {OUT / f'{kind}.docx'}")


if __name__ == "__main__":
    main()
