"""The monthly run: read → plan → number → render → convert → assemble → move into place.

Everything is decided in memory first; the output folder is built beside its final place
and moved there whole, and the register's transaction commits only when it is complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import itertools
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from concurrent.futures import Future

from .output import assemble
from .documents import layout
from . import plan
from .config import Config
from .documents.context import build_context
from .output.cache import ConversionCache, Keep, environment
from .output.convert import ConverterPool, as_converted
from .output.reproducible import pdf_date
from .errors import RunFailed
from .model import Decision, Issued, Kind, Numbered
from .periodic.proposals import find_proposals, interview_decisions, proposal_rows, with_numbers
from .rules.escalation import order_decisions
from .register.store import open_register
from .loop import receipts
from .documents.examples import MONTHLY, example_contexts
from .documents.render import Renderer
from .sources import read_office

Progress = Callable[[str, int, int], None]
MONTHLY_KINDS = [k.value for k in MONTHLY]
SLIP_KINDS = (Kind.REMINDER, Kind.ASSIGNMENT, Kind.URGING, Kind.ORDER, Kind.FINDING_URGING)

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\u200e\u200f\u202a-\u202e]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(stem: str, suffix: str, limit: int = 120) -> str:
    """A file name that stays inside its folder and is valid on Windows too."""
    name = _UNSAFE.sub("_", stem).strip(" .")
    name = name.replace("..", "_")
    if len(name) > limit:
        name = name[:limit].rstrip(" .")
    while len(name.encode("utf-8")) > 180:  # file systems count bytes (255 at most)
        name = name[:-1].rstrip(" .")
    if not name or name.split(".")[0].upper() in _RESERVED:
        name = f"_{name}"
    return name + suffix


@dataclass
class Summary:
    month: str
    as_of: dt.date
    out: Path | None
    made: list[assemble.Made] = field(default_factory=list)
    planned: list[tuple[str, str, str]] = field(default_factory=list)  # (kind name, doc_no, recipient)
    decisions: list[Decision] = field(default_factory=list)  # the same documents, with the rules' reasons
    dry_run: bool = False
    bundle_pages: int | None = None
    notes: list[str] = field(default_factory=list)
    converted: int = 0  # documents LibreOffice converted in this run
    reused: int = 0  # documents whose PDF came from the conversion cache
    receipts: str | None = None  # the year's 签收/反馈 figures, one line (a monthly run)
    proposals: list = field(default_factory=list)  # 约谈建议 (pipeline.rules.interview.Proposal)
    figures: object = None  # a 季度通报's figures (pipeline.rules.quarterly.QuarterFigures)

    def counts(self) -> Counter:
        return Counter(kind for kind, _, _ in self.planned)


def month_of(text: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        from .errors import BadInput, Problem

        raise BadInput(Problem("--month", f'"{text}" is not a month (use 2026-11)'))
    return text


def monthly(config: Config, month: str, as_of: dt.date, *, dry_run: bool = False, pdf: bool = True,
            jobs: int | None = None, progress: Progress | None = None, cache: bool = True,
            pool: ConverterPool | None = None) -> Summary:
    """Make the month's documents. Raises BadInput (exit 2) or RunFailed (exit 1).

    `cache`: reuse the PDFs of documents converted before with the same content, fonts, code and
    LibreOffice (out/.cache/pdf/, pipeline/output/cache.py); False converts every document.
    `pool`: a ConverterPool the caller has opened (entered) and will close, such as the
    workbench's, kept warm across runs; this run only submits to it (`jobs` is then unused) and
    cancels what it submitted if it fails. Without one, the run opens its own pool when the
    first document needs converting and closes it at the end."""
    if not dry_run:
        from .loop.collect import recover

        recover(config)  # an interrupted collect --apply is completed before the ledger is read
    office = read_office(config, month)
    register = open_register(config.register_url)
    run = f"{month}@{as_of.isoformat()}"
    history = plan.merged_history(register.history(exclude_run=run), office.history)
    decisions = plan.decide(office, history, as_of, month, config)
    # 约谈建议: this run's orders count too (their numbers are filled in once taken)
    run_orders = [Issued(Kind.ORDER, d.subject, d.unit.name, "", as_of) for d in decisions if d.kind == Kind.ORDER]
    proposals = find_proposals(config, office, history, month, as_of, run_orders)
    kinds = list(MONTHLY_KINDS)
    if config.interview.auto and proposals:
        decisions = order_decisions(decisions + interview_decisions(proposals, office))
        kinds.append(Kind.INTERVIEW.value)
    requests = plan.requests(decisions, config, as_of, month)
    keep = _keep(config, cache) if not dry_run else None
    renderer = Renderer(config.templates_dir)
    renderer.load(kinds, example_contexts(config), keep.checked if keep else None)  # every kind, used this month or not
    summary = Summary(month, as_of, None, dry_run=dry_run, decisions=decisions)
    if office.scores is None:
        summary.notes.append(f"no scores file for {month} (data/scores/{month}.xlsx): no ranking bulletin this month")

    def order_numbers(numbers: dict[str, tuple[str, int]]) -> dict[str, str]:
        return {d.subject: numbers[r.key][0] for d, r in zip(decisions, requests) if d.kind == Kind.ORDER}

    if dry_run:
        numbers = register.preview(run, requests, office.history)
        summary.planned = [(config.kind_name(d.kind), numbers[r.key][0], d.unit.name) for d, r in zip(decisions, requests)]
        summary.proposals = with_numbers(proposals, order_numbers(numbers))
        return summary

    with _output(config.out_dir, month) as output:
        with register.issue(run, requests, office.history) as numbers:
            numbered = [Numbered(d, numbers[r.key][0], r.series, numbers[r.key][1]) for d, r in zip(decisions, requests)]
            summary.planned = [(config.kind_name(n.decision.kind), n.doc_no, n.decision.unit.name) for n in numbered]

            @functools.cache
            def figures() -> receipts.Statistics:
                """The year's 签收/反馈 with this run's documents (worked out where they are needed:
                without PDFs, the second process works them out for its sheet, this one for the bulletin)."""
                pending = receipts.pending_entries(run, requests, numbers, office.history)
                return receipts.statistics(config, as_of.year, as_of, pending=pending, run=run)

            def bulletin() -> None:
                """The 签收 figures in the summary, and in the ranking bulletin where it shows them."""
                stats = figures()
                summary.receipts = stats.line()
                if config.ranking.reply_figures:
                    shorts = {u.name: u.short for u in office.units}
                    for n in numbered:
                        if n.decision.kind == Kind.RANKING:
                            n.decision.facts["receipts"] = receipts.bulletin_figures(stats, shorts)

            summary.proposals = with_numbers(proposals, order_numbers(numbers))
            made_notices = {n.decision.unit.name: n.doc_no for n in numbered if n.decision.kind == Kind.INTERVIEW}
            work = output.make()
            maker = _DocumentMaker(numbered, config, as_of, renderer, work, keep, previous=None if pdf else output.final)

            def sheets() -> None:
                """The sheets that need no PDF: written while the last documents convert."""
                ranking = next((n.decision.facts["ranking"] for n in numbered if n.decision.kind == Kind.RANKING), None)
                if ranking is not None:
                    assemble.ranking_sheet(ranking, work / "排名表.xlsx", f"{month[:4]}年{int(month[5:])}月份全面深化改革工作排名")
                receipts.write_sheet(figures(), work / "签收反馈.xlsx", config.office.short)
                if office.findings:
                    assemble.rectification_ledger(_ledger_rows(office.findings, history, numbered, as_of), work / "整改台账.xlsx",
                                                  f"{config.office.short}督察问题整改台账（截至{as_of.year}年{as_of.month}月{as_of.day}日）")

            seal = functools.partial(assemble.seal_register, dest=work / "用印登记表.xlsx",
                                     heading=f"{config.office.short}{month[:4]}年{int(month[5:])}月用印登记表",
                                     proposals=proposal_rows(summary.proposals, made_notices))
            if pdf:  # the sheets are written while the last documents convert
                bulletin()
                made, summary.bundle_pages = _make(numbered, config, as_of, month, renderer, work, pdf, jobs, progress, sheets,
                                                   cache=_open_cache(config, cache), pool=pool, summary=summary, keep=keep,
                                                   maker=maker)
                seal(made)
            else:  # a share of the documents and the sheets on the second core
                made = _render_beside(numbered, maker, sheets, seal, progress, first=bulletin)
            if keep is not None:
                keep.save()
            summary.made = made
            assemble.write_manifest(made, work / "manifest.json", month, as_of.isoformat())
    summary.out = output.final
    return summary


SECOND_FIRST = 0  # documents the second process renders before its sheets (tests set more, to be sure it renders some)


_KEPT: list[BaseException] = []  # a forked child's exception, kept until it leaves by os._exit


def _can_fork() -> bool:
    """Forking is only safe in a process with one thread (the workbench serves from threads)."""
    import threading

    return hasattr(os, "fork") and threading.active_count() == 1


class _Child:
    """`work()` run by a forked process while this one goes on; result() waits for it and gives
    what work returned (pickled back), or raises its exception. Used as a context manager, it
    ends the process when the block fails before result(). The child only writes files of the
    run's work folder and leaves by os._exit: it touches neither the register's connection nor
    stdout. Fork only where _can_fork()."""

    def __init__(self, work: Callable[[], object]):
        import gc
        import pickle

        self.done = False
        self.read, write = os.pipe()
        # what both processes hold is put out of the collector's reach until the child is done: a
        # collection would write to every object it walks, and each page written is copied
        # (copy-on-write) for one process or the other (~0.1 s of CPU a --no-pdf month)
        gc.freeze()
        try:
            self.pid = os.fork()
        except OSError:
            gc.unfreeze()
            os.close(self.read)
            os.close(write)
            raise
        if self.pid == 0:  # the child
            code = 0
            try:
                os.close(self.read)
                data = pickle.dumps((True, work()))
            except BaseException as exc:
                code = 1
                _KEPT.append(exc)  # to the end: its frames' half-written files are never collected (and closed)
                try:
                    data = pickle.dumps((False, exc))
                except Exception:
                    data = pickle.dumps((False, RunFailed(f"the run's second process failed: {exc!r}")))
            try:
                with os.fdopen(write, "wb") as fh:
                    fh.write(data)
            finally:
                os._exit(code)
        os.close(write)

    def __enter__(self) -> _Child:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.kill()

    def result(self):
        import gc
        import pickle

        self.done = True
        gc.unfreeze()
        with os.fdopen(self.read, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(self.pid, 0)
        if not data:
            raise RunFailed(f"the run's second process ended with status {status} before it was done")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def kill(self) -> None:
        """End the process (once; not after result(), whose wait has reaped it)."""
        import gc
        import signal

        if self.done:
            return
        self.done = True
        gc.unfreeze()
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.read)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)


class _Claims:
    """The documents two processes share, each taken by whichever process comes to it first: one
    process takes them from the front, the other from the back, and every taking is a byte read
    from a pipe filled with one byte a document before the fork (a read of one byte is atomic, and
    an empty pipe whose writers are closed reads as the end), so each is taken exactly once and
    both processes finish at about the same time, whatever the documents cost."""

    MOST = 65536  # bytes a pipe holds by default: documents past these are left to the front's taker

    def __init__(self, count: int):
        self.read, write = os.pipe()
        try:
            os.write(write, b"." * min(count, self.MOST))
        finally:
            os.close(write)

    def take(self) -> bool:
        return os.read(self.read, 1) == b"."

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.read)


def _render_beside(numbered: list[Numbered], maker: _DocumentMaker, sheets: Callable[[], None],
                   seal: Callable[[list[assemble.Made]], None], progress: Progress | None,
                   first: Callable[[], None] = lambda: None) -> list[assemble.Made]:
    """A run without PDFs: the documents rendered, the sheets written and the 用印登记表 (`seal`)
    with them; returns the documents' records. Where forking is safe (one thread: not in the
    workbench) a forked process writes the sheets and the 用印登记表 (from the records the
    documents will have: it needs no page count) and then renders documents from the back while
    this process renders them from the front (_Claims), except the ranking bulletin, rendered
    here (its charts are kept in this process's memory of them); the title splits the child made
    come back with its documents, so out/.cache keeps them. Elsewhere, all of it here. `first`
    is done here before any document is rendered (after the fork: the child has no need of it)."""
    total = len(numbered)
    if not _can_fork():
        first()
        made = []
        for i, n in enumerate(numbered, start=1):
            made.append(maker(n))
            if progress:
                progress("rendered", i, total)
        sheets()
        seal(made)
        return made
    own = [i for i, n in enumerate(numbered) if n.decision.kind == Kind.RANKING]
    shared = [i for i, n in enumerate(numbered) if n.decision.kind != Kind.RANKING]
    claims = _Claims(len(shared))

    def second() -> tuple[list[assemble.Made], dict]:
        known = set(layout.KNOWN_TITLES)
        docs = []

        def take() -> bool:
            if claims.take():
                docs.append(maker(numbered[shared[-1 - len(docs)]]))
                return True
            return False

        for _ in range(SECOND_FIRST):
            take()
        _without_numpy()
        sheets()
        seal([maker.record(n) for n in numbered])
        while take():
            pass
        return docs, {k: v for k, v in layout.KNOWN_TITLES.items() if k not in known}

    made: list[assemble.Made | None] = [None] * total
    try:
        with _Child(second) as child:
            first()
            done = 0

            def render(i: int) -> None:
                nonlocal done
                made[i] = maker(numbered[i])
                done += 1
                if progress:
                    progress("rendered", done, total)

            for i in own:
                render(i)
            front = 0
            while claims.take():
                render(shared[front])
                front += 1
            docs, titles = child.result()
    finally:
        claims.close()
    for i, doc in zip(reversed(shared), docs):
        made[i] = doc
    for i in shared[front:len(shared) - len(docs)]:  # past what a pipe holds: none were claimed
        render(i)
    layout.KNOWN_TITLES.update(titles)
    if progress and done < total:
        progress("rendered", total, total)
    return made  # type: ignore[return-value]


def _without_numpy() -> None:
    """In a forked sheet writer: openpyxl imports numpy (~0.08 s) only to accept numpy's number
    types as cell values. A process that has imported neither holds no numpy value, so the import
    is left out there (the sheets are the same); where numpy is loaded already, nothing changes."""
    import sys

    if "numpy" not in sys.modules and "openpyxl" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` raises ImportError


class _Folder:
    """A run's output folder: built hidden beside its place (.2026-11.partial-…), then moved there."""

    def __init__(self, out_root: Path, label: str):
        self.out_root = out_root
        self.final = out_root / label
        self.work: Path | None = None

    def make(self) -> Path:
        try:
            self.out_root.mkdir(parents=True, exist_ok=True)
            self.work = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.partial-", dir=self.out_root))
            self.work.chmod(0o755)
            return self.work
        except OSError as exc:
            raise RunFailed(f"cannot write to {self.out_root}: {exc.strerror or exc}")


def _scratch(work: Path) -> Path:
    """Files a run needs but does not deliver (the charts), beside its work folder."""
    return work.parent / f".{work.name}-scratch"


@contextlib.contextmanager
def _output(out_root: Path, label: str) -> Iterator[_Folder]:
    """The folder appears whole when the block succeeds, after the register has committed its
    numbers (the register's block ends inside this one); on any failure nothing is left."""
    folder = _Folder(out_root, label)
    try:
        yield folder
        if folder.work is not None:
            # a failure here is repaired by running again, which gives the same numbers back
            _move_into_place(folder.work, folder.final)
    except OSError as exc:
        if folder.work is not None:
            shutil.rmtree(folder.work, ignore_errors=True)
        raise RunFailed(f"writing the output failed: {exc.strerror or exc} ({getattr(exc, 'filename', '') or out_root})")
    except BaseException:
        if folder.work is not None:
            shutil.rmtree(folder.work, ignore_errors=True)
        raise
    finally:
        if folder.work is not None:
            shutil.rmtree(_scratch(folder.work), ignore_errors=True)


def _keep(config: Config, enabled: bool) -> Keep | None:
    """Title splits and charts kept from earlier runs (out/.cache/), loaded; None with --no-cache."""
    if not enabled or config.pdf.cache_mb <= 0:
        return None
    keep = Keep(config.out_dir / ".cache")
    keep.load_titles()
    return keep


def _open_cache(config: Config, enabled: bool) -> ConversionCache | None:
    if not enabled or config.pdf.cache_mb <= 0:
        return None
    return ConversionCache(config.out_dir / ".cache" / "pdf", config.pdf.cache_mb, environment((layout.place_colophon,)))


class _DocumentMaker:
    """Renders one numbered document of a run into work/docx/ and gives its record: the context
    built, the charts added (the ranking bulletin's; `charts(document, scratch folder)` gives
    other kinds' pictures, None for none of their own), the template rendered."""

    def __init__(self, numbered: list[Numbered], config: Config, as_of: dt.date, renderer: Renderer, work: Path,
                 keep: Keep | None, charts: Callable[[Numbered, Path], list | None] | None = None,
                 previous: Path | None = None):
        self.same_run = {(n.decision.kind, n.decision.subject): n for n in numbered}
        self.config, self.as_of, self.renderer, self.work, self.keep, self.charts = config, as_of, renderer, work, keep, charts
        # the output a run without PDFs replaces: a document it holds unchanged is linked, not written
        # again (with PDFs, the layout steps rewrite the DOCX in place, so every one is written)
        self.previous = previous
        (work / "docx").mkdir(exist_ok=True)

    def record(self, n: Numbered, ctx: dict | None = None) -> assemble.Made:
        """The document's record, as it will be once rendered (before that: no 版记 flag)."""
        d = n.decision
        ctx = ctx if ctx is not None else build_context(n, self.config, self.as_of, self.same_run)
        return assemble.Made(
            kind=d.kind.value, kind_name=ctx["kind_name"], doc_no=n.doc_no, title=ctx["title"], recipient=d.unit.name,
            cc=list(ctx["cc"]), date=self.as_of.isoformat(), docx=f"docx/{safe_filename(f'{n.doc_no}-{d.unit.short}', '.docx')}",
            task_id=d.task.id if d.task else None, finding_ids=[f.id for f in d.findings],
        )

    def __call__(self, n: Numbered) -> assemble.Made:
        d, work = n.decision, self.work
        ctx = build_context(n, self.config, self.as_of, self.same_run)
        if d.kind == Kind.RANKING and self.config.ranking.chart:
            ctx["charts"] = _charts(d.facts["ranking"], _scratch(work), self.keep)
        elif self.charts is not None and (pictures := self.charts(n, _scratch(work))) is not None:
            ctx["charts"] = pictures
        made = self.record(n, ctx)
        same = self.previous / made.docx if self.previous is not None else None
        made.colophon = self.renderer.render(d.kind.value, ctx, work / made.docx, same)
        return made


def _make(numbered: list[Numbered], config: Config, as_of: dt.date, month: str, renderer: Renderer, work: Path,
          pdf: bool, jobs: int | None, progress: Progress | None,
          alongside: Callable[[], None] | None = None, bundle: bool = True,
          charts: Callable[[Numbered, Path], list | None] | None = None, cache: ConversionCache | None = None,
          pool: ConverterPool | None = None, summary: Summary | None = None,
          keep: Keep | None = None, maker: _DocumentMaker | None = None) -> tuple[list[assemble.Made], int | None]:
    """The documents, rendered and converted; with `bundle`, the print bundle (打印合集.pdf) is
    written as the PDFs appear. `alongside` runs once every document is rendered, while they
    convert; `charts(document, scratch folder)` gives a document's pictures (None: none of its
    own). A document found in `cache` is not converted: its PDF and finished DOCX are copied
    from there; the others go to `pool` (the caller's), or to a pool opened when the first one
    needs it. `maker` renders a document (made here when not given). Returns the documents and
    the bundle's page count (None without one)."""
    maker = maker or _DocumentMaker(numbered, config, as_of, renderer, work, keep, charts)
    made = []
    bundle_pages = None
    jobs = jobs or os.cpu_count() or 1
    pdf_dir = work / "pdf"
    stamp = pdf_date(as_of)
    total = len(numbered)
    finished = itertools.count(1)

    def converted(_future: Future | None = None) -> None:
        if progress:
            progress("converted", next(finished), total)

    with contextlib.ExitStack() as stack:
        def converter() -> ConverterPool:
            nonlocal pool
            if pool is None:  # opened for the first document that needs LibreOffice
                pool = stack.enter_context(ConverterPool(jobs))
            return pool

        futures: list[Future] = []
        keys: list[str | None] = []  # the cache key of each document LibreOffice converts
        reused = 0
        if pdf and numbered:
            pdf_dir.mkdir()
        try:
            for i, n in enumerate(numbered, start=1):
                d = n.decision
                made.append(maker(n))
                has_colophon = made[-1].colophon
                name = Path(made[-1].docx).name
                docx_path = work / "docx" / name
                if pdf:
                    # a 版记 goes to the foot of the last even page, measured in the PDF as soon as it exists
                    # a slip that runs over is tightened to fit its page, after a first look
                    after = layout.finish_formal if has_colophon else layout.fit_slip if d.kind in SLIP_KINDS else layout.fit_document
                    pdf_path = pdf_dir / (Path(name).stem + ".pdf")
                    key = cache.key(docx_path.read_bytes(), stamp, after) if cache is not None else None
                    entry = cache.get(key) if key is not None else None
                    if entry is not None:
                        cache.deliver(key, entry, docx_path, pdf_path)  # the DOCX as the 版记 placement left it
                        future: Future = Future()
                        future.set_result(pdf_path)
                        converted()
                        reused += 1
                        key = None
                    else:
                        future = converter().submit(docx_path, pdf_path, after, stamp)
                        future.add_done_callback(converted)
                    futures.append(future)
                    keys.append(key)
                if progress:
                    progress("rendered", i, total)
            if alongside is not None:
                alongside()
            if futures:
                printed = stack.enter_context(assemble.PrintBundle(work / "打印合集.pdf")) if bundle else None
                for i, pdf_path in as_converted(futures):  # in print order, while the rest convert
                    data = pdf_path.read_bytes()
                    key = keys[i]
                    if key is not None and cache is not None:
                        cache.put(key, (work / made[i].docx).read_bytes(), data)
                    made[i].pdf = f"pdf/{pdf_path.name}"
                    if printed is not None:
                        made[i].pages = printed.add_pdf(made[i], data)
                    else:
                        from pypdf import PdfReader

                        made[i].pages = len(PdfReader(io.BytesIO(data)).pages)
                bundle_pages = printed.write() if printed is not None else None
        except BaseException:
            for future in futures:  # a caller's pool goes on serving others: drop what this run queued
                future.cancel()
            raise
    if summary is not None:
        summary.reused += reused
        summary.converted += len(futures) - reused
    if cache is not None:
        cache.evict()
    return made, bundle_pages


def _charts(ranking, folder: Path, keep: Keep | None) -> list:
    """One bar chart of the month's totals per ranked category (PNG, 300 dpi, 150 mm wide); from
    `keep` when the same data made one before (matplotlib is then not even imported)."""
    from .documents.chart import bar_chart

    folder.mkdir(parents=True, exist_ok=True)
    pictures = []
    for i, cat in enumerate(ranking.categories):
        title = f"{ranking.month[:4]}年{int(ranking.month[5:])}月{cat.category}改革工作得分"
        data = [(r.rank, str(r.total), r.unit.short, r.unit.name, r.unit.order) for r in cat.rows]
        pictures.append(chart_picture(keep, json.dumps([title, data], ensure_ascii=False, default=str),
                                      functools.partial(bar_chart, cat.rows, title=title), folder / f"chart-{i}.png", title))
    return pictures


def chart_picture(keep: Keep | None, what: str, draw: Callable[[Path], Path], dest: Path, title: str):
    """A chart 150 mm wide for a template: draw(dest) makes it, or `keep` gives the one made
    before from the same `what` (the chart's data and title)."""
    from .documents.context import Picture

    path = keep.chart(what, draw, dest) if keep is not None else draw(dest)
    return Picture(path, 150, title)


def _ledger_rows(findings, history, numbered: list[Numbered], as_of: dt.date) -> list[dict]:
    """One row per finding that exists as of the run, with the documents issued for it."""
    docs: dict[str, list[str]] = {}
    for issued in sorted(history, key=lambda i: i.date):
        if issued.kind in (Kind.RECTIFICATION, Kind.FINDING_URGING):
            for fid in issued.subject.split("、"):
                docs.setdefault(fid, []).append(issued.doc_no)
    for n in numbered:
        for f in n.decision.findings:
            docs.setdefault(f.id, []).append(n.doc_no)
    rows = []
    for f in findings:
        if f.inspected > as_of:
            continue
        rectified = f.is_rectified(as_of)
        status = f.status.value if rectified or f.status.value in ("未整改", "整改中") else "整改中"
        rows.append({
            "id": f.id, "inspection": f.inspection, "inspected": f.inspected, "unit": f.unit.name,
            "problem": f.problem, "requirement": f.requirement, "due": f.due, "status": status,
            "done": f.done if rectified else None,
            "days_overdue": max((as_of - f.due).days, 0) if not rectified else max(((f.done or f.due) - f.due).days, 0),
            "documents": docs.get(f.id, []), "review": f.review,
        })
    return rows


def _move_into_place(work: Path, final: Path) -> None:
    """Put work where final is: one atomic exchange where Linux offers it (renameat2), so the
    month's folder is always there, old or new; else two renames."""
    if final.exists() and _exchange(work, final):
        shutil.rmtree(work, ignore_errors=True)  # work now holds the old folder
        return
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    try:
        work.rename(final)
    except OSError:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def cases(config: Config, year: int, as_of: dt.date, *, dry_run: bool = False, pdf: bool = True,
          jobs: int | None = None, progress: Progress | None = None, cache: bool = True,
          pool: ConverterPool | None = None) -> Summary:
    """The year's case book and its 印发 notice, in out/cases-<year>/ (the book follows the notice).

    `cache` and `pool` as for `monthly`: the notice's PDF may come from the conversion cache, and a
    caller's open pool (which it closes itself) converts the notice and the book's passes."""
    from .documents.casebook import book_title, build_book, pdf_with_bookmarks
    from .errors import BadInput
    from .sources.cases import read_cases

    office = read_office(config)
    folder = config.data_dir / "cases" / str(year)
    if not folder.is_dir():
        from .errors import Problem, display_path

        raise BadInput(Problem(display_path(folder), f"missing folder: put the {year} cases here (.md or .docx, one per case)"))
    case_set, problems = read_cases(folder, office.directory, config.cases.categories)
    if problems:
        raise BadInput(problems)
    title = book_title(year)
    addressee = plan.all_units_addressee(office, config)
    facts = {"book_title": title, "count": len(case_set.cases), "categories": [g.category for g in case_set.groups]}
    notice = Decision(Kind.COMPILATION_NOTICE, addressee, str(year), facts=facts)
    label = f"cases-{year}"
    [request] = plan.requests([notice], config, as_of, label)
    keep = _keep(config, cache) if not dry_run else None
    renderer = Renderer(config.templates_dir)
    renderer.load([Kind.COMPILATION_NOTICE.value], example_contexts(config), keep.checked if keep else None)
    register = open_register(config.register_url)
    run = f"{label}@{as_of.isoformat()}"
    summary = Summary(label, as_of, None, dry_run=dry_run)
    if dry_run:
        numbers = register.preview(run, [request], office.history)
        summary.planned = [(config.kind_name(Kind.COMPILATION_NOTICE), numbers[request.key][0], addressee.name),
                           (config.kind_name(Kind.COMPILATION), f"（{numbers[request.key][0]}附件）", addressee.name)]
        return summary
    with _output(config.out_dir, label) as output:
        with register.issue(run, [request], office.history) as numbers:
            doc_no = numbers[request.key][0]
            numbered = Numbered(notice, doc_no, request.series, numbers[request.key][1])
            work = output.make()
            # the bundle is made below, with the book after its notice
            made, _ = _make([numbered], config, as_of, label, renderer, work, pdf, jobs, progress, bundle=False,
                            cache=_open_cache(config, pdf and cache), pool=pool, summary=summary, keep=keep)
            book_docx = work / "docx" / safe_filename(title, ".docx")
            if progress:
                progress("book", 0, 1)
            book = build_book(case_set, config.office.name, config.office.short, year, as_of, book_docx, pdf=pdf, pool=pool)
            entry = assemble.Made(kind=Kind.COMPILATION.value, kind_name=config.kind_name(Kind.COMPILATION), doc_no=doc_no, title=title,
                                  recipient=addressee.name, cc=list(config.office.cc), date=as_of.isoformat(),
                                  docx=f"docx/{book_docx.name}")
            if pdf and book.pdf is not None:
                book_pdf = work / "pdf" / book_docx.with_suffix(".pdf").name
                pdf_with_bookmarks(book.pdf, book_pdf, book)
                if book.pdf != book_pdf:
                    book.pdf.unlink(missing_ok=True)
                entry.pdf, entry.pages = f"pdf/{book_pdf.name}", assemble.count_pages(book_pdf)
            made.append(entry)
            summary.made = made
            summary.planned = [(m.kind_name, m.doc_no, m.recipient) for m in made]
            if progress:
                progress("book", 1, 1)
            if pdf:
                summary.bundle_pages = assemble.print_bundle(made, work, work / "打印合集.pdf")
            assemble.seal_register(made, work / "用印登记表.xlsx", f"{config.office.short}{year}年典型案例汇编用印登记表")
            assemble.write_manifest(made, work / "manifest.json", label, as_of.isoformat(), {"year": year})
            if keep is not None:
                keep.save()
    summary.out = output.final
    return summary
