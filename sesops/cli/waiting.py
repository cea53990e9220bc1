"""Blocking until the user stops a long-running command (Ctrl-C or SIGTERM)."""

from __future__ import annotations

import signal
import threading


def wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM; the previous SIGTERM handler is restored after."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
