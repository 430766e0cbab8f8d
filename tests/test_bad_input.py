"""Bad input: every problem listed with file, row and column; exit 2; nothing written, no number taken."""

import copy
import zipfile

import pytest

from conftest import TASKS, UNITS, nothing_written, run, write_csv


def with_cell(rows, row, column, value):
    rows = copy.deepcopy(rows)
    rows[row][rows[0].index(column)] = value
    return rows


CASES = [
    ("unknown unit", "tasks", with_cell(TASKS, 1, "牵头单位", "周村区"),
     'data/tasks.csv, row 2, column 牵头单位: "周村区" is not in the units list'),
    ("unknown partner", "tasks", with_cell(TASKS, 1, "配合单位", "张店区、市教育局"),
     'data/tasks.csv, row 2, column 配合单位: "市教育局" is not in the units list'),
    ("duplicate id", "tasks", with_cell(TASKS, 2, "编号", "T-1"),
     'data/tasks.csv, row 3, column 编号: the id "T-1" is used twice (first at row 2)'),
    ("impossible date", "tasks", with_cell(TASKS, 2, "完成时限", "2026-13-40"),
     'data/tasks.csv, row 3, column 完成时限: "2026-13-40" is not a date (use 2026-11-24)'),
    ("day-first date", "tasks", with_cell(TASKS, 1, "收到日期", "24/11/2026"),
     'data/tasks.csv, row 2, column 收到日期: "24/11/2026" is not a date (use 2026-11-24)'),
    ("words for a date", "tasks", with_cell(TASKS, 2, "完成时限", "下月底"),
     'data/tasks.csv, row 3, column 完成时限: "下月底" is not a date'),
    ("unknown status", "tasks", with_cell(TASKS, 2, "状态", "进行中"),
     'data/tasks.csv, row 3, column 状态: "进行中" is not a status (use 未启动、推进中、已完成、已销账)'),
    ("deadline before assignment", "tasks", with_cell(TASKS, 2, "完成时限", "2026-09-30"),
     "data/tasks.csv, row 3, column 完成时限: the deadline 2026-09-30 is before the assignment date 2026-10-01"),
    ("assigned without deadline", "tasks", with_cell(TASKS, 2, "完成时限", ""),
     "data/tasks.csv, row 3, column 完成时限: 完成时限 is empty; a task with a 交办日期 needs a deadline"),
    ("done without date", "tasks", with_cell(TASKS, 2, "状态", "已完成"),
     "data/tasks.csv, row 3, column 完成日期: 完成日期 is empty; a task that is 已完成 needs the date it was finished"),
    ("control character", "tasks", with_cell(TASKS, 1, "改革事项", "深化\x07改革"),
     "data/tasks.csv, row 2, column 改革事项: contains the control character U+0007"),
    ("empty required", "tasks", with_cell(TASKS, 1, "改革事项", "  "),
     "data/tasks.csv, row 2, column 改革事项: 改革事项 is empty (required)"),
    ("missing column", "tasks", [r[:6] + r[7:] for r in TASKS],
     "data/tasks.csv, column 牵头单位: missing column (add a column headed 牵头单位)"),
    ("unit category", "units", with_cell(UNITS, 3, "类别", "部门"),
     'data/units.csv, row 4, column 类别: "部门" is not a unit category'),
    ("duplicate unit", "units", UNITS + [["张店区委改革办", "", "区县", "", "", "9"]],
     'data/units.csv, row 5, column 单位名称: "张店区委改革办" is listed twice (first at row 2)'),
]


@pytest.mark.parametrize("name,table,rows,message", CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_located(tiny, name, table, rows, message):
    write_csv(tiny / "data" / f"{table}.csv", rows)
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "nothing was written" in result.output
    assert nothing_written(tiny)


def test_every_problem_at_once(tiny):
    rows = with_cell(TASKS, 1, "牵头单位", "周村区")
    rows = with_cell(rows, 2, "完成时限", "2026-13-40")
    rows = with_cell(rows, 2, "状态", "进行中")
    write_csv(tiny / "data" / "tasks.csv", rows)
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "3 problems found" in result.output
    for part in ("row 2, column 牵头单位", "row 3, column 完成时限", "row 3, column 状态"):
        assert part in result.output
    assert nothing_written(tiny)


def test_bad_input_leaves_existing_output_and_register(tiny):
    assert run("monthly", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    before = (tiny / "data" / "register.sqlite").read_bytes()
    listing = sorted(p.name for p in (tiny / "out" / "2026-11" / "docx").iterdir())
    write_csv(tiny / "data" / "tasks.csv", with_cell(TASKS, 1, "收到日期", "2026-02-30"))
    assert run("monthly", "--as-of", "2026-11-28", "--no-pdf").exit_code == 2
    assert (tiny / "data" / "register.sqlite").read_bytes() == before
    assert sorted(p.name for p in (tiny / "out" / "2026-11" / "docx").iterdir()) == listing


def test_xlsx_that_is_really_csv(tiny):
    (tiny / "data" / "tasks.csv").rename(tiny / "data" / "tasks.xlsx")
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "data/tasks.xlsx: is not a real .xlsx file" in result.output


def test_zip_bomb_refused(tiny):
    (tiny / "data" / "tasks.csv").unlink()
    with zipfile.ZipFile(tiny / "data" / "tasks.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "would unpack to 300 MB; refused" in result.output


def test_missing_file(tiny):
    (tiny / "data" / "units.csv").unlink()
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "data/units.xlsx: missing file (give units.xlsx, units.csv or units.yaml)" in result.output


def test_config_problems_with_key_paths(tiny):
    (tiny / "config.yaml").write_text(
        "office:\n  name: 某办\n  prefix: 某改办\n  nmae: x\nrules:\n  urge_days_before_due: soon\npdf:\n  jobs: 0\n", encoding="utf-8")
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "config.yaml: office.nmae: unknown key (did you mean name?)" in result.output
    assert "config.yaml: rules.urge_days_before_due: expected a whole number, got 'soon'" in result.output
    assert "pdf.jobs" in result.output
    assert nothing_written(tiny)


def test_config_requires_name_and_prefix(tiny):
    (tiny / "config.yaml").write_text("office:\n  short: 某办\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 2
    assert "office.name: required" in result.output and "office.prefix: required" in result.output


def test_bad_as_of_and_month(tiny):
    result = run("monthly", "--as-of", "2026-11-31")
    assert result.exit_code == 2 and '"2026-11-31" is not a date' in result.output
    result = run("monthly", "--month", "2026-13", "--as-of", "2026-11-28")
    assert result.exit_code == 2 and "is not a month" in result.output
    assert nothing_written(tiny)


def test_history_number_outside_its_series(tiny):
    write_csv(tiny / "data" / "history.csv", [["文号", "文种", "事项编号", "单位", "成文日期"],
                                              ["淄改办发〔2026〕3号", "催办单", "T-2", "张店区", "2026-11-01"]])
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert 'data/history.csv, row 2, column 文号: "淄改办发〔2026〕3号" is not a number of the 催办单 series (like 淄改办催〔2026〕1号)' in result.output


def test_check_writes_nothing(tiny):
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 0
    assert result.output.startswith("ok")
    assert "would make 3 documents" in result.output
    assert nothing_written(tiny)


# --- ordinary input in every accepted form goes through ---

def test_gb18030_and_bom_csv(tiny):
    write_csv(tiny / "data" / "tasks.csv", TASKS, encoding="gb18030")
    write_csv(tiny / "data" / "units.csv", UNITS, encoding="utf-8-sig")
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output


def test_yaml_with_english_keys_and_line_numbers(tiny):
    (tiny / "data" / "tasks.csv").unlink()
    (tiny / "data" / "tasks.yaml").write_text(
        "- id: T-1\n  title: 深化预算管理制度改革\n  lead: 市财政局\n  status: 未启动\n  received: 2026-11-20\n"
        "- id: T-2\n  title: 推进改革\n  lead: 张店区\n  status: 推进中\n  assigned: 2026-10-01\n  due: 2026年13月1日\n",
        encoding="utf-8")
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert 'data/tasks.yaml, row 2, line 6, column due: "2026年13月1日" is not a date' in result.output


def test_xlsx_with_title_row_and_date_cells(tiny):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["2026年改革任务台账"])
    for row in TASKS:
        ws.append([dt.date(2026, 11, 20) if v == "2026-11-20" else v for v in row])
    wb.save(tiny / "data" / "tasks.xlsx")
    (tiny / "data" / "tasks.csv").unlink()
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    ws.cell(row=4, column=10, value="2026-13-40")
    wb.save(tiny / "data" / "tasks.xlsx")
    result = run("check", "--as-of", "2026-11-28")
    assert 'data/tasks.xlsx, sheet 台账, row 4, column 完成时限: "2026-13-40" is not a date' in result.output
