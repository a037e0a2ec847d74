"""The explorer against hostile and careless requests: every refusal names the field and what is allowed, the
total work of a request is bounded, work stops when its client leaves, memory stays bounded, and odd bytes,
methods and reports get clear answers, never a 500 or a logged traceback."""

import json
import socket
import threading
import time

import pytest

starlette = pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from explorer import app as A  # noqa: E402
from explorer import schema  # noqa: E402
from explorer.app import create_app  # noqa: E402

JS = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    report = tmp_path_factory.mktemp("report") / "report.json"
    report.write_text(json.dumps({"claims": [{"id": "Q2", "verdict": "confirmed", "statement": "dies"}]}))
    return TestClient(create_app(str(report)), base_url="http://127.0.0.1")


@pytest.mark.parametrize(
    "path, body, needle",
    [
        ("/api/train", {"start": {"w": 0, "b": 0}, "learning_rate": 0.1}, "no field 'learning_rate'"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "step": 100}, "no field 'step'"),
        ("/api/train", {"start": {"w": 0, "b": 0, "c": 1}}, "start has no field 'c'"),
        ("/api/train", {"start": {"w": 0, "b": 0}, "seed": 3}, "belong to minibatch runs"),
        ("/api/basins", {"problem": {"activation": "relu", "slop": 0.3}}, "problem has no field 'slop'"),
        ("/api/phase", {"method": "momentum", "lr": 1}, "no field 'lr'"),
    ],
)
def test_unknown_or_misplaced_fields_are_refused_by_name(client, path, body, needle):
    r = client.post(path, json=body)
    assert r.status_code == 422 and needle in r.json()["error"], r.text


def test_the_total_work_of_a_request_is_bounded_before_any_work(client):
    # within every per-parameter cap, but about four minutes of work on this machine
    body = {
        "problem": {"activation": "selu", "inputs": "uniform", "lo": -10, "hi": 10},
        "n": 64,
        "steps": 5000,
    }
    t = time.perf_counter()
    r = client.post("/api/basins", json=body)
    assert r.status_code == 422 and "would take about" in r.json()["error"], r.text
    assert time.perf_counter() - t < 2.0  # refused at once
    assert schema.work_seconds("basins", schema.basins(dict(body, n=32, steps=1000))) <= schema.WORK_S


def test_odd_bytes_methods_and_reports_get_clear_answers(client, tmp_path):
    r = client.post("/api/train", content=b'{"start": {"w": 0, "b": 0}, "optimizer": "\\ud800"}', headers=JS)
    assert r.status_code == 422 and "optimizer must be one of" in r.json()["error"]
    r = client.get("/api/train")
    assert r.status_code == 405 and "answers POST requests, not GET" in r.json()["error"]
    assert "POST" in r.headers["allow"]
    for content, note in [
        (b"\x00\x01binary", "corrupt"),
        (b"[1, 2]", "no list of claims"),
        (b'{"claims": [1, 2]}', "no list of claims"),
        (b'{"claims": "x"}', "no list of claims"),
    ]:
        report = tmp_path / "report.json"
        report.write_bytes(content)
        c = TestClient(create_app(str(report)), base_url="http://127.0.0.1")
        got = c.get("/api/verdicts")
        assert got.status_code == 200 and note in got.json()["note"] and got.json()["verdicts"] == []
    missing = TestClient(create_app(str(tmp_path / "none.json")), base_url="http://127.0.0.1")
    assert "no report.json yet" in missing.get("/api/verdicts").json()["note"]


def test_the_answer_cache_is_bounded_in_bytes():
    cache = A.AnswerCache(1000, max_bytes=100)
    for i in range(50):
        cache.put(i, "x" * 20)
    assert cache.bytes <= 100 and len(cache.data) == 5
    cache.put("big", "y" * 80)  # over a quarter of the budget: never kept
    assert cache.get("big") is None and cache.bytes <= 100


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(
        uvicorn.Config(
            create_app(str(tmp_path_factory.mktemp("r") / "r.json")), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield port
    srv.should_exit = True
    th.join(10)


def _send(port, body: bytes, *, close_after=None, declared=None):
    s = socket.create_connection(("127.0.0.1", port))
    head = (
        f"POST /api/basins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared if declared is not None else len(body)}\r\n\r\n"
    ).encode()
    s.sendall(head + body)
    if close_after is not None:
        time.sleep(close_after)
        s.close()
        return None
    data = b""
    s.settimeout(60)
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < int(
        dict(l.split(": ", 1) for l in data.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:] if ": " in l).get(
            "content-length", "0"
        )
    ):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


def test_work_stops_when_its_client_leaves_and_a_stalled_body_leaves_no_traceback(live, capfd):
    # a long basin map of a smooth student (32 x 32 starts, 1000 steps: about fifteen seconds here, within the
    # work cap) whose client leaves at once, on every worker
    heavy = json.dumps(
        {"problem": {"activation": "softplus"}, "n": 32, "steps": 1000, "hyper": {"learning_rate": 0.013}}
    ).encode()
    for _ in range(2):  # as many as there are workers
        _send(live, heavy, close_after=0.3)
    time.sleep(A.DISCONNECT_POLL_S * 4)
    t = time.perf_counter()
    quick = _send(live, json.dumps({"n": 16, "steps": 100}).encode())
    waited = time.perf_counter() - t
    assert quick.startswith(b"HTTP/1.1 200"), quick[:200]
    # the abandoned maps stopped after their current chunk, well before the fifteen seconds they would have taken
    assert waited < 7.0, waited
    # a body that stalls and then disconnects: an empty answer to nobody, and nothing logged as a traceback
    _send(live, b'{"n": 1', declared=100, close_after=0.5)
    time.sleep(0.5)
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ClientDisconnect" not in err, err[-2000:]
