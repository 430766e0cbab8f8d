"""Cell values → typed values: dates, text, numbers, lists of units. Each returns (value, error)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

# Characters that cannot go into a DOCX (XML 1.0 forbids them), and unpaired surrogates.
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_STRIP = " \t\r\n\u3000\u00a0"

_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# An Excel cell may hold a datetime at midnight (or a date typed as text with a time).
_DATETIME_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[ T]00:00(:00)?$")

DATE_HINT = "use 2026-11-24"


def clean_text(value: object) -> str:
    """Return the cell as text with outer spaces (also U+3000) stripped; '' for blank."""
    if type(value) is str:  # nearly every cell (all of a CSV)
        return value.strip(_STRIP)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    return str(value).strip(_STRIP)


def bad_chars(text: str) -> str | None:
    """Describe the first character that cannot go into a DOCX, or None."""
    m = _BAD_XML_CHARS.search(text)
    if not m:
        return None
    ch = m.group()
    return f"contains the control character U+{ord(ch):04X} at position {m.start() + 1}, which cannot go into a document"


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """Parse an accepted date form; return (date, None), (None, None) for blank, or (None, error)."""
    if type(value) is str:
        return _parse_date_text(value)  # the same texts recur (a ledger's dates): parsed once each
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            return None, f'"{value}" is a date with a time of day ({DATE_HINT})'
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    return _parse_date_text(clean_text(value))


@functools.lru_cache(maxsize=8192)
def _parse_date_text(value: str) -> tuple[dt.date | None, str | None]:
    text = value.strip(_STRIP)
    if not text:
        return None, None
    if len(text) == 10 and text[4] == text[7] == "-" and text.isascii():  # 2026-11-24, as most write it
        try:
            return dt.date.fromisoformat(text), None
        except ValueError:
            pass  # not a date: the forms below say so
    m = _DATETIME_TEXT.match(text)
    if m:
        text = m.group(1)
    for form in _DATE_FORMS:
        m = form.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d), None
            except ValueError:
                return None, f'"{text}" is not a date ({DATE_HINT})'
    return None, f'"{text}" is not a date ({DATE_HINT})'


_IMPLAUSIBLE, _CENT = Decimal("1e9"), Decimal("0.01")


def parse_decimal(value: object) -> tuple[Decimal | None, str | None]:
    """Parse a number with at most two decimal places."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None, None
    if isinstance(value, bool):
        return None, f'"{value}" is not a number'
    if isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", clean_text(value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, f'"{clean_text(value)}" is not a number'
    if not number.is_finite():
        return None, f'"{value}" is not a number'
    if abs(number) >= _IMPLAUSIBLE:
        return None, f'"{str(value)[:20]}" is not a plausible number'
    if number != number.quantize(_CENT):
        return None, f'"{value}" has more than two decimal places'
    return number, None


def parse_int(value: object) -> tuple[int | None, str | None]:
    """Parse a whole number (an Excel number cell or its text)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f'"{value}" is not a whole number'
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    text = clean_text(value)
    if not text:
        return None, None
    text = unicodedata.normalize("NFKC", text)
    if re.fullmatch(r"[+-]?\d{1,9}", text):
        return int(text), None
    if re.fullmatch(r"[+-]?\d+", text):
        return None, f'"{text[:20]}…" is too long for a whole number'

    return None, f'"{clean_text(value)}" is not a whole number'


_LIST_SEP = re.compile(r"[、，,;；\n]+")


def split_list(text: str) -> list[str]:
    """Split '市财政局、市教育局' (and ， , ; ； newlines) into stripped names."""
    return [p.strip(_STRIP) for p in _LIST_SEP.split(text) if p.strip(_STRIP)]


_DOC_NO_YEAR = re.compile(r"[\[\(（【〔]\s*(\d{4})\s*[\]\)）】〕]")


def normalise_doc_no(text: str) -> str:
    """Normalise the year brackets of a document number to 〔2026〕."""
    return _DOC_NO_YEAR.sub(lambda m: f"〔{m.group(1)}〕", text)


def format_date(day: dt.date) -> str:
    """2026年11月24日: Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"
