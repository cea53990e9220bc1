"""The account suppression list calls: failure tables (Stubber), the paced calls, the import job,
and every call against the sandbox (moto in-process with the sesops patches)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import ANY

from sesops.aws import suppression_list
from sesops.aws.pacing import Pacer
from sesops.aws.suppression_list import (
    ImportOutcome,
    SuppressedAddress,
    delete_suppressed,
    get_suppressed,
    import_body,
    import_suppressed,
    list_suppressed,
    put_suppressed,
    wait_for_import,
)
from sesops.errors import AwsError, InputError
from sesops.sandbox.server import dummy_session, mocked
from tests.aws.stubbing import DENIED, EXPIRED, REGION, THROTTLED, Failure, Stubs

ADDRESS = "gone@example.com"
BUCKET = "imports-bucket"
KEY_URL = rf"s3://{BUCKET}/sesops/suppression-import/\d{{8}}T\d{{6}}Z-put-1\.jsonl"
Run = Callable[[boto3.Session], object]


def once() -> Pacer:
    """A pacer that never waits and gives up at the first throttle (backoff is tested below)."""
    return Pacer(1000.0, tries=1, sleep=lambda _: None)


# function -> (boto3 method, IAM action, resource named, how to call it)
CALLS: dict[str, tuple[str, str, str | None, Run]] = {
    "list_suppressed": (
        "list_suppressed_destinations",
        "ses:ListSuppressedDestinations",
        None,
        lambda s: list_suppressed(session=s, region=REGION),
    ),
    "get_suppressed": (
        "get_suppressed_destination",
        "ses:GetSuppressedDestination",
        ADDRESS,
        lambda s: get_suppressed(ADDRESS, session=s, region=REGION),
    ),
    "put_suppressed": (
        "put_suppressed_destination",
        "ses:PutSuppressedDestination",
        ADDRESS,
        lambda s: put_suppressed([(ADDRESS, "BOUNCE")], pacer=once(), session=s, region=REGION),
    ),
    "delete_suppressed": (
        "delete_suppressed_destination",
        "ses:DeleteSuppressedDestination",
        ADDRESS,
        lambda s: delete_suppressed([ADDRESS], pacer=once(), session=s, region=REGION),
    ),
    "wait_for_import": (
        "get_import_job",
        "ses:GetImportJob",
        "job-1",
        lambda s: wait_for_import("job-1", session=s, region=REGION),
    ),
}
TABLE = [
    pytest.param(name, failure, id=f"{name}-{failure.code}")
    for name in CALLS
    for failure in (THROTTLED, DENIED, EXPIRED)
]


@pytest.mark.parametrize(("name", "failure"), TABLE)
def test_failures_name_the_call_and_the_fix(stubs: Stubs, name: str, failure: Failure) -> None:
    method, action, resource, run = CALLS[name]
    stubs.fail("sesv2", method, failure)
    with pytest.raises(AwsError, match=failure.expected(action, resource)):
        run(stubs.session)


# -- missing: what "does not exist" means for each call ------------------------------------


def missing(stubs: Stubs, method: str) -> None:
    stubs("sesv2").add_client_error(method, "NotFoundException", "not on the list", http_status_code=404)


def test_get_of_an_address_not_on_the_list_is_none(stubs: Stubs) -> None:
    missing(stubs, "get_suppressed_destination")
    assert get_suppressed(ADDRESS, session=stubs.session, region=REGION) is None


def test_delete_of_an_address_not_on_the_list_reports_it_absent(stubs: Stubs) -> None:
    stubs.ok("sesv2", "delete_suppressed_destination", {})
    missing(stubs, "delete_suppressed_destination")
    removed, absent = delete_suppressed(
        ["a@x.com", "b@x.com"], pacer=once(), session=stubs.session, region=REGION
    )
    assert (removed, absent) == (["a@x.com"], ["b@x.com"])


def test_an_unknown_import_job_is_named(stubs: Stubs) -> None:
    missing(stubs, "get_import_job")
    with pytest.raises(
        AwsError, match=r"^ses:GetImportJob job-1: NotFoundException: no such import job; check"
    ):
        wait_for_import("job-1", session=stubs.session, region=REGION)


# -- import jobs under failure and success ----------------------------------------------------


@pytest.fixture
def s3stubs() -> Iterator[Stubs]:
    """Stubs on a session of its own: boto3 adds its S3 transfer methods once per botocore session,
    so S3 clients cannot come from the botocore session the ``stubs`` fixture shares."""
    own = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    stubbed = Stubs(own)
    yield stubbed
    stubbed.close()


def test_a_missing_bucket_says_to_create_it_or_pick_another(s3stubs: Stubs) -> None:
    s3stubs("s3").add_client_error("put_object", "NoSuchBucket", "The specified bucket does not exist", 404)
    with pytest.raises(
        AwsError, match=rf"^s3:PutObject {KEY_URL}: NoSuchBucket: .*or pass another --bucket$"
    ):
        import_suppressed(
            [(ADDRESS, "BOUNCE")], action="PUT", bucket=BUCKET, session=s3stubs.session, region=REGION
        )


@pytest.mark.parametrize("failure", [DENIED, THROTTLED, EXPIRED], ids=lambda f: f.code)
def test_a_refused_upload_names_the_object(s3stubs: Stubs, failure: Failure) -> None:
    s3stubs.fail("s3", "put_object", failure)
    expected = rf"^s3:PutObject {KEY_URL}: {failure.code}: "
    with pytest.raises(AwsError, match=expected):
        import_suppressed(
            [(ADDRESS, "BOUNCE")], action="PUT", bucket=BUCKET, session=s3stubs.session, region=REGION
        )


def test_a_refused_import_job_removes_its_upload(s3stubs: Stubs) -> None:
    s3stubs.ok("s3", "put_object", {})
    s3stubs.fail("sesv2", "create_import_job", DENIED)
    s3stubs("s3").add_response("delete_object", {}, {"Bucket": BUCKET, "Key": ANY})
    with pytest.raises(
        AwsError, match=rf"^ses:CreateImportJob {KEY_URL}: AccessDenied: .*Allow ses:CreateImportJob"
    ):
        import_suppressed(
            [(ADDRESS, "BOUNCE")], action="PUT", bucket=BUCKET, session=s3stubs.session, region=REGION
        )


def test_an_import_uploads_starts_polls_and_cleans_up(s3stubs: Stubs) -> None:
    entries = [("a@example.com", "BOUNCE"), ("b@example.com", "COMPLAINT")]
    object_params = {"Bucket": BUCKET, "Key": ANY, "Body": import_body(entries)}
    s3stubs("s3").add_response("put_object", {}, object_params)
    job_params = {
        "ImportDestination": {"SuppressionListDestination": {"SuppressionListImportAction": "PUT"}},
        "ImportDataSource": {"S3Url": ANY, "DataFormat": "JSON"},
    }
    s3stubs("sesv2").add_response("create_import_job", {"JobId": "job-1"}, job_params)
    s3stubs("sesv2").add_response(
        "get_import_job", {"JobId": "job-1", "JobStatus": "PROCESSING"}, {"JobId": "job-1"}
    )
    done = {"JobId": "job-1", "JobStatus": "COMPLETED", "ProcessedRecordsCount": 2, "FailedRecordsCount": 0}
    s3stubs.ok("sesv2", "get_import_job", done)
    s3stubs("s3").add_response("delete_object", {}, {"Bucket": BUCKET, "Key": ANY})
    slept: list[float] = []
    outcomes = import_suppressed(
        entries,
        action="PUT",
        bucket=BUCKET,
        poll_seconds=2.0,
        session=s3stubs.session,
        region=REGION,
        sleep=slept.append,
    )
    assert outcomes == [ImportOutcome("job-1", "COMPLETED", processed=2, failed=0)] and outcomes[0].ok
    assert slept == [2.0]


def test_a_failed_job_stops_the_next_chunks(s3stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suppression_list, "IMPORT_CHUNK", 1)
    s3stubs.ok("s3", "put_object", {})
    s3stubs.ok("sesv2", "create_import_job", {"JobId": "job-1"})
    failure = {"ErrorMessage": "Access denied to the S3 object", "FailedRecordsS3Url": "https://x/failed"}
    s3stubs.ok("sesv2", "get_import_job", {"JobId": "job-1", "JobStatus": "FAILED", "FailureInfo": failure})
    s3stubs.ok("s3", "delete_object", {})
    entries = [("a@example.com", "BOUNCE"), ("b@example.com", "BOUNCE")]
    [outcome] = import_suppressed(
        entries, action="DELETE", bucket=BUCKET, session=s3stubs.session, region=REGION
    )
    assert (outcome.status, outcome.message, outcome.failed_records_url, outcome.ok) == (
        "FAILED",
        "Access denied to the S3 object",
        "https://x/failed",
        False,
    )


def test_waiting_past_the_timeout_names_the_job_and_how_to_follow_it(stubs: Stubs) -> None:
    for _ in range(3):
        stubs.ok("sesv2", "get_import_job", {"JobId": "job-1", "JobStatus": "PROCESSING"})
    with pytest.raises(
        AwsError,
        match=r"still PROCESSING after 10 s; follow it with `aws sesv2 get-import-job --job-id job-1`",
    ):
        wait_for_import("job-1", 5.0, 10.0, stubs.session, REGION, sleep=lambda _: None)


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (
            lambda s: import_suppressed([], action="MERGE", bucket=BUCKET, session=s),
            "PUT or DELETE, not 'MERGE'",
        ),
        (lambda s: import_suppressed([], action="PUT", bucket="s3://b/k", session=s), "give a bucket name"),
        (
            lambda s: import_suppressed([(ADDRESS, "SPAM")], action="PUT", bucket=BUCKET, session=s),
            "'SPAM': use BOUNCE",
        ),
        (lambda s: put_suppressed([(ADDRESS, "bounce")], session=s), "'bounce': use BOUNCE or COMPLAINT"),
        (lambda s: list_suppressed(reasons=["OTHER"], session=s), "'OTHER': use BOUNCE or COMPLAINT"),
    ],
)
def test_bad_input_is_refused_before_any_call(stubs: Stubs, run: Run, message: str) -> None:
    stubs("sesv2")  # stubbed with no answers: any call would fail the test
    with pytest.raises(InputError, match=message):
        run(stubs.session)


def test_list_reads_every_page(stubs: Stubs) -> None:
    when = datetime(2026, 11, 3, tzinfo=UTC)
    first = {
        "SuppressedDestinationSummaries": [
            {"EmailAddress": "a@x.com", "Reason": "BOUNCE", "LastUpdateTime": when}
        ]
    }
    stubs("sesv2").add_response(
        "list_suppressed_destinations",
        {**first, "NextToken": "t1"},
        {"Reasons": ["BOUNCE", "COMPLAINT"], "PageSize": 1000},
    )
    second = {
        "SuppressedDestinationSummaries": [
            {"EmailAddress": "b@x.com", "Reason": "COMPLAINT", "LastUpdateTime": when}
        ]
    }
    stubs("sesv2").add_response(
        "list_suppressed_destinations",
        second,
        {"Reasons": ["BOUNCE", "COMPLAINT"], "PageSize": 1000, "NextToken": "t1"},
    )
    assert list_suppressed(session=stubs.session, region=REGION) == [
        SuppressedAddress("a@x.com", "BOUNCE", when),
        SuppressedAddress("b@x.com", "COMPLAINT", when),
    ]


def test_a_failure_midway_says_how_many_were_done(stubs: Stubs) -> None:
    stubs("sesv2").add_response(
        "put_suppressed_destination", {}, {"EmailAddress": "a@x.com", "Reason": "BOUNCE"}
    )
    stubs.fail("sesv2", "put_suppressed_destination", DENIED)
    with pytest.raises(
        AwsError,
        match=r"b@x\.com: AccessDenied: .*\(1 address\(es\) added before this failure; rerun to continue\)$",
    ):
        put_suppressed(
            [("a@x.com", "BOUNCE"), ("b@x.com", "BOUNCE")], pacer=once(), session=stubs.session, region=REGION
        )


def test_import_body_is_json_lines() -> None:
    assert import_body([("a@x.com", "BOUNCE"), ('"q,uote"@x.com', "COMPLAINT")]) == (
        b'{"emailAddress": "a@x.com", "reason": "BOUNCE"}\n'
        b'{"emailAddress": "\\"q,uote\\"@x.com", "reason": "COMPLAINT"}\n'
    )


# -- against the sandbox ------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[boto3.Session]:
    with mocked():
        yield dummy_session()


def test_the_calls_against_the_sandbox(sandbox: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suppression_list, "PAGE_SIZE", 2)  # five addresses: three pages
    fast = Pacer(1000.0, sleep=lambda _: None)
    entries = [(f"u{i}@example.com", "BOUNCE") for i in range(4)] + [("c@example.com", "COMPLAINT")]
    assert put_suppressed(entries, pacer=fast, session=sandbox) == 5
    listed = list_suppressed(session=sandbox)
    assert sorted((a.email, a.reason) for a in listed) == sorted(entries)
    assert all(a.last_update is not None for a in listed)
    assert [a.email for a in list_suppressed(reasons=["COMPLAINT"], session=sandbox)] == ["c@example.com"]
    found = get_suppressed("c@example.com", session=sandbox)
    assert found is not None and found.reason == "COMPLAINT"
    assert delete_suppressed(["u0@example.com", "nobody@example.com"], pacer=fast, session=sandbox) == (
        ["u0@example.com"],
        ["nobody@example.com"],
    )
    assert get_suppressed("u0@example.com", session=sandbox) is None


def test_an_import_job_against_the_sandbox(sandbox: boto3.Session) -> None:
    sandbox.client("s3").create_bucket(Bucket=BUCKET)
    entries = [("a@example.com", "BOUNCE"), ("b@example.com", "COMPLAINT")]
    [added] = import_suppressed(entries, action="PUT", bucket=BUCKET, poll_seconds=0, session=sandbox)
    assert (added.status, added.processed, added.failed) == ("COMPLETED", 2, 0)
    assert sorted((a.email, a.reason) for a in list_suppressed(session=sandbox)) == entries
    [removed] = import_suppressed(
        entries[:1], action="DELETE", bucket=BUCKET, poll_seconds=0, session=sandbox
    )
    assert removed.ok and [a.email for a in list_suppressed(session=sandbox)] == ["b@example.com"]
    assert sandbox.client("s3").list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0  # uploads cleaned up


def test_an_import_of_a_bad_record_reports_it(sandbox: boto3.Session) -> None:
    sandbox.client("s3").create_bucket(Bucket=BUCKET)
    [outcome] = import_suppressed(
        [("no-at-sign", "BOUNCE")], action="PUT", bucket=BUCKET, poll_seconds=0, session=sandbox
    )
    assert (outcome.status, outcome.failed, outcome.ok) == ("COMPLETED", 1, False)
    assert "'no-at-sign' is not an email address" in outcome.message
