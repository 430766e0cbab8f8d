"""Make the sample case files that are not plain text: the charts the Markdown cases show, and
three Word cases as units really send them — with their own fonts (Times New Roman, 微软雅黑,
Arial, 楷体), colours, sizes, highlight, a Letter or B5 page, odd margins, heading styles with
theme fonts, auto-numbered lists, a shaded table and an embedded picture. The book must show
none of that formatting (docs/cases.md).

Deterministic: the same files byte for byte on every run (fixed dates in the DOCX and in its
zip entries, PNGs without a timestamp).

    .venv/bin/python tools/make_sample_cases.py [folder]     # default: data/cases/2026
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FIXED = datetime(2026, 10, 15, 9, 0, 0)


# --- charts --------------------------------------------------------------------------------------


def _chart(path: Path, title: str, labels: list[str], values: list[float], unit: str, kind: str = "bar", color: str = "#3b6ea5") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.font_manager import FontProperties

    font = FontProperties(fname=CJK_FONT) if Path(CJK_FONT).exists() else None
    fig, ax = plt.subplots(figsize=(6.0, 3.2), dpi=150)
    if kind == "bar":
        bars = ax.bar(labels, values, color=color, width=0.55)
        for b, v in zip(bars, values):
            ax.text(b.get_x() + b.get_width() / 2, v, f"{v:g}", ha="center", va="bottom", fontproperties=font, fontsize=10)
    else:
        ax.plot(labels, values, marker="o", color=color, linewidth=2)
        ax.fill_between(range(len(values)), values, alpha=0.15, color=color)
        for x, v in enumerate(values):
            ax.text(x, v, f"{v:g}", ha="center", va="bottom", fontproperties=font, fontsize=10)
    ax.set_ylabel(unit, fontproperties=font)
    ax.set_title(title, fontproperties=font, fontsize=12)
    for label in ax.get_xticklabels():
        label.set_fontproperties(font)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(0, max(values) * 1.18)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, metadata={"Software": None})
    plt.close(fig)


def charts(folder: Path) -> None:
    images = folder / "images"
    _chart(images / "zhangdian-kaiban.png", "张店区企业开办平均用时", ["2021年", "2022年", "2023年", "2024年", "2025年", "2026年"],
           [4.5, 3.5, 3.0, 2.0, 1.5, 1.0], "工作日")
    _chart(images / "boshan-xiufu.png", "博山区废弃矿山累计修复面积", ["2022年", "2023年", "2024年", "2025年", "2026年"],
           [1200, 2900, 4700, 6800, 8600], "亩", kind="line", color="#4b8b3b")


# --- Word files with foreign formatting ------------------------------------------------------------


def _deterministic(doc, path: Path) -> None:
    """Save with fixed core properties and fixed zip entry dates."""
    cp = doc.core_properties
    cp.author = "user"
    cp.last_modified_by = "user"
    cp.created = FIXED
    cp.modified = FIXED
    cp.revision = 3
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def _font(run, latin: str, east_asia: str, size: float | None = None, color: str | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = latin
    rpr = run._r.get_or_add_rPr()
    rpr.rFonts.set(qn("w:eastAsia"), east_asia)
    if size:
        run.font.size = Pt(size)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if bold is not None:
        run.bold = bold


def _para(doc, text: str, latin: str, east: str, size: float, color: str | None = None, style: str | None = None, **fmt):
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    _font(run, latin, east, size, color)
    for k, v in fmt.items():
        setattr(p.paragraph_format, k, v)
    return p


def _shade(cell, fill: str) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>'))


def word_approval(path: Path, chart: Path) -> None:
    """市行政审批服务局: title and unit on the first two lines, Letter paper, Times New Roman and
    微软雅黑, coloured Heading 1/2 styles without numbers, a bullet list, a shaded table, a picture."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Inches, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Inches(8.5), Inches(11)  # US Letter
    sec.left_margin, sec.right_margin = Inches(0.75), Inches(1.25)
    sec.top_margin, sec.bottom_margin = Inches(0.6), Inches(1.4)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)

    t = _para(doc, "深化“一业一证”改革 实现“准入即准营”", "微软雅黑", "微软雅黑", 20, "C00000", alignment=WD_ALIGN_PARAGRAPH.CENTER)
    t.runs[0].bold = True
    _para(doc, "淄博市行政审批服务局", "Times New Roman", "楷体", 14, "1F4E79", alignment=WD_ALIGN_PARAGRAPH.CENTER, space_after=Pt(18))

    body = "Times New Roman", "微软雅黑", 12
    _para(doc, "市场主体开办一个行业经营场所，往往需要办理多张许可证，涉及多个部门、多套材料、多次跑腿，“准入不准营”问题较为突出。"
               "市行政审批服务局聚焦群众和企业办事的难点堵点，选取便利店、药店、餐饮店、健身房等32个高频行业，推行“一业一证”改革，"
               "将一个行业准入涉及的多张许可证整合为一张“行业综合许可证”，实现“一证准营、一码通用”。", *body,
          color="404040", line_spacing=1.5, first_line_indent=Pt(24))

    doc.add_heading("主要做法", level=1)
    doc.add_heading("再造审批流程", level=2)
    p = _para(doc, "按照“一次告知、一表申请、一窗受理、一次核查、一证准营”的要求，对每个行业的审批事项、申请材料、办理流程进行系统重构，"
                   "编制行业综合许可办事指南。", *body, color="1F3864", line_spacing=1.5)
    r = p.add_run("申请人填写一张综合申请表、提交一套材料，即可办理该行业涉及的全部许可事项。")
    _font(r, "Times New Roman", "微软雅黑", 12, bold=True)
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW

    doc.add_heading("推行集成审批", level=2)
    _para(doc, "对同一行业涉及的多个许可事项，实行“一次现场核查、多部门认可”，由审批局组织联合踏勘，核查结果各部门互认。"
               "对具备条件的行业推行告知承诺制，申请人承诺符合条件后当场发证。", *body, line_spacing=1.5)
    _para(doc, "改革主要覆盖以下方面：", *body, line_spacing=1.5)
    for item in ("申请材料：多套材料合并为一套，平均减少60%以上；",
                 "办理时限：法定时限平均54个工作日压缩至5个工作日；",
                 "许可证件：多张许可证整合为一张行业综合许可证。"):
        _para(doc, item, "Arial", "微软雅黑", 11, "2F5597", style="List Bullet")

    doc.add_heading("强化数据赋能", level=2)
    _para(doc, "行业综合许可证加载二维码，集成各项许可信息，市场主体“扫码亮证”，监管部门“扫码核查”。"
               "综合许可证信息通过政务数据共享平台实时推送至各监管部门，实现审批与监管无缝衔接。", *body, line_spacing=1.5)

    doc.add_heading("取得成效", level=1)
    _para(doc, "改革实施以来，全市累计发放行业综合许可证1.9万张，32个行业平均审批环节减少72%，申请材料减少63%，"
               "办理时限压缩90%以上。部分行业审批情况如下：", *body, line_spacing=1.5)
    rows = [("行业", "整合许可证", "办理时限（改革前）", "办理时限（改革后）"),
            ("便利店", "4张", "37个工作日", "3个工作日"),
            ("药店", "5张", "60个工作日", "5个工作日"),
            ("餐饮店", "4张", "45个工作日", "4个工作日"),
            ("健身房", "3张", "30个工作日", "3个工作日")]
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = doc.styles["Light Grid Accent 1"]
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            _font(run, "Arial", "微软雅黑", 10, "FFFFFF" if i == 0 else "000000", bold=i == 0)
            if i == 0:
                _shade(cell, "2E75B6")
    pic = doc.add_paragraph()
    pic.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pic.add_run().add_picture(str(chart), width=Inches(5.5))
    cap = _para(doc, "图1　全市32个行业平均办理时限变化（工作日）", "Arial", "微软雅黑", 9, "7F7F7F", style="Caption",
                alignment=WD_ALIGN_PARAGRAPH.CENTER)
    del cap
    _para(doc, "“一业一证”改革有效降低了市场主体制度性交易成本，实现了从“一事跑多门”到“一证即开业”的转变，"
               "相关经验做法被国务院办公厅电子政务办公室专题刊发。", *body, line_spacing=1.5)
    _deterministic(doc, path)


def word_health(path: Path) -> None:
    """市卫生健康委: no title line (index.yaml gives it), 楷体/Arial 14 pt in green and blue, odd
    margins, 一、 headings typed as bold red text, （一） inline headings, auto-numbered items, a table."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin = Mm(10), Mm(40)
    sec.top_margin, sec.bottom_margin = Mm(15), Mm(15)
    body = ("Arial", "楷体", 14)

    def text(t: str, color: str = "00602B", **fmt):
        return _para(doc, t, *body, color=color, line_spacing=Pt(26), **fmt)

    def heading(t: str):
        p = doc.add_paragraph()
        r = p.add_run(t)
        _font(r, "Arial", "黑体", 16, "FF0000", bold=True)
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        return p

    def inline(head: str, rest: str):
        p = doc.add_paragraph()
        r = p.add_run(head)
        _font(r, "Arial", "楷体", 14, "0070C0", bold=True)
        r = p.add_run(rest)
        _font(r, *body, color="00602B")
        p.paragraph_format.first_line_indent = Pt(28)
        return p

    text("近年来，市卫生健康委坚持以人民健康为中心，以紧密型县域医共体建设为抓手，推动医疗卫生工作重心下移、资源下沉，"
         "着力破解基层医疗服务能力不强、群众看病就医不便等问题，让群众在家门口就能享受到优质医疗服务。", first_line_indent=Pt(28))
    heading("一、主要做法")
    inline("（一）推进管理一体化。", "以县级医院为龙头，整合县乡两级医疗卫生资源，组建紧密型县域医共体8个，覆盖乡镇卫生院"
           "（社区卫生服务中心）86家。医共体内实行人员统一招聘使用、财务统一管理核算、药品耗材统一采购配送、信息系统统一运维，"
           "形成“一家人、一本账、一盘棋”的管理格局。")
    inline("（二）推动资源下沉。", "医共体牵头医院向成员单位派驻管理人员和业务骨干，在乡镇卫生院开设专家门诊和联合病房，"
           "建设县域影像、心电、检验、病理等资源共享中心，实现“基层检查、上级诊断、结果互认”。具体措施包括：")
    # a numbered list with Word's own numbering (List Number)
    for item in ("牵头医院每年向每家成员单位派驻不少于2名中级以上职称医师；",
                 "县域内检查检验结果互认项目达到126项；",
                 "乡镇卫生院常见病、多发病诊疗病种增加到100种以上。"):
        p = doc.add_paragraph(style="List Number")
        r = p.add_run(item)
        _font(r, "Arial", "楷体", 13, "7030A0")
    inline("（三）改革医保支付方式。", "对医共体实行医保基金“总额付费、结余留用、合理超支分担”，引导医共体从“以治病为中心”"
           "向“以健康为中心”转变，主动做好疾病预防和健康管理。")
    heading("二、取得成效")
    text("改革实施以来，县域医疗服务能力明显提升，群众就医负担有效减轻。主要指标变化如下：", first_line_indent=Pt(28))
    rows = [("指标", "2024年", "2026年"), ("县域内就诊率", "86.2%", "92.7%"), ("基层医疗机构诊疗量占比", "52.4%", "61.3%"),
            ("乡镇卫生院开展手术例数", "3100例", "6800例")]
    table = doc.add_table(rows=len(rows), cols=3)
    table.style = doc.styles["Table Grid"]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            run = cell.paragraphs[0].add_run(value)
            _font(run, "Arial", "楷体", 12, "C00000" if i == 0 else "00602B", bold=i == 0)
            if i == 0:
                _shade(cell, "FFF2CC")
    # a row marked to repeat as a header, as careful clerks do
    table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
    text("紧密型县域医共体建设有效提升了县域医疗卫生服务整体效能，基本实现了“大病不出县、小病不出乡”的改革目标，"
         "相关做法入选全省深化医药卫生体制改革典型案例。", first_line_indent=Pt(28))
    _deterministic(doc, path)


def word_gaoqing(path: Path) -> None:
    """高青县: as typed in WPS: Title style in 宋体, paragraphs indented with full-width spaces, a B5
    page, Heading 1/2 with their numbers typed in, purple and underlined text, a soft line break,
    a hidden note and a page break."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(176), Mm(250)  # B5
    sec.left_margin, sec.right_margin = Mm(32), Mm(12)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(30)
    title = doc.add_paragraph(style="Title")
    _font(title.add_run("探索生态产品价值实现机制 推动黄河滩区绿色发展"), "宋体", "宋体", 22, "000000", bold=True)

    def body(t: str, color: str | None = None):
        p = doc.add_paragraph()
        _font(p.add_run("　　" + t), "Calibri", "FangSong", 15, color)
        p.paragraph_format.line_spacing = Pt(30)
        return p

    body("高青县地处黄河下游，境内黄河岸线47.4公里，拥有湿地、滩区、林地等丰富的生态资源。长期以来，生态资源“好看不好用”，"
         "生态优势难以转化为发展优势。2026年，高青县入选全省生态产品价值实现机制试点，围绕“生态产品怎么算、怎么卖、怎么用”，"
         "探索建立生态产品价值实现的制度体系。")
    doc.add_heading("一、主要做法", level=1)
    doc.add_heading("（一）摸清生态家底", level=2)
    p = body("开展全县生态资源调查监测，建立涵盖湿地、林地、耕地、水域等资源的生态产品目录清单。", "5B2C6F")
    r = p.add_run("委托第三方机构开展生态系统生产总值（GEP）核算，")
    _font(r, "Calibri", "FangSong", 15, "5B2C6F")
    r.underline = True
    r = p.add_run("2025年全县GEP为286.4亿元，为生态产品定价交易提供了依据。")
    _font(r, "Calibri", "FangSong", 15)
    hidden = p.add_run("（内部备注：数据待统计局复核）")
    _font(hidden, "Calibri", "FangSong", 15, "FF0000")
    hidden.font.hidden = True
    doc.add_heading("（二）搭建交易平台", level=2)
    p = body("设立县级生态资源运营中心，将分散的生态资源进行规模化收储和专业化运营，打造生态资源“资产包”。")
    br = p.add_run()
    br.add_break()  # a soft line break typed in the middle of the text
    _font(p.add_run("　　推出生态产品交易平台，开展碳汇、水权、排污权等生态权益交易，2026年完成交易额1.3亿元。"), "Calibri", "FangSong", 15)
    doc.add_heading("（三）创新金融支持", level=2)
    body("联合金融机构推出“生态贷”“碳汇贷”等绿色金融产品，以生态产品未来收益权作为质押，为生态产业项目提供融资支持，"
         "累计发放贷款5.6亿元。")
    page_break = doc.add_paragraph().add_run()
    page_break.add_break(WD_BREAK.PAGE)
    doc.add_heading("二、取得成效", level=1)
    body("试点以来，高青县生态产品价值实现路径不断拓宽，黄河滩区生态旅游、有机农业、湿地康养等产业蓬勃发展，"
         "2026年全县生态旅游接待游客320万人次，带动农民增收2.1亿元，实现了生态保护与经济发展的双赢。")
    doc.add_heading("三、经验启示", level=1)
    body("生态产品价值实现的关键在于打通“资源—资产—资本”的转化通道。高青县通过核算定价、平台交易、金融赋能，"
         "让生态产品“有价”“可卖”“能贷”，为黄河流域生态保护和高质量发展提供了有益借鉴。")
    _deterministic(doc, path)


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "cases" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    charts(folder)
    chart = folder / "images" / "approval-time.png"
    _chart(chart, "32个行业平均办理时限", ["改革前", "改革后"], [54, 5], "工作日", color="#c0504d")
    word_approval(folder / "市行政审批服务局-一业一证.docx", chart)
    chart.unlink()  # it lives inside the Word file only
    word_health(folder / "市卫生健康委-医共体.docx")
    word_gaoqing(folder / "高青县-生态产品.docx")
    for p in sorted(folder.rglob("*")):
        if p.suffix in (".png", ".docx"):
            print(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}")


if __name__ == "__main__":
    main()
