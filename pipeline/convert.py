"""DOCX → PDF with LibreOffice headless, fonts mapped by the project's fontconfig file.

Files are converted in batches, one soffice process per job, each with its own profile
(two instances cannot share one); a file missing after its batch is retried on its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from .errors import RunFailed

FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"


def soffice_path() -> str | None:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice"):
        if os.path.exists(candidate):
            return candidate
    return None


def soffice_env() -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    env.setdefault("HOME", tempfile.gettempdir())
    env["SAL_USE_VCLPLUGIN"] = "svp"
    return env


def profile_dir(slot: int) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "make-notices"
    return base / f"lo-profile-{slot}"


def _convert_batch(soffice: str, files: list[Path], outdir: Path, slot: int, timeout: float) -> None:
    profile = profile_dir(slot)
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [soffice, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
           f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf:writer_pdf_Export",
           "--outdir", str(outdir), *map(str, files)]
    try:
        subprocess.run(cmd, env=soffice_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pass  # missing files are retried by the caller


def convert_all(docx_files: list[Path], outdir: Path, jobs: int, progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Convert every file; return the PDFs in the same order. Raise RunFailed if any is missing."""
    soffice = soffice_path()
    if soffice is None:
        raise RunFailed("LibreOffice (soffice) is not installed: run ./setup.sh, or use --no-pdf for DOCX only")
    outdir.mkdir(parents=True, exist_ok=True)
    pdfs = [outdir / (f.stem + ".pdf") for f in docx_files]
    jobs = max(1, min(jobs, len(docx_files)))
    batches = [docx_files[i::jobs] for i in range(jobs)]
    done = 0

    def report() -> None:
        nonlocal done
        now = sum(1 for p in pdfs if p.exists())
        if progress and now != done:
            done = now
            progress(done, len(pdfs))

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_convert_batch, soffice, batch, outdir, slot, 120 + 10 * len(batch)) for slot, batch in enumerate(batches) if batch]
        while not all(f.done() for f in futures):
            time.sleep(0.3)
            report()
        for f in futures:
            f.result()
    for attempt in range(2):
        missing = [f for f, p in zip(docx_files, pdfs) if not p.exists() or p.stat().st_size == 0]
        if not missing:
            break
        for f in missing:
            _convert_batch(soffice, [f], outdir, 0, 120)
    report()
    missing = [f.name for f, p in zip(docx_files, pdfs) if not p.exists() or p.stat().st_size == 0]
    if missing:
        raise RunFailed(f"LibreOffice did not convert {len(missing)} document(s) to PDF: {', '.join(missing[:5])}")
    return pdfs
