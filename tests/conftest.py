from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]


def copy_sample(dest: Path) -> Path:
    """A copy of the sample office (config + data, without any register) in dest."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "config.yaml", dest / "config.yaml")
    shutil.copytree(ROOT / "data", dest / "data", ignore=shutil.ignore_patterns("register.sqlite*", "README.md"))
    return dest


@pytest.fixture
def sample(tmp_path, monkeypatch) -> Path:
    project = copy_sample(tmp_path / "office")
    monkeypatch.chdir(project)
    return project


def run(*args: str):
    """Run the CLI in-process in the current folder; return click's Result."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run_in(project: Path, *args: str):
    """Run the CLI with project as the current folder (for fixtures wider than a test)."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        return run(*args)
    finally:
        os.chdir(cwd)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)


UNITS = [
    ["单位名称", "简称", "类别", "联系人", "联系电话", "排序"],
    ["张店区委改革办", "张店区", "区县", "李华", "0533-2180001", "1"],
    ["淄川区委改革办", "淄川区", "区县", "赵强", "0533-5180001", "2"],
    ["淄博市财政局", "市财政局", "市直部门", "孙丽", "0533-3180001", "3"],
]
TASKS = [
    ["编号", "改革事项", "上级文件", "上级文号", "来源", "收到日期", "牵头单位", "配合单位", "交办日期", "完成时限", "状态", "完成日期", "进展情况", "备注"],
    ["T-1", "深化预算管理制度改革", "关于进一步深化预算管理制度改革的意见", "国发[2026]5号", "中央", "2026-11-20", "市财政局", "张店区、淄川区", "", "", "未启动", "", "", ""],
    ["T-2", "推进“一网通办”改革", "", "", "", "", "张店区", "", "2026-10-01", "2026-11-20", "推进中", "", "已完成系统对接", ""],
]
CONFIG = """office:
  name: 中共淄博市委全面深化改革委员会办公室
  short: 淄博市委改革办
  prefix: 淄改办
  contact: {name: 王明, phone: "0533-1234567"}
"""


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> Path:
    """A tiny office in CSV: 3 units, 2 tasks (one reminder, one assignment + urging as of 2026-11-28)."""
    project = tmp_path / "tiny"
    project.mkdir()
    (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_csv(project / "data" / "units.csv", UNITS)
    write_csv(project / "data" / "tasks.csv", TASKS)
    monkeypatch.chdir(project)
    return project


def nothing_written(project: Path) -> bool:
    return not (project / "out").exists() and not (project / "data" / "register.sqlite").exists()


@pytest.fixture(scope="session")
def sample_month(tmp_path_factory):
    """The sample office's November run, with PDFs: (project, out folder, manifest, output)."""
    import json

    project = copy_sample(tmp_path_factory.mktemp("sample"))
    result = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    out = project / "out" / "2026-11"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return project, out, manifest, result.output
