"""SQS → capture store: long-poll a queue, store each message, delete it only after the commit.

A body that is not SES/SNS feedback (or, with a verifier, whose signature fails) is kept in
the store's rejects table once (keyed by its SQS MessageId, so later runs that receive it again
do not add it again) and left on the queue, so its redrive policy moves it to the dead-letter
queue. A certificate that cannot be fetched leaves the message for a later run. A store that
cannot take the write (:class:`~sesops.errors.StoreUnavailable`) leaves that whole batch on the
queue: a one-off drain stops there; a ``follow`` drain (a worker) says so in the log, waits
(1 s, doubling to a minute) and goes on, so a restarting PostgreSQL server or a locked file
does not end the worker, and SQS hands the messages out again after their visibility timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3

from sesops.aws import clients, messaging
from sesops.capture.store import CaptureStore, NewMessage, prepare
from sesops.errors import CertificateUnavailable, RecordError, StoreUnavailable, VerificationError
from sesops.events.parse import SNS_CONTROL_TYPES, decode_json, parse_record
from sesops.events.strict import envelope_duplicate

log = logging.getLogger(__name__)

#: How long a following drain waits after the store refused a batch: doubling from the first to the last.
STORE_RETRY_SECONDS = (1.0, 60.0)


class Verifier(Protocol):
    def verify(self, message: Mapping[str, Any]) -> None: ...


@dataclass
class DrainResult:
    received: int = 0
    stored: int = 0  # new rows
    duplicates: int = 0  # already in the store (deleted all the same)
    rejected: int = 0  # distinct messages kept in rejects and left on the queue
    deferred: int = 0  # certificate unavailable: left on the queue for a later run
    deleted: int = 0
    delete_failures: list[str] = field(default_factory=list)
    store_refusals: int = 0  # batches the store could not take (left on the queue; follow mode)
    refusals_in_a_row: int = field(default=0, repr=False)  # sets the next wait

    def summary(self) -> str:
        text = (
            f"received {self.received}, stored new {self.stored}, duplicates {self.duplicates}, "
            f"rejected {self.rejected}, deleted {self.deleted}"
        )
        if self.deferred:
            text += f", left for retry {self.deferred}"
        if self.delete_failures:
            text += f", delete failed {len(self.delete_failures)}"
        if self.store_refusals:
            text += f", batches the store refused (left on the queue) {self.store_refusals}"
        return text


Progress = Callable[[int], object]


def classify_body(body: str, verifier: Verifier | None) -> tuple[bool, str | None]:
    """``(verified, None)`` when the body may be stored, else ``(False, reason)``.

    Raises :class:`CertificateUnavailable` when a signature cannot be checked right now.
    """
    try:
        decoded = decode_json(body)
        parse_record(decoded)  # proves it is SES/SNS feedback (or an SNS control message)
        duplicate = envelope_duplicate(body, decoded)
    except RecordError as err:  # only this means a bad body; anything else is a bug and propagates
        return False, err.reason
    if duplicate is not None:  # readers disagree on which copy counts: store one reading only
        where, path = duplicate
        shown = path if where == "body" else f"Message.{path}"
        return False, f"duplicate key {shown!r}; refused (JSON readers disagree on which value counts)"
    sns_type = decoded.get("Type") if isinstance(decoded, dict) else None  # any JSON value
    is_envelope = isinstance(sns_type, str) and (sns_type == "Notification" or sns_type in SNS_CONTROL_TYPES)
    if verifier is None or not is_envelope:
        return False, None
    try:
        verifier.verify(decoded)
    except CertificateUnavailable:
        raise
    except VerificationError as err:
        return False, f"signature check failed: {err}"
    return True, None


def drain(
    store: CaptureStore,
    queue: str,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    verifier: Verifier | None = None,
    max_messages: int | None = None,
    follow: bool = False,
    wait_seconds: int = 2,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    pause: Callable[[float], object] = time.sleep,
) -> DrainResult:
    """Move messages from ``queue`` (name or URL) into ``store``; see the module docs.

    Stops when a receive comes back empty (unless ``follow``), after ``max_messages``, or
    when ``should_stop()`` turns true. ``pause(seconds)`` is how a following drain waits for a
    store that refused a batch.
    """
    session = session or clients.session()  # the one seam: an unknown AWS_PROFILE is an AwsError
    region = region or messaging.region_of_queue_url(queue)
    url = messaging.queue_url(queue, session=session, region=region)
    result = DrainResult()
    rejected_ids: set[str] = set()  # a junk message seen again this run is not re-recorded
    while max_messages is None or result.received < max_messages:
        if should_stop is not None and should_stop():
            break
        want = messaging.SQS_MAX_BATCH
        if max_messages is not None:
            want = min(want, max_messages - result.received)
        batch = messaging.receive_batch(
            url, session=session, region=region, max_messages=want, wait_seconds=wait_seconds
        )
        if not batch:
            if follow:
                continue
            break
        seen_before = {str(m.get("MessageId")) for m in batch} <= rejected_ids
        try:
            _handle_batch(store, url, batch, verifier, result, rejected_ids, session, region)
        except StoreUnavailable as err:
            if not follow:
                raise
            _wait_for_store(err, result, pause)
            continue
        if progress is not None:
            progress(len(batch))
        if seen_before and not follow:
            break  # only junk we already rejected keeps coming back (short visibility timeout)
    return result


def _wait_for_store(err: StoreUnavailable, result: DrainResult, pause: Callable[[float], object]) -> None:
    """Log a refused batch (it stays on the queue) and wait before the next receive, longer each
    time in a row the store refused (the count resets when a batch is stored)."""
    result.store_refusals += 1
    first, last = STORE_RETRY_SECONDS
    wait = min(last, first * 2 ** min(result.refusals_in_a_row, 16))
    result.refusals_in_a_row += 1
    log.warning("capture store refused a batch (left on the queue); retrying in %.0f s: %s", wait, err)
    pause(wait)


def _handle_batch(
    store: CaptureStore,
    url: str,
    batch: list[dict[str, Any]],
    verifier: Verifier | None,
    result: DrainResult,
    rejected_ids: set[str],
    session: boto3.Session,
    region: str | None,
) -> None:
    result.received += len(batch)
    keep: list[tuple[NewMessage, tuple[str, str]]] = []
    for message in batch:
        body = str(message.get("Body", ""))
        sqs_id = str(message.get("MessageId", ""))
        try:
            verified, reason = classify_body(body, verifier)
        except CertificateUnavailable:
            result.deferred += 1
            continue
        if reason is not None:
            if sqs_id not in rejected_ids:
                rejected_ids.add(sqs_id)
                result.rejected += 1
                store.add_reject(body, reason=reason, channel="sqs", key=f"sqs:{sqs_id}" if sqs_id else None)
            continue
        keep.append(
            (prepare(body, channel="sqs", verified=verified), (sqs_id, str(message["ReceiptHandle"])))
        )
    if not keep:
        return
    news = store.add_many([m for m, _ in keep])  # committed before anything is deleted
    result.refusals_in_a_row = 0
    result.stored += sum(news)
    result.duplicates += len(news) - sum(news)
    failed = messaging.delete_batch(url, [r for _, r in keep], session=session, region=region)
    result.deleted += len(keep) - len(failed)
    result.delete_failures.extend(failed)
