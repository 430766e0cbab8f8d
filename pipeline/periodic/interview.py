"""约谈通知: `make-notices interview --month 2026-11 [--as-of] [--unit NAME …]`, in out/2026-11-interview/.

Makes a notice for each of the month's qualifying units (or those named). The register decides
what was already noticed: a second run for the month makes nothing new. A later run that does
make new notices keeps the month's earlier ones in the folder (copied from it, listed again in
the 用印登记表, the manifest and the print bundle).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from .. import build, plan
from ..config import Config
from ..documents.examples import example_contexts
from ..documents.render import Renderer
from ..errors import BadInput, Problem
from ..model import Kind, Numbered
from ..output import assemble
from ..output.convert import ConverterPool
from ..register.store import open_register
from ..model import Unit
from ..rules.interview import Proposal, months_back
from ..sources import read_office
from .proposals import find_proposals, interview_decisions


def folder_label(month: str) -> str:
    return f"{month}-interview"


def _why_not(unit: Unit, crossing: list[Proposal], history: list, month: str, as_of: dt.date, config: Config) -> str:
    """Why a named unit does not qualify, in facts the clerk can check."""
    cfg = config.interview
    hit = next((p for p in crossing if p.unit.name == unit.name), None)
    if hit is not None:  # on a trigger, but its notice of the year was made already
        notices = [i.doc_no for i in history if i.kind == Kind.INTERVIEW and i.unit == unit.name and i.date.year == as_of.year]
        return (f'"{unit.short}" already had its 约谈通知 of {as_of.year} for {hit.subject} ({"、".join(notices)}); '
                f"one notice per unit per trigger per year")
    orders = [i for i in history if i.kind == Kind.ORDER and i.unit == unit.name and i.date.year == as_of.year and i.date <= as_of]
    parts = []
    if cfg.after_orders:
        parts.append(f"{len(orders)} 责令书 in {as_of.year} up to {as_of} ({cfg.after_orders} needed)")
    if cfg.last_in_ranking:
        months = "、".join(months_back(month, cfg.last_in_ranking))
        parts.append(f"not last of {unit.category} in every month of {months}" if unit.category in config.ranking.categories
                     else f"{unit.category} is not ranked")
    return f'"{unit.short}" does not qualify for a 约谈 in {month}: ' + "; ".join(parts)


def interview(config: Config, month: str, as_of: dt.date, units: list[str] | tuple[str, ...] = (), *,
              dry_run: bool = False, pdf: bool = True, jobs: int | None = None,
              progress: build.Progress | None = None, cache: bool = True,
              pool: ConverterPool | None = None) -> build.Summary:
    """Make the month's 约谈通知. Raises BadInput (exit 2) or RunFailed (exit 1).

    `cache` and `pool` as for `build.monthly`: a notice made before with the same content takes
    its PDF from the conversion cache, and a caller's open pool (which it closes itself) converts
    the others."""
    office = read_office(config, month)
    register = open_register(config.register_url)
    history = plan.merged_history(register.history(), office.history)  # every notice counts, this run's included
    found = find_proposals(config, office, history, month, as_of)
    label = folder_label(month)
    if units:
        problems = []
        chosen = []
        for name in units:
            unit = office.directory.get(name)
            if unit is None:
                problems.append(Problem("--unit", f'"{name}" is not in the units list ({office.directory.suggestion(name)})'))
                continue
            p = next((p for p in found if p.unit.name == unit.name), None)
            if p is None:
                crossing = find_proposals(config, office, history, month, as_of, new_only=False)
                problems.append(Problem("--unit", _why_not(unit, crossing, history, month, as_of, config)))
            elif p not in chosen:
                chosen.append(p)
        if problems:
            raise BadInput(problems)
        found = chosen
    summary = build.Summary(label, as_of, None, dry_run=dry_run)
    summary.proposals = found
    if not found:
        summary.notes.append(f"no unit qualifies for a 约谈 in {month} as of {as_of} that has not had its notice: nothing made")
        return summary
    decisions = interview_decisions(found, office)
    requests = plan.requests(decisions, config, as_of, month)
    keep = build._keep(config, cache) if not dry_run else None
    renderer = Renderer(config.templates_dir)
    renderer.load([Kind.INTERVIEW.value], example_contexts(config), keep.checked if keep else None)
    # a run of its own each time: a later run never voids an earlier run's notices
    run = f"{label}@{as_of.isoformat()}@{dt.datetime.now().isoformat(timespec='microseconds')}"
    if dry_run:
        numbers = register.preview(run, requests, office.history)
        summary.planned = [(config.kind_name(Kind.INTERVIEW), numbers[r.key][0], d.unit.name) for d, r in zip(decisions, requests)]
        return summary
    earlier = _earlier(config.out_dir / label)
    with build._output(config.out_dir, label) as output:
        with register.issue(run, requests, office.history) as numbers:
            numbered = [Numbered(d, numbers[r.key][0], r.series, numbers[r.key][1]) for d, r in zip(decisions, requests)]
            summary.planned = [(config.kind_name(Kind.INTERVIEW), n.doc_no, n.decision.unit.name) for n in numbered]
            work = output.make()
            made, _ = build._make(numbered, config, as_of, label, renderer, work, pdf, jobs, progress, bundle=False,
                                  cache=build._open_cache(config, pdf and cache), pool=pool, summary=summary, keep=keep)
            if keep is not None:
                keep.save()
            kept = _carry(earlier, config.out_dir / label, work, {m.doc_no for m in made})
            summary.made = kept + made
            if pdf:
                summary.bundle_pages = assemble.print_bundle(summary.made, work, work / "打印合集.pdf")
            assemble.seal_register(summary.made, work / "用印登记表.xlsx",
                                   f"{config.office.short}{month[:4]}年{int(month[5:])}月约谈通知用印登记表")
            assemble.write_manifest(summary.made, work / "manifest.json", month, as_of.isoformat(), {"kind": "interview"})
    summary.out = output.final
    return summary


def _earlier(folder: Path) -> list[assemble.Made]:
    """The notices an earlier run left in the month's folder (from its manifest)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for doc in data.get("documents", []):
        if doc.get("kind") != Kind.INTERVIEW.value:
            continue
        out.append(assemble.Made(kind=doc["kind"], kind_name=doc.get("kind_name") or Kind.INTERVIEW.zh, doc_no=doc["doc_no"], title=doc["title"],
                                 recipient=doc["recipient"], cc=list(doc.get("cc", [])), date=doc["date"], docx=doc["docx"],
                                 pdf=doc.get("pdf"), pages=doc.get("pages")))
    return out


def _carry(earlier: list[assemble.Made], old: Path, work: Path, new: set[str]) -> list[assemble.Made]:
    """Copy the earlier notices' files into the new folder (those whose files are still there)."""
    kept = []
    for m in earlier:
        if m.doc_no in new or not (old / m.docx).is_file() or (m.pdf and not (old / m.pdf).is_file()):
            continue
        for rel in filter(None, (m.docx, m.pdf)):
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(old / rel, work / rel)
        kept.append(m)
    return kept
