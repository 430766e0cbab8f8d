"""What every view shares: the site, the page renderer, the month and as-of pickers, listed files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ... import build
from ...config import Config
from ...errors import BadInput, MakeNoticesError, Problem, describe
from ...model import Kind
from ...sources.values import parse_date

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TEMPLATES.env.globals["kind_zh"] = lambda kind: Kind(kind).zh if kind in Kind._value2member_map_ else kind

PAGES = [("/", "本月"), ("/data", "数据"), ("/run", "生成"), ("/register", "文号"), ("/dispatch", "调度"),
         ("/templates", "模板"), ("/cases", "案例汇编"), ("/periodic", "季度与年度")]
# the files a run writes besides its documents (cli.md's output folder); served only when present
RUN_FILES = ["打印合集.pdf", "用印登记表.xlsx", "整改台账.xlsx", "排名表.xlsx", "签收反馈.xlsx", "调度汇总.xlsx", "manifest.json"]
UPLOAD_TYPES = {".xlsx", ".csv", ".yaml", ".yml"}


def site(request: Request):
    return request.app.state.site


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A page: the site's office, the navigation and the CSRF token come with every one."""
    s = site(request)
    office = ""
    try:
        office = s.config().office.short
    except MakeNoticesError:
        pass
    context.update(request=request, office=office, pages=PAGES, csrf=s.sessions.csrf_token(request.state.session),
                   login=s.sessions.password is not None and request.state.session is not None)
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


def fragment(request: Request, name: str, **context: Any) -> str:
    """A piece of a page, as text (for server-sent events)."""
    s = site(request)
    context.update(request=request, csrf=s.sessions.csrf_token(request.state.session))
    return TEMPLATES.get_template(name).render(context)


def pick_dates(request: Request, form: Any = None) -> tuple[str, dt.date, list[str]]:
    """The month and as-of date from the page's pickers (today and its month by default)."""
    values = form if form is not None else request.query_params
    problems = []
    as_of = dt.date.today()
    if values.get("as_of"):
        day, err = parse_date(str(values["as_of"]))
        if err or day is None:
            problems.append(f"截至日期：{err}")
        else:
            as_of = day
    month = f"{as_of:%Y-%m}"
    if values.get("month"):
        try:
            month = build.month_of(str(values["month"]))
        except BadInput as exc:
            problems += [p.message for p in exc.problems]
    return month, as_of, problems


async def call(fn, *args, **kwargs) -> tuple[Any, list[str], list[Problem]]:
    """Run a library function off the event loop: (result, the CLI's failure lines, the problems)."""
    try:
        return await run_in_threadpool(fn, *args, **kwargs), [], []
    except MakeNoticesError as exc:
        return None, describe(exc), list(getattr(exc, "problems", []))


def output_folders(config: Config) -> list[str]:
    """The run folders under out/ that have a manifest, newest first."""
    out = config.out_dir
    if not out.is_dir():
        return []
    found = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "manifest.json").is_file()]
    return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)]


def listed(config: Config, label: str) -> tuple[dict[str, Path], dict | None]:
    """The files of one output folder that may be served, by their listed name, and its manifest.

    Only a folder that has a manifest, and only the files the manifest lists (plus the run's
    own bundle and sheets): any other name, `..` or an absolute path is simply not in the map."""
    if label not in output_folders(config):
        return {}, None
    folder = (config.out_dir / label).resolve()
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None
    names = list(RUN_FILES)
    for doc in manifest.get("documents", []):
        names += [doc.get("docx"), doc.get("pdf")]
    for item in manifest.get("files", []):  # a dispatch folder lists its files so
        names.append(item.get("file") if isinstance(item, dict) else item)
    files = {}
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        path = (folder / name).resolve()
        if path.is_relative_to(folder) and path.is_file():
            files[name] = path
    return files, manifest


def scratch(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"make-notices-{prefix}-"))


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
