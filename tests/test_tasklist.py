"""The year's task list (年度任务分工) and 目标责任书: a 200-task year made once with the real
templates and LibreOffice, then measured in the PDFs (pdfplumber)."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from pathlib import Path

import pdfplumber
import pytest

from pipeline.config import load_config, principal_of
from pipeline.model import Task, TaskStatus, Unit
from pipeline.output.lint import lint_pdf
from pipeline.periodic.tasklist import grouped, tasklist, year_tasks

from conftest import run_in, write_csv

MM = 72 / 25.4
HEADER = ["序号", "改革事项", "牵头单位", "配合单位", "完成时限", "成果形式"]
GROUPS = [("市委经济体制改革专项小组", "经济改革专项小组"), ("市委民主法制领域改革专项小组", "民主法制专项小组"),
          ("市委社会体制改革专项小组", "社会改革专项小组")]
IDLE = "市委社会体制改革专项小组"  # leads only a 2026 task: no 责任书 for 2027
UNITS = [["单位名称", "简称", "类别", "排序"],
         ["张店区委改革办", "张店区", "区县", "1"], ["淄川区委改革办", "淄川区", "区县", "2"], ["博山区委改革办", "博山区", "区县", "3"],
         ["淄博市财政局", "市财政局", "市直部门", "4"], ["淄博市发展和改革委员会", "市发展改革委", "市直部门", "5"],
         *[[name, short, "专项小组", str(6 + i)] for i, (name, short) in enumerate(GROUPS)]]
LEADS = ["张店区", "淄川区", "博山区", "市财政局", "市发展改革委", "经济改革专项小组", "民主法制专项小组"]
CONFIG = """office:
  name: 中共淄博市委全面深化改革委员会办公室
  short: 淄博市委改革办
  prefix: 淄改办
  cc: [市委办公室]
"""


def _title(i: int) -> str:
    long = "，完善配套制度，健全工作机制，形成可复制可推广的经验" if i % 5 == 0 else ""
    return f"第{i}项改革任务：深化重点领域改革{long}"


def _tasks() -> list[list[str]]:
    rows = [["编号", "改革事项", "牵头单位", "配合单位", "交办日期", "完成时限", "状态", "成果形式"]]
    for i in range(1, 201):
        lead = LEADS[i % len(LEADS)]
        partners = "市财政局、张店区" if i % 3 == 0 else ""
        month = 1 + i % 12
        assigned, due = ("2027-01-20", f"2027-{month:02d}-28") if i % 10 else ("2026-12-01", f"2027-{month:02d}-28")
        rows.append([f"2027-{i:03d}", _title(i), lead, partners, assigned, due, "未启动", "制度文件" if i % 4 else ""])
    rows.append(["2027-201", "第201项改革任务：交办在本年、完成在次年", "张店区", "", "2027-11-01", "2028-06-30", "未启动", ""])
    rows.append(["2026-900", "上一年度的任务", "社会改革专项小组", "", "2026-03-01", "2026-12-31", "推进中", ""])
    return rows


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    project = tmp_path_factory.mktemp("year")
    (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_csv(project / "data" / "units.csv", UNITS)
    write_csv(project / "data" / "tasks.csv", _tasks())
    config = load_config(project / "config.yaml")
    summary = tasklist(config, 2027, dt.date(2027, 1, 20), jobs=2)
    out = summary.out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    notice = next(d for d in manifest["documents"] if d["kind"] == "tasklist_notice")
    with pdfplumber.open(out / notice["pdf"]) as pdf:
        pages = [_measure(p) for p in pdf.pages]
    return {"project": project, "config": config, "out": out, "manifest": manifest, "notice": notice, "pages": pages}


def _measure(page) -> dict:
    """What the tests read from one page, so the PDF is parsed once."""
    chars = [c for c in page.chars if c["text"].strip()]
    return {
        "width": page.width, "height": page.height,
        "upright": [c for c in chars if c["upright"]],
        "turned": sorted((c for c in chars if not c["upright"]), key=lambda c: c["top"]),
        "tables": page.extract_tables(),
        "rects": [(r["top"], r["bottom"]) for r in page.rects + page.lines],
    }


def _landscape(p: dict) -> bool:
    return p["width"] > p["height"]


def _expected_order() -> list[str]:
    """The task titles in table order: by the lead's category (区县, 市直部门, 专项小组), unit order, deadline."""
    order = {short: i for i, short in enumerate(u[1] for u in UNITS[1:])}
    rows = [r for r in _tasks()[1:] if r[0] != "2026-900"]
    return [r[1] for r in sorted(rows, key=lambda r: (order[r[2]], r[5], r[0]))]


def test_pages_are_portrait_then_landscape_for_the_table_then_portrait(year):
    kinds = ["L" if _landscape(p) else "P" for p in year["pages"]]
    text = "".join(kinds)
    assert re.fullmatch(r"P+L+P+", text), text
    for p in year["pages"]:
        assert round(min(p["width"], p["height"]) / MM) == 210 and round(max(p["width"], p["height"]) / MM) == 297
        if p["tables"] and p["tables"][0] and p["tables"][0][0] == HEADER:
            assert _landscape(p)  # every table page is landscape
    assert year["notice"]["pages"] == len(year["pages"])


def test_table_head_faces_the_sheets_left_edge_and_repeats_on_every_page(year):
    table_pages = [p for p in year["pages"] if _landscape(p)]
    assert len(table_pages) >= 8
    for p in table_pages:
        [table] = p["tables"]
        assert table[0] == HEADER  # the head repeated, first row on every page
        head = [c for c in p["upright"] if c["text"] in "序号" and c["x0"] < 60 * MM]
        body_top = min(t for t, _ in p["rects"])
        # upright on the landscape page: its top is the sheet's left edge when held portrait
        assert head and all(tuple(round(v, 2) for v in c["matrix"][:4]) == (1, 0, 0, 1) for c in head)
        assert min(c["top"] for c in head) - body_top < 10 * MM
        assert body_top >= 28 * MM - 1


def test_every_task_once_in_order_and_no_row_split(year):
    titles = _expected_order()
    seen: list[int] = []
    groups = []
    for p in year["pages"]:
        if not _landscape(p):
            continue
        for row in p["tables"][0][1:]:
            cells = [(c or "").replace("\n", "").replace(" ", "") for c in row]
            if cells[0] and not cells[0].isdigit():  # a group's heading row (spans the table)
                groups.append(cells[0])
                assert row is not p["tables"][0][-1], f"{cells[0]} is the last row of its page"  # kept with its first task
                continue
            # a split row would leave a continuation without its 序号, or a title cut in two
            assert cells[0].isdigit(), row
            n = int(cells[0])
            assert cells[1] == titles[n - 1], (n, cells[1])
            seen.append(n)
    assert seen == list(range(1, len(titles) + 1))
    assert groups == ["一、区县（87项）", "二、市直部门（58项）", "三、专项小组（56项）"]


def test_page_numbers_run_on_and_turn_with_the_landscape_pages(year):
    from pipeline.output.lint import _Ink

    ink = _Ink(year["out"] / year["notice"]["pdf"])
    numbers, portrait_tops = [], []
    for i, p in enumerate(year["pages"], start=1):
        if _landscape(p):
            continue
        if not p["upright"] and not p["turned"]:  # a blank page (before the 版记): no page number
            assert i == len(year["pages"]) - 1
            continue
        chars = sorted((c for c in p["upright"] if c["top"] > 262 * MM), key=lambda c: c["x0"])
        text = "".join(c["text"] for c in chars)
        assert re.fullmatch(r"—\d+—", text), text
        portrait_tops.append(min(c["top"] for c in chars))
        assert abs(ink.dash_middle(i - 1, chars[0]) - 269 * MM) < 1 * MM  # the dash 7 mm below the text block
        edge = chars[-1]["x1"] if i % 2 else chars[0]["x0"]
        assert abs(edge - ((184 * MM - 14) if i % 2 else (28 * MM + 14))) < 1 * MM
        numbers.append((i, int(text.strip("—"))))
    portrait_top = statistics.median(portrait_tops)
    for i, p in enumerate(year["pages"], start=1):
        if not _landscape(p):
            continue
        chars = [c for c in p["turned"] if c["x1"] < 35 * MM]
        text = "".join(c["text"] for c in chars)
        assert re.fullmatch(r"—\d+—", text), text
        # turned a quarter clockwise: reading top to bottom, glyph tops towards the right
        assert all(tuple(round(v, 2) for v in c["matrix"][:4]) == (0, -1, 1, 0) for c in chars)
        # where the portrait number is when the sheet is turned back: its box, and its dash 7 mm from the text block
        assert abs(max(c["x1"] for c in chars) - (297 * MM - portrait_top)) < 0.5 * MM
        assert abs(35 * MM - ink.turned_dash_middle(i - 1, chars[0]) - 7 * MM) < 1 * MM
        if i % 2:  # odd: near the bottom, one character above the text block's bottom edge
            assert abs(chars[-1]["bottom"] - (184 * MM - 14)) < 1 * MM
        else:  # even: near the top, one character below the text block's top edge
            assert abs(chars[0]["top"] - (28 * MM + 14)) < 1 * MM
        numbers.append((i, int(text.strip("—"))))
    numbers.sort()
    assert [n for _, n in numbers] == [i for i, _ in numbers]  # 1, 2, 3 … on through the landscape pages
    blank = [i for i, p in enumerate(year["pages"], start=1) if not p["upright"] and not p["turned"]]
    assert [i for i, _ in numbers] == [i for i in range(1, len(year["pages"]) + 1) if i not in blank]  # every other page numbered
    assert any(_landscape(year["pages"][i - 1]) and i % 2 for i, _ in numbers)
    assert any(_landscape(year["pages"][i - 1]) and not i % 2 for i, _ in numbers)


def test_notice_and_pledges_pass_lint(year):
    for doc in year["manifest"]["documents"]:
        assert lint_pdf(year["out"] / doc["pdf"]) == [], doc["doc_no"]


def test_a_group_without_a_task_of_the_year_gets_no_pledge(year):
    pledges = [d for d in year["manifest"]["documents"] if d["kind"] == "pledge"]
    assert [d["recipient"] for d in pledges] == ["市委经济体制改革专项小组", "市委民主法制领域改革专项小组"]
    assert [d["doc_no"] for d in pledges] == ["淄改办责书〔2027〕1号", "淄改办责书〔2027〕2号"]
    assert IDLE not in json.dumps(year["manifest"], ensure_ascii=False)


def test_pledge_signature_blocks_side_by_side_with_blank_dates(year):
    pledge = next(d for d in year["manifest"]["documents"] if d["kind"] == "pledge")
    with pdfplumber.open(year["out"] / pledge["pdf"]) as pdf:
        first = pdf.pages[0].extract_text()
        last = pdf.pages[-1]
        words = last.extract_words()
        text = last.extract_text()
    assert "编号：淄改办责书〔2027〕1号" in first.replace(" ", "")
    assert "2027年度全面深化改革目标责任书" in first.replace(" ", "")
    assert "甲方：中共淄博市委全面深化改革委员会" in first.replace(" ", "")
    assert "乙方：市委经济体制改革专项小组" in first.replace(" ", "")
    seals = [w for w in words if w["text"].startswith(("甲方（盖章）", "乙方（盖章）"))]
    assert len(seals) == 2 and abs(seals[0]["top"] - seals[1]["top"]) < 1
    assert seals[0]["text"].startswith("甲方") and seals[0]["x0"] < 100 * MM < seals[1]["x0"]
    dates = [line for line in text.splitlines() if "月" in line and "日" in line and "年" in line]
    assert dates and not re.search(r"\d", dates[-1])  # written in by hand
    assert text.replace(" ", "").count("负责人（签字）") == 2


def test_bundle_has_two_copies_of_each_pledge_and_the_register_sheet_lists_all(year):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    docs = year["manifest"]["documents"]
    even = lambda n: n + n % 2  # noqa: E731  (each document starts on an odd page)
    expected = sum(even(d["pages"]) * (2 if d["kind"] == "pledge" else 1) for d in docs)
    reader = PdfReader(year["out"] / "打印合集.pdf")
    assert len(reader.pages) == expected
    marks = [o.title for o in reader.outline]
    assert sum("（第1份）" in m for m in marks) == sum("（第2份）" in m for m in marks) == 2
    ws = load_workbook(year["out"] / "用印登记表.xlsx").active
    numbers = [row[1] for row in ws.iter_rows(min_row=3, values_only=True)]
    assert numbers == [d["doc_no"] for d in docs] == ["淄改办发〔2027〕1号", "淄改办责书〔2027〕1号", "淄改办责书〔2027〕2号"]


def test_a_rerun_keeps_the_same_numbers(year):
    result = run_in(year["project"], "tasklist", "--year", "2027", "--date", "2027-01-25", "--no-pdf")
    assert result.exit_code == 0, result.output
    again = json.loads((year["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert [d["doc_no"] for d in again["documents"]] == [d["doc_no"] for d in year["manifest"]["documents"]]


# ---------------------------------------------------------------------------- without LibreOffice

def _task(i: str, lead: Unit, assigned=None, due=None) -> Task:
    return Task(i, f"任务{i}", lead, TaskStatus.NOT_STARTED, assigned=assigned, due=due)


def test_the_years_tasks_by_deadline_or_assignment():
    u = Unit("张店区委改革办", "张店区", "区县", 1)
    tasks = [_task("a", u, dt.date(2026, 12, 1), dt.date(2027, 3, 1)), _task("b", u, dt.date(2027, 11, 1), dt.date(2028, 6, 30)),
             _task("c", u, dt.date(2026, 3, 1), dt.date(2026, 12, 31)), _task("d", u), _task("e", u, None, dt.date(2027, 1, 1))]
    assert [t.id for t in year_tasks(tasks, 2027)] == ["a", "b", "e"]


def test_groups_follow_the_configured_categories_and_number_on():
    a = Unit("甲专项小组", "甲组", "专项小组", 9)
    b = Unit("张店区委改革办", "张店区", "区县", 1)
    c = Unit("新单位", "新单位", "自设类别", 2)
    tasks = [_task("1", a, due=dt.date(2027, 5, 1)), _task("2", b, due=dt.date(2027, 6, 1)), _task("3", c, due=dt.date(2027, 1, 1)),
             _task("4", b, due=dt.date(2027, 2, 1))]
    groups = grouped(tasks, ["区县", "市直部门", "专项小组", "其他"])
    assert [g["heading"] for g in groups] == ["一、区县（2项）", "二、专项小组（1项）", "三、自设类别（1项）"]
    assert [[r["id"] for r in g["tasks"]] for g in groups] == [["4", "2"], ["1"], ["3"]]
    assert [r["n"] for g in groups for r in g["tasks"]] == [1, 2, 3, 4]
    assert groups[0]["tasks"][0]["deliverable"] == ""


def test_principal_from_the_office_name():
    assert principal_of("中共淄博市委全面深化改革委员会办公室") == "中共淄博市委全面深化改革委员会"
    assert principal_of("中共桓台县委全面深化改革委员会办公室") == "中共桓台县委全面深化改革委员会"
    assert principal_of("某某改革委员会") == "某某改革委员会"


def test_a_year_without_tasks_is_bad_input_and_writes_nothing(tiny):
    result = run_in(tiny, "tasklist", "--year", "2031", "--no-pdf")
    assert result.exit_code == 2
    assert "no task of 2031" in result.output
    assert not (tiny / "out").exists() and not (tiny / "data" / "register.sqlite").exists()


def test_the_sample_office_year_with_a_blank_unnumbered_page_before_the_colophon(tmp_path):
    """The sample office's 2027: its table ends on an even page, so the 版记 goes on the back of the
    next sheet, and the blank page before it carries no number (GB/T 9704 §7.5)."""
    from conftest import copy_sample

    project = copy_sample(tmp_path / "office")
    result = run_in(project, "tasklist", "--year", "2027", "--date", "2027-01-20")
    assert result.exit_code == 0, result.output
    out = project / "out" / "tasklist-2027"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    docs = manifest["documents"]
    assert [d["recipient"] for d in docs if d["kind"] == "pledge"] == [
        "市委全面深化改革委员会经济体制和生态文明体制改革专项小组", "市委全面深化改革委员会民主法制领域改革专项小组",
        "市委全面深化改革委员会文化体制改革专项小组", "市委全面深化改革委员会社会体制改革专项小组"]
    for d in docs:
        assert lint_pdf(out / d["pdf"]) == [], d["doc_no"]
    with pdfplumber.open(out / docs[0]["pdf"]) as pdf:
        pages = pdf.pages
        assert pages[-3].width > pages[-3].height and (len(pages) - 2) % 2 == 0  # the table ends on an even page
        assert pages[-2].chars == []  # blank, not even a page number
        last = "".join(c["text"] for c in pages[-1].chars)
        assert f"—{len(pages)}—" in last.replace(" ", "") and "印发" in last


def test_turned_page_numbers_in_place_when_the_landscape_part_starts_on_an_even_page(tmp_path):
    """LibreOffice drops a footer shape's offsets on a page style first used on an even page: the
    box is aligned to the page's corner instead, so the numbers land in place whichever page the
    landscape part starts on (here page 2, even)."""
    import importlib.util

    from docx.enum.section import WD_SECTION

    from pipeline.documents import layout as L
    from pipeline.documents.docxbase import landscape_page_number_footer, landscape_setup
    from pipeline.output.convert import convert_all

    spec = importlib.util.spec_from_file_location("build_templates", Path(__file__).resolve().parents[1] / "tools" / "build_templates.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    base_document, para = builder.base_document, builder.para

    doc = base_document()
    para(doc, L.S_BODY, "正文。")
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    landscape_setup(section)
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    landscape_page_number_footer(section.footer, "right", 9001)
    landscape_page_number_footer(section.even_page_footer, "left", 9002)
    for i in range(60):
        para(doc, L.S_PLAIN, f"第{i + 1}行")
    doc.save(tmp_path / "turned.docx")
    [pdf_path] = convert_all([tmp_path / "turned.docx"], tmp_path, 1)
    with pdfplumber.open(pdf_path) as pdf:
        pages = pdf.pages[1:]
        assert len(pages) >= 3 and all(p.width > p.height for p in pages)
        for i, page in enumerate(pages, start=2):
            chars = sorted((c for c in page.chars if not c["upright"]), key=lambda c: c["top"])
            assert "".join(c["text"] for c in chars).replace(" ", "") == f"—{i}—"
            assert abs(max(c["x1"] for c in chars) - 31.6 * MM) < 0.5 * MM
            if i % 2:
                assert abs(chars[-1]["bottom"] - (184 * MM - 14)) < 1 * MM
            else:
                assert abs(chars[0]["top"] - (28 * MM + 14)) < 1 * MM
