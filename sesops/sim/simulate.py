"""Realistic synthetic SES feedback: deterministic for a seed, fast enough for millions of messages.

``messages`` is the number of messages *sent*; everything else derives from them. Each sent
recipient is delivered, bounces or is delayed, and delivered ones may later complain or
auto-reply, so rates computed from the output (per sent recipient) come out near the
configured ones:

* ``bounce_rate``: hard (``Permanent``) bounces, what SES's 5 % review threshold counts;
* ``soft_bounce_rate``: ``Transient`` bounces with an SMTP status, and ``Undetermined`` ones;
* ``complaint_rate``: complaints (SES reviews at 0.1 %); ``ooto_rate``: auto-replies;
* ``delay_rate``: ``DeliveryDelay`` before an eventual delivery.

Identity notifications (``notificationType``) are the default; ``event_publishing=True`` emits
configuration-set events (``eventType``) instead, adding Send, Open, Click, Reject, Rendering
Failure and Subscription. ``DeliveryDelay`` exists only as an event, so it always has that shape.
Objects of one message share their ``mail`` dict: treat generated objects as read-only.
"""

from __future__ import annotations

import gzip
import heapq
import itertools
import random
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from sesops.errors import InputError
from sesops.sim.config import SimulationConfig as SimulationConfig  # re-exported: callers import it from here
from sesops.sim.population import Population, send_times
from sesops.sim.shapes import Clock, Envelopes, event_time, sns_subject, uuid4
from sesops.sim.traffic import Traffic

if TYPE_CHECKING:
    import boto3


def _timed(config: SimulationConfig) -> Iterator[tuple[int, dict[str, Any]]]:
    """(epoch ms, SES object) in time order: a heap holds feedback until its time comes."""
    rng = random.Random(config.seed)
    population = Population(rng, min(max(500, config.messages // 2), 400_000))
    traffic = Traffic(config, rng, population)
    heap: list[tuple[int, int, dict[str, Any]]] = []
    seq = 0
    for ms in send_times(rng, config.messages, config.days, config.start_ms):
        while heap and heap[0][0] <= ms:
            at, _, obj = heapq.heappop(heap)
            yield at, obj
        for at, obj in traffic.message(ms):
            seq += 1
            heapq.heappush(heap, (at, seq, obj))
    while heap:
        at, _, obj = heapq.heappop(heap)
        yield at, obj


def generate(config: SimulationConfig) -> Iterator[dict[str, Any]]:
    """SES objects (``notificationType`` or ``eventType`` shape), in time order."""
    for _, obj in _timed(config):
        yield obj


def wrap_sns(
    ses_obj: dict[str, Any],
    *,
    topic_arn: str,
    message_id: str | None = None,
    timestamp: str | None = None,
    subject: str | None = None,
) -> dict[str, Any]:
    """An SNS ``Notification`` envelope (HTTP body shape, unsigned) carrying ``ses_obj`` as JSON text.

    ``message_id`` defaults to a random UUID, ``timestamp`` to the event's own time, ``subject``
    to what SNS sets for the shape (configuration-set events only).
    """
    when = timestamp or event_time(ses_obj) or Clock().iso(int(datetime.now(UTC).timestamp() * 1000))
    return Envelopes(topic_arn, _subscription_id(topic_arn)).wrap(
        orjson.dumps(ses_obj).decode(),
        message_id or uuid4(random.Random()),
        when,
        subject if subject is not None else sns_subject(ses_obj),
    )


def _subscription_id(topic_arn: str) -> str:
    """Stable per topic, like the one real subscription a topic's UnsubscribeURL names."""
    return uuid4(random.Random(topic_arn))


def iter_lines(
    config: SimulationConfig,
    *,
    envelope: bool = True,
    redelivery_rate: float = 0.0,
    topic_arn: str | None = None,
) -> Iterator[bytes]:
    """JSON lines of the simulation: SNS envelopes (or raw SES objects); some envelopes repeated
    a few lines later, as SNS redelivers when an endpoint is slow to acknowledge."""
    if not 0.0 <= redelivery_rate <= 1.0:
        raise InputError(f"redelivery_rate must be between 0 and 1, not {redelivery_rate}")
    ids = random.Random(config.seed ^ 0x5E5)  # a separate stream: raw and enveloped runs agree
    topic_arn = topic_arn or config.default_topic_arn
    envelopes = Envelopes(topic_arn, _subscription_id(topic_arn))
    clock = Clock()
    pending: list[tuple[int, int, bytes]] = []
    count = 0
    for ms, obj in _timed(config):
        body = orjson.dumps(obj)
        if not envelope:
            yield body + b"\n"
            continue
        line = envelopes.line(
            body, uuid4(ids), clock.iso(ms + 40 + int(ids.random() * 900)), "eventType" in obj
        )
        yield line
        count += 1
        if redelivery_rate and ids.random() < redelivery_rate:
            heapq.heappush(pending, (count + 1 + int(ids.random() * 20), count, line))
        while pending and pending[0][0] <= count:
            yield heapq.heappop(pending)[2]
    for _, _, line in sorted(pending):
        yield line


def write_jsonl(
    path: str | Path,
    config: SimulationConfig,
    *,
    envelope: bool = True,
    redelivery_rate: float = 0.0,
    topic_arn: str | None = None,
) -> int:
    """Write the simulation as JSON Lines (gzip when ``path`` ends in ``.gz``; ``-`` is stdout).

    Returns the number of lines written (redeliveries included).
    """
    lines = iter_lines(config, envelope=envelope, redelivery_rate=redelivery_rate, topic_arn=topic_arn)
    if str(path) == "-":
        return _write(sys.stdout.buffer, lines)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix == ".gz":
        with gzip.open(target, "wb", compresslevel=5) as fh:
            return _write(fh, lines)
    with open(target, "wb", buffering=1 << 20) as fh:
        return _write(fh, lines)


def _write(fh: BinaryIO | gzip.GzipFile, lines: Iterator[bytes]) -> int:
    """Write in 4 MB chunks from a second thread: file writes (and zlib) release the GIL, so disk
    time overlaps generation."""
    written = 0
    chunk: list[bytes] = []
    size = 0
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[int] | None = None
        for line in lines:
            chunk.append(line)
            size += len(line)
            if size >= 1 << 22:
                if pending is not None:
                    pending.result()  # at most one chunk in flight; surfaces write errors
                pending = pool.submit(fh.write, b"".join(chunk))
                written += len(chunk)
                chunk, size = [], 0
        if pending is not None:
            pending.result()
    fh.write(b"".join(chunk))
    return written + len(chunk)


def publish(
    config: SimulationConfig,
    topic_arn: str,
    *,
    session: boto3.Session | None = None,
    region: str | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Publish every generated SES object to an SNS topic (10 per ``PublishBatch``); returns the count.

    ``should_stop`` is asked before each object: once it answers True, publishing ends after the
    batch in flight (the count says how many went out).
    """
    from sesops.aws.publish import publish_messages

    objects = generate(config)
    if should_stop is not None:
        objects = itertools.takewhile(lambda _: not should_stop(), objects)
    messages = ((orjson.dumps(obj).decode(), sns_subject(obj)) for obj in objects)
    return publish_messages(topic_arn, messages, session=session, region=region)  # None: the topic's
