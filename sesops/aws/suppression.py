"""The SESv2 account-level suppression list: thin, paginated calls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from sesops.aws.clients import client, describe_error

Reason = Literal["BOUNCE", "COMPLAINT"]


def put_suppressed_destination(
    email: str, reason: Reason, *, session: boto3.Session | None = None, region: str | None = None
) -> None:
    """Add (or re-reason) ``email`` on the account's suppression list."""
    try:
        client("sesv2", session, region).put_suppressed_destination(EmailAddress=email, Reason=reason)
    except (ClientError, BotoCoreError) as err:
        raise describe_error(err, f"sesv2:PutSuppressedDestination {email}") from None


def delete_suppressed_destination(
    email: str, *, session: boto3.Session | None = None, region: str | None = None
) -> None:
    try:
        client("sesv2", session, region).delete_suppressed_destination(EmailAddress=email)
    except (ClientError, BotoCoreError) as err:
        raise describe_error(err, f"sesv2:DeleteSuppressedDestination {email}") from None


def get_suppressed_destination(
    email: str, *, session: boto3.Session | None = None, region: str | None = None
) -> dict[str, Any] | None:
    """The suppressed destination for ``email``, or None when it is not on the list."""
    try:
        response = client("sesv2", session, region).get_suppressed_destination(EmailAddress=email)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise describe_error(err, f"sesv2:GetSuppressedDestination {email}") from None
    except BotoCoreError as err:
        raise describe_error(err, f"sesv2:GetSuppressedDestination {email}") from None
    return dict(response["SuppressedDestination"])


def list_suppressed_destinations(
    *,
    reasons: tuple[Reason, ...] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every suppressed destination summary (EmailAddress, Reason, LastUpdateTime), page by page."""
    sesv2 = client("sesv2", session, region)
    kwargs: dict[str, Any] = {"PageSize": 1000}
    if reasons:
        kwargs["Reasons"] = list(reasons)
    if start is not None:
        kwargs["StartDate"] = start
    if end is not None:
        kwargs["EndDate"] = end
    while True:
        try:
            page = sesv2.list_suppressed_destinations(**kwargs)
        except (ClientError, BotoCoreError) as err:
            raise describe_error(err, "sesv2:ListSuppressedDestinations") from None
        yield from page.get("SuppressedDestinationSummaries", [])
        token = page.get("NextToken")
        if not token:
            return
        kwargs["NextToken"] = token
