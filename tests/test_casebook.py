"""The case compilation: reading cases (Markdown and Word), checking them, and the book.

The book tests build the sample book once (two LibreOffice conversions) and read the PDF back
with pdfplumber and pypdf: the contents against the pages, odd starts, page numbers,
bookmarks, and that a Word case's own formatting is gone.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from pipeline.documents import layout as L
from pipeline.output.convert import soffice_path
from pipeline.sources.cases import Heading, Image, ListItem, Paragraph, Run, Table, read_cases
from pipeline.sources.ledger import UnitDirectory, read_units

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "cases" / "2026"
CATEGORIES = ["营商环境", "民生改革", "生态文明", "基层治理"]
OFFICE = "中共淄博市委全面深化改革委员会办公室"
MAPPED_FONTS = ("FandolFang", "NotoSerifCJK", "NotoSansCJK", "UKai")
MM_PT = 72 / 25.4
LEFT_PT = L.MARGIN_LEFT / L.PT
RIGHT_PT = (L.PAGE_W - L.MARGIN_RIGHT) / L.PT
TEXT_BOTTOM_PT = (L.PAGE_H - L.MARGIN_BOTTOM) / L.PT


@pytest.fixture(scope="module")
def directory() -> UnitDirectory:
    units, problems = read_units(ROOT / "data", ["区县", "市直部门", "专项小组", "其他"])
    assert not problems
    return UnitDirectory(units)


@pytest.fixture(scope="module")
def sample(directory):
    cases, problems = read_cases(SAMPLE, directory, CATEGORIES)
    assert not problems, "\n".join(map(str, problems))
    return cases


def _case(cases, fragment: str):
    return next(c for c in cases.cases if fragment in c.title)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- reading -----------------------------------------------------------------------------------


def test_sample_has_cases_in_categories_in_config_order(sample):
    assert [g.category for g in sample.groups] == CATEGORIES
    assert len(sample.cases) >= 12
    assert sum(c.kind == "word" for c in sample.cases) >= 3
    assert sample.preface is not None and sample.preface.title == "前言"
    for group in sample.groups:
        orders = [c.order for c in group.cases]
        assert orders == sorted(orders)


def test_without_configured_categories_they_follow_the_lowest_order(directory):
    cases, problems = read_cases(SAMPLE, directory, [])
    assert not problems
    assert [g.category for g in cases.groups] == CATEGORIES  # the sample's 排序 runs category by category


def test_markdown_case_keeps_structure(sample):
    case = _case(sample, "一窗受理")
    assert case.title == "推行“一窗受理”改革 企业开办时间压缩至1个工作日"  # straight quotes → “ ”
    assert case.unit.name == "张店区委改革办"
    headings = [(b.level, b.text) for b in case.blocks if isinstance(b, Heading)]
    assert headings[:3] == [(1, "一、基本情况"), (1, "二、主要做法"), (2, "（一）整合窗口，实现“一窗通办”")]
    assert any(r.bold and r.text == "无需重复填报" for b in case.blocks if isinstance(b, Paragraph) for r in b.runs)
    table = next(b for b in case.blocks if isinstance(b, Table))
    assert table.header_rows == 1 and table.rows[0][0].text == "指标" and len(table.rows) == 5
    image = next(b for b in case.blocks if isinstance(b, Image))
    assert image.width_mm == pytest.approx(120) and image.caption.startswith("图1")


def test_word_case_title_and_unit_from_its_first_lines(sample):
    case = _case(sample, "一业一证")
    assert case.kind == "word" and case.unit.name == "淄博市行政审批服务局"
    texts = [getattr(b, "text", "") for b in case.blocks]
    assert "淄博市行政审批服务局" not in texts  # the unit line is not repeated in the body
    assert [b.text for b in case.blocks if isinstance(b, Heading)][:2] == ["一、主要做法", "（一）再造审批流程"]
    items = [b for b in case.blocks if isinstance(b, ListItem)]
    assert len(items) == 3 and not items[0].ordered
    assert any(isinstance(b, Table) and b.rows[0][0].text == "行业" for b in case.blocks)
    image = next(b for b in case.blocks if isinstance(b, Image))
    assert image.caption.startswith("图1") and image.width_mm == pytest.approx(139.7, abs=0.5)


def test_word_case_title_from_index_and_inline_headings(sample):
    case = _case(sample, "医共体")
    assert case.title == "推进紧密型县域医共体建设 让群众在家门口看好病"
    first = case.blocks[0]
    assert isinstance(first, Paragraph) and first.text.startswith("近年来")  # not taken for a title
    inline = [b for b in case.blocks if isinstance(b, Paragraph) and b.runs[0].heading == 2]
    assert [b.runs[0].text for b in inline] == ["（一）推进管理一体化。", "（二）推动资源下沉。", "（三）改革医保支付方式。"]
    numbered = [(b.ordered, b.number) for b in case.blocks if isinstance(b, ListItem)]
    assert numbered == [(True, 1), (True, 2), (True, 3)]


def test_word_case_drops_hidden_text_and_splits_soft_breaks(sample):
    case = _case(sample, "生态产品")
    assert case.unit.name == "高青县委改革办"  # index.yaml gave the short name
    text = "".join(getattr(b, "text", "") for b in case.blocks)
    assert "内部备注" not in text
    assert any(isinstance(b, Paragraph) and b.text.startswith("推出生态产品交易平台") for b in case.blocks)
    assert all(not getattr(b, "text", "").startswith("　") for b in case.blocks)  # typed indents are gone


def _folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "cases" / "2026"
    folder.mkdir(parents=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


GOOD = "---\n标题: 一个案例\n单位: 张店区\n类别: 营商环境\n---\n\n正文。\n"


def _messages(folder, directory, categories=CATEGORIES) -> list[str]:
    _, problems = read_cases(folder, directory, categories)
    return [str(p) for p in problems]


def test_missing_title_and_unit(tmp_path, directory):
    folder = _folder(tmp_path, {"a.md": "---\n类别: 营商环境\n---\n\n正文。\n"})
    msgs = _messages(folder, directory)
    assert any("a.md: has no title: give 标题 in the front matter" in m for m in msgs)
    assert any("a.md: has no unit: give 单位 in the front matter" in m for m in msgs)


def test_unknown_unit_with_line_and_suggestion(tmp_path, directory):
    folder = _folder(tmp_path, {"a.md": GOOD.replace("张店区", "张店区委改革局")})
    (msg,) = _messages(folder, directory)
    assert "a.md, line 3, column 单位" in msg and '"张店区委改革局" is not a known unit' in msg and "did you mean" in msg


def test_unknown_category_and_bad_order(tmp_path, directory):
    folder = _folder(tmp_path, {"a.md": GOOD.replace("营商环境", "乡村振兴").replace("---\n\n", "排序: 二\n---\n\n")})
    msgs = _messages(folder, directory)
    assert any("line 4, column 类别" in m and '"乡村振兴" is not a case category' in m for m in msgs)
    assert any("line 5" in m and "排序 must be a whole number" in m for m in msgs)


def test_missing_image_with_line(tmp_path, directory):
    folder = _folder(tmp_path, {"a.md": GOOD + "\n![图1](images/none.png)\n"})
    (msg,) = _messages(folder, directory)
    assert "a.md, line 9" in msg and 'image "images/none.png" does not exist' in msg


def test_broken_front_matter(tmp_path, directory):
    folder = _folder(tmp_path, {"a.md": "---\n标题: 案例: 有冒号\n单位: 张店区\n---\n正文。\n",
                                "b.md": "---\n标题: 案例\n正文。\n"})
    msgs = _messages(folder, directory)
    assert len(msgs) == 2  # one message each, no follow-on ones
    assert "a.md, line 2: front matter is not valid YAML" in msgs[0] and "needs quotes" in msgs[0]
    assert "b.md, line 1" in msgs[1] and "no closing ---" in msgs[1]


def test_broken_word_files(tmp_path, directory):
    not_docx = io.BytesIO()
    with zipfile.ZipFile(not_docx, "w") as zf:
        zf.writestr("hello.txt", "not a Word document")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (210 * 1024 * 1024))
    folder = _folder(tmp_path, {"renamed.docx": b"%PDF-1.4 not a zip", "other.docx": not_docx.getvalue(),
                                "bomb.docx": bomb.getvalue(), "old.doc": b"\xd0\xcf\x11\xe0",
                                "index.yaml": "other.docx:\n  单位: 张店区\n  类别: 营商环境\ngone.docx:\n  单位: 张店区\n"})
    msgs = _messages(folder, directory)
    assert len(msgs) == 5, msgs
    assert any("bomb.docx: would unpack to 210 MB; refused" in m for m in msgs)
    assert any("other.docx: cannot be opened as a Word document" in m for m in msgs)
    assert any("renamed.docx: is not a real .docx file" in m for m in msgs)
    assert any("old.doc: is a Word 97-2003 (.doc) file" in m for m in msgs)
    assert any("index.yaml, row 2, line 4: names \"gone.docx\"" in m for m in msgs)


def test_word_case_without_unit_or_category(tmp_path, directory):
    doc = Document()
    doc.add_paragraph("一个案例的标题")
    doc.add_paragraph("正文第一段。")
    buf = io.BytesIO()
    doc.save(buf)
    folder = _folder(tmp_path, {"a.docx": buf.getvalue()})
    msgs = _messages(folder, directory)
    assert any("a.docx: has no unit: give 单位 for a.docx in index.yaml" in m for m in msgs)
    assert any("a.docx: has no category: give 类别 for a.docx in index.yaml" in m for m in msgs)


def test_all_problems_at_once_and_good_files_pass(tmp_path, directory):
    folder = _folder(tmp_path, {"good.md": GOOD, "a.md": "---\n单位: 张店区\n类别: 营商环境\n---\n正文。\n",
                                "b.md": GOOD.replace("一个案例", "另一个").replace("张店区", "无此单位")})
    cases, problems = read_cases(folder, directory, CATEGORIES)
    assert len(problems) == 2 and [c.title for c in cases.cases] == ["一个案例"]


def test_markdown_details(tmp_path, directory):
    body = ("---\n单位: 张店区\n类别: 营商环境\n---\n# 从井号标题来的标题\n\n## 做法\n\n第一行\n第二行 with\nLatin text。\n\n"
            "1. 甲\n2. 乙\n\n（一）强化组织领导。全市成立专班，统筹推进。\n\n### 子项\n\n## 三、成效\n\n### 子项二\n")
    folder = _folder(tmp_path, {"a.md": body})
    cases, problems = read_cases(folder, directory, CATEGORIES)
    assert not problems
    (case,) = cases.cases
    assert case.title == "从井号标题来的标题"
    blocks = case.blocks
    assert blocks[0] == Heading(1, "一、做法")
    assert blocks[1] == Paragraph((Run("第一行第二行 with Latin text。"),))
    assert [b.number for b in blocks if isinstance(b, ListItem)] == [1, 2]
    inline = next(b for b in blocks if isinstance(b, Paragraph) and b.runs[0].heading)
    assert inline.runs[0] == Run("（一）强化组织领导。", heading=2) and inline.runs[1].text == "全市成立专班，统筹推进。"
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings == ["一、做法", "（一）子项", "三、成效", "（一）子项二"]


# --- the book ----------------------------------------------------------------------------------

needs_lo = pytest.mark.skipif(soffice_path() is None, reason="needs LibreOffice")


@pytest.fixture(scope="module")
def book(sample, tmp_path_factory):
    from pipeline.documents.casebook import build_book, pdf_with_bookmarks

    if soffice_path() is None:
        pytest.skip("needs LibreOffice")
    out = tmp_path_factory.mktemp("casebook")
    layout = build_book(sample, OFFICE, "淄博市委改革办", 2026, dt.date(2026, 12, 18), out / "汇编.docx")
    final = pdf_with_bookmarks(layout.pdf, out / "汇编-书签.pdf", layout)
    import pdfplumber

    with pdfplumber.open(final) as pdf:
        pages = [{"chars": p.chars, "images": p.images, "rects": p.rects, "lines": p.lines, "width": p.width,
                  "text": p.extract_text() or ""} for p in pdf.pages]
    return layout, final, pages


def _footer(page) -> tuple[str, float, float]:
    chars = sorted((c for c in page["chars"] if c["top"] > TEXT_BOTTOM_PT), key=lambda c: c["x0"])
    return "".join(c["text"] for c in chars), (chars[0]["x0"] if chars else 0), (chars[-1]["x1"] if chars else 0)


def _size_text(page, size: float) -> str:
    return "".join(c["text"] for c in page["chars"] if abs(c["size"] - size) < 0.5 and c["top"] < TEXT_BOTTOM_PT)


@needs_lo
@pytest.mark.slow
def test_page_numbers_run_right(book):
    layout, _, pages = book
    assert len(pages) == layout.pages
    for index, page in enumerate(pages, start=1):
        text, x0, x1 = _footer(page)
        if index <= 2:
            assert text == "", f"the cover and its back have no page number (page {index})"
            continue
        number = index - 2
        assert text == f"— {number} —", f"physical page {index}"
        if number % 2:
            assert x1 == pytest.approx(RIGHT_PT - L.PAGE_NO_PT, abs=1.5), f"odd page {number} is right-aligned, one character in"
        else:
            assert x0 == pytest.approx(LEFT_PT + L.PAGE_NO_PT, abs=1.5), f"even page {number} is left-aligned, one character in"


@needs_lo
@pytest.mark.slow
def test_cover(book):
    _, _, pages = book
    text = _norm(pages[0]["text"])
    assert "2026年度全面深化改革典型案例汇编" in text and OFFICE in text and "2026年12月18日" in text
    assert _norm(pages[1]["text"]) == ""


def _case_start_pages(pages, titles) -> dict[str, int]:
    """Printed page (from its footer) of the page whose 22 pt text is the case's title."""
    found = {}
    for page in pages[2:]:
        big = _norm(_size_text(page, L.TITLE_PT))
        for title in titles:
            if big == _norm(title):
                found[title] = int(_footer(page)[0].strip("— "))
    return found


def _toc_numbers(pages, layout) -> list[int]:
    """The page numbers printed at the right end of the contents' entries, in order."""
    first = layout.physical(next(e.page for e in layout.entries if e.kind == "contents"))
    last = layout.physical(layout.cases[0].page) - 1
    numbers = []
    for page in pages[first - 1:last]:
        chars = [c for c in page["chars"] if c["top"] < TEXT_BOTTOM_PT and c["text"].isdigit() and c["x1"] > RIGHT_PT - 40]
        lines: dict[int, list] = {}
        for c in chars:
            lines.setdefault(round(c["top"]), []).append(c)
        for top in sorted(lines):
            numbers.append(int("".join(c["text"] for c in sorted(lines[top], key=lambda c: c["x0"]))))
    return numbers


@needs_lo
@pytest.mark.slow
def test_contents_match_the_pages_where_cases_start(book, sample):
    layout, _, pages = book
    titles = [c.title for c in sample.cases]
    starts = _case_start_pages(pages, titles)
    assert set(starts) == set(titles), "every case title found on a page of its own"
    preface_page = int(_footer(pages[2])[0].strip("— "))
    assert _norm(_size_text(pages[2], L.TITLE_PT)) == "前言"
    assert _toc_numbers(pages, layout) == [preface_page] + [starts[t] for t in titles]
    assert [e.page for e in layout.cases] == [starts[t] for t in titles]


@needs_lo
@pytest.mark.slow
def test_every_case_starts_on_an_odd_page(book, sample):
    layout, _, pages = book
    starts = _case_start_pages(pages, [c.title for c in sample.cases])
    assert all(n % 2 == 1 for n in starts.values()), starts
    assert all(layout.physical(n) % 2 == 1 for n in starts.values())


@needs_lo
@pytest.mark.slow
def test_bookmarks_present_and_in_order(book, sample):
    from pypdf import PdfReader

    layout, final, pages = book
    reader = PdfReader(str(final))
    outline = reader.outline
    top = [item for item in outline if not isinstance(item, list)]
    assert [str(i.title) for i in top] == ["封面", "前　言", "目录"] + [g.category for g in sample.groups]
    children = [item for item in outline if isinstance(item, list)]
    assert [[str(i.title) for i in group] for group in children] == [[c.title for c in g.cases] for g in sample.groups]
    starts = _case_start_pages(pages, [c.title for c in sample.cases])
    for group in children:
        for item in group:
            assert reader.get_destination_page_number(item) + 1 == layout.physical(starts[str(item.title)])
    assert reader.page_labels[2] == "1" and reader.page_labels[0] == "封面"


def _word_case_pages(layout, pages, sample) -> list[dict]:
    out = []
    entries = list(layout.cases)
    for i, entry in enumerate(entries):
        case = next(c for c in sample.cases if c.title == entry.title)
        if case.kind != "word":
            continue
        end = entries[i + 1].page if i + 1 < len(entries) else len(pages) - layout.offset + 1
        out.extend(pages[layout.physical(entry.page) - 1:layout.physical(end) - 1])
    return out


@needs_lo
@pytest.mark.slow
def test_word_formatting_gone_from_the_docx(book):
    layout, _, _ = book
    doc = Document(layout.docx)
    body = doc.element.body
    text = "".join(t.text or "" for t in body.iter(qn("w:t")))
    assert "申请人填写一张综合申请表" in text and "县域内就诊率" in text and "内部备注" not in text
    for tag in ("w:color", "w:highlight", "w:u", "w:i", "w:sz", "w:shd", "w:rFonts"):
        assert body.find(".//" + qn(tag)) is None, f"no {tag} in the body: formatting comes from the styles"
    for run in doc.paragraphs[0].runs:
        assert run.font.color.rgb is None
    standard = set(L.STANDARD_FONTS)
    for part in (doc.styles.element,):
        for fonts in part.iter(qn("w:rFonts")):
            assert all("theme" not in k.lower() for k in fonts.attrib), "no theme fonts"
            assert set(fonts.attrib.values()) <= standard, fonts.attrib
        assert part.find(".//" + qn("w:color")) is None
    for section in doc.sections:
        assert (section.page_width.twips, section.page_height.twips) == (L.PAGE_W, L.PAGE_H)
        assert (section.left_margin.twips, section.right_margin.twips) == (L.MARGIN_LEFT, L.MARGIN_RIGHT)
    sizes = {s.font.size for s in doc.styles if s.type == 1 and s.font.size is not None}
    assert Pt(12) not in sizes and Pt(20) not in sizes


@needs_lo
@pytest.mark.slow
def test_word_formatting_gone_from_the_pdf(book, sample):
    layout, _, pages = book
    word_pages = _word_case_pages(layout, pages, sample)
    assert len(word_pages) >= 3
    body_fonts = set()
    for page in word_pages:
        for c in page["chars"]:
            base = c["fontname"].split("+", 1)[-1]
            assert base.startswith(MAPPED_FONTS), f"{c['text']!r} in {base}"
            colour = c.get("non_stroking_color")
            assert colour in (None, 0, (0,), (0, 0, 0), [0], [0, 0, 0], (0.0, 0.0, 0.0)), f"{c['text']!r} is coloured {colour}"
            if c["top"] < TEXT_BOTTOM_PT and abs(c["size"] - 16) < 0.1 and "\u4e00" <= c["text"] <= "\u9fff":
                body_fonts.add(base.split("-")[0])
    assert "FandolFang" in body_fonts and body_fonts <= {"FandolFang", "NotoSansCJKjp", "UKaiCN"}
    sizes = {round(c["size"]) for page in word_pages for c in page["chars"]}
    assert sizes <= {22, 18, 16, 14}, sizes


@needs_lo
@pytest.mark.slow
def test_tables_and_images_inside_the_text_block(book):
    _, _, pages = book
    seen_images = seen_tables = 0
    for page in pages[2:]:
        for im in page["images"]:
            seen_images += 1
            assert im["x0"] >= LEFT_PT - 1 and im["x1"] <= RIGHT_PT + 1
        for shape in page["lines"] + page["rects"]:
            if shape["x1"] - shape["x0"] > 20:
                seen_tables += 1
                assert shape["x0"] >= LEFT_PT - 2 and shape["x1"] <= RIGHT_PT + 2
    assert seen_images >= 3 and seen_tables > 0


@needs_lo
@pytest.mark.slow
def test_case_first_page_layout(book, sample):
    layout, _, pages = book
    case = sample.cases[0]
    page = pages[layout.physical(layout.cases[0].page) - 1]
    title = [c for c in page["chars"] if abs(c["size"] - L.TITLE_PT) < 0.5]
    assert all(c["fontname"].split("+")[-1].startswith("NotoSerifCJK") and "Bold" in c["fontname"] for c in title)
    unit = [c for c in page["chars"] if "UKai" in c["fontname"] and c["top"] < 250]
    assert "".join(c["text"] for c in unit) == case.unit.name
    assert _norm(_size_text(page, 18)) == sample.groups[0].category  # the category heads its first case
