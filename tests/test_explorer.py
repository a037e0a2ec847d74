"""The explorer: its JSON API through Starlette's test client (validation, caps, the library's numbers,
concurrency) and its page in a real headless Chromium driven by Playwright."""

import hashlib
import json
import os
import shutil
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as L

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from explorer import schema  # noqa: E402
from explorer.app import create_app  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    report = tmp_path_factory.mktemp("report") / "report.json"
    report.write_text(
        json.dumps(
            {
                "claims": [
                    {"id": "Q2", "verdict": "confirmed", "statement": "dies at w = 0"},
                    {"id": "A9", "verdict": "partly refuted", "statement": "momentum"},
                ]
            }
        )
    )
    return TestClient(create_app(str(report)), base_url="http://127.0.0.1")


def _direct(w, b, lr=0.1, steps=2000, optimizer="sgd"):
    """``landscape.train`` called directly: the relu student on (w, b), exact gradients, float64."""
    t = L.train(
        L.Problem(student="relu", trained=("w", "b")),
        {"w": jnp.asarray([w], jnp.float64), "b": jnp.asarray([b], jnp.float64)},
        optimizer=optimizer,
        steps=steps,
        gradient="population",
        record_every=steps,
        hyperparams={"learning_rate": lr},
        key=jax.random.key(0),
    )
    return float(t.final["w"][0]), float(t.final["b"][0])


def test_a_run_answers_the_librarys_float64_numbers(client):
    r = client.post(
        "/api/train",
        json={"start": {"w": -1.0, "b": 0.5}, "optimizer": "sgd", "hyper": {"learning_rate": 0.1}, "steps": 2000},
    )
    assert r.status_code == 200
    d = r.json()
    assert d["end_state"] == "dead" and len(d["w"]) == len(d["steps"]) == 101  # compute.RECORDS intervals
    w, b = _direct(-1.0, 0.5)
    assert float(d["final_repr"]["w"]) == w and float(d["final_repr"]["b"]) == b
    good = client.post("/api/train", json={"start": {"w": 0.5, "b": 0.5}, "hyper": {"learning_rate": 0.1}}).json()
    assert good["end_state"] == "global_min" and abs(good["final"]["w"] - 1) < 1e-6


def test_landscape_basins_one_weight_and_phase_are_the_librarys(client):
    d = client.post("/api/landscape", json={"n": 61, "box": {"w": [-3, 3], "b": [-3, 3]}}).json()
    p = L.Problem(student="relu", trained=("w", "b"))
    for i, j in ((0, 0), (40, 20), (60, 60)):
        assert d["loss"][i][j] == pytest.approx(float(p.population_loss({"w": d["w"][i], "b": d["b"][j]})), rel=1e-12)
    assert d["dead"][30][20] == 1 and d["dead"][40][30] == 0  # w = 0, b = -1 is dead; w = 1, b = 0 is not
    bas = client.post("/api/basins", json={"n": 16, "steps": 500, "hyper": {"learning_rate": 0.1}}).json()
    assert np.asarray(bas["labels"]).shape == (16, 16) and sum(bas["fractions"].values()) == pytest.approx(1.0)
    assert 0 < bas["fractions"]["dead"] < 1 and 0 < bas["fractions"]["global_min"] < 1
    ow = client.post("/api/one_weight", json={"w0": -1.0, "steps": 200}).json()
    # the original: a negative weight decays toward 0 like (1 - lr)^t (the exact slope is w) and never crosses it
    assert ow["w"][0] == -1.0 and max(ow["w"]) < 0 and ow["w"][-1] == pytest.approx(-(0.99**200), rel=0.1)
    ph = client.post("/api/phase", json={"n": 16, "steps": 200}).json()
    assert np.asarray(ph["first_crossing"]).shape == (16, 16) and ph["disagreement_cells"] == 0


@pytest.mark.parametrize(
    "path, body, needle",
    [
        ("/api/train", {"start": {"w": float("nan"), "b": 0}}, "w must be a finite number"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "steps": -5}, "steps must be one of 100, 200, 500"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "steps": 10**9}, "steps must be one of"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "steps": 700}, "steps must be one of"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "gradient": "minibatch", "steps": 10000}, "2000, 5000, got 10000"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "problem": {"activation": "leaky_relu", "slope": 0.31}}, "multiple"),
        ("/api/train", {"start": {"w": 10**400, "b": 0}}, "digits"),
        ("/api/landscape", {"box": None}, "box must be a JSON object"),
        ("/api/landscape", {"box": {"w": "x"}}, "w must be a range"),
        ("/api/landscape", {"problem": []}, "problem must be a JSON object"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "problem": {"activation": "tanh"}}, "activation must be one of"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "problem": {"activation": "leaky_relu", "slope": 2}}, "slope"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "optimizer": "lbfgs"}, "optimizer must be one of"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "hyper": {"learning_rate": -1}}, "learning_rate"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "hyper": {"momentum": 0.5}}, "does not take"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "optimizer": "momentum", "hyper": {"momentum": 1.0}}, "momentum"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "gradient": "minibatch", "batch_size": 0}, "batch_size"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "hyper": None}, "hyper must be a JSON object"),
        ("/api/train", {"start": [0, 0]}, "start must be a JSON object"),
        ("/api/train", {}, "start must be given"),
        ("/api/train", {"start": {"w": True, "b": 0}}, "w must be a number"),
        ("/api/landscape", {"n": 10**9}, "n must be one of 61, 121, 201"),
        ("/api/landscape", {"box": {"w": [3, -3]}}, "lo < hi"),
        ("/api/landscape", {"problem": {"inputs": "uniform", "lo": 1, "hi": 1}}, "lo < hi"),
        ("/api/basins", {"n": 129}, "n must be one of 16, 32, 64, 128"),
        ("/api/basins", {"n": 128, "problem": {"activation": "elu"}}, "n must be one of 16, 32, 64, got 128"),
        ("/api/basins", {"steps": 10**6}, "steps"),
        ("/api/phase", {"method": "adam"}, "method must be one of"),
        ("/api/phase", {"w0": 1}, "w0"),
        ("/api/one_weight", {"learning_rate": "fast"}, "learning_rate must be a number"),
    ],
)
def test_bad_values_get_a_422_naming_the_value_and_what_is_allowed(client, path, body, needle):
    r = client.post(path, content=json.dumps(body, allow_nan=True), headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"] and "Traceback" not in r.text


def test_malformed_and_oversized_requests_and_unknown_paths(client):
    js = {"Content-Type": "application/json"}
    assert client.post("/api/train", content=b"{not json", headers=js).status_code == 422
    assert client.post("/api/train", content=b"[1, 2]", headers=js).status_code == 422
    assert client.post("/api/train", content=b"[" * 100_000, headers=js).status_code in (413, 422)
    assert client.post("/api/train", content=b"[" * 30_000, headers=js).status_code == 422  # nests too deeply
    big = b'{"pad": "' + b"x" * (schema.CAPS["body_bytes"] + 10) + b'"}'
    assert client.post("/api/train", content=big, headers=js).status_code == 413
    # a plain-text POST (what a page elsewhere can send without asking) and a foreign host name are refused
    assert client.post("/api/train", content=b'{"start": {"w": 0, "b": 0}}').status_code == 415
    assert client.get("/api/config", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/static/../explorer/app.py").status_code == 404
    assert client.get("/static/%2e%2e/app.py").status_code == 404
    assert client.get("/api/train").status_code in (404, 405)
    bundle = client.get("/vendor/plotly.min.js")  # the committed partial bundle, named with its checksum
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("application/javascript")
    with open(os.path.join(ROOT, "explorer", "static", "vendor", "README.md")) as fh:
        assert hashlib.sha256(bundle.content).hexdigest() in fh.read()
    v = client.get("/api/verdicts").json()["verdicts"]
    assert [r["id"] for r in v] == ["Q2", "A9"] and v[1]["view"].startswith("view=phase")


def test_concurrent_requests_do_not_corrupt_one_another(client):
    starts = [(-1.0, 0.5), (0.5, 0.5), (2.0, -1.0), (-0.3, 1.2), (1.5, 0.3), (-2.0, -0.5)]
    bodies = [
        {"start": {"w": w, "b": b}, "hyper": {"learning_rate": 0.05 + 0.01 * i}, "steps": 500}
        for i, (w, b) in enumerate(starts)
    ]
    with ThreadPoolExecutor(6) as ex:
        got = list(ex.map(lambda body: client.post("/api/train", json=body).json(), bodies))
    for body, d in zip(bodies, got):
        w, b = _direct(body["start"]["w"], body["start"]["b"], lr=body["hyper"]["learning_rate"], steps=500)
        assert (float(d["final_repr"]["w"]), float(d["final_repr"]["b"])) == (w, b)


def test_a_new_step_size_step_count_or_start_does_not_recompile(client):
    body = {"start": {"w": 0.7, "b": 0.1}, "hyper": {"learning_rate": 0.031}, "steps": 1000}
    client.post("/api/train", json=body)
    before = L.engine.TRACE_COUNT["train"]
    for lr, steps in ((0.032, 1000), (0.033, 5000), (0.034, 200)):
        r = client.post(
            "/api/train", json={**body, "hyper": {"learning_rate": lr}, "start": {"w": lr, "b": 0.2}, "steps": steps}
        )
        assert r.status_code == 200 and r.json()["steps"][-1] == steps
    assert L.engine.TRACE_COUNT["train"] == before


def test_cli_refuses_bad_ports_in_one_line(capsys):
    from explorer.__main__ import main

    assert main(["--port", "70000"]) == 2
    assert main(["--port", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(e.startswith("error:") for e in err)


# ---------------------------------------------------------------- the page in a real browser
def _chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    report = tmp_path_factory.mktemp("page") / "report.json"
    report.write_text(json.dumps({"claims": [{"id": "Q2", "verdict": "confirmed", "statement": "dies at w = 0"}]}))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(str(report)), host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)


def test_page_in_a_headless_browser_runs_from_clicked_starts_with_the_librarys_numbers(server, tmp_path):
    exe = _chromium()
    if exe is None:
        if os.environ.get("RELU_LANDSCAPE_REQUIRE_BROWSER"):
            pytest.fail("no Chromium found, and this run requires the browser tests (apt-get install chromium)")
        pytest.skip("no Chromium on this machine: the browser tests did not run (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server + "/?lr=0.1&steps=2000")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        for k, (w, b) in enumerate(((-1.0, 0.5), (0.5, 0.5))):  # the dead region, the good region
            page.wait_for_function("document.body.dataset.idle === '1'", timeout=60_000)
            xy = page.evaluate("([w, b]) => window.landscapePixel(w, b)", [w, b])
            page.mouse.click(xy[0], xy[1])
            page.wait_for_function(f"document.querySelectorAll('#runs li.run').length > {k}", timeout=60_000)
        runs = page.eval_on_selector_all("#runs li.run", "els => els.map(e => ({...e.dataset}))")
        assert [r["endState"] for r in runs] == ["dead", "global_min"], runs
        for r, (w, b) in zip(runs, ((-1.0, 0.5), (0.5, 0.5))):
            sw, sb = float(r["startW"]), float(r["startB"])
            assert abs(sw - w) < 0.05 and abs(sb - b) < 0.05  # where the click landed, to a pixel
            fw, fb = _direct(sw, sb)
            assert float(r["finalW"]) == pytest.approx(fw, rel=1e-9, abs=1e-12)
            assert float(r["finalB"]) == pytest.approx(fb, rel=1e-9, abs=1e-12)
        # the view is a URL: every run with its full settings; a fresh page opening it computes the same numbers,
        # whatever its own controls say
        page.wait_for_function("document.body.dataset.idle === '1'", timeout=60_000)
        link = page.url
        assert "runs=" in link
        fresh = browser.new_page(viewport={"width": 1400, "height": 900})
        fresh.on("pageerror", lambda e: errors.append(str(e)))
        fresh.goto(link.replace("optimizer=sgd", "optimizer=amsgrad"))  # other controls: the runs keep theirs
        fresh.wait_for_selector("body[data-runs-loaded='1']", timeout=120_000)
        again = fresh.eval_on_selector_all("#runs li.run", "els => els.map(e => ({...e.dataset}))")
        assert [(r["finalW"], r["finalB"], r["endState"]) for r in again] == [
            (r["finalW"], r["finalB"], r["endState"]) for r in runs
        ]
        assert all(json.loads(r["settings"])["optimizer"] == "sgd" for r in again)
        fresh.close()
        page.screenshot(path=str(tmp_path / "explorer.png"))
        # a cap is never applied silently: 20000 steps cannot run with minibatches, and the control says so
        page.select_option("#steps", "20000")
        page.select_option("#gradient", "minibatch")
        assert page.input_value("#steps") == str(schema.CAPS["minibatch_steps"])
        assert page.evaluate("[...document.querySelectorAll('#steps option')].find(o => o.value === '20000').disabled")
        assert "at most" in page.text_content("#status")
        page.select_option("#gradient", "population")
        # the phase view: the marker is the controls' optimizer; for Adam the page says the diagram does not apply
        page.click("#tabs button[data-view='phase']")
        page.wait_for_selector("#phase-plot .main-svg", timeout=120_000)
        page.select_option("#ph-method", "sgd")
        page.click("#ph-go")
        page.wait_for_function("document.getElementById('phase-plot').dataset.marker === 'shown'", timeout=120_000)
        page.select_option("#optimizer", "adam")
        page.wait_for_function("document.getElementById('phase-plot').dataset.marker === 'hidden'", timeout=30_000)
        assert "do not apply" in page.text_content("#ph-note")
        # a basin map drawn for one step size is marked stale when the step size changes
        page.click("#tabs button[data-view='basins']")
        page.select_option("#basins-n", "32")
        page.click("#basins-go")
        page.wait_for_function("document.getElementById('basins-fractions').dataset.fractions", timeout=120_000)
        assert page.is_hidden("#basins-stale")
        page.fill("#lr", "0.002")
        page.dispatch_event("#lr", "change")
        assert page.is_visible("#basins-stale")
        page.click("#tabs button[data-view='verdicts']")
        page.wait_for_selector("#verdicts li a", timeout=30_000)
        assert page.get_attribute("#verdicts li a", "href").startswith("?view=landscape")
        browser.close()
    assert errors == [], errors
