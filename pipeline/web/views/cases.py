"""案例汇编: the year's cases in the book's order; run the book with progress; download it."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ... import build
from ...errors import BadInput
from ...sources import read_office
from ...sources.cases import read_cases
from ..runner import RunState
from .base import call, pick_dates, render, site
from .run import output_view, state_view


def book_contents(config, year: int):
    """The cases as the book will order them (the reader `make-notices cases` uses)."""
    office = read_office(config)
    case_set, problems = read_cases(config.data_dir / "cases" / str(year), office.directory, config.cases.categories)
    if problems:
        raise BadInput(problems)
    return case_set


def _year(request: Request, values, as_of) -> int:
    text = str(values.get("year", ""))
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else as_of.year


class CasesPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        s = site(request)
        _, as_of, wrong = pick_dates(request)
        year = _year(request, request.query_params, as_of)
        config = s.config()
        case_set, lines, problems = await call(book_contents, config, year)
        view = state_view(request)
        if view["state"] is not None and view["state"].what != "cases":
            view["out"] = None
        ours = view["state"] is not None and view["state"].label == f"cases-{year}" and view["state"].status != "failed"
        return render(request, "cases.html", year=year, as_of=as_of, case_set=case_set, lines=wrong + lines,
                      problems=problems, shown=None if ours else output_view(config, f"cases-{year}"),
                      busy=request.query_params.get("busy") == "1", **view)

    async def post(self, request: Request) -> Response:
        s = site(request)
        form = await request.form()
        _, as_of, wrong = pick_dates(request, form)
        year = _year(request, form, as_of)
        config = s.config()

        def job(progress):
            pool = s.warm_pool(None) if config.pdf.enabled else None
            return build.cases(config, year, as_of, pdf=config.pdf.enabled, progress=progress, pool=pool)

        started = s.runner.start(RunState("cases", f"cases-{year}", as_of, pdf=config.pdf.enabled), job,
                                 expected_total={"book": 1}) if not wrong else False
        query = {"year": year, "as_of": as_of.isoformat()} | ({} if started else {"busy": "1"})
        return RedirectResponse(f"/cases?{urlencode(query)}", status_code=303)
