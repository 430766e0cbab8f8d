"""DOCX → PDF with LibreOffice headless, fonts mapped by the project's fontconfig file.

A pool of LibreOffice instances is kept warm (one per job, each with its own profile and
pipe, driven through UNO by pipeline/output/uno_worker.py): documents are fed to it as they are
rendered, with no process start per document. An instance is restarted after
`RESTART_AFTER` documents, and when it crashes or hangs; the document it was converting is
retried, so a crash costs a retry, never a lost or half-written PDF. Where LibreOffice's
Python bridge is missing, files are converted in batches by `soffice --convert-to`.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from ..errors import RunFailed
from ..private import cache_home
from .reproducible import normalise_file

FONTS_CONF = Path(__file__).resolve().parent.parent / "fonts" / "fonts.conf"
WORKER = Path(__file__).resolve().parent / "uno_worker.py"
RESTART_AFTER = 1000  # documents per instance: a safety bound (its caches are capped: pipeline/output/uno_worker.py SETTINGS)
TIMEOUT = 120.0  # seconds for one document before the instance is taken for hung
START_TIMEOUT = 120.0
ATTEMPTS = 3
CHECKS = 8  # conversions of a document after its first whole one, while its after-hook changes it


def soffice_path() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


@lru_cache(maxsize=1)
def uno_python() -> str | None:
    """A Python that can import LibreOffice's uno module (Debian: python3-uno for /usr/bin/python3)."""
    for candidate in ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", shutil.which("python3") or ""):
        if candidate and os.path.exists(candidate):
            try:
                if subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30).returncode == 0:
                    return candidate
            except (OSError, subprocess.TimeoutExpired):
                continue
    return None


def soffice_env() -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env.setdefault("HOME", tempfile.gettempdir())
    env["SAL_USE_VCLPLUGIN"] = "svp"
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    return env


class Profile:
    """A LibreOffice profile folder held with a lock: two instances never share one."""

    def __init__(self) -> None:
        base = cache_home()
        base.mkdir(parents=True, exist_ok=True)
        for slot in range(256):
            lock = open(base / f"lo-profile-{slot}.lock", "w")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                lock.close()
                continue
            self.lock = lock
            self.path = base / f"lo-profile-{slot}"
            return
        raise RunFailed(f"no free LibreOffice profile slot in {base}")

    @property
    def uri(self) -> str:
        return self.path.as_uri()

    def release(self) -> None:
        self.lock.close()


class Worker:
    """One warm LibreOffice instance behind pipeline/output/uno_worker.py."""

    def __init__(self, soffice: str, python: str):
        self.profile = Profile()
        self.proc = subprocess.Popen([python, str(WORKER), soffice, self.profile.uri], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=soffice_env(),
                                     start_new_session=True, text=True, bufsize=1)
        self.done = 0
        answer = self._answer(START_TIMEOUT)
        if not answer.get("ready"):
            self.kill()
            raise RunFailed(f"LibreOffice did not start: {answer.get('error', 'no answer')}")
        self.soffice_pid = answer.get("pid")

    def _answer(self, timeout: float) -> dict:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("LibreOffice did not answer in time")
        line = self.proc.stdout.readline()
        if not line:
            raise EOFError("LibreOffice stopped")
        return json.loads(line)

    def convert(self, src: Path, dest: Path, timeout: float = TIMEOUT, last_page: bool = False) -> int:
        """Convert; return the document's page count (the PDF holds only the last one if last_page)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"in": str(src), "out": str(dest), "last_page": last_page}) + "\n")
        self.proc.stdin.flush()
        answer = self._answer(timeout)
        self.done += 1
        if not answer.get("ok"):
            raise RuntimeError(answer.get("error", "conversion failed"))
        return int(answer.get("pages") or 0)

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self.profile.release()

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(30)
        except (subprocess.TimeoutExpired, OSError):
            pass
        self.kill()


@dataclass
class _Job:
    """A document on its way through the pool. With `after` (a 版记 to place) it goes
    first look (last page) → measure → whole → check (→ again and check, while the check changes
    it, at most CHECKS times). A first look that changes nothing on a one-page document is the PDF."""

    src: Path
    dest: Path
    future: Future
    after: Callable[[Path, Path, int], bool] | None
    stamp: str | None = None
    step: str = "first"
    pages: int = 0
    checks: int = 0
    attempts: int = 0
    error: Exception | None = None


class ConverterPool:
    """Convert documents as they are submitted, on `jobs` warm LibreOffice instances.

    Measuring a PDF and changing its DOCX (`after`) happens on a thread of its own, so an
    instance converts the next document meanwhile; a document in flight goes before new ones.
    Every PDF it delivers is normalised (pipeline/output/reproducible.py): the same DOCX gives
    the same bytes, whichever instance converted it and whatever it converted before.

    A pool may serve several runs (the workbench keeps one open, so its instances stay warm):
    `converted` counts the documents it has delivered, and a document whose future is
    cancelled before an instance takes it is skipped."""

    def __init__(self, jobs: int, progress: Callable[[int, int], None] | None = None):
        self.soffice = soffice_path()
        if self.soffice is None:
            raise RunFailed("LibreOffice (soffice) is not installed: run ./setup.sh, or use --no-pdf for DOCX only")
        self.python = uno_python()
        self.jobs = max(1, jobs)
        self.progress = progress
        self.queue: queue.PriorityQueue = queue.PriorityQueue()  # (0 in flight / 1 new / 2 stop, order, job)
        self.measures: queue.Queue = queue.Queue()
        self.order = itertools.count()
        self.submitted = 0
        self.finished = 0
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.workers: list[Worker | None] = [None] * self.jobs
        self.restarts = 0
        self.converted = 0  # documents delivered (each counted once, however many passes it took)

    def __enter__(self) -> "ConverterPool":
        for i in range(self.jobs):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self.threads.append(t)
        self.measurer = threading.Thread(target=self._measure, daemon=True)
        self.measurer.start()
        return self

    def submit(self, src: Path, dest: Path, after: Callable[[Path, Path, int], bool] | None = None,
               stamp: str | None = None) -> Future:
        """Convert src to dest. With `after`, src is first converted to its last page only and
        `after(src, pdf, number of that page)` measures it and may change src (the 版记 placed); then
        src is converted whole, and `after(src, pdf, 1)` checks it: while it changes src, again (at most
        CHECKS times). When the first look changes nothing and the document has one page, that is the PDF.
        `stamp` is the PDF's creation date (a PDF date string; LibreOffice's clock when None)."""
        future: Future = Future()
        with self.lock:
            self.submitted += 1
        self.queue.put((1, next(self.order), _Job(Path(src).resolve(), Path(dest).resolve(), future, after, stamp)))
        return future

    def _run(self, slot: int) -> None:
        while True:
            _, _, job = self.queue.get()
            if job is None:
                break
            if job.future.cancelled():  # its run has stopped
                continue
            try:
                if job.after is None:
                    self._convert(slot, job.src, job.dest, stamp=job.stamp)
                    self._done(job)
                elif job.step == "first":
                    job.pages = self._convert(slot, job.src, job.dest, last_page=True, stamp=job.stamp)
                    self.measures.put(job)
                else:  # whole, or again after a check changed it
                    self._convert(slot, job.src, job.dest, stamp=job.stamp)
                    job.step = "check"
                    self.measures.put(job)
            except Exception as exc:  # crashed, hung or refused: a new instance, then retry
                worker = self.workers[slot]
                if worker is not None:
                    worker.kill()
                    self.workers[slot] = None
                    self.restarts += 1
                self._retry(job, exc)

    def _measure(self) -> None:
        while True:
            job = self.measures.get()
            if job is None:
                break
            try:
                if job.step == "first":
                    changed = job.after(job.src, job.dest, job.pages or 1)
                    if not changed and job.pages == 1:  # the first look was the whole document
                        normalise_file(job.dest, job.stamp)
                        self._done(job)
                        continue
                    job.step = "whole"
                    self.queue.put((0, next(self.order), job))
                elif job.checks < CHECKS and job.after(job.src, job.dest, 1):  # changed: convert and check again
                    job.checks += 1
                    job.step = "again"
                    self.queue.put((0, next(self.order), job))
                else:
                    self._done(job)
            except Exception as exc:
                self._retry(job, exc)

    def _retry(self, job: _Job, exc: Exception) -> None:
        job.attempts += 1
        job.error = exc
        if job.attempts < ATTEMPTS:
            job.step = "first"
            self.queue.put((0, next(self.order), job))
        else:
            self._done(job)

    def _done(self, job: _Job) -> None:
        with self.lock:
            self.finished += 1
            done, total = self.finished, self.submitted
            ok = job.attempts < ATTEMPTS and job.dest.exists()
            self.converted += ok
        if job.future.set_running_or_notify_cancel():
            if ok:
                job.future.set_result(job.dest)
            else:
                job.future.set_exception(RunFailed(f"LibreOffice could not convert {job.src.name}: {job.error}"))
        if self.progress:
            self.progress(done, total)

    def _convert(self, slot: int, src: Path, dest: Path, last_page: bool = False, stamp: str | None = None) -> int:
        """Page count, or 0 when not known (the whole document is then in dest, normalised)."""
        if self.python is None:  # no UNO bridge: one soffice --convert-to per call, the whole document
            _convert_batch(self.soffice, [src], dest.parent, TIMEOUT)
            if not dest.exists():
                raise RuntimeError("soffice --convert-to wrote nothing")
            normalise_file(dest, stamp)
            return 0
        worker = self.workers[slot]
        if worker is not None and worker.done >= RESTART_AFTER:
            worker.close()
            worker = self.workers[slot] = None
        if worker is None:
            worker = self.workers[slot] = Worker(self.soffice, self.python)
        pages = worker.convert(src, dest, last_page=last_page)
        if not last_page:
            normalise_file(dest, stamp)
        return pages

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:  # the run failed: what waits is not converted (its futures cancelled)
            while True:
                try:
                    _, _, job = self.queue.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job.future.cancel()
        for _ in self.threads:
            self.queue.put((2, next(self.order), None))
        for t in self.threads:
            t.join()
        self.measures.put(None)
        self.measurer.join()
        for w in self.workers:
            if w is not None:
                w.close()


def _convert_batch(soffice: str, files: list[Path], outdir: Path, timeout: float) -> None:
    profile = Profile()
    try:
        cmd = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.uri}", "--convert-to", "pdf:writer_pdf_Export",
               "--outdir", str(outdir), *map(str, files)]
        try:
            subprocess.run(cmd, env=soffice_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=timeout, check=False, start_new_session=True)
        except subprocess.TimeoutExpired:
            pass  # what is missing is reported by the caller
    finally:
        profile.release()


def convert_all(docx_files: list[Path], outdir: Path, jobs: int, progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Convert every file; return the PDFs in the same order. Raise RunFailed if any fails."""
    outdir.mkdir(parents=True, exist_ok=True)
    with ConverterPool(min(jobs, max(1, len(docx_files))), progress) as pool:
        futures = [pool.submit(f, outdir / (f.stem + ".pdf")) for f in docx_files]
        return wait_all(futures)


def wait_all(futures: list[Future]) -> list[Path]:
    return [path for _, path in as_converted(futures)]


def as_converted(futures: list[Future]) -> Iterator[tuple[int, Path]]:
    """(index, PDF) in submission order, each as soon as it is ready; RunFailed at the end,
    naming every document that failed."""
    failed = []
    for i, f in enumerate(futures):
        try:
            yield i, f.result()
        except RunFailed as exc:
            failed.append(str(exc))
    if failed:
        raise RunFailed(f"{len(failed)} document(s) not converted to PDF: " + "; ".join(failed[:3]))
