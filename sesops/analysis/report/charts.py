"""The report's PNG charts, drawn from a :class:`~sesops.analysis.report.data.ReportData`.

Each chart is drawn on a :class:`matplotlib.figure.Figure` of its own with the Agg canvas (no
pyplot state, safe in servers and threads) by a ``draw_*`` function of
:mod:`sesops.analysis.plots`, from tables the data already holds.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sesops.analysis import plots
from sesops.analysis.report.data import ReportData

Draw = Callable[[ReportData, Axes], Axes]


def _categories(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_categories(data.summary.by_category, ax)


def _daily_rates(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_daily_rates(data.daily, data.feed_basis, ax, thresholds=data.summary.thresholds)


def _daily_counts(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_daily_counts(data.daily, ax)


def _bounce_types(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_bounce_types(data.bounce_types, ax)


def _domains(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_domains(data.domains, ax)


def _domain_rates(data: ReportData, ax: Axes) -> Axes:
    return plots.draw_domain_rates(data.domain_rates, ax)


#: Each chart by file name (without ``.png``), in the page's order, with its size in inches.
CHARTS: dict[str, tuple[Draw, tuple[float, float]]] = {
    "categories": (_categories, (7.0, 4.0)),
    "daily_rates": (_daily_rates, (8.0, 4.0)),
    "daily_counts": (_daily_counts, (8.0, 4.0)),
    "bounce_types": (_bounce_types, (7.5, 4.0)),
    "domains": (_domains, (7.5, 4.5)),
    "domain_rates": (_domain_rates, (7.5, 4.5)),
}


def render_png(draw: Draw, data: ReportData, size: tuple[float, float], dpi: int = 100) -> bytes:
    """One chart as PNG bytes, drawn on a Figure of its own (no pyplot)."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    draw(data, fig.add_subplot())
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def render_charts(data: ReportData) -> dict[str, bytes]:
    """Every chart of :data:`CHARTS` as PNG bytes, by name."""
    return {name: render_png(draw, data, size) for name, (draw, size) in CHARTS.items()}
