"""Office templates: init and fallback, every kind of mistake caught with its place, the sandbox,
tags split by a word processor, and the guide generated from the code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from conftest import ROOT, nothing_written, run
from pipeline.output.convert import soffice_env, soffice_path

DEFAULTS = ROOT / "templates" / "docx"


def edit(src: Path, dest: Path, old: str, new: str) -> Path:
    """Change text in a template as a clerk would in Word (inside one run)."""
    doc = Document(src)
    done = False
    for p in list(doc.paragraphs) + [p for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs]:
        for r in p.runs:
            if old in r.text:
                r.text = r.text.replace(old, new)
                done = True
    assert done, old
    dest.parent.mkdir(parents=True, exist_ok=True)
    doc.save(dest)
    return dest


@pytest.fixture
def office(tiny):
    (tiny / "config.yaml").write_text((tiny / "config.yaml").read_text(encoding="utf-8") + "paths:\n  templates: mine\n",
                                      encoding="utf-8")
    return tiny


def test_init_copies_every_kind_and_the_guide(tiny):
    result = run("templates", "init", "mine")
    assert result.exit_code == 0
    names = sorted(p.name for p in (tiny / "mine").iterdir())
    assert names == sorted([p.name for p in DEFAULTS.glob("*.docx")] + ["模板说明.md"])
    guide = (tiny / "mine" / "模板说明.md").read_text(encoding="utf-8")
    assert "`{{ unit.name }}` | 张店区委改革办" in guide and "## urging.docx" in guide and "zh_number" in guide


def test_guide_in_docs_is_generated_from_the_code():
    from pipeline.config import load_config
    from pipeline.documents.examples import example_contexts
    from pipeline.documents.templates import FILTER_DOCS, variables_guide

    expected = variables_guide(example_contexts(load_config(ROOT / "config.yaml")), FILTER_DOCS)
    assert (ROOT / "docs" / "templates.md").read_text(encoding="utf-8") == expected, \
        "docs/templates.md is stale: run .venv/bin/python tools/make_docs.py"


def test_a_folder_with_one_kind_falls_back_for_the_others(office):
    edit(DEFAULTS / "urging.docx", office / "mine" / "urging.docx", "{{ kind_head }}", "改革任务督办单")
    assert run("templates", "check").exit_code == 0
    result = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    docs = {p.name: "\n".join(x.text for x in Document(p).paragraphs) for p in (office / "out" / "2026-11" / "docx").iterdir()}
    urging = next(t for n, t in docs.items() if "催〔" in n)
    assert "淄博市委改革办改革任务督办单" in urging
    reminder = next(t for n, t in docs.items() if "提〔" in n)
    assert "改革事项提示单" in reminder  # the default


MISTAKES = [
    ("misspelled variable", "{{ unit.name }}：", "{{ unit.nmae }}：",
     "in the paragraph “{{ unit.nmae }}：”: “nmae” is not offered here (did you mean name?)"),
    ("unknown top-level name", "{{ unit.name }}：", "{{ unti.name }}：",
     "{{ unti }} is not a variable of this kind (did you mean unit?)"),
    ("broken jinja", "{{ status_text }}。", "{% if days_left %}{{ status_text }}。",
     "the template does not compile"),
    ("unknown filter", "{{ reply_by }}", "{{ reply_by|chinese_date }}",
     "the filter “chinese_date” does not exist"),
    ("no document number", "{{ doc_no }}", "淄改办催〔2026〕　号", "the template never prints the document number {{ doc_no }}"),
    ("no date", "{{ date }}", "2026年　月　日", "the template never prints the date {{ date }}"),
    ("sandbox: python internals", "{{ unit.name }}：", "{{ ''.__class__.__mro__ }}{{ unit.name }}：", "unsafe"),
    ("sandbox: reaching globals", "{{ unit.name }}：", "{{ cycler.__init__.__globals__ }}{{ unit.name }}：", "unsafe"),
]


@pytest.mark.parametrize("name,old,new,message", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_caught_before_any_document(office, name, old, new, message):
    edit(DEFAULTS / "urging.docx", office / "mine" / "urging.docx", old, new)
    check = run("templates", "check")
    assert check.exit_code == 2
    assert "mine/urging.docx" in check.output and message in check.output, check.output
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 2 and message in result.output
    assert nothing_written(office)


def test_broken_jinja_names_its_paragraph(office):
    edit(DEFAULTS / "order.docx", office / "mine" / "order.docx", "{% for c in consequences %}", "{% for c in consequences %")
    result = run("templates", "check")
    assert result.exit_code == 2
    assert "mine/order.docx: in the paragraph “三、有关后果。逾期仍未完成的，将" in result.output


def test_not_a_word_file(office):
    (office / "mine").mkdir()
    (office / "mine" / "order.docx").write_text("not a document", encoding="utf-8")
    result = run("templates", "check")
    assert result.exit_code == 2 and "mine/order.docx: is not a real .docx file" in result.output


@pytest.mark.skipif(soffice_path() is None, reason="needs LibreOffice")
def test_a_template_saved_by_a_word_processor_still_renders(office, tmp_path):
    """LibreOffice splits runs and rewrites styles when it saves; the tags must still work."""
    src = edit(DEFAULTS / "urging.docx", tmp_path / "edited" / "urging.docx", "{{ kind_head }}", "改革任务督办单")
    subprocess.run([soffice_path(), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(office / "mine"), str(src)],
                   env=soffice_env(), check=True, capture_output=True, timeout=180)
    resaved = Document(office / "mine" / "urging.docx")
    assert any("{{" in p.text for p in resaved.paragraphs)
    assert run("templates", "check").exit_code == 0
    result = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    urging = next((office / "out" / "2026-11" / "docx").glob("*催〔*"))
    text = "\n".join(p.text for p in Document(urging).paragraphs)
    assert "改革任务督办单" in text and "淄改办催〔2026〕1号" in text and "{{" not in text


def test_a_half_tag_is_caught(office):
    edit(DEFAULTS / "urging.docx", office / "mine" / "urging.docx", "{{ unit.name }}：", "{ unit.name }}：")
    result = run("templates", "check")
    assert result.exit_code == 2
    assert "a tag looks broken" in result.output and "“{ unit.name }}：”" in result.output


def test_number_and_date_must_keep_their_styles(office):
    doc = Document(DEFAULTS / "urging.docx")
    for p in doc.paragraphs:
        if p.text in ("{{ doc_no }}", "{{ date }}"):
            p.style = doc.styles["公文无缩进"]
    (office / "mine").mkdir()
    doc.save(office / "mine" / "urging.docx")
    result = run("templates", "check")
    assert result.exit_code == 2
    assert "{{ doc_no }} is not in a paragraph of style 发文字号" in result.output
    assert "{{ date }} is not in a paragraph of style 成文日期" in result.output


def test_the_second_sample_office_runs_with_its_own_mark_prefix_and_urging(tmp_path, monkeypatch):
    src = ROOT / "examples" / "huantai"
    shutil.copytree(src, tmp_path / "huantai", ignore=shutil.ignore_patterns("out", "register.sqlite*"))
    monkeypatch.chdir(tmp_path)
    result = run("--config", "huantai/config.yaml", "monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    out = tmp_path / "huantai" / "out" / "2026-11"
    texts = {p.name: "\n".join(x.text for x in Document(p).paragraphs) for p in (out / "docx").iterdir()}
    assert texts and all(name.startswith("桓改办") for name in texts)
    assert any("督办单" in t for n, t in texts.items() if "督〔" in n)
    assert (tmp_path / "huantai" / "data" / "register.sqlite").exists()
    assert not (tmp_path / "data").exists()  # its own register, not the city's


def test_a_template_changed_after_a_good_run_is_checked_again(office):
    """The cache remembers checks that passed (out/.cache/checked.json), never one that would fail."""
    edit(DEFAULTS / "urging.docx", office / "mine" / "urging.docx", "{{ unit.name }}：", "{{ unit.name }}：")  # the same words
    first = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert first.exit_code == 0, first.output
    assert (office / "out" / ".cache" / "checked.json").is_file()
    edit(DEFAULTS / "urging.docx", office / "mine" / "urging.docx", "{{ unit.name }}：", "{{ unti.name }}：")
    again = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert again.exit_code == 2 and "{{ unti }} is not a variable of this kind" in again.output, again.output
