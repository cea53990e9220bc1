"""The one error mapper and the client seam: every kind of botocore failure, and what it says."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from sesops.aws import clients
from sesops.aws.errors import aws_call, call, describe_error
from sesops.errors import AwsError
from tests.aws.stubbing import MISSING_FIX, REGION, Stubs

ACTION = "sqs:GetQueueUrl"
FIXES = {
    "access": r"Allow sqs:GetQueueUrl in the IAM policy of the identity these credentials belong to",
    "throttle": r"AWS still throttled it after boto3's retries: retry later, or lower the request rate",
    "missing": MISSING_FIX,
    "credentials": r"run `aws configure` \(or pass --profile NAME.*or run `sesops sandbox`",
    "endpoint": r"The endpoint is unreachable: check --region, the network .*AWS_ENDPOINT_URL",
}


def client_error(code: str, message: str = "said AWS", operation: str = "GetQueueUrl") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("AccessDenied", "access"),
        ("AccessDeniedException", "access"),
        ("UnauthorizedOperation", "access"),
        ("AuthorizationError", "access"),  # SNS's spelling
        ("Throttling", "throttle"),
        ("ThrottlingException", "throttle"),
        ("TooManyRequestsException", "throttle"),
        ("RequestThrottled", "throttle"),  # SQS's spelling
        ("NotFound", "missing"),
        ("NotFoundException", "missing"),
        ("ResourceNotFound", "missing"),
        ("AWS.SimpleQueueService.NonExistentQueue", "missing"),
        ("QueueDoesNotExist", "missing"),
        ("InvalidClientTokenId", "credentials"),
        ("ExpiredToken", "credentials"),
        ("UnrecognizedClientException", "credentials"),
    ],
)
def test_client_errors_name_the_call_the_code_and_the_fix(code: str, fix: str) -> None:
    with pytest.raises(AwsError, match=rf"^sqs:GetQueueUrl feedback: {code}: said AWS\. .*{FIXES[fix]}"):
        raise describe_error(client_error(code), ACTION, "feedback")


@pytest.mark.parametrize(
    ("err", "said", "fix"),
    [
        (NoCredentialsError(), "Unable to locate credentials", "credentials"),
        (
            CredentialRetrievalError(provider="sso", error_msg="token expired"),
            "Error when retrieving credentials from sso: token expired",
            "credentials",
        ),
        (
            EndpointConnectionError(endpoint_url="https://sqs.xx-nowhere-1.amazonaws.com/"),
            'Could not connect to the endpoint URL: "https://sqs.xx-nowhere-1.amazonaws.com/"',
            "endpoint",
        ),
        (
            ConnectTimeoutError(endpoint_url="http://127.0.0.1:4566/"),
            'Connect timeout on endpoint URL: "http://127.0.0.1:4566/"',
            "endpoint",
        ),
        (
            ReadTimeoutError(endpoint_url="https://sqs.us-east-1.amazonaws.com/"),
            "Read timeout on endpoint URL",
            "endpoint",
        ),
    ],
    ids=["no credentials", "credential retrieval", "endpoint connection", "connect timeout", "read timeout"],
)
def test_botocore_errors_name_the_call_and_the_fix(err: BotoCoreError, said: str, fix: str) -> None:
    with pytest.raises(AwsError, match=rf"^sqs:GetQueueUrl feedback: {re.escape(said)}.*\. .*{FIXES[fix]}"):
        raise describe_error(err, ACTION, "feedback")


@pytest.mark.parametrize(
    ("err", "said"),
    [
        (
            client_error("InvalidParameterValue", "Value x for parameter QueueName is invalid."),
            "InvalidParameterValue: Value x for parameter QueueName is invalid",
        ),
        (client_error("", "no code at all"), "Error: no code at all"),
        (ParamValidationError(report="Missing required parameter"), "Parameter validation failed:"),
    ],
    ids=["other client error", "no code", "parameter validation"],
)
def test_other_errors_keep_what_aws_said_without_a_guessed_fix(err: Exception, said: str) -> None:
    text = str(describe_error(err, ACTION))
    assert text.startswith(f"sqs:GetQueueUrl: {said}")
    assert "Fix" not in text and "sesops provision" not in text and "IAM" not in text
    assert not text.endswith(".")  # AWS's full stop is dropped; nothing is appended


def test_the_failing_operation_overrides_the_action_and_the_note_is_appended() -> None:
    err = client_error("AccessDenied", operation="SetQueueAttributes")
    text = str(describe_error(err, "sqs:GetQueueUrl", "queue feedback", note=" (2 earlier step(s) applied)"))
    assert text.startswith("sqs:SetQueueAttributes queue feedback: AccessDenied: said AWS. Allow sqs:Set")
    assert text.endswith("names it). (2 earlier step(s) applied)")


@pytest.mark.parametrize(
    ("err", "starts"),
    [
        (client_error("AccessDenied", operation="GetQueueUrl"), "GetQueueUrl: AccessDenied: said AWS. Allow"),
        (ClientError({"Error": {"Code": "Boom"}}, ""), "AWS: Boom"),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), "AWS: Could not connect"),
    ],
    ids=["operation known", "no operation", "not a client error"],
)
def test_an_action_without_a_service_names_the_operation_alone(err: Exception, starts: str) -> None:
    """The CLI's safety net knows no service: never "AWS:GetQueueUrl", which reads like an IAM action."""
    text = str(describe_error(err, "AWS"))
    assert text.startswith(starts), text
    assert not re.search(r"AWS:\w", text)


def test_aws_call_maps_botocore_errors_and_lets_others_through() -> None:
    throttled = r"^sns:Publish t: Throttling: said AWS\. AWS still throttled"
    with pytest.raises(AwsError, match=throttled), aws_call("sns:Publish", "t"):
        raise client_error("Throttling", operation="Publish")
    with pytest.raises(KeyError), aws_call("sns:Publish"):
        raise KeyError("a bug stays a bug")


def test_call_returns_none_only_for_absent_codes() -> None:
    def missing(**params: str) -> dict[str, str]:
        assert params == {"QueueName": "q"}
        raise client_error("QueueDoesNotExist")

    assert call("sqs:GetQueueUrl", missing, absent={"QueueDoesNotExist"}, QueueName="q") is None
    with pytest.raises(AwsError, match=rf"^sqs:GetQueueUrl q: QueueDoesNotExist: said AWS\. q {MISSING_FIX}"):
        call("sqs:GetQueueUrl", missing, resource="q", QueueName="q")
    assert call("sqs:GetQueueUrl", lambda **params: params, QueueName="q") == {"QueueName": "q"}


# -- the client seam --------------------------------------------------------------------------


def test_clients_are_shared_per_session_service_and_region() -> None:
    session = boto3.Session(region_name=REGION)
    sqs = clients.client("sqs", session)
    assert clients.client("sqs", session, REGION) is sqs
    assert clients.client("sqs", session, "eu-west-1") is not sqs
    assert clients.client("sns", session) is not sqs
    assert clients.client("sqs", boto3.Session(region_name=REGION)) is not sqs
    assert clients.client("sqs", None, REGION) is not clients.client("sqs", None, REGION)


def test_stubbed_client_is_the_one_sesops_uses(stubs: Stubs) -> None:
    stubs.ok("sqs", "get_queue_url", {"QueueUrl": "https://example/q"})
    assert clients.client("sqs", stubs.session, REGION).get_queue_url(QueueName="q")["QueueUrl"] == (
        "https://example/q"
    )


def test_no_region_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    with pytest.raises(AwsError, match=r"^no AWS region for sqs: pass --region .* or set AWS_REGION$"):
        clients.client("sqs", boto3.Session())


def test_unknown_profile_names_it_and_how_to_list_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\n[profile work]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # else it outranks the profile's region
    with pytest.raises(
        AwsError,
        match=r"^--profile nope: no such profile in your AWS config \(the profiles there: default, work\)\. "
        r"`aws configure list-profiles` lists them; `aws configure --profile nope` creates it\.$",
    ):
        clients.session("nope")
    assert clients.session("work").region_name == "eu-west-1"
    assert clients.session(region="ap-south-1").region_name == "ap-south-1"


def test_unknown_aws_profile_variable_is_mapped_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "gone")
    with pytest.raises(AwsError, match=r"^--profile gone: no such profile .*\(it names no profiles\)"):
        clients.client("sqs")
