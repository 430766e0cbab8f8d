"""The number register: every 文号 issued, in SQLite (default) or PostgreSQL — never a gap, never a duplicate.

Numbers are allocated in one write transaction that stays open while the documents are
made; it commits only when the output is complete, so a failed run takes no number.
`open_register(url_or_path)` picks the backend: a postgresql:// URL names a shared register
for several clerks (see PgRegister); anything else is the path of an SQLite file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import operator
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import BadInput, Problem, RunFailed
from ..model import Issued, Kind

# The table, the same in SQLite and PostgreSQL but for the id column.
COLUMNS = """
    series TEXT NOT NULL,
    year INTEGER NOT NULL,
    n INTEGER NOT NULL,
    doc_no TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    doc_key TEXT,
    issued_on TEXT NOT NULL,
    deadline TEXT,
    title TEXT NOT NULL DEFAULT '',
    run TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'issued',
    void_reason TEXT,
    voided_at TEXT,
    created_at TEXT NOT NULL,
    reply_by TEXT,
    received_on TEXT,
    received_by TEXT,
    replied_on TEXT,
    UNIQUE (series, year, n)
"""
KEY_INDEX = "UNIQUE INDEX {exists}documents_key ON documents (doc_key) WHERE status = 'issued' AND doc_key IS NOT NULL"
IMPORT_RUN = "import"

# The register's schema version, kept in register_meta. Version 1 (no register_meta) is the
# release before it; UPGRADES[v] takes a register from version v to v + 1, in the transaction
# that checked the version. A fresh register is made at SCHEMA_VERSION directly.
SCHEMA_VERSION = 2
META = "CREATE TABLE register_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
UPGRADES: dict[int, tuple[str, ...]] = {
    1: (  # 2: the reply-by date printed in each document, and its 签收 and 反馈 (issue #17)
        "ALTER TABLE documents ADD COLUMN reply_by TEXT",
        "ALTER TABLE documents ADD COLUMN received_on TEXT",
        "ALTER TABLE documents ADD COLUMN received_by TEXT",
        "ALTER TABLE documents ADD COLUMN replied_on TEXT",
        # an order's reply-by date is its new deadline, which version 1 kept; the other kinds'
        # dates were printed but not kept, and stay unknown rather than guessed
        "UPDATE documents SET reply_by = deadline WHERE kind = 'order' AND deadline IS NOT NULL",
        META,
    ),
}


@dataclass(frozen=True)
class Request:
    """A document that needs a number."""

    key: str
    series: str
    year: int
    kind: Kind
    subject: str
    unit: str
    month: str
    issued_on: dt.date
    deadline: dt.date | None
    title: str
    pattern: str  # the series pattern with the prefix filled in: 淄改办催〔{year}〕{n}号
    reply_by: dt.date | None = None  # the reply-by date printed in the document (documents.context.reply_by)

    def doc_no(self, n: int) -> str:
        return self.pattern.format(year=self.year, n=n)


@dataclass(frozen=True)
class Entry:
    doc_no: str
    series: str
    year: int
    n: int
    kind: str
    subject: str
    unit: str
    month: str
    issued_on: str
    deadline: str | None
    title: str
    run: str
    status: str
    void_reason: str | None
    doc_key: str | None
    reply_by: str | None = None  # ISO dates, as stored; None when not asked or not known
    received_on: str | None = None
    received_by: str | None = None
    replied_on: str | None = None


ENTRY_FIELDS = [f.name for f in dataclasses.fields(Entry)]


def _entry(row) -> Entry:
    """An Entry from a row of either backend; a register not yet upgraded lacks the newer columns."""
    return Entry(*_values_of(row)(row))


def _entries(rows) -> list[Entry]:
    """The Entries of the rows of one query: they share their columns, so these are looked at once."""
    entries: list[Entry] = []
    values = None
    for row in rows:
        if values is None:
            values = _values_of(row)
        entries.append(Entry(*values(row)))
    return entries


def _values_of(row) -> Callable[..., tuple]:
    """What takes the values of a row (and of the rows like it) in Entry's order: None for a column
    the register lacks."""
    columns = list(row.keys())
    present = set(columns)
    if not present.issuperset(ENTRY_FIELDS):
        return lambda row: tuple(row[k] if k in present else None for k in ENTRY_FIELDS)
    if isinstance(row, dict):  # PostgreSQL's rows
        return operator.itemgetter(*ENTRY_FIELDS)
    # SQLite's rows: by position, which is several times quicker than by name
    return operator.itemgetter(*(columns.index(k) for k in ENTRY_FIELDS))


@dataclass(frozen=True)
class Marks:
    """签收 and 反馈 to record for one number (None: leave as it is)."""

    doc_no: str
    received_on: dt.date | None = None
    received_by: str | None = None
    replied_on: dt.date | None = None


Decide = Callable[[dict[str, Entry]], list[Marks]]


def _issued(e: Entry) -> Issued:
    return Issued(Kind(e.kind), e.subject, e.unit, e.doc_no, dt.date.fromisoformat(e.issued_on),
                  dt.date.fromisoformat(e.deadline) if e.deadline else None, e.month)


class _Reading:
    """What both registers derive from their entries()."""

    def entries(self, year: int | None = None) -> list[Entry]:
        raise NotImplementedError

    def history(self, exclude_run: str | None = None) -> list[Issued]:
        """The issued (not void) documents, except those of the run being repeated."""
        return [_issued(e) for e in self.entries() if e.status == "issued" and e.run != exclude_run]

    def preview(self, run: str, requests: list[Request], imports: list[Issued]) -> dict[str, tuple[str, int]]:
        """The numbers a run would take, computed without writing anything."""
        return _allocate(self.entries(), run, requests, imports)[0]


class Register(_Reading):
    """The SQLite register at path; the file is created only when a number is taken."""

    def __init__(self, path: Path | str, timeout: float = 600.0):
        self.path = Path(path)
        self.timeout = timeout

    @property
    def where(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        """Has a number ever been taken (is there a register yet)?"""
        return self.path.exists()

    def _connect(self, readonly: bool) -> sqlite3.Connection | None:
        if readonly:
            if not self.path.exists():
                return None
            # no writer at work (no -wal file): read it as immutable, which creates no -shm/-wal beside it
            quiet = "&immutable=1" if not self.path.with_name(self.path.name + "-wal").exists() else ""
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro{quiet}", uri=True, timeout=self.timeout, isolation_level=None)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            try:
                self._ensure_schema(conn)
            except BaseException:
                conn.close()
                raise
        conn.row_factory = sqlite3.Row
        return conn

    def _open(self, readonly: bool) -> sqlite3.Connection | None:
        """_connect, with a failure to open said as the register's (exit 1)."""
        try:
            return self._connect(readonly)
        except sqlite3.Error as exc:
            raise RunFailed(f"the register {self.path} cannot be opened: {exc}")

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        """Make the tables of a new register, or upgrade an older one in place (one transaction)."""
        if _sqlite_version(conn) == SCHEMA_VERSION:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise RunFailed(f"the register {self.path} is busy (another run holds it): {exc}")
        try:
            for statement in _schema_steps(_sqlite_version(conn), SQLITE_FRESH, self.where):
                conn.execute(statement)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def entries(self, year: int | None = None) -> list[Entry]:
        """Every number in the register (issued and void), in series order."""
        conn = self._open(readonly=True)
        if conn is None:
            return []
        with contextlib.closing(conn):
            sql = "SELECT * FROM documents" + (" WHERE year = ?" if year else "") + " ORDER BY year, series, n"
            return _entries(conn.execute(sql, (year,) if year else ()))

    @contextlib.contextmanager
    def issue(self, run: str, requests: list[Request], imports: list[Issued]) -> Iterator[dict[str, tuple[str, int]]]:
        """Take numbers for requests in one transaction; commit only if the with-block succeeds.

        Yields {request key: (doc_no, n)}.
        """
        with self._writing() as conn:
            existing = _entries(conn.execute("SELECT * FROM documents"))
            numbers, new, voids, new_imports = _allocate(existing, run, requests, imports)
            _record(conn.executemany, "?", run, new, voids, new_imports)
            yield {k: v for k, v in numbers.items()}

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): committed when the block succeeds, else rolled back."""
        conn = self._open(readonly=False)
        assert conn is not None
        with contextlib.closing(conn):
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise RunFailed(f"the register {self.path} is busy (another run holds it): {exc}")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    def void(self, doc_no: str, reason: str) -> Entry:
        if not reason.strip():
            raise BadInput(Problem("register", "a reason is required to void a number"))
        conn = self._connect(readonly=False) if self.path.exists() else None
        if conn is None:
            raise BadInput(Problem(str(self.path), f'"{doc_no}" is not in the register (the register is empty)'))
        with contextlib.closing(conn):
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT * FROM documents WHERE doc_no = ?", (doc_no,)).fetchone()
            if row is None:
                conn.execute("ROLLBACK")
                raise BadInput(Problem(str(self.path), f'"{doc_no}" is not in the register (see: make-notices register list)'))
            if row["status"] == "void":
                conn.execute("ROLLBACK")
                raise BadInput(Problem(str(self.path), f'"{doc_no}" is already void ({row["void_reason"]})'))
            conn.execute("UPDATE documents SET status='void', void_reason=?, voided_at=? WHERE doc_no=?",
                         (reason.strip(), dt.datetime.now().isoformat(timespec="seconds"), doc_no))
            conn.execute("COMMIT")
            return _entry(conn.execute("SELECT * FROM documents WHERE doc_no = ?", (doc_no,)).fetchone())

    def record(self, doc_nos: list[str], decide: Decide) -> list[Entry]:
        """Record 签收/反馈: decide(the entries of doc_nos found) returns the marks or raises BadInput.

        Checked and written in one write transaction; with any problem nothing is written.
        """
        if not self.path.exists():
            decide({})  # every number is unknown: BadInput; the register is not created
            return []
        with self._writing() as conn:
            wanted = set(doc_nos)
            found = {r["doc_no"]: _entry(r) for r in conn.execute("SELECT * FROM documents") if r["doc_no"] in wanted}
            marks = decide(found)
            conn.executemany(_MARK.format(ph="?"), [_mark_values(m) for m in marks])
            return [_entry(conn.execute("SELECT * FROM documents WHERE doc_no = ?", (m.doc_no,)).fetchone()) for m in marks]



SQLITE_FRESH = (f"CREATE TABLE documents (\n    id INTEGER PRIMARY KEY,{COLUMNS})", f"CREATE {KEY_INDEX.format(exists='')}")
_SET_VERSION = ("INSERT INTO register_meta (key, value) VALUES ('schema_version', '{v}')"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value")
_MARK = ("UPDATE documents SET received_on = COALESCE({ph}, received_on), received_by = COALESCE({ph}, received_by),"
         " replied_on = COALESCE({ph}, replied_on) WHERE doc_no = {ph}")


def _mark_values(m: Marks) -> tuple:
    return (m.received_on.isoformat() if m.received_on else None, m.received_by,
            m.replied_on.isoformat() if m.replied_on else None, m.doc_no)


def _schema_steps(version: int | None, fresh: tuple[str, ...], where: str) -> list[str]:
    """The statements that bring a register at version (None: no tables yet) to SCHEMA_VERSION."""
    if version is None:
        return [*fresh, META, _SET_VERSION.format(v=SCHEMA_VERSION)]
    if version > SCHEMA_VERSION:
        raise RunFailed(f"the register {where} was made by a newer make-notices (schema version {version}; this one "
                        f"knows up to {SCHEMA_VERSION}): update make-notices before using it")
    steps = [statement for v in range(version, SCHEMA_VERSION) for statement in UPGRADES[v]]
    return steps + [_SET_VERSION.format(v=SCHEMA_VERSION)] if steps else []


def _version(has_table: Callable[[str], bool], meta_value: Callable[[], str | None]) -> int | None:
    if not has_table("documents"):
        return None
    if not has_table("register_meta"):
        return 1  # the release before schema versions
    value = meta_value()
    return int(value) if value else 1


def _sqlite_version(conn: sqlite3.Connection) -> int | None:
    def has_table(name: str) -> bool:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None

    def meta_value() -> str | None:
        row = conn.execute("SELECT value FROM register_meta WHERE key = 'schema_version'").fetchone()
        return row[0] if row else None

    return _version(has_table, meta_value)


# --- PostgreSQL ---------------------------------------------------------------------------

PG_SCHEMA = (
    f"CREATE TABLE documents (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,{COLUMNS})",
    f"CREATE {KEY_INDEX.format(exists='')}",
)
# Every transaction that writes the register takes this transaction-level advisory lock first
# (it is released by COMMIT or ROLLBACK), so two clerks' runs never compute the same next number.
# The UNIQUE constraints are the last line of defence against a client that does not take it.
PG_LOCK_KEY = 0x6D6B6E6F74696365  # b"mknotice"
PG_SCHEMES = ("postgresql://", "postgres://")


def is_pg_url(url_or_path: str | Path) -> bool:
    return isinstance(url_or_path, str) and url_or_path.startswith(PG_SCHEMES)


def open_register(url_or_path: str | Path, timeout: float = 600.0) -> "Register | PgRegister":
    """The register named by config's paths.register: a postgresql:// URL or an SQLite file."""
    if is_pg_url(url_or_path):
        return PgRegister(str(url_or_path), timeout=timeout)
    return Register(url_or_path, timeout=timeout)


def _psycopg():
    try:
        import psycopg
        import psycopg.rows  # noqa: F401
    except ImportError as exc:  # pragma: no cover - psycopg is a dependency
        raise RunFailed(f"a PostgreSQL register needs the psycopg package (pip install 'psycopg[binary]'): {exc}")
    return psycopg


def _pg_message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class PgRegister(_Reading):
    """The register in a PostgreSQL database, shared by several clerks (on several machines).

    Same interface and meaning as Register. The URL carries no password: libpq takes it from
    PGPASSWORD or ~/.pgpass. Reads run in READ ONLY transactions and never create anything;
    the table is created by the first run that takes a number.
    """

    def __init__(self, url: str, timeout: float = 600.0):
        self.url = url
        self.timeout = timeout

    @property
    def where(self) -> str:
        return self.url

    def _params(self) -> dict:
        psycopg = _psycopg()
        try:
            params = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.Error as exc:
            raise RunFailed(f"the register URL {self.url} is not a valid PostgreSQL URL: {_pg_message(exc)}")
        if params.get("password"):
            raise BadInput(Problem("config.yaml", "paths.register: the PostgreSQL URL holds a password; remove it and "
                                   "give it in PGPASSWORD or ~/.pgpass instead"))
        params.setdefault("connect_timeout", "10")
        params.setdefault("application_name", "make-notices")
        # A run holds its transaction while the documents are made: notice a dead server soon.
        for key, value in (("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3")):
            params.setdefault(key, value)
        return params

    def _connect(self):
        psycopg = _psycopg()
        params = self._params()
        try:
            conn = psycopg.connect(**params, autocommit=False, row_factory=psycopg.rows.dict_row)
        except psycopg.Error as exc:
            raise RunFailed(f"the register {self.url} cannot be reached: {_pg_message(exc)}")
        # Each statement must see what the previous holder of the lock committed: never
        # REPEATABLE READ or SERIALIZABLE here, whatever the server's default.
        conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        try:
            # ...and let the server notice a clerk's machine that died holding the register's
            # lock within about a minute, not the system's default two hours.
            conn.execute("SELECT set_config('tcp_keepalives_idle', '30', false), set_config('tcp_keepalives_interval', '10', false),"
                         " set_config('tcp_keepalives_count', '3', false)")
            conn.commit()
        except psycopg.Error as exc:
            conn.close()
            raise self._failed(exc) from None
        return conn

    def _failed(self, exc: BaseException) -> RunFailed:
        psycopg = _psycopg()
        errors = psycopg.errors
        msg = _pg_message(exc)
        if isinstance(exc, errors.LockNotAvailable):
            return RunFailed(f"the register {self.url} is busy (another run has held it for {self.timeout:g} s): {msg}")
        if isinstance(exc, errors.UniqueViolation):
            return RunFailed(f"the register {self.url} already holds one of these numbers (taken by a client that did not "
                             f"lock the register); nothing was issued, run again: {msg}")
        if isinstance(exc, errors.InsufficientPrivilege):
            return RunFailed(f"the register {self.url} refuses this user: {msg}")
        if isinstance(exc, psycopg.OperationalError):
            return RunFailed(f"the register {self.url} cannot be reached: {msg}")
        return RunFailed(f"the register {self.url} failed: {msg}")

    @staticmethod
    def _rollback(conn) -> None:
        with contextlib.suppress(Exception):
            conn.rollback()

    @staticmethod
    def _has_table(conn, name: str = "documents") -> bool:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL AS present", (name,)).fetchone()["present"]

    def _schema_version(self, conn) -> int | None:
        def meta_value() -> str | None:
            row = conn.execute("SELECT value FROM register_meta WHERE key = 'schema_version'").fetchone()
            return row["value"] if row else None

        return _version(lambda name: self._has_table(conn, name), meta_value)

    def _prepare(self, conn) -> None:
        """Begin a write transaction holding the register's lock, the tables made or upgraded first.

        A new register's tables commit with the first run's numbers (a failed first run leaves
        nothing); an upgrade commits on its own, so that readers see the new columns at once.
        """
        self._lock(conn)
        version = self._schema_version(conn)
        steps = _schema_steps(version, PG_SCHEMA, self.url)
        for statement in steps:
            conn.execute(statement)
        if steps and version is not None:
            conn.commit()
            self._lock(conn)

    def _lock(self, conn) -> None:
        """Begin the write transaction: wait (at most timeout) for the register's lock."""
        conn.execute("SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', '0', true),"
                     " set_config('idle_in_transaction_session_timeout', '0', true)", (f"{int(self.timeout * 1000)}ms",))
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))

    def _read(self, work):
        psycopg = _psycopg()
        conn = self._connect()
        with contextlib.closing(conn):
            try:
                conn.read_only = True
                return work(conn) if self._has_table(conn) else None
            except psycopg.Error as exc:
                raise self._failed(exc) from None
            finally:
                self._rollback(conn)

    def exists(self) -> bool:
        return self._read(lambda conn: True) is not None

    def entries(self, year: int | None = None) -> list[Entry]:
        """Every number in the register (issued and void), in series order."""
        sql = "SELECT * FROM documents" + (" WHERE year = %s" if year else "") + ' ORDER BY year, series COLLATE "C", n'
        return self._read(lambda conn: _entries(conn.execute(sql, (year,) if year else ()))) or []

    @contextlib.contextmanager
    def issue(self, run: str, requests: list[Request], imports: list[Issued]) -> Iterator[dict[str, tuple[str, int]]]:
        """Take numbers for requests in one transaction; commit only if the with-block succeeds.

        Yields {request key: (doc_no, n)}.
        """
        psycopg = _psycopg()
        conn = self._connect()
        with contextlib.closing(conn):
            try:
                self._prepare(conn)
                existing = _entries(conn.execute("SELECT * FROM documents"))
                numbers, new, voids, new_imports = _allocate(existing, run, requests, imports)
                with conn.cursor() as cur:
                    _record(cur.executemany, "%s", run, new, voids, new_imports)
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, psycopg.Error):
                    raise self._failed(exc) from None
                raise
            try:
                yield dict(numbers)
            except BaseException:
                self._rollback(conn)
                raise
            try:
                conn.commit()
            except psycopg.Error as exc:
                raise RunFailed(f"the register {self.url} did not record this run's numbers (none were taken): {_pg_message(exc)}") from None

    def void(self, doc_no: str, reason: str) -> Entry:
        if not reason.strip():
            raise BadInput(Problem("register", "a reason is required to void a number"))
        psycopg = _psycopg()
        conn = self._connect()
        with contextlib.closing(conn):
            try:
                if not self._has_table(conn):
                    raise BadInput(Problem(self.url, f'"{doc_no}" is not in the register (the register is empty)'))
                self._prepare(conn)
                row = conn.execute("SELECT * FROM documents WHERE doc_no = %s", (doc_no,)).fetchone()
                if row is None:
                    raise BadInput(Problem(self.url, f'"{doc_no}" is not in the register (see: make-notices register list)'))
                if row["status"] == "void":
                    raise BadInput(Problem(self.url, f'"{doc_no}" is already void ({row["void_reason"]})'))
                row = conn.execute("UPDATE documents SET status='void', void_reason=%s, voided_at=%s WHERE doc_no=%s RETURNING *",
                                   (reason.strip(), dt.datetime.now().isoformat(timespec="seconds"), doc_no)).fetchone()
                conn.commit()
                return _entry(row)
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, psycopg.Error):
                    raise self._failed(exc) from None
                raise


    def record(self, doc_nos: list[str], decide: Decide) -> list[Entry]:
        """Record 签收/反馈 as Register.record does; the rows concerned are locked, not the register,
        so that a monthly run in progress does not hold it up."""
        psycopg = _psycopg()
        conn = self._connect()
        with contextlib.closing(conn):
            try:
                if not self._has_table(conn):
                    self._rollback(conn)
                    decide({})  # every number is unknown
                    return []
                self._prepare(conn)
                rows = conn.execute("SELECT * FROM documents WHERE doc_no = ANY(%s) ORDER BY id FOR UPDATE", (list(set(doc_nos)),))
                marks = decide({r["doc_no"]: _entry(r) for r in rows})
                done = []
                for m in marks:
                    done.append(_entry(conn.execute(_MARK.format(ph="%s") + " RETURNING *", _mark_values(m)).fetchone()))
                conn.commit()
                return done
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, psycopg.Error):
                    raise self._failed(exc) from None
                raise


_INSERT = ("INSERT INTO documents (series, year, n, doc_no, kind, subject, unit, month, doc_key, issued_on, deadline,"
           " title, run, created_at, reply_by) VALUES ({values})")


def _record(executemany, ph: str, run: str, new, voids: list[str], new_imports: list[Issued]) -> None:
    """Write what _allocate decided: paper numbers, voided numbers, new numbers (ph: ? or %s)."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    insert = _INSERT.format(values=",".join([ph] * 15))
    if new_imports:
        executemany(insert, [(i.series, i.year or i.date.year, i.n, i.doc_no, i.kind.value, i.subject, i.unit, i.month,
                              None, i.date.isoformat(), i.deadline.isoformat() if i.deadline else None, "", IMPORT_RUN, now,
                              i.deadline.isoformat() if i.deadline and i.kind == Kind.ORDER else None)
                             for i in new_imports])
    if voids:
        executemany(f"UPDATE documents SET status='void', void_reason={ph}, voided_at={ph} WHERE doc_no={ph}",
                    [(f"同月重新生成（{run}）时不再需要", now, doc_no) for doc_no in voids])
    if new:
        executemany(insert, [(req.series, req.year, n, req.doc_no(n), req.kind.value, req.subject, req.unit, req.month,
                              req.key, req.issued_on.isoformat(), req.deadline.isoformat() if req.deadline else None,
                              req.title, run, now, req.reply_by.isoformat() if req.reply_by else None) for req, n in new])


def _allocate(existing: list[Entry], run: str, requests: list[Request], imports: list[Issued]):
    """Decide numbers: a known document keeps its number, a new one takes the next of its series."""
    by_no = {e.doc_no: e for e in existing}
    problems = []
    new_imports = []
    taken: dict[tuple[str, int], set[int]] = {}
    for e in existing:
        taken.setdefault((e.series, e.year), set()).add(e.n)
    for imp in imports:
        e = by_no.get(imp.doc_no)
        year = imp.year or imp.date.year
        if e is None:
            if imp.n in taken.get((imp.series, year), set()):
                problems.append(Problem("data/history", f"{imp.doc_no}: the register already holds number {imp.n} of this series for another document"))
                continue
            new_imports.append(imp)
            taken.setdefault((imp.series, year), set()).add(imp.n)
        elif e.kind != imp.kind.value or e.subject != imp.subject:
            problems.append(Problem("data/history", f"{imp.doc_no}: the register holds this number for {e.kind} {e.subject}, not {imp.kind.value} {imp.subject}"))
    if problems:
        raise BadInput(problems)
    live = {e.doc_key: e for e in existing if e.status == "issued" and e.doc_key}
    numbers: dict[str, tuple[str, int]] = {}
    new = []
    wanted = {r.key for r in requests}
    for req in requests:
        e = live.get(req.key)
        if e is not None:
            numbers[req.key] = (e.doc_no, e.n)
    voids = [e.doc_no for e in existing if e.run == run and e.status == "issued" and e.doc_key and e.doc_key not in wanted]
    for req in requests:
        if req.key in numbers:
            continue
        used = taken.setdefault((req.series, req.year), set())
        n = max(used, default=0) + 1
        used.add(n)
        numbers[req.key] = (req.doc_no(n), n)
        new.append((req, n))
    return numbers, new, voids, new_imports


# --- Replies applied by collect (the month's 调度表 back into the ledger) ----------------------
# A table of its own, created when first written, the same in SQLite and PostgreSQL but for the
# id column: which returned file (by its SHA-256) was applied for which unit and month.

REPLIES_COLUMNS = """
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    UNIQUE (unit, month, sha256)
"""
REPLIES_SQLITE = f"CREATE TABLE IF NOT EXISTS dispatch_replies (\n    id INTEGER PRIMARY KEY,{REPLIES_COLUMNS})"
REPLIES_PG = (f"CREATE TABLE IF NOT EXISTS dispatch_replies (\n    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
              f"{REPLIES_COLUMNS})")


@dataclass(frozen=True)
class AppliedReply:
    """A unit's returned 调度表, applied to the ledger."""

    unit: str
    month: str
    sha256: str
    file: str
    applied_at: str = ""


def applied_replies(register: "Register | PgRegister", month: str | None = None) -> list[AppliedReply]:
    """The replies applied so far (for a month), oldest first; reads only, creates nothing."""
    where = " WHERE month = {ph}" if month else ""
    columns = "unit, month, sha256, file, applied_at"
    if isinstance(register, PgRegister):
        def read(conn):
            if not conn.execute("SELECT to_regclass('dispatch_replies') IS NOT NULL AS present").fetchone()["present"]:
                return []
            sql = f"SELECT {columns} FROM dispatch_replies{where.format(ph='%s')} ORDER BY applied_at, id"
            return [AppliedReply(**r) for r in conn.execute(sql, (month,) if month else ())]
        psycopg = _psycopg()
        conn = register._connect()
        with contextlib.closing(conn):
            try:
                conn.read_only = True
                return read(conn)
            except psycopg.Error as exc:
                raise register._failed(exc) from None
            finally:
                register._rollback(conn)
    conn = register._open(readonly=True)
    if conn is None:
        return []
    with contextlib.closing(conn):
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='dispatch_replies'").fetchone() is None:
            return []
        sql = f"SELECT {columns} FROM dispatch_replies{where.format(ph='?')} ORDER BY applied_at, id"
        return [AppliedReply(*r) for r in conn.execute(sql, (month,) if month else ())]


def record_replies(register: "Register | PgRegister", replies: list[AppliedReply]) -> None:
    """Record applied replies in one transaction; a reply already recorded is left as it is."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    rows = [(r.unit, r.month, r.sha256, r.file, r.applied_at or now) for r in replies]
    if isinstance(register, PgRegister):
        psycopg = _psycopg()
        conn = register._connect()
        with contextlib.closing(conn):
            try:
                conn.execute(REPLIES_PG)
                with conn.cursor() as cur:
                    cur.executemany("INSERT INTO dispatch_replies (unit, month, sha256, file, applied_at) VALUES (%s, %s, %s, %s, %s)"
                                    " ON CONFLICT (unit, month, sha256) DO NOTHING", rows)
                conn.commit()
            except psycopg.Error as exc:
                register._rollback(conn)
                raise register._failed(exc) from None
        return
    try:
        with register._writing() as conn:
            conn.execute(REPLIES_SQLITE)
            conn.executemany("INSERT OR IGNORE INTO dispatch_replies (unit, month, sha256, file, applied_at) VALUES (?, ?, ?, ?, ?)", rows)
    except sqlite3.Error as exc:
        raise RunFailed(f"the register {register.path} did not record the applied replies: {exc}")
