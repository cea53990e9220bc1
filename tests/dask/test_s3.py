"""sesops.dask on an S3 archive (the sandbox's S3): one partition per object, the pandas path's rows."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest
from distributed import Client

import sesops.dask
from sesops.analysis.suppress import build_suppression_list
from sesops.aws.clients import client as aws_client
from sesops.load.reader import read_events
from sesops.sandbox.server import Sandbox
from sesops.sim.simulate import SimulationConfig, iter_lines
from tests.dask.test_dask import same_rows


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        yield sb


@pytest.fixture
def archive(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """Firehose-style gzip objects of configuration-set events under ses/YYYY/MM/DD/HH/, one
    object a day, and one day's object delivered twice (Firehose retries): repeats across objects."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    bucket = f"archive-{uuid.uuid4().hex[:10]}"
    s3 = aws_client("s3", sandbox.session())
    s3.create_bucket(Bucket=bucket)
    config = SimulationConfig(messages=600, days=4, seed=9, event_publishing=True, bounce_rate=0.1)
    by_day: dict[str, list[bytes]] = {}
    for line in iter_lines(config, envelope=False):
        day = line.split(b'"timestamp":"', 1)[1][:10].decode()
        by_day.setdefault(day, []).append(line)
    for day, lines in sorted(by_day.items()):
        key = f"ses/{day.replace('-', '/')}/10/stream-1-{day}"
        s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(b"".join(lines)))
    first = min(by_day)
    retry = f"ses/{first.replace('-', '/')}/11/stream-1-retry"
    s3.put_object(Bucket=bucket, Key=retry, Body=gzip.compress(b"".join(by_day[first])))
    return f"s3://{bucket}/ses/"


def test_an_s3_archive_reads_as_the_pandas_path_reads_it(archive: str, client: Client) -> None:
    events = read_events(archive)
    assert events.attrs["duplicates"] > 0
    ddf = sesops.dask.read_events(archive, client=client)
    assert ddf.npartitions >= 5
    same_rows(events, ddf.compute())
    pd.testing.assert_frame_equal(
        sesops.dask.suppression_list(ddf, client=client), build_suppression_list(events)
    )

    later = sorted(events["timestamp"].dt.strftime("%Y-%m-%d").unique())[1]
    window = sesops.dask.read_events(archive, since=later, client=client)
    assert window.npartitions < ddf.npartitions
    same_rows(read_events(archive, since=later), window.compute())
