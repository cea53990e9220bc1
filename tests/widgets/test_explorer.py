"""Chart explorer: each filter narrows the charted frame and redraws the charts."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pandas as pd
import pytest
from matplotlib.axes import Axes

from sesops.errors import InputError
from sesops.load.reader import read_events
from sesops.widgets.explorer import ChartExplorer, Filters, apply_filters, counted_options
from tests.payloads import bounce, complaint, delivery

PNG_MAGIC = b"\x89PNG"


def sent(record: dict[str, Any], day: int, source: str) -> dict[str, Any]:
    """``record`` moved to 2026-11-``day`` and sent from ``source``."""
    stamp = f"2026-11-{day:02d}T10:00:00.000Z"
    record["mail"] = dict(record["mail"], source=source, timestamp=stamp)
    for key in ("bounce", "complaint", "delivery"):
        if key in record:
            record[key] = dict(record[key], timestamp=stamp, feedbackId=f"fb-{key}-{day}-{source}")
    return record


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_events(
        [
            sent(bounce("a@gmail.example"), 1, "news@shop.example"),
            sent(
                bounce("b@yahoo.example", bounce_type="Transient", subtype="MailboxFull"),
                2,
                "news@shop.example",
            ),
            sent(complaint("c@gmail.example"), 2, "alerts@shop.example"),
            sent(delivery("d@yahoo.example"), 3, "alerts@shop.example"),
            sent(delivery("e@gmail.example"), 3, "news@shop.example"),
        ]
    )


def test_frame_has_the_shape_the_tests_assume(frame: pd.DataFrame) -> None:
    assert sorted(frame["category"]) == ["complaint", "delivery", "delivery", "hard_bounce", "soft_bounce"]


@pytest.mark.parametrize(
    ("filters", "emails"),
    [
        (
            Filters(),
            {"a@gmail.example", "b@yahoo.example", "c@gmail.example", "d@yahoo.example", "e@gmail.example"},
        ),
        (
            Filters(start=date(2026, 11, 2)),
            {"b@yahoo.example", "c@gmail.example", "d@yahoo.example", "e@gmail.example"},
        ),
        (Filters(end=date(2026, 11, 2)), {"a@gmail.example", "b@yahoo.example", "c@gmail.example"}),
        (Filters(start=date(2026, 11, 2), end=date(2026, 11, 2)), {"b@yahoo.example", "c@gmail.example"}),
        (Filters(categories=("hard_bounce", "complaint")), {"a@gmail.example", "c@gmail.example"}),
        (Filters(domains=("yahoo.example",)), {"b@yahoo.example", "d@yahoo.example"}),
        (Filters(identities=("alerts@shop.example",)), {"c@gmail.example", "d@yahoo.example"}),
        (
            Filters(domains=("gmail.example",), identities=("news@shop.example",)),
            {"a@gmail.example", "e@gmail.example"},
        ),
    ],
)
def test_apply_filters(frame: pd.DataFrame, filters: Filters, emails: set[str]) -> None:
    assert set(apply_filters(frame, filters)["email"]) == emails


def test_options_are_the_values_with_their_counts_most_frequent_first(frame: pd.DataFrame) -> None:
    assert counted_options(frame["recipient_domain"]) == [
        ("gmail.example (3)", "gmail.example"),
        ("yahoo.example (2)", "yahoo.example"),
    ]
    assert counted_options(frame["recipient_domain"], limit=1) == [("gmail.example (3)", "gmail.example")]


class Recorder:
    """A cheap chart that remembers each frame it was asked to draw."""

    def __init__(self) -> None:
        self.frames: list[pd.DataFrame] = []

    def __call__(self, frame: pd.DataFrame, ax: Axes) -> Axes:
        self.frames.append(frame)
        ax.bar(["events"], [len(frame)])
        return ax


def images(explorer: ChartExplorer) -> list[bytes]:
    """The PNG each tab shows (b"" for a tab not drawn)."""
    return [
        base64.b64decode(output.outputs[0]["data"]["image/png"]) if output.outputs else b""
        for output in explorer.outputs
    ]


def recorded(frame: pd.DataFrame | None = None) -> tuple[ChartExplorer, Recorder, Recorder]:
    first, second = Recorder(), Recorder()
    return ChartExplorer(frame, charts=(("first", first), ("second", second))), first, second


def test_the_real_charts_all_draw(frame: pd.DataFrame) -> None:
    explorer = ChartExplorer(frame)
    explorer.draw_all()
    drawn = images(explorer)
    assert len(drawn) == 5 and all(png.startswith(PNG_MAGIC) for png in drawn)
    assert explorer.tabs.titles == (
        "categories",
        "events per day",
        "daily rates",
        "recipient domains",
        "bounce types",
    )


def test_a_new_frame_resets_the_filters_and_draws_the_chart_in_view(frame: pd.DataFrame) -> None:
    explorer, first, second = recorded(frame)
    assert (explorer.start.value, explorer.end.value) == (date(2026, 11, 1), date(2026, 11, 3))
    assert [v for _, v in explorer.identity.options] == ["news@shop.example", "alerts@shop.example"]
    assert [len(f) for f in first.frames] == [5] and second.frames == []
    assert images(explorer)[0].startswith(PNG_MAGIC) and images(explorer)[1] == b""
    assert explorer.summary.value == "charting 5 of 5 events"


@pytest.mark.parametrize(
    ("field", "value", "emails"),
    [
        ("category", ("hard_bounce",), {"a@gmail.example"}),
        ("domain", ("yahoo.example",), {"b@yahoo.example", "d@yahoo.example"}),
        ("identity", ("alerts@shop.example",), {"c@gmail.example", "d@yahoo.example"}),
        ("start", date(2026, 11, 3), {"d@yahoo.example", "e@gmail.example"}),
        ("end", date(2026, 11, 1), {"a@gmail.example"}),
    ],
)
def test_each_filter_change_redraws_the_chart_with_the_narrowed_frame(
    frame: pd.DataFrame, field: str, value: object, emails: set[str]
) -> None:
    explorer, first, _ = recorded(frame)
    getattr(explorer, field).value = value
    assert set(first.frames[-1]["email"]) == emails and len(first.frames) == 2
    assert set(explorer.charted["email"]) == emails
    assert explorer.summary.value == f"charting {len(emails)} of 5 events"


def test_other_tabs_draw_the_filtered_frame_when_opened_and_only_once(frame: pd.DataFrame) -> None:
    explorer, first, second = recorded(frame)
    explorer.category.value = ("delivery",)
    explorer.tabs.selected_index = 1
    assert [len(f) for f in second.frames] == [2] and images(explorer)[1].startswith(PNG_MAGIC)
    explorer.tabs.selected_index = 0
    explorer.tabs.selected_index = 1
    assert len(first.frames) == 2 and len(second.frames) == 1
    explorer.category.value = ()
    assert [len(f) for f in second.frames] == [2, 5] and images(explorer)[0] == b""


def test_an_empty_table_still_draws_a_chart_saying_no_data() -> None:
    explorer = ChartExplorer()
    assert images(explorer)[0].startswith(PNG_MAGIC) and explorer.summary.value == "charting 0 of 0 events"
    assert explorer.start.value is None


def test_a_table_that_is_not_events_is_refused_with_the_fix() -> None:
    with pytest.raises(
        InputError, match=r"no timestamp, category column\): load it with sesops\.read_events"
    ):
        ChartExplorer(pd.DataFrame({"recipient_domain": [], "source": []}))
