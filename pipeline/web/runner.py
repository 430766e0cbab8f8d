"""One run at a time per office, in the background, with its progress for every browser to see."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import MakeNoticesError, describe

STAGES = {"rendered": "已生成", "converted": "已转换", "book": "汇编"}


@dataclass
class RunState:
    """What a run is doing or did: the library's progress callback fills `stages`."""

    what: str  # "monthly" or "cases"
    label: str  # 2026-11 or cases-2026: the output folder
    as_of: dt.date
    started: float = field(default_factory=time.monotonic)
    stages: dict[str, tuple[int, int]] = field(default_factory=dict)
    status: str = "running"  # running, done, failed
    lines: list[str] = field(default_factory=list)  # the command line's message when it failed
    summary: Any = None
    seconds: float | None = None
    pdf: bool = True  # PDFs are made: every document is converted after it is rendered

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def done(self) -> int:
        return sum(d for d, _ in self.stages.values())

    @property
    def total(self) -> int:
        """Every document is rendered and converted: two steps each (the book one more). Until the
        first PDF is back, the conversions still to come are counted, so the bar never jumps back."""
        total = sum(t for _, t in self.stages.values())
        if self.pdf and "converted" not in self.stages and "rendered" in self.stages:
            total += self.stages["rendered"][1]
        return max(total, 1)

    def steps(self) -> list[tuple[str, int, int]]:
        order = list(STAGES)
        stages = sorted(self.stages.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
        return [(STAGES.get(stage, stage), d, t) for stage, (d, t) in stages]


class Runner:
    """Runs one job at a time; `version` grows with every change so watchers know when to look."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.state: RunState | None = None
        self.version = 0

    def start(self, state: RunState, job: Callable[[Callable[[str, int, int], None]], Any],
              expected_total: dict[str, int] | None = None) -> bool:
        """Start job(progress) in the background; False when a run is already going."""
        with self.lock:
            if self.state is not None and self.state.running:
                return False
            for stage, total in (expected_total or {}).items():
                state.stages[stage] = (0, total)
            self.state = state
            self._bump()
        threading.Thread(target=self._run, args=(state, job), daemon=True, name=f"run-{state.label}").start()
        return True

    def _bump(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def progress(self, state: RunState) -> Callable[[str, int, int], None]:
        def report(stage: str, done: int, total: int) -> None:
            with self.lock:
                state.stages[stage] = (done, total)
                self._bump()
        return report

    def _run(self, state: RunState, job) -> None:
        try:
            summary = job(self.progress(state))
        except MakeNoticesError as exc:
            result, lines, summary = "failed", describe(exc), None
        except Exception as exc:  # unexpected: say so plainly, keep the server up
            result, lines, summary = "failed", [f"make-notices: unexpected error: {type(exc).__name__}: {exc}"], None
        else:
            result, lines = "done", []
        with self.lock:
            state.status, state.lines, state.summary = result, lines, summary
            state.seconds = time.monotonic() - state.started
            self._bump()

    def snapshot(self) -> tuple[int, RunState | None]:
        with self.lock:
            return self.version, self.state

    def wait(self, version: int, timeout: float) -> int:
        """Block until the version moves past `version` (or the timeout); return the new version."""
        with self.lock:
            self.changed.wait_for(lambda: self.version != version, timeout)
            return self.version
