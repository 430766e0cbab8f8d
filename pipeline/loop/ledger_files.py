"""Edit the task and finding files in their own format, changing only the cells replied to.

- `.xlsx`: the cells are edited in place with openpyxl (other sheets, extra columns, widths and
  styles stay); a new column copies its neighbour's style.
- `.csv`: the encoding (UTF-8, UTF-8 with BOM, GB18030), line ends and every untouched line are
  kept byte for byte; only the changed rows are written again.
- `.yaml`: the values are replaced where they stand in the text (keys, order, comments and
  quoting of everything else stay); a missing key is added under the item's last key.

Each function returns the new file's bytes; writing them into place is the caller's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from copy import copy
from dataclasses import dataclass
from pathlib import Path

from ..errors import RunFailed
from ..sources.values import clean_text

# field → the headers it may have in the ledger (the first is written when a column is added)
HEADERS = {
    "tasks": {"id": ("编号", "id"), "status": ("状态", "status"), "done": ("完成日期", "done"),
              "progress": ("进展情况", "progress"), "note": ("单位备注",)},
    "findings": {"id": ("编号", "id"), "status": ("整改状态", "status"), "done": ("整改完成日期", "done"),
                 "progress": ("整改进展",), "note": ("单位备注",)},
}
DATE_FIELDS = {"tasks": ("完成日期", "done", "完成时限", "due", "交办日期", "assigned"),
               "findings": ("整改完成日期", "done", "整改时限", "due", "督察日期", "inspected")}


@dataclass(frozen=True)
class Edit:
    """One cell to change: the row by its id, the field, the new value (text or date)."""

    id: str
    field: str
    value: str | dt.date


def rewrite(path: Path, table: str, edits: list[Edit]) -> bytes:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _xlsx(path, table, edits)
    if suffix == ".csv":
        return _csv(path, table, edits)
    if suffix in (".yaml", ".yml"):
        return _yaml(path, table, edits)
    raise RunFailed(f"{path}: cannot write a {suffix} ledger")


def _matches(text: str, names: tuple[str, ...]) -> bool:
    return text in names or text.lower() in names


def _header_row(rows: list[list[object]], table: str) -> int | None:
    """The first of the first five rows that names a known column (as the reader decides)."""
    from ..sources.ledger import FINDING_COLUMNS, TASK_COLUMNS

    columns = TASK_COLUMNS if table == "tasks" else FINDING_COLUMNS
    known = {c.zh for c in columns} | {c.key for c in columns}
    for i, cells in enumerate(rows[:5]):
        if any(clean_text(c) in known or clean_text(c).lower() in known for c in cells):
            return i
    return None


# --------------------------------------------------------------------------- xlsx

def _xlsx(path: Path, table: str, edits: list[Edit]) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]  # the sheet the reader reads
    top = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=5)]
    at = _header_row(top, table)
    if at is None:
        raise RunFailed(f"{path}: no header row found")
    head = at + 1
    columns = {clean_text(ws.cell(head, c).value): c for c in range(1, ws.max_column + 1) if clean_text(ws.cell(head, c).value)}

    def column(field: str) -> int:
        names = HEADERS[table][field]
        for text, c in columns.items():
            if _matches(text, names):
                return c
        c = max(columns.values()) + 1
        left = ws.cell(head, c - 1)
        cell = ws.cell(head, c, names[0])
        cell._style = copy(left._style)
        from openpyxl.utils import get_column_letter

        ws.column_dimensions[get_column_letter(c)].width = 30
        for r in range(head + 1, ws.max_row + 1):
            if ws.cell(r, c - 1).has_style:
                ws.cell(r, c)._style = copy(ws.cell(r, c - 1)._style)
        columns[names[0]] = c
        return c

    id_col = column("id")
    rows = {clean_text(ws.cell(r, id_col).value): r for r in range(head + 1, ws.max_row + 1) if clean_text(ws.cell(r, id_col).value)}
    for e in edits:
        if e.id not in rows:
            raise RunFailed(f"{path}: the row {e.id} is no longer there")
        c = column(e.field)
        cell = ws.cell(rows[e.id], c)
        if isinstance(e.value, dt.date):
            fmt = next((ws.cell(r, c).number_format for r in rows.values() if ws.cell(r, c).is_date), None)
            cell.value = dt.datetime(e.value.year, e.value.month, e.value.day)
            cell.number_format = fmt or "yyyy-mm-dd"
        else:
            cell.value = e.value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- csv

def _decode(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def _records(text: str) -> list[tuple[str, str]]:
    """Split CSV text into (record text, line end) keeping quoted newlines inside their record."""
    out: list[tuple[str, str]] = []
    buf = ""
    for line in text.splitlines(keepends=True):
        buf += line
        if buf.count('"') % 2 == 0:
            body = buf.rstrip("\r\n")
            out.append((body, buf[len(body):]))
            buf = ""
    if buf:
        body = buf.rstrip("\r\n")
        out.append((body, buf[len(body):]))
    return out


def _date_text(samples: list[str], day: dt.date) -> str:
    """A date in the form the file already uses (2026-12-03, 2026/12/3, 2026年12月3日 …)."""
    for s in samples:
        m = re.fullmatch(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", s)
        if m:
            pad = len(m.group(3)) == 2 or len(m.group(4)) == 2
            sep = m.group(2)
            return f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}" if pad else f"{day.year}{sep}{day.month}{sep}{day.day}"
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", s):
            return f"{day.year}年{day.month}月{day.day}日"
        if re.fullmatch(r"\d{8}", s):
            return f"{day:%Y%m%d}"
    return day.isoformat()


def _csv(path: Path, table: str, edits: list[Edit]) -> bytes:
    text, encoding = _decode(path.read_bytes())
    records = _records(text)
    parsed = [next(csv.reader([body]), []) if body else [] for body, _ in records]
    at = _header_row(parsed, table)
    if at is None:
        raise RunFailed(f"{path}: no header row found")
    header = parsed[at]
    nl = "\r\n" if "\r\n" in text else "\n"
    changed: set[int] = set()

    def column(field: str) -> int:
        names = HEADERS[table][field]
        for i, h in enumerate(header):
            if _matches(clean_text(h), names):
                return i
        header.append(names[0])
        changed.add(at)
        for j in range(at + 1, len(parsed)):  # untouched rows get an empty cell: only a comma more
            if records[j][0]:
                body, end = records[j]
                records[j] = (body + ",", end)
                parsed[j].append("")
        return len(header) - 1

    id_col = column("id")
    rows = {clean_text(cells[id_col]): j for j, cells in enumerate(parsed) if j > at and len(cells) > id_col and clean_text(cells[id_col])}
    date_samples = [clean_text(cells[i]) for cells in parsed[at + 1:] for i, h in enumerate(header)
                    if i < len(cells) and _matches(clean_text(h), DATE_FIELDS[table]) and clean_text(cells[i])]
    for e in edits:
        if e.id not in rows:
            raise RunFailed(f"{path}: the row {e.id} is no longer there")
        c = column(e.field)
        j = rows[e.id]
        cells = parsed[j]
        while len(cells) <= c:
            cells.append("")
        cells[c] = _date_text(date_samples, e.value) if isinstance(e.value, dt.date) else e.value
        changed.add(j)
    out = []
    for j, (body, end) in enumerate(records):
        if j in changed:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(parsed[j])
            body = buf.getvalue()
            end = end or ("" if j == len(records) - 1 else nl)
        out.append(body + end)
    new = "".join(out)
    return new.encode(encoding)


# --------------------------------------------------------------------------- yaml

_PLAIN = re.compile(r"[^\s:#'\"{}\[\],&*!|>%@`?\-][^:#'\"{}\[\],&*!|>%@`]*")


def _scalar(value: str | dt.date) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if _PLAIN.fullmatch(value) and value == value.strip() and "\n" not in value and not re.fullmatch(r"[\d.+-eE]+|true|false|null|yes|no|on|off|~", value, re.I):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _yaml(path: Path, table: str, edits: list[Edit]) -> bytes:
    import yaml

    from ..sources.tables import _PlainDates

    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    loader = _PlainDates(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(root, yaml.SequenceNode):
        raise RunFailed(f"{path}: not a list of items")
    names = HEADERS[table]
    items: dict[str, yaml.MappingNode] = {}
    for node in root.value:
        if not isinstance(node, yaml.MappingNode):
            continue
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and _matches(clean_text(k.value), names["id"]) and isinstance(v, yaml.ScalarNode):
                items[clean_text(v.value)] = node
    splices: list[tuple[int, int, str]] = []
    for e in edits:
        node = items.get(e.id)
        if node is None:
            raise RunFailed(f"{path}: the item {e.id} is no longer there")
        if node.flow_style:
            raise RunFailed(f"{path}: the item {e.id} is written in flow style {{…}}; write it as key: value lines")
        pair = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and _matches(clean_text(k.value), names[e.field])), None)
        new = _scalar(e.value)
        if pair is not None and isinstance(pair[1], yaml.ScalarNode):
            v = pair[1]
            start, end = v.start_mark.index, v.end_mark.index
            if v.style in ("|", ">"):
                tail = text[start:end]
                new = new + tail[len(tail.rstrip("\r\n")):]
            elif start == end:  # an empty value (key:): put a space before it
                new = " " + new if not text[start - 1:start].isspace() else new
            splices.append((start, end, new))
        else:
            last = node.value[-1][1]
            nl = "\r\n" if "\r\n" in text else "\n"
            idx = last.end_mark.index
            if idx and text[idx - 1] == "\n":  # a block value ends at the start of the next line
                insert_at = idx
            else:
                found = text.find("\n", idx)
                insert_at = len(text) if found < 0 else found + 1
            indent = " " * node.value[0][0].start_mark.column
            prefix = nl if insert_at == len(text) and text and not text.endswith("\n") else ""
            splices.append((insert_at, insert_at, f"{prefix}{indent}{names[e.field][0]}: {new}{nl}"))
    for start, end, new in sorted(splices, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
