"""``newscorpus report`` in a real headless browser: Debian's Chromium driven by Playwright.

The page renders, a block link in an article leads to the block, hostile text shows as text,
no dialog opens, the console stays clean and nothing is fetched; a screenshot is written for a
person to look at (its folder is printed; copies go to /tmp/report-screenshot.png, the top of
the page, and /tmp/report-article.png, an article reached from a block).

Skipped, with the reason, where Playwright or Chromium is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from subprocess_cli import run

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"
SCREENSHOT = Path("/tmp/report-screenshot.png")
# As root, with no network: no sandbox, and none of Chromium's own connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = "\n".join(
    [
        "<script>alert(1)</script> Ceasefire talks resume in the region",
        "date 2021-03-02",
        'Officials said on Monday that "><img src=x onerror=alert(2)> talks would resume next '
        "week in Geneva, with both delegations present.",
        "",
        "The conflict between the two South Caucasus countries began in 1988 when Armenia made "
        "territorial claims against Azerbaijan. As a result of the ensuing war, the Armenian "
        "Armed Forces occupied 20 percent of Azerbaijan, including the Nagorno-Karabakh region "
        "and seven surrounding districts. The 1994 ceasefire agreement was followed by peace "
        "negotiations.",
        "",
    ]
)

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does)"
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("report")
    folder = cwd / "in"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("*.md", "*.corpus"))
    (folder / '"><svg onload=alert(3)>.txt').write_text(HOSTILE, encoding="utf-8")
    result = run("build", "in", "-o", "s.db", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    result = run("report", "s.db", "-o", "report.html", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "report.html"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_report_in_a_browser(report, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    console, errors, dialogs, requests = [], [], [], []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")

    assert page.title() == "newscorpus report: s.db"
    assert page.locator("h1").inner_text() == "newscorpus report: s.db"
    assert page.locator("section.block").count() == 5
    assert page.locator("article.story").count() == 6
    assert page.locator("svg rect").count() == 2 * 3  # three months, two bars each
    page.screenshot(path=str(tmp_path / "report-top.png"))

    # The hostile article: its markup is text, nothing of it became an element.
    hostile = page.locator("article.story").filter(has_text="Ceasefire talks resume")
    assert hostile.locator("h3").inner_text() == '"><svg onload=alert(3)>.txt'
    text = hostile.locator(".text").inner_text()
    assert "<script>alert(1)</script> Ceasefire talks" in text
    assert '"><img src=x onerror=alert(2)> talks' in text
    assert page.locator("main img, main script, article svg, article iframe").count() == 0

    # Its shared block is highlighted and links to the block's section.
    assert hostile.locator(".shared").count() == 1
    link = hostile.locator("a.blk")
    target = link.get_attribute("href")
    assert target and target.startswith("#b-b")
    link.click()
    page.wait_for_function("location.hash.length > 1")
    assert page.evaluate("location.hash") == target
    assert page.evaluate("document.querySelector(':target').id") == target[1:]
    block = page.locator(target)
    assert block.is_visible()
    box = block.bounding_box()
    assert box is not None and 0 <= box["y"] < 100  # scrolled to the top of the window
    assert "The conflict between the two South Caucasus" in block.inner_text()
    # From the block back to the article.
    block.get_by_role("link", name='"><svg onload=alert(3)>.txt').first.click()
    page.wait_for_function("location.hash.startsWith('#a-')")
    assert page.locator(":target h3").inner_text() == '"><svg onload=alert(3)>.txt'
    page.screenshot(path=str(tmp_path / "report-article.png"))

    page.set_viewport_size({"width": 1280, "height": 1200})  # the top, down to the chart
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report-screenshot.png"
    page.screenshot(path=str(shot))
    shutil.copy(shot, SCREENSHOT)
    shutil.copy(tmp_path / "report-article.png", SCREENSHOT.with_name("report-article.png"))
    print(f"screenshots in {tmp_path}, copied to {SCREENSHOT} and report-article.png beside it")

    assert dialogs == [] and errors == []
    assert [c for c in console if c.startswith(("error", "warning"))] == []
    assert all(url.startswith("file:") for url in requests), requests
    page.close()
