"""``sesops demo``: the whole kit end to end on the embedded sandbox, no AWS account needed.

A thin orchestration over the library, in seven steps:

1. start the sandbox (moto on 127.0.0.1; dummy credentials only);
2. start the receiver (``sesops serve``'s app on waitress, pinned to the sandbox's certificate);
3. provision with :func:`sesops.aws.provision.provision`: ``example.com``'s SNS topic, SQS queue
   with its DLQ, and an HTTP subscription that the receiver confirms via ConfirmSubscription; and
   the configuration set's EventBridge channel (rule on the default bus -> SQS queue with its DLQ);
4. mail the SES mailbox simulator (success@, bounce@, ooto@, complaint@, suppressionlist@) with
   that configuration set, so its feedback also comes as SES events through EventBridge;
5. publish simulated traffic (:func:`sesops.sim.simulate.publish`) while the receiver (HTTP), the
   drain (SQS) and a second drain (the EventBridge queue) capture into one store; wait until each
   channel delivered everything it carries (the simulated traffic is SNS notifications only);
6. load the events (:func:`sesops.load.reader.read_events`) and ask the doctor (:func:`sesops.aws.status.status`);
7. write events.parquet/.csv, the report (:func:`sesops.analysis.report.write_report`) and README.txt.

What steps 3, 4 and 6 do on the sandbox is :mod:`sesops.demo.account`. :func:`running_demo` keeps
the sandbox, receiver and drains up while its ``with`` block runs (``--keep-running``);
:func:`run_demo` stops them before returning.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sesops.demo.account import (
    CONFIGURATION_SET,
    EVENTS_QUEUE,
    IDENTITY,
    QUEUE,
    REGION,
    SIMULATOR,
    SIMULATOR_DOMAIN,
    TOPIC,
    doctor,
    mail_simulator,
    provision_demo,
    wait_confirmed,
)
from sesops.demo.files import prepare_out_dir, write_outputs
from sesops.demo.result import EVENTBRIDGE, STORE_NAME, DemoResult
from sesops.demo.steps import DemoError, Steps

if TYPE_CHECKING:
    import boto3
    import pandas as pd
    from tqdm import tqdm

    from sesops.capture.store import CaptureStore
    from sesops.demo.capture import DeliveryTally, DrainThread
    from sesops.sandbox.server import Sandbox
    from sesops.sim.config import SimulationConfig
    from sesops.sns.verify import SnsVerifier

__all__ = ["DemoResult", "run_demo", "running_demo"]

DEFAULT_MESSAGES = 2000
DAYS = 14
# Pushed past SES's review levels (5 % hard bounces, 0.1 % complaints) so the report has a warning.
BOUNCE_RATE = 0.06
COMPLAINT_RATE = 0.0015
CAPTURE_TIMEOUT = 30.0  # seconds the drain may lag behind the end of publishing
STEPS = 7


def run_demo(
    out_dir: str | os.PathLike[str],
    *,
    messages: int = DEFAULT_MESSAGES,
    seed: int = 0,
    progress: bool = True,
    sandbox_port: int = 0,
    receiver_port: int = 0,
) -> DemoResult:
    """Run the demo into ``out_dir`` and shut everything down; see the module docs."""
    with running_demo(
        out_dir,
        messages=messages,
        seed=seed,
        progress=progress,
        sandbox_port=sandbox_port,
        receiver_port=receiver_port,
    ) as result:
        return result


@contextlib.contextmanager
def running_demo(
    out_dir: str | os.PathLike[str],
    *,
    messages: int = DEFAULT_MESSAGES,
    seed: int = 0,
    progress: bool = True,
    sandbox_port: int = 0,
    receiver_port: int = 0,
) -> Iterator[DemoResult]:
    """Run the demo; the sandbox, receiver and drain stay up until the ``with`` block ends."""
    if messages < 1:
        raise DemoError(f"--messages must be at least 1, not {messages}")
    out = Path(out_dir)
    prepare_out_dir(out)
    result = DemoResult(out_dir=out, messages=messages, seed=seed, queue=QUEUE, identity=IDENTITY)
    result.configuration_set, result.eventbridge_queue = CONFIGURATION_SET, EVENTS_QUEUE
    steps = Steps(STEPS, progress)
    result.timings = steps.timings
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        live = _start(stack, steps, result, sandbox_port, receiver_port)
        _capture(live, steps, result)
        with steps.step(
            "loading events and checking the wiring", f"Inspect the store: sesops load {out / STORE_NAME}"
        ) as detail:
            df = _load(result)
            doctor(result, live.session)
            verdict = "healthy" if result.status and result.status.healthy else "problems found"
            detail.append(f"{result.events:,} events; status: {verdict}")
        with steps.step("writing the report", "Check the free space and permissions of --out.") as detail:
            write_outputs(result, df)
            detail.append(f"{len(result.files)} files in {out}")
        result.total_seconds = time.perf_counter() - started
        yield result


@dataclass
class _Live:
    """What runs while the demo runs, and the one check that something behind it failed."""

    sandbox: Sandbox
    session: boto3.Session
    store: CaptureStore
    tally: DeliveryTally
    verifier: SnsVerifier
    drainers: list[DrainThread] = field(default_factory=list)  # SQS, then EventBridge

    def check(self) -> None:
        """Raise :class:`DemoError` with the cause if the sandbox could not deliver or a drain failed."""
        failures = self.sandbox.delivery_failures
        if failures:
            more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
            raise DemoError(f"{failures[0]}{more}")
        for drainer in self.drainers:
            drainer.check()


def _start(
    stack: contextlib.ExitStack, steps: Steps, result: DemoResult, sandbox_port: int, receiver_port: int
) -> _Live:
    """Steps 1-3: the sandbox, the receiver, the provisioned identity; then the drain."""
    from sesops import arns
    from sesops.aws.readback import account_id
    from sesops.capture.store import CaptureStore
    from sesops.demo.capture import DeliveryTally, DrainThread, ReceiverThread
    from sesops.sandbox.server import Sandbox
    from sesops.sns.verify import SnsVerifier

    with steps.step("starting the sandbox", "Pass --sandbox-port 0 to pick a free port") as detail:
        sandbox = stack.enter_context(Sandbox(port=sandbox_port, region=REGION))
        session = sandbox.session(REGION)
        result.endpoint, result.env = sandbox.endpoint, sandbox.env
        result.topic_arn = arns.topic_arn(REGION, account_id(session, REGION), TOPIC)
        detail.append(f"moto on {sandbox.endpoint}")
    with steps.step("starting the receiver", "Pass --receiver-port 0 to pick a free port") as detail:
        store = stack.enter_context(CaptureStore(result.store))
        verifier = SnsVerifier(cert_dir=sandbox.cert_dir, allowed_topics=[result.topic_arn])
        live = _Live(sandbox, session, store, DeliveryTally(store), verifier)
        receiver = ReceiverThread(store, verifier, session, port=receiver_port)
        stack.callback(receiver.stop)  # runs before the store closes
        result.receiver_url = receiver.url
        detail.append(f"sesops serve on {receiver.url}")
    with steps.step(
        f"provisioning {IDENTITY}",
        "Rerun; if it fails again, try `sesops sandbox` and `sesops provision` by hand to see the plan",
    ) as detail:
        provision_demo(result, session)
        wait_confirmed(live.session, live.check)
        detail.append(f"{result.provision_changes} change(s); HTTP subscription confirmed by the receiver")
    stack.callback(_record_drain, result, live)  # once the drains have stopped
    for queue, label in ((QUEUE, "SQS"), (EVENTS_QUEUE, "EventBridge")):
        live.drainers.append(stack.enter_context(DrainThread(store, queue, session, REGION, verifier, label)))
    return live


def _capture(live: _Live, steps: Steps, result: DemoResult) -> None:
    """Steps 4-5: mail the simulator, publish the simulation, wait for both channels."""
    with steps.step(
        "mailing the SES mailbox simulator",
        "Run `pytest tests/sandbox/test_server.py` to check the sandbox",
    ) as detail:
        simulated = mail_simulator(live.session)
        result.eventbridge_expected = simulated  # the same feedback, as SES events
        live.check()
        detail.append(", ".join(f"{local}@" for local in SIMULATOR))
    with steps.step(
        f"publishing {result.messages:,} simulated messages, capturing by HTTP, SQS and EventBridge",
        "Retry with fewer --messages; the error names the channel that failed",
    ) as detail:
        result.expected = _publish_and_capture(result, live, steps, simulated)
        _check_capture(result, live)
        detail.append(
            f"{result.expected:,} notifications by HTTP and SQS, {result.eventbridge_delivered:,} events "
            f"by EventBridge; store kept {result.store_messages:,} "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.store_by_channel.items()))})"
        )


def _simulation(result: DemoResult) -> SimulationConfig:
    from sesops import arns
    from sesops.sim.config import SimulationConfig

    # Sends end now, like the simulator mail above, so today's rates are not the simulator's alone
    # (a few slow soft bounces are then stamped up to 12 h ahead).
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=DAYS)
    return SimulationConfig(
        messages=result.messages,
        days=DAYS,
        seed=result.seed,
        bounce_rate=BOUNCE_RATE,
        complaint_rate=COMPLAINT_RATE,
        sender=f"Example Shop <news@{IDENTITY}>",
        identity=IDENTITY,
        region=REGION,
        account_id=arns.arn_account(result.topic_arn),
        start=start,
    )


def _publish_and_capture(result: DemoResult, live: _Live, steps: Steps, simulated: int) -> int:
    """Publish the simulation (in a worker thread) until both channels have every notification.

    Returns the number of notifications expected on each channel. A delivery the sandbox could
    not make, or a failed drain, stops the publishing and fails the step with its cause.
    """
    from tqdm import tqdm

    from sesops.sim.simulate import publish

    show_bar = steps.progress and sys.stderr.isatty()
    if show_bar:
        steps.break_line()
    stop = threading.Event()
    with (
        concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sesops-demo-publish") as pool,
        tqdm(desc="    captured", unit="msg", disable=not show_bar, leave=False) as bar,
    ):
        config = _simulation(result)
        future = pool.submit(
            publish, config, result.topic_arn, session=live.session, region=REGION, should_stop=stop.is_set
        )
        try:
            while not future.done():
                live.check()
                _show(bar, live.tally)
                time.sleep(0.2)
        finally:
            stop.set()  # on an error here, publish no more than the batch in flight
        expected = int(future.result()) + simulated
        bar.total = expected
        deadline = time.monotonic() + CAPTURE_TIMEOUT
        while not _complete(live, expected, result.eventbridge_expected) and time.monotonic() < deadline:
            _show(bar, live.tally)
            time.sleep(0.1)
        _show(bar, live.tally)
    return expected


def _show(bar: tqdm[NoReturn], tally: DeliveryTally) -> None:
    http, sqs, events = (len(tally.delivered(c)) for c in ("http", "sqs", EVENTBRIDGE))
    bar.n = min(http, sqs)
    bar.set_postfix_str(f"http {http:,}, sqs {sqs:,}, eventbridge {events:,}", refresh=False)
    bar.refresh()


def _complete(live: _Live, expected: int, expected_events: int) -> bool:
    live.check()
    tally = live.tally
    notifications = min(len(tally.delivered("http")), len(tally.delivered("sqs")))
    return notifications >= expected and len(tally.delivered(EVENTBRIDGE)) >= expected_events


def _record_drain(result: DemoResult, live: _Live) -> None:
    results = [drainer.result for drainer in live.drainers] + [None, None]
    result.drain, result.eventbridge_drain = results[0], results[1]


def _check_capture(result: DemoResult, live: _Live) -> None:
    """HTTP and SQS delivered the same notifications (same SNS MessageIds), EventBridge every event;
    the store kept each once."""
    http, sqs = live.tally.delivered("http"), live.tally.delivered("sqs")
    events = live.tally.delivered(EVENTBRIDGE)
    result.http_delivered, result.sqs_delivered = len(http), len(sqs)
    result.eventbridge_delivered = len(events)
    if min(len(http), len(sqs)) < result.expected or len(events) < result.eventbridge_expected:
        raise DemoError(
            f"after {CAPTURE_TIMEOUT:.0f} s the receiver had {len(http):,} and the drain {len(sqs):,} "
            f"of {result.expected:,} notifications, the EventBridge drain {len(events):,} of "
            f"{result.eventbridge_expected:,} events"
        )
    if http != sqs:
        raise DemoError(
            f"the channels disagree: {len(http - sqs):,} MessageId(s) only by HTTP, {len(sqs - http):,} only by SQS"
        )
    counts = live.store.counts()
    result.store_messages, result.store_by_channel = counts.messages, dict(counts.by_channel)
    expected = len(http) + len(events) + 1  # + the SubscriptionConfirmation, which only HTTP receives
    if counts.messages != expected:
        raise DemoError(
            f"the store holds {counts.messages:,} messages, expected {expected:,} "
            "(each notification and event once, plus the subscription confirmation)"
        )


def _load(result: DemoResult) -> pd.DataFrame:
    from sesops.analysis.rates import summarize
    from sesops.load.reader import read_events

    df = read_events(result.store)
    keys = df.dropna(subset=["sns_message_id"]).duplicated(["sns_message_id", "email", "event_type"])
    if keys.any():
        raise DemoError(f"{int(keys.sum())} duplicate event rows survived read_events' dedupe")
    result.events = len(df)
    result.duplicates_dropped = int(df.attrs.get("duplicates", 0))
    result.by_category = {str(k): int(v) for k, v in df["category"].value_counts().items()}
    mine = df.loc[df["email"].str.endswith(f"@{SIMULATOR_DOMAIN}", na=False)]
    result.simulator = {
        str(email): sorted(str(c) for c in group["category"]) for email, group in mine.groupby("email")
    }
    result.summary = summarize(df)
    return df
