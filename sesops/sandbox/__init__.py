"""The embedded AWS sandbox: moto on 127.0.0.1 (`server`) with patches that give SES feedback
fidelity (`patching` installs them: `ses_identity`, `ses_feedback`, `sns_delivery`, `sesv2`);
what it could not deliver is reported by `failures`. Needs the ``sandbox`` extra; importing any
of it without that extra raises :class:`~sesops.errors.MissingExtra` naming it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sesops.errors import require_extra

require_extra("sandbox")

if TYPE_CHECKING:
    from sesops.sandbox.server import Sandbox, dummy_environ

_EXPORTS = {
    "Sandbox": "server",
    "dummy_environ": "server",
}

__all__ = ["Sandbox", "dummy_environ"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
