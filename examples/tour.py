# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A tour of relu-landscape
#
# Take the smallest neural network there is: one ReLU neuron, `relu(w·x + b)`. Ask it to imitate
# the function `relu(x)` on inputs drawn from a standard Gaussian. The answer is obvious:
# `w = 1, b = 0`. Yet gradient descent started from a "backwards" weight such as `w = -1`
# never gets there: the neuron goes quiet and learning stops.
#
# This notebook walks through why, using the package's own functions. Everything runs on a
# laptop CPU in a minute or two (about half a minute with `TOUR_QUICK=1`, which shrinks every
# size below). We will:
#
# 1. look at the exact loss of the neuron over `(w, b)`;
# 2. train it from a good start and from a backwards start;
# 3. map which starts succeed and which die (the *basins*);
# 4. let the study's claim checker give a verdict on the original question;
# 5. peek at deeper networks, where whole networks can be "born dead".

# %% [markdown]
# ## Setup
#
# We work in double precision (`jax_enable_x64`), so that the exact losses below are exact to
# rounding. `QUICK` picks small sizes; it is the only knob in the notebook.

# %%
import os

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

import analysis as A
import landscape as L
from analysis import claims, deep, instruments

QUICK = os.environ.get("TOUR_QUICK") == "1"

GRID = 49 if QUICK else 241  # points per axis of the loss picture
STEPS = 1000 if QUICK else 5000  # gradient-descent steps per training run
BASIN_GRID = 24 if QUICK else 64  # starts per axis of the basin map
DEPTHS = (2, 10) if QUICK else (2, 4, 6, 8, 10)  # depths of the deeper networks
NETWORKS = 500 if QUICK else 20_000  # random networks per depth
TEACHER_UNITS = 4 if QUICK else 6  # size k = n of the Safran-Shamir problem

print("quick mode" if QUICK else "full mode", "| JAX", jax.__version__, "on", jax.devices()[0].platform)

# %% [markdown]
# ## 1. The exact loss
#
# A `landscape.Problem` describes the set-up: the student (here `relu(w·x + b)`), the teacher
# (`relu(x)`), the input distribution (a standard Gaussian) and which parameters are trained.
# Its `population_loss` is the *expected* squared error over all Gaussian inputs, computed in
# closed form: no sampling, no noise.

# %%
problem = L.Problem(trained=("w", "b"))
print(problem)

at_minimum = float(problem.population_loss({"w": 1.0, "b": 0.0}))
backwards = float(problem.population_loss({"w": -1.0, "b": 0.0}))
print(f"loss at the answer    (w, b) = ( 1, 0): {at_minimum:.6f}")
print(f"loss at the backwards (w, b) = (-1, 0): {backwards:.6f}")

# %% [markdown]
# At `(1, 0)` the student *is* the teacher, so the loss is exactly 0. At `(-1, 0)` the student
# computes `relu(-x)`: it fires exactly where the teacher is silent and vice versa, and the loss
# is 1.
#
# Now the whole picture. `L.grid` evaluates the exact loss on every point of a `(w, b)` grid in
# one compiled call.

# %%
ws = jnp.linspace(-3.0, 3.0, GRID)
bs = jnp.linspace(-3.0, 3.0, GRID)
landscape_grid = L.grid(problem, {"w": ws, "b": bs}, quantities=("loss",))
loss = np.asarray(landscape_grid.loss)  # shape (len(ws), len(bs)): rows are w, columns are b
print("grid", loss.shape, "| smallest loss on the grid:", f"{loss.min():.2e}")

fig, ax = plt.subplots(figsize=(5.5, 4.5))
cs = ax.contourf(ws, bs, np.log10(loss.T + 1e-3), levels=30, cmap="viridis")
fig.colorbar(cs, ax=ax, label="log10(loss + 0.001)")
ax.plot([1], [0], "w*", ms=14, label="the answer (1, 0)")
ax.plot([-1], [0], "rX", ms=10, label="backwards start (-1, 0)")
ax.set(xlabel="w", ylabel="b", title="Exact loss of relu(w x + b) fitting relu(x)")
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# Look at the bottom of the picture: where `b` is negative and large compared with `|w|`, the
# neuron is almost never active, and the loss flattens out onto a plateau at 1/2 (the loss of
# always answering 0). A ball rolled onto that plateau has nothing to roll down.

# %% [markdown]
# ## 2. Training from a good and a backwards start
#
# `L.train` runs gradient descent from many starts at once. We give it two starts, a good one
# `(0.5, 0)` and the backwards one `(-1, 0)`, plain SGD with step size 0.1, and the exact
# (population) gradient, so nothing random happens. It returns a `Trajectories` object: the
# recorded `steps`, the `params` at each record, their exact `population_loss`, and the `final`
# parameters.

# %%
starts = {"w": jnp.array([0.5, -1.0]), "b": jnp.array([0.0, 0.0])}
sgd = L.optimizer("sgd", learning_rate=0.1)
runs = L.train(
    problem, starts, optimizer=sgd, steps=STEPS, gradient="population", record_every=STEPS // 50, key=jax.random.key(0)
)

for i, name in enumerate(["good start", "backwards start"]):
    w_end, b_end = float(runs.final["w"][i]), float(runs.final["b"][i])
    print(f"{name:16s} ends at w = {w_end:+.4f}, b = {b_end:+.4f}, loss = {float(runs.population_loss[-1, i]):.6f}")

# %% [markdown]
# The good start lands on `(1, 0)` with loss 0. The backwards start stalls with loss 1/2: it
# slid down onto the plateau, where the neuron is active on almost no inputs, so every gradient
# through it is (nearly) zero; `w` still creeps towards 0, ever more slowly. `analysis.classify`
# names each end state:

# %%
basins_two = A.classify(problem, runs.final, diverged=runs.diverged)
print(basins_two.names())
active = np.asarray(L.neuron.active_fraction(problem, runs.final))
print("share of inputs on which the neuron is active:", np.round(active, 5))

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for i, (name, colour) in enumerate([("good start", "tab:blue"), ("backwards start", "tab:red")]):
    ax1.plot(runs.params["w"][:, i], runs.params["b"][:, i], "o-", ms=3, color=colour, label=name)
    ax2.plot(runs.steps, runs.population_loss[:, i], color=colour, label=name)
ax1.contour(ws, bs, loss.T, levels=20, colors="grey", linewidths=0.5)
ax1.set(xlabel="w", ylabel="b", title="paths in the (w, b) plane")
ax2.set(xlabel="step", ylabel="exact loss", title="loss during training")
ax2.set_yscale("symlog", linthresh=1e-4)  # logarithmic above 1e-4, linear down to 0
ax1.legend()
ax2.legend()
plt.show()

# %% [markdown]
# With the bias frozen at 0 (the original one-weight question, `L.Problem()` trains only `w`)
# the story is even starker: for `w < 0` the loss is `w²/2 + 1/2`, which only pulls `w` towards
# 0 (each step shrinks it by the same factor), and at `w = 0` the neuron is silent on every
# input. The backwards start ends at `w = 0` to every printed digit, and stays there for good.

# %%
one_weight = L.Problem()
runs_w = L.train(
    one_weight,
    {"w": jnp.array([0.5, -1.0])},
    optimizer=sgd,
    steps=STEPS,
    gradient="population",
    record_every=STEPS,
    key=jax.random.key(0),
)
print("final w:", np.round(np.asarray(runs_w.final["w"]), 6) + 0.0)
print("labels: ", A.classify(one_weight, runs_w.final).names())

# %% [markdown]
# ## 3. Basins: which starts succeed?
#
# One good and one bad start is an anecdote. Let us train from a whole grid of starts at once (one
# call, all starts side by side) and colour each start by where it ends: at the global minimum,
# or dead.

# %%
w0 = jnp.linspace(-3.0, 3.0, BASIN_GRID)
b0 = jnp.linspace(-3.0, 3.0, BASIN_GRID)
W0, B0 = jnp.meshgrid(w0, b0, indexing="ij")
sweep = L.train(
    problem,
    {"w": W0.ravel(), "b": B0.ravel()},
    optimizer=sgd,
    steps=STEPS,
    gradient="population",
    record_every=STEPS,
    key=jax.random.key(0),
)
basins = A.classify(problem, sweep.final, diverged=sweep.diverged)
print(basins.summary())

colours = {
    "global_min": "tab:blue",
    "dead": "tab:red",
    "stationary": "tab:orange",
    "moving": "tab:grey",
    "diverged": "black",
}
codes = basins.labels.reshape(BASIN_GRID, BASIN_GRID)  # rows are w0, columns are b0
cmap = ListedColormap([colours[name] for name in A.BASINS])
fig, ax = plt.subplots(figsize=(5, 4.5))
ax.pcolormesh(w0, b0, codes.T, cmap=cmap, vmin=-0.5, vmax=len(A.BASINS) - 0.5, shading="nearest")
present = [name for name in A.BASINS if basins.counts[name]]
ax.legend(handles=[Patch(color=colours[name], label=name) for name in present], loc="lower right")
ax.set(xlabel="start w", ylabel="start b", title="where each start ends")
plt.show()

# %% [markdown]
# The summary gives each basin's share with a 95% interval. Everything to the lower left of a
# diagonal line is lost, including every backwards start `w0 < 0` with `b0 = 0`: any start whose neuron begins (or soon becomes) silent on most of the inputs
# never recovers. A few starts right on the border may still be `moving` when the step budget
# runs out: they are slowly sliding one way or the other.

# %% [markdown]
# ## 4. A verdict on the original claim
#
# The study turns every claim made about this problem into statements and checks each one with
# experiments and explicit rules. Here is the original question's claim `Q2`: from `w0 = -10`
# with minibatch SGD the weight gets stuck at 0. `run_claims` runs the experiment it needs
# (smaller sweeps in quick mode) and returns the verdict, statement by statement, with the
# numbers behind each.

# %%
result = claims.run_claims(ids=["Q2"], quick=QUICK)["Q2"]
print(f"{result.id}: {result.text}")
print("verdict:", result.verdict)
for s in result.statements:
    print(f"  [{s.verdict}] {s.text}\n      because {s.reason}")

# %% [markdown]
# ## 5. Deeper networks
#
# The same death strikes deeper networks, and it can happen before training even starts. A
# network of ReLU layers is *born dead* when some layer outputs zero for every input: then no
# gradient reaches the layers below it. `deep.born_dead` draws many He-initialized networks on
# one-dimensional Gaussian inputs (width 3 here) and checks each one exactly. Its
# `single_input_probability` (dead at one random input) has a closed form to compare with.

# %%
for depth in DEPTHS:
    r = deep.born_dead(depth, 3, samples=NETWORKS, key=jax.random.key(depth))
    lo, hi = r["ci"]
    print(
        f"depth {depth:2d}: born dead {r['probability']:.3f} [{lo:.3f}, {hi:.3f}]   "
        f"dead at one input {r['single_input_probability']:.3f} "
        f"(closed form {r['closed_form_single_input']:.3f})"
    )

# %% [markdown]
# Deeper means more likely dead: with width 3, most depth-10 networks are dead on arrival.
#
# Finally, one of the landscape instruments. Safran and Shamir studied `n` ReLU units fitted to
# `k` teacher units in `k` dimensions. With `n = k` and the student's weights equal to the
# teacher's (the identity matrix) the loss is 0: a global minimum. `instruments.hessian_top`
# finds the largest curvatures (Hessian eigenvalues) there by Lanczos iterations on
# Hessian-vector products, never forming the Hessian itself. These networks are small, so we can
# ask for as many eigenvalues as there are parameters and get the whole spectrum.

# %%
ss = deep.safran_shamir(TEACHER_UNITS, TEACHER_UNITS)
teacher_point = [{"W": jnp.eye(TEACHER_UNITS)[None]}]  # a batch of one point: leading axis of size 1
print("parameters:", ss.n_params, "| loss at W = I:", float(ss.population_loss([{"W": jnp.eye(TEACHER_UNITS)}])))
spectrum = instruments.hessian_top(ss, teacher_point, ss.n_params, key=jax.random.key(0))
eigenvalues = spectrum["eigenvalues"][0]
print("Hessian eigenvalues, largest first:")
print(np.round(eigenvalues, 4))

# %% [markdown]
# Every eigenvalue is positive: the landscape curves upwards in every direction around the
# teacher, as it should at a minimum. (Repeated values come from the symmetry of the problem:
# swapping units or input coordinates changes nothing.)
#
# ## Where next
#
# * `python -m analysis verify` checks every claim of the study and writes the report.
# * `python -m figures --quick` draws every figure.
# * The README shows how to bring your own model (`L.CustomProblem`).
#
# The last cell checks the tour's main facts, so the notebook doubles as a test.

# %%
assert at_minimum == 0.0 and backwards > at_minimum
assert basins_two.names().tolist() == ["global_min", "dead"]
assert abs(float(runs_w.final["w"][1])) < 1e-6
assert 0 < basins.fractions["dead"] < 1 and basins.fractions["global_min"] > 0
assert result.verdict == "confirmed"
assert eigenvalues.shape == (ss.n_params,) and eigenvalues.min() > 0
print("TOUR OK")
