"""Read a table (.xlsx, .csv, .yaml) into records that remember where each came from.

Headers are matched by their Chinese name or their English key; unknown headers are
kept as extra columns. Blank rows are skipped. Nothing here knows what a unit or a task is.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, display_path
from .values import bad_chars, clean_text

TABLE_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")
# A real office spreadsheet is a few MB unpacked; refuse archives that unpack to more.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 32767  # Excel's own limit on a cell


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool = False


@dataclass(frozen=True)
class Where:
    """Where a record is, as the user sees it."""

    file: str
    sheet: str | None = None
    row: int | None = None
    line: int | None = None

    def problem(self, message: str, column: str | None = None) -> Problem:
        return Problem(self.file, message, sheet=self.sheet, row=self.row, column=column, line=self.line)


@dataclass
class Record:
    values: dict[str, Any]
    extra: dict[str, Any]
    where: Where
    headers: dict[str, str] = field(default_factory=dict)  # key -> header as written


def find_table(folder: Path, stem: str) -> tuple[Path | None, Problem | None]:
    """Find data/<stem>.xlsx|csv|yaml; exactly one must exist."""
    found = [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").is_file()]
    if not found:
        return None, Problem(display_path(folder / f"{stem}.xlsx"), f"missing file (give {stem}.xlsx, {stem}.csv or {stem}.yaml)")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        return None, Problem(display_path(folder), f"{names}: more than one file for {stem}; keep one")
    return found[0], None


def table_exists(folder: Path, stem: str) -> bool:
    return any((folder / f"{stem}{s}").is_file() for s in TABLE_SUFFIXES)


def read_named_table(folder: Path, stem: str, columns: list[Column], optional: bool = False) -> tuple[list[Record], list[Problem]]:
    """Find folder/<stem>.xlsx|csv|yaml and read it; an optional table that is absent reads as empty."""
    if optional and not table_exists(folder, stem):
        return [], []
    path, problem = find_table(folder, stem)
    if problem:
        return [], [problem]
    assert path
    return read_table(path, columns)


def check_archive(path: Path, shown: str) -> Problem | None:
    """Refuse a file that is not a zip archive, or one that would unpack to an absurd size."""
    if not zipfile.is_zipfile(path):
        return Problem(shown, f"is not a real {path.suffix} file (it is not a zip archive: was it renamed from another format?)")
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        return Problem(shown, f"cannot be opened as {path.suffix}: {exc}")
    if total > MAX_UNPACKED_BYTES:
        return Problem(shown, f"would unpack to {total // (1024 * 1024)} MB; refused (at most {MAX_UNPACKED_BYTES // (1024 * 1024)} MB)")
    return None


def read_table(path: Path, columns: list[Column], sheet_name: str | None = None) -> tuple[list[Record], list[Problem]]:
    """Read every non-blank row of the table at path; return records and problems."""
    shown = display_path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            rows, problems = _rows_xlsx(path, shown, sheet_name)
        elif suffix == ".csv":
            rows, problems = _rows_csv(path, shown)
        elif suffix in (".yaml", ".yml"):
            return _records_yaml(path, shown, columns)
        else:
            return [], [Problem(shown, f"unknown file type {suffix} (use .xlsx, .csv or .yaml)")]
    except OSError as exc:
        return [], [Problem(shown, f"cannot be read: {exc.strerror or exc}")]
    if problems:
        return [], problems
    return _records_from_rows(rows, shown, columns)


# A grid: (sheet name, [(row number, [cells])]) with the header among the first rows.
Grid = tuple  # (sheet name, [(row number, [cells])], optional {(row, col): trap})


def _rows_xlsx(path: Path, shown: str, sheet_name: str | None) -> tuple[Grid, list[Problem]]:
    problem = check_archive(path, shown)
    if problem:
        return (None, []), [problem]
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        return (None, []), [Problem(shown, f"cannot be opened as an Excel workbook ({type(exc).__name__}: {exc})")]
    try:
        if sheet_name:
            if sheet_name not in wb.sheetnames:
                return (None, []), [Problem(shown, f'has no sheet "{sheet_name}" (sheets: {", ".join(wb.sheetnames)})')]
            ws = wb[sheet_name]
        else:
            ws = wb.worksheets[0]
        try:
            ws.reset_dimensions()  # some writers leave a stale <dimension>: read the whole sheet
            rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
        except Exception as exc:  # read-only openpyxl parses the sheet only now
            return (None, []), [Problem(shown, f"cannot be read as an Excel workbook ({type(exc).__name__}: {exc})")]
        return (ws.title, rows, _xlsx_traps(path, ws.title)), []
    finally:
        wb.close()


def _xlsx_traps(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """What openpyxl's fast reader hides, by (row, column index): cells covered by a merge, and
    formulas saved without their value (both would silently read as blank)."""
    import posixpath
    import xml.etree.ElementTree as ET

    from openpyxl.utils.cell import column_index_from_string, range_boundaries

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    try:
        with zipfile.ZipFile(path) as zf:
            book = ET.fromstring(zf.read("xl/workbook.xml"))
            rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            rid = next(s.get(f"{{{ns['r']}}}id") for s in book.iter(f"{{{ns['m']}}}sheet") if s.get("name") == sheet)
            target = next(r.get("Target") for r in rels if r.get("Id") == rid)
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            xml = zf.read(name).decode("utf-8", "replace")
    except (KeyError, StopIteration, ET.ParseError, zipfile.BadZipFile):
        return {}
    traps: dict[tuple[int, int], str] = {}
    for ref in re.findall(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"', xml):
        c0, r0, c1, r1 = range_boundaries(ref)
        for row in range(r0, r1 + 1):
            for col in range(c0, c1 + 1):
                if (row, col) != (r0, c0):
                    traps[(row, col - 1)] = f"the cell is merged with {ref.split(':')[0]} ({ref}): unmerge the cells and give each row its own value"
    for cell in re.finditer(r'<c r="([A-Z]+)(\d+)"[^>]*>((?:(?!</c>).)*)</c>', xml, flags=re.DOTALL):
        inner = cell.group(3)
        if "<f" in inner and not re.search(r"<v>[^<]+</v>", inner):
            traps[(int(cell.group(2)), column_index_from_string(cell.group(1)) - 1)] = (
                "the cell is a formula without a saved value (open the file in Excel and save it, or type the value)")
    return traps


def _rows_csv(path: Path, shown: str) -> tuple[Grid, list[Problem]]:
    raw = path.read_bytes()
    if raw[:4] == b"PK\x03\x04":
        return (None, []), [Problem(shown, "is not a CSV file (it is a zip archive: an Excel file renamed to .csv?)")]
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        return (None, []), [Problem(shown, "is neither UTF-8 nor GB18030 text; save it again as CSV UTF-8")]
    if "\x00" in text:
        return (None, []), [Problem(shown, "is not a text file (it contains NUL bytes)")]
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append((reader.line_num, row))  # csv gives each row a list of its own
    except csv.Error as exc:  # e.g. a quote opened and never closed: the row where it starts
        start = rows[-1][0] + 1 if rows else 1
        return (None, []), [Problem(shown, f"is not a valid CSV file: {exc} (a quote \" opened in this line is never closed?)", line=start)]
    # csv's line_num is the line where a row ends; report the line where it starts
    starts, previous_end = [], 0
    for end, cells in rows:
        starts.append((previous_end + 1, cells))
        previous_end = end
    return (None, starts), []


def _header_index(cells: list[Any], columns: list[Column]) -> dict[int, str]:
    """Map cell positions to column keys for a header row; unknown headers map to themselves."""
    names = {c.zh: c.key for c in columns} | {c.key: c.key for c in columns}
    index = {}
    for i, cell in enumerate(cells):
        text = clean_text(cell)
        if text:
            index[i] = names.get(text, names.get(text.lower(), text))
    return index


def _records_from_rows(grid: Grid, shown: str, columns: list[Column]) -> tuple[list[Record], list[Problem]]:
    sheet, rows = grid[0], grid[1]
    traps = grid[2] if len(grid) > 2 else {}
    known = {c.key for c in columns}
    # The header is the first row among the first five that names a known column
    # (offices often put a title row above it).
    header_at = None
    for pos, (_, cells) in enumerate(rows[:5]):
        idx = _header_index(cells, columns)
        if any(key in known for key in idx.values()):
            header_at = pos
            break
    if header_at is None:
        wanted = "、".join(c.zh for c in columns if c.required)
        return [], [Problem(shown, f"has no header row (expected the columns {wanted})", sheet=sheet)]
    header_row_no, header_cells = rows[header_at]
    index = _header_index(header_cells, columns)
    written = {key: clean_text(header_cells[i]) for i, key in index.items()}
    problems = []
    seen: dict[str, int] = {}
    for i, key in index.items():
        if key in seen:
            problems.append(Problem(shown, f'the column "{written[key]}" appears twice', sheet=sheet, row=header_row_no))
        seen[key] = i
    for col in columns:
        if col.required and col.key not in seen:
            problems.append(Problem(shown, f"missing column (add a column headed {col.zh})", sheet=sheet, column=col.zh))
    if problems:
        return [], problems
    # What every row shares, worked out once: (position, key, header as written, known?) of the
    # columns, the blank header cells, and the headers of a record.
    fields = [(i, key, written[key], key in known) for i, key in index.items()]
    width = len(header_cells)
    unheaded = [i for i in range(width) if i not in index]
    headers = {k: written[k] for k in index.values()}
    records = []
    for row_no, cells in rows[header_at + 1:]:
        if all(clean_text(c) == "" for c in cells):
            continue
        where = Where(shown, sheet, row=row_no)
        n = len(cells)
        texts_fit = _texts_fit(cells)  # nearly always: then no cell needs a check of its own
        values, extra = {}, {}
        for i, key, column, is_known in fields:
            if traps and (row_no, i) in traps:
                problems.append(where.problem(traps[(row_no, i)], column))
            value = cells[i] if i < n else None
            if not texts_fit and isinstance(value, str):
                problem = _check_text(value, where, column)
                if problem:
                    problems.append(problem)
                    value = None
            (values if is_known else extra)[key] = value
        # the cells under no header: under a blank header cell, or beyond the header row
        for i in (unheaded if n <= width else [*unheaded, *range(width, n)]):
            if i < n and clean_text(cells[i]):
                problems.append(where.problem(f'a value "{clean_text(cells[i])[:40]}" under no header (give the column a header)'))
        records.append(Record(values, extra, where, dict(headers)))
    return records, problems


def _texts_fit(cells: list[Any]) -> bool:
    """Whether every text of a row can go into a document, by one search over them all."""
    try:
        texts = "".join(cells)  # a CSV row: all text
    except TypeError:
        texts = "".join(c for c in cells if isinstance(c, str))
    return len(texts) <= MAX_CELL_CHARS and bad_chars(texts) is None


def _check_text(value: str, where: Where, column: str) -> Problem | None:
    if len(value) > MAX_CELL_CHARS:
        return where.problem(f"a text of {len(value)} characters (at most {MAX_CELL_CHARS})", column)
    bad = bad_chars(value)
    if bad:
        return where.problem(bad, column)
    return None


class _PlainDates(yaml.SafeLoader):
    """YAML without its own date parsing: 2026-02-30 reaches the date check with its place."""


_PlainDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _records_yaml(path: Path, shown: str, columns: list[Column]) -> tuple[list[Record], list[Problem]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(shown, "is not UTF-8 text")]
    try:
        loader = _PlainDates(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return [], []
            if not isinstance(node, yaml.SequenceNode):
                return [], [Problem(shown, "must be a list of items (each starting with '- ')", line=node.start_mark.line + 1)]
            items = [(n.start_mark.line + 1, loader.construct_object(n, deep=True)) for n in node.value]
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [Problem(shown, f"is not valid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None)]
    except ValueError as exc:  # YAML builds dates itself: 2026-02-30 raises here
        return [], [Problem(shown, f"has an impossible value: {exc} (dates are like 2026-11-24)")]
    names = {c.zh: c.key for c in columns} | {c.key: c.key for c in columns}
    known = {c.key for c in columns}
    records, problems = [], []
    for pos, (line, item) in enumerate(items, start=1):
        where = Where(shown, None, row=pos, line=line)
        if item is None:
            continue
        if not isinstance(item, dict):
            problems.append(where.problem("must be a mapping of column: value"))
            continue
        values, extra, written = {}, {}, {}
        for raw_key, value in item.items():
            key = names.get(clean_text(raw_key), clean_text(raw_key))
            written[key] = clean_text(raw_key)
            if isinstance(value, str):
                problem = _check_text(value, where, written[key])
                if problem:
                    problems.append(problem)
                    value = None
            elif isinstance(value, (list, tuple)):
                value = "、".join(clean_text(v) for v in value)
            (values if key in known else extra)[key] = value
        records.append(Record(values, extra, where, written))
    return records, problems
