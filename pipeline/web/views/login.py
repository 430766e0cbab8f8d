"""登录: only when the workbench listens beyond this computer (MAKE_NOTICES_PASSWORD is set)."""

from __future__ import annotations

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..security import SESSION_COOKIE
from .base import render, site


class Login(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        if site(request).sessions.password is None:
            return RedirectResponse("/", status_code=303)
        return render(request, "login.html")

    async def post(self, request: Request) -> Response:
        sessions = site(request).sessions
        if sessions.password is None:
            return RedirectResponse("/", status_code=303)
        form = await request.form()
        token = await sessions.login(str(form.get("password", "")))
        if token is None:
            return render(request, "login.html", 401, failed=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response


class Logout(HTTPEndpoint):
    async def post(self, request: Request) -> Response:
        site(request).sessions.logout(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
