"""The explorer's page in a real headless Chromium at a phone's size (390 x 844, touch) and a desktop's: every
control visible, inside the width and beside its label, a tap or a click starts a run, diverging runs drawn as
diverged, the networks tab with the server's numbers, progress shown while a program compiles, the warm-up banner,
and no console errors. Screenshots go to the test's temporary folder. One server and one browser for the module."""

import json
import os
import shutil
import socket
import threading
import time
import urllib.parse
import urllib.request

import pytest

starlette = pytest.importorskip("starlette")
sync_api = pytest.importorskip("playwright.sync_api")

from explorer.app import WARMUP, create_app  # noqa: E402

SIZES = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1400, "height": 900}},
}
# small settings for the views that compute (the defaults are the report's, minutes from cold on two cores)
SMALL = {
    "basins-n": "32",
    "nw-depths": "2,3",
    "nw-widths": "2",
    "nw-samples": "1000",
    "nw-slopes": "0.5,1.5",
    "nw-nets": "32",
    "nw-k": "7",
    "nw-starts": "16",
}
VIEWS = ("landscape", "basins", "oneweight", "phase", "networks", "verdicts")
IDLE = "document.body.dataset.ready === '1' && document.body.dataset.pending === '0'"


def _chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    report = tmp_path_factory.mktemp("page") / "report.json"
    report.write_text(json.dumps({"claims": [{"id": "D4", "verdict": "confirmed", "statement": "spurious minima"}]}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(str(report), warmup=WARMUP[:2])  # a short warm-up: the banner and its end are seen
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        if os.environ.get("RELU_LANDSCAPE_REQUIRE_BROWSER"):
            pytest.fail("no Chromium found, and this run requires the browser tests (apt-get install chromium)")
        pytest.skip("no Chromium on this machine: the browser tests did not run (apt-get install chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, size, url, errors):
    page = browser.new_page(**SIZES[size])
    page.on("console", lambda m: errors.append(f"{size}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{size}: {e}"))
    page.goto(url)
    page.wait_for_function(IDLE, timeout=120_000)
    return page


# the controls of the sidebar, the tabs and the active view that are displayed: each inside the page's width, with a
# size, and (a control in a label) on the row of its label, near it; and the controls hidden without being hidden on
# purpose (a [hidden] block or an inline display: none of a row that does not apply)
LAYOUT = """(view) => {
  const width = window.innerWidth;
  const all = [...document.querySelectorAll(`#controls :is(input, select, button), #tabs button, #view-${view} :is(input, select, button)`)];
  const shown = all.filter((e) => e.offsetParent !== null);
  const box = (e) => e.getBoundingClientRect();
  const far = [];
  for (const label of document.querySelectorAll(`#controls label, #view-${view} label`)) {
    const c = label.querySelector("input, select");
    if (!c || c.offsetParent === null) continue;
    const l = box(label), r = box(c);
    const text = [...label.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(" ");
    if (r.left - l.left > 200 || Math.abs((r.top + r.bottom) / 2 - (l.top + l.bottom) / 2) > 24) far.push(text || c.id);
  }
  return {
    scroll: document.documentElement.scrollWidth, width, shown: shown.length,
    outside: shown.filter((e) => { const r = box(e); return r.left < 0 || r.right > width + 0.5 || r.width < 1 || r.height < 1; }).map((e) => e.id || e.textContent),
    hidden: all.filter((e) => e.offsetParent === null && !e.closest("[hidden], [style*='display: none']")).map((e) => e.id || e.textContent),
    far,
  };
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_view_fits_its_screen_with_every_control_shown_and_a_tap_starts_a_run(server, browser, size, tmp_path):
    errors: list[str] = []
    page = _open(browser, size, f"{server}/?{urllib.parse.urlencode(SMALL)}", errors)
    # a tap (phone) or a click (desktop) on the loss starts a run there
    xy = page.evaluate("([w, b]) => window.landscapePixel(w, b)", [0.5, 0.5])
    if size == "phone":
        page.touchscreen.tap(xy[0], xy[1])
    else:
        page.mouse.click(xy[0], xy[1])
    page.wait_for_function("document.querySelectorAll('#runs li.run').length === 1", timeout=60_000)
    assert "2000 steps from (0.5, 0.5)" in page.inner_text("#runs li.run")  # the tapped point, the default steps
    body = {"start": {"w": 0.5, "b": 0.5}, "hyper": {"learning_rate": 0.01}, "steps": 2000}  # the page's defaults
    req = urllib.request.Request(server + "/api/train", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        assert page.get_attribute("#runs li.run", "data-end-state") == json.loads(r.read())["end_state"]
    for view in VIEWS:
        page.click(f"#tabs button[data-view='{view}']")
        page.wait_for_function(IDLE, timeout=180_000)
        if view == "networks":
            page.wait_for_selector("body[data-networks-drawn='1']", timeout=180_000)
        got = page.evaluate(LAYOUT, view)
        assert got["scroll"] <= got["width"], (size, view, got)  # no sideways scrolling
        assert got["shown"] >= 8 and not got["outside"] and not got["hidden"], (size, view, got)
        assert not got["far"], (size, view, got)  # each label sits beside its input
        page.screenshot(path=str(tmp_path / f"{size}-{view}.png"), full_page=True)
    if size == "phone":  # one column, the plot first and as wide as the screen; no mode bar over the titles
        plot = page.evaluate(
            "(() => { const r = document.querySelector('#landscape').getBoundingClientRect(); return [r.left, r.right]; })()"
        )
        page.click("#tabs button[data-view='landscape']")
        plot = page.evaluate(
            "(() => { const r = document.querySelector('#landscape').getBoundingClientRect(); return [r.left, r.right]; })()"
        )
        assert plot[0] >= 0 and plot[1] <= 390 and plot[1] - plot[0] > 330, plot
        assert page.locator("#landscape .modebar").count() == 0
    page.close()
    assert errors == [], errors


def test_a_diverging_run_is_drawn_as_diverged_without_console_errors(server, browser, tmp_path):
    errors: list[str] = []
    body = {"problem": {"activation": "relu", "inputs": "gaussian"}, "optimizer": "sgd", "gradient": "population"}
    runs = [
        {**body, "hyper": {"learning_rate": 50.0}, "start": {"w": -1.0, "b": 0.5}, "steps": 500},
        {**body, "hyper": {"learning_rate": 0.1}, "start": {"w": 0.5, "b": 0.5}, "steps": 500},
    ]
    page = _open(browser, "phone", f"{server}/?runs={urllib.parse.quote(json.dumps(runs))}", errors)
    page.wait_for_selector("body[data-runs-loaded='1']", timeout=60_000)
    items = page.eval_on_selector_all("#runs li.run", "els => els.map(e => [e.dataset.diverged, e.textContent])")
    assert [i[0] for i in items] == ["true", "false"] and "diverged at step" in items[0][1], items
    # the drawing holds only finite, near coordinates, and marks where the run was last seen
    coords = page.evaluate(
        "document.getElementById('landscape').data.filter(t => t.type === 'scatter' || !t.type).flatMap(t => [...(t.x || []), ...(t.y || [])])"
    )
    assert all(v is None or abs(v) < 1e6 for v in coords)
    texts = page.evaluate("document.getElementById('landscape').data.flatMap(t => t.text || [])")
    assert any("diverged (step" in t for t in texts)
    page.screenshot(path=str(tmp_path / "diverged.png"), full_page=True)
    page.close()
    assert errors == [], errors


def test_the_networks_tab_shows_the_servers_numbers_and_the_progress_of_a_compiling_request(server, browser, tmp_path):
    errors: list[str] = []
    page = _open(browser, "desktop", f"{server}/?view=networks&{urllib.parse.urlencode(SMALL)}", errors)
    page.wait_for_selector("body[data-networks-drawn='1']", timeout=180_000)

    def api(path, body):
        req = urllib.request.Request(server + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    born = api(
        "/api/born_dead", {"depths": [2, 3], "widths": [2], "samples": 1000, "scheme": "symmetric", "bias": False}
    )
    shown = page.eval_on_selector_all(
        "#born-table tr[data-depth]",
        "rs => rs.map(r => [Number(r.dataset.depth), Number(r.dataset.probability), r.dataset.closedForm])",
    )
    assert shown == [[r["depth"], r["probability"], str(r["closed_form"])] for r in born["rows"]]
    growth = api("/api/growth", {"slopes": [0.5, 1.5], "depth": 20, "width": 16, "nets": 32})
    rates = page.eval_on_selector_all("#growth-table tr[data-slope]", "rs => rs.map(r => Number(r.dataset.rate))")
    assert rates == [r["rate"] for r in growth["rows"]]
    spur = api("/api/spurious", {"k": 7, "starts": 16, "prove": False})
    row = page.eval_on_selector("#spurious-table tr[data-k='7']", "r => ({...r.dataset})")
    assert float(row["rate"]) == spur["rate"] and float(row["barrier"]) == spur["path"]["barrier"]
    assert page.locator("#spectrum-plot .main-svg").count() and page.locator("#path-plot .main-svg").count()
    # a search of a new k compiles its programs: the plots it will redraw say so while the server works
    page.select_option("#nw-k", "12")
    page.click("#nw-spurious-go")
    page.wait_for_selector(".plot-box:has(#spectrum-plot) > .overlay:not([hidden])", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('.plot-box:has(#spectrum-plot) > .overlay .compiling').textContent.includes('compiling')",
        timeout=30_000,
        polling=50,
    )
    page.screenshot(path=str(tmp_path / "networks-compiling.png"))
    page.wait_for_selector("#spurious-table tr[data-k='12']", timeout=180_000)
    assert page.is_hidden(".plot-box:has(#spectrum-plot) > .overlay")
    page.screenshot(path=str(tmp_path / "networks.png"), full_page=True)
    # the warm-up has finished by now: the banner is gone, and the status says what it did
    page.wait_for_selector("body[data-warm='done']", timeout=120_000)
    assert page.is_hidden("#warm")
    with urllib.request.urlopen(server + "/api/status") as r:
        status = json.loads(r.read())
    assert status["warmup"]["finished"] and status["warmup"]["done"] == 2 and not status["warmup"]["failed"]
    page.close()
    assert errors == [], errors
