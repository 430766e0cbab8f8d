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
import traceback
from pathlib import Path

import pytest

from pipeline.documents.layout import nest_quotes
import yaml
from click.testing import CliRunner

from conftest import CONFIG, TASKS, UNITS, run, write_csv, run_in
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
    "config_impossible_date_value":
        "yaml.safe_load turns 2026-02-30 into datetime.date(2026, 2, 30) and raises ValueError (not a YAMLError): "
        "load_config does not catch it: traceback, exit 1",
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
    """make_cases.py is deterministic and the committed corpus is its output.

    Files under mine/ are edited copies of the default templates, which change with them:
    for those only the names are compared (rerun make_cases.py after changing a default template).
    """
    make_cases = _load_make_cases()
    make_cases.write_all(tmp_path / "one")
    make_cases.write_all(tmp_path / "two")

    def files(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and p.parent != root and "__pycache__" not in p.parts}

    one, two, committed = files(tmp_path / "one"), files(tmp_path / "two"), files(CORPUS)
    assert one == two
    assert sorted(one) == sorted(committed)
    # (a zip bomb's compressed bytes depend on the machine's bzip2 library: only its size is compared)
    differ = [k for k in one if one[k] != committed[k] and "/mine/" not in k]
    assert [k for k in differ if "zip_bomb" not in k] == []
    assert all(abs(len(one[k]) - len(committed[k])) < 2048 for k in differ)


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


# --------------------------------------------------------------------------- more bugs, outside the corpus

def test_reading_the_register_leaves_no_side_files(tiny):
    """A run that stops on bad input (or a check) writes nothing, not even beside the register."""
    assert run(*DEFAULT_ARGS).exit_code == 0
    data_before = snapshot(tiny / "data", side_files=True)
    assert not any(name in data_before for name in SQLITE_SIDE_FILES)
    assert run("check", "--as-of", "2026-11-28").exit_code == 0
    (tiny / "config.yaml").write_text(CONFIG + "paths:\n  templates: mine\n", encoding="utf-8")
    (tiny / "mine").mkdir()
    (tiny / "mine" / "urging.docx").write_text("not a document", encoding="utf-8")
    assert run(*DEFAULT_ARGS).exit_code == 2
    assert snapshot(tiny / "data", side_files=True) == data_before





def test_xlsx_with_a_stale_dimension_is_read_whole(tiny):
    make_cases = _load_make_cases()
    (tiny / "data" / "tasks.csv").unlink()
    (tiny / "data" / "tasks.xlsx").write_bytes(make_cases.xlsx_bytes(TASKS, dimension="A1:N2"))
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    assert "would make 3 documents" in result.output, result.output


def _no_traceback(args: list[str]):
    result, tb = invoke(args)
    assert not tb, f"traceback:\n{tb}"
    assert result.exit_code in (0, 2), result.output
    return result


def test_a_task_id_of_5000_digits_is_not_a_crash(tiny):
    write_csv(tiny / "data" / "tasks.csv", [TASKS[0], TASKS[1], ["1" * 5000] + TASKS[2][1:]])
    _no_traceback(["check", "--as-of", "2026-11-28"])


def test_a_problem_with_a_line_break_in_its_value_is_one_line(tiny):
    write_csv(tiny / "data" / "tasks.csv", [TASKS[0], TASKS[1], TASKS[2][:9] + ["2026-11\n-20"] + TASKS[2][10:]])
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "make-notices: 1 problem found; nothing was written."
    assert len(lines) == 2 and lines[1].startswith("  data/tasks.csv, row 3, column 完成时限: "), result.output


# --------------------------------------------------------------------------- ordinary odd text goes through verbatim

LONG_UNIT = ("淄博市高新技术产业开发区“放管服”改革与营商环境优化专项工作领导小组办公室" * 20)[:500]
ODD = {
    "quotes": "推进“一网通办”\"双引号\"'单引号'‘弯单引号’改革",
    "xml": "A<B&C>D &amp; &lt;w:t&gt; </w:t> 事项",
    "jinja_variable": "{{ unit.name }}与{{ 7*7 }}事项",
    "jinja_block": "{% if true %}块{% endif %} {# 注释 #} {%p x %} {%tr y %}",
    "emoji": "改革🚀✅👍🏽👨‍👩‍👧事项",
    "rare_cjk": "𠀀䶮𪚥𫝀龘事项",
    "rtl": "\u200f\u200eمرحبا שלום\u202b嵌入\u202c事项\u200f",
}


def odd_office(project: Path, odd: dict[str, str]) -> None:
    """One task per odd text (in 改革事项, 上级文件, 进展情况: a reminder each), and a unit with a 500-character name."""
    h = TASKS[0].index
    tasks = [TASKS[0]]
    for i, text in enumerate(odd.values(), start=1):
        row = [""] * len(TASKS[0])
        row[h("编号")], row[h("改革事项")], row[h("牵头单位")], row[h("状态")] = f"O-{i}", text, "张店区", "推进中"
        row[h("收到日期")], row[h("上级文件")], row[h("进展情况")] = "2026-11-20", f"《关于{text}的意见》", text
        tasks.append(row)
    row = [""] * len(TASKS[0])
    row[h("编号")], row[h("改革事项")], row[h("牵头单位")], row[h("状态")] = "O-L", "长名单位的事项", LONG_UNIT, "推进中"
    row[h("交办日期")], row[h("完成时限")], row[h("进展情况")] = "2026-10-01", "2026-11-30", "按期推进"
    tasks.append(row)
    write_csv(project / "data" / "units.csv", UNITS + [[LONG_UNIT, "长名单位", "其他", "", "", "9"]])
    write_csv(project / "data" / "tasks.csv", tasks)


def docx_text(path: Path) -> str:
    """Every paragraph of a DOCX (body, tables at any depth, headers and footers), one per line."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    doc = Document(path)
    parts = [Paragraph(p, doc).text for p in doc.element.body.iter(qn("w:p"))]
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            parts += [Paragraph(p, part).text for p in part._element.iter(qn("w:p"))]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def odd_docx(tmp_path_factory) -> dict[str, str]:
    project = make_tiny(tmp_path_factory.mktemp("odd") / "tiny")
    odd_office(project, ODD)
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    return {p.name: docx_text(p) for p in (project / "out" / "2026-11" / "docx").iterdir()}


@pytest.mark.parametrize("key", list(ODD))
def test_odd_text_is_verbatim_in_docx(odd_docx, key):
    text = ODD[key]
    holding = [name for name, body in odd_docx.items() if text in body]
    assert holding, f"{text!r} is in no document"
    body = odd_docx[holding[0]]
    # the title is printed twice in a reminder: as it is, and inside the template's own “” where
    # its own “” become ‘’ (GB/T 15834, nest_quotes); nothing else in it changes
    nested = nest_quotes(f"“{text}”")[1:-1]
    if nested == text:
        assert body.count(text) >= 2
    else:
        assert body.count(text) >= 1 and nested in body
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if escaped != text:
        assert escaped not in body, "escaped twice"


def test_a_500_character_unit_name_is_verbatim_in_docx(odd_docx):
    holding = [name for name, body in odd_docx.items() if LONG_UNIT in body]
    assert len(holding) == 2  # the assignment and the urging of task O-L, addressed to it


PDF_ODD = {"quotes": ODD["quotes"], "rare_cjk": ODD["rare_cjk"], "emoji": ODD["emoji"], "rtl": ODD["rtl"]}
# What must reach the PDF text: every character that is printed (the bidi marks are invisible format characters).
PDF_CHARS = {
    "quotes": "“”\"'‘’",
    "rare_cjk": "𠀀䶮𪚥𫝀龘",
    "arabic_and_hebrew": "مرحباשלום",
    "emoji": "🚀✅👍🏽👨👩👧",
}


@pytest.fixture(scope="module")
def odd_pdf_text(tmp_path_factory) -> str:
    from pipeline.output.convert import soffice_path

    if soffice_path() is None:
        pytest.skip("needs LibreOffice")
    import pdfplumber

    project = make_tiny(tmp_path_factory.mktemp("oddpdf") / "tiny")
    odd_office(project, PDF_ODD)
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    texts = []
    for pdf_path in sorted((project / "out" / "2026-11" / "pdf").iterdir()):
        with pdfplumber.open(pdf_path) as pdf:
            texts += [page.extract_text() or "" for page in pdf.pages]
    return "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("group", [
    "quotes", "rare_cjk", "arabic_and_hebrew",
    pytest.param("emoji", marks=pytest.mark.xfail(strict=True, reason=(
        "no emoji font is installed (fc-list has none) and pipeline/fonts/fonts.conf names none in its fallback "
        "chains: 🚀✅👍🏽👨👧 are dropped from the PDF (only 👩 comes out, mapped to a FandolFang .notdef glyph); "
        "the DOCX keeps them all"))),
])
def test_odd_text_reaches_the_pdf(odd_pdf_text, group):
    flat = odd_pdf_text.replace("\n", "")
    missing = [c for c in PDF_CHARS[group] if c not in flat]
    assert not missing, f"not in the PDF text: {missing}"
    if group in ("quotes", "rare_cjk"):
        assert PDF_ODD[group] in flat  # the whole text, in order


# --------------------------------------------------------------------------- output file names

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                    *(f"{p}{i}" for p in ("COM", "LPT") for i in [*"123456789", "¹", "²", "³"])}


def windows_problem(name: str) -> str | None:
    """Why a file name is not valid on Windows (NTFS/SMB share), or None."""
    bad = set('<>:"/\\|?*') | {chr(i) for i in range(32)}
    if any(c in bad for c in name):
        return "reserved character"
    if name.endswith((" ", ".")):
        return "ends with a space or a dot"
    if name.split(".")[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        return "reserved device name"
    if len(name.encode("utf-16-le")) // 2 > 255:
        return "longer than 255 UTF-16 units"
    if len(name.encode("utf-8")) > 255:
        return "longer than 255 bytes (Linux)"
    return None


NASTY_UNITS = ["../../etc/x", "CON", 'a/b\\c:d*e?f"g<h>i|j', "某单位. . .", "..", "NUL.txt", "com1", "lpt9.",
               "x" * 300, "\u202egpj.exe", "aux", "a..b", "/", "C:\\Windows\\x", "\\\\server\\share"]


def units_leading_tasks(project: Path, names: list[str]) -> None:
    """A unit (no 简称: the name is the short name) per name, each leading a task that gets a reminder."""
    h = TASKS[0].index
    tasks = [TASKS[0]]
    for i, name in enumerate(names, start=1):
        row = [""] * len(TASKS[0])
        row[h("编号")], row[h("改革事项")], row[h("牵头单位")], row[h("状态")], row[h("收到日期")] = \
            f"N-{i}", "事项", name, "推进中", "2026-11-20"
        tasks.append(row)
    write_csv(project / "data" / "units.csv", [UNITS[0]] + [[n, "", "其他", "", "", str(i)] for i, n in enumerate(names, 1)])
    write_csv(project / "data" / "tasks.csv", tasks)


def test_file_names_stay_inside_and_are_valid_on_windows(tmp_path, monkeypatch):
    project = make_tiny(tmp_path / "a" / "b" / "tiny")
    units_leading_tasks(project, NASTY_UNITS)
    before = {p for p in tmp_path.rglob("*")}
    monkeypatch.chdir(project)
    result = run("monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    docx = project / "out" / "2026-11" / "docx"
    made = sorted(docx.iterdir())
    assert len(made) == len(NASTY_UNITS)
    for path in made:
        assert path.is_file() and path.parent == docx and path.resolve().parent == docx.resolve()
        assert windows_problem(path.name) is None, (path.name, windows_problem(path.name))
    # nothing anywhere else: only out/, the register
    new = {p for p in tmp_path.rglob("*")} - before
    outside = [p for p in new if not (p.is_relative_to(project / "out") or p.name.startswith("register.sqlite"))]
    assert outside == []
    import json

    manifest = json.loads((project / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    docs = manifest["documents"] if isinstance(manifest, dict) and "documents" in manifest else manifest
    assert sorted(d["docx"] for d in docs) == sorted(f"docx/{p.name}" for p in made)


def test_a_500_character_chinese_unit_name_makes_a_valid_file_name(tmp_path, monkeypatch):
    project = make_tiny(tmp_path / "tiny")
    units_leading_tasks(project, [LONG_UNIT])
    monkeypatch.chdir(project)
    result, tb = invoke(["monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf"])
    assert not tb, tb
    assert result.exit_code == 0, result.output
    for path in (project / "out" / "2026-11" / "docx").iterdir():
        assert windows_problem(path.name) is None, (path.name, windows_problem(path.name))


def test_safe_filename_examples():
    from pipeline.build import safe_filename

    for stem in NASTY_UNITS + ["CON", "con.txt", "LPT1", ". . .", "", "a" * 500, "文" * 500, "a\x00b\x1fc"]:
        name = safe_filename(stem, ".docx")
        assert "/" not in name and "\\" not in name and ".." not in name[:-5]
        assert windows_problem(name) is None or windows_problem(name).startswith("longer than 255 bytes"), (stem, name)
