#!/usr/bin/env python
"""Generate the bad-input corpus: one folder per case under tests/bad_inputs/.

    .venv/bin/python tests/bad_inputs/make_cases.py            # rewrite the committed corpus
    .venv/bin/python tests/bad_inputs/make_cases.py /tmp/x     # write it elsewhere (to compare)

Each case folder holds only what differs from the tiny office of tests/conftest.py
(config.yaml, data/*.csv|xlsx|yaml, templates) plus:

- expected.txt: the lines that must appear in the output (a line starting with `re:` is a
  regular expression searched in the output; every other line is an exact substring);
- case.yaml (only when needed): `remove:` files of the tiny office to delete, `args:` the CLI
  arguments (default: monthly --month 2026-11 --as-of 2026-11-28 --no-pdf), `generate:` the
  name of a generator below that writes big files into the office at test time (they are
  not committed: the committed corpus stays well under 2 MB).

A file given for a table (data/tasks.xlsx) replaces the tiny office's file of the same
table (data/tasks.csv). Everything here is deterministic: fixed zip timestamps, no clock.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from conftest import CONFIG, TASKS, UNITS  # noqa: E402  (the tiny office)

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_TEMPLATES = ROOT / "templates" / "docx"
TEMPLATES_CONFIG = CONFIG + "paths:\n  templates: mine\n"


# --------------------------------------------------------------------------- builders

def rows_with(rows: list[list[Any]], *changes: tuple[int, str, Any]) -> list[list[Any]]:
    """A copy of rows with (row index, column header, value) changes."""
    rows = copy.deepcopy(rows)
    for r, column, value in changes:
        rows[r][rows[0].index(column)] = value
    return rows


def task_row(task_id: str, **values: str) -> list[str]:
    """A task row (not started, led by 张店区) with some columns set by header."""
    row = [""] * len(TASKS[0])
    base = {"编号": task_id, "改革事项": f"改革事项{task_id}", "牵头单位": "张店区", "状态": "未启动"} | values
    for column, value in base.items():
        row[TASKS[0].index(column)] = value
    return row


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def stable_zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of (name, data, compression) with fixed timestamps and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data, compression in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def rezip(data: bytes, change: Callable[[str, bytes], bytes | None] = lambda n, b: b) -> bytes:
    """Rewrite a zip deterministically; change(name, data) returns the new data or None to drop it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = []
    for info in src.infolist():
        new = change(info.filename, src.read(info.filename))
        if new is not None:
            entries.append((info.filename, new, zipfile.ZIP_DEFLATED))
    return stable_zip(entries)


def with_bomb(data: bytes, name: str, megabytes: int = 250) -> bytes:
    """Add an entry of `megabytes` MB of zeros, bzip2-compressed (a few hundred bytes on disk)."""
    out = io.BytesIO(rezip(data))
    with zipfile.ZipFile(out, "a") as zf:
        info = zipfile.ZipInfo(name, ZIP_TIME)
        info.compress_type = zipfile.ZIP_BZIP2
        info.external_attr = 0o644 << 16
        with zf.open(info, "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                fh.write(chunk)
    return out.getvalue()


@dataclass(frozen=True)
class Formula:
    """A formula cell saved without its value (as written by a script, not by Excel)."""

    text: str


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _cell_xml(ref: str, value: Any, strings: dict[str, int]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, Formula):
        return f'<c r="{ref}"><f>{escape(value.text)}</f></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return f'<c r="{ref}" s="2"><v>{delta.days + delta.seconds / 86400!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="1"><v>{(value - dt.date(1899, 12, 30)).days}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.setdefault(str(value), len(strings))}</v></c>'


def sheet_xml(rows, merged=(), dimension: str | None = None, strings: dict[str, int] | None = None) -> bytes:
    """The sheet's XML; its texts go into strings (text -> index of the shared strings table)."""
    strings = {} if strings is None else strings
    width = max((len(r) for r in rows), default=1)
    dim = dimension or f"A1:{_col(width)}{max(len(rows), 1)}"
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dim}"/><sheetData>']
    for i, row in enumerate(rows, start=1):
        cells = "".join(_cell_xml(f"{_col(j)}{i}", v, strings) for j, v in enumerate(row, start=1))
        parts.append(f'<row r="{i}">{cells}</row>')
    parts.append("</sheetData>")
    if merged:
        parts.append(f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged) + "</mergeCells>")
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def xlsx_bytes(rows, sheet: str = "台账", merged=(), dimension: str | None = None,
               damage: Callable[[bytes], bytes] = lambda xml: xml) -> bytes:
    """A minimal, valid .xlsx (one sheet, shared strings as Excel writes them, date styles), fixed timestamps."""
    strings: dict[str, int] = {}
    sheet_data = damage(sheet_xml(rows, merged, dimension, strings))
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings) + "</sst>")
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>")
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>")
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>")
    styles = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>")
    d = zipfile.ZIP_DEFLATED
    return stable_zip([
        ("[Content_Types].xml", content_types.encode(), d),
        ("_rels/.rels", rels.encode(), d),
        ("xl/workbook.xml", workbook.encode(), d),
        ("xl/_rels/workbook.xml.rels", workbook_rels.encode(), d),
        ("xl/styles.xml", styles.encode(), d),
        ("xl/sharedStrings.xml", shared.encode("utf-8"), d),
        ("xl/worksheets/sheet1.xml", sheet_data, d),
    ])


def edited_template(kind: str, old: str, new: str) -> bytes:
    """A default template with a text changed inside one run, as a clerk would in Word."""
    from docx import Document

    doc = Document(DEFAULT_TEMPLATES / f"{kind}.docx")
    done = False
    for p in doc.paragraphs:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)
                done = True
    assert done, old
    out = io.BytesIO()
    doc.save(out)
    return rezip(out.getvalue())


def minimal_docx(document_xml: bytes) -> list[tuple[str, bytes, int]]:
    d = zipfile.ZIP_DEFLATED
    return [
        ("[Content_Types].xml", b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                                b'<Default Extension="xml" ContentType="application/xml"/>'
                                b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>', d),
        ("_rels/.rels", b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>', d),
        ("word/document.xml", document_xml, d),
    ]


# --------------------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    expected: list[str]
    files: dict[str, bytes | str] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    args: list[str] | None = None
    generate: str | None = None


CASES: list[Case] = []


def case(name: str, expected: list[str], files: dict[str, bytes | str] | None = None, *,
         remove: list[str] | None = None, args: list[str] | None = None, generate: str | None = None) -> None:
    CASES.append(Case(name, expected, files or {}, remove or [], args, generate))


# Valid tables the tiny office does not have, to break one thing at a time.
FINDINGS = [
    ["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态", "整改完成日期", "复查意见"],
    ["F-1", "2026年第三轮改革专项督察", "2026-10-10", "张店区", "改革台账更新不及时", "每月25日前更新台账", "2026-11-10", "整改中", "", ""],
    ["F-2", "2026年第三轮改革专项督察", "2026-10-10", "淄川区", "配套制度未出台", "出台配套制度", "2026-12-31", "未整改", "", ""],
]
HISTORY = [
    ["文号", "文种", "事项编号", "单位", "成文日期", "新时限"],
    ["淄改办催〔2026〕3号", "催办单", "T-2", "张店区", "2026-11-01", ""],
]
SCORES = [
    ["单位", "改革任务推进(40)", "督察整改(30)", "改革宣传(15)", "创新探索(15)", "总分", "扣分说明"],
    ["张店区", "38", "28", "14", "13.5", "93.5", ""],
    ["淄川区", "35", "27", "12", "14", "88", "宣传报送滞后"],
]

def define_cases() -> None:
    """Fill CASES (building the files takes a few seconds: the zip bombs are real)."""
    # --- config.yaml -------------------------------------------------------------------

    case("config_unknown_key",
         ["config.yaml: office.nmae: unknown key (did you mean name?)"],
         {"config.yaml": CONFIG + "  nmae: 淄博市委改革办\n"})
    case("config_unknown_section",
         ["config.yaml: rulez: unknown key (did you mean rules?)"],
         {"config.yaml": CONFIG + "rulez:\n  urge_days_before_due: 7\n"})
    case("config_wrong_type_number",
         ["config.yaml: rules.order_after_urging_days: expected a whole number, got 'fifteen'",
          "config.yaml: rules.urge_days_before_due: expected a whole number, got 7.5"],
         {"config.yaml": CONFIG + "rules:\n  order_after_urging_days: fifteen\n  urge_days_before_due: 7.5\n"})
    case("config_wrong_type_list",
         ["config.yaml: ranking.categories: expected a list of text, got '区县'",
          "config.yaml: office.cc: expected a list of text, got '市委办公室'"],
         {"config.yaml": CONFIG + "  cc: 市委办公室\nranking:\n  categories: 区县\n"})
    case("config_wrong_type_bool_and_mapping",
         ["config.yaml: pdf.enabled: expected true or false, got 1",
          "config.yaml: office.contact: expected a mapping of keys, got '王明'"],
         {"config.yaml": CONFIG.replace('contact: {name: 王明, phone: "0533-1234567"}', "contact: 王明") + "pdf:\n  enabled: 1\n"})
    case("config_out_of_range",
         ["config.yaml: rules.progress_report_day: 31 is out of range (1 to 28)",
          "config.yaml: rules.reminder_reply_days: -1 is out of range (0 to 365 days)",
          "config.yaml: pdf.jobs: expected a whole number ≥ 1 or auto, got 0"],
         {"config.yaml": CONFIG + "rules:\n  progress_report_day: 31\n  reminder_reply_days: -1\npdf:\n  jobs: 0\n"})
    case("config_not_yaml",
         ["config.yaml, line 3: is not valid YAML"],
         {"config.yaml": "office:\n  name: [中共淄博市委全面深化改革委员会办公室\n  prefix: 淄改办\n"})
    QUOTED_CONFIG = CONFIG.replace("name: 中共淄博市委全面深化改革委员会办公室", 'name: "中共淄博市委全面深化改革委员会办公室"')
    case("config_truncated_in_a_quote",
         ["config.yaml, line 2: is not valid YAML: found unexpected end of stream"],
         {"config.yaml": QUOTED_CONFIG[:QUOTED_CONFIG.index("改革委员会")]})
    case("config_truncated_in_a_character",
         ["config.yaml: is not UTF-8 text"],
         {"config.yaml": QUOTED_CONFIG.encode("utf-8")[:QUOTED_CONFIG.encode("utf-8").index("改".encode()) + 1]})
    case("config_not_a_mapping",
         ["config.yaml: the file: expected a mapping of keys, got ['office', 'rules']"],
         {"config.yaml": "- office\n- rules\n"})
    case("config_gbk",
         ["config.yaml: is not UTF-8 text"],
         {"config.yaml": CONFIG.encode("gbk")})
    case("config_missing_required",
         ["config.yaml: office.prefix: required (the 文号 prefix, e.g. 淄改办)"],
         {"config.yaml": CONFIG.replace("  prefix: 淄改办\n", "")})
    case("config_numbering_without_year",
         ["config.yaml: numbering.urging: must contain {year} and {n}"],
         {"config.yaml": CONFIG + "numbering:\n  urging: \"{prefix}催{n}号\"\n"})
    case("config_numbering_unknown_field",
         ["config.yaml: numbering.order: only {prefix}, {year} and {n} may be used ('month')"],
         {"config.yaml": CONFIG + "numbering:\n  order: \"{prefix}责〔{year}〕{month}-{n}号\"\n"})
    case("config_numbering_index_field",
         ["re:config\\.yaml: numbering\\.urging: only \\{prefix\\}, \\{year\\} and \\{n\\} may be used"],
         {"config.yaml": CONFIG + "numbering:\n  urging: \"{prefix}催〔{year}〕{n}号{year[0]}\"\n"})
    case("config_numbering_same_pattern",
         ["config.yaml: numbering: two series have the same pattern; each series needs its own"],
         {"config.yaml": CONFIG + "numbering:\n  order: \"{prefix}催〔{year}〕{n}号\"\n"})
    case("config_impossible_date_value",
         ["re:config\\.yaml.*(line 5|office\\.mark).*2026-02-30"],
         {"config.yaml": CONFIG + "  mark: 2026-02-30\n"})

    # --- units ------------------------------------------------------------------------

    case("units_duplicate_name",
         ['data/units.csv, row 5, column 单位名称: "张店区委改革办" is listed twice (first at row 2)'],
         {"data/units.csv": csv_bytes(UNITS + [["张店区委改革办", "", "区县", "", "", "9"]])})
    case("units_duplicate_short",
         ['data/units.csv: the short name "张店区" is used by 张店区委改革办 and 张店区政府办'],
         {"data/units.csv": csv_bytes(UNITS + [["张店区政府办", "张店区", "其他", "", "", "9"]])})
    case("units_bad_category_and_order",
         ['data/units.csv, row 4, column 类别: "部门" is not a unit category (use 区县、市直部门、专项小组、其他)',
          'data/units.csv, row 3, column 排序: "第二" is not a whole number'],
         {"data/units.csv": csv_bytes(rows_with(UNITS, (3, "类别", "部门"), (2, "排序", "第二")))})
    case("units_order_of_5000_digits",
         ["re:data/units\\.csv, row 2, column 排序: "],
         {"data/units.csv": csv_bytes(rows_with(UNITS, (1, "排序", "9" * 5000)))})
    case("units_missing_column",
         ["data/units.csv, column 类别: missing column (add a column headed 类别)"],
         {"data/units.csv": csv_bytes([r[:2] + r[3:] for r in UNITS])})
    case("units_empty_file",
         ["data/units.csv: has no header row (expected the columns 单位名称、类别)"],
         {"data/units.csv": b""})
    case("units_missing_file",
         ["data/units.xlsx: missing file (give units.xlsx, units.csv or units.yaml)"],
         remove=["data/units.csv"])
    case("units_two_files",
         ["data: units.csv, units.yaml: more than one file for units; keep one"],
         {"data/units.csv": csv_bytes(UNITS),
          "data/units.yaml": "".join(f"- 单位名称: {r[0]}\n  类别: {r[2]}\n" for r in UNITS[1:])})
    case("units_utf16",
         ["data/units.csv: is neither UTF-8 nor GB18030 text; save it again as CSV UTF-8"],
         {"data/units.csv": csv_bytes(UNITS, "utf-16")})
    case("units_shift_jis",
         ["data/units.csv: has no header row (expected the columns 单位名称、类别)"],
         {"data/units.csv": csv_bytes([["単位名称", "簡称", "類別"], ["張店区委改革弁", "張店区", "区県"]], "shift_jis")})
    case("units_xlsx_really_csv",
         ["data/units.xlsx: is not a real .xlsx file"],
         {"data/units.xlsx": csv_bytes(UNITS)})
    case("units_control_character",
         ["data/units.csv, row 3, column 单位名称: contains the control character U+001B at position 3, which cannot go into a document"],
         {"data/units.csv": csv_bytes(rows_with(UNITS, (2, "单位名称", "淄川\x1b区委改革办")))})

    # --- tasks ------------------------------------------------------------------------

    case("tasks_unknown_units",
         ['data/tasks.csv, row 2, column 牵头单位: "周村区" is not in the units list',
          'data/tasks.csv, row 3, column 配合单位: "市教育局" is not in the units list'],
         {"data/tasks.csv": csv_bytes(rows_with(TASKS, (1, "牵头单位", "周村区"), (2, "配合单位", "淄川区；市教育局")))})
    case("tasks_duplicate_id",
         ['data/tasks.csv, row 3, column 编号: the id "T-1" is used twice (first at row 2)'],
         {"data/tasks.csv": csv_bytes(rows_with(TASKS, (2, "编号", "T-1")))})
    case("tasks_bad_status_and_source",
         ['data/tasks.csv, row 3, column 状态: "进行中" is not a status (use 未启动、推进中、已完成、已销账)',
          'data/tasks.csv, row 2, column 来源: "国务院" is not a source (use 中央、省委、市委'],
         {"data/tasks.csv": csv_bytes(rows_with(TASKS, (2, "状态", "进行中"), (1, "来源", "国务院")))})

    WRONG_DATES = ["24/11/2026", "11/24/26", "11/24/2026", "下月底", "2026年11月", "26-11-24", "2026-11", "2026/11/24/",
                   "2026-11-24 10:30", "2026-11-24T08:00:00Z", "二〇二六年十一月二十四日", "45985", "2026_11_24", "Nov 24, 2026"]
    case("tasks_dates_in_wrong_forms",
         [f'data/tasks.csv, row {i}, column 收到日期: "{d}" is not a date (use 2026-11-24)' for i, d in enumerate(WRONG_DATES, start=2)],
         {"data/tasks.csv": csv_bytes([TASKS[0]] + [task_row(f"D-{i}", 收到日期=d) for i, d in enumerate(WRONG_DATES, start=1)])})
    IMPOSSIBLE = ["2026-13-40", "2026-02-29", "2026-04-31", "2026-00-10", "2026-11-00", "2026年2月30日", "20261301", "0000-01-01"]
    case("tasks_impossible_dates",
         [f'data/tasks.csv, row {i}, column 完成时限: "{d}" is not a date (use 2026-11-24)' for i, d in enumerate(IMPOSSIBLE, start=2)],
         {"data/tasks.csv": csv_bytes([TASKS[0]] + [task_row(f"I-{i}", 交办日期="2026-10-01", 完成时限=d, 状态="推进中")
                                                     for i, d in enumerate(IMPOSSIBLE, start=1)])})
    case("tasks_deadline_rules",
         ["data/tasks.csv, row 2, column 完成时限: the deadline 2026-09-30 is before the assignment date 2026-10-01",
          "data/tasks.csv, row 3, column 完成时限: 完成时限 is empty; a task with a 交办日期 needs a deadline",
          "data/tasks.csv, row 4, column 完成日期: 完成日期 is empty; a task that is 已销账 needs the date it was finished"],
         {"data/tasks.csv": csv_bytes([TASKS[0], task_row("R-1", 交办日期="2026-10-01", 完成时限="2026-09-30"),
                                       task_row("R-2", 交办日期="2026-10-01"), task_row("R-3", 状态="已销账")])})
    case("tasks_control_characters",
         ["data/tasks.csv, row 2, column 改革事项: contains the control character U+0007 at position 3",
          "data/tasks.csv, row 3, column 进展情况: contains the control character U+000B at position 4",
          "data/tasks.csv, row 4, column 备注: contains the control character U+FFFE at position 1",
          "data/tasks.csv, row 5, column 上级文件: contains the control character U+0008 at position 2"],
         {"data/tasks.csv": csv_bytes([TASKS[0], task_row("C-1", 改革事项="深化\x07改革"), task_row("C-2", 进展情况="已完成\x0b对接"),
                                       task_row("C-3", 备注="\ufffe备注"), task_row("C-4", 上级文件="《\x08关于》")])})
    case("tasks_empty_required",
         ["data/tasks.csv, row 2, column 改革事项: 改革事项 is empty (required)",
          "data/tasks.csv, row 3, column 牵头单位: 牵头单位 is empty (required)",
          "data/tasks.csv, row 4, column 编号: 编号 is empty (required)"],
         {"data/tasks.csv": csv_bytes([TASKS[0], task_row("E-1", 改革事项="  "), task_row("E-2", 牵头单位="\u3000\u3000"),
                                       task_row(" \t ")])})
    case("tasks_missing_columns",
         ["data/tasks.csv, column 牵头单位: missing column (add a column headed 牵头单位)",
          "data/tasks.csv, column 状态: missing column (add a column headed 状态)"],
         {"data/tasks.csv": csv_bytes([[c for i, c in enumerate(r) if TASKS[0][i] not in ("牵头单位", "状态")] for r in TASKS])})
    case("tasks_duplicate_column",
         ['data/tasks.csv, row 1: the column "完成时限" appears twice'],
         {"data/tasks.csv": csv_bytes([r + [r[TASKS[0].index("完成时限")]] for r in TASKS])})
    case("tasks_value_under_no_header",
         ['data/tasks.csv, row 3: a value "请市财政局配合" under no header (give the column a header)'],
         {"data/tasks.csv": csv_bytes([r + ([""] if i != 2 else ["", "请市财政局配合"]) for i, r in enumerate(TASKS)])})
    case("tasks_xlsx_really_csv",
         ["data/tasks.xlsx: is not a real .xlsx file (it is not a zip archive: was it renamed from another format?)"],
         {"data/tasks.xlsx": csv_bytes(TASKS)})
    case("tasks_csv_really_xlsx",
         ["data/tasks.csv: is not a CSV file (it is a zip archive: an Excel file renamed to .csv?)"],
         {"data/tasks.csv": xlsx_bytes(TASKS)})
    case("tasks_xlsx_truncated",
         ["data/tasks.xlsx: is not a real .xlsx file"],
         {"data/tasks.xlsx": xlsx_bytes(TASKS)[:1500]})
    case("tasks_xlsx_broken_sheet_xml",
         ["re:data/tasks\\.xlsx.*: .*(cannot be|not a valid|broken|damaged)"],
         {"data/tasks.xlsx": xlsx_bytes(TASKS, damage=lambda xml: xml[:len(xml) // 2])})
    case("tasks_xlsx_merged_required_cell",
         ["data/tasks.xlsx, sheet 台账, row 3, column 牵头单位: 牵头单位 is empty (required)"],
         {"data/tasks.xlsx": xlsx_bytes(rows_with(TASKS, (1, "牵头单位", "张店区"), (2, "牵头单位", None)), merged=["G2:G3"])})
    case("tasks_xlsx_merged_optional_cell",
         ["re:data/tasks\\.xlsx, sheet 台账, row 3, column 配合单位: .*merged"],
         {"data/tasks.xlsx": xlsx_bytes(rows_with(TASKS, (1, "配合单位", "淄川区"), (2, "配合单位", None)), merged=["H2:H3"])})
    case("tasks_xlsx_formula_in_required_cell",
         ["re:data/tasks\\.xlsx, sheet 台账, row 3, column 编号: .*formula"],
         {"data/tasks.xlsx": xlsx_bytes(rows_with(TASKS, (2, "编号", Formula('"T-"&2'))))})
    case("tasks_xlsx_formula_in_date_cell",
         ["re:data/tasks\\.xlsx, sheet 台账, row 2, column 收到日期: .*formula"],
         {"data/tasks.xlsx": xlsx_bytes(rows_with(TASKS, (1, "收到日期", Formula("DATE(2026,11,20)"))))})
    case("tasks_xlsx_date_cells_of_wrong_kind",
         ['data/tasks.xlsx, sheet 台账, row 2, column 收到日期: "2026-11-20 10:30:00" is a date with a time of day (use 2026-11-24)',
          'data/tasks.xlsx, sheet 台账, row 3, column 完成时限: "46000" is not a date (use 2026-11-24)',
          'data/tasks.xlsx, sheet 台账, row 3, column 交办日期: "True" is not a date (use 2026-11-24)'],
         {"data/tasks.xlsx": xlsx_bytes(rows_with(TASKS, (1, "收到日期", dt.datetime(2026, 11, 20, 10, 30)),
                                                  (2, "完成时限", 46000), (2, "交办日期", True)))})
    case("tasks_xlsx_zip_bomb",
         ["data/tasks.xlsx: would unpack to 250 MB; refused (at most 200 MB)"],
         {"data/tasks.xlsx": with_bomb(xlsx_bytes(TASKS), "xl/media/image1.png")})
    case("tasks_csv_unclosed_quote",
         ["re:data/tasks\\.csv, (row|line) 2.*(quote|unexpected end)"],
         {"data/tasks.csv": csv_bytes(TASKS).replace(",,,未启动,,,\r\n".encode(), ',,,未启动,,,"注意\r\n'.encode(), 1)})
    case("tasks_csv_nul_bytes",
         ["data/tasks.csv: is not a text file (it contains NUL bytes)"],
         {"data/tasks.csv": csv_bytes(TASKS) + b"\0\0\0\0"})
    case("tasks_csv_binary_garbage",
         ["data/tasks.csv: is neither UTF-8 nor GB18030 text; save it again as CSV UTF-8"],
         {"data/tasks.csv": bytes((i * 7919 + 13) % 256 for i in range(2048))})
    case("tasks_csv_cell_over_excel_limit",
         ["data/tasks.csv, row 3, column 进展情况: a text of 40000 characters (at most 32767)"],
         {"data/tasks.csv": csv_bytes(rows_with(TASKS, (2, "进展情况", "x" * 40000)))})
    case("tasks_yaml_broken",
         ["data/tasks.yaml, line 4: is not valid YAML"],
         {"data/tasks.yaml": "- 编号: T-1\n  改革事项: 深化改革\n  牵头单位: [市财政局\n  状态: 未启动\n"})
    case("tasks_yaml_not_a_list",
         ["data/tasks.yaml, line 1: must be a list of items (each starting with '- ')"],
         {"data/tasks.yaml": "编号: T-1\n改革事项: 深化改革\n牵头单位: 市财政局\n状态: 未启动\n"})
    case("tasks_yaml_item_not_a_mapping",
         ["data/tasks.yaml, row 2, line 5: must be a mapping of column: value"],
         {"data/tasks.yaml": "- 编号: T-1\n  改革事项: 深化改革\n  牵头单位: 市财政局\n  状态: 未启动\n- T-2 推进改革\n"})
    case("tasks_yaml_gbk",
         ["data/tasks.yaml: is not UTF-8 text"],
         {"data/tasks.yaml": "- 编号: T-1\n  改革事项: 深化改革\n  牵头单位: 市财政局\n  状态: 未启动\n".encode("gbk")})
    case("tasks_yaml_impossible_date",
         ['re:data/tasks\\.yaml, row 1, line 1, column (due|完成时限): "?2026-02-30"? is not a date'],
         {"data/tasks.yaml": "- 编号: T-1\n  改革事项: 深化改革\n  牵头单位: 市财政局\n  状态: 推进中\n  交办日期: 2026-01-10\n  完成时限: 2026-02-30\n"})
    case("tasks_huge_cell_csv",
         ["data/tasks.csv, line 3: is not a valid CSV file: field larger than field limit (131072)"],
         generate="huge_cell_csv")
    case("tasks_huge_cell_xlsx",
         ["data/tasks.xlsx, sheet 台账, row 3, column 进展情况: a text of 10485760 characters (at most 32767)"],
         generate="huge_cell_xlsx")
    case("tasks_100000_rows",
         ['data/tasks.xlsx, sheet 台账, row 100002, column 牵头单位: "周村区" is not in the units list'],
         generate="hundred_thousand_rows")

    # --- findings ----------------------------------------------------------------------

    case("findings_status_and_dates",
         ['data/findings.csv, row 2, column 整改状态: "整改完" is not a status (use 未整改、整改中、已整改、已销账)',
          "data/findings.csv, row 3, column 整改时限: the deadline 2026-09-30 is before the inspection date 2026-10-10",
          "data/findings.csv, row 4, column 整改完成日期: 整改完成日期 is empty; a finding that is 已整改 needs the date it was rectified",
          'data/findings.csv, row 4, column 督察日期: "2026.10.32" is not a date (use 2026-11-24)'],
         {"data/findings.csv": csv_bytes(rows_with(FINDINGS + [FINDINGS[1][:]], (1, "整改状态", "整改完"), (2, "整改时限", "2026-09-30"),
                                                   (3, "编号", "F-3"), (3, "整改状态", "已整改"), (3, "督察日期", "2026.10.32")))})
    case("findings_unknown_unit_and_empty",
         ['data/findings.csv, row 2, column 责任单位: "周村区委改革办" is not in the units list',
          "data/findings.csv, row 3, column 问题描述: 问题描述 is empty (required)",
          "data/findings.csv, row 3, column 整改要求: 整改要求 is empty (required)"],
         {"data/findings.csv": csv_bytes(rows_with(FINDINGS, (1, "责任单位", "周村区委改革办"), (2, "问题描述", ""), (2, "整改要求", " ")))})
    case("findings_duplicate_id",
         ['data/findings.csv, row 3, column 编号: the id "F-1" is used twice (first at row 2)'],
         {"data/findings.csv": csv_bytes(rows_with(FINDINGS, (2, "编号", "F-1")))})
    case("findings_missing_column",
         ["data/findings.csv, column 整改时限: missing column (add a column headed 整改时限)"],
         {"data/findings.csv": csv_bytes([r[:6] + r[7:] for r in FINDINGS])})

    # --- history -----------------------------------------------------------------------

    case("history_number_outside_series",
         ['data/history.csv, row 2, column 文号: "淄改办发〔2026〕3号" is not a number of the 催办单 series (like 淄改办催〔2026〕1号)'],
         {"data/history.csv": csv_bytes(rows_with(HISTORY, (1, "文号", "淄改办发〔2026〕3号")))})
    case("history_kind_and_date",
         ['data/history.csv, row 2, column 文种: "督办单" is not a kind of document',
          'data/history.csv, row 3, column 成文日期: "2026-11-31" is not a date (use 2026-11-24)'],
         {"data/history.csv": csv_bytes(rows_with(HISTORY + [["淄改办催〔2026〕4号", "催办单", "T-2", "张店区", "2026-11-31", ""]],
                                                  (1, "文种", "督办单")))})
    case("history_duplicate_number",
         ['data/history.csv, row 3, column 文号: the number "淄改办催〔2026〕3号" is listed twice (first at row 2)'],
         {"data/history.csv": csv_bytes(HISTORY + [["淄改办催[2026]3号", "催办单", "T-2", "张店区", "2026-11-02", ""]])})
    case("history_unknown_unit",
         ['data/history.csv, row 2, column 单位: "周村区" is not in the units list'],
         {"data/history.csv": csv_bytes(rows_with(HISTORY, (1, "单位", "周村区")))})
    case("history_number_too_large",
         ["re:data/history\\.csv, row 2, column 文号: .*99999999999999999999"],
         {"data/history.csv": csv_bytes(rows_with(HISTORY, (1, "文号", "淄改办催〔2026〕99999999999999999999号")))})
    case("history_number_of_5000_digits",
         ["re:data/history\\.csv, row 2, column 文号: "],
         {"data/history.csv": csv_bytes(rows_with(HISTORY, (1, "文号", "淄改办催〔2026〕" + "9" * 5000 + "号")))})

    # --- scores ------------------------------------------------------------------------

    case("scores_out_of_range",
         ["data/scores/2026-11.csv, row 2, column 改革任务推进(40): 41 is above the maximum 40",
          "data/scores/2026-11.csv, row 3, column 督察整改(30): -2 is below zero (give a number from 0 to 30)"],
         {"data/scores/2026-11.csv": csv_bytes(rows_with(SCORES, (1, "改革任务推进(40)", "41"), (1, "总分", ""),
                                                         (2, "督察整改(30)", "-2"), (2, "总分", "")))})
    case("scores_not_numbers",
         ['data/scores/2026-11.csv, row 2, column 改革宣传(15): "优" is not a number',
          'data/scores/2026-11.csv, row 3, column 创新探索(15): "13.333" has more than two decimal places',
          'data/scores/2026-11.csv, row 3, column 改革宣传(15): "nan" is not a number',
          "data/scores/2026-11.csv, row 2, column 创新探索(15): the score is empty (give a number from 0 to 15)"],
         {"data/scores/2026-11.csv": csv_bytes(rows_with(SCORES, (1, "改革宣传(15)", "优"), (1, "创新探索(15)", ""),
                                                         (2, "创新探索(15)", "13.333"), (2, "改革宣传(15)", "nan")))})
    case("scores_total_mismatch",
         ["data/scores/2026-11.csv, row 3, column 总分: 90 is not the sum of the indicators (88)"],
         {"data/scores/2026-11.csv": csv_bytes(rows_with(SCORES, (2, "总分", "90")))})
    case("scores_unit_twice",
         ['data/scores/2026-11.csv, row 4, column 单位: "张店区委改革办" is listed twice (first at row 2 as "张店区")'],
         {"data/scores/2026-11.csv": csv_bytes(SCORES + [["张店区委改革办", "30", "20", "10", "10", "70", ""]])})
    case("scores_missing_ranked_unit",
         ["data/scores/2026-11.csv: no row for 淄川区 (every unit of the ranked category 区县 needs a score for 2026年11月)"],
         {"data/scores/2026-11.csv": csv_bytes(SCORES[:2])})
    case("scores_unknown_unit",
         ['data/scores/2026-11.csv, row 4, column 单位: "周村区" is not in the units list'],
         {"data/scores/2026-11.csv": csv_bytes(SCORES + [["周村区", "30", "20", "10", "10", "70", ""]])})
    case("scores_no_indicators",
         ["data/scores/2026-11.csv: no indicator columns (give each indicator its maximum in brackets, like 改革任务推进(40))"],
         {"data/scores/2026-11.csv": csv_bytes([["单位", "改革任务推进", "督察整改", "总分"], ["张店区", "38", "28", "66"], ["淄川区", "35", "27", "62"]])})
    case("scores_zero_maximum",
         ["data/scores/2026-11.csv, column 创新探索(0): the maximum of 创新探索(0) must be above zero"],
         {"data/scores/2026-11.csv": csv_bytes([[c.replace("(15)", "(0)") if c == "创新探索(15)" else c for c in SCORES[0]]] + SCORES[1:])})
    case("scores_exponent",
         ['re:data/scores/2026-11\\.csv, row 2, column 改革任务推进\\(40\\): "?1e100"?'],
         {"data/scores/2026-11.csv": csv_bytes(rows_with(SCORES, (1, "改革任务推进(40)", "1e100"), (1, "总分", "")))})
    case("scores_earlier_month_bad",
         ["data/scores/2026-10.csv, row 3, column 督察整改(30): 31 is above the maximum 30"],
         {"data/scores/2026-11.csv": csv_bytes(SCORES),
          "data/scores/2026-10.csv": csv_bytes(rows_with(SCORES, (2, "督察整改(30)", "31"), (2, "总分", "")))})
    case("scores_xlsx_really_csv",
         ["data/scores/2026-11.xlsx: is not a real .xlsx file"],
         {"data/scores/2026-11.xlsx": csv_bytes(SCORES)})

    # --- templates ---------------------------------------------------------------------

    case("template_unclosed_block",
         ["re:mine/urging\\.docx: in the paragraph “.*”: the template does not compile: Unexpected end of template.*"
          "The innermost block that needs to be closed is 'if'"],
         {"config.yaml": TEMPLATES_CONFIG,
          "mine/urging.docx": edited_template("urging", "{{ status_text }}。", "{% if days_left %}{{ status_text }}。")})
    case("template_broken_tag",
         ["mine/urging.docx: in the paragraph “二、当前状态。{{ status_text }。{% if task.progr…”: the template does not compile: unexpected '}'"],
         {"config.yaml": TEMPLATES_CONFIG,
          "mine/urging.docx": edited_template("urging", "{{ status_text }}。", "{{ status_text }。")})
    case("template_unknown_variable",
         ["mine/urging.docx: in the paragraph “{{ unit.nmae }}：”: “nmae” is not offered here (did you mean name?)"],
         {"config.yaml": TEMPLATES_CONFIG, "mine/urging.docx": edited_template("urging", "{{ unit.name }}：", "{{ unit.nmae }}：")})
    case("template_not_a_docx",
         ["mine/reminder.docx: is not a real .docx file"],
         {"config.yaml": TEMPLATES_CONFIG, "mine/reminder.docx": "{{ doc_no }} {{ date }}\n"})
    case("template_truncated",
         ["mine/order.docx: is not a real .docx file"],
         {"config.yaml": TEMPLATES_CONFIG, "mine/order.docx": (DEFAULT_TEMPLATES / "order.docx").read_bytes()[:8000]})
    case("template_broken_xml",
         ["mine/assignment.docx: cannot be opened as a Word document"],
         {"config.yaml": TEMPLATES_CONFIG,
          "mine/assignment.docx": stable_zip(minimal_docx(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'))})
    case("template_zip_bomb",
         ["mine/urging.docx: would unpack to 250 MB; refused (at most 200 MB)"],
         {"config.yaml": TEMPLATES_CONFIG,
          "mine/urging.docx": with_bomb(stable_zip(minimal_docx(b"<w:document/>")), "word/media/image1.png")})

    # --- the command line --------------------------------------------------------------

    case("cli_impossible_as_of",
         ['--as-of: "2026-02-30" is not a date (use 2026-11-24)'],
         args=["monthly", "--as-of", "2026-02-30", "--no-pdf"])
    case("cli_month_out_of_range",
         ['--month: "2026-13" is not a month (use 2026-11)'],
         args=["monthly", "--month", "2026-13", "--as-of", "2026-11-28", "--no-pdf"])
    case("cli_tasklist_year_without_tasks",
         ["data/tasks: no task of 2031: a task belongs to the year by its 完成时限 or 交办日期"],
         args=["tasklist", "--year", "2031", "--date", "2031-01-10", "--no-pdf"])
    case("config_pledge_unknown_category",
         ["config.yaml: pledge.categories: '专项组' is not a unit category (units.categories: 区县、市直部门、专项小组、其他)"],
         {"config.yaml": CONFIG + "pledge:\n  categories: [专项组]\n"})
    case("config_pledge_empty_text",
         ["config.yaml: pledge.requirements: needs at least one paragraph, none empty (leave it out for the default text)",
          "config.yaml: pledge.assessment: needs at least one paragraph, none empty (leave it out for the default text)"],
         {"config.yaml": CONFIG + "pledge:\n  requirements: []\n  assessment: [\"  \"]\n"})


# --------------------------------------------------------------------------- big files, made at test time

def _huge_cell_csv(office: Path) -> None:
    rows = rows_with(TASKS, (2, "进展情况", "进" * (10 * 1024 * 1024)))
    (office / "data" / "tasks.csv").write_bytes(csv_bytes(rows))


def _huge_cell_xlsx(office: Path) -> None:
    rows = rows_with(TASKS, (2, "进展情况", "x" * (10 * 1024 * 1024)))
    (office / "data" / "tasks.csv").unlink()
    (office / "data" / "tasks.xlsx").write_bytes(xlsx_bytes(rows))


def _hundred_thousand_rows(office: Path) -> None:
    """100,000 valid tasks (not started, nothing to send) and one with an unknown unit at the end."""
    rows = [TASKS[0]] + [task_row(f"B-{i}") for i in range(1, 100_001)] + [task_row("B-X", 牵头单位="周村区")]
    (office / "data" / "tasks.csv").unlink()
    (office / "data" / "tasks.xlsx").write_bytes(xlsx_bytes(rows))


GENERATORS: dict[str, Callable[[Path], None]] = {
    "huge_cell_csv": _huge_cell_csv,
    "huge_cell_xlsx": _huge_cell_xlsx,
    "hundred_thousand_rows": _hundred_thousand_rows,
}


# --------------------------------------------------------------------------- writing

def write_case(c: Case, folder: Path) -> None:
    folder.mkdir(parents=True)
    for rel, content in c.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    (folder / "expected.txt").write_text("".join(line + "\n" for line in c.expected), encoding="utf-8")
    meta = {}
    if c.remove:
        meta["remove"] = c.remove
    if c.args:
        meta["args"] = c.args
    if c.generate:
        assert c.generate in GENERATORS, c.generate
        meta["generate"] = c.generate
    if meta:
        import yaml

        (folder / "case.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8")


def write_all(dest: Path) -> list[str]:
    """Write every case folder under dest (replacing the case folders already there)."""
    dest.mkdir(parents=True, exist_ok=True)
    if not CASES:
        define_cases()
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "two cases with one name"
    for old in dest.iterdir():
        if old.is_dir() and (old / "expected.txt").exists():
            shutil.rmtree(old)
    for c in CASES:
        write_case(c, dest / c.name)
    return names


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    written = write_all(target)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file() and p.parent != target)
    print(f"wrote {len(written)} cases to {target} ({size / 1024:.0f} KB)")
