"""Hardening: the bad-input corpus (tests/bad_inputs/), odd text rendered verbatim, safe file names.

Every case of the corpus runs through the CLI in a copy of the tiny office, twice: in a fresh
office (nothing may be written: no out/, no register) and in an office that already has a
month's output and a register (both must stay byte-identical). Known bugs of the tool are
marked xfail(strict=True) with the exact problem, so that the fix turns them into failures to
be unmarked.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import shutil
import sys
import time
import traceback
import unicodedata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import CONFIG, TASKS, UNITS, run, write_csv
from pipeline.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
DEFAULT_ARGS = ["monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf"]
TABLE_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")


@functools.lru_cache(maxsize=None)
def _load_make_cases():
    spec = importlib.util.spec_from_file_location("make_cases", CORPUS / "make_cases.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_cases"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# Bugs found by the corpus: case name -> the exact problem. Each is xfail(strict=True).
BUGS = {
    "config_numbering_index_field":
        "config.load_config only catches KeyError/IndexError/ValueError from pattern.format(); "
        "'{year[0]}' raises TypeError (and '{n.foo}' AttributeError): traceback, exit 1",
    "config_impossible_date_value":
        "yaml.safe_load turns 2026-02-30 into datetime.date(2026, 2, 30) and raises ValueError (not a YAMLError): "
        "load_config does not catch it: traceback, exit 1",
    "units_order_of_5000_digits":
        "values.parse_int calls int() on a 5000-digit 排序: ValueError 'Exceeds the limit (4300 digits)': traceback, exit 1",
    "tasks_xlsx_broken_sheet_xml":
        "tables._rows_xlsx only guards load_workbook(); read-only openpyxl parses the sheet lazily in iter_rows(), "
        "so a damaged sheet XML raises xml.etree.ElementTree.ParseError: traceback, exit 1",
    "tasks_xlsx_merged_optional_cell":
        "openpyxl read-only mode gives None for the covered cells of a merged range: a 配合单位 merged over two tasks "
        "is silently dropped for the second task (exit 0, the partner is lost)",
    "tasks_xlsx_formula_in_required_cell":
        "a formula saved without its value (data_only=True gives None) is reported as '编号 is empty (required)' "
        "although the cell is not empty: the message should say it is a formula without a saved value",
    "tasks_xlsx_formula_in_date_cell":
        "a formula without a saved value in an optional cell (收到日期 =DATE(2026,11,20)) is silently read as blank: "
        "exit 0, the reminder for T-1 is not made",
    "tasks_csv_unclosed_quote":
        "csv.reader is not strict: an unclosed quote in the last column of row 2 swallows the rest of the file "
        "into one cell; exit 0 and task T-2 silently disappears",
    "tasks_yaml_impossible_date":
        "yaml constructs 2026-02-30 as a date and raises ValueError (not a YAMLError) inside tables._records_yaml: "
        "traceback, exit 1",
    "history_number_too_large":
        "a history number ...〔2026〕99999999999999999999号 passes the series regex; check says ok, monthly inserts it "
        "into SQLite and raises OverflowError 'Python int too large to convert to SQLite INTEGER': traceback, exit 1",
    "history_number_of_5000_digits":
        "numbering.Series.parse calls int() on a 5000-digit number: ValueError 'Exceeds the limit (4300 digits)': "
        "traceback, exit 1",
    "scores_exponent":
        "values.parse_decimal: Decimal('1e100').quantize(Decimal('0.01')) raises decimal.InvalidOperation "
        "(more digits than the context precision): traceback, exit 1; same for any number with more than 26 digits",
    "units_duplicate_short":
        "ledger.read_units builds this Problem with str(path) instead of display_path(path): the message shows the "
        "absolute path (/tmp/.../data/units.csv) instead of data/units.csv",
}


def corpus_cases() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())


def case_params():
    params = []
    for name in corpus_cases():
        for variant in ("fresh", "with-register"):
            marks = [pytest.mark.xfail(reason=BUGS[name], strict=True)] if name in BUGS else []
            params.append(pytest.param(name, variant, id=f"{name}-{variant}", marks=marks))
    return params


def make_tiny(project: Path) -> Path:
    """The tiny office of conftest.py, in project."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_csv(project / "data" / "units.csv", UNITS)
    write_csv(project / "data" / "tasks.csv", TASKS)
    return project


def overlay(case: Path, project: Path) -> list[str]:
    """Put the case's files over the tiny office; return the CLI arguments of the case."""
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8")) if (case / "case.yaml").exists() else {}
    for rel in meta.get("remove", []):
        (project / rel).unlink()
    for src in sorted(case.rglob("*")):
        rel = src.relative_to(case)
        if src.is_dir() or str(rel) in ("expected.txt", "case.yaml"):
            continue
        dest = project / rel
        if dest.parent.name == "data" and dest.suffix in TABLE_SUFFIXES:
            given = {p.name for p in case.joinpath(rel.parent).iterdir()}
            for suffix in TABLE_SUFFIXES:  # a table given in another format replaces the tiny office's
                other = dest.with_suffix(suffix)
                if other.name not in given and other.exists():
                    other.unlink()
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    if meta.get("generate"):
        _load_make_cases().GENERATORS[meta["generate"]](project)
    return meta.get("args", DEFAULT_ARGS)


SQLITE_SIDE_FILES = ("register.sqlite-wal", "register.sqlite-shm")


def snapshot(project: Path, side_files: bool = False) -> dict[str, str]:
    """Every file and folder under project with a hash of its bytes.

    SQLite's -wal/-shm files beside the register are left out unless side_files: opening the
    register to read it creates them (see test_reading_the_register_leaves_no_side_files).
    """
    out = {}
    for p in sorted(project.rglob("*")):
        rel = str(p.relative_to(project))
        if p.name in SQLITE_SIDE_FILES and not side_files:
            continue
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def expected_lines(case: Path) -> list[str]:
    return [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def invoke(args: list[str]):
    result = CliRunner().invoke(main, args)
    tb = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(result.exception))
    return result, tb


@pytest.fixture(scope="session")
def office_after_a_run(tmp_path_factory) -> Path:
    """The tiny office after a good November run (out/2026-11 and data/register.sqlite exist)."""
    project = make_tiny(tmp_path_factory.mktemp("ran") / "tiny")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = run(*DEFAULT_ARGS)
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(cwd)
    assert (project / "data" / "register.sqlite").exists() and (project / "out" / "2026-11").is_dir()
    return project


def test_corpus_is_big_enough_and_small_on_disk():
    names = corpus_cases()
    assert len(names) >= 40
    inputs = {n.split("_")[0] for n in names}
    assert {"config", "units", "tasks", "findings", "history", "scores", "template"} <= inputs
    committed = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert committed < 2 * 1024 * 1024


def test_corpus_is_what_make_cases_writes(tmp_path):
    """The committed corpus is exactly the script's output (deterministic, nothing edited by hand)."""
    make_cases = _load_make_cases()
    make_cases.write_all(tmp_path)
    mine = {str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {str(p.relative_to(CORPUS)): p.read_bytes() for p in CORPUS.rglob("*")
                 if p.is_file() and p.parent != CORPUS and "__pycache__" not in p.parts}
    assert sorted(mine) == sorted(committed)
    assert [k for k in mine if mine[k] != committed[k]] == []


@pytest.mark.parametrize("name,variant", case_params())
def test_bad_input_case(name, variant, tmp_path, monkeypatch, office_after_a_run):
    case = CORPUS / name
    if variant == "fresh":
        project = make_tiny(tmp_path / "tiny")
    else:
        project = tmp_path / "tiny"
        shutil.copytree(office_after_a_run, project)
    args = overlay(case, project)
    before = snapshot(project)
    monkeypatch.chdir(project)
    result, tb = invoke(args)
    assert not tb, f"traceback:\n{tb}"
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    printed = [line.strip() for line in result.output.splitlines()]
    for line in expected_lines(case):
        if line.startswith("re:"):  # a regular expression matched at the start of a printed line
            assert any(re.match(line[3:], p) for p in printed), f"no line matches {line[3:]!r} in:\n{result.output}"
        else:  # a printed line starts with the expected text
            assert any(p.startswith(line) for p in printed), f"no line starts with {line!r} in:\n{result.output}"
    assert snapshot(project) == before, "the run changed files"
    if variant == "fresh":
        assert not (project / "out").exists() and not (project / "data" / "register.sqlite").exists()
