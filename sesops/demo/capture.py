"""Capture by three channels at once, for the demo: the receiver (HTTP) and the drain (SQS) of the
identity's SNS notifications, and a second drain of the queue EventBridge feeds; one store.

:class:`DeliveryTally` watches a :class:`~sesops.capture.store.CaptureStore` (its ``on_commit``
hook) and remembers which SNS ``Notification`` MessageIds each channel delivered, so the demo
can prove that every notification arrived twice with the same id, and which EventBridge event
ids arrived (under ``eventbridge``). The store itself keeps each MessageId once (the first commit
wins; the second arrival is a no-op), so its ``channel`` column says which channel was first,
not which channels delivered.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

import boto3
import orjson

from sesops.capture.drain import DrainResult, drain
from sesops.capture.receiver import make_app
from sesops.capture.serving import listening_url, serve_until, start_server
from sesops.capture.store import CaptureStore, NewMessage
from sesops.demo.result import EVENTBRIDGE
from sesops.demo.steps import DemoError
from sesops.errors import InputError, SesopsError
from sesops.events.shapes import EVENTBRIDGE_SOURCE
from sesops.sns.verify import SnsVerifier

LOG = logging.getLogger("sesops.demo")
HOST = "127.0.0.1"
RECEIVER_PATH = "/sns"
STOP_TIMEOUT = 10.0  # seconds the receiver and drain threads get to finish


def _tallied(body: str, channel: str) -> tuple[str, str] | None:
    """``(channel, id)`` of an SNS Notification (the channel it came by) or an SES EventBridge
    event (``eventbridge``, its id); None for anything else."""
    try:
        obj = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None  # not an envelope (a raw delivery): nothing to tally
    if not isinstance(obj, dict):
        return None
    if obj.get("Type") == "Notification" and isinstance(obj.get("MessageId"), str):
        return channel, obj["MessageId"]
    if obj.get("source") == EVENTBRIDGE_SOURCE and "detail-type" in obj and isinstance(obj.get("id"), str):
        return EVENTBRIDGE, obj["id"]
    return None


class DeliveryTally:
    """The Notification MessageIds each channel delivered to ``store`` (stored new or not), and
    the EventBridge events' ids (channel ``eventbridge``)."""

    def __init__(self, store: CaptureStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._delivered: dict[str, set[str]] = {"http": set(), "sqs": set(), EVENTBRIDGE: set()}
        store.on_commit(self._note)

    def _note(self, messages: Sequence[NewMessage], new: Sequence[bool]) -> None:
        # Every delivery counts, new or a repeat: the second channel's copy is always a repeat.
        found = [f for f in (_tallied(m.body, m.channel) for m in messages) if f is not None]
        with self._lock:
            for channel, message_id in found:
                self._delivered.setdefault(channel, set()).add(message_id)

    def delivered(self, channel: str) -> frozenset[str]:
        """Ids of what ``channel`` delivered (stored new or not): Notification MessageIds for
        ``http`` and ``sqs``, event ids for ``eventbridge``."""
        with self._lock:
            return frozenset(self._delivered.get(channel, ()))


class ReceiverThread:
    """``sesops serve``'s WSGI app on waitress in a background thread, on 127.0.0.1."""

    def __init__(self, store: CaptureStore, verifier: SnsVerifier, session: boto3.Session, port: int = 0):
        from sesops.aws.messaging import confirm_subscription

        def confirm(topic_arn: str, token: str) -> str:
            # The sandbox session, never boto3's default chain (the user's real credentials).
            return confirm_subscription(topic_arn, token, session=session)

        app = make_app(store, verifier, confirm=confirm, path=RECEIVER_PATH)
        try:
            self._server = start_server(app, host=HOST, port=port, threads=8)
        except InputError as err:
            raise InputError(f"receiver: {err}") from None
        self.url = listening_url(self._server, RECEIVER_PATH)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=serve_until,
            args=(self._server, self._stop),
            kwargs={"drain_seconds": 5.0},
            name="sesops-demo-receiver",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=STOP_TIMEOUT)
        if self._thread.is_alive():
            LOG.warning("the demo's receiver did not stop within %g s", STOP_TIMEOUT)


@dataclass
class DrainThread:
    """``sesops drain --follow`` in a background thread until :meth:`stop`; :meth:`check` raises
    the drain's own error in the caller's thread."""

    store: CaptureStore
    queue: str
    session: boto3.Session
    region: str
    verifier: SnsVerifier
    label: str = "SQS"  # names the drain in its errors: "the SQS drain failed: ..."
    result: DrainResult | None = None
    error: BaseException | None = None
    reported: bool = False  # check() has raised the error
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> DrainThread:
        name = f"sesops-demo-drain-{self.label.lower()}"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = drain(
                self.store,
                self.queue,
                session=self.session,
                region=self.region,
                verifier=self.verifier,
                follow=True,
                wait_seconds=1,  # the stop flag is checked between receives
                should_stop=self._stop.is_set,
            )
        except BaseException as err:  # raised again by check(), in the demo's thread
            LOG.debug("the %s drain failed", self.label, exc_info=err)
            self.error = err

    def check(self) -> None:
        """Raise :class:`DemoError` naming the drain's failure, if its thread failed."""
        if self.error is not None:
            self.reported = True
            raise DemoError(f"the {self.label} drain failed: {describe(self.error)}") from self.error

    def stop(self) -> None:
        """Stop following the queue; raise :class:`DemoError` if the thread does not end."""
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(timeout=STOP_TIMEOUT)
        if self._thread.is_alive():
            raise DemoError(f"the {self.label} drain did not stop within {STOP_TIMEOUT:g} s")

    def __enter__(self) -> DrainThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop; the drain's failure fails the ``with`` unless another error is already on its way."""
        try:
            self.stop()
        except DemoError as err:
            if exc_type is None:
                raise
            LOG.warning("%s", err)
        if exc_type is None:
            self.check()
        elif self.error is not None and not self.reported:
            LOG.warning("the %s drain had failed too: %s", self.label, describe(self.error))


def describe(err: BaseException) -> str:
    """An error in a few words: its own message for ours, else its type too (pure)."""
    if isinstance(err, SesopsError):
        return str(err)
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return f"{type(err).__name__}: {err}"
