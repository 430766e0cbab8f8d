"""生成: run the month in the background, follow it, then the documents, their pages and downloads."""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from urllib.parse import urlencode

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse

from ... import build
from ...errors import MakeNoticesError
from ...model import Kind
from ..runner import RunState
from .base import fragment, listed, pick_dates, render, site


def output_view(config, label: str) -> dict | None:
    """One output folder as the page lists it: its documents (number, kind, unit, pages) and files."""
    files, manifest = listed(config, label)
    if manifest is None:
        return None
    docs = [dict(doc, kind_name=doc.get("kind_name") or (Kind(doc["kind"]).zh if doc.get("kind") in Kind._value2member_map_ else doc.get("kind", "")))
            for doc in manifest.get("documents", [])]
    extras = [name for name in files if "/" not in name]
    return {"label": label, "manifest": manifest, "docs": docs, "extras": extras}


def state_view(request: Request) -> dict:
    s = site(request)
    _, state = s.runner.snapshot()
    out = None
    if state is not None and state.status == "done":
        try:
            out = output_view(s.config(), state.label)
        except MakeNoticesError:
            out = None
    return {"state": state, "out": out}


def conversion(site_, config) -> dict:
    """A run's PDF options as the command line takes them from the config (pdf.enabled, pdf.jobs),
    with the site's warm LibreOffice pool when PDFs are made: pdf, jobs and pool."""
    jobs = config.pdf.jobs if isinstance(config.pdf.jobs, int) else None
    return {"pdf": config.pdf.enabled, "jobs": jobs, "pool": site_.warm_pool(jobs) if config.pdf.enabled else None}


def monthly_job(site_, config, month: str, as_of):
    """The same call as `make-notices monthly`, with the site's warm LibreOffice pool when there is one."""
    def job(progress):
        return build.monthly(config, month, as_of, progress=progress, **conversion(site_, config))
    return job


class RunPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        s = site(request)
        month, as_of, wrong = pick_dates(request)
        _, state = s.runner.snapshot()
        try:
            config = s.config()
        except MakeNoticesError as exc:
            return render(request, "run.html", month=month, as_of=as_of, lines=[str(exc)], **state_view(request))
        shown = None  # the month's folder as it is, unless the run on show is making or just made it
        if state is None or state.label != month or state.status == "failed":
            shown = output_view(config, month)
        busy = request.query_params.get("busy") == "1"
        return render(request, "run.html", month=month, as_of=as_of, lines=wrong, shown=shown, busy=busy,
                      **state_view(request))

    async def post(self, request: Request) -> Response:
        s = site(request)
        form = await request.form()
        month, as_of, wrong = pick_dates(request, form)
        if wrong:
            return render(request, "run.html", 400, month=month, as_of=as_of, lines=wrong, shown=None, **state_view(request))
        config = s.config()
        started = s.runner.start(RunState("monthly", month, as_of, pdf=config.pdf.enabled), monthly_job(s, config, month, as_of))
        query = {"month": month, "as_of": as_of.isoformat()} | ({} if started else {"busy": "1"})
        return RedirectResponse(f"/run?{urlencode(query)}", status_code=303)


async def run_state(request: Request) -> Response:
    """The run's progress as a piece of page (the polling fallback); 286 stops htmx polling when it ends."""
    view = state_view(request)
    html = fragment(request, "_state.html", **view)
    state = view["state"]
    return HTMLResponse(html, status_code=200 if state is not None and state.running else 286)


async def run_events(request: Request) -> Response:
    """The run's progress as server-sent events: a `state` event at every change, `done` at the end."""
    s = site(request)

    async def stream():
        seen = -1
        while True:
            version, state = s.runner.snapshot()
            if version != seen:
                seen = version
                html = fragment(request, "_state.html", **state_view(request))
                yield "event: state\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"
                if state is None or not state.running:
                    yield "event: done\ndata: end\n\n"
                    return
            await run_in_threadpool(s.runner.wait, version, 1.0)
            if await request.is_disconnected():
                return

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _listed_or_404(request: Request):
    config = site(request).config()
    files, manifest = listed(config, request.path_params["label"])
    return config, files, manifest


async def download(request: Request) -> Response:
    """One file of an output folder, only by a name its manifest lists."""
    _, files, _ = _listed_or_404(request)
    path = files.get(request.path_params["name"])
    if path is None:
        return PlainTextResponse("没有这个文件", status_code=404)
    return FileResponse(path, filename=path.name)


async def download_zip(request: Request) -> Response:
    """Every listed file of an output folder, as one zip (made afresh, removed after sending)."""
    label = request.path_params["label"]
    _, files, _ = _listed_or_404(request)
    if not files:
        return PlainTextResponse("没有这个文件夹", status_code=404)
    dest = site(request).scratch / f"{hashlib.sha1(label.encode()).hexdigest()}-{id(request)}.zip"

    def make() -> None:
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, path in files.items():
                z.write(path, f"{label}/{name}")

    await run_in_threadpool(make)
    return FileResponse(dest, filename=f"{label}.zip", media_type="application/zip",
                        background=BackgroundTask(dest.unlink, missing_ok=True))


async def pages(request: Request) -> Response:
    """A document's pages as pictures (a browser in an office PC may not show PDFs)."""
    config, files, manifest = _listed_or_404(request)
    name = request.path_params["name"]
    doc = next((d for d in (manifest or {}).get("documents", []) if d.get("pdf") == name), None)
    if doc is None or name not in files:
        return PlainTextResponse("没有这个文件", status_code=404)
    return render(request, "pages.html", label=request.path_params["label"], doc=doc, pdf_name=name,
                  count=int(doc.get("pages") or 1))


async def preview(request: Request) -> Response:
    """One page of a listed PDF as PNG, made with pdftoppm and kept while the server runs."""
    _, files, _ = _listed_or_404(request)
    path = files.get(request.path_params["name"])
    page = request.query_params.get("page", "1")
    if path is None or path.suffix != ".pdf" or not page.isdigit() or not 1 <= int(page) <= 9999:
        return PlainTextResponse("没有这个文件", status_code=404)
    s = site(request)
    stat = path.stat()
    key = hashlib.sha1(f"{path}|{stat.st_mtime_ns}|{stat.st_size}|{page}".encode()).hexdigest()
    png = s.scratch / f"{key}.png"
    if not png.exists():
        def make() -> bool:
            done = subprocess.run(["pdftoppm", "-f", page, "-l", page, "-r", "80", "-png", "-singlefile",
                                   str(path), str(png.with_suffix(""))], capture_output=True, timeout=60)
            return done.returncode == 0 and png.exists()
        if not await run_in_threadpool(make):
            return PlainTextResponse("这一页无法显示", status_code=404)
    return FileResponse(png, media_type="image/png")
