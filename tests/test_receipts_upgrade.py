"""A register made by the release before schema versions (tests/fixtures/register_v1) is upgraded in
place on first use, SQLite and PostgreSQL, without losing or changing a row; receipts recorded by two
clerks while a monthly run takes numbers are all kept."""

import datetime as dt
import hashlib
import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import psycopg

import receipt_workers
from conftest import copy_sample, run_in
from test_register_pg import pg_server, pg_url  # noqa: F401  (fixtures)

from pipeline.config import load_config
from pipeline.loop import receipts
from pipeline.register.store import SCHEMA_VERSION, open_register

FIXTURE = Path(__file__).parent / "fixtures" / "register_v1"
V1_COLUMNS = ("id, series, year, n, doc_no, kind, subject, unit, month, doc_key, issued_on, deadline, title, run,"
              " status, void_reason, voided_at, created_at")
ORDERS = {"淄改办责〔2026〕4号": "2026-12-13", "淄改办责〔2026〕5号": "2026-12-13"}  # the v1 run's orders


def _office(tmp_path: Path, register: str) -> Path:
    project = copy_sample(tmp_path / "office")
    config = (project / "config.yaml").read_text(encoding="utf-8")
    assert "register: data/register.sqlite" in config
    (project / "config.yaml").write_text(config.replace("register: data/register.sqlite", f"register: {register}"), encoding="utf-8")
    return project


def _check_upgrade(project: Path, old_rows, read_rows, read_meta) -> None:
    """First use: a read leaves the old register as it is; the first write upgrades it, every v1
    column of every row unchanged; then a run continues each series after its last number."""
    config = load_config(project / "config.yaml")
    register = open_register(config.register_url)
    entries = register.entries()
    assert [e.doc_no for e in entries] and len(entries) == len(old_rows) == 120
    assert all(e.received_on is None for e in entries)
    assert read_meta() is None and read_rows() == old_rows  # reading did not change it

    recorded = receipts.receive(config, ["淄改办催〔2026〕13号"], dt.date(2026, 11, 29), "李华")
    assert [e.doc_no for e in recorded.changed] == ["淄改办催〔2026〕13号"]
    assert read_meta() == str(SCHEMA_VERSION)
    assert read_rows() == old_rows  # nothing lost, nothing changed
    after = {e.doc_no: e for e in register.entries()}
    assert len(after) == 120 and sum(e.status == "void" for e in after.values()) == 1
    assert after["淄改办催〔2026〕13号"].received_on == "2026-11-29" and after["淄改办催〔2026〕13号"].received_by == "李华"
    assert {no: e.reply_by for no, e in after.items() if e.reply_by} == ORDERS  # only what v1 kept

    # the upgraded register goes on: the December run numbers after the last of each series
    last = {}
    for e in after.values():
        last[e.series] = max(last.get(e.series, 0), e.n)
    r = run_in(project, "monthly", "--month", "2026-12", "--as-of", "2026-12-28", "--no-pdf")
    assert r.exit_code == 0, r.output
    new = [e for e in register.entries() if e.run == "2026-12@2026-12-28"]
    for series in {e.series for e in new}:
        ns = sorted(e.n for e in new if e.series == series)
        assert ns == list(range(last.get(series, 0) + 1, last.get(series, 0) + 1 + len(ns)))
    assert all(e.reply_by for e in new if e.kind not in ("assignment", "ranking"))
    assert read_rows()[:120] == old_rows
    assert "已签收 1，" in r.output.splitlines()[-1]


def test_sqlite_register_of_the_last_release_is_upgraded_in_place(tmp_path):
    project = _office(tmp_path, "data/register.sqlite")
    path = project / "data" / "register.sqlite"
    shutil.copy(FIXTURE / "register.sqlite", path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    def read_rows():
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
            return conn.execute(f"SELECT {V1_COLUMNS} FROM documents ORDER BY id").fetchall()

    def read_meta():
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'register_meta'").fetchone():
                return None
            return conn.execute("SELECT value FROM register_meta WHERE key = 'schema_version'").fetchone()[0]

    old_rows = read_rows()
    open_register(path).entries()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest  # a read writes nothing
    _check_upgrade(project, old_rows, read_rows, read_meta)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents_key'").fetchone()


def load_pg_dump(url: str) -> None:
    """tests/fixtures/register_v1/register.pg.sql into an empty database (psql's \\ lines skipped)."""
    text = (FIXTURE / "register.pg.sql").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("\\") and not line.startswith("--")]
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in "\n".join(lines).split(";\n"):
            if statement.strip():
                conn.execute(statement)


def test_postgresql_register_of_the_last_release_is_upgraded_in_place(tmp_path, pg_url):  # noqa: F811
    load_pg_dump(pg_url)
    project = _office(tmp_path, pg_url)

    def read_rows():
        with psycopg.connect(pg_url) as conn:
            return conn.execute(f"SELECT {V1_COLUMNS} FROM documents ORDER BY id").fetchall()

    def read_meta():
        with psycopg.connect(pg_url) as conn:
            if not conn.execute("SELECT to_regclass('register_meta') IS NOT NULL").fetchone()[0]:
                return None
            return conn.execute("SELECT value FROM register_meta WHERE key = 'schema_version'").fetchone()[0]

    old_rows = read_rows()
    assert len(old_rows) == 120
    _check_upgrade(project, old_rows, read_rows, read_meta)


def _race(project: Path) -> None:
    """Two clerks record receipts, one number at a time, while the December run takes its numbers."""
    nov = [e for e in open_register(load_config(project / "config.yaml").register_url).entries()
           if e.run == "2026-11@2026-11-28" and e.status == "issued"]
    assert len(nov) == 25
    halves = [[e.doc_no for e in nov[0::2]], [e.doc_no for e in nov[1::2]]]
    ctx = multiprocessing.get_context("spawn")
    started, queue = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=receipt_workers.monthly_run, args=(str(project), started, queue))]
    procs += [ctx.Process(target=receipt_workers.clerk, args=(str(project), half, by, started, queue))
              for half, by in zip(halves, ("李华", "王芳"))]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(60)
    assert isinstance(results["run"], list) and len(results["run"]) == 23, results["run"]
    assert results["李华"] == halves[0] and results["王芳"] == halves[1], results
    entries = {e.doc_no: e for e in open_register(load_config(project / "config.yaml").register_url).entries()}
    for half, by in zip(halves, ("李华", "王芳")):
        assert all(entries[no].received_by == by and entries[no].received_on for no in half)
    assert all(no in entries and entries[no].status == "issued" for no in results["run"])


def test_two_clerks_record_receipts_while_a_run_takes_numbers_sqlite(tmp_path):
    project = _office(tmp_path, "data/register.sqlite")
    assert run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    _race(project)


def test_two_clerks_record_receipts_while_a_run_takes_numbers_postgresql(tmp_path, pg_url):  # noqa: F811
    project = _office(tmp_path, pg_url)
    assert run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    _race(project)
