"""Shared plumbing of every command line: parsers with one-line errors, and exit codes.

Contract
--------
* :class:`Parser` is an ``argparse.ArgumentParser`` whose ``--help`` says
  every option's default once (flags: ``(default: off)``; an option whose
  default is ``None`` says in words what happens when it is not given) and
  whose usage errors print one line (``error: ...``) and exit with status 2.
  :func:`description` turns a module docstring into its plain-text summary.
* :func:`run` calls a command's body and turns what it raises into one line
  on stderr: bad input (``ValueError``, ``TypeError``, ``OverflowError``,
  ``OSError`` such as an unwritable path) exits with status 2; a failure it
  can explain (out of memory, a runtime error of the backend) with status 1;
  an interruption with 130, even while the command waits inside a compiled
  program (a watcher ends it after a short grace, removing the temporary
  files of its outputs). ``--debug`` (every command has it) shows the
  traceback instead.
* Numbers on the command line are read by :func:`positive_int`,
  :func:`finite_float` and friends, which accept ``1e3`` for an integer and
  refuse what does not fit (``2**70`` as a seed, ``1e309``) with a message
  naming the option.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import signal
import sys
import textwrap
import threading
import traceback

__all__ = [
    "Formatter",
    "Parser",
    "add_command",
    "add_debug",
    "description",
    "finite_float",
    "main",
    "nonneg_int",
    "positive_float",
    "positive_int",
    "run",
    "seed",
]

MAX_INT = 2**31 - 1


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Help with each option's default said once: appended as ``(default: X)`` unless the help text already
    says what the default is; flags read ``(default: off)`` (or ``on``). An option whose default is ``None``
    must say in its own words what happens when it is not given (nothing is appended for it)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (
            text == argparse.SUPPRESS
            or "default" in text.lower()
            or action.default is argparse.SUPPRESS
            or isinstance(action, (argparse._HelpAction, argparse._VersionAction))
        ):
            return text
        if action.nargs == 0:  # a flag
            if isinstance(action.default, bool):
                return text + f" (default: {'on' if action.default else 'off'})"
            return text
        if action.default is None:
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return text + " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """``ArgumentParser`` with defaults in ``--help`` and one-line usage errors (status 2)."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kw)

    def error(self, message):
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


_ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")  # :mod:`analysis.registry` -> analysis.registry


def description(doc: str | None) -> str | None:
    """The first paragraph of a module docstring as plain text: reStructuredText markup (double backquotes,
    roles such as ``:mod:``) removed, a leading command synopsis (``python -m x ...: ``) dropped (the usage line
    shows it), its lines joined and wrapped at 79 columns."""
    if not doc:
        return None
    first = " ".join(_ROLE.sub(r"\1", doc.strip().split("\n\n")[0]).replace("``", "").split())
    if first.startswith("python -m ") and ": " in first:
        first = first.split(": ", 1)[1]
    return textwrap.fill(first[:1].upper() + first[1:], 79, break_on_hyphens=False)


def add_command(sub, name: str, help_: str) -> argparse.ArgumentParser:
    """A sub-command of ``sub`` (``add_subparsers()``) with the same help, one-line errors and ``--debug``."""
    p = sub.add_parser(name, help=help_, description=help_, formatter_class=Formatter)
    p.error = lambda message, p=p: p.exit(2, f"error: {message} (see {p.prog} --help)\n")
    add_debug(p)
    return p


def add_debug(p: argparse.ArgumentParser) -> None:
    p.add_argument("--debug", action="store_true", help="show the full traceback of an error")


def _int(text, name, lo):
    try:
        v = float(text) if any(c in str(text) for c in ".eE") else int(text)
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lo}, got {text!r}") from None
    if isinstance(v, float) and (not math.isfinite(v) or v != int(v)):
        raise argparse.ArgumentTypeError(f"{name} must be an integer >= {lo}, got {text!r}")
    v = int(v)
    if v < lo or v > MAX_INT:
        raise argparse.ArgumentTypeError(f"{name} must be an integer in [{lo}, {MAX_INT}], got {text!r}")
    return v


def positive_int(name):
    """An argparse type: an integer in [1, 2^31 - 1] (``1e3`` accepted)."""
    return lambda text: _int(text, name, 1)


def nonneg_int(name):
    """An argparse type: an integer in [0, 2^31 - 1]."""
    return lambda text: _int(text, name, 0)


def seed(text):
    """An argparse type: a random seed in [0, 2^31 - 1]."""
    return _int(text, "--seed", 0)


def finite_float(name, lo=None, hi=None, strict=False):
    """An argparse type: a finite float, optionally bounded."""

    def conv(text):
        try:
            v = float(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{name} must be finite, got {text!r}")
        if lo is not None and (v <= lo if strict else v < lo):
            raise argparse.ArgumentTypeError(f"{name} must be {'>' if strict else '>='} {lo:g}, got {text!r}")
        if hi is not None and v > hi:
            raise argparse.ArgumentTypeError(f"{name} must be <= {hi:g}, got {text!r}")
        return v

    return conv


def positive_float(name):
    return finite_float(name, 0.0, strict=True)


def main(parser, body, argv=None) -> int:
    """Parse ``argv`` and run ``body(args)``; return the exit status (usage errors and ``--help``
    return their status instead of raising ``SystemExit``, so commands can be called in-process)."""
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    outputs = [p for p in (getattr(args, "json", None), getattr(args, "out", None)) if isinstance(p, str)]
    return run(body, args, debug=getattr(args, "debug", False), outputs=outputs)


TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}$")  # the names write_atomic gives its temporary files
GRACE_S = 2.0  # how long an interrupted command may take to stop by itself


class _Interrupts:
    """Makes Ctrl-C end a command even while it waits inside a compiled program (which does not return to
    Python until it is done): the signal wakes a watcher thread through ``signal.set_wakeup_fd``; if the command
    has not stopped by itself within ``GRACE_S``, the watcher removes the temporary files of the command's
    outputs (files are written atomically, so nothing is ever half-written under its own name) and ends the
    process with status 130."""

    def __init__(self, outputs):
        self.outputs = list(outputs)
        self.done = threading.Event()
        self.old = None

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        self.r, self.w = os.pipe()
        os.set_blocking(self.w, False)
        try:
            self.old = signal.set_wakeup_fd(self.w, warn_on_full_buffer=False)
        except ValueError:  # not the main interpreter's main thread
            os.close(self.r)
            os.close(self.w)
            return self
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        if self.old is not None:
            signal.set_wakeup_fd(self.old)
            os.write(self.w, b"\0")  # wake the watcher so that it ends
            self.thread.join(1.0)
            os.close(self.r)
            os.close(self.w)
        return False

    def _watch(self):
        while not self.done.is_set():
            try:
                got = os.read(self.r, 64)
            except OSError:
                return
            if self.done.is_set() or signal.SIGINT not in got:
                continue
            if self.done.wait(GRACE_S):
                return
            self._clean()
            print("interrupted", file=sys.stderr, flush=True)
            os._exit(130)

    def _clean(self):
        for path in self.outputs:
            folder, name = (path, None) if os.path.isdir(path) else (os.path.dirname(os.path.abspath(path)), path)
            try:
                entries = os.listdir(folder)
            except OSError:
                continue
            for entry in entries:
                mine = entry.startswith("." + os.path.basename(name) + ".") if name else True
                if mine and TEMPORARY.match(entry):
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(folder, entry))


def run(body, args, debug: bool = False, outputs=()) -> int:
    """Run ``body(args)`` and map what it raises to one line and an exit status (see the module docstring).

    ``outputs``: the files and folders the command writes; an interruption that cannot stop the command by
    itself removes their temporary files before the process ends (see :class:`_Interrupts`).
    """
    try:
        with _Interrupts(outputs):
            rc = body(args)
        return 0 if rc is None else int(rc)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        if debug:
            traceback.print_exc()
        print("failed: out of memory; use smaller sizes", file=sys.stderr)
        return 1
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        if debug:
            traceback.print_exc()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if debug:
            traceback.print_exc()
        text = _one_line(exc)
        if "RESOURCE_EXHAUSTED" in text or "out of memory" in text.lower():
            print("failed: out of memory; use smaller sizes", file=sys.stderr)
        else:
            print(f"failed: {type(exc).__name__}: {text}", file=sys.stderr)
        return 1


def _one_line(exc) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
