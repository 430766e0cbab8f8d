"""Property-based tests (hypothesis): the slip rules over generated ledgers and register histories,
and the readers over generated (and garbage) CSV files through `make-notices check`.

Example counts are modest so that the whole file runs in well under a minute.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
import tempfile
import traceback
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, TASKS, UNITS
from pipeline.cli import main
from pipeline.model import Issued, Kind, Task, TaskStatus, Unit
from pipeline.rules.escalation import Thresholds, decide_slips

# --------------------------------------------------------------------------- (a) the slip rules

UNIT_A = Unit("张店区委改革办", "张店区", "区县", 1)
UNIT_B = Unit("淄川区委改革办", "淄川区", "区县", 2)
DAY0 = dt.date(2026, 1, 1)

days = st.integers(min_value=0, max_value=500).map(lambda n: DAY0 + dt.timedelta(days=n))
maybe_day = st.none() | days


@st.composite
def tasks(draw, task_id: str) -> Task:
    status = draw(st.sampled_from(list(TaskStatus)))
    assigned = draw(maybe_day)
    due = draw(days) if assigned is not None else draw(maybe_day)
    if assigned is not None and due < assigned:
        due = assigned + (assigned - due)  # a deadline never precedes the assignment (the reader refuses it)
    done = draw(days) if status in (TaskStatus.DONE, TaskStatus.CLOSED) else draw(maybe_day)
    return Task(id=task_id, title=f"事项{task_id}", lead=draw(st.sampled_from([UNIT_A, UNIT_B])), status=status,
                received=draw(maybe_day), assigned=assigned, due=due, done=done)


@st.composite
def ledgers(draw):
    """(tasks, history, as_of, month, thresholds): a ledger and the register's history of slips for it."""
    ids = draw(st.lists(st.sampled_from(["2026-1", "2026-2", "2026-10", "T-7", "甲", "A-01"]), min_size=1, max_size=5, unique=True))
    ledger = [draw(tasks(i)) for i in ids]
    history = []
    counters = Counter()
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        kind = draw(st.sampled_from([Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.URGING, Kind.ORDER]))
        subject = draw(st.sampled_from(ids + ["OTHER"]))
        counters[kind] += 1
        date = draw(days)
        history.append(Issued(kind, subject, UNIT_A.name, f"{kind.value}-{counters[kind]}", date,
                              deadline=draw(maybe_day) if kind == Kind.ORDER else None,
                              month=draw(st.sampled_from(["", f"{date:%Y-%m}", "2026-01", "2026-06", "2027-02"]))))
    as_of = draw(days)
    month = draw(st.just(f"{as_of:%Y-%m}") | st.sampled_from(["2026-01", "2026-06", "2027-02"]))
    t = Thresholds(reminder_reply_days=draw(st.integers(0, 30)), urge_days_before_due=draw(st.integers(0, 30)),
                   order_after_urging_days=draw(st.integers(0, 40)), order_new_deadline_days=draw(st.integers(0, 30)))
    return ledger, history, as_of, month, t


@settings(max_examples=400, deadline=None, database=None)
@given(ledgers())
def test_slip_rules_hold_for_any_ledger_and_history(case):
    ledger, history, as_of, month, t = case
    decisions = decide_slips(ledger, history, as_of, month, t)
    by_id = {task.id: task for task in ledger}
    earlier = list(history)

    # never two slips of a kind for one task in a run
    kinds = Counter((d.kind, d.subject) for d in decisions)
    assert all(n == 1 for n in kinds.values()), kinds

    for d in decisions:
        task = by_id[d.subject]
        # nothing for a task done as of the date
        assert not task.is_done(as_of), (d.kind, task)
        mine = [h for h in earlier if h.subject == task.id]
        if d.kind == Kind.ORDER:
            # never an order without an earlier urging at least order_after_urging_days old ...
            assert any(h.kind == Kind.URGING and (as_of - h.date).days >= t.order_after_urging_days for h in mine), (task, mine)
            # ... never a second order, and only past the deadline
            assert not any(h.kind == Kind.ORDER for h in mine)
            assert task.due is not None and task.due < as_of
            # never an urging in the same run as an order for the same task
            assert (Kind.URGING, task.id) not in kinds
        if d.kind in (Kind.REMINDER, Kind.ASSIGNMENT):  # once per task
            assert not any(h.kind == d.kind for h in mine)
        if d.kind == Kind.URGING:  # once per task per month
            assert not any(h.kind == Kind.URGING and h.month == month for h in mine)
            assert task.is_assigned(as_of)

    # decide_slips is a pure function: the same input gives the same decisions
    again = decide_slips(ledger, history, as_of, month, t)
    assert [(d.kind, d.subject) for d in again] == [(d.kind, d.subject) for d in decisions]


# --------------------------------------------------------------------------- (b) the readers through `check`

UNIT_NAMES = [r[0] for r in UNITS[1:]] + [r[1] for r in UNITS[1:]]
# Coherent (收到日期, 交办日期, 完成时限, 状态, 完成日期) of a valid task, in the accepted date forms
VALID_DATES = st.sampled_from([
    ("2026-11-20", "", "", "未启动", ""),
    ("2026/11/2", "2026-10-01", "2026-11-20", "推进中", ""),
    ("", "2026.10.1", "2026年12月31日", "推进中", ""),
    ("", "20261001", "2026-11-30", "已完成", "2026-11-25"),
    ("2026-9-1", "2026-9-5", "2026-10-31", "推进中", ""),
    ("", "2026-10-01", "2026-11-25", "已销账", "2026-12-01"),
])
VALID = {
    "改革事项": st.sampled_from(["深化改革", "推进“一网通办”", "A<B&C>", "{{ x }}", "{% if %}", "𠀀䶮"]),
    "牵头单位": st.sampled_from(UNIT_NAMES),
    "配合单位": st.sampled_from(["", "张店区、淄川区", "市财政局;张店区", "淄川区委改革办\n张店区"]),
    "来源": st.sampled_from(["", "中央", "省委"]),
}
BAD = {
    "编号": st.sampled_from(["T-1", "T-2", ""]),
    "改革事项": st.sampled_from(["", " ", "\u3000"]),
    "牵头单位": st.sampled_from(["周村区", "", "张店"]),
    "配合单位": st.sampled_from(["市教育局", "、、"]),
    "收到日期": st.sampled_from(["2026-13-40", "24/11/2026", "下月底", "2026-11-24 10:30"]),
    "交办日期": st.sampled_from(["2026-02-30", "2026-12-01"]),
    "完成时限": st.sampled_from(["", "2026-09-30", "下月底"]),
    "状态": st.sampled_from(["进行中", ""]),
    "完成日期": st.sampled_from(["", "2026-11-31"]),
    "来源": st.sampled_from(["国务院"]),
}
# Garbage: any text, control characters included (short: a cell of thousands of digits is a known bug,
# see test_hardening.py::test_a_task_id_of_5000_digits_is_not_a_crash).
garbage = st.text(max_size=12) | st.text(alphabet=st.characters(max_codepoint=0x3f), max_size=6) | st.just("\u3000")


@st.composite
def task_rows(draw, header: list[str], n: int, clean: bool) -> list[str]:
    """A task row: valid, or (unless clean) valid with some cells made bad or garbage."""
    dates = dict(zip(["收到日期", "交办日期", "完成时限", "状态", "完成日期"], draw(VALID_DATES)))
    row = []
    for column in header:
        if column == "编号":
            value = f"T-{n}"
        elif column in dates:
            value = dates[column]
        elif column in VALID:
            value = draw(VALID[column])
        else:
            value = draw(st.sampled_from(["", "备注", "已完成系统对接"]))
        row.append(value)
    if not clean and draw(st.integers(0, 2)) == 0:
        for i in draw(st.lists(st.integers(0, len(header) - 1), max_size=3)):
            row[i] = draw(BAD.get(header[i], garbage) | garbage)
    return row


@st.composite
def csv_files(draw):
    """{file name in data/: bytes}: units, tasks (a header maybe with columns dropped, moved, doubled or added,
    rows of good and garbage cells, in one of four encodings), maybe findings and the month's scores.
    About a third of the offices are clean (valid data in varied forms), the rest have something wrong."""
    clean = draw(st.integers(0, 2)) == 0
    header = list(TASKS[0])
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if not clean and draw(st.integers(0, 4)) == 0:
        header = header[:-draw(st.integers(1, 3))]  # missing columns
    if not clean and draw(st.integers(0, 4)) == 0:
        header = header + [draw(st.sampled_from(["额外列", "完成时限", "", "编号"]))]
    rows = [header] + [draw(task_rows(header, n, clean)) for n in range(1, draw(st.integers(0, 6)) + 1)]
    if not clean and draw(st.integers(0, 3)) == 0:  # a ragged row
        rows.append([draw(garbage) for _ in range(draw(st.integers(0, len(header) + 2)))])
    units = [list(r) for r in UNITS]
    if not clean and draw(st.booleans()):
        units.append([draw(st.sampled_from(["周村区委改革办", "张店区委改革办", ""]) | garbage), draw(garbage),
                      draw(st.sampled_from(["区县", "其他", "部门", ""])), "", "", draw(st.sampled_from(["", "9", "第一", "-1", "１２"]))])
    encodings = ["utf-8", "utf-8-sig", "gb18030"] + ([] if clean else ["utf-16"])
    files = {"units.csv": _encode(units, "utf-8"), "tasks.csv": _encode(rows, draw(st.sampled_from(encodings)))}
    if draw(st.booleans()):
        files["findings.csv"] = _encode([FINDING_HEADER] + [draw(finding_rows(n, clean)) for n in range(1, draw(st.integers(1, 4)) + 1)], "utf-8")
    if draw(st.booleans()):
        files["scores/2026-11.csv"] = _encode(draw(score_tables(clean)), "utf-8")
    name = draw(st.sampled_from(sorted(files)))
    if not clean and draw(st.integers(0, 9)) == 0:  # damage one file: cut it anywhere and add random bytes
        at = draw(st.integers(0, len(files[name])))
        files[name] = files[name][:at] + draw(st.binary(max_size=20))
    return files


FINDING_HEADER = ["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态", "整改完成日期"]
VALID_FINDING_DATES = st.sampled_from([
    ("2026-10-10", "2026-11-10", "整改中", ""),
    ("2026/10/10", "2026-12-31", "未整改", ""),
    ("2026年9月1日", "2026-10-31", "已整改", "2026-10-20"),
    ("2026-12-01", "2026-12-31", "未整改", ""),
])
BAD_FINDING = {
    "编号": st.just("F-1"),
    "督察日期": st.sampled_from(["2026-10-32", ""]),
    "责任单位": st.sampled_from(["周村区", ""]),
    "整改时限": st.sampled_from(["2026-09-01", "明年", ""]),
    "整改状态": st.sampled_from(["整改完", ""]),
    "整改完成日期": st.just("昨天"),
}


@st.composite
def finding_rows(draw, n: int, clean: bool) -> list[str]:
    inspected, due, status, done = draw(VALID_FINDING_DATES)
    row = [f"F-{n}", "2026年第三轮改革专项督察", inspected, draw(st.sampled_from(UNIT_NAMES)), "问题", "要求", due, status, done]
    if not clean and draw(st.integers(0, 2)) == 0:
        for i in draw(st.lists(st.integers(0, len(row) - 1), max_size=2)):
            row[i] = draw(BAD_FINDING.get(FINDING_HEADER[i], garbage) | garbage)
    return row


SCORE_HEADER = ["单位", "改革任务推进(40)", "督察整改(30)", "改革宣传（15分）", "总分"]
MAXIMA = [40, 30, 15]
# Garbage without exponents: Decimal("1e100") is a known crash (test_hardening.py, case scores_exponent).
bad_score = st.one_of(
    st.decimals(min_value=-5, max_value=60, places=3, allow_nan=False).map(str),
    st.sampled_from(["", "优", "nan", "41", "-1", "3.333"]),
    garbage.filter(lambda text: "e" not in text.lower()),
)


@st.composite
def score_tables(draw, clean: bool) -> list[list[str]]:
    """The month's scores: a row for each ranked unit (区县: 张店区, 淄川区) and maybe 市财政局."""
    rows = [SCORE_HEADER]
    units = ["张店区", "淄川区委改革办"] + (["市财政局"] if draw(st.booleans()) else [])
    for unit in units:
        scores = [draw(st.decimals(min_value=0, max_value=m, places=draw(st.integers(0, 2)))) for m in MAXIMA]
        total = draw(st.sampled_from(["", str(sum(scores))]))
        rows.append([unit] + [str(x) for x in scores] + [total])
    if not clean:
        for _ in range(draw(st.integers(1, 3))):
            r = draw(st.integers(1, len(rows) - 1))
            c = draw(st.integers(0, len(SCORE_HEADER) - 1))
            rows[r][c] = draw(st.sampled_from(["周村区", "张店区", ""]) | garbage) if c == 0 else draw(bad_score)
        if draw(st.integers(0, 3)) == 0:
            del rows[draw(st.integers(1, len(rows) - 1))]  # a ranked unit without a row
    return rows


def _encode(rows, encoding: str) -> bytes:
    """The rows as CSV in encoding (UTF-8 where the encoding cannot hold a character)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    try:
        return out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return out.getvalue().encode("utf-8")


@contextlib.contextmanager
def office(files: dict[str, bytes]):
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
        for name, content in files.items():
            (project / "data" / name).parent.mkdir(parents=True, exist_ok=True)
            (project / "data" / name).write_bytes(content)
        cwd = os.getcwd()
        os.chdir(project)
        try:
            yield project
        finally:
            os.chdir(cwd)


LOCATED = re.compile(r"^  data/(units|tasks|findings|scores/2026-11)\.csv(, (row \d+|line \d+|column [^:]+))*: \S")


@settings(max_examples=80, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_files())
@example({"units.csv": b"", "tasks.csv": b""})
@example({"units.csv": _encode(UNITS, "utf-8"), "tasks.csv": b"\xff\xfe\x00garbage"})
def test_check_either_passes_or_lists_located_problems(files):
    with office(files) as project:
        result = CliRunner().invoke(main, ["check", "--month", "2026-11", "--as-of", "2026-11-28"])
        assert not (project / "out").exists() and not (project / "data" / "register.sqlite").exists()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("traceback:\n" + "".join(traceback.format_exception(result.exception)))
    assert result.exit_code in (0, 2), result.output
    event(f"exit {result.exit_code}")
    lines = result.output.splitlines()
    if result.exit_code == 0:
        assert lines[0] == "ok", result.output
        return
    m = re.match(r"make-notices: (\d+) problems? found; nothing was written\.$", lines[0])
    assert m, result.output
    # every problem starts a line with its place; a cell value with a line break continues on the next
    # line (see test_hardening.py::test_a_problem_with_a_line_break_in_its_value_is_one_line)
    problems = [line for line in lines[1:] if line.startswith("  data/")]
    assert len(problems) == int(m.group(1)), result.output
    for line in problems:
        assert LOCATED.match(line), f"not located: {line!r}\n{result.output}"


# --------------------------------------------------------------------------- (c) file names

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in "123456789")}


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=300))
def test_safe_filename_stays_in_its_folder_and_is_valid_on_windows(stem):
    from pipeline.build import safe_filename

    name = safe_filename(stem, ".docx")
    assert name.endswith(".docx") and len(name) <= 125
    base = name[:-5]
    assert not set('<>:"/\\|?*') & set(name) and not any(ord(c) < 32 for c in name)
    assert ".." not in base and not base.endswith((" ", "."))
    assert base.split(".")[0].upper() not in WINDOWS_RESERVED
    folder = Path("/srv/out/2026-11/docx")
    assert (folder / name).parent == folder and os.path.normpath(folder / name).startswith(str(folder) + os.sep)
