"""Templates → DOCX: each template read once per run, rendered in a strict Jinja sandbox."""

from __future__ import annotations

import io
import re
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
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
    """Replace Picture values (at any depth) by docxtpl InlineImages bound to this document."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from .context import Picture

    if isinstance(value, Picture):
        return InlineImage(tpl, str(value.path), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: _with_pictures(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_pictures(tpl, v) for v in value]
    return value


def make_env() -> SandboxedEnvironment:
    """The Jinja environment for office templates: sandboxed, strict, escaping for XML."""
    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
    env.filters["zh_number"] = zh_number
    env.filters["percent"] = lambda x, places=1: f"{float(x) * 100:.{places}f}%"
    env.filters["money"] = lambda x, places=2: f"{float(x):,.{places}f}"
    env.filters["cn_date"] = lambda d: format_date(d) if d else ""
    env.filters["doc_no"] = lambda text: normalise_doc_no(str(text))
    return env


class CompiledTemplate:
    """One template read, patched and compiled once; each document then costs a Jinja render,
    one XML parse and a zip of the unchanged parts (copied, not rebuilt).

    The steps are docxtpl's own (patch_xml, the paragraph line split, fix_tables, the docPr
    ids) so the result equals DocxTemplate.render's; tests compare the two. Documents with
    pictures go through docxtpl itself (it adds the image parts).
    """

    def __init__(self, blob: bytes, env):
        self.blob = blob
        self.env = env
        self.tpl = DocxTemplate(io.BytesIO(blob))
        self.tpl.init_docx()
        self.styles = layout.StyleInfo(self.tpl.docx)
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", self.tpl.patch_xml(self.tpl.get_xml()))
        self.compiled = env.from_string(source)
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            document = zf.read("word/document.xml").decode("utf-8")
            start, end = document.index("<w:body"), document.rindex("</w:body>") + len("</w:body>")
            self.head, self.tail = document[:start], document[end:]
            self.date_time = zf.getinfo("word/document.xml").date_time
            # every other part, zipped once: each document appends its own document.xml
            rest = io.BytesIO()
            with zipfile.ZipFile(rest, "w", zipfile.ZIP_DEFLATED) as out:
                for info in zf.infolist():
                    if info.filename != "word/document.xml":
                        out.writestr(info, zf.read(info.filename))
            self.rest = rest.getvalue()

    def render(self, context: dict[str, Any]) -> tuple[bytes, Any]:
        """(the DOCX bytes, the finished body element) of one document."""
        xml = self.compiled.render(context)
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")  # the line split above, undone
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if re.search("[\t\a\f]|\n(?!<w:p)", xml):  # docxtpl's Listing escapes, only when present
            xml = self.tpl.resolve_listing(xml)
        body = self.tpl.fix_tables(xml)
        self.tpl.docx_ids_index = 1000
        self.tpl.fix_docpr_ids(body)
        layout.finish_body(body, self.styles)
        document = self.head + etree.tostring(body, encoding="unicode") + self.tail
        out = io.BytesIO(self.rest)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            info = zipfile.ZipInfo("word/document.xml", date_time=self.date_time)  # not the clock: same content, same bytes
            info.external_attr = 0o600 << 16
            zf.writestr(info, document, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        return out.getvalue(), body


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

    def load(self, kinds: list[str], contexts: dict[str, dict[str, Any]]) -> None:
        """Check and read the templates the run needs, once; any mistake is bad input."""
        problems = self.check(kinds, contexts)
        if problems:
            raise BadInput(problems)
        for kind in kinds:
            self._blobs[kind] = self.path(kind).read_bytes()
            self._compiled[kind] = CompiledTemplate(self._blobs[kind], self.env)

    @staticmethod
    def trial(path: Path, context: dict[str, Any], env):
        """Render a template once with an example context (pictures left out), to catch what parsing cannot."""
        tpl = DocxTemplate(io.BytesIO(path.read_bytes()))
        context = {k: v for k, v in context.items() if k != "charts"} | {"charts": []}
        tpl.render(context, jinja_env=env, autoescape=True)
        return tpl.docx

    def render(self, kind: str, context: dict[str, Any], dest: Path) -> bool:
        """Render one document to dest; return True when it carries a 版记 to place after conversion."""
        if not context.get("charts"):  # pictures come only as charts
            compiled = self._compiled[kind]
            try:
                data, body = compiled.render(context)
            except TemplateError as exc:
                raise BadInput(Problem(display_path(self.path(kind)), f"the template failed on {context.get('doc_no', '')}: {exc}"))
            dest.write_bytes(data)
            return layout.colophon_table(None, compiled.styles.names, body) is not None
        return self.render_docxtpl(kind, context, dest)

    def render_docxtpl(self, kind: str, context: dict[str, Any], dest: Path) -> bool:
        """The plain docxtpl way (a fresh DocxTemplate per document): for pictures, and as the reference."""
        tpl = DocxTemplate(io.BytesIO(self._blobs[kind]))
        context = _with_pictures(tpl, context)
        try:
            tpl.render(context, jinja_env=self.env, autoescape=True)
        except TemplateError as exc:
            raise BadInput(Problem(display_path(self.path(kind)), f"the template failed on {context.get('doc_no', '')}: {exc}"))
        layout.finish(tpl.docx)
        from .docxbase import save_docx

        save_docx(tpl, dest)
        return layout.colophon_table(tpl.docx) is not None
