"""sesops.aws.archive: partitions and windows (pure), listing with pruning on the sandbox's S3,
streaming an object, and AWS's refusals as one AwsError line (Stubber)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from sesops.aws.archive import (
    ArchiveObject,
    known_parts,
    list_archive,
    open_object,
    overlaps,
    partition,
    split_url,
    window,
)
from sesops.aws.clients import client
from sesops.errors import AwsError, InputError
from sesops.sandbox.server import Sandbox, dummy_session
from tests.aws.stubbing import DENIED, Stubs


@pytest.mark.parametrize(
    ("folder", "known", "parts"),
    [
        ("2026", (), (2026,)),
        ("11", (2026,), (2026, 11)),
        ("01", (2026, 11), (2026, 11, 1)),
        ("23", (2026, 11, 1), (2026, 11, 1, 23)),
        ("24", (2026, 11, 1), None),  # not an hour
        ("13", (2026,), None),  # not a month
        ("05", (2026, 11, 1, 23), None),  # nothing below the hour
        ("11", (), None),  # a month needs its year
        ("ses", (), None),
        ("dt=2026-11-01", (), (2026, 11, 1)),
        ("dt=2026-11-01-07", (), (2026, 11, 1, 7)),
        ("date=2026-02-30", (), None),
        ("year=2026", (), (2026,)),
        ("month=11", (2026,), (2026, 11)),
        ("day=3", (2026, 11), (2026, 11, 3)),
        ("hour=07", (2026, 11, 3), (2026, 11, 3, 7)),
        ("day=03", (2026,), None),  # out of order
    ],
)
def test_partition(folder: str, known: tuple[int, ...], parts: tuple[int, ...] | None) -> None:
    assert partition(folder, known) == parts


def test_window_and_overlaps() -> None:
    start, end = window(date(2026, 11, 1), "2026-11-30")
    assert (start, end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    assert [overlaps(p, start, end) for p in [(2025,), (2026,), (2026, 10), (2026, 11), (2026, 12)]] == [
        False,
        True,
        False,
        True,
        False,
    ]
    assert overlaps((2026, 10, 31, 23), start, end) is False
    assert overlaps((2026, 11, 30, 23), start, end) is True
    assert window(None, "2026-11-02T10:30:00Z") == (None, datetime(2026, 11, 2, 10, 30, tzinfo=UTC))
    naive = window(datetime(2026, 11, 2, 10), None)[0]
    assert naive == datetime(2026, 11, 2, 10, tzinfo=UTC)
    assert known_parts("ses/2026/11/") == (2026, 11)
    assert known_parts("a/dt=2026-11-01/") == (2026, 11, 1)


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2026-11-02", "2026-11-01", r"until \(2026-11-01\) must come after since"),
        ("yesterday", None, r"since 'yesterday': not a date"),
    ],
)
def test_window_refuses(since: str, until: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        window(since, until)


@pytest.mark.parametrize(
    ("url", "message"), [("s3:///key", "no bucket"), ("https://b/k", "not an s3:// URL")]
)
def test_split_url_refuses(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        split_url(url)


# -- on the sandbox's S3 ---------------------------------------------------------------------------

FIREHOSE_KEYS = [
    f"ses/{y}/{m:02d}/{d:02d}/{h:02d}/stream-1-{y}-{m:02d}-{d:02d}-{h:02d}-00-00-{n}"
    for y, m, d, h, n in [
        (2025, 12, 31, 23, "a"),
        (2026, 10, 31, 23, "b"),
        (2026, 11, 1, 0, "c"),
        (2026, 11, 1, 0, "d"),
        (2026, 11, 15, 12, "e"),
        (2026, 11, 30, 23, "f"),
        (2026, 12, 1, 0, "g"),
    ]
]
HIVE_KEYS = [
    "hive/dt=2026-10-31/part-0.json",
    "hive/dt=2026-11-01/part-0.json",
    "hive/year=2026/month=11/day=02/hour=05/part-0.json",
    "hive/year=2026/month=12/day=01/hour=00/part-0.json",
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        yield sb


@pytest.fixture
def s3(sandbox: Sandbox) -> tuple[boto3.Session, list[str]]:
    """A bucket holding a Firehose-style archive, a Hive-style one, an empty object and a folder
    marker; returns the session and the prefixes each ListObjectsV2 call asked for."""
    session = sandbox.session()
    s3 = client("s3", session)
    if "archive" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket="archive")
        for key in [*FIREHOSE_KEYS, *HIVE_KEYS]:
            s3.put_object(Bucket="archive", Key=key, Body=key.encode())
        s3.put_object(Bucket="archive", Key="ses/2026/11/01/00/empty", Body=b"")
        s3.put_object(Bucket="archive", Key="ses/2026/11/marker/", Body=b"")
    listed: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        listed.append(params.get("Prefix", ""))

    s3.meta.events.register("provide-client-params.s3.ListObjectsV2", record)
    return session, listed


def keys(objects: list[ArchiveObject]) -> list[str]:
    return [o.key for o in objects]


def test_lists_every_object_without_a_window(s3: tuple[boto3.Session, list[str]]) -> None:
    session, listed = s3
    found = list_archive("s3://archive/ses/", session=session)
    assert keys(found) == FIREHOSE_KEYS  # in key order; the empty object and the marker left out
    assert found[0].url == f"s3://archive/{FIREHOSE_KEYS[0]}" and found[0].size == len(FIREHOSE_KEYS[0])
    assert listed == ["ses/"]  # one flat listing


def test_a_month_is_read_without_listing_the_other_months(s3: tuple[boto3.Session, list[str]]) -> None:
    session, listed = s3
    found = list_archive("s3://archive/ses", since=date(2026, 11, 1), until="2026-11-30", session=session)
    assert keys(found) == FIREHOSE_KEYS[2:6]
    assert "ses/2025/" not in listed and "ses/2026/10/" not in listed and "ses/2026/12/" not in listed
    assert "ses/2026/11/" in listed and "ses/2026/11/01/00/" in listed


def test_a_day_lists_one_day(s3: tuple[boto3.Session, list[str]]) -> None:
    session, listed = s3
    found = list_archive("s3://archive/ses/", since="2026-11-15", until="2026-11-15", session=session)
    assert keys(found) == [FIREHOSE_KEYS[4]]
    assert listed == [  # folders that are not partitions are entered
        "ses/",
        "ses/2026/",
        "ses/2026/11/",
        "ses/2026/11/15/",
        "ses/2026/11/15/12/",
        "ses/2026/11/marker/",
    ]


def test_a_prefix_inside_the_partitions_knows_its_date(s3: tuple[boto3.Session, list[str]]) -> None:
    session, _ = s3
    assert keys(list_archive("s3://archive/ses/2026/11/", since="2026-11-30", session=session)) == [
        FIREHOSE_KEYS[5]
    ]
    assert list_archive("s3://archive/ses/2026/10/", since="2026-11-01", session=session) == []


def test_hive_partitions(s3: tuple[boto3.Session, list[str]]) -> None:
    session, _ = s3
    found = list_archive("s3://archive/hive/", since="2026-11-01", until="2026-11-30", session=session)
    assert keys(found) == [HIVE_KEYS[1], HIVE_KEYS[2]]


def test_one_object_by_its_url(s3: tuple[boto3.Session, list[str]]) -> None:
    session, _ = s3
    [obj] = list_archive(f"s3://archive/{FIREHOSE_KEYS[2]}", session=session)
    assert obj.key == FIREHOSE_KEYS[2]
    with open_object(obj, session=session) as body:
        assert body.read(4) == b"ses/" and body.read() == FIREHOSE_KEYS[2].encode()[4:]


def test_a_missing_bucket_is_one_line(s3: tuple[boto3.Session, list[str]]) -> None:
    session, _ = s3
    with pytest.raises(AwsError, match=r"^s3:ListObjectsV2 s3://nowhere/x/: NoSuchBucket: .*") as err:
        list_archive("s3://nowhere/x/", session=session)
    assert "\n" not in str(err.value)


# -- AWS's refusals (Stubber) ------------------------------------------------------------------------


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    """Stubbers on a session of its own: boto3 cannot build a second S3 client on the botocore
    session tests/aws/stubbing.py shares."""
    stubbed = Stubs(dummy_session())
    yield stubbed
    stubbed.close()


def test_access_denied_names_the_permission(stubs: Stubs) -> None:
    stubs("s3").add_client_error(
        "list_objects_v2", DENIED.code, "Access Denied", http_status_code=DENIED.status
    )
    with pytest.raises(AwsError, match=DENIED.expected("s3:ListObjectsV2", "s3://archive/ses/")):
        list_archive("s3://archive/ses/", session=stubs.session)


def test_a_denied_read_names_the_object(stubs: Stubs) -> None:
    stubs("s3").add_client_error("get_object", DENIED.code, "Access Denied", http_status_code=DENIED.status)
    obj = ArchiveObject("archive", "ses/k", 3)
    with pytest.raises(AwsError, match=DENIED.expected("s3:GetObject", "s3://archive/ses/k")):
        open_object(obj, session=stubs.session)
