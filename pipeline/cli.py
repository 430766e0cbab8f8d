"""The make-notices command: parse options, load the config, call one function, print the summary."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections import Counter
from pathlib import Path

# numpy comes in with openpyxl and matplotlib, and its OpenBLAS starts a spinning thread per core
# (~0.1 s of CPU a process) for matrix work the tool never does: one thread, unless the user says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from . import build
from .config import Config, load_config
from .errors import BadInput, MakeNoticesError, Problem, describe
from .sources.values import parse_date


class Context:
    def __init__(self, config_path: Path, data: str | None, out: str | None, quiet: bool, verbose: bool):
        self.config_path = config_path
        self.data = data
        self.out = out
        self.quiet = quiet
        self.verbose = verbose

    def config(self) -> Config:
        config = load_config(self.config_path)
        if self.data:
            config.paths.data = str(Path(self.data).resolve())
        if self.out:
            config.paths.out = str(Path(self.out).resolve())
        return config


def _fail(exc: MakeNoticesError) -> None:
    for line in describe(exc):
        click.echo(line, err=True)
    sys.exit(exc.exit_code)


def _date_option(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    day, err = parse_date(value)
    if err or day is None:
        raise BadInput(Problem(name, err or "is empty"))
    return day


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), default=Path("config.yaml"), show_default=True,
              help="The office's config file.")
@click.option("--data", type=click.Path(), help="The data folder (default: paths.data of the config).")
@click.option("--out", type=click.Path(), help="The output folder (default: paths.out of the config).")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--verbose", "-v", is_flag=True, help="Print every document made.")
@click.version_option(package_name="make-notices")
@click.pass_context
def main(ctx: click.Context, config_path: Path, data: str | None, out: str | None, quiet: bool, verbose: bool) -> None:
    """Make a reform office's monthly documents from its spreadsheets."""
    ctx.obj = Context(config_path, data, out, quiet, verbose)


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        def plain(stage: str, done: int, total: int) -> None:
            if not quiet and done == total:
                click.echo(f"  {stage} {done}/{total}", err=True)
        return plain

    def bar(stage: str, done: int, total: int) -> None:
        click.echo(f"\r  {stage} {done}/{total}", nl=done == total, err=True)
    return bar


class RunOptions:
    """The options every run command shares (--dry-run, --no-pdf, --jobs, --no-cache)."""

    def __init__(self, dry_run: bool, no_pdf: bool, jobs: int | None, no_cache: bool):
        self.dry_run = dry_run
        self.no_pdf = no_pdf
        self.jobs = jobs
        self.no_cache = no_cache

    def kwargs(self, config: Config, obj: Context) -> dict:
        """The run function's keywords: dry_run, pdf, jobs (the option, else pdf.jobs of the config), progress, cache."""
        jobs = self.jobs or (config.pdf.jobs if isinstance(config.pdf.jobs, int) else None)
        return {"dry_run": self.dry_run, "pdf": config.pdf.enabled and not self.no_pdf, "jobs": jobs,
                "progress": _progress(obj.quiet), "cache": not self.no_cache}


def run_options(command):
    """The run commands' shared options, handed to the command as one `run` (RunOptions)."""
    options = [
        click.option("--dry-run", is_flag=True, help="Say what would be made; write nothing, take no number."),
        click.option("--no-pdf", is_flag=True, help="DOCX only (no LibreOffice needed)."),
        click.option("--jobs", type=click.IntRange(min=1),
                     help="Parallel PDF conversions (default: pdf.jobs of the config, else the number of cores)."),
        click.option("--no-cache", is_flag=True,
                     help="Convert every document again, and draw charts and check templates again "
                          "(do not reuse what out/.cache keeps)."),
    ]

    @functools.wraps(command)
    def wrapper(*args, dry_run: bool, no_pdf: bool, jobs: int | None, no_cache: bool, **kwargs):
        return command(*args, run=RunOptions(dry_run, no_pdf, jobs, no_cache), **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@main.command()
@click.option("--month", help="The month, e.g. 2026-11 (default: the month of --as-of).")
@click.option("--as-of", "as_of", help="The date of the run and of the documents (default: today).")
@run_options
@click.pass_obj
def monthly(obj: Context, month: str | None, as_of: str | None, run: RunOptions) -> None:
    """The monthly run: slips, PDFs, print bundle, register sheet, manifest."""
    try:
        day = _date_option(as_of, "--as-of") or dt.date.today()
        month = build.month_of(month or f"{day:%Y-%m}")
        config = obj.config()
        summary = build.monthly(config, month, day, **run.kwargs(config, obj))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    _print_summary(summary, obj)


def _print_summary(summary: build.Summary, obj: Context) -> None:
    if obj.quiet:
        return
    counts = Counter(kind for kind, _, _ in summary.planned)
    total = len(summary.planned)
    what = "，".join(f"{kind} {n}" for kind, n in counts.items()) or "nothing"
    if summary.dry_run:
        click.echo(f"dry run for {summary.month} as of {summary.as_of}: would make {total} documents ({what}); nothing written.")
        for kind, doc_no, unit in summary.planned:
            click.echo(f"  {doc_no}  {kind}  {unit}")
        return
    if obj.verbose:
        for kind, doc_no, unit in summary.planned:
            click.echo(f"  {doc_no}  {kind}  {unit}")
    units = len({unit for _, _, unit in summary.planned})
    click.echo(f"{summary.month} as of {summary.as_of}: {total} documents for {units} units ({what}).")
    for note in summary.notes:
        click.echo(f"  {note}")
    _print_proposals(summary)
    if summary.out is not None:
        extra = f"; print bundle {summary.bundle_pages} pages" if summary.bundle_pages is not None else "; no PDF"
        if summary.reused:
            extra += f" ({summary.converted} converted, {summary.reused} unchanged from the cache)"
        click.echo(f"written to {display(summary.out)}{extra}.")
    if summary.receipts:
        click.echo(summary.receipts)


@main.command()
@click.option("--year", type=int, required=True, help="The year of the book, e.g. 2026 (cases in data/cases/2026/).")
@click.option("--as-of", "as_of", help="The date of the notice (default: today).")
@run_options
@click.pass_obj
def cases(obj: Context, year: int, as_of: str | None, run: RunOptions) -> None:
    """The annual case compilation and its 印发 notice, in out/cases-YEAR/."""
    try:
        day = _date_option(as_of, "--as-of") or dt.date.today()
        config = obj.config()
        summary = build.cases(config, year, day, **run.kwargs(config, obj))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if obj.quiet:
        return
    if summary.dry_run:
        click.echo(f"dry run: would make the {year} case book and its notice; nothing written.")
        for kind, doc_no, unit in summary.planned:
            click.echo(f"  {doc_no}  {kind}")
        return
    book = next((m for m in summary.made if m.kind == "compilation"), None)
    pages = f", {book.pages} pages" if book and book.pages else ""
    click.echo(f"{year} case book{pages} and its notice {summary.made[0].doc_no}; written to {display(summary.out)}.")


@main.command()
@click.option("--quarter", required=True, help="The quarter, e.g. 2026-Q4.")
@click.option("--as-of", "as_of", help="The date of the figures and the bulletin (default: the quarter's last day, or today if earlier).")
@run_options
@click.pass_obj
def quarterly(obj: Context, quarter: str, as_of: str | None, run: RunOptions) -> None:
    """The quarter's progress bulletin (季度通报), in out/QUARTER/."""
    from .periodic.quarterly import quarterly as run_quarterly

    try:
        day = _date_option(as_of, "--as-of")
        config = obj.config()
        summary = run_quarterly(config, quarter, day, **run.kwargs(config, obj))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if obj.quiet:
        return
    from .model import Kind

    t = summary.figures.totals()
    figures = (f"应完成 {t['due']}，按期完成 {t['on_time']}，逾期完成 {t['late']}，未完成 {t['not_done']}，未到期 {t['pending']}，"
               f"完成率 {t['rate']}，新交办 {t['new']}，{config.kind_name(Kind.URGING)} {t['urgings']}，"
               f"{config.kind_name(Kind.ORDER)} {t['orders']}")
    [(_, doc_no, _)] = summary.planned
    if summary.dry_run:
        click.echo(f"dry run for {summary.month} as of {summary.as_of}: would make {doc_no} ({figures}); nothing written.")
        return
    extra = f"; print bundle {summary.bundle_pages} pages" if summary.bundle_pages is not None else "; no PDF"
    if summary.reused:
        extra += " (unchanged: its PDF from the cache)"
    click.echo(f"{summary.month} as of {summary.as_of}: 季度通报 {doc_no} ({figures}).")
    click.echo(f"written to {display(summary.out)}{extra}.")


@main.command()
@click.option("--year", type=int, required=True, help="The year of the tasks, e.g. 2027 (完成时限 or 交办日期 in it).")
@click.option("--date", "date", help="The date of the documents (default: today); numbered in its year.")
@run_options
@click.pass_obj
def tasklist(obj: Context, year: int, date: str | None, run: RunOptions) -> None:
    """The year's 任务分工 notice (landscape task table) and 目标责任书, in out/tasklist-YEAR/."""
    from .periodic import tasklist as year_list

    try:
        day = _date_option(date, "--date") or dt.date.today()
        config = obj.config()
        summary = year_list.tasklist(config, year, day, **run.kwargs(config, obj))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if obj.quiet:
        return
    pledges = len(summary.planned) - 1  # the notice, then one 目标责任书 per group
    if summary.dry_run:
        click.echo(f"dry run: would make the {year} task list notice and {pledges} 目标责任书; nothing written.")
        for kind, doc_no, unit in summary.planned:
            click.echo(f"  {doc_no}  {kind}  {unit}")
        return
    pages = f"; print bundle {summary.bundle_pages} pages" if summary.bundle_pages is not None else "; no PDF"
    if summary.reused:
        pages += f" ({summary.converted} converted, {summary.reused} unchanged from the cache)"
    click.echo(f"{year}: task list notice {summary.planned[0][1]} and {pledges} 目标责任书 (two copies each in the bundle);"
               f" written to {display(summary.out)}{pages}.")


@main.command()
@click.option("--month", help="The month to check for (default: the month of --as-of).")
@click.option("--as-of", "as_of", help="The date to check as of (default: today).")
@click.pass_obj
def check(obj: Context, month: str | None, as_of: str | None) -> None:
    """Read and check all data and templates; write nothing."""
    try:
        day = _date_option(as_of, "--as-of") or dt.date.today()
        month = build.month_of(month or f"{day:%Y-%m}")
        config = obj.config()
        summary = build.monthly(config, month, day, dry_run=True, pdf=False)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    counts = Counter(kind for kind, _, _ in summary.planned)
    from .loop.collect import pending_apply, unapplied

    try:
        waiting = unapplied(config, month)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    click.echo("ok")
    if pending_apply(config):
        click.echo("warning: an interrupted collect --apply is pending; the next collect --apply or monthly run completes it.")
    if waiting:
        click.echo(f"warning: {len(waiting)} returned 调度表 of {month} not applied yet "
                   f"(make-notices collect {display(config.data_dir / 'replies' / month)} --apply):")
        for file, unit in waiting:
            click.echo(f"  {file}  {unit}")
    what = "，".join(f"{kind} {n}" for kind, n in counts.items()) or "nothing"
    click.echo(f"a run for {summary.month} as of {summary.as_of} would make {len(summary.planned)} documents ({what}).")
    _print_proposals(summary)
    if obj.verbose:
        for d in summary.decisions:
            click.echo(f"  {d.kind.zh}  {d.unit.name}  {d.subject}：{d.reason}")


def _print_proposals(summary: build.Summary) -> None:
    """约谈建议: the units that qualify, with the facts (made already when interview.auto is on)."""
    if not summary.proposals:
        return
    made = any(d.kind.value == "interview" for d in summary.decisions)  # interview.auto
    if made:
        what = "约谈通知 would be made for" if summary.dry_run else "约谈通知 made for"
    else:
        what = "约谈建议 (make the notices with: make-notices interview --month " + summary.month + ")"
    click.echo(f"{what}:")
    for p in summary.proposals:
        click.echo(f"  {p.unit.name}: {p.facts_text()}")


@main.command()
@click.option("--month", help="The month whose triggers count, e.g. 2026-11 (default: the month of --as-of).")
@click.option("--as-of", "as_of", help="The date of the notices (default: today).")
@click.option("--unit", "units", multiple=True, help="Only this unit (full or short name; repeat for several). Default: every unit that qualifies.")
@run_options
@click.pass_obj
def interview(obj: Context, month: str | None, as_of: str | None, units: tuple[str, ...], run: RunOptions) -> None:
    """约谈通知 for the units that qualify (second 责令书 of the year, last in the ranking), in out/MONTH-interview/."""
    from .periodic.interview import interview as run_interview

    try:
        day = _date_option(as_of, "--as-of") or dt.date.today()
        month = build.month_of(month or f"{day:%Y-%m}")
        config = obj.config()
        summary = run_interview(config, month, day, units, **run.kwargs(config, obj))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if obj.quiet:
        return
    for note in summary.notes:
        click.echo(note)
    if not summary.planned:
        return
    if summary.dry_run:
        click.echo(f"dry run for {month} as of {summary.as_of}: would make {len(summary.planned)} 约谈通知; nothing written.")
    else:
        click.echo(f"{month} as of {summary.as_of}: {len(summary.planned)} 约谈通知.")
    facts = {p.unit.name: p.facts_text() for p in summary.proposals}
    for _, doc_no, unit in summary.planned:
        click.echo(f"  {doc_no}  {unit}: {facts.get(unit, '')}")
    if summary.out is not None:
        extra = f"; print bundle {summary.bundle_pages} pages" if summary.bundle_pages is not None else "; no PDF"
        if summary.reused:
            extra += f" ({summary.converted} converted, {summary.reused} unchanged from the cache)"
        click.echo(f"written to {display(summary.out)}{extra}.")


@main.command()
@click.option("--month", help="The month, e.g. 2026-12 (default: the month of --as-of).")
@click.option("--as-of", "as_of", help="The date the rows are taken as of (default: today).")
@click.option("--reply-by", "reply_by", help="The date the units reply by (default: as-of + dispatch.reply_days).")
@click.pass_obj
def dispatch(obj: Context, month: str | None, as_of: str | None, reply_by: str | None) -> None:
    """The month's 调度表: one workbook per unit, in out/dispatch-MONTH/."""
    from .loop.dispatch import dispatch as run_dispatch

    try:
        day = _date_option(as_of, "--as-of") or dt.date.today()
        month = build.month_of(month or f"{day:%Y-%m}")
        by = _date_option(reply_by, "--reply-by")
        result = run_dispatch(obj.config(), month, day, by)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if not obj.quiet:
        if obj.verbose:
            for unit, name, tasks, findings in result.files:
                click.echo(f"  {name}  {unit}: {len(tasks)} tasks, {len(findings)} findings")
        click.echo(result.text())


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--apply", "apply", is_flag=True, help="Update the task and finding files (all or nothing).")
@click.option("--month", help="The month collected (default: the newest month among the files).")
@click.option("--as-of", "as_of", help="No completion date may be later than this (default: today).")
@click.pass_obj
def collect(obj: Context, paths: tuple[Path, ...], apply: bool, month: str | None, as_of: str | None) -> None:
    """Read returned 调度表 (files or folders); say what changes; with --apply, update the ledger."""
    from .loop.collect import collect as run_collect

    try:
        day = _date_option(as_of, "--as-of")
        if month:
            month = build.month_of(month)
        result = run_collect(obj.config(), list(paths), apply=apply, month=month, as_of=day)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    click.echo(result.text())


@main.group()
def templates() -> None:
    """The office's own templates: copy the defaults to edit, check them."""


@templates.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def templates_init(obj: Context, folder: Path) -> None:
    """Copy the default templates and a guide to their variables into FOLDER."""
    from .documents.examples import example_contexts
    from .documents.render import default_templates_dir
    from .documents.templates import FILTER_DOCS, init_folder, variables_guide

    try:
        config = obj.config()
    except MakeNoticesError as exc:
        _fail(exc)
        return
    guide = variables_guide(example_contexts(config), FILTER_DOCS)
    written = init_folder(folder, default_templates_dir(), guide)
    for path in written:
        click.echo(f"  {path}")
    try:
        shown = folder.resolve().relative_to(config.base)
    except ValueError:
        shown = folder.resolve()
    click.echo(f"wrote {len(written)} files. Edit them in Word or WPS, then set in {obj.config_path}:\n"
               f"paths:\n  templates: {shown}")


@templates.command("check")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def templates_check(obj: Context, folder: Path | None) -> None:
    """Compile every template (FOLDER or the config's), list mistakes with their place."""
    from .documents.examples import KINDS, example_contexts
    from .documents.render import Renderer

    try:
        config = obj.config()
        renderer = Renderer(folder or config.templates_dir)
        problems = renderer.check([k.value for k in KINDS], example_contexts(config))
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if problems:
        _fail(BadInput(problems))
    for k in KINDS:
        click.echo(f"  ok  {k.value}: {display(renderer.path(k.value))}")
    click.echo("ok")


def display(path: Path) -> str:
    from .errors import display_path

    return display_path(path)


@main.group()
def register() -> None:
    """The number register: list what was issued, void a number, record 签收 and 反馈."""


@register.command("list")
@click.option("--year", type=int, help="Only this year.")
@click.pass_obj
def register_list(obj: Context, year: int | None) -> None:
    """Every number issued (and voided), series by series."""
    from .register.store import open_register

    try:
        config = obj.config()
        entries = open_register(config.register_url).entries(year)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    if not entries:
        click.echo("the register is empty.")
        return
    for e in entries:
        status = "" if e.status == "issued" else f"  作废：{e.void_reason}"
        click.echo(f"{e.doc_no}\t{e.issued_on}\t{e.kind}\t{e.subject}\t{e.unit}\t{_receipt_columns(e)}{status}")


def _receipt_columns(e) -> str:
    """反馈时限, 签收 (date and name) and 反馈 of an entry; - where there is none."""
    received = f"{e.received_on} {e.received_by}".strip() if e.received_on else "-"
    return f"反馈时限 {e.reply_by or '-'}\t签收 {received}\t反馈 {e.replied_on or '-'}"


@register.command("void")
@click.argument("number")
@click.option("--reason", required=True, help="Why the number is void (kept in the register).")
@click.pass_obj
def register_void(obj: Context, number: str, reason: str) -> None:
    """Void a number: it stays in the register with the reason and is never reused."""
    from .register.store import open_register

    try:
        config = obj.config()
        entry = open_register(config.register_url).void(number, reason)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    click.echo(f"{entry.doc_no} is void: {entry.void_reason}")


def _print_recorded(recorded, what: str) -> None:
    for e in recorded.changed:
        click.echo(f"  {e.doc_no}  {e.unit}  {_receipt_columns(e)}")
    same = f"; {len(recorded.unchanged)} already recorded so" if recorded.unchanged else ""
    click.echo(f"{what} recorded for {len(recorded.changed)} document{'s' if len(recorded.changed) != 1 else ''}{same}.")


@register.command("receive")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--date", "date_text", help="The date it was signed for (default: today).")
@click.option("--by", default="", help="Who signed (签收人), as on the 回执.")
@click.pass_obj
def register_receive(obj: Context, numbers: tuple[str, ...], date_text: str | None, by: str) -> None:
    """Record 签收 of documents, by their 文号."""
    from .loop.receipts import receive

    try:
        day = _date_option(date_text, "--date")
        recorded = receive(obj.config(), list(numbers), day, by)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    _print_recorded(recorded, "签收")


@register.command("reply")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--date", "date_text", help="The date the written reply came in (default: today).")
@click.pass_obj
def register_reply(obj: Context, numbers: tuple[str, ...], date_text: str | None) -> None:
    """Record 反馈 (the written reply a document asked for), by 文号."""
    from .loop.receipts import reply

    try:
        day = _date_option(date_text, "--date")
        recorded = reply(obj.config(), list(numbers), day)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    _print_recorded(recorded, "反馈")


@register.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def register_import(obj: Context, file: Path) -> None:
    """Record 签收/反馈 from an .xlsx or .csv with the columns 文号, 签收日期, 签收人, 反馈日期."""
    from .loop.receipts import import_file

    try:
        recorded = import_file(obj.config(), file)
    except MakeNoticesError as exc:
        _fail(exc)
        return
    _print_recorded(recorded, "签收/反馈")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lint(files: tuple[Path, ...]) -> None:
    """Check DOCX or PDF files against GB/T 9704 (a DOCX is converted first)."""
    from .output.lint import lint_file

    bad = 0
    for path in files:
        try:
            problems = lint_file(path)
        except MakeNoticesError as exc:
            problems = [str(exc)]
        except Exception as exc:  # a file that is not a PDF/DOCX at all
            problems = [f"无法读取：{type(exc).__name__}: {exc}"]
        if problems:
            bad += 1
            click.echo(f"{path}:")
            for p in problems:
                click.echo(f"  {p}")
        else:
            click.echo(f"{path}: ok")
    sys.exit(1 if bad else 0)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; any other than this computer needs MAKE_NOTICES_PASSWORD.")
@click.option("--port", type=click.IntRange(1, 65535), default=8750, show_default=True, help="The port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, open_browser: bool) -> None:
    """The workbench: a local web page that does all of the above, for clerks."""
    from .web.app import serve as run_server

    if obj.data or obj.out:
        _fail(BadInput(Problem("serve", "--data and --out are not used by serve: set paths in config.yaml")))
    try:
        run_server(obj.config_path, host, port, open_browser, echo=click.echo)
    except MakeNoticesError as exc:
        _fail(exc)


@main.command()
@click.pass_obj
def doctor(obj: Context) -> None:
    """Is LibreOffice there, are the fonts there, is the register reachable."""
    from .doctor import diagnose

    ok = True
    for good, line in diagnose(obj.config_path):
        ok &= good
        click.echo(("  ok  " if good else "  !!  ") + line)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
