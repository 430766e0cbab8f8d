"""季度与年度: the quarter's 季度通报, the month's 约谈通知 and the year's 任务分工, each run with progress.

Each form makes the same call as its command (`make-notices quarterly`, `interview`, `tasklist`);
the page lists each one's output folder as it is, and the month's 约谈建议 by the interview's dry run.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...errors import BadInput
from ...periodic.interview import folder_label, interview
from ...periodic.quarterly import default_as_of, quarter_of, quarterly
from ...periodic.tasklist import tasklist
from ...rules.quarterly import Quarter
from ...sources.values import parse_date
from ..runner import RunState
from .base import call, pick_dates, render, site
from .run import conversion, output_view, state_view

WHATS = ("quarterly", "interview", "tasklist")


def _day(values, key: str, name: str) -> tuple[dt.date | None, list[str]]:
    """An optional date field: None when empty, else the date or a message."""
    text = str(values.get(key) or "").strip()
    if not text:
        return None, []
    day, err = parse_date(text)
    if err or day is None:
        return None, [f"{name}：{err}"]
    return day, []


def _quarter(values, today: dt.date) -> tuple[str, Quarter | None, list[str]]:
    """The quarter asked for (the text as typed, its Quarter or a message). By default the quarter
    of today, or in a quarter's first month the quarter before (its 通报 is made then)."""
    text = str(values.get("quarter") or "").strip()
    if not text:
        number = (today.month - 1) // 3 + 1
        if today.month % 3 == 1:  # January, April, July, October
            number -= 1
        year = today.year if number else today.year - 1
        text = f"{year}-Q{number or 4}"
    try:
        return text, quarter_of(text), []
    except BadInput as exc:
        return text, None, [f"季度：{p.message}" for p in exc.problems]


def _quarters(today: dt.date, chosen: Quarter | None) -> list[Quarter]:
    """The picker's choices: this quarter and the four before it (and the one asked for)."""
    year, number = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(5):
        found.append(quarter_of(f"{year}-Q{number}"))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    if chosen is not None and chosen not in found:
        found.insert(0, chosen)
    return found


def _year(values, key: str, default: int) -> tuple[int, list[str]]:
    text = str(values.get(key) or "").strip()
    if not text:
        return default, []
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text), []
    return default, [f'年份："{text}" 不是年份（例如 2027）']


def read_pickers(request: Request, values) -> dict:
    """The three forms' values, each with its own messages (an empty field takes its default)."""
    today = dt.date.today()
    q_text, quarter, q_wrong = _quarter(values, today)
    q_day, wrong = _day(values, "quarter_as_of", "通报日期")
    q_wrong += wrong
    month, as_of, i_wrong = pick_dates(request, values)
    t_day, t_wrong = _day(values, "date", "印发日期")
    year, wrong = _year(values, "year", (t_day or today).year)
    t_wrong += wrong
    return {"quarterly": {"text": q_text, "quarter": quarter, "as_of": q_day, "wrong": q_wrong,
                          "choices": _quarters(today, quarter), "label": quarter.label if quarter else None},
            "interview": {"month": month, "as_of": as_of, "wrong": i_wrong, "label": folder_label(month)},
            "tasklist": {"year": year, "date": t_day, "wrong": t_wrong, "label": f"tasklist-{year}"}}


async def page(request: Request, values, status: int = 200, busy: bool = False) -> Response:
    s = site(request)
    config = s.config()
    forms = read_pickers(request, values)
    view = state_view(request)
    state = view["state"]
    if state is not None and state.what not in WHATS:
        view["out"] = None
    for what, form in forms.items():
        ours = state is not None and state.what == what and state.label == form["label"] and state.status != "failed"
        form["shown"] = output_view(config, form["label"]) if form["label"] and not ours else None
    i = forms["interview"]
    if not i["wrong"]:  # the month's 约谈建议: `make-notices interview --dry-run` (reads, numbers previewed, writes nothing)
        i["preview"], i["lines"], i["problems"] = await call(interview, config, i["month"], i["as_of"], dry_run=True, pdf=False)
        i["numbers"] = {unit: doc_no for _, doc_no, unit in i["preview"].planned} if i["preview"] else {}
    return render(request, "periodic.html", status, forms=forms, busy=busy, config=config, **view)


def _start(request: Request, what: str, label: str, as_of: dt.date, job) -> bool:
    s = site(request)
    config = s.config()

    def run(progress):  # as the command line: pdf.enabled and pdf.jobs of the config, the site's warm pool
        return job(config, progress=progress, **conversion(s, config))

    return s.runner.start(RunState(what, label, as_of, pdf=config.pdf.enabled), run)


def _back(query: dict, started: bool, anchor: str) -> Response:
    query = {k: v for k, v in query.items() if v} | ({} if started else {"busy": "1"})
    return RedirectResponse(f"/periodic?{urlencode(query)}#{anchor}", status_code=303)


class PeriodicPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return await page(request, request.query_params, busy=request.query_params.get("busy") == "1")


class StartQuarterly(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        form = await request.form()
        q = read_pickers(request, form)["quarterly"]
        if q["wrong"]:
            return await page(request, form, 400)
        quarter, day = q["quarter"], q["as_of"]
        as_of = day or default_as_of(quarter, dt.date.today())  # what the run will date it (shown while it runs)
        started = _start(request, "quarterly", quarter.label, as_of,
                         lambda config, **kw: quarterly(config, quarter.label, day, **kw))
        return _back({"quarter": quarter.label, "quarter_as_of": day.isoformat() if day else ""}, started, "quarterly")


class StartInterview(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        form = await request.form()
        i = read_pickers(request, form)["interview"]
        if i["wrong"]:
            return await page(request, form, 400)
        month, as_of = i["month"], i["as_of"]
        started = _start(request, "interview", i["label"], as_of,
                         lambda config, **kw: interview(config, month, as_of, (), **kw))
        return _back({"month": month, "as_of": as_of.isoformat()}, started, "interview")


class StartTasklist(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        form = await request.form()
        t = read_pickers(request, form)["tasklist"]
        if t["wrong"]:
            return await page(request, form, 400)
        year, date = t["year"], t["date"] or dt.date.today()  # the command's default: today
        started = _start(request, "tasklist", t["label"], date, lambda config, **kw: tasklist(config, year, date, **kw))
        return _back({"year": year, "date": t["date"].isoformat() if t["date"] else ""}, started, "tasklist")
