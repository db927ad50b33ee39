"""The dashboard of ``ironward server`` in headless Chromium (issue 14), end to end on loopback.

Real things only: the ``ironward`` binary (``IRONWARD_BIN`` or the workspace build, as
test_cloud.py finds it) with ``IRONWARD_ADMIN_PASSWORD``; a Flask app under gunicorn protected
by the ironward package, whose agent (the Rust ``ironward-cloud-client``) connects with an agent
key, beacons every second and ships its events to the server's ingest endpoint (the ``LOG_*``
keys the server sends at connect); Debian's ``chromium`` driven by ``chromium-driver`` through
selenium. scripts/test-python.sh installs both packages in CI; elsewhere the test skips without
them.

The scenarios: sign in through the form; an XSS attack on the app is blocked and appears in the
events page, its payload displayed as text (no script runs: the page has none); the XSS check's
level is changed in the configuration editor; the agent's next beacon applies it (the same
attack now passes) and the agents page shows the agent on the new configuration version; sign
out. And management: an application and an agent key created through the forms (a refused name
comes back with its error focused; the key is shown once in a focused read-only field, after a
redirect, and reloading that page shows it no more and creates no other key), a
connect with that key (as pyrasp's agent sends it) lists the agent, the key is revoked after a
confirmation and the next connect is refused."""

import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("selenium")
pytest.importorskip("flask")
pytest.importorskip("gunicorn")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from test_cloud import CloudServer, app_server, cloud_view, fresh_ip, get, ironward_bin  # noqa: E402

PASSWORD = "dashboard e2e password"
PAYLOAD = '<script>alert("e2e")</script>'
ATTACK = "/?q=%3Cscript%3Ealert(%22e2e%22)%3C%2Fscript%3E"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000"]


def chromium():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    if os.environ.get("CI") == "true":
        pytest.fail("CI runs the dashboard in Chromium: scripts/test-python.sh installs "
                    "chromium and chromium-driver")
    pytest.skip("no chromium/chromedriver (apt-get install chromium chromium-driver)")


@pytest.fixture
def browser():
    binary, driver = chromium()
    profile = tempfile.mkdtemp(prefix="ironward-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    service = Service(executable_path=driver,
                      log_output=os.path.join(profile, "chromedriver.log"))
    drv = webdriver.Chrome(options=options, service=service)
    drv.set_page_load_timeout(20)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def server(monkeypatch):
    binary = ironward_bin()
    data = tempfile.mkdtemp(prefix="ironward-dashboard-")
    s = CloudServer(binary, data)
    s.key()  # creates the application "shop"
    s.config_set("BEACON_DELAY=1")
    monkeypatch.setenv("IRONWARD_ADMIN_PASSWORD", PASSWORD)
    s.start()
    try:
        yield s
    finally:
        s.stop()
        shutil.rmtree(data, ignore_errors=True)


def until(what, check, timeout=20):
    """Waits for ``check``; a page still loading is a no.

    While a form's answer replaces the page, chromedriver may report the element as missing, stale,
    or (a race inside Chromium's inspector) "Node with given id does not belong to the document",
    a plain ``WebDriverException``. All of them mean "not yet"; the last one is shown on timeout.
    """
    deadline = time.time() + timeout
    last = None
    while True:
        try:
            if check():
                return
        except WebDriverException as e:  # NoSuchElement and StaleElementReference included
            last = e
        if time.time() > deadline:
            pytest.fail(f"not within {timeout} s: {what}" + (f" (last error: {last.msg})" if last else ""))
        time.sleep(0.2)


def text(drv, css):
    return drv.find_element(By.CSS_SELECTOR, css).text


def sign_in(browser, server):
    """Signs in through the form (the sign-in form is what a signed-out visitor gets at /)."""
    browser.get(server.base + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    password = browser.find_element(By.ID, "password")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=password]").text == "Password"
    password.send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    until("the overview", lambda: browser.find_element(By.TAG_NAME, "h1").text == "Overview")
    cookie = browser.get_cookie("ironward_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def connect(server, key):
    """A connect as pyrasp's agent sends it; the answer's status."""
    body = json.dumps({"key": key, "version": "0.10.2", "platform": "Flask", "routes": {}})
    request = urllib.request.Request(server.connect_url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


def test_sign_in_see_the_attack_change_a_level_and_watch_the_agent_apply_it(server, browser):
    started = time.time()
    # No local check level: the remote configuration decides (local parameters win over it).
    local = {"TRUST_PROXY_HEADERS": True, "TRUSTED_PROXIES": ["127.0.0.1"], "VERBOSE": 0}
    with app_server("gunicorn", server.connect_url, server.key(), p=local) as app:
        until("the agent connected", lambda: cloud_view(app)["cloud"]["connected"])

        # 1. Signed out: the sign-in form at /; sign in through it.
        sign_in(browser, server)

        # 2. The agent reports an attack: it appears in the events page.
        attacker = fresh_ip()
        assert get(app, ATTACK, attacker) == 403

        def listed():
            browser.get(server.base + "/events?check=xss")
            return bool(browser.find_elements(By.CSS_SELECTOR, "table.events tbody tr"))

        until("the attack in the events page", listed)
        row = browser.find_element(By.CSS_SELECTOR, "table.events tbody tr")
        assert "shop" in row.text and attacker in row.text and PAYLOAD in row.text
        row.find_element(By.CSS_SELECTOR, "a").click()
        until("the event's page", lambda: browser.find_element(By.TAG_NAME, "h1").text
              .startswith("Event "))
        # The payload is shown as text; nothing of it became markup, and no script exists.
        assert text(browser, "pre.payload code") == PAYLOAD
        assert browser.find_elements(By.TAG_NAME, "script") == []
        assert "Cross-Site Scripting" in text(browser, "p.explanation") or \
            "XSS" in text(browser, "p.explanation")

        # 3. The configuration editor: XSS to 0 (off); saved as a new version.
        browser.get(server.base + "/apps/shop/config")
        Select(browser.find_element(By.ID, "check-xss")).select_by_value("0")
        browser.find_element(By.CSS_SELECTOR, "form.config button[type=submit]").click()
        until("saved", lambda: browser.find_elements(By.CSS_SELECTOR, "p.notice"))
        notice = text(browser, "p.notice")
        assert notice.startswith("Saved: version "), notice
        version = int(notice.split("version ")[1].split(".")[0])
        assert Select(browser.find_element(By.ID, "check-xss")) \
            .first_selected_option.get_attribute("value") == "0"

        # 4. The agent applies it on its next beacon: the same attack now passes...
        until("the agent applied XSS=0", lambda: get(app, ATTACK, fresh_ip()) == 200)

        # ...and the agents page shows it on the new version.
        def up_to_date():
            browser.get(server.base + "/apps")
            return f"version {version} (up to date)" in text(browser, "table.agents tbody")

        until("the agents page shows the new version", up_to_date)

        # 5. Sign out: back to the sign-in form, and the pages are closed again.
        browser.find_element(By.CSS_SELECTOR, "form.signout button").click()
        until("signed out", lambda: browser.find_element(By.TAG_NAME, "h1").text == "Sign in")
        browser.get(server.base + "/events")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    assert time.time() - started < 60


def test_create_an_application_and_a_key_in_the_browser_connect_with_it_and_revoke_it(
        server, browser):
    started = time.time()
    sign_in(browser, server)

    # A new application through the form; a refused name comes back with its error, focused.
    browser.get(server.base + "/apps")
    browser.find_element(By.ID, "app-name").send_keys("no spaces")
    browser.find_element(By.CSS_SELECTOR, "form[action='/apps'] button[type=submit]").click()
    until("the error", lambda: browser.find_elements(By.CSS_SELECTOR, "div.errors"))
    name = browser.find_element(By.ID, "app-name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "app-name-error" in name.get_attribute("aria-describedby")
    assert browser.switch_to.active_element == name
    name.clear()
    name.send_keys("blog")
    Select(browser.find_element(By.ID, "app-template")).select_by_value("monitor")
    browser.find_element(By.CSS_SELECTOR, "form[action='/apps'] button[type=submit]").click()
    until("created", lambda: "Application blog created" in text(browser, "p.notice"))

    # An agent key for it, shown once in a focused read-only field.
    browser.find_element(By.CSS_SELECTOR, "form[action='/apps/blog/keys'] button").click()
    until("the key's page", lambda: browser.find_element(By.TAG_NAME, "h1").text
          == "New agent key")
    field = browser.find_element(By.ID, "secret")
    key = field.get_attribute("value")
    assert key.startswith("iwk_") and len(key) == 68
    assert browser.switch_to.active_element == field
    assert "shown only once" in text(browser, "div.secret")
    assert "/keys/shown/" in browser.current_url  # the POST redirected (Post/Redirect/Get)

    # Reloading the page re-posts nothing: the key is not shown again and no other is made.
    browser.refresh()
    until("shown once", lambda: browser.find_element(By.TAG_NAME, "h1").text
          == "Secret already shown")
    assert "This secret was shown once" in browser.page_source
    assert key not in browser.page_source

    # An agent connects with it and is listed, alone.
    assert connect(server, key) == 200
    browser.get(server.base + "/apps?app=blog")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.agents tbody tr")
    assert len(rows) == 1, [r.text for r in rows]
    row = rows[0]
    assert "blog" in row.text and "Flask" in row.text and "0.10.2" in row.text, row.text
    assert key not in browser.page_source

    # Revoked after a confirmation: the agent is refused.
    row.find_element(By.PARTIAL_LINK_TEXT, "Revoke").click()
    until("the confirmation", lambda: browser.find_element(By.TAG_NAME, "h1").text
          == "Revoke agent key")
    browser.find_element(By.CSS_SELECTOR, "form.confirm button[type=submit]").click()
    until("revoked", lambda: "revoked" in text(browser, "p.notice"))
    assert "revoked" in text(browser, "table.agents tbody tr")
    assert connect(server, key) == 403
    assert time.time() - started < 30
