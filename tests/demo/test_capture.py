"""The demo's capture helpers: the per-channel tally wraps a store; a failed drain fails loudly."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from sesops.capture.store import CaptureStore, prepare
from sesops.demo import capture
from sesops.demo.capture import DeliveryTally, DrainThread, describe
from sesops.demo.steps import DemoError
from sesops.errors import StoreError


def envelope(kind: str, message_id: str) -> str:
    return json.dumps({"Type": kind, "MessageId": message_id, "TopicArn": "arn:aws:sns:us-east-1:1:t"})


def test_tally_counts_each_channels_notifications_whether_new_or_not(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "capture.sqlite") as store:
        tally = DeliveryTally(store)
        assert store.add(envelope("Notification", "m1"), channel="http", verified=True, message_id="m1")
        assert not store.add(envelope("Notification", "m1"), channel="sqs", verified=True)  # a repeat
        store.add_many(
            [
                prepare(envelope("Notification", "m2"), channel="sqs", verified=True),
                prepare(envelope("SubscriptionConfirmation", "c1"), channel="sqs", verified=True),
                prepare("not json at all", channel="sqs", verified=False),
            ]
        )
        assert tally.delivered("http") == {"m1"}
        assert tally.delivered("sqs") == {"m1", "m2"}
        assert tally.delivered("import") == frozenset()
        assert store.counts().messages == 4  # the tally only watches; the store keeps its own rules


def test_tally_counts_eventbridge_events_by_their_id_whichever_queue_brought_them(tmp_path: Path) -> None:
    event = {"version": "0", "id": "e1", "detail-type": "Email Bounced", "source": "aws.ses", "detail": {}}
    other = {**event, "id": "e2", "source": "aws.health"}
    with CaptureStore(tmp_path / "capture.sqlite") as store:
        tally = DeliveryTally(store)
        store.add_many([prepare(json.dumps(e), channel="sqs", verified=False) for e in (event, other)])
        store.add(envelope("Notification", "m1"), channel="sqs", verified=True, message_id="m1")
        assert tally.delivered("eventbridge") == {"e1"}
        assert tally.delivered("sqs") == {"m1"}


def test_a_drain_is_named_in_its_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    drainer = drain_thread(monkeypatch, RuntimeError("boom"))
    drainer.label = "EventBridge"
    drainer.start().stop()
    with pytest.raises(DemoError, match=r"^the EventBridge drain failed: RuntimeError: boom$"):
        drainer.check()


def drain_thread(monkeypatch: pytest.MonkeyPatch, fails_with: BaseException) -> DrainThread:
    def failing_drain(*args: Any, **kwargs: Any) -> None:
        raise fails_with

    monkeypatch.setattr(capture, "drain", failing_drain)
    unused: Any = None  # the patched drain never touches the store, session or verifier
    return DrainThread(unused, "queue", unused, "us-east-1", unused)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            StoreError("capture.sqlite: disk I/O error"),
            "the SQS drain failed: capture.sqlite: disk I/O error",
        ),
        (RuntimeError("boom"), "the SQS drain failed: RuntimeError: boom"),
        (PermissionError(13, "Permission denied"), "the SQS drain failed: Permission denied"),
    ],
)
def test_a_failed_drain_is_raised_with_its_cause(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, message: str
) -> None:
    drainer = drain_thread(monkeypatch, error).start()
    drainer.stop()
    with pytest.raises(DemoError) as raised:
        drainer.check()
    assert str(raised.value) == message
    assert raised.value.__cause__ is error and drainer.reported


def test_leaving_the_with_raises_the_drains_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        pytest.raises(DemoError, match="the SQS drain failed: RuntimeError: late"),
        drain_thread(monkeypatch, RuntimeError("late")),
    ):
        pass


def test_another_error_on_its_way_wins_and_the_drains_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.demo")
    with (
        pytest.raises(KeyError, match="the step's own error"),
        drain_thread(monkeypatch, RuntimeError("late")),
    ):
        raise KeyError("the step's own error")
    assert "the SQS drain had failed too: RuntimeError: late" in caplog.text


def test_a_drain_that_does_not_stop_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck_drain(*args: Any, **kwargs: Any) -> None:
        release.wait(timeout=10)

    monkeypatch.setattr(capture, "drain", stuck_drain)
    monkeypatch.setattr(capture, "STOP_TIMEOUT", 0.1)
    unused: Any = None
    drainer = DrainThread(unused, "queue", unused, "us-east-1", unused).start()
    try:
        with pytest.raises(DemoError, match=r"the SQS drain did not stop within 0.1 s"):
            drainer.stop()
    finally:
        release.set()


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (StoreError("store gone"), "store gone"),
        (ConnectionResetError(104, "Connection reset by peer"), "Connection reset by peer"),
        (OSError("no errno"), "OSError: no errno"),
        (ValueError("bad"), "ValueError: bad"),
    ],
)
def test_describe(error: BaseException, text: str) -> None:
    assert describe(error) == text
