"""read_events("s3://...") and `sesops load s3://...` against the sandbox's S3: Firehose objects
gzip or plain (told by their bytes), JSON Lines or concatenated, many objects, empty ones, a bad
record among good ones, the DuckDB path for big objects, prefetch, partitions, and errors."""

from __future__ import annotations

import gzip
import itertools
import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pandas as pd
import pytest

from sesops.aws.clients import client
from sesops.cli import main
from sesops.errors import AwsError, RecordError
from sesops.load import archive as load_archive_module
from sesops.load.archive import list_source, load_archive
from sesops.load.collector import Collector
from sesops.load.reader import read_events
from sesops.sandbox.server import Sandbox, dummy_session
from sesops.sim.simulate import SimulationConfig, iter_lines
from tests.aws.stubbing import DENIED, Stubs
from tests.payloads import bounce, complaint, delivery, envelope


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        yield sb


class Bucket:
    """A fresh bucket on the sandbox, and the environment that points read_events at it."""

    def __init__(self, session: boto3.Session) -> None:
        self.name = f"archive-{uuid.uuid4().hex[:10]}"
        self.s3 = client("s3", session)
        self.s3.create_bucket(Bucket=self.name)

    def put(self, key: str, body: bytes) -> str:
        self.s3.put_object(Bucket=self.name, Key=key, Body=body)
        return f"s3://{self.name}/{key}"

    def url(self, prefix: str = "") -> str:
        return f"s3://{self.name}/{prefix}"


@pytest.fixture
def bucket(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return Bucket(sandbox.session())


def ses_event(record: dict[str, Any]) -> dict[str, Any]:
    """An event-publishing record (``eventType``), as SES hands it to Firehose."""
    kind = record.pop("notificationType")
    return {"eventType": kind, **record}


def lines(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def concatenated(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, separators=(",", ":")).encode() for r in records)


def emails(df: pd.DataFrame) -> list[str]:
    return sorted(df["email"])


def test_firehose_objects_of_every_kind(bucket: Bucket) -> None:
    tricky = bounce("tricky@x.org", feedback_id="fb-t")
    tricky["mail"]["commonHeaders"]["subject"] = 'a }{"eventType":"Bounce"} in a subject'
    prefix = "ses/2026/11/01/10/"
    bucket.put(prefix + "stream-1-a", lines([ses_event(bounce("a@x.org", feedback_id="fb-a"))]))
    bucket.put(prefix + "stream-1-b", gzip.compress(lines([ses_event(delivery("b@x.org"))])))
    bucket.put(prefix + "stream-1-c", concatenated([ses_event(tricky), ses_event(complaint("c@x.org"))]))
    bucket.put(
        prefix + "stream-1-d",
        gzip.compress(concatenated([envelope(bounce("d@x.org", feedback_id="fb-d"), message_id="m-d")])),
    )
    bucket.put(prefix + "stream-1-e", b"")  # Firehose leaves empty objects at times
    bucket.put(prefix + "stream-1-f", gzip.compress(b""))
    bucket.put(prefix + "stream-1-g", b"\n  \n")
    df = read_events(bucket.url("ses/"))
    assert emails(df) == ["a@x.org", "b@x.org", "c@x.org", "d@x.org", "tricky@x.org"]
    assert df.attrs["rejected"] == 0 and df.attrs["messages"] == 5
    assert set(df.loc[df["email"] == "tricky@x.org", "subject"]) == {
        tricky["mail"]["commonHeaders"]["subject"]
    }


def eventbridge(record: dict[str, Any], detail_type: str, n: int) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-11-01T10:00:06Z",
        "region": "us-east-1",
        "resources": ["arn:aws:ses:us-east-1:123456789012:configuration-set/cs"],
        "detail": ses_event(record),
    }


def test_eventbridge_events_archived_by_firehose(bucket: Bucket) -> None:
    events = [
        eventbridge(bounce("a@x.org", feedback_id="fb-a"), "Email Bounced", 1),
        eventbridge(complaint("b@x.org"), "Email Complaint Received", 2),
        eventbridge(delivery("c@x.org"), "Email Delivered", 3),
    ]
    bucket.put("eb/2026/11/01/10/part-1", gzip.compress(concatenated(events)))
    bucket.put("eb/2026/11/01/11/part-2", lines(events[:1]))  # the same event again: one row
    df = read_events(bucket.url("eb/"))
    assert emails(df) == ["a@x.org", "b@x.org", "c@x.org"]
    assert df.attrs["rejected"] == 0


def test_many_objects_load_in_key_order_with_nothing_lost(bucket: Bucket) -> None:
    for n in range(12):
        records = [ses_event(bounce(f"u{n}-{i}@x.org", feedback_id=f"fb-{n}-{i}")) for i in range(3)]
        body = concatenated(records) if n % 2 else lines(records)
        bucket.put(f"ses/2026/11/01/{n:02d}/part-{n}", gzip.compress(body) if n % 3 else body)
    df = read_events(bucket.url("ses/"), progress=True)
    assert len(df) == 36 and df.attrs["rejected"] == 0


def test_a_bad_record_loses_only_itself(bucket: Bucket) -> None:
    good = [ses_event(bounce(f"{n}@x.org", feedback_id=f"fb-{n}")) for n in range(3)]
    body = concatenated(good[:1]) + b'{"eventType":"Bounce","bounce":nope}' + concatenated(good[1:])
    url = bucket.put("ses/part-bad", body)
    bucket.put("ses/part-good", lines([ses_event(delivery("ok@x.org"))]))
    df = read_events(bucket.url("ses/"))
    assert emails(df) == ["0@x.org", "1@x.org", "2@x.org", "ok@x.org"]
    assert df.attrs["rejects"] == [{"source": url, "line": 2, "reason": df.attrs["rejects"][0]["reason"]}]
    assert df.attrs["rejects"][0]["reason"].startswith("not JSON")
    with pytest.raises(RecordError, match=f"{url}:2"):
        read_events(bucket.url("ses/"), errors="raise")


def test_an_object_that_does_not_inflate_is_one_reject(bucket: Bucket) -> None:
    url = bucket.put("ses/part-1", gzip.compress(lines([ses_event(delivery("a@x.org"))]))[:-12])
    bucket.put("ses/part-2", lines([ses_event(delivery("b@x.org"))]))
    df = read_events(bucket.url("ses/"))
    assert emails(df) == ["b@x.org"]
    assert [(r["source"], r["line"]) for r in df.attrs["rejects"]] == [(url, 0)]
    assert df.attrs["rejects"][0]["reason"].startswith("not readable gzip")
    assert df.attrs["unread"] == 1  # an object not read in full: `sesops load` exits 1


def test_json_documents_in_s3(bucket: Bucket) -> None:
    bucket.put("export/one.json", json.dumps(envelope(bounce("a@x.org")), indent=2).encode())
    bucket.put(
        "export/many.json", json.dumps([ses_event(delivery("b@x.org")), complaint("c@x.org")]).encode()
    )
    df = read_events(bucket.url("export/"))
    assert emails(df) == ["a@x.org", "b@x.org", "c@x.org"]


def simulated(n: int, seed: int) -> list[bytes]:
    config = SimulationConfig(messages=n, days=2, seed=seed, bounce_rate=0.05, complaint_rate=0.01)
    return list(itertools.islice(iter_lines(config, envelope=False), n))


def test_big_objects_take_the_duckdb_path_with_the_same_rows(bucket: Bucket) -> None:
    records = simulated(1500, seed=3)
    bad = b'{"eventType":"Bounce","mail":{"messageId":"m"}}'  # no bounce object: rejected
    ndjson = b"".join(records[:700]) + bad + b"\n" + b"".join(records[700:1000])
    concat = b"".join(r.rstrip(b"\n") for r in [*records[1000:1009], bad, *records[1009:]])
    assert len(ndjson) > (1 << 20)
    first = bucket.put("big/part-1", gzip.compress(ndjson))
    second = bucket.put("big/part-2", concat)  # loaded with part-1 in one pass, rejects apart
    fast = read_events(bucket.url("big/"))
    pure = read_events(bucket.url("big/"), engine="python")
    columns = sorted(fast.columns)
    key = ["email", "event_type", "timestamp", "message_id"]
    pd.testing.assert_frame_equal(
        fast[columns].sort_values(key).reset_index(drop=True),
        pure[columns].sort_values(key).reset_index(drop=True),
    )
    assert fast.attrs["messages"] == pure.attrs["messages"] == 1500
    assert [(r["source"], r["line"]) for r in fast.attrs["rejects"]] == [(first, 701), (second, 10)]
    assert fast.attrs["rejects"] == pure.attrs["rejects"]


def test_prefetch_changes_nothing_but_the_timing(bucket: Bucket) -> None:
    for n in range(4):
        bucket.put(f"ses/part-{n}", concatenated([ses_event(bounce(f"{n}@x.org", feedback_id=f"f{n}"))]))
    archive = list_source(bucket.url("ses/"))
    frames = []
    for prefetch in (True, False):
        collector = Collector("report", dedupe=True)
        load_archive(archive, collector, prefetch=prefetch)
        frames.append(collector.frame())
    pd.testing.assert_frame_equal(*frames)
    assert emails(frames[0]) == ["0@x.org", "1@x.org", "2@x.org", "3@x.org"]


def month_of_firehose(bucket: Bucket) -> None:
    """Firehose's layout: one object an hour from 2026-10-31 22:00 to 2026-11-01 02:00."""
    for day, hour in [(31, 22), (31, 23), (1, 0), (1, 1), (1, 2)]:
        month = 10 if day == 31 else 11
        record = ses_event(delivery(f"{month}-{day}-{hour}@x.org"))
        key = f"ses/2026/{month:02d}/{day:02d}/{hour:02d}/ses-1-2026-{month:02d}-{day:02d}-{hour:02d}-00-00-x"
        bucket.put(key, gzip.compress(lines([record])))


def test_since_and_until_choose_partitions(bucket: Bucket) -> None:
    month_of_firehose(bucket)
    df = read_events(bucket.url("ses/"), since="2026-11-01", until="2026-11-01T02:00:00Z")
    assert emails(df) == ["11-1-0@x.org", "11-1-1@x.org"]


def test_cli_loads_an_archive_since_a_day(
    bucket: Bucket, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    month_of_firehose(bucket)
    out = tmp_path / "events.csv"
    assert main(["load", bucket.url("ses/"), "--since", "2026-11-01", "--quiet", "--out", str(out)]) == 0
    assert "3 event rows from 3 messages" in capsys.readouterr().out
    assert sorted(pd.read_csv(out)["email"]) == ["11-1-0@x.org", "11-1-1@x.org", "11-1-2@x.org"]


def test_cli_missing_bucket_is_one_line_exit_3(bucket: Bucket, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "s3://no-such-bucket-here/ses/", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("sesops load: error: s3:ListObjectsV2 s3://no-such-bucket-here/ses/: NoSuchBucket")
    assert err.count("\n") == 1


def test_cli_bad_window_is_a_usage_error(bucket: Bucket, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", bucket.url("ses/"), "--since", "November", "--quiet"]) == 2
    assert "since 'November': not a date" in capsys.readouterr().err


def test_cli_access_denied_is_one_line_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stubs = Stubs(dummy_session())  # a session of its own: see tests/aws/test_archive.py
    stubs("s3").add_client_error("list_objects_v2", DENIED.code, "Access Denied", http_status_code=403)
    monkeypatch.setattr(load_archive_module, "default_session", lambda: stubs.session)
    assert main(["load", "s3://archive/ses/", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith(
        "sesops load: error: s3:ListObjectsV2 s3://archive/ses/: AccessDenied: Access Denied."
    )
    assert "Allow s3:ListObjectsV2" in err and err.count("\n") == 1
    stubs.close()


def test_a_read_that_fails_midway_raises_an_aws_error(monkeypatch: pytest.MonkeyPatch) -> None:
    stubs = Stubs(dummy_session())
    s3 = stubs("s3")
    s3.add_response(
        "list_objects_v2",
        {"Contents": [{"Key": "ses/a", "Size": 3}], "KeyCount": 1, "IsTruncated": False},
    )
    s3.add_client_error("get_object", "SlowDown", "Reduce your request rate", http_status_code=503)
    monkeypatch.setattr(load_archive_module, "default_session", lambda: stubs.session)
    with pytest.raises(AwsError, match=r"^s3:GetObject s3://archive/ses/a: SlowDown"):
        read_events("s3://archive/ses/")
    stubs.close()
