"""Every part of an office's template renders as docxtpl renders it: headers and footers (first,
even), footnotes, endnotes, comments, core and custom properties; nothing of the package is
dropped, no relationship id points nowhere, and `templates check` locates mistakes in every part."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from lxml import etree

from conftest import ROOT, nothing_written, run
from pipeline.documents import layout
from pipeline.documents.render import CompiledTemplate, PartFailed, make_env

DEFAULTS = ROOT / "templates" / "docx"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CONTEXT = {"doc_no": "淄改办催〔2026〕3号", "date": "2026年11月28日", "title": "关于催办的通知",
           "unit": {"name": "张店区委改革办", "short": "张店区"}, "rows": ["一", "二"], "page_note": "第一页"}


# ---- building templates as an office would (Word's parts, written with python-docx and XML) ----

def add_part(blob: bytes, name: str, content_type: str, reltype: str, xml: str, owner: str = "word/document.xml") -> bytes:
    """The package with one more part, its content type and a relationship from owner."""
    folder, _, base = owner.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    target = os.path.relpath(name, folder or ".")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode())
            elif info.filename == rels_name:
                rid = f"rIdX{len(data)}"
                data = data.replace(b"</Relationships>", f'<Relationship Id="{rid}" Type="{reltype}" Target="{target}"/></Relationships>'.encode())
            zout.writestr(info, data)
        zout.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return out.getvalue()


def notes_xml(tag: str, text: str) -> str:
    sep = "".join(f'<w:{tag} w:type="{t}" w:id="{i}"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
                  for i, t in ((-1, "separator"), (0, "continuationSeparator")))
    return (f'<w:{tag}s {W_NS}>{sep}<w:{tag} w:id="1"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:{tag}></w:{tag}s>')


def full_template(header="{{ doc_no }} {{ unit.name }}", footer="— {{ page_note }} —", first_header="首页：{{ unit.short }}",
                  even_footer="偶数页 {{ doc_no }}", footnote="注：{{ unit.name }}于{{ date }}", endnote="尾注：{{ title }}",
                  comment="批注：{{ doc_no }}", title="{{ title }}（{{ unit.short }}）", subject="{{ doc_no }}",
                  custom="{{ unit.name }}") -> bytes:
    """A template with a tag in every part docxtpl renders, and in those it leaves (endnotes, comments, custom)."""
    doc = Document()
    doc.add_paragraph("{{ doc_no }}")
    doc.add_paragraph("{{ unit.name }}：请于{{ date }}前报送。")
    table = doc.add_table(rows=2, cols=1)
    table.rows[0].cells[0].text = "{%tr for r in rows %}"
    table.rows[1].cells[0].text = "{{ r }}{%tr endfor %}"
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = header
    section.footer.paragraphs[0].text = footer
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = first_header
    doc.settings.odd_and_even_pages_header_footer = True
    section.even_page_footer.paragraphs[0].text = even_footer
    doc.core_properties.title = title
    doc.core_properties.subject = subject
    out = io.BytesIO()
    doc.save(out)
    blob = out.getvalue()
    blob = add_part(blob, "word/footnotes.xml", CT + "footnotes+xml", f"{R}/footnotes", notes_xml("footnote", footnote))
    blob = add_part(blob, "word/endnotes.xml", CT + "endnotes+xml", f"{R}/endnotes", notes_xml("endnote", endnote))
    blob = add_part(blob, "word/comments.xml", CT + "comments+xml", f"{R}/comments",
                    f'<w:comments {W_NS}><w:comment w:id="0" w:author="办公室"><w:p><w:r><w:t>{comment}</w:t></w:r></w:p></w:comment></w:comments>')
    custom_xml = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                  'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
                  '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="承办单位">'
                  f'<vt:lpwstr>{custom}</vt:lpwstr></property></Properties>')
    return add_part(blob, "docProps/custom.xml", "application/vnd.openxmlformats-officedocument.custom-properties+xml",
                    f"{R}/custom-properties", custom_xml, owner="")


# ---- comparing packages part by part ----

def rels_of(zf: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    folder, _, base = name.rpartition("/")
    rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels not in zf.namelist():
        return {}
    out = {}
    for el in etree.fromstring(zf.read(rels)):
        target = el.get("Target")
        if el.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else os.path.normpath(os.path.join(folder, target))
        out[el.get("Id")] = (el.get("Type").rsplit("/", 1)[-1], target)
    return out


def canonical(zf: zipfile.ZipFile, name: str):
    """A part as comparable data: element names by namespace URI (not prefix), relationship ids
    replaced by what they point at, empty core properties and save dates left out. Also returns
    the relationship ids that point nowhere."""
    rels = rels_of(zf, name)
    dangling = []

    def walk(el):
        attrs = []
        for k, v in sorted(el.attrib.items()):
            if k.startswith(f"{{{R}}}"):
                if v not in rels:
                    dangling.append(v)
                v = rels.get(v)
            attrs.append((k, v))
        kids = [walk(c) for c in el if isinstance(c.tag, str)]
        return (el.tag, tuple(attrs), (el.text or "").strip(), tuple(kids))

    root = etree.fromstring(zf.read(name))
    if name == "docProps/core.xml":
        for el in list(root):
            if not (el.text or "").strip() or etree.QName(el).localname in ("modified", "created", "lastModifiedBy", "revision"):
                root.remove(el)
    if name.endswith(".rels") or name == "[Content_Types].xml":  # a list without order
        return sorted(tuple(sorted(el.attrib.items())) for el in root), []
    return walk(root), dangling


def docxtpl_reference(blob: bytes, context: dict) -> bytes:
    """Plain docxtpl with the project's environment, then the project's layout step."""
    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.render(context, jinja_env=make_env(), autoescape=True)
    layout.finish(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def xml_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def text_of(data: bytes, name: str) -> str:
    return "".join(etree.fromstring(xml_parts(data)[name]).itertext())


@pytest.fixture(scope="module")
def rendered():
    blob = full_template()
    compiled = CompiledTemplate(blob, make_env(), CONTEXT)
    assert not compiled.needs_docxtpl(CONTEXT)  # nothing here needs docxtpl: the compiled path renders it all
    data, _ = compiled.render(CONTEXT)
    return blob, data, docxtpl_reference(blob, CONTEXT)


DOCXTPL_PARTS = ["word/document.xml", "word/header1.xml", "word/header2.xml", "word/footer1.xml", "word/footer2.xml",
                 "word/footnotes.xml", "docProps/core.xml"]


def test_every_part_docxtpl_renders_comes_out_the_same(rendered):
    blob, data, reference = rendered
    ours, theirs = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(reference))
    names = [n for n in ours.namelist() if n.endswith((".xml", ".rels")) and n not in
             ("word/endnotes.xml", "word/comments.xml", "docProps/custom.xml")]  # docxtpl leaves these three
    assert set(DOCXTPL_PARTS) <= set(names)
    for name in names:
        mine, dangling = canonical(ours, name)
        assert not dangling, f"{name}: relationship ids that point nowhere: {dangling}"
        assert mine == canonical(theirs, name)[0], name
    for name in DOCXTPL_PARTS:  # and they were rendered, not copied
        text = text_of(data, name)
        assert "{{" not in text and "{%" not in text, name
    assert "淄改办催〔2026〕3号 张店区委改革办" in text_of(data, "word/header2.xml") + text_of(data, "word/header1.xml")


def test_first_page_and_even_page_parts_are_rendered(rendered):
    _, data, _ = rendered
    parts = xml_parts(data)
    texts = {n: "".join(etree.fromstring(parts[n]).itertext()) for n in parts if n.startswith("word/header") or n.startswith("word/footer")}
    joined = "\n".join(texts.values())
    for expected in ("首页：张店区", "偶数页 淄改办催〔2026〕3号", "— 第一页 —", "淄改办催〔2026〕3号 张店区委改革办"):
        assert expected in joined


def test_endnotes_comments_and_custom_properties_are_rendered_too(rendered):
    _, data, _ = rendered
    assert "尾注：关于催办的通知" in text_of(data, "word/endnotes.xml")
    assert "批注：淄改办催〔2026〕3号" in text_of(data, "word/comments.xml")
    assert "张店区委改革办" in text_of(data, "docProps/custom.xml")
    assert "注：张店区委改革办于2026年11月28日" in text_of(data, "word/footnotes.xml")


def test_nothing_of_the_package_is_dropped(rendered):
    blob, data, _ = rendered
    before, after = xml_parts(blob), xml_parts(data)
    assert set(before) == set(after)
    for name in before:
        if name.endswith(".rels") or name == "[Content_Types].xml":
            assert before[name] == after[name], name  # the same parts, related the same way
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # and every relationship points at a part that is there
        for name in zf.namelist():
            for rtype, target in rels_of(zf, name).values():
                if not target.startswith("http"):
                    assert target in zf.namelist(), (name, target)
    document = Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.different_first_page_header_footer and not section.header.is_linked_to_previous


def test_properties_are_plain_text_not_escaped_twice():
    context = dict(CONTEXT, title="关于“一网通办”<试点>&推广的通知")
    data, _ = CompiledTemplate(full_template(title="{{ title }}"), make_env(), context).render(context)
    assert Document(io.BytesIO(data)).core_properties.title == "关于“一网通办”<试点>&推广的通知"


def test_a_template_without_tags_outside_the_body_copies_those_parts_unchanged():
    blob = full_template(header="淄博市委改革办", footer="—", first_header="首页", even_footer="偶数页",
                         footnote="注", endnote="尾注", comment="批注", title="催办单", subject="催办", custom="办公室")
    compiled = CompiledTemplate(blob, make_env(), CONTEXT)
    assert compiled.rendered == [] and not compiled.properties.parts  # only the body is rendered per document
    data, _ = compiled.render(CONTEXT)
    before, after = xml_parts(blob), xml_parts(data)
    assert all(before[n] == after[n] for n in before if n != "word/document.xml")


@pytest.mark.parametrize("where,kwargs,label", [
    ("footer", {"footer": "{{ nope }}"}, "页脚"),
    ("first-page header", {"first_header": "{{ unit.nope }}"}, "首页页眉"),
    ("footnote", {"footnote": "{{ nope }}"}, "脚注"),
    ("endnote", {"endnote": "{{ nope }}"}, "尾注"),
    ("title", {"title": "{{ nope }}"}, "文档属性“标题”"),
    ("custom property", {"custom": "{{ nope }}"}, "自定义属性“承办单位”"),
])
def test_an_undefined_name_anywhere_fails_strictly_with_its_place(where, kwargs, label):
    compiled = CompiledTemplate(full_template(**kwargs), make_env(), CONTEXT)
    with pytest.raises(PartFailed) as failed:
        compiled.render(CONTEXT)
    assert failed.value.label == label and "nope" in str(failed.value)
    if where in ("footer", "first-page header", "footnote", "title"):  # docxtpl, strict, fails there as well
        with pytest.raises(Exception, match="nope"):
            docxtpl_reference(full_template(**kwargs), CONTEXT)


# ---- templates check and the monthly run, with an office's own urging.docx ----

@pytest.fixture
def office(tiny):
    (tiny / "config.yaml").write_text((tiny / "config.yaml").read_text(encoding="utf-8") + "paths:\n  templates: mine\n",
                                      encoding="utf-8")
    (tiny / "mine").mkdir()
    return tiny


def with_parts(dest: Path, header: str | None = None, first_footer: str | None = None, footnote: str | None = None,
               title: str | None = None) -> Path:
    """The default urging slip with a header, a first-page footer, a footnote or a title, as a clerk adds them in Word."""
    doc = Document(DEFAULTS / "urging.docx")
    section = doc.sections[0]
    if header is not None:
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = header
    if first_footer is not None:
        section.different_first_page_header_footer = True
        section.first_page_footer.paragraphs[0].text = first_footer
    if title is not None:
        doc.core_properties.title = title
    out = io.BytesIO()
    doc.save(out)
    blob = out.getvalue()
    if footnote is not None:
        blob = add_part(blob, "word/footnotes.xml", CT + "footnotes+xml", f"{R}/footnotes", notes_xml("footnote", footnote))
    dest.write_bytes(blob)
    return dest


MISTAKES = [
    ({"header": "{{ doc_no }} {{ unit.nmae }}"},
     "mine/urging.docx: 页眉, in the paragraph “{{ doc_no }} {{ unit.nmae }}”: “nmae” is not offered here (did you mean name?)"),
    ({"first_footer": "{{ unti.name }}"}, "首页页脚, in the paragraph “{{ unti.name }}”: {{ unti }} is not a variable of this kind (did you mean unit?)"),
    ({"footnote": "{% if doc_no %}注"}, "脚注, in the paragraph “{% if doc_no %}注”: the template does not compile"),
    ({"title": "{{ doc_no|chinese }}"}, "文档属性“标题”: the filter “chinese” does not exist"),
    ({"header": "{ doc_no }}"}, "页眉, in the paragraph “{ doc_no }}”: a tag looks broken"),
]


@pytest.mark.parametrize("parts,message", MISTAKES, ids=["header", "first-page footer", "footnote", "title", "broken brace"])
def test_mistakes_outside_the_body_are_caught_with_their_place(office, parts, message):
    with_parts(office / "mine" / "urging.docx", **parts)
    check = run("templates", "check")
    assert check.exit_code == 2 and message in check.output, check.output
    result = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 2 and message in result.output
    assert nothing_written(office)


def test_an_office_header_is_rendered_in_the_run(office):
    with_parts(office / "mine" / "urging.docx", header="{{ doc_no }} {{ unit.name }}", title="{{ title }}")
    assert run("templates", "check").exit_code == 0
    result = run("monthly", "--as-of", "2026-11-28", "--no-pdf")
    assert result.exit_code == 0, result.output
    urging = next((office / "out" / "2026-11" / "docx").glob("*催〔*"))
    document = Document(urging)
    assert document.sections[0].header.paragraphs[0].text == "淄改办催〔2026〕1号 张店区委改革办"
    assert document.core_properties.title == "催办单：推进“一网通办”改革"


# ---- what adds parts: pictures, hyperlinks, inserted files, replaced pictures ----

def picture(path: Path, color: str, size=(240, 96)) -> Path:
    from PIL import Image

    Image.new("RGB", size, color).save(path)
    return path


def simple_template(*paragraphs: str, header: str | None = None, header_picture: tuple[Path, str] | None = None) -> bytes:
    """A small template: paragraphs in the body, a header with text and perhaps a picture named in its alt text."""
    from docx.shared import Mm

    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    section = doc.sections[0]
    if header is not None or header_picture is not None:
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = header or ""
    if header_picture is not None:
        path, alt = header_picture
        section.header.paragraphs[0].add_run().add_picture(str(path), width=Mm(20))
        for el in section.header._element.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr"):
            el.set("descr", alt)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def same_packages(ours: bytes, theirs: bytes) -> None:
    """Part by part the same (relationship ids by what they point at), none pointing nowhere, the same media."""
    a, b = zipfile.ZipFile(io.BytesIO(ours)), zipfile.ZipFile(io.BytesIO(theirs))
    assert set(a.namelist()) == set(b.namelist())
    for name in a.namelist():
        if name.endswith((".xml", ".rels")):
            mine, dangling = canonical(a, name)
            assert not dangling, f"{name}: relationship ids that point nowhere: {dangling}"
            assert mine == canonical(b, name)[0], name
        else:
            assert a.read(name) == b.read(name), name


def ours_and_docxtpls(blob: bytes, context: dict, theirs_context) -> tuple[bytes, bytes]:
    """The project's renderer (the way it picks for this template) and plain docxtpl, both finished by the layout step."""
    from pipeline.documents.render import docxtpl_render

    compiled = CompiledTemplate(blob, make_env(), context)
    assert compiled.needs_docxtpl(context)  # decided at load: these values add parts
    out = io.BytesIO()
    docxtpl_render(blob, compiled, context, make_env()).save(out)
    return out.getvalue(), docxtpl_reference_with(blob, theirs_context)


def docxtpl_reference_with(blob: bytes, make_context) -> bytes:
    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.init_docx()
    tpl.render(make_context(tpl), jinja_env=make_env(), autoescape=True)
    layout.finish(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def test_an_image_variable_in_the_header_and_body_comes_out_as_docxtpls(tmp_path):
    from docx.shared import Mm
    from docxtpl import InlineImage

    from pipeline.documents.context import Picture

    logo = picture(tmp_path / "logo.png", "red")
    blob = simple_template("{{ doc_no }}", "签名：{{ office.images.logo }}", header="{{ doc_no }} {{ office.images.logo }}")
    context = {"doc_no": "淄改办发〔2026〕3号", "office": {"name": "淄博市委改革办", "images": {"logo": Picture(logo, 20, "logo")}}}
    ours, theirs = ours_and_docxtpls(blob, context, lambda tpl: dict(
        context, office={"name": "淄博市委改革办", "images": {"logo": InlineImage(tpl, str(logo), width=Mm(20))}}))
    same_packages(ours, theirs)
    zf = zipfile.ZipFile(io.BytesIO(ours))
    assert [n for n in zf.namelist() if n.startswith("word/media/")] == ["word/media/image1.png"]  # one part, shared
    for part in ("word/document.xml", "word/header1.xml"):  # each related to it
        assert ("image", "word/media/image1.png") in rels_of(zf, part).values(), part
    header = Document(io.BytesIO(ours)).sections[0].header
    assert header.paragraphs[0].text.strip() == "淄改办发〔2026〕3号" and header._element.xpath(".//pic:pic")
    # a template that prints office.name only stays compiled, though the office has a logo
    assert not CompiledTemplate(simple_template("{{ office.name }}"), make_env(), context).fallback


def test_a_hyperlink_gets_its_own_relationship(tmp_path):
    from docxtpl import RichText

    from pipeline.documents.context import Link

    blob = simple_template("详见{{r site }}。")
    context = {"site": Link("淄博改革网", "https://example.org/gaige")}

    def theirs(tpl):
        text = RichText()
        text.add("淄博改革网", url_id=tpl.build_url_id("https://example.org/gaige"), color="0000FF", underline=True)
        return {"site": text}

    ours, reference = ours_and_docxtpls(blob, context, theirs)
    same_packages(ours, reference)
    document = Document(io.BytesIO(ours))
    links = [r for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert [r.target_ref for r in links] == ["https://example.org/gaige"]
    assert "详见淄博改革网。" in document.paragraphs[0].text + "".join(
        t.text or "" for t in document.paragraphs[0]._element.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))


def test_an_inserted_word_file_brings_its_pictures(tmp_path):
    from pipeline.documents.context import Insert

    seal = picture(tmp_path / "seal.png", "blue")
    inserted = Document()
    inserted.add_paragraph("附：联系方式")
    inserted.add_picture(str(seal))
    inserted.save(tmp_path / "insert.docx")
    blob = simple_template("{{ doc_no }}", "{{p insert }}")
    context = {"doc_no": "3号", "insert": Insert(tmp_path / "insert.docx")}
    ours, reference = ours_and_docxtpls(blob, context, lambda tpl: {"doc_no": "3号", "insert": tpl.new_subdoc(str(tmp_path / "insert.docx"))})
    same_packages(ours, reference)
    document = Document(io.BytesIO(ours))
    assert "附：联系方式" in [p.text for p in document.paragraphs]
    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(io.BytesIO(ours)).namelist())


def test_a_picture_placed_in_the_header_is_replaced_at_load_and_stays_compiled(tmp_path):
    placeholder = picture(tmp_path / "placeholder.png", "gray")
    logo = picture(tmp_path / "logo.png", "red")
    blob = simple_template("{{ doc_no }}", header="{{ doc_no }}", header_picture=(placeholder, "标志占位"))
    from pipeline.documents.render import replace_pictures

    context = {"doc_no": "3号"}
    compiled = CompiledTemplate(replace_pictures(blob, {"标志占位": str(logo)}), make_env(), context)
    assert not compiled.needs_docxtpl(context)  # replaced once, for every document: the compiled path goes on
    ours, _ = compiled.render(context)

    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.replace_pic("标志占位", str(logo))
    tpl.render(context, jinja_env=make_env(), autoescape=True)
    layout.finish(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    same_packages(ours, out.getvalue())
    media = [n for n in zipfile.ZipFile(io.BytesIO(ours)).namelist() if n.startswith("word/media/")]
    assert [zipfile.ZipFile(io.BytesIO(ours)).read(n) for n in media] == [logo.read_bytes()]


def with_office_images(project: Path, images: dict) -> None:
    import yaml

    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["office"]["images"] = images
    (project / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


@pytest.mark.skipif(__import__("pipeline.output.convert", fromlist=["soffice_path"]).soffice_path() is None, reason="needs LibreOffice")
def test_an_office_header_with_the_number_and_a_logo_reaches_the_pdf(office, tmp_path):
    import pdfplumber
    import subprocess

    (office / "images").mkdir()
    picture(office / "images" / "logo.png", "red")
    with_office_images(office, {"logo": {"file": "images/logo.png", "width_mm": 20}})
    with_parts(office / "mine" / "urging.docx", header="{{ office.images.logo }} {{ doc_no }}")
    assert run("templates", "check").exit_code == 0
    result = run("monthly", "--as-of", "2026-11-28")
    assert result.exit_code == 0, result.output
    pdf_path = next((office / "out" / "2026-11" / "pdf").glob("*催〔*"))
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        text_top_pt = layout.MARGIN_TOP / layout.PT  # the text block starts 37 mm down: the header is above it
        header_words = " ".join(w["text"] for w in page.extract_words() if w["bottom"] < text_top_pt)
        assert "淄改办催〔2026〕1" in header_words.replace(" ", "")
        [image] = [im for im in page.images if im["bottom"] < text_top_pt]
        assert abs((image["x1"] - image["x0"]) - 20 / 25.4 * 72) < 1.5  # 20 mm wide, as configured
        body = page.extract_text()
        assert "{{" not in body and "张店区委改革办" in body
    # the other kinds keep the compiled path: nothing of theirs uses the logo
    reminder = Document(next((office / "out" / "2026-11" / "docx").glob("*提〔*")))
    assert not reminder.sections[0].header._element.xpath(".//pic:pic")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf_path), str(tmp_path / "page")], check=True)


def test_a_missing_logo_file_is_bad_config(office):
    with_office_images(office, {"logo": "images/logo.png"})
    result = run("templates", "check")
    assert result.exit_code == 2
    assert "office.images.logo.file: no such file" in result.output and "images/logo.png" in result.output


def test_replace_media_by_content_as_docxtpl_does(tmp_path):
    from pipeline.documents.render import replace_pictures

    placeholder = picture(tmp_path / "placeholder.png", "gray")
    logo = picture(tmp_path / "logo.png", "green")
    blob = simple_template("{{ doc_no }}", header="{{ doc_no }}", header_picture=(placeholder, "占位"))
    compiled = CompiledTemplate(replace_pictures(blob, {}, media={placeholder.read_bytes(): logo.read_bytes()}), make_env(), {})
    ours, _ = compiled.render({"doc_no": "3号"})
    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.replace_media(str(placeholder), str(logo))
    tpl.render({"doc_no": "3号"}, jinja_env=make_env(), autoescape=True)
    layout.finish(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    same_packages(ours, out.getvalue())
    assert zipfile.ZipFile(io.BytesIO(ours)).read("word/media/image1.png") == logo.read_bytes()
