"""Notebook 05's reconcile helpers: the simulator's feedback captured on the sandbox matches what
SES counted, run after run; a capture that lacks it names the gap; the window is SES's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from sesops.aws.plan import Spec
from sesops.capture.store import CaptureStore
from sesops.errors import InputError
from sesops.notebook.capture import stop_capture
from sesops.notebook.reconcile import captured_sources, mail_and_capture, reconcile, utc_time
from sesops.notebook.target import AwsTarget
from sesops.sandbox.server import Sandbox

SPEC = Spec(
    identities=("example.com",), topic="loop", sqs_queue="loop", types=("Bounce", "Complaint", "Delivery")
)
NOW = datetime(2026, 11, 20, 12, 7, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as running:
        yield running


def target(sandbox: Sandbox, region: str) -> AwsTarget:
    """What connect() gives a kernel of its own sandbox (a region per test: counts are per region)."""
    return AwsTarget(
        sandbox.session(region), region, "sandbox", "the test's sandbox", sandbox, sandbox.cert_dir
    )


@pytest.mark.timeout(90)
def test_the_capture_matches_what_ses_counted_run_after_run(sandbox: Sandbox, tmp_path: Path) -> None:
    aws = target(sandbox, "eu-west-1")
    store = tmp_path / "loop.sqlite"
    try:
        first = mail_and_capture(aws, SPEC, store)
        assert first.new_queue and first.mailed[0] == "success@simulator.amazonses.com"
        assert (first.drained.stored, first.drained.rejected) == (
            7,
            0,
        )  # 5 mailed, complaint and ooto add one
        result = reconcile(aws, [store], first.since)
        assert not result.found_gap, result.lines()
        assert [(t.what, t.counted, t.captured) for t in result.tallies] == [
            ("bounces", 2, 2), ("complaints", 1, 1), ("delivery attempts", 5, 5),
        ]  # fmt: skip
        second = mail_and_capture(aws, SPEC, store)  # the store keeps the first run's feedback
        assert not second.new_queue and "the store started empty" not in second.summary()
        again = reconcile(aws, [store], first.since)
        assert [(t.counted, t.captured) for t in again.tallies] == [(4, 4), (2, 2), (10, 10)]
        lossy = reconcile(aws, [], first.since)  # nothing captured: every count is a gap
        assert lossy.found_gap
        assert "SES counted 4 bounces in eu-west-1 since" in lossy.lines()[0]
        assert "0 were captured: 4 missing (100.0 %)" in lossy.lines()[0]
    finally:
        stop_capture()


def test_a_new_queue_starts_the_store_empty(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    old = CaptureStore(path)  # what a run on another sandbox left
    old.add('{"notificationType": "Delivery"}', channel="sqs", verified=True, message_id="from-before")
    old.close()
    try:
        run = mail_and_capture(target(sandbox, "ap-southeast-2"), SPEC, path)
        assert run.new_queue and "(a new queue: the store started empty)" in run.summary()
        with CaptureStore(path) as store:
            assert store.counts().messages == run.drained.stored == 7
    finally:
        stop_capture()


def test_a_real_account_is_never_mailed() -> None:
    real = AwsTarget(boto3.Session(region_name="us-east-1"), "us-east-1", "profile", "a real account")
    with pytest.raises(InputError, match="sandbox only; on a real account reconcile what your capture"):
        mail_and_capture(real, SPEC, "unused.sqlite")


@pytest.mark.parametrize(
    ("kind", "chosen"),
    [
        ("sandbox", ["own.sqlite"]),
        ("endpoint", ["own.sqlite", "other.sqlite"]),
        ("profile", ["own.sqlite", "other.sqlite"]),
    ],
)
def test_other_stores_count_unless_the_sandbox_is_the_kernels_own(
    kind: str, chosen: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("own.sqlite", "other.sqlite"):
        (tmp_path / name).touch()
    aws = AwsTarget(boto3.Session(region_name="us-east-1"), "us-east-1", kind, "")  # type: ignore[arg-type]
    assert captured_sources(aws, ["own.sqlite", "missing.sqlite"], ["other.sqlite", "gone.sqlite"]) == chosen


# The window itself (intervals, retention) is tested in tests/analysis/test_reconcile.py.
@pytest.mark.parametrize(
    ("since", "message"),
    [
        (datetime(2026, 11, 20, 9, 0), "since must be timezone-aware"),
        (datetime(2026, 11, 21, tzinfo=UTC), "since 2026-11-21 00:00 UTC is in the future"),
        ("2026-11-21", "since 2026-11-21 00:00 UTC is in the future"),
    ],
)
def test_a_window_ses_cannot_count_is_refused_before_anything_is_read(
    since: datetime | str, message: str
) -> None:
    aws = AwsTarget(boto3.Session(region_name="us-east-1"), "us-east-1", "sandbox", "")
    with pytest.raises(InputError, match=message):
        reconcile(aws, ["nowhere.sqlite"], since, now=NOW)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-03", datetime(2026, 11, 3, tzinfo=UTC)),
        ("2026-11-03T10:30Z", datetime(2026, 11, 3, 10, 30, tzinfo=UTC)),
        (" 2026-11-03T12:30+02:00", datetime(2026, 11, 3, 10, 30, tzinfo=UTC)),
    ],
)
def test_since_as_text_is_utc(text: str, expected: datetime) -> None:
    assert utc_time(text) == expected


def test_since_that_is_no_time_is_refused() -> None:
    with pytest.raises(
        InputError, match=r"since 'last week' is not a date \(2026-11-03\) nor an ISO 8601 time"
    ):
        utc_time("last week")
