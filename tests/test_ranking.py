"""一月一排名: reading the score files, ranks and ties, change, annual figure, the chart."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from conftest import ROOT, write_csv
from pipeline.model import Indicator, ScoreBook, ScoreRow, ScoreSheet, Task, TaskStatus, Unit
from pipeline.rules.ranking import change_text, competition_ranks, fmt, rank, task_progress
from pipeline.sources.ledger import UnitDirectory, read_units
from pipeline.sources.scores import parse_indicator, read_scores

D = Decimal
RANKED = ["区县", "专项小组"]

# Unit order deliberately differs from the alphabetical and the file order.
UNITS = [
    Unit("张店区委改革办", "张店区", "区县", 1),
    Unit("淄川区委改革办", "淄川区", "区县", 2),
    Unit("博山区委改革办", "博山区", "区县", 3),
    Unit("周村区委改革办", "周村区", "区县", 4),
    Unit("淄博市财政局", "市财政局", "市直部门", 5),
    Unit("市委改革委经济体制改革专项小组", "经济专项小组", "专项小组", 6),
    Unit("市委改革委社会体制改革专项小组", "社会专项小组", "专项小组", 7),
]
BY_SHORT = {u.short: u for u in UNITS}
DIRECTORY = UnitDirectory(UNITS)
HEADER = ["单位", "改革任务推进(40)", "督察整改(30)", "改革宣传(15)", "创新探索(15)", "总分", "扣分说明"]


# --------------------------------------------------------------------------- pure ranking

def sheet(month: str, totals: dict[str, str]) -> ScoreSheet:
    """A one-indicator sheet: each unit's total is its only score."""
    rows = tuple(ScoreRow(BY_SHORT[u], (D(t),), D(t)) for u, t in totals.items())
    return ScoreSheet(month, (Indicator("综合", D(100)),), rows, f"data/scores/{month}.csv")


def book(month: str, sheets: dict[str, dict[str, str]]) -> ScoreBook:
    return ScoreBook(month, {m: sheet(m, t) for m, t in sheets.items()})


def table(ranking, category="区县"):
    return [(r.rank, r.unit.short, r.total_text, r.change) for r in ranking.category(category).rows]


@pytest.mark.parametrize("totals,ranks", [
    (["90", "85", "85", "80"], [1, 2, 2, 4]),
    (["90", "90", "90"], [1, 1, 1]),
    (["90", "85", "80", "80"], [1, 2, 3, 3]),
    (["90.01", "90.00", "90"], [1, 2, 2]),  # exact decimals: 90.00 == 90
    (["70"], [1]),
], ids=["1224", "all equal", "shared last", "decimal places", "single"])
def test_competition_ranks(totals, ranks):
    assert competition_ranks([D(t) for t in totals]) == ranks


def test_ties_share_a_rank_and_follow_unit_order():
    # file order 周村区, 博山区, 淄川区, 张店区; 淄川区 and 周村区 tie, 淄川区 comes first in unit order
    b = book("2026-11", {"2026-11": {"周村区": "85.5", "博山区": "80", "淄川区": "85.50", "张店区": "90"}})
    r = rank(b, UNITS, RANKED, 0.5, 3)
    assert table(r) == [
        (1, "张店区", "90.00", "新"),
        (2, "淄川区", "85.50", "新"),
        (2, "周村区", "85.50", "新"),
        (4, "博山区", "80.00", "新"),
    ]


@pytest.mark.parametrize("before,now,expected", [
    ({"张店区": "80", "淄川区": "90", "博山区": "85", "周村区": "70"},
     {"张店区": "95", "淄川区": "90", "博山区": "80", "周村区": "75"},
     {"张店区": "↑2", "淄川区": "↓1", "博山区": "↓1", "周村区": "持平"}),
    (None,  # no file last month
     {"张店区": "95", "淄川区": "90", "博山区": "80", "周村区": "75"},
     {"张店区": "新", "淄川区": "新", "博山区": "新", "周村区": "新"}),
    ({"张店区": "80", "淄川区": "90", "周村区": "70"},  # 博山区 had no row last month
     {"张店区": "95", "淄川区": "90", "博山区": "80", "周村区": "75"},
     {"张店区": "↑1", "淄川区": "↓1", "博山区": "新", "周村区": "↓1"}),  # 3rd of 3, now 4th
    ({"张店区": "90", "淄川区": "90", "博山区": "85", "周村区": "85"},  # ranks 1, 1, 3, 3 last month
     {"张店区": "95", "淄川区": "90", "博山区": "90", "周村区": "75"},
     {"张店区": "持平", "淄川区": "↓1", "博山区": "↑1", "周村区": "↓1"}),
], ids=["up down level", "no previous file", "no previous row", "from shared ranks"])
def test_change_against_last_month(before, now, expected):
    sheets = {"2026-11": now} if before is None else {"2026-10": before, "2026-11": now}
    r = rank(book("2026-11", sheets), UNITS, RANKED, 0.5, 3)
    assert {row.unit.short: row.change for row in r.category("区县").rows} == expected
    assert r.previous_month == (None if before is None else "2026-10")


@pytest.mark.parametrize("rank_now,previous,text", [(1, 3, "↑2"), (4, 3, "↓1"), (2, 2, "持平"), (5, None, "新")])
def test_change_text(rank_now, previous, text):
    assert change_text(rank_now, previous) == text


def test_change_is_within_the_category():
    # 经济专项小组 was ranked 1st among the groups, whatever the counties scored
    b = book("2026-11", {
        "2026-10": {"张店区": "95", "淄川区": "94", "经济专项小组": "80", "社会专项小组": "70"},
        "2026-11": {"张店区": "95", "淄川区": "94", "博山区": "93", "周村区": "92", "经济专项小组": "81", "社会专项小组": "82"},
    })
    r = rank(b, UNITS, RANKED, 0.5, 3)
    assert table(r, "专项小组") == [(1, "社会专项小组", "82.00", "↑1"), (2, "经济专项小组", "81.00", "↓1")]


def test_annual_figure_by_hand():
    # 85.50, 90.25, 88 → mean 87.91666… × 0.5 = 43.958333… → 43.96
    b = book("2026-03", {"2026-01": {"张店区": "85.50"}, "2026-02": {"张店区": "90.25"},
                         "2026-03": {"张店区": "88", "淄川区": "80"}})
    row = rank(b, UNITS, RANKED, 0.5, 3).category("区县").rows[0]
    assert row.annual_mean == D("263.75") / 3
    assert row.annual == D("263.75") / 3 * D("0.5")
    assert row.annual_text == "43.96"
    assert row.months == 3


def test_annual_figure_skips_months_without_a_score_and_other_years():
    b = book("2026-03", {
        "2025-12": {"张店区": "10", "淄川区": "10"},  # December: change only, never in the annual figure
        "2026-01": {"张店区": "80"},
        "2026-03": {"张店区": "90", "淄川区": "86.25"},
    })
    rows = {r.unit.short: r for r in rank(b, UNITS, RANKED, "0.5", 3).category("区县").rows}
    assert (rows["张店区"].annual_text, rows["张店区"].months) == ("42.50", 2)
    assert (rows["淄川区"].annual_text, rows["淄川区"].months) == ("43.13", 1)  # 43.125 rounds half up


@pytest.mark.parametrize("value,text", [
    (D("89.99999999999999999"), "90.00"), (D("43.955"), "43.96"), (D("43.945"), "43.95"),
    (D("88.5"), "88.50"), (D("0"), "0.00"), (D("100"), "100.00"), (D("263.75") / 3, "87.92"), (None, ""),
])
def test_decimal_formatting(value, text):
    assert fmt(value) == text


@pytest.mark.parametrize("totals,top,commended,last", [
    ({"张店区": "90", "淄川区": "85", "博山区": "85", "周村区": "80"}, 2, "张店区、淄川区、博山区", "周村区"),
    ({"张店区": "90", "淄川区": "85", "博山区": "80", "周村区": "80"}, 3, "张店区、淄川区", "博山区、周村区"),
    ({"张店区": "90", "淄川区": "90", "博山区": "90", "周村区": "90"}, 3, "张店区、淄川区、博山区、周村区", ""),
    ({"张店区": "90", "淄川区": "85", "博山区": "80", "周村区": "75"}, 0, "", "周村区"),
], ids=["tie at the boundary included", "shared last, not commended", "all equal: no last", "no commendation"])
def test_commended_and_last(totals, top, commended, last):
    c = rank(book("2026-11", {"2026-11": totals}), UNITS, RANKED, 0.5, top).category("区县")
    assert (c.commended_names, c.last_names) == (commended, last)
    assert not any(r.commended and r.last for r in c.rows)


def test_category_figures_and_template_fields():
    b = book("2026-11", {"2026-11": {"张店区": "92.8", "淄川区": "85.25", "博山区": "79.85", "周村区": "88.5",
                                     "市财政局": "99", "经济专项小组": "90.1", "社会专项小组": "85.85"}})
    r = rank(b, UNITS, ["专项小组", "区县"], 0.5, 3)
    assert [c.category for c in r.categories] == ["专项小组", "区县"]  # config order; 市直部门 not ranked
    f = r.category("区县").fields()
    assert (f["highest"], f["lowest"], f["average"], f["spread"]) == ("92.80", "79.85", "86.60", "12.95")
    assert f["rows"][0] == {"rank": 1, "unit": "张店区", "unit_name": "张店区委改革办", "scores": ["92.80"],
                            "total": "92.80", "change": "新", "previous_rank": None, "annual": "46.40",
                            "months": 1, "remarks": "", "commended": True, "last": False}
    assert r.fields()["annual_percent"] == "50"


# --------------------------------------------------------------------------- reading files

@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "scores").mkdir(parents=True)
    return tmp_path


GOOD = [
    HEADER,
    ["张店区委改革办", "37.5", "27.25", "14.2", "13.85", "92.8", ""],
    ["淄川区", "34.5", "26", "12.9", "11.85", "85.25", "任务进度滞后"],
    ["博山区", "35", "25.5", "12.1", "11.4", "84", ""],
    ["周村区", "35.5", "27.25", "13.2", "12.55", "88.5", ""],
    ["经济专项小组", "36.5", "27.5", "13.4", "12.7", "90.1", ""],
    ["社会专项小组", "35", "26.75", "12.2", "11.9", "85.85", ""],
]


def with_cell(rows, row, column, value):
    rows = [list(r) for r in rows]
    rows[row][rows[0].index(column)] = value
    return rows


def read(month="2026-11"):
    return read_scores(Path("data"), month, DIRECTORY, RANKED)


def test_reads_a_good_file(office):
    write_csv(office / "data/scores/2026-11.csv", GOOD)
    b, problems = read()
    assert problems == []
    s = b.current
    assert [i.label for i in s.indicators] == ["改革任务推进(40)", "督察整改(30)", "改革宣传(15)", "创新探索(15)"]
    assert s.rows[0].unit.name == "张店区委改革办" and s.rows[0].scores == (D("37.5"), D("27.25"), D("14.2"), D("13.85"))
    assert s.rows[0].total == D("92.80")
    assert s.rows[1].remarks == "任务进度滞后"


CSV = "data/scores/2026-11.csv"
BAD = [
    ("above maximum", with_cell(GOOD, 2, "督察整改(30)", "31.5"),
     f"{CSV}, row 3, column 督察整改(30): 31.5 is above the maximum 30"),
    ("below zero", with_cell(GOOD, 3, "改革宣传(15)", "-2"),
     f"{CSV}, row 4, column 改革宣传(15): -2 is below zero (give a number from 0 to 15)"),
    ("not a number", with_cell(GOOD, 1, "创新探索(15)", "优"),
     f'{CSV}, row 2, column 创新探索(15): "优" is not a number'),
    ("three decimals", with_cell(GOOD, 1, "创新探索(15)", "13.855"),
     f'{CSV}, row 2, column 创新探索(15): "13.855" has more than two decimal places'),
    ("empty score", with_cell(GOOD, 4, "改革任务推进(40)", ""),
     f"{CSV}, row 5, column 改革任务推进(40): the score is empty (give a number from 0 to 40)"),
    ("unknown unit", with_cell(GOOD, 3, "单位", "博山县"),
     f'{CSV}, row 4, column 单位: "博山县" is not in the units list (did you mean 博山区?)'),
    ("duplicate unit", GOOD + [["淄川区", "34.5", "26", "12.9", "11.85", "85.25", ""]],
     f'{CSV}, row 8, column 单位: "淄川区" is listed twice (first at row 3)'),
    ("duplicate by full name", GOOD + [["淄川区委改革办", "34.5", "26", "12.9", "11.85", "", ""]],
     f'{CSV}, row 8, column 单位: "淄川区委改革办" is listed twice (first at row 3 as "淄川区")'),
    ("total mismatch", with_cell(GOOD, 2, "总分", "85.35"),
     f"{CSV}, row 3, column 总分: 85.35 is not the sum of the indicators (85.25)"),
    ("total not a number", with_cell(GOOD, 2, "总分", "八十五"),
     f'{CSV}, row 3, column 总分: "八十五" is not a number'),
    ("no indicators", [["单位", "任务推进", "总分"], ["张店区", "37.5", "37.5"]],
     f"{CSV}: no indicator columns (give each indicator its maximum in brackets, like 改革任务推进(40))"),
    ("no unit column", [r[1:] for r in GOOD],
     f"{CSV}, column 单位: missing column (add a column headed 单位)"),
    ("missing ranked units", [r for r in GOOD if r[0] not in ("博山区", "社会专项小组")],
     f"{CSV}: no row for 博山区 (every unit of the ranked category 区县 needs a score for 2026年11月)"),
    ("empty unit", with_cell(GOOD, 2, "单位", " "),
     f"{CSV}, row 3, column 单位: 单位 is empty (required)"),
]


@pytest.mark.parametrize("name,rows,message", BAD, ids=[c[0] for c in BAD])
def test_each_bad_score_file_is_caught(office, name, rows, message):
    write_csv(office / "data/scores/2026-11.csv", rows)
    b, problems = read()
    assert b is None
    assert message in [str(p) for p in problems]


def test_every_problem_at_once(office):
    rows = with_cell(GOOD, 1, "督察整改(30)", "31")
    rows = with_cell(rows, 3, "单位", "博山县")
    rows = [r for r in rows if r[0] != "社会专项小组"]
    write_csv(office / "data/scores/2026-11.csv", rows)
    _, problems = read()
    assert [str(p) for p in problems] == [
        f"{CSV}, row 2, column 督察整改(30): 31 is above the maximum 30",
        f'{CSV}, row 4, column 单位: "博山县" is not in the units list (did you mean 博山区?)',
    ]  # a sheet with bad rows is not checked for missing units (they may be the bad rows)


def test_missing_units_names_file_and_units(office):
    write_csv(office / "data/scores/2026-11.csv", [r for r in GOOD if r[0] not in ("博山区", "周村区", "社会专项小组")])
    _, problems = read()
    assert [str(p) for p in problems] == [
        f"{CSV}: no row for 博山区、周村区 (every unit of the ranked category 区县 needs a score for 2026年11月)",
        f"{CSV}: no row for 社会专项小组 (every unit of the ranked category 专项小组 needs a score for 2026年11月)",
    ]


def test_earlier_month_may_miss_units_but_is_checked(office):
    write_csv(office / "data/scores/2026-11.csv", GOOD)
    write_csv(office / "data/scores/2026-10.csv", GOOD[:3])  # only two units: fine
    b, problems = read()
    assert problems == [] and len(b.sheets_by_month["2026-10"].rows) == 2
    write_csv(office / "data/scores/2026-09.csv", with_cell(GOOD, 1, "改革任务推进(40)", "41"))
    _, problems = read()
    assert [str(p) for p in problems] == [
        "data/scores/2026-09.csv, row 2, column 改革任务推进(40): 41 is above the maximum 40"]


def test_later_months_and_other_years_are_not_read(office):
    write_csv(office / "data/scores/2026-11.csv", GOOD)
    write_csv(office / "data/scores/2026-12.csv", [["nonsense"]])
    write_csv(office / "data/scores/2025-11.csv", [["nonsense"]])
    b, problems = read()
    assert problems == [] and list(b.sheets_by_month) == ["2026-11"]


def test_january_reads_last_december_for_the_change_only(office):
    write_csv(office / "data/scores/2026-01.csv", GOOD)
    write_csv(office / "data/scores/2025-12.csv", with_cell(with_cell(GOOD, 2, "改革任务推进(40)", "40"), 2, "总分", ""))
    b, problems = read("2026-01")
    assert problems == []
    r = rank(b, UNITS, RANKED, 0.5, 3)
    rows = {row.unit.short: row for row in r.category("区县").rows}
    assert rows["淄川区"].change == "↓1" and rows["淄川区"].months == 1
    assert r.year_months == ("2026-01",)


@pytest.mark.parametrize("earlier", [False, True])
def test_missing_run_month_is_no_bulletin_not_an_error(office, earlier):
    if earlier:
        write_csv(office / "data/scores/2026-10.csv", GOOD)
    assert read() == (None, [])


def test_no_scores_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert read_scores(tmp_path / "data", "2026-11", DIRECTORY, RANKED) == (None, [])


def test_two_files_for_one_month(office):
    write_csv(office / "data/scores/2026-11.csv", GOOD)
    (office / "data/scores/2026-11.yaml").write_text("[]", encoding="utf-8")
    _, problems = read()
    assert [str(p) for p in problems] == ["data/scores: 2026-11.csv, 2026-11.yaml: more than one file for 2026-11; keep one"]


def write_xlsx(path: Path, rows: list[list], sheet_name: str = "评分") -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_name
    for row in rows:
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def numbers(rows):
    """Excel cells: numbers as floats, blanks as None."""
    out = [rows[0]]
    for r in rows[1:]:
        out.append([r[0]] + [float(v) if v else None for v in r[1:6]] + [r[6] or None])
    return out


def test_xlsx_messages_name_the_sheet(office):
    write_xlsx(office / "data/scores/2026-11.xlsx", with_cell(numbers(GOOD), 4, "督察整改(30)", 31.5))
    _, problems = read()
    assert [str(p) for p in problems] == [
        "data/scores/2026-11.xlsx, sheet 评分, row 5, column 督察整改(30): 31.5 is above the maximum 30"]


def test_xlsx_total_from_a_formula_with_float_noise(office):
    rows = with_cell(numbers(GOOD), 5, "总分", 36.5 + 27.5 + 13.4 + 12.7)  # =SUM() stores 90.10000000000001
    assert rows[5][5] != 90.1
    write_xlsx(office / "data/scores/2026-11.xlsx", rows)
    b, problems = read()
    assert problems == [] and b.current.rows[4].total == D("90.10")
    assert b.current.rows[0].scores[2] == D("14.2")  # not 14.199999999999999289…


def test_fullwidth_brackets_and_points_in_headers(office):
    header = ["单位", "改革任务推进（40）", "督察整改（30分）", "改革宣传 (15)", "创新探索（１５）", "总分（100）", "扣分说明"]
    write_csv(office / "data/scores/2026-11.csv", [header] + GOOD[1:])
    b, problems = read()
    assert problems == []
    assert [(i.name, i.maximum) for i in b.current.indicators] == [
        ("改革任务推进", D(40)), ("督察整改", D(30)), ("改革宣传", D(15)), ("创新探索", D(15))]
    write_csv(office / "data/scores/2026-11.csv", [header] + with_cell(GOOD, 1, "总分", "93")[1:])
    _, problems = read()
    assert [str(p) for p in problems] == [f"{CSV}, row 2, column 总分（100）: 93 is not the sum of the indicators (92.80)"]


@pytest.mark.parametrize("header,expected", [
    ("改革任务推进(40)", ("改革任务推进", D(40))), ("督察整改（30）", ("督察整改", D(30))),
    ("改革宣传（15分）", ("改革宣传", D(15))), ("加分项(2.5)", ("加分项", D("2.5"))),
    ("改革任务推进", None), ("序号", None), ("(40)", None),
])
def test_parse_indicator(header, expected):
    got = parse_indicator(header)
    assert (got and (got.name, got.maximum)) == expected


def test_yaml_scores(office):
    items = [dict(zip(HEADER, r)) for r in GOOD[1:]]
    items[1]["督察整改(30)"] = 30.5
    (office / "data/scores/2026-11.yaml").write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    _, problems = read()
    assert len(problems) == 1
    assert str(problems[0]).startswith("data/scores/2026-11.yaml, row 2, line ")
    assert str(problems[0]).endswith("column 督察整改(30): 30.5 is above the maximum 30")


# --------------------------------------------------------------------------- the sample office

def test_sample_november():
    units, problems = read_units(ROOT / "data", ["区县", "市直部门", "专项小组", "其他"])
    b, problems = read_scores(ROOT / "data", "2026-11", UnitDirectory(units), RANKED)
    assert problems == []
    r = rank(b, units, RANKED, 0.5, 3)
    counties = [(row.rank, row.unit.short, row.total_text, row.change, row.annual_text) for row in r.category("区县").rows]
    assert counties == [
        (1, "张店区", "92.80", "持平", "45.76"),
        (2, "临淄区", "91.70", "持平", "44.25"),
        (3, "周村区", "88.50", "↑1", "42.63"),
        (3, "桓台县", "88.50", "持平", "44.09"),
        (5, "高新区", "87.50", "持平", "43.33"),  # new in September: mean of 3 months
        (6, "淄川区", "85.25", "持平", "42.85"),
        (7, "博山区", "84.00", "↑2", "40.73"),
        (8, "高青县", "83.10", "↓1", "40.92"),  # no July row: mean of 10 months
        (9, "沂源县", "79.85", "↓1", "41.11"),
    ]
    assert r.category("区县").last_names == "沂源县"
    assert r.category("专项小组").last_names == "社会体制改革专项小组"


# --------------------------------------------------------------------------- task progress

def task(id, lead, due, status="推进中", done=None, assigned="2026-09-01"):
    return Task(id, f"任务{id}", BY_SHORT[lead], TaskStatus(status),
                assigned=dt.date.fromisoformat(assigned) if assigned else None,
                due=dt.date.fromisoformat(due) if due else None,
                done=dt.date.fromisoformat(done) if done else None)


def test_task_progress():
    tasks = [
        task("1", "张店区", "2026-11-10", "已完成", "2026-11-08"),   # due this month, on time
        task("2", "张店区", "2026-11-10", "已完成", "2026-11-12"),   # due this month, late
        task("3", "张店区", "2026-11-25"),                           # due this month, overdue
        task("4", "张店区", "2026-11-30"),                           # due this month, not yet
        task("5", "淄川区", "2026-10-15"),                           # overdue from October
        task("6", "淄川区", "2026-11-20", "已完成", "2026-12-01"),   # done after as of: overdue
        task("7", "博山区", "2026-12-31"),                           # nothing this month
        task("8", "周村区", "2026-11-05", assigned="2026-11-29"),    # assigned after as of: not counted
        task("9", "周村区", "2026-10-05", "已销账", "2026-10-01"),   # closed
    ]
    p = task_progress(tasks, dt.date(2026, 11, 28), "2026-11")
    assert [(u.unit.short, len(u.due), len(u.on_time), len(u.overdue)) for u in p.units] == [
        ("张店区", 4, 1, 1), ("淄川区", 1, 0, 2)]
    assert (p.due, p.on_time, p.overdue) == (5, 1, 3)
    assert p.fields()["units"][1]["overdue_tasks"] == ["任务5", "任务6"]


# --------------------------------------------------------------------------- the chart

def test_bar_chart_png_with_cjk_font(tmp_path):
    from matplotlib.ft2font import FT2Font
    from PIL import Image

    from pipeline.documents.chart import bar_chart, chart_fonts, font_file_for

    fonts = chart_fonts()
    assert fonts, "no CJK font found (run ./setup.sh)"
    families = [f for f, _ in fonts]
    used = font_file_for(families)
    assert used == fonts[0][1]
    assert "Fandol" in used or "CJK" in used  # the 仿宋 face of the documents, or Noto CJK
    face = FT2Font(used)
    for ch in "张店区经济专项小组得分":
        assert face.get_char_index(ord(ch)) != 0, ch

    b = book("2026-11", {"2026-11": {"淄川区": "85.25", "张店区": "92.8", "博山区": "79.85", "周村区": "88.5"}})
    rows = rank(b, UNITS, RANKED, 0.5, 3).category("区县").rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        path = bar_chart(rows, tmp_path / "chart.png", "2026年11月份各区县改革工作得分（䶮𠮷）")
    assert path.is_file()
    with Image.open(path) as im:
        dpi = im.info["dpi"]
        assert round(dpi[0]) == 300
        assert abs(im.size[0] / dpi[0] * 25.4 - 156) < 0.5  # 156 mm wide
    first = path.read_bytes()
    bar_chart(rows, path, "2026年11月份各区县改革工作得分（䶮𠮷）")
    assert path.read_bytes() == first  # same data, same bytes
