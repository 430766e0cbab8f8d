"""Generate a large, realistic office for the benchmark (deterministic for a seed).

    .venv/bin/python bench/generate.py OUT_DIR [--units 60] [--tasks 2000] [--findings 600] [--cases 100]

Writes OUT_DIR/config.yaml and OUT_DIR/data/ (units, tasks, findings, history, 12 months of
scores, cases) in the formats of docs/data.md. As of 2026-11-28 about a quarter of the
tasks call for a slip, so the default sizes make roughly 500 documents.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

AS_OF = dt.date(2026, 11, 28)
PLACES = ["张店", "淄川", "博山", "周村", "临淄", "桓台", "高青", "沂源", "高新", "文昌湖", "经开", "齐鲁"]
DEPTS = ["发展和改革委员会", "财政局", "教育局", "自然资源和规划局", "行政审批服务局", "卫生健康委员会", "工业和信息化局",
         "农业农村局", "生态环境局", "住房和城乡建设局", "交通运输局", "商务局", "文化和旅游局", "人力资源和社会保障局",
         "市场监督管理局", "医疗保障局", "大数据局", "司法局", "民政局", "水利局"]
GROUPS = ["经济体制和生态文明体制改革", "民主法制领域改革", "文化体制改革", "社会体制改革", "党的建设制度改革", "纪律检查体制改革"]
TOPICS = ["深化“放管服”改革", "推进要素市场化配置", "深化国资国企改革", "完善社会信用体系", "推进医保支付方式改革",
          "深化教育评价改革", "推进生态产品价值实现", "健全基层治理体系", "深化农村集体产权制度改革", "优化营商环境",
          "推进数字政府建设", "深化投融资体制改革", "完善公共文化服务体系", "推进城市更新", "深化财政预算管理改革"]
INDICATORS = [("改革任务推进", 40), ("督察整改", 30), ("改革宣传", 15), ("创新探索", 15)]


def units(n: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(n):
        if i % 5 < 2:
            place = PLACES[i % len(PLACES)] + ("" if i < len(PLACES) * 2 else str(i))
            out.append((f"{place}区委改革办{i}", f"{place}{i}", "区县"))
        elif i % 5 < 4:
            dept = DEPTS[i % len(DEPTS)]
            out.append((f"淄博市{dept}{i}", f"市{dept[:4]}{i}", "市直部门"))
        else:
            group = GROUPS[i % len(GROUPS)]
            out.append((f"市委全面深化改革委员会{group}专项小组{i}", f"{group[:4]}小组{i}", "专项小组"))
    return out


def write(path: Path, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--findings", type=int, default=600)
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    data = a.out / "data"
    us = units(a.units)
    (a.out).mkdir(parents=True, exist_ok=True)
    (a.out / "config.yaml").write_text(
        "office:\n  name: 中共淄博市委全面深化改革委员会办公室\n  short: 淄博市委改革办\n  prefix: 淄改办\n"
        "  cc: [市委办公室, 市政府办公室]\n  contact: {name: 王明, phone: \"0533-1234567\"}\n"
        "cases:\n  categories: [营商环境, 民生改革, 生态文明, 基层治理]\n", encoding="utf-8")
    write(data / "units.csv", [["单位名称", "简称", "类别", "排序"]] + [[n, s, c, i + 1] for i, (n, s, c) in enumerate(us)])
    tasks = [["编号", "改革事项", "上级文件", "上级文号", "来源", "收到日期", "牵头单位", "配合单位", "交办日期", "完成时限", "状态", "完成日期", "进展情况"]]
    history = [["文号", "文种", "事项编号", "单位", "成文日期"]]
    counters = {"交": 0, "提": 0, "催": 0, "发": 0}

    def issue(series: str, kind: str, subject: str, unit: str, day: dt.date) -> None:
        counters[series] += 1
        history.append([f"淄改办{series}〔2026〕{counters[series]}号", kind, subject, unit, day.isoformat()])

    pending = []
    for i in range(1, a.tasks + 1):
        lead = rnd.choice(us)
        partners = "、".join(p[1] for p in rnd.sample(us, rnd.randint(0, 2)) if p != lead)
        tid = f"2026-{i:04d}"
        topic = f"{rnd.choice(TOPICS)}第{i}项重点任务"
        received = AS_OF - dt.timedelta(days=rnd.randint(-5, 300))
        roll = rnd.random()
        assigned = due = done = None
        status = "推进中"
        if roll < 0.08:  # received lately, not assigned: reminder
            status = "未启动"
        else:
            assigned = received + dt.timedelta(days=rnd.randint(3, 20))
            if assigned > AS_OF:
                assigned = AS_OF
            due = AS_OF + dt.timedelta(days=rnd.randint(-40, 200))
            if due < assigned:
                due = assigned + dt.timedelta(days=30)
            if rnd.random() < 0.25:
                status = "已完成"
                done = min(due, AS_OF) - dt.timedelta(days=rnd.randint(0, 5))
                done = max(done, assigned)
            if assigned < AS_OF - dt.timedelta(days=20) or rnd.random() < 0.9:
                pending.append((assigned, "交", "交办单", tid, lead[0]))
        tasks.append([tid, topic, f"关于{topic[:-7]}的实施意见", f"鲁办发〔2026〕{i % 90 + 1}号", rnd.choice(["中央", "省委", "市委"]),
                      received.isoformat(), lead[1], partners, assigned.isoformat() if assigned else "",
                      due.isoformat() if due else "", status, done.isoformat() if done else "", "正在推进"])
    for day, series, kind, tid, unit in sorted(pending):
        issue(series, kind, tid, unit, day)
    write(data / "tasks.csv", tasks)
    findings = [["编号", "督察名称", "督察日期", "责任单位", "问题描述", "整改要求", "整改时限", "整改状态", "整改完成日期"]]
    for i in range(1, a.findings + 1):
        rnd_unit = rnd.choice(us)
        round_no = 2 if i % 3 else 3
        inspected = dt.date(2026, 6, 18) if round_no == 2 else dt.date(2026, 10, 22)
        due = inspected + dt.timedelta(days=rnd.randint(20, 160))
        status = rnd.choice(["未整改", "整改中", "整改中", "已整改", "已销账"])
        done = (inspected + dt.timedelta(days=rnd.randint(5, 120))).isoformat() if status in ("已整改", "已销账") else ""
        findings.append([f"DC2026-{round_no}-{i:03d}", f"2026年第{'二' if round_no == 2 else '三'}轮改革专项督察", inspected.isoformat(),
                         rnd_unit[1], f"{rnd.choice(TOPICS)}推进不够有力，部分举措落实滞后（问题{i}）",
                         "制定整改方案，明确责任人和时限，按期完成整改", due.isoformat(), status, done])
    write(data / "findings.csv", findings)
    write(data / "history.csv", history)
    ranked = [u for u in us if u[2] in ("区县", "专项小组")]
    for month in range(1, 12):
        rows = [["单位"] + [f"{n}({m})" for n, m in INDICATORS] + ["总分"]]
        for u in ranked:
            scores = [round(rnd.uniform(m * 0.7, m), 2) for _, m in INDICATORS]
            rows.append([u[1]] + [f"{s:.2f}" for s in scores] + [f"{sum(round(s * 100) for s in scores) / 100:.2f}"])
        write(data / "scores" / f"2026-{month:02d}.csv", rows)
    cases = data / "cases" / "2026"
    cases.mkdir(parents=True, exist_ok=True)
    categories = ["营商环境", "民生改革", "生态文明", "基层治理"]
    for i in range(1, a.cases + 1):
        u = rnd.choice(us)
        body = "\n\n".join(f"{rnd.choice(TOPICS)}是全面深化改革的重要内容。" * rnd.randint(4, 9) for _ in range(rnd.randint(3, 6)))
        (cases / f"案例{i:03d}.md").write_text(
            f"---\n标题: {u[1]}{rnd.choice(TOPICS)}的探索与实践（{i}）\n单位: {u[0]}\n类别: {categories[i % 4]}\n排序: {i}\n---\n\n"
            f"## 一、基本情况\n\n{body}\n\n## 二、主要做法\n\n### （一）强化统筹\n\n{body}\n\n## 三、取得成效\n\n{body}\n",
            encoding="utf-8")
    print(f"wrote {a.out}: {len(us)} units, {a.tasks} tasks, {a.findings} findings, 11 months of scores, {a.cases} cases")


if __name__ == "__main__":
    main()
