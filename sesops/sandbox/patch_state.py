"""What the sandbox has patched in moto, how to undo it, and who signs what SNS delivers.

Every patch module replaces moto's attributes through :func:`replace` (or registers its own
undo with :func:`on_restore`), so :func:`restore_all` can put moto back exactly as it was.
The signer stack has one entry per active :func:`sesops.sandbox.patching.install`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sesops.sns.signing import SigningAuthority

lock = threading.RLock()
_signers: list[SigningAuthority | None] = []  # one entry per active install(); the last signer wins
_default: SigningAuthority | None = None
_undo: list[Callable[[], None]] = []  # restores moto's originals, in reverse order


def authority() -> SigningAuthority:
    """The authority signing what SNS delivers in this process (made on first use)."""
    global _default
    with lock:
        for signer in reversed(_signers):
            if signer is not None:
                return signer
        if _default is None:
            _default = SigningAuthority.generate()
        return _default


def push_signer(signer: SigningAuthority | None) -> int:
    """Register one more user of the patches; returns how many there are now."""
    with lock:
        _signers.append(signer)
        return len(_signers)


def pop_signer() -> int:
    """Unregister the last user; returns how many remain.

    Raises :class:`RuntimeError` when nobody is registered: an ``uninstall()`` without its
    ``install()`` is a bug in the caller, and hiding it would leave moto patched or not by luck.
    """
    with lock:
        if not _signers:
            raise RuntimeError(
                "sesops.sandbox: uninstall() called without a matching install(); "
                "pair each install() with one uninstall() (Sandbox and mocked() do)"
            )
        _signers.pop()
        return len(_signers)


def users() -> int:
    with lock:
        return len(_signers)


def replace(owner: Any, name: str, value: Any) -> None:
    """``setattr(owner, name, value)``, remembering how to undo it."""
    if name in vars(owner):
        original = vars(owner)[name]
        _undo.append(lambda: setattr(owner, name, original))
    else:
        _undo.append(lambda: delattr(owner, name))
    setattr(owner, name, value)


def on_restore(undo: Callable[[], None]) -> None:
    """Run ``undo`` when moto is restored (for changes :func:`replace` cannot express)."""
    _undo.append(undo)


def restore_all() -> None:
    """Undo every patch, newest first."""
    with lock:
        while _undo:
            _undo.pop()()
