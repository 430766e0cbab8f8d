"""Clerks for the concurrency tests, run in spawned processes: this module imports only the
register, so that twenty processes start quickly (a test module would import the whole CLI)."""

import datetime as dt
import time

import psycopg  # noqa: F401  (imported before the start, not while racing)

from pipeline.model import Kind
from pipeline.register.store import Request, open_register


def req(subject, unit="张店区委改革办", month="2026-11"):
    """As test_register.req: an urging slip for a task."""
    return Request(f"{Kind.URGING.value}|{subject}|{unit}|{month}", "urging", 2026, Kind.URGING, subject, unit, month,
                   dt.date(2026, 11, 28), None, f"催办单：{subject}", "淄改办催〔{year}〕{n}号")


def clerk(url, i, fail, start, queue):
    """One run taking five numbers; it fails (after taking them) when fail is set.

    All clerks pass the barrier start together; each reports how long it waited for the register.
    """
    reg = open_register(url)
    start.wait(60)
    t0 = time.monotonic()
    waited = None
    try:
        with reg.issue(f"run-{i}", [req(f"P{i}-{j}") for j in range(5)], []) as numbers:
            waited = time.monotonic() - t0
            time.sleep(0.02)  # documents being made while the transaction is open
            if fail:
                raise RuntimeError("the disk is full")
            got = [doc_no for doc_no, _ in numbers.values()]
    except RuntimeError:
        got = None
    queue.put((i, got, waited))


def holder(url, ready):
    """A run that is killed mid-run, holding the register."""
    with open_register(url).issue("killed", [req("K-1"), req("K-2")], []):
        ready.set()
        time.sleep(600)
