"""report: the files it writes, the numbers in the HTML, and escaping of data from the feed."""

from __future__ import annotations

import base64
import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sesops import read_events
from sesops.analysis.report import pct, write_report
from sesops.analysis.report.page import duration
from sesops.analysis.suppress import CSV_COLUMNS, SuppressionPolicy
from sesops.sim.simulate import SimulationConfig, generate
from tests.payloads import bounce, complaint, delivery

NOW = datetime(2026, 11, 30, tzinfo=UTC)
SCRIPT = "<script>alert('x')</script>"


def feed() -> list[dict[str, Any]]:
    """19 deliveries, 1 hard bounce with a hostile subject and domain: a 5 % bounce rate."""
    items: list[dict[str, Any]] = []
    for i in range(19):
        item = delivery(f"u{i}@example.org")
        item["mail"]["messageId"] = f"m{i}"
        items.append(item)
    hard = bounce("victim@evil<b>.test", feedback_id="b1")
    hard["mail"]["messageId"] = "mb"
    hard["mail"]["commonHeaders"]["subject"] = SCRIPT
    items.append(hard)
    return items


def test_writes_every_file(tmp_path: Path) -> None:
    paths = write_report(read_events(feed()), tmp_path / "out", now=NOW)
    assert paths.html == tmp_path / "out" / "report.html" and paths.html.is_file()
    assert paths.suppressions.name == "suppressions.csv"
    assert {"categories", "daily_rates", "bounce_types", "domains"} <= set(paths.charts)
    for png in paths.charts.values():
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with paths.suppressions.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS and [r["email"] for r in rows] == ["victim@evil<b>.test"]


def test_html_has_the_numbers_and_is_self_contained(tmp_path: Path) -> None:
    paths = write_report(read_events(feed()), tmp_path, now=NOW, title="Weekly")
    html = paths.html.read_text(encoding="utf-8")
    assert "<title>Weekly</title>" in html
    assert "Sends: <strong>20</strong>" in html
    assert "5 %" in html and pct(0.05) == "5 %"
    assert 'class="status review"' in html
    assert "is over the 5 % review threshold: import suppressions.csv" in html
    assert "1 address(es) to suppress (1 hard bounce)" in html
    assert "Generated 2026-11-30 00:00 UTC" in html
    # charts are embedded, not linked
    embedded = html.count('src="data:image/png;base64,')
    assert embedded == len(paths.charts)
    start = html.index("base64,") + len("base64,")
    assert base64.b64decode(html[start : html.index('"', start)]).startswith(b"\x89PNG")


def test_escapes_everything_from_the_data(tmp_path: Path) -> None:
    html = write_report(read_events(feed()), tmp_path, now=NOW, title="<b>t</b>").html.read_text()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "victim@evil&lt;b&gt;.test" in html
    assert "&lt;b&gt;t&lt;/b&gt;" in html


def test_policy_is_passed_to_the_suppression_list(tmp_path: Path) -> None:
    items = [bounce("a@x.org", feedback_id="1"), complaint("b@x.org")]
    paths = write_report(read_events(items), tmp_path, now=NOW, policy=SuppressionPolicy(hard_bounces=False))
    # issue 8 appended each address's last bounce type/subtype/status/diagnostic, feedback type
    # and message id to the canonical CSV
    assert paths.suppressions.read_text().splitlines()[1:] == [
        "b@x.org,COMPLAINT,complaint,2026-11-01T11:00:00Z,2026-11-01T11:00:00Z,1,complaint (abuse),"
        ",,,,abuse,0100018c-mail-0001"
    ]
    html = paths.html.read_text()
    assert "Rates cannot be computed" in html and 'class="status unknown"' in html


def test_empty_frame(tmp_path: Path) -> None:
    paths = write_report(read_events([]), tmp_path, now=NOW)
    html = paths.html.read_text()
    assert "No feedback events were loaded" in html
    assert paths.suppressions.read_text() == ",".join(CSV_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("rate", "text"), [(0.061, "6.1 %"), (0.0008, "0.08 %"), (0.05, "5 %"), (None, "n/a")]
)
def test_pct(rate: float | None, text: str) -> None:
    assert pct(rate) == text


def test_simulated_traffic_over_the_threshold(tmp_path: Path) -> None:
    config = SimulationConfig(messages=3000, seed=5, bounce_rate=0.07, complaint_rate=0.006)
    html = write_report(read_events(list(generate(config))), tmp_path, now=NOW).html.read_text()
    assert "review threshold: import suppressions.csv" in html
    assert "Complaint rate" in html and "List-Unsubscribe" in html


def test_the_page_has_domain_rates_delays_feedback_and_delay_types(tmp_path: Path) -> None:
    config = SimulationConfig(
        messages=1500, seed=3, bounce_rate=0.05, complaint_rate=0.004, event_publishing=True
    )
    paths = write_report(read_events(list(generate(config))), tmp_path, now=NOW)
    html = paths.html.read_text()
    for heading in ("Recipient domains: rates", "Time from send to bounce", "Complaints by feedback type",
                    "Delivery delays by type"):  # fmt: skip
        assert f"<h2>{heading}" in html
    assert "domain_rates" in paths.charts
    data = paths.data
    assert data.send_to_bounce.loc["hard_bounce", "timed"] > 0  # Send events give send times
    assert "No bounce has a send time" not in html
    assert set(data.domain_rates.columns) >= {"sends", "bounce_rate", "complaint_rate"}
    assert data.feedback_types["events"].sum() == data.summary.by_event_type.get("Complaint", 0)


def test_without_send_events_the_page_says_how_to_time_bounces(tmp_path: Path) -> None:
    html = write_report(read_events(feed()), tmp_path, now=NOW).html.read_text()
    assert "No bounce has a send time: publish Send events with a configuration set" in html


@pytest.mark.parametrize(
    ("value", "text"),
    [(pd.Timedelta(milliseconds=850), "850 ms"), (pd.Timedelta(seconds=12), "12 s"),
     (pd.Timedelta(minutes=4, seconds=5), "4 min 5 s"), (pd.Timedelta(hours=3, minutes=20), "3 h 20 min"),
     (pd.Timedelta(days=2, hours=4), "2 d 4 h"), (pd.NaT, "n/a")],
)  # fmt: skip
def test_duration(value: object, text: str) -> None:
    assert duration(value) == text
