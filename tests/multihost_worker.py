"""A sweep run by one of several processes (tests/test_multihost.py): ``PID NPROC PORT OUT``."""

import sys

pid, nproc, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

import jax  # noqa: E402

if nproc > 1:
    jax.distributed.initialize(f"127.0.0.1:{port}", num_processes=nproc, process_id=pid)
jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import landscape as L  # noqa: E402
from analysis import deep as D  # noqa: E402

assert jax.process_count() == nproc and len(jax.devices()) == 4
res = {}
p = L.Problem(trained=("w", "b"))
t = L.train(
    p,
    {"w": jnp.linspace(-3, 3, 13), "b": jnp.linspace(1, -1, 13)},
    optimizer="sgd",
    steps=20,
    batch_size=64,
    record_every=10,
    key=jax.random.key(1),
    chunk=5,
)
res["train_w"], res["train_loss"] = np.asarray(t.params["w"]), np.asarray(t.population_loss)
r = L.grid(p, {"w": jnp.linspace(-3, 3, 37), "b": jnp.linspace(-2, 2, 29)}, quantities=("loss", "grad"), chunk=50)
res["grid_loss"], res["grid_gw"] = np.asarray(r.loss), np.asarray(r.grad["w"])
bd = D.born_dead(5, 3, scheme="rai", bias=True, inputs=L.Uniform(-1, 1), samples=301, chunk=101)
res["born_dead"] = np.asarray([bd["probability"], bd["single_input_probability"]])
if pid == 0:
    np.savez(out, **res)
