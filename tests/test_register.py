"""The number register: no gaps, no duplicates, re-runs keep numbers, dry runs take none."""

import datetime as dt
import multiprocessing
import sqlite3

import pytest

from pipeline.errors import BadInput
from pipeline.model import Issued, Kind
from pipeline.register.store import Register, Request

from conftest import nothing_written, run

DAY = dt.date(2026, 11, 28)


def req(subject, kind=Kind.URGING, unit="张店区委改革办", month="2026-11", series="urging"):
    return Request(f"{kind.value}|{subject}|{unit}|{month}", series, 2026, kind, subject, unit, month, DAY, None,
                   f"催办单：{subject}", "淄改办催〔{year}〕{n}号")


def take(register, run_id, requests, imports=()):
    with register.issue(run_id, requests, list(imports)) as numbers:
        return {k: v[0] for k, v in numbers.items()}


def test_numbers_run_without_gaps_and_rerun_keeps_them(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    first = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3")])
    assert list(first.values()) == ["淄改办催〔2026〕1号", "淄改办催〔2026〕2号", "淄改办催〔2026〕3号"]
    again = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3")])
    assert again == first
    more = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3"), req("T-0")])
    assert more[req("T-0").key] == "淄改办催〔2026〕4号"
    ns = sorted(e.n for e in reg.entries())
    assert ns == [1, 2, 3, 4]


def test_failed_run_takes_no_number(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    with pytest.raises(RuntimeError):
        with reg.issue("2026-11@2026-11-28", [req("T-1")], []):
            raise RuntimeError("LibreOffice crashed")
    assert reg.entries() == []
    assert take(reg, "2026-11@2026-11-28", [req("T-1")])[req("T-1").key] == "淄改办催〔2026〕1号"


def test_preview_writes_nothing(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    numbers = reg.preview("2026-11@2026-11-28", [req("T-1")], [])
    assert numbers[req("T-1").key][0] == "淄改办催〔2026〕1号"
    assert not (tmp_path / "r.sqlite").exists()


def test_history_continues_the_series(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    paper = [Issued(Kind.URGING, "T-9", "张店区委改革办", f"淄改办催〔2026〕{n}号", dt.date(2026, 10, n), series="urging", year=2026, n=n) for n in (1, 2, 3)]
    got = take(reg, "2026-11@2026-11-28", [req("T-1")], paper)
    assert got[req("T-1").key] == "淄改办催〔2026〕4号"
    assert len(reg.history()) == 4


def test_rerun_drops_a_document_voids_its_number(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2")])
    take(reg, "2026-11@2026-11-28", [req("T-1")])
    entries = {e.doc_no: e for e in reg.entries()}
    assert entries["淄改办催〔2026〕2号"].status == "void"
    again = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2")])
    assert again[req("T-2").key] == "淄改办催〔2026〕3号"  # a void number is never reused


def test_void(tmp_path):
    reg = Register(tmp_path / "r.sqlite")
    take(reg, "r", [req("T-1")])
    entry = reg.void("淄改办催〔2026〕1号", "打印错误，重新发文")
    assert entry.status == "void" and entry.void_reason == "打印错误，重新发文"
    with pytest.raises(BadInput, match="not in the register"):
        reg.void("淄改办催〔2026〕9号", "x")
    with pytest.raises(BadInput, match="already void"):
        reg.void("淄改办催〔2026〕1号", "x")
    assert take(reg, "r2", [req("T-5")])[req("T-5").key] == "淄改办催〔2026〕2号"


def _worker(path, i, queue):
    reg = Register(path)
    got = take(reg, f"run-{i}", [req(f"P{i}-{j}") for j in range(5)])
    queue.put(list(got.values()))


def test_twenty_processes_never_share_or_skip(tmp_path):
    path = tmp_path / "r.sqlite"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(path, i, queue)) for i in range(20)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    numbers = [n for r in results for n in r]
    assert len(numbers) == len(set(numbers)) == 100
    ns = sorted(row[0] for row in sqlite3.connect(path).execute("SELECT n FROM documents"))
    assert ns == list(range(1, 101))


def test_cli_dry_run_takes_no_number(tiny):
    result = run("monthly", "--as-of", "2026-11-28", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "淄改办提〔2026〕1号" in result.output and "淄改办交〔2026〕1号" in result.output
    assert nothing_written(tiny)


def test_cli_register_list_and_void(tiny):
    assert run("monthly", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    listed = run("register", "list").output
    assert "淄改办提〔2026〕1号" in listed and "淄改办催〔2026〕1号" in listed
    result = run("register", "void", "淄改办催〔2026〕1号", "--reason", "内容有误")
    assert result.exit_code == 0
    assert "作废：内容有误" in run("register", "list").output
    bad = run("register", "void", "淄改办催〔2026〕99号", "--reason", "x")
    assert bad.exit_code == 2 and "not in the register" in bad.output
