"""Synthetic, deterministic SES feedback: a population of recipients, traffic at configured
rates, every shape SES emits, written as JSON Lines or published to a topic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.sim.config import SimulationConfig
    from sesops.sim.simulate import generate, publish, write_jsonl

_EXPORTS = {
    "SimulationConfig": "config",
    "generate": "simulate",
    "publish": "simulate",
    "write_jsonl": "simulate",
}

__all__ = ["SimulationConfig", "generate", "publish", "write_jsonl"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
