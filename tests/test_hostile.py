"""Hostile and careless inputs, table-driven: every case ends in a clear error naming the argument
(before any work), the right value, or, for a command line, one line and the right exit status."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import analysis as A
import landscape as L
from analysis import deep as D
from analysis.__main__ import main as analysis_main
from figures.__main__ import main as figures_main
from landscape import networks as N
from landscape.__main__ import main as landscape_main
from landscape.sweep import CheckpointError

KEY = jax.random.key(0)
P1 = L.Problem()
P2 = L.Problem(trained=("w", "b"))
SPEC = N.MLP(in_dim=1, hidden=(3,), bias=True)
NET = N.NetProblem(SPEC, "relu", "uniform:-1,1")


def _train(problem=P1, init=None, **kw):
    base = dict(optimizer="sgd", steps=10, record_every=10, key=KEY)
    base.update(kw)
    return L.train(problem, {"w": jnp.ones(2)} if init is None else init, **base)


def _net_init(changes=None):
    p = N.init_many(SPEC, KEY, 2)
    for (i, k), v in (changes or {}).items():
        if v is None:
            del p[i][k]
        else:
            p[i][k] = v
    return p


# (id, call, exception type, message regex) -- errors raised before any work
ERRORS = [
    (
        "population_loss w=inf",
        lambda: L.population_loss(P1, {"w": math.inf}),
        ValueError,
        r"params\['w'\] must be finite",
    ),
    ("population_loss w=nan", lambda: L.population_loss(P1, {"w": math.nan}), ValueError, "must be finite"),
    ("population_loss complex", lambda: L.population_loss(P1, {"w": 1 + 2j}), TypeError, "real numbers"),
    ("population_loss string", lambda: L.population_loss(P1, {"w": "x"}), TypeError, "real numbers"),
    ("population_loss bool", lambda: L.population_loss(P1, {"w": np.bool_(True)}), TypeError, "real numbers"),
    (
        "population_loss shapes",
        lambda: L.population_loss(P2, {"w": jnp.ones(3), "b": jnp.ones(2)}),
        ValueError,
        "must broadcast together",
    ),
    ("population_loss list", lambda: L.population_loss(P1, [1.0]), TypeError, "must be a dict"),
    ("batch_loss empty", lambda: L.neuron.batch_loss(P1, {"w": 1.0}, jnp.ones(0)), ValueError, "non-empty 1-D batch"),
    ("batch_loss 2-D", lambda: L.neuron.batch_loss(P1, {"w": 1.0}, jnp.ones((2, 2))), ValueError, "1-D batch"),
    (
        "leaky slope 1e300",
        lambda: L.Problem(student=("leaky_relu", {"slope": 1e300})),
        ValueError,
        "slope=1e\\+300 is out of range",
    ),
    ("uniform 1e308", lambda: L.Problem(inputs="uniform:-1e308,1e308"), ValueError, "out of range"),
    ("uniform reversed", lambda: L.Problem(inputs="uniform:1,-1"), ValueError, "lo < hi"),
    ("uniform text", lambda: L.Problem(inputs="uniform:a,b"), ValueError, "cannot read the interval"),
    ("unknown inputs", lambda: L.Problem(inputs="cauchy"), ValueError, "allowed: 'gaussian'"),
    ("trained dict", lambda: L.Problem(trained={"w": 1}), ValueError, "subset"),
    ("train key=0", lambda: _train(key=0), TypeError, "key must be a jax.random key"),
    ("train key=None", lambda: _train(key=None), TypeError, "key must be a jax.random key"),
    ("train complex starts", lambda: _train(init={"w": jnp.ones(2, jnp.complex64)}), TypeError, "real numbers"),
    ("train nan start", lambda: _train(init={"w": jnp.asarray([1.0, jnp.nan])}), ValueError, "finite"),
    ("train steps=0", lambda: _train(steps=0), ValueError, "steps must be an integer >= 1"),
    ("train steps=-1", lambda: _train(steps=-1), ValueError, "steps must be an integer >= 1"),
    ("train steps float", lambda: _train(steps=10.0), ValueError, "steps must be an integer"),
    ("train steps 2**40", lambda: _train(steps=2**40, record_every=2**40), ValueError, "out of range"),
    ("train batch 0", lambda: _train(batch_size=0), ValueError, "batch_size"),
    ("train record 3", lambda: _train(record_every=3), ValueError, "must divide steps"),
    ("train gradient", lambda: _train(gradient="exact"), ValueError, "gradient must be one of"),
    ("train hyperparams list", lambda: _train(hyperparams=[0.1]), TypeError, "hyperparams must be a dict"),
    ("train lr negative", lambda: _train(hyperparams={"learning_rate": -0.1}), ValueError, "learning_rate >= 0"),
    ("train lr complex", lambda: _train(hyperparams={"learning_rate": 0.1j}), TypeError, "real numbers"),
    ("train probes not a dict", lambda: _train(probes=[L.Crossing()]), TypeError, "probes must be a dict"),
    ("train stop every", lambda: _train(stop=L.Stop(grad_norm=1e-6, every=3)), ValueError, "must divide record_every"),
    ("stop empty", L.Stop, ValueError, "Stop needs"),
    ("train sorted f16", lambda: _train(init={"w": jnp.ones(2, jnp.float16)}), ValueError, "float16"),
    ("train huge sweep", lambda: _train(init={"w": np.ones(2**22)}, steps=10**6, record_every=1), ValueError, "GiB"),
    (
        "net width 7 for 3",
        lambda: L.train(
            NET, _net_init({(0, "W"): jnp.ones((2, 7, 1))}), optimizer="sgd", steps=1, record_every=1, key=KEY
        ),
        ValueError,
        r"\[0\]\['W'\] has shape \(2, 7, 1\)",
    ),
    (
        "net missing bias",
        lambda: L.train(NET, _net_init({(0, "b"): None}), optimizer="sgd", steps=1, record_every=1, key=KEY),
        ValueError,
        "structure",
    ),
    (
        "net extra layer",
        lambda: L.train(NET, _net_init() + [_net_init()[1]], optimizer="sgd", steps=1, record_every=1, key=KEY),
        ValueError,
        "structure",
    ),
    (
        "net dict for list",
        lambda: L.train(NET, {"W": jnp.ones((2, 3, 1))}, optimizer="sgd", steps=1, record_every=1, key=KEY),
        ValueError,
        "structure",
    ),
    ("net batch wrong dim", lambda: NET.batch_loss(N.init(SPEC, KEY), jnp.ones((4, 2))), ValueError, "shape"),
    ("mlp width np.int64 0", lambda: N.MLP(hidden=(np.int64(0),)), ValueError, "integer >= 1"),
    ("mlp hidden dict", lambda: N.MLP(hidden={"a": 1}), TypeError, "sequence of widths"),
    ("teacher dict", lambda: N.NetTeacher.of(SPEC, {"W": 1}), ValueError, "layers of parameters"),
    (
        "mc population gradient",
        lambda: L.train(
            N.NetProblem(N.MLP(in_dim=2, hidden=(3,)), N.NetTeacher.orthonormal(2)),
            N.init_many(N.MLP(in_dim=2, hidden=(3,)), KEY, 2),
            optimizer="sgd",
            steps=1,
            record_every=1,
            gradient="population",
            key=KEY,
        ),
        ValueError,
        "need an exact loss",
    ),
    ("grid 1e10 points", lambda: L.grid(P2, {"w": np.zeros(100_000), "b": np.zeros(100_000)}), ValueError, "limit"),
    ("grid nan axis", lambda: L.grid(P2, {"w": [0.0, np.nan], "b": [0.0]}), ValueError, "finite"),
    ("grid string axis", lambda: L.grid(P2, {"w": ["a"], "b": [0.0]}), TypeError, "real numbers"),
    (
        "plane zero direction",
        lambda: L.plane(P2, {"w": 0.0, "b": 0.0}, [{"w": 0.0, "b": 0.0}], [np.linspace(-1, 1, 3)]),
        ValueError,
        "zero everywhere",
    ),
    (
        "plane mismatched direction",
        lambda: L.plane(P2, {"w": 0.0, "b": 0.0}, [{"w": 1.0}], [np.linspace(-1, 1, 3)]),
        ValueError,
        "missing",
    ),
    (
        "plane nan centre",
        lambda: L.plane(P2, {"w": np.nan, "b": 0.0}, [{"w": 1.0, "b": 0.0}], [np.linspace(-1, 1, 3)]),
        ValueError,
        "finite",
    ),
    (
        "optimizer np.float32 -1",
        lambda: L.optimizer("sgd", learning_rate=np.float32(-1)),
        ValueError,
        "learning_rate >= 0",
    ),
    ("optimizer name int", lambda: L.optimizer(3), ValueError, "unknown optimizer"),
    ("classify tol 0", lambda: A.classify(P1, {"w": jnp.ones(2)}, tol_loss=0), ValueError, "tol_loss"),
    (
        "classify wrong diverged",
        lambda: A.classify(P1, {"w": jnp.ones(2)}, diverged=np.ones(3, bool)),
        ValueError,
        "diverged must have shape",
    ),
    ("born_dead huge width", lambda: D.born_dead(3, 1_000_000, samples=10), ValueError, "GiB"),
    ("born_dead samples np.int64 0", lambda: D.born_dead(3, 3, samples=np.int64(0)), ValueError, "samples"),
    ("gradient_growth slope 1e300", lambda: D.gradient_growth(1e300), ValueError, "out of range"),
    ("dead_zone n huge", lambda: A.dead_zone(P2, {"w": (-1, 1), "b": (-1, 1)}, n=100_000), ValueError, "limit"),
    (
        "phase cells huge",
        lambda: A.simulate_crossing(
            P1, "momentum", {"learning_rate": np.ones(10_000), "momentum": np.ones(10_000) * 0.5}
        ),
        ValueError,
        "limit",
    ),
]


@pytest.mark.parametrize("case, call, exc, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_refused_with_a_clear_message(case, call, exc, match):
    from landscape.engine import TRACE_COUNT

    before = TRACE_COUNT["train"]
    with pytest.raises(exc, match=match):
        call()
    assert TRACE_COUNT["train"] == before  # refused before any compilation


# (id, call, check) -- the right value
VALUES = [
    ("w=1e200 overflows to +inf", lambda: float(L.population_loss(P1, {"w": 1e200})), lambda v: v == math.inf),
    ("w=-1e200 overflows to +inf", lambda: float(L.population_loss(P1, {"w": -1e200})), lambda v: v == math.inf),
    (
        "w=1e150 stays finite",
        lambda: float(L.population_loss(P1, {"w": 1e150})),
        lambda v: math.isfinite(v) and v > 1e299,
    ),
    (
        "np.float32 learning rate",
        lambda: float(
            _train(optimizer=L.optimizer("sgd", learning_rate=np.float32(0.1)), gradient="population").final["w"][0]
        ),
        lambda v: abs(v - (1 + 0.9**10 * 0)) < 1.0,
    ),
    ("np.int64 steps and widths", lambda: N.MLP(hidden=(np.int64(3),)).hidden, lambda v: v == (3,)),
    ("jax scalar hyperparameter", lambda: L.optimizer("momentum", momentum=jnp.float32(0.5)), lambda v: v is not None),
    (
        "float16 on the direct path",
        lambda: _train(init={"w": jnp.ones(2, jnp.float16)}, path="direct").final["w"].dtype,
        lambda v: v == jnp.float16,
    ),
    ("wrapped raw key data", lambda: _train(key=jax.random.key_data(KEY)).n_starts, lambda v: v == 2),
]


@pytest.mark.parametrize("case, call, check", VALUES, ids=[v[0] for v in VALUES])
def test_right_value(case, call, check):
    v = call()
    assert check(v), v


def test_checkpoint_keys_follow_everything_that_determines_the_numbers(tmp_path):
    init = {"w": jnp.linspace(-1, 1, 4)}
    kw = dict(steps=10, record_every=10, key=KEY, chunk=2, gradient="population")
    L.train(P1, init, optimizer=L.optimizer("sgd"), checkpoint=str(tmp_path / "a"), **kw)
    # another optimizer, a custom Optax transformation, other bounds, another teacher: refused or a new key
    with pytest.raises(CheckpointError, match="another sweep"):
        L.train(P1, init, optimizer=L.optimizer("momentum"), checkpoint=str(tmp_path / "a"), **kw)
    with pytest.raises(CheckpointError, match="custom Optax transformation"):
        L.train(P1, init, optimizer=optax.sgd(0.01), checkpoint=str(tmp_path / "b"), **kw)
    u1, u2 = L.Problem(inputs=L.Uniform(-1, 1)), L.Problem(inputs=L.Uniform(-1, 1.0000001))
    L.train(u1, init, optimizer="sgd", checkpoint=str(tmp_path / "c"), **kw)
    with pytest.raises(CheckpointError, match="another sweep"):
        L.train(u2, init, optimizer="sgd", checkpoint=str(tmp_path / "c"), **kw)
    t1 = N.NetTeacher.of(N.MLP(in_dim=2, hidden=(2,), bias=False), [{"W": np.eye(2)}, {"W": np.ones((1, 2))}])
    t2 = N.NetTeacher.of(N.MLP(in_dim=2, hidden=(2,), bias=False), [{"W": np.eye(2) * 1.001}, {"W": np.ones((1, 2))}])
    assert t1.label == t2.label  # the same label...
    pa = N.NetProblem(N.MLP(in_dim=2, hidden=(2,), bias=False), t1)
    pb = N.NetProblem(N.MLP(in_dim=2, hidden=(2,), bias=False), t2)
    assert pa.fingerprint() != pb.fingerprint()  # ...but not the same numbers, so not the same key


def test_corrupt_checkpoints_are_named_and_refused(tmp_path):
    init = {"w": jnp.linspace(-1, 1, 4)}
    kw = dict(
        optimizer="sgd", steps=10, record_every=10, key=KEY, chunk=2, gradient="population", checkpoint=str(tmp_path)
    )
    whole = L.train(P1, init, **kw)
    (tmp_path / "chunk-000001.npz").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match=r"chunk-000001\.npz: not a readable"):
        L.train(P1, init, **kw)
    (tmp_path / "chunk-000001.npz").unlink()  # deleted, as the message says: recomputed, the same numbers
    again = L.train(P1, init, **kw)
    np.testing.assert_array_equal(np.asarray(again.final["w"]), np.asarray(whole.final["w"]))
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(CheckpointError, match=r"manifest.json.*cannot be read"):
        L.train(P1, init, **kw)


def test_corrupt_cache_files_are_named_and_recomputed(tmp_path):
    from analysis import registry

    registry.set_cache_dir(str(tmp_path))
    registry.clear_memory()
    try:
        a = registry.run("published_minimum")
        (f,) = [p for p in tmp_path.iterdir() if p.name.startswith("published_minimum-")]
        f.write_bytes(f.read_bytes()[:50])
        registry.clear_memory()
        with pytest.warns(UserWarning, match=r"unusable \(.*published_minimum-.*not a readable"):
            b = registry.run("published_minimum")
        assert a["grad_norm"] == b["grad_norm"]
    finally:
        registry.set_cache_dir(None)


def test_trajectories_save_and_load(tmp_path):
    t = _train(init={"w": jnp.asarray([2.0, -10.0])}, steps=20, record_every=10, probes={"c": L.Crossing()})
    t.save(str(tmp_path / "t.npz"))
    u = L.Trajectories.load(str(tmp_path / "t.npz"))
    np.testing.assert_array_equal(np.asarray(u.params["w"]), np.asarray(t.params["w"]))
    assert u.settings == t.settings and set(u.probes) == {"c"}
    (tmp_path / "bad.npz").write_bytes(b"x")
    with pytest.raises(ValueError, match=r"bad.npz.*not a readable"):
        L.Trajectories.load(str(tmp_path / "bad.npz"))


def test_grids_save_and_load(tmp_path):
    r = L.grid(P2, {"w": jnp.linspace(-1, 1, 5), "b": jnp.linspace(-1, 1, 3)}, quantities=("loss", "grad", "eigvals"))
    r.save(str(tmp_path / "g.npz"))
    u = L.GridResult.load(str(tmp_path / "g.npz"))
    np.testing.assert_array_equal(np.asarray(u.loss), np.asarray(r.loss))
    np.testing.assert_array_equal(np.asarray(u.grad["b"]), np.asarray(r.grad["b"]))
    assert u.trained == r.trained and list(u.axes) == ["w", "b"]
    (tmp_path / "bad.npz").write_text("")
    with pytest.raises(ValueError, match=r"bad\.npz: not a readable relu-landscape grid"):
        L.GridResult.load(str(tmp_path / "bad.npz"))


# command lines, called in-process: (id, main, argv, exit status, stderr regex)
CLIS = [
    (
        "critical-points --starts 0",
        analysis_main,
        ["critical-points", "--starts", "0"],
        2,
        "--starts must be an integer",
    ),
    ("critical-points --steps 0", analysis_main, ["critical-points", "--steps", "0"], 2, "--steps must be an integer"),
    (
        "critical-points --steps -1",
        analysis_main,
        ["critical-points", "--steps", "-1"],
        2,
        "--steps must be an integer",
    ),
    ("train --epochs 3e9", landscape_main, ["train", "--epochs", "3e9"], 2, "--epochs must be an integer in"),
    ("train --seed 2**70", landscape_main, ["train", "--seed", str(2**70)], 2, "--seed must be an integer in"),
    ("train --inputs huge", landscape_main, ["train", "--inputs", "uniform:-1e308,1e308"], 2, "out of range"),
    ("train --lr nan", landscape_main, ["train", "--lr", "nan"], 2, "--lr must be finite"),
    ("train --lr 1e309", landscape_main, ["train", "--lr", "1e309"], 2, "--lr must be finite"),
    ("train --student bad", landscape_main, ["train", "--student", "leaky_relu:abc"], 2, "cannot read parameter"),
    ("train --student unknown", landscape_main, ["train", "--student", "swish"], 2, "unknown activation"),
    ("train --json dir", landscape_main, ["train", "--json", "/tmp"], 2, "is a folder"),
    ("train --json empty", landscape_main, ["train", "--json", ""], 2, "must be a file path"),
    ("train --b0 untrained", landscape_main, ["train", "--b0", "1"], 2, "is not trained"),
    ("summary --json unwritable", landscape_main, ["summary", "--json", "/proc/x/y.json"], 2, "cannot be written"),
    ("deep --slope 1e300", analysis_main, ["deep", "explode", "--slope", "1e300"], 2, "--slope must be <="),
    ("deep born-dead --width 1e6", analysis_main, ["deep", "born-dead", "--width", "1000000"], 2, "GiB"),
    ("deep --k bad", analysis_main, ["deep", "spurious", "--k", "3:x"], 2, "--k must be"),
    ("dead-zone --n huge", analysis_main, ["dead-zone", "--n", "100000"], 2, "limit"),
    ("dead-zone --eps text", analysis_main, ["dead-zone", "--eps", "a,b"], 2, "--eps must be"),
    ("convexity --box bad", analysis_main, ["convexity", "--box", "w=1"], 2, "cannot read --box"),
    ("phase --n huge", analysis_main, ["phase", "--n", "100000"], 2, "limit"),
    ("verify --only unknown", analysis_main, ["verify", "--only", "Z9"], 2, "unknown claim ids"),
    ("figures unknown", figures_main, ["nope"], 2, "unknown figure"),
    ("figures --seed -1", figures_main, ["--seed", "-1"], 2, "--seed must be an integer"),
    ("no command", analysis_main, [], 2, "required"),
    ("verify --only ''", analysis_main, ["verify", "--only", ""], 2, "--only names no claim"),
    ("verify --cache /proc/x", analysis_main, ["verify", "--only", "A2", "--cache", "/proc/x"], 2, "cannot write"),
    ("slice --n 16000", analysis_main, ["slice", "--n", "16000", "--json", "/tmp/never-written.json"], 2, "GiB"),
    (
        "hessian --probes 10^7",
        analysis_main,
        ["hessian", "--problem", "safran-shamir:64", "--probes", "10000000"],
        2,
        "--probes 10000000: .* GiB at once",
    ),
    (
        "interpolate pickled npy",
        analysis_main,
        ["interpolate", "--problem", "safran-shamir:2", "identity", "PICKLED"],
        2,
        "not a plain NumPy array file",
    ),
]


@pytest.mark.parametrize("case, main, argv, code, match", CLIS, ids=[c[0] for c in CLIS])
def test_command_lines_fail_in_one_line(case, main, argv, code, match, capsys, tmp_path):
    if "PICKLED" in argv:  # an object array, saved with pickling allowed
        path = tmp_path / "obj.npy"
        np.save(path, np.asarray([{"a": 1}], dtype=object), allow_pickle=True)
        argv = [str(path) if a == "PICKLED" else a for a in argv]
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert __import__("re").search(match, err), err


def test_every_command_documents_its_options_with_defaults(capsys):
    for main, argv in (
        (landscape_main, ["train", "--help"]),
        (analysis_main, ["deep", "born-dead", "--help"]),
        (analysis_main, ["verify", "--help"]),
        (figures_main, ["--help"]),
    ):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "(default:" in out and "--debug" in out
    assert analysis_main(["--help"]) == 0
    assert "deep" in capsys.readouterr().out


def test_an_interrupted_run_exits_130_and_writes_nothing(tmp_path):
    """Ctrl-C while the run waits inside its compiled program: status 130 within the grace, no file left."""
    import os
    import signal
    import subprocess
    import sys
    import time

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = tmp_path / "run.json"
    argv = [
        sys.executable,
        "-m",
        "landscape",
        "train",
        "--epochs",
        "400",
        "--steps-per-epoch",
        "1000",
        "--json",
        str(out),
    ]
    p = subprocess.Popen(argv, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(8)  # compiled and running (400,000 steps take far longer)
    p.send_signal(signal.SIGINT)
    t = time.perf_counter()
    rc = p.wait(30)
    assert rc == 130 and time.perf_counter() - t < 10, (rc, p.stderr.read().decode()[-500:])
    assert "interrupted" in p.stderr.read().decode()
    assert os.listdir(tmp_path) == []


LONG = [
    (
        "hessian --steps 4096",
        ["analysis", "hessian", "--problem", "safran-shamir:64", "--steps", "4096", "--probes", "2"],
        r"about \d+ Hessian-vector products of .* s each",
    ),
    (
        "hessian --k 4096",
        ["analysis", "hessian", "--problem", "safran-shamir:1,4096", "--k", "4096"],
        r"timing one Hessian-vector product of 4096 parameters",
    ),
    (
        "deep born-dead --samples 2^31-1",
        ["analysis", "deep", "born-dead", "--samples", "2147483647"],
        r"networks: .*/2147483647 \[.*<\d",
    ),
]


@pytest.mark.parametrize("case, argv, shown", LONG, ids=[c[0] for c in LONG])
def test_long_commands_say_what_they_do_before_and_while_they_work(case, argv, shown):
    """Allowed but long work (the second round's cases that ran silently past 110 s): an estimate or a progress
    bar with its remaining time appears within seconds of the start; the command is then stopped."""
    import re
    import subprocess
    import sys
    import threading

    proc = subprocess.Popen([sys.executable, "-m", *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    seen, found = [], threading.Event()

    def read():
        assert proc.stdout is not None
        buf = b""
        while chunk := proc.stdout.read1(4096):
            buf += chunk
            seen.append(chunk.decode(errors="replace"))
            if re.search(shown, buf.decode(errors="replace").replace("\r", "\n")):
                found.set()
                return

    t = threading.Thread(target=read, daemon=True)
    t.start()
    try:
        assert found.wait(60), "".join(seen)[-800:]
    finally:
        proc.kill()
        proc.wait(10)
