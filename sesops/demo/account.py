"""The demo's AWS side: what it provisions on the sandbox, the mail it sends the mailbox simulator,
and the doctor's check of the wiring (:func:`sesops.aws.status.status`).

The identity ``example.com`` gets its Bounce/Complaint/Delivery notifications on an SNS topic with
an SQS queue (and DLQ) and the receiver's HTTP subscription; the configuration set
``sesops-demo`` publishes the same types to EventBridge, whose rule sends them to a second queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sesops.demo.steps import DemoError

if TYPE_CHECKING:
    import boto3

    from sesops.demo.result import DemoResult

IDENTITY = "example.com"
SENDER = "demo@example.com"
REGION = "us-east-1"
TOPIC = "ses-feedback"
QUEUE = "ses-feedback-demo"
CONFIGURATION_SET = "sesops-demo"
EVENTS_QUEUE = "ses-events-demo"  # EventBridge's rule target
EVENT_TYPES = ("Bounce", "Complaint", "Delivery")  # the identity's notification types, as SES events
SIMULATOR = ("success", "bounce", "ooto", "complaint", "suppressionlist")
SIMULATOR_DOMAIN = "simulator.amazonses.com"
CONFIRM_TIMEOUT = 10.0


def provision_demo(result: DemoResult, session: boto3.Session) -> None:
    """The identity's notifications, then the configuration set's EventBridge channel (two specs:
    one with both would also give the set an SNS destination, publishing everything twice)."""
    from sesops.aws.plan import Spec
    from sesops.aws.provision import provision
    from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES

    notifications = Spec(
        identities=(IDENTITY,),
        topic=TOPIC,
        sqs_queue=QUEUE,
        https_endpoint=result.receiver_url,  # plain http on loopback; SNS needs https in real life
        types=EVENT_TYPES,  # Delivery too: success@ shows up, rates have a basis
    )
    events = Spec(
        configuration_set=CONFIGURATION_SET,
        eventbridge_queue=EVENTS_QUEUE,
        event_types=EVENT_TYPES,
        detail_types=EVENTBRIDGE_DETAIL_TYPES,
    )
    result.provision_changes = sum(
        len(provision(spec, region=REGION, session=session).applied) for spec in (notifications, events)
    )


def wait_confirmed(session: boto3.Session, check: Callable[[], None]) -> None:
    """Until the doctor no longer sees the HTTP subscription pending (the receiver confirmed it);
    ``check`` raises what stopped it (a confirmation the sandbox could not deliver)."""
    from sesops.aws.status import status

    deadline = time.monotonic() + CONFIRM_TIMEOUT
    while True:
        check()  # a confirmation the sandbox could not deliver fails now, with the reason
        report = status([IDENTITY], topics=(TOPIC,), region=REGION, session=session)
        if not any(p.code == "subscription-pending" for p in report.problems):
            return
        if time.monotonic() > deadline:
            raise DemoError(
                f"the receiver did not confirm the HTTP subscription within {CONFIRM_TIMEOUT:.0f} s"
            )
        time.sleep(0.05)


def mail_simulator(session: boto3.Session) -> int:
    """One message to each simulator address, with the configuration set; returns the notifications
    SES will publish for them (as many events go to EventBridge: the same types are published)."""
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
            ConfigurationSetName=CONFIGURATION_SET,
        )
        expected += len(simulator_outcome(address))  # every type is wired, so each one is published
    return expected


def doctor(result: DemoResult, session: boto3.Session) -> None:
    """The identity's wiring and the configuration set's EventBridge path, as ``sesops status``."""
    from sesops.aws.status import status
    from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES

    result.status = status(
        [IDENTITY],
        topics=(TOPIC,),
        region=REGION,
        session=session,
        configuration_sets=(CONFIGURATION_SET,),
        detail_types=EVENTBRIDGE_DETAIL_TYPES,
    )
