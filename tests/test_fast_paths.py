"""The fast paths do what the obvious ones do: the compiled renderer writes the same document
XML as DocxTemplate.render; the warm LibreOffice pool survives an instance killed mid-run."""

from __future__ import annotations

import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from lxml import etree

from conftest import ROOT
from pipeline.documents import layout
from pipeline.config import load_config
from pipeline.output.convert import ConverterPool, Worker, soffice_path, uno_python, wait_all
from pipeline.documents.examples import KINDS, example_contexts
from pipeline.documents.render import Renderer


def body_xml(path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    body = root.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body")
    return etree.tostring(body, method="c14n")


@pytest.fixture(scope="module")
def renderer():
    config = load_config(ROOT / "config.yaml")
    r = Renderer(config.templates_dir)
    r.load([k.value for k in KINDS], example_contexts(config))
    return r, example_contexts(config)


@pytest.mark.parametrize("kind", [k.value for k in KINDS])
def test_compiled_renderer_writes_what_docxtpl_writes(renderer, tmp_path, kind):
    r, contexts = renderer
    ctx = dict(contexts[kind], charts=[])
    fast, slow = tmp_path / "fast.docx", tmp_path / "slow.docx"
    r.render(kind, ctx, fast)
    r.render_docxtpl(kind, ctx, slow)
    assert body_xml(fast) == body_xml(slow)
    with zipfile.ZipFile(fast) as zf:  # a complete package: every part of the template is there
        names = set(zf.namelist())
    assert {"word/styles.xml", "word/settings.xml", "[Content_Types].xml", "word/footer1.xml"} <= names


def test_compiled_renderer_keeps_odd_text_verbatim(renderer, tmp_path):
    from docx import Document

    r, contexts = renderer
    ctx = dict(contexts["urging"])
    odd = "“引号”\"<&>\" {{ x }} {% if %} 😀 𠀀䶮 \u200f"
    ctx["task"] = dict(ctx["task"], title=odd)
    r.render("urging", ctx, tmp_path / "odd.docx")
    # printed inside the template's “”, the title's own “” become ‘’ (GB/T 15834); nothing else changes
    nested = layout.nest_quotes(f"“{odd}”")[1:-1]
    assert nested != odd and "‘引号’" in nested
    assert nested in "\n".join(p.text for p in Document(tmp_path / "odd.docx").paragraphs)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    out, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            out.append(child)
            stack.append(child)
    return out


def reminders(renderer, folder: Path, count: int) -> list[Path]:
    """count reminder slips, numbered 1 … count, rendered into folder."""
    r, contexts = renderer
    docs = []
    for i in range(count):
        path = folder / f"doc-{i}.docx"
        r.render("reminder", dict(contexts["reminder"], doc_no=f"淄改办提〔2026〕{i + 1}号"), path)
        docs.append(path)
    return docs


@pytest.mark.skipif(soffice_path() is None or uno_python() is None, reason="needs LibreOffice and its Python bridge")
def test_a_killed_instance_costs_a_retry_not_a_document(renderer, tmp_path):
    docs = reminders(renderer, tmp_path, 12)
    killed = []
    with ConverterPool(2) as pool:
        futures = [pool.submit(d, tmp_path / "pdf" / (d.stem + ".pdf")) for d in docs[:2]]
        (tmp_path / "pdf").mkdir()

        def kill_one() -> None:
            while len(killed) < 1:
                for w in pool.workers:
                    if w is not None and w.done >= 1 and w.soffice_pid:
                        for pid in [w.soffice_pid, *descendants(w.soffice_pid)]:  # soffice and soffice.bin
                            try:
                                os.kill(pid, signal.SIGKILL)
                                killed.append(pid)
                            except ProcessLookupError:
                                pass
                        return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_one)
        killer.start()
        futures += [pool.submit(d, tmp_path / "pdf" / (d.stem + ".pdf")) for d in docs[2:]]
        pdfs = wait_all(futures)
        killer.join(60)
        restarts = pool.restarts
    assert killed and restarts >= 1
    assert len(pdfs) == 12
    for i, pdf in enumerate(pdfs):
        with pdfplumber.open(pdf) as doc:
            text = "".join(c["text"] for c in doc.pages[0].chars)
        assert f"淄改办提〔2026〕{i + 1}号" in text
    assert not list((tmp_path / "pdf").glob("*.part"))


def test_a_first_look_converts_the_last_page_only(renderer, tmp_path):
    r, contexts = renderer
    docx = tmp_path / "notice.docx"
    r.render("rectification", contexts["rectification"], docx)
    worker = Worker(soffice_path(), uno_python())
    try:
        pages = worker.convert(docx, tmp_path / "last.pdf", last_page=True)
        assert worker.convert(docx, tmp_path / "whole.pdf") == pages
    finally:
        worker.close()
    with pdfplumber.open(tmp_path / "whole.pdf") as whole, pdfplumber.open(tmp_path / "last.pdf") as last:
        assert len(whole.pages) == pages >= 2 and len(last.pages) == 1
        assert last.pages[0].extract_text() == whole.pages[-1].extract_text()


def test_the_profile_caps_libreoffice_caches_and_keeps_other_settings(tmp_path):
    from pipeline.output import uno_worker

    user = tmp_path / "profile" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry">\n'
        '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>zh-CN</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Common/Cache/Font"><prop oor:name="TextRunsCacheSize" oor:op="fuse"><value>5</value></prop></item>\n'
        "</oor:items>\n", encoding="utf-8")
    for _ in range(2):  # every start writes them again, once
        uno_worker.set_profile((tmp_path / "profile").as_uri())
    text = (user / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert "ooLocale" in text and "<value>5</value>" not in text
    for (node, name), value in uno_worker.SETTINGS.items():
        assert text.count(f'oor:name="{name}"') == 1 and f"<value>{value}</value>" in text
    import xml.dom.minidom

    xml.dom.minidom.parseString(text.encode("utf-8"))  # still well-formed


def test_a_failed_run_does_not_convert_what_waits(renderer, tmp_path):
    """A run that stops (bad input found while rendering) leaves the pool without converting
    the documents still queued: their futures are cancelled."""
    docs = reminders(renderer, tmp_path, 30)
    (tmp_path / "pdf").mkdir()
    futures = []
    with pytest.raises(RuntimeError, match="bad input"):
        with ConverterPool(2) as pool:
            futures = [pool.submit(d, tmp_path / "pdf" / (d.stem + ".pdf")) for d in docs]
            raise RuntimeError("bad input")
    assert sum(f.cancelled() for f in futures) >= 20
    assert len(list((tmp_path / "pdf").glob("*.pdf"))) <= 30 - 20


def test_text_width_by_runs_equals_counting_character_by_character():
    """layout.text_width_em counts runs of half-width characters (issue #18, --no-pdf speed):
    the same widths as counting `_half` character by character, on random mixes of the
    character classes at its edges (CJK, Latin, the full-width quotes and dashes, spaces)."""
    import random

    def by_character(text: str) -> float:
        width = sum(0.5 if layout._half(ch) else 1.0 for ch in text)
        boundaries = sum(1 for a, b in zip(text, text[1:])
                         if layout._half(a) != layout._half(b) and not a.isspace() and not b.isspace())
        return width + layout.AUTOSPACE_EM * boundaries

    alphabet = list("ab1 。，中文—…“”‘’·\u3000\t\n\uff61\uffdc\uff60\uffdd\u2e7f\u2e80Ａ½é\x00") + ["\U0001F600"]
    rng = random.Random(18)
    texts = ["", "张店区委改革办", "淄博市发展和改革委员会 2026年", "〔2026〕12号", "ABC中文def"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    layout.text_width_em.cache_clear()
    assert [layout.text_width_em(t) for t in texts] == [by_character(t) for t in texts]


def test_documents_are_zipped_as_zipfiles_append_mode_zips_them():
    """The compiled renderer appends each document's parts to the template's unchanged ones
    (render._ZipBase, issue #18) instead of opening the zip in append mode for every document:
    the bytes are zipfile's, for text and bytes, ASCII and non-ASCII names, and zips that
    hold a directory entry or none at all."""
    import io

    from pipeline.documents.render import _ZipBase

    def base(names: list[str]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, name in enumerate(names):
                zf.writestr(zipfile.ZipInfo(name, date_time=(2001, 2, 3, 4, 5, 6 + i)), f"<x>{name}</x>" * (i + 1))
        return out.getvalue()

    parts = [("word/document.xml", "<w:document>正文 “引号” & more</w:document>" * 50, (2026, 11, 28, 0, 0, 0)),
             ("docProps/core.xml", b"<cp:coreProperties/>", (1980, 1, 1, 0, 0, 0)),
             ("word/页眉1.xml", "<w:hdr>页眉</w:hdr>", (2024, 12, 31, 23, 59, 58))]
    for names in (["[Content_Types].xml", "word/styles.xml", "word/media/"], [], ["a"]):
        data = base(names)
        expected = io.BytesIO(data)
        expected.seek(0, io.SEEK_END)
        with zipfile.ZipFile(expected, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name, text, when in parts:
                info = zipfile.ZipInfo(name, date_time=when)
                info.external_attr = 0o600 << 16
                zf.writestr(info, text, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        made = _ZipBase(data).plus(parts)
        assert made == expected.getvalue()
        with zipfile.ZipFile(io.BytesIO(made)) as zf:
            assert zf.testzip() is None
            assert zf.read("word/页眉1.xml").decode("utf-8") == "<w:hdr>页眉</w:hdr>"


def test_compiled_templates_are_kept_in_a_folder_of_the_users_own_and_give_the_same_documents(tmp_path, monkeypatch):
    """Jinja's compiled form of each template source is kept between runs (render._CodeCache,
    issue #18) in ~/.cache/make-notices/jinja/, mode 0700: a second load compiles nothing and
    renders the same bytes; a changed source is compiled again; an entry that does not load is
    compiled again and replaced; a folder others may write to is not used."""
    import io

    from pipeline.documents import render

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = load_config(ROOT / "config.yaml")
    contexts = example_contexts(config)
    blob = Renderer(config.templates_dir).path("urging").read_bytes()
    ctx = dict(contexts["urging"], charts=[])
    compiled = []
    real = render.make_env().compile.__func__

    def counting(env, source, *args, **kwargs):
        compiled.append(source)
        return real(env, source, *args, **kwargs)

    monkeypatch.setattr(type(render.make_env()), "compile", counting)
    first = render.CompiledTemplate(blob, render.make_env(), contexts["urging"])
    folder = tmp_path / "cache" / "make-notices" / "jinja"
    assert compiled and sorted(folder.glob("*.code")) and (folder.stat().st_mode & 0o777) == 0o700
    compiled.clear()
    second = render.CompiledTemplate(blob, render.make_env(), contexts["urging"])
    assert compiled == [] and second.fallback == first.fallback
    assert second.render(ctx)[0] == first.render(ctx)[0]

    changed = io.BytesIO()  # the same template with one more character in its body
    with zipfile.ZipFile(io.BytesIO(blob)) as zin, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data.replace(b"</w:t>", "改</w:t>".encode(), 1) if info.filename == "word/document.xml" else data)
    edited = render.CompiledTemplate(changed.getvalue(), render.make_env(), contexts["urging"])
    assert compiled and edited.render(ctx)[0] != first.render(ctx)[0]  # compiled again, not served stale

    for entry in folder.glob("*.code"):
        entry.write_bytes(b"not marshal")
    compiled.clear()
    again = render.CompiledTemplate(blob, render.make_env(), contexts["urging"])
    assert compiled and again.render(ctx)[0] == first.render(ctx)[0]
    compiled.clear()
    render.CompiledTemplate(blob, render.make_env(), contexts["urging"])
    assert compiled == []  # replaced by good entries

    folder.chmod(0o770)
    assert render._CodeCache.open(contexts["urging"]) is None
    compiled.clear()
    render.CompiledTemplate(blob, render.make_env(), contexts["urging"])
    assert compiled  # not used: compiled here
