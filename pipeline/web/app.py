"""The workbench's one application object: the office, its run, the routes and the guard."""

from __future__ import annotations

import contextlib
import os
import threading
import webbrowser
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..config import Config, load_config
from ..errors import BadInput, Problem
from ..output.convert import ConverterPool
from .runner import Runner
from .security import Guard, Sessions, is_loopback
from .views import base, cases, data, dispatch, login, month, periodic, register, run, templates

HERE = Path(__file__).resolve().parent
PASSWORD_ENV = "MAKE_NOTICES_PASSWORD"


class Site:
    """One office served: its config (read afresh for every request), its run, its sessions."""

    def __init__(self, config_path: Path, password: str | None):
        self.config_path = config_path.resolve()
        self.sessions = Sessions(password)
        self.runner = Runner()
        self.scratch = base.scratch("web")  # page pictures and zips, removed with the server
        self.batches: dict[str, Path] = {}  # returned 调度表 checked, waiting to be applied
        self.pool: ConverterPool | None = None  # the LibreOffice pool kept warm between runs
        self.pool_lock = threading.Lock()

    def config(self) -> Config:
        return load_config(self.config_path)

    def warm_pool(self, jobs: int | None) -> ConverterPool:
        """The site's LibreOffice pool: opened at the first run, kept warm until the server stops
        (build.monthly and build.cases only submit to it)."""
        with self.pool_lock:
            if self.pool is None:
                self.pool = ConverterPool(jobs or os.cpu_count() or 1).__enter__()
            return self.pool

    def close(self) -> None:
        with self.pool_lock:
            if self.pool is not None:
                self.pool.__exit__(None, None, None)
                self.pool = None
        base.remove(self.scratch)


def routes() -> list:
    return [
        Route("/", month.MonthPage),
        Route("/data", data.DataPage),
        Route("/data/upload", data.DataUpload),
        Route("/data/file/{slot:path}", data.download),
        Route("/run", run.RunPage),
        Route("/run/state", run.run_state),
        Route("/run/events", run.run_events),
        Route("/out/{label}/pages/{name:path}", run.pages),
        Route("/preview/{label}/{name:path}", run.preview),
        Route("/download/{label}/{name:path}", run.download),
        Route("/zip/{label}", run.download_zip),
        Route("/register", register.RegisterPage),
        Route("/register/void", register.VoidNumber),
        Route("/register/receipt", register.RecordReceipt),
        Route("/dispatch", dispatch.DispatchPage),
        Route("/dispatch/make", dispatch.MakeDispatch),
        Route("/dispatch/collect", dispatch.CollectReplies),
        Route("/templates", templates.TemplatesPage),
        Route("/templates/upload", templates.TemplateUpload),
        Route("/templates/file/{kind}", templates.download),
        Route("/cases", cases.CasesPage),
        Route("/periodic", periodic.PeriodicPage),
        Route("/periodic/quarterly", periodic.StartQuarterly),
        Route("/periodic/interview", periodic.StartInterview),
        Route("/periodic/tasklist", periodic.StartTasklist),
        Route("/login", login.Login),
        Route("/logout", login.Logout),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def create_app(config_path: Path, password: str | None = None, loopback_only: bool = True) -> Starlette:
    """The workbench for the office of config_path; with a password every page asks for it."""
    site = Site(config_path, password)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        site.close()

    app = Starlette(routes=routes(), middleware=[Middleware(Guard, sessions=site.sessions, loopback_only=loopback_only)],
                    lifespan=lifespan)
    app.state.site = site
    return app


def check_address(host: str, password: str | None) -> None:
    """Beyond this computer only with a password: refuse to start otherwise."""
    if not is_loopback(host) and not password:
        raise BadInput(Problem("--host", f"{host} can be reached from other computers: set {PASSWORD_ENV} "
                                         "(a password every page will ask for), or leave --host at 127.0.0.1"))


def serve(config_path: Path, host: str = "127.0.0.1", port: int = 8750, open_browser: bool = False,
          echo=print) -> None:
    """Serve the office until interrupted (Ctrl+C)."""
    import uvicorn

    password = os.environ.get(PASSWORD_ENV) or None
    check_address(host, password)
    load_config(config_path)  # a broken config is reported now, not on the first page
    app = create_app(config_path, password, loopback_only=is_loopback(host))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    echo(f"make-notices workbench for {config_path}: open {url} (Ctrl+C stops it)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
