"""A real headless Chromium (Debian's, driven by Playwright) logs in, filters findings, opens one,
marks it a false positive with a reason, reloads and sees the new status; the finding page is kept
as a screenshot in test-artifacts/web/ (or $ORGWATCH_TEST_ARTIFACTS)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.web.conftest import MASKED_ID, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: read at import, before the autouse fixture clears ORGWATCH_* variables
ARTIFACTS = Path(os.environ.get("ORGWATCH_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "web"
WAIT_MS = 15_000


@pytest.fixture()
def live_server(app):
    """The app served by uvicorn in a thread on 127.0.0.1, port chosen by the system."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started or not thread.is_alive():
            break
        threading.Event().wait(0.02)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def browser_page():
    require(CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.errors, page.foreign = [], []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)

        def local_only(route) -> None:
            if route.request.url.startswith("http://127.0.0.1:"):
                route.continue_()
            else:
                page.foreign.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        yield page
        browser.close()


def test_reviewer_marks_a_false_positive_and_sees_it_after_reload(live_server, browser_page, world) -> None:
    from playwright.sync_api import expect

    page, finding_id = browser_page, world.findings["kangning_id"]
    page.goto(live_server + "/findings")
    expect(page).to_have_url(live_server + "/login?next=%2Ffindings")
    page.get_by_label("用户名").fill("reviewer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="问题列表")).to_be_visible()
    table = page.locator("#findings-table tbody")
    expect(table.locator("tr")).to_have_count(len(world.findings))

    # htmx swaps only the table and puts the filter into the URL
    page.get_by_label("类别").select_option(label="身份证号")
    expect(page).to_have_url(f"{live_server}/findings?category=pii_id")
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("云川市康宁社会工作服务中心")
    # typing in the search box filters as you type (no button press), the other filters kept
    page.get_by_label("类别").select_option(label="全部类别")
    expect(table.locator("tr")).to_have_count(len(world.findings))
    page.get_by_label("搜索").fill("助餐补贴")
    expect(page).to_have_url(f"{live_server}/findings?q=%E5%8A%A9%E9%A4%90%E8%A1%A5%E8%B4%B4")
    expect(table.locator("tr")).to_have_count(1)

    page.get_by_role("link", name=f"#{finding_id}").click()
    expect(page).to_have_url(f"{live_server}/findings/{finding_id}")
    expect(page.locator("#status")).to_have_text("待处理")
    expect(page.locator("mark#evidence")).to_contain_text(MASKED_ID)

    page.get_by_label("误报理由（必填）").fill("名单为演示数据，号码不是真实身份证号")
    page.get_by_role("button", name="标记误报").click()
    expect(page.locator("#status")).to_have_text("误报")

    page.reload()
    expect(page.locator("#status")).to_have_text("误报")
    expect(page.locator("#history")).to_contain_text("名单为演示数据，号码不是真实身份证号")
    expect(page.locator("#history")).to_contain_text("reviewer")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "finding-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.errors == []
    assert page.foreign == []
