"""The command lines' help and errors: every command and sub-command answers ``--help`` with status 0, every
option says its default exactly once (an option without a value says in words what happens when it is not
given), the descriptions read as plain text, and bad input ends in one line starting ``error: `` with
status 2, the same on every command line.

The parsers are walked in-process; each command line is also run once as a real process with a bad value."""

import argparse
import os
import subprocess
import sys

import pytest

from analysis import __main__ as analysis_cli
from benchmarks import __main__ as benchmarks_cli
from explorer import __main__ as explorer_cli
from figures import __main__ as figures_cli
from landscape import __main__ as landscape_cli
from landscape.optimizers import OPTIMIZERS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PREFIX = "error: "
CLIS = {
    "landscape": landscape_cli,
    "analysis": analysis_cli,
    "figures": figures_cli,
    "benchmarks": benchmarks_cli,
    "explorer": explorer_cli,
}


def _commands(parser, path=()):
    """(argv prefix, parser) of a parser and of every sub-command under it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = [(cli, path, p) for cli, mod in CLIS.items() for path, p in _commands(mod.build_parser())]
IDS = [" ".join((cli, *path)) for cli, path, _ in COMMANDS]


def _help_of(parser, action) -> str:
    """An option's help as ``--help`` prints it (defaults expanded), on one line."""
    return " ".join(parser._get_formatter()._expand_help(action).split())


def _documented(parser):
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or action.help == argparse.SUPPRESS:
            continue
        yield action, _help_of(parser, action)


def test_every_command_line_has_its_sub_commands():
    assert {" ".join(p) for c, p, _ in COMMANDS if c == "analysis"} >= {
        "deep born-dead",
        "deep dying",
        "deep spurious",
        "deep explode",
    }
    assert ("landscape", ("train",)) in [(c, p) for c, p, _ in COMMANDS]


@pytest.mark.parametrize("cli, path, parser", COMMANDS, ids=IDS)
def test_help_says_every_default_once(cli, path, parser, capsys):
    assert CLIS[cli].main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: {parser.prog}")
    assert "(default: None)" not in out and "default: None" not in " ".join(out.split())
    assert "``" not in out and ":mod:" not in out and ":func:" not in out  # descriptions are plain text
    for action, text in _documented(parser):
        name = "/".join(action.option_strings) or action.dest
        if action.option_strings:
            assert text.lower().count("default") == 1, f"{cli} {' '.join(path)} {name}: {text!r}"
        else:  # a positional: a default, if it has one, said once
            assert text.lower().count("default") <= 1, f"{cli} {' '.join(path)} {name}: {text!r}"
        assert "default: None" not in text and "default: []" not in text, (name, text)


@pytest.mark.parametrize(
    "parser, option",
    [
        (dict(_commands(landscape_cli.build_parser()))[("train",)], "--optimizer"),
        (dict(_commands(analysis_cli.build_parser()))[("phase",)], "--method"),
    ],
    ids=["train --optimizer", "phase --method"],
)
def test_optimizer_options_list_every_registered_optimizer(parser, option):
    action = next(a for a in parser._actions if option in a.option_strings)
    text = _help_of(parser, action)
    for name in OPTIMIZERS:
        assert name in text, (option, name, text)


def test_progress_says_its_real_default():
    train = dict(_commands(landscape_cli.build_parser()))[("train",)]
    action = next(a for a in train._actions if "--progress" in a.option_strings)
    assert "--no-progress" in action.option_strings and action.default is None
    assert "1e10 sample-steps" in _help_of(train, action)
    assert train.parse_args([]).progress is None
    assert train.parse_args(["--progress"]).progress is True
    assert train.parse_args(["--no-progress"]).progress is False


def test_flags_say_off_by_default():
    for cli, path, parser in COMMANDS:
        for action, text in _documented(parser):
            if isinstance(action, argparse._StoreTrueAction):
                assert text.endswith("(default: off)"), (cli, path, action.option_strings, text)


# a bad value of one option of each command line, and of each deep question: (argv, what the line names)
BAD = [
    ("landscape", ["train", "--optimizer", "adamw"], "--optimizer"),
    ("landscape", ["train", "--progress=yes"], "--progress"),
    ("analysis", ["phase", "--method", "adamw"], "--method"),
    ("analysis", ["deep", "born-dead", "--depth", "0"], "--depth"),
    ("analysis", ["deep", "dying", "--steps", "x"], "--steps"),
    ("analysis", ["deep", "spurious", "--samples", "-1"], "--samples"),
    ("analysis", ["deep", "explode", "--slope", "inf"], "--slope"),
    ("analysis", ["deep", "nope"], "invalid choice"),
    ("figures", ["--seed", "-1"], "--seed"),
    ("benchmarks", ["--quick=3"], "--quick"),
    ("explorer", ["--port", "x"], "--port"),
]


@pytest.mark.parametrize("cli, argv, names", BAD, ids=[" ".join([c, *a]) for c, a, _ in BAD])
def test_bad_input_is_one_line_with_the_same_prefix(cli, argv, names, capsys):
    assert CLIS[cli].main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(PREFIX) and names in err[0], err


# each command line as a real process, once: status 2 and one line, no traceback (before any work)
PROCESSES = [
    ("landscape", ["train", "--epochs", "0"]),
    ("analysis", ["deep", "born-dead", "--width", "x"]),
    ("figures", ["--seed", "x"]),
    ("benchmarks", ["--readme", "MISSING/README.md", "--out", "OUT"]),
    ("explorer", ["--port", "70000"]),
]


@pytest.mark.parametrize("cli, argv", PROCESSES, ids=[c for c, _ in PROCESSES])
def test_each_command_line_fails_in_one_line(cli, argv, tmp_path):
    argv = [a.replace("MISSING", str(tmp_path / "missing")).replace("OUT", str(tmp_path / "out")) for a in argv]
    r = subprocess.run([sys.executable, "-m", cli, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(err) == 1 and err[0].startswith(PREFIX), (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert not (tmp_path / "out").exists()


def test_training_printout_names_the_minibatch_mean(capsys):
    argv = ["train", "--epochs", "1", "--steps-per-epoch", "2", "--batch", "8", "--dtype", "float64"]
    assert landscape_cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "# minibatch-mean loss: the mean of the epoch's minibatch losses" in out
    assert "minibatch-mean loss = " in out and "exact loss = " in out
