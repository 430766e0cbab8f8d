"""调度: the month's 调度表 out (one zip), the returned ones in: see the changes and problems, then apply."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response

from ...build import safe_filename
from ..security import UPLOAD_LIMIT
from .base import call, output_folders, pick_dates, remove, render, scratch, site
from .register import loop_module

MAX_FILES = 200


def shown(text: str, folder: Path) -> str:
    """Messages name the uploaded files as the clerk named them, not by the folder they wait in."""
    text = text.replace(f"{folder}/", "").replace(str(folder), "上传的文件")
    return text.replace("(add --apply to update the ledger)", "（点“写入台账”才写入）")


def replies(result, folder: Path) -> dict:
    """The collect result as the page shows it: each file with its unit and changes, the units
    that have not replied, and what was written (the file names as the clerk named them)."""
    return {
        "month": result.month,
        "units": [{"name": u.name, "file": shown(u.file, folder), "changes": u.changes, "notes": [shown(n, folder) for n in u.notes],
                   "already_applied": u.already_applied} for u in result.units],
        "not_replied": result.not_replied,
        "written": result.written,
        "backup": result.backup,
    }


def available() -> bool:
    return loop_module("dispatch") is not None and loop_module("collect") is not None


async def dispatch_page(request: Request, status: int = 200, **extra) -> Response:
    month, as_of, wrong = pick_dates(request)
    month, as_of = extra.pop("month", month), extra.pop("as_of", as_of)
    folders = []
    if available():
        folders = [f for f in output_folders(site(request).config()) if f.startswith("dispatch-")]
    return render(request, "dispatch.html", status, available=available(), month=month, as_of=as_of,
                  folders=folders, lines=wrong + extra.pop("lines", []), **extra)


class DispatchPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return await dispatch_page(request)


class MakeDispatch(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        if not available():
            return await dispatch_page(request, 404)
        dispatch = loop_module("dispatch")
        form = await request.form()
        month, as_of, wrong = pick_dates(request, form)
        reply_by = None
        if form.get("reply_by"):
            from ...sources.values import parse_date

            reply_by, err = parse_date(str(form["reply_by"]))
            if err:
                wrong.append(f"回复期限：{err}")
        if wrong:
            return await dispatch_page(request, 400, lines=wrong)
        result, lines, problems = await call(dispatch.dispatch, site(request).config(), month, as_of, reply_by=reply_by)
        if result is None:
            return await dispatch_page(request, 422, lines=lines)
        return await dispatch_page(request, made=result, made_label=Path(result.out).name, month=month, as_of=as_of)


class CollectReplies(HTTPEndpoint):
    """Upload the returned 调度表: first what would change (nothing written), then apply the same files."""

    async def post(self, request: Request) -> Response:
        if not available():
            return await dispatch_page(request, 404)
        collect = loop_module("collect")
        s = site(request)
        form = await request.form(max_files=MAX_FILES, max_part_size=UPLOAD_LIMIT + 1)
        try:
            token = str(form.get("batch", ""))
            if token:  # apply a batch checked before
                folder = s.batches.get(token)
                if folder is None:
                    return await dispatch_page(request, 410, lines=["这批上传的调度表已过期，请重新上传。"])
                result, lines, _ = await call(collect.collect, s.config(), sorted(folder.iterdir()), apply=True)
                if result is not None:
                    s.batches.pop(token, None)
                    remove(folder)
                    return await dispatch_page(request, applied=replies(result, folder))
                return await dispatch_page(request, 422, lines=[shown(line, folder) for line in lines])
            uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
            if not uploads:
                return await dispatch_page(request, 400, lines=["请选择要上传的调度表（.xlsx）。"])
            folder = scratch("collect")
            for i, upload in enumerate(uploads, start=1):
                content = await upload.read(UPLOAD_LIMIT + 1)
                if len(content) > UPLOAD_LIMIT:
                    remove(folder)
                    return await dispatch_page(request, 413, lines=[f"“{upload.filename}”超过 20 MB，没有接收。"])
                # the name is kept for the messages, made safe; it never leaves this folder
                stem, suffix = Path(upload.filename).stem, Path(upload.filename).suffix.lower()[:8]
                name = safe_filename(stem, suffix)
                if (folder / name).exists():
                    name = safe_filename(f"{stem}-{i}", suffix)
                (folder / name).write_bytes(content)
            result, lines, _ = await call(collect.collect, s.config(), sorted(folder.iterdir()), apply=False)
            if result is None:
                remove(folder)
                return await dispatch_page(request, 422, lines=[shown(line, folder) for line in lines])
            token = secrets.token_urlsafe(16)
            s.batches[token] = folder
            return await dispatch_page(request, preview=replies(result, folder), batch=token)
        finally:
            await form.close()
