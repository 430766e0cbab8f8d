"""模板: the templates check; the defaults and the office's own to download; an upload checked first."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from ...documents.examples import KINDS, example_contexts
from ...documents.render import Renderer
from ...errors import display_path
from .base import call, remove, render, scratch, site
from .data import read_upload

KIND_NAMES = {k.value: k.zh for k in KINDS}


def check_all(config) -> tuple[list[dict], list]:
    """`make-notices templates check`: each kind's template in use, and every problem with its place."""
    renderer = Renderer(config.templates_dir)
    problems = renderer.check([k.value for k in KINDS], example_contexts(config))
    rows = []
    for k in KINDS:
        path = renderer.path(k.value)
        rows.append({"kind": k.value, "name": k.zh, "path": display_path(path), "own": path.parent != renderer.default_dir,
                     "problems": [p for p in problems if p.file == display_path(path)]})
    return rows, problems


def check_upload(config, kind: str, content: bytes) -> list:
    """Check an uploaded template in a folder of its own, as `templates check FOLDER` would."""
    folder = scratch("template")
    try:
        (folder / f"{kind}.docx").write_bytes(content)
        problems = Renderer(folder).check([kind], example_contexts(config))
        shown = display_path(folder / f"{kind}.docx")
        return [dataclasses.replace(p, file=p.file.replace(shown, f"上传的{KIND_NAMES[kind]}模板")) for p in problems]
    finally:
        remove(folder)


def install(config, kind: str, content: bytes) -> str:
    """Put the template in the office's folder (written beside, moved in; an old own one backed up)."""
    folder = config.templates_dir
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{kind}.docx"
    beside = folder / f".{kind}.docx.upload-{os.getpid()}"
    beside.write_bytes(content)
    if final.exists():
        backup = folder / ".backup" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup.mkdir(parents=True, exist_ok=True)
        shutil.copy2(final, backup / final.name)
    os.replace(beside, final)
    return display_path(final)


async def templates_page(request: Request, status: int = 200, **extra) -> Response:
    config = site(request).config()
    result, lines, _ = await call(check_all, config)
    rows, problems = result if result else ([], [])
    return render(request, "templates.html", status, rows=rows, problems=problems, lines=lines, **extra)


class TemplatesPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return await templates_page(request)


class TemplateUpload(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        form = await request.form()
        try:
            kind = str(form.get("kind", ""))
            if kind not in KIND_NAMES:
                return await templates_page(request, 400, refused="请选择文种。")
            suffix, content, refused = await read_upload(form, "file", {".docx"})
            if refused:
                return await templates_page(request, 400, refused=refused)
            config = site(request).config()
            problems, lines, _ = await call(check_upload, config, kind, content)
            if problems or lines:
                return await templates_page(request, 422, upload_problems=problems or lines, upload_kind=KIND_NAMES[kind])
            where, _, _ = await call(install, config, kind, content)
            return await templates_page(request, accepted=f"{KIND_NAMES[kind]}模板已检查无误，已保存为 {where}。")
        finally:
            await form.close()


async def download(request: Request) -> Response:
    """A template: the default (which=default) or the one in use for the kind."""
    kind = request.path_params["kind"]
    if kind not in KIND_NAMES:
        return PlainTextResponse("没有这个模板", status_code=404)
    renderer = Renderer(site(request).config().templates_dir)
    path = renderer.default_dir / f"{kind}.docx" if request.query_params.get("which") == "default" else renderer.path(kind)
    if not path.is_file():
        return PlainTextResponse("没有这个模板", status_code=404)
    return FileResponse(path, filename=f"{KIND_NAMES[kind]}-{kind}.docx")
