"""The family of expected errors. Each problem says where it is and what would be right."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as the user sees it."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None  # YAML: the line of the item in the file

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        message = self.message.replace("\r", "").replace("\n", "⏎")  # one problem, one line
        return f"{', '.join(where)}: {message}"


class MakeNoticesError(Exception):
    """An expected failure: the CLI prints it without a traceback."""

    exit_code = 1


class BadInput(MakeNoticesError):
    """The input (data, config, templates, usage) is wrong: every problem at once, exit 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RunFailed(MakeNoticesError):
    """Something outside the input failed (LibreOffice, the disk, the register): exit 1."""


class Collector:
    """Collects problems while reading, so that all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise BadInput(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)


def describe(exc: MakeNoticesError) -> list[str]:
    """The lines the command line prints for an expected failure (the web page shows the same)."""
    if isinstance(exc, BadInput):
        n = len(exc.problems)
        return [f"make-notices: {n} problem{'s' if n != 1 else ''} found; nothing was written."] + [f"  {p}" for p in exc.problems]
    return [f"make-notices: {exc}"]


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
