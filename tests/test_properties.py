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
from hypothesis import HealthCheck, assume, example, given, settings
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
        kind = draw(st.sampled_from([Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.ORDER]))
        subject = draw(st.sampled_from(ids + ["OTHER"]))
        counters[kind] += 1
        date = draw(days)
        history.append(Issued(kind, subject, UNIT_A.name, f"{kind.value}-{counters[kind]}", date,
                              deadline=draw(maybe_day) if kind == Kind.ORDER else None,
                              month=draw(st.just("") | st.sampled_from([f"{date:%Y-%m}"]))))
    as_of = draw(days)
    month = draw(st.just(f"{as_of:%Y-%m}") | st.sampled_from(["2026-01", "2026-06", "2027-02"]))
    t = Thresholds(reminder_reply_days=draw(st.integers(0, 30)), urge_days_before_due=draw(st.integers(0, 30)),
                   order_after_urging_days=draw(st.integers(0, 40)), order_new_deadline_days=draw(st.integers(0, 30)))
    return ledger, history, as_of, month, t


@settings(max_examples=400, deadline=None)
@given(ledgers())
def test_slip_rules_hold_for_any_ledger_and_history(case):
    ledger, history, as_of, month, t = case
    decisions = decide_slips(ledger, history, as_of, month, t)
    by_id = {task.id: task for task in ledger}
    earlier = [h for h in history]

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
GOOD_CELLS = {
    "编号": st.sampled_from(["T-1", "T-2", "2026-017", "甲"]),
    "改革事项": st.sampled_from(["深化改革", "推进“一网通办”", "A<B&C>", "{{ x }}"]),
    "牵头单位": st.sampled_from(UNIT_NAMES + ["周村区"]),
    "配合单位": st.sampled_from(["", "张店区、淄川区", "市财政局;张店区", "市教育局"]),
    "收到日期": st.sampled_from(["", "2026-11-20", "2026/11/2", "2026年11月24日", "20261124", "2026-13-40", "24/11/2026"]),
    "交办日期": st.sampled_from(["", "2026-10-01", "2026.10.1", "2026-02-30"]),
    "完成时限": st.sampled_from(["", "2026-11-20", "2026-12-31", "2026-09-30", "下月底"]),
    "状态": st.sampled_from(["未启动", "推进中", "已完成", "已销账", "进行中", ""]),
    "完成日期": st.sampled_from(["", "2026-11-01", "2026-11-31"]),
    "来源": st.sampled_from(["", "中央", "省委", "国务院"]),
}
# Garbage: any text, control characters included (short: a cell of thousands of digits is a known bug,
# see test_hardening.py::test_a_task_id_of_5000_digits_is_not_a_crash).
garbage = st.text(max_size=12) | st.text(alphabet=st.characters(max_codepoint=0x3f), max_size=6) | st.just("\u3000")


def cell(column: str):
    good = GOOD_CELLS.get(column, st.sampled_from(["", "备注", "已完成系统对接"]))
    return st.one_of(good, good, garbage)


@st.composite
def csv_files(draw):
    """(units.csv bytes, tasks.csv bytes): a header (maybe with columns dropped, doubled or added) and rows."""
    header = list(TASKS[0])
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 4)) == 0:
        header = header[:-draw(st.integers(1, 3))]  # missing columns
    if draw(st.integers(0, 4)) == 0:
        header = header + [draw(st.sampled_from(["额外列", "完成时限", "", "编号"]))]
    rows = [header] + [[draw(cell(c)) for c in header] for _ in range(draw(st.integers(0, 6)))]
    if draw(st.integers(0, 3)) == 0:  # a ragged row
        rows.append([draw(garbage) for _ in range(draw(st.integers(0, len(header) + 2)))])
    units = [list(r) for r in UNITS]
    if draw(st.booleans()):
        units.append([draw(cell("单位名称")), draw(garbage), draw(st.sampled_from(["区县", "其他", "部门", ""])), "", "",
                      draw(st.sampled_from(["", "9", "第一", "-1", "１２"]))])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    tasks_bytes = _encode(rows, encoding)
    if draw(st.integers(0, 9)) == 0:  # damage: cut the file anywhere, or splice in random bytes
        at = draw(st.integers(0, len(tasks_bytes)))
        tasks_bytes = tasks_bytes[:at] + draw(st.binary(max_size=20))
    return _encode(units, "utf-8"), tasks_bytes


def _encode(rows, encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding, errors="replace") if encoding != "gb18030" else \
        out.getvalue().encode("gb18030", errors="strict") if _gb_ok(out.getvalue()) else out.getvalue().encode("utf-8")


def _gb_ok(text: str) -> bool:
    try:
        text.encode("gb18030")
        return True
    except UnicodeEncodeError:
        return False


@contextlib.contextmanager
def office(units: bytes, tasks_csv: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
        (project / "data").mkdir()
        (project / "data" / "units.csv").write_bytes(units)
        (project / "data" / "tasks.csv").write_bytes(tasks_csv)
        cwd = os.getcwd()
        os.chdir(project)
        try:
            yield project
        finally:
            os.chdir(cwd)


LOCATED = re.compile(r"^  data/(units|tasks)\.csv(, (row \d+|line \d+|column [^:]+))*: \S")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(csv_files())
@example((b"", b""))
@example((_encode(UNITS, "utf-8"), b"\xff\xfe\x00garbage"))
def test_check_either_passes_or_lists_located_problems(files):
    units, tasks_csv = files
    with office(units, tasks_csv) as project:
        result = CliRunner().invoke(main, ["check", "--month", "2026-11", "--as-of", "2026-11-28"])
        assert not (project / "out").exists() and not (project / "data" / "register.sqlite").exists()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("traceback:\n" + "".join(traceback.format_exception(result.exception)))
    assert result.exit_code in (0, 2), result.output
    lines = result.output.splitlines()
    if result.exit_code == 0:
        assert lines[0] == "ok", result.output
        return
    m = re.match(r"make-notices: (\d+) problems? found; nothing was written\.$", lines[0])
    assert m, result.output
    problems = lines[1:]
    assert len(problems) == int(m.group(1)), result.output
    for line in problems:
        assert LOCATED.match(line), f"not located: {line!r}\n{result.output}"


# --------------------------------------------------------------------------- (c) file names

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in "123456789")}


@settings(max_examples=300, deadline=None)
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
