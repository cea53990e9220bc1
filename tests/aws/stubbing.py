"""Stubbed AWS for error-path tests: botocore's Stubber on the clients sesops.aws hands out.

:func:`sesops.aws.clients.client` shares one client per (session, service, region), so a
test stubs exactly the client the function under test will use by asking for it first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.stub import Stubber

from sesops.aws.clients import client

REGION = "us-east-1"
ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-feedback"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:feedback"
SUBSCRIPTION = f"{TOPIC}:0f1e2d3c"
QUEUE_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/feedback"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/sesops-firehose-cs"
STREAM_ARN = f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/sesops-cs"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/sesops-cs"


@dataclass(frozen=True)
class Failure:
    """An AWS error answer and what the AwsError message must then say to fix it."""

    code: str
    status: int
    fix: str  # a regular expression; "{action}" and "{resource}" stand for the call's

    def expected(self, action: str, resource: str | None = None) -> str:
        """The regex the whole message must match: the call, AWS's code, then the fix."""
        called = f"{action} {resource}" if resource else action
        fix = self.fix.format(action=re.escape(action), resource=re.escape(resource or "The resource"))
        return f"^{re.escape(called)}: {re.escape(self.code)}: .*{fix}"


THROTTLED = Failure("Throttling", 400, r"AWS still throttled it after boto3's retries: retry later")
DENIED = Failure("AccessDenied", 403, r"Allow {action} in the IAM policy of the identity")
MISSING_FIX = r"does not exist: check the name and --region, or create it with `sesops provision`\.$"
_MISSING = r"\. {resource} " + MISSING_FIX
MISSING_TOPIC = Failure("NotFound", 404, _MISSING)
MISSING_QUEUE = Failure("AWS.SimpleQueueService.NonExistentQueue", 400, _MISSING)
MISSING_V2 = Failure("NotFoundException", 404, _MISSING)
MISSING_RESOURCE = Failure("ResourceNotFoundException", 400, _MISSING)  # EventBridge, Firehose
MISSING_ROLE = Failure("NoSuchEntity", 404, _MISSING)
EXPIRED = Failure("ExpiredToken", 403, r"AWS refused the credentials: run `aws configure`")


@functools.cache
def _loader() -> Any:
    """One botocore data loader for every test: service models load once, not per test."""
    return botocore.session.get_session().get_component("data_loader")


def dummy_session() -> boto3.Session:
    """A new boto3 Session in REGION (so clients of its own) with dummy credentials.

    Each has its own botocore session (boto3 registers its S3 customisations on the botocore
    session once per boto3 Session: two on one botocore session cannot make an S3 client), all
    sharing one model loader.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _loader())
    core.set_credentials("testing", "testing")
    return boto3.Session(botocore_session=core, region_name=REGION)


class Stubs:
    """One activated Stubber per client of ``session``; every queued answer must be used."""

    def __init__(self, session: boto3.Session) -> None:
        self.session = session
        self._stubbers: dict[tuple[str, str], Stubber] = {}

    def __call__(self, service: str, region: str = REGION) -> Stubber:
        key = (service, region)
        if key not in self._stubbers:
            stubber = Stubber(client(service, self.session, region))
            stubber.activate()
            self._stubbers[key] = stubber
        return self._stubbers[key]

    def ok(self, service: str, method: str, response: dict[str, Any]) -> None:
        self(service).add_response(method, response)

    def fail(self, service: str, method: str, failure: Failure) -> None:
        self(service).add_client_error(
            method, failure.code, f"stubbed {failure.code}", http_status_code=failure.status
        )

    def close(self) -> None:
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()
            stubber.deactivate()
