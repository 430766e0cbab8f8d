"""年度任务分工: the year's task list, issued with a 印发 notice whose 附件 is a landscape table, and
a 目标责任书 for each group (pledge.categories) that leads a task of the year.

`decide` is pure (office + config → decisions); `tasklist` is the run, made with build.py's
output folder, register, rendering, conversion and assembly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any


from .. import build, plan
from ..config import Config, principal_of
from ..documents.context import cn
from ..documents.examples import example_contexts
from ..documents.render import Renderer, zh_number
from ..errors import BadInput, Problem
from ..model import Decision, Kind, Numbered, Task, Unit
from ..output import assemble
from ..output.convert import ConverterPool
from ..register.store import open_register
from ..sources import Office, read_office

KINDS = [Kind.TASKLIST_NOTICE, Kind.PLEDGE]
COPIES = 2  # a 目标责任书 is signed in two copies, one for each party


def list_title(year: int) -> str:
    return f"{year}年全面深化改革工作要点任务分工"


def pledge_title(year: int) -> str:
    return f"{year}年度全面深化改革目标责任书"


def year_tasks(tasks: list[Task], year: int) -> list[Task]:
    """The year's tasks: 完成时限 in the year, or 交办日期 in the year."""
    return [t for t in tasks if (t.due is not None and t.due.year == year) or (t.assigned is not None and t.assigned.year == year)]


def _order(task: Task) -> tuple:
    return (task.lead.order, task.lead.name, task.due or dt.date.max, task.id)


def _row(task: Task, n: int) -> dict[str, Any]:
    """A table row: units by their short names (the table's columns are narrow; the notice and
    the 责任书 name each unit in full where it is addressed)."""
    partners = [u.short or u.name for u in task.partners]
    return {"n": n, "id": task.id, "title": task.title, "lead": task.lead.short or task.lead.name, "partners": partners,
            "partners_text": "、".join(partners), "due": cn(task.due) if task.due else "", "assigned": cn(task.assigned),
            "deliverable": task.deliverable}


def grouped(tasks: list[Task], categories: list[str]) -> list[dict[str, Any]]:
    """The tasks by their lead unit's category (in the configured order of categories, others
    after), each group in unit order, then by deadline; 序号 runs on through the groups."""
    known = {c: i for i, c in enumerate(categories)}
    by_cat: dict[str, list[Task]] = {}
    for t in tasks:
        by_cat.setdefault(t.lead.category, []).append(t)
    order = sorted(by_cat, key=lambda c: (known.get(c, len(known)), c))
    groups, n = [], 0
    for i, cat in enumerate(order, start=1):
        rows = []
        for t in sorted(by_cat[cat], key=_order):
            n += 1
            rows.append(_row(t, n))
        groups.append({"category": cat, "count": len(rows), "heading": f"{zh_number(i)}、{cat}（{len(rows)}项）", "tasks": rows})
    return groups


def decide(office: Office, year: int, config: Config) -> list[Decision]:
    """The notice for all units, then one 目标责任书 per unit of pledge.categories leading a task
    of the year (unit order). Raises BadInput when the year has no task."""
    tasks = year_tasks(office.tasks, year)
    if not tasks:
        raise BadInput(Problem(f"{config.paths.data}/tasks", f"no task of {year}: a task belongs to the year by its 完成时限 or 交办日期"))
    groups = grouped(tasks, config.units.categories)
    addressee = plan.all_units_addressee(office, config)
    title = list_title(year)
    notice = Decision(Kind.TASKLIST_NOTICE, addressee, str(year), facts={
        "title": f"关于印发《{title}》的通知",
        "fields": {"tasklist": {"year": year, "title": title, "count": len(tasks), "groups": groups},
                   "report_day": config.rules.progress_report_day,
                   "cc": list(config.office.cc), "cc_text": "、".join(config.office.cc)},
    })
    decisions = [notice]
    principal = config.office.principal or principal_of(config.office.name)
    leads: dict[str, tuple[Unit, list[Task]]] = {}
    for t in tasks:
        if t.lead.category in config.pledge.categories:
            leads.setdefault(t.lead.name, (t.lead, []))[1].append(t)
    for unit, own in sorted(leads.values(), key=lambda v: (v[0].order, v[0].name)):
        rows = [_row(t, n) for n, t in enumerate(sorted(own, key=_order), start=1)]
        decisions.append(Decision(Kind.PLEDGE, unit, str(year), facts={
            "title": pledge_title(year),
            "fields": {"pledge": {"year": year, "title": pledge_title(year), "principal": principal, "count": len(rows),
                                  "tasks": rows, "requirements": list(config.pledge.requirements),
                                  "assessment": list(config.pledge.assessment)}},
        }))
    return decisions


def tasklist(config: Config, year: int, date: dt.date, *, dry_run: bool = False, pdf: bool = True,
             jobs: int | None = None, progress: build.Progress | None = None, cache: bool = True,
             pool: ConverterPool | None = None) -> build.Summary:
    """The year's task list notice and 目标责任书, in out/tasklist-<year>/.

    `cache` and `pool` as for `build.monthly`: unchanged documents take their PDFs from the
    conversion cache, and a caller's open pool (which it closes itself) converts the rest."""
    if not 2000 <= year <= 2100:
        raise BadInput(Problem("--year", f"{year} is not a year (use 2027)"))
    office = read_office(config)
    decisions = decide(office, year, config)
    label = f"tasklist-{year}"
    requests = plan.requests(decisions, config, date, label)
    renderer = Renderer(config.templates_dir)
    renderer.load([k.value for k in KINDS], example_contexts(config))
    register = open_register(config.register_url)
    run = label  # the year's documents are one run: a re-run keeps their numbers and voids what it no longer makes
    summary = build.Summary(label, date, None, dry_run=dry_run)
    if dry_run:
        numbers = register.preview(run, requests, office.history)
        summary.planned = [(config.kind_name(d.kind), numbers[r.key][0], d.unit.name) for d, r in zip(decisions, requests)]
        return summary
    with build._output(config.out_dir, label) as output:
        with register.issue(run, requests, office.history) as numbers:
            numbered = [Numbered(d, numbers[r.key][0], r.series, numbers[r.key][1]) for d, r in zip(decisions, requests)]
            summary.planned = [(config.kind_name(n.decision.kind), n.doc_no, n.decision.unit.name) for n in numbered]
            work = output.make()
            made, _ = build._make(numbered, config, date, label, renderer, work, pdf, jobs, progress, bundle=False,
                                  cache=build._open_cache(config, pdf and cache), pool=pool, summary=summary,
                                  keep=build._keep(config, cache))
            summary.made = made
            if pdf:
                summary.bundle_pages = _bundle(made, work)
            heading = f"{config.office.short}{year}年度任务分工用印登记表"
            assemble.seal_register(made, work / "用印登记表.xlsx", heading)
            assemble.write_manifest(made, work / "manifest.json", label, date.isoformat(),
                                    {"year": year, "copies": {Kind.PLEDGE.value: COPIES}})
    summary.out = output.final
    return summary


def _bundle(made: list[assemble.Made], work) -> int:
    """The print bundle: the notice, then each 目标责任书 twice (one copy for each party)."""
    from pypdf import PdfReader  # here: every command imports this module, few make this bundle

    with assemble.PrintBundle(work / "打印合集.pdf") as bundle:
        for doc in made:
            copies = COPIES if doc.kind == Kind.PLEDGE.value else 1
            for k in range(1, copies + 1):
                shown = dataclasses.replace(doc, recipient=f"{doc.recipient}（第{k}份）") if copies > 1 else doc
                bundle.add(shown, PdfReader(work / doc.pdf))
        return bundle.write()
