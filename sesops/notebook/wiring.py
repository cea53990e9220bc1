"""The wiring a capture notebook needs, and mail for the SES mailbox simulator.

On the sandbox a notebook makes its own wiring (so it runs on its own, top to bottom); on a real
account it only reads it back and refuses to go on when something is missing, pointing at the
setup notebook: a notebook that captures must never provision a real account as a side effect.
"""

from __future__ import annotations

import time

import pandas as pd

from sesops import arns
from sesops.aws.clients import client
from sesops.aws.plan import Change, Spec
from sesops.aws.provision import ProvisionResult, provision
from sesops.aws.readback import account_id
from sesops.aws.status import status
from sesops.errors import InputError, SesopsError
from sesops.notebook.target import AwsTarget

SIMULATOR_DOMAIN = "simulator.amazonses.com"
# Each address yields at least one notification when Bounce, Complaint and Delivery are wired.
SIMULATOR = ("success", "bounce", "ooto", "complaint", "suppressionlist")


class WiringIncomplete(InputError):
    """A real account lacks wiring this notebook needs; the message says which notebook makes it."""


def topic_arn(aws: AwsTarget, topic: str) -> str:
    """The ARN of ``topic`` in the target's account and region."""
    return arns.topic_arn(aws.region, account_id(aws.session, aws.region), topic)


def ensure_wiring(aws: AwsTarget, spec: Spec) -> ProvisionResult:
    """Apply ``spec`` on the sandbox; on a real account only plan it, and refuse if it needs changes."""
    result = provision(spec, region=aws.region, session=aws.session, dry_run=not aws.is_sandbox)
    missing = [step for step in result.steps if step.changes]
    if missing and not aws.is_sandbox:
        raise WiringIncomplete(
            f"{len(missing)} change(s) needed in {aws.region} (first: {_describe(missing[0])}); "
            "this notebook changes nothing in a real account: run 01_setup_topic_and_subscription "
            "(or `sesops provision`) with the same identity, topic and queue first"
        )
    return result


def plan_table(steps: list[Change]) -> pd.DataFrame:
    """One row per plan step: ✓ in place, + create, ~ update, - delete."""
    return pd.DataFrame(
        [(step.mark, step.resource, step.name, step.detail) for step in steps],
        columns=["mark", "resource", "name", "detail"],
    )


def mail_simulator(aws: AwsTarget, sender: str, mailboxes: tuple[str, ...] = SIMULATOR) -> list[str]:
    """One message from ``sender`` to each mailbox simulator address; returns the addresses."""
    ses = client("ses", aws.session, aws.region)
    addresses = [f"{local}@{SIMULATOR_DOMAIN}" for local in mailboxes]
    for address in addresses:
        ses.send_email(
            Source=sender,
            Destination={"ToAddresses": [address]},
            Message={"Subject": {"Data": f"sesops: {address}"}, "Body": {"Text": {"Data": "Hello."}}},
        )
    return addresses


def wait_confirmed(aws: AwsTarget, identity: str, topic: str, *, timeout: float = 10.0) -> None:
    """Until no subscription of ``topic`` waits for confirmation (a receiver confirms its own)."""
    deadline = time.monotonic() + timeout
    while True:
        report = status([identity], topics=(topic,), region=aws.region, session=aws.session)
        pending = [p for p in report.problems if p.code == "subscription-pending"]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise SesopsError(
                f"{len(pending)} subscription(s) of {topic} still pending after {timeout:.0f} s: "
                "start the receiver before provisioning its HTTP endpoint"
            )
        time.sleep(0.1)


def _describe(step: Change) -> str:
    return f"{step.mark} {step.resource} {step.name}: {step.detail}"
