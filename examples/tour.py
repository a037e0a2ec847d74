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
# Take the smallest neural network there is: one ReLU neuron `relu(w·x)`, asked to imitate
# `relu(x)` on inputs drawn from a standard Gaussian. The answer is obvious: `w = 1`. Gradient
# descent finds it from `w0 = 2`, but from the "backwards" start `w0 = -10` it creeps to `w = 0`
# and stays there. **Why can't gradient descent train a ReLU neuron from a backwards start?**
#
# This notebook answers with the package's own functions, one picture at a time:
#
# 1. the loss of the one weight, `L(w)`, and its kink at `w = 0`: the whole answer in one picture;
# 2. the original experiment, from `w0 = -10` and from `w0 = 2`;
# 3. a bias as a second weight: the `(w, b)` plane, paths and basins;
# 4. the study's verdict on the original claim;
# 5. slices and Hessian spectra of a larger network, where gradient descent gets stuck another way;
# 6. your own model, with the same calls;
# 7. the explorer, to do all of this by clicking.
#
# It runs in about half a minute on a laptop CPU; `TOUR_QUICK=1` in the environment shrinks every size.

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
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.patches import Patch
from matplotlib.ticker import LogLocator

import analysis as A
import landscape as L
from analysis import claims, deep, instruments

QUICK = os.environ.get("TOUR_QUICK") == "1"

GRID = 49 if QUICK else 241  # points per axis of the (w, b) loss picture
STEPS = 1000 if QUICK else 5000  # gradient-descent steps in the (w, b) plane
BASIN_GRID = 24 if QUICK else 64  # starts per axis of the basin map
SLICE = 21 if QUICK else 61  # points per axis of the 2-D slices
ORIGINAL = L.ORIGINAL  # the settings of the original experiment: w0 = -10, SGD at step 0.01, batches of 1000

print("quick mode" if QUICK else "full mode", "| JAX", jax.__version__, "on", jax.devices()[0].platform)

# %% [markdown]
# ## 1. The central picture: the loss of one weight
#
# `L.Problem()` is the question's set-up: the student `relu(w·x)` with its one weight `w`, the
# teacher `relu(x)`, standard Gaussian inputs. Its population loss `L(w)` is the *expected*
# squared error over all inputs, computed in closed form: no sampling, no noise. We draw it over
# `w` from the backwards start to past the answer, with its slope `L'(w)` (by `jax.grad` through
# the exact loss), and measure the one-sided slopes at `w = 0`.

# %%
one_weight = L.Problem()
print(one_weight)

w = np.arange(-1100, 301) / 100  # from -11 to 3 in steps of 0.01, with -10, 0 and 1 exactly among them
curve = L.grid(one_weight, {"w": w}, quantities=("loss", "grad"))  # one compiled call over every w
loss_w, slope_w = np.asarray(curve.loss), np.asarray(curve.grad["w"])
closed_form = np.where(w < 0, w**2 / 2 + 1 / 2, (w - 1) ** 2 / 2)
print("largest |L(w) - closed form| on the curve:", np.abs(loss_w - closed_form).max())

marks = {"backwards start w0 = -10": ORIGINAL.w0, "the kink w = 0": 0.0, "the answer w = 1": 1.0}
at_marks = [float(loss_w[w == at][0]) for at in marks.values()]
for (name, at), value in zip(marks.items(), at_marks):
    print(f"L({at:+5.1f}) = {value:8.4f}   ({name})")
kink = A.one_sided_derivatives(one_weight, {"w": 0.0}, {"w": 1.0})
left, right = round(kink["left"], 9) + 0.0, round(kink["right"], 9) + 0.0  # to 9 digits (+ 0.0: no "-0")
print(f"slope at w = 0: {left} from the left, {right} from the right, {kink['gradient_at_point']} at w = 0 itself")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
ax1.plot(w, loss_w, color="black")
for (name, at), value, style in zip(marks.items(), at_marks, ["rX", "o", "b*"]):
    ax1.plot([at], [value], style, ms=11, label=name)
ax1.set(xlabel="w", ylabel="L(w)", title="The exact loss of relu(w x) fitting relu(x)")
ax1.legend()
near = np.abs(w - 0.5) <= 2.0
ax2.plot(w[near], loss_w[near], color="black", label="L(w)")
ax2.plot(w[near], slope_w[near], color="tab:orange", label="slope L'(w)")
ax2.axvline(0.0, color="grey", lw=0.8, ls=":")
ax2.axhline(0.0, color="grey", lw=0.8)
ax2.annotate(
    "left of 0 the slope w\nfades to 0 at the kink", (-0.05, -0.05), (-1.45, -2.2), arrowprops={"arrowstyle": "->"}
)
ax2.annotate(
    "right of 0 it is w - 1:\n-1 just past the kink", (0.05, -0.95), (0.5, -2.2), arrowprops={"arrowstyle": "->"}
)
ax2.set(xlabel="w", ylim=(-2.4, 2.2), title="Near the kink: loss and slope")
ax2.legend(loc="upper center")
plt.show()

# %% [markdown]
# The picture is the whole answer.
#
# * **Right of the kink** `L(w) = (w - 1)²/2`: a parabola with its bottom, 0, at the answer
#   `w = 1`. From any `w0 > 0`, gradient descent slides into it.
# * **Left of the kink** `L(w) = w²/2 + 1/2`: another parabola, but its bottom is at `w = 0`,
#   the kink itself. Its slope is `w`, so it always points to 0 and never beyond: each step
#   `w ← w - η w = (1 - η) w` shrinks `w` by the same factor, and `w` approaches 0 without ever
#   crossing it.
# * **At the kink** the slope jumps from 0 (left) to -1 (right). The slope that would lead to the
#   answer lies just past the kink, and descent arrives from the side where the slope fades to 0.
#   At `w = 0` itself the neuron outputs 0 for every input, so its gradient is exactly 0.
#
# So `w = 0` is not a local minimum (the loss goes down to the right of it), yet gradient descent
# from the left can only approach it.

# %% [markdown]
# ## 2. The original experiment
#
# `L.train` runs gradient descent from many starts at once. Here the question's own experiment:
# plain SGD at Keras' default step 0.01, fresh minibatches of 1000 inputs, 2000 steps, from the
# good start `w0 = 2` and the backwards start `w0 = -10` side by side. It returns a
# `Trajectories` object: the recorded `steps`, the `params` at each record, their exact
# `population_loss`, and the `final` parameters. `analysis.classify` names each end state.

# %%
sgd = L.optimizer(ORIGINAL.optimizer, learning_rate=ORIGINAL.learning_rate)
runs_w = L.train(
    one_weight,
    {"w": jnp.array([ORIGINAL.good_w0, ORIGINAL.w0])},
    optimizer=sgd,
    steps=ORIGINAL.steps,
    batch_size=ORIGINAL.batch_size,
    record_every=20,
    key=jax.random.key(ORIGINAL.seed),
)
labels_w = A.classify(one_weight, runs_w.final, diverged=runs_w.diverged).names()
for i, w0 in enumerate([ORIGINAL.good_w0, ORIGINAL.w0]):
    print(f"from w0 = {w0:+5.1f}: w = {float(runs_w.final['w'][i]):+.3e} after {ORIGINAL.steps} steps ({labels_w[i]})")
print(labels_w)

steps = np.asarray(runs_w.steps)
geometric = abs(ORIGINAL.w0) * (1 - ORIGINAL.learning_rate) ** steps  # |w| under the exact gradient, left of 0
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
for i, (w0, colour) in enumerate([(ORIGINAL.good_w0, "tab:blue"), (ORIGINAL.w0, "tab:red")]):
    ax1.plot(steps, runs_w.params["w"][:, i], color=colour, label=f"w0 = {w0:g}")
ax1.axhline(1.0, color="grey", lw=0.8, ls="--")
ax1.set(xlabel="step", ylabel="w", title="w during training")
ax1.legend()
ax2.semilogy(steps, np.abs(runs_w.params["w"][:, 1]), color="tab:red", lw=3, alpha=0.6, label="|w|, minibatch SGD")
ax2.semilogy(steps, geometric, "k--", label="10 (1 - η)^step")
ax2.set(xlabel="step", ylabel="|w|", title="the backwards start: |w| shrinks geometrically")
ax2.legend()
plt.show()

# %% [markdown]
# The good start reaches `w = 1` within a few hundred steps. The backwards start follows the
# straight line of the right panel: `|w|` shrinks by the factor `1 - η` per step, as the left
# parabola predicts, and after 2000 steps `w` is about `-2e-8`, on the wrong side of the kink for
# good. Minibatch noise does not rescue it: on a backwards neuron each input's gradient is `2 w x²`
# (or 0 where the neuron is off), proportional to `w`, so the noise fades with `w` as well.

# %% [markdown]
# ## 3. A bias: the (w, b) plane
#
# Give the neuron a bias, `relu(w·x + b)`, and the picture becomes a plane. `L.grid` evaluates the
# exact loss on every point of a `(w, b)` grid in one compiled call; we draw it on a logarithmic
# colour scale, so that the valley towards the answer `(1, 0)` shows, and train (with the exact
# gradient, SGD at step 0.1) from a good start `(0.5, 0)` and the backwards start `(-1, 0)`.

# %%
problem = L.Problem(trained=("w", "b"))
print(problem)
at_minimum = float(problem.population_loss({"w": 1.0, "b": 0.0}))
backwards = float(problem.population_loss({"w": -1.0, "b": 0.0}))
print(f"loss at the answer    (w, b) = ( 1, 0): {at_minimum:.6f}")
print(f"loss at the backwards (w, b) = (-1, 0): {backwards:.6f}")

ws = jnp.linspace(-3.0, 3.0, GRID)
bs = jnp.linspace(-3.0, 3.0, GRID)
loss = np.asarray(L.grid(problem, {"w": ws, "b": bs}, quantities=("loss",)).loss)  # rows are w, columns are b

starts = {"w": jnp.array([0.5, -1.0]), "b": jnp.array([0.0, 0.0])}
plane_sgd = L.optimizer("sgd", learning_rate=0.1)
runs = L.train(
    problem,
    starts,
    optimizer=plane_sgd,
    steps=STEPS,
    gradient="population",
    record_every=STEPS // 50,
    key=jax.random.key(0),
)
basins_two = A.classify(problem, runs.final, diverged=runs.diverged)
for i, name in enumerate(["good start", "backwards start"]):
    w_end, b_end = float(runs.final["w"][i]), float(runs.final["b"][i])
    print(f"{name:16s} ends at w = {w_end:+.4f}, b = {b_end:+.4f}, loss = {float(runs.population_loss[-1, i]):.6f}")
print(basins_two.names())
active = np.asarray(L.neuron.active_fraction(problem, runs.final))
print("share of inputs on which the neuron is active:", np.round(active, 5))

levels = np.geomspace(1e-3, loss.max(), 25)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.3), layout="constrained")
cs = ax1.contourf(ws, bs, loss.T.clip(levels[0]), levels=levels, norm=LogNorm(), cmap="viridis")
fig.colorbar(cs, ax=ax1, label="exact loss (log scale)", ticks=LogLocator(), format="%.3g")
for i, (name, colour) in enumerate([("good start", "tab:blue"), ("backwards start", "tab:red")]):
    ax1.plot(runs.params["w"][:, i], runs.params["b"][:, i], "o-", ms=3, lw=2, color=colour, label=name)
    ax2.plot(runs.steps, runs.population_loss[:, i], color=colour, label=name)
ax1.plot([1], [0], "w*", ms=14, mec="black", label="the answer (1, 0)")
ax1.set(xlabel="w", ylabel="b", title="paths over the exact loss")
ax1.legend(loc="lower left", fontsize=8)
ax2.set(xlabel="step", ylabel="exact loss", title="loss during training")
ax2.set_yscale("symlog", linthresh=1e-4)  # logarithmic above 1e-4, linear down to 0
ax2.legend()
plt.show()

# %% [markdown]
# The valley leads to `(1, 0)`, and the good start follows it. The backwards start slides the
# other way, down onto the plateau at the bottom of the picture: where `b` is negative and large
# compared with `|w|`, the neuron is active on almost no inputs, every gradient through it
# (nearly) vanishes, and the loss sits at 1/2, the loss of always answering 0. The kink of
# section 1 has become a whole flat region.
#
# One good and one bad start is an anecdote. Here is a whole grid of starts, trained in one call
# side by side, each coloured by where it ends.

# %%
w0 = jnp.linspace(-3.0, 3.0, BASIN_GRID)
b0 = jnp.linspace(-3.0, 3.0, BASIN_GRID)
W0, B0 = jnp.meshgrid(w0, b0, indexing="ij")
sweep = L.train(
    problem,
    {"w": W0.ravel(), "b": B0.ravel()},
    optimizer=plane_sgd,
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
    "escaping": "tab:cyan",
}
codes = basins.labels.reshape(BASIN_GRID, BASIN_GRID)  # rows are w0, columns are b0
cmap = ListedColormap([colours[name] for name in A.BASINS])
fig, ax = plt.subplots(figsize=(5, 4.5), layout="constrained")
ax.pcolormesh(w0, b0, codes.T, cmap=cmap, vmin=-0.5, vmax=len(A.BASINS) - 0.5, shading="nearest")
present = [name for name in A.BASINS if basins.counts[name]]
ax.legend(handles=[Patch(color=colours[name], label=name) for name in present], loc="lower right")
ax.set(xlabel="start w", ylabel="start b", title="where each start ends")
plt.show()

# %% [markdown]
# Everything to the lower left of a diagonal line is lost, including every backwards start
# `w0 < 0` with `b0 = 0`: a start whose neuron begins (or soon becomes) silent on most inputs
# never recovers. The summary gives each basin's share with a 95% interval; a few starts right on
# the border may still be `moving` when the step budget runs out.

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
# ## 5. Slices and spectra: a trap of another kind
#
# The neuron's trap is no minimum at all. Larger networks also have true *spurious* minima:
# points above the global minimum's loss where every direction goes up. Safran and Shamir (2018)
# fitted `n = 7` ReLU units to `k = 7` teacher units in 7 dimensions and published such a point
# (49 weights). The landscape instruments work on any problem of the package:
#
# * `path_to_nearest_minimum`: the loss on the straight path to the nearest global minimum (the
#   nearest permutation of the teacher's units) and its barrier;
# * `directions` and `slice2d`: the loss on a random 2-D plane through a point, with directions
#   scaled to the weights' sizes ("filter-normalized", Li et al. 2018);
# * `hessian_top`: the Hessian's eigenvalues (the curvatures), here all 49 of them at both points.

# %%
ss = deep.safran_shamir(7, 7)
spurious = [{"W": deep.published_minimum_k7()}]
path = instruments.path_to_nearest_minimum(ss, spurious, n=SLICE)
minima = {"global minimum": path.end, "spurious minimum": spurious}
for name, point in minima.items():
    print(f"{name:16s}: loss {float(ss.population_loss(point)):.6f}")
print("path's end:", path.end_note)
print(f"barrier on the straight path: {path.barrier:.4f} above the spurious minimum's loss")

coef = np.linspace(-1.0, 1.0, SLICE)
slices = {}
for name, point in minima.items():
    d1, d2 = instruments.directions(ss, point, key=jax.random.key(1), n=2)  # two random directions, filter-normalized
    slices[name] = np.asarray(instruments.slice2d(ss, point, [d1, d2], coef, coef).loss)
levels = np.geomspace(1e-3, max(z.max() for z in slices.values()), 22)  # one log scale for both slices

fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")
for ax, (name, z) in zip(axes, slices.items()):
    cs = ax.contourf(coef, coef, z.T.clip(levels[0]), levels=levels, norm=LogNorm(), cmap="viridis")
    ax.plot(0, 0, "w*", ms=12, mec="black")
    ax.set(xlabel="α (direction 1)", ylabel="β (direction 2)", title=f"a slice through the {name}", aspect="equal")
fig.colorbar(cs, ax=axes[:2], label="exact loss (log scale)", ticks=LogLocator(), format="%.3g")
axes[2].plot(1 - path.t, path.loss, color="black", label="loss")
axes[2].axvline(1 - path.argmax, color="tab:red", lw=1, label=f"barrier {path.barrier:.3f}")
axes[2].set(xlabel="t (0: global minimum, 1: spurious minimum)", ylabel="loss", title="the straight path between them")
axes[2].legend()
plt.show()

# %% [markdown]
# Both slices look like a bowl around their centre: in a picture, the spurious minimum is as
# convincing a minimum as the global one, only higher (loss 0.046 instead of 0). The straight path
# between them climbs over a ridge. The Hessian settles it: all its eigenvalues positive means
# the loss curves up in every direction.

# %%
both = [{"W": jnp.stack([point[0]["W"] for point in minima.values()])}]  # a batch of the two points
spectrum = instruments.hessian_top(ss, both, ss.n_params, key=jax.random.key(0))
eigenvalues = spectrum["eigenvalues"]  # (2, 49), largest first
print(f"{spectrum['method']} spectrum; smallest eigenvalue at each:", np.round(eigenvalues[:, -1], 4))

fig, ax = plt.subplots(figsize=(8, 3.8), layout="constrained")
index = np.arange(1, ss.n_params + 1)
for row, (name, colour, marker) in enumerate(
    [("global minimum", "tab:blue", "o"), ("spurious minimum", "tab:red", "s")]
):
    ax.plot(index, eigenvalues[row], marker, color=colour, ms=5, mfc="none", label=name)
ax.set_yscale("log")
ax.set(
    xlabel="eigenvalue number (largest first)", ylabel="Hessian eigenvalue", title="All 49 curvatures at each minimum"
)
ax.legend()
plt.show()

# %% [markdown]
# Every curvature is positive at both points: the spurious point is a true local minimum, and
# plain gradient descent that reaches it stays. Flat steps in the plot are repeated eigenvalues,
# from the problem's symmetry (swapping units or input coordinates changes nothing). The smallest
# curvatures at the spurious minimum are much smaller than at the global one: the walls of its
# bowl are low in some directions. The neuron's `w = 0` is different: there the loss still falls
# to the right, and only the vanishing slope on the left keeps gradient descent out.

# %% [markdown]
# ## 6. Your own model
#
# Any model written as pure JAX functions is a problem like the built-in ones: `apply(params, x)`
# on one example, `target(x)`, and an example of the parameters. Its population loss is the mean
# over a fixed Monte Carlo sample of inputs (65,536 by default). Here we write the neuron
# ourselves, once as a ReLU and once as a leaky ReLU (slope 0.1 below zero), and ask the question
# again.


# %%
def neuron(slope):
    def apply(params, x):  # one input x (a scalar)
        z = params["w"] * x
        return jnp.where(z > 0, z, slope * z)

    return L.CustomProblem(apply=apply, target=jax.nn.relu, params={"w": 0.0}, name=f"neuron, slope {slope} below 0")


mine = {"relu": neuron(0.0), "leaky relu": neuron(0.1)}
print(mine["leaky relu"].coordinates(), "|", mine["leaky relu"].exactness)
coarse = w[::10]  # every 0.1
my_loss = {name: np.asarray(L.grid(p, {"['w']": coarse}, quantities=("loss",)).loss) for name, p in mine.items()}
exact, away = loss_w[::10], loss_w[::10] > 1e-3
difference = np.max(np.abs(my_loss["relu"][away] / exact[away] - 1))
print(f"hand-written ReLU: Monte Carlo L(-10) = {my_loss['relu'][coarse == ORIGINAL.w0][0]:.3f}, exact 50.5; ")
print(f"largest relative difference from the exact L(w) of section 1: {difference:.3f}")

leaky = L.train(
    mine["leaky relu"],
    {"w": jnp.array([ORIGINAL.w0])},
    optimizer=sgd,
    steps=ORIGINAL.steps,
    batch_size=ORIGINAL.batch_size,
    record_every=20,
    key=jax.random.key(ORIGINAL.seed),
)
print(f"leaky ReLU from w0 = {ORIGINAL.w0:g}: w = {float(leaky.final['w'][0]):.4f} after {ORIGINAL.steps} steps")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
for name, colour in [("relu", "tab:red"), ("leaky relu", "tab:green")]:
    ax1.plot(coarse, my_loss[name], color=colour, label=name)
ax1.set(xlabel="w", ylabel="Monte Carlo loss", title="your model's loss")
ax1.legend()
ax2.plot(runs_w.steps, runs_w.params["w"][:, 1], color="tab:red", label="relu (section 2)")
ax2.plot(leaky.steps, leaky.params["w"][:, 0], color="tab:green", label="leaky relu")
ax2.axhline(0.0, color="grey", lw=0.8)
ax2.set(xlabel="step", ylabel="w", title=f"from w0 = {ORIGINAL.w0:g}")
ax2.legend()
plt.show()

# %% [markdown]
# The hand-written ReLU reproduces the exact loss up to the Monte Carlo error. The leaky ReLU
# has no flat side: left of 0 it still passes a signal (slope 0.1), so the slope keeps pointing
# right, past 0, and the backwards start walks to its answer (about `w = 0.99`, the best a leaky
# neuron can do). One changed line answers the question the other way round: the ReLU's zero
# slope below 0 is what traps the backwards start.
#
# `L.grid`, `L.train`, `analysis.classify` and the instruments of section 5 take such a model with
# the same calls; so do Equinox or Flax models split into their arrays and a pure function (the
# README shows a two-layer network).

# %% [markdown]
# ## 7. The explorer
#
# Everything above can be done by clicking. `make explore` (or `python -m explorer --port 8050`)
# starts a local web app on http://127.0.0.1:8050/, with the package's exact numbers behind every
# pixel:
#
# * **Loss over (w, b)**: the picture of section 3 for any activation and input distribution, with
#   the dead set and the near-flat region drawn; click anywhere to train from there with SGD,
#   momentum, Nesterov, Adam or AMSGrad, and compare runs.
# * **Basin map**: section 3's map for the chosen optimizer.
# * **One weight (the original)**: section 2 with a step slider.
# * **Lip phase diagram**: from `w0 = -10`, which momentum and step size carry `w` over the kink
#   (plain SGD at step 0.01 never does; momentum 0.9 does).
# * **Verdicts**: the report's verdicts, each linking to the view that shows it.
#
# Every view is a URL: `?view=oneweight&ow-w0=-10` opens the original experiment, and
# `?view=landscape&activation=leaky_relu&slope=0.1&starts=-1:0,0.5:0` trains a leaky neuron from
# this notebook's two starts.
#
# ## Where next
#
# * `python -m analysis verify` checks every claim of the study and writes the report.
# * `python -m figures --quick` draws every figure.
# * `deep.born_dead` measures how often deeper ReLU networks are dead before training starts.
#
# The last cell checks the tour's main facts, so the notebook doubles as a test.

# %%
assert np.abs(loss_w - closed_form).max() < 1e-12
assert (left, right, kink["gradient_at_point"]) == (0.0, -1.0, 0.0)
assert labels_w.tolist() == ["global_min", "dead"] and abs(float(runs_w.final["w"][1])) < 1e-6
assert at_minimum == 0.0 and backwards > at_minimum
assert basins_two.names().tolist() == ["global_min", "dead"]
assert 0 < basins.fractions["dead"] < 1 and basins.fractions["global_min"] > 0
assert result.verdict == "confirmed"
assert path.barrier > 0 and eigenvalues.shape == (2, ss.n_params) and eigenvalues.min() > 0
assert float(leaky.final["w"][0]) > 0.9
print("TOUR OK")
