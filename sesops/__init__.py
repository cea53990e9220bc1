"""sesops: Amazon SES bounce and complaint handling, end to end.

One verb per stage of the loop, imported lazily so that ``import sesops`` (and a receiver
host running ``sesops serve``) never loads pandas, matplotlib, DuckDB or moto:

========== ============================ =====================
stage      name                         lives in
========== ============================ =====================
provision  :func:`provision`            :mod:`sesops.aws`
diagnose   :func:`status`               :mod:`sesops.aws`
verify     :class:`SnsVerifier`         :mod:`sesops.sns`
capture    :class:`CaptureStore`,       :mod:`sesops.capture`
           :func:`drain`
analyse    :func:`read_events`,         :mod:`sesops.load`,
           :func:`summarize`            :mod:`sesops.analysis`
suppress   :func:`build_suppression_list` :mod:`sesops.analysis`
try it     :class:`Sandbox`             :mod:`sesops.sandbox`
========== ============================ =====================

The house: ``errors`` and ``arns`` at the bottom; ``events``, ``sns`` and ``aws`` above them;
then ``capture``, ``analysis``, ``sim`` and ``sandbox``; ``load``; ``widgets`` and ``demo``;
``cli`` on top. A package imports only from the floors below it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sesops.errors import SesopsError

if TYPE_CHECKING:
    from sesops.analysis.rates import summarize
    from sesops.analysis.suppress import build_suppression_list
    from sesops.aws.provision import provision
    from sesops.aws.status import status
    from sesops.capture.drain import drain
    from sesops.capture.store import CaptureStore
    from sesops.events.parse import COLUMNS
    from sesops.load.reader import read_events
    from sesops.sandbox.server import Sandbox
    from sesops.sns.verify import SnsVerifier

__version__ = "0.1.0"

# Name -> the package that exports it; an optional one (analysis, load, sandbox) checks its
# extra first and raises MissingExtra naming it.
_EXPORTS = {
    "COLUMNS": "sesops.events",
    "CaptureStore": "sesops.capture",
    "Sandbox": "sesops.sandbox",
    "SnsVerifier": "sesops.sns",
    "build_suppression_list": "sesops.analysis",
    "drain": "sesops.capture.drain",
    "provision": "sesops.aws.provision",
    "read_events": "sesops.load",
    "status": "sesops.aws.status",
    "summarize": "sesops.analysis",
}

__all__ = [
    "COLUMNS",
    "CaptureStore",
    "Sandbox",
    "SesopsError",
    "SnsVerifier",
    "__version__",
    "build_suppression_list",
    "drain",
    "provision",
    "read_events",
    "status",
    "summarize",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sesops' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
