"""Capture panel: a drain on a background thread, live counts by type, Stop, errors inline."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from moto import mock_aws

from sesops.capture.drain import DrainResult
from sesops.capture.store import CaptureStore, prepare
from sesops.errors import AwsError
from sesops.sandbox.server import dummy_session
from sesops.widgets.capture import CaptureCounter, CapturePanel, message_kind
from sesops.widgets.regions import RegionPicker
from tests.payloads import bounce, complaint, delivery, envelope
from tests.widgets.fakes import region_picker

BOUNCE = json.dumps(envelope(bounce(), message_id="b1"))
COMPLAINT = json.dumps(envelope(complaint(), message_id="c1"))
DELIVERY = json.dumps(envelope(delivery(), message_id="d1"))


def test_message_kind_is_the_ses_event_type_or_the_control_kind() -> None:
    assert [message_kind(b) for b in (BOUNCE, COMPLAINT, DELIVERY)] == ["Bounce", "Complaint", "Delivery"]
    confirmation = dict(envelope("x", Type="SubscriptionConfirmation"), Token="t", SubscribeURL="https://x")
    assert message_kind(json.dumps(confirmation)) == "SubscriptionConfirmation"
    assert message_kind("not json") == "not SES feedback"


def test_the_counter_tallies_new_messages_by_type_duplicates_and_rejects(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "c.sqlite") as store:
        counter = CaptureCounter(store)
        store.add_many([prepare(b, channel="sqs", verified=False) for b in (BOUNCE, COMPLAINT, BOUNCE)])
        assert store.add(DELIVERY, channel="http", verified=True)
        store.add_reject("junk", reason="not JSON", channel="sqs")
        counts = counter.tally(received=6)
    assert (counts.received, counts.stored, counts.duplicates, counts.rejected) == (6, 3, 1, 1)
    assert counts.by_kind == {"Bounce": 1, "Complaint": 1, "Delivery": 1}
    assert CaptureStore(tmp_path / "c.sqlite").counts().messages == 3


class SteppedDrain:
    """A drain that stores one message per step, reporting progress, until told to stop."""

    def __init__(self, bodies: list[str], *, error: Exception | None = None) -> None:
        self.bodies = bodies
        self.error = error
        self.step = threading.Event()  # set by the test: store the next message
        self.kwargs: dict[str, Any] = {}

    def __call__(self, store: CaptureStore, queue: str, **kwargs: Any) -> DrainResult:
        self.kwargs = dict(kwargs, queue=queue)
        if self.error is not None:
            raise self.error
        result = DrainResult()
        for body in self.bodies:
            assert self.step.wait(5), "the test never released the next step"
            self.step.clear()
            if kwargs["should_stop"]():
                break
            result.received += 1
            result.stored += sum(store.add_many([prepare(body, channel="sqs", verified=False)]))
            kwargs["progress"](1)
        return result


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_counts_update_live_and_stop_ends_the_drain(tmp_path: Path) -> None:
    fake = SteppedDrain([BOUNCE, COMPLAINT, DELIVERY])
    panel = CapturePanel(region_picker(), queue="feedback", store=str(tmp_path / "c.sqlite"), drain_fn=fake)
    panel.follow.value = True
    panel.start_button.click()
    assert panel.running and panel.start_button.disabled and not panel.stop_button.disabled

    fake.step.set()
    wait_for(lambda: panel.counts.received == 1)
    assert panel.counts.by_kind == {"Bounce": 1} and panel.running
    fake.step.set()
    wait_for(lambda: panel.counts.received == 2)
    assert panel.counts.by_kind == {"Bounce": 1, "Complaint": 1}
    assert "Complaint" in panel.counts_view.value

    panel.stop_button.click()
    fake.step.set()
    assert panel.wait(5)
    assert panel.notice.text.startswith("done (stopped): received 2, stored new 2")
    assert not panel.start_button.disabled and panel.stop_button.disabled
    assert fake.kwargs["queue"] == "feedback" and fake.kwargs["follow"] is True
    assert fake.kwargs["region"] == "us-east-1" and fake.kwargs["session"] is panel.region.session


def test_a_drain_error_is_shown_inline_and_the_panel_can_start_again(tmp_path: Path) -> None:
    fake = SteppedDrain([], error=AwsError("GetQueueUrl feedback: QueueDoesNotExist: no such queue"))
    panel = CapturePanel(region_picker(), queue="feedback", store=str(tmp_path / "c.sqlite"), drain_fn=fake)
    panel.start()
    assert panel.wait(5)
    assert panel.notice.is_error and panel.notice.text.startswith("GetQueueUrl feedback: QueueDoesNotExist")
    assert not panel.start_button.disabled and panel.stop_button.disabled


def test_missing_inputs_are_refused_before_any_thread_starts(tmp_path: Path) -> None:
    fake = SteppedDrain([])
    panel = CapturePanel(region_picker(), store=str(tmp_path / "c.sqlite"), drain_fn=fake)
    panel.start()
    assert panel.notice.is_error and "SQS queue: give the queue's name" in panel.notice.text
    panel.queue.value = "feedback"
    panel.store_path.value = str(tmp_path / "missing-dir" / "c.sqlite")
    panel.start()
    assert panel.notice.is_error and "no such directory for the capture store" in panel.notice.text
    assert not panel.running and fake.kwargs == {}


def test_the_real_drain_fills_the_counts_from_a_queue(tmp_path: Path) -> None:
    with mock_aws():  # plain SQS: the sandbox's SES patches are not needed
        session = dummy_session("us-east-1")
        sqs = session.client("sqs")
        url = sqs.create_queue(QueueName="feedback")["QueueUrl"]
        for body in (BOUNCE, COMPLAINT, "junk"):
            sqs.send_message(QueueUrl=url, MessageBody=body)
        panel = CapturePanel(
            RegionPicker(session, regions=("us-east-1",)),
            queue="feedback",
            store=str(tmp_path / "c.sqlite"),
            wait_seconds=0,
        )
        panel.start()
        assert panel.wait(30)
    assert panel.result is not None and panel.result.stored == 2
    assert (panel.counts.received, panel.counts.stored, panel.counts.rejected) == (3, 2, 1)
    assert panel.counts.by_kind == {"Bounce": 1, "Complaint": 1}
    assert panel.notice.text == "done: received 3, stored new 2, duplicates 0, rejected 1, deleted 2"
