"""The units' replies back into the ledger: read the returned 调度表, check every reply, say what
would change, and with apply, update the task and finding files all or nothing.

The apply is journalled: the new files are written beside the old ones, the old ones copied to
data/.backup/<timestamp>/, and a journal (data/.collect-pending.json) put in place before the
first file is moved. A run killed after that point is completed by the next collect or monthly
run (recover), so the ledger is always either as it was or fully updated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import BadInput, Problem, RunFailed, display_path
from ..register.store import AppliedReply, applied_replies, open_register, record_replies
from ..sources import Office, read_office
from ..sources.tables import check_archive, find_table
from ..sources.values import bad_chars, clean_text, format_date, parse_date
from . import sheet as layout
from .ledger_files import Edit, rewrite
from .sheet import DONE, LAYOUTS, Meta

PENDING = ".collect-pending.json"
_MONTH_PREFIX = re.compile(r"^\d{1,2}月[：:]")


@dataclass
class UnitReply:
    """One returned file: whose it is and what it changes."""

    name: str
    file: str
    changes: list[str] = field(default_factory=list)
    already_applied: bool = False
    notes: list[str] = field(default_factory=list)
    sha256: str = ""


@dataclass
class CollectResult:
    month: str
    units: list[UnitReply]
    not_replied: list[str]
    applied: bool
    written: list[str] = field(default_factory=list)  # the ledger files updated
    backup: str | None = None

    def text(self) -> str:
        """What the CLI prints: the changes unit by unit, then who has not replied."""
        lines = []
        verb = "applied" if self.applied else "would apply"
        lines.append(f"{self.month}: replies from {len(self.units)} unit{'s' if len(self.units) != 1 else ''} ({verb}).")
        for u in self.units:
            lines.append(f"{u.name} ({u.file}):")
            for note in u.notes:
                lines.append(f"  ({note})")
            if u.already_applied:
                continue
            for change in u.changes or ["no change"]:
                lines.append(f"  {change}")
        if self.not_replied:
            lines.append(f"not replied yet ({len(self.not_replied)}): {'、'.join(self.not_replied)}")
        else:
            lines.append("every unit has replied.")
        if self.applied:
            if self.written:
                lines.append(f"updated {', '.join(self.written)}; the old files are in {self.backup}.")
            else:
                lines.append("the ledger already holds these replies; nothing was changed.")
        else:
            lines.append("nothing was written (add --apply to update the ledger).")
        return "\n".join(lines)


@dataclass
class _Row:
    kind: str
    id: str
    sheet: str
    row: int
    progress: str
    status: str
    done: dt.date | None
    note: str
    ok: bool = True  # False: a cell of the row is reported; the row still counts as answered


@dataclass
class _File:
    path: Path
    shown: str
    sha256: str
    meta: Meta
    rows: list[_Row]


def _expand(paths: list[Path], problems: list[Problem]) -> list[Path]:
    """The files named, and the files in the folders named (hidden and Office lock files skipped)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.name.startswith((".", "~$")):
                    files.append(f)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(display_path(p), "no such file or folder"))
    seen, out = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _read_file(path: Path, problems: list[Problem]) -> tuple[Meta, dict[str, list[tuple[int, dict[str, object]]]]] | None:
    """The hidden ids and, per sheet, the reply rows (row number, header → value)."""
    shown = display_path(path)
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et"):
        problems.append(Problem(shown, f"is an old-format workbook ({suffix}); open it in Excel or WPS, save it as "
                                       "Excel 工作簿 (.xlsx) and collect that file"))
        return None
    if suffix != ".xlsx":
        problems.append(Problem(shown, "is not a 调度表 (collect reads the .xlsx files made by make-notices dispatch)"))
        return None
    bad = check_archive(path, shown)
    if bad:
        problems.append(bad)
        return None
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(shown, f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})"))
        return None
    meta = None
    if layout.META_SHEET in wb.sheetnames:
        meta = Meta.from_rows(list(wb[layout.META_SHEET].iter_rows(values_only=True)))
    if meta is None:
        problems.append(Problem(shown, "is not a 调度表 made by make-notices dispatch (its hidden part naming the unit and "
                                       "month is missing); ask the unit to fill in and return the file it was sent"))
        return None
    sheets: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for spec in LAYOUTS:
        if spec.sheet not in wb.sheetnames:
            continue
        ws = wb[spec.sheet]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        head = next((i for i, cells in enumerate(grid[:10]) if {"编号", *(c.header for c in spec.replies)} <= {clean_text(c) for c in cells}), None)
        if head is None:
            problems.append(Problem(shown, f"the header row (编号 … {spec.replies[-1].header}) is missing; "
                                           "send the unit its 调度表 again", sheet=spec.sheet))
            continue
        index = {clean_text(c): i for i, c in enumerate(grid[head]) if clean_text(c)}
        rows = []
        for r, cells in enumerate(grid[head + 1:], start=head + 2):
            values = {h: cells[i] if i < len(cells) else None for h, i in index.items()}
            rows.append((r, values))
        sheets[spec.sheet] = rows
    wb.close()
    return meta, sheets


def _rows(path: Path, shown: str, meta: Meta, sheets, office: Office, limit: dt.date, problems: list[Problem]) -> list[_Row]:
    """Check every reply of a file against its unit's rows in the ledger."""
    tasks = {t.id: t for t in office.tasks}
    findings = {f.id: f for f in office.findings}
    out = []
    for spec in LAYOUTS:
        for r, values in sheets.get(spec.sheet, []):
            where = lambda col, msg: Problem(shown, msg, sheet=spec.sheet, row=r, column=col)  # noqa: E731
            rid = clean_text(values.get("编号"))
            cols = {c.key: c.header for c in spec.replies}
            raw = {key: values.get(header) for key, header in cols.items()}
            if all(clean_text(v) == "" for v in raw.values()):
                continue  # not answered (a row left as it was sent changes nothing)
            item = (tasks if spec.kind == "task" else findings).get(rid)
            owner = (item.lead.name if spec.kind == "task" else item.unit.name) if item else None
            noun = "task" if spec.kind == "task" else "finding"
            if not rid:
                problems.append(where("编号", "a reply on a row without 编号 (write replies on the rows given)"))
                continue
            if rid not in meta.ids(spec.kind) or owner != meta.unit:
                problems.append(where("编号", f'"{rid}" is not a {noun} of {meta.unit} in this 调度表 '
                                            f'(the 编号 may not be changed; leave extra rows empty)'))
                continue
            bad = False
            texts = {}
            for key in ("progress", "note"):
                text = clean_text(raw[key])
                msg = bad_chars(text) if text else None
                if msg:
                    problems.append(where(cols[key], msg))
                    bad = True
                texts[key] = text
            status = clean_text(raw["status"])
            if status and status not in spec.statuses:
                problems.append(where(cols["status"], f'"{status}" is not a status (choose {"、".join(spec.statuses)})'))
                bad = True
            done, err = parse_date(raw["done"])
            if err:
                problems.append(where(cols["done"], err))
                bad = True
            elif done is not None:
                start = item.assigned if spec.kind == "task" else item.inspected
                if done > limit:
                    problems.append(where(cols["done"], f"{done:%Y-%m-%d} is after {limit:%Y-%m-%d} (the as-of date): "
                                                        "a date still to come cannot be a completion date"))
                    bad = True
                elif start is not None and done < start:
                    what = "the task was assigned" if spec.kind == "task" else "the inspection"
                    problems.append(where(cols["done"], f"{done:%Y-%m-%d} is before {what} ({start:%Y-%m-%d})"))
                    bad = True
                elif status and status != DONE[spec.kind]:
                    problems.append(where(cols["done"], f"a {cols['done']} is given but {cols['status']} is {status}; "
                                                        f"choose {DONE[spec.kind]} or clear the date"))
                    bad = True
                elif not status and item.status.value != DONE[spec.kind]:
                    problems.append(where(cols["status"], f"a {cols['done']} is given but no {cols['status']}; "
                                                          f"choose {DONE[spec.kind]}"))
                    bad = True
            if status == DONE[spec.kind] and done is None and not err:
                problems.append(where(cols["done"], f"{cols['done']} is empty; a {noun} reported {status} needs the date"))
                bad = True
            out.append(_Row(spec.kind, rid, spec.sheet, r, texts["progress"], status, done, texts["note"], ok=not bad))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edits(row: _Row, office: Office, month: str) -> tuple[list[Edit], str | None]:
    """The cells a reply changes, and the line that says so (None when it changes nothing)."""
    if row.kind == "task":
        item = next(t for t in office.tasks if t.id == row.id)
        progress, note = item.progress, clean_text(item.extra.get("单位备注"))
        what = "进展"
    else:
        item = next(f for f in office.findings if f.id == row.id)
        progress, note = clean_text(item.extra.get("整改进展")), clean_text(item.extra.get("单位备注"))
        what = "整改进展"
    edits, parts = [], []
    old = item.status.value
    if old == "已销账" and (row.status or row.done):
        # the office closed it meanwhile: a unit's reply does not reopen it
        parts.append("已销账 in the ledger: 状态 and 完成日期 left as they are")
        row = _Row(row.kind, row.id, row.sheet, row.row, row.progress, "", None, row.note)
    if row.status and row.status != old:
        edits.append(Edit(row.id, "status", row.status))
        parts.append(f"{old} → {row.status}" + (f"（{format_date(row.done)}）" if row.done else ""))
    if row.done and row.done != item.done:
        edits.append(Edit(row.id, "done", row.done))
        if not (row.status and row.status != old):
            parts.append(f"完成日期 → {format_date(row.done)}")
    if row.progress:
        text = row.progress if _MONTH_PREFIX.match(row.progress) else f"{int(month[5:])}月：{row.progress}"
        if text != progress:
            edits.append(Edit(row.id, "progress", text))
            parts.append(f"{what} updated")
    if row.note and row.note != note:
        edits.append(Edit(row.id, "note", row.note))
        parts.append("单位备注 updated")
    if not parts:
        return [], None
    return edits, f"{row.id} " + "; ".join(parts)


def _dispatched_units(config: Config, month: str, metas: list[Meta], office: Office) -> list[str]:
    """The units the month's 调度表 went to: from its manifest, else worked out again."""
    manifest = config.out_dir / f"dispatch-{month}" / "manifest.json"
    if manifest.is_file():
        try:
            return [f["unit"] for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]]
        except (ValueError, KeyError, TypeError):
            pass
    as_of = next((m.as_of for m in metas if m.month == month), None)
    if as_of is None:
        return []
    from .. import plan
    from .dispatch import rows_by_unit

    history = plan.merged_history(open_register(config.register_url).history(), office.history)
    return [u.unit.name for u in rows_by_unit(office, history, as_of)]


def collect(config: Config, paths: list[Path], *, apply: bool = False, month: str | None = None,
            as_of: dt.date | None = None) -> CollectResult:
    """Read returned 调度表 (files or folders); check them all; with apply, update the ledger."""
    if apply:
        recover(config)
    elif pending_apply(config):
        raise RunFailed("an interrupted collect --apply is pending, so the ledger is half updated: run collect --apply "
                        "(or a monthly run) to complete it first")
    problems: list[Problem] = []
    read = []
    for path in _expand(paths, problems):
        got = _read_file(path, problems)
        if got is not None:
            read.append((path, *got))
    ours = [m for _, m, _ in read if m.office == config.office.name]
    if month is None and ours:
        month = max(m.month for m in ours)
    if month is None:
        problems.append(Problem("collect", "no 调度表 of this office among the files given"))
        raise BadInput(problems)
    office = read_office(config)
    today = as_of or dt.date.today()
    register = open_register(config.register_url)
    earlier: dict[str, list[AppliedReply]] = {}
    for r in applied_replies(register, month):
        earlier.setdefault(r.unit, []).append(r)
    files: list[_File] = []
    seen_sha: set[str] = set()
    for path, meta, sheets in read:
        shown = display_path(path)
        if meta.office != config.office.name:
            problems.append(Problem(shown, f"is a 调度表 of {meta.office}, not of {config.office.name}: "
                                           "it belongs to another office"))
            continue
        if meta.month != month:
            problems.append(Problem(shown, f"is the 调度表 of {meta.month}, not of {month} (the month being collected); "
                                           f"collect it on its own with --month {meta.month}, or leave it out"))
            continue
        if office.directory.get(meta.unit) is None:
            problems.append(Problem(shown, f'names the unit "{meta.unit}", which is not in the units list'))
            continue
        sha = _sha256(path)
        if sha in seen_sha:
            continue  # the same file given twice
        seen_sha.add(sha)
        rows = _rows(path, shown, meta, sheets, office, max(today, meta.as_of), problems)
        files.append(_File(path, shown, sha, meta, rows))
    answered: dict[tuple[str, str], tuple[_File, _Row]] = {}
    units: list[UnitReply] = []
    edits: dict[str, list[Edit]] = {"tasks": [], "findings": []}
    for f in files:
        unit = office.directory.get(f.meta.unit)
        assert unit is not None
        reply = UnitReply(unit.name, f.shown, sha256=f.sha256)
        units.append(reply)
        before = earlier.get(unit.name, [])
        if any(r.sha256 == f.sha256 for r in before):
            when = next(r.applied_at for r in before if r.sha256 == f.sha256)
            reply.already_applied = True
            reply.notes.append(f"this file was applied on {when[:10]}; it changes nothing again")
            continue
        if before:
            reply.notes.append(f"a reply from this unit was applied on {before[-1].applied_at[:10]} "
                               f"({Path(before[-1].file).name}); this one is applied over it")
        for row in f.rows:
            first = answered.get((row.kind, row.id))
            if first is not None:
                problems.append(Problem(f.shown, f'"{row.id}" is also answered in {first[0].shown} (sheet {first[1].sheet}, '
                                                 f'row {first[1].row}); keep one answer', sheet=row.sheet, row=row.row, column="编号"))
                continue
            answered[(row.kind, row.id)] = (f, row)
            if not row.ok:
                continue
            cells, line = _edits(row, office, month)
            edits["tasks" if row.kind == "task" else "findings"].extend(cells)
            if line:
                reply.changes.append(line)
    if problems:
        raise BadInput(problems)
    units.sort(key=lambda u: (office.directory.get(u.name).order, u.file))  # type: ignore[union-attr]
    replied = set(earlier) | {u.name for u in units}
    not_replied = [name for name in _dispatched_units(config, month, [f.meta for f in files], office) if name not in replied]
    result = CollectResult(month, units, not_replied, applied=False)
    if apply:
        new = [AppliedReply(u.name, month, u.sha256, u.file) for u in units if not u.already_applied]
        written, backup = commit(config, edits, new)
        result.applied = True
        result.written = written
        result.backup = backup
    return result


# --------------------------------------------------------------------------- the journalled apply

def commit(config: Config, edits: dict[str, list[Edit]], replies: list[AppliedReply]) -> tuple[list[str], str | None]:
    """Write the new ledger files beside the old, back the old up, journal, move into place, record."""
    data = config.data_dir
    plans = []
    for table in ("tasks", "findings"):
        if not edits[table]:
            continue
        path, problem = find_table(data, table)
        if problem or path is None:
            raise BadInput(problem or Problem(table, "missing"))
        plans.append((path, rewrite(path, table, edits[table])))
    if not plans:
        if replies:
            record_replies(open_register(config.register_url), replies)
        return [], None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = data / ".backup" / stamp
    n = 1
    while backup.exists():
        n += 1
        backup = data / ".backup" / f"{stamp}-{n}"
    try:
        backup.mkdir(parents=True)
        files = []
        for path, content in plans:
            temp = path.with_name(f".{path.name}.collect-{backup.name}")
            with open(temp, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            shutil.copy2(path, backup / path.name)
            files.append({"target": str(path), "temp": str(temp), "old": _sha256(path),
                          "new": hashlib.sha256(content).hexdigest()})
        journal = {"backup": str(backup), "files": files,
                   "replies": [[r.unit, r.month, r.sha256, r.file] for r in replies]}
        pending = data / PENDING
        tmp = data / f"{PENDING}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(journal, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, pending)  # from here on the apply completes, now or at the next run
    except OSError as exc:
        for f in data.glob(f".*.collect-{backup.name}"):
            f.unlink(missing_ok=True)
        raise RunFailed(f"writing the ledger failed: {exc.strerror or exc} ({getattr(exc, 'filename', '') or data}); nothing was changed")
    _finish(config, pending)
    return [display_path(p) for p, _ in plans], display_path(backup)


def _finish(config: Config, pending: Path) -> None:
    journal = json.loads(pending.read_text(encoding="utf-8"))
    for f in journal["files"]:
        target, temp = Path(f["target"]), Path(f["temp"])
        if temp.exists():
            current = _sha256(target) if target.exists() else None
            if current not in (f["old"], f["new"]):
                raise RunFailed(f"{display_path(target)} was changed since an interrupted collect --apply began; its new "
                                f"version is {display_path(temp)} and the old one is in {journal['backup']}: "
                                f"compare them, then delete {display_path(pending)}")
            os.replace(temp, target)
        elif not target.exists() or _sha256(target) != f["new"]:
            raise RunFailed(f"an interrupted collect --apply cannot be completed: {display_path(temp)} is missing; "
                            f"the old files are in {journal['backup']}; delete {display_path(pending)} once the ledger is right")
    replies = [AppliedReply(*r) for r in journal["replies"]]
    if replies:
        record_replies(open_register(config.register_url), replies)
    _fsync_dir(pending.parent)
    pending.unlink()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def pending_apply(config: Config) -> bool:
    """Is an interrupted collect --apply waiting to be completed?"""
    return (config.data_dir / PENDING).is_file()


def recover(config: Config) -> bool:
    """Complete an interrupted collect --apply (True if there was one); drop files of one killed earlier."""
    data = config.data_dir
    pending = data / PENDING
    if pending.is_file():
        _finish(config, pending)
        return True
    if data.is_dir():
        for stale in list(data.glob(".*.collect-*")) + list(data.glob(f"{PENDING}.tmp")):
            stale.unlink(missing_ok=True)
    return False


def unapplied(config: Config, month: str, folder: Path | None = None) -> list[tuple[str, str]]:
    """Returned 调度表 of the month in data/replies/<month>/ not applied yet: (file, unit)."""
    folder = folder or config.data_dir / "replies" / month
    if not folder.is_dir():
        return []
    done = {(r.unit, r.sha256) for r in applied_replies(open_register(config.register_url), month)}
    out = []
    for path in sorted(folder.rglob("*.xlsx")):
        if path.name.startswith((".", "~$")):
            continue
        got = _read_file(path, [])
        if got is None:
            continue
        meta = got[0]
        if meta.office == config.office.name and meta.month == month and (meta.unit, _sha256(path)) not in done:
            out.append((display_path(path), meta.unit))
    return out
