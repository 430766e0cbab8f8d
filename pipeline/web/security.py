"""The workbench's safety, as one ASGI middleware: host check, login, body size, CSRF.

Every request passes here before any view runs, so a view never has to remember it:
- bound to loopback, only loopback Host headers are served (a DNS-rebinding page gets 400);
- with a password, every page but /login and /static needs the session cookie;
- a body larger than the upload limit is refused (413) before it is read whole;
- a request that changes something (POST) carries the CSRF token, as the header
  X-CSRF-Token or the form field csrf_token, or it is refused (403) and changes nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

UPLOAD_LIMIT = 20 * 1024 * 1024  # one file
BODY_LIMIT = UPLOAD_LIMIT + 256 * 1024  # the file and the form's other fields
SESSION_COOKIE = "mn_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
OPEN_PATHS = ("/login", "/static/")


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: addresses only this computer can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class Sessions:
    """Login sessions in memory (a restart asks for the password again) and the slowing of failures."""

    def __init__(self, password: str | None):
        self.password = password
        self.secret = secrets.token_bytes(32)
        self.live: dict[str, float] = {}
        self.failures = 0
        self.lock = asyncio.Lock()

    def valid(self, token: str | None) -> bool:
        return bool(token) and token in self.live

    def csrf_token(self, session: str | None) -> str:
        """The token every changing form carries; tied to the session when there is a login."""
        return hmac.new(self.secret, (session or "local").encode(), hashlib.sha256).hexdigest()[:40]

    async def login(self, attempt: str) -> str | None:
        """A new session for the right password; a wrong one waits longer each time (at most 8 s)."""
        async with self.lock:  # guesses are tried one after another, never in parallel
            if self.password is not None and hmac.compare_digest(attempt.encode(), self.password.encode()):
                self.failures = 0
                token = secrets.token_urlsafe(32)
                self.live[token] = time.time()
                return token
            self.failures += 1
            await asyncio.sleep(min(0.5 * 2 ** (self.failures - 1), 8.0))
            return None

    def logout(self, token: str | None) -> None:
        self.live.pop(token or "", None)


def _page(status: int, title: str, message: str) -> HTMLResponse:
    body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>{title}</h1>'
            f'<p class="bad">{message}</p><p><a href="javascript:history.back()">返回</a></p></main></body></html>')
    return HTMLResponse(body, status_code=status)


class Guard:
    """The one middleware in front of every view."""

    def __init__(self, app: Any, sessions: Sessions, loopback_only: bool):
        self.app = app
        self.sessions = sessions
        self.loopback_only = loopback_only

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.loopback_only and not is_loopback(_host_name(headers.get("host", ""))):
            await _page(400, "地址不对", "本工作台只接受本机地址（127.0.0.1 或 localhost）的访问。")(scope, receive, send)
            return
        path = scope["path"]
        session = Request(scope).cookies.get(SESSION_COOKIE)
        logged_in = self.sessions.password is None or self.sessions.valid(session)
        scope.setdefault("state", {})
        scope["state"]["session"] = session if logged_in and self.sessions.password is not None else None
        if not logged_in and not path.startswith(OPEN_PATHS):
            if scope["method"] in SAFE_METHODS:
                await RedirectResponse("/login", status_code=303)(scope, receive, send)
            else:
                await _page(403, "需要登录", "请先登录。")(scope, receive, send)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return

        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > BODY_LIMIT:
            await _too_large()(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > BODY_LIMIT:
                await _too_large()(scope, receive, send)
                return
            if not message.get("more_body"):
                break
        expected = self.sessions.csrf_token(scope["state"]["session"])
        given = headers.get("x-csrf-token") or await _form_token(scope, bytes(body), headers)
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            await _page(403, "请求被拒绝", "这个请求没有带有效的表单令牌（CSRF），什么都没有改动。请刷新页面后再试。")(scope, receive, send)
            return

        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _too_large() -> Response:
    return _page(413, "文件太大", f"上传的文件超过 {UPLOAD_LIMIT // (1024 * 1024)} MB，没有接收，原文件未改动。")


async def _form_token(scope, body: bytes, headers: Headers) -> str | None:
    """The csrf_token field of a url-encoded or multipart form (the body is read again by the view)."""
    ctype = headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get("csrf_token")
        return values[0] if values else None
    if not ctype.startswith("multipart/form-data"):
        return None
    sent = False

    async def once():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(dict(scope), once)
    try:
        form = await request.form(max_part_size=BODY_LIMIT)
    except Exception:  # a malformed body: no token to be found in it
        return None
    try:
        token = form.get("csrf_token")
        return token if isinstance(token, str) else None
    finally:
        await form.close()
