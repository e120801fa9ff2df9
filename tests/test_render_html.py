"""Notice and hub pages: content, escaping of hostile text, relative links that resolve."""

import datetime as dt
import re
from pathlib import Path

import pytest

from generator import pipeline

from .conftest import set_cell

AS_OF = dt.date(2025, 1, 31)


def _build(data: Path, config) -> Path:
    site = data.parent / "site"
    pipeline.build(data, site, config, AS_OF)
    return site


@pytest.fixture
def site(data, config):
    return _build(data, config)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_finance_page_shows_balances_subjects_and_capitals(site):
    html = (site / "v/beixishang/2024/finance-2024q3/index.html").read_text(encoding="utf-8")
    text = _text(html)
    for shown in ("期初余额 1,000.00 壹仟元整", "本期收入 15,000.00 壹万伍仟元整", "本期支出 2,025.00 贰仟零贰拾伍元整",
                  "期末余额 13,975.00 壹万叁仟玖佰柒拾伍元整", "管理费用小计 2,025.00", "2024年10月8日",
                  "2024年10月8日至2024年10月14日", "公示期已满", "村委会大院门口东侧公开栏", "0391-3561201",
                  "村务监督委员会：梁保国"):
        assert shown in text, shown
    assert "<title>北西尚村2024年第三季度财务收支公开 - 阳庙镇村务公开</title>" in html


def test_decision_pages_show_validity_votes_and_links(site):
    html = (site / "v/lucun/2024/resolution-2024-pond/index.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "表决结果： 未通过 （同意 14 人，未超过实到 33 人的半数）" in text
    assert "应到 36 人，实到 33 人； 三分之二为 24 人，实到达到三分之二，会议有效。" in text
    assert "应到 29 人，实到 26 人； 三分之二为 19.3 人，实到达到三分之二，会议有效。" in text
    assert "14 人 42.4%" in text and "16 人 48.5%" in text
    assert "未通过，无实施" in text
    road = (site / "v/beixishang/2024/resolution-2024-road/index.html").read_text(encoding="utf-8")
    assert 'href="../../../../v/beixishang/2024/outcome-2024-road/"' in road


def test_hostile_text_is_shown_not_run(data, config):
    set_cell(data / "finance.csv", 2, "摘要", '<script>alert(1)</script>{{ 7*7 }} **粗体** [链接](http://evil.example)')
    set_cell(data / "finance.csv", 3, "摘要", "javascript:alert(1) <a href=\"javascript:alert(2)\">点我</a>")
    site = _build(data, config)
    html = (site / "v/beixishang/2024/finance-2024q3/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} **粗体** [链接](http://evil.example)" in html
    assert "<script>alert(1)" not in html and "49" not in _text(html)
    assert 'href="http://evil.example"' not in html
    assert "javascript:" not in re.sub(r"&[^;]+;", "", "".join(re.findall(r'href="([^"]*)"', html)))
    assert "javascript:alert(1) &lt;a href=&#34;javascript:alert(2)&#34;&gt;点我&lt;/a&gt;" in html


def test_every_relative_link_resolves(site):
    missing = []
    for page in site.rglob("*.html"):
        for target in re.findall(r'(?:href|src)="([^"#:]+)"', page.read_text(encoding="utf-8")):
            target = target.split("?")[0]
            # 404.html is served at any depth, so MkDocs gives it root-absolute links.
            path = (site / target.lstrip("/")) if target.startswith("/") else (page.parent / target).resolve()
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                missing.append(f"{page.relative_to(site)} → {target}")
    assert missing == []


def test_hubs_list_villages_and_notices(site):
    home = _text((site / "index.html").read_text(encoding="utf-8"))
    assert "北西尚村" in home and "鹿村" in home and "最新公告" in home
    township = _text((site / "t/yangmiao/index.html").read_text(encoding="utf-8"))
    assert "2024年第三季度 ，2024年10月8日公布" in township
    village = _text((site / "v/lucun/index.html").read_text(encoding="utf-8"))
    assert "每月一次" in village and "0391-3561201" in village and "10 日内答复" in village
    assert (site / "v/beixishang/2024/index.html").exists()


def test_no_request_leaves_the_site(site):
    """Nothing is loaded from another host: no fonts, CDNs or analytics."""
    external = []
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        external += re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//[^"]+"', html)
    assert [e for e in external if 'rel="canonical"' not in e] == []


def test_pages_go_to_local_workers_only_when_a_core_is_left_for_the_build(monkeypatch):
    from generator import executor, render_html

    workers = executor.LocalProcesses(2)
    cluster = object.__new__(executor.DaskCluster)  # no cluster needed to choose
    monkeypatch.setattr(render_html.os, "cpu_count", lambda: 2)
    assert isinstance(render_html._page_runner(workers), executor.Inline)
    assert isinstance(render_html._page_runner(None), executor.Inline)
    assert render_html._page_runner(cluster) is cluster
    monkeypatch.setattr(render_html.os, "cpu_count", lambda: 8)
    assert render_html._page_runner(workers) is workers
