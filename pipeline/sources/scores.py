"""The monthly scores (data/scores/YYYY-MM.xlsx|csv|yaml) → a checked ScoreBook.

One file per month, one row per unit: 单位, one column per indicator with its maximum in
brackets (`改革任务推进(40)`, also `改革任务推进（40）` or `（40分）`), an optional 总分 and an
optional 扣分说明. The run month's file and every earlier file of the same year are read
(and, for a January run, the previous December, for the change in rank only).

- No file for the run month: no bulletin this month, not an error → (None, []).
- A missing earlier month is allowed.
- Every file read is checked: scores are numbers from 0 to the maximum with at most two
  decimals, a unit is known and listed once, 总分 (if given) equals the sum of the
  indicators within 0.01. The total used is always the exact sum of the indicators.
- For the run month only, every unit of a ranked category must have a row.
- Rows of units outside the ranked categories are read and checked, and not ranked.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from ..errors import Problem, display_path
from ..model import Indicator, ScoreBook, ScoreRow, ScoreSheet, Unit
from .ledger import UnitDirectory
from .tables import Column, Record, find_table, read_table, table_exists
from .values import clean_text, parse_decimal

SCORE_COLUMNS = [
    Column("unit", "单位", True),
    Column("total", "总分"),
    Column("remarks", "扣分说明"),
]

# 改革任务推进(40), after NFKC (full-width brackets and digits become ASCII); 40分 is accepted
_INDICATOR = re.compile(r"^(?P<name>.*?\S)\s*\(\s*(?P<max>\d+(?:\.\d+)?)\s*分?\s*\)$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
TOTAL_TOLERANCE = Decimal("0.01")
INDICATOR_HINT = "give each indicator its maximum in brackets, like 改革任务推进(40)"


def read_scores(data_dir: Path, month: str, directory: UnitDirectory,
                ranked_categories: list[str]) -> tuple[ScoreBook | None, list[Problem]]:
    """Read the run month's scores and the earlier months of its year.

    Returns (None, []) when there is no file for the run month, (None, problems) on bad
    input, else (book, []).
    """
    m = _MONTH.match(month)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"month must look like 2026-11, not {month!r}")
    year, run = int(m.group(1)), int(m.group(2))
    folder = data_dir / "scores"
    if not table_exists(folder, month):
        return None, []
    wanted = [f"{year}-{n:02d}" for n in range(1, run + 1)]
    if run == 1:
        wanted.insert(0, f"{year - 1}-12")  # last month's rank for a January bulletin
    sheets, problems = read_months(folder, wanted, directory)
    if month in sheets:
        problems.extend(missing_units(sheets[month], directory, ranked_categories))
    if problems:
        return None, problems
    return ScoreBook(month, sheets), []


def read_months(folder: Path, months: list[str], directory: UnitDirectory) -> tuple[dict[str, ScoreSheet], list[Problem]]:
    """The score sheets of those months that have a file in folder (a month without one is left
    out), and every problem found in them."""
    problems: list[Problem] = []
    sheets: dict[str, ScoreSheet] = {}
    for stem in months:
        if not table_exists(folder, stem):
            continue
        path, problem = find_table(folder, stem)
        if problem:
            problems.append(problem)
            continue
        assert path
        sheet, found = read_sheet(path, stem, directory)
        problems.extend(found)
        if sheet is not None:
            sheets[stem] = sheet
    return sheets, problems


def parse_indicator(header: str) -> Indicator | None:
    """改革任务推进(40) → Indicator('改革任务推进', 40); None for a header without a maximum."""
    m = _INDICATOR.match(unicodedata.normalize("NFKC", header).strip())
    if not m:
        return None
    return Indicator(m.group("name").strip(), Decimal(m.group("max")), header)


def score_value(value: object) -> tuple[Decimal | None, str | None]:
    """A score cell → Decimal (at most two decimals), or an error.

    An Excel number is read as Excel shows it (15 significant digits), so a 总分 computed by
    =SUM() that is stored as 92.80000000000001 reads as 92.8.
    """
    if isinstance(value, float):
        value = format(value, ".15g")
    return parse_decimal(value)


def read_sheet(path: Path, month: str, directory: UnitDirectory) -> tuple[ScoreSheet | None, list[Problem]]:
    """Read and check one month's file (everything but the missing ranked units)."""
    shown = display_path(path)
    records, problems = read_table(path, SCORE_COLUMNS)
    if problems:
        return None, problems
    headers = _headers(records)
    indicators: list[Indicator] = []
    total_key = "total"
    seen_names: dict[str, str] = {}
    for key in headers:
        if key in ("unit", "total", "remarks"):
            continue
        ind = parse_indicator(key)
        if ind is None:
            continue  # an extra column: kept, passed on
        if ind.name in ("总分", "total"):  # 总分(100): the total, not an indicator
            total_key = key
            continue
        if ind.maximum <= 0:
            problems.append(Problem(shown, f"the maximum of {key} must be above zero", sheet=_sheet(records), column=key))
            continue
        if ind.name in seen_names:
            problems.append(Problem(shown, f"the indicator {ind.name} appears twice ({seen_names[ind.name]} and {key})",
                                    sheet=_sheet(records), column=key))
            continue
        seen_names[ind.name] = key
        indicators.append(ind)
    if records and not indicators and not problems:
        problems.append(Problem(shown, f"no indicator columns ({INDICATOR_HINT})", sheet=_sheet(records)))
    if problems:
        return None, problems

    rows: list[ScoreRow] = []
    first_row: dict[str, Record] = {}
    for rec in records:
        unit = _unit(rec, directory, problems)
        scores: list[Decimal] = []
        ok = True
        for ind in indicators:
            score = _score(rec, ind, problems)
            ok = ok and score is not None
            scores.append(score if score is not None else Decimal(0))
        total = sum(scores, Decimal(0))
        if ok:
            _check_total(rec, total_key, total, problems)
        if unit is None:
            continue
        if unit.name in first_row:
            first = first_row[unit.name]
            problems.append(rec.where.problem(
                f'"{_cell(rec, "unit")}" is listed twice (first at row {first.where.row}'
                + (f' as "{_cell(first, "unit")}")' if _cell(first, "unit") != _cell(rec, "unit") else ")"),
                rec.headers.get("unit", "单位")))
            continue
        first_row[unit.name] = rec
        if ok:
            extra = {k: v for k, v in rec.extra.items() if k not in seen_names.values() and k != total_key}
            rows.append(ScoreRow(unit, tuple(scores), total, clean_text(rec.values.get("remarks")),
                                 rec.where.row, {k: clean_text(v) for k, v in extra.items()}))
    if problems:
        return None, problems
    return ScoreSheet(month, tuple(indicators), tuple(rows), shown, _sheet(records)), []


def missing_units(sheet: ScoreSheet, directory: UnitDirectory, ranked_categories: list[str]) -> list[Problem]:
    """The run month must score every unit of every ranked category: one problem per category."""
    scored = {row.unit.name for row in sheet.rows}
    problems = []
    for category in ranked_categories:
        missing = [u for u in directory.units if u.category == category and u.name not in scored]
        if missing:
            names = "、".join(u.short for u in missing)
            problems.append(Problem(sheet.file, f"no row for {names} (every unit of the ranked category {category} "
                                                f"needs a score for {_month_zh(sheet.month)})", sheet=sheet.sheet))
    return problems


# --------------------------------------------------------------------------- helpers

def _sheet(records: list[Record]) -> str | None:
    return records[0].where.sheet if records else None


def _headers(records: list[Record]) -> list[str]:
    """The column keys in file order (every record carries the header's keys)."""
    if not records:
        return []
    keys: list[str] = []
    for rec in records:  # YAML items may each have their own keys
        for key in rec.headers:
            if key not in keys:
                keys.append(key)
    return keys


def _cell(rec: Record, key: str) -> str:
    return clean_text(rec.values.get(key))


def _unit(rec: Record, directory: UnitDirectory, problems: list[Problem]) -> Unit | None:
    name = _cell(rec, "unit")
    column = rec.headers.get("unit", "单位")
    if not name:
        problems.append(rec.where.problem("单位 is empty (required)", column))
        return None
    unit = directory.get(name)
    if unit is None:
        problems.append(rec.where.problem(f'"{name}" is not in the units list ({directory.suggestion(name)})', column))
    return unit


def _plain(number: Decimal) -> str:
    return format(number, "f")


def _score(rec: Record, ind: Indicator, problems: list[Problem]) -> Decimal | None:
    raw = rec.extra.get(ind.header, rec.values.get(ind.header))
    value, err = score_value(raw)
    if err:
        problems.append(rec.where.problem(err, ind.header))
        return None
    if value is None:
        problems.append(rec.where.problem(f"the score is empty (give a number from 0 to {_plain(ind.maximum)})", ind.header))
        return None
    if value < 0:
        problems.append(rec.where.problem(f"{_plain(value)} is below zero (give a number from 0 to {_plain(ind.maximum)})", ind.header))
        return None
    if value > ind.maximum:
        problems.append(rec.where.problem(f"{_plain(value)} is above the maximum {_plain(ind.maximum)}", ind.header))
        return None
    return value


def _check_total(rec: Record, total_key: str, total: Decimal, problems: list[Problem]) -> None:
    raw = rec.values.get("total") if total_key == "total" else rec.extra.get(total_key)
    column = rec.headers.get("total", total_key) if total_key == "total" else total_key
    given, err = score_value(raw)
    if err:
        problems.append(rec.where.problem(err, column))
    elif given is not None and abs(given - total) > TOTAL_TOLERANCE:
        problems.append(rec.where.problem(
            f"{_plain(given)} is not the sum of the indicators ({_plain(total)})", column))


def _month_zh(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"
