"""Write the sample data set under data/ (units, tasks, history, findings, scores).

Run:  .venv/bin/python tools/make_sample_data.py [--out DIR]

Everything here is literal data except the January-October scores, which follow a
per-unit trend with noise from a fixed seed. The output is byte-for-byte the same on
every run (fixed workbook timestamps, fixed zip entry times).

The sample run is `make-notices monthly --month 2026-11 --as-of 2026-11-28`; the slips
each task must get on that date are written down by hand in tests/sample_expectations.yaml,
and the boundary cases are listed in data/README.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import zipfile
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

ROOT = Path(__file__).resolve().parent.parent
FIXED_TIME = datetime(2026, 11, 27, 9, 0, 0)
DATE_FORMAT = "yyyy-mm-dd"


def d(text: str) -> date:
    """'2026-11-28' or '11-28' (year 2026) -> date."""
    parts = [int(p) for p in text.split("-")]
    return date(2026, *parts) if len(parts) == 2 else date(*parts)


# --------------------------------------------------------------------------- units

# (单位名称, 简称, 类别, 联系人, 联系电话); 排序 is the position in this list.
UNITS = [
    ("张店区委改革办", "张店区", "区县", "李娜", "0533-2286015"),
    ("淄川区委改革办", "淄川区", "区县", "王强", "0533-5182736"),
    ("博山区委改革办", "博山区", "区县", "张伟", "0533-4120358"),
    ("周村区委改革办", "周村区", "区县", "刘洋", "0533-6418027"),
    ("临淄区委改革办", "临淄区", "区县", "陈静", "0533-7213649"),
    ("桓台县委改革办", "桓台县", "区县", "杨帆", "0533-8250174"),
    ("高青县委改革办", "高青县", "区县", "赵磊", "0533-6961253"),
    ("沂源县委改革办", "沂源县", "区县", "孙丽", "0533-3245186"),
    ("高新区党工委改革办", "高新区", "区县", "周涛", "0533-3583092"),
    ("淄博市发展和改革委员会", "市发展改革委", "市直部门", "吴敏", "0533-3187526"),
    ("淄博市财政局", "市财政局", "市直部门", "郑凯", "0533-2318640"),
    ("淄博市教育局", "市教育局", "市直部门", "王芳", "0533-3181972"),
    ("淄博市自然资源和规划局", "市自然资源规划局", "市直部门", "马骏", "0533-2775031"),
    ("淄博市行政审批服务局", "市行政审批服务局", "市直部门", "朱琳", "0533-3116258"),
    ("淄博市卫生健康委员会", "市卫生健康委", "市直部门", "胡斌", "0533-2287413"),
    ("市委全面深化改革委员会经济体制和生态文明体制改革专项小组", "经济生态改革专项小组",
     "专项小组", "郭婷", "0533-3184367"),
    ("市委全面深化改革委员会民主法制领域改革专项小组", "民主法制改革专项小组",
     "专项小组", "何雪", "0533-3189125"),
    ("市委全面深化改革委员会文化体制改革专项小组", "文化体制改革专项小组",
     "专项小组", "高鹏", "0533-3180649"),
    ("市委全面深化改革委员会社会体制改革专项小组", "社会体制改革专项小组",
     "专项小组", "林晓", "0533-3186230"),
]
FULL_NAME = {short: name for name, short, *_ in UNITS} | {name: name for name, *_ in UNITS}

# --------------------------------------------------------------------------- tasks

# Upper documents: key -> (上级文件, 上级文号 as the clerk typed it, 来源)
DOCS = {
    "高效办成": ("《关于推进“高效办成一件事”常态化的实施意见》", "鲁政发〔2026〕5号", "省委"),
    "国企改革": ("《关于深化国有企业改革提升核心竞争力的实施意见》", "鲁办发〔2026〕8号", "省委"),
    "要素市场": ("《关于构建更加完善的要素市场化配置体制机制的意见》", "中办发〔2026〕12号", "中央"),
    "生态补偿": ("《关于深化生态保护补偿制度改革的实施方案》", "鲁政办字[2026]15号", "省委"),
    "医共体": ("《关于全面推进紧密型县域医疗卫生共同体建设的意见》", "国卫基层发(2026)3号", "中央"),
    "教育评价": ("《关于深化新时代教育评价改革的实施方案》", "鲁教发【2026】2号", "省委"),
    "入市试点": ("《关于深化农村集体经营性建设用地入市试点工作的意见》", "中办发〔2026〕21号", "中央"),
    "预算改革": ("《关于进一步深化预算管理制度改革的实施意见》", "鲁政发〔2026〕9号", "省委"),
    "公共文化": ("《关于健全现代公共文化服务体系的意见》", "中办发〔2026〕30号", "中央"),
    "基层法治": ("《关于加强基层法治建设的实施意见》", "鲁办发〔2026〕22号", "省委"),
    "数据制度": ("《关于加快构建数据基础制度的实施意见》", "鲁办发〔 2026 〕17号", "省委"),
    "医疗价格": ("《关于深化医疗服务价格改革的实施方案》", "鲁医保发〔2026〕11号", "省委"),
    "养老服务": ("《关于深化养老服务改革发展的意见》", "中办发〔2026〕35号", "中央"),
    "农业水价": ("《关于深化农业水价综合改革的实施意见》", "鲁政办发〔2026〕20号", "省委"),
    "财政体制": ("《关于进一步推进省以下财政体制改革的实施意见》", "鲁政发〔2026〕14号", "省委"),
    "市场准入": ("《关于完善市场准入制度的意见》", "中办发〔2026〕41号", "中央"),
    "公立医院": ("《关于深化公立医院薪酬制度改革的指导意见》", "国办发〔2026〕38号", "中央"),
    "跨省通办": ("《关于加快推进政务服务“跨省通办”扩面增效的意见》", "国办发〔2026〕24号", "中央"),
    "绿色转型": ("《关于推动传统产业绿色低碳转型的实施意见》", "鲁政发〔2026〕11号", "省委"),
    "数字政府": ("《关于加强数字政府建设的实施意见》", "鲁政发(2026)7号", "省委"),
    "林权改革": ("《关于深化集体林权制度改革的实施方案》", "中办发〔2026〕16号", "中央"),
    "资产产权": ("《关于统筹推进自然资源资产产权制度改革的实施意见》", "鲁办发〔2026〕19号", "省委"),
    "总分馆制": ("《关于推进新时代文化馆图书馆总分馆制建设的意见》", "鲁办发〔2026〕46号", "省委"),
    "行政执法": ("《关于深化行政执法体制改革的实施意见》", "鲁办发〔2026〕49号", "省委"),
    "社会救助": ("《关于健全分层分类社会救助体系的意见》", "中办发〔2026〕52号", "中央"),
    "科技教育": ("《关于加强中小学科技教育的意见》", "教基【2026】9号", "中央"),
    "县域商业": ("《关于深化县域商业体系建设的实施意见》", "鲁政办发〔2026〕41号", "省委"),
    "地下管网": ("《关于推进城市地下管网更新改造的实施方案》", "鲁政办字[2026]52号", "省委"),
}

ODD_NOTE = "对接省“爱山东”平台，\"企业开办&注销\"一件事办理时限压缩至<1个工作日，材料精简率>50%"


def task(no, title, doc, received, lead, partners, assigned, due, status, done=None,
         progress="", note="", history=()):
    """One ledger row. doc: a DOCS key, or None for the city's own task (来源 市委).
    history: (文种, date) pairs of slips the paper register already holds for the task."""
    source_doc, source_no, source = DOCS[doc] if doc else ("", "", "市委")
    return {
        "编号": f"2026-{no:03d}", "改革事项": title, "上级文件": source_doc,
        "上级文号": source_no, "来源": source, "收到日期": received and d(received),
        "牵头单位": lead, "配合单位": partners, "交办日期": assigned and d(assigned),
        "完成时限": due and d(due), "状态": status, "完成日期": done and d(done),
        "进展情况": progress, "备注": note, "成果形式": "",
        "history": [(kind, d(day)) for kind, day in history],
    }


def task_2027(no, title, lead, partners, due, deliverable, assigned="2027-01-20"):
    """A task of the 2027 要点 (the city's own, assigned with the task list in January 2027):
    nothing in it touches a 2026 month."""
    return {
        "编号": f"2027-{no:03d}", "改革事项": title, "上级文件": "", "上级文号": "", "来源": "市委",
        "收到日期": None, "牵头单位": lead, "配合单位": partners, "交办日期": d(assigned),
        "完成时限": d(due), "状态": "未启动", "完成日期": None, "进展情况": "", "备注": "",
        "成果形式": deliverable, "history": [],
    }


R, A, U, O = "提示单", "交办单", "催办单", "责令书"

TASKS = [
    # ---- assigned earlier in 2026, nothing due on 2026-11-28 ------------------------
    task(1, "深化“高效办成一件事”改革，新增企业信息变更、开办餐饮店等集成办理事项", "高效办成",
         "02-10", "市行政审批服务局", "市发展改革委、市财政局", "02-20", "12-31", "推进中",
         progress="已上线“一件事”集成办理场景14个，年内计划新增4个",
         history=[(R, "02-12"), (A, "02-20")]),
    task(2, "完善市属国有企业法人治理结构，推动董事会应建尽建、配齐建强", "国企改革",
         "02-26", "经济生态改革专项小组", "淄博市财政局", "03-06", "2027-06-30", "推进中",
         progress="市属一级企业外部董事占多数已全部实现",
         history=[(R, "03-02"), (A, "03-06")]),
    task(3, "开展土地、数据要素市场化配置改革试点，健全要素交易平台和规则", "要素市场",
         "03-09", "淄博市发展和改革委员会", "淄博市自然资源和规划局，市财政局", "03-20",
         "2027-03-31", "推进中", progress="数据交易服务平台已上线运行",
         history=[(R, "03-11"), (A, "03-20")]),
    task(4, "建立孝妇河流域上下游横向生态保护补偿机制", "生态补偿", "03-16",
         "市委全面深化改革委员会经济体制和生态文明体制改革专项小组", "淄川区、博山区、周村区",
         "03-27", "2027-06-30", "推进中", progress="补偿协议文本已征求各区意见",
         history=[(R, "03-18"), (A, "03-27")]),
    task(5, "推进紧密型县域医共体建设，实现县域医疗卫生资源统筹管理", "医共体", "03-23",
         "市卫生健康委", "高青县、沂源县、桓台县", "04-03", "2027-03-31", "推进中",
         history=[(R, "03-25"), (A, "04-03")]),
    task(6, "深化新时代教育评价改革，建立中小学办学质量评价体系", "教育评价", "04-08",
         "淄博市教育局", "", "04-17", "2027-01-31", "推进中",
         history=[(R, "04-10"), (A, "04-17")]),
    task(7, "实施“无证明城市”建设提升行动，扩大电子证照应用场景", None, None,
         "淄博市行政审批服务局", "市发展改革委、民主法制改革专项小组", "04-20", "2027-04-30",
         "推进中", progress="已实现126类证明事项免提交", note=ODD_NOTE,
         history=[(A, "04-20")]),
    task(8, "开展农村集体经营性建设用地入市试点，完善入市收益分配机制", "入市试点", "05-06",
         "桓台县", "市自然资源规划局", "05-15", "2027-05-31", "推进中",
         history=[(R, "05-08"), (A, "05-15")]),
    task(9, "深化预算管理制度改革，推进市级零基预算改革", "预算改革", "05-11",
         "淄博市财政局", "市发展改革委", "05-22", "12-31", "推进中",
         progress="2027年市级部门预算已按零基预算要求编制", note="纳入市委深改委2026年工作要点",
         history=[(R, "05-13"), (A, "05-22")]),
    task(12, "推进城市书房、乡村文化驿站建设，健全现代公共文化服务体系", "公共文化", "06-08",
         "市委全面深化改革委员会文化体制改革专项小组", "市教育局、博山区", "06-19", "2027-06-30",
         "推进中", history=[(R, "06-10"), (A, "06-19")]),
    task(13, "加强基层法治建设，推进乡镇（街道）合法性审查全覆盖", "基层法治", "06-15",
         "民主法制改革专项小组", "张店区、淄川区、临淄区", "06-26", "2027-03-31", "推进中",
         history=[(R, "06-17"), (A, "06-26")]),
    task(14, "开展公共数据授权运营试点，建立数据资产登记制度", "数据制度", "07-06",
         "高新区", "市发展改革委、市行政审批服务局", "07-15", "2027-06-30", "推进中",
         history=[(R, "07-08"), (A, "07-15")]),
    task(15, "深化医疗服务价格改革，建立价格动态调整机制", "医疗价格", "07-13",
         "淄博市卫生健康委员会", "市财政局", "07-24", "2027-02-28", "推进中",
         history=[(R, "07-15"), (A, "07-24")]),
    task(16, "深化养老服务改革，推进社区嵌入式养老服务设施建设", "养老服务", "07-27",
         "社会体制改革专项小组", "周村区、高青县", "08-05", "2027-06-30", "推进中",
         history=[(R, "07-29"), (A, "08-05")]),
    task(17, "深化化工园区管理体制改革，推行园区“管委会+公司”运营模式", None, None,
         "临淄区委改革办", "", "08-12", "2027-03-31", "推进中", history=[(A, "08-12")]),
    task(19, "推进县域商业体系建设，完善县乡村三级物流配送体系", None, None,
         "沂源县", "市发展改革委", "09-08", "2027-06-30", "推进中", history=[(A, "09-08")]),
    task(20, "深化文旅体制改革，推进陶琉文化与旅游融合发展", None, None,
         "博山区委改革办", "文化体制改革专项小组", "09-15", "2027-09-30", "推进中",
         history=[(A, "09-15")]),
    task(46, "深化历史文化街区管理体制改革，建立街区运营管理机构", None, None,
         "周村区", "", "09-22", "2027-06-30", "推进中", history=[(A, "09-22")]),
    task(47, "深化农业水价综合改革，完善精准补贴和节水奖励机制", "农业水价", "09-28",
         "高青县委改革办", "市财政局，市发展改革委", "10-12", "2027-12-31", "推进中",
         history=[(R, "09-30"), (A, "10-12")]),
    task(48, "推进市与区县财政事权和支出责任划分改革", "财政体制", "10-09",
         "市财政局", "张店区、淄川区、博山区、周村区、临淄区、桓台县、高青县、沂源县、高新区",
         "10-16", "2027-06-30", "推进中", history=[(R, "10-12"), (A, "10-16")]),
    task(49, "深化“标准地”出让改革，新增工业用地“标准地”出让比例不低于60%", None, None,
         "淄博市自然资源和规划局", "高新区", "10-28", "2027-03-31", "推进中",
         history=[(A, "10-28")]),
    task(50, "推进城市更新体制机制改革，建立城市体检评估制度", None, None,
         "张店区", "市自然资源规划局", "11-06", "2027-06-30", "未启动",
         history=[(A, "11-06")]),

    # ---- finished or closed ----------------------------------------------------------
    task(10, "推行企业开办“一窗受理、一日办结”", None, None,
         "张店区委改革办", "市行政审批服务局", "03-10", "06-30", "已销账", done="06-18",
         progress="企业开办全程网办率达98%，平均用时0.5个工作日", history=[(A, "03-10")]),
    task(11, "深化工程建设项目审批制度改革，一般社会投资项目审批全流程不超过40个工作日",
         None, None, "市行政审批服务局", "市自然资源规划局", "03-10", "09-30", "已销账",
         done="09-25", history=[(A, "03-10"), (U, "09-24")]),
    task(18, "推进义务教育学区制管理改革，实现城区学区全覆盖", None, None,
         "淄川区", "市教育局", "04-17", "09-30", "已完成", done="09-15", history=[(A, "04-17")]),
    task(45, "推行行政执法“首违不罚”清单制度", None, None,
         "民主法制改革专项小组", "", "03-16", "06-30", "已销账", done="06-25",
         history=[(A, "03-16")]),
    task(29, "推进集团化办学改革，新组建城乡教育集团10个", None, None,
         "市教育局", "淄川区、高青县", "06-22", "11-30", "已完成", done="11-20",
         progress="已新组建教育集团11个", history=[(A, "06-22")]),
    task(34, "完善排污权有偿使用和交易制度", None, None,
         "经济生态改革专项小组", "淄博市财政局", "05-12", "10-31", "已完成", done="11-10",
         progress="排污权交易管理办法已印发实施", history=[(A, "05-12"), (U, "10-27")]),

    # ---- urging and order boundaries -------------------------------------------------
    task(21, "推进政务服务“跨省通办”扩面提质", "跨省通办", "08-24",
         "淄博市行政审批服务局", "市发展改革委", "09-10", "12-05", "推进中",
         progress="已梳理“跨省通办”事项86项，与12个城市签订合作协议，剩余事项正在对接",
         history=[(R, "08-26"), (A, "09-10")]),
    task(22, "深化农村宅基地制度改革，完成宅基地资格权认定试点", None, None,
         "高青县", "市自然资源规划局", "09-10", "12-06", "推进中",
         progress="资格权认定已完成8个村", history=[(A, "09-10")]),
    task(23, "深化开发区体制机制改革，完成经济开发区“管委会+公司”模式改革", None, None,
         "周村区委改革办", "", "08-20", "11-28", "推进中",
         progress="改革方案已经区委常委会审议通过，平台公司正在办理登记",
         history=[(A, "08-20")]),
    task(24, "推动建筑陶瓷产业绿色低碳转型，开展企业节能降碳改造", "绿色转型", "06-29",
         "淄川区", "经济生态改革专项小组", "07-28", "11-16", "推进中",
         progress="已完成12家企业节能诊断，改造项目尚未全部开工",
         history=[(R, "07-01"), (A, "07-28")]),
    task(25, "推进泵业产业链“链长制”改革", None, None,
         "博山区", "", "07-20", "11-20", "推进中",
         progress="链长制工作方案已印发，产业链图谱正在完善",
         history=[(A, "07-20"), (U, "11-14")]),
    task(26, "深化“一网统管”城市运行管理改革", "数字政府", "06-15",
         "张店区委改革办", "市行政审批服务局、高新区", "07-01", "11-18", "推进中",
         progress="城市运行管理平台一期已上线，部门数据接入率72%",
         history=[(R, "06-17"), (A, "07-01"), (U, "11-13")]),
    task(27, "深化集体林权制度改革，完成林权类不动产登记存量数据整合", "林权改革", "06-08",
         "沂源县委改革办", "淄博市自然资源和规划局", "06-30", "11-05", "推进中",
         progress="存量数据整合完成63%，部分宗地因档案缺失需补测",
         history=[(R, "06-10"), (A, "06-30"), (U, "10-30")]),
    task(28, "推进马踏湖流域综合治理体制机制改革", None, None,
         "桓台县", "经济生态改革专项小组", "08-26", "11-25", "已完成", done="11-29",
         progress="治理工程已完工，定于11月29日组织验收", history=[(A, "08-26")]),
    task(30, "推进自然资源资产产权制度改革，完成全民所有自然资源资产清查", "资产产权", "05-18",
         "淄博市自然资源和规划局", "市财政局", "05-28", "10-15", "推进中",
         progress="清查成果已汇总，正在进行质量核查",
         history=[(R, "05-20"), (A, "05-28"), (U, "10-09"), (O, "11-05")]),
    task(31, "深化齐文化遗产保护利用体制机制改革", None, None,
         "临淄区", "文化体制改革专项小组", "06-10", "10-30", "推进中",
         progress="管理体制调整方案已报区委审定",
         history=[(A, "06-10"), (U, "10-26"), (O, "11-20")]),
    task(32, "推进“标准地+承诺制”改革，实现新增工业项目拿地即开工", None, None,
         "高新区党工委改革办", "市自然资源规划局，市行政审批服务局", "06-15", "11-05", "推进中",
         progress="已出让“标准地”5宗，承诺制配套制度正在起草",
         history=[(A, "06-15"), (U, "10-30"), (O, "11-25")]),
    task(33, "推进全面预算绩效管理改革，实现市级部门整体绩效评价全覆盖", None, None,
         "淄博市财政局", "", "08-10", "12-03", "推进中",
         progress="已完成46个部门整体绩效评价，剩余8个部门12月初完成",
         history=[(A, "08-10"), (U, "11-26")]),

    # ---- reminder and assignment boundaries ------------------------------------------
    task(35, "贯彻落实市场准入制度改革要求，全面清理市场准入隐性壁垒", "市场准入", "11-02",
         "市发展改革委", "市行政审批服务局", None, None, "未启动", history=[(R, "11-04")]),
    task(36, "加强中小学科技教育，建设科技教育特色学校", "科技教育", "11-12",
         "淄博市教育局", "高新区", "12-03", "2027-03-31", "未启动"),
    task(37, "深化县域商业体系建设，推进乡镇商贸中心改造提升", "县域商业", "11-10",
         "沂源县", "", "11-25", "2027-05-31", "未启动"),
    task(38, "推进城市地下管网更新改造体制机制改革", "地下管网", "11-24",
         "淄博市自然资源和规划局", "张店区、高新区", "11-28", "2027-06-30", "未启动"),
    task(39, "深化公立医院薪酬制度改革，落实“两个允许”要求", "公立医院", "11-03",
         "市卫生健康委", "市财政局", "11-20", "2027-04-30", "未启动", history=[(R, "11-05")]),
    task(40, "完成国家级营商环境创新试点年度自评估并报送评估报告", None, None,
         "张店区", "市发展改革委、市行政审批服务局", "11-25", "12-05", "推进中",
         progress="自评估报告初稿已形成"),
    task(41, "推进文化馆图书馆总分馆制建设", "总分馆制", "11-20",
         "文化体制改革专项小组", "博山区、周村区", None, None, "未启动"),
    task(42, "深化行政执法体制改革，推进综合行政执法向乡镇（街道）延伸", "行政执法", "11-28",
         "市委全面深化改革委员会民主法制领域改革专项小组", "", None, None, "未启动"),
    task(43, "健全分层分类社会救助体系", "社会救助", "11-29",
         "社会体制改革专项小组", "", None, None, "未启动"),
    task(44, "研究制定基层减负长效机制改革方案", None, None,
         "周村区", "", None, None, "未启动", note="待市委深改委会议审议后交办"),
]

# ---- the 2027 要点 (make-notices tasklist --year 2027): assigned 2027-01-20 --------------
TASKS += [
    task_2027(1, "深化要素市场化配置改革，推进土地、数据要素市场化配置综合改革试点", "经济生态改革专项小组",
              "市发展改革委、市自然资源规划局", "2027-06-30", "试点方案"),
    task_2027(2, "健全生态产品价值实现机制，开展生态产品总值（GEP）核算", "经济生态改革专项小组",
              "市财政局、沂源县", "2027-10-31", "核算报告"),
    task_2027(3, "深化市属国有企业专业化整合，推进主责主业聚焦", "经济生态改革专项小组",
              "市财政局", "2027-12-31", "工作总结"),
    task_2027(4, "深化行政复议体制改革，推进行政复议案件繁简分流", "民主法制改革专项小组",
              "张店区、淄川区", "2027-06-30", "制度文件"),
    task_2027(5, "推进基层法律服务体系建设，实现村（社区）法律顾问全覆盖", "民主法制改革专项小组",
              "", "2027-09-30", "工作总结"),
    task_2027(6, "深化国有文艺院团改革，健全演出场次激励机制", "文化体制改革专项小组",
              "博山区", "2027-08-31", "实施方案"),
    task_2027(7, "推进公共文化服务数字化改革，建设“淄博文化云”平台", "文化体制改革专项小组",
              "市行政审批服务局", "2027-11-30", "平台上线运行"),
    task_2027(8, "深化医疗服务价格改革，建立动态调整机制", "社会体制改革专项小组",
              "市卫生健康委、市财政局", "2027-05-31", "制度文件"),
    task_2027(9, "推进县域医共体建设，实现医保基金打包付费全覆盖", "社会体制改革专项小组",
              "高青县、沂源县", "2027-12-31", "工作总结"),
    task_2027(10, "深化企业投资项目承诺制改革，扩大“拿地即开工”范围", "市行政审批服务局",
              "市自然资源规划局", "2027-06-30", "制度文件"),
    task_2027(11, "深化零基预算改革，推进预算评审全覆盖", "市财政局",
              "", "2027-09-30", "制度文件"),
    task_2027(12, "深化“镇街吹哨、部门报到”改革，完善基层治理协调机制", "张店区",
              "", "2027-09-30", "典型案例"),
    task_2027(13, "推进农村集体经营性建设用地入市试点", "桓台县",
              "市自然资源规划局", "2027-12-31", "试点总结"),
]
TASKS.sort(key=lambda t: t["编号"])

TASK_HEADERS = ["编号", "改革事项", "上级文件", "上级文号", "来源", "收到日期", "牵头单位",
                "配合单位", "交办日期", "完成时限", "状态", "完成日期", "进展情况", "备注", "成果形式"]

# --------------------------------------------------------------------------- history

SERIES = {R: "提", A: "交", U: "催", O: "责"}


NOTICE = "整改通知"
SERIES[NOTICE] = "发"
# When the office sent the rectification notices of each round (the 11-10 additions are not
# notified yet: the run makes their supplementary notices).
NOTICE_DATES = {("2026年第二轮改革专项督察", "06-18"): "06-28", ("2026年第三轮改革专项督察", "10-22"): "10-30"}


def formal_entries() -> list[tuple]:
    """Rectification notices per (inspection, unit), as the office sent them after each round."""
    groups: dict[tuple, list[str]] = {}
    for fid, insp, day, unit, *_ in FINDINGS:
        if (insp, day) in NOTICE_DATES:
            groups.setdefault((insp, day, FULL_NAME[unit]), []).append(fid)
    order = {u[0]: i for i, u in enumerate(UNITS)}
    entries = [(d(NOTICE_DATES[(insp, day)]), NOTICE, "、".join(sorted(ids)), unit, order[unit])
               for (insp, day, unit), ids in groups.items()]
    return [e[:4] for e in sorted(entries, key=lambda e: (e[0], e[4]))]


def history_rows() -> list[list[str]]:
    """The paper register: per series, numbered 1, 2, 3... in date order (then task id)."""
    entries = sorted((day, kind, t["编号"], FULL_NAME[t["牵头单位"]])
                     for t in TASKS for kind, day in t["history"])
    entries = sorted(entries + formal_entries(), key=lambda e: (e[0], SERIES[e[1]] == "发"))
    counters = dict.fromkeys(set(SERIES.values()), 0)
    rows = []
    for day, kind, subject, unit in entries:
        counters[SERIES[kind]] += 1
        rows.append([f"淄改办{SERIES[kind]}〔{day.year}〕{counters[SERIES[kind]]}号", kind, subject, unit,
                     day.isoformat()])
    return rows


# --------------------------------------------------------------------------- findings

I2, I3 = "2026年第二轮改革专项督察", "2026年第三轮改革专项督察"
REVIEW_CLOSED = "经复查，整改到位，同意销账。"
REVIEW_PENDING = "已报送整改报告，待复查。"

# (编号, 督察名称, 督察日期, 责任单位, 问题描述, 整改要求, 整改时限, 整改状态, 整改完成日期, 复查意见)
FINDINGS = [
    ("DC2026-2-01", I2, "06-18", "张店区", "改革任务台账更新不及时，部分事项进展情况与实际不符",
     "建立台账月度更新和核对机制，确保进展情况真实准确", "08-31", "已销账", "08-20", REVIEW_CLOSED),
    ("DC2026-2-02", I2, "06-18", "张店区", "“一窗受理”综合窗口覆盖率不足60%，部分事项仍需多窗办理",
     "年底前综合窗口覆盖率达到90%以上", "12-31", "整改中", None, ""),
    ("DC2026-2-03", I2, "06-18", "张店区委改革办", "改革宣传报道数量偏少，典型经验总结提炼不够",
     "每季度报送改革信息不少于3篇，总结推广典型经验不少于2项", "09-30", "已销账", "09-25",
     REVIEW_CLOSED),
    ("DC2026-2-04", I2, "06-18", "淄川区", "部分改革方案出台后配套措施未跟进，落地见效不明显",
     "逐项梳理已出台改革方案，9月底前完善配套措施", "09-30", "整改中", None,
     "整改进度滞后，仍有3项配套措施未出台。"),
    ("DC2026-2-05", I2, "06-18", "淄川区", "改革工作专班运行不规范，会议纪要等过程资料缺失",
     "规范专班运行，建立会议纪要和资料归档制度", "08-31", "已销账", "08-28", REVIEW_CLOSED),
    ("DC2026-2-06", I2, "06-18", "博山区委改革办", "产业链“链长制”改革推进缓慢，链上企业参与度不高",
     "完善链长制工作机制，建立链上企业常态化联系制度", "09-30", "已整改", "09-28", REVIEW_PENDING),
    ("DC2026-2-07", I2, "06-18", "博山区", "改革事项督办反馈不及时，2项任务逾期未报送进展",
     "建立督办事项限时反馈制度，逾期事项说明原因", "08-31", "未整改", None, ""),
    ("DC2026-2-08", I2, "06-18", "临淄区", "化工园区管理体制改革方案未按期出台",
     "9月底前出台改革方案并报市委改革办备案", "09-30", "已销账", "09-18", REVIEW_CLOSED),
    ("DC2026-2-09", I2, "06-18", "临淄区", "改革任务责任分工不够明确，部分事项存在推诿现象",
     "细化责任分工，明确牵头和配合单位职责", "08-31", "已销账", "08-14", REVIEW_CLOSED),
    ("DC2026-2-10", I2, "06-18", "高青县", "农村集体产权制度改革成果运用不充分，集体经济增收乏力",
     "制定集体经济发展壮大三年行动方案", "12-31", "整改中", None, ""),
    ("DC2026-2-11", I2, "06-18", "高青县委改革办", "改革台账与上级文件要求对应不准确",
     "对照上级文件逐项校核台账，做到任务、责任、时限一一对应", "08-31", "已销账", "08-25",
     REVIEW_CLOSED),
    ("DC2026-2-12", I2, "06-18", "淄博市行政审批服务局", "“证照分离”改革告知承诺事项事中事后监管衔接不畅",
     "建立审管联动信息推送机制，实现承诺事项监管闭环", "09-30", "已销账", "09-29", REVIEW_CLOSED),
    ("DC2026-2-13", I2, "06-18", "市行政审批服务局", "政务服务“好差评”差评整改反馈不及时",
     "差评事项3个工作日内核实整改并回访", "08-31", "已整改", "08-28", REVIEW_PENDING),
    ("DC2026-2-14", I2, "06-18", "市教育局", "教育评价改革配套制度不健全，学校评价指标仍偏重升学率",
     "修订中小学办学质量评价指标体系", "12-31", "整改中", None, ""),
    ("DC2026-2-15", I2, "06-18", "淄博市教育局", "集团化办学内部管理机制不完善，成员校协同不足",
     "制定教育集团章程和内部管理办法", "09-30", "整改中", None, "集团章程已起草，尚未印发。"),
    ("DC2026-2-16", I2, "06-18", "沂源县", "集体林权制度改革档案资料管理不规范",
     "完善林权档案管理制度，完成档案数字化", "09-30", "已销账", "09-18", REVIEW_CLOSED),

    ("DC2026-3-01", I3, "10-22", "周村区", "开发区“管委会+公司”改革中平台公司职能定位不清",
     "明确管委会与平台公司权责清单", "11-20", "整改中", None, ""),
    ("DC2026-3-02", I3, "10-22", "周村区", "改革任务进展月报报送质量不高，存在照抄上月内容现象",
     "规范月报内容，如实反映当月进展和存在问题", "11-27", "整改中", None, ""),
    ("DC2026-3-03", I3, "10-22", "周村区委改革办", "基层改革创新典型挖掘不足",
     "年底前挖掘报送基层改革典型案例不少于3个", "12-31", "未整改", None, ""),
    ("DC2026-3-04", I3, "10-22", "桓台县", "马踏湖流域治理体制机制改革部门协同不够",
     "建立流域治理联席会议制度", "11-28", "整改中", None, ""),
    ("DC2026-3-05", I3, "10-22", "桓台县", "农村集体经营性建设用地入市收益分配机制尚未建立",
     "出台入市收益分配指导意见", "2027-03-31", "未整改", None, ""),
    ("DC2026-3-06", I3, "10-22", "沂源县委改革办", "林权类不动产登记存量数据整合进度滞后",
     "11月20日前完成存量数据整合", "11-20", "未整改", None, ""),
    ("DC2026-3-07", I3, "10-22", "沂源县", "县域商业体系建设改革缺乏量化目标",
     "制定量化目标和年度推进计划", "12-31", "整改中", None, ""),
    ("DC2026-3-08", I3, "10-22", "张店区", "“一网统管”平台部门数据接入率偏低",
     "11月20日前部门数据接入率达到90%", "11-20", "已整改", "11-24",
     "整改已完成，超出整改时限4天，待复查。"),
    ("DC2026-3-09", I3, "10-22", "张店区", "营商环境创新试点评估机制尚未建立",
     "建立试点事项评估和动态调整机制", "12-31", "整改中", None, ""),
    ("DC2026-3-10", I3, "10-22", "高新区", "“标准地+承诺制”改革配套制度未出台",
     "出台承诺制监管和违约处置办法", "11-25", "整改中", None, ""),
    ("DC2026-3-11", I3, "10-22", "高新区党工委改革办", "数据要素市场化配置改革试点推进缓慢",
     "制定试点工作方案，明确阶段目标", "2027-01-31", "未整改", None, ""),
    ("DC2026-3-12", I3, "10-22", "淄博市自然资源和规划局", "自然资源资产清查成果质量核查未完成",
     "完成清查成果质量核查并报送", "11-20", "已整改", "11-18", REVIEW_PENDING),
    ("DC2026-3-13", I3, "10-22", "市自然资源规划局", "“标准地”出让前区域评估覆盖不全",
     "实现省级以上开发区区域评估全覆盖", "12-31", "整改中", None, ""),
    ("DC2026-3-14", I3, "10-22", "市卫生健康委", "紧密型县域医共体医保打包支付未落地",
     "会同医保部门制定打包支付实施细则", "12-31", "整改中", None, ""),
    ("DC2026-3-15", I3, "10-22", "淄博市卫生健康委员会", "医疗服务价格动态调整机制评估滞后",
     "完成年度价格调整评估", "11-16", "已销账", "11-12", REVIEW_CLOSED),
    ("DC2026-3-16", I3, "10-22", "淄川区", "陶瓷产业绿色低碳转型改革企业参与度不高",
     "建立企业改造清单，11月20日前全部开工", "11-20", "已整改", "12-01", ""),
    ("DC2026-3-17", I3, "10-22", "市财政局", "预算绩效评价结果与预算安排挂钩不紧",
     "建立评价结果与预算安排挂钩办法", "12-31", "整改中", None, ""),
    ("DC2026-3-18", I3, "10-22", "淄博市财政局", "零基预算改革试点部门范围偏窄",
     "扩大零基预算改革试点部门范围", "11-10", "已销账", "11-06", REVIEW_CLOSED),
    # found by the third round, added to the list later
    ("DC2026-3-19", I3, "11-10", "张店区", "城市更新项目审批仍存在多头审批、重复审查",
     "建立城市更新项目联合审查机制", "12-31", "未整改", None, ""),
    ("DC2026-3-20", I3, "11-10", "高新区", "企业投资项目承诺制承诺事项履约监管缺位",
     "建立承诺履约信用监管机制", "2027-01-31", "整改中", None, ""),
]
FINDING_HEADERS = ["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限",
                   "整改状态", "整改完成日期", "复查意见"]

# --------------------------------------------------------------------------- scores

INDICATORS = [("改革任务推进(40)", 40, "0.5"), ("督察整改(30)", 30, "0.25"),
              ("改革宣传(15)", 15, "0.1"), ("创新探索(15)", 15, "0.05")]
SCORE_HEADERS = ["单位"] + [h for h, _, _ in INDICATORS] + ["总分", "扣分说明"]

# November, written out: 周村区 and 桓台县 tie on 88.50 (ranks 3, 3, then 5).
NOVEMBER = {
    "张店区": ("37.5", "27.25", "14.2", "13.85"),
    "淄川区": ("34.5", "26", "12.9", "11.85"),
    "博山区": ("35", "25.5", "12.1", "11.4"),
    "周村区": ("35.5", "27.25", "13.2", "12.55"),
    "临淄区": ("37", "28", "13.6", "13.1"),
    "桓台县": ("36", "26.75", "12.8", "12.95"),
    "高青县": ("34", "26.25", "11.8", "11.05"),
    "沂源县": ("32.5", "25.25", "11.5", "10.6"),
    "高新区": ("35", "26.5", "12.4", "13.6"),
    "经济生态改革专项小组": ("36.5", "27.5", "13.4", "12.7"),
    "民主法制改革专项小组": ("35.5", "27", "12.6", "12.15"),
    "文化体制改革专项小组": ("34.5", "26.25", "13.8", "12.3"),
    "社会体制改革专项小组": ("35", "26.75", "12.2", "11.9"),
}
# Score level in January as a share of the maximum; each unit then moves towards its
# November level (a rising or falling trend).
JANUARY_LEVEL = {
    "张店区": 0.90, "淄川区": 0.88, "博山区": 0.80, "周村区": 0.82, "临淄区": 0.86,
    "桓台县": 0.89, "高青县": 0.81, "沂源县": 0.85, "高新区": 0.84,
    "经济生态改革专项小组": 0.86, "民主法制改革专项小组": 0.89,
    "文化体制改革专项小组": 0.83, "社会体制改革专项小组": 0.87,
}
MISSING = {"2026-07": {"高青县"}}   # the clerk's July sheet lacks 高青县
NEW_FROM = {"高新区": 9}            # 高新区 is ranked from September on


# 扣分说明 names the indicators that lost at least this many points, with a reason.
REMARKS = [("改革任务推进", 4, "任务进度滞后"), ("督察整改", 3, "问题整改不到位"),
           ("改革宣传", 3, "信息报送不足"), ("创新探索", 3, "创新举措偏少")]


def quantize(value: float, step: str, maximum: int) -> Decimal:
    step_d = Decimal(step)
    q = (Decimal(str(value)) / step_d).quantize(Decimal(1), ROUND_HALF_UP) * step_d
    return min(max(q, Decimal(0)), Decimal(maximum))


def remark(scores: list[Decimal]) -> str:
    parts = []
    for score, (_, maximum, _), (name, threshold, reason) in zip(scores, INDICATORS, REMARKS):
        lost = maximum - score
        if lost >= threshold:
            parts.append(f"{name}扣{format(lost.normalize(), 'f')}分（{reason}）")
    return "；".join(parts)


def score_rows(month: int, rng: random.Random) -> list[list]:
    ranked = [(name, short) for name, short, cat, *_ in UNITS if cat in ("区县", "专项小组")]
    rows = []
    for name, short in ranked:
        if month < NEW_FROM.get(short, 1) or short in MISSING.get(f"2026-{month:02d}", ()):
            continue
        if month == 11:
            scores = [Decimal(v) for v in NOVEMBER[short]]
        else:
            target = float(sum(Decimal(v) for v in NOVEMBER[short]) / 100)
            start = JANUARY_LEVEL[short]
            level = start + (target - start) * (month - 1) / 10
            scores = [quantize(maximum * min(level + rng.uniform(-0.04, 0.04), 0.985), step, maximum)
                      for _, maximum, step in INDICATORS]
        group = short.endswith("专项小组")
        # how the clerk wrote the unit: groups by full name until June, 张店区 by its
        # full name in November, everything else by the short name
        label = name if (group and month <= 6) or (short == "张店区" and month == 11) else short
        total = sum(scores, Decimal(0))
        rows.append([label, *(float(s) for s in scores), float(total), remark(scores) or None])
    return rows


# --------------------------------------------------------------------------- writing

def save_workbook(wb: Workbook, path: Path) -> None:
    """Save with fixed metadata and zip entry times, so the bytes never change."""
    wb.properties.creator = "淄博市委改革办"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    # ExcelWriter.write_data() leaves `modified` alone; the entry times are fixed here.
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def sheet(title: str, headers: list[str], rows: list[list], widths: dict[str, int]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, str):
                cell.number_format = "@"
    for col, header in enumerate(headers, start=1):
        letter = ws.cell(row=1, column=col).column_letter
        ws.column_dimensions[letter].width = widths.get(header, 12)
    ws.freeze_panes = "A2"
    return wb


def write_units(data: Path) -> None:
    rows = [[name, short, cat, contact, phone, order]
            for order, (name, short, cat, contact, phone) in enumerate(UNITS, start=1)]
    wb = sheet("单位名单", ["单位名称", "简称", "类别", "联系人", "联系电话", "排序"], rows,
               {"单位名称": 56, "简称": 22, "联系电话": 15, "排序": 6})
    save_workbook(wb, data / "units.xlsx")


def write_tasks(data: Path) -> None:
    rows = [[t[h] or None for h in TASK_HEADERS] for t in TASKS]
    wb = sheet("台账", TASK_HEADERS, rows,
               {"编号": 10, "改革事项": 50, "上级文件": 44, "上级文号": 22, "来源": 6,
                "牵头单位": 26, "配合单位": 30, "进展情况": 40, "备注": 40, "成果形式": 14})
    save_workbook(wb, data / "tasks.xlsx")


def write_history(data: Path) -> None:
    # Excel's "CSV UTF-8": a BOM and CRLF line ends
    with open(data / "history.csv", "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(["文号", "文种", "事项编号", "单位", "成文日期"])
        writer.writerows(history_rows())


def write_findings(data: Path) -> None:
    rows = [[fid, insp, d(day), unit, problem, req, d(due), status, done and d(done), review or None]
            for fid, insp, day, unit, problem, req, due, status, done, review in FINDINGS]
    wb = sheet("问题清单", FINDING_HEADERS, rows,
               {"编号": 13, "督察名称": 26, "责任单位": 24, "问题描述": 50, "整改要求": 44,
                "复查意见": 36})
    save_workbook(wb, data / "findings.xlsx")


def write_scores(data: Path) -> None:
    rng = random.Random(20261128)
    for month in range(1, 12):
        wb = sheet("评分", SCORE_HEADERS, score_rows(month, rng),
                   {"单位": 52, "改革任务推进(40)": 16, "督察整改(30)": 14, "改革宣传(15)": 14,
                    "创新探索(15)": 14, "总分": 10, "扣分说明": 56})
        ws = wb.active
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=6):
            for cell in row:
                cell.number_format = "0.00"
        save_workbook(wb, data / "scores" / f"2026-{month:02d}.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="data folder (default: data/)")
    data = parser.parse_args().out
    (data / "scores").mkdir(parents=True, exist_ok=True)
    write_units(data)
    write_tasks(data)
    write_history(data)
    write_findings(data)
    write_scores(data)
    print(f"wrote {data}: units.xlsx ({len(UNITS)}), tasks.xlsx ({len(TASKS)}), "
          f"history.csv ({len(history_rows())}), findings.xlsx ({len(FINDINGS)}), scores/2026-01..11.xlsx")


if __name__ == "__main__":
    main()
