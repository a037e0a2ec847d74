"""Training: exact recurrences, the original outcomes, invariance, bad input."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import analysis as A
import landscape as L
from landscape.train import TRACE_COUNT

KEY = jax.random.key(0)


def test_population_sgd_is_the_exact_recurrence():
    lr = 0.01
    w0 = jnp.asarray([-10.0, -1.0, 0.3, 2.0, 5.0])
    t = L.train(
        L.Problem(),
        {"w": w0},
        optimizer=L.optimizer("sgd", learning_rate=lr),
        steps=300,
        gradient="population",
        record_every=1,
        key=KEY,
    )
    w = np.asarray(w0)
    for s in range(1, 301):
        w = np.where(w < 0, (1 - lr) * w, w - lr * (w - 1))
        np.testing.assert_allclose(np.asarray(t.params["w"][s]), w, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(
        np.asarray(t.population_loss[-1]), np.where(w < 0, w**2 / 2 + 0.5, (w - 1) ** 2 / 2), rtol=1e-13
    )


def test_original_outcomes_with_minibatch_sgd():
    p = L.Problem()
    t = L.train(
        p,
        {"w": jnp.asarray([2.0, 0.5, -10.0])},
        optimizer=L.optimizer("sgd", learning_rate=0.01),
        steps=2000,
        batch_size=1000,
        key=KEY,
        record_every=100,
    )
    w = np.asarray(t.final["w"])
    assert abs(w[0] - 1) < 1e-3 and abs(w[1] - 1) < 1e-3
    assert abs(w[2]) < 1e-3 and w[2] <= 0
    assert float(t.population_loss[-1, 2]) == pytest.approx(0.5, abs=1e-3)
    # the Keras epoch loss flattens at the dead level for the backwards start
    assert np.all(np.abs(np.asarray(t.batch_loss[-5:, 2]) - 0.5) < 0.05)
    assert t.params["w"].shape == (21, 3) and t.batch_loss.shape == (20, 3)
    assert A.classify(p, t.final, diverged=t.diverged).names().tolist() == ["global_min", "global_min", "dead"]


@pytest.mark.parametrize("streams", ["shared", "independent"])
def test_chunking_and_batching_do_not_change_results(streams):
    p = L.Problem(trained=("w", "b"))
    init = {"w": jnp.linspace(-3, 3, 7), "b": jnp.linspace(1, -1, 7)}
    kw = dict(
        optimizer=L.optimizer("momentum", learning_rate=0.05),
        steps=40,
        batch_size=64,
        key=KEY,
        record_every=10,
        streams=streams,
    )
    ref = L.train(p, init, **kw)
    for chunk in [1, 3]:
        t = L.train(p, init, chunk=chunk, **kw)
        for k in ("w", "b"):
            np.testing.assert_allclose(np.asarray(t.params[k]), np.asarray(ref.params[k]), rtol=1e-12, atol=1e-14)
    one = L.train(p, {k: v[4:5] for k, v in init.items()}, **kw)
    if streams == "shared":  # a lone start sees the same batches as start 4 of the many
        np.testing.assert_allclose(np.asarray(one.final["w"][0]), np.asarray(ref.final["w"][4]), rtol=1e-12)
    again = L.train(p, init, **kw)
    np.testing.assert_array_equal(np.asarray(again.final["w"]), np.asarray(ref.final["w"]))
    other = L.train(p, init, **{**kw, "key": jax.random.key(1)})
    assert not np.array_equal(np.asarray(other.final["w"]), np.asarray(ref.final["w"]))


def test_independent_streams_differ_between_starts():
    p = L.Problem()
    init = {"w": jnp.asarray([0.5, 0.5])}
    kw = dict(optimizer="sgd", steps=10, batch_size=16, key=KEY, record_every=10)
    shared = L.train(p, init, **kw)
    indep = L.train(p, init, streams="independent", **kw)
    assert float(shared.final["w"][0]) == float(shared.final["w"][1])
    assert float(indep.final["w"][0]) != float(indep.final["w"][1])


def test_second_call_does_not_recompile_and_hyperparams_are_traced():
    p = L.Problem()
    opt = L.optimizer("momentum", learning_rate=0.01, momentum=0.9)
    kw = dict(optimizer=opt, steps=20, gradient="population", record_every=10, key=KEY)
    L.train(p, {"w": jnp.asarray([-1.0, 2.0])}, **kw)
    before = TRACE_COUNT["train"]
    t = L.train(p, {"w": jnp.asarray([-3.0, 4.0])}, hyperparams={"learning_rate": [0.1, 0.2], "momentum": 0.5}, **kw)
    assert TRACE_COUNT["train"] == before
    # per-start hyperparameters give what separate runs with those settings give
    for i, lr in enumerate([0.1, 0.2]):
        s = L.train(
            p,
            {"w": jnp.asarray([[-3.0, 4.0][i]])},
            optimizer=L.optimizer("momentum", learning_rate=lr, momentum=0.5),
            steps=20,
            gradient="population",
            record_every=10,
            key=KEY,
        )
        assert float(s.final["w"][0]) == pytest.approx(float(t.final["w"][i]), rel=1e-14)


def test_overflow_is_reported_and_isolated():
    p = L.Problem()
    t = L.train(
        p,
        {"w": jnp.asarray([2.0, -10.0, 0.5])},
        optimizer="sgd",
        steps=1000,
        gradient="population",
        record_every=100,
        key=KEY,
        hyperparams={"learning_rate": [0.01, 3.0, 0.01]},
    )
    assert np.asarray(t.diverged).tolist() == [False, True, False]
    assert int(t.diverged_at[1]) > 0 and int(t.diverged_at[0]) == -1
    assert np.all(np.isfinite(np.asarray(t.params["w"])))  # frozen at the last finite value
    ref = L.train(
        p, {"w": jnp.asarray([2.0, 0.5])}, optimizer="sgd", steps=1000, gradient="population", record_every=100, key=KEY
    )
    np.testing.assert_array_equal(np.asarray(t.final["w"])[[0, 2]], np.asarray(ref.final["w"]))
    b = A.classify(p, t.final, diverged=t.diverged)
    assert b.names().tolist() == ["global_min", "diverged", "global_min"]


def test_float32_run_stays_float32():
    t = L.train(
        L.Problem(), {"w": jnp.asarray([2.0], jnp.float32)}, optimizer="adam", steps=10, record_every=5, key=KEY
    )
    assert t.final["w"].dtype == jnp.float32 and t.population_loss.dtype == jnp.float32


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(optimizer="adamw"), "unknown optimizer 'adamw'; known: sgd"),
        (dict(optimizer=L.optimizer), "GradientTransformation"),
        (dict(steps=0), "steps must be an integer >= 1"),
        (dict(batch_size=0), "batch_size"),
        (dict(record_every=3), "must divide steps=10"),
        (dict(record_every=0), "record_every"),
        (dict(gradient="exact"), "gradient must be one of"),
        (dict(streams="own"), "streams must be one of"),
        (dict(init={"b": jnp.ones(2)}), "missing \\['w'\\]"),
        (dict(init={"w": jnp.asarray([1.0, jnp.nan])}), "finite"),
        (dict(init={"w": jnp.ones((2, 2))}), "1-D"),
        (dict(hyperparams={"learning_rate": -0.1}), "learning_rate >= 0"),
        (dict(hyperparams={"learning_rate": [0.1, 0.2, 0.3]}), "one value per start"),
        (dict(hyperparams={"beta": 0.1}), "no hyperparameter 'beta'"),
        (dict(chunk=0), "chunk"),
    ],
)
def test_bad_input(kwargs, match):
    base = dict(init={"w": jnp.ones(2)}, optimizer="sgd", steps=10, record_every=5, key=KEY)
    base.update(kwargs)
    init = base.pop("init")
    before = TRACE_COUNT["train"]
    with pytest.raises((ValueError, TypeError), match=match):
        L.train(L.Problem(), init, **base)
    assert TRACE_COUNT["train"] == before


def test_mismatched_init_lengths():
    with pytest.raises(ValueError, match="share one non-zero length"):
        L.train(
            L.Problem(trained=("w", "b")),
            {"w": jnp.ones(2), "b": jnp.ones(3)},
            optimizer="sgd",
            steps=1,
            record_every=1,
            key=KEY,
        )


def test_optimizer_hyperparameter_validation():
    with pytest.raises(ValueError, match="0 <= momentum < 1"):
        L.optimizer("momentum", momentum=1.5)
    with pytest.raises(ValueError, match="finite"):
        L.optimizer("sgd", learning_rate=float("inf"))
    with pytest.raises(ValueError, match="allowed: learning_rate, momentum"):
        L.optimizer("momentum", beta=0.9)


# sharded runs (1, 2 and 8 devices) are compared in test_sharding.py


def test_cli_original_experiment(tmp_path, capsys):
    from landscape.__main__ import main

    path = tmp_path / "run.json"
    rc = main(
        [
            "train",
            "--w0",
            "-10",
            "2",
            "--epochs",
            "20",
            "--steps-per-epoch",
            "100",
            "--dtype",
            "float64",
            "--json",
            str(path),
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert "Epoch  20/20" in out
    data = json.loads(path.read_text())
    assert data["settings"]["optimizer"] == {"name": "sgd", "learning_rate": 0.01}
    w_end = data["final"]["w"]
    assert abs(w_end[0]) < 1e-3 and abs(w_end[1] - 1) < 1e-3
    assert len(data["epochs"]) == 20
    assert main(["train", "--optimizer", "adamw"]) == 2
    assert "invalid choice: 'adamw' (choose from 'sgd'" in capsys.readouterr().err
    assert main(["train", "--b0", "1"]) == 2  # b is not trained
