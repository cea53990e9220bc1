"""Durations on the command line (``--max-age 2h``): seconds, or a number with s, m, h or d."""

from __future__ import annotations

import argparse

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """``90``, ``30m``, ``2h``, ``1d``: a positive number of seconds (an argparse type)."""
    number, unit = (text[:-1], text[-1]) if text[-1:] in _UNITS else (text, "s")
    try:
        value = float(number) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration (seconds, or 30m, 2h, 1d): {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value
