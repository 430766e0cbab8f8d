"""Typical cases (典型案例) for the annual compilation: ``data/cases/<year>/`` → a neutral block model.

A case is a Markdown file with front matter (标题, 单位, 类别, 排序) or a Word file (.docx)
submitted by a unit; ``index.yaml`` may give any of those four fields for any file (and wins
over the file), ``前言.md`` is the preface. Both kinds end up as the same frozen blocks —
Heading, Paragraph, ListItem, Table, Image — so that in the book a Word case looks like every
other case: what is kept from a Word file and what is dropped is listed in docs/cases.md.

``read_cases`` reads and checks everything and returns every problem at once.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Union

import yaml

from ..errors import Problem, display_path
from ..model import Unit
from .ledger import UnitDirectory
from .tables import check_archive
from .values import bad_chars

PREFACE_NAME = "前言.md"
INDEX_NAME = "index.yaml"
FIELDS = ("标题", "单位", "类别", "排序")
MAX_IMAGE_BYTES = 20 * 1024 * 1024
WORD_OLD = {".doc": "Word 97-2003 (.doc)", ".wps": "WPS (.wps)", ".rtf": "RTF", ".pdf": "PDF", ".odt": "OpenDocument (.odt)"}

# --- the block model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of text. ``heading`` 1 or 2: an inline heading (一、… in 黑体, （一）… in 楷体)."""

    text: str
    bold: bool = False
    heading: int = 0


@dataclass(frozen=True)
class Heading:
    """一、 (level 1, 黑体), （一） (level 2, 楷体), 1. (level 3, 仿宋 bold); the number is in the text."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class ListItem:
    """A list item: numbered ones print their number (1. 2. …), bullets print as plain paragraphs."""

    runs: tuple[Run, ...]
    ordered: bool = False
    number: int = 1
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text (lines separated by \\n), how many grid columns it spans, and a
    vertical merge ("restart" starts one, "continue" is covered by the cell above)."""

    text: str
    span: int = 1
    merge: str = ""


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 1

    @property
    def columns(self) -> int:
        return max((sum(c.span for c in row) for row in self.rows), default=0)


@dataclass(frozen=True)
class Image:
    """A picture: its bytes, its natural (or requested) size in mm, and a caption.

    ``name`` is where it came from (a file, or ``case.docx:word/media/image1.png``). The book
    scales it down to fit the 156 mm text block (and a page's height), never up.
    """

    name: str
    data: bytes = field(repr=False, compare=False)
    width_mm: float
    height_mm: float
    caption: str = ""


Block = Union[Heading, Paragraph, ListItem, Table, Image]


@dataclass(frozen=True)
class Case:
    title: str
    unit: Unit
    category: str
    order: int | None
    blocks: tuple[Block, ...]
    source: str  # the file, as the user sees it
    kind: str  # "markdown" or "word"


@dataclass(frozen=True)
class Preface:
    title: str
    blocks: tuple[Block, ...]
    source: str


@dataclass(frozen=True)
class CaseGroup:
    category: str
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CaseSet:
    year: str
    groups: tuple[CaseGroup, ...]
    preface: Preface | None = None

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(c for g in self.groups for c in g.cases)


# --- headings: prefixes and numbering ------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"
_CN = "一二三四五六七八九十百"
PREFIX_RES = (
    (1, re.compile(rf"^[{_CN}]+[、.．]")),
    (2, re.compile(rf"^[（(][{_CN}]+[）)]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
)
HEADING_MAX_CHARS = 40  # a line with a 一、 prefix that is longer is a paragraph (maybe with an inline heading)
SENTENCE_END = "。！？"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def heading_prefix_level(text: str) -> int:
    """The level that a number at the start of text says (一、 1, （一） 2, 1. 3, （1） 4), or 0."""
    for level, rx in PREFIX_RES:
        if rx.match(text):
            return level
    return 0


def number_label(level: int, n: int) -> str:
    if level == 1:
        return f"{cn_number(n)}、"
    if level == 2:
        return f"（{cn_number(n)}）"
    return f"{n}."


def _number_headings(blocks: list[Block]) -> list[Block]:
    """Give every heading without a number the number of its place (一、 （一） 1.)."""
    counters = [0, 0, 0, 0]
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Heading):
            lvl = min(heading_prefix_level(b.text) or max(b.level, 1), 3)
            counters[lvl] += 1
            for deeper in range(lvl + 1, 4):
                counters[deeper] = 0
            if heading_prefix_level(b.text) == 0:
                b = Heading(lvl, number_label(lvl, counters[lvl]) + b.text)
            else:
                b = Heading(lvl, b.text)
        out.append(b)
    return out


def _classify(runs: list[Run]) -> Block | None:
    """A paragraph that starts with 一、 or （一）: a heading when it is a short line; otherwise a
    paragraph whose first sentence is an inline heading (when that sentence is short)."""
    runs = _merge_runs(runs)
    text = "".join(r.text for r in runs)
    if not text:
        return None
    level = heading_prefix_level(text)
    if level in (1, 2):
        inner = text[:-1] if text[-1] in SENTENCE_END else text
        if len(text) <= HEADING_MAX_CHARS and not any(ch in inner for ch in SENTENCE_END):
            return Heading(level, text)
        cut = min((text.find(ch) for ch in SENTENCE_END if 0 < text.find(ch) < HEADING_MAX_CHARS), default=-1)
        if cut > 0:
            head = Run(text[: cut + 1], heading=level)
            return Paragraph(tuple(_merge_runs([head] + _slice_runs(runs, cut + 1))))
    return Paragraph(tuple(runs))


def _slice_runs(runs: list[Run], start: int) -> list[Run]:
    out, pos = [], 0
    for r in runs:
        end = pos + len(r.text)
        if end > start:
            out.append(Run(r.text[max(start - pos, 0):], r.bold, r.heading))
        pos = end
    return out


def _merge_runs(runs: Iterable[Run]) -> list[Run]:
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].bold == r.bold and out[-1].heading == r.heading:
            out[-1] = Run(out[-1].text + r.text, r.bold, r.heading)
        else:
            out.append(r)
    # no leading or trailing blanks: the style gives the indent (people indent with full-width spaces)
    while out and not out[0].text.strip(_BLANKS):
        out.pop(0)
    while out and not out[-1].text.strip(_BLANKS):
        out.pop()
    if out:
        out[0] = Run(out[0].text.lstrip(_BLANKS), out[0].bold, out[0].heading)
        out[-1] = Run(out[-1].text.rstrip(_BLANKS), out[-1].bold, out[-1].heading)
    return out


_BLANKS = " \t\u3000\u00a0\r\n"


def _norm(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def cjk_quotes(text: str) -> str:
    """Straight double quotes in Chinese text → “ ” (alternating, as typed in pairs)."""
    if '"' not in text or not re.search(r"[\u3400-\u9fff]", text):
        return text
    out, open_ = [], True
    for ch in text:
        if ch == '"':
            out.append("“" if open_ else "”")
            open_ = not open_
        else:
            out.append(ch)
    return "".join(out)


def _quote_runs(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    text = cjk_quotes("".join(r.text for r in runs))
    out, pos = [], 0
    for r in runs:
        out.append(Run(text[pos:pos + len(r.text)], r.bold, r.heading))
        pos += len(r.text)
    return tuple(out)


def _typeset(blocks: Iterable[Block]) -> tuple[Block, ...]:
    """The typographic clean-up every block gets: Chinese quotation marks."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Heading):
            b = Heading(b.level, cjk_quotes(b.text))
        elif isinstance(b, Paragraph):
            b = Paragraph(_quote_runs(b.runs))
        elif isinstance(b, ListItem):
            b = ListItem(_quote_runs(b.runs), b.ordered, b.number, b.level)
        elif isinstance(b, Table):
            b = Table(tuple(tuple(Cell(cjk_quotes(c.text), c.span, c.merge) for c in row) for row in b.rows), b.header_rows)
        elif isinstance(b, Image) and '"' in b.caption:
            b = Image(b.name, b.data, b.width_mm, b.height_mm, cjk_quotes(b.caption))
        out.append(b)
    return tuple(out)


# --- images --------------------------------------------------------------------------------------

_SIZE_RE = re.compile(r"^\s*(?:宽度?\s*[=:：]?\s*)?(\d+(?:\.\d+)?)\s*(mm|%|毫米)\s*$")


def _image_size(data: bytes) -> tuple[float, float] | str:
    """(width, height) in mm at the image's own resolution (96 dpi when it has none), or an error."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as im:
            im.verify()
        with PILImage.open(io.BytesIO(data)) as im:
            fmt = im.format
            w, h = im.size
            dpi = im.info.get("dpi") or (96, 96)
    except Exception as exc:  # PIL raises many kinds for a broken or unknown file
        return f"is not an image that can be read ({type(exc).__name__})"
    if fmt not in ("PNG", "JPEG", "GIF", "BMP", "TIFF"):
        return f"is a {fmt} image; use PNG or JPEG"
    dx = float(dpi[0]) if dpi and float(dpi[0]) > 1 else 96.0
    dy = float(dpi[1]) if len(dpi) > 1 and float(dpi[1]) > 1 else dx
    return w / dx * 25.4, h / dy * 25.4


def _sized_image(name: str, data: bytes, width_hint: str, caption: str) -> Image | str:
    size = _image_size(data)
    if isinstance(size, str):
        return size
    w, h = size
    if width_hint:
        m = _SIZE_RE.match(width_hint)
        if not m:
            return f'has the title "{width_hint}": give a width like "80mm" or "60%" (or no title)'
        value, unit = float(m.group(1)), m.group(2)
        target = value if unit in ("mm", "毫米") else value / 100 * 156
        h, w = h * target / w, target
    return Image(name, data, w, h, caption)


# --- front matter and index.yaml -----------------------------------------------------------------


@dataclass
class Meta:
    """Field values with the place each came from (for messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, tuple[str, int | None, int | None]] = field(default_factory=dict)  # file, row, line

    def set(self, key: str, value: Any, file: str, line: int | None, row: int | None = None) -> None:
        self.values[key] = value
        self.places[key] = (file, row, line)

    def problem(self, key: str, message: str, fallback_file: str) -> Problem:
        file, row, line = self.places.get(key, (fallback_file, None, None))
        return Problem(file, message, row=row, line=line, column=key if key in self.places else None)


def _yaml_mapping(text: str, first_line: int) -> tuple[list[tuple[Any, Any, int]], tuple[str, int | None] | None]:
    """Parse a YAML mapping; return (key, value, line) items with 1-based lines in the file, or
    an error (message, line)."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return [], None
            if not isinstance(node, yaml.MappingNode):
                return [], ("must be a mapping of 名称: 值", node.start_mark.line + first_line)
            items = []
            for k, v in node.value:
                items.append((loader.construct_object(k, deep=True), loader.construct_object(v, deep=True), k.start_mark.line + first_line))
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        hint = " (a value with ': ' in it needs quotes)" if "mapping values" in str(exc) else ""
        return [], (f"is not valid YAML: {getattr(exc, 'problem', None) or exc}{hint}", mark.line + first_line if mark else None)
    return items, None


def _field_value(key: str, value: Any) -> tuple[Any, str | None]:
    if key == "排序":
        if isinstance(value, bool) or value is None:
            return None, "排序 must be a whole number"
        if isinstance(value, int):
            return value, None
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip()), None
        return None, f'排序 must be a whole number, not "{value}"'
    if value is None:
        return "", None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None, f"{key} must be text"
    text = str(value).strip(_BLANKS)
    err = bad_chars(text)
    if err:
        return None, f"{key} {err}"
    return text, None


def _read_index(path: Path, problems: list[Problem]) -> dict[str, tuple[Meta, int, int]]:
    """index.yaml: {file name: {标题, 单位, 类别, 排序}} → {name: (meta, position, line)}."""
    if not path.is_file():
        return {}
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(shown, "is not UTF-8 text"))
        return {}
    items, err = _yaml_mapping(text, 1)
    if err:
        problems.append(Problem(shown, err[0], line=err[1]))
        return {}
    out: dict[str, tuple[Meta, int, int]] = {}
    for pos, (name, entry, line) in enumerate(items, start=1):
        name = str(name).strip()
        if not isinstance(entry, dict):
            problems.append(Problem(shown, f'"{name}" must map to 标题/单位/类别/排序 (e.g. {name}: {{单位: 张店区}})', row=pos, line=line))
            continue
        meta = Meta()
        for key, value in entry.items():
            key = str(key).strip()
            if key not in FIELDS:
                problems.append(Problem(shown, f'"{name}" has the unknown field "{key}" (use {"、".join(FIELDS)})', row=pos, line=line))
                continue
            value, verr = _field_value(key, value)
            if verr:
                problems.append(Problem(shown, f'"{name}": {verr}', row=pos, line=line, column=key))
                continue
            meta.set(key, value, shown, line, pos)
        out[name] = (meta, pos, line)
    return out


def _split_front_matter(text: str, shown: str, problems: list[Problem]) -> tuple[Meta | None, str, int]:
    """(fields, body, the body's first line number); fields None when the front matter is broken."""
    meta = Meta()
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return meta, text, 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        problems.append(Problem(shown, "the front matter that starts with --- on line 1 has no closing --- line", line=1))
        return None, "", len(lines) + 1
    items, err = _yaml_mapping("\n".join(lines[1:end]), 2)
    if err:
        problems.append(Problem(shown, f"front matter {err[0]}", line=err[1]))
        return None, "\n".join(lines[end + 1:]), end + 2
    for key, value, line in items:
        key = str(key).strip()
        if key not in FIELDS:
            problems.append(Problem(shown, f'front matter has the unknown field "{key}" (use {"、".join(FIELDS)})', line=line))
            continue
        value, verr = _field_value(key, value)
        if verr:
            problems.append(Problem(shown, verr, line=line))
            continue
        meta.set(key, value, shown, line)
    return meta, "\n".join(lines[end + 1:]), end + 2


# --- Markdown ----------------------------------------------------------------------------------


def _md_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _inline_runs(token, on_image) -> list[Run | Image]:
    """The runs of an inline token: bold kept, italics/code/links as plain text, images split out."""
    out: list[Run | Image] = []
    bold = 0
    children = token.children or []
    for i, c in enumerate(children):
        t = c.type
        if t == "text" or t == "code_inline":
            out.append(Run(c.content, bold > 0))
        elif t == "strong_open":
            bold += 1
        elif t == "strong_close":
            bold -= 1
        elif t == "softbreak":
            prev = children[i - 1].content[-1:] if i else ""
            nxt = children[i + 1].content[:1] if i + 1 < len(children) else ""
            out.append(Run(" " if prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum() else "", bold > 0))
        elif t == "hardbreak":
            out.append(Run("\n", bold > 0))
        elif t == "image":
            img = on_image(c)
            if img is not None:
                out.append(img)
        # em, links, html: their text children come through as text; the marks are dropped
    return out


def _split_on_images_and_breaks(items: list[Run | Image]) -> list[list[Run] | Image]:
    """Paragraph pieces: runs between images and hard line breaks, and the images themselves."""
    pieces: list[list[Run] | Image] = [[]]
    for it in items:
        if isinstance(it, Image):
            pieces.append(it)
            pieces.append([])
        elif "\n" in it.text:
            parts = it.text.split("\n")
            for j, part in enumerate(parts):
                if j:
                    pieces.append([])
                cur = pieces[-1]
                assert isinstance(cur, list)
                cur.append(Run(part, it.bold, it.heading))
        else:
            cur = pieces[-1]
            assert isinstance(cur, list)
            cur.append(it)
    return [p for p in pieces if isinstance(p, Image) or _merge_runs(p)]


def parse_markdown(body: str, base: Path, shown: str, first_line: int, problems: list[Problem]) -> tuple[list[Block], str]:
    """Markdown → blocks. Returns (blocks, the text of a leading # heading or '')."""
    tokens = _md_parser().parse(body)
    blocks: list[Block] = []
    top_title = ""
    lists: list[dict[str, Any]] = []  # stack: {"ordered", "next"}
    line = first_line

    def image(tok) -> Image | None:
        src = tok.attrs.get("src", "")
        title = tok.attrs.get("title") or ""
        caption = "".join(c.content for c in (tok.children or [])) or tok.content
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) and not re.match(r"^[a-z]:[\\/]", src, re.I):
            problems.append(Problem(shown, f'image "{src}" is not a local file (give a path relative to the case file)', line=line))
            return None
        from urllib.parse import unquote

        path = (base / unquote(src)).resolve()
        if not path.is_file():
            problems.append(Problem(shown, f'image "{src}" does not exist (looked for {display_path(path)})', line=line))
            return None
        if path.stat().st_size > MAX_IMAGE_BYTES:
            problems.append(Problem(shown, f'image "{src}" is larger than {MAX_IMAGE_BYTES // 2**20} MB', line=line))
            return None
        made = _sized_image(display_path(path), path.read_bytes(), title, caption.strip())
        if isinstance(made, str):
            problems.append(Problem(shown, f'image "{src}" {made}', line=line))
            return None
        return made

    i = 0
    in_table: dict[str, Any] | None = None
    while i < len(tokens):
        tok = tokens[i]
        if tok.map:
            line = tok.map[0] + first_line
        t = tok.type
        if t == "heading_open":
            inline = tokens[i + 1]
            text = "".join(x.text for x in _inline_runs(inline, lambda _: None) if isinstance(x, Run)).replace("\n", "").strip(_BLANKS)
            depth = int(tok.tag[1])
            if depth == 1 and not blocks and not top_title:
                top_title = text
            elif text:
                blocks.append(Heading({1: 1, 2: 1, 3: 2}.get(depth, 3), text))
            i += 3
            continue
        if t in ("bullet_list_open", "ordered_list_open"):
            start = int(tok.attrs.get("start", 1) or 1) if t == "ordered_list_open" else 1
            lists.append({"ordered": t == "ordered_list_open", "next": start, "first": True})
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "list_item_open":
            lists[-1]["first"] = True
        elif t == "table_open":
            in_table = {"rows": [], "header": 0, "row": None}
        elif t == "table_close" and in_table is not None:
            rows = tuple(tuple(r) for r in in_table["rows"])
            if rows:
                blocks.append(Table(rows, in_table["header"]))
            in_table = None
        elif t == "tr_open" and in_table is not None:
            in_table["row"] = []
        elif t == "tr_close" and in_table is not None:
            in_table["rows"].append(in_table["row"])
        elif t == "thead_close" and in_table is not None:
            in_table["header"] = len(in_table["rows"])
        elif t in ("th_open", "td_open") and in_table is not None:
            inline = tokens[i + 1]
            cell_text = "".join(x.text for x in _inline_runs(inline, lambda _: None) if isinstance(x, Run)).strip(_BLANKS)
            in_table["row"].append(Cell(cell_text))
            i += 3
            continue
        elif t == "paragraph_open":
            inline = tokens[i + 1]
            pieces = _split_on_images_and_breaks(_inline_runs(inline, image))
            for piece in pieces:
                if isinstance(piece, Image):
                    blocks.append(piece)
                elif lists:
                    state = lists[-1]
                    runs = tuple(_merge_runs(piece))
                    if state["first"]:
                        blocks.append(ListItem(runs, state["ordered"], state["next"], len(lists) - 1))
                        state["next"] += 1
                        state["first"] = False
                    else:  # a second paragraph of the same item
                        blocks.append(Paragraph(runs))
                else:
                    b = _classify(piece)
                    if b is not None:
                        blocks.append(b)
            i += 3
            continue
        elif t in ("fence", "code_block"):
            for text_line in tok.content.splitlines():
                if text_line.strip():
                    blocks.append(Paragraph((Run(text_line.strip(_BLANKS)),)))
        # blockquote, hr, html: the quote marks and rules are dropped, their paragraphs kept
        i += 1
    return blocks, top_title


def _read_markdown(path: Path, problems: list[Problem]) -> tuple[Meta | None, list[Block], str]:
    """A Markdown case or preface → (fields, blocks, shown path); fields None when the file or its
    front matter cannot be read (the problems say why; nothing else is checked about it)."""
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(shown, "is not UTF-8 text (save it as UTF-8)"))
        return None, [], shown
    except OSError as exc:
        problems.append(Problem(shown, f"cannot be read: {exc.strerror or exc}"))
        return None, [], shown
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = False
    for n, ln in enumerate(text.split("\n"), start=1):
        err = bad_chars(ln)
        if err:
            problems.append(Problem(shown, err, line=n))
            bad = True
    if bad:
        return None, [], shown
    meta, body, first = _split_front_matter(text, shown, problems)
    blocks, top_title = parse_markdown(body, path.parent, shown, first, problems)
    if meta is not None and top_title:
        if "标题" not in meta.values:
            meta.set("标题", top_title, shown, first)
        elif _norm(top_title) != _norm(meta.values["标题"]):
            blocks.insert(0, Heading(1, top_title))
    return meta, _number_headings(blocks), shown


# --- Word --------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
_V = "{urn:schemas-microsoft-com:vml}"
_PIC = "{http://schemas.openxmlformats.org/drawingml/2006/picture}"
EMU_PER_MM = 36000
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TITLE_NAMES = {"title", "标题", "subtitle", "副标题"}
_CAPTION_NAMES = {"caption", "题注"}


def _on(el) -> bool:
    """A w:b / w:vanish style toggle: present and not switched off."""
    if el is None:
        return False
    return el.get(f"{_W}val", "true").lower() not in ("0", "false", "off", "none")


class _WordReader:
    """Reads one .docx into blocks, keeping only the structure (see docs/cases.md)."""

    def __init__(self, document, shown: str):
        self.doc = document
        self.shown = shown
        self.styles = {}
        for s in document.styles.element.findall(f"{_W}style"):
            self.styles[s.get(f"{_W}styleId")] = s
        self.num_formats = self._numbering()
        self.counters: dict[tuple[str, int], int] = {}
        self.problems: list[str] = []

    # styles -----------------------------------------------------------------------------
    def _style_chain(self, style_id: str | None) -> list:
        chain, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            s = self.styles[style_id]
            chain.append(s)
            based = s.find(f"{_W}basedOn")
            style_id = based.get(f"{_W}val") if based is not None else None
        return chain

    def _style_name(self, s) -> str:
        n = s.find(f"{_W}name")
        return (n.get(f"{_W}val") if n is not None else "").strip()

    def para_style_id(self, p) -> str | None:
        ps = p.find(f"{_W}pPr/{_W}pStyle")
        return ps.get(f"{_W}val") if ps is not None else None

    def outline_level(self, p) -> int | None:
        """0 for Heading 1 / outline level 1, …; None for body text. Title styles → -1."""
        direct = p.find(f"{_W}pPr/{_W}outlineLvl")
        if direct is not None:
            v = int(direct.get(f"{_W}val", "9"))
            return None if v >= 9 else v
        for s in self._style_chain(self.para_style_id(p)):
            name = self._style_name(s).lower()
            if name in _TITLE_NAMES:
                return -1
            m = _HEADING_NAME.match(name)
            if m:
                return int(m.group(1)) - 1
            ol = s.find(f"{_W}pPr/{_W}outlineLvl")
            if ol is not None:
                v = int(ol.get(f"{_W}val", "9"))
                return None if v >= 9 else v
        return None

    def is_caption(self, p) -> bool:
        return any(self._style_name(s).lower() in _CAPTION_NAMES for s in self._style_chain(self.para_style_id(p)))

    def char_style_bold(self, rpr) -> bool:
        rs = rpr.find(f"{_W}rStyle") if rpr is not None else None
        if rs is None:
            return False
        for s in self._style_chain(rs.get(f"{_W}val")):
            b = s.find(f"{_W}rPr/{_W}b")
            if b is not None:
                return _on(b)
        return False

    # numbering --------------------------------------------------------------------------
    def _numbering(self) -> dict[str, dict[int, tuple[str, str, int]]]:
        """numId → ilvl → (numFmt, lvlText, start)."""
        try:
            part = self.doc.part.numbering_part
        except Exception:  # no numbering part
            return {}
        root = part.element
        abstract = {}
        for an in root.findall(f"{_W}abstractNum"):
            levels = {}
            for lvl in an.findall(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                txt = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    txt.get(f"{_W}val") if txt is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1)
            abstract[an.get(f"{_W}abstractNumId")] = levels
        out = {}
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                out[num.get(f"{_W}numId")] = abstract.get(ref.get(f"{_W}val"), {})
        return out

    def numbering_of(self, p) -> tuple[str, int] | None:
        numpr = p.find(f"{_W}pPr/{_W}numPr")
        if numpr is None:
            for s in self._style_chain(self.para_style_id(p)):
                numpr = s.find(f"{_W}pPr/{_W}numPr")
                if numpr is not None:
                    break
        if numpr is None:
            return None
        nid = numpr.find(f"{_W}numId")
        ilvl = numpr.find(f"{_W}ilvl")
        num_id = nid.get(f"{_W}val") if nid is not None else None
        if not num_id or num_id == "0" or num_id not in self.num_formats:
            return None
        return num_id, int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else 0

    def next_number(self, num_id: str, ilvl: int) -> tuple[str, str, int]:
        fmt, text, start = self.num_formats[num_id].get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, start - 1) + 1
        for (nid, lv) in list(self.counters):
            if nid == num_id and lv > ilvl:
                del self.counters[(nid, lv)]
        return fmt, text, self.counters[key]

    def number_text(self, num_id: str, ilvl: int, lvl_text: str) -> str:
        def sub(m):
            lv = int(m.group(1)) - 1
            fmt = self.num_formats[num_id].get(lv, ("decimal", "", 1))[0]
            n = self.counters.get((num_id, lv), 1)
            if fmt.startswith("chinese") or fmt.startswith("ideograph") or fmt == "taiwaneseCounting":
                return cn_number(n)
            if fmt == "upperLetter":
                return chr(64 + (n - 1) % 26 + 1)
            if fmt == "lowerLetter":
                return chr(96 + (n - 1) % 26 + 1)
            return str(n)

        return re.sub(r"%(\d)", sub, lvl_text)

    # content ------------------------------------------------------------------------------
    def runs_of(self, p) -> list[Run | Image]:
        out: list[Run | Image] = []
        self._walk(p, out)
        return out

    def _walk(self, el, out: list) -> None:
        for child in el:
            tag = child.tag
            if tag == f"{_W}r":
                self._run(child, out)
            elif tag in (f"{_W}hyperlink", f"{_W}ins", f"{_W}smartTag", f"{_W}fldSimple", f"{_W}customXml", f"{_W}moveTo", f"{_W}sdtContent", f"{_W}sdt"):
                self._walk(child, out)
            # w:del, w:moveFrom (deleted text), w:pPr, bookmarks, proofing marks: nothing to keep

    def _run(self, r, out: list) -> None:
        rpr = r.find(f"{_W}rPr")
        if rpr is not None and (_on(rpr.find(f"{_W}vanish")) or _on(rpr.find(f"{_W}specVanish"))):
            return
        b = rpr.find(f"{_W}b") if rpr is not None else None
        bold = _on(b) if b is not None else self.char_style_bold(rpr)
        for c in r:
            tag = c.tag
            if tag == f"{_W}t":
                out.append(Run(c.text or "", bold))
            elif tag == f"{_W}tab":
                out.append(Run(" ", bold))
            elif tag in (f"{_W}br", f"{_W}cr"):
                if c.get(f"{_W}type") in (None, "textWrapping"):
                    out.append(Run("\n", bold))
            elif tag == f"{_W}noBreakHyphen":
                out.append(Run("-", bold))
            elif tag in (f"{_W}drawing", f"{_W}pict"):
                img = self._image(c)
                if img is not None:
                    out.append(img)
            elif tag == "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent":
                fallback = c.find("{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback")
                for pict in (fallback.iter(f"{_W}pict") if fallback is not None else ()):
                    img = self._image(pict)
                    if img is not None:
                        out.append(img)

    def _image(self, el) -> Image | None:
        rid, width, height = None, None, None
        blip = next(el.iter(f"{_A}blip"), None)
        if blip is not None and next(el.iter(f"{_PIC}pic"), None) is not None:
            rid = blip.get(f"{_R}embed")
            if not rid and blip.get(f"{_R}link"):
                self.problems.append("has a picture that is linked to a file, not embedded; insert the picture into the document")
                return None
            ext = next(el.iter(f"{_WP}extent"), None)
            if ext is not None:
                width = int(ext.get("cx", "0")) / EMU_PER_MM
                height = int(ext.get("cy", "0")) / EMU_PER_MM
        else:
            data = next(el.iter(f"{_V}imagedata"), None)
            if data is not None:
                rid = data.get(f"{_R}id")
        if not rid:
            return None  # a shape, text box or chart: dropped
        part = self.doc.part.related_parts.get(rid)
        if part is None:
            self.problems.append(f"has a picture that is linked, not embedded ({rid}); insert the picture into the file")
            return None
        data = part.blob
        name = f"{self.shown}:{str(part.partname).lstrip('/')}"
        size = _image_size(data)
        if isinstance(size, str):
            self.problems.append(f"has a picture {part.partname} that {size}")
            return None
        if not width or not height:
            width, height = size
        return Image(name, data, width, height)

    def table(self, tbl) -> Table | None:
        rows: list[tuple[Cell, ...]] = []
        header = 0
        for i, tr in enumerate(tbl.findall(f"{_W}tr")):
            cells = []
            for tc in tr.findall(f"{_W}tc"):
                tcpr = tc.find(f"{_W}tcPr")
                span, merge = 1, ""
                if tcpr is not None:
                    gs = tcpr.find(f"{_W}gridSpan")
                    if gs is not None:
                        span = max(1, int(gs.get(f"{_W}val", "1")))
                    vm = tcpr.find(f"{_W}vMerge")
                    if vm is not None:
                        merge = "restart" if vm.get(f"{_W}val") == "restart" else "continue"
                lines = []
                for p in tc.iter(f"{_W}p"):
                    text = "".join(x.text for x in self.runs_of(p) if isinstance(x, Run)).strip(_BLANKS)
                    if text:
                        lines.append(text)
                cells.append(Cell("" if merge == "continue" else "\n".join(lines), span, merge))
            if cells:
                rows.append(tuple(cells))
            trpr = tr.find(f"{_W}trPr")
            if trpr is not None and trpr.find(f"{_W}tblHeader") is not None and header == i:
                header = i + 1
        if not rows:
            return None
        if header == 0 and len(rows) > 1 and all(0 < len(c.text) <= 12 for c in rows[0]):
            header = 1
        return Table(tuple(rows), header)


def _word_body_elements(body) -> Iterable:
    for el in body:
        if el.tag == f"{_W}sdt":
            content = el.find(f"{_W}sdtContent")
            if content is not None:
                yield from _word_body_elements(content)
        elif el.tag in (f"{_W}p", f"{_W}tbl"):
            yield el


def _looks_like_title(reader: _WordReader, p, text: str) -> bool:
    """A line that a unit typed as its title: short, no full stop, and set off (centred, big, bold or a title/heading style)."""
    if len(text) > 60 or text.endswith("。"):
        return False
    if reader.outline_level(p) is not None:
        return True
    jc = p.find(f"{_W}pPr/{_W}jc")
    if jc is not None and jc.get(f"{_W}val") == "center":
        return True
    for sz in p.iter(f"{_W}sz"):
        if int(sz.get(f"{_W}val", "0")) >= 36:
            return True
    return all(isinstance(x, Run) and (x.bold or not x.text.strip()) for x in reader.runs_of(p))


_UNIT_LINE = re.compile(r"^[—\-－–\s（(【\[]*(?:供稿单位|报送单位|单位)?[：:]?\s*(.+?)[）)】\]\s]*$")


def _unit_in_line(text: str, directory: UnitDirectory) -> Unit | None:
    m = _UNIT_LINE.match(text.strip(_BLANKS))
    if not m:
        return None
    name = m.group(1).strip(_BLANKS)
    return directory.get(name)


def read_word(path: Path, meta: Meta, directory: UnitDirectory, problems: list[Problem]) -> list[Block] | None:
    """A .docx → blocks (None when it cannot be opened); the title (its first paragraph unless
    index.yaml gives one) and a unit line under it go into meta."""
    shown = display_path(path)
    problem = check_archive(path, shown)
    if problem:
        problems.append(problem)
        return None
    from docx import Document

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken or wrong file
        problems.append(Problem(shown, f"cannot be opened as a Word document ({type(exc).__name__}: {exc}); open it in Word or WPS and save it again as .docx"))
        return None
    reader = _WordReader(document, shown)
    items: list[tuple[Any, Any]] = []  # (element, kind)
    for el in _word_body_elements(document.element.body):
        items.append(el)

    # the title: the first non-empty paragraph (unless index.yaml gives it and the line is not a title)
    start = 0
    texts = []
    for idx, el in enumerate(items):
        if el.tag == f"{_W}p":
            text = "".join(x.text for x in reader.runs_of(el) if isinstance(x, Run)).replace("\n", "").strip(_BLANKS)
            if text:
                texts.append((idx, el, text))
                if len(texts) == 2:
                    break
        elif el.tag == f"{_W}tbl":
            break
    if texts:
        idx, el, text = texts[0]
        if "标题" not in meta.values:
            meta.set("标题", text, shown, None)
            start = idx + 1
        elif _norm(text) == _norm(meta.values["标题"]) or _looks_like_title(reader, el, text):
            start = idx + 1
        if start and len(texts) > 1:
            idx2, el2, text2 = texts[1]
            unit = _unit_in_line(text2, directory)
            if unit is not None:
                if "单位" not in meta.values:
                    meta.set("单位", text2.strip(_BLANKS).strip("—-－–（）()【】[] :："), shown, None)
                start = idx2 + 1

    # outline levels in the body → heading ranks 1..3
    body = items[start:]
    levels = sorted({lv for el in body if el.tag == f"{_W}p" for lv in [reader.outline_level(el)] if lv is not None and lv >= 0})
    rank = {lv: min(i + 1, 3) for i, lv in enumerate(levels)}

    blocks: list[Block] = []
    for el in body:
        if el.tag == f"{_W}tbl":
            t = reader.table(el)
            if t is not None:
                blocks.append(t)
            continue
        level = reader.outline_level(el)
        pieces = _split_on_images_and_breaks(reader.runs_of(el))
        numbering = reader.numbering_of(el)
        if reader.is_caption(el) and blocks and isinstance(blocks[-1], Image) and not blocks[-1].caption and pieces:
            caption = "".join(r.text for piece in pieces if isinstance(piece, list) for r in piece).strip(_BLANKS)
            last = blocks[-1]
            blocks[-1] = Image(last.name, last.data, last.width_mm, last.height_mm, caption)
            continue
        label = ""
        list_item: tuple[bool, int, int] | None = None
        if numbering is not None:
            fmt, lvl_text, n = reader.next_number(*numbering)
            if level is None or level < 0:
                if fmt == "bullet":
                    list_item = (False, n, numbering[1])
                elif fmt in ("decimal", "decimalZero") and re.fullmatch(r"%\d[.．、)）]?", lvl_text or "%1."):
                    list_item = (True, n, numbering[1])
                elif fmt != "none":
                    label = reader.number_text(numbering[0], numbering[1], lvl_text)
        first_text = True
        for piece in pieces:
            if isinstance(piece, Image):
                blocks.append(piece)
                continue
            runs = _merge_runs(piece)
            if not runs:
                continue
            if level is not None and level >= 0 and first_text:
                blocks.append(Heading(rank.get(level, 3), "".join(r.text for r in runs)))
            elif list_item is not None and first_text:
                blocks.append(ListItem(tuple(runs), list_item[0], list_item[1], list_item[2]))
            else:
                if label and first_text:
                    runs = [Run(label, runs[0].bold)] + runs
                b = _classify(runs)
                if b is not None:
                    blocks.append(b)
            first_text = False
    for message in reader.problems:
        problems.append(Problem(shown, message))
    return _number_headings(blocks)


# --- the folder ----------------------------------------------------------------------------------


def read_cases(folder: Path, directory: UnitDirectory, categories: list[str]) -> tuple[CaseSet, list[Problem]]:
    """Read and check every case in folder; return the cases grouped and ordered, and every problem.

    Categories appear in the order of ``categories`` (a case with another one is a problem);
    without categories, in the order of their lowest 排序. Within a category: by 排序 (cases
    without one last), then by file name.
    """
    problems: list[Problem] = []
    year = folder.name
    shown_folder = display_path(folder)
    if not folder.is_dir():
        return CaseSet(year, ()), [Problem(shown_folder, "missing folder: put one file per case (.md or .docx) in it")]
    index = _read_index(folder / INDEX_NAME, problems)
    files = sorted((p for p in folder.iterdir() if p.is_file()), key=lambda p: p.name)
    names = {p.name for p in files}
    for name, (_, pos, line) in index.items():
        if name not in names:
            problems.append(Problem(display_path(folder / INDEX_NAME), f'names "{name}", which is not a file in {shown_folder}', row=pos, line=line))

    preface = None
    drafts: list[tuple[Path, Meta, list[Block], str]] = []
    for path in files:
        name = path.name
        suffix = path.suffix.lower()
        if name.startswith(("~$", ".")) or name == INDEX_NAME:
            continue
        if name == PREFACE_NAME:
            before = len(problems)
            meta, blocks, shown = _read_markdown(path, problems)
            for key in (meta.values if meta else ()):
                if key != "标题":
                    problems.append(meta.problem(key, f"the preface takes only 标题, not {key}", shown))
            if meta is not None and len(problems) == before:
                preface = Preface(str(meta.values.get("标题") or "前言"), _typeset(blocks), shown)
            continue
        if suffix in WORD_OLD:
            problems.append(Problem(display_path(path), f"is a {WORD_OLD[suffix]} file: open it in Word or WPS and save it as .docx"))
            continue
        if suffix not in (".md", ".docx"):
            continue  # pictures and other material that the cases refer to
        entry = index.get(name)
        if suffix == ".md":
            meta, blocks, shown = _read_markdown(path, problems)
        else:
            meta, shown = Meta(), display_path(path)
            if entry is not None:  # read_word must know what index.yaml gives
                meta.values.update(entry[0].values)
                meta.places.update(entry[0].places)
            blocks = read_word(path, meta, directory, problems)
        if meta is None or blocks is None:
            continue  # unreadable: its problems are reported, nothing more to check
        if entry is not None:  # index.yaml wins over the file
            for key, value in entry[0].values.items():
                file_, row, line = entry[0].places[key]
                meta.set(key, value, file_, line, row)
        drafts.append((path, meta, blocks, shown))

    cases: list[Case] = []
    seen_titles: dict[str, str] = {}
    for path, meta, blocks, shown in drafts:
        title = meta.values.get("标题", "")
        unit_name = meta.values.get("单位", "")
        category = meta.values.get("类别", "")
        order = meta.values.get("排序")
        how = "in the front matter" if path.suffix.lower() == ".md" else f"for {path.name} in {INDEX_NAME}"
        ok = True
        if not title:
            problems.append(Problem(shown, f"has no title: give 标题 {how}" + ("" if path.suffix.lower() == ".md" else " or put it on the first line")))
            ok = False
        unit = None
        if not unit_name:
            problems.append(Problem(shown, f"has no unit: give 单位 {how}"))
            ok = False
        else:
            unit = directory.get(unit_name)
            if unit is None:
                problems.append(meta.problem("单位", f'单位 "{unit_name}" is not a known unit ({directory.suggestion(unit_name)})', shown))
                ok = False
        if not category:
            problems.append(Problem(shown, f"has no category: give 类别 {how}" + (f" (one of {'、'.join(categories)})" if categories else "")))
            ok = False
        elif categories and category not in categories:
            problems.append(meta.problem("类别", f'类别 "{category}" is not a case category (config.yaml cases.categories: {"、".join(categories)})', shown))
            ok = False
        if not any(not isinstance(b, Heading) for b in blocks):
            problems.append(Problem(shown, "has no text"))
            ok = False
        if title:
            key = _norm(title)
            if key in seen_titles:
                problems.append(Problem(shown, f'has the same title as {seen_titles[key]}: "{title}"'))
                ok = False
            seen_titles.setdefault(key, shown)
        if ok and unit is not None:
            cases.append(Case(cjk_quotes(title), unit, category, order, _typeset(blocks), shown,
                              "markdown" if path.suffix.lower() == ".md" else "word"))
    if not drafts and not problems:
        problems.append(Problem(shown_folder, "has no cases (.md or .docx files)"))
    problems.sort(key=lambda p: (p.file, p.line or 0))

    def case_key(c: Case):
        return (c.order is None, c.order if c.order is not None else 0, Path(c.source).name)

    by_cat: dict[str, list[Case]] = {}
    for c in cases:
        by_cat.setdefault(c.category, []).append(c)
    if categories:
        order_of_cats = [c for c in categories if c in by_cat]
    else:
        order_of_cats = sorted(by_cat, key=lambda cat: min(case_key(c) for c in by_cat[cat]))
    groups = tuple(CaseGroup(cat, tuple(sorted(by_cat[cat], key=case_key))) for cat in order_of_cats)
    return CaseSet(year, groups, preface), problems
