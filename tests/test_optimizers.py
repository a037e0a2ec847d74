"""Optimizers: Keras' and Optax's Adam/AMSGrad against their published update equations."""

import importlib.util

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import landscape as L

GRADS = np.asarray([0.5, -1.0, 2.0, 0.1, -0.3, 1e-4, 3.0, -2.0, 0.0, 0.7] * 3)


def _reference(kind, lr, b1, b2, eps, amsgrad):
    """Update equations as published (Kingma & Ba 2015; Reddi et al. 2018; Keras docs)."""
    w, m, v, vmax, out = 0.0, 0.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        if kind == "keras":
            vmax = max(vmax, v)
            lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            w = w - lr_t * m / (np.sqrt(vmax if amsgrad else v) + eps)
        else:
            mhat, vhat = m / (1 - b1**t), v / (1 - b2**t)
            vmax = max(vmax, vhat)
            w = w - lr * mhat / (np.sqrt(vmax if amsgrad else vhat) + eps)
        out.append(w)
    return np.asarray(out)


def _run(opt):
    with jax.numpy_dtype_promotion("standard"):  # Optax mixes int counts and float decays
        return _run_inner(opt)


def _run_inner(opt):
    params = {"w": jnp.asarray(0.0)}
    state = opt.init(params)
    out = []
    for g in GRADS:
        upd, state = opt.update({"w": jnp.asarray(g)}, state, params)
        params = optax.apply_updates(params, upd)
        out.append(float(params["w"]))
    return np.asarray(out)


@pytest.mark.parametrize(
    "name, kind, ams",
    [
        ("adam", "optax", False),
        ("amsgrad", "optax", True),
        ("adam_keras", "keras", False),
        ("amsgrad_keras", "keras", True),
    ],
)
def test_adam_family_matches_published_equations(name, kind, ams):
    eps = 1e-7 if kind == "keras" else 1e-8
    got = _run(L.optimizer(name, learning_rate=0.1))
    ref = _reference(kind, 0.1, 0.9, 0.999, eps, ams)
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_keras_and_optax_definitions_differ():
    a = _run(L.optimizer("amsgrad_keras", learning_rate=0.1))
    b = _run(L.optimizer("amsgrad", learning_rate=0.1))
    assert np.max(np.abs(a - b)) > 1e-4
    # with a tiny gradient epsilon matters: Keras' enters the uncorrected root
    assert _reference("keras", 0.1, 0.9, 0.999, 1e-7, False)[5] != _reference("optax", 0.1, 0.9, 0.999, 1e-7, False)[5]


def test_momentum_and_nesterov_match_heavy_ball():
    lr, mu = 0.1, 0.9
    w, v, wn, vn, ref, refn = 0.0, 0.0, 0.0, 0.0, [], []
    for g in GRADS:  # Keras: v = mu v - lr g; w += v  (nesterov: w += mu v - lr g)
        v = mu * v - lr * g
        w += v
        vn = mu * vn - lr * g
        wn += mu * vn - lr * g
        ref.append(w)
        refn.append(wn)
    np.testing.assert_allclose(_run(L.optimizer("momentum", learning_rate=lr, momentum=mu)), ref, rtol=1e-12)
    np.testing.assert_allclose(_run(L.optimizer("nesterov", learning_rate=lr, momentum=mu)), refn, rtol=1e-12)


def test_every_named_optimizer_trains_the_good_start():
    for name in L.OPTIMIZERS:
        lr = 0.01 if name in ("sgd", "momentum", "nesterov") else 0.05
        t = L.train(
            L.Problem(),
            {"w": jnp.asarray([2.0])},
            optimizer=L.optimizer(name, learning_rate=lr),
            steps=2000,
            gradient="population",
            record_every=2000,
            key=jax.random.key(0),
        )
        assert abs(float(t.final["w"][0]) - 1.0) < 0.05, name


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="keras not installed")
def test_adam_keras_matches_keras_itself():
    import os

    if os.environ.get("KERAS_BACKEND", "jax") != "jax":
        pytest.skip("needs the JAX backend of Keras")
    os.environ["KERAS_BACKEND"] = "jax"
    import keras

    for ams in (False, True):
        var = keras.Variable(np.float32(0.0))
        opt = keras.optimizers.Adam(learning_rate=0.1, amsgrad=ams)
        got = []
        for g in GRADS:
            opt.apply_gradients([(keras.ops.convert_to_tensor(np.float32(g)), var)])
            got.append(float(var.numpy()))
        ref = _run(L.optimizer("amsgrad_keras" if ams else "adam_keras", learning_rate=0.1))
        np.testing.assert_allclose(got, ref, rtol=2e-5, atol=1e-6)
