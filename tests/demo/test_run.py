"""``sesops demo`` end to end on the sandbox: a small run into tmp_path, then the CLI and its failures."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sesops.cli import main
from sesops.demo.result import DemoResult
from sesops.demo.run import CAPTURE_TIMEOUT, run_demo
from tests.sandbox_helpers import dummy_credentials

MESSAGES = 150  # small: the whole run takes a few seconds
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIM = "simulator.amazonses.com"
# Each whole demo run (the module fixture's, the CLI test's two) takes about 25 s on a busy machine.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def _dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoResult]:
    yield run_demo(tmp_path_factory.mktemp("demo") / "out", messages=MESSAGES, seed=3, progress=False)


def test_every_output_file_exists_and_is_not_empty(demo: DemoResult) -> None:
    names = {p.name for p in demo.files.values()}
    assert {"capture.sqlite", "events.parquet", "events.csv", "suppressions.csv", "report.html"} <= names
    assert "README.txt" in names
    for path in demo.files.values():
        assert path.parent == demo.out_dir
        assert path.is_file() and path.stat().st_size > 0, path
    charts = [p for p in demo.files.values() if p.suffix == ".png"]
    assert len(charts) >= 3
    for chart in charts:
        assert chart.read_bytes()[:8] == PNG_MAGIC, chart
    readme = (demo.out_dir / "README.txt").read_text()
    assert all(p.name in readme for p in demo.files.values())
    assert "healthy" in readme


def test_every_channel_delivered_everything_and_the_store_kept_each_once(demo: DemoResult) -> None:
    assert demo.expected > MESSAGES  # simulated feedback plus the mailbox simulator's
    assert demo.http_delivered == demo.sqs_delivered == demo.expected
    # The simulator's 7 notifications again as SES events (Bounce, Complaint, Delivery) via EventBridge.
    assert demo.eventbridge_delivered == demo.eventbridge_expected == 7
    events = demo.eventbridge_delivered
    with sqlite3.connect(demo.store) as conn:
        rows = dict(conn.execute("SELECT channel, count(*) FROM messages GROUP BY channel").fetchall())
        ids = conn.execute("SELECT count(DISTINCT message_id), count(*) FROM messages").fetchone()
        verified = dict(conn.execute("SELECT verified, count(*) FROM messages GROUP BY verified").fetchall())
    # One row per SNS MessageId (+ the SubscriptionConfirmation, HTTP only), from whichever channel
    # committed first; the other channel's copy was a no-op insert (the drain counts it a duplicate).
    # EventBridge events are rows of their own (unsigned: EventBridge does not sign).
    total = demo.expected + 1 + events
    assert ids == (total, total)
    assert set(rows) <= {"http", "sqs"} and rows["http"] >= 1
    assert sum(rows.values()) == demo.store_messages == total
    assert verified == {1: demo.expected + 1, 0: events}  # SNS channels checked signatures
    assert demo.drain is not None and demo.eventbridge_drain is not None
    assert demo.drain.received == demo.expected
    assert demo.drain.stored + demo.drain.duplicates == demo.expected
    assert demo.drain.stored + demo.eventbridge_drain.stored == rows.get("sqs", 0)
    assert (demo.eventbridge_drain.received, demo.eventbridge_drain.stored) == (events, events)


def test_events_are_deduped(demo: DemoResult) -> None:
    df = pd.read_parquet(demo.out_dir / "events.parquet")
    assert len(df) == demo.events > 0
    assert not df.duplicated(["sns_message_id", "email", "event_type"]).any()
    assert df["sns_message_id"].nunique() == demo.expected  # the EventBridge copies were dropped
    assert demo.duplicates_dropped >= demo.eventbridge_delivered
    csv = pd.read_csv(demo.out_dir / "events.csv")
    assert len(csv) == len(df)


def test_mailbox_simulator_rows_have_the_right_categories(demo: DemoResult) -> None:
    df = pd.read_parquet(demo.out_dir / "events.parquet")
    sim = df.loc[df["email"].str.endswith(f"@{SIM}")]
    got = {email: set(group["category"]) for email, group in sim.groupby("email")}
    assert got == {
        f"success@{SIM}": {"delivery"},
        f"bounce@{SIM}": {"hard_bounce"},
        f"ooto@{SIM}": {"delivery", "auto_reply"},
        f"complaint@{SIM}": {"delivery", "complaint"},
        f"suppressionlist@{SIM}": {"hard_bounce"},
    }
    assert {k: set(v) for k, v in demo.simulator.items()} == got


def test_suppression_csv_and_report(demo: DemoResult) -> None:
    suppressions = pd.read_csv(demo.out_dir / "suppressions.csv")
    reasons = dict(zip(suppressions["email"], suppressions["reason"], strict=True))
    assert reasons[f"bounce@{SIM}"] == "BOUNCE"
    assert reasons[f"complaint@{SIM}"] == "COMPLAINT"
    assert f"success@{SIM}" not in reasons and f"ooto@{SIM}" not in reasons
    assert demo.suppressions == len(suppressions)
    html = (demo.out_dir / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "data:image/png;base64," in html
    assert demo.summary is not None and demo.summary.bounce_status in ("warning", "review", "pause")


def test_status_is_healthy_and_steps_are_timed(demo: DemoResult) -> None:
    assert demo.status is not None and demo.status.healthy, demo.status
    assert len(demo.timings) == 7
    # The steps run one after another inside the total (the demo's speed: benchmarks/bench_demo.py).
    assert all(seconds > 0 for _, seconds in demo.timings)
    assert sum(seconds for _, seconds in demo.timings) <= demo.total_seconds


def test_cli_prints_the_summary_and_next_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "out"), "--messages", "40", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert "1/7 starting the sandbox ... done" in captured.err
    assert "7/7 writing the report ... done" in captured.err
    out = captured.out
    assert "sesops demo finished in" in out
    assert f"bounce@{SIM}" in out and "healthy" in out
    assert f"sesops load {tmp_path / 'out' / 'capture.sqlite'}" in out
    assert "jupyter lab notebooks/" in out
    # A second run into the same directory replaces the earlier demo's capture.
    assert main(["demo", "--out", str(tmp_path / "out"), "--messages", "40", "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The error: one line, the last on stderr (after any step lines), no traceback."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("sesops demo: error:")]
    assert len(errors) == 1 and err.endswith(errors[0]), err
    return errors[0]


def test_out_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "taken"
    target.write_text("not a directory")
    assert main(["demo", "--out", str(target), "--messages", "10"]) == 2
    err = _one_line_error(capsys)
    assert err.startswith("sesops demo: error: --out") and "not a directory" in err


def test_foreign_capture_store_is_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "capture.sqlite").write_bytes(b"someone's data")
    assert main(["demo", "--out", str(tmp_path), "--messages", "10"]) == 2
    assert "not from an earlier demo" in _one_line_error(capsys)
    assert (tmp_path / "capture.sqlite").read_bytes() == b"someone's data"


def test_busy_receiver_port_names_the_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["demo", "--out", str(tmp_path), "--messages", "10", "--receiver-port", str(port)])
    assert code == 2
    err = _one_line_error(capsys)
    assert "step 2/7 (starting the receiver) failed" in err
    assert f"127.0.0.1:{port}" in err and "Pass --receiver-port 0" in err


def test_undeliverable_notifications_fail_the_step_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receiver cannot store notifications: the demo names the sandbox's failed delivery,
    rather than waiting out the capture timeout."""
    from sesops.capture.store import CaptureStore
    from sesops.errors import StoreError

    add = CaptureStore.add

    def refuse_notifications(self: CaptureStore, body: str | bytes, **kwargs: Any) -> bool:
        if b'"Notification"' in (body if isinstance(body, bytes) else body.encode()):
            raise StoreError("disk full (test)")
        return add(self, body, **kwargs)

    monkeypatch.setattr(CaptureStore, "add", refuse_notifications)
    started = time.monotonic()
    assert main(["demo", "--out", str(tmp_path), "--messages", "20", "--quiet"]) == 2
    assert time.monotonic() - started < CAPTURE_TIMEOUT
    err = _one_line_error(capsys)
    assert (
        "step 4/7 (mailing the SES mailbox simulator) failed: the sandbox could not deliver a Notification"
        in err
    )
    assert "to http://127.0.0.1:" in err
    assert "/sns: HTTP 503 Service Unavailable (cannot store the message now; retry later)" in err


def test_a_failed_drain_fails_the_step_with_its_cause(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sesops.demo import capture
    from sesops.errors import StoreError

    def broken_drain(*args: Any, **kwargs: Any) -> None:
        raise StoreError("capture.sqlite: database is locked (test)")

    monkeypatch.setattr(capture, "drain", broken_drain)
    assert main(["demo", "--out", str(tmp_path), "--messages", "20", "--quiet"]) == 2
    err = _one_line_error(capsys)
    assert "failed: the SQS drain failed: capture.sqlite: database is locked (test)." in err
