"""GB/T 9704 measured in the PDFs LibreOffice makes: real templates, real conversion, pdfplumber.

A notice's body length is varied over 26 documents so that, somewhere, the signature
would fall alone on a new page; the layout must move body text with it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pdfplumber
import pytest
from docx import Document

from conftest import ROOT, run, write_csv, run_in
from pipeline.documents import layout as L
from pipeline.output.lint import lint_file, lint_pdf

MM = 72 / 25.4
TEXT_TOP, TEXT_BOTTOM = 37 * MM, 262 * MM
LEFT, RIGHT = 28 * MM, 184 * MM
FILLER = "各单位要坚持问题导向和目标导向相统一，把督察整改与深化改革结合起来，举一反三完善制度机制，推动改革举措落地见效。"
VARIANTS = range(4, 30)  # body filler of 4 … 29 lines


def filler(lines: int) -> str:
    text = (FILLER * 20)[: lines * 28 - 2 - 1] + "。"
    return text


def lines_of(page) -> list[tuple[float, float, float, float, str, list]]:
    rows: dict[int, list] = {}
    for c in page.chars:
        if c["text"].strip():
            rows.setdefault(round((c["top"] + c["bottom"]) / 2), []).append(c)
    out = []
    for key in sorted(rows):
        cs = sorted(rows[key], key=lambda c: c["x0"])
        out.append((min(c["top"] for c in cs), cs[0]["x0"], cs[-1]["x1"], cs[0]["size"], "".join(c["text"] for c in cs), cs))
    return out


@pytest.fixture(scope="module")
def notices(tmp_path_factory):
    """One rectification notice per unit, each with a body of a different length."""
    project = tmp_path_factory.mktemp("layout")
    (project / "config.yaml").write_text(
        "office:\n  name: 中共淄博市委全面深化改革委员会办公室\n  short: 淄博市委改革办\n  prefix: 淄改办\n"
        "  cc: [市委办公室, 市政府办公室]\npaths:\n  templates: own-templates\n", encoding="utf-8")
    units = [["单位名称", "简称", "类别", "排序", "正文"]]
    findings = [["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态"]]
    for i in VARIANTS:
        units.append([f"测试第{i}区委改革办", f"第{i}区", "区县", str(i), filler(i)])
        findings.append([f"DC-{i}", "2026年第三轮改革专项督察", "2026-11-02", f"第{i}区", "台账更新不及时", "建立月度核对机制", "2026-12-31", "整改中"])
    # the long one: three full pages of body text in several paragraphs
    units.append(["测试长文区委改革办", "长文区", "区县", "99", "|".join(filler(6) for _ in range(12))])
    findings.append(["DC-99", "2026年第三轮改革专项督察", "2026-11-02", "长文区", "台账更新不及时", "建立月度核对机制", "2026-12-31", "整改中"])
    write_csv(project / "data" / "units.csv", units)
    write_csv(project / "data" / "tasks.csv", [["编号", "改革事项", "牵头单位", "状态"], ["T-1", "测试任务", "第4区", "推进中"]])
    write_csv(project / "data" / "findings.csv", findings)
    # the office's own rectification template: the default plus body paragraphs from the unit list
    doc = Document(ROOT / "templates" / "docx" / "rectification.docx")
    anchor = next(p for p in doc.paragraphs if p.text.startswith("{{ inspection.inspected }}"))
    for text in ("{%p for t in unit.extra['正文'].split('|') %}", "{{ t }}", "{%p endfor %}"):
        new = copy.deepcopy(anchor._p)
        for r in new.findall(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}r")[1:]:
            new.remove(r)
        new.find(".//{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t").text = text
        anchor._p.addnext(new)
        anchor = type(anchor)(new, anchor._parent)
    (project / "own-templates").mkdir()
    doc.save(project / "own-templates" / "rectification.docx")
    result = run_in(project, "monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    pdfs = sorted((project / "out" / "2026-11" / "pdf").glob("淄改办发*.pdf"), key=lambda p: int(re.search(r"〕(\d+)号", p.name).group(1)))
    assert len(pdfs) == len(VARIANTS) + 1
    return pdfs


def test_every_notice_passes_lint(notices):
    for pdf in notices:
        assert lint_pdf(pdf) == [], pdf.name


def test_every_sample_document_passes_lint(sample_month):
    _, out, manifest, _ = sample_month
    for d in manifest["documents"]:
        assert lint_pdf(out / d["pdf"]) == [], d["pdf"]


def test_page_margins_fonts_and_grid(notices):
    long = notices[-1]
    with pdfplumber.open(long) as pdf:
        assert len(pdf.pages) >= 4
        for n, page in enumerate(pdf.pages, start=1):
            assert abs(page.width - 210 * MM) < 1 and abs(page.height - 297 * MM) < 1
            body = [l for l in lines_of(page) if abs(l[3] - 16) < 0.5 and TEXT_TOP - 5 < l[0] < TEXT_BOTTOM]
            if not body:
                continue
            assert abs(min(l[1] for l in body) - LEFT) < 0.5 * MM, f"page {n}: left margin"
            assert max(l[2] for l in body) <= RIGHT + 0.3 * MM, f"page {n}: right edge"
            fonts = {c["fontname"].split("+")[-1].split("-")[0] for l in body for c in l[5]}
            assert fonts <= {"FandolFang", "NotoSansCJKjp", "NotoSerifCJKjp", "ARPLUKaiCN"}, fonts  # mapped, no fallback
            if n > 1:
                assert TEXT_TOP <= body[0][0] <= TEXT_TOP + 4 * MM, f"page {n}: first line at {body[0][0] / MM:.1f} mm"
        # full body pages: 22 lines, 28 characters on a full line
        page = pdf.pages[1]
        body = [l for l in lines_of(page) if abs(l[3] - 16) < 0.5 and l[0] < TEXT_BOTTOM]
        assert len(body) == 22
        pitches = [b[0] - a[0] for a, b in zip(body, body[1:])]
        assert max(pitches) - min(pitches) < 0.6 and abs(sum(pitches) / len(pitches) - 28.95) < 0.1
        full = [l for l in body if abs(l[1] - LEFT) < 1 and l[2] > RIGHT - 8]
        assert full and max(len(l[4]) for l in full) == 28
        assert all(len(l[4]) <= 28 for l in body)


def test_red_header_title_and_addressee(notices):
    with pdfplumber.open(notices[0]) as pdf:
        page = pdf.pages[0]
        lines = lines_of(page)
        mark = lines[0]
        assert mark[4] == "中共淄博市委全面深化改革委员会办公室文件"
        assert all(c["non_stroking_color"] == (1.0, 0.0, 0.0) for c in mark[5])
        assert abs(mark[0] - (TEXT_TOP + 35 * MM)) < 1 * MM
        assert mark[2] - mark[1] <= 141 * MM
        red = [r for r in page.lines if r.get("stroking_color") == (1.0, 0.0, 0.0)]
        assert red and abs((red[0]["x1"] - red[0]["x0"]) - 156 * MM) < 0.5 * MM
        number = next(l for l in lines if l[4].startswith("淄改办发〔2026〕"))
        assert abs(red[0]["top"] - number[5][0]["bottom"] - 4 * MM) < 1 * MM
        assert abs((number[1] + number[2]) / 2 - (LEFT + RIGHT) / 2) < 1 * MM
        title = [l for l in lines if abs(l[3] - 22) < 0.5]
        assert title and all(abs((l[1] - LEFT) - (RIGHT - l[2])) < 1 * MM for l in title)
        assert "".join(l[4] for l in title) == "关于2026年第三轮改革专项督察反馈问题整改的通知"
        addressee = next(l for l in lines if l[4].endswith("："))
        assert addressee[1] == pytest.approx(LEFT, abs=0.5) and addressee[4].endswith("：")


def test_page_numbers_odd_right_even_left(notices):
    from pipeline.output.lint import _Ink

    ink = _Ink(notices[-1])
    with pdfplumber.open(notices[-1]) as pdf:
        for n, page in enumerate(pdf.pages, start=1):
            foot = [l for l in lines_of(page) if l[0] > TEXT_BOTTOM]
            assert len(foot) == 1
            top, x0, x1, size, text, chars = foot[0]
            assert text.replace(" ", "") == f"—{n}—"
            assert abs(size - 14) < 0.3
            dash = ink.dash_middle(n - 1, chars[0])  # the dash's own line, not its character box (§7.5)
            assert abs(dash - TEXT_BOTTOM - 7 * MM) < 0.5 * MM, f"page {n}: dash {(dash - TEXT_BOTTOM) / MM:.1f} mm below"
            if n % 2:
                assert abs(x1 - (RIGHT - 14)) < 1 * MM, f"page {n} should be right, one character in"
            else:
                assert abs(x0 - (LEFT + 14)) < 1 * MM, f"page {n} should be left, one character in"


def test_colophon_at_the_foot_of_an_even_last_page(notices):
    for pdf_path in notices:
        with pdfplumber.open(pdf_path) as pdf:
            assert len(pdf.pages) % 2 == 0, pdf_path.name
            last = pdf.pages[-1]
            rules = sorted((r for r in last.lines if r["x1"] - r["x0"] > 150 * MM and r["linewidth"] > 0.6
                            and r.get("stroking_color") == (0.0, 0.0, 0.0)),
                           key=lambda r: r["top"])
            assert len(rules) == 3
            assert abs(rules[-1]["top"] - TEXT_BOTTOM) < 1 * MM
            assert [round(r["linewidth"] / MM, 2) for r in rules] == [0.35, 0.26, 0.35]
            assert all(abs((r["x1"] - r["x0"]) - 156 * MM) < 0.5 * MM for r in rules)
            text = "".join(l[4] for l in lines_of(last))
            assert "抄送：市委办公室，市政府办公室。" in text and "2026年11月28日印发" in text


def test_signature_never_alone_and_dated_right(notices):
    moved = 0
    for pdf_path in notices:
        with pdfplumber.open(pdf_path) as pdf:
            for n, page in enumerate(pdf.pages, start=1):
                lines = lines_of(page)
                dates = [l for l in lines if l[4] == "2026年11月28日"]
                if not dates:
                    continue
                date = dates[0]
                assert abs((RIGHT - date[2]) - 4 * (16 - 0.25)) < 1.5, "成文日期右空四字"
                sig = lines[lines.index(date) - 1]
                assert sig[4] == "淄博市委改革办"
                assert abs((sig[1] + sig[2]) / 2 - (date[1] + date[2]) / 2) < 1 * MM, "署名以成文日期为准居中"
                body = [l for l in lines if l[0] < sig[0] and abs(l[3] - 16) < 0.5 and l[4] != sig[4]]
                assert body, f"{pdf_path.name}: page {n} carries the signature alone"
                if n > 1 and body[0][0] < TEXT_TOP + 5 * MM and "附件：" not in body[0][4]:
                    moved += 1
                break
    assert moved >= 1, "no variant pushed the signature to a new page: the check was not exercised"


# --- lint catches what is off ---

def _broken(tmp_path: Path, source: Path, name: str, change) -> Path:
    doc = Document(source)
    change(doc)
    path = tmp_path / f"{name}.docx"
    doc.save(path)
    return path


def _set_all(doc, tag: str, attr: str, value: str) -> None:
    from docx.oxml.ns import qn

    for el in doc.styles.element.iter(qn(tag)):
        if el.get(qn(attr)) is not None:
            el.set(qn(attr), value)


def _replace_text(doc, old: str, new: str) -> None:
    for p in doc.paragraphs:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)


BROKEN = [
    ("margins", lambda d: setattr(d.sections[0], "left_margin", int(20 * 36000)), "左边距（订口）为20.0毫米，应为28毫米"),
    ("no-char-spacing", lambda d: _set_all(d, "w:spacing", "w:val", "0"), "每行27字，应为28字"),
    ("line-pitch", lambda d: _set_all(d, "w:spacing", "w:line", "640"), "应为22行"),
    ("doc-number", lambda d: _replace_text(d, "淄改办发〔2026〕", "淄改办发[2026]0"), "年份应使用六角括号〔〕"),
    ("chinese-date", lambda d: _replace_text(d, "2026年11月28日", "二〇二六年十一月二十八日"), "成文日期应为阿拉伯数字"),
    ("zero-date", lambda d: _replace_text(d, "2026年11月28日", "2026年11月08日"), "含前导零"),
]


@pytest.mark.parametrize("name,change,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_lint_catches(notices, tmp_path, name, change, message):
    source = notices[-1].parent.parent / "docx" / notices[-1].name.replace(".pdf", ".docx")
    problems = lint_file(_broken(tmp_path, source, name, change))
    assert any(message in p for p in problems), problems


def test_lint_cli_exit_codes(notices, tmp_path):
    ok = run("lint", str(notices[0]))
    assert ok.exit_code == 0 and ": ok" in ok.output
    source = notices[0].parent.parent / "docx" / notices[0].name.replace(".pdf", ".docx")
    bad = _broken(tmp_path, source, "zero", lambda d: _replace_text(d, "淄改办发〔2026〕", "淄改办发〔2026〕0"))
    result = run("lint", str(bad))
    assert result.exit_code == 1
    assert "含前导零" in result.output


def test_page_layout_constants_match_the_standard():
    assert L.MARGIN_TOP == round(37 * L.MM) and L.MARGIN_LEFT == round(28 * L.MM)
    assert abs((L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT) / L.MM - 156) < 0.1
    assert abs((L.PAGE_H - L.MARGIN_TOP - L.MARGIN_BOTTOM) / L.MM - 225) < 0.1
    assert 28 * L.CHAR_PITCH_PT <= L.TEXT_W_PT < 29 * L.CHAR_PITCH_PT


def test_the_small_rule_reader_agrees_with_pdfplumber(notices):
    """colophon_rules reads the content stream itself (fast); pdfplumber is the reference."""
    for pdf_path in notices:
        with pdfplumber.open(pdf_path) as pdf:
            count = len(pdf.pages)
            last = pdf.pages[-1]
            expected = sorted({round(r["top"], 2) for r in last.lines
                               if abs(r["top"] - r["bottom"]) < 0.5 and r["x1"] - r["x0"] > 150 * MM and r["linewidth"] >= 0.7})
        found = L.colophon_rules(pdf_path, 2)
        assert found is not None, pdf_path.name
        page, pages, top, bottom = found
        assert (page, pages) == (count, count)
        assert abs(top - expected[-3]) < 0.05 and abs(bottom - expected[-1]) < 0.05
        # the same page read alone, numbered as the document's last page (the pool's first look)
        assert L.colophon_rules(pdf_path, 2, first_page=7)[0] == 7 + count - 1


def test_stroked_lines_follow_the_graphics_state():
    content = (b"0 0 1 RG 2 w 10 20 m 200 20 l S q 0 G 0.5 w 1 0 0 1 0 100 cm 10 20 m 300 20 l S Q "
               b"BT /F1 12 Tf (m l S) Tj ET 10 30 m 50 30 l S 1 1 1 RG 0 0 m 400 0 l S 5 5 m 9 9 l n")
    lines = L.stroked_lines(content)
    assert lines == [(10, 20, 200, 20, 2, 1), (10, 120, 300, 120, 0.5, 0), (10, 30, 50, 30, 2, 1), (0, 0, 400, 0, 2, 1)]


def _table(rows: list[list[list[str]]], header: list[str]):
    """A w:tbl as a template renders it: a header row (w:tblHeader), then rows of cells, each
    cell a list of paragraphs."""
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def cell(paragraphs: list[str]) -> str:
        return "<w:tc><w:tcPr/>" + "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in paragraphs) + "</w:tc>"

    xml = (f'<w:tbl xmlns:w="{w}"><w:tblPr><w:tblW w:w="8845" w:type="dxa"/></w:tblPr><w:tblGrid>'
           + '<w:gridCol w:w="1000"/>' * len(header) + "</w:tblGrid>"
           + "<w:tr><w:trPr><w:tblHeader/></w:trPr>" + "".join(cell([h]) for h in header) + "</w:tr>"
           + "".join("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in rows)
           + "</w:tbl>")
    return etree.fromstring(xml)


def _sizes_and_widths(tbl) -> tuple[set[str], list[int]]:
    sizes = {el.get(L.qn("w:val")) for el in tbl.iter(L.qn("w:sz"))}
    return sizes, [int(c.get(L.qn("w:w"))) for c in tbl.iter(L.qn("w:gridCol"))]


def test_a_table_whose_dates_and_numbers_leave_its_text_no_room_in_xiaosi_is_set_in_wuhao():
    """The 整改催办单's table (编号, 问题, 整改时限, 逾期天数, and the 交办通知's 文号 over its date): in
    小四 the dates and 文号, which never wrap, leave 问题 under its 8 characters, so the table is set
    in 五号 (10.5 pt, on a 16 pt line) and 问题 gets its 8 characters and more; a table of names and
    numbers only that does not fit stays in 小四 with its columns narrowed alike, as before."""
    problem = "部分改革方案出台后配套措施未跟进，落地见效不明显"
    tbl = _table([[["DC2026-2-04"], [problem], ["2026年9月30日"], ["59天"], ["淄改办发〔2026〕2号", "（2026年6月28日）"]],
                  [["DC2026-3-16"], ["陶瓷产业绿色低碳转型改革企业参与度不高"], ["2026年11月20日"], ["8天"],
                   ["淄改办发〔2026〕10号", "（2026年10月30日）"]]],
                 ["编号", "问题", "整改时限", "逾期天数", "交办通知"])
    L.fit_table(tbl)
    sizes, widths = _sizes_and_widths(tbl)
    assert sizes == {"21"}
    assert widths[1] - 2 * L.CELL_MARGIN >= 8 * 10.5 * L.PT  # 问题: at least 8 characters of 五号
    assert sum(widths) == L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT
    assert {p.find(L.qn("w:pPr") + "/" + L.qn("w:spacing")).get(L.qn("w:line")) for p in tbl.iter(L.qn("w:p"))} == {"320"}
    for c, texts in ((2, ["2026年9月30日", "2026年11月20日"]), (4, ["淄改办发〔2026〕10号", "（2026年10月30日）"])):
        assert widths[c] - 2 * L.CELL_MARGIN >= max(L.text_width_em(t) for t in texts) * 10.5 * L.PT  # one line each

    names = _table([[["★社会体制改革专项小组"]] + [[f"{n}00.50"]] * 8 for n in range(1, 4)],
                   ["单位", "改革任务推进", "督察整改", "改革宣传", "创新探索", "总分", "较上月", "年度累计", "名次"])
    L.fit_table(names)
    sizes, widths = _sizes_and_widths(names)
    assert sizes == {"24"} and sum(widths) == L.PAGE_W - L.MARGIN_LEFT - L.MARGIN_RIGHT
