"""The workbench below the page, in-process (no browser, no LibreOffice): every view and the guard."""

from __future__ import annotations

import io
import json

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient

from conftest import copy_sample, run_in
from pipeline.register.store import open_register
from pipeline.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-28"


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    project = copy_sample(tmp_path / "office")
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def client(office):
    with TestClient(create_app(office / "config.yaml"), base_url="http://127.0.0.1:8750") as c:
        yield c


def xlsx_bytes(path: Path, edit=None) -> bytes:
    wb = openpyxl.load_workbook(path)
    if edit:
        edit(wb.active)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def broken_tasks(ws) -> None:
    ws.cell(row=7, column=10, value="2026-13-40")  # 完成时限
    ws.cell(row=9, column=7, value="周村")  # 牵头单位


def test_month_page_says_the_data_is_right_and_why_each_document(client):
    page = client.get("/", params={"month": "2026-11", "as_of": AS_OF})
    assert page.status_code == 200 and "charset=utf-8" in page.headers["content-type"]
    assert "数据无误" in page.text
    assert "将生成 25 份文件" in page.text
    assert "完成时限 2026年11月18日，已逾期10天；11月13日已催办满15天 → 责令书" in page.text
    assert "淄改办" in page.text  # the previewed numbers
    # every data file with its time
    for name in ("units.xlsx", "tasks.xlsx", "findings.xlsx", "history.csv", "2026-11.xlsx"):
        assert name in page.text


def test_month_page_lists_every_problem_located(client, office):
    (office / "data" / "tasks.xlsx").write_bytes(xlsx_bytes(office / "data" / "tasks.xlsx", broken_tasks))
    page = client.get("/", params={"as_of": AS_OF})
    assert "数据有问题" in page.text
    rows = re.findall(r"<tr><td>data/tasks.xlsx</td><td>(.*?)</td><td class=\"num\">(\d+)</td><td>(.*?)</td>", page.text)
    assert ("台账", "7", "完成时限") in rows and ("台账", "9", "牵头单位") in rows


def upload(client, slot: str, name: str, content: bytes, csrf: str | None, **fields):
    data = {"slot": slot, "month": "2026-11", **fields}
    if csrf is not None:
        data["csrf_token"] = csrf
    return client.post("/data/upload", data=data, files={"file": (name, content)})


def test_a_broken_upload_shows_its_problems_and_keeps_the_old_file(client, office):
    tasks = office / "data" / "tasks.xlsx"
    before = tasks.read_bytes()
    csrf = token(client.get("/data").text)
    answer = upload(client, "tasks", "任务台账（新）.xlsx", xlsx_bytes(tasks, broken_tasks), csrf)
    assert answer.status_code == 422
    assert "没有替换，原文件保留不变" in answer.text
    assert re.search(r"<td>data/tasks.xlsx</td><td>台账</td><td class=\"num\">7</td><td>完成时限</td><td>.*2026-13-40", answer.text)
    assert tasks.read_bytes() == before
    assert not (office / "data" / ".backup").exists()
    assert sorted(p.name for p in (office / "data").iterdir() if p.name.startswith(".")) == []


def test_a_good_upload_replaces_the_file_and_keeps_a_backup(client, office):
    tasks = office / "data" / "tasks.xlsx"
    before = tasks.read_bytes()
    csrf = token(client.get("/data").text)
    new = xlsx_bytes(tasks, lambda ws: ws.cell(row=2, column=13, value="本月新增场景3个"))
    answer = upload(client, "tasks", "whatever.csv.xlsx", new, csrf)
    assert answer.status_code == 200 and "已更新" in answer.text, answer.text
    assert tasks.read_bytes() == new
    [backup] = (office / "data" / ".backup").glob("*/tasks.xlsx")
    assert backup.read_bytes() == before
    # the readers still read the office (the backup folder is not mistaken for data)
    assert run_in(office, "check", "--as-of", AS_OF).exit_code == 0


def test_a_csv_upload_replaces_the_xlsx(client, office):
    """An office that switches a table to CSV: the .xlsx goes to the backup, the readers see one file."""
    ws = openpyxl.load_workbook(office / "data" / "units.xlsx").active
    lines = [",".join("" if v is None else str(v) for v in row) for row in ws.iter_rows(values_only=True)]
    csrf = token(client.get("/data").text)
    answer = upload(client, "units", "units.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"), csrf)
    assert answer.status_code == 200, answer.text
    assert (office / "data" / "units.csv").exists() and not (office / "data" / "units.xlsx").exists()
    assert list((office / "data" / ".backup").glob("*/units.xlsx"))


@pytest.mark.parametrize("name,status,message", [
    ("tasks.exe", 400, "只接受"), ("tasks.xls", 400, "只接受"),
    ("../../config.yaml", 422, "没有替换"),  # a YAML table in the tasks' place, never a path
])
def test_uploads_only_of_the_types_asked_for(client, office, name, status, message):
    before = (office / "data" / "tasks.xlsx").read_bytes()
    config = (office / "config.yaml").read_bytes()
    answer = upload(client, "tasks", name, b"MZ\x00\x00", token(client.get("/data").text))
    assert answer.status_code == status and message in answer.text
    assert (office / "data" / "tasks.xlsx").read_bytes() == before
    assert (office / "config.yaml").read_bytes() == config
    assert sorted(p.name for p in (office / "data").iterdir()) == sorted(p.name for p in (ROOT / "data").iterdir()
                                                                         if p.name not in ("README.md", "register.sqlite"))


def test_an_unknown_slot_never_becomes_a_path(client, office):
    answer = upload(client, "../config", "x.yaml", b"office: {}\n", token(client.get("/data").text))
    assert answer.status_code == 400 and "不认识的数据文件" in answer.text
    assert "淄博" in (office / "config.yaml").read_text(encoding="utf-8")


def test_an_oversized_upload_is_refused_with_a_message(client, office):
    before = (office / "data" / "tasks.xlsx").read_bytes()
    csrf = token(client.get("/data").text)
    answer = upload(client, "tasks", "tasks.xlsx", b"0" * (21 * 1024 * 1024), csrf)
    assert answer.status_code == 413 and "超过 20 MB" in answer.text
    assert (office / "data" / "tasks.xlsx").read_bytes() == before


def test_a_post_without_its_token_changes_nothing(client, office):
    run_in(office, "-q", "monthly", "--as-of", AS_OF, "--no-pdf")
    register = office / "data" / "register.sqlite"
    before = register.read_bytes()
    tasks = (office / "data" / "tasks.xlsx").read_bytes()
    number = run_in(office, "register", "list").output.split("\t")[0]
    for answer in (
        client.post("/register/void", data={"doc_no": number, "reason": "测试"}),
        client.post("/register/void", data={"doc_no": number, "reason": "测试", "csrf_token": "forged"}),
        upload(client, "tasks", "tasks.xlsx", xlsx_bytes(office / "data" / "tasks.xlsx"), None),
        client.post("/run", data={"month": "2026-11", "as_of": AS_OF}),
    ):
        assert answer.status_code == 403 and "CSRF" in answer.text
    assert register.read_bytes() == before
    assert (office / "data" / "tasks.xlsx").read_bytes() == tasks
    assert client.get("/run/state").status_code == 286  # no run was started


def test_void_a_number(client, office):
    run_in(office, "-q", "monthly", "--as-of", AS_OF, "--no-pdf")
    page = client.get("/register")
    number = re.search(r'data-doc-no="([^"]+)"', page.text).group(1)
    answer = client.post("/register/void", data={"doc_no": number, "reason": "录入错误", "csrf_token": token(page.text)})
    assert answer.status_code == 200 and f"{number} 已作废：录入错误" in answer.text
    listed = run_in(office, "register", "list").output
    assert f"{number}\t" in listed and "作废：录入错误" in listed
    again = client.post("/register/void", data={"doc_no": number, "reason": "again", "csrf_token": token(page.text)})
    assert again.status_code == 422 and "already void" in again.text
    filtered = client.get("/register", params={"state": "void"})
    assert filtered.text.count('class="entry void"') == 1


@pytest.fixture
def made(office):
    """A month made without PDF (the register, DOCX, sheets, manifest), for the file routes."""
    assert run_in(office, "-q", "monthly", "--as-of", AS_OF, "--no-pdf").exit_code == 0
    return json.loads((office / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))


def test_downloads_only_what_the_manifest_lists(client, office, made):
    first = made["documents"][0]["docx"]
    ok = client.get(f"/download/2026-11/{first}")
    assert ok.status_code == 200 and ok.content[:2] == b"PK"
    assert client.get("/download/2026-11/用印登记表.xlsx").status_code == 200
    (office / "out" / "2026-11" / "docx" / "stray.docx").write_bytes(b"PK")
    (office / "secret.txt").write_text("x")
    for bad in ("/download/2026-11/docx/stray.docx", "/download/2026-11/../config.yaml",
                "/download/2026-11/%2e%2e/%2e%2e/config.yaml", "/download/2026-11/..%2f..%2fconfig.yaml",
                "/download/2026-11//etc/passwd", "/download/2026-11/%2fetc%2fpasswd", "/download/../config.yaml",
                "/download/..%2f/config.yaml", "/download/2026-11/docx/../../../secret.txt",
                "/download/.2026-11/manifest.json", "/data/file/..%2fconfig.yaml", "/data/file/../config.yaml",
                "/preview/2026-11/docx/stray.docx", "/out/2026-11/pages/..%2f..%2fconfig.yaml", "/zip/%2e%2e", "/zip/.2026-11",
                "/templates/file/..%2f..%2fconfig"):
        answer = client.get(bad)
        assert answer.status_code == 404, bad


def test_the_zip_holds_every_listed_file(client, made):
    answer = client.get("/zip/2026-11")
    assert answer.status_code == 200
    names = set(zipfile.ZipFile(io.BytesIO(answer.content)).namelist())
    assert {f"2026-11/{d['docx']}" for d in made["documents"]} <= names
    assert {"2026-11/manifest.json", "2026-11/用印登记表.xlsx", "2026-11/整改台账.xlsx", "2026-11/排名表.xlsx"} <= names


def test_only_loopback_host_names_are_served(client):
    assert client.get("/", headers={"host": "evil.example:8750"}).status_code == 400
    assert client.get("/data", headers={"host": "localhost:8750"}).status_code == 200


def test_with_a_password_every_page_needs_the_login(office):
    app = create_app(office / "config.yaml", password="s3cret-口令", loopback_only=False)
    with TestClient(app, base_url="http://192.0.2.7:8750", follow_redirects=False) as c:
        for path in ("/", "/data", "/run", "/register", "/dispatch", "/templates", "/cases", "/periodic", "/run/events",
                     "/download/2026-11/manifest.json", "/zip/2026-11", "/data/file/tasks"):
            answer = c.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/login", path
        assert c.post("/register/void", data={"doc_no": "x", "reason": "y"}).status_code == 403
        login = c.get("/login")
        assert login.status_code == 200
        wrong = c.post("/login", data={"password": "guess", "csrf_token": token(login.text)})
        assert wrong.status_code == 401 and "密码不对" in wrong.text and "mn_session" not in wrong.headers.get("set-cookie", "")
        right = c.post("/login", data={"password": "s3cret-口令", "csrf_token": token(login.text)})
        assert right.status_code == 303
        cookie = right.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/").status_code == 200
        # the login's token does not carry over to the session's forms
        page = c.get("/register")
        assert token(page.text) != token(login.text)
        c.post("/logout", data={"csrf_token": token(page.text)})
        assert c.get("/").status_code == 303


def test_failed_logins_are_slowed(office):
    app = create_app(office / "config.yaml", password="right", loopback_only=False)
    with TestClient(app, base_url="http://192.0.2.7:8750") as c:
        csrf = token(c.get("/login").text)
        waits = []
        for _ in range(3):
            start = time.monotonic()
            c.post("/login", data={"password": "wrong", "csrf_token": csrf})
            waits.append(time.monotonic() - start)
        assert app.state.site.sessions.failures == 3
        assert waits[2] > waits[0]  # each failure waits longer than the one before (0.5 s, 1 s, 2 s)


def test_serve_refuses_other_addresses_without_a_password(office, monkeypatch):
    monkeypatch.delenv("MAKE_NOTICES_PASSWORD", raising=False)
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        result = run_in(office, "serve", "--host", host, "--port", "1")
        assert result.exit_code == 2
        assert "MAKE_NOTICES_PASSWORD" in result.output


def test_templates_page_refuses_a_broken_template_and_takes_a_good_one(client, office):
    from test_templates import DEFAULTS, edit

    page = client.get("/templates")
    assert "模板检查：全部无误" in page.text
    broken = edit(DEFAULTS / "urging.docx", office / "scratch" / "urging.docx", "{{ unit.name }}：", "{{ unit.nmae }}：")
    answer = client.post("/templates/upload", data={"kind": "urging", "csrf_token": token(page.text)},
                         files={"file": ("催办单.docx", broken.read_bytes())})
    assert answer.status_code == 422 and "没有采用" in answer.text
    assert "“nmae” is not offered here (did you mean name?)" in answer.text
    assert not (office / "templates").exists()
    good = edit(DEFAULTS / "urging.docx", office / "scratch" / "urging2.docx", "{{ unit.name }}：", "{{ unit.name }}同志：")
    answer = client.post("/templates/upload", data={"kind": "urging", "csrf_token": token(page.text)},
                         files={"file": ("催办单.docx", good.read_bytes())})
    assert answer.status_code == 200 and "已检查无误" in answer.text
    assert (office / "templates" / "docx" / "urging.docx").read_bytes() == good.read_bytes()
    assert run_in(office, "templates", "check").exit_code == 0


def test_record_receipts_one_by_one_and_from_a_sheet(client, office):
    from pipeline.web.views.register import loop_module

    if loop_module("receipts") is None:
        pytest.skip("pipeline.loop.receipts is not there yet")
    run_in(office, "-q", "monthly", "--as-of", AS_OF, "--no-pdf")
    page = client.get("/register", params={"kind": "urging"})
    first, second = re.findall(r'class="entry issued" data-doc-no="([^"]+)"', page.text)[-2:]
    answer = client.post("/register/receipt", data={"numbers": first, "what": "receive", "date": "2026-11-29",
                                                    "by": "李华", "csrf_token": token(page.text)})
    assert answer.status_code == 200 and f"已记录签收：{first}" in answer.text, answer.text
    entries = {e.doc_no: e for e in open_register(office / "data" / "register.sqlite").entries()}
    assert entries[first].reply_by  # an urging asks for a reply by a date
    assert cells(answer.text, first) == (str(entries[first].reply_by), "2026-11-29", "李华", "")
    # a reply dated before the document is refused, located, and nothing recorded
    bad = client.post("/register/receipt", data={"numbers": second, "what": "reply", "date": "2026-01-02",
                                                 "csrf_token": token(page.text)})
    assert bad.status_code == 422 and second in bad.text
    sheet = "文号,签收日期,签收人,反馈日期\n" + f"{second},2026-11-29,王强,2026-11-30\n"
    answer = client.post("/register/receipt", data={"what": "import", "csrf_token": token(page.text)},
                         files={"file": ("回执.csv", sheet.encode("utf-8"))})
    assert answer.status_code == 200 and f"已记录签收/反馈：{second}" in answer.text, answer.text
    assert cells(answer.text, second) == (str(entries[second].reply_by), "2026-11-29", "王强", "2026-11-30")
    # the page's columns are the register's, as `register list` prints them
    listed = {line.split("\t")[0]: line for line in run_in(office, "register", "list").output.splitlines()}
    assert f"反馈时限 {entries[first].reply_by}\t签收 2026-11-29 李华\t反馈 -" in listed[first]
    assert f"反馈时限 {entries[second].reply_by}\t签收 2026-11-29 王强\t反馈 2026-11-30" in listed[second]


def cells(html: str, doc_no: str) -> tuple[str, str, str, str]:
    """反馈时限, 签收日期, 签收人, 反馈日期 of a number's row in the 文号 table."""
    row = re.search(rf'data-doc-no="{re.escape(doc_no)}">(.*?)</tr>', html, re.S).group(1)
    return tuple(re.search(rf'<td class="{name}[^"]*">(.*?)</td>', row, re.S).group(1)
                 for name in ("reply-by", "received", "received-by", "replied"))


def test_loop_pages_say_when_their_part_is_not_there(client):
    from pipeline.web.views.register import loop_module

    if loop_module("dispatch") is None:
        assert "该功能尚未提供" in client.get("/dispatch").text
    if loop_module("receipts") is None:
        assert "该功能尚未提供" in client.get("/register").text


@pytest.fixture
def docx_only(office):
    """The sample office without PDF, so a run through the page needs no LibreOffice."""
    config = office / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\npdf:\n  enabled: false\n", encoding="utf-8")
    return office


def test_a_run_from_the_page_matches_the_command_line(docx_only, tmp_path):
    with TestClient(create_app(docx_only / "config.yaml"), base_url="http://127.0.0.1:8750") as c:
        csrf = token(c.get("/run").text)
        started = c.post("/run", data={"month": "2026-11", "as_of": AS_OF, "csrf_token": csrf}, follow_redirects=False)
        assert started.status_code == 303
        events = c.get("/run/events").text  # streams until the run ends
        assert "event: state" in events and events.rstrip().endswith("data: end")
        state = c.get("/run/state")
        assert state.status_code == 286 and 'data-status="done"' in state.text
        manifest = json.loads((docx_only / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
        listed = re.findall(r'class="nowrap doc-no">([^<]+)<', state.text)
        assert listed == [d["doc_no"] for d in manifest["documents"]]
        # a second click while nothing runs starts again; the same numbers come back
        c.post("/run", data={"month": "2026-11", "as_of": AS_OF, "csrf_token": csrf})
        c.get("/run/events")
        again = json.loads((docx_only / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
        assert [d["doc_no"] for d in again["documents"]] == [d["doc_no"] for d in manifest["documents"]]
    # the command line, on a copy made the same way, gives the same numbers and files
    cli = copy_sample(tmp_path / "cli")
    assert run_in(cli, "-q", "monthly", "--as-of", AS_OF, "--no-pdf").exit_code == 0
    from_cli = json.loads((cli / "out" / "2026-11" / "manifest.json").read_text(encoding="utf-8"))
    assert [(d["doc_no"], d["docx"]) for d in from_cli["documents"]] == [(d["doc_no"], d["docx"]) for d in manifest["documents"]]


def test_one_run_at_a_time(docx_only):
    import threading

    app = create_app(docx_only / "config.yaml")
    runner = app.state.site.runner
    release = threading.Event()
    from pipeline.web.runner import RunState
    import datetime as dt

    assert runner.start(RunState("monthly", "2026-11", dt.date(2026, 11, 28)), lambda progress: release.wait(30))
    with TestClient(app, base_url="http://127.0.0.1:8750") as c:
        csrf = token(c.get("/run").text)
        second = c.post("/run", data={"month": "2026-11", "as_of": AS_OF, "csrf_token": csrf})
        assert "已有一次生成正在进行" in second.text
        assert 'id="run-bar"' in second.text and "sse-connect" in second.text
        assert not (docx_only / "out").exists()
        release.set()


def test_a_failed_run_shows_the_command_lines_message(docx_only):
    (docx_only / "data" / "tasks.xlsx").write_bytes(xlsx_bytes(docx_only / "data" / "tasks.xlsx", broken_tasks))
    cli = run_in(docx_only, "monthly", "--as-of", AS_OF)
    with TestClient(create_app(docx_only / "config.yaml"), base_url="http://127.0.0.1:8750") as c:
        c.post("/run", data={"month": "2026-11", "as_of": AS_OF, "csrf_token": token(c.get("/run").text)})
        c.get("/run/events")
        state = c.get("/run/state").text
    assert 'data-status="failed"' in state
    for line in cli.output.strip().splitlines():
        assert line.strip().replace('"', "&#34;") in state
    assert not (docx_only / "out").exists() and not (docx_only / "data" / "register.sqlite").exists()


def test_check_verbose_prints_the_reasons(office):
    result = run_in(office, "-v", "check", "--as-of", AS_OF)
    assert "责令书  张店区委改革办  2026-026：完成时限 2026年11月18日，已逾期10天；11月13日已催办满15天 → 责令书" in result.output


def test_the_pipeline_never_imports_the_web():
    for path in (ROOT / "pipeline").rglob("*.py"):
        if "web" in path.relative_to(ROOT / "pipeline").parts:
            continue
        text = path.read_text(encoding="utf-8")
        imports = [line for line in text.splitlines() if re.match(r"\s*(from|import) .*\bweb\b", line)]
        allowed = path.name == "cli.py" and imports == ["    from .web.app import serve as run_server"]
        assert not imports or allowed, (path, imports)
        assert "starlette" not in text or "web" in path.parts, path





# --------------------------------------------------------------------------- 季度与年度 (/periodic)

def test_the_periodic_page_shows_its_three_forms_and_the_months_proposals(client):
    page = client.get("/periodic", params={"month": "2026-11", "as_of": "2026-11-30", "quarter": "2026-Q4"})
    assert page.status_code == 200
    assert '<a href="/periodic" class="here">季度与年度</a>' in page.text
    for action in ("/periodic/quarterly", "/periodic/interview", "/periodic/tasklist"):
        assert f'<form method="post" action="{action}"' in page.text
    assert '<option value="2026-Q4" selected>2026年第四季度（2026-Q4）</option>' in page.text
    # the 约谈建议 as `make-notices interview --dry-run` finds them, with the number it would take
    row = re.search(r'<table class="plan" id="proposals">.*?<tbody>\s*<tr>(.*?)</tr>', page.text, re.S).group(1)
    assert "社会体制改革专项小组" in row and "淄改办发〔2026〕" in row
    assert "连续2个月专项小组排名末位：2026年10月第4名（共4个）、2026年11月第4名（共4个）" in row


def test_periodic_posts_without_their_token_are_refused(client, office):
    for path, data in (("/periodic/quarterly", {"quarter": "2026-Q4", "quarter_as_of": "2026-11-30"}),
                       ("/periodic/interview", {"month": "2026-11", "as_of": "2026-11-30"}),
                       ("/periodic/tasklist", {"year": "2026", "date": "2026-11-30", "csrf_token": "forged"})):
        answer = client.post(path, data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text, path
    assert client.get("/run/state").status_code == 286  # no run was started
    assert not (office / "out").exists() and not (office / "data" / "register.sqlite").exists()


def test_bad_periodic_input_is_a_message_on_the_page(client, office):
    csrf = token(client.get("/periodic").text)
    for path, data, message in (
        ("/periodic/quarterly", {"quarter": "2026-Q7"}, "季度：&#34;2026-Q7&#34; is not a quarter (use 2026-Q4)"),
        ("/periodic/quarterly", {"quarter": "2026-Q4", "quarter_as_of": "2026-11-31"}, "通报日期："),
        ("/periodic/interview", {"month": "2026-13", "as_of": "2026-11-30"}, "&#34;2026-13&#34; is not a month"),
        ("/periodic/tasklist", {"year": "二〇二七"}, "年份：&#34;二〇二七&#34; 不是年份"),
    ):
        answer = client.post(path, data={**data, "csrf_token": csrf})
        assert answer.status_code == 400 and message in answer.text, (path, data)
        assert '<pre class="bad failure">' in answer.text
    assert client.get("/run/state").status_code == 286  # nothing started
    assert not (office / "out").exists() and not (office / "data" / "register.sqlite").exists()


def manifest_docs(folder: Path) -> list[tuple[str, str]]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [(d["doc_no"], d["docx"]) for d in manifest["documents"]]


def test_the_three_periodic_runs_from_the_page_match_the_command_line(docx_only, tmp_path):
    """季度通报, 约谈通知, 年度任务分工 started on the page (PDFs off): each makes the folder the command
    makes, with the same numbers and files, and the page then lists its documents."""
    runs = [("/periodic/quarterly", {"quarter": "2026-Q4", "quarter_as_of": "2026-11-30"}, "2026-Q4",
             ("quarterly", "--quarter", "2026-Q4", "--as-of", "2026-11-30")),
            ("/periodic/interview", {"month": "2026-11", "as_of": "2026-11-30"}, "2026-11-interview",
             ("interview", "--month", "2026-11", "--as-of", "2026-11-30")),
            ("/periodic/tasklist", {"year": "2027", "date": "2026-12-20"}, "tasklist-2027",
             ("tasklist", "--year", "2027", "--date", "2026-12-20"))]
    with TestClient(create_app(docx_only / "config.yaml"), base_url="http://127.0.0.1:8750") as c:
        for path, data, label, _ in runs:
            csrf = token(c.get("/periodic").text)
            started = c.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)
            assert started.status_code == 303, started.text
            c.get("/run/events")  # streams until the run ends
            state = c.get("/run/state")
            assert 'data-status="done"' in state.text, state.text
            docs = manifest_docs(docx_only / "out" / label)
            assert docs and all((docx_only / "out" / label / docx).is_file() for _, docx in docs)
            page = c.get(started.headers["location"])
            section = re.search(rf'<section class="periodic" id="{path.rsplit("/", 1)[1]}">(.*?)</section>', page.text, re.S).group(1)
            assert re.findall(r'class="nowrap doc-no">([^<]+)<', section) == [n for n, _ in docs], section
            assert f'href="/download/{label}/{docs[0][1]}"' in section
            assert c.get(f"/download/{label}/{docs[0][1]}").status_code == 200
        # once made, the month's unit has had its notice: nothing more is proposed
        assert 'id="no-proposals"' in c.get("/periodic", params={"month": "2026-11", "as_of": "2026-11-30"}).text
        # a later visit shows each folder as it is
        page = c.get("/periodic", params={"quarter": "2026-Q4", "year": "2027", "month": "2026-11", "as_of": "2026-11-30"})
        for _, _, label, _ in runs:
            assert f'href="/zip/{label}"' in page.text
    # the command line, on a copy made the same way, gives the same numbers and files
    cli = copy_sample(tmp_path / "cli")
    for _, _, label, args in runs:
        assert run_in(cli, "-q", *args, "--no-pdf").exit_code == 0
        assert manifest_docs(cli / "out" / label) == manifest_docs(docx_only / "out" / label)


def test_periodic_runs_one_at_a_time(docx_only):
    import datetime as dt
    import threading

    from pipeline.web.runner import RunState

    app = create_app(docx_only / "config.yaml")
    release = threading.Event()
    assert app.state.site.runner.start(RunState("quarterly", "2026-Q4", dt.date(2026, 11, 30)), lambda progress: release.wait(30))
    try:
        with TestClient(app, base_url="http://127.0.0.1:8750") as c:
            csrf = token(c.get("/periodic").text)
            for path, data in (("/periodic/tasklist", {"year": "2027"}), ("/periodic/interview", {"month": "2026-11"})):
                second = c.post(path, data={**data, "csrf_token": csrf})
                assert "已有一次生成正在进行" in second.text
            section = re.search(r'<section class="periodic" id="quarterly">(.*?)</section>', second.text, re.S).group(1)
            assert 'id="run-bar"' in section and "sse-connect" in section
            assert not (docx_only / "out").exists()
    finally:
        release.set()
