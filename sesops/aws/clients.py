"""Client construction: one place that turns (session, region) into a boto3 client."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from sesops.errors import AwsError

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)


def client(service: str, session: boto3.Session | None = None, region: str | None = None) -> Any:
    """A boto3 client for ``service``; raises :class:`AwsError` with the fix when none can be made."""
    session = session or boto3.Session()
    try:
        return session.client(service, region_name=region or session.region_name, config=_CONFIG)  # type: ignore[call-overload]
    except NoRegionError:
        raise AwsError(
            f"no AWS region for {service}: pass --region (or region=...), or set AWS_REGION"
        ) from None


def describe_error(err: Exception, action: str) -> AwsError:
    """Turn a botocore error into an :class:`AwsError` that names the call and the cause."""
    if isinstance(err, NoCredentialsError):
        return AwsError(
            f"{action}: no AWS credentials found. Configure a profile (aws configure, --profile) "
            "or run `sesops sandbox` and export the variables it prints."
        )
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        return AwsError(f"{action}: {error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": "))
    if isinstance(err, BotoCoreError):
        return AwsError(f"{action}: {err}")
    return AwsError(f"{action}: {err}")
