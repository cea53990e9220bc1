"""plots: every chart returns the Axes it drew on, on the Agg backend, with or without data."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sesops import read_events
from sesops.analysis import plots
from sesops.sim.simulate import SimulationConfig, generate
from tests.payloads import bounce, complaint

matplotlib.use("Agg")

CHARTS: list[Callable[..., Axes]] = [
    plots.plot_categories,
    plots.plot_daily_rates,
    plots.plot_bounce_types,
    plots.plot_domains,
    plots.plot_daily_counts,
    plots.plot_domain_rates,
]


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return read_events(list(generate(SimulationConfig(messages=1500, seed=2, bounce_rate=0.05))))


def draw(chart: Callable[..., Axes], df: pd.DataFrame) -> tuple[Figure, Axes]:
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    returned = chart(df, ax=ax)
    fig.savefig(io.BytesIO(), format="png")  # renders without error
    return fig, returned


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
def test_draws_on_the_given_axes(chart: Callable[..., Axes], simulated: pd.DataFrame) -> None:
    fig, ax = draw(chart, simulated)
    assert ax is fig.axes[0]
    assert ax.get_title()
    assert "no data" not in texts(ax)
    assert ax.patches or ax.lines


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
def test_empty_frame_gives_a_no_data_chart(chart: Callable[..., Axes]) -> None:
    _, ax = draw(chart, read_events([]))
    assert "no data" in texts(ax)
    assert not ax.patches and not ax.lines


@pytest.mark.parametrize("chart", CHARTS, ids=lambda c: c.__name__)
def test_without_ax_makes_a_figure(chart: Callable[..., Axes], simulated: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    ax = chart(simulated)
    assert isinstance(ax, Axes)
    plt.close(ax.figure)  # type: ignore[arg-type]


def test_daily_rates_draws_the_review_thresholds(simulated: pd.DataFrame) -> None:
    _, ax = draw(plots.plot_daily_rates, simulated)
    twin = next(other for other in ax.figure.axes if other is not ax)
    bounce_lines = [line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    complaint_lines = [line.get_ydata()[0] for line in twin.lines if line.get_linestyle() == ":"]
    assert bounce_lines == [5.0] and complaint_lines == [0.1]


def test_daily_rates_says_when_rates_are_unknowable() -> None:
    _, ax = draw(plots.plot_daily_rates, read_events([bounce("a@x.org"), complaint("b@x.org")]))
    assert any("rates unavailable" in t for t in texts(ax))


def test_domains_without_problems_is_no_data() -> None:
    from tests.payloads import delivery

    _, ax = draw(plots.plot_domains, read_events([delivery("a@x.org")]))
    assert "no data" in texts(ax)
