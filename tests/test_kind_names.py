"""An office's own names for the kinds of document (config `kinds`), and quotes inside quotes."""

from __future__ import annotations

import json

from docx import Document
from openpyxl import load_workbook

from conftest import run
from pipeline.documents.layout import nest_quotes


def _texts(folder):
    out = {}
    for path in folder.glob("*.docx"):
        doc = Document(path)
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        out[path.name] = "\n".join(parts)
    return out


def test_an_office_that_calls_its_urging_slip_duban_sees_that_name_everywhere(sample):
    config = sample / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nkinds:\n  urging: {name: 督办单}\n", encoding="utf-8")
    result = run("monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    out = sample / "out" / "2026-11"
    texts = _texts(out / "docx")
    kinds = {n: t for n, t in texts.items()}
    urging = [t for n, t in kinds.items() if "催〔" in n and "整改" not in t.split("\n")[0]]
    assert urging and all("淄博市委改革办改革任务督办单" in t for t in urging if "督察问题" not in t)
    assert any("督察问题整改督办单" in t for t in texts.values())  # the finding urging follows the urging's name
    assert any("印发督办单（淄改办催〔" in t for t in texts.values())  # the 责令书's reference to it
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    names = {d["kind"]: d["kind_name"] for d in manifest["documents"]}
    assert names["urging"] == "督办单" and names["finding_urging"] == "整改督办单"
    sheet = load_workbook(out / "用印登记表.xlsx").active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "督办单" in cells and any(c.startswith("督办单：") for c in cells)
    assert "督办单 7" in result.output and "整改督办单" in result.output
    everything = "\n".join(texts.values()) + json.dumps(manifest, ensure_ascii=False) + "\n".join(cells) + result.output
    assert "催办单" not in everything


def test_a_kind_that_does_not_exist_is_bad_input(sample):
    config = sample / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nkinds:\n  urgin: {name: 督办单}\n  order: {nmae: 责令单}\n"
                      "  reminder: 交办单\n", encoding="utf-8")
    result = run("check", "--as-of", "2026-11-28")
    assert result.exit_code == 2
    assert "kinds.urgin: not a kind of document (did you mean urging?)" in result.output
    assert "kinds.order.nmae: unknown key (did you mean name?)" in result.output
    assert "two kinds are called 交办单" in result.output
    assert not (sample / "out").exists()


def test_quotes_inside_quotes_become_single_quotes():
    assert nest_quotes("改革事项“推进“一网通办”改革”（编号1）") == "改革事项“推进‘一网通办’改革”（编号1）"
    assert nest_quotes("关于印发《〈意见〉》的通知") == "关于印发《〈意见〉》的通知"
    assert nest_quotes("关于印发《《意见》学习汇编》的通知") == "关于印发《〈意见〉学习汇编》的通知"
    assert nest_quotes("“放管服”和“一网通办”") == "“放管服”和“一网通办”"  # side by side, not nested


def test_a_task_title_with_quotes_prints_single_quotes_inside_the_slips_quotes(sample):
    result = run("monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    texts = _texts(sample / "out" / "2026-11" / "docx")
    quoted = [t for t in texts.values() if "‘" in t]
    assert quoted, "no sample task title holds quotes: the check was not exercised"
    for t in quoted:
        assert "“" in t and "““" not in t
        for line in t.split("\n"):
            depth = 0
            for ch in line:
                depth += {"“": 1, "”": -1}.get(ch, 0)
                assert depth <= 1, line
