"""``python -m landscape train|summary``: the original experiment, and the exact landscape.

``train`` runs the original experiment (or any variant) and prints the
weight and loss at each epoch end, like the original's log; ``summary``
prints the exact loss landscape of the study's problem. Every option is
validated before any work; bad input exits with one line and status 2,
``--debug`` shows tracebacks; long runs show a progress bar.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from landscape import cli
from landscape.optimizers import OPTIMIZERS, defaults
from landscape.original import ORIGINAL

PARAM_FLAGS = {"w": "w0", "b": "b0", "a": "a0", "c": "c0"}
# starts of untrained-by-default parameters: the neuron's defaults; w starts backwards, as in the original
START_DEFAULTS = {"w": ORIGINAL.w0, "b": 0.0, "a": 1.0, "c": 0.0}
# every hyperparameter any optimizer takes, but the learning rate (--lr)
# runs of more sample-steps than this show a progress bar unless --no-progress is given
PROGRESS_WORK = 1e10
HYPERPARAMS = tuple(sorted({h for name in OPTIMIZERS for h in defaults(name)} - {"learning_rate"}))


def _per_optimizer(name: str) -> str:
    """``name``'s default for the optimizers that take it, e.g. ``0.9`` or ``0.01 for sgd; 0.001 for adam``."""
    by_value: dict[float, list[str]] = {}
    for opt in OPTIMIZERS:
        if name in defaults(opt):
            by_value.setdefault(defaults(opt)[name], []).append(opt)
    if len(by_value) == 1:
        return f"{next(iter(by_value)):g}"
    return "; ".join(f"{v:g} for {', '.join(opts)}" for v, opts in by_value.items())


def _activation(text):
    from landscape.activations import parse

    try:
        return parse(text)
    except (TypeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser():
    ap = cli.Parser(prog="python -m landscape", description=cli.description(__doc__))
    sub = ap.add_subparsers(dest="command", required=True, metavar="{train,summary}")

    def add(name, help_):
        return cli.add_command(sub, name, help_)

    t = add("train", "run the original experiment or a variant")
    t.add_argument(
        "--student", type=_activation, default="relu", help="student activation, e.g. relu or leaky_relu:0.3"
    )
    t.add_argument("--teacher", type=_activation, default="relu", help="teacher activation")
    t.add_argument("--inputs", default="gaussian", help="gaussian or uniform:LO,HI")
    t.add_argument("--train", default="w", help="trained parameters, e.g. w or w,b or w,b,a,c")
    for name, flag in PARAM_FLAGS.items():
        t.add_argument(
            f"--{flag}",
            type=cli.finite_float(f"--{flag}"),
            nargs="+",
            default=None,
            help=f"initial {name}; several values run together (default: {START_DEFAULTS[name]:g}, when {name} is trained)",
        )
    t.add_argument(
        "--optimizer",
        default=ORIGINAL.optimizer,
        choices=list(OPTIMIZERS),
        metavar="NAME",
        help=f"the optimizer, one of {', '.join(OPTIMIZERS)}",
    )
    t.add_argument(
        "--lr",
        type=cli.finite_float("--lr", 0.0),
        default=None,
        help=f"learning rate (default: the optimizer's own, {_per_optimizer('learning_rate')})",
    )
    for hp in HYPERPARAMS:
        users = [n for n in OPTIMIZERS if hp in defaults(n)]
        flag = "--" + hp.replace("_", "-")
        t.add_argument(
            flag,
            dest=hp,
            type=cli.finite_float(flag),
            default=None,
            help=f"the optimizer's {hp}, for {', '.join(users)} (default: {_per_optimizer(hp)})",
        )
    t.add_argument("--epochs", type=cli.positive_int("--epochs"), default=ORIGINAL.epochs, help="epochs (records)")
    t.add_argument(
        "--steps-per-epoch",
        type=cli.positive_int("--steps-per-epoch"),
        default=ORIGINAL.steps_per_epoch,
        help="steps per epoch",
    )
    t.add_argument(
        "--batch", type=cli.positive_int("--batch"), default=ORIGINAL.batch_size, help="samples per minibatch"
    )
    t.add_argument("--gradient", default="minibatch", choices=["minibatch", "population"], help="gradient mode")
    t.add_argument("--streams", default="shared", choices=["shared", "independent"], help="batch streams of the starts")
    t.add_argument("--dtype", default=ORIGINAL.dtype, choices=["float32", "float64"], help="float32 as Keras")
    t.add_argument("--seed", type=cli.seed, default=ORIGINAL.seed, help="random seed")
    t.add_argument(
        "--json",
        default=None,
        metavar="PATH",
        help="write the log, the settings and the final parameters to PATH (default: no file written)",
    )
    t.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"show a progress bar, or never show one (default: shown for runs of over {PROGRESS_WORK:.0e} "
        "sample-steps only)".replace("e+", "e"),
    )
    s = add("summary", "print the exact loss landscape of the study's problem")
    s.add_argument("--json", default=None, metavar="PATH", help="write the numbers as JSON (default: no file written)")
    return ap


def _train(args) -> int:
    import jax

    if args.dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    import landscape as L
    from landscape.io import check_output_file, provenance, write_json

    problem = L.Problem(student=args.student, teacher=args.teacher, inputs=args.inputs, trained=args.train)
    given = {p: getattr(args, PARAM_FLAGS[p]) for p in L.neuron.PARAM_NAMES}
    for p, v in given.items():
        if v is not None and p not in problem.trained:
            raise ValueError(f"--{PARAM_FLAGS[p]} given but {p!r} is not trained (--train {','.join(problem.trained)})")
    values = {
        p: np.asarray(given[p] if given[p] is not None else [START_DEFAULTS[p]], np.float64) for p in problem.trained
    }
    n = max(len(v) for v in values.values())
    for p, v in values.items():
        if len(v) not in (1, n):
            raise ValueError(f"--{PARAM_FLAGS[p]} has {len(v)} values; give 1 or {n}")
    init = {p: jnp.asarray(np.broadcast_to(v, (n,)), args.dtype) for p, v in values.items()}
    hp = {}
    if args.lr is not None:
        hp["learning_rate"] = args.lr
    for name in HYPERPARAMS:
        if getattr(args, name) is not None:
            hp[name] = getattr(args, name)
    opt = L.optimizer(args.optimizer, **hp)
    if args.json is not None:
        check_output_file(args.json, "--json")
    steps = args.epochs * args.steps_per_epoch
    if steps > cli.MAX_INT:
        raise ValueError(
            f"--epochs x --steps-per-epoch = {steps} steps is out of range; allowed: at most {cli.MAX_INT}"
        )
    work = n * steps * (args.batch if args.gradient == "minibatch" else 1)
    progress = args.progress if args.progress is not None else work > PROGRESS_WORK
    traj = L.train(
        problem,
        init,
        optimizer=opt,
        steps=steps,
        batch_size=args.batch,
        key=jax.random.key(args.seed),
        gradient=args.gradient,
        record_every=args.steps_per_epoch,
        streams=args.streams,
        progress=progress,
    )
    print(f"# {problem.label}")
    print(
        f"# optimizer {traj.settings['optimizer']}, {args.gradient} gradients, batch {args.batch}, {args.dtype}, seed {args.seed}"
    )
    if args.gradient == "minibatch":
        mean = "minibatch-mean loss"
        print(f"# {mean}: the mean of the epoch's minibatch losses (one per step)")
    else:
        mean = "step-mean loss"
        print(f"# {mean}: the mean of the population losses at the epoch's steps")
    print("# exact loss: the population loss at the epoch's end")
    epochs = []
    for e in range(1, args.epochs + 1):
        row = {"epoch": e, "loss": traj.batch_loss[e - 1].tolist(), "exact_loss": traj.population_loss[e].tolist()}
        row.update({p: traj.params[p][e].tolist() for p in problem.trained})
        epochs.append(row)
        for s in range(n):
            ps = "  ".join(f"{p} = {row[p][s]: .6f}" for p in problem.trained)
            tag = f"[start {s}] " if n > 1 else ""
            print(
                f"Epoch {e:3d}/{args.epochs}  {tag}{ps}  {mean} = {row['loss'][s]:.6f}  "
                f"exact loss = {row['exact_loss'][s]:.6f}"
            )
    diverged = np.asarray(traj.diverged)
    if diverged.any():
        print(f"# diverged starts: {np.flatnonzero(diverged).tolist()}")
    if args.json:
        final = {p: (traj.final[p].tolist() if n > 1 else float(traj.final[p][0])) for p in problem.trained}
        write_json(
            args.json,
            {
                "settings": {
                    **traj.settings,
                    "seed": args.seed,
                    "epochs": args.epochs,
                    "steps_per_epoch": args.steps_per_epoch,
                },
                "init": {p: v.tolist() for p, v in init.items()},
                "epochs": epochs,
                "final": final,
                "diverged": diverged.tolist(),
                "provenance": provenance(),
            },
        )
    return 0


def summary_numbers():
    """The exact landscape of the study's problem, computed (float64 expected)."""
    import jax
    import jax.numpy as jnp

    import landscape as L

    p1 = L.Problem()
    loss = lambda w: float(L.population_loss(p1, {"w": jnp.asarray(w, jnp.float64)}))
    grad = lambda w: float(jax.grad(lambda v: L.population_loss(p1, {"w": v}))(jnp.asarray(w, jnp.float64)))
    kink = L.neuron.one_sided_derivatives(p1, {"w": 0.0}, {"w": 1.0})
    out = {
        "L(w=-10)": loss(-10.0),
        "L(w=-1)": loss(-1.0),
        "L(w=0) (dead level)": p1.dead_level(),
        "L(w=1) (global minimum)": loss(1.0),
        "dL/dw at w=-10": grad(-10.0),
        "dL/dw at w=-0.01": grad(-0.01),
        "dL/dw at w=0 (per-sample convention)": grad(0.0),
        "left derivative at 0": kink["left"],
        "right derivative at 0": kink["right"],
    }
    p2 = L.Problem(trained=("w", "b"))
    r = L.grid(p2, {"w": jnp.linspace(-3, 3, 601), "b": jnp.linspace(-3, 3, 601)})
    grid_loss = r.loss
    if grid_loss is None:
        raise RuntimeError("the (w, b) grid returned no loss")
    i, j = np.unravel_index(int(jnp.argmin(grid_loss)), grid_loss.shape)
    out["(w,b) grid minimum"] = float(grid_loss[i, j])
    out["(w,b) argmin w"] = float(r.axes["w"][i])
    out["(w,b) argmin b"] = float(r.axes["b"][j])
    out["(w,b) loss on dead set w=0,b<=0"] = float(
        L.population_loss(p2, {"w": jnp.asarray(0.0, jnp.float64), "b": jnp.asarray(-1.0, jnp.float64)})
    )
    return out


def _summary(args) -> int:
    import jax

    jax.config.update("jax_enable_x64", True)
    from landscape.io import check_output_file, provenance, write_json

    if args.json is not None:
        check_output_file(args.json, "--json")
    nums = summary_numbers()
    print("Exact population loss of relu(w x [+ b]) against relu(x), x ~ N(0, 1):")
    print("  L(w) = w^2/2 + 1/2 for w < 0,  (w - 1)^2/2 for w >= 0")
    for k, v in nums.items():
        print(f"  {k:40s} {v: .10g}")
    if args.json:
        write_json(args.json, {"summary": nums, "provenance": provenance()})
    return 0


def _body(args):
    return _train(args) if args.command == "train" else _summary(args)


def main(argv=None) -> int:
    return cli.main(build_parser(), _body, argv)


if __name__ == "__main__":
    sys.exit(main())
