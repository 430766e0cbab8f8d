"""季度通报 and 约谈通知 on the sample office, end to end: real templates, LibreOffice, the PDFs measured."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pdfplumber
import pytest
from docx import Document

from conftest import copy_sample, nothing_written, run, run_in
from pipeline.output.lint import lint_pdf
from pipeline.register.store import open_register

SOCIAL = "市委全面深化改革委员会社会体制改革专项小组"


def docx_text(path: Path) -> str:
    doc = Document(path)
    return "\n".join(p.text for p in doc.paragraphs if p.text)


def register_numbers(project: Path) -> list[str]:
    return [e.doc_no for e in open_register(project / "data" / "register.sqlite").entries()]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The sample office after November's run (DOCX only), then the Q4 bulletin and November's 约谈通知 (with PDFs)."""
    project = copy_sample(tmp_path_factory.mktemp("periodic"))
    monthly = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert monthly.exit_code == 0, monthly.output
    check = run_in(project, "check", "--month", "2026-11", "--as-of", "2026-11-28")
    quarterly = run_in(project, "quarterly", "--quarter", "2026-Q4", "--as-of", "2026-11-30")
    assert quarterly.exit_code == 0, quarterly.output
    interview = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30")
    assert interview.exit_code == 0, interview.output
    return {"project": project, "monthly": monthly.output, "check": check.output, "quarterly": quarterly.output,
            "interview": interview.output}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- 约谈建议

def test_the_monthly_run_and_check_propose_the_unit_last_two_months(office):
    for output in (office["monthly"], office["check"]):
        assert "约谈建议" in output
        assert f"{SOCIAL}: 连续2个月专项小组排名末位：2026年10月第4名（共4个）、2026年11月第4名（共4个）" in output
        assert output.count("排名末位") == 1  # only that unit: no unit has two 责令书 in 2026
    wb = openpyxl.load_workbook(office["project"] / "out" / "2026-11" / "用印登记表.xlsx")
    assert wb.sheetnames == ["用印登记", "约谈建议"]
    rows = list(wb["约谈建议"].iter_rows(min_row=3, values_only=True))
    assert rows == [(1, SOCIAL, "专项小组", "排名末位", "连续2个月专项小组排名末位：2026年10月第4名（共4个）、2026年11月第4名（共4个）",
                     "建议（领导决定后以 make-notices interview 制发）")]
    kinds = {d["kind"] for d in manifest(office["project"] / "out" / "2026-11")["documents"]}
    assert "interview" not in kinds  # proposed, nothing numbered


# --------------------------------------------------------------------------- 季度通报

def test_the_bulletin_is_made_whole(office):
    out = office["project"] / "out" / "2026-Q4"
    m = manifest(out)
    [doc] = m["documents"]
    assert (doc["kind"], doc["doc_no"]) == ("quarterly", "淄改办发〔2026〕21号")  # after November's formal 18, 19, 20
    assert doc["title"] == "关于2026年第四季度全市全面深化改革任务推进情况的通报"
    assert m["figures"] == {"due": 11, "pending": 6, "on_time": 1, "late": 2, "not_done": 8, "done": 3, "rate": "27.3%",
                            "new": 8, "urgings": 15, "orders": 5}
    assert (out / doc["docx"]).is_file() and (out / doc["pdf"]).is_file() and (out / "打印合集.pdf").is_file()
    ws = openpyxl.load_workbook(out / "用印登记表.xlsx").active
    assert ws["B3"].value == "淄改办发〔2026〕21号" and ws["C3"].value == "季度通报"
    assert "完成率 27.3%" in office["quarterly"]


def test_the_bulletin_states_the_figures(office):
    out = office["project"] / "out" / "2026-Q4"
    text = docx_text(out / manifest(out)["documents"][0]["docx"])
    assert "2026年第四季度，全市共有11项改革任务到期应完成，已完成3项，其中按期完成1项、逾期完成2项；未完成8项；完成率27.3%。" in text
    assert "另有6项改革任务完成时限在本季度内、尚未到期，不计入完成率。" in text
    assert "本季度新交办改革任务8项；淄博市委改革办印发催办单15份、责令书5份。" in text
    assert "三、存在问题" in text and "张店区、临淄区、沂源县、高新区、市自然资源规划局因改革任务逾期未完成被下达责令书" in text
    assert "2026-030“推进自然资源资产产权制度改革" in text and "逾期46天" in text
    assert "四、下步要求" in text and "淄博市委改革办将持续跟踪督办" in text
    assert "附件：截至2026年11月30日逾期未完成改革任务清单" in text


def test_the_tables_per_category_add_up(office):
    out = office["project"] / "out" / "2026-Q4"
    doc = Document(out / manifest(out)["documents"][0]["docx"])
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    unit_tables = [t for t in tables if t[0][0] == "单位"]
    assert len(unit_tables) == 3  # 区县, 市直部门, 专项小组
    due = 0
    for t in unit_tables:
        body, total = t[1:-1], t[-1]
        assert total[0] == "合计"
        for col in range(1, 6):
            assert sum(int(r[col]) for r in body) == int(total[col])
        due += int(total[1])
        for r in body:
            d, on_time, late = int(r[1]), int(r[2]), int(r[3])
            assert d == on_time + late + int(r[4])
            assert r[6] == ("—" if d == 0 else f"{(on_time + late) * 100 / d:.1f}%")
    assert due == 11
    annex = next(t for t in tables if t[0][0] == "编号")
    assert [r[0] for r in annex[1:]] == ["2026-030", "2026-031", "2026-027", "2026-032", "2026-024", "2026-026", "2026-025", "2026-023"]
    assert "淄改办责〔2026〕1号" in annex[1][5] and annex[1][4] == "46天"


def test_the_bulletin_passes_lint_and_its_table_page_is_drawn(office):
    out = office["project"] / "out" / "2026-Q4"
    pdf = out / manifest(out)["documents"][0]["pdf"]
    assert lint_pdf(pdf) == []
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) >= 4
        assert sum(len(p.images) for p in doc.pages) == 3  # a rate chart per category
        words = " ".join(w["text"] for w in doc.pages[1].extract_words())
        assert "（一）区县" in words and "完成率" in words and "张店区" in words


def test_a_second_bulletin_with_nothing_changed_converts_nothing(office):
    """The quarterly run takes the caller's pool and the conversion cache as the monthly run does:
    counted at the pool, a run without the cache converts the bulletin, the next one with it converts
    nothing and delivers the same bytes."""
    import datetime as dt

    from pipeline.config import load_config
    from pipeline.output.convert import ConverterPool
    from pipeline.periodic.quarterly import quarterly

    project = office["project"]
    config = load_config(project / "config.yaml")
    out = project / "out" / "2026-Q4"

    def files() -> dict[str, bytes]:
        doc = manifest(out)["documents"][0]
        return {name: (out / doc[name]).read_bytes() for name in ("docx", "pdf")} | {"bundle": (out / "打印合集.pdf").read_bytes()}

    with ConverterPool(1) as pool:
        first = quarterly(config, "2026-Q4", dt.date(2026, 11, 30), pool=pool, cache=False)
        assert pool.converted == first.converted == 1 and first.reused == 0
        before = files()
        second = quarterly(config, "2026-Q4", dt.date(2026, 11, 30), pool=pool)
        assert pool.converted == 1 and second.converted == 0 and second.reused == 1
    assert second.planned == first.planned and files() == before
    assert any((project / "out" / ".cache" / "charts").glob("*.png"))  # the rate charts are kept too


def test_the_run_commands_share_their_options():
    """monthly, cases, quarterly, interview and tasklist read the same --dry-run, --no-pdf, --jobs, --no-cache."""
    helps = []
    for command in ("monthly", "cases", "quarterly", "interview", "tasklist"):
        result = run(command, "--help")
        assert result.exit_code == 0, result.output
        text = result.output[result.output.index("--dry-run"):]
        helps.append(text[:text.index("-h, --help")])
    assert "--no-cache" in helps[0] and "--jobs" in helps[0] and all(h == helps[0] for h in helps)


# --------------------------------------------------------------------------- 约谈通知

def test_interview_makes_the_notice(office):
    out = office["project"] / "out" / "2026-11-interview"
    [doc] = manifest(out)["documents"]
    assert (doc["kind"], doc["doc_no"], doc["recipient"]) == ("interview", "淄改办发〔2026〕22号", SOCIAL)
    text = docx_text(out / doc["docx"])
    assert f"{SOCIAL}主要负责同志：" in text
    assert "你单位连续2个月在专项小组中排名末位：2026年10月第4名（共4个单位），2026年11月第4名（共4个单位）。" in text
    assert "时间：另行通知。" in text and "地点：另行通知。" in text and "联系人：王明；联系电话：0533-1234567。" in text
    assert "责令书" not in text  # not on the orders trigger
    assert lint_pdf(out / doc["pdf"]) == []
    entry = next(e for e in open_register(office["project"] / "data" / "register.sqlite").entries() if e.doc_no == doc["doc_no"])
    assert (entry.kind, entry.subject, entry.unit) == ("interview", "排名末位", SOCIAL)


def test_a_second_interview_makes_nothing_new(office):
    project = office["project"]
    before = register_numbers(project)
    stamp = (project / "out" / "2026-11-interview" / "manifest.json").stat().st_mtime_ns
    result = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30")
    assert result.exit_code == 0 and "nothing made" in result.output
    result = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-12-02", "--no-pdf")
    assert result.exit_code == 0 and "nothing made" in result.output
    assert register_numbers(project) == before
    assert (project / "out" / "2026-11-interview" / "manifest.json").stat().st_mtime_ns == stamp
    # and the next monthly run no longer proposes it
    assert "约谈建议" not in run_in(project, "check", "--month", "2026-11", "--as-of", "2026-11-30").output


def test_interview_for_a_unit_that_does_not_qualify_is_bad_input(office):
    project = office["project"]
    before = register_numbers(project)
    result = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30",
                    "--unit", "张店区", "--unit", "社会体制改革专项小组", "--unit", "张店")
    assert result.exit_code == 2
    assert "3 problems found; nothing was written." in result.output
    assert '--unit: "张店区" does not qualify for a 约谈 in 2026-11: 1 责令书 in 2026 up to 2026-11-30 (2 needed); ' \
           "not last of 区县 in every month of 2026-10、2026-11" in result.output
    assert '"社会体制改革专项小组" already had its 约谈通知 of 2026 for 排名末位 (淄改办发〔2026〕22号)' in result.output
    assert '"张店" is not in the units list (did you mean 张店区?)' in result.output
    assert register_numbers(project) == before


# --------------------------------------------------------------------------- with config and small offices

def test_interview_auto_makes_the_notices_in_the_monthly_run(tmp_path):
    project = copy_sample(tmp_path / "auto")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\ninterview:\n  auto: true\n  when: 2026年12月3日上午9:00\n"
                      "  where: 市委第二会议室\n", encoding="utf-8")
    assert "约谈通知 would be made for:" in run_in(project, "check", "--month", "2026-11", "--as-of", "2026-11-28").output
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "约谈通知 1" in result.output and "约谈通知 made for:" in result.output
    out = project / "out" / "2026-11"
    docs = manifest(out)["documents"]
    assert docs[-1]["kind"] == "interview" and docs[-1]["recipient"] == SOCIAL  # printed and numbered last
    text = docx_text(out / docs[-1]["docx"])
    assert "时间：2026年12月3日上午9:00。" in text and "地点：市委第二会议室。" in text
    sheet = openpyxl.load_workbook(out / "用印登记表.xlsx")["约谈建议"]
    assert sheet["F3"].value == f"已制发 {docs[-1]['doc_no']}"
    again = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")  # the same run again
    assert manifest(out)["documents"][-1]["doc_no"] == docs[-1]["doc_no"]
    assert "nothing made" in run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30", "--no-pdf").output
    assert again.exit_code == 0


def test_orders_trigger_names_each_order_and_the_head(tmp_path):
    """A unit with a 责令书 in the paper register gets its second in this run: one notice naming both."""
    project = copy_sample(tmp_path / "orders")
    history = project / "data" / "history.csv"
    # 2026-026 (张店区) gets its 责令书 in November's run; give 张店区 an earlier one in the paper register
    history.write_text(history.read_text(encoding="utf-8-sig").rstrip("\r\n") + "\r\n淄改办责〔2026〕4号,责令书,2026-009,张店区委改革办,2026-06-10\r\n",
                       encoding="utf-8-sig")
    units = openpyxl.load_workbook(project / "data" / "units.xlsx")
    ws = units.active
    header = next(r for r in ws.iter_rows() if any(c.value == "单位名称" for c in r))
    ws.cell(header[0].row, ws.max_column + 1, "主要负责人")
    zhangdian = next(r for r in ws.iter_rows() if r[0].value == "张店区委改革办")
    ws.cell(zhangdian[0].row, ws.max_column, "李明")
    units.save(project / "data" / "units.xlsx")
    result = run_in(project, "check", "--month", "2026-11", "--as-of", "2026-11-28")
    assert "张店区委改革办: 2026年已被下达责令书2份：淄改办责〔2026〕4号（6月10日）、淄改办责〔2026〕5号（11月28日）" in result.output, result.output
    assert run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    result = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30", "--unit", "张店区", "--no-pdf")
    assert result.exit_code == 0, result.output
    [doc] = manifest(project / "out" / "2026-11-interview")["documents"]
    text = docx_text(project / "out" / "2026-11-interview" / doc["docx"])
    assert "张店区委改革办李明同志：" in text and "请你单位主要负责同志（李明同志）按时参加约谈" in text
    assert "2026年以来，你单位承办的改革任务逾期未完成，已被淄博市委改革办下达责令书2份：2026年6月10日，淄改办责〔2026〕4号" in text
    assert "2026年11月28日，淄改办责〔2026〕5号（“" in text and "排名末位" not in text
    # the social group still qualifies; a later run makes it and keeps 张店区's notice in the folder
    result = run_in(project, "interview", "--month", "2026-11", "--as-of", "2026-11-30", "--no-pdf")
    assert result.exit_code == 0, result.output
    docs = manifest(project / "out" / "2026-11-interview")["documents"]
    assert [d["recipient"] for d in docs] == ["张店区委改革办", SOCIAL]
    assert all((project / "out" / "2026-11-interview" / d["docx"]).is_file() for d in docs)


def test_a_quarter_with_nothing_due_still_gets_its_bulletin(tiny):
    result = run("quarterly", "--quarter", "2026-Q1", "--as-of", "2026-03-31", "--no-pdf")
    assert result.exit_code == 0, result.output
    [doc] = manifest(tiny / "out" / "2026-Q1")["documents"]
    text = docx_text(tiny / "out" / "2026-Q1" / doc["docx"])
    assert "截至2026年3月31日，2026年第一季度全市没有到期应完成的改革任务。" in text
    assert "本季度没有单位有到期或待完成的改革任务。" in text and "附件" not in text
    # made again later (revised before it is sent): the same number, the new date
    again = run("quarterly", "--quarter", "2026-Q1", "--as-of", "2026-04-03", "--no-pdf")
    assert again.exit_code == 0, again.output
    [doc2] = manifest(tiny / "out" / "2026-Q1")["documents"]
    assert doc2["doc_no"] == doc["doc_no"] and doc2["date"] == "2026-04-03"
    assert register_numbers(tiny) == [doc["doc_no"]]


@pytest.mark.parametrize("args, message", [
    (["--quarter", "2026-Q5"], '--quarter: "2026-Q5" is not a quarter (use 2026-Q4)'),
    (["--quarter", "2026-Q4", "--as-of", "2026-09-30"], "--as-of: 2026-09-30 is before 2026-Q4 begins (2026-10-01)"),
])
def test_bad_quarter_writes_nothing(tiny, args, message):
    result = run("quarterly", *args, "--no-pdf")
    assert result.exit_code == 2 and message in result.output
    assert nothing_written(tiny)


def test_next_steps_follow_the_offices_kind_names(tmp_path):
    """An office that calls its 催办单 督办单 gets 督办单 in the default 下步要求 too (and nowhere 催办单)."""
    project = copy_sample(tmp_path / "duban")
    config = project / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nkinds:\n  urging: 督办单\n", encoding="utf-8")
    result = run_in(project, "quarterly", "--quarter", "2026-Q4", "--as-of", "2026-11-30", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "督办单 8，责令书 3" in result.output and "催办单" not in result.output  # the summary line names them alike
    out = project / "out" / "2026-Q4"
    text = docx_text(out / manifest(out)["documents"][0]["docx"])
    assert "对已下达督办单、责令书的改革任务，有关单位要集中力量攻坚" in text
    assert "印发督办单" in text and "催办单" not in text and "责令整改通知书" not in text
    # the standard office: its own names
    plain = copy_sample(tmp_path / "plain")
    assert run_in(plain, "quarterly", "--quarter", "2026-Q4", "--as-of", "2026-11-30", "--no-pdf").exit_code == 0
    out = plain / "out" / "2026-Q4"
    assert "对已下达催办单、责令书的改革任务" in docx_text(out / manifest(out)["documents"][0]["docx"])


def test_next_steps_name_only_kinds(tiny):
    (tiny / "config.yaml").write_text((tiny / "config.yaml").read_text(encoding="utf-8")
                                      + "quarterly:\n  next_steps:\n    - 对{kinds.urgin}要抓紧办理。\n", encoding="utf-8")
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "quarterly.next_steps[1]: {kinds.urgin} is not a kind of document (did you mean {kinds.urging}?)" in result.output


def test_interview_config_is_checked(tiny):
    (tiny / "config.yaml").write_text((tiny / "config.yaml").read_text(encoding="utf-8")
                                      + "interview:\n  after_orders: 20\n  wen: 明天\n", encoding="utf-8")
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "interview.after_orders: 20 is out of range" in result.output and "interview.wen: unknown key (did you mean when?)" in result.output
