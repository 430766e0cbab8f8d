"""GB/T 9704-2012 in numbers, and the finishing touches that depend on the rendered text.

Why these settings (they hold in LibreOffice 7.4 and in Word):
- Line pitch: every paragraph has *exact* line spacing of 28.95 pt (579 twips), and the
  section's document grid is ``type="lines"`` with the same pitch. 225 mm / 28.95 pt = 22
  lines. A ``linesAndChars`` grid is avoided: LibreOffice puts each 16 pt glyph into two
  character cells and sets 14 characters a line.
- Character pitch: 16 pt glyphs with -0.25 pt character spacing (``w:spacing w:val="-5"``)
  give 15.75 pt a character; 28 × 15.75 pt = 441 pt fits the 156 mm (442.2 pt) text block and
  29 do not, so both renderers set 28 characters a line without relying on a grid.
- No paragraph snaps to the grid (``snapToGrid=0``): LibreOffice would round every line,
  even a 1 pt spacer or a 22 pt table line, up to a whole grid line; the exact spacing
  alone keeps the body on its pitch in both renderers, and the grid stays for Word's
  page setup (22 lines a page).
- CJK/Latin automatic spacing stays on (Word's default): LibreOffice 7.4 ignores
  ``w:autoSpaceDE``/``autoSpaceDN`` and always adds it, so Word must add it too to match.
- ``w:overflowPunct w:val="1"``: LibreOffice 7.4 reads this flag the other way round from
  Word; with ``0`` (or none) it hangs ，、 past the margin in justified text and the PDF
  loses them. With ``1`` LibreOffice keeps every mark inside 28 characters; Word, like its
  Chinese default, may let a closing mark hang.
- Fonts are set on all four slots of ``w:rFonts`` (never theme fonts, which silently win over
  ``w:eastAsia``) with the standard names; the PDF conversion maps them through fontconfig.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from docx.oxml.ns import qn
from lxml import etree
from docx.oxml import OxmlElement

MM = 56.6929  # twips per mm
PT = 20  # twips per point

PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP = round(37 * MM)  # 2098
MARGIN_LEFT = round(28 * MM)  # 1587
MARGIN_RIGHT = round(26 * MM)  # 1474
MARGIN_BOTTOM = round(35 * MM)  # 1984
FOOTER_DISTANCE = round(25.4 * MM)  # puts the dash of — N — 7 mm below the text block (measured: see PAGE_NO_LINE)
TEXT_W_PT = (PAGE_W - MARGIN_LEFT - MARGIN_RIGHT) / PT  # 442.25 pt = 156 mm
# a landscape page (an attachment's wide table) keeps the portrait text block, turned: 225 × 156 mm
LANDSCAPE_TEXT_W = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM  # 12756 twips = 225 mm
LINE = 579  # twips: 28.95 pt, 22 lines in 225 mm
BODY_PT = 16
CHAR_SPACING = -5  # twentieths of a point: -0.25 pt
CHAR_PITCH_PT = BODY_PT + CHAR_SPACING / PT  # 15.75 pt
CHAR_PITCH = round(CHAR_PITCH_PT * PT)  # 315 twips
TITLE_PT = 22
PAGE_NO_PT = 14
PAGE_NO_LINE = 18 * PT  # the page number's own exact line, so the footer fits under the 35 mm margin
RED = "FF0000"
MARK_PT = 30
# The red mark's glyph top must sit 35 mm below the text block's top; with the mark on an
# exact line (MARK_LINE) this space before the paragraph puts it there (measured in the PDF).
MARK_LINE = 40 * PT
MARK_SPACE_BEFORE = round(34.1 * MM)

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
STANDARD_FONTS = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)

# Paragraph style names (as shown in Word's style list); the finishing step finds parts by them.
S_BODY = "公文正文"
S_MARK = "发文机关标志"
S_SLIP_HEAD = "单据名称"
S_DOC_NO = "发文字号"
S_TITLE = "公文标题"
S_ADDRESSEE = "主送机关"
S_H1 = "一级标题"
S_H2 = "二级标题"
S_H3 = "三级标题"
S_ATTACH_NOTE = "附件说明"
S_SIGNATURE = "发文机关署名"
S_DATE = "成文日期"
S_ATTACH_HEAD = "附件标识"
S_ATTACH_TITLE = "附件标题"
S_COLOPHON = "版记"
S_RECEIPT = "签收栏"
S_TABLE = "表格文字"
S_PAGE_NO = "页码"
S_PLAIN = "公文无缩进"
S_INLINE_H1 = "段首标题"  # character style: 一、… at the start of a paragraph, 黑体


AUTOSPACE_EM = 0.2  # LibreOffice (and Word by default) space CJK from Latin/digits by about this


def _half(ch: str) -> bool:
    o = ord(ch)
    return o < 0x2E80 and ch not in "—…“”‘’·" or 0xFF61 <= o <= 0xFFDC


_HALF_RUN = re.compile("(?:(?![—…“”‘’·])[\x00-\u2e7f\uff61-\uffdc])+")  # a run of characters _half counts


@functools.lru_cache(maxsize=1 << 16)
def text_width_em(text: str) -> float:
    """Width of text in ems: CJK and full-width forms 1, ASCII and half-width 0.5, plus the
    automatic space between CJK and Latin runs. (Counted by runs of half-width characters, which
    gives what counting `_half` character by character gives, several times faster; the same
    cells and names come back often, so widths are remembered.)"""
    half = boundaries = 0
    end = len(text)
    for m in _HALF_RUN.finditer(text):
        a, b = m.span()
        half += b - a
        if a > 0 and not text[a - 1].isspace() and not text[a].isspace():
            boundaries += 1
        if b < end and not text[b - 1].isspace() and not text[b].isspace():
            boundaries += 1
    return (end - half) + 0.5 * half + AUTOSPACE_EM * boundaries


_clark = functools.lru_cache(maxsize=None)(qn)  # "w:sz" → "{http://…}sz", worked out once


def _first_child(parent, tag: str):
    """parent's child `tag` (w:pPr, w:rPr, w:tcPr … come first in their parent), made if missing."""
    name = _clark(tag)
    el = parent.find(name)
    if el is None:
        el = parent.makeelement(name)
        parent.insert(0, el)
    return el


def _rpr(run):
    return _first_child(run, "w:rPr")


def _ppr(p):
    return _first_child(p, "w:pPr")


def _set_child(parent, tag: str, **attrs):
    """parent's child `tag` (appended if missing) with attrs set; returns it."""
    el = _child(parent, _clark(tag))
    for k, v in attrs.items():
        el.set(_clark(k), str(v))
    return el


def _child(parent, name: str):
    """parent's child `name` (a Clark name), appended if missing."""
    el = parent.find(name)
    return el if el is not None else etree.SubElement(parent, name)


_W_PPR, _W_PSTYLE, _W_VAL, _W_P, _W_T, _W_TBL = qn("w:pPr"), qn("w:pStyle"), qn("w:val"), qn("w:p"), qn("w:t"), qn("w:tbl")


def style_of(paragraph, styles_by_id: dict[str, str]) -> str:
    ppr = paragraph.find(_W_PPR)
    if ppr is None:
        return ""
    ps = ppr.find(_W_PSTYLE)
    if ps is None:
        return ""
    return styles_by_id.get(ps.get(_W_VAL), "")


def paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(_W_T))


_PAIRS = (("“", "”", "‘", "’"), ("《", "》", "〈", "〉"))


def nest_quotes(text: str) -> str:
    """Quotes inside quotes become single quotes, book marks inside book marks 〈〉 (GB/T 15834):
    a task called 推进“一网通办”改革, printed inside the template's own “”, reads “推进‘一网通办’改革”."""
    for open_, close, inner_open, inner_close in _PAIRS:
        if text.count(open_) < 2:
            continue
        out, depth = [], 0
        for ch in text:
            if ch == open_:
                depth += 1
                out.append(inner_open if depth % 2 == 0 else ch)
            elif ch == close and depth:
                out.append(inner_close if depth % 2 == 0 else ch)
                depth -= 1
            else:
                out.append(ch)
        text = "".join(out)
    return text


def nest_paragraph_quotes(p) -> None:
    """nest_quotes over a paragraph whose text is split into runs (one character for one)."""
    texts = list(p.iter(_W_T))
    whole = "".join(t.text or "" for t in texts)
    if whole.count("“") < 2 and whole.count("《") < 2:
        return
    nested = nest_quotes(whole)
    if nested == whole:
        return
    at = 0
    for t in texts:
        n = len(t.text or "")
        if n:
            t.text = nested[at:at + n]
        at += n


def fit_one_line(p, size_pt: float, max_width_pt: float) -> None:
    """Squeeze a red head onto one line by character scaling (w:w), as offices do for long marks."""
    text = paragraph_text(p)
    width = text_width_em(text) * size_pt
    if width <= max_width_pt or not text:
        return
    scale = int(max_width_pt / width * 100)
    for run in p.iter(qn("w:r")):
        _set_child(_rpr(run), "w:w", **{"w:val": max(scale, 33)})


OFFICE_PHRASES = ("全面深化改革", "改革专项督察", "典型案例汇编", "反馈问题", "排名情况", "整改落实", "改革任务", "问题整改清单")
_BREAK_AFTER = "，、；：）》”"
_NO_BREAK_BEFORE = "，。、；：？！）》”〕"
_NO_BREAK_AFTER = "（《“〔"


KNOWN_TITLES: dict[tuple[str, int], tuple[str, ...]] = {}
"""Title splits already made (title_lines adds each; pipeline/output/cache.py keeps them between
runs, so a re-run does not load jieba's dictionary, ~1 s, for titles it has split before)."""


def title_lines(text: str, chars_per_line: int) -> list[str]:
    """Split a title into balanced lines that never break a word (jieba), longest line first.

    A book title 《…》 is kept whole when the lines allow it, else broken between its words.
    """
    if text_width_em(text) <= chars_per_line:
        return [text]
    known = KNOWN_TITLES.get((text, chars_per_line))
    if known is None:
        known = KNOWN_TITLES[(text, chars_per_line)] = tuple(_split_title(text, chars_per_line))
    return list(known)


def _split_title(text: str, chars_per_line: int) -> list[str]:
    import itertools

    import jieba

    jieba.setLogLevel(60)
    for phrase in OFFICE_PHRASES:  # never split the office's set phrases
        jieba.add_word(phrase, freq=200000)
    words = list(jieba.cut(text, HMM=False))
    merged: list[str] = []  # 《…》 and （…） as single tokens
    depth = 0
    for tok in words:
        if depth and merged:
            merged[-1] += tok
        else:
            merged.append(tok)
        depth = max(depth + tok.count("《") + tok.count("（") - tok.count("》") - tok.count("）"), 0)
    total = text_width_em(text)
    n_lines = int(-(-total // chars_per_line))

    def best_split(tokens: list[str], k: int) -> list[str] | None:
        positions = []
        for i, tok in enumerate(tokens[:-1]):
            if tokens[i + 1][0] in _NO_BREAK_BEFORE or tok[-1] in _NO_BREAK_AFTER:
                continue
            positions.append(i + 1)
        best = None
        for combo in itertools.combinations(positions, k - 1):
            cuts = [0, *combo, len(tokens)]
            lines = ["".join(tokens[a:b]) for a, b in zip(cuts, cuts[1:])]
            widths = [text_width_em(line) for line in lines]
            if max(widths) > chars_per_line:
                continue
            # balanced: a small spread; a trapezoid (upper lines not shorter) is preferred
            inverted = sum(1 for a, b in zip(widths, widths[1:]) if b > a + 1)
            score = max(widths) - min(widths) + 2 * inverted
            if best is None or score < best[0]:
                best = (score, lines)
        return best[1] if best else None

    for k in (n_lines, n_lines + 1):
        for tokens in (merged, words):
            lines = best_split(tokens, k)
            if lines:
                return lines
    per = -(-len(text) // n_lines)  # no word boundary fits: even cuts
    return [text[i:i + per] for i in range(0, len(text), per)]


def set_lines(p, lines: list[str]) -> None:
    """Replace the text of a paragraph with lines separated by line breaks, keeping the first run's format."""
    runs = list(p.iter(qn("w:r")))
    if not runs:
        return
    first = runs[0]
    rpr = first.find(qn("w:rPr"))
    for r in runs:
        r.getparent().remove(r)
    for i, line in enumerate(lines):
        r = OxmlElement("w:r")
        if rpr is not None:
            r.append(copy.deepcopy(rpr))
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        p.append(r)


def set_right_indent(p, twips: int) -> None:
    ppr = _ppr(p)
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        # schema order: w:ind comes before w:jc and after spacing; appending works in both renderers
        jc = ppr.find(qn("w:jc"))
        if jc is not None:
            jc.addprevious(ind)
        else:
            ppr.append(ind)
    for attr in ("w:rightChars", "w:endChars"):
        if ind.get(qn(attr)) is not None:
            del ind.attrib[qn(attr)]
    ind.set(qn("w:right"), str(twips))


_W_KEEP_NEXT = qn("w:keepNext")


def keep_with_next(p) -> None:
    ppr = _ppr(p)
    if ppr.find(_W_KEEP_NEXT) is None:
        el = OxmlElement("w:keepNext")
        ps = ppr.find(_W_PSTYLE)
        if ps is not None:
            ps.addnext(el)
        else:
            ppr.insert(0, el)


# Word refuses a file whose property elements are out of the schema's order (LibreOffice does not mind).
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
           "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
           "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em "
           "lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing tblInd "
             "tblBorders shd tblLayout tblCellMar tblLook",
}
_RANKS = {qn(f"w:{tag}"): {qn(f"w:{n}"): i for i, n in enumerate(order.split())} for tag, order in _ORDER.items()}


def schema_order(root) -> None:
    """Put the children of every pPr, rPr and tblPr under root in the schema's order."""
    for tag, ranks in _RANKS.items():
        for el in root.iter(tag):
            children = list(el)
            ordered = sorted(children, key=lambda c: ranks.get(c.tag, 999))
            if ordered != children:
                for child in children:
                    el.remove(child)
                for child in ordered:
                    el.append(child)


class StyleInfo:
    """Paragraph style names by id, and font sizes by name, read once per template."""

    def __init__(self, document):
        self.names = {st.style_id: st.name for st in document.styles}
        self.sizes = {}
        for st in document.styles:
            try:
                size = st.font.size
            except AttributeError:  # numbering and table styles have no font
                continue
            if size is not None:
                self.sizes[st.name] = size.pt

    def size(self, name: str) -> float:
        return self.sizes.get(name, BODY_PT)


def finish(document, styles: StyleInfo | None = None) -> None:
    """Apply the layout rules that depend on the rendered text (see the module docstring)."""
    finish_body(document.element.body, styles or StyleInfo(document))


def finish_body(body, styles: StyleInfo) -> None:
    """finish() on a body element (the fast renderer has no python-docx Document)."""
    styles_by_id = styles.names
    named = [(p, style_of(p, styles_by_id)) for p in body.iterchildren(_W_P)]  # heads and titles are top-level
    for p, name in named:
        if name == S_MARK:
            fit_one_line(p, styles.size(S_MARK), TEXT_W_PT - 15 / 0.3528)
        elif name == S_SLIP_HEAD:
            fit_one_line(p, styles.size(S_SLIP_HEAD), TEXT_W_PT)
        elif name in (S_TITLE, S_ATTACH_TITLE):
            text = paragraph_text(p)
            if "\n" not in text and p.find(".//" + qn("w:br")) is None:
                lines = title_lines(text, int(TEXT_W_PT // styles.size(name)))
                if len(lines) > 1:
                    set_lines(p, lines)
    _place_signature(named)
    text = "".join(body.itertext())
    if text.count("“") > 1 or text.count("《") > 1:  # else no paragraph has two marks to nest
        marked = {p for t in body.iter(_W_T) if t.text and ("“" in t.text or "《" in t.text) for p in t.iterancestors(_W_P)}
        for p in body.iter(_W_P):  # only a paragraph with a mark in it can need nesting
            if p in marked:
                nest_paragraph_quotes(p)
    for tbl in body.iter(_W_TBL):
        fit_table(tbl)
    schema_order(body)


BODY_STYLES = (S_BODY, S_H1, S_H2, S_H3)


TABLE_PT = 14  # 四号 in a table
TABLE_SMALL_PT = 12  # 小四, for a table of many columns or wide unbreakable cells
TABLE_SMALLEST_PT = 10.5  # 五号, for a table whose unbreakable cells leave its text columns no room in 小四
TABLE_MANY_COLUMNS = 7
CELL_MARGIN = 57  # twips each side (the 公文表格 style)
TEXT_MIN_EM = 8  # a text column is at least this many characters wide
SHORT_EM = 12  # a cell up to this wide without a sentence's punctuation (a unit's short name) is not broken
_SENTENCE = re.compile(r"[，。；：、！？]")
_UNBREAKABLE = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|（\d{4}年\d{1,2}月\d{1,2}日）|[-+−±]?\d+(?:\.\d+)?[%天个项分名]?"
                          r"|[^\s，。；]{1,12}〔\d{4}〕\d+号|[A-Za-z0-9][-A-Za-z0-9_.]*|[↑↓]?\d+(?:\.\d+)?)$")
_W_TR, _W_TC, _W_R = qn("w:tr"), qn("w:tc"), qn("w:r")


def _cell_paragraphs(tc) -> list[str]:
    return [paragraph_text(p).strip() for p in tc.iter(_W_P)]


def unbreakable(text: str) -> bool:
    """A date, a number, a 文号, an id or a short name: a table cell that must stay on one line."""
    return bool(_UNBREAKABLE.match(text)) or 0 < text_width_em(text) <= SHORT_EM and not _SENTENCE.search(text)


def fit_table(tbl) -> None:
    """Set a 公文 table the way offices do: column widths from the content, so a date, a number, a
    文号 or a unit's short name never wraps and the text columns share the rest; 四号 (14 pt) text,
    小四 (12 pt) when the table has many columns or the unbreakable cells need it, 五号 (10.5 pt)
    when in 小四 they would leave a text column under its 8 characters; the header row
    (w:tblHeader) in 黑体. The 版记 (one column) and tables that are not grids are left alone."""
    grid = tbl.find(_W_TBLGRID)
    rows = tbl.findall(_W_TR)
    if grid is None or len(rows) < 2:
        return
    cols = grid.findall(_W_GRIDCOL)
    n = len(cols)
    cells = [tr.findall(_W_TC) for tr in rows]
    if n < 2 or any(len(row) != n for row in cells):
        return
    is_header = [tr.find(_W_TRPR_HEADER) is not None for tr in rows]
    if all(is_header) or not any(is_header):
        return
    texts = [[_cell_paragraphs(tc) for tc in row] for row in cells]  # each cell's paragraphs' text
    body = [i for i, head in enumerate(is_header) if not head]
    text_w = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
    if sum(int(c.get(_W_W) or 0) for c in cols) > text_w + 200:  # a table on a landscape page (225 mm)
        text_w = LANDSCAPE_TEXT_W
    fixed_em = [0.0] * n  # the widest unbreakable cell of each column
    text_em = [0.0] * n  # the longest breakable cell (0: no text column)
    for i in body:
        for c, paragraphs in enumerate(texts[i]):
            for text in paragraphs:
                width = text_width_em(text)
                if unbreakable(text):
                    fixed_em[c] = max(fixed_em[c], width)
                else:
                    text_em[c] = max(text_em[c], width)
    for i, head in enumerate(is_header):  # a header may wrap, but not inside a two-character word
        if head:
            for c, paragraphs in enumerate(texts[i]):
                fixed_em[c] = max(fixed_em[c], min(text_width_em(" ".join(paragraphs)), 2.0))
    text_cols = [c for c in range(n) if text_em[c] > 0]

    def fixed(c: int, size: float) -> int:  # estimated widths run short on Latin letters: a little slack
        return round((fixed_em[c] * 1.1 + 0.3) * size * PT) + 2 * CELL_MARGIN

    def need(size: float) -> int:
        return sum(fixed(c, size) for c in range(n) if c not in text_cols) + \
            sum(round(max(fixed_em[c], TEXT_MIN_EM) * size * PT) + 2 * CELL_MARGIN for c in text_cols)

    if n < TABLE_MANY_COLUMNS and need(TABLE_PT) <= text_w:
        size = TABLE_PT
    elif text_cols and need(TABLE_SMALL_PT) > text_w and need(TABLE_SMALLEST_PT) <= text_w:
        size = TABLE_SMALLEST_PT  # in 小四 a text column would be squeezed below its 8 characters: dates
    else:  # and 文号 cannot give way (a table of names and numbers only narrows its columns alike in 小四)
        size = TABLE_SMALL_PT
    widths = [fixed(c, size) for c in range(n)]
    if text_cols:
        for c in text_cols:
            widths[c] = round(max(fixed_em[c], TEXT_MIN_EM) * size * PT) + 2 * CELL_MARGIN
        rest = text_w - sum(widths)
        if rest > 0:
            shares = [text_em[c] ** 0.5 for c in text_cols]
            for c, share in zip(text_cols, shares):
                widths[c] += int(rest * share / sum(shares))
    else:  # numbers only: the spare width goes to all but the first column evenly (headers wrap less)
        rest = text_w - sum(widths)
        if rest > 0:
            spread = list(range(1, n)) or [0]
            for c in spread:
                widths[c] += rest // len(spread)
    total = sum(widths)
    if total > text_w:  # even 12 pt does not fit: narrow every column alike (cells wrap)
        widths = [w * text_w // total for w in widths]
    widths[-1] += text_w - sum(widths)
    for col, w in zip(cols, widths):
        col.set(_W_W, str(w))
    tbl_w = tbl.find(_W_TBLPR_TBLW)
    if tbl_w is not None:
        tbl_w.set(_W_W, str(text_w))
        tbl_w.set(_W_TYPE, "dxa")
    half_points = str(round(size * 2))
    left = set(text_cols)
    for row, head in zip(cells, is_header):
        for c, (tc, w) in enumerate(zip(row, widths)):
            tcw = _first_child(_first_child(tc, "w:tcPr"), "w:tcW")
            tcw.set(_W_W, str(w))
            tcw.set(_W_TYPE, "dxa")
            for r in tc.iter(_W_R):
                rpr = _rpr(r)
                _child(rpr, _W_SZ).set(_W_VAL, half_points)
                _child(rpr, _W_SZCS).set(_W_VAL, half_points)
                if head:
                    fonts = _child(rpr, _W_RFONTS)
                    for slot in _FONT_SLOTS:
                        fonts.set(slot, HEITI)
                    for b in rpr.findall(_W_B) + rpr.findall(_W_BCS):
                        rpr.remove(b)
            if not head and c in left:  # text cells set flush left: justified in a narrow column, a line that
                for p in tc.iter(_W_P):  # cannot break at a Latin run or bracket is spread letter by letter
                    _child(_ppr(p), _W_JC).set(_W_VAL, "left")
    for i in body:  # a tall row may break: kept whole it could leave a page more than four lines short
        tall = 0
        for paragraphs, w in zip(texts[i], widths):
            per_line = max((w - 2 * CELL_MARGIN) / (size * PT), 1)
            tall = max(tall, sum(int(-(-text_width_em(t) // per_line)) or 1 for t in paragraphs))
        if tall > ROW_SPLIT_LINES:
            trpr = rows[i].find(_W_TRPR)
            for el in trpr.findall(_W_CANTSPLIT) if trpr is not None else []:
                trpr.remove(el)
    if size != TABLE_PT:  # a 12 or 10.5 pt table on a line to match
        for p in tbl.iter(_W_P):
            _set_line(p, round(TABLE_LINE_SMALL if size == TABLE_SMALL_PT else TABLE_LINE_SMALLEST))


_W_TBLGRID, _W_GRIDCOL, _W_TRPR, _W_TRPR_HEADER = qn("w:tblGrid"), qn("w:gridCol"), qn("w:trPr"), qn("w:trPr") + "/" + qn("w:tblHeader")
_W_W, _W_TYPE, _W_TBLPR_TBLW, _W_CANTSPLIT = qn("w:w"), qn("w:type"), qn("w:tblPr") + "/" + qn("w:tblW"), qn("w:cantSplit")
_W_SZ, _W_SZCS, _W_RFONTS, _W_B, _W_BCS, _W_JC = qn("w:sz"), qn("w:szCs"), qn("w:rFonts"), qn("w:b"), qn("w:bCs"), qn("w:jc")
_FONT_SLOTS = tuple(qn(f"w:{slot}") for slot in ("ascii", "hAnsi", "eastAsia", "cs"))


TABLE_LINE_SMALL = 19 * PT
TABLE_LINE_SMALLEST = 16 * PT
ROW_SPLIT_LINES = 4  # a table row of more lines than this may break across pages (else a page is left short)


def _place_signature(named: list[tuple[Any, str]]) -> None:
    """Centre the signature over the date (右空四字), and keep body text on the signature's page.
    `named`: the body's top-level paragraphs with their style names."""
    top_level = [p for p, _ in named]
    sig = next((p for p, name in named if name == S_SIGNATURE), None)
    date = next((p for p, name in named if name == S_DATE), None)
    if date is None:
        return
    date_w = text_width_em(paragraph_text(date)) * CHAR_PITCH_PT
    date_indent = 4 * CHAR_PITCH
    if sig is not None:
        sig_w = text_width_em(paragraph_text(sig)) * CHAR_PITCH_PT
        indent = date_indent + round((date_w - sig_w) / 2 * PT)
        if indent < 2 * CHAR_PITCH:  # a long signature: 右空二字, and the date centred under it
            indent = 2 * CHAR_PITCH
            date_indent = indent + round((sig_w - date_w) / 2 * PT)
        set_right_indent(sig, indent)
    set_right_indent(date, date_indent)
    # Keep the last body paragraph (widow control brings at least two of its lines), and all that
    # follows it up to the date, on one page: a page never carries the signature alone.
    anchor = sig if sig is not None else date
    idx = top_level.index(anchor)
    j = idx - 1
    while j >= 0:
        p, name = named[j]
        keep_with_next(p)
        if name in BODY_STYLES and paragraph_text(p).strip():
            break
        j -= 1
    if sig is not None:
        keep_with_next(sig)
    # a receipt strip after the date goes with it
    k = top_level.index(date) + 1
    if k < len(named) and named[k][1] == S_RECEIPT:
        keep_with_next(date)


# --- the 版记 at the foot of the last (even) page: placed after a first conversion ---

MM_PT = 72 / 25.4
TEXT_TOP_PT = MARGIN_TOP / PT
TEXT_BOTTOM_PT = (PAGE_H - MARGIN_BOTTOM) / PT
COLOPHON_ALLOWANCE_PT = 1.5
COLOPHON_TOP_PT = 0.95  # measured: the 版记's top rule below the line it follows (half its 1 pt border, and more)


def colophon_table(document, styles_by_id: dict[str, str] | None = None, body=None):
    """The 版记 table (its cells use the 版记 style), or None."""
    if styles_by_id is None:
        styles_by_id = {s.style_id: s.name for s in document.styles}
    body = document.element.body if body is None else body
    for tbl in body.iter(qn("w:tbl")):
        p = tbl.find(".//" + qn("w:p"))
        if p is not None and style_of(p, styles_by_id) == S_COLOPHON:
            return tbl
    return None


def colophon_rules(pdf_path, rows: int, first_page: int = 1) -> tuple[int, int, float, float] | None:
    """(page number, page count, top rule y, bottom rule y) of the 版记 in a PDF, in points from the
    top of the page: the last page holding rows + 1 long black horizontal rules, read by `stroked_lines`.
    `first_page` is the number of the PDF's first page when it holds only the document's last pages."""
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    count = first_page - 1 + len(reader.pages)
    for index in range(len(reader.pages) - 1, -1, -1):
        page = reader.pages[index]
        height = float(page.mediabox.top)
        long_black = sorted(
            {round(height - y0, 2) for x0, y0, x1, y1, width, gray in stroked_lines(page.get_contents().get_data())
             if abs(y1 - y0) < 0.5 and abs(x1 - x0) > 150 * MM_PT and width >= 0.7 and gray < 0.2})
        if len(long_black) >= rows + 1:
            rules = long_black[-(rows + 1):]
            return first_page + index, count, rules[0], rules[-1]
    return None


_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|<<|>>|<[0-9A-Fa-f\s]*>|/[^\s/<>\[\]()]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'\"*]+|\[|\]")


def stroked_lines(content: bytes) -> list[tuple[float, float, float, float, float, float]]:
    """The straight segments a page content stream strokes: (x0, y0, x1, y1, line width, darkness
    0 black … 1 white), in page space. A small reader of the operators LibreOffice's PDF export
    uses for rules (q Q cm w RG G K m l S); text and images are skipped. It replaces pdfplumber
    here, which parses every font of the page and took ~0.2 s per PDF."""
    ctm, width, gray = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 1.0, 0.0
    stack: list[tuple] = []
    operands: list[float] = []
    current: tuple[float, float] | None = None  # the path's current point
    segments: list[tuple[float, float, float, float, float, float]] = []
    out = []

    def point(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = ctm
        return a * x + c * y + e, b * x + d * y + f

    for match in _TOKEN.finditer(content):
        token = match.group()
        first = token[:1]
        if first.isdigit() or first in b"-+.":
            operands.append(float(token))
            continue
        if not first.isalpha() and first not in b"'\"*":
            operands.clear()  # strings, names, arrays: operands of text and painting operators
            continue
        op = token.decode("latin-1")
        if op == "q":
            stack.append((ctm, width, gray))
        elif op == "Q" and stack:
            ctm, width, gray = stack.pop()
        elif op == "cm" and len(operands) >= 6:
            a, b, c, d, e, f = operands[-6:]
            A, B, C, D, E, F = ctm
            ctm = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
        elif op == "w" and operands:
            width = operands[-1] * (abs(ctm[0] * ctm[3] - ctm[1] * ctm[2]) ** 0.5)
        elif op in ("RG", "G", "K") and operands:
            values = operands[-{"RG": 3, "G": 1, "K": 4}[op]:]
            gray = 1 - values[3] if op == "K" else max(values)  # the lightest channel decides
        elif op == "m" and len(operands) >= 2:
            current = point(*operands[-2:])
        elif op == "l" and len(operands) >= 2 and current is not None:
            nxt = point(*operands[-2:])
            segments.append((*current, *nxt))
            current = nxt
        elif op in ("S", "s"):
            out.extend((*seg, width, gray) for seg in segments)
            segments, current = [], None
        elif op in ("n", "f", "F", "f*", "B", "B*", "b", "b*"):
            segments, current = [], None
        operands.clear()
    return out


def place_colophon(docx_path, pdf_path, first_page: int = 1) -> bool:
    """Move the 版记 down so its last rule sits on the bottom edge of the text block of an even page.

    Every line of the page is on the exact 28.95 pt pitch, so one spacer paragraph of exact
    height before the table moves it by exactly the measured gap. Returns True if changed.
    """
    from docx import Document

    document = Document(docx_path)
    table = colophon_table(document)
    if table is None:
        return False
    rows = len(table.findall(qn("w:tr")))
    found = colophon_rules(pdf_path, rows, first_page)
    if found is None:
        return False
    page, _, top, bottom = found
    # the bottom rule's own width and the document's closing 1-twip paragraph must fit too
    gap = TEXT_BOTTOM_PT - bottom - COLOPHON_ALLOWANCE_PT
    spacers = []
    if page % 2 == 1:
        # printed on both sides, the 版记 goes on the back: start the next (even) page, where its
        # top rule comes COLOPHON_TOP_PT under the page-break line, and move it down from there
        # (the next pass measures it again and corrects what is left)
        if _starts_its_section(table):
            # the 版记 is all there is on its page (a part of its own, after a landscape 附件): a page
            # break there would not start a new page, so that page becomes a section of its own,
            # blank and without a page number (GB/T 9704 §7.5); the check pass places the 版记
            _blank_section_before(document, table)
            from .docxbase import save_docx

            save_docx(document, docx_path)
            return True
        spacers.append(_spacer(LINE, page_break=True))
        gap = TEXT_BOTTOM_PT - COLOPHON_ALLOWANCE_PT - (TEXT_TOP_PT + LINE / PT + COLOPHON_TOP_PT + bottom - top)
    elif gap < 0.5:
        return False
    if gap >= 0.5:
        # whole blank lines, then one paragraph for the rest (renderers cap a single tall line)
        lines, rest = divmod(round(gap * PT), LINE)
        spacers += [_spacer(LINE, False) for _ in range(lines)] + ([_spacer(rest, False)] if rest else [])
    for spacer in spacers:
        table.addprevious(spacer)
    from .docxbase import save_docx  # fixed zip times: the same placement gives the same bytes (the cache)

    save_docx(document, docx_path)
    return True


def _starts_its_section(table) -> bool:
    """Is the 版记 table the first thing of its section (only empty paragraphs between it and the
    paragraph that ends the section before)?"""
    prev = table.getprevious()
    while prev is not None:
        if prev.tag != _W_P:
            return False
        ppr = prev.find(_W_PPR)
        if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
            return True
        if paragraph_text(prev).strip() or prev.find(".//" + qn("w:drawing")) is not None:
            return False
        prev = prev.getprevious()
    return False


def _blank_section_before(document, table) -> None:
    """End a section of one empty page, with empty footers, just before the 版记 table."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    last = document.element.body.find(qn("w:sectPr"))
    blank = copy.deepcopy(last)
    for ref in blank.findall(qn("w:footerReference")) + blank.findall(qn("w:headerReference")) + blank.findall(qn("w:titlePg")):
        blank.remove(ref)
    _, rid = document.part.add_footer_part()  # python-docx: an empty footer part
    for kind in ("even", "default"):
        ref = OxmlElement("w:footerReference")
        ref.set(qn("w:type"), kind)
        ref.set(qn("r:id"), rid)
        blank.insert(0, ref)
    p = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="MNPlain"/></w:pPr></w:p>')
    p.find(qn("w:pPr")).append(blank)
    table.addprevious(p)


def _spacer(twips: int, page_break: bool):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    styles = f'<w:pStyle w:val="MNPlain"/>{"<w:pageBreakBefore/>" if page_break else ""}<w:snapToGrid w:val="0"/>'
    return parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr>{styles}<w:spacing w:before="0" w:after="0" w:line="{max(twips, 1)}" w:lineRule="exact"/>'
        f'<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')


# --- a slip is a one-page form: tightened after a first look when it runs over ---

TIGHT_LINE = 25 * PT  # the last paragraphs' line when a slip is tightened (28.95 pt otherwise): §7.3.5.1
TIGHT_SHARE = 0.4  # at most this share of a slip's body lines is tightened, so its page keeps the 22-line pitch
TIGHT_BLANK = 6 * PT  # the empty line above the signature, when tightened
TIGHT_RECEIPT_BEFORE = 2 * PT  # the 回执 strip's space above its dashed line (10 pt otherwise)
TIGHT_RECEIPT_LINE = 15 * PT
TIGHT_FORMAL_LINES = 30  # a formal document's body lines that may be tightened: a page and the signature's
TIGHT_TABLE_LINE = 17 * PT  # a slip's table (12 or 14 pt text on 19 or 22 pt) when tightened


def _set_line(p, twips: int, before: int | None = None) -> None:
    spacing = _set_child(_ppr(p), "w:spacing", **{"w:line": twips, "w:lineRule": "exact"})
    if before is not None:
        spacing.set(qn("w:before"), str(before))


def tighten_slip(document, blanks: bool = True) -> bool:
    """Set the last paragraphs of a slip a little tighter (§7.3.5.1 allows it), so that a slip
    that runs over by a line or two fits its page: the body's last lines and the signature block
    on a 25 pt line instead of 28.95, the empty line above the signature 6 pt, the 回执 strip
    closer. At most TIGHT_SHARE of the body lines change, so the page keeps its pitch."""
    body = document.element.body
    styles = {st.style_id: st.name for st in document.styles}
    named = [(p, style_of(p, styles)) for p in body.iterchildren(_W_P)]
    sig = next((i for i, (_, name) in enumerate(named) if name == S_SIGNATURE), None)
    if sig is None:  # an agreement signed in a table (目标责任书): the body before that table
        children = list(body.iterchildren(_W_P, _W_TBL))
        tables = [i for i, el in enumerate(children) if el.tag == _W_TBL]
        if not tables:
            return False
        sig = sum(1 for p, _ in named if children.index(p) < tables[-1])
    body_lines = sum(_estimated_lines(p) for p, name in named if name in BODY_STYLES)
    # a slip: its last lines; a formal document: the page before the signature's too (its seal room
    # is kept, so only a tighter page makes room for the signature block)
    budget = max(int(body_lines * TIGHT_SHARE), 3) if blanks else TIGHT_FORMAL_LINES
    for p, name in named[sig:]:
        if name == S_RECEIPT:
            before = TIGHT_RECEIPT_BEFORE if p.find(".//" + qn("w:pBdr")) is not None else None
            _set_line(p, TIGHT_RECEIPT_LINE, before)
        elif name in (S_SIGNATURE, S_DATE):
            _set_line(p, TIGHT_LINE)
    for tbl in body.iterchildren(_W_TBL):  # a slip's table (findings): its lines too
        for p in tbl.iter(_W_P):
            _set_line(p, TIGHT_TABLE_LINE)
    for p, name in reversed(named[:sig]):
        text = paragraph_text(p).strip()
        if name in BODY_STYLES:
            lines = _estimated_lines(p)
            if lines > budget:
                break
            budget -= lines
            _set_line(p, TIGHT_LINE)
        elif name in (S_PLAIN, S_ATTACH_NOTE):
            if text:
                _set_line(p, TIGHT_LINE)
            elif blanks:
                _set_line(p, TIGHT_BLANK)
        else:
            break
    return True


def _estimated_lines(p) -> int:
    """Lines a body paragraph takes: 28 characters a line, two of indent."""
    width = text_width_em(paragraph_text(p).strip())
    return max(1, int(-(-(width + 2) // 28))) if width else 0


def fit_slip(docx_path, pdf_path, first_page: int = 1) -> bool:
    """The pool's after-hook for a slip. First look (the last page, numbered first_page): a slip
    that ran over onto a second page is tightened (tighten_slip). Then the checks of the whole PDF
    (`fit_pages`). Returns True when the DOCX changed (the pool converts and checks it again)."""
    from pypdf import PdfReader

    if first_page == 1:
        return fit_pages(docx_path, pdf_path, blanks=True)
    if first_page != 2 or len(PdfReader(pdf_path).pages) != 1:
        return False  # longer: laid out as it is, then checked
    return _tighten(docx_path, blanks=True, one_page=True)


def fit_document(docx_path, pdf_path, first_page: int = 1) -> bool:
    """The pool's after-hook for a document with neither a 版记 nor a slip's form (目标责任书): on
    the checks of the whole PDF, its pages filled (fit_pages)."""
    return first_page == 1 and fit_pages(docx_path, pdf_path, blanks=False)


def finish_formal(docx_path, pdf_path, first_page: int = 1) -> bool:
    """The pool's after-hook for a formal document: the 版记 to the foot of an even page; on the
    checks of the whole PDF, the pages filled too (fit_pages), and the 版记 placed again."""
    if place_colophon(docx_path, pdf_path, first_page):
        return True
    return first_page == 1 and fit_pages(docx_path, pdf_path, blanks=False)


# DOCX path → (the DOCX before tightening, whether it was to fit one page); None: tried and undone
_tightened: dict[str, tuple[bytes, bool] | None] = {}


def _tighten(docx_path, blanks: bool, one_page: bool = False) -> bool:
    from pathlib import Path

    from docx import Document

    key = str(Path(docx_path).resolve())
    if key in _tightened:
        return False
    original = Path(docx_path).read_bytes()
    document = Document(docx_path)
    if not tighten_slip(document, blanks):
        return False
    _tightened[key] = (original, one_page)
    _save(document, docx_path)
    return True


def fit_pages(docx_path, pdf_path, blanks: bool) -> bool:
    """A check of the whole PDF. A page left more than FILL_EMPTY_LINES short because the signature
    went overleaf with the last body lines: first the last paragraphs are set tighter (GB/T 9704
    §7.3.5.1: 调整行距、字距); if that does not fill it (or a slip still needs two pages), the
    document goes back as it was and its last body paragraph is split so only two of its lines go
    with the signature (fill_pages)."""
    from pathlib import Path

    from docx import Document

    key = str(Path(docx_path).resolve())
    pages = pdf_lines(pdf_path)
    short = short_page(pages)
    if short is not None and _shrink_picture(docx_path, pdf_path, pages, short):
        return True
    tried = _tightened.get(key)
    if tried is not None:  # tightened: kept if it did what it was for
        original, one_page = tried
        if short is None and (len(pages) == 1 or not one_page):
            _tightened.pop(key)
            return False
        _tightened[key] = None
        Path(docx_path).write_bytes(original)
        document = Document(docx_path)
        fill_pages(document, pages)  # the line breaks are the same, tightened or not (spacers go in _save)
        _save(document, docx_path)
        return True
    if short is None:
        _tightened.pop(key, None)
        return False
    if key not in _tightened:
        return _tighten(docx_path, blanks)
    document = Document(docx_path)
    if not fill_pages(document, pages):
        _tightened.pop(key, None)
        return False
    _save(document, docx_path)
    return True


PICTURE_MIN_SCALE = 0.5  # a chart may be made this much smaller to stay with its table


def _shrink_picture(docx_path, pdf_path, pages: list[list[PdfLine]], short: int) -> bool:
    """A picture (the ranking's chart) that went overleaf and left its table's page short is made
    smaller to fit under the table, down to PICTURE_MIN_SCALE."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        before = 0
        found = None
        for n, page in enumerate(document):
            height = page.get_height()
            boxes = sorted((height - top, height - bottom) for left, bottom, right, top in
                           (obj.get_bounds() for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])))
            if n == short + 1 and boxes:
                first_text = pages[n][0].top if pages[n] else TEXT_BOTTOM_PT
                if boxes[0][0] <= first_text:
                    found = (before, boxes[0][1] - boxes[0][0])
                break
            before += len(boxes)
    finally:
        document.close()
    if found is None:
        return False
    index, height = found
    room = TEXT_BOTTOM_PT - pages[short][-1].bottom - LINE / PT  # under the table, a line kept free
    scale = room / height
    if scale >= 1 or scale < PICTURE_MIN_SCALE:
        return False
    from docx import Document

    document = Document(docx_path)
    extents = [el for el in document.element.body.iter(qn("wp:extent"))]
    if index >= len(extents):
        return False
    drawing = extents[index].getparent()
    for ext in [extents[index], *drawing.iter(qn("a:ext"))]:
        for attr in ("cx", "cy"):
            if ext.get(attr):
                ext.set(attr, str(int(int(ext.get(attr)) * scale)))
    _save(document, docx_path)
    return True


_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def short_page(pages: list[list[PdfLine]]) -> int | None:
    """The index of the first page more than FILL_EMPTY_LINES short while the text goes on overleaf,
    before the page that carries the signature and date (what the hooks can move is the text kept
    with the signature, and a chart)."""
    signed = next((n for n, lines in enumerate(pages) if any(_DATE_LINE.match(l.text) for l in lines)), len(pages) - 1)
    for n in range(len(pages) - 1):
        here, there = pages[n], pages[n + 1]
        if not here or n + 1 > signed:
            continue
        first = there[0].text if there else ""  # no text: a page that holds a picture
        if first.startswith(("附件", "抄送")) or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", first):
            continue
        if (TEXT_BOTTOM_PT - here[-1].bottom) / (LINE / PT) > FILL_EMPTY_LINES + 0.3:
            return n
    return None


def _save(document, docx_path) -> None:
    """Save a document whose layout the hooks changed: the 版记's spacers go (the next check places
    it afresh from where the text now ends), and the properties in the schema's order."""
    table = colophon_table(document)
    if table is not None:
        prev = table.getprevious()
        while prev is not None and prev.tag == _W_P and not paragraph_text(prev) and \
                prev.find(f"{_W_PPR}/{qn('w:rPr')}/{qn('w:sz')}[@{qn('w:val')}='2']") is not None:
            gone, prev = prev, prev.getprevious()
            gone.getparent().remove(gone)
    schema_order(document.element.body)
    from .docxbase import save_docx  # fixed zip times: a fresh run's DOCX equals the cached one

    save_docx(document, docx_path)


# --- page fill: no page more than four lines short while the body goes on overleaf ---

FILL_EMPTY_LINES = 4
_WS = re.compile(r"\s+")


class PdfLine:
    __slots__ = ("top", "bottom", "text")

    def __init__(self, top: float, bottom: float, text: str):
        self.top, self.bottom, self.text = top, bottom, text


def pdf_lines(pdf_path) -> list[list[PdfLine]]:
    """The text lines inside the text block of every page (top, bottom in points from the page's
    top; text without spaces), and its pictures as lines without text, read with pdfium (a few ms
    a page; pdfplumber takes ~0.2 s)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(str(pdf_path))
    pages = []
    try:
        for page in document:
            height = page.get_height()
            textpage = page.get_textpage()
            rows: list[list] = []
            for i in range(textpage.count_chars()):
                ch = textpage.get_text_range(i, 1)
                if not ch.strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(i, loose=True)
                y0, y1 = height - top, height - bottom
                if y0 > TEXT_BOTTOM_PT:
                    continue  # the page number
                middle = (y0 + y1) / 2
                row = next((r for r in rows if abs(r[0] - middle) < 2), None)
                if row is None:
                    rows.append([middle, y0, y1, [(left, ch)]])
                else:
                    row[1], row[2] = min(row[1], y0), max(row[2], y1)
                    row[3].append((left, ch))
            lines = [PdfLine(r[1], r[2], "".join(ch for _, ch in sorted(r[3]))) for r in rows]
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):  # a picture fills its page too
                left, bottom, right, top = obj.get_bounds()
                if height - top < TEXT_BOTTOM_PT:
                    lines.append(PdfLine(height - top, min(height - bottom, TEXT_BOTTOM_PT), ""))
            lines.sort(key=lambda l: l.top)
            pages.append(lines)
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages


def fill_pages(document, pages: list[list[PdfLine]]) -> bool:
    """When the last body paragraph went overleaf whole with the signature (kept together) and left
    more than FILL_EMPTY_LINES empty on the page before, split it: its last two lines stay with the
    signature, the rest goes back to fill the page. Returns True if the document changed."""
    body = document.element.body
    styles = {st.style_id: st.name for st in document.styles}
    named = [(p, style_of(p, styles)) for p in body.iterchildren(_W_P)]
    sig = next((i for i, (_, name) in enumerate(named) if name in (S_SIGNATURE, S_DATE)), None)
    if sig is None:
        return False
    last = next(((i, p) for i, (p, name) in reversed(list(enumerate(named[:sig])))
                 if name in BODY_STYLES and paragraph_text(p).strip()), None)
    if last is None:
        return False
    index, para = last
    found = _find_lines(_WS.sub("", paragraph_text(para)), pages)
    if found is None:
        return False
    page, first, lines = found
    if page == 0 or first > 2 or len(lines) < 3:
        return False  # not at the top of a page, or too short to split (two lines at least go along)
    above = pages[page - 1]
    if not above or (TEXT_BOTTOM_PT - above[-1].bottom) / (LINE / PT) <= FILL_EMPTY_LINES + 0.3:
        return False
    split_paragraph(para, sum(len(l) for l in lines[:-2]))
    return True


def _find_lines(text: str, pages: list[list[PdfLine]]) -> tuple[int, int, list[str]] | None:
    """(page index, line index, the paragraph's lines) where a paragraph's text is set in the PDF."""
    if len(text) < 4:
        return None
    for n, lines in enumerate(pages):
        for i, line in enumerate(lines):
            if not (len(line.text) >= 4 and text.startswith(line.text)):
                continue
            got, at = [], 0
            flat = [l for ls in pages[n:] for l in ls][i:]
            for l in flat:
                if not text.startswith(l.text, at):
                    break
                got.append(l.text)
                at += len(l.text)
                if at == len(text):
                    return n, i, got
    return None


def split_paragraph(p, chars: int) -> None:
    """Split a paragraph after its first `chars` characters (spaces not counted): the first part
    keeps its indent and may break across pages; the rest, a continuation without first-line
    indent, is kept with what follows."""
    second = copy.deepcopy(p)
    p.addnext(second)

    def cut(par, keep_head: bool) -> None:
        seen = 0
        for t in list(par.iter(_W_T)):
            text = t.text or ""
            out = []
            for ch in text:
                counted = not ch.isspace()
                inside = seen < chars if counted else seen < chars
                if inside == keep_head:
                    out.append(ch)
                if counted:
                    seen += 1
            t.text = "".join(out)

    cut(p, True)
    cut(second, False)
    ppr = p.find(_W_PPR)
    if ppr is not None:
        for keep in ppr.findall(_W_KEEP_NEXT):
            ppr.remove(keep)
    keep_with_next(second)
    ppr2 = second.find(_W_PPR)
    ind = ppr2.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr2.append(ind)
    for attr in ("w:firstLineChars", "w:hangingChars", "w:hanging"):
        if ind.get(qn(attr)) is not None:
            del ind.attrib[qn(attr)]
    ind.set(qn("w:firstLine"), "0")
