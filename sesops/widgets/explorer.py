"""The chart explorer: date range, category, recipient domain and identity (mail source)
filters over an events table; every change redraws the charts of :mod:`sesops.analysis.plots`.

One tab per chart, each an ``Output`` widget holding a PNG drawn on its own Figure (off
pyplot's global state). A filter change draws the chart in view at once and the others when
their tab is opened: a matplotlib chart takes about a second, so drawing all five on every
click would stall the kernel."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sesops.analysis import plots
from sesops.errors import InputError
from sesops.load.frames import empty_frame
from sesops.widgets.base import Panel, wide

Chart = Callable[[pd.DataFrame, Axes], Axes]

CHARTS: tuple[tuple[str, Chart], ...] = (
    ("categories", lambda df, ax: plots.plot_categories(df, ax)),
    ("events per day", lambda df, ax: plots.plot_daily_counts(df, ax)),
    ("daily rates", lambda df, ax: plots.plot_daily_rates(df, ax)),
    ("recipient domains", lambda df, ax: plots.plot_domains(df, ax)),
    ("bounce types", lambda df, ax: plots.plot_bounce_types(df, ax)),
)
MAX_OPTIONS = 200  # domains and identities listed, the most frequent first


@dataclass(frozen=True)
class Filters:
    """Which events to chart; an empty selection means every value."""

    start: date | None = None  # first day included (UTC)
    end: date | None = None  # last day included (UTC)
    categories: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()  # mail ``source`` addresses


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of ``frame`` that ``filters`` keep (pure)."""
    keep = pd.Series(True, index=frame.index)
    if filters.start is not None:
        keep &= frame["timestamp"] >= pd.Timestamp(filters.start, tz="UTC")
    if filters.end is not None:
        keep &= frame["timestamp"] < pd.Timestamp(filters.end + timedelta(days=1), tz="UTC")
    for column, chosen in (
        ("category", filters.categories),
        ("recipient_domain", filters.domains),
        ("source", filters.identities),
    ):
        if chosen:
            keep &= frame[column].isin(chosen).fillna(False).astype(bool)
    return frame.loc[keep]


def counted_options(values: pd.Series, limit: int = MAX_OPTIONS) -> list[tuple[str, str]]:
    """``(label with count, value)`` for the ``limit`` most frequent values."""
    counts = values.value_counts().head(limit)
    return [(f"{value} ({count:,})", str(value)) for value, count in counts.items()]


def chart_png(chart: Chart, frame: pd.DataFrame, figsize: tuple[float, float] = (7.5, 3.8)) -> bytes:
    figure = Figure(figsize=figsize, layout="constrained")
    chart(frame, figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def png_output(png: bytes, title: str) -> dict[str, Any]:
    """One display_data entry of an ``Output`` widget's ``outputs``."""
    data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": f"<chart: {title}>"}
    return {"output_type": "display_data", "data": data, "metadata": {}}


class ChartExplorer(Panel):
    """Filter ``frame`` and redraw the charts; ``charted`` is the frame they show."""

    def __init__(self, frame: pd.DataFrame | None = None, *, charts: Sequence[tuple[str, Chart]] = CHARTS):
        self.charts = tuple(charts)
        self.frame = empty_frame()
        self.charted = self.frame
        self.start = widgets.DatePicker(description="From")
        self.end = widgets.DatePicker(description="To")
        self.category = widgets.SelectMultiple(options=[], rows=6, description="Category")
        self.domain = widgets.SelectMultiple(options=[], rows=6, description="Domain", layout=wide("45%"))
        self.identity = widgets.SelectMultiple(options=[], rows=6, description="Identity", layout=wide("45%"))
        self.summary = widgets.HTML()
        self.outputs = [widgets.Output() for _ in self.charts]
        self.tabs = widgets.Tab(children=self.outputs, titles=[title for title, _ in self.charts])
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.start, self.end]),
                widgets.HBox([self.category, self.domain, self.identity]),
                self.summary,
                self.tabs,
            ]
        )
        self._drawn: set[int] = set()  # tabs showing ``charted``
        self._quiet = False  # while set_frame resets the filters: one redraw at the end
        for field in (self.start, self.end, self.category, self.domain, self.identity):
            field.observe(lambda _: self._filters_changed(), names="value")
        self.tabs.observe(lambda _: self.draw(self.tabs.selected_index), names="selected_index")
        self.set_frame(frame if frame is not None else self.frame)

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Chart a new table: filters reset to its whole date range and every value."""
        missing = [c for c in ("timestamp", "category", "recipient_domain", "source") if c not in frame]
        if missing:
            raise InputError(
                f"not an events table (no {', '.join(missing)} column): load it with sesops.read_events"
            )
        self._quiet = True
        try:
            self.frame = frame
            days = frame["timestamp"].dropna()
            self.start.value = days.min().date() if len(days) else None
            self.end.value = days.max().date() if len(days) else None
            for select, column in (
                (self.category, "category"),
                (self.domain, "recipient_domain"),
                (self.identity, "source"),
            ):
                select.value = ()
                select.options = counted_options(frame[column])
        finally:
            self._quiet = False
        self.redraw()

    def filters(self) -> Filters:
        return Filters(
            start=self.start.value,
            end=self.end.value,
            categories=tuple(self.category.value),
            domains=tuple(self.domain.value),
            identities=tuple(self.identity.value),
        )

    def filtered(self) -> pd.DataFrame:
        return apply_filters(self.frame, self.filters())

    def redraw(self) -> None:
        """Filter again; draw the chart in view now, the others when their tab is opened."""
        self.charted = self.filtered()
        self.summary.value = f"charting {len(self.charted):,} of {len(self.frame):,} events"
        self._drawn = set()
        for output in self.outputs:
            output.outputs = ()
        self.draw(self.tabs.selected_index)

    def draw(self, index: int | None) -> None:
        """Draw chart ``index`` (a tab) of ``charted`` unless it already shows it."""
        if index is None or index in self._drawn:
            return
        title, chart = self.charts[index]
        self.outputs[index].outputs = (png_output(chart_png(chart, self.charted), title),)
        self._drawn.add(index)

    def draw_all(self) -> None:
        """Draw every chart now (for a notebook run headless, where nobody opens the tabs)."""
        for index in range(len(self.charts)):
            self.draw(index)

    def _filters_changed(self) -> None:
        if not self._quiet:
            self.redraw()
