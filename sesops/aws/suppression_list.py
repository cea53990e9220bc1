"""The SES account-level suppression list (SESv2): read every page, add, remove, bulk import.

Small changes go one address per call (PutSuppressedDestination, DeleteSuppressedDestination)
through a :class:`~sesops.aws.pacing.Pacer`; large ones through an import job: the addresses
are uploaded to S3 as JSON Lines (``{"emailAddress": ..., "reason": ...}``, at most
:data:`IMPORT_CHUNK` per object), CreateImportJob reads them, and GetImportJob is polled until
the job ends. SES must be allowed to read the bucket (a bucket policy granting
``ses.amazonaws.com`` ``s3:GetObject``); each object is deleted once its job has ended.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from sesops.aws.clients import client
from sesops.aws.errors import aws_call, call
from sesops.aws.pacing import Pacer
from sesops.errors import AwsError, InputError

REASONS = ("BOUNCE", "COMPLAINT")
PAGE_SIZE = 1000  # the most ListSuppressedDestinations returns per page
IMPORT_CHUNK = 100_000  # addresses per uploaded object and import job
IMPORT_ACTIONS = ("PUT", "DELETE")
ENDED = ("COMPLETED", "FAILED", "CANCELLED")
NOT_ON_LIST = ("NotFoundException",)
NOT_FOUND = NOT_ON_LIST
NO_BUCKET = ("NoSuchBucket",)


@dataclass(frozen=True, slots=True)
class SuppressedAddress:
    """One entry of the account suppression list."""

    email: str
    reason: str  # BOUNCE | COMPLAINT
    last_update: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """How one import job ended."""

    job_id: str
    status: str  # COMPLETED | FAILED | CANCELLED
    processed: int
    failed: int
    message: str = ""  # SES's FailureInfo.ErrorMessage
    failed_records_url: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "COMPLETED" and self.failed == 0


def list_suppressed(
    *,
    reasons: Sequence[str] = REASONS,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> list[SuppressedAddress]:
    """Every address on the account suppression list (every page), in the order SES lists them."""
    _check_reasons(reasons)
    sesv2 = client("sesv2", session, region)
    found: list[SuppressedAddress] = []
    params: dict[str, Any] = {"Reasons": list(reasons), "PageSize": PAGE_SIZE}
    with aws_call("ses:ListSuppressedDestinations"):
        while True:
            page = sesv2.list_suppressed_destinations(**params)
            found += [_entry(item) for item in page.get("SuppressedDestinationSummaries", [])]
            if not page.get("NextToken"):
                return found
            params["NextToken"] = page["NextToken"]


def get_suppressed(
    email: str, *, session: boto3.Session | None = None, region: str | None = None
) -> SuppressedAddress | None:
    """The list's entry for ``email``; None when it is not on the list."""
    sesv2 = client("sesv2", session, region)
    answer = call(
        "ses:GetSuppressedDestination",
        sesv2.get_suppressed_destination,
        resource=email,
        absent=NOT_ON_LIST,
        EmailAddress=email,
    )
    return None if answer is None else _entry(answer["SuppressedDestination"])


def put_suppressed(
    entries: Iterable[tuple[str, str]],
    *,
    pacer: Pacer | None = None,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> int:
    """Add (or re-reason) each ``(email, reason)``, paced; returns how many were put."""
    pacer = pacer or Pacer()
    sesv2 = client("sesv2", session, region)
    done = 0
    for email, reason in entries:
        _check_reasons([reason])
        pacer.call(
            "ses:PutSuppressedDestination",
            sesv2.put_suppressed_destination,
            resource=email,
            note=_progress_note(done, "added"),
            EmailAddress=email,
            Reason=reason,
        )
        done += 1
    return done


def delete_suppressed(
    emails: Iterable[str],
    *,
    pacer: Pacer | None = None,
    session: boto3.Session | None = None,
    region: str | None = None,
) -> tuple[list[str], list[str]]:
    """Remove each address, paced; returns (removed, not on the list)."""
    pacer = pacer or Pacer()
    sesv2 = client("sesv2", session, region)
    removed: list[str] = []
    absent: list[str] = []
    for email in emails:
        answer = pacer.call(
            "ses:DeleteSuppressedDestination",
            sesv2.delete_suppressed_destination,
            resource=email,
            absent=NOT_ON_LIST,
            note=_progress_note(len(removed), "removed"),
            EmailAddress=email,
        )
        (absent if answer is None else removed).append(email)
    return removed, absent


def import_suppressed(
    entries: Sequence[tuple[str, str]],
    *,
    action: str,
    bucket: str,
    prefix: str = "sesops/suppression-import/",
    poll_seconds: float = 5.0,
    timeout: float = 3600.0,
    session: boto3.Session | None = None,
    region: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ImportOutcome]:
    """PUT or DELETE ``entries`` through import jobs, one per :data:`IMPORT_CHUNK`; waits for each."""
    if action not in IMPORT_ACTIONS:
        raise InputError(f"import action must be PUT or DELETE, not {action!r}")
    if not bucket or "/" in bucket:
        raise InputError(f"--bucket {bucket!r}: give a bucket name (no s3:// and no key)")
    _check_reasons([reason for _, reason in entries])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    outcomes: list[ImportOutcome] = []
    for number, start in enumerate(range(0, len(entries), IMPORT_CHUNK), 1):
        key = f"{prefix}{stamp}-{action.lower()}-{number}.jsonl"
        chunk = entries[start : start + IMPORT_CHUNK]
        job = _start_import(chunk, action, bucket, key, session, region)
        outcome = wait_for_import(job, poll_seconds, timeout, session, region, sleep)  # a timeout
        _delete_object(bucket, key, session, region)  # leaves the object to the job still running
        outcomes.append(outcome)
        if outcome.status != "COMPLETED":
            break  # the next chunk would fail the same way (permissions, the bucket policy)
    return outcomes


def import_body(entries: Iterable[tuple[str, str]]) -> bytes:
    """The JSON Lines object an import job reads: one ``{"emailAddress", "reason"}`` per line (pure)."""
    lines = (json.dumps({"emailAddress": email, "reason": reason}) for email, reason in entries)
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _start_import(
    entries: Sequence[tuple[str, str]],
    action: str,
    bucket: str,
    key: str,
    session: boto3.Session | None,
    region: str | None,
) -> str:
    url = f"s3://{bucket}/{key}"
    s3 = client("s3", session, region)
    body = import_body(entries)
    put = call(
        "s3:PutObject", s3.put_object, resource=url, absent=NO_BUCKET, Bucket=bucket, Key=key, Body=body
    )
    if put is None:
        raise AwsError(
            f"s3:PutObject {url}: NoSuchBucket: bucket {bucket} does not exist in this account; create it "
            "(with a bucket policy letting ses.amazonaws.com s3:GetObject), or pass another --bucket"
        )
    sesv2 = client("sesv2", session, region)
    try:
        with aws_call("ses:CreateImportJob", url):
            answer = sesv2.create_import_job(
                ImportDestination={"SuppressionListDestination": {"SuppressionListImportAction": action}},
                ImportDataSource={"S3Url": url, "DataFormat": "JSON"},
            )
    except AwsError:
        with contextlib.suppress(AwsError):  # the refusal is the error to report, not the cleanup
            _delete_object(bucket, key, session, region)
        raise
    return str(answer["JobId"])


def wait_for_import(
    job_id: str,
    poll_seconds: float = 5.0,
    timeout: float = 3600.0,
    session: boto3.Session | None = None,
    region: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ImportOutcome:
    """Poll GetImportJob until the job ends; raises :class:`AwsError` past ``timeout`` seconds."""
    sesv2 = client("sesv2", session, region)
    waited = 0.0
    while True:
        job = call("ses:GetImportJob", sesv2.get_import_job, resource=job_id, absent=NOT_FOUND, JobId=job_id)
        if job is None:
            raise AwsError(
                f"ses:GetImportJob {job_id}: NotFoundException: no such import job; "
                "check the job id and --region (`aws sesv2 list-import-jobs` lists them)"
            )
        status = str(job.get("JobStatus", ""))
        if status in ENDED:
            failure = job.get("FailureInfo") or {}
            return ImportOutcome(
                job_id=job_id,
                status=status,
                processed=int(job.get("ProcessedRecordsCount", 0)),
                failed=int(job.get("FailedRecordsCount", 0)),
                message=str(failure.get("ErrorMessage", "")),
                failed_records_url=str(failure.get("FailedRecordsS3Url", "")),
            )
        if waited >= timeout:
            raise AwsError(
                f"ses:GetImportJob {job_id}: still {status or 'unknown'} after {timeout:g} s; "
                f"follow it with `aws sesv2 get-import-job --job-id {job_id}`"
            )
        sleep(poll_seconds)
        waited += poll_seconds


def _delete_object(bucket: str, key: str, session: boto3.Session | None, region: str | None) -> None:
    s3 = client("s3", session, region)
    with aws_call("s3:DeleteObject", f"s3://{bucket}/{key}"):
        s3.delete_object(Bucket=bucket, Key=key)


def _entry(item: dict[str, Any]) -> SuppressedAddress:
    when = item.get("LastUpdateTime")
    return SuppressedAddress(
        email=str(item["EmailAddress"]),
        reason=str(item["Reason"]),
        last_update=when if isinstance(when, datetime) else None,
    )


def _check_reasons(reasons: Iterable[str]) -> None:
    wrong = sorted({r for r in reasons if r not in REASONS})
    if wrong:
        raise InputError(f"suppression reason {', '.join(map(repr, wrong))}: use BOUNCE or COMPLAINT")


def _progress_note(done: int, verb: str) -> str:
    return f" ({done} address(es) {verb} before this failure; rerun to continue)" if done else ""
