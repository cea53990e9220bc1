"""Charts of an events table: each ``plot_*`` takes ``ax=None`` and returns the Axes it drew on.

With ``ax=None`` a new figure comes from pyplot (so notebooks show it); pass an Axes of a
:class:`matplotlib.figure.Figure` to stay off pyplot's global state. Nothing here calls
``plt.show``. An empty table gives an empty chart saying "no data".

Each ``plot_*(df)`` computes its table with :mod:`sesops.analysis.rates` and hands it to the
matching ``draw_*``, which only draws: :mod:`sesops.analysis.report` computes every table once
and calls the ``draw_*`` functions.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.axes import Axes

from sesops.analysis.breakdowns import domain_rates
from sesops.analysis.rates import (
    PROBLEM_CATEGORIES,
    RateBasis,
    Thresholds,
    bounce_breakdown,
    by_domain,
    daily,
    sent_pairs,
)

#: One colour per category, by severity (red: suppress now; orange: watch; green: fine).
CATEGORY_COLORS: dict[str, str] = {
    "hard_bounce": "#d62728",
    "soft_bounce": "#ff7f0e",
    "undetermined": "#8c564b",
    "auto_reply": "#9edae5",
    "complaint": "#9467bd",
    "not_spam": "#c5b0d5",
    "delivery": "#2ca02c",
    "delay": "#bcbd22",
}
OTHER_COLOR = "#7f7f7f"
BOUNCE_COLOR = CATEGORY_COLORS["hard_bounce"]
COMPLAINT_COLOR = CATEGORY_COLORS["complaint"]


def color_of(category: str) -> str:
    return CATEGORY_COLORS.get(category, OTHER_COLOR)


def _axes(ax: Axes | None, figsize: tuple[float, float] = (7.0, 4.0)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def _no_data(ax: Axes, title: str, note: str = "no data") -> Axes:
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes, color="#666666")
    return ax


def _label_bars(ax: Axes, values: list[int]) -> None:
    for y, value in enumerate(values):
        ax.annotate(f" {value:,}", (value, y), va="center", fontsize=8)


def plot_categories(df: pd.DataFrame, ax: Axes | None = None, *, log: bool = False) -> Axes:
    """Horizontal bars: events per category (``log=True`` for a log scale when deliveries dwarf the rest)."""
    counts = {str(k): int(v) for k, v in df["category"].value_counts().items()}
    return draw_categories(counts, _axes(ax), log=log)


def draw_categories(by_category: Mapping[str, int], ax: Axes, *, log: bool = False) -> Axes:
    """:func:`plot_categories` from the counts per category (``Summary.by_category``)."""
    title = "Events by category"
    if not by_category:
        return _no_data(ax, title)
    counts = pd.Series(by_category, dtype="int64").sort_values()
    names = [str(c) for c in counts.index]
    values = [int(v) for v in counts]
    ax.barh(names, values, color=[color_of(c) for c in names], log=log)
    _label_bars(ax, values)
    ax.set_title(title)
    ax.set_xlabel("events (one per recipient)")
    ax.margins(x=0.15)
    return ax


def plot_daily_rates(
    df: pd.DataFrame, ax: Axes | None = None, *, thresholds: Thresholds | None = None
) -> Axes:
    """Daily bounce rate (left axis) and complaint rate (right axis) in %, with SES's review levels.

    The complaint axis is a twin of the returned Axes (``ax.get_shared_x_axes()``); both
    threshold lines are dashed in the colour of their rate.
    """
    ax = _axes(ax, (8.0, 4.0))
    table = daily(df)
    basis = sent_pairs(df)[0] if not table.empty else "unavailable"
    return draw_daily_rates(table, basis, ax, thresholds=thresholds)


def draw_daily_rates(
    table: pd.DataFrame, basis: RateBasis, ax: Axes, *, thresholds: Thresholds | None = None
) -> Axes:
    """:func:`plot_daily_rates` from :func:`~sesops.analysis.rates.daily`'s table and the feed's rate basis."""
    thresholds = thresholds or Thresholds()
    title = "Daily bounce and complaint rates"
    if table.empty:
        return _no_data(ax, title)
    if basis == "unavailable":
        return _no_data(
            ax, title, "rates unavailable: no Send or Delivery events\n(cannot know what was sent)"
        )
    days = pd.DatetimeIndex(table.index).tz_convert(None)
    bounce = table["bounce_rate"] * 100
    complaint = table["complaint_rate"] * 100
    bounce_review = thresholds.bounce_review * 100
    complaint_review = thresholds.complaint_review * 100

    _rate_line(ax, days, bounce, bounce_review, "hard bounce", "bounce", BOUNCE_COLOR, ("o", "--", 1.0))
    twin = ax.twinx()
    _rate_line(
        twin, days, complaint, complaint_review, "complaint", "complaint", COMPLAINT_COLOR, ("s", ":", 1.2)
    )

    handles, labels = ax.get_legend_handles_labels()
    more_handles, more_labels = twin.get_legend_handles_labels()
    ax.legend(handles + more_handles, labels + more_labels, loc="upper left", fontsize=8)
    _day_axis(ax, days)
    ax.set_title(title)
    return ax


def _rate_line(
    ax: Axes,
    days: pd.DatetimeIndex,
    rate: pd.Series,
    review: float,
    name: str,
    review_name: str,
    color: str,
    style: tuple[str, str, float],
) -> None:
    """One rate (%) with its SES review threshold as a horizontal line, on ``ax``'s own y scale."""
    marker, linestyle, linewidth = style
    ax.plot(days, rate, marker=marker, color=color, label=f"{name} rate")
    ax.axhline(
        review,
        color=color,
        linestyle=linestyle,
        linewidth=linewidth,
        label=f"{review_name} review {review:g} %",
    )
    ax.set_ylim(0, max(_top(rate), review) * 1.25)
    ax.set_ylabel(f"{name} rate (%)", color=color)


def _day_axis(ax: Axes, days: pd.DatetimeIndex) -> None:
    """Ticks on whole days only (at most ~10 of them), so a two-day feed is not labelled per hour."""
    span = int((days.max() - days.min()).days) + 1 if len(days) else 1
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, -(-span // 10))))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    ax.tick_params(axis="x", labelrotation=30)


def _top(series: pd.Series) -> float:
    value = series.max()
    return float(value) if pd.notna(value) else 0.0


def plot_bounce_types(df: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars: bounce events per type / subtype, coloured by category."""
    return draw_bounce_types(bounce_breakdown(df), _axes(ax))


def draw_bounce_types(table: pd.DataFrame, ax: Axes) -> Axes:
    """:func:`plot_bounce_types` from :func:`~sesops.analysis.rates.bounce_breakdown`'s table."""
    title = "Bounces by type / subtype"
    if table.empty:
        return _no_data(ax, title)
    table = table.iloc[::-1]
    labels = [
        f"{t} / {s}" + (" (auto-reply)" if c == "auto_reply" else "")
        for t, s, c in zip(table["bounce_type"], table["bounce_subtype"], table["category"], strict=True)
    ]
    values = [int(v) for v in table["events"]]
    ax.barh(labels, values, color=[color_of(str(c)) for c in table["category"]])
    _label_bars(ax, values)
    ax.set_title(title)
    ax.set_xlabel("bounce events")
    ax.margins(x=0.15)
    return ax


def plot_domains(
    df: pd.DataFrame,
    ax: Axes | None = None,
    *,
    top: int = 10,
    categories: tuple[str, ...] = PROBLEM_CATEGORIES,
) -> Axes:
    """Stacked bars: the ``top`` recipient domains by ``categories`` events (bounces and complaints)."""
    table = by_domain(df, top=len(df) or 1, sort_by="problems")
    return draw_domains(table, _axes(ax), top=top, categories=categories)


def draw_domains(
    table: pd.DataFrame, ax: Axes, *, top: int = 10, categories: tuple[str, ...] = PROBLEM_CATEGORIES
) -> Axes:
    """:func:`plot_domains` from every domain's :func:`~sesops.analysis.rates.by_domain` row."""
    title = f"Top {top} recipient domains by bounces and complaints"
    shown = [c for c in categories if c in table.columns]
    if shown:
        table = table.loc[table[shown].sum(axis=1) > 0]
        table = table.assign(_n=table[shown].sum(axis=1)).sort_values("_n", ascending=False, kind="stable")
        table = table.head(top).iloc[::-1]
    if not shown or table.empty:
        return _no_data(ax, title)
    left = pd.Series(0, index=table.index)
    names = [str(d) for d in table.index]
    for category in shown:
        values = table[category]
        ax.barh(names, values, left=left, color=color_of(category), label=category)
        left = left + values
    _label_bars(ax, [int(v) for v in left])
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    ax.set_xlabel("events")
    ax.margins(x=0.15)
    return ax


def plot_daily_counts(
    df: pd.DataFrame, ax: Axes | None = None, *, categories: tuple[str, ...] | None = None
) -> Axes:
    """Stacked daily bars of events per category (default: every category but delivery)."""
    return draw_daily_counts(daily(df), _axes(ax, (8.0, 4.0)), categories=categories)


def draw_daily_counts(table: pd.DataFrame, ax: Axes, *, categories: tuple[str, ...] | None = None) -> Axes:
    """:func:`plot_daily_counts` from :func:`~sesops.analysis.rates.daily`'s table."""
    title = "Events per day"
    table = table.drop(columns=["sends", "bounce_rate", "complaint_rate"])
    wanted = categories if categories is not None else tuple(c for c in table.columns if c != "delivery")
    shown = [c for c in wanted if c in table.columns]
    if table.empty or not shown or int(table[shown].to_numpy().sum()) == 0:
        return _no_data(ax, title)
    days = pd.DatetimeIndex(table.index).tz_convert(None)
    bottom = pd.Series(0, index=table.index)
    for category in shown:
        ax.bar(days, table[category], bottom=bottom, color=color_of(category), label=category, width=0.8)
        bottom = bottom + table[category]
    ax.legend(fontsize=8, loc="upper left")
    _day_axis(ax, days)
    ax.set_title(title)
    ax.set_ylabel("events")
    return ax


def plot_domain_rates(df: pd.DataFrame, ax: Axes | None = None, *, top: int = 10) -> Axes:
    """Grouped bars: hard bounce and complaint rate (%) of the ``top`` domains by bounces and complaints."""
    return draw_domain_rates(domain_rates(df), _axes(ax), top=top)


def draw_domain_rates(table: pd.DataFrame, ax: Axes, *, top: int = 10) -> Axes:
    """:func:`plot_domain_rates` from :func:`~sesops.analysis.breakdowns.domain_rates`' table."""
    title = f"Hard bounce and complaint rates, top {top} domains"
    shown = table.loc[table["bounce_rate"].notna()].head(top).iloc[::-1] if len(table) else table
    if table.empty:
        return _no_data(ax, title)
    if shown.empty:
        return _no_data(
            ax, title, "rates unavailable: no Send or Delivery events\n(cannot know what was sent)"
        )
    names = [str(d) for d in shown.index]
    positions = list(range(len(names)))
    bounce = [float(v) * 100 for v in shown["bounce_rate"]]
    complaint = [float(v) * 100 for v in shown["complaint_rate"]]
    ax.barh([p + 0.2 for p in positions], bounce, height=0.4, color=BOUNCE_COLOR, label="hard bounce rate")
    ax.barh(
        [p - 0.2 for p in positions], complaint, height=0.4, color=COMPLAINT_COLOR, label="complaint rate"
    )
    ax.set_yticks(positions, names)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title)
    ax.set_xlabel("% of sends to the domain")
    ax.margins(x=0.1)
    return ax
