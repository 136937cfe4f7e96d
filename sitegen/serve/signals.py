"""Stop signals for `sitegen serve`: SIGTERM and SIGHUP end the preview as Ctrl-C does,
so its temporary preview folder is removed whichever way it is stopped."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Stopped(BaseException):
    """A stop signal (SIGTERM, SIGHUP) arrived: shut down as on Ctrl-C. A BaseException,
    like KeyboardInterrupt, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP (a process manager, `kill`, a closed terminal) raise `Stopped` in
    the main thread for the body, so cleanup runs as it does on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:  # a second signal must not interrupt the cleanup of the first
            stopping = True
            raise Stopped(signum)

    previous = {sig: signal.signal(sig, _stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
