"""The demo's progress lines (``3/7 provisioning example.com ... done (0.4 s)``), timings and errors.

A :class:`~sesops.errors.SesopsError` or :class:`OSError` inside a step becomes one
:class:`DemoError` that names the step and says what to do, so the CLI prints one line.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from sesops.errors import SesopsError


class DemoError(SesopsError):
    """A demo step failed; the message names the step and what to do."""


class Steps:
    """Numbered steps on stderr; ``timings`` collects (title, seconds) of each finished step."""

    def __init__(self, total: int, progress: bool) -> None:
        self.total = total
        self.progress = progress
        self.number = 0
        self.open_line = False
        self.timings: list[tuple[str, float]] = []

    def say(self, text: str, end: str = "\n") -> None:
        if self.progress:
            print(text, end=end, file=sys.stderr, flush=True)

    def break_line(self) -> None:
        """Something else (a progress bar) is about to write: end the step's line."""
        if self.open_line:
            self.say("")
            self.open_line = False

    @contextlib.contextmanager
    def step(self, title: str, hint: str) -> Iterator[list[str]]:
        """Run one step; append short results to the yielded list for its "done" line."""
        self.number += 1
        label = f"{self.number}/{self.total} {title}"
        self.say(f"{label} ...", end="")
        self.open_line = True
        detail: list[str] = []
        started = time.perf_counter()
        try:
            yield detail
        except (SesopsError, OSError) as err:
            self.break_line()
            reason = err if isinstance(err, SesopsError) else (err.strerror or err)
            raise DemoError(f"step {self.number}/{self.total} ({title}) failed: {reason}. {hint}") from None
        seconds = time.perf_counter() - started
        self.timings.append((title, seconds))
        text = f" done ({seconds:.1f} s)" + (f": {'; '.join(detail)}" if detail else "")
        self.say(text if self.open_line else f"    {label}{text}")
        self.open_line = False
