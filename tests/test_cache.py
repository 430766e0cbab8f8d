"""Re-runs: reproducible PDFs, the conversion cache (hits, damage, invalidation, --no-cache) and
a caller's LibreOffice pool kept warm across runs. A small office with slips and a formal notice
(its 版记 placed after conversion); one pool serves the whole module, and the conversions are
counted at the pool."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pdfplumber
import pytest

from conftest import CONFIG, TASKS, UNITS, run_in, write_csv
from pipeline import build
from pipeline.config import load_config
from pipeline.output import cache as cache_mod
from pipeline.output import convert
from pipeline.output.convert import ConverterPool

AS_OF = dt.date(2026, 11, 28)
FINDINGS = [
    ["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态"],
    ["DC-1", "2026年第三轮改革专项督察", "2026-10-22", "张店区", "改革台账更新不及时，部分任务进展情况缺失", "建立台账动态更新机制", "2026-12-30", "整改中"],
    ["DC-2", "2026年第三轮改革专项督察", "2026-10-22", "张店区", "专项小组会议制度落实不到位", "按月召开专项小组会议", "2026-12-30", "未整改"],
]


def make_office(root: Path) -> Path:
    project = root / "office"
    project.mkdir(parents=True)
    (project / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_csv(project / "data" / "units.csv", UNITS)
    write_csv(project / "data" / "tasks.csv", TASKS)
    write_csv(project / "data" / "findings.csv", FINDINGS)
    return project


def files(folder: Path) -> dict[str, bytes]:
    """The run's DOCX and PDF files and its print bundle, by name."""
    out = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/*.*"))}
    out["打印合集.pdf"] = (folder / "打印合集.pdf").read_bytes()
    return out


@pytest.fixture(scope="module")
def pool():
    with ConverterPool(1) as p:
        yield p


def monthly(project: Path, pool: ConverterPool, **kw) -> tuple[build.Summary, int, dict[str, bytes]]:
    """One run through the shared pool: (summary, documents LibreOffice converted, the files)."""
    config = load_config(project / "config.yaml")
    before = pool.converted
    summary = build.monthly(config, "2026-11", AS_OF, pool=pool, **kw)
    return summary, pool.converted - before, files(summary.out)


STARTED = dt.datetime.now() - dt.timedelta(seconds=2)  # zip times are local, to 2 s


@pytest.fixture(scope="module")
def office(tmp_path_factory, pool):
    """A first run with the cache (every document converted, the cache filled), its files."""
    project = make_office(tmp_path_factory.mktemp("cache"))
    summary, conversions, first = monthly(project, pool)
    import zipfile

    for docx in summary.out.glob("docx/*.docx"):  # no part stamped with the clock: a fresh run's bytes are the cache's
        with zipfile.ZipFile(docx) as zf:
            assert all(dt.datetime(*i.date_time) < STARTED for i in zf.infolist()), docx.name
    assert conversions == summary.converted == len(summary.made) >= 4 and summary.reused == 0
    assert any(m.colophon for m in summary.made), "the office has a formal notice with a 版记"
    return project, first


def test_fresh_runs_give_identical_files_and_the_cache_gives_the_same(office, pool):
    project, first = office
    # a fresh run without the cache: every document converted again, byte for byte the same
    summary, conversions, fresh = monthly(project, pool, cache=False)
    assert conversions == summary.converted == len(summary.made) and summary.reused == 0
    assert fresh.keys() == first.keys() and all(fresh[k] == first[k] for k in first), \
        [k for k in first if fresh[k] != first[k]]
    # a run from the cache: nothing converted, the same PDFs, DOCX files and bundle
    summary, conversions, cached = monthly(project, pool)
    assert conversions == summary.converted == 0 and summary.reused == len(summary.made)
    assert all(cached[k] == first[k] for k in first), [k for k in first if cached[k] != first[k]]
    # reproducible does not mean dateless: the creation date is the run's date, the ID its content's
    pdf = next(summary.out.glob("pdf/*发*.pdf"))
    with pdfplumber.open(pdf) as doc:
        assert doc.metadata["CreationDate"].startswith("D:20261128")
        assert len(doc.pages) >= 1 and "整改" in doc.pages[0].extract_text()


def test_one_row_changed_converts_only_what_it_changed(tmp_path, pool):
    project = make_office(tmp_path)
    _, _, before = monthly(project, pool)
    tasks = [row[:] for row in TASKS]
    tasks[2][9] = "2026-11-21"  # T-2's deadline, still past: the same documents, other words
    write_csv(project / "data" / "tasks.csv", tasks)
    summary, conversions, after = monthly(project, pool)
    changed = {k for k in after if k.startswith("docx/") and after[k] != before[k]}
    assert 0 < len(changed) < len(summary.made)
    assert conversions == summary.converted == len(changed)
    assert summary.reused == len(summary.made) - len(changed)
    assert after["打印合集.pdf"] != before["打印合集.pdf"]  # the bundle follows the PDFs
    unchanged = [k for k in after if k.startswith("pdf/") and "docx/" + k[4:-4] + ".docx" not in changed]
    assert unchanged and all(after[k] == before[k] for k in unchanged)


def test_a_damaged_entry_is_converted_again(office, pool):
    project, first = office
    root = project / "out" / ".cache" / "pdf"
    entries = sorted(root.glob("*/*.pdf"))
    damaged = entries[0]
    damaged.write_bytes(damaged.read_bytes()[:-200] + b"\0" * 200)  # still there, wrong bytes
    summary, conversions, again = monthly(project, pool)
    assert conversions == summary.converted == 1
    assert all(again[k] == first[k] for k in first)
    record = damaged.with_suffix(".json").read_text(encoding="utf-8")
    assert hashlib.sha256(damaged.read_bytes()).hexdigest() in record  # rebuilt whole
    damaged.with_suffix(".docx").unlink()  # a record without its files is damaged too
    summary, conversions, _ = monthly(project, pool)
    assert conversions == 1


def test_a_new_libreoffice_invalidates_the_cache(office, pool, monkeypatch):
    project, first = office
    monkeypatch.setattr(cache_mod, "libreoffice_version", lambda: "LibreOffice 7.6.7.2 (a newer one)")
    summary, conversions, again = monthly(project, pool)
    assert conversions == summary.converted == len(summary.made)
    assert all(again[k] == first[k] for k in first)  # same LibreOffice really: the same bytes


def test_a_changed_font_file_invalidates_the_cache(tmp_path, pool, monkeypatch):
    project = make_office(tmp_path)
    extra = tmp_path / "fonts"
    extra.mkdir()
    font = extra / "extra.otf"
    shutil.copy("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolKai-Regular.otf", font)
    conf = tmp_path / "fonts.conf"
    conf.write_text(convert.FONTS_CONF.read_text(encoding="utf-8").replace(
        "<fontconfig>", f"<fontconfig>\n  <dir>{extra}</dir>", 1), encoding="utf-8")
    monkeypatch.setattr(convert, "FONTS_CONF", conf)
    assert str(font) in subprocess_fc_list(conf)
    summary, conversions, _ = monthly(project, pool)
    assert conversions == len(summary.made)
    summary, conversions, _ = monthly(project, pool)
    assert conversions == 0
    stamp = font.stat().st_mtime_ns + 10**9
    import os

    os.utime(font, ns=(stamp, stamp))  # the font file replaced by another version
    summary, conversions, _ = monthly(project, pool)
    assert conversions == len(summary.made)


def subprocess_fc_list(conf: Path) -> str:
    import os
    import subprocess

    return subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True,
                          env=dict(os.environ, FONTCONFIG_FILE=str(conf))).stdout


def test_no_cache_from_the_command_line(tmp_path):
    project = make_office(tmp_path)
    first = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28")
    assert first.exit_code == 0, first.output
    entries = sorted((project / "out" / ".cache" / "pdf").glob("*/*.json"))
    assert entries
    again = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28")
    assert "unchanged from the cache" in again.output
    times = [p.stat().st_mtime_ns for p in entries]
    off = run_in(project, "monthly", "--month", "2026-11", "--as-of", "2026-11-28", "--no-cache")
    assert off.exit_code == 0, off.output
    assert "from the cache" not in off.output and "converted" in off.output
    assert [p.stat().st_mtime_ns for p in entries] == times  # not read, not written


def test_the_cache_keeps_to_its_bound(tmp_path):
    from pipeline.output.cache import ConversionCache

    c = ConversionCache(tmp_path / "c", 1, "env")
    keys = []
    for i in range(5):
        key = c.key(b"docx %d" % i, None, None)
        c.put(key, b"d" * 100_000, b"p" * 300_000)
        keys.append(key)
        import os
        import time

        os.utime(c._paths(key)[0], ns=(time.time_ns() + i * 10**9,) * 2)
    assert c.get(keys[0]) is not None  # used: now the most recent
    import os
    import time

    os.utime(c._paths(keys[0])[0], ns=(time.time_ns() + 10 * 10**9,) * 2)
    removed = c.evict()
    assert removed == 3
    assert c.get(keys[0]) is not None and c.get(keys[4]) is not None
    assert all(c.get(k) is None for k in keys[1:4])


def test_the_bundle_copied_as_bytes_reads_as_the_one_pypdf_copies(office, tmp_path):
    from pypdf import PdfReader

    from pipeline.output import assemble

    project, _ = office
    out = project / "out" / "2026-11"
    made = [assemble.Made("x", "x", f"号{i}", "t", f"单位{i}", [], "2026-11-28", "docx/x.docx", f"pdf/{p.name}")
            for i, p in enumerate(sorted((out / "pdf").glob("*.pdf")))]
    with assemble.PrintBundle(tmp_path / "bytes.pdf") as fast:
        counts = [fast.add_pdf(m, (out / m.pdf).read_bytes()) for m in made]
        fast.write()
    with assemble.PrintBundle(tmp_path / "pypdf.pdf") as slow:
        for m in made:
            slow.add(m, PdfReader(out / m.pdf))
        slow.write()
    a, b = PdfReader(tmp_path / "bytes.pdf", strict=True), PdfReader(tmp_path / "pypdf.pdf", strict=True)
    assert counts == [len(PdfReader(out / m.pdf).pages) for m in made]
    assert len(a.pages) == len(b.pages) == sum(c + c % 2 for c in counts)
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert [(o.title, a.get_destination_page_number(o)) for o in a.outline] == \
           [(o.title, b.get_destination_page_number(o)) for o in b.outline]
    pages = a.trailer["/Root"].raw_get("/Pages").idnum
    assert all(p.get("/Annots") is None and p.raw_get("/Parent").idnum == pages for p in a.pages)


def test_every_after_conversion_save_is_reproducible(tmp_path):
    """The hooks that change a DOCX after a first look (版记, slip tightening, page fill) save it
    with fixed zip times: the same change gives the same bytes at any time (the cache relies on it)."""
    import time

    from docx import Document

    from pipeline.config import load_config as load
    from pipeline.documents import layout
    from pipeline.documents.examples import example_contexts
    from pipeline.documents.render import Renderer

    config = load(Path(__file__).resolve().parents[1] / "config.yaml")
    renderer = Renderer(config.templates_dir)
    renderer.load(["rectification"], example_contexts(config))
    src = tmp_path / "notice.docx"
    renderer.render("rectification", example_contexts(config)["rectification"], src)
    layout._save(Document(src), tmp_path / "a.docx")
    time.sleep(2.1)  # zip times have a resolution of 2 s
    layout._save(Document(src), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_a_rerun_without_pdfs_links_the_documents_it_did_not_change(tmp_path, monkeypatch):
    """--no-pdf re-runs write only what changed (issue #18): a DOCX identical to the one the run
    replaces is a hard link of it (the same file, no new one), a changed one is written anew, one
    a clerk edited by hand is replaced by the rendered document; a run that fails after rendering
    leaves the previous output as it was, byte for byte."""
    project = make_office(tmp_path)
    config = load_config(project / "config.yaml")

    def run() -> tuple[build.Summary, dict[str, tuple[int, bytes]]]:
        summary = build.monthly(config, "2026-11", AS_OF, pdf=False)
        return summary, {p.name: (p.stat().st_ino, p.read_bytes()) for p in sorted((summary.out / "docx").iterdir())}

    _, first = run()
    _, second = run()
    assert second == first  # every document the same file, linked: the same inode, the same bytes
    tasks = [row[:] for row in TASKS]
    tasks[2][9] = "2026-11-21"  # T-2's deadline, still past: the same documents, other words
    write_csv(project / "data" / "tasks.csv", tasks)
    _, third = run()
    changed = {name for name in third if third[name][1] != second[name][1]}
    assert 0 < len(changed) < len(third) - 1
    assert all(third[name][0] != second[name][0] for name in changed)  # written anew
    assert all(third[name] == second[name] for name in third if name not in changed)  # linked
    hand = sorted(set(third) - changed)[0]
    (project / "out" / "2026-11" / "docx" / hand).write_bytes(b"edited by hand")
    summary, fourth = run()
    assert fourth[hand][1] == third[hand][1] and fourth[hand][0] != third[hand][0]  # the rendered document again
    assert all(fourth[name] == third[name] for name in fourth if name != hand)
    before = {p.name: p.read_bytes() for p in (summary.out / "docx").iterdir()}

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build.assemble, "write_manifest", broken)
    with pytest.raises(build.RunFailed):
        run()
    assert {p.name: p.read_bytes() for p in (summary.out / "docx").iterdir()} == before
    assert all(p.stat().st_nlink == 1 for p in (summary.out / "docx").iterdir())  # the failed run's links are gone


def test_code_the_tool_loads_comes_only_from_a_cache_folder_of_the_users_own(tmp_path, monkeypatch):
    """pipeline/private.py: the compiled C routine of reproducible.py (and the templates' compiled
    code) are loaded only from ~/.cache/make-notices/<name>/ when it is the user's and nobody else
    may write to it; elsewhere the tool does without (the pure-Python cipher gives the same bytes)."""
    import os
    import stat

    from pipeline.output import reproducible
    from pipeline.private import private_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = private_cache("native")
    assert folder == tmp_path / "make-notices" / "native" and stat.S_IMODE(folder.stat().st_mode) == 0o700
    data = bytes(range(256)) * 40
    if shutil.which("cc"):
        assert reproducible._native.__wrapped__() is not None  # built and loaded from the private folder
        assert list(folder.glob("eexec-*.so"))
    native = reproducible._cipher(data, 55665, True)
    folder.chmod(0o777)  # others may write there now: not used
    assert private_cache("native") is None and reproducible._native.__wrapped__() is None
    monkeypatch.setattr(reproducible, "_native", lambda: None)
    assert reproducible._cipher(data, 55665, True) == native  # the Python cipher, the same bytes
    folder.chmod(0o700)
    (tmp_path / "make-notices" / "jinja").symlink_to(folder)  # a link there is not followed
    assert private_cache("jinja") is None
    assert private_cache("native") == folder and os.getuid() == folder.stat().st_uid
