"""Judge the events table: `rates` (summaries against SES thresholds) and `breakdowns`,
`suppress` (the policy and its lists), `exports` (mailing tools' import formats), `plots` and
`report` (charts and a self-contained HTML page).

Needs the ``analysis`` extra; importing any of it without that extra raises
:class:`~sesops.errors.MissingExtra` naming it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sesops.errors import require_extra

require_extra("analysis")

if TYPE_CHECKING:
    from sesops.analysis.exports import write_export
    from sesops.analysis.rates import Summary, Thresholds, summarize
    from sesops.analysis.report import write_report
    from sesops.analysis.suppress import (
        SuppressionPolicy,
        build_review_list,
        build_suppression_list,
        write_suppression_csv,
    )

_EXPORTS = {
    "Summary": "rates",
    "Thresholds": "rates",
    "summarize": "rates",
    "SuppressionPolicy": "suppress",
    "build_suppression_list": "suppress",
    "build_review_list": "suppress",
    "write_export": "exports",
    "write_suppression_csv": "suppress",
    "write_report": "report",
}

__all__ = [
    "Summary",
    "SuppressionPolicy",
    "Thresholds",
    "build_review_list",
    "build_suppression_list",
    "summarize",
    "write_export",
    "write_report",
    "write_suppression_csv",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
