"""Every call into a converter goes through `call_converter`: whatever the converter does
(raises, returns the wrong type, hangs) becomes one `ConverterFailed` with a sentence,
so a converter can never take the console, the simulator or check-converter down.

The sentence names the method, the exception and where in the converter's own file it
was raised: "convert_to_pubnub raised UnicodeEncodeError: … (myconv.py:12)".

A call that runs longer than `HANG_SECONDS` is stopped with SIGALRM
(``signal.setitimer``) when it runs on the main thread, as the console, the simulator
and check-converter do. Off the main thread Python cannot interrupt it: it runs to its
end, and a result that took longer than the limit is refused the same way, so a slow
converter fails alike everywhere. A converter stuck in C code (a regex, a socket without
a timeout) is only stopped once that C call returns.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

HANG_SECONDS = 2.0
"""How long one converter call may take before it counts as hung."""
PASS_THROUGH: tuple[type[BaseException], ...] = ()
"""Exceptions a caller names as part of the contract (``UndecodableMessage``) go by."""


HANGS_BEFORE_SKIPPING = 3
"""Converter calls in a row that hang (2 s each) before the inbox (or check-converter)
stops asking it: a history of hundreds of messages must not take minutes. Ctrl+L (a new
converter) asks again, and reads what was skipped."""

class ConverterFailed(Exception):
    """A converter call failed: it raised, returned what it must not, or hung. The text
    is one sentence; `cause` is what it raised (None for a wrong result)."""

    def __init__(self, sentence: str, *, method: str, cause: BaseException | None = None,
                 hung: bool = False, returned: bool = False) -> None:
        super().__init__(sentence)
        self.method = method
        self.cause = cause
        self.hung = hung
        """It did not finish in time: calling it again would block as long again."""
        self.returned = returned
        """It finished, but what it returned is unusable (not JSON, not a message)."""


class _Hung(BaseException):
    """Raised into a converter by the alarm; a BaseException so that the converter's own
    ``except Exception`` cannot swallow it."""


def call_converter(target: Any, method: str, *args: Any,
                   passing: tuple[type[BaseException], ...] = PASS_THROUGH,
                   limit: float | None = None) -> Any:
    """``target.method(*args)``; ``ConverterFailed`` if it raises (but ``passing``), or
    takes longer than ``limit`` seconds (``HANG_SECONDS``). The result is not checked
    here: the caller knows what it expects and says so with `wrong_result`."""
    function = getattr(target, method, None)
    if not callable(function):
        raise ConverterFailed(f"the converter has no {method} method", method=method)
    home = _home_files(target)
    return run_guarded(method, function, *args, home=home, passing=passing, limit=limit)


def run_guarded(what: str, function: Callable[..., Any], *args: Any,
                home: frozenset[str] = frozenset(),
                passing: tuple[type[BaseException], ...] = PASS_THROUGH,
                limit: float | None = None) -> Any:
    """``function(*args)`` as `call_converter` runs it; ``what`` names it in sentences,
    ``home`` are the converter's files, to say where in them it failed."""
    limit = HANG_SECONDS if limit is None else limit
    started = time.monotonic()
    try:
        with _alarm(limit):
            result = function(*args)
    except _Hung:
        raise ConverterFailed(f"{what} did not finish within {limit:g} s and was stopped"
                              f"{_where_stopped(home)}", method=what, hung=True) from None
    except passing:
        raise
    except Exception as exc:
        raise ConverterFailed(f"{what} raised {describe(exc)}{_where(exc, home)}",
                              method=what, cause=exc) from exc
    took = time.monotonic() - started
    if took > limit:  # off the main thread: not stopped, but refused alike
        raise ConverterFailed(f"{what} took {took:.1f} s, over the {limit:g} s a "
                              "converter call may take", method=what, hung=True)
    return result


def wrong_result(method: str, result: Any, expected: str) -> ConverterFailed:
    """The failure for a call that returned the wrong thing, in words."""
    return ConverterFailed(f"{method} returned {_a(result)}, not {expected}", method=method,
                           returned=True)


def describe(exc: BaseException) -> str:
    """``TypeError: why`` (or the bare class name), for sentences quoting an exception.
    A SyntaxError gives only its message: `_where` says its place, once."""
    if isinstance(exc, SyntaxError) and exc.msg and exc.filename and exc.lineno:
        return f"{type(exc).__name__}: {exc.msg}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# where it failed ------------------------------------------------------------------------


def _home_files(target: Any) -> frozenset[str]:
    """The files of the converter's class and its bases outside the standard library:
    where an author's own lines are."""
    cls = target if isinstance(target, type) else type(target)
    files = set()
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and klass.__module__ not in ("builtins", "abc"):
            files.add(os.path.abspath(path))
    return frozenset(files)


def _where(exc: BaseException, home: frozenset[str]) -> str:
    """`` (myconv.py:12)``: the innermost frame in the converter's files, else the
    innermost frame of all; empty without a traceback."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:  # its own place
        return f" ({os.path.basename(exc.filename)}:{exc.lineno})"
    frames: list[tuple[str, int]] = []
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    frames = frames[1:] or frames  # the first is run_guarded's own call
    if not frames:
        return ""
    mine = [frame for frame in frames if os.path.abspath(frame[0]) in home]
    filename, line = (mine or frames)[-1]
    return f" ({os.path.basename(filename)}:{line})"


def _where_stopped(home: frozenset[str]) -> str:
    """`` at myconv.py:12``: where in the converter's files the alarm found it."""
    stack, _STOPPED_AT.stack = _STOPPED_AT.stack, []
    mine = [(name, line) for name, line in stack if os.path.abspath(name) in home]
    return f" at {os.path.basename(mine[0][0])}:{mine[0][1]}" if mine else ""


def _a(value: Any) -> str:
    """"None", "a set", "an int": what a converter returned, in words."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


# the alarm ------------------------------------------------------------------------------


class _StoppedAt:
    stack: list[tuple[str, int]] = []
    """(file, line) of each frame, innermost first, when the alarm rang: read at once,
    as a frame's line moves on while the exception unwinds it."""


_STOPPED_AT = _StoppedAt()
_ARMED = threading.Event()
"""Set while a guarded call runs under the alarm; an alarm arriving after it is ignored."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _ARMED.is_set():
        _ARMED.clear()
        stack = []
        while frame is not None:
            stack.append((frame.f_code.co_filename, frame.f_lineno))
            frame = frame.f_back
        _STOPPED_AT.stack = stack
        raise _Hung()


class _alarm:
    """SIGALRM after ``seconds``, on the main thread only (elsewhere: nothing). Our
    handler stays installed once set (it ignores a late alarm), so that a signal already
    on its way when the call returns never meets the default handler, which would end
    the process. A SIGALRM handler someone else installed is left alone: no alarm."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.active = False

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread() \
                or not hasattr(signal, "setitimer") or _ARMED.is_set():
            return  # another thread, Windows, or a guarded call inside one: timed only
        current = signal.getsignal(signal.SIGALRM)
        if current is not _on_alarm:
            if current not in (signal.SIG_DFL, None):
                return
            signal.signal(signal.SIGALRM, _on_alarm)
        _ARMED.set()
        self.active = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.active:
            _ARMED.clear()
            signal.setitimer(signal.ITIMER_REAL, 0)
