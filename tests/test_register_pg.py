"""The number register in PostgreSQL: the scenarios of test_register.py against a real server.

They need a server: MAKE_NOTICES_PG_URL (e.g. postgresql://postgres@127.0.0.1:54329/make_notices_test,
as printed by `eval "$(tools/start_postgres.sh)"`). Without one they are skipped with the reason;
with MAKE_NOTICES_PG_REQUIRED=1 (set by that script, so in .ci/run) a missing server fails them.
Each test gets a fresh database of its own, dropped afterwards.
"""

import datetime as dt
import multiprocessing
import os
import threading
import time
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from pipeline.errors import BadInput, RunFailed
from pipeline.model import Issued, Kind
from pipeline.register.store import PgRegister, open_register

import register_workers
from conftest import CONFIG, run
from test_register import req, take

PG_URL = os.environ.get("MAKE_NOTICES_PG_URL", "")
REQUIRED = os.environ.get("MAKE_NOTICES_PG_REQUIRED") == "1"
DOWN = "postgresql://postgres@127.0.0.1:1/make_notices_test"  # nothing listens on port 1


def _server_problem() -> str | None:
    if not PG_URL:
        return 'no PostgreSQL server: MAKE_NOTICES_PG_URL is not set (start one with: eval "$(tools/start_postgres.sh)")'
    try:
        psycopg.connect(PG_URL, connect_timeout=5).close()
    except psycopg.Error as exc:
        return f"no PostgreSQL server reachable at MAKE_NOTICES_PG_URL={PG_URL}: {' '.join(str(exc).split())}"
    return None


@pytest.fixture(scope="session")
def pg_server() -> str:
    problem = _server_problem()
    if problem:
        if REQUIRED:
            pytest.fail(f"{problem} (MAKE_NOTICES_PG_REQUIRED=1)")
        pytest.skip(problem)
    return PG_URL


@pytest.fixture
def pg_url(pg_server):
    """The URL of a fresh, empty database on the test server."""
    name = f"make_notices_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield urlsplit(pg_server)._replace(path=f"/{name}").geturl()
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def has_table(url) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regclass('documents') IS NOT NULL").fetchone()[0]


def numbers_in(url, series="urging") -> list[int]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT n FROM documents WHERE series = %s ORDER BY n", (series,))]


def test_open_register_picks_the_backend(tmp_path):
    assert isinstance(open_register("postgresql://clerk@db.example/register"), PgRegister)
    assert isinstance(open_register("postgres://clerk@db.example/register"), PgRegister)
    sqlite = open_register(tmp_path / "r.sqlite")
    assert not isinstance(sqlite, PgRegister) and sqlite.path == tmp_path / "r.sqlite"
    assert not isinstance(open_register(str(tmp_path / "r.sqlite")), PgRegister)


# --- the scenarios of test_register.py ----------------------------------------------------

def test_numbers_run_without_gaps_and_rerun_keeps_them(pg_url):
    reg = open_register(pg_url)
    first = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3")])
    assert list(first.values()) == ["淄改办催〔2026〕1号", "淄改办催〔2026〕2号", "淄改办催〔2026〕3号"]
    again = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3")])
    assert again == first
    more = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2"), req("T-3"), req("T-0")])
    assert more[req("T-0").key] == "淄改办催〔2026〕4号"
    ns = sorted(e.n for e in reg.entries())
    assert ns == [1, 2, 3, 4]


def test_failed_run_takes_no_number(pg_url):
    reg = open_register(pg_url)
    with pytest.raises(RuntimeError):
        with reg.issue("2026-11@2026-11-28", [req("T-1")], []):
            raise RuntimeError("LibreOffice crashed")
    assert reg.entries() == []
    assert not has_table(pg_url)  # even the CREATE TABLE of the first run is rolled back
    assert take(reg, "2026-11@2026-11-28", [req("T-1")])[req("T-1").key] == "淄改办催〔2026〕1号"


def test_preview_writes_nothing(pg_url):
    reg = open_register(pg_url)
    numbers = reg.preview("2026-11@2026-11-28", [req("T-1")], [])
    assert numbers[req("T-1").key][0] == "淄改办催〔2026〕1号"
    assert reg.entries() == [] and reg.history() == [] and not reg.exists()
    assert not has_table(pg_url)  # no CREATE TABLE on a read
    take(reg, "r", [req("T-1")])
    assert reg.preview("r2", [req("T-1"), req("T-2")], [])[req("T-2").key][0] == "淄改办催〔2026〕2号"
    assert numbers_in(pg_url) == [1]


def test_history_continues_the_series(pg_url):
    reg = open_register(pg_url)
    paper = [Issued(Kind.URGING, "T-9", "张店区委改革办", f"淄改办催〔2026〕{n}号", dt.date(2026, 10, n), series="urging", year=2026, n=n) for n in (1, 2, 3)]
    got = take(reg, "2026-11@2026-11-28", [req("T-1")], paper)
    assert got[req("T-1").key] == "淄改办催〔2026〕4号"
    assert len(reg.history()) == 4


def test_rerun_drops_a_document_voids_its_number(pg_url):
    reg = open_register(pg_url)
    take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2")])
    take(reg, "2026-11@2026-11-28", [req("T-1")])
    entries = {e.doc_no: e for e in reg.entries()}
    assert entries["淄改办催〔2026〕2号"].status == "void"
    again = take(reg, "2026-11@2026-11-28", [req("T-1"), req("T-2")])
    assert again[req("T-2").key] == "淄改办催〔2026〕3号"  # a void number is never reused


def test_void(pg_url):
    reg = open_register(pg_url)
    with pytest.raises(BadInput, match="the register is empty"):
        reg.void("淄改办催〔2026〕1号", "x")
    assert not has_table(pg_url)
    take(reg, "r", [req("T-1")])
    entry = reg.void("淄改办催〔2026〕1号", "打印错误，重新发文")
    assert entry.status == "void" and entry.void_reason == "打印错误，重新发文"
    with pytest.raises(BadInput, match="not in the register"):
        reg.void("淄改办催〔2026〕9号", "x")
    with pytest.raises(BadInput, match="already void"):
        reg.void("淄改办催〔2026〕1号", "x")
    with pytest.raises(BadInput, match="reason is required"):
        reg.void("淄改办催〔2026〕1号", "  ")
    assert take(reg, "r2", [req("T-5")])[req("T-5").key] == "淄改办催〔2026〕2号"


# --- concurrent clerks --------------------------------------------------------------------

def _clerks(url, failing=frozenset(), n=20):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    start = ctx.Barrier(n)
    procs = [ctx.Process(target=register_workers.clerk, args=(url, i, i in failing, start, queue)) for i in range(n)]
    for p in procs:
        p.start()
    reports = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    waits = sorted(w for _, _, w in reports)
    # they did take numbers at the same time: some had to wait for another's transaction
    assert waits[-1] > 0.02, waits
    print(f"{n} clerks at once; waits for the register {waits[0]:.3f}..{waits[-1]:.3f} s")
    return {i: got for i, got, _ in reports}


@pytest.mark.parametrize("server_default", ["read committed", "repeatable read"])
def test_twenty_processes_never_share_or_skip(pg_url, server_default):
    # The server's default isolation must not matter: the register always reads what the
    # previous holder of its lock committed.
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} SET default_transaction_isolation = {}").format(
            sql.Identifier(urlsplit(pg_url).path[1:]), sql.Literal(server_default)))
    results = _clerks(pg_url)
    numbers = [n for r in results.values() for n in r]
    assert len(numbers) == len(set(numbers)) == 100
    assert numbers_in(pg_url) == list(range(1, 101))
    for got in results.values():  # each run's numbers are one block: no one took a number in between
        ns = [int(d.split("〕")[1][:-1]) for d in got]
        assert ns == list(range(ns[0], ns[0] + 5))


def test_twenty_processes_some_failing_leave_no_gap(pg_url):
    failing = {1, 5, 9, 13, 17}
    results = _clerks(pg_url, failing)
    assert all(results[i] is None for i in failing)
    numbers = [n for r in results.values() if r for n in r]
    assert len(numbers) == len(set(numbers)) == 75
    assert numbers_in(pg_url) == list(range(1, 76))


def test_a_run_waits_for_the_register_and_gives_up_clearly(pg_url):
    holder = open_register(pg_url)
    waiter = PgRegister(pg_url, timeout=1)
    with holder.issue("a", [req("T-1")], []):
        t0 = time.monotonic()
        with pytest.raises(RunFailed, match="is busy"):
            with waiter.issue("b", [req("T-2")], []):
                pass
        assert time.monotonic() - t0 < 10
        assert waiter.preview("b", [req("T-2")], []) == {req("T-2").key: ("淄改办催〔2026〕1号", 1)}  # reads do not wait
    assert take(waiter, "b", [req("T-2")])[req("T-2").key] == "淄改办催〔2026〕2号"


def test_unique_constraints_are_the_last_line_of_defence(pg_url):
    """A client that writes without taking the register's lock cannot make a duplicate."""
    reg = open_register(pg_url)
    with reg.issue("init", [], []):
        pass  # creates the table
    rogue = psycopg.connect(pg_url)
    rogue.execute("INSERT INTO documents (series, year, n, doc_no, kind, subject, unit, month, doc_key, issued_on, title, run, created_at)"
                  " VALUES ('urging', 2026, 1, '淄改办催〔2026〕1号', 'urging', 'X', 'u', '2026-11', NULL, '2026-11-28', '', 'rogue', 'now')")
    outcome = {}

    def clerk():
        try:
            outcome["numbers"] = take(reg, "r", [req("T-1")])
        except RunFailed as exc:
            outcome["error"] = str(exc)

    t = threading.Thread(target=clerk)
    t.start()
    time.sleep(1)  # the clerk has read the register (no number 1 committed yet) and waits on its INSERT
    rogue.commit()
    rogue.close()
    t.join(30)
    assert "already holds one of these numbers" in outcome.get("error", ""), outcome
    assert numbers_in(pg_url) == [1]
    assert take(reg, "r", [req("T-1")])[req("T-1").key] == "淄改办催〔2026〕2号"



def test_a_clerk_killed_mid_run_takes_no_number_and_frees_the_register(pg_url):
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=register_workers.holder, args=(pg_url, ready))
    proc.start()
    assert ready.wait(60)
    proc.kill()
    proc.join(30)
    reg = PgRegister(pg_url, timeout=30)
    assert take(reg, "r", [req("T-1")])[req("T-1").key] == "淄改办催〔2026〕1号"
    assert numbers_in(pg_url) == [1]

# --- errors: a message, never a traceback -------------------------------------------------

def test_server_down_is_a_clear_run_failure():
    reg = open_register(DOWN)
    for action in (reg.entries, reg.exists, lambda: reg.void("x", "y"), lambda: take(reg, "r", [req("T-1")])):
        with pytest.raises(RunFailed, match=r"the register postgresql://postgres@127.0.0.1:1/make_notices_test cannot be reached"):
            action()


def test_bad_url_and_password_in_url():
    with pytest.raises(RunFailed, match="not a valid PostgreSQL URL"):
        open_register("postgresql://clerk@db/%zz").entries()
    with pytest.raises(RunFailed, match="cannot be reached"):
        open_register("postgresql://clerk@127.0.0.1:notaport/db").entries()
    with pytest.raises(BadInput, match="PGPASSWORD or ~/.pgpass"):
        open_register("postgresql://clerk:secret@127.0.0.1:1/db").entries()


def test_unknown_role_is_a_clear_run_failure(pg_url):
    url = urlsplit(pg_url)
    bad = url._replace(netloc=f"no_such_clerk@{url.hostname}:{url.port}").geturl()
    with pytest.raises(RunFailed, match="cannot be reached.*no_such_clerk"):
        open_register(bad).entries()


# --- the command line, end to end ---------------------------------------------------------

def _config(project, register=None):
    text = CONFIG + (f"paths:\n  register: {register}\n" if register else "")
    (project / "config.yaml").write_text(text, encoding="utf-8")


def test_cli_monthly_with_a_postgresql_register(tiny, pg_url):
    _config(tiny, pg_url)
    assert run("check", "--as-of", "2026-11-28").exit_code == 0
    dry = run("monthly", "--as-of", "2026-11-28", "--dry-run")
    assert dry.exit_code == 0 and "淄改办催〔2026〕1号" in dry.output
    assert not has_table(pg_url) and not (tiny / "out").exists()  # dry run and check write nothing

    first = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert first.exit_code == 0, first.output
    assert not (tiny / "data" / "register.sqlite").exists()
    listed = run("register", "list").output
    assert "淄改办提〔2026〕1号" in listed and "淄改办催〔2026〕1号" in listed and "淄改办交〔2026〕1号" in listed
    assert run("monthly", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    assert run("register", "list").output == listed  # a re-run keeps its numbers

    # the same office with the default SQLite register numbers the same documents the same way
    _config(tiny)
    assert run("monthly", "--as-of", "2026-11-28", "--no-pdf").exit_code == 0
    assert (tiny / "data" / "register.sqlite").exists()
    assert run("register", "list").output == listed

    _config(tiny, pg_url)
    voided = run("register", "void", "淄改办催〔2026〕1号", "--reason", "内容有误")
    assert voided.exit_code == 0, voided.output
    assert "作废：内容有误" in run("register", "list").output
    bad = run("register", "void", "淄改办催〔2026〕99号", "--reason", "x")
    assert bad.exit_code == 2 and "not in the register" in bad.output


def test_cli_register_unreachable(tiny):
    _config(tiny, DOWN)
    for args in (("register", "list"), ("monthly", "--as-of", "2026-11-28", "--no-pdf"), ("check", "--as-of", "2026-11-28")):
        result = run(*args)
        assert result.exit_code == 1, result.output
        assert "cannot be reached" in result.output and "Traceback" not in result.output
    assert not (tiny / "out").exists()
