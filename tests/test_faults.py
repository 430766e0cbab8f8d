"""Faults: a run killed at any point, or a full disk, leaves the previous output and the register as they were."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_sample

EXE = str(Path(sys.executable).parent / "make-notices")


def register_rows(project: Path) -> list[tuple]:
    with sqlite3.connect(project / "data" / "register.sqlite") as conn:
        return conn.execute("SELECT doc_no, status, doc_key FROM documents ORDER BY doc_no").fetchall()


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The sample office after a November run with PDFs."""
    project = copy_sample(tmp_path_factory.mktemp("faults"))
    subprocess.run([EXE, "monthly", "--as-of", "2026-11-28"], cwd=project, check=True, capture_output=True, timeout=900)
    # how long the run the tests kill takes here when it is not killed (in a copy of the office)
    trial = tmp_path_factory.mktemp("faults-timing") / "office"
    shutil.copytree(project, trial)
    start = time.perf_counter()
    subprocess.run([EXE, "monthly", "--as-of", "2026-11-29"], cwd=trial, check=True, capture_output=True, timeout=900)
    return project, time.perf_counter() - start


@pytest.mark.parametrize("share", [0.08, 0.3, 0.55, 0.75])
def test_killed_run_leaves_output_and_register_as_they_were(office, share):
    """Killed during reading, rendering, conversion or writing (a share of a whole run's time):
    nothing of the previous run changes.

    The re-run uses another date, so it would take new numbers and replace the folder if it finished."""
    office, whole = office
    before_out = snapshot(office / "out" / "2026-11")
    before_reg = register_rows(office)
    proc = subprocess.Popen([EXE, "monthly", "--as-of", "2026-11-29"], cwd=office, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(share * whole)
    finished = proc.poll() is not None
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its LibreOffice instances
    except ProcessLookupError:
        finished = True
    proc.wait()
    if finished:
        pytest.skip(f"the run finished before it could be killed ({share:.0%} of {whole:.1f} s)")
    after_reg = register_rows(office)
    after_out = snapshot(office / "out" / "2026-11")
    if after_reg == before_reg:
        assert after_out == before_out
    else:
        # killed in the instant after the register committed: the numbers are taken and the folder is
        # the old one or the whole new one, never half (a re-run writes it with the same numbers)
        assert set(before_reg) <= set(after_reg)
        manifest = json.loads(after_out["manifest.json"])
        assert after_out == before_out or len(manifest["documents"]) == len([k for k in after_out if k.startswith("docx/")])
    assert not [p for p in (office / "out").iterdir() if p.name.startswith(".2026-11.old")]


def test_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    project = copy_sample(tmp_path / "office")
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        result = subprocess.run([EXE, "--out", str(disk), "monthly", "--as-of", "2026-11-28", "--no-pdf"], cwd=project,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "writing the output failed: No space left on device" in result.stderr
        assert "Traceback" not in result.stderr
        assert list(disk.iterdir()) == []  # neither the month's folder nor a partial one
        assert not (project / "data" / "register.sqlite").exists() or register_rows(project) == []
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_two_months_at_once_share_no_number(tmp_path):
    project = copy_sample(tmp_path / "office")
    runs = [subprocess.Popen([EXE, "--out", f"out-{m}", "monthly", "--month", m, "--as-of", day, "--no-pdf"], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for m, day in (("2026-10", "2026-10-28"), ("2026-11", "2026-11-28"))]
    for r in runs:
        out, err = r.communicate(timeout=600)
        assert r.returncode == 0, out + err
    numbers = []
    for m in ("2026-10", "2026-11"):
        manifest = json.loads((project / f"out-{m}" / m / "manifest.json").read_text(encoding="utf-8"))
        numbers += [d["doc_no"] for d in manifest["documents"]]
    assert len(numbers) == len(set(numbers))
    by_series: dict[str, list[int]] = {}
    for doc_no, _, _ in register_rows(project):
        series, n = doc_no.split("〕")[0], int(doc_no.split("〕")[1].rstrip("号"))
        by_series.setdefault(series, []).append(n)
    for ns in by_series.values():
        assert sorted(ns) == list(range(1, len(ns) + 1))  # no gap, no duplicate
