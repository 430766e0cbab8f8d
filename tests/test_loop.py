"""The month's 调度表 out (dispatch) and back into the ledger (collect), on real files.

The units' replies are filled in with openpyxl, as a unit's Excel would; one file goes through
LibreOffice (open and save again), as a unit using WPS or LibreOffice returns it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import psycopg
import pytest
import yaml

from conftest import ROOT, copy_sample, run_in
from pipeline import plan
from pipeline.config import load_config
from pipeline.errors import BadInput
from pipeline.loop import sheet as layout
from pipeline.loop.collect import collect
from pipeline.loop.dispatch import dispatch
from pipeline.model import Kind
from pipeline.output.convert import soffice_env, soffice_path
from pipeline.register.store import AppliedReply, applied_replies, open_register, record_replies
from pipeline.sources import read_office
from test_register_pg import pg_server, pg_url  # noqa: F401  (fixtures: a fresh database on the test server)

MONTH, AS_OF, COLLECTED = "2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 4)
ZD = "调度表-2026-12-张店区.xlsx"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under folder (the data, the register, backups) by its content."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "replies" not in p.parts}


def cells(path: Path) -> dict[tuple[int, int], object]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}


def fill(path: Path, dest: Path, answers: dict[str, dict[str, dict[str, object]]]) -> Path:
    """Fill a 调度表 as a unit would: {sheet: {id: {header: value}}}; save it as dest."""
    wb = openpyxl.load_workbook(path)
    for sheet, rows in answers.items():
        ws = wb[sheet]
        head = {c.value: c.column for c in ws[layout.HEADER_ROW]}
        where = {ws.cell(r, 1).value: r for r in range(layout.FIRST_ROW, ws.max_row + 1)}
        for rid, values in rows.items():
            for header, value in values.items():
                ws.cell(where.get(rid, rid if isinstance(rid, int) else 0), head[header]).value = value
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


ZD_ANSWERS = {
    "改革任务": {
        "2026-040": {"本月进展": "自评估报告已报送省营商环境办", "状态": "已完成", "完成日期": dt.datetime(2026, 12, 2)},
        "2026-050": {"本月进展": "城市体检已启动"},
    },
    "整改问题": {
        "DC2026-3-09": {"整改进展": "评估办法已印发", "整改状态": "已整改", "整改完成日期": dt.datetime(2026, 11, 30),
                        "备注": "请安排复查"},
    },
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The sample office, its December 调度表 made once: (project, config, result)."""
    project = copy_sample(tmp_path_factory.mktemp("loop"))
    config = load_config(project / "config.yaml")
    result = dispatch(config, MONTH, AS_OF)
    return project, config, result


def fresh(tmp_path: Path, office) -> tuple[Path, object]:
    """A copy of the dispatched office for a test that changes the ledger."""
    project = tmp_path / "office"
    shutil.copytree(office[0], project)
    return project, load_config(project / "config.yaml")


# --------------------------------------------------------------------------- dispatch

def test_dispatch_makes_one_sheet_per_unit_with_its_open_rows(office):
    project, config, result = office
    out = project / "out" / f"dispatch-{MONTH}"
    assert result.out == out and result.reply_by == dt.date(2026, 12, 6)  # as-of + dispatch.reply_days
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["month"] == MONTH and manifest["as_of"] == "2026-12-01" and manifest["reply_by"] == "2026-12-06"
    assert [f["file"] for f in manifest["files"]] == [f for _, f, _, _ in result.files]
    assert sorted(p.name for p in out.iterdir()) == sorted([f["file"] for f in manifest["files"]] + ["manifest.json", "调度汇总.xlsx"])
    zd = next(f for f in manifest["files"] if f["unit"] == "张店区委改革办")
    # 026 overdue, 040 assigned 11-25, 050 assigned 11-06; 010 is 已销账; 036 is assigned only on 12-03
    assert zd["file"] == ZD and zd["tasks"] == ["2026-026", "2026-040", "2026-050"]
    # notified and open; DC2026-2-01/03 are closed, 3-08 rectified 11-24, 3-19 has no 整改通知 yet
    assert zd["findings"] == ["DC2026-2-02", "DC2026-3-09"]
    office_ = read_office(config)
    every = {t for f in manifest["files"] for t in f["tasks"]}
    expected = {t.id for t in office_.tasks if t.is_assigned(AS_OF) and not t.is_done(AS_OF)}
    assert every == expected
    units_with_rows = {t.lead.name for t in office_.tasks if t.id in expected}
    assert units_with_rows <= {f["unit"] for f in manifest["files"]}
    assert not (project / "data" / "register.sqlite").exists()  # a dispatch takes no number


def test_sheet_reads_back_locked_unlocked_validation_and_print_setup(office):
    project, config, _ = office
    wb = openpyxl.load_workbook(project / "out" / f"dispatch-{MONTH}" / ZD)
    assert wb.sheetnames == ["改革任务", "整改问题", layout.META_SHEET]
    assert wb[layout.META_SHEET].sheet_state == "veryHidden"
    ws = wb["改革任务"]
    assert "张店区委改革办" in ws["A2"].value and "2026年12月6日" in ws["A2"].value and "0533-1234567" in ws["A2"].value
    assert [c.value for c in ws[layout.HEADER_ROW]] == ["编号", "改革事项", "完成时限", "当前状态", "上次进展",
                                                       "本月进展", "状态", "完成日期", "备注"]
    for r in range(layout.FIRST_ROW, layout.FIRST_ROW + 3):
        for c in range(1, 6):
            assert ws.cell(r, c).protection.locked and ws.cell(r, c).fill.fgColor.rgb.endswith("E7E6E6")
        for c in range(6, 10):
            assert not ws.cell(r, c).protection.locked and ws.cell(r, c).fill.fill_type is None
    assert ws.cell(layout.FIRST_ROW, 3).value == dt.datetime(2026, 11, 18) and ws.cell(layout.FIRST_ROW, 3).is_date
    assert ws.protection.sheet and not ws.protection.password
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["G5:G7"].type == "list" and rules["G5:G7"].formula1 == '"未启动,推进中,已完成"'
    assert rules["H5:H7"].type == "date" and rules["H5:H7"].showErrorMessage
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$4:$4" or ws.print_title_rows == "4:4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    findings = wb["整改问题"]
    rules = {str(dv.sqref): dv for dv in findings.data_validations.dataValidation}
    assert rules["G5:G6"].formula1 == '"未整改,整改中,已整改"'
    meta = layout.Meta.from_rows(list(wb[layout.META_SHEET].iter_rows(values_only=True)))
    assert (meta.office, meta.unit, meta.month, meta.as_of) == (config.office.name, "张店区委改革办", MONTH, AS_OF)
    assert meta.tasks == ["2026-026", "2026-040", "2026-050"] and meta.findings == ["DC2026-2-02", "DC2026-3-09"]
    summary = openpyxl.load_workbook(project / "out" / f"dispatch-{MONTH}" / "调度汇总.xlsx")
    detail = list(summary["明细"].iter_rows(min_row=3, values_only=True))
    assert len(detail) == sum(len(t) + len(f) for _, _, t, f in office[2].files)


# --------------------------------------------------------------------------- collect

def test_round_trip_changes_exactly_the_replied_cells_and_the_next_run_sees_them(tmp_path, office):
    project, config = fresh(tmp_path, office)
    tasks_before, findings_before = cells(project / "data" / "tasks.xlsx"), cells(project / "data" / "findings.xlsx")
    reply = fill(project / "out" / f"dispatch-{MONTH}" / ZD, project / "回复" / "张店区.xlsx", ZD_ANSWERS)
    office_ = read_office(config)
    urged = {d.task.id for d in plan.decide(office_, office_.history, dt.date(2026, 12, 4), MONTH, config) if d.kind == Kind.URGING}
    assert "2026-040" in urged  # due 12-05: urged unless reported done

    before = fingerprint(project / "data")
    preview = run_in(project, "collect", "回复", "--as-of", "2026-12-04")
    assert preview.exit_code == 0, preview.output
    assert fingerprint(project / "data") == before  # without --apply nothing is written
    assert "2026-040 推进中 → 已完成（2026年12月2日）; 进展 updated" in preview.output
    assert "2026-050 进展 updated" in preview.output
    assert "DC2026-3-09 整改中 → 已整改（2026年11月30日）; 整改进展 updated; 单位备注 updated" in preview.output
    assert "not replied yet (18)" in preview.output and "淄川区委改革办" in preview.output

    applied = run_in(project, "collect", "回复", "--apply", "--as-of", "2026-12-04")
    assert applied.exit_code == 0, applied.output
    tasks_after, findings_after = cells(project / "data" / "tasks.xlsx"), cells(project / "data" / "findings.xlsx")
    changed = {k: (tasks_before.get(k), v) for k, v in tasks_after.items() if tasks_before.get(k) != v}
    assert set(tasks_before) - set(tasks_after) == set()
    row040 = next(r for (r, c), v in tasks_before.items() if c == 1 and v == "2026-040")
    row050 = next(r for (r, c), v in tasks_before.items() if c == 1 and v == "2026-050")
    assert changed == {
        (row040, 11): ("推进中", "已完成"),
        (row040, 12): (None, dt.datetime(2026, 12, 2)),
        (row040, 13): ("自评估报告初稿已形成", "12月：自评估报告已报送省营商环境办"),
        (row050, 13): (tasks_before.get((row050, 13)), "12月：城市体检已启动"),
    }
    row309 = next(r for (r, c), v in findings_before.items() if c == 1 and v == "DC2026-3-09")
    fchanged = {k: (findings_before.get(k), v) for k, v in findings_after.items() if findings_before.get(k) != v}
    assert fchanged == {
        (row309, 8): ("整改中", "已整改"), (row309, 9): (None, dt.datetime(2026, 11, 30)),
        (1, 11): (None, "整改进展"), (row309, 11): (None, "12月：评估办法已印发"),  # 整改进展 added: it was missing
        (1, 12): (None, "单位备注"), (row309, 12): (None, "请安排复查"),
    }
    backups = list((project / "data" / ".backup").iterdir())
    assert len(backups) == 1 and cells(backups[0] / "tasks.xlsx") == tasks_before
    wb = openpyxl.load_workbook(project / "data" / "tasks.xlsx")
    assert wb.worksheets[0].column_dimensions["B"].width == openpyxl.load_workbook(backups[0] / "tasks.xlsx").worksheets[0].column_dimensions["B"].width
    replies = applied_replies(open_register(config.register_url), MONTH)
    assert [(r.unit, r.sha256) for r in replies] == [("张店区委改革办", hashlib.sha256(reply.read_bytes()).hexdigest())]

    again = run_in(project, "collect", "回复", "--apply", "--as-of", "2026-12-04")
    assert again.exit_code == 0 and "it changes nothing again" in again.output and "nothing was changed" in again.output
    assert len(list((project / "data" / ".backup").iterdir())) == 1

    # the next 调度表 (dispatched again as of 12-04) starts from the replies
    again_out = dispatch(config, MONTH, dt.date(2026, 12, 4))
    zd = next(f for f in again_out.files if f[0] == "张店区委改革办")
    assert zd[2] == ["2026-026", "2026-050"] and zd[3] == ["DC2026-2-02"]  # 040 and DC2026-3-09 are done
    ws = openpyxl.load_workbook(again_out.out / zd[1])["改革任务"]
    assert [ws.cell(r, 5).value for r in (5, 6)][1] == "12月：城市体检已启动"

    monthly = run_in(project, "monthly", "--month", MONTH, "--as-of", "2026-12-04", "--no-pdf")
    assert monthly.exit_code == 0, monthly.output
    made = json.loads((project / "out" / MONTH / "manifest.json").read_text(encoding="utf-8"))["documents"]
    urged_now = {d["task_id"] for d in made if d["kind"] == "urging"}
    assert "2026-040" not in urged_now and urged - {"2026-040"} <= urged_now


def test_a_second_different_reply_is_applied_over_the_first(tmp_path, office):
    project, config = fresh(tmp_path, office)
    src = project / "out" / f"dispatch-{MONTH}" / ZD
    fill(src, project / "r1" / "a.xlsx", {"改革任务": {"2026-050": {"本月进展": "城市体检已启动"}}})
    assert collect(config, [project / "r1"], apply=True, as_of=COLLECTED).applied
    fill(src, project / "r2" / "b.xlsx", {"改革任务": {"2026-050": {"本月进展": "城市体检已完成外业调查"}}})
    result = collect(config, [project / "r2"], apply=True, as_of=COLLECTED)
    assert any("applied over it" in n for n in result.units[0].notes)
    assert result.units[0].changes == ["2026-050 进展 updated"]
    assert next(t for t in read_office(config).tasks if t.id == "2026-050").progress == "12月：城市体检已完成外业调查"


def _soffice_save(src: Path, outdir: Path) -> Path:
    """Open src in LibreOffice Calc and save it again as .xlsx (as a unit using WPS/LibreOffice would)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice_path(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                        "--outdir", str(outdir), str(src)], env=soffice_env(), check=True, capture_output=True, timeout=180)
    out = outdir / src.name
    assert out.is_file()
    return out


@pytest.mark.slow
@pytest.mark.skipif(soffice_path() is None, reason="needs LibreOffice")
def test_a_sheet_saved_again_by_libreoffice_is_recognised_and_applied(tmp_path, office):
    project, config = fresh(tmp_path, office)
    filled = fill(project / "out" / f"dispatch-{MONTH}" / ZD, tmp_path / "filled" / "renamed by the unit.xlsx", ZD_ANSWERS)
    saved = _soffice_save(filled, tmp_path / "lo")
    assert hashlib.sha256(saved.read_bytes()).digest() != hashlib.sha256(filled.read_bytes()).digest()
    result = collect(config, [saved], apply=True, as_of=COLLECTED)
    assert [u.name for u in result.units] == ["张店区委改革办"]
    assert result.units[0].changes == [
        "2026-040 推进中 → 已完成（2026年12月2日）; 进展 updated", "2026-050 进展 updated",
        "DC2026-3-09 整改中 → 已整改（2026年11月30日）; 整改进展 updated; 单位备注 updated"]
    t040 = next(t for t in read_office(config).tasks if t.id == "2026-040")
    assert t040.status.value == "已完成" and t040.done == dt.date(2026, 12, 2)


def test_every_bad_reply_is_reported_at_its_cell_and_nothing_changes(tmp_path, office):
    project, config = fresh(tmp_path, office)
    out = project / "out" / f"dispatch-{MONTH}"
    bad = fill(out / ZD, project / "in" / "zd.xlsx", {
        "改革任务": {
            "2026-026": {"本月进展": "编号被改"},                               # row 5: its 编号 overwritten below
            "2026-040": {"状态": "已完成", "完成日期": "下周"},                 # row 6: not a date
            "2026-050": {"状态": "已完成"},                                     # row 7: 已完成 without a date
            8: {"本月进展": "多写的一行"},                                       # row 8: no 编号
        },
        "整改问题": {
            "DC2026-2-02": {"整改状态": "已整改", "整改完成日期": dt.datetime(2026, 12, 20)},  # row 5: after the as-of date
            "DC2026-3-09": {"整改状态": "已整改", "整改完成日期": dt.datetime(2026, 10, 1)},   # row 6: before the inspection
        },
    })
    wb = openpyxl.load_workbook(bad)
    wb["改革任务"]["A5"].value = "2026-001"  # a task of another unit, the 编号 overwritten
    wb.save(bad)
    fill(out / ZD, project / "in" / "zd-again.xlsx", {"改革任务": {"2026-050": {"本月进展": "第二份"}}})  # answered twice
    fill(out / "调度表-2026-12-淄川区.xlsx", project / "in" / "zc.xlsx", {"改革任务": {"2026-024": {"状态": "基本完成"}}})
    shutil.copy(out / "调度表-2026-12-淄川区.xlsx", project / "in" / "other-office.xlsx")
    wb = openpyxl.load_workbook(project / "in" / "other-office.xlsx")
    wb[layout.META_SHEET]["B2"].value = "中共桓台县委全面深化改革委员会办公室"
    wb.save(project / "in" / "other-office.xlsx")
    shutil.copy(out / "调度表-2026-12-博山区.xlsx", project / "in" / "november.xlsx")
    wb = openpyxl.load_workbook(project / "in" / "november.xlsx")
    wb[layout.META_SHEET]["B5"].value = "2026-11"
    wb.save(project / "in" / "november.xlsx")
    (project / "in" / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0not really")
    before = fingerprint(project / "data")
    result = run_in(project, "collect", "in", "--apply", "--as-of", "2026-12-04")
    assert result.exit_code == 2
    lines = [line.strip() for line in result.output.splitlines()[1:]]
    expected = [
        'in/old.xls: is an old-format workbook (.xls); open it in Excel or WPS, save it as Excel 工作簿 (.xlsx) and collect that file',
        'in/november.xlsx: is the 调度表 of 2026-11, not of 2026-12',
        'in/other-office.xlsx: is a 调度表 of 中共桓台县委全面深化改革委员会办公室, not of 中共淄博市委全面深化改革委员会办公室',
        'in/zd.xlsx, sheet 改革任务, row 5, column 编号: "2026-001" is not a task of 张店区委改革办 in this 调度表',
        'in/zd.xlsx, sheet 改革任务, row 6, column 完成日期: "下周" is not a date (use 2026-11-24)',
        'in/zd.xlsx, sheet 改革任务, row 7, column 完成日期: 完成日期 is empty; a task reported 已完成 needs the date',
        'in/zd.xlsx, sheet 改革任务, row 8, column 编号: a reply on a row without 编号',
        'in/zd.xlsx, sheet 整改问题, row 5, column 整改完成日期: 2026-12-20 is after 2026-12-04 (the as-of date)',
        'in/zd.xlsx, sheet 整改问题, row 6, column 整改完成日期: 2026-10-01 is before the inspection (2026-10-22)',
        'sheet 改革任务, row 7, column 编号: "2026-050" is also answered in',
        'in/zc.xlsx, sheet 改革任务, row 5, column 状态: "基本完成" is not a status (choose 未启动、推进中、已完成)',
    ]
    for want in expected:
        assert any(want in line for line in lines), f"{want!r} not in:\n" + "\n".join(lines)
    assert result.output.startswith("make-notices: 11 problems found; nothing was written.")
    assert fingerprint(project / "data") == before  # nothing changed: no ledger file, no backup, no register


def test_a_completion_date_before_the_assignment_is_reported(tmp_path, office):
    project, config = fresh(tmp_path, office)
    fill(project / "out" / f"dispatch-{MONTH}" / ZD, project / "in" / "a.xlsx",
         {"改革任务": {"2026-040": {"状态": "已完成", "完成日期": dt.datetime(2026, 11, 20)}}})
    with pytest.raises(BadInput) as caught:
        collect(config, [project / "in"], apply=True, as_of=COLLECTED)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("改革任务", 6, "完成日期")
    assert "before the task was assigned (2026-11-25)" in problem.message


def test_a_file_that_is_not_a_dispatch_sheet_gets_a_clear_message(tmp_path, office):
    project, config = fresh(tmp_path, office)
    with pytest.raises(BadInput) as caught:
        collect(config, [project / "data" / "units.xlsx", project / "out" / f"dispatch-{MONTH}" / "manifest.json"])
    messages = [str(p) for p in caught.value.problems]
    assert any("units.xlsx: is not a 调度表 made by make-notices dispatch" in m for m in messages)
    assert any("manifest.json: is not a 调度表" in m for m in messages)


# --------------------------------------------------------------------------- CSV and YAML offices

def _as_rows(path: Path) -> list[list[str]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = []
    for row in ws.iter_rows(values_only=True):
        rows.append(["" if v is None else (f"{v:%Y-%m-%d}" if isinstance(v, dt.datetime) else str(v)) for v in row])
    return rows


def _office_in(tmp_path: Path, kind: str) -> Path:
    """The sample office with its tasks and findings as GB18030 CSV or as YAML."""
    import csv

    project = copy_sample(tmp_path / kind)
    for stem in ("tasks", "findings"):
        src = project / "data" / f"{stem}.xlsx"
        rows = _as_rows(src)
        src.unlink()
        if kind == "csv":
            with open(project / "data" / f"{stem}.csv", "w", newline="", encoding="gb18030") as fh:
                csv.writer(fh).writerows(rows)
        else:
            items = [{k: v for k, v in zip(rows[0], r) if v} for r in rows[1:]]
            text = "# 改革任务台账（YAML）\n" + yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=1000)
            (project / "data" / f"{stem}.yaml").write_text(text, encoding="utf-8")
    return project


@pytest.mark.parametrize("kind", ["csv", "yaml"])
def test_round_trip_in_csv_and_yaml_offices(tmp_path, kind):
    project = _office_in(tmp_path, kind)
    config = load_config(project / "config.yaml")
    result = dispatch(config, MONTH, AS_OF)
    suffix = ".csv" if kind == "csv" else ".yaml"
    tasks, findings = project / "data" / f"tasks{suffix}", project / "data" / f"findings{suffix}"
    old_tasks, old_findings = tasks.read_bytes(), findings.read_bytes()
    fill(result.out / ZD, project / "in" / "zd.xlsx", ZD_ANSWERS)
    applied = collect(config, [project / "in"], apply=True, as_of=COLLECTED)
    assert applied.units[0].changes[0] == "2026-040 推进中 → 已完成（2026年12月2日）; 进展 updated"
    new_tasks, new_findings = tasks.read_bytes(), findings.read_bytes()
    if kind == "csv":
        with pytest.raises(UnicodeDecodeError):
            new_tasks.decode("utf-8")  # still GB18030
        old_lines, new_lines = old_tasks.decode("gb18030").splitlines(), new_tasks.decode("gb18030").splitlines()
        differ = [i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
        assert len(old_lines) == len(new_lines) and [new_lines[i].split(",")[0] for i in differ] == ["2026-040", "2026-050"]
        assert "2026-040" in new_lines[differ[0]] and ",已完成,2026-12-02,12月：自评估报告已报送省营商环境办" in new_lines[differ[0]]
        # the findings gained two columns: the header and every row end with them, nothing else moved
        fo, fn = old_findings.decode("gb18030").splitlines(), new_findings.decode("gb18030").splitlines()
        assert fn[0] == fo[0] + ",整改进展,单位备注"
        assert all(b == a + ",," for a, b in zip(fo[1:], fn[1:]) if not a.startswith("DC2026-3-09"))
    else:
        text = new_tasks.decode("utf-8")
        assert text.startswith("# 改革任务台账（YAML）\n")
        old_items, new_items = yaml.safe_load(old_tasks), yaml.safe_load(new_tasks)
        for o, i in zip(old_items, new_items):  # every key kept, in its place; a missing one added at the end
            assert list(i)[:len(o)] == list(o) and set(i) - set(o) <= {"完成日期", "进展情况"}
        changed = {i["编号"]: {k: (o.get(k), i[k]) for k in i if o.get(k) != i[k]} for o, i in zip(old_items, new_items) if o != i}
        assert changed == {"2026-040": {"状态": ("推进中", "已完成"), "完成日期": (None, dt.date(2026, 12, 2)),
                                        "进展情况": ("自评估报告初稿已形成", "12月：自评估报告已报送省营商环境办")},
                           "2026-050": {"进展情况": (None, "12月：城市体检已启动")}}
        assert "# 改革任务台账（YAML）" in text and text.count("\n- ") == old_tasks.decode("utf-8").count("\n- ")
        f309 = next(i for i in yaml.safe_load(new_findings) if i["编号"] == "DC2026-3-09")
        assert f309["整改状态"] == "已整改" and f309["整改进展"] == "12月：评估办法已印发" and f309["单位备注"] == "请安排复查"
    office_ = read_office(config)  # the ledger still reads, with the replies in it
    t040 = next(t for t in office_.tasks if t.id == "2026-040")
    assert (t040.status.value, t040.done) == ("已完成", dt.date(2026, 12, 2))
    backup = next((project / "data" / ".backup").iterdir())
    assert (backup / tasks.name).read_bytes() == old_tasks
    monthly = run_in(project, "monthly", "--month", MONTH, "--as-of", "2026-12-04", "--no-pdf")
    assert monthly.exit_code == 0, monthly.output
    made = json.loads((project / "out" / MONTH / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert "2026-040" not in {d["task_id"] for d in made if d["kind"] == "urging"}


# --------------------------------------------------------------------------- all or nothing

KILLER = """
import os, signal, sys, datetime as dt
from pathlib import Path
sys.path.insert(0, {root!r})
from pipeline.config import load_config
from pipeline.loop.collect import collect
calls = 0
real = os.replace
def replace(a, b):
    global calls
    calls += 1
    if calls == {at}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(a, b)
os.replace = replace
collect(load_config(Path("config.yaml")), [Path("in")], apply=True, as_of=dt.date(2026, 12, 4))
print("finished")
"""


def ledger(config) -> tuple:
    office_ = read_office(config)
    return (tuple((t.id, t.status, t.done, t.progress) for t in office_.tasks),
            tuple((f.id, f.status, f.done, f.extra.get("整改进展")) for f in office_.findings))


def test_killed_during_apply_leaves_the_ledger_as_it_was_or_fully_updated(tmp_path, office):
    base, config = fresh(tmp_path / "base", office)
    fill(base / "out" / f"dispatch-{MONTH}" / ZD, base / "in" / "zd.xlsx", ZD_ANSWERS)
    original = ledger(config)
    whole, whole_config = fresh(tmp_path / "whole", (base, None, None))
    collect(whole_config, [whole / "in"], apply=True, as_of=COLLECTED)
    updated = ledger(whole_config)
    assert updated != original
    outcomes = []
    for at in (1, 2, 3):  # the journal moved into place, then tasks, then findings
        project = tmp_path / f"kill{at}"
        shutil.copytree(base, project)
        config_k = load_config(project / "config.yaml")
        old = {n: (project / "data" / n).read_bytes() for n in ("tasks.xlsx", "findings.xlsx")}
        new = {n: (whole / "data" / n).read_bytes() for n in old}
        proc = subprocess.run([sys.executable, "-c", KILLER.format(root=str(ROOT), at=at)], cwd=project,
                              capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        for n in old:  # each file is whole: the old one or the new one, never torn
            now = (project / "data" / n).read_bytes()
            assert now == old[n] or cells(project / "data" / n) == cells(whole / "data" / n)
        # the next run completes an apply whose journal was in place, and drops what a killed one left
        result = run_in(project, "monthly", "--month", MONTH, "--as-of", "2026-12-04", "--no-pdf")
        assert result.exit_code == 0, result.output
        state = ledger(config_k)
        assert state in (original, updated)
        outcomes.append(state == updated)
        assert not list((project / "data").glob(".*collect*"))
        if state == updated:
            assert applied_replies(open_register(config_k.register_url), MONTH)
    assert outcomes == [False, True, True]


def test_replies_table_in_sqlite_is_created_when_first_written(tmp_path):
    reg = open_register(tmp_path / "register.sqlite")
    assert applied_replies(reg) == [] and not (tmp_path / "register.sqlite").exists()
    record_replies(reg, [AppliedReply("张店区委改革办", MONTH, "ab" * 32, "a.xlsx")])
    record_replies(reg, [AppliedReply("张店区委改革办", MONTH, "ab" * 32, "a.xlsx")])  # the same file: kept once
    assert [(r.unit, r.month, r.file) for r in applied_replies(reg, MONTH)] == [("张店区委改革办", MONTH, "a.xlsx")]
    assert applied_replies(reg, "2026-11") == []


def test_replies_in_a_postgresql_register(tmp_path, office, pg_url):
    """The same round trip with the register in PostgreSQL: the table is created by the first apply."""
    project, _ = fresh(tmp_path, office)
    config_file = project / "config.yaml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace("register: data/register.sqlite",
                                                                             f"register: {pg_url}"), encoding="utf-8")
    config = load_config(config_file)
    reg = open_register(config.register_url)
    assert applied_replies(reg, MONTH) == []  # no table yet: reading creates none
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('dispatch_replies')").fetchone()[0] is None
    fill(project / "out" / f"dispatch-{MONTH}" / ZD, project / "in" / "zd.xlsx", ZD_ANSWERS)
    first = collect(config, [project / "in"], apply=True, as_of=COLLECTED)
    assert first.applied and first.written
    assert [r.unit for r in applied_replies(reg, MONTH)] == ["张店区委改革办"]
    again = collect(config, [project / "in"], apply=True, as_of=COLLECTED)
    assert again.units[0].already_applied and not again.written
    record_replies(reg, [AppliedReply("张店区委改革办", MONTH, first.units[0].sha256, "again.xlsx")])
    assert len(applied_replies(reg)) == 1


def test_check_warns_of_returned_sheets_not_applied_and_writes_nothing(tmp_path, office):
    project, config = fresh(tmp_path, office)
    fill(project / "out" / f"dispatch-{MONTH}" / ZD, project / "data" / "replies" / MONTH / "张店区.xlsx", ZD_ANSWERS)
    before = fingerprint(project / "data")
    result = run_in(project, "check", "--month", MONTH, "--as-of", "2026-12-04")
    assert result.exit_code == 0, result.output
    assert f"warning: 1 returned 调度表 of {MONTH} not applied yet" in result.output
    assert f"data/replies/{MONTH}/张店区.xlsx  张店区委改革办" in result.output
    assert fingerprint(project / "data") == before
    assert run_in(project, "collect", f"data/replies/{MONTH}", "--apply", "--as-of", "2026-12-04").exit_code == 0
    result = run_in(project, "check", "--month", MONTH, "--as-of", "2026-12-04")
    assert result.exit_code == 0 and "not applied yet" not in result.output


def test_a_reply_does_not_reopen_a_task_the_office_has_closed_meanwhile(tmp_path, office):
    project, config = fresh(tmp_path, office)
    wb = openpyxl.load_workbook(project / "data" / "tasks.xlsx")
    ws = wb.worksheets[0]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "2026-050")
    ws.cell(row, 11).value, ws.cell(row, 12).value = "已销账", dt.datetime(2026, 12, 2)
    wb.save(project / "data" / "tasks.xlsx")
    fill(project / "out" / f"dispatch-{MONTH}" / ZD, project / "in" / "a.xlsx",
         {"改革任务": {"2026-050": {"本月进展": "城市体检已启动", "状态": "推进中"}}})
    result = collect(config, [project / "in"], apply=True, as_of=COLLECTED)
    assert result.units[0].changes == ["2026-050 已销账 in the ledger: 状态 and 完成日期 left as they are; 进展 updated"]
    task = next(t for t in read_office(config).tasks if t.id == "2026-050")
    assert (task.status.value, task.done, task.progress) == ("已销账", dt.date(2026, 12, 2), "12月：城市体检已启动")
