"""Is this envelope genuinely from our topic? SNS message fields, signature verification
(versions 1 and 2) and a throwaway signing authority for tests and the sandbox.

Imported lazily: reading a message's fields (`message`) does not load cryptography.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sesops.sns.signing import SigningAuthority
    from sesops.sns.verify import SnsVerifier

_EXPORTS = {
    "SigningAuthority": "signing",
    "SnsVerifier": "verify",
}

__all__ = ["SigningAuthority", "SnsVerifier"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
