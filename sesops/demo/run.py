"""``sesops demo``: the whole kit end to end on the embedded sandbox, no AWS account needed.

A thin orchestration over the library, in seven steps:

1. start the sandbox (moto on 127.0.0.1; dummy credentials only);
2. start the receiver (``sesops serve``'s app on waitress, pinned to the sandbox's certificate);
3. provision ``example.com`` with :func:`sesops.aws.provision.provision`: SNS topic, SQS queue
   with its DLQ, and an HTTP subscription that the receiver confirms via ConfirmSubscription;
4. mail the SES mailbox simulator (success@, bounce@, ooto@, complaint@, suppressionlist@);
5. publish simulated traffic (:func:`sesops.sim.simulate.publish`) while the receiver (HTTP) and the
   drain (SQS) capture into one store; wait until both channels delivered every notification;
6. load the events (:func:`sesops.load.reader.read_events`) and ask the doctor (:func:`sesops.aws.status.status`);
7. write events.parquet/.csv, the report (:func:`sesops.analysis.report.write_report`) and README.txt.

:func:`running_demo` keeps the sandbox, receiver and drain up while its ``with`` block runs
(``--keep-running``); :func:`run_demo` stops them before returning.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sesops.demo.files import STORE_NAME, prepare_out_dir, write_outputs
from sesops.demo.steps import DemoError, Steps

if TYPE_CHECKING:
    import boto3
    import pandas as pd
    from tqdm import tqdm

    from sesops.analysis.rates import Summary
    from sesops.aws.status import StatusReport
    from sesops.capture.drain import DrainResult
    from sesops.demo.capture import DrainThread, TallyStore

IDENTITY = "example.com"
SENDER = "demo@example.com"
REGION = "us-east-1"
TOPIC = "ses-feedback"
QUEUE = "ses-feedback-demo"
SIMULATOR = ("success", "bounce", "ooto", "complaint", "suppressionlist")
SIMULATOR_DOMAIN = "simulator.amazonses.com"
DEFAULT_MESSAGES = 2000
DAYS = 14
# Pushed past SES's review levels (5 % hard bounces, 0.1 % complaints) so the report has a warning.
BOUNCE_RATE = 0.06
COMPLAINT_RATE = 0.0015
CAPTURE_TIMEOUT = 30.0  # seconds the drain may lag behind the end of publishing
CONFIRM_TIMEOUT = 10.0
STEPS = 7


@dataclass
class DemoResult:
    """What the demo did and where it put everything."""

    out_dir: Path
    messages: int
    seed: int
    endpoint: str = ""
    env: dict[str, str] = field(default_factory=dict)
    receiver_url: str = ""
    topic_arn: str = ""
    queue: str = QUEUE
    identity: str = IDENTITY
    provision_changes: int = 0
    expected: int = 0  # notifications SNS delivered on each channel
    http_delivered: int = 0
    sqs_delivered: int = 0
    store_by_channel: dict[str, int] = field(default_factory=dict)
    store_messages: int = 0
    drain: DrainResult | None = None  # the drain's totals, once it stopped
    events: int = 0
    duplicates_dropped: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    simulator: dict[str, list[str]] = field(default_factory=dict)  # address -> categories
    suppressions: int = 0
    summary: Summary | None = None
    status: StatusReport | None = None
    files: dict[str, Path] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    total_seconds: float = 0.0

    @property
    def store(self) -> Path:
        return self.out_dir / STORE_NAME


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
    from sesops import arns
    from sesops.aws.readback import account_id
    from sesops.demo.capture import DrainThread, ReceiverThread, TallyStore
    from sesops.sandbox.server import Sandbox
    from sesops.sns.verify import SnsVerifier

    if messages < 1:
        raise DemoError(f"--messages must be at least 1, not {messages}")
    out = Path(out_dir)
    prepare_out_dir(out)
    result = DemoResult(out_dir=out, messages=messages, seed=seed)
    steps = Steps(STEPS, progress)
    result.timings = steps.timings
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        with steps.step("starting the sandbox", "Pass --sandbox-port 0 to pick a free port") as detail:
            sandbox = stack.enter_context(Sandbox(port=sandbox_port, region=REGION))
            session = sandbox.session(REGION)
            result.endpoint, result.env = sandbox.endpoint, sandbox.env
            result.topic_arn = arns.topic_arn(REGION, account_id(session, REGION), TOPIC)
            detail.append(f"moto on {sandbox.endpoint}")
        with steps.step("starting the receiver", "Pass --receiver-port 0 to pick a free port") as detail:
            store = TallyStore(out / STORE_NAME)
            stack.callback(store.close)
            verifier = SnsVerifier(cert_dir=sandbox.cert_dir, allowed_topics=[result.topic_arn])
            receiver = ReceiverThread(store, verifier, session, port=receiver_port)
            stack.callback(receiver.stop)  # runs before store.close
            result.receiver_url = receiver.url
            detail.append(f"sesops serve on {receiver.url}")
        with steps.step(
            f"provisioning {IDENTITY}",
            "Rerun; if it fails again, try `sesops sandbox` and `sesops provision` by hand to see the plan",
        ) as detail:
            _provision(result, session)
            _wait_confirmed(session)
            detail.append(
                f"{result.provision_changes} change(s); HTTP subscription confirmed by the receiver"
            )
        drainer = DrainThread(store, QUEUE, session, REGION, verifier).start()
        stack.callback(_stop_drain, drainer, result)  # runs before the receiver stops
        with steps.step(
            "mailing the SES mailbox simulator",
            "Run `pytest tests/sandbox/test_server.py` to check the sandbox",
        ) as detail:
            simulated = _mail_simulator(session)
            detail.append(", ".join(f"{local}@" for local in SIMULATOR))
        with steps.step(
            f"publishing {messages:,} simulated messages, capturing by HTTP and SQS",
            "Retry with fewer --messages; errors of the receiver or drain are printed above",
        ) as detail:
            result.expected = _publish_and_capture(result, session, store, drainer, steps, simulated)
            _check_capture(result, store, drainer)
            detail.append(
                f"{result.expected:,} notifications on each channel; store kept {result.store_messages:,} "
                f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.store_by_channel.items()))})"
            )
        with steps.step(
            "loading events and checking the wiring", f"Inspect the store: sesops load {out / STORE_NAME}"
        ) as detail:
            df = _load(result)
            _doctor(result, session)
            verdict = "healthy" if result.status and result.status.healthy else "problems found"
            detail.append(f"{result.events:,} events; status: {verdict}")
        with steps.step("writing the report", "Check the free space and permissions of --out.") as detail:
            write_outputs(result, df)
            detail.append(f"{len(result.files)} files in {out}")
        result.total_seconds = time.perf_counter() - started
        yield result


def _provision(result: DemoResult, session: boto3.Session) -> None:
    from sesops.aws.plan import Spec
    from sesops.aws.provision import provision

    spec = Spec(
        identities=(IDENTITY,),
        topic=TOPIC,
        sqs_queue=QUEUE,
        https_endpoint=result.receiver_url,  # plain http on loopback; SNS needs https in real life
        types=("Bounce", "Complaint", "Delivery"),  # Delivery too: success@ shows up, rates have a basis
    )
    result.provision_changes = len(provision(spec, region=REGION, session=session).applied)


def _wait_confirmed(session: boto3.Session) -> None:
    """Until the doctor no longer sees the HTTP subscription pending (the receiver confirmed it)."""
    from sesops.aws.status import status

    deadline = time.monotonic() + CONFIRM_TIMEOUT
    while True:
        report = status([IDENTITY], topics=(TOPIC,), region=REGION, session=session)
        if not any(p.code == "subscription-pending" for p in report.problems):
            return
        if time.monotonic() > deadline:
            raise DemoError(
                f"the receiver did not confirm the HTTP subscription within {CONFIRM_TIMEOUT:.0f} s"
            )
        time.sleep(0.05)


def _mail_simulator(session: boto3.Session) -> int:
    """One message to each simulator address; returns the notifications SES will publish for them."""
    from sesops.aws.clients import client
    from sesops.sandbox.ses_feedback import simulator_outcome

    ses = client("ses", session, REGION)
    expected = 0
    for local in SIMULATOR:
        address = f"{local}@{SIMULATOR_DOMAIN}"
        ses.send_email(
            Source=f"sesops demo <{SENDER}>",
            Destination={"ToAddresses": [address]},
            Message={"Subject": {"Data": f"sesops demo: {local}"}, "Body": {"Text": {"Data": "Hello."}}},
        )
        expected += len(simulator_outcome(address))  # every type is wired, so each one is published
    return expected


def _publish_and_capture(
    result: DemoResult,
    session: boto3.Session,
    store: TallyStore,
    drainer: DrainThread,
    steps: Steps,
    simulated: int,
) -> int:
    """Publish the simulation (in a worker thread) until both channels have every notification.

    Returns the number of notifications expected on each channel.
    """
    from tqdm import tqdm

    from sesops import arns
    from sesops.sim.simulate import SimulationConfig, publish

    # Sends end now, like the simulator mail above, so today's rates are not the simulator's alone
    # (a few slow soft bounces are then stamped up to 12 h ahead).
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=DAYS)
    config = SimulationConfig(
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
    show_bar = steps.progress and sys.stderr.isatty()
    if show_bar:
        steps.break_line()
    with (
        concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sesops-demo-publish") as pool,
        tqdm(desc="    captured", unit="msg", disable=not show_bar, leave=False) as bar,
    ):
        future = pool.submit(publish, config, result.topic_arn, session=session, region=REGION)
        while not future.done():
            _show(bar, store)
            time.sleep(0.2)
        expected = int(future.result()) + simulated
        bar.total = expected
        deadline = time.monotonic() + CAPTURE_TIMEOUT
        while not _complete(store, expected, drainer) and time.monotonic() < deadline:
            _show(bar, store)
            time.sleep(0.1)
        _show(bar, store)
    return expected


def _show(bar: tqdm[NoReturn], store: TallyStore) -> None:
    http, sqs = len(store.delivered("http")), len(store.delivered("sqs"))
    bar.n = min(http, sqs)
    bar.set_postfix_str(f"http {http:,}, sqs {sqs:,}", refresh=False)
    bar.refresh()


def _complete(store: TallyStore, expected: int, drainer: DrainThread) -> bool:
    if drainer.error is not None:
        raise drainer.error
    return min(len(store.delivered("http")), len(store.delivered("sqs"))) >= expected


def _stop_drain(drainer: DrainThread, result: DemoResult) -> None:
    drainer.stop()
    result.drain = drainer.result


def _check_capture(result: DemoResult, store: TallyStore, drainer: DrainThread) -> None:
    """Both channels delivered the same notifications (same SNS MessageIds); the store kept each once."""
    http, sqs = store.delivered("http"), store.delivered("sqs")
    result.http_delivered, result.sqs_delivered = len(http), len(sqs)
    if min(len(http), len(sqs)) < result.expected:
        raise DemoError(
            f"after {CAPTURE_TIMEOUT:.0f} s the receiver had {len(http):,} and the drain {len(sqs):,} "
            f"of {result.expected:,} notifications"
        )
    if http != sqs:
        raise DemoError(
            f"the channels disagree: {len(http - sqs):,} MessageId(s) only by HTTP, {len(sqs - http):,} only by SQS"
        )
    counts = store.counts()
    result.store_messages, result.store_by_channel = counts.messages, dict(counts.by_channel)
    if counts.messages != len(http) + 1:  # + the SubscriptionConfirmation, which only HTTP receives
        raise DemoError(
            f"the store holds {counts.messages:,} messages, expected {len(http) + 1:,} "
            "(each notification once, plus the subscription confirmation)"
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


def _doctor(result: DemoResult, session: boto3.Session) -> None:
    from sesops.aws.status import status

    result.status = status([IDENTITY], topics=(TOPIC,), region=REGION, session=session)
