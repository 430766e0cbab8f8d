"""The XML pieces every document of the project is built from: run and paragraph properties, the
GB/T 9704 page, the page-number footers. Used by tools/build_templates.py (the default templates)
and pipeline/documents/casebook.py (the book); why each setting is what it is: pipeline/documents/layout.py."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from lxml import etree

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Twips

from . import layout as L


def fonts_xml(name: str) -> str:
    """All four font slots named, never a theme font (it would win over w:eastAsia)."""
    return f'<w:rFonts w:ascii="{name}" w:hAnsi="{name}" w:eastAsia="{name}" w:cs="{name}"/>'


def rpr_xml(font: str, size: float, bold: bool = False, color: str | None = None, spacing: int = L.CHAR_SPACING) -> str:
    half = int(size * 2)
    return (
        "<w:rPr>" + fonts_xml(font)
        + ("<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
        + (f'<w:color w:val="{color}"/>' if color else "")
        + f'<w:spacing w:val="{spacing}"/><w:kern w:val="0"/>'
        + f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'
        + '<w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>'
    )


def ppr_xml(align: str = "both", first_line: int = 0, line: int = L.LINE, rule: str = "exact", before: int = 0,
            after: int = 0, keep_next: bool = False, extra: str = "", left: int = 0, right: int = 0,
            outline: int | None = None) -> str:
    ind = f'<w:ind w:left="{left}" w:right="{right}" w:firstLine="{first_line}"/>' if (first_line or left or right) else ""
    return (
        "<w:pPr>" + ("<w:keepNext/>" if keep_next else "") + "<w:widowControl/>" + extra
        + '<w:overflowPunct w:val="1"/><w:autoSpaceDE w:val="1"/><w:autoSpaceDN w:val="1"/><w:snapToGrid w:val="0"/>'
        + f'<w:spacing w:before="{before}" w:after="{after}" w:line="{line}" w:lineRule="{rule}"/>'
        + ind + f'<w:jc w:val="{align}"/>'
        + (f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else "") + "</w:pPr>"
    )


def page_setup(section) -> None:
    """A4, margins 37/28/26/35 mm, footer 21 mm, a 22-line grid."""
    section.page_width, section.page_height = Twips(L.PAGE_W), Twips(L.PAGE_H)
    section.top_margin, section.bottom_margin = Twips(L.MARGIN_TOP), Twips(L.MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(L.MARGIN_LEFT), Twips(L.MARGIN_RIGHT)
    section.footer_distance = Twips(L.FOOTER_DISTANCE)
    section.header_distance = Twips(round(15 * L.MM))
    sect = section._sectPr
    for grid in sect.findall(qn("w:docGrid")):
        sect.remove(grid)
    sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{L.LINE}"/>'))


def page_number_footer(footer, align: str) -> None:
    """— N — in 四号 宋体, one character in: odd pages right, even pages left."""
    p = footer.paragraphs[0]
    p.style = L.S_PAGE_NO
    ppr = p._p.get_or_add_pPr()
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left" if align == "left" else "w:right"), str(L.PAGE_NO_PT * L.PT))
    ppr.append(ind)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    ppr.append(jc)
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">— </w:t></w:r>'))
    p._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> —</w:t></w:r>'))


def body_defaults(doc) -> None:
    """Document defaults and the Normal style: the body font and line everywhere."""
    styles_el = doc.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is not None:
        styles_el.remove(defaults)
    styles_el.insert(0, parse_xml(
        f"<w:docDefaults {nsdecls('w')}><w:rPrDefault>{rpr_xml(L.FANGSONG, 16)}</w:rPrDefault>"
        f"<w:pPrDefault>{ppr_xml()}</w:pPrDefault></w:docDefaults>"))
    normal = doc.styles["Normal"].element
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr")):
            normal.remove(child)
    normal.append(parse_xml(ppr_xml().replace("<w:pPr>", f"<w:pPr {nsdecls('w')}>")))
    normal.append(parse_xml(rpr_xml(L.FANGSONG, 16).replace("<w:rPr>", f"<w:rPr {nsdecls('w')}>")))


_UNUSED_PARTS = ("stylesWithEffects", "customXml", "thumbnail")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every part of a DOCX we write: the same content gives the same bytes


def fixed_times(data: bytes) -> bytes:
    """A zip package with every entry's time set to ZIP_TIME (python-docx stamps the clock)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info))
    return out.getvalue()


def save_docx(document, path) -> None:
    """Save a python-docx Document (or docxtpl template) reproducibly: fixed zip entry times."""
    buf = io.BytesIO()
    document.save(buf)
    Path(path).write_bytes(fixed_times(buf.getvalue()))


_STYLE_REFS = re.compile(r'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"')


def slim(doc) -> None:
    """Drop what python-docx's starting document carries for nothing: its ~160 built-in styles
    that no paragraph uses, the stylesWithEffects copy, the thumbnail and customXml. LibreOffice
    parses every style of every document it opens; a slim package converts in ~40% less time
    (measured: a slip 166 → 95 ms). Custom, default and referenced styles, with their
    basedOn/next/link chains, are kept, so every style a template or the code names still exists."""
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _UNUSED_PARTS:
                rels.pop(rid)
    styles_el = doc.styles.element
    text = "".join(etree.tostring(part.element, encoding="unicode") for part in doc.part.package.iter_parts()
                   if hasattr(part, "element") and part.element is not styles_el)
    by_id = {s.get(qn("w:styleId")): s for s in styles_el.findall(qn("w:style"))}
    keep = set(_STYLE_REFS.findall(text))
    # custom styles are ours (kept), except python-docx's "… Char" styles, linked to unused built-ins
    keep |= {sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")
             or (s.get(qn("w:customStyle")) in ("1", "true") and s.find(qn("w:link")) is None)}
    stack = list(keep)
    while stack:
        style = by_id.get(stack.pop())
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag)) if style is not None else None
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                stack.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            styles_el.remove(style)



# --- landscape pages inside a portrait document (GB/T 9704 §10.2) ---

_EMU_MM = 36000
_DRAWING_NS = ('xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
               'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')
# The box that carries the turned page number (see landscape_page_number_footer), in mm of the
# landscape page. Measured in LibreOffice 7.4's PDF: on the page number's 18 pt line, the glyphs'
# tops in a vert="vert" box are 0.3 mm in from the box's right edge, the dash's stroke 3.6 mm
# further in (as on portrait pages, see layout.PAGE_NO_LINE), and the text comes 2.1 mm further
# down than its paragraph indents say; the box is aligned to the page's corner, because
# LibreOffice drops a footer shape's offsets on a page style first used on an even page.
TURNED_BOX_W_MM = 35 - 7 + 3.6 + 0.3  # the dash's stroke 7 mm left of the text block (35 mm margin)
TURNED_SHIFT_MM = 2.1


def landscape_setup(section) -> None:
    """A landscape A4 page whose text block is the portrait one turned a quarter clockwise: the
    portrait left margin (binding, 28 mm) on top, the bottom one (35 mm) on the left."""
    from docx.enum.section import WD_ORIENT

    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Twips(L.PAGE_H), Twips(L.PAGE_W)
    section.top_margin, section.bottom_margin = Twips(L.MARGIN_LEFT), Twips(L.MARGIN_RIGHT)
    section.left_margin, section.right_margin = Twips(L.MARGIN_BOTTOM), Twips(L.MARGIN_TOP)
    section.footer_distance = Twips(round(10 * L.MM))
    section.header_distance = Twips(round(10 * L.MM))
    sect = section._sectPr
    for grid in sect.findall(qn("w:docGrid")):
        sect.remove(grid)
    sect.append(parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{L.LINE}"/>'))


def portrait_setup(section) -> None:
    """Back to the portrait GB/T 9704 page after a landscape part."""
    from docx.enum.section import WD_ORIENT

    section.orientation = WD_ORIENT.PORTRAIT
    page_setup(section)


def landscape_page_number_footer(footer, align: str, shape_id: int) -> None:
    """— N — where the portrait pages have it, for a landscape page printed on a portrait sheet.

    The sheet is held portrait: the number sits 7 mm below the (portrait) text block, one
    character in from its right (odd pages) or left (even pages) end, upright. On the landscape
    page that is the left short edge, the number turned a quarter clockwise, reading top to
    bottom: near the bottom on odd pages, near the top on even ones. It is the portrait footer's
    own paragraph inside a text box (vert="vert") anchored to the page's top-left corner.
    """
    from lxml import etree

    page_number_footer(footer, align)
    p = footer.paragraphs[0]._p
    inner = etree.fromstring(etree.tostring(p))
    for child in list(p):
        if child.tag != qn("w:pPr"):
            p.remove(child)
    height_mm = L.MARGIN_LEFT / L.MM + L.TEXT_W_PT / 72 * 25.4  # top margin + the portrait text width
    ind = inner.find(qn("w:pPr")).find(qn("w:ind"))
    if align == "left":  # the box starts at the page's top edge: the margin goes into the indent
        ind.set(qn("w:left"), str(L.MARGIN_LEFT + L.PAGE_NO_PT * L.PT - round(TURNED_SHIFT_MM * L.MM)))
    else:
        height_mm -= TURNED_SHIFT_MM
    w, h = round(TURNED_BOX_W_MM * _EMU_MM), round(height_mm * _EMU_MM)
    inner_xml = etree.tostring(inner, encoding="unicode")
    p.append(parse_xml(
        f'<w:r {nsdecls("w")} {_DRAWING_NS}><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" behindDoc="0" locked="0" '
        'layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="page"><wp:align>left</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="page"><wp:align>top</wp:align></wp:positionV>'
        f'<wp:extent cx="{w}" cy="{h}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        f'<wp:docPr id="{shape_id}" name="页码{shape_id}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr>'
        f'<a:xfrm><a:off x="0" y="0"/><a:ext cx="{w}" cy="{h}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{inner_xml}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="vert" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t" anchorCtr="0">'
        '<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'))
