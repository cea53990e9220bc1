"""The sandbox's ``sesv2-import-jobs`` patch: suppression-list import jobs read from moto's S3.

In-process (mock_aws) for the rules, once through the threaded server; the internals test fails
loudly when a moto upgrade moves what the patch reaches into."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from sesops.sandbox import patching, sesv2_import
from sesops.sandbox.server import Sandbox, dummy_session, mocked

BUCKET = "suppression-imports"
PUT = {"SuppressionListDestination": {"SuppressionListImportAction": "PUT"}}
DELETE = {"SuppressionListDestination": {"SuppressionListImportAction": "DELETE"}}


def broken(what: str) -> str:
    return (
        f"sandbox extension 'sesv2-import-jobs' no longer works ({what}); moto's internals moved — "
        f"update sesops/sandbox/sesv2_import.py for moto {patching.MOTO_VERSION}'s successor"
    )


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    with mocked():
        session = dummy_session()
        session.client("s3").create_bucket(Bucket=BUCKET)
        yield session


def upload(session: boto3.Session, key: str, body: str) -> str:
    session.client("s3").put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    return f"s3://{BUCKET}/{key}"


def start(session: boto3.Session, url: str, data_format: str = "CSV", destination: Any = PUT) -> str:
    answer = session.client("sesv2").create_import_job(
        ImportDestination=destination, ImportDataSource={"S3Url": url, "DataFormat": data_format}
    )
    return str(answer["JobId"])


def held(session: boto3.Session) -> dict[str, str]:
    page = session.client("sesv2").list_suppressed_destinations()
    return {s["EmailAddress"]: s["Reason"] for s in page["SuppressedDestinationSummaries"]}


def test_the_internals_the_patch_reads_still_exist() -> None:
    from moto.s3 import exceptions as s3_exceptions
    from moto.s3 import models as s3_models
    from moto.sesv2.responses import SESV2Response

    assert hasattr(s3_models, "s3_backends"), broken("moto.s3.models.s3_backends is gone")
    assert hasattr(s3_models.S3Backend, "get_object"), broken("S3Backend.get_object is gone")
    assert isinstance(getattr(s3_models.FakeKey, "value", None), property), broken("FakeKey.value")
    assert hasattr(s3_exceptions, "MissingBucket"), broken("moto.s3.exceptions.MissingBucket is gone")
    assert hasattr(SESV2Response, "dispatch"), broken("SESV2Response.dispatch is gone")


@pytest.mark.parametrize("operation", ["CreateImportJob", "GetImportJob", "ListImportJobs"])
def test_the_routes_match_botocores_request_uris(operation: str) -> None:
    uri = (
        botocore.session.get_session()
        .get_service_model("sesv2")
        .operation_model(operation)
        .http["requestUri"]
    )
    path = uri.replace("{JobId}", "0b5c-job")
    patterns = [p.format("") for p in sesv2_import.URL_PATHS]
    assert any(re.fullmatch(p.rstrip("$"), path) for p in patterns), broken(f"no route for {operation} {uri}")


def test_a_csv_put_job_is_created_then_processing_then_completed(aws: boto3.Session) -> None:
    url = upload(aws, "put.csv", "a@example.com,BOUNCE\n\nB@Example.com,COMPLAINT\nnot-an-address,BOUNCE\n")
    job_id = start(aws, url)
    sesv2 = aws.client("sesv2")
    assert sesv2.get_import_job(JobId=job_id)["JobStatus"] == "PROCESSING"
    assert held(aws) == {}  # nothing applied before the job ran
    job = sesv2.get_import_job(JobId=job_id)
    assert (job["JobStatus"], job["ProcessedRecordsCount"], job["FailedRecordsCount"]) == ("COMPLETED", 2, 1)
    assert (
        job["FailureInfo"]["ErrorMessage"]
        == "1 record(s) failed: line 4: 'not-an-address' is not an email address"
    )
    assert job["ImportDataSource"] == {"S3Url": url, "DataFormat": "CSV"}
    assert job["CompletedTimestamp"] >= job["CreatedTimestamp"]
    assert held(aws) == {"a@example.com": "BOUNCE", "B@Example.com": "COMPLAINT"}


def test_a_json_delete_job_removes_addresses_and_passes_over_absent_ones(aws: boto3.Session) -> None:
    sesv2 = aws.client("sesv2")
    for email in ("a@example.com", "b@example.com"):
        sesv2.put_suppressed_destination(EmailAddress=email, Reason="BOUNCE")
    body = "".join(json.dumps({"emailAddress": e}) + "\n" for e in ("A@example.com", "gone@example.com"))
    job_id = start(aws, upload(aws, "delete.jsonl", body), "JSON", DELETE)
    sesv2.get_import_job(JobId=job_id)
    job = sesv2.get_import_job(JobId=job_id)
    assert (job["JobStatus"], job["ProcessedRecordsCount"], job["FailedRecordsCount"]) == ("COMPLETED", 2, 0)
    assert "FailureInfo" not in job
    assert held(aws) == {"b@example.com": "BOUNCE"}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "line 1: not JSON"),
        ("[1, 2]", "line 1: not a JSON object (list)"),
        (
            '{"emailAddress": "a@example.com", "reason": "SPAM"}',
            "line 1: reason 'SPAM' is not BOUNCE or COMPLAINT",
        ),
        ('{"reason": "BOUNCE"}', "line 1: '' is not an email address"),
    ],
)
def test_json_records_that_fail_are_named(aws: boto3.Session, line: str, problem: str) -> None:
    job_id = start(aws, upload(aws, "bad.jsonl", line + "\n"), "JSON")
    aws.client("sesv2").get_import_job(JobId=job_id)
    job = aws.client("sesv2").get_import_job(JobId=job_id)
    assert (job["JobStatus"], job["FailedRecordsCount"]) == ("COMPLETED", 1)
    assert job["FailureInfo"]["ErrorMessage"].startswith(f"1 record(s) failed: {problem}")


def test_a_csv_line_without_two_fields_fails(aws: boto3.Session) -> None:
    job_id = start(aws, upload(aws, "three.csv", "a@example.com,BOUNCE,extra\n"))
    aws.client("sesv2").get_import_job(JobId=job_id)
    job = aws.client("sesv2").get_import_job(JobId=job_id)
    assert (
        job["FailureInfo"]["ErrorMessage"]
        == "1 record(s) failed: line 1: expected address,reason, found 3 field(s)"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"s3://{BUCKET}/missing.csv", f"Failed to read s3://{BUCKET}/missing.csv: no such object"),
        (
            "s3://no-such-bucket-here/x.csv",
            "Failed to read s3://no-such-bucket-here/x.csv: the bucket does not exist",
        ),
    ],
)
def test_a_job_whose_object_cannot_be_read_fails(aws: boto3.Session, url: str, message: str) -> None:
    job_id = start(aws, url)
    aws.client("sesv2").get_import_job(JobId=job_id)
    job = aws.client("sesv2").get_import_job(JobId=job_id)
    assert (job["JobStatus"], job["FailureInfo"]["ErrorMessage"]) == ("FAILED", message)


@pytest.mark.parametrize(
    ("destination", "source", "message"),
    [
        (
            {"ContactListDestination": {"ContactListName": "x", "ContactListImportAction": "PUT"}},
            {"S3Url": f"s3://{BUCKET}/a.csv", "DataFormat": "CSV"},
            "suppression list only",
        ),
        ({"SuppressionListDestination": {"SuppressionListImportAction": "MERGE"}}, None, "PUT or DELETE"),
        (PUT, {"S3Url": f"s3://{BUCKET}/a.csv", "DataFormat": "XML"}, "DataFormat must be CSV or JSON"),
        (PUT, {"S3Url": f"https://{BUCKET}/a.csv", "DataFormat": "CSV"}, "S3Url must be s3://BUCKET/KEY"),
        (PUT, {"S3Url": f"s3://{BUCKET}", "DataFormat": "CSV"}, "S3Url must be s3://BUCKET/KEY"),
    ],
)
def test_malformed_requests_are_refused(
    aws: boto3.Session, destination: dict[str, Any], source: dict[str, str] | None, message: str
) -> None:
    source = source or {"S3Url": f"s3://{BUCKET}/a.csv", "DataFormat": "CSV"}
    with pytest.raises(ClientError, match=message) as caught:
        aws.client("sesv2").create_import_job(ImportDestination=destination, ImportDataSource=source)
    assert caught.value.response["Error"]["Code"] == "BadRequestException"


def test_an_unknown_job_is_not_found(aws: boto3.Session) -> None:
    with pytest.raises(ClientError, match="Import job nope does not exist") as caught:
        aws.client("sesv2").get_import_job(JobId="nope")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"


def test_list_import_jobs_pages_and_moves_jobs_on(aws: boto3.Session) -> None:
    url = upload(aws, "one.csv", "a@example.com,BOUNCE\n")
    ids = [start(aws, url), start(aws, url)]
    sesv2 = aws.client("sesv2")
    first = sesv2.list_import_jobs(ImportDestinationType="SUPPRESSION_LIST", PageSize=1)
    assert [j["JobId"] for j in first["ImportJobs"]] == ids[:1] and first["NextToken"] == "1"
    assert first["ImportJobs"][0]["JobStatus"] == "PROCESSING"
    second = sesv2.list_import_jobs(ImportDestinationType="SUPPRESSION_LIST", PageSize=1, NextToken="1")
    assert [j["JobId"] for j in second["ImportJobs"]] == ids[1:] and "NextToken" not in second
    assert sesv2.list_import_jobs(ImportDestinationType="CONTACT_LIST")["ImportJobs"] == []
    assert sesv2.get_import_job(JobId=ids[0])["JobStatus"] == "COMPLETED"


def test_an_import_through_the_server() -> None:
    with Sandbox(port=0) as sandbox:
        session = sandbox.session()
        session.client("s3").create_bucket(Bucket=BUCKET)
        url = upload(
            session, "server.jsonl", json.dumps({"emailAddress": "s@example.com", "reason": "BOUNCE"})
        )
        job_id = start(session, url, "JSON")
        statuses = [session.client("sesv2").get_import_job(JobId=job_id)["JobStatus"] for _ in range(2)]
        assert statuses == ["PROCESSING", "COMPLETED"]
        assert held(session) == {"s@example.com": "BOUNCE"}
