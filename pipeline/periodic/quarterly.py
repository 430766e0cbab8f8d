"""季度通报: `make-notices quarterly --quarter 2026-Q4 [--as-of]`, in out/2026-Q4/.

The run uses the monthly run's machinery (output folder, register, render, convert, print
bundle, 用印登记表, manifest); the figures are pure functions in pipeline.rules.quarterly.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from .. import build, plan
from ..config import Config
from ..documents.examples import example_contexts
from ..documents.render import Renderer
from ..errors import BadInput, Problem
from ..model import Decision, Kind, Numbered
from ..output import assemble
from ..output.cache import Keep
from ..output.convert import ConverterPool
from ..register.store import open_register
from ..rules.quarterly import Quarter, QuarterFigures, parse_quarter, quarter_figures
from ..sources import read_office


def quarter_of(text: str) -> Quarter:
    quarter = parse_quarter(text)
    if quarter is None:
        raise BadInput(Problem("--quarter", f'"{text}" is not a quarter (use 2026-Q4)'))
    return quarter


def default_as_of(quarter: Quarter, today: dt.date) -> dt.date:
    """The quarter's last day, or today if earlier."""
    return min(quarter.last, today)


def rate_charts(figures: QuarterFigures, categories: list[str], folder: Path, keep: Keep | None = None) -> list:
    """One chart of the completion rates per unit category (units with nothing due are left out);
    from `keep` when the same data made one before (matplotlib is then not imported)."""
    from ..documents.chart import rate_chart
    from ..rules.quarterly import rate_text

    folder.mkdir(parents=True, exist_ok=True)
    pictures = []
    for i, (category, rows) in enumerate(figures.categories(categories)):
        rates = [(r.unit.short, r.rate, rate_text(r.rate)) for r in rows if r.rate is not None]
        if not rates:
            pictures.append("")  # the table stands alone: nobody in it had a task due yet
            continue
        title = f"{figures.quarter.name}{category}改革任务完成率"
        pictures.append(build.chart_picture(keep, json.dumps(["rate", title, rates], ensure_ascii=False, default=str),
                                            functools.partial(rate_chart, rates, title=title), folder / f"rates-{i}.png", title))
    return pictures


def quarterly(config: Config, quarter_text: str, as_of: dt.date | None = None, *, today: dt.date | None = None,
              dry_run: bool = False, pdf: bool = True, jobs: int | None = None,
              progress: build.Progress | None = None, cache: bool = True,
              pool: ConverterPool | None = None) -> build.Summary:
    """Make the quarter's bulletin. Raises BadInput (exit 2) or RunFailed (exit 1).

    `cache` and `pool` as for `build.monthly`: an unchanged bulletin takes its PDF from the
    conversion cache (and its charts from out/.cache/), and a caller's open pool (which it closes
    itself) converts it otherwise."""
    quarter = quarter_of(quarter_text)
    as_of = as_of or default_as_of(quarter, today or dt.date.today())
    if as_of < quarter.first:
        raise BadInput(Problem("--as-of", f"{as_of} is before {quarter.label} begins ({quarter.first}): nothing of the quarter can be reported yet"))
    office = read_office(config)
    label = quarter.label
    register = open_register(config.register_url)
    run = f"{label}@{as_of.isoformat()}"
    history = plan.merged_history(register.history(exclude_run=run), office.history)
    figures = quarter_figures(office.tasks, office.findings, history, office.units, quarter, as_of)
    decision = Decision(Kind.QUARTERLY, plan.all_units_addressee(office, config), label, facts={"figures": figures})
    [request] = plan.requests([decision], config, as_of, label)
    keep = build._keep(config, cache) if not dry_run else None
    renderer = Renderer(config.templates_dir)
    renderer.load([Kind.QUARTERLY.value], example_contexts(config), keep.checked if keep else None)
    summary = build.Summary(label, as_of, None, dry_run=dry_run)
    summary.figures = figures
    if dry_run:
        numbers = register.preview(run, [request], office.history)
        summary.planned = [(config.kind_name(Kind.QUARTERLY), numbers[request.key][0], decision.unit.name)]
        return summary

    def charts(n: Numbered, folder: Path) -> list | None:
        return rate_charts(figures, config.units.categories, folder, keep) if n.decision.kind == Kind.QUARTERLY else None

    with build._output(config.out_dir, label) as output:
        with register.issue(run, [request], office.history) as numbers:
            doc_no, n = numbers[request.key]
            numbered = [Numbered(decision, doc_no, request.series, n)]
            summary.planned = [(config.kind_name(Kind.QUARTERLY), doc_no, decision.unit.name)]
            work = output.make()
            made, summary.bundle_pages = build._make(numbered, config, as_of, label, renderer, work, pdf, jobs, progress,
                                                     charts=charts, cache=build._open_cache(config, pdf and cache),
                                                     pool=pool, summary=summary, keep=keep)
            if keep is not None:
                keep.save()
            summary.made = made
            assemble.seal_register(made, work / "用印登记表.xlsx", f"{config.office.short}{quarter.name}季度通报用印登记表")
            assemble.write_manifest(made, work / "manifest.json", label, as_of.isoformat(),
                                    {"quarter": label, "figures": figures.totals()})
    summary.out = output.final
    return summary
