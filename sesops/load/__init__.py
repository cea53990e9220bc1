"""Any mix of sources -> the events DataFrame (`read_events`).

`reader` is the entry point; `sources` expands paths and stores into raw records,
`fastload` (DuckDB) and `typed` (msgspec) are the JSON Lines fast paths, `frames` builds
the Arrow/pandas table, `dedupe` drops redeliveries, `summary` prints and writes it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.load.reader import read_events

_EXPORTS = {
    "read_events": "reader",
}

__all__ = ["read_events"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
