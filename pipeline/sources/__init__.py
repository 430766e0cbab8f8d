"""Readers: data files → validated model objects, with every problem located."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..errors import Collector
from ..model import Finding, Issued, Kind, ScoreBook, Task, Unit
from ..register.numbering import series_for
from .ledger import UnitDirectory, read_findings, read_history, read_tasks, read_units
from .scores import read_scores


@dataclass(frozen=True)
class Office:
    """Everything read from data/ for a monthly run."""

    units: list[Unit]
    directory: UnitDirectory
    tasks: list[Task]
    findings: list[Finding]
    history: list[Issued]  # data/history: numbers issued before the tool
    scores: ScoreBook | None = None  # the run month's scores and the year's earlier months


def read_office(config: Config, month: str | None = None) -> Office:
    """Read and check all the data (the month's scores too); raise BadInput with every problem found."""
    problems = Collector()
    data = config.data_dir
    units, p = read_units(data, config.units.categories)
    problems.extend(p)
    directory = UnitDirectory(units)
    tasks, p = read_tasks(data, directory)
    problems.extend(p)
    findings, p = read_findings(data, directory)
    problems.extend(p)
    history, p = read_history(data, directory, lambda kind: series_for(kind, config.numbering, config.office.prefix),
                              {config.kind_name(k): k for k in Kind})
    problems.extend(p)
    scores = None
    if month:
        scores, p = read_scores(data, month, directory, config.ranking.categories)
        problems.extend(p)
    problems.raise_if_any()
    return Office(units, directory, tasks, findings, history, scores)
