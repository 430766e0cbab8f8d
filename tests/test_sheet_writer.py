"""The sheets' streamed writer (issue #18, `--no-pdf` speed): what openpyxl reads back from a sheet
written by `assemble.table` (write-only mode, rows straight as XML) equals what it reads back from
the same sheet built the old way, cell by cell in an ordinary in-memory workbook; and the sheets
written by a forked process beside the rendering come back the same, errors included."""

import datetime as dt
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from pipeline import build
from pipeline.config import load_config
from pipeline.errors import RunFailed
from pipeline.loop import receipts
from pipeline.output import assemble

from conftest import copy_sample, run_in


def old_table(wb, title, heading, headers, rows, widths, *, styles=None, header_style="mn-header", heights=None,
              freeze="A3", landscape=True, auto_filter=False, bold_last=False):
    """The sheets as they were written before the streamed writer: cells appended to an ordinary
    worksheet, then styled one by one by name (the code of assemble.py and receipts.py at 56b2e34)."""
    from openpyxl.utils import get_column_letter

    styles = styles or assemble.ruled()
    ws = wb.create_sheet(title)
    ws.append([heading] + [None] * (len(headers) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(name="黑体", size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for values in rows:
        ws.append(values)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    assemble._styles(wb)
    for row in ws.iter_rows(min_row=2, max_row=ws.max_row):
        names = [header_style] * len(row) if row[0].row == 2 else styles([c.value for c in row])
        for cell, name in zip(row, names):
            cell.style = name
    for number, height in (heights or {}).items():
        ws.row_dimensions[number].height = height
    if bold_last:
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    ws.freeze_panes = freeze
    if auto_filter:
        ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(ws.max_row, 2)}"
    if landscape:
        assemble._print_landscape(ws)
    return ws


def read_back(path: Path) -> list[tuple]:
    """Everything openpyxl reads back: sheets, named styles, merged cells, panes, print setup,
    margins, protection, views, widths, heights, filter; per cell its type, value, style name,
    font, fill, border, alignment, number format and protection."""
    wb = load_workbook(path)
    out = [("sheets", tuple(wb.sheetnames)), ("named", tuple(sorted(wb.named_styles)))]
    for ws in wb.worksheets:
        t = ws.title
        setup = ws.page_setup
        out += [(t, ws.max_row, ws.max_column, tuple(sorted(str(r) for r in ws.merged_cells.ranges)), ws.freeze_panes,
                 ws.print_title_rows, ws.print_title_cols, ws.auto_filter.ref, setup.orientation, setup.paperSize,
                 setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else None,
                 repr(ws.page_margins), repr(ws.protection), repr(ws.print_options), repr(ws.views), repr(ws.sheet_format)),
                (t, "cols", tuple(sorted((k, d.width, d.customWidth, d.min, d.max) for k, d in ws.column_dimensions.items()))),
                (t, "rows", tuple(sorted((k, d.height, d.customHeight) for k, d in ws.row_dimensions.items() if d.height)))]
        for row in ws.iter_rows():
            for c in row:
                out.append((t, c.coordinate, type(c).__name__, repr(c.value), c.data_type, c.style, repr(c.font), repr(c.fill),
                            repr(c.border), repr(c.alignment), c.number_format, repr(c.protection)))
    return out


def both(tmp_path: Path, *sheets: tuple) -> tuple[list, list]:
    """Each sheet (table's arguments) written by assemble.table and by old_table; both read back."""
    new = assemble._workbook()
    old = Workbook()
    old.remove(old.active)
    for args, kwargs in sheets:
        assemble.table(new, *args, **kwargs)
        old_table(old, *args, **kwargs)
    new.save(tmp_path / "new.xlsx")
    old.save(tmp_path / "old.xlsx")
    return read_back(tmp_path / "new.xlsx"), read_back(tmp_path / "old.xlsx")


def test_odd_values_and_every_option_read_back_as_the_in_memory_workbook(tmp_path):
    odd = [
        [1, " 前后有空格 ", dt.date(2026, 11, 28), None, 3.25, "=1+1", "#N/A", True, Decimal("2.50"), dt.datetime(2026, 1, 2, 3, 4)],
        [2, "第二行", dt.date(1900, 1, 1), dt.date(2026, 2, 28), 0, "", "=", False, -7, "x" * 40],
        [3, "逾期", None, None, float("nan"), "普通文字\n第二行", "#DIV/0!", None, 0.1 + 0.2, 12],
    ]
    headers = [f"列{i}" for i in range(1, 11)]
    ruled = ((("逾期表", "标题：逾期与日期", headers, odd, [6, 20, 12, 12, 8, 10, 10, 6, 8, 16]),
              dict(styles=assemble.ruled(dates=(3, 4), late_column=5), heights={3: 30, 5: 45}, auto_filter=True)))
    ranked = ((("排名", "排名表", headers[:5], [[1, "甲", 98.5, 1, 3.0], [2, "乙", 90.25, "—", 2.0]], [14, 22, 14, 14, 14]),
               dict(styles=assemble._rank_styles, header_style="mn-rank-header", landscape=False)))
    totals = ((("合计", "合计表", headers[:3], [["甲", 1, 2], ["合计", 1, 2]], [30, 10, 10]), dict(freeze="B3", bold_last=True)))
    empty = ((("空", "空表", headers[:2], [], [10, 10]), {}))
    new, old = both(tmp_path, ruled, ranked, totals, empty)
    assert len(new) > 90
    assert new == old


def test_the_sample_months_sheets_read_back_as_before(tmp_path):
    """The sample office's November run (DOCX only, the sheets written by the forked process):
    签收反馈.xlsx and 用印登记表.xlsx equal the old writer's from the same figures and documents."""
    import json

    project = copy_sample(tmp_path / "office")
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    out = project / "out" / "2026-11"
    assert {p.name for p in out.glob("*.xlsx")} == {"签收反馈.xlsx", "用印登记表.xlsx", "整改台账.xlsx", "排名表.xlsx"}
    for name in ("整改台账.xlsx", "排名表.xlsx"):
        assert load_workbook(out / name).worksheets[0].max_row > 3

    config = load_config(project / "config.yaml")
    stats = receipts.statistics(config, 2026, dt.date(2026, 11, 28))
    assert len(stats.rows) > 20
    receipts.write_sheet(stats, tmp_path / "again.xlsx", config.office.short)
    assert read_back(out / "签收反馈.xlsx") == read_back(tmp_path / "again.xlsx")  # the forked child wrote the same

    columns = [("文号", 24), ("文种", 10), ("单位", 30), ("成文日期", 12), ("签收日期", 12), ("签收人", 10),
               ("反馈时限", 12), ("反馈日期", 12), ("状态", 16), ("逾期天数", 8)]
    rows = [[r.doc_no, r.kind_name, r.unit, r.issued_on, r.received_on, r.received_by or None, r.reply_by, r.replied_on,
             r.state, r.days_overdue] for r in stats.rows]
    units = [[f.unit, *f.values()] for f in [*stats.units, stats.total]]
    old = Workbook()
    old.remove(old.active)
    as_of = "2026年11月28日"
    old_table(old, "签收反馈明细", f"{config.office.short}2026年发文签收反馈明细（截至{as_of}）", [c for c, _ in columns], rows,
              [w for _, w in columns], styles=assemble.ruled(dates=(4, 5, 7, 8), late_column=10),
              heights=receipts._fitted_heights(rows, 3, 30), auto_filter=True)
    old_table(old, "按单位统计", f"{config.office.short}2026年发文签收反馈情况（截至{as_of}）", ["单位", *stats.headers()], units,
              [30, 10, 10, 18, 10, 10, 18], heights=receipts._fitted_heights(units, 1, 30), freeze="B3", bold_last=True)
    old.save(tmp_path / "old.xlsx")
    assert read_back(out / "签收反馈.xlsx") == read_back(tmp_path / "old.xlsx")

    docs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    seal = load_workbook(out / "用印登记表.xlsx")["用印登记"]
    assert [r[1] for r in seal.iter_rows(min_row=3, values_only=True)] == [d["doc_no"] for d in docs]
    assert {seal.cell(3, c).style for c in range(1, 12)} == {"mn-cell"}
    assert seal.print_title_rows == "$2:$2" and seal.page_setup.orientation == "landscape"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _written_by(path: Path) -> int:
    import os

    path.write_text(str(os.getpid()), encoding="utf-8")
    return 18


def test_the_second_process_does_its_work_elsewhere_and_gives_back_its_result_or_its_error(tmp_path):
    """build._Child (the second core's share of a --no-pdf run): the work runs in another process,
    whose return value comes back; its exception is raised here; a block that fails ends it."""
    if threading.active_count() > 1:
        pytest.skip("other threads are running in this test process: the run does not fork then")
    import functools
    import os

    with build._Child(functools.partial(_written_by, tmp_path / "child.txt")) as child:
        assert child.result() == 18
    assert (tmp_path / "child.txt").read_text(encoding="utf-8") != str(os.getpid())  # written by another process

    def bad() -> None:
        raise RunFailed("the child's error")

    with pytest.raises(RunFailed, match="the child's error"):
        with build._Child(bad) as child:
            child.result()

    def slow() -> None:
        import time

        time.sleep(60)

    with pytest.raises(ZeroDivisionError):  # the block's own failure wins; the child is ended, not waited for
        with build._Child(slow) as child:
            pid = child.pid
            1 / 0
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped already


def test_two_processes_taking_documents_from_both_ends_take_each_exactly_once():
    """build._Claims: one process takes from the front, the other from the back, at whatever pace;
    between them every document is taken, none twice."""
    if threading.active_count() > 1:
        pytest.skip("other threads are running in this test process: the run does not fork then")
    import os
    import random
    import time

    for count in (0, 1, 2, 37, 500):
        claims = build._Claims(count)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the back's taker
            taken = 0
            while claims.take():
                taken += 1
                time.sleep(random.random() / 5000)
            os.write(write, str(taken).encode())
            os._exit(0)
        os.close(write)
        front = 0
        while claims.take():
            front += 1
            time.sleep(random.random() / 5000)
        back = int(os.read(read, 32) or b"0")
        os.waitpid(pid, 0)
        os.close(read)
        claims.close()
        assert front + back == count


def test_a_run_with_other_threads_renders_and_writes_everything_in_its_own_process(tmp_path):
    """Where forking is not safe (the workbench serves from threads), _render_beside renders every
    document, writes the sheets and the 用印登记表 itself, in its own process, in that order."""
    import os

    class Maker:
        def __call__(self, n):
            seen.append(("render", n, os.getpid()))
            return n * 10

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        seen: list = []
        made = build._render_beside(list(range(3)), Maker(), lambda: seen.append(("sheets", os.getpid())),
                                    lambda records: seen.append(("seal", records, os.getpid())), None)
        me = os.getpid()
        assert made == [0, 10, 20]
        assert seen == [("render", 0, me), ("render", 1, me), ("render", 2, me), ("sheets", me), ("seal", [0, 10, 20], me)]
    finally:
        stop.set()
        other.join()


def test_documents_rendered_by_the_second_process_are_the_documents_rendered_in_process(tmp_path, monkeypatch):
    """--no-pdf renders documents from the back in a forked process (after its sheets; here some
    before them, and once with fewer claims than documents, as past what a pipe holds): the DOCX
    bytes, the manifest and the sheets are those of a run that does everything in its own process."""
    import hashlib

    def run(name: str, second_first: int, most: int = build._Claims.MOST) -> Path:
        monkeypatch.setattr(build, "SECOND_FIRST", second_first)
        monkeypatch.setattr(build._Claims, "MOST", most)
        project = copy_sample(tmp_path / name)
        result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
        assert result.exit_code == 0, result.output
        return project / "out" / "2026-11"

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()  # a second thread: that run renders everything in this process
    try:
        alone = run("alone", 0)
    finally:
        stop.set()
        other.join()
    if threading.active_count() > 1:
        pytest.skip("other threads are running in this test process: the run does not fork then")
    for shared in (run("shared", 12), run("past-the-pipe", 12, most=15)):  # 12 rendered by the child, or 12 of 15 claimed
        docs = sorted(p.name for p in (alone / "docx").iterdir())
        assert len(docs) > 15 and docs == sorted(p.name for p in (shared / "docx").iterdir())
        digest = lambda folder: [hashlib.sha256((folder / "docx" / d).read_bytes()).hexdigest() for d in docs]  # noqa: E731
        assert digest(alone) == digest(shared)
        assert (alone / "manifest.json").read_text(encoding="utf-8") == (shared / "manifest.json").read_text(encoding="utf-8")
        for sheet in ("用印登记表.xlsx", "签收反馈.xlsx", "排名表.xlsx", "整改台账.xlsx"):
            assert read_back(alone / sheet) == read_back(shared / sheet), sheet


def test_a_failure_in_the_forked_share_fails_the_run_and_leaves_nothing(tmp_path, monkeypatch):
    """The forked process's error is the run's: exit 2 with the template's message, no output
    folder, no number taken."""
    from pipeline.documents.render import Renderer
    from pipeline.errors import Problem
    from pipeline.errors import BadInput

    project = copy_sample(tmp_path / "office")
    first = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--dry-run")
    assert first.exit_code == 0
    monkeypatch.setattr(build, "SECOND_FIRST", 3)
    parent = __import__("os").getpid()
    real = Renderer.render

    def render(self, kind, context, dest, same=None):
        if __import__("os").getpid() != parent:  # only in the forked share
            raise BadInput(Problem("templates/docx/x.docx", f"the template failed on {context.get('doc_no', '')}: boom"))
        return real(self, kind, context, dest, same)

    monkeypatch.setattr(Renderer, "render", render)
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 2, result.output
    assert "boom" in result.output
    assert not (project / "out" / "2026-11").exists()
    assert not [p for p in (project / "out").iterdir() if p.name.startswith(".2026-11")] if (project / "out").exists() else True
    import sqlite3

    register = project / "data" / "register.sqlite"
    assert not register.exists() or sqlite3.connect(register).execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
