"""数据: each data file, to download or to replace by an upload checked beside the old one first."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import UploadFile
from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from ...config import Config
from ...errors import MakeNoticesError, Problem, display_path
from ...sources import read_office
from ...sources.tables import TABLE_SUFFIXES
from ..security import UPLOAD_LIMIT
from .base import UPLOAD_TYPES, call, pick_dates, remove, render, scratch, site

TABLES = {"units": "单位名单", "tasks": "改革任务台账", "findings": "督察问题清单", "history": "历史文号（可选）"}
SCORES = re.compile(r"scores/(\d{4}-(0[1-9]|1[0-2]))")
BACKUP = ".backup"


@dataclass
class DataFile:
    slot: str  # units, tasks, findings, history, scores/2026-11: what the readers call it
    title: str
    path: Path | None  # None: not there (yet)

    @property
    def name(self) -> str:
        return self.path.name if self.path else ""

    @property
    def modified(self) -> str:
        return dt.datetime.fromtimestamp(self.path.stat().st_mtime).strftime("%Y-%m-%d %H:%M") if self.path else ""

    @property
    def size(self) -> str:
        return f"{self.path.stat().st_size / 1024:.0f} KB" if self.path else ""


def _variants(folder: Path, stem: str) -> list[Path]:
    return [folder / f"{stem}{s}" for s in TABLE_SUFFIXES if (folder / f"{stem}{s}").is_file()]


def data_files(config: Config) -> list[DataFile]:
    """The files the readers read, in the readers' names (tables, then the months' scores)."""
    data = config.data_dir
    files = []
    for stem, title in TABLES.items():
        found = _variants(data, stem)
        files += [DataFile(stem, title, p) for p in found] or [DataFile(stem, title, None)]
    scores = data / "scores"
    if scores.is_dir():
        for p in sorted(scores.iterdir()):
            if p.is_file() and p.suffix in TABLE_SUFFIXES and SCORES.fullmatch(f"scores/{p.stem}"):
                files.append(DataFile(f"scores/{p.stem}", f"{p.stem[:4]}年{int(p.stem[5:])}月得分", p))
    return files


def slot_title(slot: str) -> str | None:
    """The title of a known slot, None for any other name (names never become paths)."""
    if slot in TABLES:
        return TABLES[slot]
    m = SCORES.fullmatch(slot)
    return f"{m.group(1)[:4]}年{int(m.group(1)[5:])}月得分" if m else None


def check_beside(config: Config, slot: str, suffix: str, content: bytes, month: str) -> list[Problem]:
    """Run the readers on a copy of the data folder with the new file in the slot's place."""
    copy_root = scratch("upload")
    try:
        copy = copy_root / "data"
        shutil.copytree(config.data_dir, copy, ignore=shutil.ignore_patterns(BACKUP, "register.sqlite*", "cases"))
        folder, stem = (copy / "scores", slot[7:]) if slot.startswith("scores/") else (copy, slot)
        folder.mkdir(parents=True, exist_ok=True)
        for old in _variants(folder, stem):
            old.unlink()
        (folder / f"{stem}{suffix}").write_bytes(content)
        trial = dataclasses.replace(config, paths=dataclasses.replace(config.paths, data=str(copy)))
        if slot.startswith("scores/"):
            month = slot[7:]
        try:
            read_office(trial, month)
        except MakeNoticesError as exc:
            shown_copy, shown_real = display_path(copy), display_path(config.data_dir)
            return [dataclasses.replace(p, file=p.file.replace(shown_copy, shown_real, 1))
                    for p in getattr(exc, "problems", [Problem(slot, str(exc))])]
        return []
    finally:
        remove(copy_root)


def replace_file(config: Config, slot: str, suffix: str, content: bytes) -> Path:
    """Write the new file beside its place and move it in; the old one (any format) goes to data/.backup/."""
    data = config.data_dir
    folder, stem = (data / "scores", slot[7:]) if slot.startswith("scores/") else (data, slot)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{stem}{suffix}"
    beside = folder / f".{stem}{suffix}.upload-{os.getpid()}"
    beside.write_bytes(content)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = data / BACKUP / stamp
    for old in _variants(folder, stem):
        backup.mkdir(parents=True, exist_ok=True)
        shutil.copy2(old, backup / f"{slot.replace('/', '-')}{old.suffix}")
        if old != final:
            old.unlink()
    os.replace(beside, final)
    return final


async def read_upload(form, field: str, types: set[str]) -> tuple[str | None, bytes, str | None]:
    """The uploaded file's suffix and bytes, or the message saying why it is refused."""
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None, b"", "请选择要上传的文件。"
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in types:
        return None, b"", f"只接受 {'、'.join(sorted(types))} 文件，“{upload.filename}”不是。"
    content = await upload.read(UPLOAD_LIMIT + 1)
    if len(content) > UPLOAD_LIMIT:
        return None, b"", f"上传的文件超过 {UPLOAD_LIMIT // (1024 * 1024)} MB，没有接收。"
    return suffix, content, None


async def data_page(request: Request, status: int = 200, month: str | None = None, **extra) -> Response:
    picked, as_of, _ = pick_dates(request)
    try:
        files = data_files(site(request).config())
    except MakeNoticesError as exc:
        return render(request, "data.html", files=[], failed=str(exc), month=month or picked)
    return render(request, "data.html", status, files=files, month=month or picked, as_of=as_of, **extra)


class DataPage(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return await data_page(request)


class DataUpload(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        s = site(request)
        form = await request.form(max_part_size=UPLOAD_LIMIT + 1)
        try:
            slot = str(form.get("slot", ""))
            if slot == "scores":
                slot = f"scores/{form.get('scores_month', '')}"
            title = slot_title(slot)
            month, _, _ = pick_dates(request, form)
            if title is None:
                return await data_page(
                    request, 400, month=month, refused=f"不认识的数据文件：{slot}（月份写作 2026-11）")
            suffix, content, refused = await read_upload(form, "file", UPLOAD_TYPES)
            if refused:
                return await data_page(request, 400, month=month, refused=refused, slot=slot)
            config = s.config()
            problems, lines, more = await call(check_beside, config, slot, suffix, content, month)
            if lines:
                problems = more or [Problem(slot, " ".join(lines))]
            if problems:
                return await data_page(
                    request, 422, month=month, problems=problems, slot=slot, upload_title=title)
            path, lines, _ = await call(replace_file, config, slot, suffix, content)
            return await data_page(
                request, month=month, accepted=f"{title}已更新为上传的文件（{display_path(path)}），原文件已备份到 data/{BACKUP}/。")
        finally:
            await form.close()


async def download(request: Request) -> Response:
    """A data file, by its slot name (never by a path)."""
    slot = request.path_params["slot"]
    if slot_title(slot) is None:
        return PlainTextResponse("没有这个文件", status_code=404)
    config = site(request).config()
    folder, stem = (config.data_dir / "scores", slot[7:]) if slot.startswith("scores/") else (config.data_dir, slot)
    found = _variants(folder, stem)
    if not found:
        return PlainTextResponse("没有这个文件", status_code=404)
    return FileResponse(found[0], filename=found[0].name)
