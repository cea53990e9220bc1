"""The capture panel: drain an SQS queue into a capture store on a background thread, with
live counts (received, stored, duplicates, rejected, and stored messages by SES event type)
and a Stop button."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ipywidgets as widgets

from sesops.capture.drain import DrainResult, Verifier, drain
from sesops.capture.store import CaptureStore, NewMessage, NewReject
from sesops.errors import InputError, RecordError, SesopsError
from sesops.events.parse import COLUMNS, parse_record
from sesops.widgets.base import Notice, Panel, html_table
from sesops.widgets.regions import RegionPicker

DrainFn = Callable[..., DrainResult]  # sesops.capture.drain.drain
DEFAULT_STORE = "capture.sqlite"
_EVENT_TYPE = COLUMNS.index("event_type")


def message_kind(body: str) -> str:
    """What a stored body is, for counting: its SES event type, or its control kind."""
    try:
        parsed = parse_record(body)
    except RecordError:
        return "not SES feedback"
    kinds = [p.control or str(p.rows[0][_EVENT_TYPE]) for p in parsed if p.control or p.rows]
    return kinds[0] if kinds else "no recipients"


@dataclass(frozen=True)
class CaptureCounts:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class CaptureCounter:
    """Tallies what is written to ``store`` (through its commit and reject listeners), so a
    display can follow a drain."""

    def __init__(self, store: CaptureStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._stored = 0
        self._duplicates = 0
        self._rejected = 0
        self._kinds: Counter[str] = Counter()
        store.on_commit(self._committed)
        store.on_reject(self._rejected_one)

    def _committed(self, messages: Sequence[NewMessage], new: Sequence[bool]) -> None:
        kinds = [message_kind(m.body) for m, is_new in zip(messages, new, strict=True) if is_new]
        with self._lock:
            self._stored += len(kinds)
            self._duplicates += len(new) - len(kinds)
            self._kinds.update(kinds)

    def _rejected_one(self, reject: NewReject) -> None:
        with self._lock:
            self._rejected += 1

    def tally(self, received: int) -> CaptureCounts:
        with self._lock:
            return CaptureCounts(
                received, self._stored, self._duplicates, self._rejected, dict(self._kinds.most_common())
            )


def counts_html(counts: CaptureCounts) -> str:
    rows: list[tuple[str, int]] = [
        ("received", counts.received),
        ("stored (new)", counts.stored),
        ("duplicates", counts.duplicates),
        ("rejected (left for the DLQ)", counts.rejected),
    ]
    rows += [(f"  {kind}", n) for kind, n in counts.by_kind.items()]
    return html_table(("", "messages"), rows)


class CapturePanel(Panel):
    """Start drains ``queue`` into the store on a thread; Stop ends it after the current receive."""

    def __init__(
        self,
        region: RegionPicker,
        *,
        queue: str = "",
        store: str = DEFAULT_STORE,
        drain_fn: DrainFn = drain,
        verifier: Verifier | None = None,
        wait_seconds: int = 2,
    ) -> None:
        self.region = region
        self.drain_fn = drain_fn
        self.verifier = verifier
        self.wait_seconds = wait_seconds
        self.result: DrainResult | None = None
        self.counts = CaptureCounts()
        self.queue = widgets.Text(value=queue, description="SQS queue", placeholder="name or https:// URL")
        self.store_path = widgets.Text(value=store, description="Store")
        self.follow = widgets.Checkbox(value=False, description="keep polling until Stop")
        self.start_button = widgets.Button(description="Start", button_style="success")
        self.stop_button = widgets.Button(description="Stop", button_style="warning", disabled=True)
        self.counts_view = widgets.HTML(counts_html(self.counts))
        self.notice = Notice()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.queue, self.store_path, self.follow]),
                widgets.HBox([self.start_button, self.stop_button, self.notice.widget]),
                self.counts_view,
            ]
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Open the store and start draining on a background thread."""
        if self.running:
            return
        with self.notice.guard():
            queue = self.queue.value.strip()
            if not queue:
                raise InputError("SQS queue: give the queue's name or URL (the one the plan created)")
            store = CaptureStore(self.store_path.value.strip() or DEFAULT_STORE)
            counter = CaptureCounter(store)
            self._stop.clear()
            self.result, self.counts = None, CaptureCounts()
            self._show(counter, 0)
            self.start_button.disabled, self.stop_button.disabled = True, False
            self.notice.info(f"draining {queue} into {store.path}…")
            self._thread = threading.Thread(
                target=self._run, args=(counter, queue), name="sesops-capture", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Ask the drain to stop after the receive in progress."""
        if self.running:
            self._stop.set()
            self.notice.info("stopping after the current receive…")

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the drain to end; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _run(self, counter: CaptureCounter, queue: str) -> None:
        received = 0

        def progress(batch: int) -> None:
            nonlocal received
            received += batch
            self._show(counter, received)

        try:
            with counter.store as store:
                self.result = self.drain_fn(
                    store,
                    queue,
                    region=self.region.value,
                    session=self.region.session,
                    verifier=self.verifier,
                    follow=bool(self.follow.value),
                    wait_seconds=self.wait_seconds,
                    progress=progress,
                    should_stop=self._stop.is_set,
                )
                self._show(counter, self.result.received)
            stopped = " (stopped)" if self._stop.is_set() else ""
            self.notice.info(f"done{stopped}: {self.result.summary()}")
        except SesopsError as err:
            self.notice.error(err)
        finally:
            self.start_button.disabled, self.stop_button.disabled = False, True

    def _show(self, counter: CaptureCounter, received: int) -> None:
        self.counts = counter.tally(received)
        self.counts_view.value = counts_html(self.counts)
