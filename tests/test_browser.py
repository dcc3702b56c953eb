"""End to end, as a person would use it: `diplosearch serve` over the bundled default index
(or $DIPLOSEARCH_INDEX, when the test session was started with it), driven by a real
headless Chromium through selenium and Debian's chromedriver.

Where `CI` is set (`.ci/run` installs Debian's `chromium` and `chromium-driver`), Chromium is
not optional: without it the tests fail, saying how to install it. Elsewhere (the README's
`bash scripts/test.sh` on a fresh machine) they skip with a one-line reason, as the Ray
tests do.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import QUESTION, REPO

pytestmark = pytest.mark.model  # the real model, over the bundled index

REQUIRED = bool(os.environ.get("CI"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# What lets Chromium run headless as root on a machine with no network but loopback
# (see the env notes): no sandbox, no GPU, and none of its own background traffic.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600"]
MERCURY_CITE = "unsc_2019-09-25_csto_semerikov.txt ¶9"
CSTO = "Collective Security Treaty Organization"
WAIT = 60  # seconds for any one thing to appear


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def chromium_present():
    """Before the server starts: skip (fail in CI) when there is no browser to drive."""
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
               if not path]
    if missing:
        message = (f"{' and '.join(missing)} not on PATH: install Debian's packages with "
                   "`apt-get update && apt-get install -y chromium chromium-driver` "
                   "(.ci/run does this)")
        if REQUIRED:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`diplosearch serve` in a subprocess on a free loopback port; its URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "DIPLOSEARCH_HOME"}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "diplosearch", "serve", "--port", str(port)],
                                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120  # a cold start loads the model
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"diplosearch serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/index", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"diplosearch serve did not answer within 120 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never fetch a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def _hits(driver):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "li.hit")


def _citation(hit) -> str:
    from selenium.webdriver.common.by import By

    return hit.find_element(By.CSS_SELECTOR, ".citation").text


def _mercury(driver):
    found = [h for h in _hits(driver) if _citation(h).startswith(MERCURY_CITE)]
    assert found, [_citation(h) for h in _hits(driver)]
    return found[0]


def test_ask_filter_and_expand_in_a_real_browser(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(server + "/")
    assert browser.title == "diplosearch"

    # Ask the mission question as a person would: type it, press the button.
    box = wait.until(ec.element_to_be_clickable((By.ID, "q")))
    box.send_keys(QUESTION)
    browser.find_element(By.ID, "go").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "li.hit")))
    assert "what+measures+target" in browser.current_url
    hit = _mercury(browser)
    assert "Semerikov (Collective Security Treaty Organization)" in _citation(hit)
    assert hit.find_element(By.CSS_SELECTOR, ".passage mark").text  # best sentence emphasised

    # Narrow to one country: choosing it re-runs the search.
    page = browser.find_element(By.TAG_NAME, "html")
    Select(browser.find_element(By.ID, "country")).select_by_value(CSTO)
    wait.until(ec.staleness_of(page))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "li.hit")))
    assert "country=Collective+Security+Treaty+Organization" in browser.current_url
    citations = [_citation(h) for h in _hits(browser)]
    assert citations and all(c.endswith(f"({CSTO})") for c in citations), citations
    hit = _mercury(browser)

    # Expand the surrounding paragraphs in place: the whole of ¶9, Operation Mercury
    # included, between ¶8 and ¶10.
    context = hit.find_element(By.CSS_SELECTOR, ".context")
    assert not context.is_displayed()
    hit.find_element(By.CSS_SELECTOR, "a.expand").click()
    wait.until(lambda _: "¶10" in context.text)
    assert context.is_displayed() and "¶8" in context.text
    here = context.find_element(By.CSS_SELECTOR, "li.here")
    assert here.text.startswith("¶9") and "Operation Mercury" in here.text
    assert browser.current_url.startswith(server + "/?")  # expanded in place, no navigation


def test_positions_over_time_in_a_real_browser(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, WAIT)
    browser.get(server + "/positions")
    # Choose "per meeting" before typing: with a question in the box, changing a select
    # submits the form at once, and a click on the button would then load the page twice.
    Select(browser.find_element(By.ID, "by")).select_by_value("meeting")
    browser.find_element(By.ID, "q").send_keys(QUESTION)
    browser.find_element(By.ID, "go").click()
    wait.until(lambda d: "q=" in d.current_url)   # the answer page, not the form we left
    table = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.positions-table")))
    columns = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")][1:]
    assert "S/PV.8723" in columns, columns
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    countries = [r.find_element(By.TAG_NAME, "th").text for r in rows]
    assert len(rows) >= 5 and "Russian Federation" in countries, countries
    first_link = table.find_element(By.CSS_SELECTOR, "td .citation a")
    cite = first_link.text
    first_link.click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".passage-page")))
    assert browser.find_element(By.TAG_NAME, "h1").text == cite
