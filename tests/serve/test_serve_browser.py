"""The playground page in a real browser: Debian's Chromium, headless, driven through
its own chromedriver by Selenium (no browser or driver is downloaded).

The test types impact.com's example body and sees both defects listed and marked at
line 1 and 18:18, switches to XML and sees the XML defects, fixes the body and sees
the rendered JSON equal to ``postback render``, edits the record, pastes the rendered
body as a received body and sees the record it reads (and, with one key changed, where
it stops matching), exports the
notification file and checks it with ``postback check``; it works the page with Tab
and Enter alone, runs axe-core's accessibility checks in the light and dark themes,
and checks that the page stays responsive with a 1 MiB template.  Each state is saved
as a screenshot: into docs/images/playground-*.png when ``POSTBACK_SCREENSHOTS=1``
(docs/playground.md shows them), else into the test's temporary folder.

It is skipped, saying why, only where /usr/bin/chromium or /usr/bin/chromedriver is
missing (``.ci/run`` installs both); the axe-core check is skipped where npm cannot
fetch axe-core from the npm registry.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _playground import ROOT, SEED, Client, playground

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver):"
    " apt-get install chromium chromium-driver, as .ci/run does",
)

SHOTS = ROOT / "docs" / "images"
WIDTH, HEIGHT = 1280, 1000


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},{HEIGHT}",
        "--hide-scrollbars",
        "--lang=en-US",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    # The system's driver, named explicitly: Selenium Manager is never asked for one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def server() -> Iterator[Client]:
    with playground() as client:
        yield client


@pytest.fixture
def page(browser: Any, server: Client) -> Any:
    """The page, freshly loaded, in the light theme, with its first answer shown."""
    browser.set_window_size(WIDTH, HEIGHT)
    emulate(browser, "light")
    browser.get(server.origin + "/")
    wait_idle(browser)
    return browser


def emulate(browser: Any, scheme: str) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def wait_idle(browser: Any, timeout: float = 60) -> None:
    """Wait until the page has shown the answer to its latest fields."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script(
            "const e = document.documentElement;"
            "return e.dataset.ready === 'true' && e.dataset.busy === 'false' && !!e.dataset.shown"
        )
    )


def screenshot(browser: Any, name: str, tmp_path: Path) -> Path:
    """Save the whole page as playground-NAME.png (docs/images with POSTBACK_SCREENSHOTS=1)."""
    folder = SHOTS if os.environ.get("POSTBACK_SCREENSHOTS") == "1" else tmp_path
    browser.execute_script(
        "for (const a of document.querySelectorAll('.editor textarea')) {"
        " a.scrollTop = 0; a.scrollLeft = 0; a.dispatchEvent(new Event('scroll')); }"
        "document.activeElement.blur(); window.scrollTo(0, 0);"
    )
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTH, min(int(height) + 20, 3000))
    path = folder / f"playground-{name}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(WIDTH, HEIGHT)
    return path


def type_into(browser: Any, field: str, text: str) -> None:
    """Select all of ``field`` and type ``text`` in its place, key by key."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    element = browser.find_element(By.ID, field)
    element.click()
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def paste(browser: Any, field: str, text: str) -> None:
    """Put ``text`` into ``field`` at once, as pasting does."""
    browser.execute_script(
        "const a = document.getElementById(arguments[0]); a.focus(); a.value = arguments[1];"
        " a.dispatchEvent(new Event('input', {bubbles: true}));",
        field,
        text,
    )


def problems(browser: Any) -> list[dict[str, Any]]:
    return list(
        browser.execute_script(
            "return [...document.querySelectorAll('#problems li')].map((li) => ({"
            " field: li.dataset.field, code: li.dataset.code,"
            " line: li.dataset.line ? +li.dataset.line : null,"
            " column: li.dataset.column ? +li.dataset.column : null,"
            " message: li.querySelector('.message').textContent}))"
        )
    )


def marks(browser: Any, field: str) -> list[tuple[int, int, str, str]]:
    return [
        tuple(m)
        for m in browser.execute_script(
            "return [...document.getElementById(arguments[0]).parentElement"
            ".querySelectorAll('.mirror mark')].map((m) =>"
            " [+m.dataset.line, +m.dataset.column, m.dataset.code, m.textContent])",
            field,
        )
    ]


def text_of(browser: Any, element_id: str) -> str:
    return str(
        browser.execute_script(f"return document.getElementById('{element_id}').textContent")
    )


def select(browser: Any, field: str, label: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, field)).select_by_visible_text(label)


def caret_to(browser: Any, field: str, index: int) -> None:
    browser.execute_script(
        "const a = document.getElementById(arguments[0]); a.focus();"
        " a.setSelectionRange(arguments[1], arguments[1]);",
        field,
        index,
    )


def postback_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "postback", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wait_for_file(folder: Path, name: str, timeout: float = 30) -> Path:
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not (folder / (name + ".crdownload")).exists():
            return path
        time.sleep(0.05)
    raise AssertionError(f"{name} was not downloaded into {folder}: {os.listdir(folder)}")


def test_the_help_page_body_from_its_defects_to_the_notification_file(
    page: Any, tmp_path: Path, downloads: Path
) -> None:
    from selenium.webdriver.common.by import By

    type_into(page, "body", SEED)
    wait_idle(page)
    assert page.find_element(By.ID, "body").get_attribute("value") == SEED
    found = problems(page)
    assert [(p["field"], p["code"], p["line"], p["column"]) for p in found] == [
        ("body", "invalid-json", 1, 30),
        ("body", "malformed-placeholder", 18, 18),
    ]
    assert found[0]["message"] == "invalid JSON: expected ':' after an object key, found ','"
    assert "did you mean {DeltaAmount}?" in found[1]["message"]
    assert marks(page, "body") == [
        (1, 30, "invalid-json", ","),
        (18, 18, "malformed-placeholder", "{DeltaAmo\nunt}"),
    ]
    assert text_of(page, "status") == "2 errors in Body."
    assert "Error at line 1, column 30" in text_of(page, "body-problems")
    screenshot(page, "defects", tmp_path)

    select(page, "body_format", "XML")
    wait_idle(page)
    assert [(p["code"], p["line"], p["column"]) for p in problems(page)] == [
        ("invalid-xml", 1, 1),
        ("malformed-placeholder", 18, 18),
    ]
    assert "text cannot stand before the root element" in problems(page)[0]["message"]
    assert [m[:3] for m in marks(page, "body")] == [
        (1, 1, "invalid-xml"),
        (18, 18, "malformed-placeholder"),
    ]
    screenshot(page, "xml", tmp_path)

    select(page, "body_format", "JSON")
    wait_idle(page)
    page.find_element(By.CSS_SELECTOR, "#problems button.apply").click()  # {DeltaAmount}
    caret_to(page, "body", 1)
    page.find_element(By.ID, "body").send_keys('"event": ')
    wait_idle(page)
    assert problems(page) == [] and marks(page, "body") == []
    fixed = page.find_element(By.ID, "body").get_attribute("value")
    assert fixed.startswith('{"event": "Action Life Cycle Postback",')
    assert '"delta_amount": "{DeltaAmount}",' in fixed
    (tmp_path / "fixed.json").write_text(fixed, encoding="utf-8")
    rendered = postback_cli("render", "fixed.json", "--sample", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    assert text_of(page, "rendered") == rendered.stdout
    assert text_of(page, "http").startswith("POST /impact/actions/4636?action_id=")
    assert text_of(page, "status") == "No problems found."
    screenshot(page, "rendered", tmp_path)

    record = page.find_element(By.ID, "record").get_attribute("value")
    at = record.index('"CampaignId": 4636') + len('"CampaignId": ')
    page.execute_script(
        "const a = document.getElementById('record'); a.focus();"
        " a.setSelectionRange(arguments[0], arguments[0] + 4);",
        at,
    )
    page.find_element(By.ID, "record").send_keys("777")
    wait_idle(page)
    assert '"campaign_id": "777"' in text_of(page, "rendered")
    assert text_of(page, "http").startswith("POST /impact/actions/777?")
    screenshot(page, "record", tmp_path)

    assert text_of(page, "verdict") == "Paste a response above to see how it would be judged."
    page.find_element(By.ID, "response_body").send_keys("ERROR: duplicate action")
    wait_idle(page)
    assert text_of(page, "verdict").startswith(
        "Failure: error_response 'ERROR' found in the response body (status 200 is 2xx)"
    )

    paste(page, "received", text_of(page, "rendered"))
    wait_idle(page)
    assert text_of(page, "received-status") == "It matches: the record it reads is below."
    assert json.loads(text_of(page, "received-record"))["CampaignId"] == 777
    paste(page, "received", text_of(page, "rendered").replace('"campaign_id"', '"campain_id"'))
    wait_idle(page)
    assert text_of(page, "received-status").startswith(
        "It does not match at line 2, column 1 (the template's line 2, column 1):"
        ' expected the key "campaign_id"'
    )
    assert marks(page, "received") == [(2, 1, "parse-error", '"')]
    assert text_of(page, "received-record").startswith("No record:")

    page.find_element(By.ID, "download-notification").click()
    exported = wait_for_file(downloads, "notification.toml")
    shutil.copy(exported, tmp_path / "notification.toml")
    checked = postback_cli("check", "notification.toml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == "checked 1 file: no problems found\n"
    page.find_element(By.ID, "download-template").click()
    template = wait_for_file(downloads, "body.json")
    assert template.read_text(encoding="utf-8") == fixed


def test_tab_and_enter_alone_fill_the_form_and_reach_every_result(page: Any) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def press(*keys: str) -> str:
        ActionChains(page).send_keys(*keys).perform()
        active = page.switch_to.active_element
        return str(active.get_attribute("id") or active.get_attribute("class") or active.text)

    page.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    reached: list[str] = []
    for _ in range(60):
        now = press(Keys.TAB)
        if now == "url":  # the Server URL: fill it, by the keyboard alone
            ActionChains(page).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).perform()
            ActionChains(page).send_keys("https://example.com/pb/{ActoinId}").perform()
        reached.append(now)
        if now == "download-notification":
            break
    fields = ["url", "method", "body_format", "body", "headers", "min_delay", "max_requests"]
    fields += ["success_response", "error_response", "record", "use-sample"]
    results = ["pretty", "rendered", "mask", "http", "curl", "response_status", "verdict"]
    for expected in ("skip", *fields, *results, "download-notification"):
        assert any(expected in r for r in reached), (expected, reached)
    wait_idle(page)
    assert [p["code"] for p in problems(page)] == ["unknown-field"]
    # Back to the problem's link, and Enter: the cursor goes to the defect in the field.
    for _ in range(60):
        if press(Keys.SHIFT, Keys.TAB) == "link goto":
            break
    press(Keys.ENTER)
    assert page.switch_to.active_element.get_attribute("id") == "url"
    start, end = page.execute_script(
        "const a = document.activeElement; return [a.selectionStart, a.selectionEnd]"
    )
    assert (start, end) == (23, 33)  # {ActoinId}


@pytest.fixture(scope="module")
def axe_source(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """axe-core's axe.min.js, fetched with npm from the npm registry once, and kept in
    pytest's cache (in the test's temporary folder without one); never part of the
    package."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    folder = Path(cache.mkdir("axe-core")) if cache else tmp_path_factory.mktemp("axe-core")
    script = folder / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("needs npm to fetch axe-core from the npm registry")
        packed = subprocess.run(
            [npm, "pack", "axe-core@4", "--silent", "--pack-destination", str(folder)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if packed.returncode != 0:
            pytest.skip(f"npm could not fetch axe-core: {packed.stderr.strip()[:300]}")
        archive = folder / packed.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            script.write_bytes(member.read())
    return script.read_text(encoding="utf-8")


def axe_violations(browser: Any, source: str) -> list[dict[str, Any]]:
    browser.execute_script(source)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then((r) => done(JSON.stringify(r.violations)), (e) => done(JSON.stringify([String(e)])));"
    )
    violations: list[dict[str, Any]] = json.loads(result)
    return violations


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(
    page: Any, axe_source: str, scheme: str, tmp_path: Path
) -> None:
    emulate(page, scheme)
    type_into(page, "body", SEED)
    wait_idle(page)
    if scheme == "dark":
        screenshot(page, "dark", tmp_path)
    found = axe_violations(page, axe_source)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, serious


def test_at_200_percent_zoom_the_page_is_one_column_without_sideways_scrolling(
    page: Any,
) -> None:
    page.set_window_size(WIDTH // 2, HEIGHT)  # CSS pixels as at 200 % zoom
    wait_idle(page)
    overflow = page.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    left = page.execute_script(
        "return [document.getElementById('settings').getBoundingClientRect().left,"
        " document.getElementById('results').getBoundingClientRect().left]"
    )
    assert left[0] == left[1]  # the results under the settings


LAG_SCRIPT = """
const done = arguments[arguments.length - 1];
const until = performance.now() + arguments[0];
let worst = 0;
let last = performance.now();
function tick() {
  const now = performance.now();
  worst = Math.max(worst, now - last);
  last = now;
  if (now < until) setTimeout(tick, 0); else done(worst);
}
setTimeout(tick, 0);
"""


def _large_template() -> str:
    """A JSON body of 1 MiB: 1,100 members, each a placeholder and 900 characters."""
    filler = "x" * 900
    members = ",\n".join(f'"k{n}": "{{SubId1}} {filler}"' for n in range(1100))
    return "{" + members + "}"


def test_the_page_stays_responsive_with_a_1_mib_template(page: Any) -> None:
    """While a 1 MiB template is sent, checked, rendered and shown, the page's longest
    stall is a small share of the time the whole round takes."""
    big = _large_template()
    assert len(big) > 1_000_000
    started = time.perf_counter()
    page.execute_script(
        "const a = document.getElementById('body'); a.value = arguments[0];"
        " a.dispatchEvent(new Event('input', {bubbles: true}));",
        big,
    )
    # Typing elsewhere while the large body is worked on.
    for key in "OK!":
        page.find_element("id", "success_response").send_keys(key)
    worst = page.execute_async_script(LAG_SCRIPT, 1500)
    wait_idle(page)
    round_trip = (time.perf_counter() - started) * 1000
    assert len(text_of(page, "rendered")) > 1_000_000
    assert problems(page) == []
    assert worst < round_trip / 3, (worst, round_trip)
