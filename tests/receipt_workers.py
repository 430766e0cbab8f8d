"""Processes for the concurrency test of 签收 (test_receipts_upgrade.py), run spawned."""

import datetime as dt
import os
import time
from pathlib import Path


def monthly_run(project, started, queue):
    """The December run; it holds the register a while as each document renders."""
    os.chdir(project)
    from pipeline import build
    from pipeline.config import load_config

    def progress(stage, done, total):
        if stage == "rendered":
            started.set()
            time.sleep(0.1)  # the clerks record receipts meanwhile

    try:
        summary = build.monthly(load_config(Path(project) / "config.yaml"), "2026-12", dt.date(2026, 12, 28), pdf=False,
                                progress=progress)
        queue.put(("run", [doc_no for _, doc_no, _ in summary.planned]))
    except Exception as exc:  # reported to the test, which fails on it
        queue.put(("run", f"{type(exc).__name__}: {exc}"))


def clerk(project, numbers, by, started, queue):
    """Record the receipt of each number, one command at a time, once the run has started."""
    from pipeline.config import load_config
    from pipeline.loop import receipts

    config = load_config(Path(project) / "config.yaml")
    started.wait(120)
    done = []
    try:
        for i, number in enumerate(numbers):
            recorded = receipts.receive(config, [number], dt.date(2026, 11, 29) + dt.timedelta(days=i % 2), by)
            done.extend(e.doc_no for e in recorded.changed)
        queue.put((by, done))
    except Exception as exc:
        queue.put((by, f"{type(exc).__name__}: {exc}"))
