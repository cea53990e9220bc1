"""`sesops demo`: the whole loop on the sandbox, step by step, into an output folder."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.demo.result import DemoResult
    from sesops.demo.run import run_demo, running_demo

_EXPORTS = {
    "DemoResult": "result",
    "run_demo": "run",
    "running_demo": "run",
}

__all__ = ["DemoResult", "run_demo", "running_demo"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
