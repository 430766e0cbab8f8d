"""文号: which series each kind takes, and formatting and parsing numbers of a series."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..model import Kind

SERIES_OF_KIND = {
    Kind.REMINDER: "reminder",
    Kind.ASSIGNMENT: "assignment",
    Kind.URGING: "urging",
    Kind.ORDER: "order",
    Kind.RECTIFICATION: "formal",
    Kind.FINDING_URGING: "finding_urging",
    Kind.RANKING: "formal",
    Kind.COMPILATION_NOTICE: "formal",
    Kind.QUARTERLY: "formal",
    Kind.INTERVIEW: "formal",
    Kind.TASKLIST_NOTICE: "formal",
    Kind.PLEDGE: "pledge",
}


@dataclass(frozen=True)
class Series:
    name: str
    pattern: str  # e.g. {prefix}催〔{year}〕{n}号
    prefix: str

    def format(self, year: int, n: int) -> str:
        return self.pattern.format(prefix=self.prefix, year=year, n=n)

    def parse(self, doc_no: str) -> tuple[int, int] | None:
        """Return (year, n) when doc_no belongs to this series."""
        m = _number_regex(self.pattern, self.prefix).fullmatch(doc_no)
        return (int(m.group("year")), int(m.group("n"))) if m else None


@functools.lru_cache(maxsize=64)
def _number_regex(pattern: str, prefix: str) -> re.Pattern[str]:
    """The numbers of a series, compiled once (a register or a history parses thousands)."""
    regex = re.escape(pattern)
    regex = regex.replace(re.escape("{prefix}"), re.escape(prefix))
    regex = regex.replace(re.escape("{year}"), r"(?P<year>\d{4})").replace(re.escape("{n}"), r"(?P<n>[1-9]\d{0,8})")
    return re.compile(regex)


def series_for(kind: Kind, numbering: object, prefix: str) -> Series:
    """The series a kind of document is numbered in (finding urging shares urging unless configured)."""
    name = SERIES_OF_KIND[kind]
    pattern = getattr(numbering, name, None)
    if pattern is None:
        name, pattern = "urging", getattr(numbering, "urging")
    return Series(name, pattern, prefix)


def all_series(numbering: object, prefix: str) -> list[Series]:
    return [series_for(k, numbering, prefix) for k in SERIES_OF_KIND]
