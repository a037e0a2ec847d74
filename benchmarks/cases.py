"""Benchmark cases: each measures a candidate and its baselines side by side.

Contract: ``run_case(name, quick)`` returns a dict of named measurements
(seconds, throughputs, ratios) and raises ``AssertionError`` if the compared
runs did not compute the same thing. Each case is meant to run in its own
process (see ``benchmarks.__main__``) so that its peak memory is its own.
Sizes are the issues' targets; ``quick`` shrinks them for tests.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import landscape as L


def _best(fn, repeat=3):
    """Best wall time of ``repeat`` calls after one warm-up call; and its result."""
    out = fn()
    jax.block_until_ready(out)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        jax.block_until_ready(out)
        best = min(best, time.perf_counter() - t)
    return best, out


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _uniform_starts(n, seed=0, dtype=jnp.float32):
    rng = np.random.default_rng(seed)
    return {"w": jnp.asarray(rng.uniform(-3, 3, n), dtype), "b": jnp.asarray(rng.uniform(-3, 3, n), dtype)}


def case_grid(quick=False):
    """Exact loss+grad over a (w, b) grid against a Monte-Carlo loss+grad."""
    n = 100 if quick else 1000
    n_mc_side = 10 if quick else 40
    samples = 10_000
    problem = L.Problem(trained=("w", "b"))
    out = {}
    for dtype in (jnp.float32, jnp.float64):
        if dtype == jnp.float64 and not jax.config.read("jax_enable_x64"):
            continue
        ax = jnp.linspace(-3, 3, n, dtype=dtype)
        t, _r = _best(lambda: L.grid(problem, {"w": ax, "b": ax}).loss)
        out[f"exact_{jnp.dtype(dtype).name}_points_per_s"] = n * n / t
    # Monte Carlo: mean over 10^4 fresh samples of the per-sample loss and gradient
    x = jax.random.normal(
        jax.random.key(0), (samples,), jnp.float64 if jax.config.read("jax_enable_x64") else jnp.float32
    )
    axm = jnp.linspace(-3, 3, n_mc_side, dtype=x.dtype)
    W, B = jnp.meshgrid(axm, axm, indexing="ij")

    @jax.jit
    def mc(W, B):
        f = lambda w, b: jax.value_and_grad(lambda p: L.neuron.batch_loss(problem, p, x))({"w": w, "b": b})
        return jax.vmap(f)(W.ravel(), B.ravel())

    t_mc, (mc_loss, _) = _best(lambda: mc(W, B))
    exact = L.grid(problem, {"w": axm, "b": axm}).loss
    if exact is None:
        raise RuntimeError("the grid returned no loss")
    err = np.abs(np.asarray(mc_loss) - np.asarray(exact.ravel()))
    out["mc_points_per_s"] = n_mc_side**2 / t_mc
    out["mc_samples"] = samples
    out["mc_max_abs_error"] = float(err.max())
    out["mc_mean_abs_error"] = float(err.mean())
    best_exact = max(v for k, v in out.items() if k.startswith("exact_"))
    out["ratio_exact_over_mc"] = best_exact / out["mc_points_per_s"]
    side = 512 if quick else 4096
    ax = jnp.linspace(-3, 3, side, dtype=jnp.float32)
    t4, _ = _best(lambda: L.grid(problem, {"w": ax, "b": ax}).loss, repeat=2)
    out[f"exact_grid_{side}x{side}_f32_s"] = t4
    return out


def _keras_available():
    return importlib.util.find_spec("keras") is not None


def _keras_original(w0, batches, lr=0.01, bias=False):
    """The original Keras experiment (Dense(1) then ReLU, SGD, MSE) on given batches."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=bias), keras.layers.ReLU()])
    weights = [np.array([[w0[0]]], np.float32)] + ([np.array([w0[1]], np.float32)] if bias else [])
    model.layers[0].set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")

    def gen():
        for batch in batches:
            x = batch.reshape(-1, 1)
            yield x, np.maximum(x, 0)

    steps = len(batches)
    t = time.perf_counter()
    # keras documents verbose as "auto", 0, 1 or 2; unannotated, its type is inferred from the "auto" default
    model.fit(gen(), steps_per_epoch=100, epochs=steps // 100, verbose=0)  # pyright: ignore[reportArgumentType]
    dt = time.perf_counter() - t
    return dt, [float(v.ravel()[0]) for v in model.layers[0].get_weights()]


def _batches(problem, key, steps, batch, dtype=jnp.float32):
    return [np.asarray(L.sample_inputs(problem, jax.random.fold_in(key, t), (batch,), dtype)) for t in range(steps)]


def _python_loop(problem, init, lr, steps, batch, key):
    """One start at a time, one jitted step per Python iteration (what Keras `fit` does)."""

    @jax.jit
    def step(p, t):
        x = L.sample_inputs(problem, jax.random.fold_in(key, t), (batch,), p["w"].dtype)
        g = jax.grad(lambda q: L.neuron.batch_loss(problem, q, x))(p)
        return jax.tree_util.tree_map(lambda a, d: a - lr * d, p, g)

    p = {k: v[0] for k, v in init.items()}
    step(p, 0)
    t = time.perf_counter()
    for s in range(steps):
        p = step(p, s)
    jax.block_until_ready(p)
    return time.perf_counter() - t, {k: float(v) for k, v in p.items()}


def _train_case(problem, n_starts, n_direct, steps, batch, with_keras, keras_bias):
    key = jax.random.key(0)
    init = _uniform_starts(n_starts) if "b" in problem.trained else {"w": _uniform_starts(n_starts)["w"]}
    init["w"] = init["w"].at[0].set(-10.0)
    opt = L.optimizer("sgd", learning_rate=0.01)
    kw: dict[str, Any] = dict(optimizer=opt, steps=steps, batch_size=batch, key=key, record_every=100)
    out = {"starts": n_starts, "steps": steps, "batch": batch, "trained": ",".join(problem.trained)}
    t_fast, fast = _best(lambda: L.train(problem, init, **kw).final, repeat=1)
    sub = {k: v[:n_direct] for k, v in init.items()}
    t_dir, direct = _best(lambda: L.train(problem, sub, path="direct", **kw).final, repeat=1)
    for k in problem.trained:  # same batches, same numbers
        np.testing.assert_allclose(np.asarray(fast[k][:n_direct]), np.asarray(direct[k]), rtol=2e-3, atol=2e-4)
    out["sorted_trajectories_per_s"] = n_starts / t_fast
    out["sorted_sample_steps_per_s"] = n_starts * steps * batch / t_fast
    out["direct_trajectories_per_s"] = n_direct / t_dir
    out["direct_sample_steps_per_s"] = n_direct * steps * batch / t_dir
    t_loop, loop_final = _python_loop(problem, init, 0.01, steps, batch, key)
    for k in problem.trained:
        assert abs(loop_final[k] - float(fast[k][0])) < 2e-3 * max(1.0, abs(loop_final[k])), (k, loop_final, fast[k][0])
    out["python_loop_trajectories_per_s"] = 1.0 / t_loop
    out["ratio_sorted_over_direct"] = out["sorted_trajectories_per_s"] / out["direct_trajectories_per_s"]
    out["ratio_sorted_over_python_loop"] = out["sorted_trajectories_per_s"] / out["python_loop_trajectories_per_s"]
    out["ratio_direct_over_python_loop"] = out["direct_trajectories_per_s"] / out["python_loop_trajectories_per_s"]
    if with_keras and _keras_available():
        w0 = [float(init[k][0]) for k in problem.trained]
        batches = _batches(problem, key, steps, batch)
        _keras_original(w0, batches[:200], bias=keras_bias)  # warm-up: compile
        t_k, k_final = _keras_original(w0, batches, bias=keras_bias)
        for i, k in enumerate(problem.trained):
            assert abs(k_final[i] - float(fast[k][0])) < 2e-3 * max(1.0, abs(k_final[i])), (k, k_final, fast[k][0])
        out["keras_trajectories_per_s"] = 1.0 / t_k
        out["ratio_sorted_over_keras"] = out["sorted_trajectories_per_s"] / out["keras_trajectories_per_s"]
        out["ratio_direct_over_keras"] = out["direct_trajectories_per_s"] / out["keras_trajectories_per_s"]
    else:
        out["keras"] = "not installed"
    return out


def case_train(quick=False):
    """The original budget (2000 steps x batch 1000), many starts, against one-at-a-time loops and Keras."""
    if quick:
        return _train_case(L.Problem(), 256, 64, 200, 1000, True, False)
    return _train_case(L.Problem(), 4096, 512, 2000, 1000, True, False)


def case_fastpath(quick=False):
    """The (w, b) problem, 65,536 starts: sorted prefix sums vs direct autodiff vs Keras."""
    if quick:
        return _train_case(L.Problem(trained=("w", "b")), 1024, 64, 200, 1000, True, True)
    return _train_case(L.Problem(trained=("w", "b")), 65536, 1024, 2000, 1000, True, True)


def case_population(quick=False):
    """Exact-gradient sweeps: start-steps per second, and a basin map of many starts."""
    problem = L.Problem(trained=("w", "b"))
    n = 4096 if quick else 65536
    steps = 200 if quick else 2000
    init = _uniform_starts(n)
    kw: dict[str, Any] = dict(
        optimizer=L.optimizer("sgd", learning_rate=0.1),
        steps=steps,
        gradient="population",
        record_every=steps,
        key=jax.random.key(0),
    )
    t, _fin = _best(lambda: L.train(problem, init, **kw).final, repeat=2)
    out = {"starts": n, "steps": steps, "start_steps_per_s": n * steps / t}
    # the same sweep one start at a time through a per-step Python loop
    lr = 0.1

    @jax.jit
    def step(p):
        _, g = L.neuron.population_loss_and_grad(problem, p)
        return {k: p[k] - lr * g[k] for k in p}

    p = {k: v[0] for k, v in init.items()}
    step(p)
    loop_steps = min(steps, 500)
    t0 = time.perf_counter()
    for _ in range(loop_steps):
        p = step(p)
    jax.block_until_ready(p)
    out["python_loop_start_steps_per_s"] = loop_steps / (time.perf_counter() - t0)
    out["ratio_over_python_loop"] = out["start_steps_per_s"] / out["python_loop_start_steps_per_s"]
    big = 1 << (14 if quick else 20)
    init_big = _uniform_starts(big, seed=1)
    t_basin, _ = _best(lambda: L.train(problem, init_big, **kw).final, repeat=1)
    out[f"basin_map_{big}_starts_{steps}_steps_s"] = t_basin
    out["basin_start_steps_per_s"] = big * steps / t_basin
    return out


def case_stream(quick=False):
    """A population sweep far larger than one chunk, streamed through memory chunk by chunk."""
    problem = L.Problem(trained=("w", "b"))
    n = 100_000 if quick else 10_000_000
    steps = 100
    chunk = 1 << (14 if quick else 20)
    rng = np.random.default_rng(0)
    init = {"w": rng.uniform(-3, 3, n).astype(np.float32), "b": rng.uniform(-3, 3, n).astype(np.float32)}
    kw: dict[str, Any] = dict(
        optimizer=L.optimizer("sgd", learning_rate=0.1),
        steps=steps,
        gradient="population",
        record_every=steps,
        key=jax.random.key(0),
        chunk=chunk,
    )
    t0 = time.perf_counter()
    t = L.train(problem, init, **kw)
    dt = time.perf_counter() - t0
    # spot-check: a few starts rerun on their own give the same ends
    idx = np.asarray([0, n // 2, n - 1])
    s = L.train(problem, {k: v[idx] for k, v in init.items()}, **{**kw, "chunk": None})
    np.testing.assert_allclose(np.asarray(t.final["w"])[idx], np.asarray(s.final["w"]), rtol=1e-5, atol=1e-6)
    return {
        "starts": n,
        "steps": steps,
        "chunk": chunk,
        "seconds": dt,
        "start_steps_per_s": n * steps / dt,
        "input_mb": sum(v.nbytes for v in init.values()) / 2**20,
    }


def case_deep(quick=False):
    """Born-dead detection of depth-20 width-10 networks (the 30 s target for 10^5), and the
    batched spurious-minima descent, each against a one-at-a-time baseline."""
    from analysis import deep as D
    from landscape import networks as N

    n = 2000 if quick else 100_000
    out: dict[str, Any] = {"born_dead_networks": n}
    for bias, inputs in ((False, "gaussian"), (True, "uniform:-1,1")):
        tag = "bias" if bias else "nobias"
        t0 = time.perf_counter()
        r = D.born_dead(20, 10, bias=bias, inputs=inputs, samples=n)
        out[f"born_dead_{tag}_s"] = time.perf_counter() - t0
        out[f"born_dead_{tag}_probability"] = r["probability"]
    # baseline: exact piecewise-linear propagation network by network (what the batched filter spares)
    spec = N.MLP.uniform(20, 10, bias=True)
    m = 50 if quick else 1000
    params = jax.tree_util.tree_map(np.asarray, N.init_many(spec, jax.random.key(1), m, "he_normal"))
    t0 = time.perf_counter()
    one = [D.exact_dead_1d(spec, jax.tree_util.tree_map(lambda a: a[i], params), -1.0, 1.0) for i in range(m)]
    per_net = (time.perf_counter() - t0) / m
    assert D.dead_layers_1d(spec, params, (-1.0, 1.0)).tolist() == one  # the batched verdicts are the exact ones
    out["one_by_one_exact_networks_per_s"] = 1 / per_net
    out["ratio_batched_over_one_by_one"] = n / out["born_dead_bias_s"] * per_net
    # spurious minima: all starts in one call against one start at a time (same steps, same step size)
    k, starts, steps = 8, (64 if quick else 512), (200 if quick else 1000)
    problem = D.safran_shamir(k, k)
    W0 = jax.random.normal(jax.random.key(2), (starts, k, k), jnp.float64) / np.sqrt(k)
    t_all, W = _best(lambda: D.descend(problem, W0, lr=2.5 / k, steps=steps).final[0]["W"], repeat=1)
    t_one, W1 = _best(lambda: D.descend(problem, W0[:1], lr=2.5 / k, steps=steps).final[0]["W"], repeat=1)
    np.testing.assert_allclose(np.asarray(W[0]), np.asarray(W1[0]), rtol=1e-9, atol=1e-12)
    out["spurious_starts"] = starts
    out["spurious_batched_start_steps_per_s"] = starts * steps / t_all
    out["spurious_one_start_start_steps_per_s"] = steps / t_one
    out["ratio_spurious_batched_over_one_start"] = (
        out["spurious_batched_start_steps_per_s"] / out["spurious_one_start_start_steps_per_s"]
    )
    return out


def case_instruments(quick=False):
    """Hessian instruments on a teacher-student network of about 10^5 parameters (Safran-Shamir, k = n = 316,
    exact population loss): one HVP against one gradient, a 51 x 51 filter-normalized slice, the top-10
    eigenvalues (block Lanczos) and a 10-probe density; on a smaller model, the same against the dense Hessian."""
    from analysis import deep as D
    from analysis import instruments as I

    k = 32 if quick else 316
    problem = D.safran_shamir(k, k)
    W = jnp.eye(k) + 0.3 * jax.random.normal(jax.random.key(0), (k, k), jnp.float64) / np.sqrt(k)
    x = problem.ravel([{"W": W}])
    f = lambda v: problem.population_loss(problem.unravel(v))
    grad = jax.jit(jax.grad(f))
    hvp_xv = jax.jit(lambda x_, v_: L.hessian.hvp(problem, x_, v_))
    hvp = lambda v_: hvp_xv(x, v_)
    v = jax.random.normal(jax.random.key(1), x.shape, x.dtype)
    t_grad, _ = _best(lambda: grad(x), repeat=5)
    t_hvp, hv = _best(lambda: hvp(v), repeat=5)
    eps = 1e-5  # the HVP against central differences of the gradient
    fd = (grad(x + eps * v) - grad(x - eps * v)) / (2 * eps)
    assert float(jnp.linalg.norm(hv - fd) / jnp.linalg.norm(fd)) < 1e-5
    out = {
        "parameters": int(x.shape[0]),
        "gradient_s": t_grad,
        "hvp_s": t_hvp,
        "hvp_per_s": 1 / t_hvp,
        "ratio_hvp_over_gradient": t_hvp / t_grad,
    }
    centre = [{"W": W}]
    n = 11 if quick else 51
    coef = np.linspace(-1.0, 1.0, n)
    d1, d2 = I.directions(problem, centre, key=jax.random.key(2), n=2)
    t_cold = time.perf_counter()
    t_slice, sl = _best(lambda: I.slice2d(problem, centre, [d1, d2], coef, coef, chunk=64).loss, repeat=1)
    if sl is None:
        raise RuntimeError("the slice returned no loss")
    out["slice_points"] = n * n
    out["slice_s"] = t_slice
    assert abs(float(sl[n // 2, n // 2]) - float(f(x))) <= 1e-12 * max(1.0, float(f(x)))
    batch = [{"W": W[None]}]
    top = I.hessian_top(problem, batch, 10, key=jax.random.key(3))  # the converged Krylov size, compiled
    t_top, top = _best(lambda: I.hessian_top(problem, batch, 10, key=jax.random.key(3), steps=top["steps"]), repeat=1)
    out["top10_s"] = t_top
    out["top10_krylov_dim"] = top["krylov_dim"]
    out["top10_converged"] = bool(top["converged"][0])
    out["top10_max_residual"] = float(top["residuals"][0].max())
    t_sd, _sd = _best(
        lambda: I.spectral_density(problem, batch, key=jax.random.key(4), probes=10, steps=30)["density"], repeat=1
    )
    out["density_10_probes_30_steps_s"] = t_sd
    out["instruments_with_compilation_s"] = time.perf_counter() - t_cold
    out["top_eigenvalue"] = float(top["eigenvalues"][0, 0])
    # the smaller model: block Lanczos and SLQ against eigh of the dense Hessian
    ks = 12 if quick else 30
    small = D.safran_shamir(ks, ks)
    Ws = jnp.eye(ks) + 0.3 * jax.random.normal(jax.random.key(5), (ks, ks), jnp.float64) / np.sqrt(ks)
    xs = small.ravel([{"W": Ws}])
    fs = lambda v: small.population_loss(small.unravel(v))
    dense_fn = jax.jit(lambda v: jnp.linalg.eigvalsh(jax.hessian(fs)(v)))
    t_dense, ev = _best(lambda: dense_fn(xs), repeat=1)
    steps_s = I.hessian_top(small, [{"W": Ws[None]}], 10, key=jax.random.key(6))["steps"]  # converged size
    t_lz, top_s = _best(
        lambda: I.hessian_top(small, [{"W": Ws[None]}], 10, key=jax.random.key(6), steps=steps_s)["eigenvalues"],
        repeat=1,
    )
    err = float(np.max(np.abs(top_s[0] - np.asarray(ev)[::-1][:10])))
    assert err < 1e-8, err
    out.update(
        {
            "dense_parameters": ks * ks,
            "dense_hessian_eigh_s": t_dense,
            "dense_top10_lanczos_s": t_lz,
            "dense_top10_max_error": err,
            "ratio_dense_over_lanczos": t_dense / t_lz,
        }
    )
    return out


def _post(url, body, timeout=120):
    import json
    import urllib.error
    import urllib.request

    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            code = r.status
    except urllib.error.HTTPError as e:
        e.read()
        code = e.code
    except Exception:
        code = -1
    return code, time.perf_counter() - t


# The explorer's latency targets (seconds), measured by case_explorer on a 2-core CPU with nothing else running
EXPLORER_TARGETS = {
    "first_view_cold_s": 1.5,  # a fresh server with an empty cache folder: opening the page to the loss drawn
    "first_click_after_warmup_max_s": 1.5,  # the first run of every activation and optimizer, once warm-up is done
    "warm_click_p50_s": 0.1,  # a further run (a new start and step size)
    "phase_tab_s": 2.0,  # opening the phase tab
    "shared_link_7_runs_s": 2.0,  # opening a link with 7 runs (7 optimizers)
}


def _get_json(url, timeout=30):
    import json
    import urllib.request

    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def _spawn_explorer(cache_dir, extra=()):
    """``python -m explorer`` on a free port with its own cache folder; (process, base URL, seconds to listen)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "--port", str(port), "--cache-dir", cache_dir, *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(1200):
        if proc.poll() is not None:
            raise RuntimeError(f"the explorer exited with status {proc.returncode} before it served")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}", time.perf_counter() - t0


def _wait_warm(base, timeout=900):
    """Wait for the server's warm-up to finish; its seconds as the server counts them."""
    t_end = time.perf_counter() + timeout
    while time.perf_counter() < t_end:
        w = _get_json(base + "/api/status")["warmup"]
        if w["finished"]:
            if w["failed"]:
                raise AssertionError(f"warm-up requests failed: {w['failed']}")
            return float(w["seconds"])
        time.sleep(0.25)
    raise RuntimeError(f"the warm-up did not finish within {timeout} s")


def _page_seconds(browser, url, done, viewport=(1400, 900)):
    """Seconds from opening ``url`` in a new page to the JavaScript condition ``done``; console errors raise."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_function(done, timeout=300_000, polling=20)
    seconds = time.perf_counter() - t
    page.close()
    assert not errors, errors
    return seconds


def _against_targets(out):
    """Each targeted measurement beside its target, printed and kept (``<name>_target``, ``<name>_met``)."""
    for name, target in EXPLORER_TARGETS.items():
        v = out.get(name)
        if not isinstance(v, float):
            continue
        out[f"{name}_target"] = target
        out[f"{name}_met"] = bool(v < target)
        verdict = "met" if v < target else f"NOT met, {v - target:.3g} s over"
        print(f"  explorer {name:34s} {v:8.3f} s   target < {target:g} s: {verdict}", flush=True)


def case_explorer(quick=False):
    """The explorer over HTTP and in headless Chromium, each server in its own process with its own cache folder.

    From cold (a fresh server, an empty compilation cache): the server's start, the first view drawn, the
    warm-up of every activation, optimizer and view; after the warm-up: the first run of each activation and
    each optimizer, further runs, the phase and networks tabs, a shared link with 7 runs; the warm latencies
    of a 2000-step run and a basin map, and a bounded burst of concurrent good and bad requests (p50/p95,
    answers by status code, the server's peak memory, whether it is still up). Then a second server on the
    filled cache folder: its first view and its warm-up. Each targeted number is printed beside its target
    (``EXPLORER_TARGETS``)."""
    import json
    import pathlib
    import shutil
    import tempfile
    import urllib.parse
    from concurrent.futures import ThreadPoolExecutor

    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    from playwright.sync_api import sync_playwright

    if exe is None:
        raise RuntimeError("the explorer benchmark needs Chromium (apt-get install chromium)")
    out: dict[str, Any] = {}
    cache = tempfile.mkdtemp(prefix="explorer-cache-")
    drawn = "document.body.dataset.ready === '1' && document.body.dataset.pending === '0'"
    run = lambda w, lr, act="relu", opt="sgd": {
        "problem": {"activation": act, "inputs": "gaussian", **({"slope": 0.3} if act == "leaky_relu" else {})},
        "optimizer": opt,
        "hyper": {"learning_rate": lr},
        "start": {"w": w, "b": 0.5},
        "steps": 2000,
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        browser.new_page().close()  # the browser's own start is not the page's
        proc, base, listening = _spawn_explorer(cache)
        try:
            out["server_start_to_listening_s"] = listening
            out["first_view_cold_s"] = _page_seconds(browser, base + "/", drawn)
            out["warmup_empty_cache_s"] = _wait_warm(base)
            config = _get_json(base + "/api/config")  # what the page offers (benchmarks do not import the explorer)
            # the first run of every activation and every optimizer (a start and step size nobody asked for)
            firsts = {}
            for i, act in enumerate(config["activations"]):
                firsts[act] = _post(base + "/api/train", run(-0.77 - 0.01 * i, 0.0123, act=act))
            for i, opt in enumerate(config["optimizers"]):
                firsts[opt] = _post(base + "/api/train", run(-0.66 - 0.01 * i, 0.00321, opt=opt))
            assert all(code == 200 for code, _ in firsts.values()), firsts
            for name, (_, t) in firsts.items():
                out[f"first_click_{name}_s"] = t
            out["first_click_after_warmup_max_s"] = max(t for _, t in firsts.values())
            lat = [_post(base + "/api/train", run(-1.0 + 0.01 * i, 0.1 + 0.001 * i))[1] for i in range(1, 21)]
            out["warm_click_p50_s"] = float(np.median(lat))
            out["warm_click_max_s"] = max(lat)
            smooth = [_post(base + "/api/train", run(-1.3 + 0.01 * i, 0.02, act="elu"))[1] for i in range(5)]
            out["warm_click_elu_p50_s"] = float(np.median(smooth))
            out["phase_tab_s"] = _page_seconds(
                browser, base + "/?view=phase", drawn + " && !!document.querySelector('#phase-plot .main-svg')"
            )
            code, out["phase_uncomputed_request_s"] = _post(
                base + "/api/phase", {"method": "momentum", "n": 48, "steps": 2000, "w0": -9.5}
            )
            assert code == 200, code
            link = [run(-1.5 + 0.1 * i, 0.001 * (i + 1), opt=opt) for i, opt in enumerate(config["optimizers"])]
            url = base + "/?" + urllib.parse.urlencode({"view": "landscape", "runs": json.dumps(link)})
            out["shared_link_7_runs_s"] = _page_seconds(
                browser,
                url,
                "document.body.dataset.runsLoaded === '1' && document.querySelectorAll('#runs li.run').length === 7",
            )
            out["networks_tab_s"] = _page_seconds(
                browser, base + "/?view=networks", "document.body.dataset.networksDrawn === '1'"
            )
            out["phone_first_view_warm_s"] = _page_seconds(browser, base + "/", drawn, viewport=(390, 844))
            # warm throughput, as before
            n = 32 if quick else 128
            bas = lambda lr: {"n": n, "steps": 2000, "optimizer": "sgd", "hyper": {"learning_rate": lr}}
            _post(base + "/api/basins", bas(0.1))
            blat = [_post(base + "/api/basins", bas(0.1 + 0.001 * i))[1] for i in range(1, 4)]
            out[f"basin_map_{n}x{n}_s"] = float(np.median(blat))
            good = [("/api/train", run(-2 + 0.013 * i, 0.05 + 0.0007 * i)) for i in range(60)]
            good += [
                ("/api/landscape", {"n": (61, 121)[i % 2], "box": {"w": [-3 - i, 3], "b": [-3, 3]}}) for i in range(6)
            ]
            bad = [
                ("/api/train", {"start": {"w": "x", "b": 0}}),
                ("/api/train", b"{not json"),
                ("/api/basins", {"n": 10**9}),
                ("/api/train", {"start": {"w": 0, "b": 0}, "steps": -1}),
                ("/api/landscape", {"problem": {"activation": "tanh"}}),
                ("/api/nothing", {}),
                ("/api/train", b'{"pad": "' + b"x" * 70_000 + b'"}'),
            ] * 8
            burst = good + bad
            with ThreadPoolExecutor(16) as ex:
                answers = list(ex.map(lambda pb: _post(base + pb[0], pb[1]), burst))
            codes = {}
            for code, _ in answers:
                codes[str(code)] = codes.get(str(code), 0) + 1
            times = np.asarray([t for _, t in answers])
            out.update(
                {
                    "burst_requests": len(burst),
                    "burst_concurrency": 16,
                    "burst_p50_ms": 1e3 * float(np.median(times)),
                    "burst_p95_ms": 1e3 * float(np.quantile(times, 0.95)),
                }
            )
            out.update({f"burst_status_{c}": v for c, v in sorted(codes.items())})
            alive = _post(base + "/api/train", run(0.5, 0.1))[0] == 200 and proc.poll() is None
            out["server_up_after_burst"] = bool(alive)
            with open(f"/proc/{proc.pid}/status") as fh:
                peak = [line for line in fh if line.startswith("VmHWM")]
            out["server_peak_rss_mb"] = float(peak[0].split()[1]) / 1024 if peak else float("nan")
            assert alive and "500" not in codes and "-1" not in codes, codes
            assert codes.get("200", 0) == len(good), codes
        finally:
            proc.terminate()
            proc.wait(10)
        # a second server on the filled cache folder: programs come from disk
        proc, base, listening = _spawn_explorer(cache)
        try:
            out["restart_start_to_listening_s"] = listening
            out["restart_first_view_s"] = _page_seconds(browser, base + "/", drawn)
            out["restart_warmup_s"] = _wait_warm(base)
        finally:
            proc.terminate()
            proc.wait(10)
        browser.close()
    out["cache_folder_mb"] = sum(f.stat().st_size for f in pathlib.Path(cache).rglob("*") if f.is_file()) / 2**20
    shutil.rmtree(cache, ignore_errors=True)
    _against_targets(out)
    return out


def case_proofs(quick=False):
    """Time per proof of a spurious minimum (ball arithmetic, :mod:`analysis.proofs`) against k, side by side with
    the float64 check it replaces (the dense Hessian's eigenvalues): one point per k found by exact-gradient descent
    (k = 7: the published point), polished, then proven; the search is not timed."""
    from analysis import deep as D
    from analysis import proofs as PR

    ks = (7, 10) if quick else (7, 8, 10, 12, 14, 16, 18, 20)
    out: dict[str, Any] = {"ks": list(ks)}
    for k in ks:
        if k == 7:
            W = np.asarray(D.published_minimum_k7())
        else:
            r = D.spurious_minima(k, k, starts=32, key=jax.random.key(k), keep=1)
            if "spurious_points" not in r:
                out[f"k{k}_note"] = "no spurious end point among 32 starts"
                continue
            W = np.asarray(r["spurious_points"][0])
        W, _ = PR.polish(W, k)
        t_proof, c = _best(lambda W=W, k=k: PR.certify_minimum(W, k), repeat=1)
        assert c.proven and c.spurious, c.reason
        t_float, _ = _best(lambda W=W: D.minimum_check(W), repeat=3)
        out[f"k{k}_params"] = k * k
        out[f"k{k}_proof_s"] = t_proof
        out[f"k{k}_float_check_s"] = t_float
        out[f"k{k}_ratio_proof_over_float"] = t_proof / t_float
        out[f"k{k}_mu_over_float_min_eig"] = c.mu / c.float_min_eig
    return out


CASES = {
    "stream": case_stream,
    "grid": case_grid,
    "train": case_train,
    "fastpath": case_fastpath,
    "population": case_population,
    "deep": case_deep,
    "instruments": case_instruments,
    "explorer": case_explorer,
    "proofs": case_proofs,
}


def run_case(name, quick=False):
    out = CASES[name](quick)
    out["peak_rss_mb"] = _peak_rss_mb()
    return out
