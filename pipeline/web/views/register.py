"""文号: the register with filters; void a number; record 签收 and 反馈 (when pipeline.loop.receipts exists)."""

from __future__ import annotations

import importlib

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import Response

from ...model import Kind
from ...register.store import open_register
from ...sources.values import parse_date
from .base import call, remove, render, scratch, site
from .data import read_upload

STATES = {"issued": "有效", "void": "作废"}


def loop_module(name: str):
    """pipeline.loop.<name>, or None while that part is not there yet."""
    try:
        return importlib.import_module(f"pipeline.loop.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("pipeline.loop"):
            return None
        raise


async def register_page(request: Request, status: int = 200, **extra) -> Response:
    q = request.query_params
    year = q.get("year", "")
    config = site(request).config()
    entries, lines, _ = await call(lambda: open_register(config.register_url).entries(int(year) if year.isdigit() else None))
    entries = entries or []
    units = sorted({e.unit for e in entries})
    years = sorted({e.year for e in entries}, reverse=True)
    shown = [e for e in entries
             if (not q.get("kind") or e.kind == q["kind"]) and (not q.get("unit") or e.unit == q["unit"])
             and (not q.get("state") or e.status == q["state"])]
    return render(request, "register.html", status, entries=shown, kind_names=config.kind_names(), total=len(entries), units=units, years=years,
                  kinds=[(k.value, k.zh) for k in Kind], states=STATES, q=q, lines=lines + extra.pop("lines", []),
                  receipts=loop_module("receipts") is not None, **extra)


class RegisterPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return await register_page(request)


class VoidNumber(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        form = await request.form()
        number, reason = str(form.get("doc_no", "")).strip(), str(form.get("reason", "")).strip()
        config = site(request).config()
        entry, lines, _ = await call(lambda: open_register(config.register_url).void(number, reason))
        if entry is None:
            return await register_page(request, 422, lines=lines)
        return await register_page(request, done=f"{entry.doc_no} 已作废：{entry.void_reason}")


class RecordReceipt(HTTPEndpoint):
    """签收 (receive) or 反馈 (reply) for one or more numbers, or a sheet of them (import_file)."""

    async def post(self, request: Request) -> Response:
        receipts = loop_module("receipts")
        if receipts is None:
            return await register_page(request, 404, lines=["该功能尚未提供"])
        form = await request.form()
        try:
            config = site(request).config()
            what = str(form.get("what", "receive"))
            if what == "import":
                suffix, content, refused = await read_upload(form, "file", {".xlsx", ".csv"})
                if refused:
                    return await register_page(request, 400, lines=[refused])
                folder = scratch("receipts")
                try:
                    path = folder / f"签收反馈{suffix}"  # the upload's own name never becomes a path
                    path.write_bytes(content)
                    result, lines, _ = await call(receipts.import_file, config, path)
                    lines = [line.replace(str(path), f"上传的{form['file'].filename}") for line in lines]
                finally:
                    remove(folder)
            else:
                numbers = [n for n in str(form.get("numbers", "")).replace("，", " ").replace(",", " ").split() if n]
                if not numbers:
                    return await register_page(request, 400, lines=["请填写文号。"])
                day = None
                if form.get("date"):
                    day, err = parse_date(str(form["date"]))
                    if err:
                        return await register_page(request, 400, lines=[f"日期：{err}"])
                if what == "reply":
                    result, lines, _ = await call(receipts.reply, config, numbers, day)
                else:
                    result, lines, _ = await call(receipts.receive, config, numbers, day, by=str(form.get("by", "")))
            if lines:
                return await register_page(request, 422, lines=lines)
            word = {"reply": "反馈", "import": "签收/反馈"}.get(what, "签收")
            done = f"已记录{word}：{'、'.join(e.doc_no for e in result.changed) or '无变化'}"
            if result.unchanged:
                done += f"（{'、'.join(result.unchanged)} 已是如此，未改动）"
            return await register_page(request, done=done)
        finally:
            await form.close()
