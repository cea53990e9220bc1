"""The one client seam: sessions and boto3 clients are made here and nowhere else in sesops.

Clients are built with one retry/timeout configuration and shared per (session, service,
region): they are expensive to build and safe to share between threads. A test can stub
the client a function will use by asking for it first (``Stubber(client("sns", s, r))``).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import NoRegionError, ProfileNotFound

from sesops.aws.errors import describe_error
from sesops.errors import AwsError

__all__ = ["client", "describe_error", "session"]  # describe_error: its home is sesops.aws.errors

_CONFIG = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)

_clients: weakref.WeakKeyDictionary[boto3.Session, dict[tuple[str, str | None], Any]] = (
    weakref.WeakKeyDictionary()
)
_clients_lock = threading.Lock()


def session(profile: str | None = None, region: str | None = None) -> boto3.Session:
    """A boto3 Session for ``profile`` (else boto3's default chain, AWS_PROFILE included)."""
    try:
        return boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as err:
        name = profile or err.kwargs.get("profile", "?")
        raise AwsError(f"--profile {name}: {_no_such_profile(name)}") from None


def _no_such_profile(name: str) -> str:
    try:
        known = botocore.session.Session().available_profiles
    except Exception:  # a config file that does not parse: say nothing about the others
        known = []
    listed = f"the profiles there: {', '.join(sorted(known))}" if known else "it names no profiles"
    return (
        f"no such profile in your AWS config ({listed}). `aws configure list-profiles` lists them; "
        f"`aws configure --profile {name}` creates it."
    )


_new_session = session  # client() has a parameter of that name


def client(service: str, session: boto3.Session | None = None, region: str | None = None) -> Any:
    """The boto3 client for ``service``; raises :class:`AwsError` with the fix when none can be made."""
    if session is None:  # a fresh default session: nothing to share a client through
        return _build(service, _new_session(), region)
    key = (service, region or session.region_name)
    with _clients_lock:
        shared = _clients.setdefault(session, {})
        if key not in shared:
            shared[key] = _build(service, session, key[1])
        return shared[key]


def _build(service: str, session: boto3.Session, region: str | None) -> Any:
    try:
        return session.client(service, region_name=region or session.region_name, config=_CONFIG)  # type: ignore[call-overload]
    except NoRegionError:
        raise AwsError(
            f"no AWS region for {service}: pass --region (or region=...), or set AWS_REGION"
        ) from None
