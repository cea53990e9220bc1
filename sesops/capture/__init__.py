"""Receive raw SNS/SQS bodies and persist them durably before acknowledging.

`store` (SQLite or PostgreSQL), `receiver` (plain WSGI), `serving` (waitress) and `drain` (SQS).
Imported lazily: `sesops serve` and `sesops export` never load boto3 through `drain`. The
function is ``sesops.drain`` (or ``sesops.capture.drain.drain``): a lazy package attribute
named like its submodule would turn into the module once that is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.capture.drain import DrainResult
    from sesops.capture.receiver import make_app
    from sesops.capture.store import CaptureStore, open_store

_EXPORTS = {
    "CaptureStore": "store",
    "open_store": "store",
    "DrainResult": "drain",
    "make_app": "receiver",
}

__all__ = ["CaptureStore", "DrainResult", "make_app", "open_store"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
