"""签收 and 反馈 against each 文号 (issue #17): recorded by receive, reply and import, counted in
签收反馈.xlsx and the run's summary; the reply-by date stored is the one printed; bad input
records nothing."""

import datetime as dt
import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from pipeline.config import load_config
from pipeline.errors import BadInput
from pipeline.loop import receipts
from pipeline.sources.values import format_date

from conftest import copy_sample, run_in, write_csv

ZHANGDIAN, ZICHUAN = "张店区委改革办", "淄川区委改革办"


def docx_text(path: Path) -> str:
    doc = Document(path)
    return "\n".join(p.text for p in doc.paragraphs)


def rows_of(path: Path) -> list[tuple]:
    return [tuple(r) for r in sqlite3.connect(path).execute("SELECT * FROM documents ORDER BY id")]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The sample office after its October and November runs (DOCX only)."""
    project = copy_sample(tmp_path_factory.mktemp("receipts"))
    for month, day in (("2026-10", "2026-10-28"), ("2026-11", "2026-11-28")):
        result = run_in(project, "monthly", "--month", month, "--as-of", day, "--no-pdf")
        assert result.exit_code == 0, result.output
    return project


def test_the_reply_by_date_stored_is_the_one_printed(office):
    """Every document of the November run: the register's 反馈时限 is printed in its DOCX; none for the others."""
    manifest = json.loads((office / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    stored = {r[0]: (r[1], r[2]) for r in sqlite3.connect(office / "data" / "register.sqlite").execute(
        "SELECT doc_no, kind, reply_by FROM documents WHERE run = '2026-11@2026-11-28'")}
    assert len(stored) == len(manifest["documents"]) == 25
    phrases = {"reminder": "请于{}前将贯彻落实意见", "urging": "请于{}前将工作进展", "order": "责令你单位于{}前完成",
               "rectification": "请于{}前将整改情况", "finding_urging": "请于{}前将整改进展"}
    for doc in manifest["documents"]:
        kind, reply_by = stored[doc["doc_no"]]
        text = docx_text(office / "out" / "2026-11" / doc["docx"])
        if kind in phrases:
            assert reply_by, doc["doc_no"]
            assert phrases[kind].format(format_date(dt.date.fromisoformat(reply_by))) in text, doc["doc_no"]
        else:
            assert kind in ("assignment", "ranking") and reply_by is None
    # the kinds' own rules: urging slips 5 days, reminders 10, orders their new deadline (15)
    assert stored["淄改办催〔2026〕13号"] == ("urging", "2026-12-03")
    assert stored["淄改办提〔2026〕23号"] == ("reminder", "2026-12-08")
    assert stored["淄改办责〔2026〕4号"] == ("order", "2026-12-13")


def test_receipts_and_replies_recorded_by_each_command_then_counted(office):
    """Done when: November's documents received and partly replied to through each command;
    the December run's 签收反馈.xlsx and summary agree with a hand count."""
    r = run_in(office, "register", "receive", "淄改办提〔2026〕23号", "淄改办催〔2026〕13号", "淄改办责〔2026〕4号",
               "淄改办交〔2026〕41号", "淄改办发[2026]19号", "--date", "2026-11-29", "--by", "李华")
    assert r.exit_code == 0, r.output
    assert "签收 recorded for 5 documents." in r.output and "签收 2026-11-29 李华" in r.output
    write_csv(office / "回执.csv", [
        ["文号", "签收日期", "签收人", "反馈日期"],
        ["淄改办催〔2026〕14号", "2026-11-29", "王芳", "2026-11-30"],
        ["淄改办催〔2026〕20号", "2026/11/29", "王芳", ""],
        ["淄改办提〔2026〕24号", "2026-11-30", "赵刚", "2026-11-30"],
        ["淄改办催〔2026〕10号", "2026-10-29", "王芳", "2026-11-05"],  # October's, replied 3 days late
        ["淄改办催〔2026〕11号", "2026-10-30", "", ""],
        ["淄改办催〔2026〕12号", "", "", ""],  # nothing yet: skipped
    ], encoding="gb18030")
    r = run_in(office, "register", "import", "回执.csv")
    assert r.exit_code == 0, r.output
    assert "签收/反馈 recorded for 5 documents." in r.output
    r = run_in(office, "register", "reply", "淄改办催〔2026〕13号", "淄改办发〔2026〕19号", "淄改办提〔2026〕23号", "--date", "2026-11-30")
    assert r.exit_code == 0, r.output
    assert "反馈 recorded for 3 documents." in r.output
    again = run_in(office, "register", "import", "回执.csv")  # the same file twice records nothing new
    assert again.exit_code == 0 and "recorded for 0 documents; 5 already recorded so" in again.output

    listed = run_in(office, "register", "list", "--year", "2026").output
    assert "淄改办催〔2026〕13号\t2026-11-28\turging\t2026-040\t张店区委改革办\t反馈时限 2026-12-03\t签收 2026-11-29 李华\t反馈 2026-11-30" in listed
    assert "淄改办交〔2026〕42号\t2026-11-28\tassignment\t2026-037\t沂源县委改革办\t反馈时限 -\t签收 -\t反馈 -" in listed

    result = run_in(office, "monthly", "--month", "2026-12", "--as-of", "2026-12-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    out = office / "out" / "2026-12"
    december = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    wb = openpyxl.load_workbook(out / "签收反馈.xlsx")
    assert wb.sheetnames == ["签收反馈明细", "按单位统计"]

    # the hand count (see docs/decisions.md, 签收 and 反馈): the 91 paper documents of data/history
    # ask for no reply the register knows and were never signed for; October's three finding urging
    # slips and November's 24 documents to units as recorded above; December's 23 are not 5 days old.
    # 已签收: 提23 提24 交41 催13 催14 责4 发19 催20 (November), 催10 催11 (October)          = 10
    # 未签收（超过5天）: 91 paper + 催12 + November's 24 − 8 signed for                          = 108
    # 按期反馈: 提23 提24 催13 催14 发19; 逾期反馈: 催10 (11-05, due 11-02)                      = 5; 1
    # 未反馈（已逾期）: 提25, 催15–19, 责4, 责5, 催20–25 (November), 催11, 催12 (October)         = 16
    assert len(december) == 23
    total = 91 + 3 + 24 + len(december)
    units = {row[0]: row[1:] for row in wb["按单位统计"].iter_rows(min_row=3, values_only=True)}
    assert list(wb["按单位统计"].iter_rows(min_row=2, max_row=2, values_only=True))[0] == (
        "单位", "发文数", "已签收", "未签收（超过5天）", "按期反馈", "逾期反馈", "未反馈（已逾期）")
    assert units["合计"] == (total, 10, 108, 5, 1, 16)
    assert list(units)[-1] == "合计"
    dec = lambda unit: sum(d["recipient"] == unit for d in december)  # noqa: E731
    # 张店: 7 paper; 交41 催13 责4 发19 signed for; 催13 发19 replied on time; 责4 overdue (due 12-13)
    assert units[ZHANGDIAN] == (7 + 4 + dec(ZHANGDIAN), 4, 7, 2, 0, 1)
    # 淄川: 5 paper; 催10 (late reply), 催14 (reply on time), 催20 (signed for, no reply, due 12-03)
    assert units[ZICHUAN] == (5 + 3 + dec(ZICHUAN), 3, 5, 1, 1, 1)
    assert sum(v[0] for k, v in units.items() if k != "合计") == total

    detail = {row[0]: row for row in wb["签收反馈明细"].iter_rows(min_row=3, values_only=True)}
    assert len(detail) == total + 2  # and the October and November bulletins
    d = lambda y, m, day: dt.datetime(y, m, day)  # noqa: E731  (openpyxl reads dates back as datetimes)
    assert detail["淄改办催〔2026〕13号"][1:] == ("催办单", ZHANGDIAN, d(2026, 11, 28), d(2026, 11, 29), "李华",
                                            d(2026, 12, 3), d(2026, 11, 30), "按期反馈", None)
    assert detail["淄改办催〔2026〕10号"][4:] == (d(2026, 10, 29), "王芳", d(2026, 11, 2), d(2026, 11, 5), "逾期反馈", 3)
    assert detail["淄改办催〔2026〕20号"][4:] == (d(2026, 11, 29), "王芳", d(2026, 12, 3), None, "逾期未反馈", 25)
    assert detail["淄改办责〔2026〕5号"][6:] == (d(2026, 12, 13), None, "逾期未反馈", 15)
    assert detail["淄改办交〔2026〕41号"][8:] == ("已签收", None)
    assert detail["淄改办发〔2026〕20号"][6:] == (d(2027, 1, 31), None, "未签收（超过5天）", None)
    assert detail["淄改办发〔2026〕21号"][1] == "排名通报"
    assert all(detail[doc["doc_no"]][8] == "未签收" for doc in december)  # the run's own, included
    assert sum(row[8] == "逾期未反馈" for row in detail.values()) == 16

    last = result.output.strip().splitlines()[-1]
    assert last == f"签收反馈（2026年，截至2026-12-28）：发文数 {total}，已签收 10，未签收（超过5天） 108，按期反馈 5，逾期反馈 1，未反馈（已逾期） 16。"

    # the sheet itself can be filled in and imported: as written, it records nothing new
    again = run_in(office, "register", "import", str(out / "签收反馈.xlsx"))
    assert again.exit_code == 0 and "recorded for 0 documents; 10 already recorded so." in again.output, again.output


def _snapshot(project: Path) -> list[tuple]:
    return rows_of(project / "data" / "register.sqlite")


def test_every_bad_input_is_reported_and_nothing_recorded(office):
    config = load_config(office / "config.yaml")
    assert run_in(office, "register", "void", "淄改办催〔2026〕24号", "--reason", "发错单位").exit_code == 0
    assert run_in(office, "register", "receive", "淄改办提〔2026〕25号", "--date", "2026-11-30").exit_code == 0
    before = _snapshot(office)
    # receive: unknown, void, before the document's date; the same number twice; a date after today
    r = run_in(office, "register", "receive", "淄改办催〔2026〕99号", "淄改办催〔2026〕24号", "淄改办催〔2026〕15号",
               "淄改办催〔2026〕15号", "--date", "2026-11-01")
    assert r.exit_code == 2
    assert "4 problems found; nothing was written." in r.output
    assert "NUMBER 1: 淄改办催〔2026〕99号: is not in the register" in r.output
    assert "NUMBER 2: 淄改办催〔2026〕24号: is void (发错单位)" in r.output
    assert "NUMBER 3: 淄改办催〔2026〕15号: the receipt date 2026-11-01 is before the document's date 2026-11-28" in r.output
    assert 'NUMBER 4: "淄改办催〔2026〕15号" is given twice (first as NUMBER 3)' in r.output
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = run_in(office, "register", "reply", "淄改办催〔2026〕15号", "--date", tomorrow)
    assert r.exit_code == 2 and f"--date: {tomorrow} is after today" in r.output
    # reply before its receipt (signed for on 2026-11-30, above)
    r = run_in(office, "register", "reply", "淄改办提〔2026〕25号", "--date", "2026-11-29")
    assert r.exit_code == 2 and "the reply (2026-11-29) is before the receipt (2026-11-30)" in r.output

    # import: every problem with its row and column, nothing recorded (the good rows neither)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["回执登记"])
    ws.append(["文号", "签收人", "签收日期", "反馈日期", "备注"])
    ws.append(["淄改办催〔2026〕16号", "钱进", "2026-11-29", None, "good"])                  # row 3
    ws.append(["淄改办催〔2026〕98号", "钱进", "2026-11-29", None, None])                    # row 4 unknown
    ws.append(["淄改办催〔2026〕24号", None, "2026-11-29", None, None])                      # row 5 void
    ws.append(["淄改办催〔2026〕17号", None, "2026-11-20", None, None])                      # row 6 before the date
    ws.append(["淄改办催〔2026〕18号", None, tomorrow, None, None])                          # row 7 after today
    ws.append(["淄改办催〔2026〕19号", None, "2026-11-30", "2026-11-29", None])              # row 8 reply first
    ws.append(["淄改办催〔2026〕16号", None, "2026-11-30", None, None])                      # row 9 twice
    ws.append(["淄改办催〔2026〕21号", None, "2026-13-01", None, None])                      # row 10 not a date
    ws.append(["淄改办催〔2026〕22号", "孙丽", None, None, None])                             # row 11 name, no date
    ws.append([None, None, "2026-11-30", None, None])                                       # row 12 no number
    wb.save(office / "bad.xlsx")
    r = run_in(office, "register", "import", "bad.xlsx")
    assert r.exit_code == 2, r.output
    assert "9 problems found; nothing was written." in r.output
    for expected in (
        "bad.xlsx, sheet Sheet, row 4, column 文号: 淄改办催〔2026〕98号: is not in the register",
        "bad.xlsx, sheet Sheet, row 5, column 文号: 淄改办催〔2026〕24号: is void (发错单位)",
        "bad.xlsx, sheet Sheet, row 6, column 签收日期: 淄改办催〔2026〕17号: the receipt date 2026-11-20 is before the document's date 2026-11-28",
        f"bad.xlsx, sheet Sheet, row 7, column 签收日期: 淄改办催〔2026〕18号: the receipt date {tomorrow} is after today",
        "bad.xlsx, sheet Sheet, row 8, column 反馈日期: 淄改办催〔2026〕19号: the reply (2026-11-29) is before the receipt (2026-11-30)",
        'bad.xlsx, sheet Sheet, row 9, column 文号: "淄改办催〔2026〕16号" is listed twice (first at row 3)',
        'bad.xlsx, sheet Sheet, row 10, column 签收日期: "2026-13-01" is not a date',
        "bad.xlsx, sheet Sheet, row 11, column 签收人: 淄改办催〔2026〕22号: a 签收人 without a 签收日期",
        "bad.xlsx, sheet Sheet, row 12, column 文号: the 文号 is empty",
    ):
        assert expected in r.output, expected
    r = run_in(office, "register", "import", "回执.txt")
    assert r.exit_code == 2 and "give an .xlsx or .csv file" in r.output
    assert _snapshot(office) == before

    # the library raises the same, and records nothing either
    with pytest.raises(BadInput) as exc:
        receipts.receive(config, ["淄改办催〔2026〕16号", "淄改办催〔2026〕97号"], dt.date(2026, 11, 29))
    assert len(exc.value.problems) == 1
    assert _snapshot(office) == before


def test_an_empty_register_records_nothing_and_is_not_created(tmp_path):
    project = copy_sample(tmp_path / "office")
    r = run_in(project, "register", "receive", "淄改办催〔2026〕1号", "--date", "2026-11-29")
    assert r.exit_code == 2 and "is not in the register" in r.output
    assert not (project / "data" / "register.sqlite").exists()


def test_statistics_as_of_an_earlier_date_leave_later_events_out(office):
    config = load_config(office / "config.yaml")
    stats = receipts.statistics(config, 2026, dt.date(2026, 11, 29))
    rows = {r.doc_no: r for r in stats.rows}
    assert all(r.issued_on <= dt.date(2026, 11, 29) for r in stats.rows)
    assert rows["淄改办催〔2026〕14号"].replied_on is None and rows["淄改办催〔2026〕14号"].state == "已签收，待反馈"


def test_the_bulletin_quotes_the_reply_figures_when_config_turns_them_on(tmp_path, office):
    project = copy_sample(tmp_path / "office")
    config = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(config.replace("  categories: [区县, 专项小组]\n", "  categories: [区县, 专项小组]\n  reply_figures: true\n", 1),
                                         encoding="utf-8")
    assert run_in(project, "monthly", "--month", "2026-10", "--as-of", "2026-10-28", "--no-pdf").exit_code == 0
    assert run_in(project, "register", "receive", "淄改办催〔2026〕10号", "淄改办催〔2026〕11号", "--date", "2026-10-30").exit_code == 0
    assert run_in(project, "register", "reply", "淄改办催〔2026〕10号", "--date", "2026-11-05").exit_code == 0
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    out = project / "out" / "2026-11"
    bulletin = next(out.glob("docx/淄改办发〔2026〕21号-*.docx"))
    text = docx_text(bulletin)
    total = dict(zip(["unit", "issued", "received", "not_received", "on_time", "late", "missing"],
                     list(openpyxl.load_workbook(out / "签收反馈.xlsx")["按单位统计"].iter_rows(values_only=True))[-1]))
    # as of 11-28: 催10 replied late, 催11 signed for, 催12 not: both without a reply since 11-02
    assert (total["received"], total["on_time"], total["late"], total["missing"]) == (2, 0, 1, 2)
    assert (f"截至2026年11月28日，淄博市委改革办2026年共向各单位发文{total['issued']}件，已签收2件；需书面反馈的，"
            "按期反馈0件，逾期反馈1件，逾期未反馈2件，其中博山区1件、市教育局1件。") in text
    # off by default: the office fixture's November bulletin has no such sentence
    default = docx_text(next((office / "out" / "2026-11").glob("docx/淄改办发〔2026〕21号-*.docx")))
    assert "共向各单位发文" not in default and "二、排名情况" in default


def test_the_first_run_counts_the_paper_documents_it_copies_into_the_register(tmp_path):
    """The paper register (data/history, 91 documents) is copied in by the first run, in the same
    transaction: its figures already count them, and a re-run gives the same line."""
    project = copy_sample(tmp_path / "office")
    lines = []
    for _ in range(2):
        result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
        assert result.exit_code == 0, result.output
        lines.append(result.output.strip().splitlines()[-1])
    # 91 paper + 24 to units (the bulletin to all is counted for none); the paper documents dated
    # 11-25 and 11-26 (淄改办责〔2026〕3号, 淄改办催〔2026〕9号) are not yet more than 5 days old
    assert lines[0] == lines[1] == ("签收反馈（2026年，截至2026-11-28）：发文数 115，已签收 0，未签收（超过5天） 89，"
                                    "按期反馈 0，逾期反馈 0，未反馈（已逾期） 0。")
