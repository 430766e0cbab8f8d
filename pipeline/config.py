"""The office's config.yaml: schema, defaults, and a loader that reports every problem with its key path."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

import yaml

from .errors import BadInput, Problem, display_path
from .model import KIND_HEAD, KIND_ZH, Kind

DEFAULT_CONSEQUENCES = ["在全市范围内通报", "约谈单位主要负责人", "在年度改革考核中扣分"]


@dataclass
class Contact:
    name: str = ""
    """Who answers the phone for the office's slips."""
    phone: str = ""


@dataclass
class Image:
    file: str = ""
    """The picture (PNG or JPEG), relative to config.yaml."""
    width_mm: float = 0
    """Printed width in millimetres; 0 keeps the picture's own size."""


@dataclass
class Office:
    name: str = ""
    """Required: the issuing organ's full name."""
    prefix: str = ""
    """Required: the 文号 prefix, e.g. 淄改办."""
    short: str = ""
    """Short name used in slip heads, 印发 lines and signatures (default: the name)."""
    mark: str = ""
    """发文机关标志 of formal documents (default: the name + 文件)."""
    cc: list[str] = field(default_factory=list)
    """抄送 of formal documents."""
    contact: Contact = field(default_factory=Contact)
    principal: str = ""
    """甲方 of the 目标责任书: the reform committee the office serves (default: the name without
    its trailing 办公室, e.g. 中共淄博市委全面深化改革委员会)."""
    images: dict[str, Image] = field(default_factory=dict)
    """Pictures a template prints with {{ office.images.NAME }} (a logo, a signature), in any part:
    `logo: {file: images/logo.png, width_mm: 20}`, or just `logo: images/logo.png`."""
    pictures: dict[str, str] = field(default_factory=dict)
    """Pictures placed in the templates in Word, found by their name or alt text, replaced by
    these files in every document: `标志占位: images/logo.png`."""


@dataclass
class Numbering:
    formal: str = "{prefix}发〔{year}〕{n}号"
    reminder: str = "{prefix}提〔{year}〕{n}号"
    assignment: str = "{prefix}交〔{year}〕{n}号"
    urging: str = "{prefix}催〔{year}〕{n}号"
    order: str = "{prefix}责〔{year}〕{n}号"
    finding_urging: str | None = None
    """Finding urging slips share the urging series unless this is given."""
    pledge: str = "{prefix}责书〔{year}〕{n}号"
    """目标责任书, one per group and year (not 公文: a series of its own)."""


@dataclass
class Rules:
    reminder_reply_days: int = 10
    urge_days_before_due: int = 7
    order_after_urging_days: int = 15
    order_new_deadline_days: int = 15
    order_consequences: list[str] = field(default_factory=lambda: list(DEFAULT_CONSEQUENCES))
    progress_report_day: int = 25
    """Assigned units report progress monthly by this day of the month."""
    urging_reply_days: int = 5
    """An urged unit reports progress and the reasons for delay within this many days."""


@dataclass
class Ranking:
    categories: list[str] = field(default_factory=lambda: ["区县", "专项小组"])
    annual_weight: float = 0.5
    commend_top: int = 3
    chart: bool = True
    area: str = "全市"
    """How the bulletin's title names the office's area: 全市, 全县, 全区."""
    addressee: str = ""
    """主送 of the bulletin; default: the ranked and other categories' collective names."""
    reply_figures: bool = False
    """The bulletin quotes the year's 签收/反馈 figures and names the units with replies overdue (see 签收反馈.xlsx)."""


DEFAULT_REQUIREMENTS = [
    "乙方要把本责任书确定的目标任务作为年度改革工作的重点，主要负责同志亲自研究部署，逐项明确责任领导、责任人员和完成时限，确保按期高质量完成。",
    "乙方每月25日前向甲方报送改革任务推进情况，任务完成后及时报送改革成果和佐证材料；遇有重大问题及时报告。",
    "乙方要加强与配合单位的沟通协调，形成工作合力；确需调整任务或完成时限的，须书面报甲方同意。",
]
DEFAULT_ASSESSMENT = [
    "甲方对本责任书确定的目标任务实行台账管理，按月调度、按季通报，年终组织考核，考核结果纳入年度综合考核。",
    "对按期高质量完成目标任务、改革成效明显的，予以通报表扬；对工作推进不力、逾期未完成任务的，予以通报批评，并约谈有关负责同志。",
]


@dataclass
class Pledge:
    categories: list[str] = field(default_factory=lambda: ["专项小组"])
    """The unit categories that sign a 目标责任书 each year (each unit leading a task of the year)."""
    requirements: list[str] = field(default_factory=lambda: list(DEFAULT_REQUIREMENTS))
    """二、工作要求: one paragraph each."""
    assessment: list[str] = field(default_factory=lambda: list(DEFAULT_ASSESSMENT))
    """三、考核奖惩: one paragraph each."""


@dataclass
class Paths:
    data: str = "data"
    templates: str = "templates/docx"
    out: str = "out"
    register: str = "data/register.sqlite"


@dataclass
class Cases:
    categories: list[str] = field(default_factory=list)


@dataclass
class Pdf:
    enabled: bool = True
    jobs: int | str = "auto"
    cache_mb: int = 1000
    """Size bound of the conversion cache in the output root (out/.cache/pdf/); 0 turns it off."""


@dataclass
class Units:
    categories: list[str] = field(default_factory=lambda: ["区县", "市直部门", "专项小组", "其他"])
    """Accepted 类别 of units; an office may add its own."""


DEFAULT_NEXT_STEPS = [
    "各单位要对照本季度改革任务完成情况，逐项梳理未完成和逾期任务，明确责任人和完成时限，确保按期高质量完成。",
    "对已下达{kinds.urging}、{kinds.order}的改革任务，有关单位要集中力量攻坚，逐项销号，按要求报送完成情况。",
    "各单位要于每月25日前报送改革任务进展情况，{office}将持续跟踪督办，下季度继续通报。",
]


@dataclass
class Quarterly:
    next_steps: list[str] = field(default_factory=lambda: list(DEFAULT_NEXT_STEPS))
    """四、下步要求 of the 季度通报: one paragraph each ({office} is replaced by office.short, {kinds.urging}
    and the like by the office's name for that kind, see Config.kind_name)."""


@dataclass
class Interview:
    after_orders: int = 2
    """Propose a 约谈 at the unit's n-th 责令书 of the year (0: never)."""
    last_in_ranking: int = 2
    """Propose a 约谈 when a unit is last of its ranking category n months in a row up to the run's month (0: never)."""
    auto: bool = False
    """Make the 约谈通知 in the monthly run itself instead of proposing them."""
    when: str = "另行通知"
    """The time of the 约谈, as printed in the notice."""
    where: str = "另行通知"
    """The place of the 约谈, as printed in the notice."""


@dataclass
class KindName:
    name: str = ""
    """What the office calls this kind of document, everywhere it is named (default: 催办单 …)."""
    head: str = ""
    """A slip's red head after the office's short name (default: the standard head with the name in it)."""


@dataclass
class Dispatch:
    reply_days: int = 5
    """A 调度表 asks for the reply this many days after its as-of date (dispatch --reply-by overrides)."""
    receipt_days: int = 5
    """A document not signed for (签收) this many days after its date counts as 未签收."""


@dataclass
class Config:
    office: Office = field(default_factory=Office)
    numbering: Numbering = field(default_factory=Numbering)
    rules: Rules = field(default_factory=Rules)
    ranking: Ranking = field(default_factory=Ranking)
    paths: Paths = field(default_factory=Paths)
    cases: Cases = field(default_factory=Cases)
    pdf: Pdf = field(default_factory=Pdf)
    units: Units = field(default_factory=Units)
    quarterly: Quarterly = field(default_factory=Quarterly)
    interview: Interview = field(default_factory=Interview)
    kinds: dict[str, KindName] = field(default_factory=dict)
    """Per kind (reminder, urging, …): the office's own name for it, e.g. urging: {name: 督办单}."""
    dispatch: Dispatch = field(default_factory=Dispatch)
    pledge: Pledge = field(default_factory=Pledge)
    base: Path = field(default=Path("."))
    """The folder of config.yaml: relative paths are read from here."""

    def path(self, value: str) -> Path:
        p = Path(os.path.expanduser(value))
        return p if p.is_absolute() else self.base / p

    @property
    def data_dir(self) -> Path:
        return self.path(self.paths.data)

    @property
    def out_dir(self) -> Path:
        return self.path(self.paths.out)

    @property
    def templates_dir(self) -> Path:
        return self.path(self.paths.templates)

    @property
    def register_url(self) -> str:
        reg = self.paths.register
        if reg.startswith(("postgresql://", "postgres://")):
            return reg
        return str(self.path(reg))

    def kind_name(self, kind: Kind) -> str:
        """The office's name for a kind: its own (kinds.<kind>.name), else the standard one. A finding
        urging is named after the urging slip (整改 + 督办单) unless it has a name of its own."""
        own = self.kinds.get(kind.value)
        if own is not None and own.name:
            return own.name
        if kind == Kind.FINDING_URGING and self.kind_name(Kind.URGING) != KIND_ZH[Kind.URGING]:
            return "整改" + self.kind_name(Kind.URGING)
        return KIND_ZH[kind]

    def kind_head(self, kind: Kind) -> str:
        """A slip's head: the office's own (kinds.<kind>.head), else the standard head with the
        standard name at its end replaced by the office's name (改革任务催办单 → 改革任务督办单)."""
        own = self.kinds.get(kind.value)
        if own is not None and own.head:
            return own.head
        name, standard = self.kind_name(kind), KIND_HEAD.get(kind, "")
        if not standard:
            return name
        return standard[: -len(KIND_ZH[kind])] + name if standard.endswith(KIND_ZH[kind]) else standard

    def fill_names(self, text: str) -> str:
        """A configured text with {office} (office.short) and {kinds.<kind>} (the office's name for
        the kind, e.g. {kinds.urging} → 督办单) filled in; checked by load_config."""
        text = text.replace("{office}", self.office.short)
        return KIND_PLACEHOLDER.sub(lambda m: self.kind_name(Kind(m.group(1))) if m.group(1) in KIND_VALUES else m.group(0), text)

    def kind_names(self) -> dict[str, str]:
        """{kind value: the office's name} for every kind (templates use {{ kinds.urging }})."""
        return {k.value: self.kind_name(k) for k in Kind}

    def series_pattern(self, series: str) -> str:
        return getattr(self.numbering, series) or self.numbering.urging


KIND_PLACEHOLDER = re.compile(r"\{kinds\.([a-z_]+)\}")
KIND_VALUES = {k.value for k in Kind}


SERIES_NAMES = ("formal", "reminder", "assignment", "urging", "order", "finding_urging", "pledge")


def principal_of(office_name: str) -> str:
    """The committee an office serves: 中共淄博市委全面深化改革委员会办公室 → 中共淄博市委全面深化改革委员会."""
    name = office_name.strip()
    for tail in ("办公室", "办"):
        if name.endswith(tail) and len(name) > len(tail) + 2:
            return name[: -len(tail)]
    return name


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is list:
        return f"a list of {_type_name(get_args(tp)[0])}"
    if tp is str:
        return "text"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    if tp is bool:
        return "true or false"
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, path: str, shown: str, problems: list[Problem]) -> Any:
    """Check value against the annotated type; return the typed value."""
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, path, shown, problems)
    args = get_args(tp)
    if get_origin(tp) is not None and type(None) in args:  # X | None
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        tp = inner[0] if len(inner) == 1 else tp
        args = get_args(tp)
    if get_origin(tp) is dict:
        if not isinstance(value, dict):
            problems.append(Problem(shown, f"{path}: expected a mapping, got {value!r}"))
            return {}
        if args[1] is KindName:  # `urging: 督办单` is short for `urging: {name: 督办单}`
            value = {k: {"name": v} if isinstance(v, str) else v for k, v in value.items()}
        if args[1] is Image:  # `logo: images/logo.png` is short for `logo: {file: images/logo.png}`
            value = {k: {"file": v} if isinstance(v, str) else v for k, v in value.items()}
        return {str(k): _convert(v, args[1], f"{path}.{k}", shown, problems) for k, v in value.items()}
    if get_origin(tp) is list:
        if not isinstance(value, list):
            problems.append(Problem(shown, f"{path}: expected {_type_name(tp)}, got {value!r}"))
            return []
        return [_convert(v, args[0], f"{path}[{i}]", shown, problems) for i, v in enumerate(value)]
    if args and get_origin(tp) is not list:  # int | str (pdf.jobs)
        if any(isinstance(value, a) and not isinstance(value, bool) for a in args):
            return value
        problems.append(Problem(shown, f"{path}: expected a whole number or auto, got {value!r}"))
        return None
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, tp) and not (tp is int and isinstance(value, bool)):
        return value
    problems.append(Problem(shown, f"{path}: expected {_type_name(tp)}, got {value!r}"))
    return None


def _build(cls: Any, data: Any, path: str, shown: str, problems: list[Problem]) -> Any:
    hints = get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "base"]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, f"{path or 'the file'}: expected a mapping of keys, got {data!r}"))
        return cls()
    kwargs = {}
    for key, value in data.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in names:
            import difflib

            near = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (did you mean {near[0]}?)" if near else f" (known keys: {', '.join(names)})"
            problems.append(Problem(shown, f"{where}: unknown key{hint}"))
            continue
        kwargs[key] = _convert(value, hints[key], where, shown, problems)
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k == "finding_urging"}
    return cls(**kwargs)


def _picture_problem(config: Config, value: Any) -> str | None:
    """Why a configured picture file cannot go into a document, or None."""
    if not isinstance(value, str) or not value:
        return "give the picture's file, e.g. images/logo.png"
    path = config.path(value)
    if not path.is_file():
        return f"no such file {display_path(path)}"
    from docx.image.image import Image as DocxImage

    try:
        DocxImage.from_file(str(path))
    except Exception:  # python-docx names no common error for an unreadable picture
        return f"{display_path(path)} is not a picture Word can show (use PNG or JPEG)"
    return None


def load_config(path: Path) -> Config:
    """Load and validate config.yaml; raise BadInput listing every problem."""
    shown = display_path(path)
    if not path.is_file():
        raise BadInput(Problem(shown, "missing config file (copy config.yaml from the project and set office.name and office.prefix)"))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise BadInput(Problem(shown, "is not UTF-8 text"))
    except ValueError as exc:  # YAML builds dates itself: 2026-02-30 raises here
        raise BadInput(Problem(shown, f"has an impossible value: {exc} (dates are like 2026-11-24)"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BadInput(Problem(shown, f"is not valid YAML: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None))
    except UnicodeDecodeError:
        raise BadInput(Problem(shown, "is not UTF-8 text"))
    problems: list[Problem] = []
    config = _build(Config, data, "", shown, problems)
    config.base = path.resolve().parent
    office = config.office
    if not office.name:
        problems.append(Problem(shown, "office.name: required (the issuing organ's full name)"))
    if not office.prefix:
        problems.append(Problem(shown, "office.prefix: required (the 文号 prefix, e.g. 淄改办)"))
    office.short = office.short or office.name
    office.mark = office.mark or f"{office.name}文件"
    office.principal = office.principal or principal_of(office.name)
    for series in SERIES_NAMES:
        pattern = getattr(config.numbering, series)
        if pattern is None:
            continue
        if "{n}" not in pattern or "{year}" not in pattern:
            problems.append(Problem(shown, f"numbering.{series}: must contain {{year}} and {{n}}, e.g. {{prefix}}发〔{{year}}〕{{n}}号"))
            continue
        try:
            pattern.format(prefix="x", year=2026, n=1)
        except Exception as exc:  # any format error: KeyError, TypeError, AttributeError …
            problems.append(Problem(shown, f"numbering.{series}: only {{prefix}}, {{year}} and {{n}} may be used ({exc})"))
    patterns = [getattr(config.numbering, s) for s in SERIES_NAMES]
    patterns = [p for p in patterns if p]
    if len(set(patterns)) != len(patterns):
        problems.append(Problem(shown, "numbering: two series have the same pattern; each series needs its own"))
    r = config.rules
    for key in ("reply_days", "receipt_days"):
        value = getattr(config.dispatch, key)
        if isinstance(value, int) and not 0 <= value <= 365:
            problems.append(Problem(shown, f"dispatch.{key}: {value} is out of range (0 to 365 days)"))
    for key in ("reminder_reply_days", "urge_days_before_due", "order_after_urging_days", "order_new_deadline_days", "urging_reply_days"):
        value = getattr(r, key)
        if isinstance(value, int) and not 0 <= value <= 365:
            problems.append(Problem(shown, f"rules.{key}: {value} is out of range (0 to 365 days)"))
    if isinstance(r.progress_report_day, int) and not 1 <= r.progress_report_day <= 28:
        problems.append(Problem(shown, f"rules.progress_report_day: {r.progress_report_day} is out of range (1 to 28)"))
    for key in ("after_orders", "last_in_ranking"):
        value = getattr(config.interview, key)
        if isinstance(value, int) and not 0 <= value <= 12:
            problems.append(Problem(shown, f"interview.{key}: {value} is out of range (0 to 12; 0 turns the trigger off)"))
    for key in ("when", "where"):
        if isinstance(getattr(config.interview, key), str) and not getattr(config.interview, key).strip():
            problems.append(Problem(shown, f"interview.{key}: empty (leave it out for 另行通知)"))
    known = [k.value for k in Kind]
    for key, own in config.kinds.items():
        if key not in known:
            import difflib

            near = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {near[0]}?" if near else f"known kinds: {', '.join(known)}"
            problems.append(Problem(shown, f"kinds.{key}: not a kind of document ({hint})"))
        elif own is not None and own.name and not own.name.strip():
            problems.append(Problem(shown, f"kinds.{key}.name: must not be blank"))
    config.kinds = {k: v for k, v in config.kinds.items() if v is not None}
    names = [config.kind_name(k) for k in Kind]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        problems.append(Problem(shown, f"kinds: two kinds are called {'、'.join(twice)}; each kind needs its own name"))
    for i, text in enumerate(config.quarterly.next_steps if isinstance(config.quarterly.next_steps, list) else []):
        for name in KIND_PLACEHOLDER.findall(text) if isinstance(text, str) else []:
            if name not in KIND_VALUES:
                import difflib

                near = difflib.get_close_matches(name, sorted(KIND_VALUES), n=1)
                hint = f"did you mean {{kinds.{near[0]}}}?" if near else f"known kinds: {', '.join(sorted(KIND_VALUES))}"
                problems.append(Problem(shown, f"quarterly.next_steps[{i + 1}]: {{kinds.{name}}} is not a kind of document ({hint})"))
    for key in ("requirements", "assessment"):
        texts = getattr(config.pledge, key)
        if isinstance(texts, list) and (not texts or any(isinstance(t, str) and not t.strip() for t in texts)):
            problems.append(Problem(shown, f"pledge.{key}: needs at least one paragraph, none empty (leave it out for the default text)"))
    for cat in config.pledge.categories:
        if isinstance(cat, str) and cat not in config.units.categories:
            problems.append(Problem(shown, f"pledge.categories: {cat!r} is not a unit category (units.categories: {'、'.join(config.units.categories)})"))
    for key, value in [(f"office.images.{k}.file", v.file if isinstance(v, Image) else "") for k, v in office.images.items()] + \
            [(f"office.pictures.{k}", v) for k, v in office.pictures.items()]:
        problem = _picture_problem(config, value)
        if problem:
            problems.append(Problem(shown, f"{key}: {problem}"))
    for name, image in office.images.items():
        if isinstance(image, Image) and isinstance(image.width_mm, float) and not 0 <= image.width_mm <= 300:
            problems.append(Problem(shown, f"office.images.{name}.width_mm: {image.width_mm:g} is out of range (0 to 300 mm)"))
    jobs = config.pdf.jobs
    if isinstance(jobs, str) and jobs != "auto" or isinstance(jobs, int) and jobs < 1:
        problems.append(Problem(shown, f"pdf.jobs: expected a whole number ≥ 1 or auto, got {jobs!r}"))
    if isinstance(config.pdf.cache_mb, int) and config.pdf.cache_mb < 0:
        problems.append(Problem(shown, f"pdf.cache_mb: expected a whole number of megabytes ≥ 0, got {config.pdf.cache_mb}"))
    if problems:
        raise BadInput(problems)
    return config
