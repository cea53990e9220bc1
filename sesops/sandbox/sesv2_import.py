"""Patch ``sesv2-import-jobs``: CreateImportJob, GetImportJob, ListImportJobs for the suppression list.

A job reads its object from moto's S3 and applies it to the account suppression list
(:mod:`sesops.sandbox.sesv2`). ``CSV``: one ``address,BOUNCE|COMPLAINT`` per line, no header;
``JSON``: one ``{"emailAddress": ..., "reason": ...}`` object per line. A DELETE job needs
only the address. As in SES the job runs after CreateImportJob returns: it is ``CREATED``,
``PROCESSING`` at the first look (GetImportJob or ListImportJobs), and ended at the next:
``COMPLETED`` with the processed and failed record counts (the first failures named in
``FailureInfo.ErrorMessage``), or ``FAILED`` when the object cannot be read. The sandbox
imports into the suppression list only; a contact-list destination is refused.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sesops.sandbox.sesv2 import (
    REASONS,
    bad_request,
    core_store,
    request_body,
    route,
    suppress,
    unsuppress,
)

_JOBS = "_sesops_import_jobs"
FORMATS = ("CSV", "JSON")
ACTIONS = ("PUT", "DELETE")
NAMED_FAILURES = 3  # failed records the ErrorMessage names
#: What ListImportJobs shows of each job.
SUMMARY_KEYS = (
    "JobId",
    "ImportDestination",
    "JobStatus",
    "CreatedTimestamp",
    "ProcessedRecordsCount",
    "FailedRecordsCount",
)
URL_PATHS = (
    "{0}/v2/email/import-jobs$",
    "{0}/v2/email/import-jobs/list$",
    "{0}/v2/email/import-jobs/(?P<JobId>[^/]+)$",
)


def create_import_job(self: Any) -> str:
    params = request_body(self)
    destination = params.get("ImportDestination") or {}
    source = params.get("ImportDataSource") or {}
    if "SuppressionListDestination" not in destination:
        raise bad_request(
            "the sandbox imports into the suppression list only: give SuppressionListDestination"
        )
    action = destination["SuppressionListDestination"].get("SuppressionListImportAction")
    if action not in ACTIONS:
        raise bad_request(f"SuppressionListImportAction must be PUT or DELETE, not {action!r}")
    if source.get("DataFormat") not in FORMATS:
        raise bad_request(f"DataFormat must be CSV or JSON, not {source.get('DataFormat')!r}")
    bucket_and_key(str(source.get("S3Url", "")))  # refuse a malformed URL now, as SES does
    job_id = str(uuid.uuid4())
    _jobs(self)[job_id] = {
        "JobId": job_id,
        "ImportDestination": {"SuppressionListDestination": {"SuppressionListImportAction": action}},
        "ImportDataSource": {"S3Url": source["S3Url"], "DataFormat": source["DataFormat"]},
        "JobStatus": "CREATED",
        "CreatedTimestamp": datetime.now(UTC).timestamp(),
        "ProcessedRecordsCount": 0,
        "FailedRecordsCount": 0,
    }
    return json.dumps({"JobId": job_id})


def get_import_job(self: Any) -> str:
    from moto.ses.exceptions import NotFoundException

    job_id = str(self._get_param("JobId"))
    job = _jobs(self).get(job_id)
    if job is None:
        raise NotFoundException(f"Import job {job_id} does not exist.")
    _advance(self.sesv2_backend.core_backend, job)
    return json.dumps(job)


def list_import_jobs(self: Any) -> str:
    params = request_body(self)
    kind = params.get("ImportDestinationType")
    if kind not in (None, "SUPPRESSION_LIST", "CONTACT_LIST"):
        raise bad_request(f"ImportDestinationType must be SUPPRESSION_LIST or CONTACT_LIST, not {kind!r}")
    size = _whole(params.get("PageSize", 100), "PageSize")
    offset = _whole(params.get("NextToken", 0), "NextToken")
    jobs = sorted(_jobs(self).values(), key=lambda job: (job["CreatedTimestamp"], job["JobId"]))
    if kind == "CONTACT_LIST":
        jobs = []  # the sandbox makes no contact-list jobs
    for job in jobs[offset : offset + size]:
        _advance(self.sesv2_backend.core_backend, job)
    summaries = [{k: v for k, v in job.items() if k in SUMMARY_KEYS} for job in jobs[offset : offset + size]]
    page: dict[str, Any] = {"ImportJobs": summaries}
    if offset + size < len(jobs):
        page["NextToken"] = str(offset + size)
    return json.dumps(page)


def _whole(value: Any, name: str) -> int:
    text = str(value)
    if not text.isdigit():
        raise bad_request(f"{name} must be a whole number, not {text!r}")
    return int(text)


def bucket_and_key(url: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key); a BadRequestException for anything else."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket or not key:
        raise bad_request(f"S3Url must be s3://BUCKET/KEY, not {url!r}")
    return bucket, key


def _jobs(self: Any) -> dict[str, dict[str, Any]]:
    return core_store(self.sesv2_backend.core_backend, _JOBS)


def _advance(core: Any, job: dict[str, Any]) -> None:
    """One look at a job: CREATED becomes PROCESSING; PROCESSING runs it to its end."""
    if job["JobStatus"] == "CREATED":
        job["JobStatus"] = "PROCESSING"
    elif job["JobStatus"] == "PROCESSING":
        _run(core, job)
        job["CompletedTimestamp"] = datetime.now(UTC).timestamp()


def _run(core: Any, job: dict[str, Any]) -> None:
    source = job["ImportDataSource"]
    try:
        text = _read_object(core, source["S3Url"])
    except LookupError as err:
        job["JobStatus"] = "FAILED"
        job["FailureInfo"] = {"ErrorMessage": str(err)}
        return
    action = job["ImportDestination"]["SuppressionListDestination"]["SuppressionListImportAction"]
    failures: list[str] = []
    processed = 0
    for line, record in _records(text, source["DataFormat"]):
        problem = _apply(core, action, record)
        if problem:
            failures.append(f"line {line}: {problem}")
        else:
            processed += 1
    job.update(JobStatus="COMPLETED", ProcessedRecordsCount=processed, FailedRecordsCount=len(failures))
    if failures:
        named = "; ".join(failures[:NAMED_FAILURES])
        job["FailureInfo"] = {"ErrorMessage": f"{len(failures)} record(s) failed: {named}"}


def _read_object(core: Any, url: str) -> str:
    from moto.s3.exceptions import MissingBucket
    from moto.s3.models import s3_backends

    bucket, key = bucket_and_key(url)
    try:
        found = s3_backends[core.account_id][core.partition].get_object(bucket, key)
    except MissingBucket:
        raise LookupError(f"Failed to read {url}: the bucket does not exist") from None
    if found is None:
        raise LookupError(f"Failed to read {url}: no such object")
    try:
        return str(found.value.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise LookupError(f"Failed to read {url}: not UTF-8 ({err.reason} at byte {err.start})") from None


def _records(text: str, data_format: str) -> list[tuple[int, dict[str, Any] | str]]:
    """(line number, record) per non-empty line; a record that does not parse is its problem (str)."""
    out: list[tuple[int, dict[str, Any] | str]] = []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    for number, line in lines:
        if data_format == "JSON":
            out.append((number, _json_record(line)))
        else:
            fields = next(csv.reader(io.StringIO(line)))
            record = {"emailAddress": fields[0], "reason": fields[1]} if len(fields) == 2 else None
            out.append((number, record or f"expected address,reason, found {len(fields)} field(s)"))
    return out


def _json_record(line: str) -> dict[str, Any] | str:
    try:
        record = json.loads(line)
    except ValueError as err:
        return f"not JSON ({err})"
    return record if isinstance(record, dict) else f"not a JSON object ({type(record).__name__})"


def _apply(core: Any, action: str, record: dict[str, Any] | str) -> str:
    """Apply one record; the problem with it, or "" when it was applied."""
    if isinstance(record, str):
        return record
    email = str(record.get("emailAddress") or "").strip()
    if "@" not in email or any(c.isspace() for c in email):
        return f"{email!r} is not an email address"
    if action == "DELETE":
        unsuppress(core, email)  # an address that is not on the list is already where it should be
        return ""
    reason = str(record.get("reason") or "").strip().upper()
    if reason not in REASONS:
        return f"reason {record.get('reason')!r} is not BOUNCE or COMPLAINT"
    suppress(core, email, reason)
    return ""


RESPONSES = {
    "create_import_job": create_import_job,
    "get_import_job": get_import_job,
    "list_import_jobs": list_import_jobs,
}


def patch_import_jobs() -> None:
    route(RESPONSES, URL_PATHS)
