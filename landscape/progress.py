"""Progress of long computations, reported to a callback.

Contract
--------
A progress callback is ``callback(done: int, total: int)``, called from
whatever thread runs the work (compiled programs report from the runtime's
host-callback thread). :func:`bar` makes one that draws a ``tqdm`` bar.

Compiled programs outlive the call that compiled them, so they cannot
capture a caller's callback; they report to a *channel* instead, a number
passed to them as data. :class:`Channels` routes each channel's ticks to
the callback of the call that opened it (:meth:`Channels.open`, a context
manager). ``CHANNELS`` is the one router of the process: a lock-protected
table whose entries exist only while their call runs, so concurrent runs
(the explorer's workers) never share a callback.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

__all__ = ["CHANNELS", "Callback", "Channels", "bar", "resolve"]

Callback = Callable[[int, int], None]


class Channels:
    """Routes ticks reported by compiled programs to the callbacks of the calls that opened them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open: dict[int, list] = {}
        self._next = 1

    @contextlib.contextmanager
    def open(self, callback: Callback | None, total: int):
        """Open a channel for ``callback`` expecting ``total`` ticks; yields its number (0: none)."""
        if callback is None:
            yield 0
            return
        with self._lock:
            number = self._next
            self._next += 1
            self._open[number] = [callback, 0, int(total)]
        try:
            yield number
        finally:
            with self._lock:
                entry = self._open.pop(number, None)
            if entry is not None and entry[1] < entry[2]:
                callback(entry[2], entry[2])  # work served without ticks (stored chunks) still ends the bar

    def tick(self, number, count=1) -> None:
        """One tick (or ``count``) on channel ``number``; ticks on a closed channel are dropped."""
        number = int(number)
        with self._lock:
            entry = self._open.get(number)
            if entry is None:
                return
            entry[1] += int(count)
            callback, done, total = entry
        callback(done, total)


CHANNELS = Channels()


def bar(desc: str = "training", unit: str = "tick") -> Callback:
    """A callback drawing a ``tqdm`` progress bar (closed when it reaches its total)."""
    state = {}

    def update(done: int, total: int) -> None:
        from tqdm import tqdm

        b = state.get("bar")
        if b is None:
            b = state["bar"] = tqdm(total=total, desc=desc, unit=unit, leave=False)
        b.update(done - b.n)
        if done >= total:
            b.close()

    return update


def resolve(progress: bool | Callback | None) -> Callback | None:
    """``True``: a bar; ``False``/``None``: none; a callable: itself.

    Raises:
      TypeError: anything else.
    """
    if progress is None or progress is False:
        return None
    if progress is True:
        return bar()
    if callable(progress):
        return progress
    raise TypeError(f"progress must be True, False or a callback(done, total), got {progress!r}")
