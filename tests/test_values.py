import datetime as dt

import pytest

from pipeline.sources.values import format_date, normalise_doc_no, parse_date, parse_decimal, split_list


@pytest.mark.parametrize("text", ["2026-11-24", "2026/11/24", "2026.11.24", "2026年11月24日", "20261124",
                                  "2026-1-5", "2026/01/05", "2026年1月5日", "　2026-11-24 ", "2026-11-24 00:00:00"])
def test_accepted_dates(text):
    day, err = parse_date(text)
    assert err is None
    assert day in (dt.date(2026, 11, 24), dt.date(2026, 1, 5))


@pytest.mark.parametrize("text", ["2026-13-40", "24/11/2026", "11/24/26", "下月底", "2026-02-30", "2026年13月1日", "202611", "2026-11"])
def test_rejected_dates(text):
    day, err = parse_date(text)
    assert day is None
    assert err and "is not a date" in err and "2026-11-24" in err


def test_excel_date_cells():
    assert parse_date(dt.datetime(2026, 11, 24)) == (dt.date(2026, 11, 24), None)
    assert parse_date(dt.date(2026, 11, 24)) == (dt.date(2026, 11, 24), None)
    assert parse_date(None) == (None, None)
    assert parse_date(dt.datetime(2026, 11, 24, 9, 30))[1]


def test_dates_print_without_leading_zeros():
    assert format_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert format_date(dt.date(2026, 11, 24)) == "2026年11月24日"


@pytest.mark.parametrize("raw", ["中办发[2026]12号", "中办发(2026)12号", "中办发【2026】12号", "中办发〔 2026 〕12号", "中办发（2026）12号"])
def test_doc_numbers_normalised(raw):
    assert normalise_doc_no(raw) == "中办发〔2026〕12号"


def test_split_list_all_separators():
    assert split_list("市财政局、市教育局，张店区,淄川区;周村区；临淄区\n桓台县") == ["市财政局", "市教育局", "张店区", "淄川区", "周村区", "临淄区", "桓台县"]


def test_decimals():
    assert str(parse_decimal("38.5")[0]) == "38.5"
    assert str(parse_decimal(38.25)[0]) == "38.25"
    assert parse_decimal("38.555")[1]
    assert parse_decimal("abc")[1]
