"""Pages a print room would not send back (issue 14), measured in the PDFs LibreOffice makes.

One month of one office, converted through one pool: 交办单 and 催办单 whose text grows from
about 10 to 40 lines, 整改催办单 with one to eight findings, and a 整改通知 with a long table.
For each document: its page count, the fill of every page but the last, the page-number dash.
"""

from __future__ import annotations

import re

import pdfplumber
import pytest

from conftest import run_in, write_csv
from pipeline.documents import layout as L
from pipeline.output.lint import BOTTOM, PITCH, _Ink, _content_bottom, _continues, _lines, lint_pdf

MM = 72 / 25.4
FILL = "各单位要坚持问题导向和目标导向相统一，把改革任务与日常工作结合起来，举一反三完善制度机制，推动改革举措落地见效。"
SIZES = [1, 4, 7, 10, 13, 16, 19, 22, 25, 28]  # lines of requirement or progress text: slips of ~13 to ~40 lines
FINDINGS = [1, 2, 3, 4, 6, 8]


def text(lines: int) -> str:
    return (FILL * 40)[: lines * 28 - 3] + "。"


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    project = tmp_path_factory.mktemp("pages")
    units = [["单位名称", "简称", "类别", "排序"]]
    tasks = [["编号", "改革事项", "牵头单位", "交办日期", "完成时限", "状态", "备注", "进展情况"]]
    findings = [["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态"]]
    history = [["文号", "文种", "事项编号", "单位", "成文日期"]]
    for i, n in enumerate(SIZES):
        units.append([f"测试第{i}区委改革办", f"甲{i}区", "区县", str(i)])
        tasks.append([f"A-{n:02d}", f"推进“一网通办”改革{n}", f"甲{i}区", "2026-11-20", "2027-06-30", "推进中", text(n), ""])
        tasks.append([f"U-{n:02d}", f"测试催办任务{n}", f"甲{i}区", "2026-09-01", "2026-11-20", "推进中", "", text(n)])
        history.append([f"淄改办交〔2026〕{i + 1}号", "交办单", f"U-{n:02d}", f"甲{i}区", "2026-09-01"])
    problem = "改革任务台账更新不及时，部分任务进展情况与实际不符，" * 2
    for j, k in enumerate(FINDINGS):
        units.append([f"测试第{j}县委改革办", f"乙{j}县", "区县", str(100 + j)])
        ids = [f"F{j}-{m}" for m in range(k)]
        for fid in ids:
            findings.append([fid, "2026年第三轮改革专项督察", "2026-09-02", f"乙{j}县", problem, "建立台账月度核对机制", "2026-10-31", "整改中"])
        history.append([f"淄改办发〔2026〕{j + 1}号", "整改通知", "、".join(ids), f"乙{j}县", "2026-09-10"])
    units.append(["测试长表县委改革办", "长表县", "区县", "200"])
    for m in range(9):  # a new inspection, not notified yet: a 整改通知 with a long attachment table
        findings.append([f"G-{m}", "2026年第四轮改革专项督察", "2026-11-10", "长表县", problem * (1 + m % 3), "建立台账月度核对机制，逐项销号",
                         f"2026-12-{10 + m}", "整改中"])
    data = project / "data"
    write_csv(data / "units.csv", units)
    write_csv(data / "tasks.csv", tasks)
    write_csv(data / "findings.csv", findings)
    write_csv(data / "history.csv", history)
    (project / "config.yaml").write_text(
        "office:\n  name: 中共淄博市委全面深化改革委员会办公室\n  short: 淄博市委改革办\n  prefix: 淄改办\n"
        "  cc: [市委办公室, 市政府办公室]\n  contact: {name: 王明, phone: \"0533-1234567\"}\n", encoding="utf-8")
    result = run_in(project, "monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    out = project / "out" / "2026-11" / "pdf"
    measured = {}
    for pdf_path in sorted(out.glob("*.pdf")):
        with pdfplumber.open(pdf_path) as pdf:
            pages = list(pdf.pages)
            lines = [_lines(p) for p in pages]
            ink = _Ink(pdf_path)
            bottoms = [_content_bottom(p, ls) for p, ls in zip(pages, lines)]
            assert None not in bottoms, f"{pdf_path.name}: a blank page"
            empty = [(BOTTOM - b) / PITCH for b in bottoms]
            continues = [_continues(p, ls) for p, ls in zip(pages, lines)]
            dashes = []
            for n, ls in enumerate(lines):
                foot = next(l for l in ls if l.top > BOTTOM)
                dashes.append((ink.dash_middle(n, foot.chars[0]) - BOTTOM) / MM)
            measured[pdf_path.name] = {"pages": len(pages), "empty": empty, "continues": continues, "dashes": dashes,
                                       "lines": [[l.text for l in ls] for ls in lines], "lint": lint_pdf(pdf_path)}
    return measured


def _slips(month, mark: str) -> list[dict]:
    docs = [(int(re.search(r"〕(\d+)号", name).group(1)), m) for name, m in month.items()
            if mark in name and not any("督察问题" in t for t in m["lines"][0])]
    return [m for _, m in sorted(docs, key=lambda d: d[0])]


def test_slips_grow_one_page_first_and_never_leave_a_page_short(month):
    for mark in ("交〔", "催〔"):
        slips = _slips(month, mark)
        counts = [m["pages"] for m in slips]
        assert counts == sorted(counts), f"{mark}: pages {counts} should not shrink as the text grows"
        assert counts[:3] == [1, 1, 1], f"{mark}: up to ~20 lines a slip is one page ({counts})"
        assert counts[-1] >= 2, f"{mark}: the longest slips should need a second page ({counts})"
        for m in slips:
            for n in range(m["pages"] - 1):
                if m["continues"][n + 1]:
                    assert m["empty"][n] <= L.FILL_EMPTY_LINES + 0.3, f"{mark}: page {n + 1} has {m['empty'][n]:.1f} empty lines"


def test_the_first_slip_that_runs_over_is_tightened_onto_one_page(month):
    """7 requirement lines overflowed the page by about a line before tightening (measured)."""
    for mark in ("交〔", "催〔"):
        slips = _slips(month, mark)
        assert slips[2]["pages"] == 1
        assert any("签收人" in t for t in slips[2]["lines"][0][-3:])


def test_finding_urging_slips_keep_two_findings_on_one_page(month):
    slips = [m for name, m in month.items() if "催〔" in name and any("督察问题整改催办单" in t for t in m["lines"][0])]
    by_findings = sorted(slips, key=lambda m: sum(t.startswith("F") for ls in m["lines"] for t in ls))
    assert len(by_findings) == len(FINDINGS)
    assert [m["pages"] for m in by_findings[:2]] == [1, 1]
    for m in by_findings:
        for n in range(m["pages"] - 1):
            if m["continues"][n + 1]:
                assert m["empty"][n] <= L.FILL_EMPTY_LINES + 0.3


def test_every_page_number_dash_is_7_mm_below_the_text_block(month):
    dashes = [d for m in month.values() for d in m["dashes"]]
    assert len(dashes) >= 40
    assert all(abs(d - 7) < 0.5 for d in dashes), sorted(dashes)[:3] + sorted(dashes)[-3:]


def test_every_document_passes_lint(month):
    for name, m in month.items():
        assert m["lint"] == [], name


DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
DOC_NO = re.compile(r"淄改办[发交催]〔2026〕\d+号")
DAYS = re.compile(r"\d+天")


def test_no_date_number_or_doc_number_in_a_table_is_broken_over_two_lines(month):
    tables = [m for m in month.values() if any("整改时限" in t for ls in m["lines"] for t in ls)]
    assert len(tables) == len(FINDINGS) + 1
    for m in tables:
        for ls in m["lines"]:
            joined = "\n".join(ls)
            for pattern in (DATE, DOC_NO, DAYS):
                whole = len(pattern.findall(joined.replace("\n", "")))
                assert len(pattern.findall(joined)) == whole, f"a {pattern.pattern} is broken over two lines: {ls}"
