"""Office templates: find, check (syntax, unknown variables, required parts, sandbox) and document them.

A template mistake is reported with the file, the place in the document (the paragraph or
table cell it is in) and what the kind offers, before any document is made.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SecurityError

from ..errors import Problem, display_path

REQUIRED = {"doc_no": "the document number {{ doc_no }}", "date": "the date {{ date }}"}
UNDATED = {"pledge"}  # a 目标责任书 is dated by hand when both parties sign it
ANY = object()  # a value whose attributes are not checked (loop, set variables)


def _place(lines: list[str], lineno: int | None) -> str:
    """Where in the document a line of the XML is: the paragraph or table cell text."""
    if not lineno or lineno > len(lines):
        return ""
    line = lines[lineno - 1]
    text = re.sub(r"<[^>]+>", "", line).strip()
    in_cell = "</w:tc>" in line or "".join(lines[:lineno]).count("<w:tc>") > "".join(lines[:lineno]).count("</w:tc>")
    text = text if len(text) <= 40 else text[:40] + "…"
    return f"in a table cell “{text}”" if in_cell else f"in the paragraph “{text}”"


def _offers(value: Any) -> list[str]:
    if isinstance(value, dict):
        return sorted(value)
    return []


class _Checker:
    """Walk a template's syntax tree and check every variable path against an example context."""

    def __init__(self, context: dict[str, Any], env):
        self.context = context
        self.env = env
        self.used: set[str] = set()
        self.problems: list[tuple[int, str]] = []

    def run(self, tree) -> None:
        self.visit(tree, {})

    def resolve(self, node, scope) -> Any:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            self.used.add(node.name)
            if node.name in self.context:
                return self.context[node.name]
            if node.name in self.env.globals:  # range, dict, namespace …: the sandbox guards them
                return ANY
            near = difflib.get_close_matches(node.name, list(self.context) + list(scope), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            self.problems.append((node.lineno, f"{{{{ {node.name} }}}} is not a variable of this kind{hint}; it offers: {', '.join(sorted(self.context))}"))
            return ANY
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            base = self.resolve(node.node, scope)
            if isinstance(node, nodes.Getattr):
                key = node.attr
            elif isinstance(node.arg, nodes.Const):
                key = node.arg.value
            else:
                self.visit(node.arg, scope)
                return ANY
            if base is ANY or base is None:
                return ANY
            if isinstance(base, dict):
                if key == "extra":
                    return ANY  # the data's own extra columns: whatever the office's files hold
                if key in base:
                    return base[key]
                if isinstance(key, str) and hasattr(dict, key):
                    return ANY  # a dict method (items, get)
                near = difflib.get_close_matches(str(key), _offers(base), n=1)
                hint = f" (did you mean {near[0]}?)" if near else ""
                self.problems.append((node.lineno, f"“{key}” is not offered here{hint}; it offers: {', '.join(_offers(base))}"))
                return ANY
            if isinstance(base, (list, tuple)):
                if isinstance(key, int):
                    return base[key] if -len(base) <= key < len(base) else ANY
                return ANY
            return getattr(base, key, ANY) if isinstance(key, str) and not key.startswith("_") else ANY
        self.visit(node, scope)
        return ANY

    def visit(self, node, scope) -> None:
        if isinstance(node, nodes.For):
            iterable = self.resolve(node.iter, scope)
            element = iterable[0] if isinstance(iterable, (list, tuple)) and iterable else ANY
            inner = dict(scope)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = element
            for name in node.target.find_all(nodes.Name):
                inner[name.name] = ANY
            inner["loop"] = ANY
            for child in node.body + node.else_:
                self.visit(child, inner)
            if node.test is not None:
                self.visit(node.test, inner)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            for name in [node.target, *node.target.find_all(nodes.Name)]:
                if isinstance(name, nodes.Name):
                    scope[name.name] = ANY
            return
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self.resolve(node, scope)
            return
        if isinstance(node, nodes.Filter) and node.name not in self.env.filters:
            near = difflib.get_close_matches(node.name, list(self.env.filters), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            self.problems.append((node.lineno, f"the filter “{node.name}” does not exist{hint}"))
        for child in node.iter_child_nodes():
            self.visit(child, scope)


def template_sources(blob: bytes, env) -> list[tuple[str, list[str] | None, str]]:
    """(label, XML lines or None for a property, Jinja source) of every part a run renders:
    the body (label ""), then headers, footers, footnotes, endnotes, comments, properties."""
    from docxtpl import DocxTemplate

    from .render import _TAG, Properties, split_lines, template_parts

    tpl = DocxTemplate(io.BytesIO(blob))
    tpl.init_docx()
    body = split_lines(tpl.patch_xml(tpl.get_xml()))
    out: list[tuple[str, list[str] | None, str]] = [("", body.split("\n"), body)]
    for part in template_parts(tpl, blob):
        if _TAG.search(part.source):
            source = split_lines(part.source)
            out.append((part.label, source.split("\n"), source))
    out += [(label, None, text) for label, text in Properties(blob, env).sources()]
    return out


def _located(label: str, lines: list[str] | None, lineno: int | None, message: str) -> str:
    """页眉, in the paragraph “…”: message — the part (none for the body), then the paragraph."""
    place = _place(lines, lineno) if lines is not None else ""
    where = ", ".join(x for x in (label, place) if x)
    return f"{where}: {message}" if where else message


def check_template(path: Path, kind: str, context: dict[str, Any], env) -> list[Problem]:
    """Every mistake in one template, in every part (body, headers, footers, notes, comments,
    properties): syntax, unknown variables and filters, required parts, a trial render."""
    from ..sources.tables import check_archive
    from .render import PartFailed

    shown = display_path(path)
    problem = check_archive(path, shown)
    if problem:
        return [problem]
    try:
        sources = template_sources(path.read_bytes(), env)
    except Exception as exc:  # not a Word document
        return [Problem(shown, f"cannot be opened as a Word document ({type(exc).__name__}: {exc})")]
    problems = []
    trees = []
    for label, lines, source in sources:
        try:
            trees.append((label, lines, env.parse(source)))
        except TemplateSyntaxError as exc:
            problems.append(Problem(shown, _located(label, lines, exc.lineno, f"the template does not compile: {exc.message}")))
    if problems:
        return problems
    for label, lines, tree in trees:
        checker = _Checker(context, env)
        checker.run(tree)
        problems += [Problem(shown, _located(label, lines, ln, msg)) for ln, msg in checker.problems]
        if not label:  # the number and date belong in the body, where their styles place them
            for name, what in REQUIRED.items():
                if name not in checker.used and not (name == "date" and kind in UNDATED):
                    problems.append(Problem(shown, f"the template never prints {what}; every {kind} needs it"))
    if not problems:
        from .render import Renderer

        located = {label: lines for label, lines, _ in sources}
        try:
            document = Renderer.trial(path, context, env)
            problems += _check_rendered(document, context, shown)
        except PartFailed as failed:
            exc = failed.error
            if isinstance(exc, SecurityError):
                problems.append(Problem(shown, _located(failed.label, None, None, f"the template tries something not allowed in a template: {exc}")))
            else:
                problems.append(Problem(shown, _located(failed.label, located.get(failed.label), getattr(exc, "lineno", None), str(exc))))
        except SecurityError as exc:
            problems.append(Problem(shown, f"the template tries something not allowed in a template: {exc}"))
        except TemplateError as exc:
            problems.append(Problem(shown, _located("", located.get(""), getattr(exc, "lineno", None), str(exc))))
    return problems


def _part_paragraphs(document) -> list[tuple[str, Any]]:
    """(label, paragraph) of the headers and footers of every section, as staff call them."""
    out = []
    seen = set()
    many = len(document.sections) > 1
    for i, section in enumerate(document.sections, start=1):
        for attr, label in (("header", "页眉"), ("first_page_header", "首页页眉"), ("even_page_header", "偶数页页眉"),
                            ("footer", "页脚"), ("first_page_footer", "首页页脚"), ("even_page_footer", "偶数页页脚")):
            part = getattr(section, attr)
            if part.is_linked_to_previous or id(part._element) in seen:
                continue
            seen.add(id(part._element))
            where = f"第{i}节{label}" if many else label
            out += [(where, p) for p in part.paragraphs]
            out += [(where, p) for t in part.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    return out


def _check_rendered(document, context: dict[str, Any], shown: str) -> list[Problem]:
    """What only the rendered example shows: a broken tag left as text (in the body, headers and
    footers), the number and date out of the paragraphs whose styles place them (the red line, 右空四字)."""
    from . import layout

    problems = []
    paragraphs = [("", p) for p in document.paragraphs]
    paragraphs += [("", p) for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    for label, p in paragraphs + _part_paragraphs(document):
        if re.search(r"[{}｛｝]", p.text):
            text = p.text if len(p.text) <= 40 else p.text[:40] + "…"
            where = f"{label}, " if label else ""
            problems.append(Problem(shown, f"{where}in the paragraph “{text}”: a tag looks broken (a brace is left in the document); write tags as {{{{ name }}}}"))
    doc_no, date = str(context["doc_no"]), str(context["date"])
    styles = {p.style.name for p in document.paragraphs if doc_no in p.text}
    if styles and layout.S_DOC_NO not in styles:
        problems.append(Problem(shown, f"{{{{ doc_no }}}} is not in a paragraph of style {layout.S_DOC_NO} (its place and the red line depend on that style)"))
    styles = {p.style.name for p in document.paragraphs if p.text.strip() == date}
    if styles and layout.S_DATE not in styles:
        problems.append(Problem(shown, f"{{{{ date }}}} is not in a paragraph of style {layout.S_DATE} (右空四字 and the signature above it depend on that style)"))
    return problems


def variables_guide(contexts: dict[str, dict[str, Any]], filters: dict[str, str]) -> str:
    """The reference of what each kind's template may use, with an example value for each."""
    out = ["# 模板变量说明 — what each template may use", "",
           "Generated from the code (`make-notices templates init` writes it; `docs/templates.md` is the same text).",
           "Dates print as 2026年11月24日 without a filter. Write `{{ name }}` for a value, `{% if … %}` / `{% for … %}`",
           "for logic, `{%p … %}` for a tag that takes a whole paragraph, `{%tr … %}` for a table row.", "",
           "## Filters", ""]
    for name, doc in filters.items():
        out.append(f"- `{name}`: {doc}")
    out.append("")
    for kind, ctx in contexts.items():
        out += [f"## {kind}.docx", "", "| variable | example |", "| --- | --- |"]
        for path, value in _flatten(ctx):
            text = str(value).replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{{{{ {path} }}}}` | {text[:60] + ('…' if len(text) > 60 else '')} |")
        out.append("")
    return "\n".join(out)


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, v in value.items():
            if key == "extra":
                rows.append((f"{prefix}{key}", "（数据表中的其他列，如 " + prefix + "extra['备注2']）"))
                continue
            rows += _flatten(v, f"{prefix}{key}.")
        return rows
    if isinstance(value, list) and value and isinstance(value[0], dict):
        rows.append((prefix.rstrip("."), f"列表，共{len(value)}项：{{% for x in {prefix.rstrip('.')} %}}"))
        rows += _flatten(value[0], f"{prefix.rstrip('.')}[0].")
        return rows
    if isinstance(value, (list, tuple)):
        return [(prefix.rstrip("."), "列表：" + "、".join(str(v) for v in value))]
    return [(prefix.rstrip("."), value)]


FILTER_DOCS = {
    "zh_number": "1 → 一, 12 → 十二: `（{{ loop.index|zh_number }}）`",
    "percent": "0.125 → 12.5%: `{{ rate|percent }}` (`percent(0)` for no decimals)",
    "money": "1234567.5 → 1,234,567.50: `{{ amount|money }}`",
    "cn_date": "a date in 2026年11月24日 form (dates already print so)",
    "doc_no": "a 文号 with its year bracket normalised: 中办发[2026]3号 → 中办发〔2026〕3号",
}


def init_folder(dest: Path, default_dir: Path, guide: str) -> list[Path]:
    """Copy every default template and the guide into dest (an office's own folder)."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(default_dir.glob("*.docx")):
        target = dest / src.name
        if target.exists():
            continue  # never overwrite an office's edited template
        shutil.copy(src, target)
        written.append(target)
    (dest / "模板说明.md").write_text(guide, encoding="utf-8")
    written.append(dest / "模板说明.md")
    return written
