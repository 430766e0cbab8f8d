"""The conversion cache: a document converted once is not converted again while nothing that
makes its PDF has changed.

An entry is keyed by the SHA-256 of everything that decides the PDF and the delivered DOCX:
- the rendered DOCX's bytes (rendering is reproducible: fixed zip times);
- the fonts: pipeline/fonts/fonts.conf and every font file fontconfig sees through it (path,
  size, modification time);
- the code that converts, measures and places the 版记 (the source of pipeline/documents/layout.py,
  pipeline/output/convert.py, uno_worker.py, reproducible.py and of the `after` step's module);
- the LibreOffice installation (versionrc and its program files' size and time);
- the PDF's creation-date stamp.
It holds the PDF, the DOCX as the 版记 placement left it, and a record with both files' SHA-256:
an entry whose files do not match its record is damaged, dropped, and made again.

The cache lives in the output root (out/.cache/pdf/), one folder per key prefix. Its size is
bounded (`pdf.cache_mb`): after a run the entries used least recently are removed until it fits.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import convert

_HERE = Path(__file__).resolve().parent
CODE = (_HERE.parent / "documents" / "layout.py", _HERE / "convert.py", _HERE / "uno_worker.py", _HERE / "reproducible.py")


@dataclass
class Entry:
    docx: bytes
    pdf: bytes


def libreoffice_version() -> str:
    """The installed LibreOffice: its versionrc (build id) with the size and time of its program
    files, which an upgrade replaces; where there is no versionrc, `soffice --version` (starting
    soffice only to ask costs ~0.1 s, seconds on a loaded machine)."""
    soffice = convert.soffice_path()
    if soffice is None:
        return "none"
    real = os.path.realpath(soffice)
    program = Path(real).parent
    rc = program / "versionrc"
    if rc.is_file():
        h = hashlib.sha256(rc.read_bytes())
        for name in ("soffice.bin", "libmergedlo.so", "libsofficeapp.so"):
            try:
                st = (program / name).stat()
            except OSError:
                continue
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        return f"{program} {h.hexdigest()}"
    st = os.stat(real)
    return _version(real, st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _version(soffice: str, size: int, mtime: int) -> str:
    try:
        done = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=60,
                              env=convert.soffice_env())
        return done.stdout.strip() or f"{soffice} {size} {mtime}"
    except (OSError, subprocess.SubprocessError):
        return f"{soffice} {size} {mtime}"


def fonts_fingerprint(conf: Path | None = None) -> str:
    """SHA-256 of the fontconfig file and of every font file it makes visible (path, size, time)."""
    conf = conf or convert.FONTS_CONF
    h = hashlib.sha256(conf.read_bytes())
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, FONTCONFIG_FILE=str(conf))).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    for path in sorted(set(listed.split("\n")) - {""}):
        try:
            st = os.stat(path)
        except OSError:
            continue
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@lru_cache(maxsize=16)
def _module_hash(fn: Callable | None) -> str:
    """SHA-256 of the source file of an after-conversion step (whatever module it lives in)."""
    import inspect

    if fn is None:
        return ""
    try:
        return hashlib.sha256(Path(inspect.getsourcefile(fn) or "").read_bytes()).hexdigest()
    except (OSError, TypeError):
        return ""


def code_fingerprint(extra: tuple[Path, ...] = ()) -> str:
    h = hashlib.sha256()
    for path in sorted({*CODE, *extra}):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def environment(after: tuple[Callable, ...] = ()) -> str:
    """The part of every key that is not the document: fonts, code, LibreOffice."""
    import inspect

    modules = tuple(Path(inspect.getsourcefile(fn) or "") for fn in after if fn is not None)
    parts = {"libreoffice": libreoffice_version(), "fonts": fonts_fingerprint(),
             "code": code_fingerprint(tuple(p for p in modules if p.is_file()))}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class ConversionCache:
    """PDFs and finished DOCX files by the content that makes them (see the module docstring)."""

    def __init__(self, folder: Path, limit_mb: int, environment: str):
        self.folder = folder
        self.limit = limit_mb * 2**20
        self.environment = environment
        self.hits = 0
        self.damaged = 0
        self.stored = 0

    def key(self, docx: bytes, stamp: str | None, after: Callable | None) -> str:
        h = hashlib.sha256(self.environment.encode())
        h.update(f"\0{stamp}\0{getattr(after, '__qualname__', None)}\0{_module_hash(after)}\0".encode())
        h.update(docx)
        return h.hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path, Path]:
        base = self.folder / key[:2] / key
        return base.with_suffix(".json"), base.with_suffix(".pdf"), base.with_suffix(".docx")

    def get(self, key: str) -> Entry | None:
        """The entry, checked against its record; None if absent or damaged (a damaged one is removed)."""
        record, pdf, docx = self._paths(key)
        try:
            meta = json.loads(record.read_text(encoding="utf-8"))
            entry = Entry(docx.read_bytes(), pdf.read_bytes())
        except FileNotFoundError:
            if record.exists():  # a record without its files
                self._drop(key)
                self.damaged += 1
            return None
        except (OSError, ValueError):
            self._drop(key)
            self.damaged += 1
            return None
        if meta.get("pdf") != hashlib.sha256(entry.pdf).hexdigest() or meta.get("docx") != hashlib.sha256(entry.docx).hexdigest():
            self._drop(key)
            self.damaged += 1
            return None
        try:
            os.utime(record)  # least recently used goes first
        except OSError:
            pass
        self.hits += 1
        return entry

    def deliver(self, key: str, entry: Entry, docx: Path, pdf: Path) -> None:
        """Put an entry's files at docx and pdf: hard links to the cache's files where the file
        system allows (nothing copied; a delivered file changed in place shows as a damaged entry
        next time, and is converted again), else copies."""
        _, cached_pdf, cached_docx = self._paths(key)
        for src, dest, data in ((cached_docx, docx, entry.docx), (cached_pdf, pdf, entry.pdf)):
            part = dest.with_name(dest.name + ".link")
            try:
                os.link(src, part)
                os.replace(part, dest)
            except OSError:
                part.unlink(missing_ok=True)
                dest.write_bytes(data)

    def put(self, key: str, docx: bytes, pdf: bytes) -> None:
        """Store an entry: the files first, then the record that vouches for them (each written
        beside and moved into place, so a stopped run leaves no entry that looks whole)."""
        record, pdf_path, docx_path = self._paths(key)
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            for path, data in ((pdf_path, pdf), (docx_path, docx)):
                part = path.with_name(path.name + f".{os.getpid()}.part")
                part.write_bytes(data)
                os.replace(part, path)
            meta = {"pdf": hashlib.sha256(pdf).hexdigest(), "docx": hashlib.sha256(docx).hexdigest(),
                    "size": len(pdf) + len(docx)}
            part = record.with_name(record.name + f".{os.getpid()}.part")
            part.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(part, record)
            self.stored += 1
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _drop(self, key: str) -> None:
        for path in self._paths(key):
            try:
                path.unlink()
            except OSError:
                pass

    def evict(self) -> int:
        """Remove the least recently used entries until the cache fits its bound; return how many."""
        entries = []
        total = 0
        for record in self.folder.glob("*/*.json"):
            try:
                st = record.stat()
                size = json.loads(record.read_text(encoding="utf-8")).get("size", 0) + st.st_size
            except (OSError, ValueError):
                continue
            entries.append((st.st_mtime_ns, size, record.stem))
            total += size
        removed = 0
        for _, size, key in sorted(entries):
            if total <= self.limit:
                break
            self._drop(key)
            total -= size
            removed += 1
        return removed

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Keep:
    """Small results kept between runs beside the conversion cache (out/.cache/): the split of every
    long title (jieba's dictionary takes ~1 s to load), the ranking charts (matplotlib ~2 s) and the
    fingerprints of template checks that passed (a trial render of every kind, ~0.5 s).
    Each is keyed by what makes it, the code included; used with --no-pdf too, and not with --no-cache."""

    TITLES_KEPT = 20_000

    def __init__(self, folder: Path):
        self.folder = folder
        self.titles_path = folder / f"titles-{_titles_version()}.json"
        self.loaded: set = set()
        self.pending: list[tuple[Path, bytes]] = []
        self.checks_path = folder / "checked.json"
        try:
            self.checked: set[str] = set(json.loads(self.checks_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            self.checked = set()
        self.checks_loaded = set(self.checked)

    def load_titles(self) -> None:
        from ..documents import layout

        try:
            rows = json.loads(self.titles_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            rows = []
        for row in rows:
            if isinstance(row, list) and len(row) == 3:
                layout.KNOWN_TITLES.setdefault((row[0], row[1]), tuple(row[2]))
                self.loaded.add((row[0], row[1]))

    def save(self) -> None:
        """Write what this run added (called once the run has succeeded)."""
        from ..documents import layout

        try:
            for path, data in self.pending:
                _write(path, data)
            if self.checked != self.checks_loaded:
                _write(self.checks_path, json.dumps(sorted(self.checked)[-1000:]).encode())
            if not set(layout.KNOWN_TITLES) <= self.loaded:
                rows = [[text, chars, list(lines)] for (text, chars), lines in layout.KNOWN_TITLES.items()]
                _write(self.titles_path, json.dumps(rows[-self.TITLES_KEPT:], ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # only costs time next run
        self.pending.clear()

    def chart(self, what: str, make: Callable[[Path], Path], dest: Path) -> Path:
        """The chart for `what` (its data and title) at dest: copied from the cache, or made by
        make(dest) and kept (written by save)."""
        key = hashlib.sha256(f"{_chart_version()}\0{what}".encode()).hexdigest()
        kept = self.folder / "charts" / f"{key}.png"
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(kept, dest)
            return dest
        except OSError:
            pass
        make(dest)
        self.pending.append((kept, dest.read_bytes()))
        return dest


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + f".{os.getpid()}.part")
    part.write_bytes(data)
    os.replace(part, path)


def _package(name: str) -> str:
    """The installed version of a distribution ("none" if it is not installed), read from the name
    of its .dist-info folder on sys.path, as importlib.metadata finds it (whose import alone takes
    longer than a re-run's reading of its titles)."""
    import sys

    for entry in sys.path:
        try:
            found = sorted(Path(entry or ".").glob(f"{name}-*.dist-info"))
        except OSError:
            continue
        if found:
            return found[0].name[len(name) + 1:-len(".dist-info")]
    return "none"


@lru_cache(maxsize=1)
def _titles_version() -> str:
    layout = _HERE.parent / "documents" / "layout.py"
    return hashlib.sha256(layout.read_bytes() + _package("jieba").encode()).hexdigest()[:16]


@lru_cache(maxsize=None)  # once a run: the fonts do not change under it
def _chart_version() -> str:
    chart = _HERE.parent / "documents" / "chart.py"
    return hashlib.sha256(chart.read_bytes() + _package("matplotlib").encode() + fonts_fingerprint().encode()).hexdigest()
