"""本月: the office, its data files, the check, and what a run would make and why."""

from __future__ import annotations

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response

from ... import build
from ...errors import MakeNoticesError
from .base import call, pick_dates, render, site
from .data import data_files


class MonthPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        month, as_of, wrong = pick_dates(request)
        try:
            config = site(request).config()
        except MakeNoticesError as exc:
            return render(request, "month.html", month=month, as_of=as_of, files=[], lines=[str(exc)], problems=getattr(exc, "problems", []))
        if wrong:
            return render(request, "month.html", 400, month=month, as_of=as_of, files=data_files(config), lines=wrong, problems=[])
        # the same call as `make-notices check`: read, check, plan, preview the numbers; write nothing
        summary, lines, problems = await call(build.monthly, config, month, as_of, dry_run=True, pdf=False)
        rows = []
        if summary is not None:
            rows = [(doc_no, d) for (_, doc_no, _), d in zip(summary.planned, summary.decisions)]
        return render(request, "month.html", month=month, as_of=as_of, config=config, files=data_files(config),
                      summary=summary, rows=rows, lines=lines, problems=problems)
