"""The one error mapper: a botocore failure becomes an :class:`AwsError` naming the call and the fix.

Wrap the boto3 calls of one step in :func:`aws_call`, or make one call with :func:`call`
(which can also treat a "does not exist" answer as None)::

    with aws_call("sqs:ReceiveMessage", url):
        response = sqs.receive_message(QueueUrl=url)

    attributes = call("sns:GetTopicAttributes", sns.get_topic_attributes, TopicArn=arn,
                      resource=arn, absent={"NotFound"})

``action`` is the IAM action (``service:Operation``); when a ClientError reports another
operation (a step that makes two calls), the message names that one. An ``action`` without a
service (the CLI's safety net passes ``"AWS"``) names a ClientError's operation alone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    CredentialRetrievalError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from sesops.errors import AwsError

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
NOT_FOUND = frozenset(
    {
        "NotFound",
        "NotFoundException",
        "ResourceNotFound",
        "ResourceNotFoundException",
        "NonExistentQueue",
        "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetDoesNotExistException",
        "NoSuchEntity",  # IAM
        "NoSuchBucket",
    }
)
BAD_CREDENTIALS = frozenset(
    {
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
_NO_CREDENTIALS = (
    NoCredentialsError,
    PartialCredentialsError,
    CredentialRetrievalError,
    TokenRetrievalError,
    SSOError,
)
_UNREACHABLE = (BotoConnectionError, ReadTimeoutError, ConnectionClosedError)

CREDENTIALS_FIX = (
    "run `aws configure` (or pass --profile NAME; `aws sso login --profile NAME` renews an SSO "
    "session), or run `sesops sandbox` and export the variables it prints."
)


def error_code(err: ClientError) -> str:
    """The AWS error code of ``err`` (``AccessDenied``, ``NotFoundException``, ...)."""
    return str(err.response.get("Error", {}).get("Code", ""))


def describe_error(err: Exception, action: str, resource: str | None = None, *, note: str = "") -> AwsError:
    """The :class:`AwsError` for ``err``, raised by the call ``action`` (on ``resource``).

    The message reads ``ACTION RESOURCE: CODE: AWS's message. What to do.`` and ends
    with ``note`` (for example how many earlier steps were applied).
    """
    if isinstance(err, ClientError) and err.operation_name:
        service, has_service, _ = action.partition(":")  # botocore names the operation, never the service
        action = f"{service}:{err.operation_name}" if has_service else err.operation_name
    called = f"{action} {resource}" if resource else action
    said = _said(err)
    fix = _fix(err, action, resource)
    return AwsError(f"{called}: {said}. {fix}{note}" if fix else f"{called}: {said}{note}")


def _said(err: Exception) -> str:
    """What AWS (or botocore) said, without a trailing full stop."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        said = f"{error.get('Code') or 'Error'}: {error.get('Message', '')}".rstrip(": ")
    else:
        said = str(err)
    return said.rstrip(".")


def _fix(err: Exception, action: str, resource: str | None) -> str:
    if isinstance(err, ClientError):
        code = error_code(err)
        if code in ACCESS_DENIED:
            return (
                f"Allow {action} in the IAM policy of the identity these credentials belong to "
                "(`aws sts get-caller-identity` names it)."
            )
        if code in THROTTLED:
            return (
                "AWS still throttled it after boto3's retries: retry later, or lower the request "
                "rate (fewer runs at once, smaller batches)."
            )
        if code in NOT_FOUND:
            return (
                f"{resource or 'The resource'} does not exist: check the name and --region, "
                "or create it with `sesops provision`."
            )
        if code in BAD_CREDENTIALS:
            return f"AWS refused the credentials: {CREDENTIALS_FIX}"
        return ""
    if isinstance(err, _NO_CREDENTIALS):
        return f"Found no AWS credentials to use: {CREDENTIALS_FIX}"
    if isinstance(err, _UNREACHABLE):
        return (
            "The endpoint is unreachable: check --region, the network (proxy, firewall), and "
            "AWS_ENDPOINT_URL (unset it for real AWS, or start `sesops sandbox` again if it points there)."
        )
    return ""


@contextmanager
def aws_call(action: str, resource: str | None = None, *, note: str = "") -> Iterator[None]:
    """Turn any botocore error raised inside the block into :func:`describe_error`'s AwsError."""
    try:
        yield
    except (ClientError, BotoCoreError) as err:
        raise describe_error(err, action, resource, note=note) from None


def call(
    action: str,
    method: Callable[..., Any],
    /,
    *,
    resource: str | None = None,
    absent: Collection[str] = (),
    **params: Any,
) -> Any:
    """``method(**params)``; None when AWS answers with an error code in ``absent``."""
    try:
        return method(**params)
    except ClientError as err:
        if error_code(err) in absent:
            return None
        raise describe_error(err, action, resource) from None
    except BotoCoreError as err:
        raise describe_error(err, action, resource) from None
