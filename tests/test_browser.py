"""The built sample in a real headless Chromium (Debian's) at phone width, 360×740.

Screenshots of every page kind are kept in tests/artifacts/ for people to look at.
"""

import functools
import http.server
import shutil
import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
# As the machine's notes advise: no background traffic from Chromium itself.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]

PAGES = {
    "home": "",
    "township": "t/yangmiao/",
    "village": "v/beixishang/",
    "year": "v/beixishang/2024/",
    "finance": "v/beixishang/2024/finance-2024q3/",
    "group-finance": "v/beixishang/2024/finance-2024q3-g3/",
    "monthly-finance": "v/lucun/2024/finance-2024-07/",
    "resolution": "v/beixishang/2024/resolution-2024-dashahe/",
    "failed-resolution": "v/lucun/2024/resolution-2024-pond/",
    "outcome": "v/beixishang/2024/outcome-2024-dashahe/",
    "commitments": "v/shaqiupu/2024/commitments-2024/",
    "progress": "v/beixishang/2024/progress-2024-07-08/",
    "review": "v/shaqiupu/2024/review-2024-12-23/",
    "search": "search/?q=保洁",
    "help": "help/",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(sample_site):
    site, _ = sample_site
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    assert shutil.which("chromium"), "Debian's chromium is missing: run bash scripts/setup.sh"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def requests_seen():
    return []


@pytest.fixture
def page(browser, requests_seen):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    tab = context.new_page()
    tab.on("request", lambda request: requests_seen.append(request.url))
    # Anything for another host is refused, and recorded above so the test below fails.
    tab.route(lambda url: urlparse(url).hostname not in ("127.0.0.1",), lambda route: route.abort())
    yield tab
    context.close()


def test_home_to_township_to_village_to_finance_notice(page, server, artifacts):
    page.goto(server)
    page.get_by_role("link", name="示范区阳庙镇").click()
    assert page.locator("h1").inner_text() == "阳庙镇村务公开"
    page.get_by_role("link", name="北西尚村", exact=True).first.click()
    assert page.locator("h1").inner_text() == "北西尚村村务公开"
    page.get_by_role("link", name="北西尚村2024年第三季度财务收支公开").click()
    assert page.locator("article h1").inner_text() == "北西尚村2024年第三季度财务收支公开"
    summary = page.locator(".summary-table").inner_text()
    for label in ("期初余额", "本期收入", "本期支出", "期末余额"):
        assert label in summary
    assert "贰万叁仟陆佰元整" in summary
    page.screenshot(path=str(artifacts / "walk-finance.png"), full_page=True)


def test_search_finds_a_notice_by_a_word_of_its_summary(page, server, artifacts):
    page.goto(server)
    page.fill("#q", "以奖代补")
    page.click(".search-form button")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert "北西尚村2024年第四季度财务收支公开" in titles, titles
    page.screenshot(path=str(artifacts / "search.png"))
    page.locator(".pagefind-ui__result-link", has_text="北西尚村2024年第四季度财务收支公开").click()
    assert "以奖代补" in page.locator("article.notice").inner_text()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_and_text_is_large(page, server, artifacts, name):
    page.goto(server + PAGES[name])
    if name == "search":
        page.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p, .md-typeset li')).fontSize)")
    assert size >= 18, (name, size)
    page.screenshot(path=str(artifacts / f"page-{name}.png"), full_page=True)


@pytest.mark.parametrize("name", ["home", "village", "finance", "resolution", "commitments"])
def test_tap_targets_are_at_least_44px(page, server, name):
    page.goto(server + PAGES[name])
    small = page.evaluate("""() => [...document.querySelectorAll(
        '.crumbs a, .notice-list a, .village-links a, .notice-downloads a, .feed-link, .related a, .search-form button, .text-size-switch')]
        .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
        .map(e => e.textContent.trim() + ' ' + e.getBoundingClientRect().height)""")
    assert small == []


CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bg = e => { for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  const low = [];
  for (const e of document.querySelectorAll('.md-header *, .md-banner *, .md-content *')) {
    if (!e.offsetParent || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const s = getComputedStyle(e); const a = lum(s.color), b = lum(bg(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(e.tagName + ' ' + e.textContent.trim().slice(0, 20) + ' ' + ratio.toFixed(2));
  }
  return low;
}"""


@pytest.mark.parametrize("name", ["home", "finance", "resolution", "review"])
def test_text_contrast_is_at_least_4_5(page, server, name):
    page.goto(server + PAGES[name])
    assert page.evaluate(CONTRAST) == []


def test_large_text_switch_remembers_itself(page, server):
    page.goto(server + PAGES["finance"])
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    page.click(".text-size-switch")
    large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    assert large >= normal * 1.2
    page.goto(server + PAGES["village"])
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.locator(".text-size-switch").get_attribute("aria-pressed") == "true"


def test_browser_font_scale_is_respected(browser, server):
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(server + PAGES["finance"])
    base = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    tab.evaluate("document.documentElement.style.fontSize = '150%'")  # as a phone's "large font" setting does
    scaled = tab.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)")
    context.close()
    assert scaled > base * 1.15


def test_pages_read_without_javascript(browser, server, artifacts):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    tab = context.new_page()
    tab.goto(server + PAGES["resolution"])
    text = tab.locator("article.notice").inner_text()
    assert "表决结果" in text and "通过" in text
    assert not tab.locator(".text-size-switch").is_visible()
    tab.screenshot(path=str(artifacts / "no-js-resolution.png"), full_page=True)
    context.close()


def test_verify_page_finds_a_notice_by_its_printed_code(page, server, sample_site, artifacts):
    _, result = sample_site
    notice = next(n for n in result.published if n.id == "beixishang-finance-2024q3")
    page.goto(server + "verify/")
    page.fill("#code", notice.code.lower().replace("-", " "))  # as a villager might type it
    page.click("#verify-form button")
    page.wait_for_selector("#verify-result a")
    text = page.locator("#verify-result").inner_text()
    assert "核验通过" in text and notice.title in text and notice.sha256() in text
    page.screenshot(path=str(artifacts / "verify.png"))
    page.goto(server + "verify/?code=0000-0000")
    page.wait_for_selector("#verify-result p")
    assert "没有找到核验码为 0000-0000 的公告" in page.locator("#verify-result").inner_text()


def test_hostile_text_stays_text_in_search_results(browser, data, config, tmp_path):
    """HTML typed into a cell never runs, not even inside Pagefind's search excerpts."""
    import datetime as dt

    from generator import pipeline

    from .conftest import set_cell

    set_cell(data / "finance.csv", 2, "摘要", '<img src=x onerror="window.pwned=1">运转经费<script>window.pwned=2</script>')
    site = tmp_path / "hostile"
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda dialog: dialogs.append(dialog) or dialog.dismiss())
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    tab.goto(base + "search/?q=运转经费")
    tab.wait_for_selector(".pagefind-ui__result-link", timeout=20000)
    tab.wait_for_timeout(500)
    assert tab.evaluate("window.pwned === undefined")
    assert tab.locator("#search img").count() == 0
    tab.goto(base + "v/beixishang/2024/finance-2024q3/")
    assert tab.evaluate("window.pwned === undefined")
    assert '<img src=x onerror="window.pwned=1">运转经费' in tab.locator("article.notice").inner_text()
    context.close()
    httpd.shutdown()
    assert dialogs == []


def test_zero_requests_to_other_hosts(requests_seen):
    """Runs last in this module: every request any test above made stayed on the site."""
    if not requests_seen:
        pytest.skip("no browser test ran before this one (run the whole module)")
    assert {urlparse(url).hostname for url in requests_seen} == {"127.0.0.1"}
