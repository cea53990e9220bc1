"""ipywidgets panels for the notebooks: pick a region and identities, plan then apply the
wiring, read it back, drain a queue, load logs and explore their charts.

Each panel keeps its widgets as attributes and its logic in plain methods, so a test (or a
script) sets ``.value`` and calls the handler; AWS lookups are injected callables whose
defaults are the real :mod:`sesops.aws` functions. Errors sesops raises on purpose appear
inside the panel as one line with the fix, never as a traceback.

Needs the ``notebooks`` extra (ipywidgets).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from sesops.errors import MissingExtra

if importlib.util.find_spec("ipywidgets") is None:  # only ipywidgets: a kernel without JupyterLab will do
    raise MissingExtra("notebooks", "ipywidgets")

if TYPE_CHECKING:
    from sesops.widgets.capture import CaptureCounter, CapturePanel
    from sesops.widgets.explorer import ChartExplorer, Filters, apply_filters
    from sesops.widgets.identities import IdentityPicker
    from sesops.widgets.loader import LogLoader
    from sesops.widgets.provision import PlanApplyPanel
    from sesops.widgets.regions import RegionPicker, default_region, ses_regions
    from sesops.widgets.status import StatusPanel

_EXPORTS = {
    "CaptureCounter": "capture",
    "CapturePanel": "capture",
    "ChartExplorer": "explorer",
    "Filters": "explorer",
    "IdentityPicker": "identities",
    "LogLoader": "loader",
    "PlanApplyPanel": "provision",
    "RegionPicker": "regions",
    "StatusPanel": "status",
    "apply_filters": "explorer",
    "default_region": "regions",
    "ses_regions": "regions",
}

__all__ = [
    "CaptureCounter",
    "CapturePanel",
    "ChartExplorer",
    "Filters",
    "IdentityPicker",
    "LogLoader",
    "PlanApplyPanel",
    "RegionPicker",
    "StatusPanel",
    "apply_filters",
    "default_region",
    "ses_regions",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
