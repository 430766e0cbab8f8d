"""`make-notices lint`: measure a PDF (or a DOCX, converted first) against GB/T 9704-2012.

Works on any office's documents, not only ours: it reads only what is on the page
(pdfplumber gives every character with its font, size, colour and position) and says
what is off in words a clerk understands.
"""

from __future__ import annotations

import re
import statistics
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
TOP, BOTTOM = 37 * MM, (37 + 225) * MM
PITCH = 225 * MM / 22  # 28.93 pt: 22 lines in the text block
BODY_PT = 16
CHARS_PER_LINE = 28
TIGHTEST = 24.5  # points: the tightest line pitch taken for an adjustment (GB/T 9704 §7.3.5.1)

DOC_NO = re.compile(r"([^\s，。：:“”（）()]{1,12}?)([〔\[［(（【])\s*(\d{4})\s*([〕\]］)）】])(第?)(\d+)号")
DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
CN_DATE = re.compile(r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日")
PAGE_NO = re.compile(r"^[—－-]\s*(\d+)\s*[—－-]$")
# A landscape page (a wide table, GB/T 9704 §10.2) is the portrait sheet turned a quarter
# clockwise: the same text block, turned (the binding margin on top, the foot on the left).
L_LEFT, L_RIGHT = 35 * MM, (297 - 37) * MM
L_TOP, L_BOTTOM = 28 * MM, (210 - 26) * MM


@dataclass
class Line:
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str
    chars: list
    red: bool


def _is_red(color) -> bool:
    if not isinstance(color, (tuple, list)):
        return False
    if len(color) == 3:
        r, g, b = color
        return r > 0.7 and g < 0.35 and b < 0.35
    if len(color) == 4:  # CMYK
        c, m, y, k = color
        return m > 0.7 and y > 0.5 and c < 0.3 and k < 0.3
    return False


def em_width(text: str) -> float:
    """Width in characters: full-width 1, half-width (ASCII) 0.5."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "—…“”‘’·" else 1.0 for ch in text)


def _lines(page) -> list[Line]:
    rows: dict[int, list] = {}
    for c in page.chars:
        if not c["text"].strip():
            continue
        key = round((c["top"] + c["bottom"]) / 2)
        rows.setdefault(key, []).append(c)
    merged: list[list] = []
    for key in sorted(rows):
        if merged and abs(((merged[-1][0]["top"] + merged[-1][0]["bottom"]) / 2) - key) < 2:
            merged[-1].extend(rows[key])
        else:
            merged.append(list(rows[key]))
    lines = []
    for chars in merged:
        chars.sort(key=lambda c: c["x0"])
        sizes = Counter(round(c["size"], 1) for c in chars)
        lines.append(Line(min(c["top"] for c in chars), max(c["bottom"] for c in chars), chars[0]["x0"], chars[-1]["x1"],
                          sizes.most_common(1)[0][0], "".join(c["text"] for c in chars), chars,
                          sum(_is_red(c.get("non_stroking_color")) for c in chars) > len(chars) / 2))
    return lines


def _mm(points: float) -> str:
    return f"{points / MM:.1f}"


def lint_pdf(path: Path) -> list[str]:
    """Every GB/T 9704 departure measurable in the PDF, one sentence each (empty: all good)."""
    import pdfplumber

    problems: list[str] = []
    with pdfplumber.open(path) as pdf:
        pages = list(pdf.pages)
        all_lines = [_lines(p) for p in pages]
        text = "".join(l.text for ls in all_lines for l in ls)
        offset = _page_number_offset(all_lines)
        ink = _Ink(path)
        for n, (page, lines) in enumerate(zip(pages, all_lines), start=1):
            problems += _check_page(n, len(pages), page, lines, offset, ink)
        problems += _check_fill(pages, all_lines)
        problems += _check_numbers_and_dates(text)
        if pages:
            problems += _check_first_page(pages[0], all_lines[0])
            problems += _check_colophon(pages, all_lines)
            problems += _check_signature(all_lines)
    return problems


def _body(lines: list[Line]) -> list[Line]:
    return [l for l in lines if abs(l.size - BODY_PT) < 0.6 and not l.red and TOP - 2 * MM < l.top < BOTTOM]


def _page_number_offset(all_lines) -> int:
    """How many pages come before page — 1 — (a book's cover and its blank back: 2)."""
    for n, lines in enumerate(all_lines, start=1):
        for l in lines:
            m = PAGE_NO.match(l.text.replace(" ", ""))
            if m and l.top >= BOTTOM - 1 * MM:
                return n - int(m.group(1))
    return 0


def _check_page(n: int, count: int, page, lines: list[Line], offset: int = 0, ink: "_Ink | None" = None) -> list[str]:
    out = []
    if abs(page.width - PAGE_H) <= 2 and abs(page.height - PAGE_W) <= 2:
        return _check_landscape_page(n, page, offset, ink)
    if abs(page.width - PAGE_W) > 2 or abs(page.height - PAGE_H) > 2:
        out.append(f"第{n}页：纸张为{_mm(page.width)}×{_mm(page.height)}毫米，应为A4（210×297毫米）")
        return out
    content = [l for l in lines if l.top < BOTTOM + 2 * MM]
    if not content:
        return out
    if "此页无正文" in "".join(l.text for l in content):
        out.append(f"第{n}页：出现“此页无正文”，应调整正文使署名页带有正文")
    body = _body(content)
    left = min((l.x0 for l in body), default=None)
    if left is not None and len(body) >= 3 and abs(left - LEFT) > 1.2 * MM:
        out.append(f"第{n}页：左边距（订口）为{_mm(left)}毫米，应为28毫米")
    right = max((l.x1 for l in content if not l.red), default=0)
    if right > RIGHT + 1 * MM:
        out.append(f"第{n}页：文字超出版心右边界{_mm(right - RIGHT)}毫米（版心宽156毫米）")
    first = min(content, key=lambda l: l.top)
    colophon_only = any(k in first.text for k in ("抄送", "印发"))
    colophon_only = colophon_only or any(im["top"] < first.top for im in page.images)  # a picture heads the page
    if n > 1 and not colophon_only and not (TOP - 1 * MM <= first.top <= TOP + 4.5 * MM):
        out.append(f"第{n}页：首行距页面上边缘{_mm(first.top)}毫米，上边距（天头）应为37毫米")
    # Characters per line: a justified line may hold a character less where a mark may not
    # start or end a line (and is stretched), so the grid is read from the natural character
    # pitch of the lines that are not stretched (the last lines of paragraphs).
    pitches = []
    counts = []
    for l in body:
        full = l.x1 >= RIGHT - 0.6 * BODY_PT
        if re.search(r"[.…·]{4,}", l.text):
            continue  # a contents line with its leader dots
        if full and l.x0 >= LEFT - 1 * MM:
            counts.append(em_width(l.text) + round((l.x0 - LEFT) / (BODY_PT - 0.25)))
        if not full and l.x0 < LEFT + 2.5 * BODY_PT:  # ragged body lines (not centred or right-set ones)
            for a, b in zip(l.chars, l.chars[1:]):
                if em_width(a["text"]) == 1 and em_width(b["text"]) == 1 and abs(a["size"] - BODY_PT) < 0.6:
                    pitches.append(b["x0"] - a["x0"])
    if len(pitches) >= 5:
        pitch = statistics.median(pitches)
        per_line = int((RIGHT - LEFT + 0.5) / pitch)
        if per_line != CHARS_PER_LINE:
            out.append(f"第{n}页：每行{per_line}字，应为{CHARS_PER_LINE}字（字距{pitch:.2f}磅）")
    over = [c for c in counts if c > CHARS_PER_LINE + 0.5]
    if over:
        out.append(f"第{n}页：有{len(over)}行超过{CHARS_PER_LINE}字（每行应为{CHARS_PER_LINE}字）")
    # line pitch and lines per page
    steps = [b.top - a.top for a, b in zip(body, body[1:]) if abs(b.size - a.size) < 0.5]
    regular = sorted(s for s in steps if PITCH * 0.8 < s < PITCH * 1.2)
    if len(regular) >= 5:
        pitch = statistics.median(regular)
        # lines may be set a little tighter to keep the signature with the body (§7.3.5.1:
        # 调整行距), down to TIGHTEST; wider than the standard, or tighter than that, is off
        if pitch > PITCH + 0.5 or pitch < TIGHTEST:
            out.append(f"第{n}页：行距为{pitch:.2f}磅，每页{225 * MM / pitch:.1f}行，应为22行（行距约28.95磅）")
        elif n < count and body[-1].bottom > BOTTOM - PITCH and body[0].top < TOP + PITCH:
            # the span of the page on the standard pitch: last lines set a little tighter to keep
            # the signature with the body (GB/T 9704 §7.3.5.1) still make a page of 22 lines
            lines_on_page = round((body[-1].top - body[0].top) / PITCH) + 1
            tightened = any(PITCH * 0.8 < s < PITCH - 1 for s in steps)
            if lines_on_page != 22 and not tightened:
                out.append(f"第{n}页：每页{lines_on_page}行，应为22行")
    if n == 1 and not body:
        sizes = Counter(round(c["size"]) for l in content for c in l.chars if not l.red)
        out.append(f"第{n}页：没有三号（16磅）正文，最常见的字号为{sizes.most_common(1)[0][0]}磅")
    out += _check_page_number(n, content, lines, offset, ink)
    return out


def _check_landscape_page(n: int, page, offset: int = 0, ink: "_Ink | None" = None) -> list[str]:
    """A landscape A4 page inside a portrait document: the text block turned (35 mm from the left,
    28 mm from the top, 225 × 156 mm), and the page number where the portrait pages have it when the
    sheet is held portrait: at the left short edge, turned a quarter clockwise (reading top to
    bottom), its dash's stroke 7 mm left of the text block (§7.5, measured on the ink), ending 4.9 mm above its bottom on odd pages and starting
    4.9 mm below its top on even pages."""
    out = []
    upright = [c for c in page.chars if c["text"].strip() and c.get("upright", True)]
    turned = sorted((c for c in page.chars if c["text"].strip() and not c.get("upright", True)), key=lambda c: c["top"])
    if upright:
        x0, x1 = min(c["x0"] for c in upright), max(c["x1"] for c in upright)
        top, bottom = min(c["top"] for c in upright), max(c["bottom"] for c in upright)
        if x0 < L_LEFT - 1.5 * MM:
            out.append(f"第{n}页（横排）：文字超出版心左边界{_mm(L_LEFT - x0)}毫米（横排页左边距应为35毫米）")
        if x1 > L_RIGHT + 1 * MM:
            out.append(f"第{n}页（横排）：文字超出版心右边界{_mm(x1 - L_RIGHT)}毫米（横排页右边距应为37毫米）")
        if top < L_TOP - 1 * MM or top > L_TOP + 6 * MM:
            out.append(f"第{n}页（横排）：首行距页面上边缘{_mm(top)}毫米，横排页上边距（订口）应为28毫米")
        if bottom > L_BOTTOM + 1 * MM:
            out.append(f"第{n}页（横排）：文字超出版心下边界{_mm(bottom - L_BOTTOM)}毫米（横排页下边距应为26毫米）")
    number_chars = [c for c in turned if c["x1"] < L_LEFT]
    text = "".join(c["text"] for c in number_chars)
    m = PAGE_NO.match(text.replace(" ", ""))
    if not m:
        if any(c["bottom"] > L_BOTTOM + 3 * MM and c["x0"] > L_LEFT for c in upright):
            out.append(f"第{n}页（横排）：页码未转向，应位于页面左侧、顺时针旋转90度（纵向持纸时在页面下方）")
        else:
            out.append(f"第{n}页（横排）：缺少页码（“— {n - offset} —”，位于页面左侧、顺时针旋转90度）")
        return out
    number = int(m.group(1))
    if number != n - offset:
        out.append(f"第{n}页（横排）：页码为{number}，应为{n - offset}")
    if any(tuple(round(v, 2) for v in c["matrix"][:4]) != (0, -1, 1, 0) for c in number_chars if c["text"].strip()):
        out.append(f"第{n}页（横排）：页码应顺时针旋转90度（从上往下读，纵向持纸时正立）")
    size = statistics.median(c["x1"] - c["x0"] for c in number_chars)  # a turned glyph's box is as wide as its size
    if abs(size - 14) > 0.6:
        out.append(f"第{n}页（横排）：页码字号为{size:.0f}磅，应为四号（14磅）")
    dash = next((c for c in number_chars if c["text"] in "—－-"), None)
    if dash is not None:
        middle = ink.turned_dash_middle(n - 1, dash) if ink is not None else (dash["x0"] + dash["x1"]) / 2
        gap = L_LEFT - middle
        if abs(gap - 7 * MM) > 1 * MM:
            out.append(f"第{n}页（横排）：页码一字线距版心{_mm(gap)}毫米，应为7毫米（纵向持纸时在版心下方7毫米）")
    first, last = number_chars[0]["top"], number_chars[-1]["bottom"]
    one_char = 14
    if number % 2 == 1 and abs(last - (L_BOTTOM - one_char)) > 1.5 * MM:
        out.append(f"第{n}页（横排）：单页码应在左侧下端、距版心下边缘一字（4.9毫米），实为{_mm(L_BOTTOM - last)}毫米")
    if number % 2 == 0 and abs(first - (L_TOP + one_char)) > 1.5 * MM:
        out.append(f"第{n}页（横排）：双页码应在左侧上端、距版心上边缘一字（4.9毫米），实为{_mm(first - L_TOP)}毫米")
    return out


class _Ink:
    """Where a character's ink really is: the page rendered (pdfium, as pdfplumber uses) around it.
    A dash's line sits wherever its font draws it inside the character's box (Noto Serif CJK: 3.6 mm
    below the box's top at 14 pt), so §7.5's "一字线上距版心下边缘7mm" is measured on the ink."""

    SCALE = 600 / 72

    def __init__(self, path: Path):
        self.path = path
        self.doc = None

    def _box(self, page_index: int, char: dict) -> tuple[int, int, bytes] | None:
        """The character's box rendered in grey at 600 dpi: (width, height, one byte a pixel),
        or None when the page cannot be rendered."""
        try:
            if self.doc is None:
                import pypdfium2

                self.doc = pypdfium2.PdfDocument(str(self.path))
            page = self.doc[page_index]
            width, height = page.get_width(), page.get_height()
            image = page.render(scale=self.SCALE, crop=(char["x0"], height - char["bottom"], width - char["x1"], char["top"]),
                                grayscale=True).to_pil()
        except Exception:  # no renderer, or a page it cannot draw
            return None
        w, h = image.size
        data = image.tobytes()
        if image.mode != "L" or len(data) != w * h:
            return None
        return w, h, data

    def dash_middle(self, page_index: int, char: dict) -> float:
        """The vertical middle of the dash's horizontal stroke, in points from the page's top;
        the middle of the character's box when the page cannot be rendered."""
        box = self._box(page_index, char)
        rows = [y for y in range(box[1]) if sum(1 for x in range(box[0]) if box[2][y * box[0] + x] < 128) > box[0] / 2] if box else []
        if not rows:
            return (char["top"] + char["bottom"]) / 2
        return char["top"] + (rows[0] + rows[-1] + 1) / 2 / self.SCALE

    def turned_dash_middle(self, page_index: int, char: dict) -> float:
        """dash_middle for a dash turned a quarter (a landscape page's number): the horizontal
        middle of its vertical stroke, in points from the page's left edge."""
        box = self._box(page_index, char)
        cols = [x for x in range(box[0]) if sum(1 for y in range(box[1]) if box[2][y * box[0] + x] < 128) > box[1] / 2] if box else []
        if not cols:
            return (char["x0"] + char["x1"]) / 2
        return char["x0"] + (cols[0] + cols[-1] + 1) / 2 / self.SCALE


def _check_page_number(n: int, content: list[Line], lines: list[Line], offset: int = 0, ink: _Ink | None = None) -> list[str]:
    foot = [l for l in lines if l.top >= BOTTOM - 1 * MM and PAGE_NO.match(l.text.replace(" ", ""))]
    body_text = [l for l in content if l.top < BOTTOM]
    if not foot:
        return [f"第{n}页：缺少页码（“— {n - offset} —”）"] if body_text and n > offset + 1 else []
    pn = foot[0]
    out = []
    number = int(PAGE_NO.match(pn.text.replace(" ", "")).group(1))
    if number != n - offset and n > 1:
        out.append(f"第{n}页：页码为{number}，应为{n - offset}")
    if abs(pn.size - 14) > 0.6:
        out.append(f"第{n}页：页码字号为{pn.size:.0f}磅，应为四号（14磅）")
    dash = next((c for c in pn.chars if c["text"] in "—－-"), None)
    if dash is not None:
        middle = ink.dash_middle(n - 1, dash) if ink is not None else (dash["top"] + dash["bottom"]) / 2
        below = middle - BOTTOM
        if abs(below - 7 * MM) > 1 * MM:
            out.append(f"第{n}页：页码一字线距版心下边缘{_mm(below)}毫米，应为7毫米")
    one_char = 14
    if number % 2 == 1 and abs(pn.x1 - (RIGHT - one_char)) > 1.5 * MM:
        out.append(f"第{n}页：单页码应居右空一字（右端应距版心右边缘4.9毫米，实为{_mm(RIGHT - pn.x1)}毫米）")
    if number % 2 == 0 and abs(pn.x0 - (LEFT + one_char)) > 1.5 * MM:
        out.append(f"第{n}页：双页码应居左空一字（左端应距版心左边缘4.9毫米，实为{_mm(pn.x0 - LEFT)}毫米）")
    return out


FILL_EMPTY_LINES = 4  # at most this many empty lines at a page's foot while the text goes on overleaf


def _content_bottom(page, lines: list[Line]) -> float | None:
    """The lowest text, picture or table rule inside the text block of a page (None: nothing there)."""
    bottoms = [l.bottom for l in lines if l.top < BOTTOM]
    bottoms += [min(im["bottom"], PAGE_H) for im in page.images if im["top"] < BOTTOM]
    bottoms += [r["bottom"] for r in page.lines + page.rects if TOP - 2 * MM < r["top"] < BOTTOM + 1 * MM]
    return max(bottoms, default=None)


def _continues(page, lines: list[Line]) -> bool:
    """Does the page carry on with the text of the page before? Not when it starts with something
    that always starts a page: an attachment (附件), a title or anything set larger than the body
    (a book's case), a 版记 alone, or nothing."""
    inside = [l for l in lines if l.top < BOTTOM]
    tops = [l.top for l in inside] + [im["top"] for im in page.images if im["top"] < BOTTOM]
    if not tops:
        return False
    if any(im["top"] <= min(tops) + 0.5 for im in page.images):
        return True  # a picture (a chart) that did not fit under its table
    first = min(inside, key=lambda l: l.top)
    text = first.text.replace(" ", "")
    if text.startswith("附件") and abs(first.x0 - LEFT) < 2 * MM:
        return False
    if first.size >= BODY_PT + 1.5 or text.startswith(("抄送", "印发")) or re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", text):
        return False
    return True


def _check_fill(pages, all_lines) -> list[str]:
    """No page with more than four empty lines at its foot while body text continues on the next."""
    out = []
    for n in range(1, len(pages)):
        if any(p.width > p.height for p in (pages[n - 1], pages[n])):
            continue  # a landscape attachment starts on a section of its own
        bottom = _content_bottom(pages[n - 1], all_lines[n - 1])
        if bottom is None or not _continues(pages[n], all_lines[n]):
            continue
        empty = (BOTTOM - bottom) / PITCH
        if empty > FILL_EMPTY_LINES + 0.3:
            out.append(f"第{n}页：页面下方空{empty:.0f}行（{_mm(BOTTOM - bottom)}毫米），正文却在第{n + 1}页继续；"
                       f"空白不应超过{FILL_EMPTY_LINES}行")
    return out


def _check_numbers_and_dates(text: str) -> list[str]:
    out = []
    for m in DOC_NO.finditer(text):
        whole = m.group(0)
        if m.group(2) != "〔" or m.group(4) != "〕":
            out.append(f"发文字号“{whole}”的年份应使用六角括号〔〕")
        if m.group(5):
            out.append(f"发文字号“{whole}”不加“第”字")
        if m.group(6).startswith("0"):
            out.append(f"发文字号“{whole}”含前导零，序号不编虚位")
    for m in DATE.finditer(text):
        if m.group(2).startswith("0") or m.group(3).startswith("0"):
            right = f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日"
            out.append(f"日期“{m.group(0)}”含前导零，应为“{right}”")
    for m in CN_DATE.finditer(text):
        out.append(f"成文日期应为阿拉伯数字：“{m.group(0)}”")
    return sorted(set(out), key=out.index)


def _check_first_page(page, lines: list[Line]) -> list[str]:
    """The red header of a formal document: mark 35 mm below the text block, red line 156 mm wide."""
    out = []
    mark = next((l for l in lines if l.red and l.size >= 20 and l.text.endswith("文件")), None)
    red_rules = [r for r in page.lines + page.rects
                 if _is_red(r.get("stroking_color") or r.get("non_stroking_color")) and abs(r["bottom"] - r["top"]) < 3
                 and r["x1"] - r["x0"] > 100 * MM]
    if mark is None:
        return out
    if abs(mark.top - (TOP + 35 * MM)) > 2 * MM:
        out.append(f"第1页：发文机关标志上边缘距版心上边缘{_mm(mark.top - TOP)}毫米，应为35毫米")
    if mark.x1 - mark.x0 > 141 * MM + 1:
        out.append(f"第1页：发文机关标志宽{_mm(mark.x1 - mark.x0)}毫米，应不超过141毫米（比版心窄15毫米）")
    if not red_rules:
        out.append("第1页：缺少红色分隔线")
        return out
    rule = min(red_rules, key=lambda r: r["top"])
    width = rule["x1"] - rule["x0"]
    if abs(width - 156 * MM) > 1.5 * MM:
        out.append(f"第1页：红色分隔线宽{_mm(width)}毫米，应与版心等宽（156毫米）")
    number = next((l for l in lines if DOC_NO.search(l.text) and mark.bottom < l.top < rule["top"]), None)
    if number is None:
        out.append("第1页：发文机关标志与红色分隔线之间没有发文字号")
    else:
        gap = rule["top"] - number.bottom
        if abs(gap - 4 * MM) > 1.5 * MM:
            out.append(f"第1页：红色分隔线距发文字号{_mm(gap)}毫米，应为4毫米")
        if abs((number.x0 + number.x1) / 2 - (LEFT + RIGHT) / 2) > 2 * MM:
            out.append("第1页：发文字号应居中")
    titles = [l for l in lines if abs(l.size - 22) < 0.6 and not l.red and l.top > rule["top"]]
    for t in titles[:3]:
        if abs((t.x0 - LEFT) - (RIGHT - t.x1)) > 2 * MM:
            out.append(f"第1页：标题“{t.text[:12]}…”未居中")
            break
    return out


def _check_colophon(pages, all_lines) -> list[str]:
    """版记: its last rule on the bottom edge of the text block of the last page, on an even page."""
    out = []
    last = pages[-1]
    lines = all_lines[-1]
    issued = [l for l in lines if re.search(r"\d{4}年\d{1,2}月\d{1,2}日印发$", l.text.replace(" ", ""))]
    if not issued:
        return out
    first = issued[-1]
    cc = [l for l in lines if l.text.replace(" ", "").startswith("抄送") and issued[-1].top - 2.5 * PITCH < l.top < issued[-1].top]
    if cc:
        first = cc[-1]
    band = (first.top - 0.8 * PITCH, issued[-1].bottom + 0.6 * PITCH)  # the rules of the 抄送 and 印发 rows
    rules = sorted((r for r in last.lines if abs(r["bottom"] - r["top"]) < 1 and r["x1"] - r["x0"] > 150 * MM
                    and band[0] < r["top"] < band[1] and not _is_red(r.get("stroking_color"))), key=lambda r: r["top"])
    if not rules:
        return out
    rules = rules[-(3 if cc else 2):]  # the 版记's own rules are the lowest: a table may end just above it
    bottom = rules[-1]
    if abs(bottom["top"] - BOTTOM) > 1.2 * MM:
        out.append(f"第{len(pages)}页：版记末条分隔线距版心下边缘{_mm(BOTTOM - bottom['top'])}毫米，应与版心下边缘重合")
    outer = [rules[-1]] + ([rules[-len(rules)]] if len(rules) > 1 else [])
    for r in outer:
        if abs((r.get("linewidth") or 0) - 0.35 * MM) > 0.3:
            out.append(f"第{len(pages)}页：版记首末分隔线粗{(r.get('linewidth') or 0) / MM:.2f}毫米，应为0.35毫米")
            break
    for r in rules[1:-1] if len(rules) > 2 else []:
        if abs((r.get("linewidth") or 0) - 0.25 * MM) > 0.25:
            out.append(f"第{len(pages)}页：版记中间分隔线粗{(r.get('linewidth') or 0) / MM:.2f}毫米，应为0.25毫米")
            break
    if len(pages) % 2 == 1:
        out.append(f"版记在第{len(pages)}页（单页）：双面印刷时版记应在偶数页（最后一页的背面）")
    return out


def _check_signature(all_lines) -> list[str]:
    """Never a page with only the signature and date."""
    for n, lines in enumerate(all_lines, start=1):
        dates = [l for l in lines if DATE.fullmatch(l.text.replace(" ", "")) and l.x1 > LEFT + 100 * MM and abs(l.size - 16) < 0.6]
        if not dates:
            continue
        date = dates[-1]
        above = [l for l in _body(lines) if l.top < date.top - 1.5 * PITCH]
        if n > 1 and not above:
            return [f"第{n}页只有发文机关署名和成文日期，应调整正文使其与署名同页"]
    return []


def docx_problems(path: Path) -> list[str]:
    """What can be seen in the DOCX itself: theme fonts that override the East Asian font."""
    import zipfile

    out = []
    with zipfile.ZipFile(path) as zf:
        for name in ("word/document.xml", "word/styles.xml"):
            if name in zf.namelist() and re.search(rb"w:eastAsiaTheme=", zf.read(name)):
                out.append(f"{name.split('/')[-1]}：使用了主题字体（w:eastAsiaTheme），会覆盖所设的中文字体")
                break
    return out


def lint_file(path: Path, jobs: int = 1) -> list[str]:
    """Lint a .pdf, or a .docx converted to PDF first (LibreOffice, the project's font mapping)."""
    if path.suffix.lower() == ".docx":
        from .convert import convert_all

        with tempfile.TemporaryDirectory() as tmp:
            [pdf] = convert_all([path], Path(tmp), jobs)
            return docx_problems(path) + lint_pdf(pdf)
    return lint_pdf(path)
