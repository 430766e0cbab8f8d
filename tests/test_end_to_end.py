"""The monthly run on the sample office, end to end, with the real templates and LibreOffice."""

import json
import re
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
import yaml
from docx import Document
from pypdf import PdfReader

from conftest import run, run_in

EXPECTED = yaml.safe_load((Path(__file__).parent / "sample_expectations.yaml").read_text(encoding="utf-8"))
DATE_RE = re.compile(r"\d{4}年[1-9]\d?月[1-9]\d?日")


@pytest.fixture(scope="module")
def month(sample_month):
    return sample_month


def docx_text(path: Path) -> str:
    doc = Document(path)
    return "\n".join(p.text for p in doc.paragraphs if p.text)


SLIPS = ("reminder", "assignment", "urging", "order")


def test_documents_the_rules_call_for(month):
    _, _, manifest, output = month
    docs = [d for d in manifest["documents"] if d["kind"] in SLIPS]
    got = {(d["kind"], d["task_id"]) for d in docs}
    want = {(kind, task_id) for task_id, t in EXPECTED["tasks"].items() for kind in t["slips"]}
    assert got == want
    assert len(docs) == EXPECTED["counts"]["total"] == 16
    assert "提示单 3" in output and "交办单 4" in output and "催办单 7" in output and "责令书 2" in output


def _sample_findings():
    """The sample's findings and the notices of the paper register, read straight from the files."""
    import csv
    import datetime as dt

    ws = openpyxl.load_workbook(Path(__file__).parents[1] / "data" / "findings.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    findings = [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]
    with open(Path(__file__).parents[1] / "data" / "history.csv", encoding="utf-8-sig") as fh:
        notified = {fid for r in csv.DictReader(fh) if r["文种"] == "整改通知" for fid in r["事项编号"].split("、")}
    as_of = dt.datetime(2026, 11, 28)
    return findings, notified, as_of


def test_findings_documents(month):
    _, _, manifest, _ = month
    findings, notified, as_of = _sample_findings()
    new = {f["编号"] for f in findings if f["编号"] not in notified and f["督察日期"] <= as_of}
    notices = [d for d in manifest["documents"] if d["kind"] == "rectification"]
    assert {fid for d in notices for fid in d["finding_ids"]} == new == {"DC2026-3-19", "DC2026-3-20"}
    assert all(d["title"] == "关于2026年第三轮改革专项督察反馈问题（补充）整改的通知" for d in notices)
    late = {f["编号"] for f in findings if f["编号"] in notified and f["整改时限"] < as_of
            and not (f["整改状态"] in ("已整改", "已销账") and f["整改完成日期"] <= as_of)}
    urgings = [d for d in manifest["documents"] if d["kind"] == "finding_urging"]
    assert {fid for d in urgings for fid in d["finding_ids"]} == late
    assert len({d["recipient"] for d in urgings}) == len(urgings), "one finding urging per unit"
    assert "DC2026-3-04" not in late  # due today is not late
    assert all(d["doc_no"].startswith("淄改办催") for d in urgings)  # the urging series


def test_rectification_ledger(month):
    _, out, manifest, _ = month
    findings, _, _ = _sample_findings()
    ws = openpyxl.load_workbook(out / "整改台账.xlsx").active
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert len(rows) == len(findings)
    by_doc = {fid: d["doc_no"] for d in manifest["documents"] for fid in d["finding_ids"]}
    for fid, doc_no in by_doc.items():
        assert doc_no in rows[fid][10]
    assert rows["DC2026-3-02"][9] == 1  # due 11-27, one day overdue as of 11-28
    assert ws.column_dimensions["E"].width >= 30 and ws.cell(3, 5).alignment.wrap_text


def test_numbers_continue_the_paper_register(month):
    _, _, manifest, _ = month
    by_task = {(d["kind"], d["task_id"]): d for d in manifest["documents"]}
    for kind, rows in EXPECTED["numbers"].items():
        for row in rows:
            doc = by_task[(kind, row["task"])]
            assert doc["doc_no"] == row["doc_no"]
            assert doc["recipient"] == row["unit"]


def test_each_docx_has_its_number_unit_and_dates(month):
    _, out, manifest, _ = month
    for d in manifest["documents"]:
        text = docx_text(out / d["docx"])
        assert d["doc_no"] in text
        assert f"{d['recipient']}：" in text
        assert "2026年11月28日" in text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "dates must print as 2026年11月24日"
        for found in re.findall(r"\d{4}年\d+月\d+日", text):
            assert DATE_RE.fullmatch(found), found
        assert "{{" not in text and "{%" not in text


def test_slip_facts(month):
    _, out, manifest, _ = month
    by_task = {(d["kind"], d["task_id"]): d for d in manifest["documents"]}
    order = docx_text(out / by_task[("order", "2026-026")]["docx"])
    assert "2026年12月13日前完成" in order
    assert "淄改办催〔2026〕7号" in order  # the urging it follows (from the paper register)
    assert "在全市范围内通报" in order and "约谈单位主要负责人" in order
    urging = docx_text(out / by_task[("urging", "2026-040")]["docx"])
    assert "淄改办交〔2026〕41号" in urging  # the assignment made in the same run
    assert "距完成时限还有7天" in urging
    reminder = docx_text(out / by_task[("reminder", "2026-036")]["docx"])
    assert "2026年12月8日前" in reminder


def test_partners_are_copied_not_sent(month):
    _, _, manifest, _ = month
    slips = [d for d in manifest["documents"] if d["kind"] in SLIPS]
    assert len({(d["task_id"], d["kind"]) for d in slips}) == len(slips)  # one slip per task and kind
    with_cc = [d for d in slips if d["cc"]]
    assert with_cc, "the sample has tasks with partner units"
    for d in with_cc:
        assert d["recipient"] not in d["cc"]


def test_pdfs_are_a4_and_carry_the_same(month):
    _, out, manifest, _ = month
    for d in manifest["documents"]:
        with pdfplumber.open(out / d["pdf"]) as pdf:
            assert len(pdf.pages) == d["pages"]
            page = pdf.pages[0]
            assert abs(page.width - 595.3) < 1 and abs(page.height - 841.9) < 1
            text = "".join(p.extract_text() or "" for p in pdf.pages).replace(" ", "").replace("\n", "")
        assert d["doc_no"] in text
        assert "2026年11月28日" in text


def test_print_bundle(month):
    _, out, manifest, _ = month
    reader = PdfReader(out / "打印合集.pdf")
    pages = sum(d["pages"] + d["pages"] % 2 for d in manifest["documents"])
    assert len(reader.pages) == pages
    titles = [o.title for o in reader.outline]
    assert titles == [f"{d['doc_no']} {d['recipient']}" for d in manifest["documents"]]
    starts = [reader.get_destination_page_number(o) for o in reader.outline]
    assert all(s % 2 == 0 for s in starts), "every document starts on an odd (front) page"


def test_register_sheet_and_manifest_agree_with_files(month):
    project, out, manifest, _ = month
    ws = openpyxl.load_workbook(out / "用印登记表.xlsx").active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] is not None]
    assert [r[1] for r in rows] == [d["doc_no"] for d in manifest["documents"]]
    assert [r[6] for r in rows] == [d["pages"] for d in manifest["documents"]]
    files = sorted(p.name for p in (out / "docx").iterdir())
    assert files == sorted(Path(d["docx"]).name for d in manifest["documents"])
    assert sorted(p.name for p in (out / "pdf").iterdir()) == sorted(Path(d["pdf"]).name for d in manifest["documents"])
    left = [p for p in (project / "out").iterdir() if p.name.startswith(".") and p.name != ".cache"]  # the cache stays
    assert not left, "no partial folder left"


def test_rerun_gives_the_same_numbers_and_takes_none(month):
    import sqlite3

    project, out, manifest, _ = month
    db = project / "data" / "register.sqlite"
    count = sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0]
    result = run_in(project, "--out", "out-again", "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    again_out = project / "out-again" / "2026-11"
    again = json.loads((again_out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["doc_no"] for d in again["documents"]] == [d["doc_no"] for d in manifest["documents"]]
    assert sqlite3.connect(db).execute("SELECT count(*) FROM documents").fetchone()[0] == count
    for a, b in zip(manifest["documents"], again["documents"]):
        assert docx_text(again_out / b["docx"]) == docx_text(out / a["docx"])


def _sample_scores(month: str = "2026-11"):
    ws = openpyxl.load_workbook(Path(__file__).parents[1] / "data" / "scores" / f"{month}.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def test_ranking_bulletin_tables_read_back(month):
    _, out, manifest, _ = month
    [bulletin] = [d for d in manifest["documents"] if d["kind"] == "ranking"]
    assert bulletin["title"] == "关于2026年11月份全市全面深化改革工作排名情况的通报"
    assert bulletin["doc_no"].startswith("淄改办发〔2026〕")
    doc = Document(out / bulletin["docx"])
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "名次"]
    assert len(tables) == 2  # 区县, 专项小组
    counties = [[c.text for c in row.cells] for row in tables[0].rows[1:]]
    header = [c.text for c in tables[0].rows[0].cells]
    assert header == ["名次", "单位", "改革任务推进(40)", "督察整改(30)", "改革宣传(15)", "创新探索(15)", "总分", "较上月", "年度累计"]
    # independent check against the score file: totals descending, equal totals share a rank (1, 2, 3, 3, 5)
    totals = {r["单位"]: r["总分"] for r in _sample_scores()}
    got = [(int(r[0]), r[1].lstrip("★▲"), float(r[6])) for r in counties]
    assert [t for _, _, t in got] == sorted((t for _, _, t in got), reverse=True)
    for rank, unit, total in got:
        assert rank == 1 + sum(1 for _, _, t in got if t > total)
        assert any(abs(float(v) - total) < 0.001 for k, v in totals.items() if unit in k or k in unit)
    assert [r[0] for r in counties][:5] == ["1", "2", "3", "3", "5"]
    assert counties[0][1].startswith("★") and counties[-1][1].startswith("▲")
    assert all(re.fullmatch(r"\d+\.\d\d", r[6]) and re.fullmatch(r"\d+\.\d\d", r[8]) for r in counties)
    assert {r[7] for r in counties} <= {"持平", "新"} | {f"{a}{n}" for a in "↑↓" for n in range(1, 20)}


def test_ranking_chart_in_docx_and_pdf(month):
    _, out, manifest, _ = month
    [bulletin] = [d for d in manifest["documents"] if d["kind"] == "ranking"]
    assert len(Document(out / bulletin["docx"]).inline_shapes) == 2
    with pdfplumber.open(out / bulletin["pdf"]) as pdf:
        images = [im for p in pdf.pages for im in p.images]
        assert len(images) == 2
        for im in images:
            dpi = im["srcsize"][0] / ((im["x1"] - im["x0"]) / 72)
            assert dpi >= 290, dpi  # sharp when printed
    ws = openpyxl.load_workbook(out / "排名表.xlsx")
    assert ws.sheetnames == ["区县", "专项小组"]
    assert ws["区县"]["B3"].value == "张店区" and ws["区县"]["A3"].value == 1


def test_no_scores_no_bulletin(tiny):
    result = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0
    assert "no scores file for 2026-11" in result.output and "no ranking bulletin" in result.output
    manifest = json.loads((tiny / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    assert not [d for d in manifest["documents"] if d["kind"] == "ranking"]
