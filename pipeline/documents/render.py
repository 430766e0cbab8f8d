"""Templates → DOCX: each template read once per run, rendered in a strict Jinja sandbox."""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate, RichText, RichTextParagraph
from lxml import etree
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from . import layout
from ..errors import BadInput, Problem, display_path
from ..sources.values import format_date, normalise_doc_no


def default_templates_dir() -> Path:
    """The project's default templates: the checkout's templates/docx, or the installed copy."""
    here = Path(__file__).resolve().parents[2] / "templates" / "docx"
    if here.is_dir():
        return here
    return Path(str(resources.files("pipeline.default_templates")))


def zh_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (for 第一, （一） in templates)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _with_pictures(tpl: DocxTemplate, value: Any) -> Any:
    """Replace the values that add parts (at any depth) by docxtpl's objects bound to this
    document: Picture → InlineImage, Link → RichText with a hyperlink, Insert → Subdoc."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from .context import Insert, Link, Picture

    if isinstance(value, Picture):
        return InlineImage(tpl, str(value.path), width=Mm(value.width_mm) if value.width_mm else None)
    if isinstance(value, InlineImage):  # made for another document: bind it to this one
        return InlineImage(tpl, value.image_descriptor, value.width, value.height, value.anchor)
    if isinstance(value, Link):
        text = RichText()
        text.add(value.text, url_id=tpl.build_url_id(value.url), color="0000FF", underline=True)
        return text
    if isinstance(value, Insert):
        return tpl.new_subdoc(str(value.path))
    if isinstance(value, dict):
        return {k: _with_pictures(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_pictures(tpl, v) for v in value]
    return value


def replace_pictures(blob: bytes, pictures: dict[str, Any], media: dict[bytes, bytes] | None = None,
                     embedded: dict[bytes, bytes] | None = None) -> bytes:
    """The template with the pictures placed in it (found by name, title or alt text, in the body,
    headers and footers) replaced by the office's files: docxtpl's replace_pic, done once at load
    (and its replace_media / replace_embedded, by the old file's content, for callers that have them)."""
    if not pictures and not media and not embedded:
        return blob
    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.render_init()  # docxtpl's replacement state, without rendering anything
    tpl.allow_missing_pics = True  # a picture may be in some of the office's templates only
    for name, path in pictures.items():
        tpl.replace_pic(name, path)
    for old, new in (media or {}).items():
        tpl.replace_media(io.BytesIO(old), io.BytesIO(new))
    for old, new in (embedded or {}).items():
        tpl.crc_to_new_embedded[DocxTemplate.get_file_crc(io.BytesIO(old))] = new
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def make_env() -> SandboxedEnvironment:
    """The Jinja environment for office templates: sandboxed, strict, escaping for XML."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters["zh_number"] = zh_number
    env.filters["percent"] = lambda x, places=1: f"{float(x) * 100:.{places}f}%"
    env.filters["money"] = lambda x, places=2: f"{float(x):,.{places}f}"
    env.filters["cn_date"] = lambda d: format_date(d) if d else ""
    env.filters["doc_no"] = lambda text: normalise_doc_no(str(text))
    return env


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# the parts rendered besides the body, by content type, and what staff call them
PART_KINDS = {CT + "header+xml": "页眉", CT + "footer+xml": "页脚", CT + "footnotes+xml": "脚注",
              CT + "endnotes+xml": "尾注", CT + "comments+xml": "批注"}
REFERENCE_PREFIX = {"first": "首页", "even": "偶数页", "default": ""}
CORE_NAMES = {"title": "标题", "subject": "主题", "creator": "作者", "description": "备注", "keywords": "关键词",
              "category": "类别", "identifier": "标识", "language": "语言", "contentStatus": "状态",
              "lastModifiedBy": "最后修改者", "version": "版本"}
PROPERTY_PARTS = ("docProps/core.xml", "docProps/custom.xml")
_TAG = re.compile(r"\{[{%#_]|[}%#_]\}")
_LISTING = re.compile("[\t\a\f]|\n(?!<w:p)")


class PartFailed(Exception):
    """A template error in one part of the package, with the part's name as staff call it (页眉 …)."""

    def __init__(self, label: str, error: Exception):
        super().__init__(f"{label}: {error}" if label else str(error))
        self.label, self.error = label, error


def split_lines(xml: str) -> str:
    """One line per paragraph (docxtpl's own split), so Jinja's line numbers name a paragraph."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)


def _finish_xml(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's steps after Jinja: the line split undone, escaped braces restored, Listing resolved."""
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "{_" in xml or "_}" in xml:  # (the searches first: most documents have none, and a search is cheaper)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if ("\n" in xml or "\t" in xml or "\a" in xml or "\f" in xml) and _LISTING.search(xml):  # docxtpl's Listing
        xml = tpl.resolve_listing(xml)  # escapes, only when present
    return xml


class TemplatePart:
    """One XML part of the package besides the body (a header, footer, footnotes …): its patched
    Jinja source, compiled once, or None when it holds no tag (then it is copied as it is)."""

    def __init__(self, name: str, label: str, source: str, compiled):
        self.name, self.label, self.source, self.compiled = name, label, source, compiled


def _rels_ids(zf: zipfile.ZipFile, name: str) -> set[str]:
    folder, _, base = name.rpartition("/")
    rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels not in zf.namelist():
        return set()
    return {el.get("Id") for el in etree.fromstring(zf.read(rels))}


def _part_labels(document_xml: bytes, rels: bytes | None) -> dict[str, str]:
    """{zip name of a header or footer: 页眉, 首页页眉, 偶数页页脚 …} from the sections' references."""
    targets = {}
    if rels:
        for el in etree.fromstring(rels):
            target = el.get("Target", "")
            targets[el.get("Id")] = target.lstrip("/") if target.startswith("/") else "word/" + target
    labels: dict[str, str] = {}
    root = etree.fromstring(document_xml)
    sections = root.findall(f".//{{{W}}}sectPr")
    for i, sect in enumerate(sections, start=1):
        for ref in sect:
            kind = {f"{{{W}}}headerReference": "页眉", f"{{{W}}}footerReference": "页脚"}.get(ref.tag)
            name = targets.get(ref.get(f"{{{R}}}id"))
            if kind and name and name not in labels:
                where = f"第{i}节" if len(sections) > 1 else ""
                labels[name] = where + REFERENCE_PREFIX.get(ref.get(f"{{{W}}}type", "default"), "") + kind
    return labels


def template_parts(tpl: DocxTemplate, blob: bytes) -> list[TemplatePart]:
    """Every part docxtpl renders besides the body, with its patched source (compiled later)."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = set(zf.namelist())
        labels = _part_labels(zf.read("word/document.xml"),
                              zf.read("word/_rels/document.xml.rels") if "word/_rels/document.xml.rels" in names else None)
        for part in tpl.docx.part.package.iter_parts():
            kind = PART_KINDS.get(part.content_type)
            name = str(part.partname).lstrip("/")
            if kind is None or name not in names:
                continue
            xml = etree.tostring(etree.fromstring(zf.read(name)), encoding="unicode")
            source = tpl.patch_xml(xml)
            label = labels.get(name, kind)
            parts.append(TemplatePart(name, label, source, None))
    return parts


class Properties:
    """The document's core and custom properties whose text holds tags, each compiled once and
    rendered as plain text (no XML escaping: lxml escapes once when the part is written)."""

    def __init__(self, blob: bytes | dict[str, bytes], env):
        """blob: the package, or {zip name: bytes} of its property parts."""
        self.parts: dict[str, tuple[Any, list[tuple[int, str, Any]]]] = {}
        if isinstance(blob, bytes):
            with zipfile.ZipFile(io.BytesIO(blob)) as zf:
                blob = {name: zf.read(name) for name in PROPERTY_PARTS if name in zf.namelist()}
        for name, data in blob.items():
            root = etree.fromstring(data)
            fields = []
            for i, el in enumerate(root.iter()):
                if isinstance(el.tag, str) and el.text and _TAG.search(el.text):
                    fields.append((i, self.label(el), el.text))
            if fields:
                self.parts[name] = (root, fields)
        self.env = env
        self.compiled = {(name, i): None for name, (_, fields) in self.parts.items() for i, _, _ in fields}

    @staticmethod
    def label(el) -> str:
        local = etree.QName(el).localname
        if local in CORE_NAMES:
            return f"文档属性“{CORE_NAMES[local]}”"
        prop = el.getparent()
        name = prop.get("name") if prop is not None else None
        return f"自定义属性“{name or local}”"

    def sources(self) -> list[tuple[str, str]]:
        """(label, text) of every property with a tag, for the checks."""
        return [(label, text) for _, fields in self.parts.values() for _, label, text in fields]

    def compile(self) -> None:
        for name, (_, fields) in self.parts.items():
            for i, label, text in fields:
                try:
                    self.compiled[(name, i)] = self.env.from_string("{% autoescape false %}" + text + "{% endautoescape %}")
                except TemplateError as exc:
                    raise PartFailed(label, exc)

    def render(self, context: dict[str, Any]) -> dict[str, bytes]:
        out = {}
        for name, (root, fields) in self.parts.items():
            copy = etree.fromstring(etree.tostring(root))
            elements = list(copy.iter())
            for i, label, _ in fields:
                try:
                    elements[i].text = self.compiled[(name, i)].render(context)
                except TemplateError as exc:
                    raise PartFailed(label, exc)
            out[name] = etree.tostring(copy, encoding="UTF-8", standalone=True)
        return out


_REFERENCES = etree.XPath(f"//@*[namespace-uri()='{R}']")


def _dangling(element, known: set[str]) -> list[str]:
    """Relationship ids the element refers to that its part does not have."""
    return [str(v) for v in _REFERENCES(element) if v not in known]


class CompiledTemplate:
    """One template read, patched and compiled once; each document then costs a Jinja render of
    the body and of each part that holds a tag, one XML parse each, and a zip of the unchanged
    parts (copied, not rebuilt).

    The steps are docxtpl's own (patch_xml, the paragraph line split, fix_tables, the docPr ids)
    so the result equals DocxTemplate.render's, part by part; tests compare the two. Headers,
    footers (first, even, every section), footnotes, endnotes, comments and the core and custom
    properties are rendered as docxtpl renders headers; nothing of the package is dropped. What
    adds parts or relationships while rendering (pictures, subdocuments, hyperlinks) goes through
    docxtpl itself: `fallback` names the variables that bring them (decided once, at load).
    """

    def __init__(self, blob: bytes, env, example: dict[str, Any] | None = None):
        self.blob = blob
        self.env = env
        self.tpl = DocxTemplate(io.BytesIO(blob))
        self.tpl.init_docx()
        self.styles = layout.StyleInfo(self.tpl.docx)
        self.body_source = self.tpl.patch_xml(self.tpl.get_xml())
        self.parts = template_parts(self.tpl, blob)
        self.properties = Properties(blob, env)
        used: set[tuple[str, ...]] = set()  # the variables whose example value adds parts
        self.codes = _CodeCache.open(example)
        self.compiled = self._compile(split_lines(self.body_source), "", example, used)
        for part in self.parts:
            if _TAG.search(part.source):
                part.compiled = self._compile(split_lines(part.source), part.label, example, used)
        self.properties.compile()
        self.rendered = [p for p in self.parts if p.compiled is not None]
        skip = {"word/document.xml"} | {p.name for p in self.rendered} | set(self.properties.parts)
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            document = zf.read("word/document.xml").decode("utf-8")
            start, end = document.index("<w:body"), document.rindex("</w:body>") + len("</w:body>")
            self.head, self.tail = document[:start], document[end:]
            self.date_times = {name: zf.getinfo(name).date_time for name in ["word/document.xml", *skip]}
            self.rels = {name: _rels_ids(zf, name) for name in ["word/document.xml"] + [p.name for p in self.rendered]}
            # every other part, zipped once: each document appends the parts it renders
            rest = io.BytesIO()
            with zipfile.ZipFile(rest, "w", zipfile.ZIP_DEFLATED) as out:
                for info in zf.infolist():
                    if info.filename not in skip:
                        out.writestr(info, zf.read(info.filename))
            self.rest = _ZipBase(rest.getvalue())
        # references (r:id, r:embed …) in each source: a document with more may have gained one
        # that points nowhere (a value the example did not foresee); only then is it looked at
        self.references = {"word/document.xml": self.body_source.count(" r:")}
        self.references.update({p.name: p.source.count(" r:") for p in self.rendered})
        if example is not None:
            used.update(pictures_used((self.env.parse(text) for _, text in self.properties.sources()), example))
        self.fallback = sorted(used) if example is not None else []

    def _compile(self, source: str, label: str, example: dict[str, Any] | None, used: set[tuple[str, ...]]):
        """env.from_string(source), parsed once: the syntax tree also gives the variables whose
        example value adds parts (looked at before compiling, which folds constants in the tree)."""
        env = self.env
        kept = self.codes.get(source) if self.codes is not None else None
        if kept is not None:
            code, paths = kept
        else:
            try:
                tree = env.parse(source)
                paths = pictures_used([tree], example) if example is not None else []
                code = env.compile(tree)
            except TemplateError as exc:
                raise PartFailed(label, exc)
            if self.codes is not None:
                self.codes.put(source, code, paths)
        used.update(paths)
        return env.template_class.from_code(env, code, env.make_globals(None), None)

    def trees(self):
        """The Jinja syntax trees of every rendered source (body, parts, properties)."""
        yield self.env.parse(split_lines(self.body_source))
        for part in self.rendered:
            yield self.env.parse(split_lines(part.source))
        for _, text in self.properties.sources():
            yield self.env.parse(text)

    def needs_docxtpl(self, context: dict[str, Any]) -> bool:
        """Whether this document's values add parts (pictures …): only for the variables found at load."""
        for path in self.fallback:
            value: Any = context
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if _adds_parts(value):
                return True
        return False

    def render(self, context: dict[str, Any]) -> tuple[bytes, Any]:
        """(the DOCX bytes, the finished body element) of one document."""
        try:
            xml = self.compiled.render(context)
        except TemplateError as exc:
            raise PartFailed("", exc)
        xml = _finish_xml(self.tpl, xml)
        body = self.tpl.fix_tables(xml)
        if "docPr" in xml:  # pictures: docxtpl numbers their ids again
            self.tpl.docx_ids_index = 1000
            self.tpl.fix_docpr_ids(body)
        layout.finish_body(body, self.styles)
        rendered = {}
        for part in self.rendered:
            try:
                xml = _finish_xml(self.tpl, part.compiled.render(context))
            except TemplateError as exc:
                raise PartFailed(part.label, exc)
            root = etree.fromstring(xml.encode("utf-8"))
            if xml.count(" r:") > self.references[part.name] and _dangling(root, self.rels[part.name]):
                raise Unrenderable(part.label)
            rendered[part.name] = etree.tostring(root, encoding="UTF-8", standalone=True)
        if xml.count(" r:") > self.references["word/document.xml"] and _dangling(body, self.rels["word/document.xml"]):
            raise Unrenderable("")
        rendered.update(self.properties.render(context))
        rendered["word/document.xml"] = self.head + etree.tostring(body, encoding="unicode") + self.tail
        # the template's own times, not the clock: same content, same bytes
        return self.rest.plus([(name, data, self.date_times[name]) for name, data in rendered.items()]), body


class _CodeCache:
    """Jinja's compiled form of template sources, kept between runs (compiling the templates is a
    tenth of a --no-pdf run's start): each source's Python code object and the variables in it
    whose example value adds parts, marshalled, keyed by the source, the example context, this
    module (the environment is made here), Jinja's version and Python's bytecode magic.

    The folder is ~/.cache/make-notices/jinja/ (pipeline/private.py: used only when it is this
    user's and nobody else can write to it), never the output folder, which others may write to:
    loading code runs it. An entry that does not load is compiled again and replaced."""

    KEPT = 400  # entries; the oldest go when a new one is written

    def __init__(self, folder: Path, example: dict[str, Any] | None):
        import json

        self.folder = folder
        self.base = _code_key_base().copy()
        self.base.update(json.dumps(example, sort_keys=True, ensure_ascii=False, default=_stable).encode())

    @classmethod
    def open(cls, example: dict[str, Any] | None) -> _CodeCache | None:
        """The cache, or None where its folder cannot be made or is not this user's alone."""
        from ..private import private_cache

        folder = private_cache("jinja")
        return cls(folder, example) if folder is not None else None

    def _path(self, source: str) -> Path:
        h = self.base.copy()
        h.update(source.encode("utf-8"))
        return self.folder / f"{h.hexdigest()}.code"

    def get(self, source: str) -> tuple[Any, list[tuple[str, ...]]] | None:
        import marshal
        import types

        try:
            code, paths = marshal.loads(self._path(source).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        if not isinstance(code, types.CodeType) or not isinstance(paths, list):
            return None
        return code, [tuple(p) for p in paths]

    def put(self, source: str, code, paths: list[tuple[str, ...]]) -> None:
        import marshal
        import os

        path = self._path(source)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        try:
            part.write_bytes(marshal.dumps((code, [list(p) for p in paths])))
            os.replace(part, path)
            entries = sorted(self.folder.glob("*.code"), key=lambda p: p.stat().st_mtime)
            for old in entries[:-self.KEPT]:
                old.unlink(missing_ok=True)
        except OSError:
            part.unlink(missing_ok=True)  # only costs a compile next time


@functools.lru_cache(maxsize=1)
def _code_key_base():
    """What every compiled-code key starts with, worked out once a process: Python's bytecode magic,
    Jinja's version and this module (the environment is made here)."""
    import hashlib
    from importlib.util import MAGIC_NUMBER

    import jinja2

    return hashlib.sha256(MAGIC_NUMBER + jinja2.__version__.encode() + Path(__file__).read_bytes())


class _ZipBase:
    """A zip (the template's parts that every document copies as they are) that documents extend:
    plus() appends entries and gives the whole zip's bytes, as zipfile's append mode with
    ZIP_DEFLATED at level 1 writes them, byte for byte, without reading the zip's directory again
    for every document (tests compare the two)."""

    _LOCAL, _CENTRAL, _END = struct.Struct("<4s2B4HL2L2H"), struct.Struct("<4s4B4HL2L5H2L"), struct.Struct("<4s4H2LH")

    def __init__(self, data: bytes):
        end = data.rindex(b"PK\x05\x06")
        _, _, _, _, self.count, size, offset, _ = self._END.unpack_from(data, end)
        self.entries, self.directory = data[:offset], data[offset:offset + size]
        self.system = zipfile.ZipInfo().create_system

    def plus(self, parts: list[tuple[str, str | bytes, tuple[int, ...]]]) -> bytes:
        """The zip with `parts` (name, data, date_time) appended, in their order."""
        out, directory, at = [self.entries], [self.directory], len(self.entries)
        for name, data, when in parts:
            raw = data.encode("utf-8") if isinstance(data, str) else data
            deflate = zlib.compressobj(1, zlib.DEFLATED, -15)
            packed = deflate.compress(raw) + deflate.flush()
            crc = zlib.crc32(raw)
            try:
                filename, flags = name.encode("ascii"), 0
            except UnicodeEncodeError:
                filename, flags = name.encode("utf-8"), 0x800
            dos_time = when[3] << 11 | when[4] << 5 | when[5] // 2
            dos_date = (when[0] - 1980) << 9 | when[1] << 5 | when[2]
            out += [self._LOCAL.pack(b"PK\x03\x04", 20, 0, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc,
                                     len(packed), len(raw), len(filename), 0), filename, packed]
            directory += [self._CENTRAL.pack(b"PK\x01\x02", 20, self.system, 20, 0, flags, zipfile.ZIP_DEFLATED, dos_time,
                                             dos_date, crc, len(packed), len(raw), len(filename), 0, 0, 0, 0, 0o600 << 16, at),
                          filename]
            at += self._LOCAL.size + len(filename) + len(packed)
        listing = b"".join(directory)
        count = self.count + len(parts)
        return b"".join(out) + listing + self._END.pack(b"PK\x05\x06", 0, 0, count, count, len(listing), at, 0)


def check_fingerprint(path: Path, kind: str, context: dict[str, Any]) -> str | None:
    """What a template check depends on: the template's bytes, its kind, the example context and the
    code that checks and renders (None when the template cannot be read: then it is checked)."""
    import hashlib
    import json

    try:
        h = hashlib.sha256(path.read_bytes())
    except OSError:
        return None
    for code in sorted(Path(__file__).resolve().parent.glob("*.py")):  # the documents package: all of it
        h.update(code.read_bytes())
    h.update(kind.encode() + json.dumps(context, sort_keys=True, ensure_ascii=False, default=_stable).encode())
    return h.hexdigest()


def _stable(value: Any) -> Any:
    """A context value for the fingerprint, without what changes from run to run and cannot change
    a check: the example pictures' scratch paths (the trial render leaves pictures out)."""
    if hasattr(value, "__dict__"):
        return [type(value).__name__, {k: v for k, v in vars(value).items() if not isinstance(v, Path)}]
    return repr(value)


class Unrenderable(Exception):
    """A value added a relationship the compiled path cannot add (a hyperlink, a picture …)."""


def _part_adding_types() -> tuple[type, ...]:
    from docxtpl import InlineImage

    from .context import Insert, Link, Picture

    try:
        from docxtpl.subdoc import Subdoc
    except ImportError:  # docxcompose missing: no subdocuments at all
        return (Picture, Link, Insert, InlineImage)
    return (Picture, Link, Insert, InlineImage, Subdoc)


_ADDS_PARTS = _part_adding_types()
_RICH = (RichText, RichTextParagraph)


def _adds_parts(value: Any) -> bool:
    """Whether a context value brings a picture, subdocument or hyperlink (at any depth)."""
    if isinstance(value, _ADDS_PARTS):
        return True
    if isinstance(value, _RICH):
        return "r:id=" in str(value)
    if isinstance(value, dict):
        return any(_adds_parts(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_adds_parts(v) for v in value)
    return False


def pictures_used(trees, example: dict[str, Any]) -> list[tuple[str, ...]]:
    """The variable paths (charts, office.images.logo …) whose example value adds parts."""
    from jinja2 import nodes

    found: set[tuple[str, ...]] = set()
    for tree in trees:
        chains = list(tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)))
        inner = {id(n.node) for n in chains if isinstance(n, (nodes.Getattr, nodes.Getitem))}
        for node in chains:
            if id(node) in inner:  # only whole paths: office.name, not office
                continue
            path: list[str] = []
            cur = node
            while isinstance(cur, (nodes.Getattr, nodes.Getitem)):
                key = cur.attr if isinstance(cur, nodes.Getattr) else getattr(cur.arg, "value", None)
                path = [key] + path if isinstance(key, str) else []
                cur = cur.node
            if not isinstance(cur, nodes.Name):
                continue
            path = [cur.name] + path
            value: Any = example
            keep: list[str] = []
            for key in path:
                if not isinstance(value, dict) or key not in value:
                    break
                value, keep = value[key], keep + [key]
            if keep and _adds_parts(value):
                found.add(tuple(keep))
    return sorted(found)


class OfficeTemplate(DocxTemplate):
    """docxtpl, for documents whose values add parts: it also renders what docxtpl leaves (endnotes,
    comments, custom properties) and writes the properties as plain text, as the compiled path does."""

    def render_properties(self, context, jinja_env=None) -> None:
        pass  # done after rendering, from the package (see render)

    def render_footnotes(self, context, jinja_env=None) -> None:
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        for part in self.docx.part.package.iter_parts():
            if part.content_type not in (CT + "footnotes+xml", CT + "endnotes+xml", CT + "comments+xml"):
                continue
            xml = self.patch_xml(etree.tostring(etree.fromstring(part.blob), encoding="unicode"))
            if not _TAG.search(xml):
                continue
            xml = self.render_xml_part(xml, part, context, jinja_env)
            if isinstance(part, XmlPart):
                part._element = parse_xml(xml.encode("utf-8"))
            else:
                part._blob = xml.encode("utf-8")

    def render(self, context, jinja_env=None, autoescape=False) -> None:
        from docx.opc.part import XmlPart
        from docx.oxml import parse_xml

        super().render(context, jinja_env, autoescape)
        env = jinja_env or SandboxedEnvironment(autoescape=autoescape)
        package = self.docx.part.package
        sources = {str(part.partname).lstrip("/"): part.blob for part in package.iter_parts()
                   if str(part.partname).lstrip("/") in PROPERTY_PARTS}
        properties = Properties(sources, env)
        properties.compile()
        rendered = properties.render(context)
        for part in package.iter_parts():
            name = str(part.partname).lstrip("/")
            if name in rendered:
                if isinstance(part, XmlPart):
                    part._element = parse_xml(rendered[name])
                else:
                    part._blob = rendered[name]


class Renderer:
    """Finds each kind's template (office folder first, then the defaults) and renders documents."""

    def __init__(self, office_dir: Path | None):
        self.office_dir = office_dir
        self.default_dir = default_templates_dir()
        self.env = make_env()
        self._blobs: dict[str, bytes] = {}
        self._compiled: dict[str, CompiledTemplate] = {}

    def path(self, kind: str) -> Path:
        if self.office_dir is not None:
            own = self.office_dir / f"{kind}.docx"
            if own.is_file():
                return own
        return self.default_dir / f"{kind}.docx"

    def check(self, kinds: list[str], contexts: dict[str, dict[str, Any]]) -> list[Problem]:
        """Check each kind's template (the office's, else the default) against its example context."""
        from .templates import check_template

        problems = []
        for kind in kinds:
            path = self.path(kind)
            if not path.is_file():
                problems.append(Problem(display_path(path), f"missing template for {kind}"))
                continue
            problems += check_template(path, kind, contexts[kind], self.env)
        return problems

    def load(self, kinds: list[str], contexts: dict[str, dict[str, Any]], passed: set[str] | None = None) -> None:
        """Check and read the templates the run needs, once; any mistake is bad input. Each
        template's way (compiled, or docxtpl for the variables that add pictures) is decided here.

        `passed`: fingerprints of checks that passed before (pipeline/output/cache.py keeps them):
        a template whose bytes, example context and checking code are unchanged is not checked
        again; the fingerprint of each check that passes now is added."""
        keys = {kind: check_fingerprint(self.path(kind), kind, contexts[kind]) for kind in kinds} if passed is not None else {}
        todo = [kind for kind in kinds if keys.get(kind) not in (passed or ())]
        problems = self.check(todo, contexts)
        if problems:
            raise BadInput(problems)
        if passed is not None:
            passed.update(keys[kind] for kind in todo if keys[kind] is not None)
        for kind in kinds:
            pictures = contexts[kind].get("office", {}).get("pictures", {})
            self._blobs[kind] = replace_pictures(self.path(kind).read_bytes(), pictures)
            self._compiled[kind] = CompiledTemplate(self._blobs[kind], self.env, contexts[kind])

    @staticmethod
    def trial(path: Path, context: dict[str, Any], env):
        """Render a template once with an example context (charts left out), the way a run would,
        to catch what parsing cannot; return the python-docx Document."""
        from docx import Document

        blob = replace_pictures(path.read_bytes(), context.get("office", {}).get("pictures", {}))
        context = {k: v for k, v in context.items() if k != "charts"} | {"charts": []}
        compiled = CompiledTemplate(blob, env, context)
        try:
            if compiled.needs_docxtpl(context):
                raise Unrenderable("")
            data, _ = compiled.render(context)
        except Unrenderable:
            out = io.BytesIO()  # saved and read again: docxtpl swaps header parts under python-docx's cache
            docxtpl_render(blob, compiled, context, env).save(out)
            data = out.getvalue()
        return Document(io.BytesIO(data))

    def render(self, kind: str, context: dict[str, Any], dest: Path, same: Path | None = None) -> bool:
        """Render one document to dest; return True when it carries a 版记 to place after conversion.
        `same`: a file that dest is made a hard link of when it holds the same bytes (a re-run's
        document that has not changed: no new file is written); only for files nothing rewrites."""
        compiled = self._compiled[kind]
        if not compiled.needs_docxtpl(context):
            try:
                data, body = compiled.render(context)
            except PartFailed as exc:
                raise BadInput(Problem(display_path(self.path(kind)), f"the template failed on {context.get('doc_no', '')}: {exc}"))
            except Unrenderable:  # a value the example did not foresee added a relationship
                return self.render_docxtpl(kind, context, dest)
            if same is None or not _link_if_same(same, data, dest):
                dest.write_bytes(data)
            return layout.colophon_table(None, compiled.styles.names, body) is not None
        return self.render_docxtpl(kind, context, dest)

    def render_docxtpl(self, kind: str, context: dict[str, Any], dest: Path) -> bool:
        """The docxtpl way (a fresh DocxTemplate per document): for pictures, and as the reference."""
        try:
            document = docxtpl_render(self._blobs[kind], self._compiled[kind], context, self.env)
        except PartFailed as exc:
            raise BadInput(Problem(display_path(self.path(kind)), f"the template failed on {context.get('doc_no', '')}: {exc}"))
        from .docxbase import save_docx

        save_docx(document, dest)
        return layout.colophon_table(document) is not None


def _link_if_same(same: Path, data: bytes, dest: Path) -> bool:
    """dest made a hard link of `same` if it holds exactly `data`; False where it does not, or is
    missing, or the file system has no hard links (then dest is to be written)."""
    import os
    import stat

    try:
        st = os.lstat(same)  # a regular file of the output itself, not what a link there points to
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data) or same.read_bytes() != data:
            return False
        os.link(same, dest, follow_symlinks=False)
        return True
    except OSError:
        return False


def docxtpl_render(blob: bytes, compiled: CompiledTemplate, context: dict[str, Any], env):
    """One document the docxtpl way, finished by the layout step; the python-docx Document."""
    tpl = OfficeTemplate(io.BytesIO(blob))
    tpl.init_docx()
    context = _with_pictures(tpl, context)
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except PartFailed:
        raise
    except TemplateError as exc:
        part = getattr(tpl, "current_rendering_part", None)
        name = str(part.partname).lstrip("/") if part is not None else ""
        raise PartFailed({p.name: p.label for p in compiled.parts}.get(name, ""), exc)
    layout.finish(tpl.docx)
    return tpl.docx
