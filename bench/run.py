"""The benchmark: the obvious way and the project's way on the same documents, in one run.

    .venv/bin/python bench/run.py [--tasks 2000] [--sample 40] [--pdf-sample 8] [--large] [--json FILE]

(a) the obvious way: `DocxTemplate(path)` load, render, save per document, then one
    `soffice --convert-to pdf` process per document — timed on a sample of the documents
    and scaled to all of them;
(b) the project's way: the same templates compiled once (pipeline.render), the whole
    `make-notices monthly` run (register, PDFs through the warm pool, print bundle), and the
    year's case book (`make-notices cases`, 100 cases).
(c) re-runs as a clerk makes them (issue #18), on the same output folder and its cache: nothing
    changed; one task's deadline moved by a day (the same documents, one with other words);
    `--no-pdf` (the fastest of three, as the loop is); and `--no-pdf --no-cache` (cold: jieba and
    matplotlib loaded, nothing kept).
Prints the ratios, documents per second and the peak memory of the run (the process and
its LibreOffice children together), and writes the figures as JSON. Times are wall-clock
seconds, with the CPU seconds of the process and its LibreOffice instances beside them: on a
shared machine compare the ratios within one run, not seconds between runs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AS_OF = dt.date(2026, 11, 28)


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, summed (pages the processes
    share, such as LibreOffice's libraries and the mapped fonts, are counted once per process)."""
    return sum(_rss(p) for p in _tree(pid))


def tree_pss(pid: int) -> int:
    """Proportional memory (bytes) of the process tree: shared pages divided among their sharers."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) * 1024 for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[21]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def run_cli(project: Path, *args: str, poll: float = 0.2, proportional: bool = True) -> dict:
    """One make-notices command as a clerk starts it: wall time, CPU time (the process and the
    LibreOffice instances it started, all reaped) and peak memory of its process tree, sampled
    every `poll` seconds by a thread while this one waits for the process to end (so the time is not
    rounded up to the next sample), resident and, with `proportional`, proportional memory too, whose
    reading costs ~1 ms of CPU a sample (a second's run sampled every 20 ms would lose ~3% to it)."""
    import resource

    import threading

    exe = Path(sys.executable).parent / "make-notices"
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([str(exe), *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peaks = [0, 0]
    done = threading.Event()

    def sample() -> None:  # memory is sampled beside; the end of the run is waited for, not polled
        while not done.is_set():
            peaks[0] = max(peaks[0], tree_rss(proc.pid))
            if proportional:
                peaks[1] = max(peaks[1], tree_pss(proc.pid))
            done.wait(poll)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    peak, peak_pss = peaks
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"make-notices {' '.join(args)} failed:\n{output}")
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": peak / 2**20, "peak_pss_mb": peak_pss / 2**20,
            "output": output}


def compile_bytecode() -> None:
    """The project's modules compiled to bytecode, as an installed package has them: pip compiles
    them when it installs, but an editable install run with PYTHONDONTWRITEBYTECODE=1 (as on the
    team's machines) never gets any, and then every make-notices process compiles its ~40 modules
    from source before doing anything (~0.1 s, a tenth of a --no-pdf run). The docxtpl loop it is
    compared with runs in this process, its imports untimed."""
    import compileall

    compileall.compile_dir(str(ROOT / "pipeline"), quiet=1)


def run_monthly(project: Path, out: str, *options: str, poll: float = 0.2, proportional: bool = True) -> dict:
    """The project's whole monthly run: documents, PDFs, register, print bundle."""
    figures = run_cli(project, "--out", out, "monthly", "--as-of", AS_OF.isoformat(), *options, poll=poll,
                      proportional=proportional)
    manifest = json.loads((project / out / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    figures.update(documents=len(manifest["documents"]), pages=sum(d["pages"] or 0 for d in manifest["documents"]))
    found = re.search(r"\((\d+) converted, (\d+) unchanged from the cache\)", figures["output"])
    figures["converted"] = int(found.group(1)) if found else (0 if "--no-pdf" in options else figures["documents"])
    return figures


def change_one_deadline(project: Path, manifest: dict) -> str:
    """Move the deadline of one task urged this month by a day, within the urging window (so the
    month makes the same documents, one of them with other words). Returns the task's id."""
    import csv

    urged = {d["task_id"] for d in manifest["documents"] if d["kind"] == "urging"}
    path = project / "data" / "tasks.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    due = rows[0].index("完成时限")
    for row in rows[1:]:
        if row[0] in urged and row[due] and 1 <= (dt.date.fromisoformat(row[due]) - AS_OF).days <= 5:
            row[due] = (dt.date.fromisoformat(row[due]) + dt.timedelta(days=1)).isoformat()
            with open(path, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows(rows)
            return row[0]
    raise SystemExit("no task urged this month with a deadline 1-5 days ahead")


def _brief(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k != "output"}


def run_book(project: Path, out: str) -> dict:
    """The year's case book with its 印发 notice (the generated office has 100 cases)."""
    figures = run_cli(project, "--out", out, "cases", "--year", str(AS_OF.year), "--as-of", AS_OF.isoformat())
    manifest = json.loads((project / out / f"cases-{AS_OF.year}" / "manifest.json").read_text(encoding="utf-8"))
    figures["pages"] = sum(d["pages"] or 0 for d in manifest["documents"])
    return figures


def contexts(project: Path):
    """The documents of the run, with their contexts, made by the project's own planning code."""
    from pipeline import plan
    from pipeline.config import load_config
    from pipeline.documents.context import build_context
    from pipeline.model import Numbered
    from pipeline.register.store import Register
    from pipeline.sources import read_office

    config = load_config(project / "config.yaml")
    office = read_office(config, "2026-11")
    history = plan.merged_history([], office.history)
    decisions = plan.decide(office, history, AS_OF, "2026-11", config)
    requests = plan.requests(decisions, config, AS_OF, "2026-11")
    numbers = Register(project / "none.sqlite").preview("x", requests, office.history)
    numbered = [Numbered(d, numbers[r.key][0], r.series, numbers[r.key][1]) for d, r in zip(decisions, requests)]
    same = {(n.decision.kind, n.decision.subject): n for n in numbered}
    out = []
    for n in numbered:
        ctx = build_context(n, config, AS_OF, same)
        ctx["charts"] = []
        out.append((n.decision.kind.value, ctx))
    return config, out


OBVIOUS_CPU: list[float] = []  # CPU seconds a document of the obvious loop (beside its wall time)
REPEATS = 3  # each rendering loop is timed this many times and the fastest counts (noisy machines)


def obvious_render(config, docs, out: Path) -> float:
    """Seconds per document, the obvious docxtpl loop: load, render, save."""
    from docxtpl import DocxTemplate

    from pipeline.documents.render import Renderer, make_env

    renderer = Renderer(config.templates_dir)
    env = make_env()
    best = best_cpu = float("inf")
    for _ in range(REPEATS):
        start, cpu = time.perf_counter(), time.process_time()
        for i, (kind, ctx) in enumerate(docs):
            tpl = DocxTemplate(str(renderer.path(kind)))
            tpl.render(ctx, jinja_env=env, autoescape=True)
            tpl.save(out / f"obvious-{i}.docx")
        best = min(best, (time.perf_counter() - start) / len(docs))
        best_cpu = min(best_cpu, (time.process_time() - cpu) / len(docs))
    OBVIOUS_CPU.append(best_cpu)
    return best


def project_render(config, docs, out: Path, profile: bool) -> tuple[float, str]:
    """Seconds per document, the project's renderer (templates compiled once), and a profile of
    one more loop, run apart from the timed ones (the profiler slows what it watches)."""
    from pipeline.documents.examples import KINDS, example_contexts
    from pipeline.documents.render import Renderer

    renderer = Renderer(config.templates_dir)
    renderer.load([k.value for k in KINDS], example_contexts(config))
    firsts = {kind: ctx for kind, ctx in reversed(docs)}  # one of each kind
    for kind, ctx in firsts.items():  # warm: jieba's dictionary, first imports
        renderer.render(kind, ctx, out / "warm.docx")
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for i, (kind, ctx) in enumerate(docs):
            renderer.render(kind, ctx, out / f"fast-{i}.docx")
        best = min(best, (time.perf_counter() - start) / len(docs))
    text = ""
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        for i, (kind, ctx) in enumerate(docs):
            renderer.render(kind, ctx, out / f"fast-{i}.docx")
        prof.disable()
        stream = io.StringIO()
        pstats.Stats(prof, stream=stream).sort_stats("cumulative").print_stats(18)
        text = stream.getvalue()
    return best, text


def obvious_pdf(files: list[Path], out: Path) -> float:
    """Seconds per document, one soffice process per document."""
    from pipeline.output.convert import Profile, soffice_env, soffice_path

    soffice = soffice_path()
    profile = Profile()
    try:
        start = time.perf_counter()
        for f in files:
            subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.uri}", "--convert-to", "pdf",
                            "--outdir", str(out), str(f)], env=soffice_env(), capture_output=True, check=True, timeout=300)
        return (time.perf_counter() - start) / len(files)
    finally:
        profile.release()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=2000, help="tasks in the generated office (2000 make ~500 documents)")
    ap.add_argument("--sample", type=int, default=40, help="documents rendered the obvious way")
    ap.add_argument("--pdf-sample", type=int, default=8, help="documents converted the obvious way")
    ap.add_argument("--large", action="store_true", help="also run an office four times larger (memory check)")
    ap.add_argument("--profile", action="store_true", help="print where the project's rendering time goes")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="make-notices-bench-"))
    try:
        project = work / "office"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(project), "--tasks", str(a.tasks)], check=True)
        config, docs = contexts(project)
        scratch = work / "scratch"
        scratch.mkdir()
        sample = docs[:: max(1, len(docs) // a.sample)][: a.sample]
        t_obvious = obvious_render(config, sample, scratch)
        t_fast, prof = project_render(config, docs, scratch, a.profile)
        pdf_files = [scratch / f"obvious-{i}.docx" for i in range(min(a.pdf_sample, len(sample)))]
        t_obvious_pdf = obvious_pdf(pdf_files, scratch)
        compile_bytecode()
        run = run_monthly(project, "out")
        manifest = json.loads((project / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
        # re-runs, as a clerk makes them: nothing changed; then one task's deadline moved; then DOCX only
        fast = 0.05  # poll memory more often: these runs take seconds (resident memory only: cheaper to read)
        same = run_monthly(project, "out", poll=fast, proportional=False)
        task = change_one_deadline(project, manifest)
        changed = run_monthly(project, "out", poll=fast, proportional=False)
        # the fastest of REPEATS whole runs, as the docxtpl loop it is compared with is the fastest of REPEATS
        no_pdf_runs = [run_monthly(project, "out", "--no-pdf", poll=fast, proportional=False) for _ in range(REPEATS)]
        no_pdf = min(no_pdf_runs, key=lambda r: r["seconds"])
        no_pdf_cold = run_monthly(project, "out-cold", "--no-pdf", "--no-cache", poll=fast, proportional=False)
        book = run_book(project, "out")
        n = run["documents"]
        obvious_total = n * (t_obvious + t_obvious_pdf)
        figures = {
            "date": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(), "documents": n,
            "render_obvious_ms_per_doc": t_obvious * 1000, "render_project_ms_per_doc": t_fast * 1000,
            "render_speedup": t_obvious / t_fast,
            "render_docs_per_second": {"obvious": 1 / t_obvious, "project": 1 / t_fast},
            "pdf_obvious_s_per_doc": t_obvious_pdf,
            "run_obvious_estimated_s": obvious_total, "run_project_s": run["seconds"],
            "run_speedup": obvious_total / run["seconds"], "run_docs_per_second": n / run["seconds"],
            "run_peak_rss_mb": run["peak_rss_mb"], "run_peak_pss_mb": run["peak_pss_mb"], "pages": run["pages"],
            "run_cpu_s": run["cpu_seconds"],
            "rerun_unchanged": _brief(same), "rerun_one_deadline": dict(_brief(changed), task=task),
            "no_pdf": _brief(no_pdf), "no_pdf_seconds_each": [r["seconds"] for r in no_pdf_runs], "no_pdf_cold": _brief(no_pdf_cold),
            "no_pdf_docs_per_second_ratio": (n / no_pdf["seconds"]) * t_obvious,
            "no_pdf_docs_per_cpu_second_ratio": (n / no_pdf["cpu_seconds"]) * OBVIOUS_CPU[0],
            "render_obvious_cpu_ms_per_doc": OBVIOUS_CPU[0] * 1000,
            "book": _brief(book),
        }
        if a.large:
            big = work / "large"
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(big), "--tasks", str(a.tasks * 4),
                            "--units", "120", "--findings", "2400"], check=True)
            large = run_monthly(big, "out")
            figures["large"] = {"documents": large["documents"], "seconds": large["seconds"],
                                "peak_rss_mb": large["peak_rss_mb"], "peak_pss_mb": large["peak_pss_mb"],
                                "docs_per_second": large["documents"] / large["seconds"]}
        print(f"documents in the run:            {n} ({run['pages']} pages)")
        print(f"render, obvious docxtpl loop:    {t_obvious * 1000:7.1f} ms/doc  ({1 / t_obvious:6.1f} docs/s)")
        print(f"render, project (compiled once): {t_fast * 1000:7.1f} ms/doc  ({1 / t_fast:6.1f} docs/s)   ratio {t_obvious / t_fast:.1f}x")
        print(f"PDF, one soffice per document:   {t_obvious_pdf:7.2f} s/doc")
        print(f"whole run, obvious (estimated):  {obvious_total:7.1f} s")
        print(f"whole run, project (measured):   {run['seconds']:7.1f} s  ({n / run['seconds']:.1f} docs/s)   ratio {obvious_total / run['seconds']:.1f}x")
        print(f"peak memory of the run:          {run['peak_rss_mb']:7.0f} MB resident, summed over the process and its"
              f" LibreOffice children ({run['peak_pss_mb']:.0f} MB proportional, shared pages counted once)")
        print(f"case book (100 cases) + notice:  {book['seconds']:7.1f} s  ({book['pages']} pages, peak {book['peak_rss_mb']:.0f} MB)")
        full = run["seconds"]
        print()
        print("Re-runs (issue #18), measured in this run; the machine is shared, so compare the ratios to the full run")
        print(f"(wall s / CPU s of the process and its LibreOffice instances; targets scaled from 5 s, 3 s of a 54 s full run):")
        print(f"  full run, empty cache:            {full:6.1f} s  {run['cpu_seconds']:6.1f} s CPU  {run['converted']} converted")
        for label, r, target in (("nothing changed:", same, 3 / 54), (f"one deadline moved ({task}):", changed, 5 / 54)):
            ok = "met" if r["seconds"] <= target * full else "NOT met"
            print(f"  {label:<33} {r['seconds']:6.1f} s  {r['cpu_seconds']:6.1f} s CPU  {r['converted']} converted"
                  f"   {r['seconds'] / full:5.1%} of the full run (target <= {target:.1%}: {ok}),"
                  f" CPU {r['cpu_seconds'] / run['cpu_seconds']:5.1%}, peak {r['peak_rss_mb']:.0f} MB")
        ratio = (n / no_pdf["seconds"]) / (1 / t_obvious)
        each = ", ".join(f"{r['seconds']:.2f}" for r in no_pdf_runs)
        print(f"  --no-pdf, same month:             {no_pdf['seconds']:6.2f} s {no_pdf['cpu_seconds']:6.1f} s CPU"
              f"   {n / no_pdf['seconds']:.0f} docs/s = {ratio:.1f}x the docxtpl loop's {1 / t_obvious:.0f} docs/s"
              f" (target >= 5x: {'met' if ratio >= 5 else 'NOT met'}); by CPU time {(n / no_pdf['cpu_seconds']) * OBVIOUS_CPU[0]:.1f}x"
              f" (the loop: {1 / OBVIOUS_CPU[0]:.0f} docs per CPU second); the fastest of"
              f" {each} s, as the loop is the fastest of {REPEATS} loops")
        print(f"  --no-pdf --no-cache (cold):       {no_pdf_cold['seconds']:6.1f} s  {no_pdf_cold['cpu_seconds']:6.1f} s CPU"
              f"   {(n / no_pdf_cold['seconds']) * t_obvious:.1f}x the docxtpl loop; by CPU time"
              f" {(n / no_pdf_cold['cpu_seconds']) * OBVIOUS_CPU[0]:.1f}x")
        if a.large:
            lg = figures["large"]
            print(f"large run: {lg['documents']} documents in {lg['seconds']:.1f} s, peak {lg['peak_rss_mb']:.0f} MB resident"
                  f" ({lg['peak_pss_mb']:.0f} MB proportional)")
        if prof:
            print(prof)
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {a.json}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
